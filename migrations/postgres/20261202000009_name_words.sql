-- The Users search finds a person by any word of their name (a surname, a later word of the
-- display name). The server computes the words (`domain::name_words`) and writes them with the
-- account as `name_words`, a JSON array; this trigger copies them into `account_word`, one row
-- per word (byte order, "C", as the other folded columns), so a search is an index range and a
-- write that leaves the words alone costs nothing more. Accounts made before this are filled
-- at start (app_meta 'name_words').
ALTER TABLE account ADD COLUMN name_words TEXT NOT NULL DEFAULT '[]';
CREATE TABLE account_word (
    tenant_id  TEXT NOT NULL,
    word       TEXT COLLATE "C" NOT NULL,
    account_id TEXT NOT NULL REFERENCES account (account_id) ON DELETE CASCADE,
    PRIMARY KEY (tenant_id, word, account_id)
);
CREATE INDEX account_word_account_idx ON account_word (account_id);
CREATE FUNCTION account_word_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.name_words = OLD.name_words THEN
            RETURN NULL;
        END IF;
        DELETE FROM account_word WHERE account_id = OLD.account_id;
    END IF;
    INSERT INTO account_word (tenant_id, word, account_id)
        SELECT NEW.tenant_id, w, NEW.account_id
        FROM jsonb_array_elements_text(NEW.name_words::jsonb) AS w
        ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER account_word_sync AFTER INSERT OR UPDATE OF name_words ON account
    FOR EACH ROW EXECUTE FUNCTION account_word_sync();

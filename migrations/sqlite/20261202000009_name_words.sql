-- The Users search finds a person by any word of their name (a surname, a later word of the
-- display name). The server computes the words (`domain::name_words`) and writes them with the
-- account as `name_words`, a JSON array; these triggers copy them into `account_word`, one row
-- per word, so a search is an index range and a write that leaves the words alone costs
-- nothing more. Accounts made before this are filled at start (app_meta 'name_words').
-- A migration that rebuilds `account` must create these triggers again.
ALTER TABLE account ADD COLUMN name_words TEXT NOT NULL DEFAULT '[]';
CREATE TABLE account_word (
    tenant_id  TEXT NOT NULL,
    word       TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES account (account_id) ON DELETE CASCADE,
    PRIMARY KEY (tenant_id, word, account_id)
) WITHOUT ROWID;
CREATE INDEX account_word_account_idx ON account_word (account_id);
CREATE TRIGGER account_word_insert AFTER INSERT ON account WHEN NEW.name_words <> '[]'
BEGIN
    INSERT OR IGNORE INTO account_word (tenant_id, word, account_id)
        SELECT NEW.tenant_id, value, NEW.account_id FROM json_each(NEW.name_words);
END;
CREATE TRIGGER account_word_update AFTER UPDATE OF name_words ON account
    WHEN OLD.name_words IS NOT NEW.name_words
BEGIN
    DELETE FROM account_word WHERE account_id = OLD.account_id;
    INSERT OR IGNORE INTO account_word (tenant_id, word, account_id)
        SELECT NEW.tenant_id, value, NEW.account_id FROM json_each(NEW.name_words);
END;

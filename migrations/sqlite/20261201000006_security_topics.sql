-- no-transaction
-- Security Topics (issue 10): custom topics, topics assigned to groups, the security audit
-- trail; accounts created by single sign-on get their own source `sso`; identity providers
-- with an `{tenantid}` issuer list the Entra tenants that may sign in.
--
-- SQLite cannot change a CHECK constraint in place, so `account` is rebuilt (SQLite's
-- documented procedure: foreign keys off, one transaction, check, foreign keys on). Every row
-- and index is kept.
PRAGMA foreign_keys = OFF;
BEGIN;

CREATE TABLE account_rebuilt (
    account_id          TEXT PRIMARY KEY NOT NULL,
    tenant_id           TEXT NOT NULL REFERENCES tenant (tenant_id) ON DELETE CASCADE,
    username            TEXT NOT NULL,
    username_folded     TEXT NOT NULL,
    display_name        TEXT NOT NULL DEFAULT '',
    source              TEXT NOT NULL CHECK (source IN ('local', 'scim', 'sso')),
    is_active           BIGINT NOT NULL DEFAULT 1,
    is_admin            BIGINT NOT NULL DEFAULT 0,
    password_hash       TEXT,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    external_id         TEXT,
    display_name_folded TEXT NOT NULL DEFAULT '',
    work_email_folded   TEXT,
    scim_doc            TEXT,
    version             BIGINT NOT NULL DEFAULT 1,
    sso_key             TEXT,
    sso_subject         TEXT
);
INSERT INTO account_rebuilt (account_id, tenant_id, username, username_folded, display_name, source,
    is_active, is_admin, password_hash, created_at, updated_at, external_id, display_name_folded,
    work_email_folded, scim_doc, version, sso_key)
SELECT account_id, tenant_id, username, username_folded, display_name, source,
    is_active, is_admin, password_hash, created_at, updated_at, external_id, display_name_folded,
    work_email_folded, scim_doc, version, sso_key
FROM account;
DROP TABLE account;
ALTER TABLE account_rebuilt RENAME TO account;
CREATE UNIQUE INDEX account_username_key ON account (tenant_id, username_folded);
CREATE INDEX account_external_id_idx ON account (tenant_id, external_id);
CREATE INDEX account_display_name_idx ON account (tenant_id, display_name_folded);
CREATE INDEX account_work_email_idx ON account (tenant_id, work_email_folded);
CREATE INDEX account_list_idx ON account (tenant_id, source, created_at, account_id);
CREATE UNIQUE INDEX account_sso_key ON account (tenant_id, sso_key);
CREATE INDEX account_filter_idx ON account (tenant_id, source, is_active, username_folded);
CREATE INDEX account_updated_idx ON account (tenant_id, updated_at);
CREATE INDEX account_sso_subject_idx ON account (tenant_id, sso_subject);

-- Accounts made at a first single sign-on (no password, not an administrator) are `SSO`.
UPDATE account SET source = 'sso'
 WHERE source = 'local' AND sso_key IS NOT NULL AND password_hash IS NULL AND is_admin = 0;
-- Single sign-on never stays linked to a local account with a password or administrator
-- rights: that person signs in with the password again.
UPDATE account SET sso_key = NULL
 WHERE source = 'local' AND (password_hash IS NOT NULL OR is_admin = 1);

-- A custom Security Topic of a tenant (built-in topics are the same everywhere and not stored).
CREATE TABLE security_topic (
    topic_id    TEXT PRIMARY KEY NOT NULL,
    tenant_id   TEXT NOT NULL REFERENCES tenant (tenant_id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    -- comma-separated permission names, e.g. `directory,audit`
    permissions TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX security_topic_name_key ON security_topic (tenant_id, name_folded);

-- A topic (built-in id or security_topic id) held by a group. Read per request through
-- group_member (account_id) -> group_topic (group_id): two index seeks.
CREATE TABLE group_topic (
    group_id    TEXT NOT NULL REFERENCES security_group (group_id) ON DELETE CASCADE,
    topic_id    TEXT NOT NULL,
    tenant_id   TEXT NOT NULL REFERENCES tenant (tenant_id) ON DELETE CASCADE,
    assigned_at BIGINT NOT NULL,
    assigned_by TEXT NOT NULL,
    PRIMARY KEY (group_id, topic_id)
);
CREATE INDEX group_topic_topic_idx ON group_topic (tenant_id, topic_id);

-- Who changed which topic or assignment, and who was refused what (repeats folded into one row).
CREATE TABLE security_audit (
    audit_id   INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id  TEXT NOT NULL REFERENCES tenant (tenant_id) ON DELETE CASCADE,
    at         BIGINT NOT NULL,
    last_at    BIGINT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT '',
    repeats    BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX security_audit_tenant_idx ON security_audit (tenant_id, audit_id);
CREATE INDEX security_audit_repeat_idx ON security_audit (tenant_id, actor, action, detail, last_at);

ALTER TABLE identity_provider ADD COLUMN allowed_tenant_ids TEXT NOT NULL DEFAULT '';

-- Small key/value facts about the data itself (e.g. which username folding is applied).
CREATE TABLE app_meta (
    meta_key   TEXT PRIMARY KEY NOT NULL,
    meta_value TEXT NOT NULL
);

COMMIT;
PRAGMA foreign_keys = ON;

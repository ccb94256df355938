-- SCIM provisioning: user attributes, security groups and members, provisioning tokens, activity.
-- A resource's client-writable attributes live in scim_doc (JSON, canonical names); the columns
-- beside it are derived from it on every write so Entra's lookups are index seeks.

ALTER TABLE account ADD COLUMN external_id TEXT;
ALTER TABLE account ADD COLUMN display_name_folded TEXT NOT NULL DEFAULT '';
ALTER TABLE account ADD COLUMN work_email_folded TEXT;
ALTER TABLE account ADD COLUMN scim_doc TEXT;
ALTER TABLE account ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
UPDATE account SET display_name_folded = lower(display_name);
CREATE INDEX account_external_id_idx ON account (tenant_id, external_id);
CREATE INDEX account_display_name_idx ON account (tenant_id, display_name_folded);
CREATE INDEX account_work_email_idx ON account (tenant_id, work_email_folded);
CREATE INDEX account_list_idx ON account (tenant_id, source, created_at, account_id);

CREATE TABLE security_group (
    group_id            TEXT PRIMARY KEY NOT NULL,
    tenant_id           TEXT NOT NULL REFERENCES tenant (tenant_id) ON DELETE CASCADE,
    display_name        TEXT NOT NULL,
    display_name_folded TEXT NOT NULL,
    external_id         TEXT,
    source              TEXT NOT NULL CHECK (source IN ('local', 'scim')),
    scim_doc            TEXT NOT NULL,
    version             BIGINT NOT NULL DEFAULT 1,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE UNIQUE INDEX security_group_name_key ON security_group (tenant_id, display_name_folded);
CREATE INDEX security_group_external_id_idx ON security_group (tenant_id, external_id);
CREATE INDEX security_group_list_idx ON security_group (tenant_id, created_at, group_id);

-- Member ids are kept exactly as the client sent them (RFC 7644 does not require them to exist
-- yet); they are joined to accounts of the group's tenant only. Deleting a user deletes its rows.
CREATE TABLE group_member (
    group_id   TEXT NOT NULL REFERENCES security_group (group_id) ON DELETE CASCADE,
    account_id TEXT NOT NULL,
    PRIMARY KEY (group_id, account_id)
);
CREATE INDEX group_member_account_idx ON group_member (account_id);

CREATE TABLE provisioning_token (
    token_id     TEXT PRIMARY KEY NOT NULL,
    tenant_id    TEXT NOT NULL REFERENCES tenant (tenant_id) ON DELETE CASCADE,
    token_hash   TEXT NOT NULL UNIQUE,
    description  TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    expires_at   BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX provisioning_token_tenant_idx ON provisioning_token (tenant_id);

CREATE TABLE provisioning_event (
    event_id    INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id   TEXT NOT NULL REFERENCES tenant (tenant_id) ON DELETE CASCADE,
    at          BIGINT NOT NULL,
    method      TEXT NOT NULL,
    path        TEXT NOT NULL,
    status      BIGINT NOT NULL,
    resource_id TEXT,
    detail      TEXT
);
CREATE INDEX provisioning_event_tenant_idx ON provisioning_event (tenant_id, event_id);

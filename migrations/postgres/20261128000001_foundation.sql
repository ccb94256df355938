-- Tenants, accounts, console sessions and sign-in throttling.
-- Timestamps are unix seconds and flags 0/1, both BIGINT (the sqlx Any driver decodes neither
-- SQLite BOOLEAN nor dates); ids are TEXT. The PostgreSQL tree has the same shapes.

CREATE TABLE tenant (
    tenant_id   TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    is_default  BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX tenant_name_key ON tenant (name_folded);

CREATE TABLE account (
    account_id      TEXT PRIMARY KEY NOT NULL,
    tenant_id       TEXT NOT NULL REFERENCES tenant (tenant_id) ON DELETE CASCADE,
    username        TEXT NOT NULL,
    username_folded TEXT NOT NULL,
    display_name    TEXT NOT NULL DEFAULT '',
    source          TEXT NOT NULL CHECK (source IN ('local', 'scim')),
    is_active       BIGINT NOT NULL DEFAULT 1,
    is_admin        BIGINT NOT NULL DEFAULT 0,
    password_hash   TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX account_username_key ON account (tenant_id, username_folded);

CREATE TABLE session (
    session_hash TEXT PRIMARY KEY NOT NULL,
    account_id   TEXT NOT NULL REFERENCES account (account_id) ON DELETE CASCADE,
    tenant_id    TEXT NOT NULL REFERENCES tenant (tenant_id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX session_account_idx ON session (account_id);

CREATE TABLE login_throttle (
    throttle_key    TEXT PRIMARY KEY NOT NULL,
    failures        BIGINT NOT NULL,
    last_failure_at BIGINT NOT NULL
);

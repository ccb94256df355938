-- Security Topics (issue 10): custom topics, topics assigned to groups, the security audit
-- trail; accounts created by single sign-on get their own source `sso`; identity providers
-- with an `{tenantid}` issuer list the Entra tenants that may sign in. Same shapes as SQLite.

ALTER TABLE account DROP CONSTRAINT account_source_check;
ALTER TABLE account ADD CONSTRAINT account_source_check CHECK (source IN ('local', 'scim', 'sso'));
ALTER TABLE account ADD COLUMN sso_subject TEXT;
CREATE INDEX account_sso_subject_idx ON account (tenant_id, sso_subject);

UPDATE account SET source = 'sso'
 WHERE source = 'local' AND sso_key IS NOT NULL AND password_hash IS NULL AND is_admin = 0;
UPDATE account SET sso_key = NULL
 WHERE source = 'local' AND (password_hash IS NOT NULL OR is_admin = 1);

CREATE TABLE security_topic (
    topic_id    TEXT PRIMARY KEY NOT NULL,
    tenant_id   TEXT NOT NULL REFERENCES tenant (tenant_id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    permissions TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX security_topic_name_key ON security_topic (tenant_id, name_folded);

CREATE TABLE group_topic (
    group_id    TEXT NOT NULL REFERENCES security_group (group_id) ON DELETE CASCADE,
    topic_id    TEXT NOT NULL,
    tenant_id   TEXT NOT NULL REFERENCES tenant (tenant_id) ON DELETE CASCADE,
    assigned_at BIGINT NOT NULL,
    assigned_by TEXT NOT NULL,
    PRIMARY KEY (group_id, topic_id)
);
CREATE INDEX group_topic_topic_idx ON group_topic (tenant_id, topic_id);

CREATE TABLE security_audit (
    audit_id   BIGSERIAL PRIMARY KEY,
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

CREATE TABLE app_meta (
    meta_key   TEXT PRIMARY KEY NOT NULL,
    meta_value TEXT NOT NULL
);

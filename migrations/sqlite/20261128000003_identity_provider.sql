-- OAuth 2.0 / OpenID Connect identity providers (guide Step 2) and their audit trail.
-- The client secret is stored only encrypted (AES-256-GCM, base64 of nonce || ciphertext).

CREATE TABLE identity_provider (
    idp_id                 TEXT PRIMARY KEY NOT NULL,
    tenant_id              TEXT NOT NULL REFERENCES tenant (tenant_id) ON DELETE CASCADE,
    kind                   TEXT NOT NULL CHECK (kind IN ('oauth2')),
    name                   TEXT NOT NULL,
    description            TEXT NOT NULL DEFAULT '',
    is_active              BIGINT NOT NULL DEFAULT 0,
    auth_method            TEXT NOT NULL,
    client_id              TEXT NOT NULL,
    client_secret_enc      TEXT NOT NULL,
    authorization_url      TEXT NOT NULL,
    token_url              TEXT NOT NULL,
    jwks_url               TEXT NOT NULL,
    username_attribute     TEXT NOT NULL,
    issuer_uri             TEXT NOT NULL DEFAULT '',
    userinfo_url           TEXT NOT NULL DEFAULT '',
    secure_jwks            BIGINT NOT NULL DEFAULT 1,
    logout_url             TEXT NOT NULL DEFAULT '',
    resource               TEXT NOT NULL DEFAULT '',
    audience               TEXT NOT NULL DEFAULT '',
    display_name_attribute TEXT NOT NULL DEFAULT 'name',
    grant_type             TEXT NOT NULL DEFAULT 'authorization_code',
    scopes                 TEXT NOT NULL,
    provider_display_name  TEXT NOT NULL,
    pkce_enabled           BIGINT NOT NULL DEFAULT 1,
    refresh_tokens_enabled BIGINT NOT NULL DEFAULT 0,
    create_users           BIGINT NOT NULL DEFAULT 1,
    last_check_at          BIGINT,
    last_check_ok          BIGINT,
    created_at             BIGINT NOT NULL,
    updated_at             BIGINT NOT NULL
);
CREATE INDEX identity_provider_tenant_idx ON identity_provider (tenant_id);
-- At most one active identity provider per tenant.
CREATE UNIQUE INDEX identity_provider_active_key ON identity_provider (tenant_id) WHERE is_active = 1;
CREATE UNIQUE INDEX identity_provider_name_key ON identity_provider (tenant_id, name);

CREATE TABLE idp_audit (
    audit_id  INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id TEXT NOT NULL REFERENCES tenant (tenant_id) ON DELETE CASCADE,
    idp_id    TEXT NOT NULL,
    at        BIGINT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    changes   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX idp_audit_idp_idx ON idp_audit (idp_id, audit_id);

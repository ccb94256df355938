-- Single sign-on: pending sign-ins (single use, minutes), the provider identity an account is
-- linked to, what a console session got from its provider, and each provider's last test sign-in.
-- Tokens and PKCE verifiers are stored only encrypted (AES-256-GCM), state values only hashed.

CREATE TABLE sso_pending (
    state_hash        TEXT PRIMARY KEY NOT NULL,
    browser_hash      TEXT NOT NULL,
    tenant_id         TEXT NOT NULL REFERENCES tenant (tenant_id) ON DELETE CASCADE,
    idp_id            TEXT NOT NULL REFERENCES identity_provider (idp_id) ON DELETE CASCADE,
    purpose           TEXT NOT NULL CHECK (purpose IN ('sign_in', 'test')),
    account_id        TEXT,
    nonce             TEXT NOT NULL,
    pkce_verifier_enc TEXT,
    created_at        BIGINT NOT NULL,
    expires_at        BIGINT NOT NULL
);
CREATE INDEX sso_pending_expires_idx ON sso_pending (expires_at);

-- `entra:{tid}:{oid}` for Entra tokens, otherwise `oidc:{iss}:{sub}`.
ALTER TABLE account ADD COLUMN sso_key TEXT;
CREATE UNIQUE INDEX account_sso_key ON account (tenant_id, sso_key);

ALTER TABLE session ADD COLUMN idp_id TEXT;
ALTER TABLE session ADD COLUMN id_token_enc TEXT;
ALTER TABLE session ADD COLUMN refresh_token_enc TEXT;
ALTER TABLE session ADD COLUMN id_token_expires_at BIGINT;

ALTER TABLE identity_provider ADD COLUMN last_test_at BIGINT;
ALTER TABLE identity_provider ADD COLUMN last_test_result TEXT;

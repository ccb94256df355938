-- The Connect Microsoft Entra ID assistant. entra_setup keeps what the admin tells it (the
-- client secret's expiry chosen in Entra); provisioning_milestone what Cantara saw of Entra's
-- provisioning (its Test Connection probe and first cycle), kept as SCIM requests are logged,
-- so the assistant's statuses survive the trimming of the activity log.
CREATE TABLE entra_setup (
    tenant_id             TEXT PRIMARY KEY NOT NULL REFERENCES tenant (tenant_id) ON DELETE CASCADE,
    client_secret_expires TEXT,
    updated_at            BIGINT NOT NULL
);

CREATE TABLE provisioning_milestone (
    tenant_id          TEXT PRIMARY KEY NOT NULL REFERENCES tenant (tenant_id) ON DELETE CASCADE,
    test_connection_at BIGINT,
    cycle_started_at   BIGINT,
    cycle_last_at      BIGINT,
    cycle_users        BIGINT NOT NULL DEFAULT 0,
    cycle_groups       BIGINT NOT NULL DEFAULT 0,
    cycle_failures     BIGINT NOT NULL DEFAULT 0,
    cycle_ended        BIGINT NOT NULL DEFAULT 0
);

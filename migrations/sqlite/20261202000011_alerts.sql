-- Alerts: what Cantara tells a tenant's admins outside the console (provisioning health, a mass
-- deprovisioning, expiring secrets and tokens), through the channels they configure.

-- The client secret's expiry as chosen in Entra (YYYY-MM-DD, or empty), on the provider's form.
ALTER TABLE identity_provider ADD COLUMN client_secret_expires TEXT NOT NULL DEFAULT '';

-- When an account was last deactivated (active true -> false), for the mass-deprovisioning
-- notice; set by the same UPDATE that deactivates it.
ALTER TABLE account ADD COLUMN deactivated_at BIGINT;
CREATE INDEX account_deactivated_idx ON account (tenant_id, deactivated_at);
CREATE INDEX account_scim_deleted_idx ON account (tenant_id, scim_deleted_at);

-- Members removed from a group that holds a Security Topic, kept a day: a group emptied in one
-- hour names who lost its topics.
CREATE TABLE membership_removal (
    tenant_id  TEXT NOT NULL REFERENCES tenant (tenant_id) ON DELETE CASCADE,
    group_id   TEXT NOT NULL REFERENCES security_group (group_id) ON DELETE CASCADE,
    account_id TEXT NOT NULL,
    at         BIGINT NOT NULL
);
CREATE INDEX membership_removal_idx ON membership_removal (tenant_id, at);

-- The tenant's mass-deprovisioning threshold (absent: 10 % and at least 20 people).
CREATE TABLE alert_settings (
    tenant_id          TEXT PRIMARY KEY NOT NULL REFERENCES tenant (tenant_id) ON DELETE CASCADE,
    mass_share_percent BIGINT NOT NULL,
    mass_min_people    BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);

-- Where alerts go: kind `email` or `webhook`; settings without secrets as JSON; the SMTP password
-- or the webhook's signing secret encrypted with the secret key.
CREATE TABLE alert_channel (
    channel_id TEXT PRIMARY KEY NOT NULL,
    tenant_id  TEXT NOT NULL REFERENCES tenant (tenant_id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    settings   TEXT NOT NULL,
    secret_enc TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX alert_channel_tenant_idx ON alert_channel (tenant_id);

-- The level last alerted for each of a tenant's conditions; a change of it is an alert, its
-- removal a "resolved".
CREATE TABLE alert_state (
    tenant_id TEXT NOT NULL REFERENCES tenant (tenant_id) ON DELETE CASCADE,
    alert_key TEXT NOT NULL,
    level     TEXT NOT NULL,
    title     TEXT NOT NULL,
    since     BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, alert_key)
);

-- One event to one channel: pending until delivered, retried with backoff, then failed.
CREATE TABLE alert_delivery (
    delivery_id     TEXT PRIMARY KEY NOT NULL,
    tenant_id       TEXT NOT NULL REFERENCES tenant (tenant_id) ON DELETE CASCADE,
    channel_id      TEXT NOT NULL REFERENCES alert_channel (channel_id) ON DELETE CASCADE,
    event           TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    outcome         TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT,
    claimed_until   BIGINT NOT NULL DEFAULT 0,
    last_attempt_at BIGINT,
    answer          TEXT
);
CREATE INDEX alert_delivery_due_idx ON alert_delivery (next_attempt_at);
CREATE INDEX alert_delivery_channel_idx ON alert_delivery (channel_id, created_at);

-- Jobs that one instance at a time runs (the alert checks): who holds each, until when.
CREATE TABLE job_lease (
    name       TEXT PRIMARY KEY NOT NULL,
    holder     TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

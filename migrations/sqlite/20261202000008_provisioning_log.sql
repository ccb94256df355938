-- The Provisioning log explains requests: the filter a list request sent (shown in words), and
-- each resource's history (a user's page lists the requests that touched it).
ALTER TABLE provisioning_event ADD COLUMN filter TEXT;
CREATE INDEX provisioning_event_resource_idx ON provisioning_event (tenant_id, resource_id, event_id);

-- The Users page filters by source and status and sorts by username: one index serves the page
-- and its count. Searches are prefix ranges on the folded columns (byte order in SQLite).
CREATE INDEX account_filter_idx ON account (tenant_id, source, is_active, username_folded);
-- "Sort: last change (newest)".
CREATE INDEX account_updated_idx ON account (tenant_id, updated_at);

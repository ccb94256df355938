-- The Users page filters by source and status and sorts by username: one index serves the page
-- and its count. Searches are prefix ranges on the folded columns, which therefore compare in
-- byte order ("C"), as in SQLite, whatever the database's collation.
ALTER TABLE account ALTER COLUMN username_folded TYPE TEXT COLLATE "C";
ALTER TABLE account ALTER COLUMN display_name_folded TYPE TEXT COLLATE "C";
ALTER TABLE account ALTER COLUMN work_email_folded TYPE TEXT COLLATE "C";
CREATE INDEX account_filter_idx ON account (tenant_id, source, is_active, username_folded);
-- "Sort: last change (newest)".
CREATE INDEX account_updated_idx ON account (tenant_id, updated_at);

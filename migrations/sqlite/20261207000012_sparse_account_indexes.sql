-- Most accounts never sign in with single sign-on, are active, and are not deleted: these four
-- indexes now hold only the accounts that have the value. Every query that uses them compares
-- the column (`sso_key = $2`, `deactivated_at >= $2`, `scim_deleted_at <= $1`…), which implies
-- IS NOT NULL, so each still uses its index; provisioning a user makes four index entries
-- fewer (four B-tree descents and inserts; the NULL entries shared a few pages, so page writes
-- barely change). Uniqueness of sso_key is unchanged: NULLs never conflicted.
DROP INDEX account_sso_key;
CREATE UNIQUE INDEX account_sso_key ON account (tenant_id, sso_key) WHERE sso_key IS NOT NULL;
DROP INDEX account_sso_subject_idx;
CREATE INDEX account_sso_subject_idx ON account (tenant_id, sso_subject) WHERE sso_subject IS NOT NULL;
DROP INDEX account_deactivated_idx;
CREATE INDEX account_deactivated_idx ON account (tenant_id, deactivated_at) WHERE deactivated_at IS NOT NULL;
DROP INDEX account_scim_deleted_idx;
CREATE INDEX account_scim_deleted_idx ON account (tenant_id, scim_deleted_at) WHERE scim_deleted_at IS NOT NULL;

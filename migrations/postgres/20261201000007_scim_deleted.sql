-- A user DELETEd over SCIM ("removed in Microsoft Entra ID") is kept, deactivated and hidden from
-- SCIM, until the operator's retention has passed; the console shows when it happened.
ALTER TABLE account ADD COLUMN scim_deleted_at BIGINT;

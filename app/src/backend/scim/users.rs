//! Users provisioned over SCIM: create, read, replace, patch, delete, list.
//!
//! The stored document is the source of truth; the indexed columns (username, external id,
//! display name, work e-mail, active) are derived from it inside the same transaction.
//! Every write is one transaction, so a PATCH with one bad operation changes nothing.

use crate::domain::ids::AccountId;
use crate::domain::ids::TenantId;
use serde_json::Value;

use crate::backend::auth::accounts;
use crate::backend::clock::now;
use crate::backend::error::{conflict_on_unique, DomainError, Result, UniqueIndex};
use crate::backend::scim::query::{Compiler, Records};
use crate::backend::scim::{parse_document, stored_document};
use crate::backend::sql::{self, Conn, Row};
use crate::backend::Backend;
use crate::domain::account::{fold_username, AccountSource};
use crate::domain::provisioned::{Document, UserEdit, UserRecord};
use crate::domain::record_filter::Condition;

/// A SCIM user as stored.
#[derive(Debug, Clone)]
pub struct ScimUser {
    pub id: AccountId,
    pub doc: Document,
    pub active: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

/// A record with the columns the store folds, ready to write.
struct Derived {
    record: UserRecord,
    username_folded: String,
    work_email_folded: Option<String>,
    json: String,
    name_words: String,
}

fn derive(record: UserRecord) -> Derived {
    Derived {
        username_folded: fold_username(&record.username),
        work_email_folded: record.work_email.as_deref().map(fold_username),
        json: Value::Object(record.document.clone()).to_string(),
        name_words: crate::domain::name_words::to_column(&record.name_words),
        record,
    }
}

fn uniqueness(e: sqlx::Error, username: &str) -> DomainError {
    conflict_on_unique(
        UniqueIndex::AccountUsername,
        "username",
        format!("A user with userName “{username}” already exists in this tenant."),
    )(e)
}

fn to_user(row: &Row) -> Result<ScimUser> {
    Ok(ScimUser {
        id: row.get("account_id")?,
        doc: stored_document(row)?,
        active: row.flag("is_active")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
        version: row.get("version")?,
    })
}

/// A list page's statement. LIMIT and OFFSET are numbers in the text, not parameters: SQLite
/// plans with a bound LIMIT's value, so rebinding one made it prepare the statement anew on
/// every list request (about half of a lookup's database time). Both are integers, never text.
fn page_statement(select: &str, from_where: &str, order: &str, count: i64, start: i64) -> String {
    format!(
        "{select} {from_where} {order} LIMIT {count} OFFSET {}",
        start.saturating_sub(1)
    )
}

/// The user as `store` left it (saves reading it back).
fn updated(before: ScimUser, record: UserRecord, ts: i64) -> ScimUser {
    ScimUser {
        doc: record.document,
        active: record.active,
        updated_at: ts,
        version: before.version + 1,
        ..before
    }
}

const SELECT: &str = "SELECT a.account_id, a.scim_doc, a.is_active, a.created_at, a.updated_at, a.version FROM account a";

async fn fetch(conn: &mut Conn<'_>, tenant_id: &TenantId, id: &AccountId) -> Result<ScimUser> {
    let row = sql::query(
        "SELECT a.account_id, a.scim_doc, a.is_active, a.created_at, a.updated_at, a.version FROM account a \
         WHERE a.account_id = $1 AND a.tenant_id = $2 AND a.source = 'scim' AND a.scim_deleted_at IS NULL",
    )
    .bind(id)
    .bind(tenant_id)
    .fetch_optional(conn)
    .await?
    .ok_or(DomainError::NotFound("user"))?;
    to_user(&row)
}

/// The user and its profile columns as stored, for a write that compares with them.
async fn fetch_for_write(
    conn: &mut Conn<'_>,
    tenant_id: &TenantId,
    id: &AccountId,
) -> Result<(ScimUser, accounts::StoredProfile)> {
    let row = sql::query_assembled(format!(
        "SELECT a.account_id, a.scim_doc, a.created_at, a.updated_at, a.version, {} FROM account a \
         WHERE a.account_id = $1 AND a.tenant_id = $2 AND a.source = 'scim' AND a.scim_deleted_at IS NULL",
        accounts::StoredProfile::COLUMNS
    ))
    .bind(id)
    .bind(tenant_id)
    .fetch_optional(conn)
    .await?
    .ok_or(DomainError::NotFound("user"))?;
    Ok((to_user(&row)?, accounts::StoredProfile::from_row(&row)?))
}

impl Derived {
    /// The columns the account writer stores for this user, with its document.
    fn profile(&self) -> accounts::ProvisionedProfile<'_> {
        accounts::ProvisionedProfile {
            username: &self.record.username,
            username_folded: &self.username_folded,
            display_name: &self.record.display_name,
            active: self.record.active,
            provisioned: accounts::Provisioned {
                external_id: self.record.external_id.as_deref(),
                work_email_folded: self.work_email_folded.as_deref(),
                doc_json: &self.json,
                name_words: &self.name_words,
            },
        }
    }
}

/// The INSERT of a new SCIM user.
async fn insert(
    conn: &mut Conn<'_>,
    tenant_id: &TenantId,
    id: &AccountId,
    d: &Derived,
    ts: i64,
) -> std::result::Result<(), sqlx::Error> {
    let p = d.profile();
    accounts::insert(
        conn,
        &accounts::NewAccount {
            id,
            tenant_id,
            username: p.username,
            username_folded: p.username_folded,
            display_name: p.display_name,
            source: AccountSource::Scim,
            is_active: p.active,
            is_admin: false,
            password_hash: None,
            sso_key: None,
            sso_subject: None,
            provisioned: Some(p.provisioned),
            at: ts,
        },
    )
    .await
}

/// Writes a record over an existing user, if its version is still `version`.
async fn store(
    conn: &mut Conn<'_>,
    tenant_id: &TenantId,
    id: &AccountId,
    d: &Derived,
    stored: &accounts::StoredProfile,
    version: i64,
    ts: i64,
) -> Result<bool> {
    accounts::replace_provisioned(conn, tenant_id, id, (&d.profile(), stored), version, ts)
        .await
        .map_err(|e| uniqueness(e, &d.record.username))
}

/// When Entra provisions someone who already signed in with single sign-on (same userName,
/// or externalId equal to the `oid` they signed in with), that account becomes theirs: it
/// turns `SCIM`, keeps its id, memberships and history, and no 409 stops provisioning.
async fn adopt_sso_account(
    conn: &mut Conn<'_>,
    tenant_id: &TenantId,
    d: &Derived,
    ts: i64,
) -> Result<Option<ScimUser>> {
    let found = sql::query(
        "SELECT account_id, created_at, version FROM account WHERE tenant_id = $1 AND source = 'sso' \
         AND (username_folded = $2 OR sso_subject = $3) LIMIT 1",
    )
    .bind(tenant_id)
    .bind(&d.username_folded)
    .bind(&d.record.external_id)
    .fetch_optional(conn)
    .await?;
    let Some(row) = found else { return Ok(None) };
    let id: AccountId = row.get("account_id")?;
    let version: i64 = row.get("version")?;
    accounts::adopt_as_provisioned(conn, tenant_id, &id, &d.profile(), ts)
        .await
        .map_err(|e| uniqueness(e, &d.record.username))?;
    tracing::info!(tenant_id = %tenant_id, account_id = %id, "SCIM adopted an account made at single sign-on");
    Ok(Some(ScimUser {
        id,
        doc: d.record.document.clone(),
        active: d.record.active,
        created_at: row.get("created_at")?,
        updated_at: ts,
        version: version + 1,
    }))
}

impl Backend {
    pub async fn scim_create_user(
        &self,
        tenant_id: &TenantId,
        record: UserRecord,
    ) -> Result<ScimUser> {
        let d = derive(record);
        let id = AccountId::generate();
        let ts = now();
        let mut writer = self.db.writer().await?;
        if let Some(adopted) = adopt_sso_account(&mut writer.conn(), tenant_id, &d, ts).await? {
            writer.commit().await?;
            return Ok(adopted);
        }
        let inserted = insert(&mut writer.conn(), tenant_id, &id, &d, ts).await;
        match inserted {
            Ok(_) => writer.commit().await?,
            Err(e) if UniqueIndex::of(&e) == Some(UniqueIndex::AccountUsername) => {
                // The same userName deleted before: its kept row makes way for the new account.
                drop(writer);
                self.recreate_over_deleted(tenant_id, &id, &d, ts).await?;
            }
            Err(e) => return Err(uniqueness(e, &d.record.username)),
        }
        Ok(ScimUser {
            id,
            active: d.record.active,
            doc: d.record.document,
            created_at: ts,
            updated_at: ts,
            version: 1,
        })
    }

    /// A POST whose userName is held by a user deleted over SCIM: the kept row goes and the new
    /// account is made, in one transaction; any other holder is a 409.
    async fn recreate_over_deleted(
        &self,
        tenant_id: &TenantId,
        id: &AccountId,
        d: &Derived,
        ts: i64,
    ) -> Result<()> {
        let mut tx = self.db.transaction().await?;
        let mut conn = tx.conn();
        // Nothing deleted holds it: the insert fails as a 409, as without this step.
        sql::query(
            "DELETE FROM account WHERE tenant_id = $1 AND username_folded = $2 \
             AND source = 'scim' AND scim_deleted_at IS NOT NULL",
        )
        .bind(tenant_id)
        .bind(&d.username_folded)
        .execute(&mut conn)
        .await?;
        insert(&mut conn, tenant_id, id, d, ts)
            .await
            .map_err(|e| uniqueness(e, &d.record.username))?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn scim_get_user(&self, tenant_id: &TenantId, id: &AccountId) -> Result<ScimUser> {
        let mut reader = self.db.reader().await?;
        fetch(&mut reader.conn(), tenant_id, id).await
    }

    /// PUT: the record replaces every client-writable attribute.
    pub async fn scim_replace_user(
        &self,
        tenant_id: &TenantId,
        id: &AccountId,
        record: UserRecord,
    ) -> Result<ScimUser> {
        let d = derive(record);
        // The body replaces everything, so the write only needs the latest version: retry on a
        // concurrent change (another instance) instead of failing.
        for _ in 0..8 {
            let mut writer = self.db.writer().await?;
            let mut conn = writer.conn();
            let (current, stored) = fetch_for_write(&mut conn, tenant_id, id).await?;
            let ts = now();
            if store(&mut conn, tenant_id, id, &d, &stored, current.version, ts).await? {
                writer.commit().await?;
                return Ok(updated(current, d.record, ts));
            }
        }
        Err(kept_changing())
    }

    /// PATCH: the edit applies to the version read, all of it or nothing. The write is one
    /// conditional UPDATE on that version, so a concurrent change makes it retry on fresh data
    /// instead of losing it. A quick edit (Entra's few operations) reads and writes in one
    /// turn of the writer: its connection's pages are never stale, where a reader's page cache
    /// is dropped after every write and the read went to the file.
    pub async fn scim_patch_user<E>(
        &self,
        tenant_id: &TenantId,
        id: &AccountId,
        edit: &E,
    ) -> Result<ScimUser, E::Error>
    where
        E: UserEdit,
        E::Error: From<DomainError>,
    {
        for _ in 0..8 {
            // A quick edit reads on the writer it will write with; a long one reads on a reader
            // and takes the writer only to write.
            let mut early = if edit.is_quick() {
                Some(self.db.writer().await.map_err(DomainError::from)?)
            } else {
                None
            };
            let (current, stored) = match early.as_mut() {
                Some(writer) => fetch_for_write(&mut writer.conn(), tenant_id, id).await?,
                None => {
                    let mut reader = self.db.reader().await.map_err(DomainError::from)?;
                    fetch_for_write(&mut reader.conn(), tenant_id, id).await?
                }
            };
            let record = edit.apply(&current.doc).await?;
            if record.document == current.doc {
                return Ok(current);
            }
            let d = derive(record);
            let ts = now();
            let mut writer = match early {
                Some(writer) => writer,
                None => self.db.writer().await.map_err(DomainError::from)?,
            };
            let mut conn = writer.conn();
            if store(&mut conn, tenant_id, id, &d, &stored, current.version, ts).await? {
                writer.commit().await.map_err(DomainError::from)?;
                return Ok(updated(current, d.record, ts));
            }
        }
        Err(kept_changing().into())
    }

    /// DELETE: the person was removed in the identity provider. In one transaction the account
    /// is deactivated, its sessions end, its memberships go, and SCIM no longer sees it (404);
    /// the console shows when. The row itself goes after the operator's retention
    /// ([`Backend::purge_deleted_scim_users`]); a later POST of the same userName starts afresh.
    /// `tombstone` turns the stored document into the one kept (not active).
    pub async fn scim_delete_user<E>(
        &self,
        tenant_id: &TenantId,
        id: &AccountId,
        tombstone: &E,
    ) -> Result<(), E::Error>
    where
        E: UserEdit,
        E::Error: From<DomainError>,
    {
        let ts = now();
        let mut tx = self.db.transaction().await.map_err(DomainError::from)?;
        let mut conn = tx.conn();
        let stored = sql::query(
            "SELECT scim_doc FROM account \
             WHERE account_id = $1 AND tenant_id = $2 AND source = 'scim' AND scim_deleted_at IS NULL",
        )
        .bind(id)
        .bind(tenant_id)
        .fetch_optional(&mut conn)
        .await
        .map_err(DomainError::from)?;
        let Some(stored) = stored else {
            return Err(DomainError::NotFound("user").into());
        };
        let stored: String = stored.first().map_err(DomainError::from)?;
        // The kept document says what the account is now.
        let doc = parse_document(&stored);
        let json = Value::Object(tombstone.apply(&doc).await?.document).to_string();
        if !accounts::mark_deleted_in_idp(&mut conn, tenant_id, id, &json, ts).await? {
            return Err(DomainError::NotFound("user").into());
        }
        sql::query("DELETE FROM session WHERE account_id = $1")
            .bind(id)
            .execute(&mut conn)
            .await
            .map_err(DomainError::from)?;
        sql::query(
            "DELETE FROM group_member WHERE account_id = $1 \
             AND group_id IN (SELECT group_id FROM security_group WHERE tenant_id = $2)",
        )
        .bind(id)
        .bind(tenant_id)
        .execute(&mut conn)
        .await
        .map_err(DomainError::from)?;
        tx.commit().await.map_err(DomainError::from)?;
        Ok(())
    }

    /// Removes users deleted over SCIM more than `retention_secs` ago; how many went.
    pub async fn purge_deleted_scim_users(&self, retention_secs: i64) -> Result<u64> {
        let _writer = self.db.lock_writes().await;
        let done = sqlx::query(
            "DELETE FROM account WHERE source = 'scim' AND scim_deleted_at IS NOT NULL AND scim_deleted_at <= $1",
        )
        .bind(now() - retention_secs)
        .execute(&self.db.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// A page of users matching `filter`, and the total count. `start` is 1-based.
    pub async fn scim_list_users(
        &self,
        tenant_id: &TenantId,
        filter: Option<&Condition>,
        start: i64,
        count: i64,
    ) -> Result<(i64, Vec<ScimUser>)> {
        let (rows, total) = self
            .scim_list(
                Records::Users,
                SELECT,
                "a",
                "a.source = 'scim' AND a.scim_deleted_at IS NULL AND ",
                "ORDER BY a.created_at, a.account_id",
                tenant_id,
                filter,
                start,
                count,
            )
            .await?;
        let users = rows.iter().map(to_user).collect::<Result<Vec<_>>>()?;
        Ok((total, users))
    }

    /// Shared list query for users and groups: filter → SQL, a page, and the total
    /// (counted separately only when the page does not already tell it).
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn scim_list(
        &self,
        records: Records,
        select: &str,
        alias: &str,
        scope: &str,
        order: &str,
        tenant_id: &TenantId,
        filter: Option<&Condition>,
        start: i64,
        count: i64,
    ) -> Result<(Vec<Row>, i64)> {
        let mut compiler = Compiler::new(self.db.kind, records, 2);
        let condition = match filter {
            Some(f) => compiler.compile(f),
            None => "(1 = 1)".to_owned(),
        };
        let binds = compiler.binds;
        let from_where = format!("WHERE {scope}{alias}.tenant_id = $1 AND {condition}");
        let mut reader = self.db.reader().await?;
        let mut conn = reader.conn();
        let rows = if count > 0 {
            let mut q =
                sql::query_assembled(page_statement(select, &from_where, order, count, start))
                    .bind(tenant_id);
            for b in &binds {
                q = q.bind_param(b.clone());
            }
            q.fetch_all(&mut conn).await?
        } else {
            Vec::new()
        };
        let page_len = i64::try_from(rows.len()).unwrap_or(i64::MAX);
        let total = if start == 1 && page_len < count {
            page_len
        } else {
            let table = match records {
                Records::Users => "account a",
                Records::Groups => "security_group g",
            };
            let counting = format!("SELECT COUNT(*) FROM {table} {from_where}");
            let mut q = sql::query_assembled(counting).bind(tenant_id);
            for b in &binds {
                q = q.bind_param(b.clone());
            }
            q.fetch_one(&mut conn).await?.first()?
        };
        Ok((rows, total))
    }
}

/// A resource that changed under every retry: 409 for the client to send its request again.
fn kept_changing() -> DomainError {
    DomainError::Conflict {
        field: "version",
        message: "The resource changed while this request was applied; send the request again."
            .into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::sql::lite;
    use crate::backend::sql::Param;
    use rusqlite::StatementStatus;

    /// How often SQLite re-prepared `statement` while it ran three times with other values.
    fn reprepares(statement: &str, params: impl Fn(i64) -> Vec<Param>) -> i32 {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE account (account_id TEXT PRIMARY KEY, tenant_id TEXT, source TEXT, \
             username_folded TEXT, scim_doc TEXT, is_active INTEGER, created_at INTEGER, \
             updated_at INTEGER, version INTEGER, scim_deleted_at INTEGER); \
             CREATE INDEX account_filter_idx ON account (tenant_id, source, is_active, username_folded); \
             CREATE INDEX account_list_idx ON account (tenant_id, source, created_at, account_id);",
        )
        .unwrap();
        for i in 0..3 {
            lite::fetch(&conn, statement, &params(i), usize::MAX).unwrap();
        }
        // Cached under the text `lite` prepares (placeholders numbered `?N`).
        let stmt = conn.prepare_cached(&lite::positional(statement)).unwrap();
        stmt.get_status(StatementStatus::RePrepare)
    }

    #[test]
    fn a_list_page_is_prepared_once() {
        let from_where =
            "WHERE a.source = 'scim' AND a.scim_deleted_at IS NULL AND a.tenant_id = $1 \
                          AND (a.username_folded = $2)";
        let order = "ORDER BY a.created_at, a.account_id";
        let by_name = |i: i64| vec![Param::Text("t".into()), Param::Text(format!("u{i}"))];
        let page = page_statement(SELECT, from_where, order, 100, 1);
        assert!(page.ends_with("LIMIT 100 OFFSET 0"), "{page}");
        assert_eq!(reprepares(&page, by_name), 0);
        // What the numbers in the text avoid: the same page with LIMIT and OFFSET bound.
        let bound = format!("{SELECT} {from_where} {order} LIMIT $3 OFFSET $4");
        let with_limit = |i: i64| {
            let mut p = by_name(i);
            p.extend([Param::Int(100), Param::Int(0)]);
            p
        };
        assert!(reprepares(&bound, with_limit) > 0);
    }
}

//! Accounts, and the one module that writes the `account` table: every INSERT and UPDATE of an
//! account (local, single sign-on, SCIM) is a function here, called inside its caller's
//! transaction, so the columns that must move together (a name and its folded key, a change and
//! its version) are written together in one place. Also the credential lookup for sign-in.

use crate::domain::ids::AccountId;
use crate::domain::ids::TenantId;
use sqlx::{AnyConnection, Row};

use crate::backend::clock::now;
use crate::backend::db::{bit, flag};
use crate::backend::error::{conflict_on_unique, DomainError, Result, UniqueIndex, USERNAME_TAKEN};
use crate::backend::sql::{self, Conn};
use crate::backend::{auth::passwords, Backend};
use crate::domain::account::{fold_username, AccountSource, NewPassword, Username};
use crate::domain::name_words;

/// What sign-in needs to know about an account.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub account_id: AccountId,
    pub password_hash: Option<String>,
    pub is_active: bool,
    pub is_admin: bool,
    pub source: Option<AccountSource>,
}

/// A new account row; the columns a kind of account does not have stay NULL.
pub(crate) struct NewAccount<'a> {
    pub id: &'a AccountId,
    pub tenant_id: &'a TenantId,
    pub username: &'a str,
    pub username_folded: &'a str,
    pub display_name: &'a str,
    pub source: AccountSource,
    pub is_active: bool,
    pub is_admin: bool,
    pub password_hash: Option<&'a str>,
    pub sso_key: Option<&'a str>,
    pub sso_subject: Option<&'a str>,
    pub provisioned: Option<Provisioned<'a>>,
    pub at: i64,
}

/// What SCIM provisioning keeps of a user besides its name: the columns Entra filters on and
/// the document as sent (normalised).
#[derive(Clone, Copy)]
pub(crate) struct Provisioned<'a> {
    pub external_id: Option<&'a str>,
    pub work_email_folded: Option<&'a str>,
    pub doc_json: &'a str,
    /// The search words as the `name_words` column stores them (the database copies them into
    /// `account_word`).
    pub name_words: &'a str,
}

/// A SCIM user's columns as a PUT, PATCH or adoption writes them.
pub(crate) struct ProvisionedProfile<'a> {
    pub username: &'a str,
    pub username_folded: &'a str,
    pub display_name: &'a str,
    pub active: bool,
    pub provisioned: Provisioned<'a>,
}

/// Inserts an account. The raw database error comes back so each caller can say which name
/// was taken in its own words.
pub(crate) async fn insert(
    conn: &mut Conn<'_>,
    a: &NewAccount<'_>,
) -> std::result::Result<(), sqlx::Error> {
    let p = a.provisioned;
    sql::query(
        "INSERT INTO account (account_id, tenant_id, username, username_folded, display_name, \
         display_name_folded, source, is_active, is_admin, password_hash, sso_key, sso_subject, \
         external_id, work_email_folded, scim_doc, created_at, updated_at, version, name_words) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, 1, $17)",
    )
    .bind(a.id)
    .bind(a.tenant_id)
    .bind(a.username)
    .bind(a.username_folded)
    .bind(a.display_name)
    .bind(fold_username(a.display_name))
    .bind(a.source.as_db())
    .bind(bit(a.is_active))
    .bind(bit(a.is_admin))
    .bind(a.password_hash)
    .bind(a.sso_key)
    .bind(a.sso_subject)
    .bind(p.and_then(|p| p.external_id))
    .bind(p.and_then(|p| p.work_email_folded))
    .bind(p.map(|p| p.doc_json))
    .bind(a.at)
    .bind(match p {
        Some(p) => p.name_words.to_owned(),
        None => name_words::column_of_name(a.display_name),
    })
    .execute(conn)
    .await?;
    Ok(())
}

/// Inserts a local account inside the caller's transaction.
pub(crate) async fn insert_local(
    conn: &mut AnyConnection,
    tenant_id: &TenantId,
    username: &Username,
    display_name: &str,
    is_admin: bool,
    password_hash: &str,
) -> Result<AccountId> {
    let id = AccountId::generate();
    let folded = username.folded();
    insert(
        &mut Conn::Any(conn),
        &NewAccount {
            id: &id,
            tenant_id,
            username: username.as_str(),
            username_folded: &folded,
            display_name,
            source: AccountSource::Local,
            is_active: true,
            is_admin,
            password_hash: Some(password_hash),
            sso_key: None,
            sso_subject: None,
            provisioned: None,
            at: now(),
        },
    )
    .await
    .map_err(conflict_on_unique(
        UniqueIndex::AccountUsername,
        "username",
        USERNAME_TAKEN,
    ))?;
    Ok(id)
}

/// The SET list a SCIM write shares: `$1`–`$10` as bound by [`bind_profile`].
const PROFILE_SET: &str =
    "username = $1, username_folded = $2, display_name = $3, display_name_folded = $4, \
     external_id = $5, work_email_folded = $6, is_active = $7, scim_doc = $8, updated_at = $9, \
     name_words = $10, version = version + 1, \
     deactivated_at = CASE WHEN $7 = 1 THEN NULL WHEN is_active = 1 THEN $9 ELSE deactivated_at END";

fn bind_profile(q: sql::Query, p: &ProvisionedProfile<'_>, at: i64) -> sql::Query {
    q.bind(p.username)
        .bind(p.username_folded)
        .bind(p.display_name)
        .bind(fold_username(p.display_name))
        .bind(p.provisioned.external_id)
        .bind(p.provisioned.work_email_folded)
        .bind(bit(p.active))
        .bind(p.provisioned.doc_json)
        .bind(at)
        .bind(p.provisioned.name_words)
}

/// A SCIM user's profile columns as stored: what a PUT or PATCH compares with, so it writes only
/// the columns that change.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StoredProfile {
    pub username: String,
    pub display_name: String,
    pub external_id: Option<String>,
    pub work_email_folded: Option<String>,
    pub active: bool,
    pub name_words: String,
}

impl StoredProfile {
    /// The columns [`StoredProfile::from_row`] reads (of `account a`).
    pub const COLUMNS: &'static str =
        "a.username, a.display_name, a.external_id, a.work_email_folded, a.is_active, a.name_words";

    pub fn from_row(row: &sql::Row) -> std::result::Result<Self, sqlx::Error> {
        Ok(Self {
            username: row.get("username")?,
            display_name: row.get("display_name")?,
            external_id: row.get("external_id")?,
            work_email_folded: row.get("work_email_folded")?,
            active: row.flag("is_active")?,
            name_words: row.get("name_words")?,
        })
    }
}

/// Writes a SCIM user's columns over a live one still at `version`, whose profile columns are
/// `stored`; `false` when it is not (a concurrent change, or gone). Only the columns that
/// change are in the UPDATE: SQLite rewrites the entry of every index on a column in the SET
/// list, changed or not, and each index entry is a page written (a five-attribute PATCH that
/// changed one name wrote five index pages for nothing).
pub(crate) async fn replace_provisioned(
    conn: &mut Conn<'_>,
    tenant_id: &TenantId,
    id: &AccountId,
    (profile, stored): (&ProvisionedProfile<'_>, &StoredProfile),
    version: i64,
    at: i64,
) -> std::result::Result<bool, sqlx::Error> {
    use sql::ToParam;
    let p = &profile.provisioned;
    let mut changes: Vec<(&str, sql::Param)> = Vec::new();
    if profile.username != stored.username {
        changes.push(("username", profile.username.to_param()));
        changes.push(("username_folded", profile.username_folded.to_param()));
    }
    if profile.display_name != stored.display_name {
        changes.push(("display_name", profile.display_name.to_param()));
        let folded = fold_username(profile.display_name);
        changes.push(("display_name_folded", folded.to_param()));
    }
    if p.external_id != stored.external_id.as_deref() {
        changes.push(("external_id", p.external_id.to_param()));
    }
    if p.work_email_folded != stored.work_email_folded.as_deref() {
        changes.push(("work_email_folded", p.work_email_folded.to_param()));
    }
    if profile.active != stored.active {
        changes.push(("is_active", bit(profile.active).to_param()));
        let since = if profile.active { None } else { Some(at) };
        changes.push(("deactivated_at", since.to_param()));
    }
    if p.name_words != stored.name_words {
        changes.push(("name_words", p.name_words.to_param()));
    }
    changes.push(("scim_doc", p.doc_json.to_param()));
    changes.push(("updated_at", at.to_param()));
    let n = changes.len();
    let set: Vec<String> = changes
        .iter()
        .enumerate()
        .map(|(i, (column, _))| format!("{column} = ${}", i + 1))
        .collect();
    let sql = format!(
        "UPDATE account SET {}, version = version + 1 WHERE account_id = ${} AND tenant_id = ${} \
         AND source = 'scim' AND scim_deleted_at IS NULL AND version = ${}",
        set.join(", "),
        n + 1,
        n + 2,
        n + 3
    );
    let mut q = sql::query_assembled(sql);
    for (_, param) in changes {
        q = q.bind_param(param);
    }
    let changed = q
        .bind(id)
        .bind(tenant_id)
        .bind(version)
        .execute(conn)
        .await?;
    Ok(changed == 1)
}

/// An account made at single sign-on becomes the SCIM user Entra now provisions.
pub(crate) async fn adopt_as_provisioned(
    conn: &mut Conn<'_>,
    tenant_id: &TenantId,
    id: &AccountId,
    profile: &ProvisionedProfile<'_>,
    at: i64,
) -> std::result::Result<(), sqlx::Error> {
    let sql = format!(
        "UPDATE account SET source = 'scim', {PROFILE_SET} \
         WHERE account_id = $11 AND tenant_id = $12 AND source = 'sso'"
    );
    bind_profile(sql::query_assembled(sql), profile, at)
        .bind(id)
        .bind(tenant_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// SCIM DELETE: the live SCIM user is deactivated and marked deleted with its last document;
/// `false` when there is no such user.
pub(crate) async fn mark_deleted_in_idp(
    conn: &mut Conn<'_>,
    tenant_id: &TenantId,
    id: &AccountId,
    doc_json: &str,
    at: i64,
) -> Result<bool> {
    let changed = sql::query(
        "UPDATE account SET is_active = 0, scim_deleted_at = $1, updated_at = $1, version = version + 1, \
         scim_doc = $4 \
         WHERE account_id = $2 AND tenant_id = $3 AND source = 'scim' AND scim_deleted_at IS NULL",
    )
    .bind(at)
    .bind(id)
    .bind(tenant_id)
    .bind(doc_json)
    .execute(conn)
    .await?;
    Ok(changed == 1)
}

/// A person renamed at the provider (new UPN or e-mail): an SSO account follows the new name
/// when no other account of the tenant has it.
pub(crate) async fn follow_sso_rename(
    conn: &mut AnyConnection,
    tenant_id: &TenantId,
    id: &AccountId,
    username: &Username,
    at: i64,
) -> std::result::Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE account SET username = $1, username_folded = $2, updated_at = $3 \
         WHERE account_id = $4 AND NOT EXISTS \
         (SELECT 1 FROM account o WHERE o.tenant_id = $5 AND o.username_folded = $2)",
    )
    .bind(username.as_str())
    .bind(username.folded())
    .bind(at)
    .bind(id)
    .bind(tenant_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Links an account to the provider's person (`sso_key`: provider and subject) at first sign-in.
pub(crate) async fn link_sso(
    conn: &mut AnyConnection,
    id: &AccountId,
    sso_key: &str,
    subject: &str,
    at: i64,
) -> std::result::Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE account SET sso_key = $1, sso_subject = $2, updated_at = $3 WHERE account_id = $4",
    )
    .bind(sso_key)
    .bind(subject)
    .bind(at)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A local account as an administrator edits it; the password only when a new one is given.
pub(crate) async fn update_local(
    conn: &mut AnyConnection,
    id: &AccountId,
    username: &Username,
    display_name: &str,
    is_admin: bool,
    password_hash: Option<&str>,
    at: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE account SET username = $1, username_folded = $2, display_name = $3, display_name_folded = $8, \
         is_admin = $4, password_hash = COALESCE($5, password_hash), updated_at = $6, name_words = $9, \
         version = version + 1 WHERE account_id = $7",
    )
    .bind(username.as_str())
    .bind(username.folded())
    .bind(display_name)
    .bind(bit(is_admin))
    .bind(password_hash)
    .bind(at)
    .bind(id)
    .bind(fold_username(display_name))
    .bind(name_words::column_of_name(display_name))
    .execute(&mut *conn)
    .await
    .map_err(conflict_on_unique(UniqueIndex::AccountUsername, "username", USERNAME_TAKEN))?;
    Ok(())
}

/// Deactivates or reactivates an account.
pub(crate) async fn set_active(
    conn: &mut AnyConnection,
    id: &AccountId,
    active: bool,
    at: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE account SET is_active = $1, updated_at = $2, version = version + 1 WHERE account_id = $3",
    )
    .bind(bit(active))
    .bind(at)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Sets a local account's password hash.
pub(crate) async fn set_password_hash(
    conn: &mut AnyConnection,
    id: &AccountId,
    hash: &str,
    at: i64,
) -> Result<()> {
    sqlx::query("UPDATE account SET password_hash = $1, updated_at = $2 WHERE account_id = $3")
        .bind(hash)
        .bind(at)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Whether the one-time pass `key` of `app_meta` already ran at `version`.
async fn pass_done(db: &crate::backend::Db, key: &str, version: &str) -> Result<bool> {
    let done: Option<String> =
        sqlx::query_scalar("SELECT meta_value FROM app_meta WHERE meta_key = $1")
            .bind(key)
            .fetch_optional(&db.pool)
            .await?;
    Ok(done.as_deref() == Some(version))
}

/// Records in the pass's own transaction that `key` ran at `version`.
async fn mark_pass_done(conn: &mut AnyConnection, key: &str, version: &str) -> Result<()> {
    sqlx::query("DELETE FROM app_meta WHERE meta_key = $1")
        .bind(key)
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO app_meta (meta_key, meta_value) VALUES ($1, $2)")
        .bind(key)
        .bind(version)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Which username comparison the stored `username_folded` values follow (`app_meta`).
const FOLDING: &str = "nfkc-casefold-2";

/// Brings every stored `username_folded` to the current [`fold_username`] once (databases made
/// before usernames were compared with NFKC and full case folding). A name that would then clash
/// with another keeps its old key and is logged, so nothing is lost or merged.
pub(crate) async fn refold_usernames(db: &crate::backend::Db) -> Result<()> {
    if pass_done(db, "username_folding", FOLDING).await? {
        return Ok(());
    }
    let mut tx = db.begin_write().await?;
    let rows = sqlx::query("SELECT account_id, username, username_folded FROM account")
        .fetch_all(&mut *tx)
        .await?;
    for r in rows {
        let username: String = r.try_get("username")?;
        let stored: String = r.try_get("username_folded")?;
        let folded = fold_username(&username);
        if folded == stored {
            continue;
        }
        let id: String = r.try_get("account_id")?;
        let clash = sqlx::query(
            "UPDATE account SET username_folded = $1 WHERE account_id = $2 AND NOT EXISTS \
             (SELECT 1 FROM account o WHERE o.tenant_id = account.tenant_id AND o.username_folded = $1)",
        )
        .bind(&folded)
        .bind(&id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 0;
        if clash {
            tracing::warn!(account_id = %id, "username folds like another account's; kept as it was");
        }
    }
    // Display names and group and tenant names were once folded with SQL `lower()` (ASCII only
    // on SQLite): folded again with the one folding function.
    for (table, id_col, text_col, folded_col) in [
        (
            "account",
            "account_id",
            "display_name",
            "display_name_folded",
        ),
        (
            "security_group",
            "group_id",
            "display_name",
            "display_name_folded",
        ),
        ("tenant", "tenant_id", "name", "name_folded"),
    ] {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {id_col} AS id, {text_col} AS text, {folded_col} AS folded FROM {table}"
        )))
        .fetch_all(&mut *tx)
        .await?;
        for r in rows {
            let text: String = r.try_get("text")?;
            let stored: String = r.try_get("folded")?;
            let folded = fold_username(text.trim());
            if folded == stored {
                continue;
            }
            let id: String = r.try_get("id")?;
            let updated = sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE {table} SET {folded_col} = $1 WHERE {id_col} = $2"
            )))
            .bind(&folded)
            .bind(&id)
            .execute(&mut *tx)
            .await;
            if let Err(e) = updated {
                if !crate::backend::error::is_unique_violation(&e) {
                    return Err(e.into());
                }
                tracing::warn!(table, id = %id, "a name folds like another one's; kept as it was");
            }
        }
    }
    mark_pass_done(&mut tx, "username_folding", FOLDING).await?;
    tx.commit().await?;
    Ok(())
}

/// Which [`name_words`] the stored `name_words` columns follow (`app_meta`).
const NAME_WORDS: &str = "1";

/// Fills `name_words` once for accounts made before the Users search found people by any word
/// of their name (the database copies the words into `account_word`). One transaction: a
/// crash leaves it to the next start.
pub(crate) async fn fill_name_words(db: &crate::backend::Db) -> Result<()> {
    if pass_done(db, "name_words", NAME_WORDS).await? {
        return Ok(());
    }
    let mut tx = db.begin_write().await?;
    // In batches by id, so a large directory's documents are never all in memory at once.
    let mut after = String::new();
    loop {
        let rows = sqlx::query(
            "SELECT account_id, display_name, scim_doc FROM account WHERE account_id > $1 \
             ORDER BY account_id LIMIT 1000",
        )
        .bind(&after)
        .fetch_all(&mut *tx)
        .await?;
        let Some(last) = rows.last() else { break };
        after = last.try_get("account_id")?;
        for r in &rows {
            let display_name: String = r.try_get("display_name")?;
            let doc: Option<String> = r.try_get("scim_doc")?;
            let doc = doc
                .and_then(|d| serde_json::from_str(&d).ok())
                .unwrap_or_default();
            let words = name_words::of_document(&display_name, &doc);
            if words.is_empty() {
                continue;
            }
            let id: String = r.try_get("account_id")?;
            sqlx::query("UPDATE account SET name_words = $1 WHERE account_id = $2")
                .bind(name_words::to_column(&words))
                .bind(&id)
                .execute(&mut *tx)
                .await?;
        }
    }
    mark_pass_done(&mut tx, "name_words", NAME_WORDS).await?;
    tx.commit().await?;
    Ok(())
}

impl Backend {
    pub(crate) async fn find_credentials(
        &self,
        tenant_id: &TenantId,
        username: &Username,
    ) -> Result<Option<Credentials>> {
        let row = sqlx::query(
            "SELECT account_id, password_hash, is_active, is_admin, source FROM account \
             WHERE tenant_id = $1 AND username_folded = $2",
        )
        .bind(tenant_id)
        .bind(username.folded())
        .fetch_optional(&self.db.pool)
        .await?;
        row.map(|r| {
            Ok(Credentials {
                account_id: r.try_get("account_id")?,
                password_hash: r.try_get("password_hash")?,
                is_active: flag(&r, "is_active")?,
                is_admin: flag(&r, "is_admin")?,
                source: AccountSource::from_db(&r.try_get::<String, _>("source")?),
            })
        })
        .transpose()
    }

    /// Sets a local account's password (break-glass CLI). Ends the account's sessions and
    /// clears its sign-in throttle, so the new password works at once.
    pub async fn reset_password(
        &self,
        tenant_id: &TenantId,
        username: &str,
        password: &NewPassword,
    ) -> Result<()> {
        let username = Username::parse(username)?;
        let hash = passwords::hash(password.expose()).await?;
        let mut tx = self.db.begin_write().await?;
        let row = sqlx::query(
            "SELECT account_id, source FROM account WHERE tenant_id = $1 AND username_folded = $2",
        )
        .bind(tenant_id)
        .bind(username.folded())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(DomainError::NotFound("account"))?;
        let account_id: AccountId = row.try_get("account_id")?;
        let source: String = row.try_get("source")?;
        if AccountSource::from_db(&source) != Some(AccountSource::Local) {
            return Err(DomainError::invalid("username", "this account signs in through the identity provider (SCIM or single sign-on) and has no local password"));
        }
        set_password_hash(&mut tx, &account_id, &hash, now()).await?;
        sqlx::query("DELETE FROM session WHERE account_id = $1")
            .bind(&account_id)
            .execute(&mut *tx)
            .await?;
        // The username's own counter and its per-address ones (`{key}@{address}`).
        sqlx::query(
            "DELETE FROM login_throttle WHERE throttle_key = $1 \
             OR substr(throttle_key, 1, length($1) + 1) = $1 || '@'",
        )
        .bind(crate::backend::auth::sign_in::username_key(
            tenant_id, &username,
        ))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        tracing::info!(account_id = %account_id, "password reset");
        Ok(())
    }
}

//! Accounts: local administrators for now; SCIM-provisioned people join them later.

use sqlx::{AnyConnection, Row};

use crate::backend::clock::now;
use crate::backend::db::{bit, flag};
use crate::backend::error::{conflict_on_unique, DomainError, Result, USERNAME_TAKEN};
use crate::backend::{auth::passwords, Backend};
use crate::domain::account::{fold_username, AccountSource, NewPassword, Username};

/// What sign-in needs to know about an account.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub account_id: String,
    pub password_hash: Option<String>,
    pub is_active: bool,
    pub is_admin: bool,
    pub source: Option<AccountSource>,
}

/// Inserts a local account inside the caller's transaction.
pub(crate) async fn insert_local(
    conn: &mut AnyConnection,
    tenant_id: &str,
    username: &Username,
    display_name: &str,
    is_admin: bool,
    password_hash: &str,
) -> Result<String> {
    let id = uuid::Uuid::new_v4().to_string();
    let ts = now();
    sqlx::query(
        "INSERT INTO account (account_id, tenant_id, username, username_folded, display_name, \
         display_name_folded, source, is_active, is_admin, password_hash, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $12, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&id)
    .bind(tenant_id)
    .bind(username.as_str())
    .bind(username.folded())
    .bind(display_name)
    .bind(AccountSource::Local.as_db())
    .bind(bit(true))
    .bind(bit(is_admin))
    .bind(password_hash)
    .bind(ts)
    .bind(ts)
    .bind(fold_username(display_name))
    .execute(&mut *conn)
    .await
    .map_err(conflict_on_unique("username", USERNAME_TAKEN))?;
    Ok(id)
}

/// Which username comparison the stored `username_folded` values follow (`app_meta`).
const FOLDING: &str = "nfkc-casefold-2";

/// Brings every stored `username_folded` to the current [`fold_username`] once (databases made
/// before usernames were compared with NFKC and full case folding). A name that would then clash
/// with another keeps its old key and is logged, so nothing is lost or merged.
pub(crate) async fn refold_usernames(db: &crate::backend::Db) -> Result<()> {
    let done: Option<String> =
        sqlx::query_scalar("SELECT meta_value FROM app_meta WHERE meta_key = 'username_folding'")
            .fetch_optional(&db.pool)
            .await?;
    if done.as_deref() == Some(FOLDING) {
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
    sqlx::query("DELETE FROM app_meta WHERE meta_key = 'username_folding'")
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO app_meta (meta_key, meta_value) VALUES ('username_folding', $1)")
        .bind(FOLDING)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

impl Backend {
    pub(crate) async fn find_credentials(
        &self,
        tenant_id: &str,
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
        tenant_id: &str,
        username: &str,
        password: &NewPassword,
    ) -> Result<()> {
        let username = Username::parse(username).map_err(DomainError::from_app)?;
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
        let account_id: String = row.try_get("account_id")?;
        let source: String = row.try_get("source")?;
        if AccountSource::from_db(&source) != Some(AccountSource::Local) {
            return Err(DomainError::Invalid {
                field: "username",
                message: "this account signs in through the identity provider (SCIM or single sign-on) and has no local password".into(),
            });
        }
        sqlx::query("UPDATE account SET password_hash = $1, updated_at = $2 WHERE account_id = $3")
            .bind(&hash)
            .bind(now())
            .bind(&account_id)
            .execute(&mut *tx)
            .await?;
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

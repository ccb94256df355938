//! Local accounts as administrators manage them in the console: create with a password, edit,
//! deactivate, reactivate, delete. Accounts provisioned over SCIM are owned by the identity
//! provider: every change to them is refused here, whatever the caller.

use crate::domain::ids::AccountId;
use sqlx::{AnyConnection, Row};

use crate::backend::auth::accounts::{self, insert_local};
use crate::backend::auth::sessions::SessionInfo;
use crate::backend::clock::now;
use crate::backend::db::flag;
use crate::backend::error::{DomainError, Result};
use crate::backend::{auth::passwords, Backend};
use crate::domain::account::AccountSource;
use crate::domain::directory::LocalUserForm;

/// The message of every refused change to a SCIM account.
pub const SCIM_READ_ONLY: &str = "Managed by SCIM — change it in your identity provider.";

/// The message of a refused password or Administrator flag on an SSO account.
pub const SSO_NO_PASSWORD: &str =
    "This account signs in with single sign-on: it cannot have a local password or be an Administrator, and its name comes from the identity provider.";

/// An account about to be changed from the console.
struct Target {
    source: AccountSource,
    is_admin: bool,
}

/// Loads the account for a change, refusing SCIM accounts and accounts of other tenants, and
/// changes of an Administrator by someone who is not one.
async fn changeable_account(
    conn: &mut AnyConnection,
    caller: &SessionInfo,
    id: &AccountId,
) -> Result<Target> {
    let row = sqlx::query(
        "SELECT source, is_admin FROM account WHERE tenant_id = $1 AND account_id = $2",
    )
    .bind(&caller.tenant_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(DomainError::NotFound("user"))?;
    let source = AccountSource::from_db(&row.try_get::<String, _>("source")?);
    let target = Target {
        source: source.unwrap_or(AccountSource::Scim),
        is_admin: flag(&row, "is_admin")?,
    };
    if target.source == AccountSource::Scim {
        return Err(DomainError::Refused(SCIM_READ_ONLY.into()));
    }
    if target.is_admin && !caller.is_admin() {
        return Err(DomainError::Denied(
            "You don't have permission to change an Administrator: only an Administrator can."
                .into(),
        ));
    }
    Ok(target)
}

/// Granting Administrator is a break-glass right no Security Topic gives.
fn may_grant_admin(caller: &SessionInfo) -> Result<()> {
    if caller.is_admin() {
        Ok(())
    } else {
        Err(DomainError::Denied(
            "You don't have permission to grant or remove Administrator: only an Administrator can.".into(),
        ))
    }
}

impl Backend {
    pub async fn create_local_user(
        &self,
        caller: &SessionInfo,
        form: &LocalUserForm,
    ) -> Result<AccountId> {
        let tenant_id = &caller.tenant_id;
        let (username, password) = form.validate(true)?;
        if form.is_admin {
            may_grant_admin(caller)?;
        }
        let password = password.ok_or_else(|| DomainError::Internal("validated".into()))?;
        let hash = passwords::hash(password.expose()).await?;
        let mut tx = self.db.begin_write().await?;
        let id = insert_local(
            &mut tx,
            tenant_id,
            &username,
            form.display_name.trim(),
            form.is_admin,
            &hash,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(tenant_id = %tenant_id, account_id = %id, "local user created");
        Ok(id)
    }

    /// Edits a local account; a new password ends its sessions.
    pub async fn update_local_user(
        &self,
        session: &SessionInfo,
        id: &AccountId,
        form: &LocalUserForm,
    ) -> Result<()> {
        let (username, password) = form.validate(false)?;
        let hash = match password {
            Some(p) => Some(passwords::hash(p.expose()).await?),
            None => None,
        };
        let mut tx = self.db.begin_write().await?;
        let target = changeable_account(&mut tx, session, id).await?;
        if target.source == AccountSource::Sso {
            return Err(DomainError::Refused(SSO_NO_PASSWORD.into()));
        }
        if form.is_admin != target.is_admin {
            if *id == session.account_id {
                return Err(DomainError::invalid(
                    "is_admin",
                    "You cannot change your own Administrator rights.",
                ));
            }
            may_grant_admin(session)?;
        }
        accounts::update_local(
            &mut tx,
            id,
            &username,
            form.display_name.trim(),
            form.is_admin,
            hash.as_deref(),
            now(),
        )
        .await?;
        if hash.is_some() {
            sqlx::query("DELETE FROM session WHERE account_id = $1 AND session_hash <> $2")
                .bind(id)
                .bind(&session.session_hash)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Deactivates (ending its sessions) or reactivates a local account.
    pub async fn set_local_user_active(
        &self,
        session: &SessionInfo,
        id: &AccountId,
        active: bool,
    ) -> Result<()> {
        if *id == session.account_id {
            return Err(DomainError::Refused(
                "You cannot deactivate your own account.".into(),
            ));
        }
        let mut tx = self.db.begin_write().await?;
        changeable_account(&mut tx, session, id).await?;
        accounts::set_active(&mut tx, id, active, now()).await?;
        if !active {
            sqlx::query("DELETE FROM session WHERE account_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Deletes a local account with its sessions and group memberships.
    pub async fn delete_local_user(&self, session: &SessionInfo, id: &AccountId) -> Result<()> {
        if *id == session.account_id {
            return Err(DomainError::Refused(
                "You cannot delete your own account.".into(),
            ));
        }
        let mut tx = self.db.begin_write().await?;
        changeable_account(&mut tx, session, id).await?;
        sqlx::query("DELETE FROM group_member WHERE account_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let gone = sqlx::query("DELETE FROM account WHERE account_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        if gone.rows_affected() == 1 {
            tracing::info!(account_id = %id, "local user deleted");
        }
        Ok(())
    }
}

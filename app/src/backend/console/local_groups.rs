//! Local security groups as administrators manage them in the console: create, add and remove
//! members, delete. Groups provisioned over SCIM belong to the identity provider: every change to
//! them here is refused.

use crate::domain::ids::AccountId;
use crate::domain::ids::GroupId;
use crate::domain::ids::TenantId;
use serde_json::json;
use sqlx::AnyConnection;

use crate::backend::access::security_topics::check_group_grants_within;
use crate::backend::auth::sessions::SessionInfo;
use crate::backend::clock::now;
use crate::backend::console::local_users::SCIM_READ_ONLY;
use crate::backend::error::{conflict_on_unique, DomainError, Result, UniqueIndex};
use crate::backend::Backend;
use crate::domain::account::{fold_username, AccountSource, Username};

/// A group of the tenant that may be changed here.
async fn local_group(
    conn: &mut AnyConnection,
    tenant_id: &TenantId,
    group_id: &GroupId,
) -> Result<()> {
    let source: String = sqlx::query_scalar(
        "SELECT source FROM security_group WHERE tenant_id = $1 AND group_id = $2",
    )
    .bind(tenant_id)
    .bind(group_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(DomainError::NotFound("group"))?;
    if AccountSource::from_db(&source) != Some(AccountSource::Local) {
        return Err(DomainError::Refused(SCIM_READ_ONLY.into()));
    }
    Ok(())
}

async fn touch(conn: &mut AnyConnection, group_id: &GroupId) -> Result<()> {
    sqlx::query(
        "UPDATE security_group SET updated_at = $1, version = version + 1 WHERE group_id = $2",
    )
    .bind(now())
    .bind(group_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl Backend {
    /// Creates a local group; returns its id.
    pub async fn create_local_group(&self, caller: &SessionInfo, name: &str) -> Result<String> {
        let tenant_id = &caller.tenant_id;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 256 {
            return Err(DomainError::invalid(
                "name",
                "Enter a group name of at most 256 characters.",
            ));
        }
        let id = uuid::Uuid::new_v4().to_string();
        let ts = now();
        let mut tx = self.db.begin_write().await?;
        sqlx::query(
            "INSERT INTO security_group (group_id, tenant_id, display_name, display_name_folded, external_id, source, \
             scim_doc, created_at, updated_at, version) VALUES ($1, $2, $3, $4, NULL, $5, $6, $7, $7, 1)",
        )
        .bind(&id)
        .bind(tenant_id)
        .bind(name)
        .bind(crate::domain::account::fold_username(name))
        .bind(AccountSource::Local.as_db())
        .bind(json!({ "displayName": name }).to_string())
        .bind(ts)
        .execute(&mut *tx)
        .await
        .map_err(conflict_on_unique(
            UniqueIndex::GroupName,
            "name",
            "A group with this name already exists.",
        ))?;
        tx.commit().await?;
        Ok(id)
    }

    /// Adds the tenant's user `username` to a local group (already a member: nothing changes).
    /// Refused when the group's topics grant more than the caller holds.
    pub async fn add_local_group_member(
        &self,
        caller: &SessionInfo,
        group_id: &GroupId,
        username: &str,
    ) -> Result<()> {
        let tenant_id = &caller.tenant_id;
        let username = Username::parse(username)?;
        let mut tx = self.db.begin_write().await?;
        local_group(&mut tx, tenant_id, group_id).await?;
        check_group_grants_within(&mut tx, caller, group_id).await?;
        let account: String = sqlx::query_scalar(
            "SELECT account_id FROM account WHERE tenant_id = $1 AND username_folded = $2",
        )
        .bind(tenant_id)
        .bind(fold_username(username.as_str()))
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| {
            DomainError::invalid(
                "username",
                "There is no user with this username in this tenant.",
            )
        })?;
        let added = sqlx::query(
            "INSERT INTO group_member (group_id, account_id) SELECT $1, $2 \
             WHERE NOT EXISTS (SELECT 1 FROM group_member WHERE group_id = $1 AND account_id = $2)",
        )
        .bind(group_id)
        .bind(&account)
        .execute(&mut *tx)
        .await?;
        if added.rows_affected() > 0 {
            touch(&mut tx, group_id).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn remove_local_group_member(
        &self,
        caller: &SessionInfo,
        group_id: &GroupId,
        account_id: &AccountId,
    ) -> Result<()> {
        let tenant_id = &caller.tenant_id;
        let mut tx = self.db.begin_write().await?;
        local_group(&mut tx, tenant_id, group_id).await?;
        let removed =
            sqlx::query("DELETE FROM group_member WHERE group_id = $1 AND account_id = $2")
                .bind(group_id)
                .bind(account_id)
                .execute(&mut *tx)
                .await?;
        if removed.rows_affected() > 0 {
            touch(&mut tx, group_id).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn delete_local_group(&self, caller: &SessionInfo, group_id: &GroupId) -> Result<()> {
        let tenant_id = &caller.tenant_id;
        let mut tx = self.db.begin_write().await?;
        local_group(&mut tx, tenant_id, group_id).await?;
        sqlx::query("DELETE FROM group_member WHERE group_id = $1")
            .bind(group_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM group_topic WHERE group_id = $1")
            .bind(group_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM security_group WHERE group_id = $1")
            .bind(group_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

//! Tenants: creating, listing and looking them up, and who may see which.

use crate::domain::ids::TenantId;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::backend::auth::sessions::SessionInfo;
use crate::backend::clock::now;
use crate::backend::db::{bit, flag};
use crate::backend::error::{DomainError, Result, UniqueIndex};
use crate::backend::Backend;
use crate::domain::tenant::{scim_tenant_url, Tenant, TenantName, TenantRef};

/// The name of the tenant made at first start.
pub const DEFAULT_TENANT_NAME: &str = "Default";

/// `SELECT <tenant columns> FROM tenant <rest>` as one static string (SQL stays auditable).
macro_rules! select_tenant {
    ($rest:literal) => {
        concat!(
            "SELECT tenant_id, name, is_default, created_at FROM tenant ",
            $rest
        )
    };
}

fn to_tenant(public_url: &str, row: &AnyRow) -> Result<Tenant> {
    let id: TenantId = row.try_get("tenant_id")?;
    Ok(Tenant {
        scim_url: scim_tenant_url(public_url, id.as_str()),
        id,
        name: row.try_get("name")?,
        is_default: flag(row, "is_default")?,
        created_at: row.try_get("created_at")?,
    })
}

/// Inserts a tenant inside the caller's transaction. A taken name is a `Conflict`.
pub(crate) async fn insert(
    conn: &mut AnyConnection,
    name: &TenantName,
    is_default: bool,
) -> Result<TenantId> {
    let id = TenantId::new(uuid::Uuid::new_v4().to_string());
    sqlx::query(
        "INSERT INTO tenant (tenant_id, name, name_folded, is_default, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&id)
    .bind(name.as_str())
    .bind(crate::domain::account::fold_username(name.as_str()))
    .bind(bit(is_default))
    .bind(now())
    .execute(&mut *conn)
    .await
    .map_err(|e| {
        if UniqueIndex::of(&e) == Some(UniqueIndex::TenantName) {
            DomainError::Conflict {
                field: "name",
                message: format!(
                    "A tenant named \u{201c}{}\u{201d} already exists.",
                    name.as_str()
                ),
            }
        } else {
            e.into()
        }
    })?;
    Ok(id)
}

impl Backend {
    /// Creates a tenant (CLI and console). Only operators may do it from the console;
    /// the CLI is trusted as it runs on the server.
    pub async fn create_tenant(&self, name: &str) -> Result<Tenant> {
        let name = TenantName::parse(name)?;
        let mut tx = self.db.begin_write().await?;
        let id = insert(&mut tx, &name, false).await?;
        tx.commit().await?;
        tracing::info!(tenant_id = %id, "tenant created");
        self.get_tenant(&id).await
    }

    pub async fn create_tenant_as(&self, session: &SessionInfo, name: &str) -> Result<Tenant> {
        if !session.is_operator {
            return Err(DomainError::Forbidden);
        }
        self.create_tenant(name).await
    }

    pub async fn get_tenant(&self, tenant_id: &TenantId) -> Result<Tenant> {
        let row = sqlx::query(select_tenant!("WHERE tenant_id = $1"))
            .bind(tenant_id)
            .fetch_optional(&self.db.pool)
            .await?
            .ok_or(DomainError::NotFound("tenant"))?;
        to_tenant(self.public_url(), &row)
    }

    /// The tenant made at first start.
    pub async fn default_tenant(&self) -> Result<Tenant> {
        let row = sqlx::query(select_tenant!("WHERE is_default = $1"))
            .bind(bit(true))
            .fetch_optional(&self.db.pool)
            .await?
            .ok_or(DomainError::NotFound("tenant"))?;
        to_tenant(self.public_url(), &row)
    }

    /// Every tenant, the default first, then by name.
    pub async fn list_tenants(&self) -> Result<Vec<Tenant>> {
        let rows = sqlx::query(select_tenant!(
            "ORDER BY is_default DESC, name_folded, tenant_id"
        ))
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter()
            .map(|r| to_tenant(self.public_url(), r))
            .collect()
    }

    /// The tenants this session may work in: all for operators, else its own.
    pub async fn tenants_visible_to(&self, session: &SessionInfo) -> Result<Vec<Tenant>> {
        let all = self.list_tenants().await?;
        Ok(all
            .into_iter()
            .filter(|t| session.may_access(&t.id))
            .collect())
    }

    pub async fn tenant_refs_visible_to(&self, session: &SessionInfo) -> Result<Vec<TenantRef>> {
        Ok(self
            .tenants_visible_to(session)
            .await?
            .into_iter()
            .map(|t| TenantRef {
                id: t.id,
                name: t.name,
            })
            .collect())
    }
}

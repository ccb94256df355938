//! The Tenants page's server functions.

use leptos::prelude::*;

use crate::domain::error::AppError;
use crate::domain::tenant::Tenant;

/// Tenants the signed-in person may see, each with its Tenant ID and SCIM Tenant URL.
#[server(endpoint = "tenants")]
pub async fn list_tenants() -> Result<Vec<Tenant>, AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::Provisioning).await?;
    backend.tenants_visible_to(&session).await.map_err(fail)
}

/// Creates a tenant (operators only).
#[server(endpoint = "create_tenant")]
pub async fn create_tenant(name: String) -> Result<Tenant, AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Access;
    let (backend, session) = require(Access::Operator).await?;
    backend
        .create_tenant_as(&session, &name)
        .await
        .map_err(fail)
}

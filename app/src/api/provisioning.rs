//! Provisioning tokens and activity for the current tenant (Tenants page).

use leptos::prelude::*;

use crate::domain::error::AppError;
use crate::domain::provisioning::{ActivityPage, NewToken, ProvisioningSummary, TokenInfo};

/// The current tenant's provisioning tokens.
#[server(endpoint = "provisioning_tokens")]
pub async fn list_provisioning_tokens() -> Result<Vec<TokenInfo>, AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::Provisioning).await?;
    backend
        .list_provisioning_tokens(&session.tenant_id)
        .await
        .map_err(fail)
}

/// Generates a provisioning token for the current tenant. `expires_days` empty = never.
#[server(endpoint = "create_provisioning_token")]
pub async fn create_provisioning_token(
    description: String,
    expires_days: String,
) -> Result<NewToken, AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::Provisioning).await?;
    let days = match expires_days.trim() {
        "" => None,
        d => Some(d.parse::<i64>().map_err(|_| {
            fail(AppError::invalid(
                "expires_days",
                "Enter a number of days, or leave it empty.",
            ))
        })?),
    };
    backend
        .create_provisioning_token(&session.tenant_id, &description, days)
        .await
        .map_err(fail)
}

#[server(endpoint = "revoke_provisioning_token")]
pub async fn revoke_provisioning_token(token_id: String) -> Result<(), AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::Provisioning).await?;
    backend
        .revoke_provisioning_token(&session.tenant_id, &token_id)
        .await
        .map_err(fail)
}

/// A page of the current tenant's Provisioning log (newest first), only failures when asked.
#[server(endpoint = "provisioning_activity")]
pub async fn list_provisioning_activity(
    failures_only: bool,
    page: i64,
) -> Result<ActivityPage, AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::Provisioning).await?;
    backend
        .activity_page(&session.tenant_id, failures_only, None, page)
        .await
        .map_err(fail)
}

/// The Provisioning log's requests that touched one user or group of the current tenant.
#[server(endpoint = "provisioning_history")]
pub async fn provisioning_history(
    resource_id: String,
    page: i64,
) -> Result<ActivityPage, AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::Provisioning).await?;
    backend
        .activity_page(&session.tenant_id, false, Some(&resource_id), page)
        .await
        .map_err(fail)
}

/// When Entra last called this tenant, and how many users and groups it has provisioned.
#[server(endpoint = "provisioning_summary")]
pub async fn get_provisioning_summary() -> Result<ProvisioningSummary, AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::Provisioning).await?;
    backend
        .provisioning_summary(&session.tenant_id)
        .await
        .map_err(fail)
}

/// Whether Entra's provisioning of the current tenant is working, and why not.
#[server(endpoint = "provisioning_health")]
pub async fn get_provisioning_health(
) -> Result<crate::domain::provisioning_health::ProvisioningHealth, AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::Provisioning).await?;
    backend
        .provisioning_health(&session.tenant_id)
        .await
        .map_err(fail)
}

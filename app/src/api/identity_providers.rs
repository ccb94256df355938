//! The Identity Providers pages' server functions (the current tenant's IdPs).

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::domain::error::AppError;
use crate::domain::idp::{IdpAuditEntry, IdpForm, IdpView};

#[server(endpoint = "identity_providers")]
pub async fn list_identity_providers() -> Result<Vec<IdpView>, AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::IdentityProviders).await?;
    backend
        .list_identity_providers(&session.tenant_id)
        .await
        .map_err(fail)
}

/// One IdP as stored (without its secret), with its last test's identity binding.
#[server(endpoint = "identity_provider")]
pub async fn get_identity_provider(id: String) -> Result<IdpView, AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::IdentityProviders).await?;
    backend
        .identity_provider_page(
            &session.tenant_id,
            &crate::domain::ids::IdpId::from(id.as_str()),
        )
        .await
        .map_err(fail)
}

/// An IdP's audit trail: who saved, activated, deactivated or deleted it, and what changed.
#[server(endpoint = "identity_provider_audit")]
pub async fn get_identity_provider_audit(id: String) -> Result<Vec<IdpAuditEntry>, AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::Audit).await?;
    backend
        .identity_provider_audit(
            &session.tenant_id,
            &crate::domain::ids::IdpId::from(id.as_str()),
        )
        .await
        .map_err(fail)
}

/// Saves a new (`id` None) or existing IdP; returns it as stored (without the secret).
#[server(endpoint = "save_identity_provider", input = Json)]
pub async fn save_identity_provider(
    id: Option<String>,
    form: IdpForm,
) -> Result<IdpView, AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::IdentityProviders).await?;
    backend
        .save_identity_provider(
            &session.tenant_id,
            &session.username,
            id.map(crate::domain::ids::IdpId::from).as_ref(),
            &form,
        )
        .await
        .map_err(fail)
}

#[server(endpoint = "activate_identity_provider")]
pub async fn activate_identity_provider(id: String) -> Result<(), AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::IdentityProviders).await?;
    backend
        .activate_identity_provider(
            &session.tenant_id,
            &session.username,
            &crate::domain::ids::IdpId::from(id.as_str()),
        )
        .await
        .map_err(fail)
}

#[server(endpoint = "deactivate_identity_provider")]
pub async fn deactivate_identity_provider(id: String) -> Result<(), AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::IdentityProviders).await?;
    backend
        .deactivate_identity_provider(
            &session.tenant_id,
            &session.username,
            Some(&crate::domain::ids::IdpId::from(id.as_str())),
        )
        .await
        .map_err(fail)?;
    Ok(())
}

#[server(endpoint = "delete_identity_provider")]
pub async fn delete_identity_provider(id: String) -> Result<(), AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::IdentityProviders).await?;
    backend
        .delete_identity_provider(
            &session.tenant_id,
            &session.username,
            &crate::domain::ids::IdpId::from(id.as_str()),
        )
        .await
        .map_err(fail)
}

/// The Redirect URL to register in Entra: `{PUBLIC_URL}/oauth`.
#[server(endpoint = "redirect_url")]
pub async fn get_redirect_url() -> Result<String, AppError> {
    use super::guard::require;
    use crate::domain::permission::Permission;
    let (backend, _) = require(Permission::IdentityProviders).await?;
    Ok(format!("{}/oauth", backend.public_url()))
}

/// Reads endpoints from an issuer or discovery URL ("Import from discovery").
#[server(endpoint = "import_discovery")]
pub async fn import_discovery(url: String) -> Result<crate::domain::idp::Discovered, AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, _) = require(Permission::IdentityProviders).await?;
    backend.import_discovery(&url).await.map_err(fail)
}

/// "Check configuration" on the form's values; remembered on the IdP when it is saved.
#[server(endpoint = "check_identity_provider", input = Json)]
pub async fn check_identity_provider(
    id: Option<String>,
    form: IdpForm,
) -> Result<Vec<crate::domain::idp::CheckItem>, AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::IdentityProviders).await?;
    backend
        .check_identity_provider(&session.tenant_id, id.as_deref(), &form)
        .await
        .map_err(fail)
}

//! The Connect Microsoft Entra ID assistant's server functions (the current tenant).

use leptos::prelude::*;

use crate::domain::entra_setup::{EntraSetup, StepStatus, StepThree};
use crate::domain::error::AppError;

/// The assistant's three steps and checks, for either admin its steps need.
#[server(endpoint = "entra_setup")]
pub async fn get_entra_setup() -> Result<EntraSetup, AppError> {
    use super::guard::{fail, require};
    let (backend, session) = require(crate::domain::permission::CONNECT_ENTRA).await?;
    backend.entra_setup(&session.tenant_id).await.map_err(fail)
}

/// The three steps' statuses (the home page's call to action while they are not all done).
#[server(endpoint = "entra_setup_steps")]
pub async fn get_entra_setup_steps() -> Result<Vec<StepStatus>, AppError> {
    use super::guard::{fail, require};
    let (backend, session) = require(crate::domain::permission::CONNECT_ENTRA).await?;
    Ok(backend
        .entra_setup_steps(&session.tenant_id)
        .await
        .map_err(fail)?
        .to_vec())
}

/// Step 3's live progress (polled while the page waits for Entra).
#[server(endpoint = "entra_setup_progress")]
pub async fn get_provisioning_progress() -> Result<StepThree, AppError> {
    use super::guard::{fail, require};
    let (backend, session) = require(crate::domain::permission::CONNECT_ENTRA).await?;
    backend
        .provisioning_progress(&session.tenant_id)
        .await
        .map_err(fail)
}

/// Step 1's "Client secret expires" (the date chosen in Entra); empty forgets it.
#[server(endpoint = "set_client_secret_expires")]
pub async fn set_client_secret_expires(secret_expires: String) -> Result<(), AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Permission;
    let (backend, session) = require(Permission::IdentityProviders).await?;
    backend
        .set_client_secret_expires(&session.tenant_id, &secret_expires)
        .await
        .map_err(fail)
}

/// Client secret and provisioning token expiry reminders due in the current tenant, each for the
/// admins who can act on it.
#[server(endpoint = "expiry_notices")]
pub async fn get_expiry_notices() -> Result<Vec<crate::domain::expiry::ExpiryNotice>, AppError> {
    use super::guard::{fail, require};
    let (backend, session) = require(crate::domain::permission::CONNECT_ENTRA).await?;
    backend
        .expiry_notices(&session.tenant_id, &session.grants)
        .await
        .map_err(fail)
}

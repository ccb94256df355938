//! Signing in, who is signed in, and switching the tenant the console shows.

use leptos::prelude::*;

use crate::domain::error::AppError;
#[cfg(feature = "ssr")]
use crate::domain::ids::TenantId;
use crate::domain::viewer::{LoginTarget, MyAccess, Viewer};

/// Which tenant a sign-in page is for: the default one, or the one in `/login/{TenantID}`.
/// Public: it is shown before sign-in, and says nothing but the tenant's name and its
/// single sign-on button.
#[server(endpoint = "login_target")]
pub async fn get_login_target(tenant_id: Option<String>) -> Result<LoginTarget, AppError> {
    use super::guard::{fail, public};
    let backend = public()?;
    let tenant = match tenant_id.filter(|t| !t.is_empty()) {
        Some(id) => backend.get_tenant(&TenantId::from(id)).await,
        None => backend.default_tenant().await,
    }
    .map_err(fail)?;
    let sso_provider = match backend
        .active_identity_provider(&tenant.id)
        .await
        .map_err(fail)?
    {
        Some(idp) => Some(
            backend
                .get_identity_provider(&tenant.id, &idp)
                .await
                .map_err(fail)?
                .form
                .provider_display_name,
        ),
        None => None,
    };
    Ok(LoginTarget {
        tenant_id: tenant.id.to_string(),
        tenant_name: tenant.name,
        sso_provider,
    })
}

/// The address of the sign-in pages (`/login`, `/login/{TenantID}`).
pub fn is_login_path(path: &str) -> bool {
    path == "/login" || path.starts_with("/login/")
}

/// The query with which [`login`] sends an administrator back to the sign-in page to be told
/// the client secret has expired: the page then asks [`get_sign_in_notice`] for it.
pub const SECRET_EXPIRED_QUERY: (&str, &str) = ("notice", "secret-expired");

/// Local sign-in. On success sets the session cookie and sends the browser to the console —
/// unless the tenant's client secret has expired and this person administers identity
/// providers: then back to the sign-in page, which shows that notice first. The sign-in page
/// ships no wasm, so this is usually a plain form post; the answer is a redirect either way.
#[server(endpoint = "login")]
pub async fn login(
    tenant_id: String,
    username: String,
    password: String,
) -> Result<Option<crate::domain::expiry::ExpiryNotice>, AppError> {
    use super::guard::{client_address, fail, public, set_session_cookie};
    let backend = public()?;
    let tenant = Some(tenant_id.as_str()).filter(|t| !t.is_empty());
    let signed_in = backend
        .sign_in_local(tenant, &username, &password, client_address())
        .await
        .map_err(fail)?;
    set_session_cookie(&signed_in.token, backend.config.secure_cookies());
    let notice = backend
        .expired_client_secret(&signed_in.session.tenant_id, &signed_in.session.grants)
        .await
        .map_err(fail)?;
    match &notice {
        None => leptos_axum::redirect("/"),
        Some(_) => {
            let (key, value) = SECRET_EXPIRED_QUERY;
            leptos_axum::redirect(&format!(
                "/login/{}?{key}={value}",
                signed_in.session.tenant_id
            ))
        }
    }
    Ok(notice)
}

/// Right after a local sign-in: the expired client secret to tell this administrator about
/// before the console (see [`login`]), if there is one.
#[server(endpoint = "sign_in_notice")]
pub async fn get_sign_in_notice() -> Result<Option<crate::domain::expiry::ExpiryNotice>, AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Access;
    let (backend, session) = require(Access::SignedIn).await?;
    backend
        .expired_client_secret(&session.tenant_id, &session.grants)
        .await
        .map_err(fail)
}

/// The signed-in person, their current tenant and the tenants they may switch to.
#[server(endpoint = "viewer")]
pub async fn get_viewer() -> Result<Viewer, AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Access;
    use crate::domain::tenant::TenantRef;
    let (backend, session) = require(Access::SignedIn).await?;
    let tenants = backend
        .tenant_refs_visible_to(&session)
        .await
        .map_err(fail)?;
    Ok(Viewer {
        username: session.username,
        display_name: session.display_name,
        tenant: TenantRef {
            id: session.tenant_id,
            name: session.tenant_name,
        },
        tenants,
    })
}

/// What the signed-in person may do here (navigation, buttons, the "no access yet" page).
#[server(endpoint = "my_access")]
pub async fn get_my_access() -> Result<MyAccess, AppError> {
    use super::guard::require;
    use crate::domain::permission::Access;
    let (_, session) = require(Access::SignedIn).await?;
    Ok(MyAccess {
        name: if session.display_name.is_empty() {
            session.username
        } else {
            session.display_name
        },
        grants: session.grants,
    })
}

/// Makes another tenant the one the console shows.
#[server(endpoint = "switch_tenant")]
pub async fn switch_tenant(tenant_id: String) -> Result<(), AppError> {
    use super::guard::{fail, require};
    use crate::domain::permission::Access;
    let (backend, session) = require(Access::Operator).await?;
    backend
        .switch_tenant(&session, &TenantId::from(tenant_id))
        .await
        .map_err(fail)
}

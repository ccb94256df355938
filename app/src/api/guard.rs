//! What every server function needs from the request: the backend, the caller checked against
//! the function's declared [`Access`], the caller's address, and a way to set the session
//! cookie. Errors set the matching HTTP status here, once.
//!
//! Every server function starts with exactly one of [`public`] or [`require`]; the latter is
//! the one place a function states the permission it needs, checked before anything else.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use http::header::SET_COOKIE;
use http::request::Parts;
use http::StatusCode;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

use crate::api::cookies;
use crate::backend::auth::sessions::SessionInfo;
use crate::backend::{Backend, DomainError};
use crate::domain::error::AppError;
use crate::domain::permission::Access;

/// The HTTP status a console error is sent with.
fn status_of(err: &AppError) -> StatusCode {
    match err {
        AppError::Unauthorized | AppError::InvalidCredentials => StatusCode::UNAUTHORIZED,
        AppError::Forbidden | AppError::PermissionDenied { .. } => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Invalid { .. } | AppError::InvalidForm(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Conflict { .. } => StatusCode::CONFLICT,
        AppError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Internal | AppError::Transport(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Converts a domain error for the console and sets the response status to match — or, for a
/// plain form post (a browser without the wasm, as on the sign-in page), 303 See Other: the
/// server function layer points `Location` back at the form's page with the error in the
/// address, and a browser only follows it from a redirect status.
pub fn fail(err: impl Into<AppError>) -> AppError {
    let err = err.into();
    if let Some(res) = use_context::<ResponseOptions>() {
        let status = if is_plain_form_post() {
            StatusCode::SEE_OTHER
        } else {
            status_of(&err)
        };
        res.set_status(status);
    }
    err
}

/// The request is a browser's own form submission (a POST that accepts HTML), not a call from
/// the wasm, nor a page the server is drawing (a GET, whose status stays the error's); the same
/// test the server function layer makes before it redirects to the form's page.
fn is_plain_form_post() -> bool {
    use_context::<Parts>().is_some_and(|p| {
        p.method == http::Method::POST
            && p.headers
                .get(http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("text/html"))
    })
}

pub fn backend() -> Result<Backend, AppError> {
    use_context::<Backend>()
        .ok_or_else(|| fail(DomainError::Internal("backend missing from context".into())))
}

/// A function anyone may call before signing in (the sign-in page's own).
pub fn public() -> Result<Backend, AppError> {
    backend()
}

/// The caller, signed in and holding what `access` names in the tenant the console shows:
/// 401 without a session, 403 (recorded in the security audit trail) without the permission.
pub async fn require(access: impl Into<Access>) -> Result<(Backend, SessionInfo), AppError> {
    let access = access.into();
    let (backend, session) = require_session()?;
    if session.grants.allows(access) {
        return Ok((backend, session));
    }
    let action = match access {
        Access::Permission(p) => p.action(),
        Access::Operator => "manage tenants",
        Access::AnyOf(_) => "connect Microsoft Entra ID",
        Access::Public | Access::SignedIn => "do this",
    };
    let path = use_context::<Parts>()
        .map(|p| p.uri.path().to_owned())
        .unwrap_or_default();
    if let Err(e) = backend
        .record_refusal(
            &session.tenant_id,
            &session.username,
            &format!("{action} ({path})"),
        )
        .await
    {
        tracing::error!(error = %e, "recording a refusal failed");
    }
    Err(fail(AppError::PermissionDenied {
        message: format!("You don't have permission to {action}."),
    }))
}

/// The session the request carries (resolved by the server's session layer), or 401.
fn require_session() -> Result<(Backend, SessionInfo), AppError> {
    let backend = backend()?;
    let session = use_context::<Parts>().and_then(|p| p.extensions.get::<SessionInfo>().cloned());
    match session {
        Some(s) => Ok((backend, s)),
        None => Err(fail(AppError::Unauthorized)),
    }
}

/// The peer address, when the server was started with connection info.
pub fn client_address() -> Option<IpAddr> {
    use_context::<Parts>().and_then(|p| {
        p.extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
    })
}

/// `Set-Cookie` for a new session: HttpOnly, SameSite=Lax, Secure on https.
pub fn set_session_cookie(token: &str, secure: bool) {
    if let Some(res) = use_context::<ResponseOptions>() {
        res.append_header(SET_COOKIE, cookies::session(token, secure));
    }
}

//! What every server function needs from the request: the backend, the session, the caller's
//! address, and a way to set the session cookie. Errors set the matching HTTP status here, once.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use http::header::{HeaderValue, SET_COOKIE};
use http::request::Parts;
use http::StatusCode;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

use crate::backend::sessions::{session_cookie, SessionInfo};
use crate::backend::{Backend, DomainError};
use crate::domain::error::AppError;

/// The HTTP status a console error is sent with.
fn status_of(err: &AppError) -> StatusCode {
    match err {
        AppError::Unauthorized | AppError::InvalidCredentials => StatusCode::UNAUTHORIZED,
        AppError::Forbidden => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Invalid { .. } | AppError::InvalidForm(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Conflict { .. } => StatusCode::CONFLICT,
        AppError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Internal | AppError::Transport(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Converts a domain error for the console and sets the response status to match.
pub fn fail(err: impl Into<AppError>) -> AppError {
    let err = err.into();
    if let Some(res) = use_context::<ResponseOptions>() {
        res.set_status(status_of(&err));
    }
    err
}

pub fn backend() -> Result<Backend, AppError> {
    use_context::<Backend>()
        .ok_or_else(|| fail(DomainError::Internal("backend missing from context".into())))
}

/// The session the request carries (resolved by the server's session layer), or 401.
pub fn require_session() -> Result<(Backend, SessionInfo), AppError> {
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
    let cookie = session_cookie(token, secure);
    if let (Some(res), Ok(value)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(&cookie),
    ) {
        res.append_header(SET_COOKIE, value);
    }
}

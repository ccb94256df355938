//! `/logout`: ends the session, clears the cookie, and goes back to the sign-in page, or, for a
//! session made by single sign-on, on to the provider's Logout URL.

use app::backend::sessions::SESSION_COOKIE;
use app::backend::Backend;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};

use super::session::cookie_value;

pub async fn logout(State(backend): State<Backend>, headers: HeaderMap) -> Response {
    let mut next = None;
    if let Some(token) = cookie_value(&headers, SESSION_COOKIE) {
        match backend.end_session(token).await {
            Ok(provider_logout) => next = provider_logout,
            Err(e) => tracing::warn!(error = %e, "ending session failed"),
        }
    }
    let mut response = Redirect::to(next.as_deref().unwrap_or("/login")).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        clear_cookie(backend.config.secure_cookies()),
    );
    response
}

/// An expired cookie that makes the browser drop the session id.
pub fn clear_cookie(secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("cantara_session=; Path=/; Max-Age=0"))
}

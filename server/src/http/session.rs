//! Resolves the session cookie once per request and guards console pages.
//!
//! The session goes into the request's extensions, where server functions find it. Console
//! pages without a session are redirected to `/login`; server functions answer 401 themselves.

use app::api::cookies;
use app::api::session as session_fns;
use app::backend::Backend;
use axum::extract::{Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

/// Paths that are not console pages: they work without a session (or check it themselves).
const PUBLIC_PREFIXES: &[&str] = &[
    "/login",
    "/oauth",
    "/logout",
    "/sign-in-failed",
    "/api/",
    "/pkg/",
];

pub async fn resolve(State(backend): State<Backend>, mut req: Request, next: Next) -> Response {
    let token = cookies::value(req.headers(), cookies::SESSION).map(str::to_owned);
    let session = match &token {
        Some(t) => backend.resolve_session(t).await.unwrap_or_else(|e| {
            tracing::error!(error = %e, "session lookup failed");
            None
        }),
        None => None,
    };
    let path = req.uri().path();
    let is_page_view = matches!(*req.method(), Method::GET | Method::HEAD);
    let stale_cookie = token.is_some() && session.is_none();
    match session {
        Some(s) => {
            // Signed in, the sign-in page is only shown to tell an administrator, right after a
            // local sign-in, that the client secret has expired (`app::api::session::login`).
            let (key, value) = session_fns::SECRET_EXPIRED_QUERY;
            let told_first = req
                .uri()
                .query()
                .and_then(|q| q.split_once('='))
                .is_some_and(|(k, v)| k == key && v == value);
            if is_page_view && session_fns::is_login_path(path) && !told_first {
                return Redirect::to("/").into_response();
            }
            req.extensions_mut().insert(s);
        }
        None if is_page_view && is_console_page(path) => {
            let mut response = Redirect::to("/login").into_response();
            if stale_cookie {
                response.headers_mut().append(
                    header::SET_COOKIE,
                    cookies::clear_session(backend.config.secure_cookies()),
                );
            }
            return response;
        }
        None => {}
    }
    next.run(req).await
}

/// Console pages are every path but the public ones and static files (a dot in the last segment).
fn is_console_page(path: &str) -> bool {
    let public = PUBLIC_PREFIXES
        .iter()
        .any(|p| path == p.trim_end_matches('/') || path.starts_with(p));
    let last = path.rsplit('/').next().unwrap_or("");
    !public && !last.contains('.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn console_pages_and_public_paths() {
        for p in ["/", "/users", "/tenants", "/identity-providers"] {
            assert!(is_console_page(p), "{p}");
        }
        for p in [
            "/login",
            "/login/abc",
            "/api/login",
            "/pkg/cantara.wasm",
            "/favicon.svg",
            "/oauth",
        ] {
            assert!(!is_console_page(p), "{p}");
        }
    }
}

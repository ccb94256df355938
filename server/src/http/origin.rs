//! Defence in depth against cross-site requests: state-changing requests that carry an `Origin`
//! must come from this console (same host, or the configured public URL). The session cookie is
//! already SameSite=Lax; this also covers browsers and proxies that get that wrong. It wraps the
//! console and the sign-in routes only (see `router.rs`): SCIM clients are not browsers.

use app::backend::Backend;
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn check(State(backend): State<Backend>, req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe {
        return next.run(req).await;
    }
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok());
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok());
    let allowed = match origin {
        None => true,
        Some(o) => {
            o == backend.public_url()
                || host.is_some_and(|h| {
                    o.strip_prefix("http://")
                        .or_else(|| o.strip_prefix("https://"))
                        == Some(h)
                })
        }
    };
    if allowed {
        next.run(req).await
    } else {
        tracing::warn!("cross-origin request refused");
        (StatusCode::FORBIDDEN, "cross-origin request refused").into_response()
    }
}

//! Browser security headers on every answer, and the nonce that lets the console's own scripts
//! (and no others) run.
//!
//! Each request gets a fresh random nonce; the Leptos render adds it to the scripts it emits
//! (hydration, streamed resources), and the Content-Security-Policy of an HTML answer names it.
//! No `unsafe-inline` script is allowed; `wasm-unsafe-eval` lets the console's WebAssembly
//! compile. Framing is refused twice (`frame-ancestors 'none'`, `X-Frame-Options: DENY`), so
//! the console cannot be clicked through another site. Pages and server functions are never
//! stored by caches; `/pkg` assets may be.

use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use rand::RngCore;

/// The nonce of this request, for the render.
#[derive(Debug, Clone)]
pub struct CspNonce(pub String);

impl CspNonce {
    fn random() -> Self {
        let mut bytes = [0u8; 18];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(base64::engine::general_purpose::STANDARD.encode(bytes))
    }
}

/// What the layer needs to know of the installation.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// The public URL is https: browsers are told to use nothing else (HSTS).
    pub https: bool,
}

/// The policy for an HTML answer with this nonce.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    )
}

pub async fn apply(State(settings): State<Settings>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    // SCIM answers are never pages: no nonce (it costs a read of the system's randomness).
    let nonce = (!path.starts_with("/scim/")).then(CspNonce::random);
    if let Some(nonce) = &nonce {
        req.extensions_mut().insert(nonce.clone());
    }
    let mut res = next.run(req).await;
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"));
    let h = res.headers_mut();
    let csp = if let (true, Some(nonce)) = (html, &nonce) {
        content_security_policy(&nonce.0)
    } else {
        // Anything else (JSON, SCIM, assets) never runs as a page.
        "default-src 'none'; frame-ancestors 'none'".to_owned()
    };
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    h.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    if settings.https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if !path.starts_with("/pkg/") && !path.starts_with("/favicon") {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

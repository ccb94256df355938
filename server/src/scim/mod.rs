//! SCIM 2.0 at `/scim/v2/{TenantID}/…` (RFC 7644), the way Microsoft Entra ID provisions.
//!
//! Handlers are thin: authenticate the tenant's bearer token, parse the protocol text into
//! types (`app::scim`), call one backend method, render. Every request is logged in the
//! tenant's provisioning activity.

mod discovery;
mod error;
mod handlers;
mod render;

use app::backend::Backend;
use axum::routing::any;
use axum::Router;

pub use error::ScimFailure;

/// Media type of every SCIM response.
pub const SCIM_JSON: &str = "application/scim+json";

pub fn router(backend: Backend) -> Router {
    Router::new()
        .route("/scim/v2/{tenant}", any(handlers::dispatch_root))
        .route("/scim/v2/{tenant}/{resource}", any(handlers::dispatch))
        .route("/scim/v2/{tenant}/{resource}/", any(handlers::dispatch))
        .route(
            "/scim/v2/{tenant}/{resource}/{id}",
            any(handlers::dispatch_id),
        )
        .layer(crate::http::catch_panic::scim_layer())
        .with_state(backend)
}

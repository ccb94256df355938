//! SCIM 2.0 at `/scim/v2/{TenantID}/…` (RFC 7644), the way Microsoft Entra ID provisions.
//!
//! Handlers are thin: authenticate the tenant's bearer token, parse the protocol text into
//! types (`app::scim`), call one backend method, render. Every request is logged in the
//! tenant's provisioning activity.

mod discovery;
mod edits;
mod error;
mod handlers;
mod render;

use app::backend::Backend;
use axum::routing::any;
use axum::Router;

pub use error::ScimFailure;

/// Media type of every SCIM response.
pub const SCIM_JSON: &str = "application/scim+json";

/// Everything under `/scim/v2`: the SCIM endpoints with their own body limit and panic answer
/// (SCIM Error bodies), and a SCIM 404 for any other path there. No session or origin layer:
/// SCIM clients are not browsers and bring a bearer token.
pub fn router(backend: Backend) -> Router {
    let endpoints = Router::new()
        .route("/{tenant}", any(handlers::dispatch_root))
        .route("/{tenant}/{resource}", any(handlers::dispatch))
        .route("/{tenant}/{resource}/", any(handlers::dispatch))
        .route("/{tenant}/{resource}/{id}", any(handlers::dispatch_id))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            crate::http::body_limit::Answer::Scim,
            crate::http::body_limit::limit,
        ))
        .layer(crate::http::catch_panic::scim_layer())
        .with_state(backend);
    Router::new().nest("/scim/v2", endpoints)
}

async fn not_found() -> ScimFailure {
    ScimFailure(app::scim::ScimError::new(
        404,
        None,
        "There is no SCIM endpoint at this address; SCIM is at /scim/v2/{TenantID}/Users and /Groups.",
    ))
}

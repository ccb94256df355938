//! SCIM 2.0 at `/scim/v2/{TenantID}/…` (RFC 7644), the way Microsoft Entra ID provisions.
//!
//! Handlers are thin: the `Provisioner` extractor authenticates the tenant's bearer token,
//! other extractors parse the protocol text into types (`app::scim`), the handler calls one
//! backend method and renders. A layer records every authenticated request in the tenant's
//! provisioning activity.

mod activity;
mod canonical;
mod discovery;
mod edits;
mod error;
mod extract;
mod groups;
mod render;
mod reply;
mod search;
mod users;

use app::backend::Backend;
use axum::routing::{any, get, post, MethodRouter};
use axum::Router;

pub use error::ScimFailure;

use extract::{Id, Provisioner};
use reply::{Outcome, Reply};

/// Media type of every SCIM response.
pub const SCIM_JSON: &str = "application/scim+json";

/// Everything under `/scim/v2`: the SCIM endpoints with their own body limit and panic answer
/// (SCIM Error bodies), and a SCIM 404 for any other path there. No session or origin layer:
/// SCIM clients are not browsers and bring a bearer token. Resource names match in any case
/// ([`canonical`]).
pub fn router(backend: Backend) -> Router {
    let endpoints = Router::new()
        .route(
            "/{tenant}/Users",
            refuse_others(get(users::list_users).post(users::create_user)),
        )
        .route(
            "/{tenant}/Users/.search",
            refuse_others(post(users::list_users)),
        )
        .route(
            "/{tenant}/Users/{id}",
            refuse_others(
                get(users::get_user)
                    .put(users::replace_user)
                    .patch(users::patch_user)
                    .delete(users::delete_user),
            ),
        )
        .route(
            "/{tenant}/Groups",
            refuse_others(get(groups::list_groups).post(groups::create_group)),
        )
        .route(
            "/{tenant}/Groups/.search",
            refuse_others(post(groups::list_groups)),
        )
        .route(
            "/{tenant}/Groups/{id}",
            refuse_others(
                get(groups::get_group)
                    .put(groups::replace_group)
                    .patch(groups::patch_group)
                    .delete(groups::delete_group),
            ),
        )
        .route("/{tenant}/.search", refuse_others(post(search::search)))
        .route(
            "/{tenant}/ServiceProviderConfig",
            refuse_others(get(service_provider_config)),
        )
        .route(
            "/{tenant}/ResourceTypes",
            refuse_others(get(resource_types)),
        )
        .route(
            "/{tenant}/ResourceTypes/{id}",
            refuse_others(get(resource_type)),
        )
        .route("/{tenant}/Schemas", refuse_others(get(schemas)))
        .route("/{tenant}/Schemas/{id}", refuse_others(get(schema)))
        .route("/{tenant}", any(no_endpoint))
        .route("/{tenant}/{endpoint}", any(no_endpoint))
        .route("/{tenant}/{endpoint}/{id}", any(no_endpoint))
        .route_layer(axum::middleware::from_fn_with_state(
            backend.clone(),
            activity::record,
        ))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            crate::http::body_limit::Answer::Scim,
            crate::http::body_limit::limit,
        ))
        .layer(crate::http::catch_panic::scim_layer())
        .with_state(backend);
    let endpoints = tower::ServiceBuilder::new()
        .map_request(canonical::resource_case)
        .service(endpoints);
    Router::new().nest_service("/scim/v2", endpoints)
}

/// Any other method on a SCIM endpoint: `405` as a SCIM Error, after the token check.
fn refuse_others(routes: MethodRouter<Backend>) -> MethodRouter<Backend> {
    routes.fallback(method_not_allowed)
}

async fn method_not_allowed(_: Provisioner) -> ScimFailure {
    app::scim::ScimError::new(405, None, "This endpoint does not support this method.").into()
}

/// A path under a tenant that names no endpoint (after the token check).
async fn no_endpoint(_: Provisioner, uri: axum::http::Uri) -> ScimFailure {
    let endpoint = uri.path().split('/').nth(2).unwrap_or_default();
    app::scim::ScimError::not_found(format!("There is no SCIM endpoint “{endpoint}”.")).into()
}

async fn not_found() -> ScimFailure {
    ScimFailure(app::scim::ScimError::new(
        404,
        None,
        "There is no SCIM endpoint at this address; SCIM is at /scim/v2/{TenantID}/Users and /Groups.",
    ))
}

// RFC 7644 §4: discovery. `serviceConfiguration` (the name Microsoft's reference implementation
// uses) reaches `service_provider_config` through [`canonical`].

async fn service_provider_config(who: Provisioner) -> Outcome {
    Ok(Reply::ok(discovery::service_provider_config(&who.base)))
}

async fn resource_types(who: Provisioner) -> Outcome {
    Ok(Reply::ok(discovery::resource_types(&who.base, None)?))
}

async fn resource_type(who: Provisioner, Id(id): Id<String>) -> Outcome {
    Ok(Reply::ok(discovery::resource_types(&who.base, Some(&id))?))
}

async fn schemas(who: Provisioner) -> Outcome {
    Ok(Reply::ok(discovery::schemas(&who.base, None)?))
}

async fn schema(who: Provisioner, Id(id): Id<String>) -> Outcome {
    Ok(Reply::ok(discovery::schemas(&who.base, Some(&id))?))
}

//! The browser-facing HTTP surface: the Leptos console with its server functions, single sign-on
//! and sign-out, the health probes, and the layers `crate::router` puts around them (session,
//! origin check, body limit, security headers, panic answer, request id and trace).

pub mod body_limit;
pub mod catch_panic;
pub mod health;
pub mod logout;
pub mod metrics;
pub mod oauth;
pub mod origin;
pub mod security_headers;
pub mod session;
pub mod trace;

use app::backend::Backend;
use app::{shell, App};
use axum::routing::get;
use axum::Router;
use leptos::config::LeptosOptions;
use leptos::nonce::Nonce;
use leptos::prelude::{provide_context, use_context};
use leptos_axum::{generate_route_list, LeptosRoutes};

/// The console: its pages and server functions (`/api/…`), static files from the site root,
/// and the 404 page for anything else.
pub fn console(backend: Backend, options: LeptosOptions) -> Router {
    let routes = generate_route_list(App);
    let context = move || {
        provide_context(backend.clone());
        // The request's CSP nonce goes on every script the render emits.
        let nonce = use_context::<http::request::Parts>()
            .and_then(|p| p.extensions.get::<security_headers::CspNonce>().cloned());
        if let Some(n) = nonce {
            provide_context(Nonce::from_value(n.0));
        }
    };
    Router::new()
        .leptos_routes_with_context(&options, routes, context.clone(), {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context(
            context, shell,
        ))
        .with_state(options)
}

/// The browser's sign-in routes besides the console's own: single sign-on and sign-out.
pub fn auth_routes(backend: Backend) -> Router {
    Router::new()
        .route("/logout", get(logout::confirm).post(logout::logout))
        .route("/oauth", get(oauth::callback))
        .route("/oauth/start/{tenant_id}", get(oauth::start))
        .route("/oauth/test/{idp_id}", get(oauth::test))
        .with_state(backend)
}

/// The health probes: no session, no body, no state but the database.
pub fn probes(backend: Backend) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .with_state(backend)
}

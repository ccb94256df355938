//! The HTTP surface: health probes, single sign-on, sign-out, and the Leptos console with its server functions,
//! wrapped in the session, origin-check, body-limit and request-id/trace layers.

pub mod body_limit;
pub mod catch_panic;
pub mod health;
pub mod logout;
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

/// The whole application; tests call this with a fresh database.
pub fn router(backend: Backend, options: LeptosOptions) -> Router {
    let routes = generate_route_list(App);
    let context_backend = backend.clone();
    let context = move || {
        provide_context(context_backend.clone());
        // The request's CSP nonce goes on every script the render emits.
        let nonce = use_context::<http::request::Parts>()
            .and_then(|p| p.extensions.get::<security_headers::CspNonce>().cloned());
        if let Some(n) = nonce {
            provide_context(Nonce::from_value(n.0));
        }
    };
    let console = Router::new()
        .leptos_routes_with_context(&options, routes, context.clone(), {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context(
            context, shell,
        ))
        .with_state(options);
    let settings = security_headers::Settings {
        https: backend.config.secure_cookies(),
    };

    let own = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/logout", get(logout::confirm).post(logout::logout))
        .route("/oauth", get(oauth::callback))
        .route("/oauth/start/{tenant_id}", get(oauth::start))
        .route("/oauth/test/{idp_id}", get(oauth::test))
        .with_state(backend.clone());

    own.merge(crate::scim::router(backend.clone()))
        .merge(console)
        .layer(axum::middleware::from_fn_with_state(
            backend.clone(),
            session::resolve,
        ))
        .layer(axum::middleware::from_fn_with_state(backend, origin::check))
        .layer(axum::middleware::from_fn(body_limit::limit))
        .layer(axum::middleware::from_fn_with_state(
            settings,
            security_headers::apply,
        ))
        .layer(catch_panic::layer())
        .layer(trace::layer())
}

//! The whole application, composed: three routers side by side — the browser's sign-in routes,
//! SCIM, and the console — plus the health probes. Sessions and the cross-origin check wrap only
//! what browsers use (console and sign-in routes); SCIM brings its own bearer token, body-limit
//! and panic answers (`crate::scim::router`). Around everything: security headers, the
//! last-resort panic answer, and the request id with its trace span.

use app::backend::Backend;
use axum::middleware::from_fn_with_state;
use axum::Router;
use leptos::config::LeptosOptions;

use crate::http::{self, body_limit, catch_panic, origin, security_headers, session, trace};

/// The application; `cantara serve`, the benchmarks and the tests all call this.
pub fn router(backend: Backend, options: LeptosOptions) -> Router {
    let settings = security_headers::Settings {
        https: backend.config.secure_cookies(),
    };
    let browser = http::auth_routes(backend.clone())
        .merge(http::console(backend.clone(), options))
        .layer(from_fn_with_state(backend.clone(), session::resolve))
        .layer(from_fn_with_state(backend.clone(), origin::check))
        .layer(from_fn_with_state(
            body_limit::Answer::Plain,
            body_limit::limit,
        ));
    Router::new()
        .merge(http::probes(backend.clone()))
        .merge(crate::scim::router(backend))
        .merge(browser)
        .layer(from_fn_with_state(settings, security_headers::apply))
        .layer(catch_panic::layer())
        .layer(trace::layer())
}

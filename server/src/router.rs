//! The whole application, composed: three routers side by side — the browser's sign-in routes,
//! SCIM, and the console — plus the health probes. Sessions and the cross-origin check wrap only
//! what browsers use (console and sign-in routes); SCIM brings its own bearer token, body-limit
//! and panic answers (`crate::scim::router`). Around everything: security headers, the
//! last-resort panic answer, the request id with its trace span, and (with a metrics token)
//! `/metrics` and the request counts.

use app::backend::Backend;
use axum::middleware::from_fn_with_state;
use axum::Router;
use leptos::config::LeptosOptions;

use axum::routing::get;

use crate::config::MetricsToken;
use crate::http::{
    self, body_limit, catch_panic, metrics, origin, security_headers, session, trace,
};

/// The application without `/metrics`; the benchmarks and most tests call this.
pub fn router(backend: Backend, options: LeptosOptions) -> Router {
    router_with(backend, options, None)
}

/// The application; `cantara serve` calls this. With a metrics token, `/metrics` answers (to
/// that token) and every request is counted; without one, nothing is recorded.
pub fn router_with(
    backend: Backend,
    options: LeptosOptions,
    metrics_token: Option<MetricsToken>,
) -> Router {
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
    let mut app = Router::new()
        .merge(http::probes(backend.clone()))
        .merge(crate::scim::router(backend.clone()))
        .merge(browser);
    if let Some(token) = metrics_token {
        metrics::handle();
        app = app
            .route(
                "/metrics",
                get(metrics::render).with_state(metrics::Scrape { backend, token }),
            )
            .layer(axum::middleware::from_fn(metrics::count));
    } else {
        // Not the console's sign-in redirect: there is no such resource here.
        app = app.route("/metrics", get(metrics::absent));
    }
    app.layer(from_fn_with_state(settings, security_headers::apply))
        .layer(catch_panic::layer())
        .layer(trace::layer())
}

//! `/metrics` in the Prometheus text format, for operators of several instances: requests and
//! latency by route class and status, SCIM operations, sign-ins, the database pool and the
//! activity queue. The `metrics` facade records where things happen; the exporter crate renders.
//! Only with `Authorization: Bearer {CANTARA_METRICS_TOKEN}`; without a token configured the
//! route does not exist (404), so nothing about the installation shows by default.

use std::sync::OnceLock;
use std::time::Instant;

use app::backend::Backend;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use subtle::ConstantTimeEq;

use crate::config::MetricsToken;

/// Latency buckets (seconds): SCIM answers in well under a millisecond, sign-ins in tens.
const BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The process's recorder, installed on first use (once: it is global to the process).
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = || {
            PrometheusBuilder::new()
                .set_buckets(BUCKETS)
                .unwrap_or_else(|_| PrometheusBuilder::new())
        };
        builder().install_recorder().unwrap_or_else(|e| {
            // Only if something else installed a recorder first: render an empty registry.
            tracing::warn!(error = %e, "metrics recorder not installed");
            builder().build_recorder().handle()
        })
    })
}

#[derive(Clone)]
pub struct Scrape {
    pub backend: Backend,
    pub token: MetricsToken,
}

/// `GET /metrics`.
pub async fn render(State(scrape): State<Scrape>, headers: HeaderMap) -> Response {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    let expected = scrape.token.expose().as_bytes();
    if !bool::from(presented.as_bytes().ct_eq(expected)) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "a metrics token is required\n",
        )
            .into_response();
    }
    let pool = &scrape.backend.db.pool;
    let size = f64::from(pool.size());
    let idle = pool.num_idle() as f64;
    metrics::gauge!("cantara_db_pool_connections", "state" => "in_use").set((size - idle).max(0.0));
    metrics::gauge!("cantara_db_pool_connections", "state" => "idle").set(idle);
    metrics::gauge!("cantara_activity_queue_depth").set(scrape.backend.activity.queued() as f64);
    let handle = handle();
    handle.run_upkeep();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}

/// `GET /metrics` when no metrics token is configured.
pub async fn absent() -> StatusCode {
    StatusCode::NOT_FOUND
}

/// Which kind of route a path is: a label with few values, never the path itself.
fn route_class(path: &str) -> &'static str {
    if path.starts_with("/scim/") {
        "scim"
    } else if path.starts_with("/api/") {
        "server_function"
    } else if path == "/oauth" || path.starts_with("/oauth/") || path == "/logout" {
        "sign_in"
    } else if path == "/healthz" || path == "/readyz" {
        "probe"
    } else if path == "/metrics" {
        "metrics"
    } else if path.starts_with("/pkg/") || path.contains('.') {
        "static"
    } else {
        "page"
    }
}

/// Counts every response and its latency by route class and status.
pub async fn count(req: Request, next: Next) -> Response {
    let class = route_class(req.uri().path());
    let started = Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::histogram!("cantara_http_request_duration_seconds", "class" => class, "status" => status.clone())
        .record(started.elapsed().as_secs_f64());
    metrics::counter!("cantara_http_requests_total", "class" => class, "status" => status)
        .increment(1);
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_fall_into_few_classes() {
        assert_eq!(route_class("/scim/v2/t/Users"), "scim");
        assert_eq!(route_class("/api/viewer"), "server_function");
        assert_eq!(route_class("/oauth"), "sign_in");
        assert_eq!(route_class("/oauth/start/x"), "sign_in");
        assert_eq!(route_class("/readyz"), "probe");
        assert_eq!(route_class("/pkg/cantara.wasm"), "static");
        assert_eq!(route_class("/users"), "page");
    }
}

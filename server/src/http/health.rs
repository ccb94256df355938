//! `/healthz` (the process answers) and `/readyz` (the database answers).

use app::backend::Backend;
use axum::extract::State;
use axum::http::StatusCode;

pub async fn healthz() -> &'static str {
    "ok"
}

/// A load balancer asks often: answer within this even when no connection can be had.
const READY_WITHIN: std::time::Duration = std::time::Duration::from_secs(2);

pub async fn readyz(State(backend): State<Backend>) -> (StatusCode, &'static str) {
    match tokio::time::timeout(READY_WITHIN, backend.db.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, "ready"),
        Err(_) => {
            tracing::warn!("database did not answer in time");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "database not reachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

//! Every authenticated SCIM request is recorded in its tenant's provisioning activity, by this
//! layer around the SCIM routes: method, path (without the query, where a filter could carry
//! personal data), status, the resource touched and the failure's detail. Requests refused for
//! their token (`401`) are recorded nowhere: nothing proves which tenant sent them. The same
//! layer counts SCIM operations for `/metrics` (by tenant, resource, method and outcome).

use app::backend::activity::ActivityEvent;
use app::backend::Backend;
use axum::extract::{RawPathParams, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

use super::error::FailureDetail;
use super::reply::TouchedResource;

/// The endpoint a SCIM path names, out of the known few (a label, never free text).
fn resource(path: &str) -> &'static str {
    match path.trim_start_matches('/').split('/').next().unwrap_or("") {
        "Users" => "Users",
        "Groups" => "Groups",
        "Schemas" => "Schemas",
        "ResourceTypes" => "ResourceTypes",
        "ServiceProviderConfig" => "ServiceProviderConfig",
        ".search" => "search",
        _ => "other",
    }
}

fn method_label(method: &str) -> &'static str {
    match method {
        "GET" => "GET",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        _ => "other",
    }
}

pub async fn record(
    State(backend): State<Backend>,
    params: RawPathParams,
    req: Request,
    next: Next,
) -> Response {
    let tenant_id = params
        .iter()
        .find(|(k, _)| *k == "tenant")
        .map(|(_, v)| app::domain::ids::TenantId::from(v))
        .unwrap_or_else(|| app::domain::ids::TenantId::from(""));
    let method = req.method().to_string();
    // `/{tenant}/Users/{id}` → `/Users/{id}`
    let path = match req.uri().path().trim_start_matches('/').split_once('/') {
        Some((_tenant, rest)) => format!("/{rest}"),
        None => "/".to_owned(),
    };
    let res = next.run(req).await;
    let status = res.status();
    if status == StatusCode::UNAUTHORIZED {
        // No tenant label: the path's tenant is unproven, and any text could be sent there.
        metrics::counter!("cantara_scim_refused_token_total").increment(1);
        return res;
    }
    let outcome = if status.is_server_error() {
        "failed"
    } else if status.is_client_error() {
        "refused"
    } else {
        "ok"
    };
    metrics::counter!(
        "cantara_scim_operations_total",
        "tenant" => tenant_id.as_str().to_owned(),
        "resource" => resource(&path),
        "method" => method_label(&method),
        "outcome" => outcome,
    )
    .increment(1);
    backend.record_activity(ActivityEvent {
        tenant_id,
        at: app::backend::clock::now(),
        method,
        path,
        status: res.status().as_u16(),
        resource_id: res
            .extensions()
            .get::<TouchedResource>()
            .map(|r| r.0.clone()),
        detail: res.extensions().get::<FailureDetail>().map(|d| d.0.clone()),
    });
    res
}

//! Every SCIM request is recorded in its tenant's provisioning activity, by this layer around
//! the SCIM routes: method, path, a list's filter (shown in words to the tenant's admins),
//! status, the resource touched and the failure's detail. Requests refused for their token
//! (`401`, what a failing Test Connection gets) are recorded with the reason — missing, unknown,
//! revoked or expired, never the token — for existing tenants only and at most 30 a minute per
//! tenant, so made-up requests cannot flood a log. The same layer counts SCIM operations for
//! `/metrics` (by tenant, resource, method and outcome).

use app::backend::activity::ActivityEvent;
use app::backend::Backend;
use app::domain::provisioning::{TokenRefusal, FILTER_KEPT};
use axum::extract::{RawPathParams, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

use super::error::FailureDetail;
use super::reply::{Listed, TouchedResource};

/// Where the token check leaves why it refused a request, for this layer to record.
#[derive(Clone, Default)]
pub struct RefusalSlot(std::sync::Arc<std::sync::OnceLock<String>>);

impl RefusalSlot {
    pub fn put(&self, refusal: &TokenRefusal) {
        let _ = self.0.set(refusal.describe());
    }
    fn take(&self) -> Option<String> {
        self.0.get().cloned()
    }
}

/// A list request's `filter` parameter (`+` as a space), cut to what the log keeps.
fn list_filter(query: &str) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .ok()?
        .into_iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("filter"))
        .map(|(_, v)| v.chars().take(FILTER_KEPT).collect())
}

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
    // The resource a request names in its path: its history shows failed requests too.
    let named = params
        .iter()
        .find(|(k, _)| *k == "id")
        .map(|(_, v)| v.chars().take(64).collect::<String>());
    let method = req.method().to_string();
    // `/{tenant}/Users/{id}` → `/Users/{id}`
    let path = match req.uri().path().trim_start_matches('/').split_once('/') {
        Some((_tenant, rest)) => format!("/{rest}"),
        None => "/".to_owned(),
    };
    let filter = req.uri().query().and_then(list_filter);
    let refusal = RefusalSlot::default();
    let mut req = req;
    req.extensions_mut().insert(refusal.clone());
    let res = next.run(req).await;
    let status = res.status();
    if status == StatusCode::UNAUTHORIZED {
        // No tenant label: the path's tenant is unproven, and any text could be sent there.
        metrics::counter!("cantara_scim_refused_token_total").increment(1);
        backend.record_token_refusal(ActivityEvent {
            tenant_id,
            at: app::backend::clock::now(),
            method,
            path,
            status: status.as_u16(),
            resource_id: None,
            detail: Some(
                refusal
                    .take()
                    .unwrap_or_else(|| TokenRefusal::Unknown.describe()),
            ),
            filter,
            listed: None,
        });
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
            .map(|r| r.0.clone())
            .or(named),
        detail: res.extensions().get::<FailureDetail>().map(|d| d.0.clone()),
        filter,
        listed: res.extensions().get::<Listed>().map(|l| l.0),
    });
    res
}

//! What a SCIM handler takes from a request, parsed before it does anything: the provisioning
//! client (the bearer token of the tenant in the path), the resource id, list and projection
//! parameters, and the JSON body. Every rejection is a SCIM Error; nothing is written before
//! all of a handler's extractors succeeded.

use std::collections::HashMap;

use app::backend::Backend;
use app::domain::ids::TenantId;
use app::domain::record_filter::Condition;
use app::scim::filter::{self, Filter};
use app::scim::lowering::lower;
use app::scim::projection::Projection;
use app::scim::schema::Resource;
use app::scim::{ScimError, ScimType};
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde_json::Value;

use super::activity::RefusalSlot;
use super::discovery::MAX_RESULTS;
use super::error::ScimFailure;
use app::domain::provisioning::TokenRefusal;

/// The provisioning client of one tenant, authenticated by its bearer token.
pub struct Provisioner {
    pub backend: Backend,
    pub tenant: TenantId,
    /// `{PUBLIC_URL}/scim/v2/{tenant}`, the base of every `location`.
    pub base: String,
}

/// A path parameter by name (`tenant`, `id`), percent-decoded.
async fn path_param(parts: &mut Parts, name: &str) -> Option<String> {
    let params = RawPathParams::from_request_parts(parts, &()).await.ok()?;
    params
        .iter()
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

impl FromRequestParts<Backend> for Provisioner {
    type Rejection = ScimFailure;

    async fn from_request_parts(parts: &mut Parts, backend: &Backend) -> Result<Self, ScimFailure> {
        let tenant = TenantId::new(path_param(parts, "tenant").await.unwrap_or_default());
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim);
        // Unknown tenants and bad tokens get the same 401; only the tenant's log says why.
        let refused = |why: TokenRefusal| {
            if let Some(slot) = parts.extensions.get::<RefusalSlot>() {
                slot.put(&why);
            }
            ScimFailure(ScimError::unauthorized())
        };
        let Some(token) = token else {
            return Err(refused(TokenRefusal::Missing));
        };
        if let Err(why) = backend.check_provisioning_token(&tenant, token).await? {
            return Err(refused(why));
        }
        Ok(Self {
            base: format!("{}/scim/v2/{tenant}", backend.public_url()),
            backend: backend.clone(),
            tenant,
        })
    }
}

/// The `{id}` of a resource path, as the id type of its resource.
pub struct Id<T>(pub T);

impl<S: Send + Sync, T: From<String>> FromRequestParts<S> for Id<T> {
    type Rejection = ScimFailure;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ScimFailure> {
        path_param(parts, "id")
            .await
            .map(|id| Id(T::from(id)))
            .ok_or_else(|| ScimError::not_found("No resource with this id in this tenant.").into())
    }
}

/// Query parameters with lower-cased names (SCIM parameter names are case-insensitive),
/// `+` read as a space, as Entra sends filters.
fn query(parts: &Parts) -> HashMap<String, String> {
    parts
        .uri
        .query()
        .map(|q| {
            serde_urlencoded::from_str::<Vec<(String, String)>>(q)
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v))
                .collect()
        })
        .unwrap_or_default()
}

/// `attributes` / `excludedAttributes` of a single-resource request.
pub struct Projected {
    pub projection: Projection,
    /// The request named `attributes` (a group PATCH then answers with the resource).
    pub names_attributes: bool,
}

impl<S: Send + Sync> FromRequestParts<S> for Projected {
    type Rejection = ScimFailure;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ScimFailure> {
        let q = query(parts);
        Ok(Self {
            projection: Projection::parse(
                q.get("attributes").map(String::as_str),
                q.get("excludedattributes").map(String::as_str),
            )?,
            names_attributes: q.contains_key("attributes"),
        })
    }
}

/// A list request's filter, paging and projection (RFC 7644 §3.4.2).
pub struct ListParams {
    filter: Option<Filter>,
    pub start: i64,
    pub count: i64,
    pub projection: Projection,
}

impl ListParams {
    fn parse(get: impl Fn(&str) -> Option<String>) -> Result<Self, ScimFailure> {
        let filter = get("filter")
            .filter(|f| !f.trim().is_empty())
            .map(|f| filter::parse(&f))
            .transpose()?;
        let number = |name: &str, default: i64| -> Result<i64, ScimFailure> {
            match get(name) {
                None => Ok(default),
                Some(v) => v.trim().parse::<i64>().map_err(|_| {
                    ScimError::bad(
                        ScimType::InvalidValue,
                        format!("“{name}” must be an integer"),
                    )
                    .into()
                }),
            }
        };
        Ok(Self {
            filter,
            start: number("startindex", 1)?.max(1),
            count: number("count", 100)?.clamp(0, MAX_RESULTS),
            projection: Projection::parse(
                get("attributes").as_deref(),
                get("excludedattributes").as_deref(),
            )?,
        })
    }

    /// The filter as the store's condition on `resource`.
    pub fn condition(&self, resource: Resource) -> Result<Option<Condition>, ScimFailure> {
        Ok(self
            .filter
            .as_ref()
            .map(|f| lower(resource, f))
            .transpose()?)
    }
}

/// List parameters: from the query string of a `GET /Users?filter=…`, or from the body of a
/// `POST …/.search` (RFC 7644 §3.4.3), so one handler serves both.
pub struct ListRequest(pub ListParams);

impl<S: Send + Sync> FromRequest<S> for ListRequest {
    type Rejection = ScimFailure;

    async fn from_request(req: Request, state: &S) -> Result<Self, ScimFailure> {
        if req.method() != axum::http::Method::POST {
            let (parts, _) = req.into_parts();
            let q = query(&parts);
            return ListParams::parse(|k| q.get(k).cloned()).map(ListRequest);
        }
        let ScimJson(body) = ScimJson::from_request(req, state).await?;
        let obj = body.as_object().cloned().unwrap_or_default();
        ListParams::parse(|k| {
            obj.iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(k))
                .and_then(|(_, v)| match v {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    Value::Array(a) => Some(
                        a.iter()
                            .filter_map(Value::as_str)
                            .collect::<Vec<_>>()
                            .join(","),
                    ),
                    _ => None,
                })
        })
        .map(ListRequest)
    }
}

/// A JSON request body (any content type: Entra sends `application/scim+json`).
pub struct ScimJson(pub Value);

impl<S: Send + Sync> FromRequest<S> for ScimJson {
    type Rejection = ScimFailure;

    async fn from_request(req: Request, state: &S) -> Result<Self, ScimFailure> {
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            let detail = format!("The request body could not be read: {}", e.body_text());
            ScimFailure(ScimError::new(e.status().as_u16(), None, detail))
        })?;
        serde_json::from_slice(&bytes).map(ScimJson).map_err(|e| {
            ScimError::bad(
                ScimType::InvalidSyntax,
                format!("The body is not valid JSON: {e}"),
            )
            .into()
        })
    }
}

//! Dispatch of `/scim/v2/{tenant}/{resource}[/{id}]` by method and (case-insensitive) resource.

use std::collections::HashMap;

use app::backend::activity::ActivityEvent;
use app::backend::scim::groups::ScimGroup;
use app::backend::Backend;
use app::domain::record_filter::Condition;
use app::scim::filter::{self, Filter};
use app::scim::lowering::lower;
use app::scim::patch::parse_patch;
use app::scim::projection::Projection;
use app::scim::resource::{group_from_body, user_from_body};
use app::scim::schema::Resource;
use app::scim::{ScimError, ScimType};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::discovery::{self, MAX_RESULTS};
use super::edits::{Patch, Tombstone};
use super::error::ScimFailure;
use super::render;
use super::SCIM_JSON;

type Outcome = Result<Reply, ScimFailure>;

/// A successful SCIM answer.
struct Reply {
    status: StatusCode,
    body: Option<Value>,
    location: Option<String>,
    version: Option<i64>,
    resource_id: Option<String>,
}

impl Reply {
    fn ok(body: Value) -> Self {
        Self {
            status: StatusCode::OK,
            body: Some(body),
            location: None,
            version: None,
            resource_id: None,
        }
    }
    fn resource(
        status: StatusCode,
        body: Value,
        id: &str,
        version: i64,
        location: Option<String>,
    ) -> Self {
        Self {
            status,
            body: Some(body),
            location,
            version: Some(version),
            resource_id: Some(id.to_owned()),
        }
    }
    fn no_content(id: &str) -> Self {
        Self {
            status: StatusCode::NO_CONTENT,
            body: None,
            location: None,
            version: None,
            resource_id: Some(id.to_owned()),
        }
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let mut res = match self.body {
            Some(b) => (self.status, b.to_string()).into_response(),
            None => self.status.into_response(),
        };
        let h = res.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(SCIM_JSON));
        if let Some(loc) = self.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
            h.insert(header::LOCATION, loc);
        }
        if let Some(v) = self
            .version
            .and_then(|v| HeaderValue::from_str(&render::etag(v)).ok())
        {
            h.insert(header::ETAG, v);
        }
        res
    }
}

/// The request, parsed once.
struct Request {
    tenant: String,
    base: String,
    method: Method,
    resource: String,
    id: Option<String>,
    query: HashMap<String, String>,
    body: Bytes,
}

pub async fn dispatch_root(
    State(b): State<Backend>,
    Path(tenant): Path<String>,
    method: Method,
    headers: HeaderMap,
    q: RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    handle(b, tenant, String::new(), None, method, headers, q, body).await
}

pub async fn dispatch(
    State(b): State<Backend>,
    Path((tenant, resource)): Path<(String, String)>,
    method: Method,
    headers: HeaderMap,
    q: RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    handle(b, tenant, resource, None, method, headers, q, body).await
}

pub async fn dispatch_id(
    State(b): State<Backend>,
    Path((tenant, resource, id)): Path<(String, String, String)>,
    method: Method,
    headers: HeaderMap,
    q: RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    handle(b, tenant, resource, Some(id), method, headers, q, body).await
}

#[allow(clippy::too_many_arguments)]
async fn handle(
    backend: Backend,
    tenant: String,
    resource: String,
    id: Option<String>,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    // Unknown tenants and bad tokens get the same 401, and are not logged to any tenant.
    let authorised = match token {
        Some(t) => backend
            .authenticate_provisioning(&tenant, t)
            .await
            .map_err(ScimFailure::from),
        None => Err(ScimFailure(ScimError::unauthorized())),
    };
    if let Err(e) = authorised {
        return e.into_response();
    }
    let body = match body {
        Ok(b) => b,
        Err(e) => {
            let detail = format!("The request body could not be read: {}", e.body_text());
            return ScimFailure(ScimError::new(e.status().as_u16(), None, detail)).into_response();
        }
    };
    let path = match &id {
        Some(id) => format!("/{resource}/{id}"),
        None => format!("/{resource}"),
    };
    let query: HashMap<String, String> = query
        .as_deref()
        .map(|q| {
            form_urlencoded_pairs(q)
                .into_iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v))
                .collect()
        })
        .unwrap_or_default();
    let req = Request {
        base: format!("{}/scim/v2/{tenant}", backend.public_url()),
        tenant,
        method,
        resource,
        id,
        query,
        body,
    };
    let method = req.method.to_string();
    let tenant_id = req.tenant.clone();
    let outcome = route(&backend, req).await;
    let (status, resource_id, detail) = match &outcome {
        Ok(r) => (r.status.as_u16(), r.resource_id.clone(), None),
        Err(e) => (e.0.status, None, Some(e.0.detail.clone())),
    };
    backend.record_activity(ActivityEvent {
        tenant_id,
        at: app::backend::clock::now(),
        method,
        path,
        status,
        resource_id,
        detail,
    });
    match outcome {
        Ok(r) => r.into_response(),
        Err(e) => e.into_response(),
    }
}

/// `a=b&c=%22d%22+e` → pairs, `+` as space (as Entra sends filters).
fn form_urlencoded_pairs(q: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(q).unwrap_or_default()
}

async fn route(b: &Backend, req: Request) -> Outcome {
    let resource = req.resource.to_ascii_lowercase();
    let is_get = req.method == Method::GET;
    match (resource.as_str(), req.id.as_deref()) {
        // `serviceConfiguration`: the name Microsoft's reference implementation uses.
        ("serviceproviderconfig" | "serviceconfiguration", None) if is_get => {
            Ok(Reply::ok(discovery::service_provider_config(&req.base)))
        }
        ("resourcetypes", id) if is_get => Ok(Reply::ok(discovery::resource_types(&req.base, id)?)),
        ("schemas", id) if is_get => Ok(Reply::ok(discovery::schemas(&req.base, id)?)),
        ("serviceproviderconfig" | "resourcetypes" | "schemas", _) => Err(method_not_allowed()),
        (".search", None) if req.method == Method::POST => search_all(b, &req).await,
        ("users", id) => users(b, &req, id).await,
        ("groups", id) => groups(b, &req, id).await,
        _ => Err(
            ScimError::not_found(format!("There is no SCIM endpoint “{}”.", req.resource)).into(),
        ),
    }
}

/// `POST /.search` at the root (RFC 7644 §3.4.3): users, then groups, paged as one list.
async fn search_all(b: &Backend, req: &Request) -> Outcome {
    let p = search_params(req)?;
    let (t, base) = (req.tenant.as_str(), req.base.as_str());
    let (users_total, users) = b
        .scim_list_users(t, p.condition(Resource::User)?.as_ref(), p.start, p.count)
        .await?;
    let mut items: Vec<Value> = users
        .iter()
        .map(|u| render::user(base, u, &p.projection))
        .collect();
    // Groups continue where the users end.
    let group_start = (p.start - users_total).max(1);
    let room = p.count - i64::try_from(items.len()).unwrap_or(p.count);
    let (groups_total, groups) = b
        .scim_list_groups(
            t,
            p.condition(Resource::Group)?.as_ref(),
            group_start,
            room.max(0),
        )
        .await?;
    for g in &groups {
        items.push(group_json(b, t, base, g, &p.projection, true).await?);
    }
    Ok(Reply::ok(render::list(
        users_total + groups_total,
        p.start,
        items,
    )))
}

/// A group as SCIM JSON, loading its members only when they will be shown (and `may_load`).
async fn group_json(
    b: &Backend,
    tenant: &str,
    base: &str,
    g: &ScimGroup,
    p: &Projection,
    may_load: bool,
) -> Result<Value, ScimFailure> {
    let members = if may_load && p.wants("members") {
        Some(b.scim_group_members(tenant, &g.id).await?)
    } else {
        None
    };
    Ok(render::group(base, g, members.as_deref(), p))
}

fn method_not_allowed() -> ScimFailure {
    ScimError::new(405, None, "This endpoint does not support this method.").into()
}

fn json_body(req: &Request) -> Result<Value, ScimFailure> {
    serde_json::from_slice(&req.body).map_err(|e| {
        ScimError::bad(
            ScimType::InvalidSyntax,
            format!("The body is not valid JSON: {e}"),
        )
        .into()
    })
}

/// Paging and projection for lists, from the query or a `.search` body.
struct ListParams {
    filter: Option<Filter>,
    start: i64,
    count: i64,
    projection: Projection,
}

impl ListParams {
    /// The filter as the store's condition on `resource`.
    fn condition(&self, resource: Resource) -> Result<Option<Condition>, ScimFailure> {
        Ok(self
            .filter
            .as_ref()
            .map(|f| lower(resource, f))
            .transpose()?)
    }
}

fn list_params(get: impl Fn(&str) -> Option<String>) -> Result<ListParams, ScimFailure> {
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
    Ok(ListParams {
        filter,
        start: number("startindex", 1)?.max(1),
        count: number("count", 100)?.clamp(0, MAX_RESULTS),
        projection: Projection::parse(
            get("attributes").as_deref(),
            get("excludedattributes").as_deref(),
        )?,
    })
}

fn query_params(req: &Request) -> Result<ListParams, ScimFailure> {
    list_params(|k| req.query.get(k).cloned())
}

fn search_params(req: &Request) -> Result<ListParams, ScimFailure> {
    let body = json_body(req)?;
    let obj = body.as_object().cloned().unwrap_or_default();
    list_params(|k| {
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
}

fn projection(req: &Request) -> Result<Projection, ScimFailure> {
    Ok(Projection::parse(
        req.query.get("attributes").map(String::as_str),
        req.query.get("excludedattributes").map(String::as_str),
    )?)
}

// RFC 7644 §3.3 (create), §3.4.1 (get), §3.4.2 (query), §3.5.1 (PUT), §3.5.2 (PATCH), §3.6 (DELETE)
async fn users(b: &Backend, req: &Request, id: Option<&str>) -> Outcome {
    let t = req.tenant.as_str();
    let base = req.base.as_str();
    match (&req.method, id) {
        (&Method::GET, None) => {
            let p = query_params(req)?;
            let (total, users) = b
                .scim_list_users(t, p.condition(Resource::User)?.as_ref(), p.start, p.count)
                .await?;
            let items = users
                .iter()
                .map(|u| render::user(base, u, &p.projection))
                .collect();
            Ok(Reply::ok(render::list(total, p.start, items)))
        }
        (&Method::POST, Some(".search")) => {
            let p = search_params(req)?;
            let (total, users) = b
                .scim_list_users(t, p.condition(Resource::User)?.as_ref(), p.start, p.count)
                .await?;
            let items = users
                .iter()
                .map(|u| render::user(base, u, &p.projection))
                .collect();
            Ok(Reply::ok(render::list(total, p.start, items)))
        }
        (&Method::POST, None) => {
            // Everything of the request is parsed before anything is written.
            let p = projection(req)?;
            let u = b
                .scim_create_user(t, user_from_body(&json_body(req)?)?)
                .await?;
            let loc = format!("{base}/Users/{}", u.id);
            Ok(Reply::resource(
                StatusCode::CREATED,
                render::user(base, &u, &p),
                &u.id,
                u.version,
                Some(loc),
            ))
        }
        (&Method::GET, Some(id)) => {
            let u = b.scim_get_user(t, id).await?;
            Ok(Reply::resource(
                StatusCode::OK,
                render::user(base, &u, &projection(req)?),
                &u.id,
                u.version,
                None,
            ))
        }
        (&Method::PUT, Some(id)) => {
            let p = projection(req)?;
            let u = b
                .scim_replace_user(t, id, user_from_body(&json_body(req)?)?)
                .await?;
            Ok(Reply::resource(
                StatusCode::OK,
                render::user(base, &u, &p),
                &u.id,
                u.version,
                None,
            ))
        }
        (&Method::PATCH, Some(id)) => {
            let p = projection(req)?;
            let ops = parse_patch(&json_body(req)?)?;
            let u = b.scim_patch_user(t, id, &Patch(ops)).await?;
            Ok(Reply::resource(
                StatusCode::OK,
                render::user(base, &u, &p),
                &u.id,
                u.version,
                None,
            ))
        }
        (&Method::DELETE, Some(id)) => {
            b.scim_delete_user(t, id, &Tombstone).await?;
            Ok(Reply::no_content(id))
        }
        _ => Err(method_not_allowed()),
    }
}

async fn groups(b: &Backend, req: &Request, id: Option<&str>) -> Outcome {
    let t = req.tenant.as_str();
    let base = req.base.as_str();
    let list = |p: ListParams| async move {
        let (total, groups) = b
            .scim_list_groups(t, p.condition(Resource::Group)?.as_ref(), p.start, p.count)
            .await?;
        let mut items = Vec::with_capacity(groups.len());
        for g in &groups {
            items.push(group_json(b, t, base, g, &p.projection, true).await?);
        }
        Ok::<_, ScimFailure>(Reply::ok(render::list(total, p.start, items)))
    };
    match (&req.method, id) {
        (&Method::GET, None) => list(query_params(req)?).await,
        (&Method::POST, Some(".search")) => list(search_params(req)?).await,
        (&Method::POST, None) => {
            let p = projection(req)?;
            let (record, members) = group_from_body(&json_body(req)?)?;
            let g = b.scim_create_group(t, record, &members).await?;
            let body = group_json(b, t, base, &g, &p, true).await?;
            let loc = format!("{base}/Groups/{}", g.id);
            Ok(Reply::resource(
                StatusCode::CREATED,
                body,
                &g.id,
                g.version,
                Some(loc),
            ))
        }
        (&Method::GET, Some(id)) => {
            let g = b.scim_get_group(t, id).await?;
            let p = projection(req)?;
            let body = group_json(b, t, base, &g, &p, true).await?;
            Ok(Reply::resource(
                StatusCode::OK,
                body,
                &g.id,
                g.version,
                None,
            ))
        }
        (&Method::PUT, Some(id)) => {
            let p = projection(req)?;
            let (record, members) = group_from_body(&json_body(req)?)?;
            let g = b.scim_replace_group(t, id, record, &members).await?;
            let body = group_json(b, t, base, &g, &p, true).await?;
            Ok(Reply::resource(
                StatusCode::OK,
                body,
                &g.id,
                g.version,
                None,
            ))
        }
        (&Method::PATCH, Some(id)) => {
            // 204 No Content, Entra's own example; with `attributes` named, 200 and the whole
            // resource as projected (RFC 7644 §3.5.2: a 200 carries the entire resource).
            let p = projection(req)?;
            let ops = parse_patch(&json_body(req)?)?;
            let g = b.scim_patch_group(t, id, &Patch(ops)).await?;
            if !req.query.contains_key("attributes") {
                return Ok(Reply::no_content(&g.id));
            }
            let body = group_json(b, t, base, &g, &p, true).await?;
            Ok(Reply::resource(
                StatusCode::OK,
                body,
                &g.id,
                g.version,
                None,
            ))
        }
        (&Method::DELETE, Some(id)) => {
            b.scim_delete_group(t, id).await?;
            Ok(Reply::no_content(id))
        }
        _ => Err(method_not_allowed()),
    }
}

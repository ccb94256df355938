//! A successful SCIM answer: status, body, `Location` and `ETag`, and the id the activity log
//! records.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::error::ScimFailure;
use super::{render, SCIM_JSON};

/// What every SCIM handler returns.
pub type Outcome = Result<Reply, ScimFailure>;

/// The id of the resource a request created or touched, for the activity log.
#[derive(Debug, Clone)]
pub struct TouchedResource(pub String);

/// How many resources a list answer matched (the activity log tells Entra's Test Connection,
/// a query for a made-up userName answered with none, from a query that found someone).
#[derive(Debug, Clone, Copy)]
pub struct Listed(pub i64);

pub struct Reply {
    status: StatusCode,
    body: Option<Value>,
    location: Option<String>,
    version: Option<i64>,
    resource_id: Option<String>,
    listed: Option<i64>,
}

impl Reply {
    /// `200` with a body that is no single resource (a list, discovery).
    pub fn ok(body: Value) -> Self {
        Self {
            status: StatusCode::OK,
            body: Some(body),
            location: None,
            version: None,
            resource_id: None,
            listed: None,
        }
    }

    /// `200` with a ListResponse of `total` matches.
    pub fn list(total: i64, start: i64, resources: Vec<Value>) -> Self {
        Self {
            listed: Some(total),
            ..Self::ok(render::list(total, start, resources))
        }
    }

    /// `200` with a resource.
    pub fn resource(body: Value, id: &str, version: i64) -> Self {
        Self {
            status: StatusCode::OK,
            body: Some(body),
            location: None,
            version: Some(version),
            resource_id: Some(id.to_owned()),
            listed: None,
        }
    }

    /// `201 Created` with the new resource and where it lives.
    pub fn created(body: Value, id: &str, version: i64, location: String) -> Self {
        Self {
            status: StatusCode::CREATED,
            location: Some(location),
            ..Self::resource(body, id, version)
        }
    }

    pub fn no_content(id: &str) -> Self {
        Self {
            status: StatusCode::NO_CONTENT,
            body: None,
            location: None,
            version: None,
            resource_id: Some(id.to_owned()),
            listed: None,
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
        if let Some(id) = self.resource_id {
            res.extensions_mut().insert(TouchedResource(id));
        }
        if let Some(n) = self.listed {
            res.extensions_mut().insert(Listed(n));
        }
        res
    }
}

//! Errors leave the SCIM API once, here: as a SCIM Error body with `application/scim+json`.

use app::backend::DomainError;
use app::scim::{ScimError, ScimType};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::SCIM_JSON;

/// The detail of a failed SCIM answer, for the activity log.
#[derive(Debug, Clone)]
pub struct FailureDetail(pub String);

/// A SCIM error ready to send.
#[derive(Debug)]
pub struct ScimFailure(pub ScimError);

impl From<ScimError> for ScimFailure {
    fn from(e: ScimError) -> Self {
        Self(e)
    }
}

impl From<DomainError> for ScimFailure {
    fn from(e: DomainError) -> Self {
        Self(match e {
            DomainError::Form(list) => ScimError::bad(
                ScimType::InvalidValue,
                list.iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            DomainError::Refused(message) => ScimError::bad(ScimType::InvalidValue, message),
            DomainError::NotFound(what) => {
                ScimError::not_found(format!("No {what} with this id in this tenant."))
            }
            DomainError::Invalid(e) => ScimError::bad(
                ScimType::InvalidValue,
                format!("{}: {}", e.field, e.message),
            ),
            DomainError::Conflict { message, .. } => ScimError::conflict(message),
            DomainError::Unauthorized | DomainError::InvalidCredentials => {
                ScimError::unauthorized()
            }
            DomainError::Forbidden | DomainError::Denied(_) => {
                ScimError::new(403, None, "Forbidden.")
            }
            DomainError::Throttled { .. } => ScimError::new(429, None, "Too many requests."),
            other @ (DomainError::Db(_) | DomainError::Migrate(_) | DomainError::Internal(_)) => {
                tracing::error!(error = %other, "SCIM request failed");
                ScimError::internal()
            }
        })
    }
}

impl IntoResponse for ScimFailure {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut res = (status, self.0.body().to_string()).into_response();
        res.extensions_mut().insert(FailureDetail(self.0.detail));
        let headers = res.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(SCIM_JSON));
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"Cantara SCIM\""),
            );
        }
        res
    }
}

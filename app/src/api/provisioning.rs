//! Provisioning tokens and activity for the current tenant (Tenants page).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::error::AppError;

/// A token as the console lists it (never the secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenView {
    pub id: String,
    pub description: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// A new token: the secret is in this answer only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedToken {
    pub secret: String,
    pub token: TokenView,
}

/// One SCIM request as the activity log recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityView {
    pub at: i64,
    pub method: String,
    pub path: String,
    pub status: u16,
    pub resource_id: Option<String>,
    pub detail: Option<String>,
}

#[cfg(feature = "ssr")]
fn view(t: crate::backend::provisioning_tokens::TokenInfo) -> TokenView {
    TokenView {
        id: t.id,
        description: t.description,
        created_at: t.created_at,
        last_used_at: t.last_used_at,
        expires_at: t.expires_at,
        revoked_at: t.revoked_at,
    }
}

/// The current tenant's provisioning tokens.
#[server(endpoint = "provisioning_tokens")]
pub async fn list_provisioning_tokens() -> Result<Vec<TokenView>, AppError> {
    use super::guard::{fail, require_session};
    let (backend, session) = require_session()?;
    let tokens = backend
        .list_provisioning_tokens(&session.tenant_id)
        .await
        .map_err(fail)?;
    Ok(tokens.into_iter().map(view).collect())
}

/// Generates a provisioning token for the current tenant. `expires_days` empty = never.
#[server(endpoint = "create_provisioning_token")]
pub async fn create_provisioning_token(
    description: String,
    expires_days: String,
) -> Result<CreatedToken, AppError> {
    use super::guard::{fail, require_session};
    let (backend, session) = require_session()?;
    let days = match expires_days.trim() {
        "" => None,
        d => Some(d.parse::<i64>().map_err(|_| {
            fail(AppError::invalid(
                "expires_days",
                "Enter a number of days, or leave it empty.",
            ))
        })?),
    };
    let new = backend
        .create_provisioning_token(&session.tenant_id, &description, days)
        .await
        .map_err(fail)?;
    Ok(CreatedToken {
        secret: new.secret,
        token: view(new.info),
    })
}

#[server(endpoint = "revoke_provisioning_token")]
pub async fn revoke_provisioning_token(token_id: String) -> Result<(), AppError> {
    use super::guard::{fail, require_session};
    let (backend, session) = require_session()?;
    backend
        .revoke_provisioning_token(&session.tenant_id, &token_id)
        .await
        .map_err(fail)
}

/// The newest provisioning requests of the current tenant (newest first).
#[server(endpoint = "provisioning_activity")]
pub async fn list_provisioning_activity(
    failures_only: bool,
    limit: i64,
) -> Result<Vec<ActivityView>, AppError> {
    use super::guard::{fail, require_session};
    let (backend, session) = require_session()?;
    let events = backend
        .list_activity(&session.tenant_id, failures_only, limit)
        .await
        .map_err(fail)?;
    Ok(events
        .into_iter()
        .map(|e| ActivityView {
            at: e.at,
            method: e.method,
            path: e.path,
            status: e.status,
            resource_id: e.resource_id,
            detail: e.detail,
        })
        .collect())
}

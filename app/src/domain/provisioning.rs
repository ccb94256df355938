//! Provisioning as the console shows it: tokens (never their secret, except once when created)
//! and the activity log of SCIM requests.

use serde::{Deserialize, Serialize};

use super::ids::TenantId;

/// A token as listed (never the secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    pub id: String,
    pub description: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// A newly created token: the secret, to show once, and its listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewToken {
    pub secret: String,
    pub info: TokenInfo,
}

/// One SCIM request as the activity log recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityEvent {
    pub tenant_id: TenantId,
    /// Unix seconds.
    pub at: i64,
    pub method: String,
    /// Path below the tenant, e.g. `/Users/…` (no query string).
    pub path: String,
    pub status: u16,
    pub resource_id: Option<String>,
    /// For failures: the SCIM error detail.
    pub detail: Option<String>,
}

/// Per tenant: when Entra last called, and what it has provisioned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisioningSummary {
    pub last_call_at: Option<i64>,
    pub users: i64,
    pub groups: i64,
}

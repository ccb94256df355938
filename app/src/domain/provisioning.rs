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
    /// For failures: the SCIM error detail; for refused tokens, why (never the token).
    pub detail: Option<String>,
    /// A list's `filter` parameter as sent (at most [`FILTER_KEPT`] characters).
    pub filter: Option<String>,
    /// A list answer's number of matches (not stored; the assistant's milestones use it).
    #[serde(default)]
    pub listed: Option<i64>,
}

/// How much of a list request's filter is kept.
pub const FILTER_KEPT: usize = 300;

/// Why a SCIM request's bearer token was refused, as the Provisioning log says it. The caller
/// gets the same 401 in every case; only the tenant's admins see which it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenRefusal {
    Missing,
    /// Not a provisioning token of this tenant (mistyped, another tenant's, or made up).
    Unknown,
    Revoked {
        name: String,
        at: i64,
    },
    Expired {
        name: String,
        at: i64,
    },
}

impl TokenRefusal {
    pub fn describe(&self) -> String {
        use super::time::format_utc_seconds;
        match self {
            TokenRefusal::Missing => "Refused: the request carried no bearer token. In Entra, enter a token generated here as the Secret Token (Provisioning → Admin Credentials).".into(),
            TokenRefusal::Unknown => "Refused: the bearer token is not a provisioning token of this tenant. Check the Secret Token in Entra (Provisioning → Admin Credentials), or generate a new one here.".into(),
            TokenRefusal::Revoked { name, at } => format!(
                "Refused: the token was revoked on {} ({name}). Generate a new token and enter it in Entra as the Secret Token.",
                format_utc_seconds(*at)
            ),
            TokenRefusal::Expired { name, at } => format!(
                "Refused: the token expired on {} ({name}). Generate a new token and enter it in Entra as the Secret Token.",
                format_utc_seconds(*at)
            ),
        }
    }
}

/// The resource a logged request touched, by name, with its page in the console.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceRef {
    pub id: String,
    /// The user's username or the group's name; the id when it is gone.
    pub name: String,
    /// `/users/{id}` or `/security-groups/{id}` while it exists.
    pub href: Option<String>,
}

/// One row of the Provisioning log, as the console shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityEntry {
    pub at: i64,
    pub method: String,
    pub path: String,
    pub status: u16,
    pub resource: Option<ResourceRef>,
    pub detail: Option<String>,
    /// The list filter in words ("userName is “alice@contoso.com”").
    pub filter_words: Option<String>,
}

impl ActivityEntry {
    /// A `GET /Users` with a filter: what Entra's Test Connection and each cycle's matching send.
    pub fn is_user_lookup(&self) -> bool {
        self.method == "GET" && self.path == "/Users" && self.filter_words.is_some()
    }
}

/// A page of the Provisioning log, and the newest refusal for a token when nothing has succeeded
/// since (what a failing Test Connection leaves).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityPage {
    pub entries: Vec<ActivityEntry>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub refused: Option<ActivityEntry>,
}

/// The status code's word ("404 Not Found"), for the log.
pub fn status_text(code: u16) -> String {
    let word = match code {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        412 => "Precondition Failed",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "",
    };
    if word.is_empty() {
        code.to_string()
    } else {
        format!("{code} {word}")
    }
}

/// Per tenant: when Entra last called, and what it has provisioned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisioningSummary {
    pub last_call_at: Option<i64>,
    pub users: i64,
    pub groups: i64,
}

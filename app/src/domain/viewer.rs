//! Who is looking at the console: the signed-in person and the tenant they are working in.

use serde::{Deserialize, Serialize};

use super::permission::Grants;
use super::tenant::TenantRef;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub username: String,
    pub display_name: String,
    /// The tenant the console currently shows.
    pub tenant: TenantRef,
    /// Every tenant this person may switch to (at least the current one).
    pub tenants: Vec<TenantRef>,
}

/// What the signed-in person may do in the tenant the console shows: the console hides the
/// rest (the server checks every call again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyAccess {
    /// Display name, or username when there is none.
    pub name: String,
    pub grants: Grants,
}

/// What the sign-in page shows for a tenant before anyone is signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginTarget {
    pub tenant_id: String,
    pub tenant_name: String,
    /// The Provider Display Name of the tenant's active identity provider, if one is active.
    pub sso_provider: Option<String>,
}

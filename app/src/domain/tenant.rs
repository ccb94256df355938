//! Tenants: the unit that owns users, groups, identity providers and provisioning tokens.

use serde::{Deserialize, Serialize};

use super::error::FieldError;
use super::ids::TenantId;

/// A tenant as the console lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tenant {
    /// The `Tenant ID`: the last segment of the SCIM Tenant URL.
    pub id: TenantId,
    pub name: String,
    /// `{PUBLIC_URL}/scim/v2/{TenantID}`, what the admin pastes into Entra.
    pub scim_url: String,
    /// Unix seconds.
    pub created_at: i64,
    /// The tenant made at first start; local sign-in on `/login` uses it.
    pub is_default: bool,
}

/// Just enough to name a tenant in the header or a switcher.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantRef {
    pub id: TenantId,
    pub name: String,
}

/// A tenant name, trimmed and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantName(String);

impl TenantName {
    pub const MAX_LEN: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(FieldError::new("name", "Enter a name for the tenant."));
        }
        if name.chars().count() > Self::MAX_LEN {
            return Err(FieldError::new(
                "name",
                format!(
                    "The name is too long (at most {} characters).",
                    Self::MAX_LEN
                ),
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(FieldError::new(
                "name",
                "The name cannot contain control characters.",
            ));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The SCIM Tenant URL for a tenant, from the public base URL (no trailing slash).
pub fn scim_tenant_url(public_url: &str, tenant_id: &str) -> String {
    format!("{}/scim/v2/{}", public_url.trim_end_matches('/'), tenant_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_name_is_trimmed_and_bounded() {
        assert_eq!(TenantName::parse("  Contoso ").unwrap().as_str(), "Contoso");
        assert_eq!(TenantName::parse("   ").unwrap_err().field, "name");
        assert!(TenantName::parse(&"x".repeat(101)).is_err());
        assert!(TenantName::parse("a\u{7}b").is_err());
        assert!(TenantName::parse(&"é".repeat(100)).is_ok());
    }

    #[test]
    fn scim_url_joins_without_double_slash() {
        assert_eq!(
            scim_tenant_url("https://c.example/", "abc"),
            "https://c.example/scim/v2/abc"
        );
    }
}

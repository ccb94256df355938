//! Ids of the things Cantara keeps, as types: a tenant's id cannot be passed where an account's
//! is expected. They travel as plain strings (serde, SQL) and are never parsed for meaning.

use serde::{Deserialize, Serialize};

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(transparent))]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// A new random id (a UUID, as every id Cantara makes).
            #[cfg(feature = "ssr")]
            pub fn generate() -> Self {
                Self(uuid::Uuid::new_v4().to_string())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_owned())
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }
    };
}

id!(
    /// A tenant (`/scim/v2/{TenantID}`).
    TenantId
);
id!(
    /// An account: local, single sign-on or SCIM (a SCIM user's `id`).
    AccountId
);
id!(
    /// A security group, local or SCIM (a SCIM group's `id`).
    GroupId
);
id!(
    /// An identity provider configuration.
    IdpId
);

//! People and security groups as the console's Users and Security Groups pages show them.

use serde::{Deserialize, Serialize};

use super::account::AccountSource;

/// A page of results with the total count, for server-side pagination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    /// 1-based.
    pub page: i64,
    pub per_page: i64,
}

impl<T> Page<T> {
    /// "1–50 of 12,408" style range of this page, or None when empty.
    pub fn range(&self) -> Option<(i64, i64)> {
        if self.items.is_empty() {
            return None;
        }
        let first = (self.page - 1) * self.per_page + 1;
        Some((first, first + self.items.len() as i64 - 1))
    }
    pub fn has_next(&self) -> bool {
        self.page * self.per_page < self.total
    }
    /// Where this page sits among all of them, for the pager.
    pub fn info(&self) -> PageInfo {
        PageInfo {
            page: self.page,
            per_page: self.per_page,
            total: self.total,
            shown: self.items.len() as i64,
        }
    }
}

/// A page's position: which page, how many per page, how many in all, how many shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageInfo {
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
    pub shown: i64,
}

impl PageInfo {
    pub fn range(&self) -> Option<(i64, i64)> {
        (self.shown > 0).then(|| {
            let first = (self.page - 1) * self.per_page + 1;
            (first, first + self.shown - 1)
        })
    }
    pub fn has_next(&self) -> bool {
        self.page * self.per_page < self.total
    }
    /// Pages in all (at least 1).
    pub fn pages(&self) -> i64 {
        if self.per_page <= 0 {
            1
        } else {
            ((self.total + self.per_page - 1) / self.per_page).max(1)
        }
    }
}

pub const PER_PAGE: i64 = 50;

/// How the Users page is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum UserSort {
    #[default]
    Username,
    DisplayName,
    /// Most recently changed first.
    LastChange,
}

impl UserSort {
    /// From the page's select value; anything else is the default.
    pub fn parse(s: &str) -> Self {
        match s {
            "display_name" => Self::DisplayName,
            "last_change" => Self::LastChange,
            _ => Self::Username,
        }
    }
}

/// The Users page's sign-in filter: where single sign-on and SCIM have not met (yet).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignInFilter {
    #[default]
    Any,
    /// Accounts made at a first single sign-on that Entra never provisioned.
    SsoNotProvisioned,
    /// Accounts Entra provisioned that nobody has signed in to with single sign-on.
    ProvisionedNeverSignedIn,
}

impl SignInFilter {
    /// From the page's select value (`sso_not_provisioned`, `never_signed_in`); else `Any`.
    pub fn parse(s: &str) -> Self {
        match s {
            "sso_not_provisioned" => Self::SsoNotProvisioned,
            "never_signed_in" => Self::ProvisionedNeverSignedIn,
            _ => Self::Any,
        }
    }
}

/// What the Users page asks for: search text, filters, order and page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserQuery {
    pub search: String,
    pub source: Option<AccountSource>,
    pub active: Option<bool>,
    pub sign_in: SignInFilter,
    pub sort: UserSort,
    /// 1-based.
    pub page: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub work_email: Option<String>,
    pub mobile: Option<String>,
    pub source: AccountSource,
    pub active: bool,
    pub updated_at: i64,
    /// When the identity provider deleted the user (SCIM DELETE): deactivated, kept until the
    /// retention passes.
    #[serde(default)]
    pub deleted_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRow {
    pub id: String,
    pub name: String,
    pub source: AccountSource,
    pub members: i64,
    pub updated_at: i64,
}

/// A member as a group's page lists it; `username` is None for ids that are no user here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRow {
    pub id: String,
    pub username: Option<String>,
    pub display_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupDetail {
    pub group: GroupRow,
    /// One page of members, by username.
    pub members: Page<MemberRow>,
}

/// A group a user belongs to, linking to its page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRef {
    pub id: String,
    pub name: String,
}

/// One user with everything the console knows about them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDetail {
    pub user: UserRow,
    pub is_admin: bool,
    /// An Administrator of the Default tenant: also the operator of every tenant.
    pub is_operator: bool,
    pub created_at: i64,
    /// Linked to a person at the identity provider (signed in with single sign-on at least once).
    pub sso_linked: bool,
    /// What Entra sent, as (SCIM attribute path, value): the guide's mapping first, then the rest.
    pub attributes: Vec<(String, String)>,
    pub groups: Vec<GroupRef>,
    /// The signed-in person's own account (which they may neither deactivate nor delete).
    pub is_you: bool,
}

/// What an administrator enters for a local account. An empty password keeps the current one
/// (and is refused for a new account).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalUserForm {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub is_admin: bool,
}

impl LocalUserForm {
    /// Checks every field; all problems are reported at once, next to their fields.
    pub fn validate(
        &self,
        creating: bool,
    ) -> Result<
        (
            super::account::Username,
            Option<super::account::NewPassword>,
        ),
        Vec<super::error::FieldError>,
    > {
        use super::account::{NewPassword, Username};
        use super::error::FieldError;
        let mut problems = vec![];
        let username = Username::parse(&self.username)
            .map_err(|e| problems.push(e))
            .ok();
        if self.display_name.chars().count() > 256 {
            problems.push(FieldError::new(
                "display_name",
                "Use at most 256 characters.",
            ));
        }
        let password = if self.password.is_empty() {
            if creating {
                problems.push(FieldError::new(
                    "password",
                    "Set a password for local sign-in.",
                ));
            }
            None
        } else {
            NewPassword::parse(&self.password)
                .map_err(|e| problems.push(e))
                .ok()
        };
        match username {
            Some(u) if problems.is_empty() => Ok((u, password)),
            _ => Err(problems),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_ranges() {
        let p = Page {
            items: vec![1, 2, 3],
            total: 103,
            page: 3,
            per_page: 50,
        };
        assert_eq!(p.range(), Some((101, 103)));
        assert!(!p.has_next());
        let p = Page {
            items: vec![0; 50],
            total: 103,
            page: 1,
            per_page: 50,
        };
        assert_eq!(p.range(), Some((1, 50)));
        assert!(p.has_next());
    }
}

//! What a person may do in a tenant's console: the permissions, sets of them, and the built-in
//! Security Topics that bundle them. Shared by the browser (to hide what someone may not do) and
//! the server (which alone decides: every server function checks one [`Access`] first).

use serde::{Deserialize, Serialize};

/// One permission of a tenant. Each server function needs at most one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Permission {
    /// List, create, edit, test, activate, deactivate and delete identity providers.
    IdentityProviders,
    /// The SCIM Tenant URL, provisioning tokens and the Provisioning activity page.
    Provisioning,
    /// Create, edit, deactivate, reactivate and delete local users and groups, their passwords
    /// and members.
    Users,
    /// See Users, a user's page, Security Groups and their members.
    Directory,
    /// Create, change and delete custom topics; assign and remove topics on groups.
    SecurityTopics,
    /// See audit trails (identity providers, Security Topic changes, refusals, sign-ins).
    Audit,
}

impl Permission {
    pub const ALL: [Permission; 6] = [
        Permission::IdentityProviders,
        Permission::Provisioning,
        Permission::Users,
        Permission::Directory,
        Permission::SecurityTopics,
        Permission::Audit,
    ];

    /// The stable name stored in the database and sent over the wire in forms.
    pub fn slug(self) -> &'static str {
        match self {
            Permission::IdentityProviders => "identity_providers",
            Permission::Provisioning => "provisioning",
            Permission::Users => "users",
            Permission::Directory => "directory",
            Permission::SecurityTopics => "security_topics",
            Permission::Audit => "audit",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.slug() == slug)
    }

    /// Words for the console's lists ("Manage identity providers").
    pub fn label(self) -> &'static str {
        match self {
            Permission::IdentityProviders => "Manage identity providers",
            Permission::Provisioning => "Manage provisioning (SCIM Tenant URL, tokens, activity)",
            Permission::Users => "Manage local users and local groups",
            Permission::Directory => "See users, groups and their members",
            Permission::SecurityTopics => "Manage Security Topics and assign them to groups",
            Permission::Audit => "See audit trails",
        }
    }

    /// What a refusal says the person may not do: "You don't have permission to {action}."
    pub fn action(self) -> &'static str {
        match self {
            Permission::IdentityProviders => "manage identity providers",
            Permission::Provisioning => "manage provisioning",
            Permission::Users => "manage users and groups",
            Permission::Directory => "see users and groups",
            Permission::SecurityTopics => "manage Security Topics",
            Permission::Audit => "see audit trails",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of permissions (a small bit set; order-free, cheap to copy).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PermissionSet(u8);

impl PermissionSet {
    pub const EMPTY: PermissionSet = PermissionSet(0);

    pub fn all() -> Self {
        Permission::ALL.into_iter().collect()
    }

    pub fn only(p: Permission) -> Self {
        PermissionSet(p.bit())
    }

    pub fn contains(self, p: Permission) -> bool {
        self.0 & p.bit() != 0
    }

    pub fn insert(&mut self, p: Permission) {
        self.0 |= p.bit();
    }

    pub fn union(self, other: PermissionSet) -> Self {
        PermissionSet(self.0 | other.0)
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Every permission of `self` is also in `other`.
    pub fn is_subset(self, other: PermissionSet) -> bool {
        self.0 & !other.0 == 0
    }

    /// The permissions of `self` that `other` lacks.
    pub fn missing_from(self, other: PermissionSet) -> Vec<Permission> {
        self.iter().filter(|p| !other.contains(*p)).collect()
    }

    pub fn iter(self) -> impl Iterator<Item = Permission> {
        Permission::ALL
            .into_iter()
            .filter(move |p| self.contains(*p))
    }

    /// `identity_providers,users` (the stored form of a custom topic's permissions).
    pub fn to_slugs(self) -> String {
        self.iter()
            .map(Permission::slug)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Reads the stored form; unknown names are skipped (they grant nothing).
    pub fn from_slugs(text: &str) -> Self {
        text.split(',')
            .filter_map(|s| Permission::from_slug(s.trim()))
            .collect()
    }
}

impl FromIterator<Permission> for PermissionSet {
    fn from_iter<I: IntoIterator<Item = Permission>>(iter: I) -> Self {
        let mut set = PermissionSet::EMPTY;
        for p in iter {
            set.insert(p);
        }
        set
    }
}

/// What a server function requires of its caller: declared once, checked on the server first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, before sign-in (the sign-in page's own functions).
    Public,
    /// Anyone signed in, whatever they hold (who am I; the "no access yet" page).
    SignedIn,
    /// Signed in and holding this permission in the current tenant.
    Permission(Permission),
    /// A local administrator of the Default tenant: creates tenants and enters any of them.
    Operator,
    /// Signed in and holding at least one of these (a page that serves two kinds of admin).
    AnyOf(PermissionSet),
}

/// The Connect Microsoft Entra ID assistant serves both admins its steps need.
pub const CONNECT_ENTRA: Access = Access::AnyOf(PermissionSet(
    (1 << Permission::IdentityProviders as u8) | (1 << Permission::Provisioning as u8),
));

impl From<Permission> for Access {
    fn from(p: Permission) -> Self {
        Access::Permission(p)
    }
}

/// A built-in Security Topic: the same in every tenant, never changed or deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltinTopic {
    /// Stable id, also used in URLs (`/security-topics/builtin-directory-viewer`).
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub permission: Permission,
}

pub const BUILTIN_TOPICS: [BuiltinTopic; 6] = [
    BuiltinTopic {
        id: "builtin-identity-provider-administration",
        name: "Identity Provider Administration",
        description: "List, create, edit, test, activate, deactivate and delete identity providers.",
        permission: Permission::IdentityProviders,
    },
    BuiltinTopic {
        id: "builtin-provisioning-administration",
        name: "Provisioning Administration",
        description: "The Tenants page's SCIM Tenant URL and provisioning tokens (generate, revoke), and the Provisioning activity page.",
        permission: Permission::Provisioning,
    },
    BuiltinTopic {
        id: "builtin-user-administration",
        name: "User Administration",
        description: "Create, edit, deactivate, reactivate and delete local users and local groups, set their passwords, add and remove local group members. SCIM accounts stay read-only.",
        permission: Permission::Users,
    },
    BuiltinTopic {
        id: "builtin-directory-viewer",
        name: "Directory Viewer",
        description: "See Users, a user's page, Security Groups and their members.",
        permission: Permission::Directory,
    },
    BuiltinTopic {
        id: "builtin-security-topic-administration",
        name: "Security Topic Administration",
        description: "Assign and remove Security Topics on groups; create, change and delete custom topics.",
        permission: Permission::SecurityTopics,
    },
    BuiltinTopic {
        id: "builtin-audit-viewer",
        name: "Audit Viewer",
        description: "See audit trails: identity providers, Security Topic changes, refusals and sign-ins.",
        permission: Permission::Audit,
    },
];

pub fn builtin_topic(id: &str) -> Option<&'static BuiltinTopic> {
    BUILTIN_TOPICS.iter().find(|t| t.id == id)
}

/// What the signed-in person holds in the tenant the console shows; the browser uses it only
/// to hide what they may not do (the server checks again on every call).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grants {
    pub permissions: PermissionSet,
    /// A local account marked Administrator (holds every permission of its tenant).
    pub is_admin: bool,
    /// An administrator of the Default tenant: the Tenants page for every tenant.
    pub is_operator: bool,
}

impl Grants {
    pub fn has(&self, p: Permission) -> bool {
        self.permissions.contains(p)
    }

    /// Nothing at all: the console shows only the "no access yet" page.
    pub fn has_nothing(&self) -> bool {
        self.permissions.is_empty() && !self.is_operator
    }

    pub fn allows(&self, access: Access) -> bool {
        match access {
            Access::Public | Access::SignedIn => true,
            Access::Permission(p) => self.has(p),
            Access::Operator => self.is_operator,
            Access::AnyOf(set) => set.iter().any(|p| self.has(p)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_union_subset_and_round_trip_through_slugs() {
        let a: PermissionSet = [Permission::Directory, Permission::Users]
            .into_iter()
            .collect();
        let b = PermissionSet::only(Permission::Audit);
        let u = a.union(b);
        assert!(u.contains(Permission::Audit) && u.contains(Permission::Users));
        assert!(!u.contains(Permission::IdentityProviders));
        assert!(a.is_subset(u) && !u.is_subset(a));
        assert_eq!(u.missing_from(a), vec![Permission::Audit]);
        assert_eq!(PermissionSet::from_slugs(&u.to_slugs()), u);
        assert_eq!(
            PermissionSet::from_slugs("users, nonsense,,"),
            PermissionSet::only(Permission::Users)
        );
        assert!(PermissionSet::EMPTY.is_subset(PermissionSet::EMPTY));
        assert_eq!(PermissionSet::all().iter().count(), 6);
    }

    #[test]
    fn every_permission_has_one_builtin_topic_with_the_contract_name() {
        let names: Vec<&str> = BUILTIN_TOPICS.iter().map(|t| t.name).collect();
        assert_eq!(
            names,
            [
                "Identity Provider Administration",
                "Provisioning Administration",
                "User Administration",
                "Directory Viewer",
                "Security Topic Administration",
                "Audit Viewer"
            ]
        );
        for p in Permission::ALL {
            assert_eq!(
                BUILTIN_TOPICS.iter().filter(|t| t.permission == p).count(),
                1
            );
            assert_eq!(Permission::from_slug(p.slug()), Some(p));
        }
        assert!(builtin_topic("builtin-directory-viewer").is_some());
        assert!(builtin_topic("nope").is_none());
    }

    #[test]
    fn grants_decide_access() {
        let none = Grants::default();
        assert!(none.has_nothing());
        assert!(none.allows(Access::SignedIn));
        assert!(!none.allows(Access::Permission(Permission::Directory)));
        assert!(!none.allows(Access::Operator));
        assert!(!none.allows(CONNECT_ENTRA));
        let viewer = Grants {
            permissions: PermissionSet::only(Permission::Directory),
            ..Grants::default()
        };
        assert!(viewer.allows(Access::Permission(Permission::Directory)));
        assert!(!viewer.allows(Access::Permission(Permission::Users)));
        assert!(!viewer.has_nothing());
        assert!(!viewer.allows(CONNECT_ENTRA));
        for p in [Permission::IdentityProviders, Permission::Provisioning] {
            let one = Grants {
                permissions: PermissionSet::only(p),
                ..Grants::default()
            };
            assert!(one.allows(CONNECT_ENTRA));
        }
    }
}

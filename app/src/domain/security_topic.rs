//! Security Topics as the console shows and edits them: topics with their permissions and the
//! groups holding them, a person's effective permissions with where each comes from, and the
//! security audit trail.

use serde::{Deserialize, Serialize};

use super::directory::GroupRef;
use super::error::FieldError;
use super::permission::{Permission, PermissionSet};

/// A topic: built in (same in every tenant, never changed) or custom (this tenant's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicSummary {
    pub id: String,
    pub name: String,
    pub description: String,
    pub builtin: bool,
    pub permissions: PermissionSet,
    /// The groups of the tenant that hold this topic, by name.
    pub groups: Vec<GroupRef>,
}

/// A topic as a group's page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicRef {
    pub id: String,
    pub name: String,
}

/// A custom topic's fields as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicForm {
    pub name: String,
    pub description: String,
    pub permissions: Vec<Permission>,
}

/// A custom topic's fields, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidTopic {
    pub name: String,
    pub description: String,
    pub permissions: PermissionSet,
}

impl TopicForm {
    pub const MAX_NAME: usize = 100;
    pub const MAX_DESCRIPTION: usize = 500;

    /// Every problem at once; built-in names are taken.
    pub fn validate(&self) -> Result<ValidTopic, Vec<FieldError>> {
        let mut errors = vec![];
        let name = self.name.trim();
        let description = self.description.trim();
        if name.is_empty() {
            errors.push(field("name", "Enter a name."));
        } else if name.chars().count() > Self::MAX_NAME || name.chars().any(char::is_control) {
            errors.push(field(
                "name",
                &format!("Use at most {} characters.", Self::MAX_NAME),
            ));
        } else if super::permission::BUILTIN_TOPICS
            .iter()
            .any(|t| t.name.eq_ignore_ascii_case(name))
        {
            errors.push(field("name", "This is the name of a built-in topic."));
        }
        if description.chars().count() > Self::MAX_DESCRIPTION {
            errors.push(field(
                "description",
                &format!("Use at most {} characters.", Self::MAX_DESCRIPTION),
            ));
        }
        let permissions: PermissionSet = self.permissions.iter().copied().collect();
        if permissions.is_empty() {
            errors.push(field("permissions", "Choose at least one permission."));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ValidTopic {
            name: name.to_owned(),
            description: description.to_owned(),
            permissions,
        })
    }
}

fn field(field: &str, message: &str) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

/// Where a person's permission comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Source {
    /// A local account marked Administrator (or the operator in another tenant).
    Administrator,
    /// A topic held by one of the person's groups.
    Group { group: String, topic: String },
}

impl Source {
    /// "via Finance Team (Directory Viewer)", "as Administrator".
    pub fn words(&self) -> String {
        match self {
            Source::Administrator => "as Administrator".into(),
            Source::Group { group, topic } => format!("via {group} ({topic})"),
        }
    }
}

/// One permission a person holds, with every place it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EffectivePermission {
    pub permission: Permission,
    pub via: Vec<Source>,
}

/// One line of the security audit trail; `repeats` > 1 when identical refusals were folded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityAuditEntry {
    pub at: i64,
    pub last_at: i64,
    pub actor: String,
    pub action: String,
    pub detail: String,
    pub repeats: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_forms_are_checked_at_once() {
        let list = TopicForm::default().validate().unwrap_err();
        assert_eq!(list.len(), 2, "name and permissions");
        let taken = TopicForm {
            name: "directory viewer".into(),
            permissions: vec![Permission::Directory],
            ..TopicForm::default()
        };
        assert!(taken.validate().is_err());
        let ok = TopicForm {
            name: "  Helpdesk ".into(),
            description: "Front line".into(),
            permissions: vec![Permission::Directory, Permission::Users, Permission::Users],
        }
        .validate()
        .unwrap();
        assert_eq!(ok.name, "Helpdesk");
        assert_eq!(ok.permissions.iter().count(), 2);
    }

    #[test]
    fn sources_are_worded() {
        let s = Source::Group {
            group: "Finance Team".into(),
            topic: "Directory Viewer".into(),
        };
        assert_eq!(s.words(), "via Finance Team (Directory Viewer)");
        assert_eq!(Source::Administrator.words(), "as Administrator");
    }
}

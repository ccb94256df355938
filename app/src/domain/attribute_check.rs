//! The attribute mapping check of the Connect Microsoft Entra ID assistant: which of the guide's
//! user attributes Entra actually sent (read from the stored SCIM documents), the exact mapping to
//! add in Entra for each required one that no provisioned user has, and the attributes beyond the
//! guide's table that can be removed ("this reduces latency when provisioning").

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One row of the guide's attribute table, with Entra's default source attribute for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GuideMapping {
    /// The target attribute as Entra's Attribute Mappings page writes it.
    pub target: &'static str,
    /// The source attribute (or expression) Entra maps to it by default.
    pub source: &'static str,
    pub required: bool,
}

/// The guide's table ("Only the following core attributes are required").
pub const GUIDE_MAPPINGS: &[GuideMapping] = &[
    GuideMapping {
        target: "userName",
        source: "userPrincipalName",
        required: true,
    },
    GuideMapping {
        target: "active",
        source: "Switch([IsSoftDeleted], , \"False\", \"True\", \"True\", \"False\")",
        required: true,
    },
    GuideMapping {
        target: "displayName",
        source: "displayName",
        required: true,
    },
    GuideMapping {
        target: "emails[type eq \"work\"].value",
        source: "mail",
        required: true,
    },
    GuideMapping {
        target: "name.givenName",
        source: "givenName",
        required: true,
    },
    GuideMapping {
        target: "name.familyName",
        source: "surname",
        required: true,
    },
    GuideMapping {
        target: "name.formatted",
        source: "Join(\" \", [givenName], [surname])",
        required: true,
    },
    GuideMapping {
        target: "phoneNumbers[type eq \"mobile\"].value",
        source: "mobile",
        required: true,
    },
    GuideMapping {
        target: "externalId",
        source: "objectId",
        required: false,
    },
];

/// What the check found, as the assistant shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeCheck {
    /// Provisioned users whose documents were read (the newest, up to a bound).
    pub users_checked: i64,
    /// Required attributes no checked user has: (target, Entra source attribute).
    pub missing: Vec<(String, String)>,
    /// Attributes beyond the guide's table that some user has (removable).
    pub removable: Vec<String>,
    /// Users arrived but no group ever did ("Provision Microsoft Entra ID Groups" is off).
    pub groups_missing: bool,
}

impl AttributeCheck {
    pub fn passed(&self) -> bool {
        self.missing.is_empty() && !self.groups_missing
    }
}

/// Collects the target paths present across stored user documents.
#[derive(Debug, Default)]
pub struct AttributeCensus {
    seen: BTreeSet<String>,
    users: i64,
}

/// Attributes Cantara itself writes or that are no mapping (never "removable").
const NOT_MAPPED: &[&str] = &["schemas", "id", "meta", "groups", "password"];
/// More distinct extra attributes than this are not listed (a hostile document cannot grow it).
const MAX_SEEN: usize = 200;

impl AttributeCensus {
    pub fn add(&mut self, doc: &Value) {
        self.users += 1;
        let Some(obj) = doc.as_object() else { return };
        for (key, value) in obj {
            if NOT_MAPPED.iter().any(|n| n.eq_ignore_ascii_case(key)) || is_empty(value) {
                continue;
            }
            if key.starts_with("urn:") {
                if let Some(ext) = value.as_object() {
                    for (sub, v) in ext {
                        if !is_empty(v) {
                            self.note(format!("{key}:{sub}"));
                        }
                    }
                }
                continue;
            }
            match value {
                Value::Object(subs) => {
                    for (sub, v) in subs {
                        if !is_empty(v) {
                            self.note(format!("{key}.{sub}"));
                        }
                    }
                }
                Value::Array(items) => {
                    for item in items {
                        let Some(item) = item.as_object() else {
                            self.note(key.clone());
                            continue;
                        };
                        let kind = item.get("type").and_then(Value::as_str);
                        for (sub, v) in item {
                            if sub == "type" || sub == "primary" || is_empty(v) {
                                continue;
                            }
                            self.note(match kind {
                                Some(t) => format!("{key}[type eq \"{t}\"].{sub}"),
                                None => format!("{key}.{sub}"),
                            });
                        }
                    }
                }
                _ => self.note(key.clone()),
            }
        }
    }

    fn note(&mut self, path: String) {
        if self.seen.len() < MAX_SEEN {
            self.seen.insert(path);
        }
    }

    /// Whether some document had this guide target (compared without regard to case).
    pub fn has(&self, target: &str) -> bool {
        self.seen.iter().any(|s| s.eq_ignore_ascii_case(target))
    }

    /// Every required target has been seen (a scan may stop early).
    pub fn has_every_required(&self) -> bool {
        GUIDE_MAPPINGS
            .iter()
            .filter(|m| m.required)
            .all(|m| self.has(m.target))
    }

    pub fn users(&self) -> i64 {
        self.users
    }

    /// The check's result; `groups_missing` comes from the tenant's traffic.
    pub fn finish(&self, groups_missing: bool) -> AttributeCheck {
        if self.users == 0 {
            return AttributeCheck::default();
        }
        let missing = GUIDE_MAPPINGS
            .iter()
            .filter(|m| m.required && !self.has(m.target))
            .map(|m| (m.target.to_owned(), m.source.to_owned()))
            .collect();
        let removable = self
            .seen
            .iter()
            .filter(|s| {
                !GUIDE_MAPPINGS
                    .iter()
                    .any(|m| m.target.eq_ignore_ascii_case(s))
            })
            .cloned()
            .collect();
        AttributeCheck {
            users_checked: self.users,
            missing,
            removable,
            groups_missing,
        }
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entra_user(mobile: bool) -> Value {
        let mut doc = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "alice@contoso.example",
            "active": true,
            "displayName": "Alice Smith",
            "emails": [{"type": "work", "value": "alice@contoso.example", "primary": true}],
            "name": {"givenName": "Alice", "familyName": "Smith", "formatted": "Alice Smith"},
            "externalId": "alice",
            "title": "Engineer",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "R&D"},
        });
        if mobile {
            doc["phoneNumbers"] = json!([{"type": "mobile", "value": "+1 555 0100"}]);
        }
        doc
    }

    #[test]
    fn a_missing_mobile_mapping_is_flagged_with_its_source_and_extras_are_removable() {
        let mut census = AttributeCensus::default();
        census.add(&entra_user(false));
        census.add(&entra_user(false));
        let check = census.finish(false);
        assert_eq!(check.users_checked, 2);
        assert_eq!(
            check.missing,
            vec![(
                "phoneNumbers[type eq \"mobile\"].value".to_owned(),
                "mobile".to_owned()
            )]
        );
        assert_eq!(
            check.removable,
            vec![
                "title".to_owned(),
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department".to_owned()
            ]
        );
        assert!(!check.passed());
    }

    #[test]
    fn one_user_with_the_attribute_is_enough_and_work_phones_are_not_mobile() {
        let mut census = AttributeCensus::default();
        let mut work_phone = entra_user(false);
        work_phone["phoneNumbers"] = json!([{"type": "work", "value": "+1 555 0101"}]);
        census.add(&work_phone);
        assert!(!census.has_every_required());
        census.add(&entra_user(true));
        assert!(census.has_every_required());
        let check = census.finish(false);
        assert!(check.missing.is_empty());
        assert!(check
            .removable
            .contains(&"phoneNumbers[type eq \"work\"].value".to_owned()));
        assert!(check.passed());
        assert!(!census.finish(true).passed());
    }

    #[test]
    fn nothing_provisioned_means_nothing_to_flag() {
        let census = AttributeCensus::default();
        assert_eq!(census.finish(true), AttributeCheck::default());
    }

    #[test]
    fn hostile_documents_cannot_grow_the_list_without_bound() {
        let mut census = AttributeCensus::default();
        let mut doc = serde_json::Map::new();
        for i in 0..5000 {
            doc.insert(format!("x{i}"), json!("v"));
        }
        census.add(&Value::Object(doc));
        census.add(&json!("not an object"));
        assert!(census.finish(false).removable.len() <= MAX_SEEN);
    }
}

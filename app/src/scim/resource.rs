//! A POST/PUT body or a patched document turned into the record the store writes: the document
//! normalised against the schema, and the columns derived from it (`userName`, `displayName`
//! or `name.formatted`, `externalId`, the work e-mail, `active`; a group's `displayName`,
//! `externalId` and member ids).

use serde_json::Value;

use crate::domain::account::is_invisible;
use crate::domain::provisioned::{Document, GroupRecord, UserRecord};

use super::patch::normalize_resource;
use super::schema::{parse_bool, Resource};
use super::{ScimError, ScimType};

/// A user body as a record: normalised, then derived.
pub fn user_from_body(body: &Value) -> Result<UserRecord, ScimError> {
    user_record(normalize_resource(Resource::User, body)?)
}

/// A group body as a record and the member ids it lists.
pub fn group_from_body(body: &Value) -> Result<(GroupRecord, Vec<String>), ScimError> {
    let mut document = normalize_resource(Resource::Group, body)?;
    let members = take_members(&mut document);
    Ok((group_record(document), members))
}

/// The record of a normalised user document. A userName no console could show honestly
/// (control, zero-width or direction characters) is refused, as everywhere else.
pub fn user_record(document: Document) -> Result<UserRecord, ScimError> {
    let username = text(&document, "userName").trim().to_owned();
    if username.chars().any(is_invisible) {
        return Err(ScimError::bad(
            ScimType::InvalidValue,
            "userName contains control or invisible characters.",
        ));
    }
    let display_name = document
        .get("displayName")
        .and_then(Value::as_str)
        .or_else(|| {
            document
                .get("name")
                .and_then(|n| n.get("formatted"))
                .and_then(Value::as_str)
        })
        .unwrap_or_default()
        .to_owned();
    let work_email = document
        .get("emails")
        .and_then(Value::as_array)
        .and_then(|emails| {
            emails.iter().find(|e| {
                e.get("type")
                    .and_then(Value::as_str)
                    .is_some_and(|t| t.eq_ignore_ascii_case("work"))
            })
        })
        .and_then(|e| e.get("value").and_then(Value::as_str))
        .map(str::to_owned);
    Ok(UserRecord {
        name_words: crate::domain::name_words::of_document(&display_name, &document),
        username,
        display_name,
        external_id: document.get("externalId").and_then(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }),
        work_email,
        active: document.get("active").and_then(parse_bool).unwrap_or(true),
        document,
    })
}

/// The record of a group document (without `members`).
pub fn group_record(document: Document) -> GroupRecord {
    GroupRecord {
        name: text(&document, "displayName").trim().to_owned(),
        external_id: document
            .get("externalId")
            .and_then(Value::as_str)
            .map(str::to_owned),
        document,
    }
}

/// The user as kept after the identity provider deleted it: the same document, not active.
pub fn deactivated(current: &Document) -> Result<UserRecord, ScimError> {
    let mut document = current.clone();
    document.insert("active".into(), Value::Bool(false));
    user_record(document)
}

fn text<'a>(doc: &'a Document, key: &str) -> &'a str {
    doc.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// Takes the member ids out of a create/replace document.
fn take_members(doc: &mut Document) -> Vec<String> {
    match doc.remove("members") {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|m| m.get("value").and_then(Value::as_str).map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_user_body_gives_its_indexed_columns() {
        let r = user_from_body(&json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": " Alice@Contoso.com ",
            "name": {"formatted": "Alice A"},
            "externalId": 42,
            "active": "False",
            "emails": [{"type": "home", "value": "a@home"}, {"type": "Work", "value": "A@Contoso.com"}]
        }))
        .unwrap();
        assert_eq!(r.username, "Alice@Contoso.com");
        assert_eq!(r.display_name, "Alice A");
        assert_eq!(r.external_id.as_deref(), Some("42"));
        assert_eq!(r.work_email.as_deref(), Some("A@Contoso.com"));
        assert!(!r.active);
        assert!(deactivated(&r.document).is_ok_and(|d| !d.active && d.username == r.username));
    }

    #[test]
    fn invisible_user_names_are_refused_and_members_leave_the_group_document() {
        let e = user_from_body(&json!({"userName": "bob\u{200b}"})).unwrap_err();
        assert_eq!(e.scim_type, Some(ScimType::InvalidValue));
        let (g, members) = group_from_body(&json!({
            "displayName": "Sales", "members": [{"value": "u1"}, {"value": "u2"}]
        }))
        .unwrap();
        assert_eq!(
            (g.name.as_str(), members),
            ("Sales", vec!["u1".to_owned(), "u2".to_owned()])
        );
        assert!(!g.document.contains_key("members"));
    }
}

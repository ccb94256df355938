//! `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5): which attributes a response carries.
//! `id` and `schemas` are always returned.

use serde_json::{Map, Value};

use super::error::ScimError;
use super::path::AttrPath;
use super::schema::Resource;

#[derive(Debug, Clone, Default)]
pub struct Projection {
    include: Vec<AttrPath>,
    exclude: Vec<AttrPath>,
}

fn parse_list(text: Option<&str>) -> Result<Vec<AttrPath>, ScimError> {
    let Some(text) = text else {
        return Ok(Vec::new());
    };
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            // `emails[type eq "work"]` names the attribute `emails`.
            let s = s.split('[').next().unwrap_or(s);
            AttrPath::parse(s)
        })
        .collect()
}

impl Projection {
    pub fn parse(attributes: Option<&str>, excluded: Option<&str>) -> Result<Self, ScimError> {
        Ok(Self {
            include: parse_list(attributes)?,
            exclude: parse_list(excluded)?,
        })
    }

    /// Whether the response needs `attr` at all (lets groups skip loading members).
    pub fn wants(&self, attr: &str) -> bool {
        let named = |list: &[AttrPath]| {
            list.iter()
                .any(|p| p.attr.eq_ignore_ascii_case(attr) && p.sub.is_none())
        };
        if named(&self.exclude) {
            return false;
        }
        self.include.is_empty()
            || self
                .include
                .iter()
                .any(|p| p.attr.eq_ignore_ascii_case(attr))
    }

    pub fn apply(&self, resource: Resource, obj: &mut Map<String, Value>) {
        let in_scope = |p: &AttrPath, key: &str| -> bool {
            match &p.urn {
                Some(urn) if !resource.is_core(urn) => urn.eq_ignore_ascii_case(key),
                _ => p.attr.eq_ignore_ascii_case(key),
            }
        };
        if !self.include.is_empty() {
            let keys: Vec<String> = obj.keys().cloned().collect();
            for key in keys {
                if key == "id" || key == "schemas" {
                    continue;
                }
                let refs: Vec<&AttrPath> =
                    self.include.iter().filter(|p| in_scope(p, &key)).collect();
                if refs.is_empty() {
                    obj.remove(&key);
                    continue;
                }
                // Narrow to the named sub-attributes, unless the whole attribute was asked for.
                let is_ext = refs
                    .iter()
                    .any(|p| p.urn.as_ref().is_some_and(|u| !resource.is_core(u)));
                let subs: Option<Vec<&str>> = if is_ext {
                    Some(refs.iter().map(|p| p.attr.as_str()).collect())
                } else if refs.iter().all(|p| p.sub.is_some()) {
                    Some(refs.iter().filter_map(|p| p.sub.as_deref()).collect())
                } else {
                    None
                };
                if let (Some(subs), Some(v)) = (subs, obj.get_mut(&key)) {
                    retain_subs(v, &subs);
                }
            }
        }
        for p in &self.exclude {
            let key = obj.keys().find(|k| in_scope(p, k)).cloned();
            let Some(key) = key else { continue };
            if key == "id" || key == "schemas" {
                continue;
            }
            let is_ext = p.urn.as_ref().is_some_and(|u| !resource.is_core(u));
            match (is_ext, &p.sub) {
                (true, _) => {
                    if let Some(Value::Object(ext)) = obj.get_mut(&key) {
                        ext.retain(|k, _| !k.eq_ignore_ascii_case(&p.attr));
                    }
                }
                (false, Some(sub)) => {
                    if let Some(v) = obj.get_mut(&key) {
                        remove_sub(v, sub);
                    }
                }
                (false, None) => {
                    obj.remove(&key);
                }
            }
        }
    }
}

fn retain_subs(v: &mut Value, subs: &[&str]) {
    match v {
        Value::Object(o) => o.retain(|k, _| subs.iter().any(|s| s.eq_ignore_ascii_case(k))),
        Value::Array(items) => items.iter_mut().for_each(|it| retain_subs(it, subs)),
        _ => {}
    }
}

fn remove_sub(v: &mut Value, sub: &str) {
    match v {
        Value::Object(o) => o.retain(|k, _| !k.eq_ignore_ascii_case(sub)),
        Value::Array(items) => items.iter_mut().for_each(|it| remove_sub(it, sub)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user() -> Map<String, Value> {
        json!({
            "schemas": ["x"], "id": "1", "userName": "a", "displayName": "A",
            "name": {"givenName": "G", "familyName": "F"},
            "emails": [{"value": "a@b", "type": "work"}],
            "meta": {"resourceType": "User"},
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "D", "costCenter": "C"},
        })
        .as_object()
        .unwrap()
        .clone()
    }

    #[test]
    fn attributes_keep_only_what_is_asked_plus_id() {
        let mut u = user();
        Projection::parse(
            Some("userName,name.givenName,EMAILS[type eq \"work\"]"),
            None,
        )
        .unwrap()
        .apply(Resource::User, &mut u);
        assert_eq!(
            Value::Object(u),
            json!({"schemas": ["x"], "id": "1", "userName": "a", "name": {"givenName": "G"}, "emails": [{"value": "a@b", "type": "work"}]})
        );
    }

    #[test]
    fn excluded_attributes_drop_and_members_can_be_skipped() {
        let mut u = user();
        Projection::parse(None, Some("emails,name.familyName,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter")).unwrap().apply(Resource::User, &mut u);
        assert!(!u.contains_key("emails"));
        assert_eq!(u["name"], json!({"givenName": "G"}));
        assert_eq!(
            u["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
            json!({"department": "D"})
        );
        let p = Projection::parse(None, Some("members")).unwrap();
        assert!(!p.wants("members") && p.wants("displayName"));
        assert!(!Projection::parse(Some("displayName"), None)
            .unwrap()
            .wants("members"));
    }
}

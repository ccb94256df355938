//! Resources as SCIM JSON: the stored document plus `id`, `schemas` and `meta`, projected by
//! `attributes` / `excludedAttributes`.

use app::backend::scim::groups::{Member, ScimGroup};
use app::backend::scim::users::ScimUser;
use app::scim::projection::Projection;
use app::scim::schema::{Resource, ENTERPRISE_SCHEMA, GROUP_SCHEMA, LIST_SCHEMA, USER_SCHEMA};
use serde_json::{json, Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

pub fn rfc3339(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

pub fn etag(version: i64) -> String {
    format!("W/\"{version}\"")
}

fn meta(kind: &str, location: String, created: i64, modified: i64, version: i64) -> Value {
    json!({
        "resourceType": kind,
        "created": rfc3339(created),
        "lastModified": rfc3339(modified),
        "location": location,
        "version": etag(version),
    })
}

pub fn user(base: &str, u: &ScimUser, projection: &Projection) -> Value {
    let mut obj = Map::new();
    let mut schemas = vec![Value::from(USER_SCHEMA)];
    if u.doc.contains_key(ENTERPRISE_SCHEMA) {
        schemas.push(Value::from(ENTERPRISE_SCHEMA));
    }
    obj.insert("schemas".into(), Value::Array(schemas));
    obj.insert("id".into(), Value::from(u.id.as_str()));
    obj.extend(u.doc.clone());
    obj.insert(
        "meta".into(),
        meta(
            "User",
            format!("{base}/Users/{}", u.id),
            u.created_at,
            u.updated_at,
            u.version,
        ),
    );
    projection.apply(Resource::User, &mut obj);
    Value::Object(obj)
}

pub fn group(
    base: &str,
    g: &ScimGroup,
    members: Option<&[Member]>,
    projection: &Projection,
) -> Value {
    let mut obj = Map::new();
    obj.insert("schemas".into(), json!([GROUP_SCHEMA]));
    obj.insert("id".into(), Value::from(g.id.as_str()));
    obj.extend(g.doc.clone());
    if let Some(members) = members {
        let list: Vec<Value> = members
            .iter()
            .map(|m| match &m.display {
                Some(d) => json!({ "value": m.id, "display": d, "$ref": format!("{base}/Users/{}", m.id), "type": "User" }),
                None => json!({ "value": m.id }),
            })
            .collect();
        obj.insert("members".into(), Value::Array(list));
    }
    obj.insert(
        "meta".into(),
        meta(
            "Group",
            format!("{base}/Groups/{}", g.id),
            g.created_at,
            g.updated_at,
            g.version,
        ),
    );
    projection.apply(Resource::Group, &mut obj);
    Value::Object(obj)
}

pub fn list(total: i64, start: i64, resources: Vec<Value>) -> Value {
    json!({
        "schemas": [LIST_SCHEMA],
        "totalResults": total,
        "startIndex": start,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

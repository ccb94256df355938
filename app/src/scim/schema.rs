//! The User, Enterprise User and Group schemas (RFC 7643 §4, §8.7.1), as data.
//!
//! One table serves `/Schemas`, gives attribute names their canonical case (SCIM names are
//! case-insensitive; Entra and test suites capitalise freely), and tells the normaliser which
//! attributes are booleans, complex or multi-valued. Attributes not in the table are kept as sent.

use serde_json::{json, Map, Value};

use super::error::{ScimError, ScimType};

pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const ENTERPRISE_SCHEMA: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const LIST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const PATCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Str,
    Bool,
    Complex,
    Reference,
    DateTime,
    Binary,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutability {
    ReadWrite,
    ReadOnly,
    WriteOnly,
    Immutable,
}

#[derive(Debug)]
pub struct Attr {
    pub name: &'static str,
    pub kind: Kind,
    pub multi: bool,
    pub required: bool,
    pub case_exact: bool,
    pub mutability: Mutability,
    pub unique_server: bool,
    pub sub: &'static [Attr],
}

const fn a(name: &'static str, kind: Kind) -> Attr {
    Attr {
        name,
        kind,
        multi: false,
        required: false,
        case_exact: false,
        mutability: Mutability::ReadWrite,
        unique_server: false,
        sub: &[],
    }
}
const fn complex(name: &'static str, multi: bool, sub: &'static [Attr]) -> Attr {
    Attr {
        name,
        kind: Kind::Complex,
        multi,
        required: false,
        case_exact: false,
        mutability: Mutability::ReadWrite,
        unique_server: false,
        sub,
    }
}
const fn ro(mut x: Attr) -> Attr {
    x.mutability = Mutability::ReadOnly;
    x
}

const MULTI_SUB: &[Attr] = &[
    a("value", Kind::Str),
    a("display", Kind::Str),
    a("type", Kind::Str),
    a("primary", Kind::Bool),
];
const MULTI_REF_SUB: &[Attr] = &[
    a("value", Kind::Reference),
    a("display", Kind::Str),
    a("type", Kind::Str),
    a("primary", Kind::Bool),
];
const NAME_SUB: &[Attr] = &[
    a("formatted", Kind::Str),
    a("familyName", Kind::Str),
    a("givenName", Kind::Str),
    a("middleName", Kind::Str),
    a("honorificPrefix", Kind::Str),
    a("honorificSuffix", Kind::Str),
];
const ADDRESS_SUB: &[Attr] = &[
    a("formatted", Kind::Str),
    a("streetAddress", Kind::Str),
    a("locality", Kind::Str),
    a("region", Kind::Str),
    a("postalCode", Kind::Str),
    a("country", Kind::Str),
    a("type", Kind::Str),
    a("primary", Kind::Bool),
];
const GROUPS_SUB: &[Attr] = &[
    ro(a("value", Kind::Str)),
    ro(a("$ref", Kind::Reference)),
    ro(a("display", Kind::Str)),
    ro(a("type", Kind::Str)),
];
const MEMBER_SUB: &[Attr] = &[
    Attr {
        mutability: Mutability::Immutable,
        ..a("value", Kind::Str)
    },
    Attr {
        mutability: Mutability::Immutable,
        ..a("$ref", Kind::Reference)
    },
    ro(a("display", Kind::Str)),
    Attr {
        mutability: Mutability::Immutable,
        ..a("type", Kind::Str)
    },
];
const MANAGER_SUB: &[Attr] = &[
    a("value", Kind::Str),
    a("$ref", Kind::Reference),
    ro(a("displayName", Kind::Str)),
];

pub static USER_ATTRS: &[Attr] = &[
    Attr {
        required: true,
        unique_server: true,
        ..a("userName", Kind::Str)
    },
    complex("name", false, NAME_SUB),
    a("displayName", Kind::Str),
    a("nickName", Kind::Str),
    a("profileUrl", Kind::Reference),
    a("title", Kind::Str),
    a("userType", Kind::Str),
    a("preferredLanguage", Kind::Str),
    a("locale", Kind::Str),
    a("timezone", Kind::Str),
    a("active", Kind::Bool),
    Attr {
        mutability: Mutability::WriteOnly,
        ..a("password", Kind::Str)
    },
    complex("emails", true, MULTI_SUB),
    complex("phoneNumbers", true, MULTI_SUB),
    complex("ims", true, MULTI_SUB),
    complex("photos", true, MULTI_REF_SUB),
    complex("addresses", true, ADDRESS_SUB),
    ro(complex("groups", true, GROUPS_SUB)),
    complex("entitlements", true, MULTI_SUB),
    complex("roles", true, MULTI_SUB),
    complex(
        "x509Certificates",
        true,
        &[
            a("value", Kind::Binary),
            a("display", Kind::Str),
            a("type", Kind::Str),
            a("primary", Kind::Bool),
        ],
    ),
];

pub static ENTERPRISE_ATTRS: &[Attr] = &[
    a("employeeNumber", Kind::Str),
    a("costCenter", Kind::Str),
    a("organization", Kind::Str),
    a("division", Kind::Str),
    a("department", Kind::Str),
    complex("manager", false, MANAGER_SUB),
];

pub static GROUP_ATTRS: &[Attr] = &[
    // Unique per tenant (case-insensitively): the database's `security_group_name_key` index.
    Attr {
        required: true,
        unique_server: true,
        ..a("displayName", Kind::Str)
    },
    complex("members", true, MEMBER_SUB),
];

/// Attributes every resource has (RFC 7643 §3.1); `externalId` is client-writable.
pub static COMMON_ATTRS: &[Attr] = &[Attr {
    case_exact: true,
    ..a("externalId", Kind::Str)
}];

/// Which resource a document belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    User,
    Group,
}

impl Resource {
    pub fn core_urn(self) -> &'static str {
        match self {
            Resource::User => USER_SCHEMA,
            Resource::Group => GROUP_SCHEMA,
        }
    }
    pub fn core_attrs(self) -> &'static [Attr] {
        match self {
            Resource::User => USER_ATTRS,
            Resource::Group => GROUP_ATTRS,
        }
    }
    /// Extension schemas of this resource: (URN, attributes).
    pub fn extensions(self) -> &'static [(&'static str, &'static [Attr])] {
        static USER_EXTENSIONS: &[(&str, &[Attr])] = &[(ENTERPRISE_SCHEMA, ENTERPRISE_ATTRS)];
        match self {
            Resource::User => USER_EXTENSIONS,
            Resource::Group => &[],
        }
    }
    /// The canonical spelling of a known extension URN (URNs compare case-insensitively).
    pub fn extension(self, urn: &str) -> Option<(&'static str, &'static [Attr])> {
        self.extensions()
            .iter()
            .copied()
            .find(|(u, _)| u.eq_ignore_ascii_case(urn))
    }
    pub fn is_core(self, urn: &str) -> bool {
        urn.eq_ignore_ascii_case(self.core_urn())
    }
}

pub fn find<'a>(attrs: &'a [Attr], name: &str) -> Option<&'a Attr> {
    attrs.iter().find(|x| x.name.eq_ignore_ascii_case(name))
}

/// A top-level core attribute, including the common ones.
pub fn find_top(resource: Resource, name: &str) -> Option<&'static Attr> {
    find(resource.core_attrs(), name).or_else(|| find(COMMON_ATTRS, name))
}

/// `"True"`, `"false"` (any case) and JSON booleans; Entra sends strings.
pub fn parse_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// Normalises a value for one attribute: drops nulls, fixes key case, coerces booleans,
/// and refuses values of the wrong shape.
pub fn normalize_value(
    attr: &Attr,
    value: Value,
    name_for_errors: &str,
) -> Result<Option<Value>, ScimError> {
    let bad = |what: &str| {
        ScimError::bad(
            ScimType::InvalidValue,
            format!("“{name_for_errors}” {what}"),
        )
    };
    match value {
        Value::Null => Ok(None),
        Value::Array(items) if attr.multi => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                if let Some(v) = normalize_single(attr, item, name_for_errors)? {
                    out.push(v);
                }
            }
            Ok(Some(Value::Array(out)))
        }
        Value::Array(mut items)
            if !attr.multi && attr.kind == Kind::Complex && items.len() == 1 =>
        {
            // e.g. manager sent as `[{"value": "…"}]`.
            normalize_single(attr, items.remove(0), name_for_errors)
        }
        Value::Array(_) if !attr.multi => Err(bad("takes a single value, not a list")),
        single if attr.multi => {
            Ok(normalize_single(attr, single, name_for_errors)?.map(|v| Value::Array(vec![v])))
        }
        single => normalize_single(attr, single, name_for_errors),
    }
}

fn normalize_single(attr: &Attr, value: Value, name: &str) -> Result<Option<Value>, ScimError> {
    let bad = |what: &str| ScimError::bad(ScimType::InvalidValue, format!("“{name}” {what}"));
    match (attr.kind, value) {
        (_, Value::Null) => Ok(None),
        (Kind::Bool, v) => parse_bool(&v)
            .map(|b| Some(Value::Bool(b)))
            .ok_or_else(|| bad("must be true or false")),
        (Kind::Complex, Value::Object(obj)) => {
            Ok(Some(Value::Object(normalize_object(attr.sub, obj, name)?)))
        }
        // A bare string where a complex value is expected: Entra's manager, or a member id.
        (Kind::Complex, Value::String(s)) if find(attr.sub, "value").is_some() => {
            Ok(Some(json!({ "value": s })))
        }
        (Kind::Complex, _) => Err(bad("must be an object")),
        (_, Value::Object(_)) | (_, Value::Array(_)) => Err(bad("must be a single value")),
        (_, v) => Ok(Some(v)),
    }
}

/// Normalises the keys of a complex value against its sub-attributes; unknown keys are kept.
pub fn normalize_object(
    sub: &[Attr],
    obj: Map<String, Value>,
    parent: &str,
) -> Result<Map<String, Value>, ScimError> {
    let mut out = Map::new();
    for (key, value) in obj {
        match find(sub, &key) {
            Some(s) => {
                if let Some(v) = normalize_single(s, value, &format!("{parent}.{}", s.name))? {
                    out.insert(s.name.to_owned(), v);
                }
            }
            None if !value.is_null() => {
                out.insert(key, value);
            }
            None => {}
        }
    }
    Ok(out)
}

/// The `/Schemas` representation of one schema.
pub fn schema_json(
    id: &str,
    name: &str,
    description: &str,
    attrs: &[Attr],
    base_url: &str,
) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": id,
        "name": name,
        "description": description,
        "attributes": attrs.iter().map(attr_json).collect::<Vec<_>>(),
        "meta": { "resourceType": "Schema", "location": format!("{base_url}/Schemas/{id}") },
    })
}

fn attr_json(x: &Attr) -> Value {
    let kind = match x.kind {
        Kind::Str => "string",
        Kind::Bool => "boolean",
        Kind::Complex => "complex",
        Kind::Reference => "reference",
        Kind::DateTime => "dateTime",
        Kind::Binary => "binary",
    };
    let mutability = match x.mutability {
        Mutability::ReadWrite => "readWrite",
        Mutability::ReadOnly => "readOnly",
        Mutability::WriteOnly => "writeOnly",
        Mutability::Immutable => "immutable",
    };
    let mut v = json!({
        "name": x.name,
        "type": kind,
        "multiValued": x.multi,
        "description": "",
        "required": x.required,
        "caseExact": x.case_exact,
        "mutability": mutability,
        "returned": if x.mutability == Mutability::WriteOnly { "never" } else { "default" },
        "uniqueness": if x.unique_server { "server" } else { "none" },
    });
    if let Some(obj) = v.as_object_mut() {
        if x.kind == Kind::Complex {
            obj.insert(
                "subAttributes".into(),
                Value::Array(x.sub.iter().map(attr_json).collect()),
            );
        }
        if x.kind == Kind::Reference {
            obj.insert("referenceTypes".into(), json!(["external"]));
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_found_case_insensitively() {
        assert_eq!(
            find_top(Resource::User, "USERNAME").unwrap().name,
            "userName"
        );
        assert_eq!(
            find_top(Resource::User, "externalid").unwrap().name,
            "externalId"
        );
        assert!(find_top(Resource::Group, "userName").is_none());
        assert_eq!(
            Resource::User
                .extension("URN:ietf:params:scim:schemas:extension:enterprise:2.0:user")
                .unwrap()
                .0,
            ENTERPRISE_SCHEMA
        );
    }

    #[test]
    fn values_are_normalised() {
        let active = find_top(Resource::User, "active").unwrap();
        assert_eq!(
            normalize_value(active, json!("True"), "active").unwrap(),
            Some(json!(true))
        );
        assert!(normalize_value(active, json!("yes"), "active").is_err());
        let emails = find_top(Resource::User, "emails").unwrap();
        let v = normalize_value(
            emails,
            json!([{"Value": "a@b.c", "TYPE": "work", "primary": "true", "display": null}]),
            "emails",
        )
        .unwrap();
        assert_eq!(
            v,
            Some(json!([{"value": "a@b.c", "type": "work", "primary": true}]))
        );
        let manager = find(ENTERPRISE_ATTRS, "manager").unwrap();
        assert_eq!(
            normalize_value(manager, json!("m-1"), "manager").unwrap(),
            Some(json!({"value": "m-1"}))
        );
        assert_eq!(
            normalize_value(manager, json!([{"value": "m-2", "$ref": "x"}]), "manager").unwrap(),
            Some(json!({"value": "m-2", "$ref": "x"}))
        );
        assert_eq!(
            normalize_value(emails, Value::Null, "emails").unwrap(),
            None
        );
    }
}

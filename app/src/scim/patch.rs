//! Resource documents and PATCH (RFC 7644 §3.5.2) on them, with Entra's habits: capitalised
//! ops, string booleans, no-path values with dotted and URN keys, `Add`/`Replace` on an unmatched
//! value filter creating the element, and a manager given as a plain string.
//!
//! A document is the resource's client-writable attributes as a JSON object with canonical names;
//! extension attributes sit under their schema URN. Group members are not in the document: ops on
//! `members` come out as [`MemberChange`]s for the backend to apply to the membership table.

use serde_json::{Map, Value};

use super::error::{ScimError, ScimType};
use super::filter::{CompValue, CompareOp, Filter};
use super::path::{AttrPath, PatchPath};
use super::schema::{
    self, find, find_top, normalize_object, normalize_value, Attr, Mutability, Resource,
    PATCH_SCHEMA,
};

pub use crate::domain::provisioned::{Document as Doc, MemberChange};

/// Most operations one PATCH request may carry; more is refused with `tooMany` before any
/// work, so the work per request stays bounded.
pub const MAX_OPERATIONS: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpKind {
    Add,
    Replace,
    Remove,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PatchOp {
    pub op: OpKind,
    pub path: Option<PatchPath>,
    pub value: Option<Value>,
}

fn syntax(detail: impl Into<String>) -> ScimError {
    ScimError::bad(ScimType::InvalidSyntax, detail)
}

fn get_ci<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// The key as stored in `obj` (any case), or the canonical name for a new key.
fn key_in(obj: &Map<String, Value>, canonical: &str) -> String {
    obj.keys()
        .find(|k| k.eq_ignore_ascii_case(canonical))
        .cloned()
        .unwrap_or_else(|| canonical.to_owned())
}

/// Parses a PatchOp request body.
pub fn parse_patch(body: &Value) -> Result<Vec<PatchOp>, ScimError> {
    let obj = body
        .as_object()
        .ok_or_else(|| syntax("the body must be a JSON object"))?;
    if let Some(schemas) = get_ci(obj, "schemas").and_then(Value::as_array) {
        if !schemas.iter().any(|s| {
            s.as_str()
                .is_some_and(|s| s.eq_ignore_ascii_case(PATCH_SCHEMA))
        }) {
            return Err(syntax(format!("“schemas” must contain {PATCH_SCHEMA}")));
        }
    }
    let ops = get_ci(obj, "Operations")
        .and_then(Value::as_array)
        .ok_or_else(|| syntax("“Operations” must be a list"))?;
    if ops.is_empty() {
        return Err(syntax("“Operations” is empty"));
    }
    if ops.len() > MAX_OPERATIONS {
        return Err(ScimError::bad(
            ScimType::TooMany,
            format!(
                "{} operations in one request; at most {MAX_OPERATIONS} are accepted",
                ops.len()
            ),
        ));
    }
    ops.iter()
        .map(|op| {
            let op = op
                .as_object()
                .ok_or_else(|| syntax("each operation must be an object"))?;
            let kind = match get_ci(op, "op")
                .and_then(Value::as_str)
                .map(str::to_ascii_lowercase)
                .as_deref()
            {
                Some("add") => OpKind::Add,
                Some("replace") => OpKind::Replace,
                Some("remove") => OpKind::Remove,
                Some(other) => {
                    return Err(syntax(format!(
                        "“op” must be add, replace or remove, not “{other}”."
                    )))
                }
                None => {
                    return Err(syntax(
                        "Each operation needs an “op”: add, replace or remove.".to_owned(),
                    ))
                }
            };
            let path = match get_ci(op, "path") {
                None | Some(Value::Null) => None,
                Some(Value::String(p)) if p.trim().is_empty() => None,
                Some(Value::String(p)) => Some(PatchPath::parse(p)?),
                Some(_) => {
                    return Err(ScimError::bad(
                        ScimType::InvalidPath,
                        "“path” must be a string",
                    ))
                }
            };
            let value = get_ci(op, "value").cloned().filter(|v| !v.is_null());
            if kind != OpKind::Remove && value.is_none() {
                return Err(ScimError::bad(
                    ScimType::InvalidValue,
                    "add and replace need a “value”",
                ));
            }
            if kind == OpKind::Remove && path.is_none() {
                return Err(ScimError::bad(ScimType::NoTarget, "remove needs a “path”"));
            }
            Ok(PatchOp {
                op: kind,
                path,
                value,
            })
        })
        .collect()
}

/// Turns a POST/PUT body into a document: canonical names, no nulls, booleans coerced,
/// read-only and write-only attributes dropped, required attributes checked.
pub fn normalize_resource(resource: Resource, body: &Value) -> Result<Doc, ScimError> {
    let obj = body
        .as_object()
        .ok_or_else(|| syntax("the body must be a JSON object"))?;
    let mut doc = Doc::new();
    for (key, value) in obj {
        set_attribute(resource, &mut doc, key, value.clone(), false)?;
    }
    validate(resource, &doc)?;
    Ok(doc)
}

/// Sets one top-level key of a body (plain, URN-qualified, or an extension object).
fn set_attribute(
    resource: Resource,
    doc: &mut Doc,
    key: &str,
    value: Value,
    from_patch: bool,
) -> Result<(), ScimError> {
    let lower = key.to_ascii_lowercase();
    if matches!(lower.as_str(), "schemas" | "id" | "meta") {
        if from_patch && lower != "schemas" {
            return Err(ScimError::bad(
                ScimType::Mutability,
                format!("“{key}” is read-only"),
            ));
        }
        return Ok(());
    }
    if lower.starts_with("urn:") {
        if resource.is_core(key) {
            let Value::Object(inner) = value else {
                return Err(syntax(format!("“{key}” must be an object")));
            };
            for (k, v) in inner {
                set_attribute(resource, doc, &k, v, from_patch)?;
            }
            return Ok(());
        }
        if let Some((urn, attrs)) = resource.extension(key) {
            match value {
                Value::Object(inner) => {
                    let normalized = normalize_object(attrs, inner, urn)?;
                    merge_extension(doc, urn, normalized);
                }
                Value::Null => {}
                _ => return Err(syntax(format!("“{key}” must be an object"))),
            }
            return Ok(());
        }
        if key
            .rsplit_once(':')
            .is_some_and(|(_, name)| name.starts_with(|c: char| c.is_ascii_lowercase()))
            && !value.is_object()
        {
            // `urn:…:User:department` as a key: a qualified attribute, handled as a path.
            return apply_path_value(resource, doc, key, value, OpKind::Replace);
        }
        if !value.is_null() {
            doc.insert(key.to_owned(), value); // an unknown extension: kept as sent
        }
        return Ok(());
    }
    match find_top(resource, key) {
        Some(attr) if attr.mutability == Mutability::ReadOnly => {
            if from_patch {
                return Err(ScimError::bad(
                    ScimType::Mutability,
                    format!("“{}” is read-only", attr.name),
                ));
            }
            Ok(())
        }
        Some(attr) if attr.mutability == Mutability::WriteOnly => Ok(()), // never stored
        Some(attr) => {
            match normalize_value(attr, value, attr.name)? {
                Some(v) => doc.insert(attr.name.to_owned(), v),
                None => doc.remove(attr.name),
            };
            Ok(())
        }
        None if !super::path::valid_name(key) => Err(ScimError::bad(
            ScimType::InvalidValue,
            format!("“{key}” is not a valid attribute name"),
        )),
        None if !value.is_null() => {
            let k = key_in(doc, key);
            doc.insert(k, value);
            Ok(())
        }
        None => Ok(()),
    }
}

fn merge_extension(doc: &mut Doc, urn: &str, values: Map<String, Value>) {
    let entry = doc
        .entry(urn.to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(existing) = entry {
        existing.extend(values);
    }
    if doc
        .get(urn)
        .and_then(Value::as_object)
        .is_some_and(Map::is_empty)
    {
        doc.remove(urn);
    }
}

/// Required attributes (RFC 7643): `userName` for users, `displayName` for groups.
pub fn validate(resource: Resource, doc: &Doc) -> Result<(), ScimError> {
    let required = match resource {
        Resource::User => "userName",
        Resource::Group => "displayName",
    };
    match doc.get(required) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(()),
        Some(_) => Err(ScimError::bad(
            ScimType::InvalidValue,
            format!("“{required}” must be a non-empty string"),
        )),
        None => Err(ScimError::bad(
            ScimType::InvalidValue,
            format!("“{required}” is required"),
        )),
    }
}

/// Applies the operations in order. For groups, `members` ops are returned instead of applied.
/// Nothing is half-applied: on error the caller discards the document.
pub fn apply(
    resource: Resource,
    doc: &mut Doc,
    ops: &[PatchOp],
) -> Result<Vec<MemberChange>, ScimError> {
    let mut members = Vec::new();
    for op in ops {
        match &op.path {
            Some(path) if path.attr.attr.is_empty() => {
                // The whole extension object, e.g. path `urn:…:enterprise:2.0:User`.
                let urn = path.attr.urn.clone().unwrap_or_default();
                match (op.op, op.value.clone()) {
                    (OpKind::Remove, _) => {
                        let canonical = resource
                            .extension(&urn)
                            .map(|(u, _)| u.to_owned())
                            .unwrap_or(urn);
                        doc.retain(|k, _| !k.eq_ignore_ascii_case(&canonical));
                    }
                    (_, Some(value)) => set_attribute(resource, doc, &urn, value, true)?,
                    (_, None) => {}
                }
            }
            Some(path) => {
                if resource == Resource::Group
                    && path.attr.attr.eq_ignore_ascii_case("members")
                    && path.attr.urn.is_none()
                {
                    members.push(member_change(
                        op.op,
                        path.filter.as_ref(),
                        op.value.as_ref(),
                    )?);
                } else {
                    apply_op(resource, doc, op.op, path, op.value.clone())?;
                }
            }
            None => {
                let Some(Value::Object(values)) = &op.value else {
                    return Err(ScimError::bad(
                        ScimType::InvalidValue,
                        "without a “path”, the value must be an object",
                    ));
                };
                for (key, value) in values {
                    if resource == Resource::Group && key.eq_ignore_ascii_case("members") {
                        members.push(member_change(op.op, None, Some(value))?);
                    } else if super::path::has_urn_prefix(key) {
                        // An extension object, or a URN-qualified attribute (`urn:…:User:department`).
                        set_attribute(resource, doc, key, value.clone(), true)?;
                    } else if key.contains('.') || key.contains('[') {
                        // Entra's no-path op with `"name.givenName": "…"`: a path, never a literal key.
                        apply_path_value(resource, doc, key, value.clone(), op.op)?;
                    } else if op.op == OpKind::Add {
                        add_attribute(resource, doc, key, value.clone())?;
                    } else {
                        set_attribute(resource, doc, key, value.clone(), true)?;
                    }
                }
            }
        }
    }
    validate(resource, doc)?;
    Ok(coalesce(members))
}

/// Joins neighbouring member changes of one kind (Entra sends one `Add` per member), so the
/// store applies a 1,000-op PATCH as a few batched statements. Order across kinds is kept.
fn coalesce(changes: Vec<MemberChange>) -> Vec<MemberChange> {
    let mut out: Vec<MemberChange> = Vec::with_capacity(changes.len().min(8));
    for change in changes {
        match (out.last_mut(), change) {
            (Some(MemberChange::Add(ids)), MemberChange::Add(more))
            | (Some(MemberChange::Remove(ids)), MemberChange::Remove(more))
            | (Some(MemberChange::Set(ids)), MemberChange::Add(more)) => ids.extend(more),
            (Some(last @ MemberChange::RemoveAll), MemberChange::Add(more)) => {
                *last = MemberChange::Set(more);
            }
            (_, change) => out.push(change),
        }
    }
    out
}

fn apply_path_value(
    resource: Resource,
    doc: &mut Doc,
    key: &str,
    value: Value,
    op: OpKind,
) -> Result<(), ScimError> {
    let path = PatchPath::parse(key)?;
    apply_op(resource, doc, op, &path, Some(value))
}

/// No-path `add` of one key: multi-valued attributes get the values appended.
fn add_attribute(
    resource: Resource,
    doc: &mut Doc,
    key: &str,
    value: Value,
) -> Result<(), ScimError> {
    if let Some(attr) = find_top(resource, key).filter(|a| a.multi) {
        let path = PatchPath {
            attr: AttrPath {
                urn: None,
                attr: attr.name.to_owned(),
                sub: None,
            },
            filter: None,
            sub: None,
        };
        return apply_op(resource, doc, OpKind::Add, &path, Some(value));
    }
    set_attribute(resource, doc, key, value, true)
}

/// The object holding an attribute, and the attribute's definition (if the schema knows it).
type Target<'a> = (&'a mut Map<String, Value>, Option<&'static Attr>);

/// Where a path points: the object holding the attribute, and the attribute's definition.
fn container<'a>(
    resource: Resource,
    doc: &'a mut Doc,
    attr: &AttrPath,
    create: bool,
) -> Result<Option<Target<'a>>, ScimError> {
    match &attr.urn {
        Some(urn) if !resource.is_core(urn) => {
            let (canonical, attrs) = match resource.extension(urn) {
                Some((u, a)) => (u.to_owned(), Some(a)),
                None => (urn.clone(), None),
            };
            let key = key_in(doc, &canonical);
            if !doc.contains_key(&key) {
                if !create {
                    return Ok(None);
                }
                doc.insert(key.clone(), Value::Object(Map::new()));
            }
            match doc.get_mut(&key) {
                Some(Value::Object(obj)) => {
                    Ok(Some((obj, attrs.and_then(|a| find(a, &attr.attr)))))
                }
                _ => Err(ScimError::bad(
                    ScimType::InvalidPath,
                    format!("“{urn}” is not an object"),
                )),
            }
        }
        _ => {
            let def = find_top(resource, &attr.attr);
            if def.is_none()
                && matches!(
                    attr.attr.to_ascii_lowercase().as_str(),
                    "id" | "meta" | "schemas"
                )
            {
                return Err(ScimError::bad(
                    ScimType::Mutability,
                    format!("“{}” is read-only", attr.attr),
                ));
            }
            Ok(Some((doc, def)))
        }
    }
}

fn apply_op(
    resource: Resource,
    doc: &mut Doc,
    op: OpKind,
    path: &PatchPath,
    value: Option<Value>,
) -> Result<(), ScimError> {
    let create = op != OpKind::Remove;
    let Some((obj, def)) = container(resource, doc, &path.attr, create)? else {
        return Ok(());
    };
    if let Some(d) = def {
        if d.mutability == Mutability::ReadOnly {
            return Err(ScimError::bad(
                ScimType::Mutability,
                format!("“{}” is read-only", d.name),
            ));
        }
        if d.mutability == Mutability::WriteOnly {
            return Ok(()); // passwords are accepted and never stored
        }
    }
    let name = def
        .map(|d| d.name.to_owned())
        .unwrap_or_else(|| path.attr.attr.clone());
    let key = key_in(obj, &name);
    let sub_def = |sub: &str| def.and_then(|d| find(d.sub, sub));
    let sub_name = |sub: &str| {
        sub_def(sub)
            .map(|s| s.name.to_owned())
            .unwrap_or_else(|| sub.to_owned())
    };

    match (&path.filter, &path.sub) {
        (None, None) => {
            let value = match (value, def) {
                (Some(v), Some(d)) => normalize_value(d, v, d.name)?,
                (v, _) => v,
            };
            match (op, value) {
                (OpKind::Remove, Some(Value::Array(remove)))
                    if obj.get(&key).is_some_and(Value::is_array) =>
                {
                    // Remove only the listed elements (matched on `value`).
                    let ids: Vec<Value> = remove
                        .iter()
                        .map(|r| r.get("value").cloned().unwrap_or_else(|| r.clone()))
                        .collect();
                    if let Some(Value::Array(items)) = obj.get_mut(&key) {
                        items.retain(|it| !ids.contains(it.get("value").unwrap_or(it)));
                    }
                }
                (OpKind::Remove, _) => {
                    obj.remove(&key);
                }
                (OpKind::Add, Some(Value::Array(new)))
                    if def.is_some_and(|d| d.multi)
                        || obj.get(&key).is_some_and(Value::is_array) =>
                {
                    let entry = obj
                        .entry(key.clone())
                        .or_insert_with(|| Value::Array(Vec::new()));
                    if let Value::Array(items) = entry {
                        for n in new {
                            if !items.contains(&n) {
                                items.push(n);
                            }
                        }
                    }
                }
                (_, Some(Value::Object(new)))
                    if def.is_some_and(|d| !d.multi && d.kind == schema::Kind::Complex) =>
                {
                    // add/replace on a single complex attribute: sub-attributes given replace, others stay.
                    let entry = obj
                        .entry(key.clone())
                        .or_insert_with(|| Value::Object(Map::new()));
                    match entry {
                        Value::Object(existing) => existing.extend(new),
                        other => *other = Value::Object(new),
                    }
                }
                (_, Some(v)) => {
                    obj.insert(key.clone(), v);
                }
                (_, None) => {
                    obj.remove(&key);
                }
            }
        }
        (None, Some(sub)) => {
            let sub_key = sub_name(sub);
            let value = match (value, sub_def(sub)) {
                (Some(v), Some(sd)) => normalize_value(sd, v, &format!("{name}.{sub_key}"))?,
                (v, _) => v,
            };
            let is_multi =
                def.is_some_and(|d| d.multi) || obj.get(&key).is_some_and(Value::is_array);
            if is_multi {
                // `emails.value`: every element (creating one on add/replace when there is none).
                let entry = obj
                    .entry(key.clone())
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(items) = entry {
                    if items.is_empty() && op != OpKind::Remove {
                        items.push(Value::Object(Map::new()));
                    }
                    for it in items.iter_mut() {
                        set_sub(it, &sub_key, value.clone(), op);
                    }
                }
            } else {
                if op == OpKind::Remove && !obj.contains_key(&key) {
                    return Ok(());
                }
                let entry = obj
                    .entry(key.clone())
                    .or_insert_with(|| Value::Object(Map::new()));
                set_sub(entry, &sub_key, value, op);
            }
        }
        (Some(filter), sub) => {
            let entry = obj
                .entry(key.clone())
                .or_insert_with(|| Value::Array(Vec::new()));
            let Value::Array(items) = entry else {
                return Err(ScimError::bad(
                    ScimType::InvalidPath,
                    format!("“{name}” is not multi-valued"),
                ));
            };
            let matched: Vec<usize> = items
                .iter()
                .enumerate()
                .filter(|(_, it)| matches(filter, it))
                .map(|(i, _)| i)
                .collect();
            match sub {
                Some(sub) => {
                    let sub_key = sub_name(sub);
                    let value = match (value, sub_def(sub)) {
                        (Some(v), Some(sd)) => {
                            normalize_value(sd, v, &format!("{name}.{sub_key}"))?
                        }
                        (v, _) => v,
                    };
                    if matched.is_empty() {
                        if op != OpKind::Remove {
                            // Entra: Add/Replace on `emails[type eq "work"].value` with no work email creates it.
                            let mut element = equalities(filter);
                            if let Some(v) = value {
                                element.insert(sub_key, v);
                            }
                            items.push(Value::Object(element));
                        }
                    } else {
                        for i in matched {
                            if let Some(it) = items.get_mut(i) {
                                set_sub(it, &sub_key, value.clone(), op);
                            }
                        }
                    }
                }
                None => match op {
                    OpKind::Remove => {
                        let mut i = 0;
                        items.retain(|_| {
                            let keep = !matched.contains(&i);
                            i += 1;
                            keep
                        });
                    }
                    _ => {
                        let new = match value {
                            Some(Value::Object(o)) => match def {
                                Some(d) => normalize_object(d.sub, o, &name)?,
                                None => o,
                            },
                            _ => {
                                return Err(ScimError::bad(
                                    ScimType::InvalidValue,
                                    format!("a value for “{name}[…]” must be an object"),
                                ))
                            }
                        };
                        if matched.is_empty() {
                            let mut element = equalities(filter);
                            element.extend(new);
                            items.push(Value::Object(element));
                        } else {
                            for i in matched {
                                if let Some(Value::Object(it)) = items.get_mut(i) {
                                    if op == OpKind::Replace {
                                        let mut element = equalities(filter);
                                        element.extend(new.clone());
                                        *it = element;
                                    } else {
                                        it.extend(new.clone());
                                    }
                                }
                            }
                        }
                    }
                },
            }
        }
    }
    // Leave no empty containers behind.
    if obj.get(&key).is_some_and(|v| {
        v.as_array().is_some_and(Vec::is_empty) || v.as_object().is_some_and(Map::is_empty)
    }) {
        obj.remove(&key);
    }
    if let Some(urn) = path.attr.urn.as_ref().filter(|u| !resource.is_core(u)) {
        let k = key_in(doc, resource.extension(urn).map(|(u, _)| u).unwrap_or(urn));
        if doc
            .get(&k)
            .and_then(Value::as_object)
            .is_some_and(Map::is_empty)
        {
            doc.remove(&k);
        }
    }
    Ok(())
}

fn set_sub(target: &mut Value, sub: &str, value: Option<Value>, op: OpKind) {
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(obj) = target {
        let key = key_in(obj, sub);
        match (op, value) {
            (OpKind::Remove, _) | (_, None) => {
                obj.remove(&key);
            }
            (_, Some(v)) => {
                obj.insert(key, v);
            }
        }
    }
}

/// The `attr eq "value"` terms of a value filter, as the element to create when nothing matches.
fn equalities(filter: &Filter) -> Map<String, Value> {
    let mut out = Map::new();
    collect_equalities(filter, &mut out);
    out
}

fn collect_equalities(filter: &Filter, out: &mut Map<String, Value>) {
    match filter {
        Filter::Compare(p, CompareOp::Eq, v) if p.sub.is_none() => {
            let value = match v {
                CompValue::Str(s) => Value::String(s.clone()),
                CompValue::Bool(b) => Value::Bool(*b),
                CompValue::Num(n) => serde_json::Number::from_f64(*n)
                    .map(Value::Number)
                    .unwrap_or(Value::Null),
                CompValue::Null => Value::Null,
            };
            out.insert(p.attr.clone(), value);
        }
        Filter::And(a, b) => {
            collect_equalities(a, out);
            collect_equalities(b, out);
        }
        _ => {}
    }
}

/// Evaluates a value filter against one element of a multi-valued attribute.
pub fn matches(filter: &Filter, element: &Value) -> bool {
    match filter {
        Filter::And(a, b) => matches(a, element) && matches(b, element),
        Filter::Or(a, b) => matches(a, element) || matches(b, element),
        Filter::Not(a) => !matches(a, element),
        Filter::Present(p) => {
            lookup(element, p).is_some_and(|v| !v.is_null() && v != &Value::String(String::new()))
        }
        Filter::Compare(p, op, v) => compare(lookup(element, p), *op, v),
        Filter::ValuePath(..) => false,
    }
}

fn lookup<'a>(element: &'a Value, p: &AttrPath) -> Option<&'a Value> {
    let obj = element.as_object()?;
    let v = get_ci(obj, &p.attr)?;
    match &p.sub {
        Some(s) => v.as_object().and_then(|o| get_ci(o, s)),
        None => Some(v),
    }
}

fn compare(actual: Option<&Value>, op: CompareOp, expected: &CompValue) -> bool {
    let Some(actual) = actual else {
        return op == CompareOp::Ne && *expected != CompValue::Null;
    };
    match (actual, expected) {
        (Value::String(a), CompValue::Str(e)) => {
            let (a, e) = (a.to_lowercase(), e.to_lowercase());
            match op {
                CompareOp::Eq => a == e,
                CompareOp::Ne => a != e,
                CompareOp::Co => a.contains(&e),
                CompareOp::Sw => a.starts_with(&e),
                CompareOp::Ew => a.ends_with(&e),
                CompareOp::Gt => a > e,
                CompareOp::Ge => a >= e,
                CompareOp::Lt => a < e,
                CompareOp::Le => a <= e,
            }
        }
        (v, CompValue::Bool(e)) => match schema::parse_bool(v) {
            Some(b) => match op {
                CompareOp::Eq => b == *e,
                CompareOp::Ne => b != *e,
                _ => false,
            },
            None => false,
        },
        (Value::Number(n), CompValue::Num(e)) => {
            let a = n.as_f64().unwrap_or(f64::NAN);
            match op {
                CompareOp::Eq => a == *e,
                CompareOp::Ne => a != *e,
                CompareOp::Gt => a > *e,
                CompareOp::Ge => a >= *e,
                CompareOp::Lt => a < *e,
                CompareOp::Le => a <= *e,
                _ => false,
            }
        }
        (Value::Null, CompValue::Null) => op == CompareOp::Eq,
        (_, CompValue::Null) => op == CompareOp::Ne,
        _ => op == CompareOp::Ne,
    }
}

/// Reads a member list value (`[{"value": id}, …]`, a single object, or bare ids).
fn member_ids(value: Option<&Value>) -> Result<Vec<String>, ScimError> {
    let bad = || {
        ScimError::bad(
            ScimType::InvalidValue,
            "members must be given as [{\"value\": \"<id>\"}]",
        )
    };
    let items = match value {
        None => return Ok(Vec::new()),
        Some(Value::Array(items)) => items.clone(),
        Some(other) => vec![other.clone()],
    };
    items
        .iter()
        .map(|it| match it {
            Value::String(s) => Ok(s.clone()),
            Value::Object(o) => get_ci(o, "value")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(bad),
            _ => Err(bad()),
        })
        .collect()
}

fn member_change(
    op: OpKind,
    filter: Option<&Filter>,
    value: Option<&Value>,
) -> Result<MemberChange, ScimError> {
    if let Some(f) = filter {
        // `members[value eq "id"]`: the ids named by `value eq` terms joined with or/and.
        let mut ids = Vec::new();
        collect_member_ids(f, &mut ids)?;
        return Ok(match op {
            OpKind::Remove => MemberChange::Remove(ids),
            _ => MemberChange::Add(ids),
        });
    }
    let ids = member_ids(value)?;
    Ok(match op {
        OpKind::Add => MemberChange::Add(ids),
        OpKind::Replace => MemberChange::Set(ids),
        // Entra: remove with a value list removes only those; without a value, all members.
        OpKind::Remove if value.is_some() => MemberChange::Remove(ids),
        OpKind::Remove => MemberChange::RemoveAll,
    })
}

fn collect_member_ids(f: &Filter, ids: &mut Vec<String>) -> Result<(), ScimError> {
    match f {
        Filter::Compare(p, CompareOp::Eq, CompValue::Str(s))
            if p.attr.eq_ignore_ascii_case("value") =>
        {
            ids.push(s.clone());
            Ok(())
        }
        Filter::Or(a, b) => {
            collect_member_ids(a, ids)?;
            collect_member_ids(b, ids)
        }
        _ => Err(ScimError::bad(
            ScimType::InvalidFilter,
            "a members filter must be value eq \"<id>\" (joined with or)",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn more_than_the_limit_of_operations_is_too_many() {
        let op = json!({ "op": "add", "path": "members", "value": [{ "value": "a" }] });
        let body = |n: usize| json!({ "Operations": vec![op.clone(); n] });
        assert!(parse_patch(&body(MAX_OPERATIONS)).is_ok());
        let err = parse_patch(&body(MAX_OPERATIONS + 1)).unwrap_err();
        assert_eq!(err.status, 400);
        assert_eq!(err.scim_type, Some(ScimType::TooMany));
    }

    #[test]
    fn neighbouring_member_changes_are_joined_in_order() {
        let ids = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let joined = coalesce(vec![
            MemberChange::Add(ids(&["a"])),
            MemberChange::Add(ids(&["b"])),
            MemberChange::Remove(ids(&["a"])),
            MemberChange::Remove(ids(&["c"])),
            MemberChange::Add(ids(&["d"])),
            MemberChange::RemoveAll,
            MemberChange::Add(ids(&["e"])),
            MemberChange::Add(ids(&["f"])),
        ]);
        assert_eq!(
            joined,
            vec![
                MemberChange::Add(ids(&["a", "b"])),
                MemberChange::Remove(ids(&["a", "c"])),
                MemberChange::Add(ids(&["d"])),
                MemberChange::Set(ids(&["e", "f"])),
            ]
        );
    }
    use serde_json::json;

    fn user() -> Doc {
        normalize_resource(
            Resource::User,
            &json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "UserName": "alice@contoso.com", "active": "True", "displayName": "Alice",
                "emails": [{"value": "alice@contoso.com", "type": "work", "primary": true}],
                "name": {"givenName": "Alice", "familyName": "Smith", "formatted": null},
                "password": "never stored", "groups": [{"value": "g"}], "id": "client-id",
                "meta": {"resourceType": "User"}, "roles": [],
            }),
        )
        .unwrap()
    }

    fn patch(doc: &mut Doc, body: Value) -> Result<Vec<MemberChange>, ScimError> {
        let ops = parse_patch(&body)?;
        apply(Resource::User, doc, &ops)
    }

    fn ops(list: Value) -> Value {
        json!({"schemas": [PATCH_SCHEMA], "Operations": list})
    }

    #[test]
    fn create_bodies_are_normalised() {
        let d = user();
        assert_eq!(d["userName"], "alice@contoso.com");
        assert_eq!(d["active"], true);
        assert!(
            !d.contains_key("password")
                && !d.contains_key("groups")
                && !d.contains_key("id")
                && !d.contains_key("meta")
        );
        assert_eq!(
            d["name"],
            json!({"givenName": "Alice", "familyName": "Smith"})
        );
        assert_eq!(d["roles"], json!([]));
        assert!(normalize_resource(Resource::User, &json!({"displayName": "x"})).is_err());
        let e = normalize_resource(Resource::User, &json!({"userName": "x", "active": "maybe"}))
            .unwrap_err();
        assert_eq!(e.scim_type, Some(ScimType::InvalidValue));
    }

    #[test]
    fn capitalised_ops_and_string_booleans() {
        let mut d = user();
        patch(
            &mut d,
            ops(json!([{"op": "Replace", "path": "active", "value": "False"}])),
        )
        .unwrap();
        assert_eq!(d["active"], false);
        patch(
            &mut d,
            ops(json!([{"op": "Replace", "path": "userName", "value": "alice2@contoso.com"}])),
        )
        .unwrap();
        assert_eq!(d["userName"], "alice2@contoso.com");
    }

    #[test]
    fn value_filter_paths_update_or_create_elements() {
        let mut d = user();
        patch(&mut d, ops(json!([{"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "new@contoso.com"}]))).unwrap();
        assert_eq!(
            d["emails"],
            json!([{"value": "new@contoso.com", "type": "work", "primary": true}])
        );
        // No mobile yet: Add creates {type: mobile, value}.
        patch(&mut d, ops(json!([{"op": "Add", "path": "phoneNumbers[type eq \"mobile\"].value", "value": "+1 555 0100"}]))).unwrap();
        assert_eq!(
            d["phoneNumbers"],
            json!([{"type": "mobile", "value": "+1 555 0100"}])
        );
        patch(&mut d, ops(json!([{"op": "add", "path": "addresses[type eq \"work\"].streetAddress", "value": "1 Main St"}]))).unwrap();
        assert_eq!(
            d["addresses"],
            json!([{"type": "work", "streetAddress": "1 Main St"}])
        );
        patch(
            &mut d,
            ops(json!([{"op": "remove", "path": "phoneNumbers[type eq \"mobile\"]"}])),
        )
        .unwrap();
        assert!(!d.contains_key("phoneNumbers"));
    }

    #[test]
    fn sub_attribute_and_extension_paths() {
        let mut d = user();
        patch(&mut d, ops(json!([
            {"op": "Replace", "path": "name.givenName", "value": "Alicia"},
            {"op": "Add", "path": "name.formatted", "value": "Alicia Smith"},
            {"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "Sales"},
            {"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "value": "boss-id"},
        ]))).unwrap();
        assert_eq!(d["name"]["givenName"], "Alicia");
        assert_eq!(d["name"]["formatted"], "Alicia Smith");
        let ext = &d["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"];
        assert_eq!(ext["department"], "Sales");
        assert_eq!(ext["manager"], json!({"value": "boss-id"}));
        patch(&mut d, ops(json!([{"op": "Remove", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"}]))).unwrap();
        patch(&mut d, ops(json!([{"op": "Remove", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"}]))).unwrap();
        assert!(!d.contains_key(ENTERPRISE), "empty extension removed");
        patch(
            &mut d,
            ops(json!([{"op": "add", "path": ENTERPRISE, "value": {"division": "North"}}])),
        )
        .unwrap();
        assert_eq!(d[ENTERPRISE], json!({"division": "North"}));
        patch(&mut d, ops(json!([{"op": "remove", "path": ENTERPRISE}]))).unwrap();
        assert!(!d.contains_key(ENTERPRISE));
    }
    const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

    #[test]
    fn no_path_values_with_dotted_and_urn_keys() {
        let mut d = user();
        patch(
            &mut d,
            ops(json!([{"op": "Replace", "value": {
                "displayName": "A. Smith",
                "name.familyName": "Smyth",
                "emails[type eq \"work\"].value": "a@contoso.com",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "42",
                "active": "true",
            }}])),
        )
        .unwrap();
        assert_eq!(d["displayName"], "A. Smith");
        assert_eq!(d["name"]["familyName"], "Smyth");
        assert!(
            !d.contains_key("name.familyName"),
            "never a literal dotted key"
        );
        assert_eq!(d["emails"][0]["value"], "a@contoso.com");
        assert_eq!(d[ENTERPRISE]["employeeNumber"], "42");
        patch(
            &mut d,
            ops(json!([{"op": "add", "value": {(ENTERPRISE): {"costCenter": "C1"}}}])),
        )
        .unwrap();
        assert_eq!(d[ENTERPRISE]["costCenter"], "C1");
        assert_eq!(d[ENTERPRISE]["employeeNumber"], "42");
    }

    #[test]
    fn bad_operations_fail_and_read_only_attributes_are_protected() {
        let mut d = user();
        let e = patch(
            &mut d,
            ops(json!([{"op": "jump", "path": "x", "value": 1}])),
        )
        .unwrap_err();
        assert_eq!(e.scim_type, Some(ScimType::InvalidSyntax));
        let e = patch(
            &mut d,
            ops(json!([{"op": "replace", "path": "id", "value": "x"}])),
        )
        .unwrap_err();
        assert_eq!(e.scim_type, Some(ScimType::Mutability));
        let e = patch(
            &mut d,
            ops(json!([{"op": "replace", "path": "emails[type eq", "value": "x"}])),
        )
        .unwrap_err();
        assert_eq!(e.scim_type, Some(ScimType::InvalidPath));
        let e = patch(&mut d, ops(json!([{"op": "remove", "path": "userName"}]))).unwrap_err();
        assert_eq!(
            e.scim_type,
            Some(ScimType::InvalidValue),
            "userName is required"
        );
        let e = patch(&mut d, ops(json!([{"op": "remove"}]))).unwrap_err();
        assert_eq!(e.scim_type, Some(ScimType::NoTarget));
    }

    #[test]
    fn group_member_operations() {
        let mut g = normalize_resource(Resource::Group, &json!({"displayName": "Sales", "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group", "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"]})).unwrap();
        let run = |g: &mut Doc, list: Value| {
            apply(Resource::Group, g, &parse_patch(&ops(list)).unwrap()).unwrap()
        };
        assert_eq!(
            run(
                &mut g,
                json!([{"op": "Add", "path": "members", "value": [{"value": "a"}, {"value": "b"}]}])
            ),
            vec![MemberChange::Add(vec!["a".into(), "b".into()])]
        );
        assert_eq!(
            run(
                &mut g,
                json!([{"op": "Remove", "path": "members", "value": [{"value": "a"}]}])
            ),
            vec![MemberChange::Remove(vec!["a".into()])]
        );
        assert_eq!(
            run(
                &mut g,
                json!([{"op": "remove", "path": "members[value eq \"b\"]"}])
            ),
            vec![MemberChange::Remove(vec!["b".into()])]
        );
        assert_eq!(
            run(&mut g, json!([{"op": "remove", "path": "members"}])),
            vec![MemberChange::RemoveAll]
        );
        assert_eq!(
            run(
                &mut g,
                json!([{"op": "replace", "value": {"members": [{"value": "c"}], "displayName": "Sales EU"}}])
            ),
            vec![MemberChange::Set(vec!["c".into()])]
        );
        assert_eq!(g["displayName"], "Sales EU");
    }

    #[test]
    fn element_filters_evaluate_case_insensitively() {
        let f =
            super::super::filter::parse(r#"type eq "WORK" and not (primary eq false)"#).unwrap();
        assert!(matches(&f, &json!({"type": "work", "primary": "True"})));
        assert!(!matches(&f, &json!({"type": "home"})));
    }
}

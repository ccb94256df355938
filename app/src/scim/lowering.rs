//! SCIM filters lowered into the store's protocol-neutral [`Condition`].
//!
//! This is where SCIM attribute names meet the store's columns: the attributes Entra filters on
//! (`userName`, `externalId`, `displayName`, `id`, `active`, `meta` dates, the work e-mail, group
//! members) become indexed columns; anything else becomes a path in the stored document, spelled
//! as the schema spells it. Types and operators are checked here, so every condition the store
//! receives compiles.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::domain::record_filter::{Column, Condition, Literal, Op, Target};

use super::filter::{CompValue, CompareOp, Filter};
use super::path::AttrPath;
use super::schema::{find, find_top, Resource};
use super::{ScimError, ScimType};

fn invalid(detail: impl Into<String>) -> ScimError {
    ScimError::bad(ScimType::InvalidFilter, detail)
}

/// What an attribute path refers to.
enum Field {
    Column(Column),
    /// `members` of a group.
    Members,
    /// A value inside the document (`segments` from the root), possibly multi-valued.
    Json {
        segments: Vec<String>,
        multi: bool,
    },
}

/// The condition a SCIM filter on `resource` stands for.
pub fn lower(resource: Resource, filter: &Filter) -> Result<Condition, ScimError> {
    Ok(match filter {
        Filter::And(a, b) => {
            Condition::And(Box::new(lower(resource, a)?), Box::new(lower(resource, b)?))
        }
        Filter::Or(a, b) => {
            Condition::Or(Box::new(lower(resource, a)?), Box::new(lower(resource, b)?))
        }
        Filter::Not(a) => Condition::Not(Box::new(lower(resource, a)?)),
        Filter::Present(p) => match field(resource, p)? {
            Field::Column(c) => Condition::Present(Target::Column(c)),
            Field::Members => Condition::HasMember(None),
            Field::Json { segments, multi } => match (multi, segments.split_first()) {
                (true, Some((first, []))) => Condition::NonEmptyArray(vec![first.clone()]),
                // `emails.value pr`: some element has it.
                (true, Some((first, rest))) => Condition::AnyElement {
                    array: vec![first.clone()],
                    each: Box::new(Condition::Present(Target::Element(rest.to_vec()))),
                },
                _ => Condition::Present(Target::Document(segments)),
            },
        },
        Filter::Compare(p, op, v) => {
            compare(field(resource, &compared_path(resource, p))?, *op, v)?
        }
        Filter::ValuePath(p, inner) => value_path(resource, p, inner)?,
    })
}

fn op(op: CompareOp) -> Op {
    match op {
        CompareOp::Eq => Op::Eq,
        CompareOp::Ne => Op::Ne,
        CompareOp::Co => Op::Contains,
        CompareOp::Sw => Op::StartsWith,
        CompareOp::Ew => Op::EndsWith,
        CompareOp::Gt => Op::Gt,
        CompareOp::Ge => Op::Ge,
        CompareOp::Lt => Op::Lt,
        CompareOp::Le => Op::Le,
    }
}

fn is_substring(o: CompareOp) -> bool {
    matches!(o, CompareOp::Co | CompareOp::Sw | CompareOp::Ew)
}

fn is_equality(o: CompareOp) -> bool {
    matches!(o, CompareOp::Eq | CompareOp::Ne)
}

/// A comparison on a complex attribute without a sub-attribute compares its `value`
/// (`manager eq "{id}"`, as Entra's reference check sends it; `emails eq "x"` likewise).
fn compared_path(resource: Resource, p: &AttrPath) -> AttrPath {
    if p.sub.is_some() {
        return p.clone();
    }
    let def = match &p.urn {
        Some(urn) if !resource.is_core(urn) => resource
            .extension(urn)
            .and_then(|(_, attrs)| find(attrs, &p.attr)),
        _ => find_top(resource, &p.attr),
    };
    match def.and_then(|d| find(d.sub, "value")) {
        Some(value) => AttrPath {
            sub: Some(value.name.to_owned()),
            ..p.clone()
        },
        None => p.clone(),
    }
}

fn field(resource: Resource, p: &AttrPath) -> Result<Field, ScimError> {
    let core = p.urn.as_ref().is_none_or(|u| resource.is_core(u));
    if core {
        let attr = p.attr.to_ascii_lowercase();
        let sub = p.sub.as_deref().map(str::to_ascii_lowercase);
        let fixed = match (resource, attr.as_str(), sub.as_deref()) {
            (_, "id", None) => Some(Field::Column(Column::Id)),
            (Resource::User, "username", None) => Some(Field::Column(Column::Username)),
            (_, "externalid", None) => Some(Field::Column(Column::ExternalId)),
            (_, "displayname", None) => Some(Field::Column(Column::DisplayName)),
            (Resource::User, "active", None) => Some(Field::Column(Column::Active)),
            (Resource::Group, "members", None | Some("value")) => Some(Field::Members),
            (_, "meta", Some("created")) => Some(Field::Column(Column::Created)),
            (_, "meta", Some("lastmodified")) => Some(Field::Column(Column::LastModified)),
            (_, "meta", _) => {
                return Err(invalid(format!(
                    "filtering on meta.{} is not supported",
                    p.sub.as_deref().unwrap_or("")
                )))
            }
            _ => None,
        };
        if let Some(f) = fixed {
            return Ok(f);
        }
        let def = find_top(resource, &p.attr);
        let mut segments = vec![def
            .map(|d| d.name.to_owned())
            .unwrap_or_else(|| p.attr.clone())];
        if let Some(s) = &p.sub {
            segments.push(
                def.and_then(|d| find(d.sub, s))
                    .map(|x| x.name.to_owned())
                    .unwrap_or_else(|| s.clone()),
            );
        }
        return Ok(Field::Json {
            segments,
            multi: def.is_some_and(|d| d.multi),
        });
    }
    let urn = p.urn.clone().unwrap_or_default();
    let (urn, attrs) = match resource.extension(&urn) {
        Some((u, a)) => (u.to_owned(), Some(a)),
        None => (urn, None),
    };
    let def = attrs.and_then(|a| find(a, &p.attr));
    let mut segments = vec![
        urn,
        def.map(|d| d.name.to_owned())
            .unwrap_or_else(|| p.attr.clone()),
    ];
    if let Some(s) = &p.sub {
        segments.push(
            def.and_then(|d| find(d.sub, s))
                .map(|x| x.name.to_owned())
                .unwrap_or_else(|| s.clone()),
        );
    }
    Ok(Field::Json {
        segments,
        multi: false,
    })
}

fn compare(field: Field, o: CompareOp, v: &CompValue) -> Result<Condition, ScimError> {
    Ok(match field {
        Field::Column(c @ (Column::Created | Column::LastModified)) => {
            let CompValue::Str(s) = v else {
                return Err(invalid("a date compares with an RFC 3339 string"));
            };
            let t = OffsetDateTime::parse(s, &Rfc3339)
                .map_err(|_| invalid(format!("“{s}” is not an RFC 3339 date-time")))?;
            if is_substring(o) {
                return Err(invalid("co, sw and ew compare strings"));
            }
            Condition::Compare(
                Target::Column(c),
                op(o),
                Literal::Instant(t.unix_timestamp()),
            )
        }
        Field::Column(Column::Active) => {
            let want = match v {
                CompValue::Bool(b) => *b,
                CompValue::Str(s)
                    if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") =>
                {
                    s.eq_ignore_ascii_case("true")
                }
                _ => return Err(invalid("a boolean attribute compares with true or false")),
            };
            if !is_equality(o) {
                return Err(invalid("a boolean attribute supports only eq and ne"));
            }
            Condition::Compare(Target::Column(Column::Active), op(o), Literal::Bool(want))
        }
        Field::Column(c) => text_compare(Target::Column(c), o, v)?,
        Field::Members => {
            let CompValue::Str(id) = v else {
                return Err(invalid("members compare with a member id string"));
            };
            if o != CompareOp::Eq {
                return Err(invalid("members support only eq"));
            }
            Condition::HasMember(Some(id.clone()))
        }
        Field::Json { segments, multi } => {
            if multi {
                // `emails co "x"` / `emails.value eq "x"`: some element matches.
                let (first, rest) = segments.split_first().map_or_else(
                    || (Vec::new(), Vec::new()),
                    |(f, r)| (vec![f.clone()], r.to_vec()),
                );
                let rest = if rest.is_empty() {
                    vec!["value".to_owned()]
                } else {
                    rest
                };
                Condition::AnyElement {
                    array: first,
                    each: Box::new(json_compare(Target::Element(rest), o, v)?),
                }
            } else {
                json_compare(Target::Document(segments), o, v)?
            }
        }
    })
}

/// A text column compared with any literal (numbers and booleans as their text).
fn text_compare(target: Target, o: CompareOp, v: &CompValue) -> Result<Condition, ScimError> {
    let lit = match v {
        CompValue::Str(s) => Literal::Text(s.clone()),
        CompValue::Null if is_equality(o) => Literal::Null,
        CompValue::Null => return Err(invalid("null compares only with eq or ne")),
        CompValue::Num(n) => Literal::Text(n.to_string()),
        CompValue::Bool(b) => Literal::Text(b.to_string()),
    };
    Ok(Condition::Compare(target, op(o), lit))
}

/// A value in the document: strings case-insensitively, numbers and booleans natively.
fn json_compare(target: Target, o: CompareOp, v: &CompValue) -> Result<Condition, ScimError> {
    let lit = match v {
        CompValue::Null if is_equality(o) => Literal::Null,
        CompValue::Null => return Err(invalid("null compares only with eq or ne")),
        CompValue::Bool(b) if is_equality(o) => Literal::Bool(*b),
        CompValue::Bool(_) => return Err(invalid("a boolean compares only with eq or ne")),
        CompValue::Num(_) if is_substring(o) => {
            return Err(invalid("co, sw and ew compare strings"))
        }
        CompValue::Num(n) => Literal::Number(*n),
        CompValue::Str(s) => Literal::Text(s.clone()),
    };
    Ok(Condition::Compare(target, op(o), lit))
}

fn value_path(resource: Resource, p: &AttrPath, inner: &Filter) -> Result<Condition, ScimError> {
    // Entra's work e-mail lookup is an indexed column.
    if resource == Resource::User && p.attr.eq_ignore_ascii_case("emails") && p.urn.is_none() {
        if let Some((o, v)) = work_email_comparison(inner) {
            return text_compare(Target::Column(Column::WorkEmail), o, v);
        }
    }
    if resource == Resource::Group && p.attr.eq_ignore_ascii_case("members") {
        if let Filter::Compare(sub, o, v) = inner {
            if sub.attr.eq_ignore_ascii_case("value") {
                return compare(Field::Members, *o, v);
            }
        }
        return Err(invalid(
            "a members filter must be members[value eq \"<id>\"]",
        ));
    }
    let Field::Json { segments, .. } = field(
        resource,
        &AttrPath {
            urn: p.urn.clone(),
            attr: p.attr.clone(),
            sub: None,
        },
    )?
    else {
        return Err(invalid(format!("“{}” is not multi-valued", p.attr)));
    };
    Ok(Condition::AnyElement {
        array: segments,
        each: Box::new(element_filter(inner)?),
    })
}

/// A filter on one element, its attribute paths relative to the element.
fn element_filter(f: &Filter) -> Result<Condition, ScimError> {
    let path = |p: &AttrPath| {
        let mut segments = vec![p.attr.clone()];
        segments.extend(p.sub.clone());
        Target::Element(segments)
    };
    Ok(match f {
        Filter::And(a, b) => {
            Condition::And(Box::new(element_filter(a)?), Box::new(element_filter(b)?))
        }
        Filter::Or(a, b) => {
            Condition::Or(Box::new(element_filter(a)?), Box::new(element_filter(b)?))
        }
        Filter::Not(a) => Condition::Not(Box::new(element_filter(a)?)),
        Filter::Present(p) => Condition::Present(path(p)),
        Filter::Compare(p, o, v) => json_compare(path(p), *o, v)?,
        Filter::ValuePath(..) => return Err(invalid("value filters cannot be nested")),
    })
}

/// `type eq "work" and value <op> X` (either order): Entra's work e-mail match.
fn work_email_comparison(inner: &Filter) -> Option<(CompareOp, &CompValue)> {
    let Filter::And(a, b) = inner else {
        return None;
    };
    let is_work = |f: &Filter| matches!(f, Filter::Compare(p, CompareOp::Eq, CompValue::Str(s)) if p.attr.eq_ignore_ascii_case("type") && p.sub.is_none() && s.eq_ignore_ascii_case("work"));
    fn value_cmp(f: &Filter) -> Option<(CompareOp, &CompValue)> {
        match f {
            Filter::Compare(p, op, v)
                if p.attr.eq_ignore_ascii_case("value") && p.sub.is_none() =>
            {
                Some((*op, v))
            }
            _ => None,
        }
    }
    if is_work(a) {
        value_cmp(b)
    } else if is_work(b) {
        value_cmp(a)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::filter::parse;

    fn lowered(resource: Resource, f: &str) -> Condition {
        lower(resource, &parse(f).unwrap()).unwrap()
    }

    fn text(s: &str) -> Literal {
        Literal::Text(s.into())
    }

    #[test]
    fn entra_lookups_are_indexed_columns() {
        assert_eq!(
            lowered(Resource::User, r#"userName eq "Alice@Contoso.com""#),
            Condition::Compare(
                Target::Column(Column::Username),
                Op::Eq,
                text("Alice@Contoso.com")
            )
        );
        assert_eq!(
            lowered(Resource::User, r#"emails[type eq "work"].value eq "A@B.C""#),
            Condition::Compare(Target::Column(Column::WorkEmail), Op::Eq, text("A@B.C"))
        );
        assert_eq!(
            lowered(Resource::Group, r#"members[value eq "u1"]"#),
            Condition::HasMember(Some("u1".into()))
        );
        assert_eq!(
            lowered(Resource::Group, r#"displayName eq "Sales""#),
            Condition::Compare(Target::Column(Column::DisplayName), Op::Eq, text("Sales"))
        );
    }

    #[test]
    fn other_attributes_are_document_paths_as_the_schema_spells_them() {
        assert_eq!(
            lowered(Resource::User, r#"name.givenname sw "Al""#),
            Condition::Compare(
                Target::Document(vec!["name".into(), "givenName".into()]),
                Op::StartsWith,
                text("Al")
            )
        );
        assert_eq!(
            lowered(Resource::User, r#"emails[type eq "home" and value co "x"]"#),
            Condition::AnyElement {
                array: vec!["emails".into()],
                each: Box::new(Condition::And(
                    Box::new(Condition::Compare(
                        Target::Element(vec!["type".into()]),
                        Op::Eq,
                        text("home")
                    )),
                    Box::new(Condition::Compare(
                        Target::Element(vec!["value".into()]),
                        Op::Contains,
                        text("x")
                    )),
                )),
            }
        );
        assert_eq!(
            lowered(Resource::User, r#"emails co "x""#),
            Condition::AnyElement {
                array: vec!["emails".into()],
                each: Box::new(Condition::Compare(
                    Target::Element(vec!["value".into()]),
                    Op::Contains,
                    text("x")
                )),
            }
        );
        assert_eq!(
            lowered(Resource::User, "emails pr"),
            Condition::NonEmptyArray(vec!["emails".into()])
        );
        assert_eq!(
            lowered(
                Resource::User,
                r#"meta.lastModified gt "2026-01-01T00:00:00Z""#
            ),
            Condition::Compare(
                Target::Column(Column::LastModified),
                Op::Gt,
                Literal::Instant(1_767_225_600)
            )
        );
    }

    #[test]
    fn unsupported_comparisons_are_invalid_filter() {
        for f in [
            r#"active gt true"#,
            r#"meta.version eq "1""#,
            r#"meta.created gt "yesterday""#,
            r#"title gt true"#,
            r#"title co 5"#,
            r#"userName gt null"#,
            r#"members[display eq "x"]"#,
        ] {
            let Ok(parsed) = parse(f) else { continue };
            let e = lower(Resource::User, &parsed)
                .and_then(|_| lower(Resource::Group, &parsed).map(|_| ()))
                .unwrap_err();
            assert_eq!(e.scim_type, Some(ScimType::InvalidFilter), "{f}");
        }
    }
}

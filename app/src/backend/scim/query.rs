//! SCIM filters as SQL: a `WHERE` fragment with bound parameters, never interpolated values.
//!
//! The attributes Entra filters on map to indexed columns (`userName`, `externalId`,
//! `displayName`, `id`, the work e-mail, group members); anything else is read from the stored
//! JSON document with the engine's JSON functions, still inside the database.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::backend::db::DbKind;
use crate::scim::filter::{CompValue, CompareOp, Filter};
use crate::scim::path::AttrPath;
use crate::scim::schema::{find, find_top, Resource};
use crate::scim::{ScimError, ScimType};

/// A value to bind, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Bind {
    Text(String),
    Int(i64),
    Real(f64),
}

/// What an attribute path refers to in a row.
enum Field {
    /// A text column; `folded` columns hold lower-cased values and compare case-insensitively.
    Text { column: &'static str, folded: bool },
    /// A 0/1 flag column.
    Flag(&'static str),
    /// Unix seconds, compared against RFC 3339 timestamps.
    Time(&'static str),
    /// `members` of a group: membership rows.
    Members,
    /// A value inside the JSON document (`segments` from the root), possibly multi-valued.
    Json { segments: Vec<String>, multi: bool },
}

pub struct Compiler {
    kind: DbKind,
    resource: Resource,
    /// `a` for accounts, `g` for groups.
    alias: &'static str,
    next_param: usize,
    pub binds: Vec<Bind>,
}

fn invalid(detail: impl Into<String>) -> ScimError {
    ScimError::bad(ScimType::InvalidFilter, detail)
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

impl Compiler {
    /// `first_param` is the number of the first `$n` the filter may use.
    pub fn new(kind: DbKind, resource: Resource, first_param: usize) -> Self {
        let alias = match resource {
            Resource::User => "a",
            Resource::Group => "g",
        };
        Self {
            kind,
            resource,
            alias,
            next_param: first_param,
            binds: Vec::new(),
        }
    }

    fn bind(&mut self, b: Bind) -> String {
        let p = format!("${}", self.next_param);
        self.next_param += 1;
        self.binds.push(b);
        p
    }

    pub fn next_param(&self) -> usize {
        self.next_param
    }

    pub fn compile(&mut self, filter: &Filter) -> Result<String, ScimError> {
        Ok(match filter {
            Filter::And(a, b) => format!("({} AND {})", self.compile(a)?, self.compile(b)?),
            Filter::Or(a, b) => format!("({} OR {})", self.compile(a)?, self.compile(b)?),
            Filter::Not(a) => format!("(NOT COALESCE({}, 0 = 1))", self.compile(a)?),
            Filter::Present(p) => {
                let field = self.field(p)?;
                self.present(&field)
            }
            Filter::Compare(p, op, v) => {
                let field = self.field(&self.compared_path(p))?;
                self.compare(&field, *op, v)?
            }
            Filter::ValuePath(p, inner) => self.value_path(p, inner)?,
        })
    }

    fn doc(&self) -> String {
        format!("{}.scim_doc", self.alias)
    }

    /// A comparison on a complex attribute without a sub-attribute compares its `value`
    /// (`manager eq "{id}"`, as Entra's reference check sends it; `emails eq "x"` likewise).
    fn compared_path(&self, p: &AttrPath) -> AttrPath {
        if p.sub.is_some() {
            return p.clone();
        }
        let def = match &p.urn {
            Some(urn) if !self.resource.is_core(urn) => self
                .resource
                .extension(urn)
                .and_then(|(_, attrs)| find(attrs, &p.attr)),
            _ => find_top(self.resource, &p.attr),
        };
        match def.and_then(|d| find(d.sub, "value")) {
            Some(value) => AttrPath {
                sub: Some(value.name.to_owned()),
                ..p.clone()
            },
            None => p.clone(),
        }
    }

    fn field(&self, p: &AttrPath) -> Result<Field, ScimError> {
        let core = p.urn.as_ref().is_none_or(|u| self.resource.is_core(u));
        let col = |c: &'static str| c;
        if core {
            let attr = p.attr.to_ascii_lowercase();
            let sub = p.sub.as_deref().map(str::to_ascii_lowercase);
            let fixed = match (self.resource, attr.as_str(), sub.as_deref()) {
                (Resource::User, "id", None) => Some(Field::Text {
                    column: col("a.account_id"),
                    folded: false,
                }),
                (Resource::User, "username", None) => Some(Field::Text {
                    column: col("a.username_folded"),
                    folded: true,
                }),
                (Resource::User, "externalid", None) => Some(Field::Text {
                    column: col("a.external_id"),
                    folded: false,
                }),
                (Resource::User, "displayname", None) => Some(Field::Text {
                    column: col("a.display_name_folded"),
                    folded: true,
                }),
                (Resource::User, "active", None) => Some(Field::Flag("a.is_active")),
                (Resource::User, "meta", Some("created")) => Some(Field::Time("a.created_at")),
                (Resource::User, "meta", Some("lastmodified")) => Some(Field::Time("a.updated_at")),
                (Resource::Group, "id", None) => Some(Field::Text {
                    column: col("g.group_id"),
                    folded: false,
                }),
                (Resource::Group, "displayname", None) => Some(Field::Text {
                    column: col("g.display_name_folded"),
                    folded: true,
                }),
                (Resource::Group, "externalid", None) => Some(Field::Text {
                    column: col("g.external_id"),
                    folded: false,
                }),
                (Resource::Group, "members", None | Some("value")) => Some(Field::Members),
                (Resource::Group, "meta", Some("created")) => Some(Field::Time("g.created_at")),
                (Resource::Group, "meta", Some("lastmodified")) => {
                    Some(Field::Time("g.updated_at"))
                }
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
            let def = find_top(self.resource, &p.attr);
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
        let (urn, attrs) = match self.resource.extension(&urn) {
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

    /// SQLite JSON path `$."a"."b"` for segments (quotes escaped).
    fn sqlite_path(segments: &[String]) -> String {
        let mut p = String::from("$");
        for s in segments {
            p.push_str(&format!(".\"{}\"", s.replace('"', "\\\"")));
        }
        p
    }

    /// An SQL expression for a JSON value under `base` (a document or an array element).
    fn json_expr(&mut self, base: &str, segments: &[String]) -> String {
        match self.kind {
            DbKind::Sqlite => {
                let p = self.bind(Bind::Text(Self::sqlite_path(segments)));
                format!("json_extract({base}, {p})")
            }
            DbKind::Postgres => {
                let params: Vec<String> = segments
                    .iter()
                    .map(|s| self.bind(Bind::Text(s.clone())))
                    .collect();
                format!(
                    "jsonb_extract_path_text(({base})::jsonb, {})",
                    params.join(", ")
                )
            }
        }
    }

    /// `EXISTS (… for each element e of the array at segments …)`, with `cond` built per element.
    fn each_element(
        &mut self,
        segments: &[String],
        cond: impl FnOnce(&mut Self, &str) -> Result<String, ScimError>,
    ) -> Result<String, ScimError> {
        let doc = self.doc();
        match self.kind {
            DbKind::Sqlite => {
                let p = self.bind(Bind::Text(Self::sqlite_path(segments)));
                let inner = cond(self, "e.value")?;
                Ok(format!(
                    "EXISTS (SELECT 1 FROM json_each({doc}, {p}) e WHERE {inner})"
                ))
            }
            DbKind::Postgres => {
                let params: Vec<String> = segments
                    .iter()
                    .map(|s| self.bind(Bind::Text(s.clone())))
                    .collect();
                let arr = format!("jsonb_extract_path(({doc})::jsonb, {})", params.join(", "));
                let inner = cond(self, "e.value")?;
                Ok(format!(
                    "EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof({arr}) = 'array' THEN {arr} ELSE '[]'::jsonb END) e WHERE {inner})"
                ))
            }
        }
    }

    fn value_path(&mut self, p: &AttrPath, inner: &Filter) -> Result<String, ScimError> {
        // Entra's work e-mail lookup is an indexed column.
        if self.resource == Resource::User
            && p.attr.eq_ignore_ascii_case("emails")
            && p.urn.is_none()
        {
            if let Some((op, v)) = work_email_comparison(inner) {
                let field = Field::Text {
                    column: "a.work_email_folded",
                    folded: true,
                };
                return self.compare(&field, op, v);
            }
        }
        if self.resource == Resource::Group && p.attr.eq_ignore_ascii_case("members") {
            if let Filter::Compare(sub, op, v) = inner {
                if sub.attr.eq_ignore_ascii_case("value") {
                    return self.compare(&Field::Members, *op, v);
                }
            }
            return Err(invalid(
                "a members filter must be members[value eq \"<id>\"]",
            ));
        }
        let Field::Json { segments, .. } = self.field(&AttrPath {
            urn: p.urn.clone(),
            attr: p.attr.clone(),
            sub: None,
        })?
        else {
            return Err(invalid(format!("“{}” is not multi-valued", p.attr)));
        };
        self.each_element(&segments, |this, element| {
            this.element_filter(inner, element)
        })
    }

    /// A filter on one element, its attribute paths relative to the element.
    fn element_filter(&mut self, f: &Filter, element: &str) -> Result<String, ScimError> {
        Ok(match f {
            Filter::And(a, b) => format!(
                "({} AND {})",
                self.element_filter(a, element)?,
                self.element_filter(b, element)?
            ),
            Filter::Or(a, b) => format!(
                "({} OR {})",
                self.element_filter(a, element)?,
                self.element_filter(b, element)?
            ),
            Filter::Not(a) => format!(
                "(NOT COALESCE({}, 0 = 1))",
                self.element_filter(a, element)?
            ),
            Filter::Present(p) => {
                let e = self.element_expr(p, element);
                format!("({e} IS NOT NULL AND {e} <> '')")
            }
            Filter::Compare(p, op, v) => {
                let e = self.element_expr(p, element);
                self.json_compare(&e, *op, v)?
            }
            Filter::ValuePath(..) => return Err(invalid("value filters cannot be nested")),
        })
    }

    fn element_expr(&mut self, p: &AttrPath, element: &str) -> String {
        let mut segments = vec![p.attr.clone()];
        segments.extend(p.sub.clone());
        self.json_expr(element, &segments)
    }

    fn present(&mut self, field: &Field) -> String {
        match field {
            Field::Text { column, .. } => format!("({column} IS NOT NULL AND {column} <> '')"),
            Field::Flag(_) | Field::Time(_) => "(1 = 1)".into(),
            Field::Members => format!(
                "EXISTS (SELECT 1 FROM group_member m WHERE m.group_id = {}.group_id)",
                self.alias
            ),
            Field::Json { segments, multi } => {
                let segments = segments.clone();
                if let (true, [first]) = (*multi, segments.as_slice()) {
                    let e = self.json_expr(&self.doc(), &segments);
                    let len = match self.kind {
                        DbKind::Sqlite => format!("json_array_length({}, {})", self.doc(), self.bind(Bind::Text(Self::sqlite_path(&segments)))),
                        DbKind::Postgres => format!("jsonb_array_length(CASE WHEN jsonb_typeof(({})::jsonb -> {}) = 'array' THEN ({})::jsonb -> {} ELSE '[]'::jsonb END)", self.doc(), self.bind(Bind::Text(first.clone())), self.doc(), self.bind(Bind::Text(first.clone()))),
                    };
                    format!("({e} IS NOT NULL AND COALESCE({len}, 0) > 0)")
                } else if *multi {
                    // `emails.value pr`: some element has it.
                    let (attr, rest) = split_first_segment(&segments);
                    self.each_element(&attr, |this, el| {
                        let e = this.json_expr(el, &rest);
                        Ok(format!("({e} IS NOT NULL AND {e} <> '')"))
                    })
                    .unwrap_or_else(|_| "(0 = 1)".into())
                } else {
                    let e = self.json_expr(&self.doc(), &segments);
                    format!("({e} IS NOT NULL AND {e} <> '')")
                }
            }
        }
    }

    fn compare(
        &mut self,
        field: &Field,
        op: CompareOp,
        v: &CompValue,
    ) -> Result<String, ScimError> {
        match field {
            Field::Text { column, folded } => self.text_compare(column, *folded, op, v),
            Field::Flag(column) => {
                let want = match v {
                    CompValue::Bool(b) => *b,
                    CompValue::Str(s)
                        if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") =>
                    {
                        s.eq_ignore_ascii_case("true")
                    }
                    _ => return Err(invalid("a boolean attribute compares with true or false")),
                };
                match op {
                    CompareOp::Eq => Ok(format!("({column} = {})", i64::from(want))),
                    CompareOp::Ne => Ok(format!("({column} <> {})", i64::from(want))),
                    _ => Err(invalid("a boolean attribute supports only eq and ne")),
                }
            }
            Field::Time(column) => {
                let CompValue::Str(s) = v else {
                    return Err(invalid("a date compares with an RFC 3339 string"));
                };
                let t = OffsetDateTime::parse(s, &Rfc3339)
                    .map_err(|_| invalid(format!("“{s}” is not an RFC 3339 date-time")))?;
                let secs = t.unix_timestamp();
                let p = self.bind(Bind::Int(secs));
                Ok(format!("({column} {} {p})", sql_op(op)?))
            }
            Field::Members => {
                let CompValue::Str(id) = v else {
                    return Err(invalid("members compare with a member id string"));
                };
                if op != CompareOp::Eq {
                    return Err(invalid("members support only eq"));
                }
                let p = self.bind(Bind::Text(id.clone()));
                Ok(format!("EXISTS (SELECT 1 FROM group_member m WHERE m.group_id = {}.group_id AND m.account_id = {p})", self.alias))
            }
            Field::Json { segments, multi } => {
                let segments = segments.clone();
                if *multi {
                    // `emails co "x"` / `emails.value eq "x"`: some element matches.
                    let (attr, rest) = split_first_segment(&segments);
                    let rest = if rest.is_empty() {
                        vec!["value".to_owned()]
                    } else {
                        rest
                    };
                    return self.each_element(&attr, |this, el| {
                        let e = this.json_expr(el, &rest);
                        this.json_compare(&e, op, v)
                    });
                }
                let e = self.json_expr(&self.doc(), &segments);
                self.json_compare(&e, op, v)
            }
        }
    }

    fn text_compare(
        &mut self,
        column: &str,
        folded: bool,
        op: CompareOp,
        v: &CompValue,
    ) -> Result<String, ScimError> {
        let s = match v {
            CompValue::Str(s) => s.clone(),
            CompValue::Null => {
                return match op {
                    CompareOp::Eq => Ok(format!("({column} IS NULL)")),
                    CompareOp::Ne => Ok(format!("({column} IS NOT NULL)")),
                    _ => Err(invalid("null compares only with eq or ne")),
                }
            }
            CompValue::Num(n) => n.to_string(),
            CompValue::Bool(b) => b.to_string(),
        };
        let s = if folded {
            crate::domain::account::fold_username(&s)
        } else {
            s
        };
        Ok(match op {
            CompareOp::Eq => format!("({column} = {})", self.bind(Bind::Text(s))),
            CompareOp::Ne => format!(
                "({column} IS NULL OR {column} <> {})",
                self.bind(Bind::Text(s))
            ),
            CompareOp::Co | CompareOp::Sw | CompareOp::Ew => {
                let pattern = like_pattern(op, &s);
                format!(
                    "({column} LIKE {} ESCAPE '\\')",
                    self.bind(Bind::Text(pattern))
                )
            }
            _ => format!("({column} {} {})", sql_op(op)?, self.bind(Bind::Text(s))),
        })
    }

    /// Compares a JSON-extracted value: strings case-insensitively, numbers and booleans natively.
    fn json_compare(
        &mut self,
        expr: &str,
        op: CompareOp,
        v: &CompValue,
    ) -> Result<String, ScimError> {
        match v {
            CompValue::Null => match op {
                CompareOp::Eq => Ok(format!("({expr} IS NULL)")),
                CompareOp::Ne => Ok(format!("({expr} IS NOT NULL)")),
                _ => Err(invalid("null compares only with eq or ne")),
            },
            CompValue::Bool(b) => {
                let lit = match self.kind {
                    DbKind::Sqlite => if *b { "1" } else { "0" }.to_owned(),
                    DbKind::Postgres => format!("'{b}'"),
                };
                match op {
                    CompareOp::Eq => Ok(format!("({expr} = {lit})")),
                    CompareOp::Ne => Ok(format!("({expr} IS NULL OR {expr} <> {lit})")),
                    _ => Err(invalid("a boolean compares only with eq or ne")),
                }
            }
            CompValue::Num(n) => {
                let p = self.bind(Bind::Real(*n));
                let e = match self.kind {
                    DbKind::Sqlite => expr.to_owned(),
                    DbKind::Postgres => format!("({expr})::double precision"),
                };
                match op {
                    CompareOp::Co | CompareOp::Sw | CompareOp::Ew => {
                        Err(invalid("co, sw and ew compare strings"))
                    }
                    CompareOp::Ne => Ok(format!("({e} IS NULL OR {e} <> {p})")),
                    _ => Ok(format!("({e} {} {p})", sql_op(op)?)),
                }
            }
            CompValue::Str(s) => {
                let folded = s.to_lowercase();
                let e = format!("lower({expr})");
                Ok(match op {
                    CompareOp::Eq => format!("({e} = {})", self.bind(Bind::Text(folded))),
                    CompareOp::Ne => format!(
                        "({expr} IS NULL OR {e} <> {})",
                        self.bind(Bind::Text(folded))
                    ),
                    CompareOp::Co | CompareOp::Sw | CompareOp::Ew => {
                        format!(
                            "({e} LIKE {} ESCAPE '\\')",
                            self.bind(Bind::Text(like_pattern(op, &folded)))
                        )
                    }
                    _ => format!("({e} {} {})", sql_op(op)?, self.bind(Bind::Text(folded))),
                })
            }
        }
    }
}

fn like_pattern(op: CompareOp, s: &str) -> String {
    let e = escape_like(s);
    match op {
        CompareOp::Co => format!("%{e}%"),
        CompareOp::Sw => format!("{e}%"),
        _ => format!("%{e}"),
    }
}

fn sql_op(op: CompareOp) -> Result<&'static str, ScimError> {
    Ok(match op {
        CompareOp::Eq => "=",
        CompareOp::Ne => "<>",
        CompareOp::Gt => ">",
        CompareOp::Ge => ">=",
        CompareOp::Lt => "<",
        CompareOp::Le => "<=",
        _ => return Err(invalid("co, sw and ew compare strings")),
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

/// `["emails", "value"]` → (`["emails"]`, `["value"]`); an empty path gives two empty halves.
fn split_first_segment(segments: &[String]) -> (Vec<String>, Vec<String>) {
    match segments.split_first() {
        Some((first, rest)) => (vec![first.clone()], rest.to_vec()),
        None => (Vec::new(), Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::filter::parse;

    fn sql(resource: Resource, f: &str) -> (String, Vec<Bind>) {
        let mut c = Compiler::new(DbKind::Sqlite, resource, 2);
        let s = c.compile(&parse(f).unwrap()).unwrap();
        (s, c.binds)
    }

    #[test]
    fn entra_lookups_use_indexed_columns_and_binds() {
        let (s, b) = sql(Resource::User, r#"userName eq "Alice@Contoso.com""#);
        assert_eq!(s, "(a.username_folded = $2)");
        assert_eq!(b, vec![Bind::Text("alice@contoso.com".into())]);
        let (s, _) = sql(Resource::User, r#"externalId eq "x" and id eq "y""#);
        assert_eq!(s, "((a.external_id = $2) AND (a.account_id = $3))");
        let (s, b) = sql(Resource::User, r#"emails[type eq "work"].value eq "A@B.C""#);
        assert_eq!(s, "(a.work_email_folded = $2)");
        assert_eq!(b, vec![Bind::Text("a@b.c".into())]);
        let (s, _) = sql(Resource::Group, r#"displayName eq "Sales""#);
        assert_eq!(s, "(g.display_name_folded = $2)");
        let (s, _) = sql(Resource::Group, r#"members[value eq "u1"]"#);
        assert!(s.contains("FROM group_member m") && s.contains("$2"), "{s}");
    }

    #[test]
    fn injection_attempts_stay_in_binds() {
        let (s, b) = sql(Resource::User, r#"userName eq "x' OR 1=1 --""#);
        assert!(!s.contains("OR 1=1"));
        assert_eq!(b, vec![Bind::Text("x' or 1=1 --".into())]);
        let (s, b) = sql(Resource::User, r#"title co "50%_off""#);
        assert!(
            s.contains("json_extract(a.scim_doc, $2)") && s.contains("LIKE $3 ESCAPE"),
            "{s}"
        );
        assert_eq!(b[1], Bind::Text("%50\\%\\_off%".into()));
    }

    #[test]
    fn other_attributes_read_the_document() {
        let (s, b) = sql(
            Resource::User,
            r#"name.givenName sw "Al" or not (active eq false)"#,
        );
        assert!(
            s.contains("json_extract(a.scim_doc, $2)")
                && s.contains("(NOT COALESCE((a.is_active = 0)"),
            "{s}"
        );
        assert_eq!(b[0], Bind::Text(r#"$."name"."givenName""#.into()));
        let (s, _) = sql(Resource::User, r#"emails[type eq "home" and value co "x"]"#);
        assert!(
            s.starts_with("EXISTS (SELECT 1 FROM json_each(a.scim_doc, $2) e"),
            "{s}"
        );
        let (s, b) = sql(
            Resource::User,
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Sales""#,
        );
        assert!(s.contains("json_extract"), "{s}");
        assert_eq!(
            b[0],
            Bind::Text(
                r#"$."urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"."department""#
                    .into()
            )
        );
        let (s, b) = sql(
            Resource::User,
            r#"meta.lastModified gt "2026-01-01T00:00:00Z""#,
        );
        assert_eq!(s, "(a.updated_at > $2)");
        assert_eq!(b, vec![Bind::Int(1_767_225_600)]);
    }

    #[test]
    fn unsupported_comparisons_are_invalid_filter() {
        for f in [
            r#"active gt true"#,
            r#"meta.version eq "1""#,
            r#"meta.created gt "yesterday""#,
        ] {
            let mut c = Compiler::new(DbKind::Sqlite, Resource::User, 2);
            let e = c.compile(&parse(f).unwrap()).unwrap_err();
            assert_eq!(e.scim_type, Some(ScimType::InvalidFilter), "{f}");
        }
    }
}

//! Record conditions as SQL: a `WHERE` fragment with bound parameters, never interpolated values.
//!
//! Indexed columns compare directly; document paths are read with the engine's JSON functions,
//! still inside the database. The condition comes checked from the edge, so compiling it
//! cannot fail; a combination no edge produces matches nothing.

use crate::backend::db::DbKind;
use crate::backend::sql::Param;
use crate::domain::account::fold_username;
use crate::domain::record_filter::{Column, Condition, Literal, Op, Target};

/// Which table the condition filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Records {
    /// `account a`
    Users,
    /// `security_group g`
    Groups,
}

/// How a column compares.
enum ColumnKind {
    /// A text column; `folded` columns hold lower-cased values and compare case-insensitively.
    Text { folded: bool },
    /// A 0/1 flag.
    Flag,
    /// Unix seconds.
    Time,
}

const NOTHING: &str = "(0 = 1)";

pub struct Compiler {
    kind: DbKind,
    records: Records,
    next_param: usize,
    pub binds: Vec<Param>,
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

impl Compiler {
    /// `first_param` is the number of the first `$n` the condition may use.
    pub fn new(kind: DbKind, records: Records, first_param: usize) -> Self {
        Self {
            kind,
            records,
            next_param: first_param,
            binds: Vec::new(),
        }
    }

    fn bind(&mut self, b: Param) -> String {
        let p = format!("${}", self.next_param);
        self.next_param += 1;
        self.binds.push(b);
        p
    }

    fn alias(&self) -> &'static str {
        match self.records {
            Records::Users => "a",
            Records::Groups => "g",
        }
    }

    fn doc(&self) -> String {
        format!("{}.scim_doc", self.alias())
    }

    /// The SQL column and how it compares, if this table has it.
    fn column(&self, c: Column) -> Option<(&'static str, ColumnKind)> {
        use ColumnKind::{Flag, Text, Time};
        Some(match (self.records, c) {
            (Records::Users, Column::Id) => ("a.account_id", Text { folded: false }),
            (Records::Users, Column::Username) => ("a.username_folded", Text { folded: true }),
            (Records::Users, Column::ExternalId) => ("a.external_id", Text { folded: false }),
            (Records::Users, Column::DisplayName) => {
                ("a.display_name_folded", Text { folded: true })
            }
            (Records::Users, Column::WorkEmail) => ("a.work_email_folded", Text { folded: true }),
            (Records::Users, Column::Active) => ("a.is_active", Flag),
            (Records::Users, Column::Created) => ("a.created_at", Time),
            (Records::Users, Column::LastModified) => ("a.updated_at", Time),
            (Records::Groups, Column::Id) => ("g.group_id", Text { folded: false }),
            (Records::Groups, Column::DisplayName) => {
                ("g.display_name_folded", Text { folded: true })
            }
            (Records::Groups, Column::ExternalId) => ("g.external_id", Text { folded: false }),
            (Records::Groups, Column::Created) => ("g.created_at", Time),
            (Records::Groups, Column::LastModified) => ("g.updated_at", Time),
            (Records::Groups, Column::Username | Column::WorkEmail | Column::Active) => {
                return None
            }
        })
    }

    pub fn compile(&mut self, c: &Condition) -> String {
        self.condition(c, None)
    }

    /// `element` is the SQL of the array element inside an [`Condition::AnyElement`].
    fn condition(&mut self, c: &Condition, element: Option<&str>) -> String {
        match c {
            Condition::And(a, b) => format!(
                "({} AND {})",
                self.condition(a, element),
                self.condition(b, element)
            ),
            Condition::Or(a, b) => format!(
                "({} OR {})",
                self.condition(a, element),
                self.condition(b, element)
            ),
            Condition::Not(a) => format!("(NOT COALESCE({}, 0 = 1))", self.condition(a, element)),
            Condition::Present(t) => self.present(t, element),
            Condition::Compare(t, op, v) => self.compare(t, *op, v, element),
            Condition::AnyElement { array, each } => {
                self.each_element(array, |this, el| this.condition(each, Some(el)))
            }
            Condition::NonEmptyArray(path) => self.non_empty_array(path),
            Condition::HasMember(id) => self.has_member(id.as_deref()),
        }
    }

    /// SQLite JSON path `$."a"."b"` for segments (quotes escaped).
    fn sqlite_path(segments: &[String]) -> String {
        let mut p = String::from("$");
        for s in segments {
            p.push_str(&format!(".\"{}\"", s.replace('"', "\\\"")));
        }
        p
    }

    /// PostgreSQL: the path's segments as bound parameters, `$3, $4`.
    fn path_params(&mut self, segments: &[String]) -> String {
        let params: Vec<String> = segments
            .iter()
            .map(|s| self.bind(Param::Text(s.clone())))
            .collect();
        params.join(", ")
    }

    /// PostgreSQL: the array at the path in `doc`, or an empty array when it holds none.
    fn pg_array(&mut self, doc: &str, segments: &[String]) -> String {
        let params = self.path_params(segments);
        let arr = format!("jsonb_extract_path(({doc})::jsonb, {params})");
        format!("(CASE WHEN jsonb_typeof({arr}) = 'array' THEN {arr} ELSE '[]'::jsonb END)")
    }

    /// An SQL expression for a JSON value under `base` (a document or an array element).
    fn json_expr(&mut self, base: &str, segments: &[String]) -> String {
        match self.kind {
            DbKind::Sqlite => {
                let p = self.bind(Param::Text(Self::sqlite_path(segments)));
                format!("json_extract({base}, {p})")
            }
            DbKind::Postgres => {
                let params = self.path_params(segments);
                format!("jsonb_extract_path_text(({base})::jsonb, {params})")
            }
        }
    }

    /// The JSON value a document or element target names; `None` for an element path outside
    /// any element (no edge builds that).
    fn target_expr(&mut self, t: &Target, element: Option<&str>) -> Option<String> {
        match (t, element) {
            (Target::Document(path), _) => {
                let doc = self.doc();
                Some(self.json_expr(&doc, path))
            }
            (Target::Element(path), Some(el)) => Some(self.json_expr(el, path)),
            _ => None,
        }
    }

    /// `EXISTS (… for each element e of the array at segments …)`, with `cond` built per element.
    fn each_element(
        &mut self,
        segments: &[String],
        cond: impl FnOnce(&mut Self, &str) -> String,
    ) -> String {
        let doc = self.doc();
        match self.kind {
            DbKind::Sqlite => {
                let p = self.bind(Param::Text(Self::sqlite_path(segments)));
                let inner = cond(self, "e.value");
                format!("EXISTS (SELECT 1 FROM json_each({doc}, {p}) e WHERE {inner})")
            }
            DbKind::Postgres => {
                let arr = self.pg_array(&doc, segments);
                let inner = cond(self, "e.value");
                format!("EXISTS (SELECT 1 FROM jsonb_array_elements({arr}) e WHERE {inner})")
            }
        }
    }

    fn non_empty_array(&mut self, segments: &[String]) -> String {
        let doc = self.doc();
        let e = self.json_expr(&doc, segments);
        let len = match self.kind {
            DbKind::Sqlite => {
                let p = self.bind(Param::Text(Self::sqlite_path(segments)));
                format!("json_array_length({doc}, {p})")
            }
            DbKind::Postgres => {
                let arr = self.pg_array(&doc, segments);
                format!("jsonb_array_length({arr})")
            }
        };
        format!("({e} IS NOT NULL AND COALESCE({len}, 0) > 0)")
    }

    fn has_member(&mut self, id: Option<&str>) -> String {
        if self.records != Records::Groups {
            return NOTHING.into();
        }
        match id {
            None => "EXISTS (SELECT 1 FROM group_member m WHERE m.group_id = g.group_id)".into(),
            Some(id) => {
                let p = self.bind(Param::Text(id.to_owned()));
                format!("EXISTS (SELECT 1 FROM group_member m WHERE m.group_id = g.group_id AND m.account_id = {p})")
            }
        }
    }

    fn present(&mut self, t: &Target, element: Option<&str>) -> String {
        if let Target::Column(c) = t {
            return match self.column(*c) {
                Some((column, ColumnKind::Text { .. })) => {
                    format!("({column} IS NOT NULL AND {column} <> '')")
                }
                Some(_) => "(1 = 1)".into(),
                None => NOTHING.into(),
            };
        }
        match self.target_expr(t, element) {
            Some(e) => format!("({e} IS NOT NULL AND {e} <> '')"),
            None => NOTHING.into(),
        }
    }

    fn compare(&mut self, t: &Target, op: Op, v: &Literal, element: Option<&str>) -> String {
        if let Target::Column(c) = t {
            return match self.column(*c) {
                Some((column, ColumnKind::Text { folded })) => {
                    self.text_compare(column, folded, op, v)
                }
                Some((column, ColumnKind::Flag)) => match (op, v) {
                    (Op::Eq, Literal::Bool(b)) => format!("({column} = {})", i64::from(*b)),
                    (Op::Ne, Literal::Bool(b)) => format!("({column} <> {})", i64::from(*b)),
                    _ => NOTHING.into(),
                },
                Some((column, ColumnKind::Time)) => match (sql_op(op), v) {
                    (Some(o), Literal::Instant(secs)) => {
                        let p = self.bind(Param::Int(*secs));
                        format!("({column} {o} {p})")
                    }
                    _ => NOTHING.into(),
                },
                None => NOTHING.into(),
            };
        }
        match self.target_expr(t, element) {
            Some(e) => self.json_compare(&e, op, v),
            None => NOTHING.into(),
        }
    }

    fn text_compare(&mut self, column: &str, folded: bool, op: Op, v: &Literal) -> String {
        let s = match v {
            Literal::Text(s) => s.clone(),
            Literal::Null => {
                return match op {
                    Op::Eq => format!("({column} IS NULL)"),
                    Op::Ne => format!("({column} IS NOT NULL)"),
                    _ => NOTHING.into(),
                }
            }
            Literal::Number(n) => n.to_string(),
            Literal::Bool(b) => b.to_string(),
            Literal::Instant(i) => i.to_string(),
        };
        let s = if folded { fold_username(&s) } else { s };
        match (op, sql_op(op)) {
            (Op::Eq, _) => format!("({column} = {})", self.bind(Param::Text(s))),
            (Op::Ne, _) => format!(
                "({column} IS NULL OR {column} <> {})",
                self.bind(Param::Text(s))
            ),
            (_, Some(o)) => format!("({column} {o} {})", self.bind(Param::Text(s))),
            (_, None) => {
                let pattern = like_pattern(op, &s);
                format!(
                    "({column} LIKE {} ESCAPE '\\')",
                    self.bind(Param::Text(pattern))
                )
            }
        }
    }

    /// Compares a JSON-extracted value: strings case-insensitively, numbers and booleans natively.
    fn json_compare(&mut self, expr: &str, op: Op, v: &Literal) -> String {
        match v {
            Literal::Null => match op {
                Op::Eq => format!("({expr} IS NULL)"),
                Op::Ne => format!("({expr} IS NOT NULL)"),
                _ => NOTHING.into(),
            },
            Literal::Bool(b) => {
                let lit = match self.kind {
                    DbKind::Sqlite => if *b { "1" } else { "0" }.to_owned(),
                    DbKind::Postgres => format!("'{b}'"),
                };
                match op {
                    Op::Eq => format!("({expr} = {lit})"),
                    Op::Ne => format!("({expr} IS NULL OR {expr} <> {lit})"),
                    _ => NOTHING.into(),
                }
            }
            Literal::Number(n) => {
                let Some(o) = sql_op(op) else {
                    return NOTHING.into();
                };
                let p = self.bind(Param::Real(*n));
                let e = match self.kind {
                    DbKind::Sqlite => expr.to_owned(),
                    DbKind::Postgres => format!("({expr})::double precision"),
                };
                match op {
                    Op::Ne => format!("({e} IS NULL OR {e} <> {p})"),
                    _ => format!("({e} {o} {p})"),
                }
            }
            Literal::Instant(_) => NOTHING.into(),
            Literal::Text(s) => {
                let folded = s.to_lowercase();
                let e = format!("lower({expr})");
                match (op, sql_op(op)) {
                    (Op::Eq, _) => format!("({e} = {})", self.bind(Param::Text(folded))),
                    (Op::Ne, _) => format!(
                        "({expr} IS NULL OR {e} <> {})",
                        self.bind(Param::Text(folded))
                    ),
                    (_, Some(o)) => format!("({e} {o} {})", self.bind(Param::Text(folded))),
                    (_, None) => format!(
                        "({e} LIKE {} ESCAPE '\\')",
                        self.bind(Param::Text(like_pattern(op, &folded)))
                    ),
                }
            }
        }
    }
}

fn like_pattern(op: Op, s: &str) -> String {
    let e = escape_like(s);
    match op {
        Op::Contains => format!("%{e}%"),
        Op::StartsWith => format!("{e}%"),
        _ => format!("%{e}"),
    }
}

/// The SQL operator of an ordering or equality comparison; `None` for the substring tests.
fn sql_op(op: Op) -> Option<&'static str> {
    Some(match op {
        Op::Eq => "=",
        Op::Ne => "<>",
        Op::Gt => ">",
        Op::Ge => ">=",
        Op::Lt => "<",
        Op::Le => "<=",
        Op::Contains | Op::StartsWith | Op::EndsWith => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sql(records: Records, c: &Condition) -> (String, Vec<Param>) {
        let mut compiler = Compiler::new(DbKind::Sqlite, records, 2);
        let s = compiler.compile(c);
        (s, compiler.binds)
    }

    fn cmp(t: Target, op: Op, v: &str) -> Condition {
        Condition::Compare(t, op, Literal::Text(v.into()))
    }

    #[test]
    fn indexed_columns_compare_folded_with_binds() {
        let (s, b) = sql(
            Records::Users,
            &cmp(
                Target::Column(Column::Username),
                Op::Eq,
                "Alice@Contoso.com",
            ),
        );
        assert_eq!(s, "(a.username_folded = $2)");
        assert_eq!(b, vec![Param::Text("alice@contoso.com".into())]);
        let both = Condition::And(
            Box::new(cmp(Target::Column(Column::ExternalId), Op::Eq, "x")),
            Box::new(cmp(Target::Column(Column::Id), Op::Eq, "y")),
        );
        let (s, _) = sql(Records::Users, &both);
        assert_eq!(s, "((a.external_id = $2) AND (a.account_id = $3))");
        let (s, _) = sql(
            Records::Groups,
            &cmp(Target::Column(Column::DisplayName), Op::Eq, "Sales"),
        );
        assert_eq!(s, "(g.display_name_folded = $2)");
        let (s, _) = sql(Records::Groups, &Condition::HasMember(Some("u1".into())));
        assert!(s.contains("FROM group_member m") && s.contains("$2"), "{s}");
        let (s, b) = sql(
            Records::Users,
            &Condition::Compare(
                Target::Column(Column::LastModified),
                Op::Gt,
                Literal::Instant(1_767_225_600),
            ),
        );
        assert_eq!(s, "(a.updated_at > $2)");
        assert_eq!(b, vec![Param::Int(1_767_225_600)]);
    }

    #[test]
    fn injection_attempts_stay_in_binds() {
        let (s, b) = sql(
            Records::Users,
            &cmp(Target::Column(Column::Username), Op::Eq, "x' OR 1=1 --"),
        );
        assert!(!s.contains("OR 1=1"));
        assert_eq!(b, vec![Param::Text("x' or 1=1 --".into())]);
        let (s, b) = sql(
            Records::Users,
            &cmp(
                Target::Document(vec!["title".into()]),
                Op::Contains,
                "50%_off",
            ),
        );
        assert!(
            s.contains("json_extract(a.scim_doc, $2)") && s.contains("LIKE $3 ESCAPE"),
            "{s}"
        );
        assert_eq!(b[1], Param::Text("%50\\%\\_off%".into()));
    }

    #[test]
    fn document_paths_and_elements_read_the_json() {
        let c = Condition::Or(
            Box::new(cmp(
                Target::Document(vec!["name".into(), "givenName".into()]),
                Op::StartsWith,
                "Al",
            )),
            Box::new(Condition::Not(Box::new(Condition::Compare(
                Target::Column(Column::Active),
                Op::Eq,
                Literal::Bool(false),
            )))),
        );
        let (s, b) = sql(Records::Users, &c);
        assert!(
            s.contains("json_extract(a.scim_doc, $2)")
                && s.contains("(NOT COALESCE((a.is_active = 0)"),
            "{s}"
        );
        assert_eq!(b[0], Param::Text(r#"$."name"."givenName""#.into()));
        let any = Condition::AnyElement {
            array: vec!["emails".into()],
            each: Box::new(cmp(
                Target::Element(vec!["value".into()]),
                Op::Contains,
                "x",
            )),
        };
        let (s, _) = sql(Records::Users, &any);
        assert!(
            s.starts_with("EXISTS (SELECT 1 FROM json_each(a.scim_doc, $2) e")
                && s.contains("json_extract(e.value, $3)"),
            "{s}"
        );
    }

    #[test]
    fn what_a_table_lacks_matches_nothing() {
        let (s, b) = sql(
            Records::Groups,
            &cmp(Target::Column(Column::Username), Op::Eq, "x"),
        );
        assert_eq!((s.as_str(), b.len()), (NOTHING, 0));
        let (s, _) = sql(Records::Users, &Condition::HasMember(None));
        assert_eq!(s, NOTHING);
        let (s, _) = sql(
            Records::Users,
            &cmp(Target::Element(vec!["value".into()]), Op::Eq, "x"),
        );
        assert_eq!(s, NOTHING);
    }
}

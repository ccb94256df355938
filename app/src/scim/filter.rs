//! The RFC 7644 §3.4.2.2 filter grammar, parsed into [`Filter`]: comparison operators
//! `eq ne co sw ew gt ge lt le`, `pr`, `and`/`or`/`not` with the RFC's precedence, grouping, and
//! value paths (`emails[type eq "work"]`, plus Entra's `emails[type eq "work"].value eq "x"`).
//! Keywords and attribute names are case-insensitive. Nesting is limited, so hostile input
//! cannot exhaust the stack.

use super::error::{ScimError, ScimType};
use super::path::AttrPath;

/// Deepest nesting of groups, `not`s and value paths accepted.
pub const MAX_DEPTH: usize = 16;
/// Longest filter accepted, in bytes.
pub const MAX_LEN: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CompValue {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    Compare(AttrPath, CompareOp, CompValue),
    Present(AttrPath),
    /// `attr[inner]`: some element of the multi-valued `attr` matches `inner`, whose paths are
    /// relative to the element.
    ValuePath(AttrPath, Box<Filter>),
}

impl CompareOp {
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "eq",
            CompareOp::Ne => "ne",
            CompareOp::Co => "co",
            CompareOp::Sw => "sw",
            CompareOp::Ew => "ew",
            CompareOp::Gt => "gt",
            CompareOp::Ge => "ge",
            CompareOp::Lt => "lt",
            CompareOp::Le => "le",
        }
    }
}

impl std::fmt::Display for CompValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CompValue::Str(s) => f.write_str(&serde_json::Value::String(s.clone()).to_string()),
            CompValue::Num(n) => write!(f, "{n}"),
            CompValue::Bool(b) => write!(f, "{b}"),
            CompValue::Null => f.write_str("null"),
        }
    }
}

impl Filter {
    /// The filter in words, for the Provisioning log: `userName is “alice@contoso.com”`,
    /// `emails has an entry where type is “work” and value is set`.
    pub fn in_words(&self) -> String {
        fn path(p: &AttrPath) -> String {
            match &p.sub {
                Some(sub) if !p.attr.is_empty() => format!("{}.{sub}", p.attr),
                _ if p.attr.is_empty() => p.urn.clone().unwrap_or_default(),
                _ => p.attr.clone(),
            }
        }
        fn value(v: &CompValue) -> String {
            match v {
                CompValue::Str(s) => format!("“{s}”"),
                other => other.to_string(),
            }
        }
        fn grouped(f: &Filter) -> String {
            match f {
                Filter::Or(..) | Filter::And(..) => format!("({})", f.in_words()),
                _ => f.in_words(),
            }
        }
        match self {
            Filter::Or(a, b) => format!("{} or {}", a.in_words(), grouped(b)),
            Filter::And(a, b) => {
                let left = match a.as_ref() {
                    Filter::Or(..) => grouped(a),
                    _ => a.in_words(),
                };
                format!("{left} and {}", grouped(b))
            }
            Filter::Not(inner) => format!("not ({})", inner.in_words()),
            Filter::Compare(p, op, v) => {
                let verb = match op {
                    CompareOp::Eq => "is",
                    CompareOp::Ne => "is not",
                    CompareOp::Co => "contains",
                    CompareOp::Sw => "starts with",
                    CompareOp::Ew => "ends with",
                    CompareOp::Gt => "is greater than",
                    CompareOp::Ge => "is at least",
                    CompareOp::Lt => "is less than",
                    CompareOp::Le => "is at most",
                };
                format!("{} {verb} {}", path(p), value(v))
            }
            Filter::Present(p) => format!("{} is set", path(p)),
            Filter::ValuePath(p, inner) => {
                format!("{} has an entry where {}", path(p), inner.in_words())
            }
        }
    }
}

/// The filter as canonical text (lower-case operators, quoted strings, only the parentheses the
/// grammar's precedence needs): what logs show, and what [`parse`] reads back to the same value.
impl std::fmt::Display for Filter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Filter::Or(a, b) => {
                write!(f, "{a} or ")?;
                match b.as_ref() {
                    Filter::Or(..) => write!(f, "({b})"),
                    _ => write!(f, "{b}"),
                }
            }
            Filter::And(a, b) => {
                match a.as_ref() {
                    Filter::Or(..) => write!(f, "({a})")?,
                    _ => write!(f, "{a}")?,
                }
                f.write_str(" and ")?;
                match b.as_ref() {
                    Filter::Or(..) | Filter::And(..) => write!(f, "({b})"),
                    _ => write!(f, "{b}"),
                }
            }
            Filter::Not(inner) => write!(f, "not ({inner})"),
            Filter::Compare(path, op, value) => write!(f, "{path} {} {value}", op.as_str()),
            Filter::Present(path) => write!(f, "{path} pr"),
            Filter::ValuePath(path, inner) => write!(f, "{path}[{inner}]"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Str(String),
    Num(f64),
    Open,
    Close,
    LBracket,
    RBracket,
}

fn invalid(detail: impl Into<String>) -> ScimError {
    ScimError::bad(ScimType::InvalidFilter, detail)
}

fn tokenize(text: &str) -> Result<Vec<Token>, ScimError> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {}
            '(' => out.push(Token::Open),
            ')' => out.push(Token::Close),
            '[' => out.push(Token::LBracket),
            ']' => out.push(Token::RBracket),
            '"' => {
                // A JSON string: find its end honouring backslash escapes, then let serde decode it.
                let mut raw = String::from('"');
                let mut closed = false;
                while let Some(c) = chars.next() {
                    raw.push(c);
                    match c {
                        '\\' => {
                            if let Some(escaped) = chars.next() {
                                raw.push(escaped);
                            }
                        }
                        '"' => {
                            closed = true;
                            break;
                        }
                        _ => {}
                    }
                }
                if !closed {
                    return Err(invalid("a string is not closed with a double quote"));
                }
                let s: String = serde_json::from_str(&raw)
                    .map_err(|_| invalid(format!("invalid string {raw}")))?;
                out.push(Token::Str(s));
            }
            first => {
                let mut word = String::from(first);
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || "()[]\"".contains(c) {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
                // `].value` after a value path: a sub-attribute word starting with '.'.
                match word.parse::<f64>() {
                    Ok(n)
                        if n.is_finite()
                            && word.starts_with(|c: char| c.is_ascii_digit() || c == '-') =>
                    {
                        out.push(Token::Num(n))
                    }
                    _ => out.push(Token::Word(word)),
                }
            }
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
}

fn keyword(tok: Option<&Token>, kw: &str) -> bool {
    matches!(tok, Some(Token::Word(w)) if w.eq_ignore_ascii_case(kw))
}

fn compare_op(word: &str) -> Option<CompareOp> {
    Some(match word.to_ascii_lowercase().as_str() {
        "eq" => CompareOp::Eq,
        "ne" => CompareOp::Ne,
        "co" => CompareOp::Co,
        "sw" => CompareOp::Sw,
        "ew" => CompareOp::Ew,
        "gt" => CompareOp::Gt,
        "ge" => CompareOp::Ge,
        "lt" => CompareOp::Lt,
        "le" => CompareOp::Le,
        _ => return None,
    })
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn enter(&mut self) -> Result<(), ScimError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(invalid(format!(
                "the filter is nested too deeply (at most {MAX_DEPTH} levels)"
            )));
        }
        Ok(())
    }

    // or := and ("or" and)*
    fn or(&mut self) -> Result<Filter, ScimError> {
        let mut left = self.and()?;
        while keyword(self.peek(), "or") {
            self.pos += 1;
            let right = self.and()?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    // and := unary ("and" unary)*
    fn and(&mut self) -> Result<Filter, ScimError> {
        let mut left = self.unary()?;
        while keyword(self.peek(), "and") {
            self.pos += 1;
            let right = self.unary()?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    // unary := "not" "(" or ")" | "(" or ")" | attrExp | valuePath
    fn unary(&mut self) -> Result<Filter, ScimError> {
        if keyword(self.peek(), "not") && self.tokens.get(self.pos + 1) == Some(&Token::Open) {
            self.pos += 2;
            self.enter()?;
            let inner = self.or()?;
            self.expect(Token::Close, "“)” to close “not (”")?;
            self.depth -= 1;
            return Ok(Filter::Not(Box::new(inner)));
        }
        if self.peek() == Some(&Token::Open) {
            self.pos += 1;
            self.enter()?;
            let inner = self.or()?;
            self.expect(Token::Close, "“)”")?;
            self.depth -= 1;
            return Ok(inner);
        }
        let word = match self.next() {
            Some(Token::Word(w)) => w,
            Some(other) => {
                return Err(invalid(format!(
                    "expected an attribute name, found {}",
                    describe(&other)
                )))
            }
            None => {
                return Err(invalid(
                    "the filter ends where an attribute name was expected",
                ))
            }
        };
        let path = AttrPath::parse(&word).map_err(|e| invalid(e.detail))?;
        if path.attr.is_empty() {
            return Err(invalid(format!("“{word}” is a schema, not an attribute")));
        }
        if self.peek() == Some(&Token::LBracket) {
            self.pos += 1;
            self.enter()?;
            let inner = self.or()?;
            self.expect(Token::RBracket, "“]”")?;
            self.depth -= 1;
            // Entra's `emails[type eq "work"].value eq "x"`: the sub-attribute comparison joins
            // the element filter.
            if let Some(Token::Word(w)) = self.peek().cloned() {
                if let Some(sub) = w.strip_prefix('.') {
                    self.pos += 1;
                    let sub_path = AttrPath::parse(sub).map_err(|e| invalid(e.detail))?;
                    let cmp = self.attr_exp(sub_path)?;
                    return Ok(Filter::ValuePath(
                        path,
                        Box::new(Filter::And(Box::new(inner), Box::new(cmp))),
                    ));
                }
            }
            return Ok(Filter::ValuePath(path, Box::new(inner)));
        }
        self.attr_exp(path)
    }

    fn attr_exp(&mut self, path: AttrPath) -> Result<Filter, ScimError> {
        let op_word = match self.next() {
            Some(Token::Word(w)) => w,
            _ => {
                return Err(invalid(format!(
                    "expected an operator after “{}”",
                    path.attr
                )))
            }
        };
        if op_word.eq_ignore_ascii_case("pr") {
            return Ok(Filter::Present(path));
        }
        let op = compare_op(&op_word)
            .ok_or_else(|| invalid(format!("“{op_word}” is not a filter operator")))?;
        let value = match self.next() {
            Some(Token::Str(s)) => CompValue::Str(s),
            Some(Token::Num(n)) => CompValue::Num(n),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("true") => CompValue::Bool(true),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("false") => CompValue::Bool(false),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("null") => CompValue::Null,
            // Not RFC (strings are quoted), but clients send `userName sw O`: a bare word is a string.
            Some(Token::Word(w))
                if compare_op(&w).is_none()
                    && !["and", "or", "not"]
                        .iter()
                        .any(|k| w.eq_ignore_ascii_case(k)) =>
            {
                CompValue::Str(w)
            }
            Some(other) => {
                return Err(invalid(format!(
                    "“{}” is not a value; quote strings",
                    describe(&other)
                )))
            }
            None => return Err(invalid("the filter ends where a value was expected")),
        };
        Ok(Filter::Compare(path, op, value))
    }

    fn expect(&mut self, token: Token, what: &str) -> Result<(), ScimError> {
        match self.next() {
            Some(t) if t == token => Ok(()),
            _ => Err(invalid(format!("expected {what}"))),
        }
    }
}

fn describe(t: &Token) -> String {
    match t {
        Token::Word(w) => w.clone(),
        Token::Str(s) => format!("\"{s}\""),
        Token::Num(n) => n.to_string(),
        Token::Open => "(".into(),
        Token::Close => ")".into(),
        Token::LBracket => "[".into(),
        Token::RBracket => "]".into(),
    }
}

/// Parses a whole filter; anything left over is an error.
pub fn parse(text: &str) -> Result<Filter, ScimError> {
    if text.len() > MAX_LEN {
        return Err(invalid(format!(
            "the filter is too long (at most {MAX_LEN} bytes)"
        )));
    }
    let tokens = tokenize(text)?;
    if tokens.is_empty() {
        return Err(invalid("the filter is empty"));
    }
    let mut p = Parser {
        tokens,
        pos: 0,
        depth: 0,
    };
    let f = p.or()?;
    if let Some(t) = p.peek() {
        return Err(invalid(format!("unexpected “{}”", describe(t))));
    }
    Ok(f)
}

#[cfg(test)]
mod tests {
    #[test]
    fn filters_read_as_words() {
        let words = |t: &str| super::parse(t).unwrap().in_words();
        assert_eq!(
            words("userName eq \"alice@contoso.com\""),
            "userName is “alice@contoso.com”"
        );
        assert_eq!(
            words("emails[type eq \"work\"].value eq \"a@b.c\""),
            "emails has an entry where type is “work” and value is “a@b.c”"
        );
        assert_eq!(
            words("not (active eq true) and title pr"),
            "not (active is true) and title is set"
        );
        assert_eq!(
            words("a sw \"x\" or (b ew \"y\" and c gt 3)"),
            "a starts with “x” or (b ends with “y” and c is greater than 3)"
        );
    }

    use super::*;

    fn path(a: &str) -> AttrPath {
        AttrPath::parse(a).unwrap()
    }

    #[test]
    fn entra_match_queries() {
        assert_eq!(
            parse(r#"userName eq "Test_User_00aa00aa@contoso.com""#).unwrap(),
            Filter::Compare(
                path("userName"),
                CompareOp::Eq,
                CompValue::Str("Test_User_00aa00aa@contoso.com".into())
            )
        );
        let f = parse(r#"externalId eq "abc" and userName EQ "x""#).unwrap();
        assert!(matches!(f, Filter::And(..)));
        let f = parse(r#"emails[type eq "work"].value eq "a@b.c""#).unwrap();
        let Filter::ValuePath(p, inner) = f else {
            panic!()
        };
        assert_eq!(p.attr, "emails");
        assert!(matches!(*inner, Filter::And(..)));
    }

    #[test]
    fn every_operator_and_value_kind() {
        for op in ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"] {
            assert!(parse(&format!(r#"title {op} "x""#)).is_ok(), "{op}");
        }
        assert_eq!(parse("title pr").unwrap(), Filter::Present(path("title")));
        assert!(matches!(
            parse("active eq true").unwrap(),
            Filter::Compare(_, _, CompValue::Bool(true))
        ));
        assert!(matches!(
            parse("active eq False").unwrap(),
            Filter::Compare(_, _, CompValue::Bool(false))
        ));
        assert!(matches!(
            parse("x eq null").unwrap(),
            Filter::Compare(_, _, CompValue::Null)
        ));
        assert!(
            matches!(parse("x gt 10.5").unwrap(), Filter::Compare(_, _, CompValue::Num(n)) if n == 10.5)
        );
        assert!(
            matches!(parse(r#"x eq "a \"q\" b""#).unwrap(), Filter::Compare(_, _, CompValue::Str(s)) if s == "a \"q\" b")
        );
    }

    #[test]
    fn unquoted_words_are_lenient_strings() {
        assert_eq!(
            parse("userName sw O").unwrap(),
            Filter::Compare(path("userName"), CompareOp::Sw, CompValue::Str("O".into()))
        );
        let f = parse("meta.created gt 2015-10-10T14:38:21.8617979-07:00").unwrap();
        assert!(
            matches!(f, Filter::Compare(_, CompareOp::Gt, CompValue::Str(s)) if s.starts_with("2015"))
        );
    }

    #[test]
    fn precedence_not_and_or_and_grouping() {
        // a or b and c  ==  a or (b and c)
        let f = parse(r#"a eq "1" or b eq "2" and c eq "3""#).unwrap();
        let Filter::Or(_, right) = f else {
            panic!("or at top")
        };
        assert!(matches!(*right, Filter::And(..)));
        let f = parse(r#"(a eq "1" or b eq "2") and not (c pr)"#).unwrap();
        let Filter::And(left, right) = f else {
            panic!()
        };
        assert!(matches!(*left, Filter::Or(..)));
        assert!(matches!(*right, Filter::Not(..)));
    }

    #[test]
    fn value_paths_and_urns() {
        let f =
            parse(r#"emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp"]"#)
                .unwrap();
        assert!(matches!(f, Filter::Or(..)));
        let f = parse(
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "7""#,
        )
        .unwrap();
        let Filter::Compare(p, ..) = f else { panic!() };
        assert_eq!(p.attr, "employeeNumber");
        assert!(p.urn.is_some());
        let f = parse(r#"meta.lastModified gt "2011-05-13T04:42:34Z""#).unwrap();
        let Filter::Compare(p, ..) = f else { panic!() };
        assert_eq!(
            (p.attr.as_str(), p.sub.as_deref()),
            ("meta", Some("lastModified"))
        );
    }

    #[test]
    fn bad_filters_are_invalid_filter_errors() {
        for bad in [
            "",
            "userName",
            "userName eq",
            r#"userName xx "a""#,
            r#"userName eq "a"#,
            r#"(userName eq "a""#,
            r#"userName eq "a")"#,
            r#"emails[type eq "work""#,
            r#"userName eq "a" and"#,
            "userName eq and",
            r#"a eq "1" b eq "2""#,
        ] {
            let e = parse(bad).unwrap_err();
            assert_eq!(e.scim_type, Some(ScimType::InvalidFilter), "{bad}");
            assert_eq!(e.status, 400);
        }
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = format!(
            "{}a pr{}",
            "(".repeat(MAX_DEPTH + 1),
            ")".repeat(MAX_DEPTH + 1)
        );
        assert!(parse(&deep)
            .unwrap_err()
            .detail
            .contains("nested too deeply"));
        let ok = format!("{}a pr{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
        let nots = format!("{}a pr{}", "not (".repeat(200), ")".repeat(200));
        assert!(parse(&nots).is_err());
        assert!(parse(&"a".repeat(MAX_LEN + 1)).is_err());
    }
}

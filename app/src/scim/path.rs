//! Attribute paths: `userName`, `name.givenName`, `urn:…:enterprise:2.0:User:manager`, and the
//! PATCH form with a value filter, `emails[type eq "work"].value`.

use super::error::{ScimError, ScimType};
use super::filter::{self, Filter};

/// `[urn:]attr[.sub]` — names as written; the schema gives them canonical case later.
#[derive(Debug, Clone, PartialEq)]
pub struct AttrPath {
    /// The schema URN when the path was fully qualified (`None` for the resource's core schema).
    pub urn: Option<String>,
    pub attr: String,
    pub sub: Option<String>,
}

/// A PATCH target: an attribute, optionally narrowed by a value filter, optionally a sub-attribute.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchPath {
    pub attr: AttrPath,
    pub filter: Option<Filter>,
    /// The sub-attribute after `]` (`emails[…].value`), or the one in `attr.sub`.
    pub sub: Option<String>,
}

/// The path as written by [`AttrPath::parse`]'s grammar: `[urn:]attr[.sub]`.
impl std::fmt::Display for AttrPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.urn, self.attr.is_empty()) {
            (Some(urn), true) => return f.write_str(urn),
            (Some(urn), false) => write!(f, "{urn}:{}", self.attr)?,
            (None, _) => f.write_str(&self.attr)?,
        }
        match &self.sub {
            Some(sub) => write!(f, ".{sub}"),
            None => Ok(()),
        }
    }
}

/// RFC 7643 §2.1 ATTRNAME: ALPHA *(nameChar), ASCII only (`$ref` too).
pub fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$')
}

/// Whether `text` starts with `urn:` (any case), without slicing inside a character.
pub fn has_urn_prefix(text: &str) -> bool {
    text.len() > 4
        && text
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case("urn:"))
}

impl AttrPath {
    /// Parses `[urn:]attr[.sub]`. Core-schema URNs are kept; the caller strips them.
    pub fn parse(text: &str) -> Result<Self, ScimError> {
        let bad = || {
            ScimError::bad(
                ScimType::InvalidPath,
                format!("“{text}” is not a valid attribute path"),
            )
        };
        let (urn, rest) = if has_urn_prefix(text) {
            let (urn, rest) = text.rsplit_once(':').ok_or_else(bad)?;
            if !urn
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ":._-".contains(c))
            {
                return Err(bad());
            }
            (Some(urn.to_owned()), rest)
        } else {
            (None, text)
        };
        // A whole schema URN (`urn:…:enterprise:2.0:User`): schema names are capitalised,
        // attribute names are not. It stands for the extension object itself (`attr` empty).
        if urn.is_some()
            && rest.starts_with(|c: char| c.is_ascii_uppercase())
            && !rest.contains('.')
        {
            return Ok(Self {
                urn: Some(text.to_owned()),
                attr: String::new(),
                sub: None,
            });
        }
        let mut parts = rest.splitn(2, '.');
        let attr = parts.next().unwrap_or("");
        let sub = parts.next();
        if !valid_name(attr) || sub.is_some_and(|s| !valid_name(s)) {
            return Err(bad());
        }
        Ok(Self {
            urn,
            attr: attr.to_owned(),
            sub: sub.map(str::to_owned),
        })
    }
}

impl PatchPath {
    pub fn parse(text: &str) -> Result<Self, ScimError> {
        let text = text.trim();
        let Some((head, tail)) = text.split_once('[') else {
            let attr = AttrPath::parse(text)?;
            let sub = attr.sub.clone();
            return Ok(Self {
                attr,
                filter: None,
                sub,
            });
        };
        let (inside, after) = tail.rsplit_once(']').ok_or_else(|| {
            ScimError::bad(
                ScimType::InvalidPath,
                format!("“{text}”: a “[” without a matching “]”"),
            )
        })?;
        let attr = AttrPath::parse(head)?;
        if attr.sub.is_some() {
            return Err(ScimError::bad(
                ScimType::InvalidPath,
                format!("“{text}”: a value filter must follow a multi-valued attribute"),
            ));
        }
        let inner =
            filter::parse(inside).map_err(|e| ScimError::bad(ScimType::InvalidPath, e.detail))?;
        let sub = match after.strip_prefix('.') {
            Some(s) if valid_name(s) => Some(s.to_owned()),
            None if after.is_empty() => None,
            _ => {
                return Err(ScimError::bad(
                    ScimType::InvalidPath,
                    format!("“{text}” is not a valid attribute path"),
                ))
            }
        };
        Ok(Self {
            attr,
            filter: Some(inner),
            sub,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_sub_and_urn_paths() {
        let p = AttrPath::parse("name.givenName").unwrap();
        assert_eq!(
            (p.attr.as_str(), p.sub.as_deref(), p.urn),
            ("name", Some("givenName"), None)
        );
        let p =
            AttrPath::parse("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager")
                .unwrap();
        assert_eq!(
            p.urn.as_deref(),
            Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")
        );
        assert_eq!(p.attr, "manager");
        let whole =
            AttrPath::parse("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User").unwrap();
        assert_eq!(
            (whole.urn.as_deref(), whole.attr.as_str()),
            (
                Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"),
                ""
            )
        );
        assert!(AttrPath::parse("bad name").is_err());
        assert!(AttrPath::parse("").is_err());
    }

    #[test]
    fn value_filter_paths() {
        let p = PatchPath::parse(r#"emails[type eq "work"].value"#).unwrap();
        assert_eq!(p.attr.attr, "emails");
        assert_eq!(p.sub.as_deref(), Some("value"));
        assert!(p.filter.is_some());
        let p = PatchPath::parse(r#"members[value eq "2819c223"]"#).unwrap();
        assert_eq!((p.attr.attr.as_str(), p.sub), ("members", None));
        let p = PatchPath::parse(r#"addresses[type eq "work"].streetAddress"#).unwrap();
        assert_eq!(p.sub.as_deref(), Some("streetAddress"));
        assert!(PatchPath::parse(r#"emails[type eq "work""#).is_err());
        assert!(PatchPath::parse(r#"emails[type eq ]"#).is_err());
    }
}

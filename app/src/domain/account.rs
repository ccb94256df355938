//! Accounts (the people in a tenant) and the rules for their usernames and passwords.

use serde::{Deserialize, Serialize};

use super::error::FieldError;

/// Where an account comes from; SCIM accounts are read-only in the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccountSource {
    Local,
    Scim,
    /// Created at a first single sign-on: signs in only through the identity provider, never
    /// has a local password, and becomes `Scim` when Entra provisions the same person.
    Sso,
}

impl AccountSource {
    /// The word shown on screen (the guide's `Account Source` values).
    pub fn label(self) -> &'static str {
        match self {
            AccountSource::Local => "Local",
            AccountSource::Scim => "SCIM",
            AccountSource::Sso => "SSO",
        }
    }

    /// The value stored in the database.
    pub fn as_db(self) -> &'static str {
        match self {
            AccountSource::Local => "local",
            AccountSource::Scim => "scim",
            AccountSource::Sso => "sso",
        }
    }

    pub fn from_db(value: &str) -> Option<Self> {
        match value {
            "local" => Some(AccountSource::Local),
            "scim" => Some(AccountSource::Scim),
            "sso" => Some(AccountSource::Sso),
            _ => None,
        }
    }
}

/// A username as typed: trimmed, non-empty, bounded. Comparisons use [`Username::folded`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub const MAX_LEN: usize = 256;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(FieldError::new("username", "Enter a username."));
        }
        if name.chars().count() > Self::MAX_LEN || name.chars().any(is_invisible) {
            return Err(FieldError::new("username", "This is not a valid username."));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The case-folded form that uniqueness and sign-in compare on.
    pub fn folded(&self) -> String {
        fold_username(&self.0)
    }
}

/// Characters no username may contain: controls, and the zero-width and direction marks that
/// make two different names look the same.
pub fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
            | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
            | '\u{FFA0}' | '\u{FFF0}'..='\u{FFF8}' | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}')
}

/// The form usernames are compared in everywhere (database key, sign-in, single sign-on, SCIM
/// filters): Unicode NFKC, full case folding, NFKC again (so `ＡＤＭＩＮ`, `Admin` and `admin`
/// are one name, and `Straße` equals `STRASSE`). `caseless` implements Unicode's full case
/// folding (`CaseFolding.txt`, C+F), which `to_lowercase` does not.
pub fn fold_username(name: &str) -> String {
    // ASCII is its own NFKC form and folds to its lower case: most names, without the tables.
    if name.is_ascii() {
        return name.to_ascii_lowercase();
    }
    fold_unicode(name)
}

fn fold_unicode(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let compatible: String = name.nfkc().collect();
    caseless::default_case_fold_str(&compatible)
        .nfkc()
        .collect()
}

/// A new password for a local account.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

impl NewPassword {
    pub const MIN_LEN: usize = 12;
    pub const MAX_LEN: usize = 1024;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let len = raw.chars().count();
        if len < Self::MIN_LEN {
            return Err(FieldError::new(
                "password",
                format!("Use at least {} characters.", Self::MIN_LEN),
            ));
        }
        if len > Self::MAX_LEN {
            return Err(FieldError::new("password", "The password is too long."));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn username_folds_case_and_trims() {
        let u = Username::parse("  Alice@Contoso.COM ").unwrap();
        assert_eq!(u.as_str(), "Alice@Contoso.COM");
        assert_eq!(u.folded(), "alice@contoso.com");
        assert!(Username::parse("").is_err());
        assert!(Username::parse("a\nb").is_err());
    }

    #[test]
    fn usernames_fold_with_nfkc_and_full_case_folding() {
        assert_eq!(fold_username("Straße"), fold_username("STRASSE"));
        assert_eq!(fold_username("ＡＤＭＩＮ"), "admin");
        assert_eq!(fold_username("ﬁnance"), "finance");
        assert_eq!(fold_username("e\u{0301}"), fold_username("\u{00E9}"));
        assert_ne!(fold_username("admin"), fold_username("adm1n"));
    }

    proptest::proptest! {
        #[test]
        fn ascii_folds_as_the_unicode_path_does(name in "[\\x00-\\x7f]{0,40}") {
            proptest::prop_assert_eq!(fold_username(&name), fold_unicode(&name));
        }
    }

    #[test]
    fn invisible_characters_are_refused() {
        for bad in [
            "ad\u{200B}min",
            "\u{FEFF}admin",
            "ad\u{00AD}min",
            "admin\u{202E}",
            "a\u{2060}b",
        ] {
            assert!(Username::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Username::parse("José.Müller@contoso.com").is_ok());
    }

    #[test]
    fn password_has_a_minimum_and_hides_in_debug() {
        assert!(NewPassword::parse("short").is_err());
        let p = NewPassword::parse("correct horse battery").unwrap();
        assert_eq!(format!("{p:?}"), "NewPassword(***)");
    }

    #[test]
    fn account_source_round_trips() {
        for s in [
            AccountSource::Local,
            AccountSource::Scim,
            AccountSource::Sso,
        ] {
            assert_eq!(AccountSource::from_db(s.as_db()), Some(s));
        }
        assert_eq!(AccountSource::Scim.label(), "SCIM");
    }
}

//! Accounts (the people in a tenant) and the rules for their usernames and passwords.

use serde::{Deserialize, Serialize};

use super::error::AppError;

/// Where an account comes from; SCIM accounts are read-only in the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccountSource {
    Local,
    Scim,
}

impl AccountSource {
    /// The word shown on screen (the guide's `Account Source` values).
    pub fn label(self) -> &'static str {
        match self {
            AccountSource::Local => "Local",
            AccountSource::Scim => "SCIM",
        }
    }

    /// The value stored in the database.
    pub fn as_db(self) -> &'static str {
        match self {
            AccountSource::Local => "local",
            AccountSource::Scim => "scim",
        }
    }

    pub fn from_db(value: &str) -> Option<Self> {
        match value {
            "local" => Some(AccountSource::Local),
            "scim" => Some(AccountSource::Scim),
            _ => None,
        }
    }
}

/// A username as typed: trimmed, non-empty, bounded. Comparisons use [`Username::folded`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub const MAX_LEN: usize = 256;

    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(AppError::invalid("username", "Enter a username."));
        }
        if name.chars().count() > Self::MAX_LEN || name.chars().any(char::is_control) {
            return Err(AppError::invalid(
                "username",
                "This is not a valid username.",
            ));
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

/// Case-folds a username the same way everywhere (database key, sign-in, SCIM filters).
pub fn fold_username(name: &str) -> String {
    name.to_lowercase()
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

    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let len = raw.chars().count();
        if len < Self::MIN_LEN {
            return Err(AppError::invalid(
                "password",
                format!("Use at least {} characters.", Self::MIN_LEN),
            ));
        }
        if len > Self::MAX_LEN {
            return Err(AppError::invalid("password", "The password is too long."));
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
    fn password_has_a_minimum_and_hides_in_debug() {
        assert!(NewPassword::parse("short").is_err());
        let p = NewPassword::parse("correct horse battery").unwrap();
        assert_eq!(format!("{p:?}"), "NewPassword(***)");
    }

    #[test]
    fn account_source_round_trips() {
        for s in [AccountSource::Local, AccountSource::Scim] {
            assert_eq!(AccountSource::from_db(s.as_db()), Some(s));
        }
        assert_eq!(AccountSource::Scim.label(), "SCIM");
    }
}

//! Errors of the domain layer, converted once at each edge (console, SCIM, CLI).

use crate::domain::error::AppError;

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("invalid {field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("conflict on {field}: {message}")]
    Conflict {
        field: &'static str,
        message: String,
    },
    #[error("not signed in")]
    Unauthorized,
    #[error("forbidden")]
    Forbidden,
    /// Refused for want of a permission, or because it would raise someone's rights; worded.
    #[error("permission denied: {0}")]
    Denied(String),
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("too many attempts, retry after {retry_after_secs}s")]
    Throttled { retry_after_secs: u64 },
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A form with problems in several fields (already worded for the console).
    #[error("invalid form")]
    Form(AppError),
    #[error("{0}")]
    Internal(String),
}

pub type Result<T, E = DomainError> = std::result::Result<T, E>;

impl DomainError {
    /// A validation error coming from a `domain` newtype's parse.
    pub fn from_app(err: AppError) -> Self {
        match err {
            AppError::Invalid { field, message } => DomainError::Invalid {
                field: leak_field(&field),
                message,
            },
            other => DomainError::Internal(other.to_string()),
        }
    }
}

/// Field names are a small fixed set; map them back to `'static` without allocating.
fn leak_field(field: &str) -> &'static str {
    const FIELDS: &[&str] = &[
        "name",
        "username",
        "password",
        "tenant",
        "description",
        "expires_days",
    ];
    FIELDS
        .iter()
        .find(|f| **f == field)
        .copied()
        .unwrap_or("input")
}

/// Maps a violation of a unique index to a `Conflict` on `field` (worded for the console) and
/// any other database error to itself: `.map_err(conflict_on_unique("name", "…"))`.
pub fn conflict_on_unique(
    field: &'static str,
    message: &'static str,
) -> impl FnOnce(sqlx::Error) -> DomainError {
    move |e| {
        if is_unique_violation(&e) {
            DomainError::Conflict {
                field,
                message: message.into(),
            }
        } else {
            e.into()
        }
    }
}

/// The message of a username clash, wherever accounts are written.
pub const USERNAME_TAKEN: &str = "This username is already taken.";

/// Is this database error a violation of a unique index?
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}

impl From<DomainError> for AppError {
    fn from(err: DomainError) -> Self {
        match err {
            DomainError::NotFound(what) => AppError::NotFound(capitalise(what)),
            DomainError::Invalid { field, message } => AppError::Invalid {
                field: field.into(),
                message,
            },
            DomainError::Conflict { field, message } => AppError::Conflict {
                field: field.into(),
                message,
            },
            DomainError::Unauthorized => AppError::Unauthorized,
            DomainError::Forbidden => AppError::Forbidden,
            DomainError::Denied(message) => AppError::PermissionDenied { message },
            DomainError::InvalidCredentials => AppError::InvalidCredentials,
            DomainError::Form(e) => e,
            DomainError::Throttled { retry_after_secs } => {
                AppError::TooManyAttempts { retry_after_secs }
            }
            err @ (DomainError::Db(_) | DomainError::Migrate(_) | DomainError::Internal(_)) => {
                tracing::error!(error = %err, "internal error");
                AppError::Internal
            }
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

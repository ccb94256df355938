//! Errors of the domain layer, converted once at each edge (console, SCIM, CLI).

use crate::domain::error::{AppError, FieldError};

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A value that is not acceptable, next to its field.
    #[error("invalid {}: {}", .0.field, .0.message)]
    Invalid(FieldError),
    /// Several fields of a form are not acceptable.
    #[error("invalid form")]
    Form(Vec<FieldError>),
    /// An action refused in the state things are in ("Deactivate this identity provider before
    /// deleting it."); about no one field.
    #[error("refused: {0}")]
    Refused(String),
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
    #[error("{0}")]
    Internal(String),
}

pub type Result<T, E = DomainError> = std::result::Result<T, E>;

impl DomainError {
    /// A value of `field` that is not acceptable.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        DomainError::Invalid(FieldError::new(field, message))
    }
}

impl From<FieldError> for DomainError {
    fn from(e: FieldError) -> Self {
        DomainError::Invalid(e)
    }
}

impl From<Vec<FieldError>> for DomainError {
    fn from(e: Vec<FieldError>) -> Self {
        DomainError::Form(e)
    }
}

/// The unique indexes whose violation means "already taken", as the migrations name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UniqueIndex {
    TenantName,
    AccountUsername,
    GroupName,
    TopicName,
    IdpName,
}

impl UniqueIndex {
    const ALL: [UniqueIndex; 5] = [
        UniqueIndex::TenantName,
        UniqueIndex::AccountUsername,
        UniqueIndex::GroupName,
        UniqueIndex::TopicName,
        UniqueIndex::IdpName,
    ];

    /// The index's name: what PostgreSQL reports as the violated constraint.
    fn name(self) -> &'static str {
        match self {
            UniqueIndex::TenantName => "tenant_name_key",
            UniqueIndex::AccountUsername => "account_username_key",
            UniqueIndex::GroupName => "security_group_name_key",
            UniqueIndex::TopicName => "security_topic_name_key",
            UniqueIndex::IdpName => "identity_provider_name_key",
        }
    }

    /// Its columns as SQLite reports them ("UNIQUE constraint failed: account.tenant_id, …").
    fn columns(self) -> &'static str {
        match self {
            UniqueIndex::TenantName => "tenant.name_folded",
            UniqueIndex::AccountUsername => "account.tenant_id, account.username_folded",
            UniqueIndex::GroupName => {
                "security_group.tenant_id, security_group.display_name_folded"
            }
            UniqueIndex::TopicName => "security_topic.tenant_id, security_topic.name_folded",
            UniqueIndex::IdpName => "identity_provider.tenant_id, identity_provider.name",
        }
    }

    /// Which of these indexes a database error violated, if any.
    pub fn of(err: &sqlx::Error) -> Option<UniqueIndex> {
        let sqlx::Error::Database(db) = err else {
            return None;
        };
        if !db.is_unique_violation() {
            return None;
        }
        let sqlite_columns = db.message().strip_prefix("UNIQUE constraint failed: ");
        Self::ALL
            .into_iter()
            .find(|i| db.constraint() == Some(i.name()) || sqlite_columns == Some(i.columns()))
    }
}

/// Maps a violation of `index` to a `Conflict` on `field` (worded for the console), and any
/// other database error, another index's violation included, to itself:
/// `.map_err(conflict_on_unique(UniqueIndex::GroupName, "name", "…"))`.
pub fn conflict_on_unique(
    index: UniqueIndex,
    field: &'static str,
    message: impl Into<String>,
) -> impl FnOnce(sqlx::Error) -> DomainError {
    move |e| {
        if UniqueIndex::of(&e) == Some(index) {
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
            DomainError::Invalid(e) => e.into(),
            DomainError::Form(list) => AppError::InvalidForm(list),
            DomainError::Refused(message) => AppError::Invalid {
                field: String::new(),
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

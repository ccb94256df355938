//! The one error type the console sees.
//!
//! Server functions return `AppError`; the UI matches on variants instead of parsing strings.
//! Internal details (SQL, I/O) never reach it: the backend logs them and sends `Internal`.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// An error a person can act on, as shown in the console.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// No valid session: sign in again.
    #[error("Your session has ended. Sign in again.")]
    Unauthorized,
    /// Signed in, but this is not yours to see or change.
    #[error("You do not have access to this.")]
    Forbidden,
    /// Signed in without the permission this needs, or asking for more than one holds; the
    /// message is a full sentence ("You don't have permission to manage identity providers.").
    #[error("{message}")]
    PermissionDenied { message: String },
    /// The thing asked for does not exist (or belongs to another tenant).
    #[error("{0} was not found.")]
    NotFound(String),
    /// A field's value is not acceptable; `field` names the input it belongs next to.
    #[error("{message}")]
    Invalid { field: String, message: String },
    /// Several fields of a form are not acceptable; each message belongs next to its field.
    #[error("Some fields need attention.")]
    InvalidForm(Vec<FieldError>),
    /// The value clashes with an existing one (a name already taken).
    #[error("{message}")]
    Conflict { field: String, message: String },
    /// Username or password wrong. Deliberately says nothing about which.
    #[error("The username or password is incorrect.")]
    InvalidCredentials,
    /// Too many failed sign-ins for this username or address.
    #[error("Too many failed sign-in attempts. Try again in {}.", super::time::wait_words(*.retry_after_secs))]
    TooManyAttempts { retry_after_secs: u64 },
    /// Something failed on the server; the details are in its log.
    #[error(
        "Something went wrong on the server. Try again; if it persists, check the server log."
    )]
    Internal,
    /// The request did not reach the server function or its answer did not come back.
    #[error("The server could not be reached: {0}")]
    Transport(String),
}

/// A message for one field of a form: what every parse and validation in `domain` returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> Self {
        AppError::Invalid {
            field: e.field,
            message: e.message,
        }
    }
}

impl AppError {
    /// The message to show next to `field`, if this error concerns it.
    pub fn message_for(&self, field: &str) -> Option<String> {
        match self {
            AppError::InvalidForm(list) => list
                .iter()
                .find(|e| e.field == field)
                .map(|e| e.message.clone()),
            AppError::Invalid { field: f, message } | AppError::Conflict { field: f, message }
                if f == field =>
            {
                Some(message.clone())
            }
            _ => None,
        }
    }

    /// The input this error belongs next to, when it is about one field.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid { field, .. } | AppError::Conflict { field, .. } => Some(field),
            _ => None,
        }
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(msg) | ServerFnErrorErr::MissingArg(msg) => {
                AppError::invalid("", format!("The request was incomplete: {msg}"))
            }
            other => AppError::Transport(other.to_string()),
        }
    }
}

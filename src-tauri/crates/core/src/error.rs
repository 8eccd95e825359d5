//! The core's one error type. Every use-case returns it; each variant carries a stable code (what
//! the UI and scripts branch on) and a message written for the person who caused it, naming what
//! was wrong.

use crate::ipc::{ErrorCode, ErrorPayload};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The caller's input breaks a rule; the message names the field and the rule.
    #[error("{0}")]
    InvalidInput(String),
    /// An id that names nothing.
    #[error("{0}")]
    NotFound(String),
    /// The input is fine alone but clashes with what is stored (a duplicate name, say).
    #[error("{0}")]
    Conflict(String),
    /// The acting member's role may not do this; the message names the role needed.
    #[error("{0}")]
    Forbidden(String),
    /// A verified identity that is not on the team.
    #[error("{0}")]
    NotAMember(String),
    /// Nobody is signed in.
    #[error("{0}")]
    NotSignedIn(String),
    /// The browser sign-in did not complete.
    #[error("{0}")]
    SignInFailed(String),
    #[error("the sign-in was cancelled")]
    SignInCancelled,
    /// No OS keyring to keep secrets in; we never fall back to plaintext.
    #[error("{0}")]
    KeyringUnavailable(String),
    /// The database was migrated by a newer build; we refuse it rather than damage it.
    #[error(
        "the database at {path} was written by a newer Leadline (schema version {found}; this \
         build understands up to version {supported}). It was left untouched: install the newer \
         Leadline, or choose another data directory with --data-dir"
    )]
    DatabaseTooNew {
        path: String,
        found: i64,
        supported: i64,
    },
    /// Connecting Salesforce did not complete; the message says why and what to do.
    #[error("{0}")]
    ConnectFailed(String),
    #[error("connecting Salesforce was cancelled")]
    ConnectCancelled,
    #[error("{0}")]
    NotConnected(String),
    /// Salesforce refused the refresh token; the message says why and how to fix it.
    #[error("{0}")]
    ReconnectRequired(String),
    /// Salesforce answered an error, or could not be reached.
    #[error("{0}")]
    Salesforce(String),
    /// A mapping that Salesforce would reject; the message lists every error.
    #[error("{0}")]
    MappingInvalid(String),
    /// SQLite or the file system failed underneath us.
    #[error("storage error: {0}")]
    Storage(String),
}

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::InvalidInput(_) => ErrorCode::InvalidInput,
            Error::NotFound(_) => ErrorCode::NotFound,
            Error::Conflict(_) => ErrorCode::Conflict,
            Error::Forbidden(_) => ErrorCode::Forbidden,
            Error::NotAMember(_) => ErrorCode::NotAMember,
            Error::KeyringUnavailable(_) => ErrorCode::KeyringUnavailable,
            Error::NotSignedIn(_) => ErrorCode::NotSignedIn,
            Error::SignInFailed(_) => ErrorCode::SignInFailed,
            Error::SignInCancelled => ErrorCode::SignInCancelled,
            Error::DatabaseTooNew { .. } => ErrorCode::DatabaseTooNew,
            Error::Storage(_) => ErrorCode::Storage,
            Error::ConnectFailed(_) => ErrorCode::ConnectFailed,
            Error::ConnectCancelled => ErrorCode::ConnectCancelled,
            Error::NotConnected(_) => ErrorCode::NotConnected,
            Error::ReconnectRequired(_) => ErrorCode::ReconnectRequired,
            Error::Salesforce(_) => ErrorCode::Salesforce,
            Error::MappingInvalid(_) => ErrorCode::MappingInvalid,
        }
    }

    pub fn payload(&self) -> ErrorPayload {
        ErrorPayload {
            code: self.code(),
            message: self.to_string(),
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Storage(e.to_string())
    }
}

impl From<rusqlite_migration::Error> for Error {
    fn from(e: rusqlite_migration::Error) -> Self {
        Error::Storage(format!("migrating the database failed: {e}"))
    }
}

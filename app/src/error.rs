//! The use-case layer's error: a refusal of the caller's request (with a
//! stable [`ErrorCode`] and a message meant for them), an error of a crate
//! below, or our own failure.

use std::time::Duration;

use scout_domain::{ErrorCode, ErrorKind, Violation};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request was refused: the caller's mistake or a rule they met
    /// (wrong password, missing scope, a claim not verified yet…).
    #[error("{detail}")]
    Refused { code: ErrorCode, detail: String, retry_after: Option<Duration> },
    #[error(transparent)]
    Domain(#[from] scout_domain::Error),
    #[error(transparent)]
    Store(#[from] scout_store::Error),
    #[error(transparent)]
    Ranker(#[from] scout_ranker::Error),
    #[error(transparent)]
    Index(#[from] scout_indexer::Error),
    #[error(transparent)]
    Model(#[from] scout_models::Error),
    #[error(transparent)]
    Ledger(#[from] scout_ledger::Error),
    #[error(transparent)]
    Payment(#[from] scout_payments::Error),
    /// Reading what the caller sent failed midway (an import's body).
    #[error("reading the input failed at line {line}: {source}")]
    Input {
        line: u64,
        #[source]
        source: std::io::Error,
    },
    /// Our own failure outside the stores and indexes (a key, a file, a worker task).
    #[error("{doing}: {message}")]
    Internal { doing: &'static str, message: String },
}

impl Error {
    /// A refusal with `code` (whose kind the code table gives).
    pub fn refused(code: ErrorCode, detail: impl Into<String>) -> Error {
        Error::Refused { code, detail: detail.into(), retry_after: None }
    }

    /// A refusal the caller may retry after `wait` (rate limits, lockouts).
    pub fn retry_after(code: ErrorCode, detail: impl Into<String>, wait: Duration) -> Error {
        Error::Refused { code, detail: detail.into(), retry_after: Some(wait) }
    }

    /// 400 `bad_parameter` naming the field.
    pub fn bad_parameter(field: &str, reason: impl std::fmt::Display) -> Error {
        Error::Domain(scout_domain::Error::bad_parameter(field, reason.to_string()))
    }

    pub fn internal(doing: &'static str, message: impl std::fmt::Display) -> Error {
        Error::Internal { doing, message: message.to_string() }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Refused { code, .. } => *code,
            Error::Domain(e) => e.code(),
            Error::Store(e) => e.code(),
            Error::Ranker(e) => e.code(),
            Error::Index(e) => e.code(),
            Error::Model(e) => e.code(),
            Error::Ledger(e) => e.code(),
            Error::Payment(e) => match e {
                scout_payments::Error::Signature(_) => ErrorCode::WebhookSignatureInvalid,
                scout_payments::Error::Event { .. } => ErrorCode::WebhookInvalid,
                scout_payments::Error::Refused { .. } => ErrorCode::PaymentDeclined,
                scout_payments::Error::Unavailable { .. } => ErrorCode::ProviderUnavailable,
                scout_payments::Error::Protocol { .. } => ErrorCode::Internal,
            },
            Error::Input { .. } => ErrorCode::ImportFailed,
            Error::Internal { .. } => ErrorCode::Internal,
        }
    }

    pub fn kind(&self) -> ErrorKind {
        self.code().kind()
    }

    /// The rules a record broke, for a validation failure.
    pub fn violations(&self) -> Option<&[Violation]> {
        match self {
            Error::Domain(scout_domain::Error::Invalid { violations })
            | Error::Ranker(scout_ranker::Error::Request(scout_domain::Error::Invalid { violations })) => {
                Some(violations)
            }
            _ => None,
        }
    }

    /// How long the caller should wait before retrying, when it matters.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            Error::Refused { retry_after: Some(wait), .. } => Some(wait.as_secs_f64().ceil().max(1.0) as u64),
            _ => None,
        }
    }
}

/// A marketplace rule refused the step: its code and its words go to the caller.
impl From<scout_market::Error> for Error {
    fn from(e: scout_market::Error) -> Self {
        match e {
            scout_market::Error::Invalid { field, reason } => Error::bad_parameter(&field, reason),
            other => Error::refused(other.code(), other.to_string()),
        }
    }
}

impl From<tokio::task::JoinError> for Error {
    fn from(e: tokio::task::JoinError) -> Self {
        Error::internal("running a worker task", e)
    }
}

/// Maps a failure of our own (anyhow, ring, csv…) to [`Error::Internal`],
/// saying what was being done: one helper instead of a `map_err` at each call.
pub trait Internal<T> {
    fn internal(self, doing: &'static str) -> Result<T>;
}

impl<T, E: std::fmt::Display> Internal<T> for std::result::Result<T, E> {
    fn internal(self, doing: &'static str) -> Result<T> {
        self.map_err(|e| Error::internal(doing, format!("{e:#}")))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

use scout_domain::ErrorKind;

/// What went wrong talking to a provider or reading what it sent.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A webhook whose signature does not hold (see [`crate::signature`]).
    #[error("webhook signature: {0}")]
    Signature(#[from] crate::signature::SignatureError),
    /// A webhook body that is not an event we read.
    #[error("webhook body: {message}")]
    Event { message: String },
    /// The provider refused the request as malformed (our bug or bad input it saw first).
    #[error("{provider} refused the request: {code}: {message}")]
    Refused { provider: &'static str, code: String, message: String },
    /// The provider could not be reached or answered with a server error;
    /// the same request (same idempotency key) may be sent again.
    #[error("{provider} is unavailable: {message}")]
    Unavailable { provider: &'static str, message: String },
    /// The provider answered something we cannot read.
    #[error("{provider} answered unexpectedly: {message}")]
    Protocol { provider: &'static str, message: String },
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Signature(_) | Error::Event { .. } | Error::Refused { .. } => ErrorKind::BadRequest,
            Error::Unavailable { .. } => ErrorKind::Unavailable,
            Error::Protocol { .. } => ErrorKind::Internal,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

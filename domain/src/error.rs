//! The domain's error type and the classification every crate's errors map to.

/// How an error should be treated by a caller, without knowing about HTTP.
///
/// `api` maps each kind to a status code with an exhaustive `match`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    BadRequest,
    NotFound,
    Conflict,
    Unauthorized,
    Forbidden,
    TooManyRequests,
    /// The request body is larger than the endpoint accepts.
    PayloadTooLarge,
    /// The path exists, not with this method.
    MethodNotAllowed,
    /// The client took too long to send its request.
    RequestTimeout,
    /// The request line's target is longer than the server reads.
    UriTooLong,
    /// The request's headers are more or longer than the server reads.
    HeadersTooLarge,
    /// A payment provider declined the charge.
    PaymentRequired,
    Unavailable,
    Internal,
}

/// One rule of the profile format that a record broke.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Violation {
    /// JSON path of the offending field, e.g. `audience.age.18-24`.
    pub field: String,
    /// What is wrong with it, lowercase, no trailing period.
    pub reason: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("invalid JSON: {message}")]
    InvalidJson { message: String },
    #[error("{}", join_violations(.violations))]
    Invalid { violations: Vec<Violation> },
    #[error("unknown filter field `{field}`")]
    UnknownFilter { field: String },
    #[error("{field}: {reason}")]
    BadParameter { field: String, reason: String },
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        self.code().kind()
    }

    /// Stable machine-readable code for problem+json bodies.
    pub fn code(&self) -> crate::ErrorCode {
        use crate::ErrorCode;
        match self {
            Error::InvalidJson { .. } => ErrorCode::InvalidJson,
            Error::Invalid { .. } => ErrorCode::InvalidProfile,
            Error::UnknownFilter { .. } => ErrorCode::UnknownFilter,
            Error::BadParameter { .. } => ErrorCode::BadParameter,
        }
    }

    pub fn bad_parameter(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::BadParameter { field: field.into(), reason: reason.into() }
    }
}

fn join_violations(v: &[Violation]) -> String {
    v.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

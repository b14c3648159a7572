//! The one error type of the marketplace rules.

use scout_domain::ErrorCode;

/// Why a campaign, negotiation or contract rule refused an action. The
/// caller's mistakes only: these rules do no I/O and cannot fail otherwise.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The action exists for this actor, not in the object's current state.
    #[error("cannot {action} a {object} that is {state}")]
    InvalidTransition { object: &'static str, action: &'static str, state: &'static str },
    /// The action fits the state, not what hangs on it (open deals, money
    /// already committed); `reason` says what stands in the way.
    #[error("cannot {action}: {reason}")]
    Blocked { action: &'static str, reason: String },
    /// The actor's side may never take this action.
    #[error("only {allowed} may {action}")]
    NotAllowed { action: &'static str, allowed: &'static str },
    /// An offer was answered after a newer version superseded it.
    #[error("offer version {answered} is no longer the latest (version {latest} is)")]
    StaleOffer { answered: u32, latest: u32 },
    /// A value breaks a rule of its field.
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
}

impl Error {
    /// The stable code sent to clients.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::InvalidTransition { .. } | Error::Blocked { .. } => ErrorCode::InvalidTransition,
            Error::NotAllowed { .. } => ErrorCode::NotAParty,
            Error::StaleOffer { .. } => ErrorCode::StaleOffer,
            Error::Invalid { .. } => ErrorCode::BadParameter,
        }
    }

    pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Error {
        Error::Invalid { field: field.into(), reason: reason.into() }
    }
}

impl From<scout_domain::Error> for Error {
    fn from(e: scout_domain::Error) -> Error {
        match e {
            scout_domain::Error::BadParameter { field, reason } => Error::Invalid { field, reason },
            other => Error::Invalid { field: "body".into(), reason: other.to_string() },
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

use scout_domain::ErrorCode;
use scout_domain::money::Currency;

/// Why the ledger refused something. Each has a stable code for the API.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("a transfer's debits ({debits}) and credits ({credits}) must be equal")]
    Unbalanced { debits: i128, credits: i128 },
    #[error("a transfer needs at least one debit and one credit, and at most {max} postings")]
    Shape { max: usize },
    #[error("posting {index}: amounts are positive integers of minor units")]
    Amount { index: usize },
    #[error("posting {index}: account {account} holds {account_currency}, the transfer moves {currency}")]
    CurrencyMismatch { index: usize, account: i64, account_currency: Currency, currency: Currency },
    #[error("posting {index}: account {account} appears twice on the same side")]
    Duplicate { index: usize, account: i64 },
    #[error("account {account} would go below zero: it holds {available} minor units, the transfer takes {wanted}")]
    InsufficientFunds { account: i64, available: i128, wanted: i128 },
    #[error("account {account} is not part of this transfer's accounts")]
    UnknownAccount { account: i64 },
    #[error("this idempotency key was used for another request")]
    KeyReused,
    #[error("the sums overflow")]
    Overflow,
    #[error("invalid rate: {0}")]
    Rate(String),
}

impl Error {
    /// The stable code the API answers with.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Unbalanced { .. }
            | Error::Shape { .. }
            | Error::Amount { .. }
            | Error::Duplicate { .. }
            | Error::UnknownAccount { .. } => ErrorCode::TransferInvalid,
            Error::CurrencyMismatch { .. } => ErrorCode::CurrencyMismatch,
            Error::InsufficientFunds { .. } => ErrorCode::InsufficientFunds,
            Error::KeyReused => ErrorCode::IdempotencyKeyReused,
            Error::Overflow | Error::Rate(_) => ErrorCode::InvalidRate,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

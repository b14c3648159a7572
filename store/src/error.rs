use scout_domain::{ErrorCode, ErrorKind};

/// A tenant record a lookup did not find (in this organisation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Record {
    Shortlist,
    ShortlistEntry,
    SavedSearch,
    Campaign,
    Negotiation,
    Contract,
    Review,
    Transfer,
    LedgerAccount,
    Funding,
    Payout,
    Invoice,
}

impl Record {
    pub fn as_str(self) -> &'static str {
        match self {
            Record::Shortlist => "shortlist",
            Record::ShortlistEntry => "shortlist entry",
            Record::SavedSearch => "saved search",
            Record::Campaign => "campaign",
            Record::Negotiation => "negotiation",
            Record::Contract => "contract",
            Record::Review => "review",
            Record::Transfer => "transfer",
            Record::LedgerAccount => "ledger account",
            Record::Funding => "funding",
            Record::Payout => "payout",
            Record::Invoice => "invoice",
        }
    }
}

impl std::fmt::Display for Record {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("unsupported database url `{url}`: use sqlite:PATH or postgres://…")]
    UnsupportedUrl { url: String },
    #[error("profile {id} not found")]
    NotFound { id: i64 },
    #[error("an account with this email already exists")]
    EmailTaken,
    #[error("{what} {id} not found")]
    Missing { what: Record, id: i64 },
    /// The record changed after the caller read it (optimistic concurrency):
    /// read it again and re-apply the step.
    #[error("{what} {id} changed since it was read")]
    Stale { what: Record, id: i64 },
    #[error("campaign {campaign} already has an open negotiation with profile {profile}")]
    NegotiationExists { campaign: i64, profile: i64 },
    #[error("the {side} side already reviewed contract {contract}")]
    ReviewExists { contract: i64, side: &'static str },
    #[error("an organisation must keep at least one owner")]
    LastOwner,
    #[error("profile {id} is already claimed by another account")]
    AlreadyClaimed { id: i64 },
    #[error("stored {table} record is corrupt: {message}")]
    CorruptRecord { table: &'static str, message: String },
    #[error("stored profile {id} is corrupt: {message}")]
    Corrupt { id: i64, message: String },
    #[error("database error while {doing}: {source}")]
    Database {
        doing: &'static str,
        #[source]
        source: sqlx::Error,
    },
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The ledger refused a transfer (unbalanced, overdrawn, a reused key…).
    #[error("{0}")]
    Ledger(#[from] scout_ledger::Error),
    /// A background part of the store (the ledger's writer task) has stopped.
    #[error("{what} has stopped")]
    Unavailable { what: &'static str },
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        self.code().kind()
    }

    /// A stable machine-readable code for API errors.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::NotFound { .. } => ErrorCode::ProfileNotFound,
            Error::Missing { what: Record::Shortlist, .. } => ErrorCode::ShortlistNotFound,
            Error::Missing { what: Record::ShortlistEntry, .. } => ErrorCode::EntryNotFound,
            Error::Missing { what: Record::SavedSearch, .. } => ErrorCode::SavedSearchNotFound,
            Error::Missing { what: Record::Campaign, .. } => ErrorCode::CampaignNotFound,
            Error::Missing { what: Record::Negotiation, .. } => ErrorCode::NegotiationNotFound,
            Error::Missing { what: Record::Contract, .. } => ErrorCode::ContractNotFound,
            Error::Missing { what: Record::Review, .. } => ErrorCode::ReviewNotFound,
            Error::Missing { what: Record::Transfer | Record::LedgerAccount, .. } => ErrorCode::NotFound,
            Error::Missing { what: Record::Funding, .. } => ErrorCode::FundingNotFound,
            Error::Missing { what: Record::Payout, .. } => ErrorCode::PayoutNotFound,
            Error::Missing { what: Record::Invoice, .. } => ErrorCode::InvoiceNotFound,
            Error::Ledger(e) => e.code(),
            Error::ReviewExists { .. } => ErrorCode::ReviewExists,
            Error::Stale { .. } => ErrorCode::EditConflict,
            Error::NegotiationExists { .. } => ErrorCode::NegotiationExists,
            Error::EmailTaken => ErrorCode::EmailTaken,
            Error::LastOwner => ErrorCode::LastOwner,
            Error::AlreadyClaimed { .. } => ErrorCode::AlreadyClaimed,
            Error::UnsupportedUrl { .. } => ErrorCode::BadDatabaseUrl,
            Error::Database { source: sqlx::Error::PoolTimedOut, .. } | Error::Unavailable { .. } => {
                ErrorCode::Unavailable
            }
            Error::Corrupt { .. } | Error::CorruptRecord { .. } | Error::Database { .. } | Error::Migrate(_) => {
                ErrorCode::StorageError
            }
        }
    }
}

pub(crate) trait Doing<T> {
    fn doing(self, what: &'static str) -> Result<T>;
}

impl<T> Doing<T> for std::result::Result<T, sqlx::Error> {
    fn doing(self, doing: &'static str) -> Result<T> {
        self.map_err(|source| Error::Database { doing, source })
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

use scout_domain::ErrorKind;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("unsupported database url `{url}`: use sqlite:PATH or postgres://…")]
    UnsupportedUrl { url: String },
    #[error("profile {id} not found")]
    NotFound { id: i64 },
    #[error("an account with this email already exists")]
    EmailTaken,
    #[error("{what} {id} not found")]
    Missing { what: &'static str, id: i64 },
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
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::UnsupportedUrl { .. } => ErrorKind::BadRequest,
            Error::NotFound { .. } | Error::Missing { .. } => ErrorKind::NotFound,
            Error::EmailTaken | Error::LastOwner | Error::AlreadyClaimed { .. } => ErrorKind::Conflict,
            Error::Database { source: sqlx::Error::PoolTimedOut, .. } => ErrorKind::Unavailable,
            Error::Corrupt { .. } | Error::CorruptRecord { .. } | Error::Database { .. } | Error::Migrate(_) => {
                ErrorKind::Internal
            }
        }
    }
}

impl Error {
    /// A stable machine-readable code for API errors.
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotFound { .. } => "profile_not_found",
            Error::Missing { what: "shortlist", .. } => "shortlist_not_found",
            Error::Missing { what: "shortlist entry", .. } => "entry_not_found",
            Error::Missing { what: "saved search", .. } => "saved_search_not_found",
            Error::Missing { .. } => "not_found",
            Error::EmailTaken => "email_taken",
            Error::LastOwner => "last_owner",
            Error::AlreadyClaimed { .. } => "already_claimed",
            Error::UnsupportedUrl { .. } => "bad_database_url",
            Error::Database { source: sqlx::Error::PoolTimedOut, .. } => "unavailable",
            Error::Corrupt { .. } | Error::CorruptRecord { .. } | Error::Database { .. } | Error::Migrate(_) => {
                "storage_error"
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

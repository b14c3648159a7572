use scout_domain::{ErrorCode, ErrorKind};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Request(#[from] scout_domain::Error),
    #[error(transparent)]
    Index(#[from] scout_indexer::Error),
    #[error(transparent)]
    Model(#[from] scout_models::Error),
    #[error("profile {id} is not indexed")]
    UnknownProfile { id: i64 },
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        self.code().kind()
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Request(e) => e.code(),
            Error::Index(e) => e.code(),
            Error::Model(e) => e.code(),
            Error::UnknownProfile { .. } => ErrorCode::ProfileNotFound,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

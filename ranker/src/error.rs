use scout_domain::ErrorKind;

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
        match self {
            Error::Request(e) => e.kind(),
            Error::Index(e) => e.kind(),
            Error::Model(e) => e.kind(),
            Error::UnknownProfile { .. } => ErrorKind::NotFound,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Error::Request(e) => e.code(),
            Error::Index(_) => "index_error",
            Error::Model(_) => "model_error",
            Error::UnknownProfile { .. } => "profile_not_found",
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

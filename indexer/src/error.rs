use scout_domain::{ErrorCode, ErrorKind};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("text index error while {doing}: {source}")]
    Text {
        doing: &'static str,
        #[source]
        source: tantivy::TantivyError,
    },
    #[error("vector index error while {doing}: {message}")]
    Vectors { doing: &'static str, message: String },
    #[error("encoding failed: {0}")]
    Encoder(#[from] scout_models::Error),
    #[error("index folder {path}: {message}")]
    Io { path: String, message: String },
    #[error("vector has {got} dimensions, index expects {expected}")]
    Dimension { got: usize, expected: usize },
    #[error("a filter on {field} needs the live scores, and this search was not given them")]
    LiveScoresMissing { field: &'static str },
    #[error("the indexes cannot apply {clause}")]
    UnsupportedClause { clause: &'static str },
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        self.code().kind()
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Text { .. }
            | Error::Vectors { .. }
            | Error::Io { .. }
            | Error::Dimension { .. }
            | Error::LiveScoresMissing { .. }
            | Error::UnsupportedClause { .. } => ErrorCode::IndexError,
            Error::Encoder(e) => e.code(),
        }
    }
}

pub(crate) trait TextDoing<T> {
    fn doing(self, doing: &'static str) -> Result<T>;
}

impl<T> TextDoing<T> for std::result::Result<T, tantivy::TantivyError> {
    fn doing(self, doing: &'static str) -> Result<T> {
        self.map_err(|source| Error::Text { doing, source })
    }
}

pub(crate) fn vectors_err(doing: &'static str) -> impl FnOnce(qdrant_edge::OperationError) -> Error {
    move |e| Error::Vectors { doing, message: e.to_string() }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

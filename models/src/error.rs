use scout_domain::{ErrorCode, ErrorKind};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("model file {path} could not be read: {message}")]
    Read { path: String, message: String },
    #[error("model artifact {path} is invalid: {message}")]
    Artifact { path: String, message: String },
    #[error("tokenizer failed: {message}")]
    Tokenizer { message: String },
    #[error("model inference failed: {0}")]
    Inference(#[from] candle_core::Error),
    #[error("vector has {got} dimensions, encoder produces {expected}")]
    Dimension { got: usize, expected: usize },
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        self.code().kind()
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Read { .. } | Error::Artifact { .. } => ErrorCode::ModelUnavailable,
            Error::Tokenizer { .. } | Error::Inference(_) | Error::Dimension { .. } => ErrorCode::ModelError,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

use scout_domain::ErrorKind;

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
        match self {
            Error::Read { .. } | Error::Artifact { .. } => ErrorKind::Unavailable,
            Error::Tokenizer { .. } | Error::Inference(_) | Error::Dimension { .. } => ErrorKind::Internal,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

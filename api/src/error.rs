//! The API's error: every failure becomes `application/problem+json`
//! (RFC 9457) with a stable `code`. Server-side details are logged, never sent.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use scout_domain::ErrorKind;
use serde::Serialize;

/// A problem+json body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<scout_domain::Violation>>,
}

#[derive(Debug)]
pub struct ApiError {
    pub kind: ErrorKind,
    pub code: &'static str,
    pub detail: String,
    pub errors: Option<Vec<scout_domain::Violation>>,
    /// Seconds to send as `Retry-After` (with 429 and 503).
    pub retry_after: Option<u64>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(kind: ErrorKind, code: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError { kind, code, detail: detail.into(), errors: None, retry_after: None }
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError::new(ErrorKind::BadRequest, code, detail)
    }

    pub fn unauthorized(code: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError::new(ErrorKind::Unauthorized, code, detail)
    }

    pub fn forbidden(code: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError::new(ErrorKind::Forbidden, code, detail)
    }

    /// 429 with `Retry-After` (whole seconds, at least 1).
    pub fn too_many(code: &'static str, detail: impl Into<String>, wait: std::time::Duration) -> ApiError {
        let mut e = ApiError::new(ErrorKind::TooManyRequests, code, detail);
        e.retry_after = Some(wait.as_secs_f64().ceil().max(1.0) as u64);
        e
    }

    pub fn internal(detail: impl Into<String>) -> ApiError {
        ApiError::new(ErrorKind::Internal, "internal", detail)
    }
}

fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = status_of(self.kind);
        let detail = if status.is_server_error() {
            tracing::error!(code = self.code, detail = %self.detail, "request failed");
            None
        } else {
            Some(self.detail)
        };
        let body = Problem {
            type_: format!("https://scout.example/problems/{}", self.code),
            title: status.canonical_reason().unwrap_or("error").to_string(),
            status: status.as_u16(),
            code: self.code.to_string(),
            detail,
            errors: self.errors,
        };
        let mut res = (status, axum::Json(body)).into_response();
        res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let Some(secs) = self.retry_after {
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res
    }
}

impl From<scout_domain::Error> for ApiError {
    fn from(e: scout_domain::Error) -> Self {
        let errors = match &e {
            scout_domain::Error::Invalid { violations } => Some(violations.clone()),
            _ => None,
        };
        ApiError { kind: e.kind(), code: e.code(), detail: e.to_string(), errors, retry_after: None }
    }
}

impl From<scout_ranker::Error> for ApiError {
    fn from(e: scout_ranker::Error) -> Self {
        if let scout_ranker::Error::Request(d) = e {
            return d.into();
        }
        ApiError::new(e.kind(), e.code(), e.to_string())
    }
}

impl From<scout_store::Error> for ApiError {
    fn from(e: scout_store::Error) -> Self {
        ApiError::new(e.kind(), e.code(), e.to_string())
    }
}

impl From<scout_indexer::Error> for ApiError {
    fn from(e: scout_indexer::Error) -> Self {
        ApiError::new(e.kind(), "index_error", e.to_string())
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(e: tokio::task::JoinError) -> Self {
        ApiError::internal(format!("worker task failed: {e}"))
    }
}

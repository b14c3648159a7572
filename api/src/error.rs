//! The API's error: every failure becomes `application/problem+json`
//! (RFC 9457) with a stable `code` from the domain's table
//! ([`ErrorCode`]), whose kind decides the status here, in one exhaustive
//! `match`. Server-side details are logged, never sent.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use scout_domain::{ErrorCode, ErrorKind};
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
    pub code: ErrorCode,
    pub detail: String,
    pub errors: Option<Vec<scout_domain::Violation>>,
    /// Seconds to send as `Retry-After` (with 429 and 503).
    pub retry_after: Option<u64>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> ApiError {
        ApiError { code, detail: detail.into(), errors: None, retry_after: None }
    }

    /// 429 with `Retry-After` (whole seconds, at least 1).
    pub fn too_many(code: ErrorCode, detail: impl Into<String>, wait: std::time::Duration) -> ApiError {
        let mut e = ApiError::new(code, detail);
        e.retry_after = Some(wait.as_secs_f64().ceil().max(1.0) as u64);
        e
    }
}

/// The status of a kind of failure; no `_` arm, so a new kind must be mapped here.
pub fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        ErrorKind::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
        ErrorKind::UriTooLong => StatusCode::URI_TOO_LONG,
        ErrorKind::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        ErrorKind::PaymentRequired => StatusCode::PAYMENT_REQUIRED,
        ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = status_of(self.code.kind());
        let detail = if status.is_server_error() {
            tracing::error!(code = self.code.as_str(), detail = %self.detail, "request failed");
            None
        } else {
            Some(self.detail)
        };
        let body = Problem {
            type_: format!("https://scout.example/problems/{}", self.code),
            title: self.code.title().to_string(),
            status: status.as_u16(),
            code: self.code.as_str().to_string(),
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

impl From<scout_app::Error> for ApiError {
    fn from(e: scout_app::Error) -> Self {
        ApiError {
            code: e.code(),
            errors: e.violations().map(<[_]>::to_vec),
            retry_after: e.retry_after_secs(),
            detail: e.to_string(),
        }
    }
}

impl From<scout_domain::Error> for ApiError {
    fn from(e: scout_domain::Error) -> Self {
        scout_app::Error::from(e).into()
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(e: tokio::task::JoinError) -> Self {
        scout_app::Error::from(e).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_status_of_its_kind() {
        for &code in ErrorCode::ALL {
            let status = status_of(code.kind());
            assert!(status.is_client_error() || status.is_server_error(), "{code}: {status}");
        }
        assert_eq!(status_of(ErrorCode::InvalidTotp.kind()), StatusCode::UNAUTHORIZED);
        assert_eq!(status_of(ErrorCode::LoginLocked.kind()), StatusCode::TOO_MANY_REQUESTS);
    }
}

//! Extractors whose rejections are problem+json like every other error.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use scout_domain::ErrorCode;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// `axum::Json` with problem+json rejections.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Json(v)),
            Err(rejection) => Err(json_problem(rejection)),
        }
    }
}

fn json_problem(r: JsonRejection) -> ApiError {
    match r {
        JsonRejection::JsonDataError(e) => ApiError::new(ErrorCode::InvalidBody, e.body_text()),
        JsonRejection::JsonSyntaxError(e) => ApiError::new(ErrorCode::InvalidJson, e.body_text()),
        JsonRejection::MissingJsonContentType(e) => ApiError::new(ErrorCode::UnsupportedMediaType, e.body_text()),
        JsonRejection::BytesRejection(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::new(ErrorCode::PayloadTooLarge, e.body_text())
        }
        JsonRejection::BytesRejection(e) => ApiError::new(ErrorCode::InvalidBody, e.body_text()),
        other => ApiError::new(ErrorCode::InvalidBody, other.body_text()),
    }
}

/// `axum::extract::Query` with problem+json rejections.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Query(v)),
            Err(r) => Err(query_problem(r)),
        }
    }
}

fn query_problem(r: QueryRejection) -> ApiError {
    ApiError::new(ErrorCode::InvalidQueryString, r.body_text())
}

/// The client's address, when the server was started with connection info
/// (`scout serve` and the tests are); never rejects.
#[derive(Debug, Clone, Default)]
pub struct ClientIp(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(
            parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip().to_string()),
        ))
    }
}

/// A positive integer id from a path segment; 400 `bad_parameter` naming
/// `field` otherwise (ids are taken as text so that bad ones get problem+json).
pub fn parse_id(raw: &str, field: &str) -> crate::error::ApiResult<i64> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::new(ErrorCode::BadParameter, format!("{field}: `{raw}` is not an id")))
}

/// The header by which Scout's own web app identifies itself. With it, the
/// refresh token travels in an HttpOnly cookie instead of the JSON body: page
/// script never sees it, and since other sites cannot send a custom header
/// without a CORS preflight (which Scout refuses them), the cookie is useless
/// to a cross-site request.
pub const WEB_CLIENT_HEADER: &str = "x-scout-client";
/// The refresh-token cookie of the web app, scoped to `/v1/auth`.
pub const REFRESH_COOKIE: &str = "scout_refresh";

/// Whether the request comes from Scout's web app, and its refresh cookie.
#[derive(Debug, Clone, Default)]
pub struct WebClient {
    pub is_web: bool,
    pub refresh_cookie: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for WebClient {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let is_web = parts.headers.get(WEB_CLIENT_HEADER).and_then(|v| v.to_str().ok()) == Some("web");
        let refresh_cookie = parts
            .headers
            .get_all(axum::http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|kv| kv.trim().split_once('='))
            .find(|(k, _)| *k == REFRESH_COOKIE)
            .map(|(_, v)| v.to_string())
            .filter(|v| !v.is_empty());
        Ok(WebClient { is_web, refresh_cookie })
    }
}

/// The `Set-Cookie` value holding a refresh token (`None` clears it).
pub fn refresh_cookie(token: Option<&str>, max_age_secs: i64, secure: bool) -> String {
    let (value, age) = match token {
        Some(t) => (t, max_age_secs),
        None => ("", 0),
    };
    let secure = if secure { "; Secure" } else { "" };
    format!("{REFRESH_COOKIE}={value}; Path=/v1/auth; HttpOnly; SameSite=Strict; Max-Age={age}{secure}")
}

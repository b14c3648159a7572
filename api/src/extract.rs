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

/// Every request body of the API is a JSON object: serde would also build a
/// struct from an array (`["vegan", null, null, 5]` as a search), which no
/// client means, so anything but an object is refused before parsing.
impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(ApiError::new(
                ErrorCode::UnsupportedMediaType,
                "Expected request with `Content-Type: application/json`",
            ));
        }
        let bytes = match axum::body::Bytes::from_request(req, state).await {
            Ok(b) => b,
            Err(r) => return Err(json_problem(JsonRejection::BytesRejection(r))),
        };
        match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => {}
            Some(_) => return Err(ApiError::new(ErrorCode::InvalidBody, "the body must be a JSON object")),
            None => return Err(ApiError::new(ErrorCode::InvalidJson, "the body is empty; send a JSON object")),
        }
        match axum::Json::<T>::from_bytes(&bytes) {
            Ok(axum::Json(v)) => Ok(Json(v)),
            // JSON has one number type: `17.0` is the integer 17 to JSON Schema
            // (and to JavaScript), so a whole number written with a fraction
            // is read as an integer before the body is refused.
            Err(JsonRejection::JsonDataError(e)) => match integral_numbers(&bytes) {
                Some(v) => {
                    serde_json::from_value::<T>(v).map(Json).map_err(|_| json_problem(JsonRejection::JsonDataError(e)))
                }
                None => Err(json_problem(JsonRejection::JsonDataError(e))),
            },
            Err(rejection) => Err(json_problem(rejection)),
        }
    }
}

/// The body with every whole number written as a float (`17.0`, `2e3`)
/// turned into an integer; `None` when it has none (nothing to retry).
fn integral_numbers(bytes: &[u8]) -> Option<serde_json::Value> {
    fn walk(v: &mut serde_json::Value, changed: &mut bool) {
        match v {
            serde_json::Value::Number(n) if n.is_f64() => {
                let Some(f) = n.as_f64() else { return };
                // 2^64 and -2^63 bound what u64 and i64 hold.
                if f.fract() == 0.0 && (-9_223_372_036_854_775_808.0..18_446_744_073_709_551_616.0).contains(&f) {
                    *v = if f >= 0.0 { serde_json::Value::from(f as u64) } else { serde_json::Value::from(f as i64) };
                    *changed = true;
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|i| walk(i, changed)),
            serde_json::Value::Object(map) => map.values_mut().for_each(|i| walk(i, changed)),
            _ => {}
        }
    }
    let mut v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let mut changed = false;
    walk(&mut v, &mut changed);
    changed.then_some(v)
}

/// `application/json` or any `application/*+json`, parameters aside, as
/// axum's own check.
fn is_json(headers: &axum::http::HeaderMap) -> bool {
    let Some(value) = headers.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || essence.starts_with("application/") && essence.ends_with("+json")
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
        if let Some(query) = parts.uri.query()
            && !decodes_to_utf8(query)
        {
            return Err(ApiError::new(
                ErrorCode::InvalidQueryString,
                "the query string is not UTF-8 once percent-decoded",
            ));
        }
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Query(v)),
            Err(r) => Err(query_problem(r)),
        }
    }
}

/// Whether a query string percent-decodes to UTF-8: the URL form decoder
/// replaces bad bytes with U+FFFD, which would search for something the
/// client never sent.
fn decodes_to_utf8(query: &str) -> bool {
    let bytes = query.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    std::str::from_utf8(&out).is_ok()
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

#[cfg(test)]
mod tests {
    #[test]
    fn whole_numbers_written_as_floats_are_integers() {
        let v = super::integral_numbers(br#"{"limit": 17.0, "f": {"min": [2e3, 1.5]}, "n": -3.0, "big": 1e300}"#);
        assert_eq!(v, Some(serde_json::json!({"limit": 17, "f": {"min": [2000, 1.5]}, "n": -3, "big": 1e300})));
        assert_eq!(super::integral_numbers(br#"{"limit": 17, "share": 0.5}"#), None, "nothing to retry");
        #[derive(serde::Deserialize, Debug)]
        struct Page {
            limit: usize,
        }
        let page: Page = serde_json::from_value(v.expect("changed")).expect("reads");
        assert_eq!(page.limit, 17);
    }

    #[test]
    fn query_strings_must_decode_to_utf8() {
        assert!(super::decodes_to_utf8("q=caf%C3%A9&limit=5"));
        assert!(super::decodes_to_utf8("q=100%"));
        assert!(!super::decodes_to_utf8("q=caf%E9"));
        assert!(!super::decodes_to_utf8("q=%FF%FE"));
    }
}

//! Every error answer is problem+json, including the ones no handler wrote:
//! axum's 405 and path rejections, the static files' 404, the body limit's
//! 413, the timeout's 408, and requests whose target or headers are longer
//! than Scout reads (414, 431), which are refused here before routing.
//!
//! Hyper's own limits (100 header fields, ~400 KB of request head) sit
//! above the ones here and answer with an empty body; no request a client
//! means comes near them.

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use scout_domain::ErrorCode;

use crate::error::Problem;

/// Longest request target (path and query) read, in bytes.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Most header fields in one request.
pub const MAX_HEADERS: usize = 64;
/// Most bytes of header names and values in one request.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Refuses oversized request heads, and rewrites any error response that is
/// not JSON already into problem+json with a stable code, keeping its status
/// and headers (`Allow`, `Retry-After`, the request id, security headers).
pub async fn problems(req: Request, next: Next) -> Response {
    let target = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if target > MAX_URI_BYTES {
        return problem(
            StatusCode::URI_TOO_LONG,
            ErrorCode::UriTooLong,
            Some(format!("the request target is {target} bytes; at most {MAX_URI_BYTES}")),
        );
    }
    let headers = req.headers();
    let bytes: usize = headers.iter().map(|(k, v)| k.as_str().len() + v.len()).sum();
    if headers.len() > MAX_HEADERS || bytes > MAX_HEADER_BYTES {
        return problem(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ErrorCode::HeadersTooLarge,
            Some(format!(
                "{} header fields of {bytes} bytes; at most {MAX_HEADERS} fields of {MAX_HEADER_BYTES} bytes",
                headers.len()
            )),
        );
    }
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json(&res) {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    // What the framework said ("Failed to deserialize … at line 1"), when short.
    let said = axum::body::to_bytes(body, 2048)
        .await
        .ok()
        .and_then(|b| String::from_utf8(b.to_vec()).ok())
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty() && !status.is_server_error());
    let rewritten = problem(status, code_of(status), said);
    let (new_parts, body) = rewritten.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    drop(new_parts);
    Response::from_parts(parts, body)
}

fn is_json(res: &Response) -> bool {
    res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
        let essence = v.split(';').next().unwrap_or_default().trim();
        essence.eq_ignore_ascii_case("application/json") || essence.ends_with("+json")
    })
}

/// The stable code of an error status no handler classified.
fn code_of(status: StatusCode) -> ErrorCode {
    match status {
        StatusCode::NOT_FOUND => ErrorCode::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
        StatusCode::REQUEST_TIMEOUT => ErrorCode::RequestTimeout,
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
        StatusCode::URI_TOO_LONG => ErrorCode::UriTooLong,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => ErrorCode::HeadersTooLarge,
        StatusCode::TOO_MANY_REQUESTS => ErrorCode::RateLimited,
        StatusCode::SERVICE_UNAVAILABLE => ErrorCode::Unavailable,
        s if s.is_server_error() => ErrorCode::Internal,
        _ => ErrorCode::BadParameter,
    }
}

/// A problem+json response with this status (which may differ from the
/// code's usual one: a 415 keeps its status).
/// A handler that panicked: the client gets a `500 internal` problem, not a
/// dropped connection, and the panic is logged (the process goes on).
pub fn panicked(payload: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = what, "a request handler panicked");
    problem(
        StatusCode::INTERNAL_SERVER_ERROR,
        ErrorCode::Internal,
        Some("the server failed on this request; it was logged".into()),
    )
}

fn problem(status: StatusCode, code: ErrorCode, detail: Option<String>) -> Response {
    let body = Problem {
        type_: format!("https://scout.example/problems/{code}"),
        title: code.title().to_string(),
        status: status.as_u16(),
        code: code.as_str().to_string(),
        detail,
        errors: None,
    };
    let mut res = (status, axum::Json(body)).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    res
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;

    use super::*;

    async fn call(req: axum::http::Request<Body>) -> (StatusCode, axum::http::HeaderMap, serde_json::Value) {
        let app =
            axum::Router::new().route("/only-get", get(|| async { "ok" })).layer(axum::middleware::from_fn(problems));
        let res = app.oneshot(req).await.expect("response");
        let (status, headers) = (res.status(), res.headers().clone());
        let body = axum::body::to_bytes(res.into_body(), 1 << 20).await.expect("body");
        (status, headers, serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null))
    }

    fn req(method: &str, uri: &str) -> axum::http::Request<Body> {
        axum::http::Request::builder().method(method).uri(uri).body(Body::empty()).expect("request")
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_a_problem_and_the_service_goes_on() {
        async fn boom() -> &'static str {
            panic!("a byte slice in the middle of a character")
        }
        let app = axum::Router::new()
            .route("/boom", get(boom))
            .route("/only-get", get(|| async { "ok" }))
            .layer(tower_http::catch_panic::CatchPanicLayer::custom(panicked))
            .layer(axum::middleware::from_fn(problems));
        let res = app.clone().oneshot(req("GET", "/boom")).await.expect("response");
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(res.headers()[header::CONTENT_TYPE], "application/problem+json");
        let body = axum::body::to_bytes(res.into_body(), 1 << 20).await.expect("body");
        let body: serde_json::Value = serde_json::from_slice(&body).expect("json");
        assert_eq!(body["code"], "internal");
        assert!(!body["detail"].as_str().unwrap_or_default().contains("byte slice"), "no internals leak: {body}");
        let res = app.oneshot(req("GET", "/only-get")).await.expect("response");
        assert_eq!(res.status(), StatusCode::OK);
    }

    #[tokio::test]
    async fn bare_framework_errors_become_problems_keeping_status_and_headers() {
        let (status, headers, body) = call(req("DELETE", "/only-get")).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
        assert!(headers.get(header::ALLOW).is_some(), "{headers:?}");
        assert_eq!(body["code"], "method_not_allowed");
        assert_eq!(body["status"], 405);
        let (status, _, body) = call(req("GET", "/nowhere")).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    }

    #[tokio::test]
    async fn oversized_targets_and_heads_are_refused_as_problems() {
        let long = format!("/only-get?q={}", "a".repeat(MAX_URI_BYTES));
        let (status, _, body) = call(req("GET", &long)).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::URI_TOO_LONG, Some("uri_too_long")));
        let mut many = req("GET", "/only-get");
        for i in 0..=MAX_HEADERS {
            many.headers_mut().insert(
                axum::http::HeaderName::from_bytes(format!("x-h{i}").as_bytes()).expect("name"),
                HeaderValue::from_static("v"),
            );
        }
        let (status, _, body) = call(many).await;
        assert_eq!(status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
        assert_eq!(body["code"], "headers_too_large");
        let (status, _, _) = call(req("GET", "/only-get")).await;
        assert_eq!(status, StatusCode::OK);
    }
}

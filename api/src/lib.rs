//! `scout-api`: Scout over HTTP, with axum.
//!
//! It owns routing, the extractors (bearer credentials, the organisation
//! header, problem+json rejections), the mapping of error codes to statuses,
//! the OpenAPI document, metrics middleware, security headers, CORS, SSE and
//! the listener (plain or TLS). Handlers extract, authorise, call a use case
//! of [`scout_app::Application`] and map the result; no business rule and no
//! SQL lives here.
//!
//! Only this crate knows HTTP.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! let app = scout_app::Application::build(scout_app::Settings::default()).await?;
//! let app = scout_api::router(scout_api::AppState::new(app));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:7700").await?;
//! axum::serve(listener, app).await?;
//! # Ok(()) }
//! ```

/// Every binary linking the service (`scout`, the benchmarks, the tests) uses
/// mimalloc, as Meilisearch and Qdrant use a dedicated allocator: indexing and
/// search allocate many short-lived buffers across threads, where glibc's
/// malloc spent about 14 % of a bulk import's CPU.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod auth;
pub mod error;
pub mod extract;
pub mod problems;
pub mod routes;
pub mod serve;
pub mod state;

pub use state::AppState;

use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::HeaderName;
use axum::middleware::{self, Next};
use axum::response::Response;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// Largest JSON body accepted outside the import route.
pub const MAX_JSON_BODY: usize = 1024 * 1024;

/// The whole HTTP service.
pub fn router(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let cors = cors_layer(&state.settings().cors_origins);
    let hsts = state.settings().uses_tls();
    Router::new()
        .merge(routes::auth::router(state.clone()))
        .merge(routes::search::router())
        .merge(routes::campaigns::router())
        .merge(routes::negotiations::router())
        .merge(routes::contracts::router())
        .merge(routes::marketplace::router())
        .merge(routes::reviews::router())
        .merge(routes::inbox::router())
        .merge(routes::referrals::router())
        .merge(routes::wallet::router())
        .merge(routes::payouts::router())
        .merge(routes::profiles::router())
        .merge(routes::orgs::router())
        .merge(routes::shortlists::router())
        .merge(routes::keys::router(state.clone()))
        .merge(routes::privacy::router())
        .merge(routes::events::router())
        .merge(routes::models::router())
        .merge(routes::health::router())
        .merge(routes::openapi::router())
        .merge(routes::web::router(&state.settings().web_dir()))
        .layer(DefaultBodyLimit::max(MAX_JSON_BODY))
        .layer(middleware::from_fn(record_metrics))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), uri = %req.uri(), request_id = %id)
        }))
        .layer(middleware::map_response(move |res| secure_headers(res, hsts)))
        .layer(cors)
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(120),
        ))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(problems::panicked))
        .layer(middleware::from_fn(problems::problems))
        .with_state(state)
}

/// CORS for the configured origins only (an allow-list, never `*`, since
/// requests carry bearer tokens); no origins configured, no CORS headers.
fn cors_layer(origins: &[String]) -> tower_http::cors::CorsLayer {
    use axum::http::{HeaderValue, Method, header};
    use tower_http::cors::{AllowOrigin, CorsLayer};
    let allowed: Vec<HeaderValue> = origins.iter().filter_map(|o| HeaderValue::from_str(o.trim()).ok()).collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed))
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, HeaderName::from_static("x-scout-org")])
        .max_age(Duration::from_secs(600))
}

/// Headers that keep browsers from sniffing, framing or leaking API responses
/// (OWASP Secure Headers Project, for an API that serves no pages yet).
/// `Strict-Transport-Security` (two years, subdomains) only when Scout itself
/// speaks TLS: over plain HTTP browsers ignore it, and a TLS-terminating proxy
/// in front of Scout sets its own.
async fn secure_headers(mut res: Response, hsts: bool) -> Response {
    use axum::http::HeaderValue;
    let headers = res.headers_mut();
    if hsts {
        headers.insert("strict-transport-security", HeaderValue::from_static("max-age=63072000; includeSubDomains"));
    }
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        ("content-security-policy", "default-src 'none'; frame-ancestors 'none'"),
        ("cross-origin-opener-policy", "same-origin"),
    ] {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    }
    res
}

/// Every label of the HTTP metrics comes from a closed set, so no client can
/// grow `/metrics` (or the process) by sending made-up methods or paths: a
/// route is the matched route template or `unmatched`, a method one of the
/// standard ones or `other`, a status a number below 1000.
async fn record_metrics(req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().map_or("unmatched".to_string(), |p| p.as_str().to_string());
    let method = method_label(req.method());
    let started = std::time::Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::counter!("scout_http_requests_total", "route" => route.clone(), "method" => method, "status" => status)
        .increment(1);
    metrics::histogram!("scout_http_request_seconds", "route" => route).record(started.elapsed().as_secs_f64());
    res
}

/// The `method` label: the nine methods of RFC 9110, anything else `other`.
fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    async fn preflight(origins: &[String], origin: &str) -> Option<String> {
        let app = axum::Router::new()
            .route("/v1/search", axum::routing::get(|| async { "ok" }))
            .layer(super::cors_layer(origins));
        let req = Request::builder()
            .method("OPTIONS")
            .uri("/v1/search")
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "authorization")
            .body(Body::empty())
            .expect("request");
        let res = app.oneshot(req).await.expect("response");
        assert_eq!(res.status(), StatusCode::OK);
        res.headers().get("access-control-allow-origin").map(|v| v.to_str().unwrap_or_default().to_string())
    }

    #[test]
    fn made_up_methods_share_one_label() {
        use axum::http::Method;
        assert_eq!(super::method_label(&Method::GET), "GET");
        assert_eq!(super::method_label(&Method::from_bytes(b"PROPFIND").expect("method")), "other");
        assert_eq!(super::method_label(&Method::from_bytes(&[b'X'; 4000]).expect("method")), "other");
    }

    #[tokio::test]
    async fn cors_allows_listed_origins_only() {
        let listed = vec!["https://app.example.com".to_string()];
        assert_eq!(preflight(&listed, "https://app.example.com").await.as_deref(), Some("https://app.example.com"));
        assert_eq!(preflight(&listed, "https://evil.example").await, None);
        assert_eq!(preflight(&[], "https://app.example.com").await, None);
    }
}

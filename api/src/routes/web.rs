//! The web app: the single-page app built by Vite into `web/dist`, served from
//! that folder. Hashed assets are cached for a year, and sent Brotli- or
//! gzip-compressed from the copies the build made when the browser accepts it; every other page path
//! gets `index.html` (the app routes in the browser), never cached, with a
//! content security policy that allows only Scout's own scripts, styles and
//! API. Paths under `/v1/` stay the API's, with problem+json 404s.

use std::path::Path;

use axum::Router;
use axum::body::Bytes;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::error::ApiError;
use crate::state::AppState;

/// What a page of the app may load: only Scout's own files and API; images
/// also as `data:` (the 2FA QR code); nothing inline, nothing third-party.
pub const APP_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
    frame-ancestors 'none'";

/// `/assets/…` (the hashed, immutable files of the build) and, as the fallback
/// of the whole service, `index.html` for every page path. `index.html` is read
/// once, here: a rebuilt app is served after a restart.
pub fn router(dir: &Path) -> Router<AppState> {
    // The build writes Brotli and gzip copies of each asset (web/build/compress.mjs).
    let assets = ServeDir::new(dir.join("assets")).precompressed_br().precompressed_gzip();
    let file = dir.join("index.html");
    let index: Option<Bytes> = match std::fs::read(&file) {
        Ok(html) => Some(Bytes::from(html)),
        Err(_) => {
            tracing::warn!(path = %file.display(), "web app not built");
            None
        }
    };
    Router::new()
        .nest_service(
            "/assets",
            tower::ServiceBuilder::new()
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=31536000, immutable"),
                ))
                .service(assets),
        )
        .fallback(move |req: Request| fallback(index.clone(), req))
}

/// Every request no route took: the app's `index.html` for a page path, a
/// problem+json 404 for the API and for other methods.
async fn fallback(index: Option<Bytes>, req: Request) -> Response {
    let path = req.uri().path();
    let page = (req.method() == Method::GET || req.method() == Method::HEAD)
        && !path.starts_with("/v1/")
        && path != "/v1"
        && !path.starts_with("/assets/");
    if !page {
        return ApiError::new(scout_domain::ErrorCode::NotFound, "no such route").into_response();
    }
    let Some(html) = index else {
        return (StatusCode::SERVICE_UNAVAILABLE, Html(NOT_BUILT)).into_response();
    };
    let mut res = Html(html).into_response();
    let headers = res.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(APP_CSP));
    res
}

const NOT_BUILT: &str = "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Scout</title>\
<body><h1>Scout's web app is not built</h1>\
<p>The API is running (<a href=\"/openapi.json\">/openapi.json</a>). Build the app with \
<code>scripts/run.sh</code>, or <code>npm ci &amp;&amp; npm run build</code> in <code>web/</code>.</p></body></html>";

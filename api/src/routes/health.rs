//! `/healthz`, `/readyz` and `/metrics`.

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use serde::Serialize;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz)).route("/metrics", get(metrics_text))
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = String)))]
pub async fn healthz() -> &'static str {
    "ok"
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Readiness {
    pub database: bool,
    pub indexed_profiles: usize,
    pub index_lag: i64,
    pub minilm_vectors: usize,
}

/// Ready when the database answers; reports index lag and enrichment.
#[utoipa::path(get, path = "/readyz", tag = "operations", responses((status = 200, body = Readiness), (status = 503, body = Readiness)))]
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let now = state.app.status().await;
    let database = now.database;
    let body = Readiness {
        database,
        indexed_profiles: now.indexed_profiles,
        index_lag: now.index_lag,
        minilm_vectors: now.minilm_vectors,
    };
    let status = if database { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, axum::Json(body))
}

/// Prometheus text exposition. With `metrics_token` configured, only a
/// scraper sending it as a bearer token gets it (401 otherwise).
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, body = String, content_type = "text/plain"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn metrics_text(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> crate::error::ApiResult<impl IntoResponse> {
    if let Some(token) = &state.settings().metrics_token {
        let sent = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        if !same_secret(sent.trim().as_bytes(), token.as_bytes()) {
            return Err(crate::error::ApiError::new(
                scout_domain::ErrorCode::InvalidToken,
                "/metrics needs the configured metrics token as a bearer token",
            ));
        }
    }
    let now = state.app.status().await;
    metrics::gauge!("scout_indexed_profiles").set(now.indexed_profiles as f64);
    metrics::gauge!("scout_minilm_vectors").set(now.minilm_vectors as f64);
    let total = now.indexed_profiles.max(1);
    metrics::gauge!("scout_minilm_enrichment_progress").set(now.minilm_vectors as f64 / total as f64);
    // The in-memory static vectors for exact filtered search: 0 = off, 1 = filling, 2 = ready.
    metrics::gauge!("scout_exact_vectors_bytes").set(now.exact_vectors_bytes as f64);
    metrics::gauge!("scout_exact_vectors_state").set(f64::from(now.exact_vectors_state));
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render()))
}

/// Compares two secrets in time that depends on their length only.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

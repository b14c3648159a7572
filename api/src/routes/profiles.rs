//! Profiles: read, lookalikes, upsert, delete, JSON Lines import and export.

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use futures_util::TryStreamExt;
use scout_app::pipeline::ImportReport;
use scout_app::search::{ProfileOut, SearchResult, SimilarQuery};
use scout_domain::{ProfileId, SearchFilters};
use serde::{Deserialize, Serialize};
use tokio::io::BufReader;

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::extract::{Json, Query, parse_id};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/profiles", put(upsert_profile))
        .route("/v1/profiles/export", get(export_profiles))
        .route("/v1/profiles/import", post(import_profiles).layer(DefaultBodyLimit::disable()))
        .route("/v1/profiles/{id}", get(get_profile).delete(delete_profile))
        .route("/v1/profiles/{id}/similar", get(similar_profiles))
}

/// One profile by id.
#[utoipa::path(get, path = "/v1/profiles/{id}", tag = "profiles", security(("bearer" = [])), params(("id" = i64, Path, description = "profile id")),
    responses((status = 200, body = ProfileOut), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_profile(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<ProfileOut>> {
    let id = parse_id(&id, "id")?;
    let stored = state.app.readable_profile(&user, id).await?;
    Ok(axum::Json(ProfileOut { id, profile: stored.profile }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SimilarParams {
    /// Page size, default 20, at most 100.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<usize>,
    #[param(maximum = 10000)]
    pub offset: Option<usize>,
    /// Only creators in these countries (comma-separated ISO codes).
    pub country: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SimilarResponse {
    pub results: Vec<SearchResult>,
}

/// Lookalikes: the creators most similar to this one.
#[utoipa::path(get, path = "/v1/profiles/{id}/similar", tag = "profiles", security(("bearer" = [])), params(("id" = i64, Path, description = "profile id"), SimilarParams),
    responses((status = 200, body = SimilarResponse), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn similar_profiles(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Query(params): Query<SimilarParams>,
) -> ApiResult<axum::Json<SimilarResponse>> {
    user.require(scout_domain::org::Scope::Search)?;
    let id = parse_id(&id, "id")?;
    let filters = SearchFilters { countries: super::comma_list(params.country.as_deref()), ..Default::default() };
    let query = SimilarQuery { filters, limit: params.limit.unwrap_or(20), offset: params.offset.unwrap_or(0) };
    let results = state.app.similar(&user, id, query).await?;
    Ok(axum::Json(SimilarResponse { results }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UpsertResponse {
    pub id: ProfileId,
    /// `inserted`, `updated` or `unchanged`.
    pub outcome: String,
    pub warnings: Vec<String>,
}

/// Creates or updates one profile by (platform, external_id).
#[utoipa::path(put, path = "/v1/profiles", tag = "profiles", security(("bearer" = [])), request_body(content = Object, description = "a profile in the interchange format"),
    responses((status = 200, body = UpsertResponse), (status = 400, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn upsert_profile(
    State(state): State<AppState>,
    user: AuthUser,
    Json(body): Json<serde_json::Value>,
) -> ApiResult<axum::Json<UpsertResponse>> {
    let done = state.app.upsert_profile(&user, body).await?;
    Ok(axum::Json(UpsertResponse { id: done.id, outcome: done.outcome.as_str().into(), warnings: done.warnings }))
}

/// Deletes a profile.
#[utoipa::path(delete, path = "/v1/profiles/{id}", tag = "profiles", security(("bearer" = [])), params(("id" = i64, Path, description = "profile id")),
    responses((status = 204), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn delete_profile(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.app.delete_profile(&user, parse_id(&id, "id")?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Imports JSON Lines (one profile per line). Invalid lines are reported with
/// their line number and reason; valid lines are imported.
#[utoipa::path(post, path = "/v1/profiles/import", tag = "profiles", security(("bearer" = [])), request_body(content = String, content_type = "application/x-ndjson"),
    responses((status = 200, body = ImportReport)))]
pub async fn import_profiles(
    State(state): State<AppState>,
    user: AuthUser,
    body: Body,
) -> ApiResult<axum::Json<ImportReport>> {
    let stream = body.into_data_stream().map_err(std::io::Error::other);
    let reader = BufReader::new(tokio_util::io::StreamReader::new(stream));
    Ok(axum::Json(state.app.import_profiles(&user, reader).await?))
}

/// Exports every profile as JSON Lines.
#[utoipa::path(get, path = "/v1/profiles/export", tag = "profiles", security(("bearer" = [])),
    responses((status = 200, content_type = "application/x-ndjson", body = String)))]
pub async fn export_profiles(State(state): State<AppState>, user: AuthUser) -> ApiResult<Response> {
    state.app.may_export_profiles(&user)?;
    let (mut writer, reader) = tokio::io::duplex(256 * 1024);
    let app = state.app.clone();
    tokio::spawn(async move {
        if let Err(e) = app.export_profiles(&mut writer).await {
            tracing::error!(error = %e, "export failed");
        }
    });
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(reader));
    Ok(([(header::CONTENT_TYPE, "application/x-ndjson")], body).into_response())
}

//! Profiles: read, lookalikes, upsert, delete, JSON Lines import and export.

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use futures_util::TryStreamExt;
use scout_domain::org::Scope;
use scout_domain::{Profile, ProfileId, SearchFilters};
use serde::{Deserialize, Serialize};
use tokio::io::BufReader;

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Query, parse_id};
use crate::pipeline::{ImportReport, export, import_lines};
use crate::routes::search::{ProfileOut, SearchResult, hydrate};
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
    let stored = readable_profile(&state, &user, id).await?;
    Ok(axum::Json(ProfileOut { id, profile: stored.profile }))
}

/// A profile the caller may read: searchers read every listed profile; a
/// creator reads the ones they claimed; a creator who withdrew consent is
/// hidden from all but themselves and platform admins.
pub async fn readable_profile(
    state: &AppState,
    user: &AuthUser,
    id: ProfileId,
) -> ApiResult<scout_store::StoredProfile> {
    let claim = state.store.claim(id).await?;
    let own = claim.as_ref().is_some_and(|c| c.user_id == user.id());
    if !own {
        user.require(Scope::Search)?;
        let withdrawn =
            claim.as_ref().is_some_and(|c| c.verified_at.is_some() && c.consent == scout_store::Consent::Withdrawn);
        if withdrawn && user.role() != scout_domain::account::Role::Admin {
            return Err(scout_store::Error::NotFound { id }.into());
        }
    }
    Ok(state.store.get_profile(id).await?)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SimilarParams {
    /// Page size, default 20, at most 100.
    pub limit: Option<usize>,
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
    user.require(Scope::Search)?;
    let id = parse_id(&id, "id")?;
    let filters = SearchFilters {
        countries: params.country.map(|c| c.split(',').map(|s| s.trim().to_string()).collect()).unwrap_or_default(),
        ..Default::default()
    };
    let engine = state.engine.clone();
    let (limit, offset) = (params.limit.unwrap_or(20), params.offset.unwrap_or(0));
    let hits = tokio::task::spawn_blocking(move || engine.similar(&[id], &filters, limit, offset)).await??;
    let results = hydrate(&state, hits).await?;
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
    user.require(Scope::ProfilesWrite)?;
    let parsed = Profile::parse_value(body)?;
    let summary = state.store.upsert_profiles(std::slice::from_ref(&parsed.profile)).await?;
    if !summary.refused.is_empty() {
        return Err(erased());
    }
    state.index_notify.notify_one();
    let outcome = if summary.inserted > 0 {
        "inserted"
    } else if summary.updated > 0 {
        "updated"
    } else {
        "unchanged"
    };
    let id = match summary.changed_ids.first() {
        Some(id) => *id,
        None => state
            .store
            .find_id(parsed.profile.platform.as_str(), &parsed.profile.external_id)
            .await?
            .ok_or_else(|| ApiError::internal("upserted profile not found"))?,
    };
    Ok(axum::Json(UpsertResponse { id, outcome: outcome.into(), warnings: parsed.warnings }))
}

/// Deletes a profile.
#[utoipa::path(delete, path = "/v1/profiles/{id}", tag = "profiles", security(("bearer" = [])), params(("id" = i64, Path, description = "profile id")),
    responses((status = 204), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn delete_profile(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    user.require(Scope::ProfilesWrite)?;
    let id = parse_id(&id, "id")?;
    if !state.store.delete_profile(id).await? {
        return Err(ApiError::new(
            scout_domain::ErrorKind::NotFound,
            "profile_not_found",
            format!("profile {id} not found"),
        ));
    }
    state.index_notify.notify_one();
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
    user.require(Scope::ProfilesWrite)?;
    let stream = body.into_data_stream().map_err(std::io::Error::other);
    let reader = BufReader::new(tokio_util::io::StreamReader::new(stream));
    let notify = state.index_notify.clone();
    let report = import_lines(&state.store, reader, None, |_| notify.notify_one())
        .await
        .map_err(|e| ApiError::bad_request("import_failed", format!("{e:#}")))?;
    state.index_notify.notify_one();
    Ok(axum::Json(report))
}

/// Exports every profile as JSON Lines.
#[utoipa::path(get, path = "/v1/profiles/export", tag = "profiles", security(("bearer" = [])),
    responses((status = 200, content_type = "application/x-ndjson", body = String)))]
pub async fn export_profiles(State(state): State<AppState>, user: AuthUser) -> ApiResult<Response> {
    user.require(Scope::ProfilesWrite)?;
    let (mut writer, reader) = tokio::io::duplex(256 * 1024);
    let store = state.store.clone();
    tokio::spawn(async move {
        if let Err(e) = export(&store, &mut writer).await {
            tracing::error!(error = %e, "export failed");
        }
    });
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(reader));
    Ok(([(header::CONTENT_TYPE, "application/x-ndjson")], body).into_response())
}

fn erased() -> ApiError {
    ApiError::new(
        scout_domain::ErrorKind::Conflict,
        "profile_erased",
        "this person's data was erased at their request; it is not stored again",
    )
}

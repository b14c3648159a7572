//! Shortlists (profiles with notes and tags, shared inside an organisation,
//! exportable as CSV) and saved searches. Every record belongs to the
//! organisation the request acts for; the store reaches them only through it.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use chrono::{DateTime, Utc};
use scout_app::search::SearchResponse;
use scout_domain::ProfileId;
use scout_ranker::SearchRequest;
use serde::{Deserialize, Serialize};

use crate::auth::OrgContext;
use crate::error::ApiResult;
use crate::extract::{Json, parse_id};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/shortlists", get(list_shortlists).post(create_shortlist))
        .route("/v1/shortlists/{id}", get(get_shortlist).patch(rename_shortlist).delete(delete_shortlist))
        .route("/v1/shortlists/{id}/entries/{profile_id}", put(put_entry).delete(remove_entry))
        .route("/v1/shortlists/{id}/export.csv", get(export_csv))
        .route("/v1/saved-searches", get(list_saved).post(save_search))
        .route("/v1/saved-searches/{id}", get(get_saved).delete(delete_saved))
        .route("/v1/saved-searches/{id}/run", post(run_saved))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ShortlistOut {
    pub id: i64,
    pub name: String,
    pub entries: i64,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<scout_store::Shortlist> for ShortlistOut {
    fn from(s: scout_store::Shortlist) -> Self {
        ShortlistOut {
            id: s.id,
            name: s.name,
            entries: s.entries,
            created_by: s.created_by,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EntryOut {
    pub profile_id: ProfileId,
    pub note: String,
    pub tags: Vec<String>,
    /// The search the creator was found with, if the client sent it.
    pub query: Option<String>,
    pub added_by: Option<i64>,
    pub added_at: DateTime<Utc>,
}

impl From<scout_store::ShortlistEntry> for EntryOut {
    fn from(e: scout_store::ShortlistEntry) -> Self {
        EntryOut {
            profile_id: e.profile_id,
            note: e.note,
            tags: e.tags,
            query: e.query,
            added_by: e.added_by,
            added_at: e.added_at,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ShortlistList {
    pub shortlists: Vec<ShortlistOut>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ShortlistDetail {
    #[serde(flatten)]
    pub shortlist: ShortlistOut,
    pub items: Vec<EntryOut>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NameBody {
    /// 1–120 characters, not only spaces, no control characters.
    pub name: String,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryBody {
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// The free-text search the creator was found with (the web app sends
    /// it): the ranking model learns from which results get shortlisted.
    #[serde(default)]
    pub query: Option<String>,
}

/// The organisation's shortlists.
#[utoipa::path(get, path = "/v1/shortlists", tag = "shortlists", security(("bearer" = [])),
    responses((status = 200, body = ShortlistList), (status = 403, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list_shortlists(State(state): State<AppState>, ctx: OrgContext) -> ApiResult<axum::Json<ShortlistList>> {
    let shortlists = state.app.shortlists(&ctx).await?.into_iter().map(Into::into).collect();
    Ok(axum::Json(ShortlistList { shortlists }))
}

/// Creates a shortlist (members and above).
#[utoipa::path(post, path = "/v1/shortlists", tag = "shortlists", security(("bearer" = [])), request_body = NameBody,
    responses((status = 201, body = ShortlistOut), (status = 403, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn create_shortlist(
    State(state): State<AppState>,
    ctx: OrgContext,
    Json(req): Json<NameBody>,
) -> ApiResult<(StatusCode, axum::Json<ShortlistOut>)> {
    let list = state.app.create_shortlist(&ctx, &req.name).await?;
    Ok((StatusCode::CREATED, axum::Json(list.into())))
}

/// One shortlist with its entries.
#[utoipa::path(get, path = "/v1/shortlists/{id}", tag = "shortlists", security(("bearer" = [])),
    params(("id" = i64, Path, description = "shortlist id")),
    responses((status = 200, body = ShortlistDetail), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_shortlist(
    State(state): State<AppState>,
    ctx: OrgContext,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<ShortlistDetail>> {
    let (list, entries) = state.app.shortlist(&ctx, parse_id(&id, "id")?).await?;
    let items = entries.into_iter().map(Into::into).collect();
    Ok(axum::Json(ShortlistDetail { shortlist: list.into(), items }))
}

/// Renames a shortlist.
#[utoipa::path(patch, path = "/v1/shortlists/{id}", tag = "shortlists", security(("bearer" = [])),
    params(("id" = i64, Path, description = "shortlist id")), request_body = NameBody,
    responses((status = 200, body = ShortlistOut), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn rename_shortlist(
    State(state): State<AppState>,
    ctx: OrgContext,
    Path(id): Path<String>,
    Json(req): Json<NameBody>,
) -> ApiResult<axum::Json<ShortlistOut>> {
    Ok(axum::Json(state.app.rename_shortlist(&ctx, parse_id(&id, "id")?, &req.name).await?.into()))
}

/// Deletes a shortlist.
#[utoipa::path(delete, path = "/v1/shortlists/{id}", tag = "shortlists", security(("bearer" = [])),
    params(("id" = i64, Path, description = "shortlist id")),
    responses((status = 204), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn delete_shortlist(
    State(state): State<AppState>,
    ctx: OrgContext,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.app.delete_shortlist(&ctx, parse_id(&id, "id")?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds a profile to a shortlist, or replaces its note and tags.
#[utoipa::path(put, path = "/v1/shortlists/{id}/entries/{profile_id}", tag = "shortlists", security(("bearer" = [])),
    params(("id" = i64, Path, description = "shortlist id"), ("profile_id" = i64, Path, description = "profile id")),
    request_body = EntryBody,
    responses((status = 200, body = EntryOut), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn put_entry(
    State(state): State<AppState>,
    ctx: OrgContext,
    Path((id, profile)): Path<(String, String)>,
    Json(body): Json<EntryBody>,
) -> ApiResult<axum::Json<EntryOut>> {
    let (id, profile) = (parse_id(&id, "id")?, parse_id(&profile, "profile_id")?);
    let entry = state.app.put_entry(&ctx, id, profile, &body.note, &body.tags, body.query.as_deref()).await?;
    Ok(axum::Json(entry.into()))
}

/// Removes a profile from a shortlist.
#[utoipa::path(delete, path = "/v1/shortlists/{id}/entries/{profile_id}", tag = "shortlists", security(("bearer" = [])),
    params(("id" = i64, Path, description = "shortlist id"), ("profile_id" = i64, Path, description = "profile id")),
    responses((status = 204), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn remove_entry(
    State(state): State<AppState>,
    ctx: OrgContext,
    Path((id, profile)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    state.app.remove_entry(&ctx, parse_id(&id, "id")?, parse_id(&profile, "profile_id")?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The shortlist as CSV: one row per profile with its key figures, note and tags.
#[utoipa::path(get, path = "/v1/shortlists/{id}/export.csv", tag = "shortlists", security(("bearer" = [])),
    params(("id" = i64, Path, description = "shortlist id")),
    responses((status = 200, content_type = "text/csv", body = String),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn export_csv(
    State(state): State<AppState>,
    ctx: OrgContext,
    Path(id): Path<String>,
) -> ApiResult<axum::response::Response> {
    let export = state.app.export_shortlist_csv(&ctx, parse_id(&id, "id")?).await?;
    let file = format!("attachment; filename=\"shortlist-{}.csv\"", export.shortlist_id);
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, file)],
        export.body,
    )
        .into_response())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SavedSearchOut {
    pub id: i64,
    pub name: String,
    pub request: SearchRequest,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
}

impl From<scout_app::lists::Saved> for SavedSearchOut {
    fn from(s: scout_app::lists::Saved) -> Self {
        let r = s.record;
        SavedSearchOut {
            id: r.id,
            name: r.name,
            request: s.request,
            created_by: r.created_by,
            created_at: r.created_at,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SavedSearchList {
    pub saved_searches: Vec<SavedSearchOut>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSavedSearch {
    /// 1–120 characters, not only spaces, no control characters.
    pub name: String,
    #[serde(deserialize_with = "scout_domain::objects::object")]
    pub request: SearchRequest,
}

/// The organisation's saved searches.
#[utoipa::path(get, path = "/v1/saved-searches", tag = "shortlists", security(("bearer" = [])),
    responses((status = 200, body = SavedSearchList)))]
pub async fn list_saved(State(state): State<AppState>, ctx: OrgContext) -> ApiResult<axum::Json<SavedSearchList>> {
    let saved_searches = state.app.saved_searches(&ctx).await?.into_iter().map(Into::into).collect();
    Ok(axum::Json(SavedSearchList { saved_searches }))
}

/// Saves a search request by name (it is checked as a search would be).
#[utoipa::path(post, path = "/v1/saved-searches", tag = "shortlists", security(("bearer" = [])), request_body = NewSavedSearch,
    responses((status = 201, body = SavedSearchOut), (status = 400, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn save_search(
    State(state): State<AppState>,
    ctx: OrgContext,
    Json(req): Json<NewSavedSearch>,
) -> ApiResult<(StatusCode, axum::Json<SavedSearchOut>)> {
    let saved = state.app.save_search(&ctx, &req.name, &req.request).await?;
    Ok((StatusCode::CREATED, axum::Json(saved.into())))
}

/// One saved search.
#[utoipa::path(get, path = "/v1/saved-searches/{id}", tag = "shortlists", security(("bearer" = [])),
    params(("id" = i64, Path, description = "saved search id")),
    responses((status = 200, body = SavedSearchOut), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_saved(
    State(state): State<AppState>,
    ctx: OrgContext,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<SavedSearchOut>> {
    Ok(axum::Json(state.app.saved_search(&ctx, parse_id(&id, "id")?).await?.into()))
}

/// Deletes a saved search.
#[utoipa::path(delete, path = "/v1/saved-searches/{id}", tag = "shortlists", security(("bearer" = [])),
    params(("id" = i64, Path, description = "saved search id")),
    responses((status = 204), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn delete_saved(
    State(state): State<AppState>,
    ctx: OrgContext,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.app.delete_saved_search(&ctx, parse_id(&id, "id")?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Runs a saved search now.
#[utoipa::path(post, path = "/v1/saved-searches/{id}/run", tag = "shortlists", security(("bearer" = [])),
    params(("id" = i64, Path, description = "saved search id")),
    responses((status = 200, body = SearchResponse), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn run_saved(
    State(state): State<AppState>,
    ctx: OrgContext,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<SearchResponse>> {
    let request = state.app.saved_search_to_run(&ctx, parse_id(&id, "id")?).await?;
    Ok(axum::Json(state.app.run_search(request).await?))
}

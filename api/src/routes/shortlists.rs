//! Shortlists (profiles with notes and tags, shared inside an organisation,
//! exportable as CSV) and saved searches. Every record belongs to the
//! organisation the request acts for; the store reaches them only through it.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use chrono::{DateTime, Utc};
use scout_domain::org::{self, Scope};
use scout_domain::{ProfileFacts, ProfileId};
use scout_ranker::SearchRequest;
use serde::{Deserialize, Serialize};

use crate::auth::OrgContext;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, parse_id};
use crate::routes::search::{SearchResponse, run_search};
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
    ctx.user.require(Scope::ListsRead)?;
    let shortlists = ctx.tenant(&state).shortlists().await?.into_iter().map(Into::into).collect();
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
    ctx.require_write(Scope::ListsWrite)?;
    let name = org::parse_list_name(&req.name)?;
    let list = ctx.tenant(&state).create_shortlist(&name, ctx.user.id()).await?;
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
    ctx.user.require(Scope::ListsRead)?;
    let id = parse_id(&id, "id")?;
    let tenant = ctx.tenant(&state);
    let shortlist = tenant.shortlist(id).await?.into();
    let items = tenant.entries(id).await?.into_iter().map(Into::into).collect();
    Ok(axum::Json(ShortlistDetail { shortlist, items }))
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
    ctx.require_write(Scope::ListsWrite)?;
    let id = parse_id(&id, "id")?;
    let name = org::parse_list_name(&req.name)?;
    Ok(axum::Json(ctx.tenant(&state).rename_shortlist(id, &name).await?.into()))
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
    ctx.require_write(Scope::ListsWrite)?;
    ctx.tenant(&state).delete_shortlist(parse_id(&id, "id")?).await?;
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
    ctx.require_write(Scope::ListsWrite)?;
    let (id, profile) = (parse_id(&id, "id")?, parse_id(&profile, "profile_id")?);
    let note = org::parse_note(&body.note)?;
    let tags = org::parse_tags(&body.tags)?;
    let query = body.query.as_deref().map(org::parse_search_text).transpose()?.flatten();
    let entry = ctx.tenant(&state).put_entry(id, profile, &note, &tags, query.as_deref(), ctx.user.id()).await?;
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
    ctx.require_write(Scope::ListsWrite)?;
    ctx.tenant(&state).remove_entry(parse_id(&id, "id")?, parse_id(&profile, "profile_id")?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A cell that a spreadsheet would run as a formula is prefixed with `'`
/// (OWASP CSV injection).
fn cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_string() }
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
    ctx.user.require(Scope::ListsRead)?;
    let id = parse_id(&id, "id")?;
    let tenant = ctx.tenant(&state);
    let list = tenant.shortlist(id).await?;
    let entries = tenant.entries(id).await?;
    let ids: Vec<ProfileId> = entries.iter().map(|e| e.profile_id).collect();
    let profiles: std::collections::HashMap<ProfileId, scout_domain::Profile> =
        state.store.get_profiles(&ids).await?.into_iter().map(|p| (p.id, p.profile)).collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    let columns = [
        "profile_id",
        "platform",
        "handle",
        "display_name",
        "followers",
        "engagement_rate",
        "country",
        "city",
        "niches",
        "profile_url",
        "note",
        "tags",
        "added_at",
    ];
    let failed = |e: csv::Error| ApiError::internal(format!("writing csv: {e}"));
    w.write_record(columns).map_err(failed)?;
    for e in &entries {
        let Some(p) = profiles.get(&e.profile_id) else { continue };
        let facts = ProfileFacts::of(p);
        let row = [
            e.profile_id.to_string(),
            p.platform.as_str().to_string(),
            p.handle.clone(),
            p.display_name.clone().unwrap_or_default(),
            p.followers.to_string(),
            format!("{:.4}", facts.engagement_rate),
            p.country.clone().unwrap_or_default(),
            p.city.clone().unwrap_or_default(),
            facts.niches.join(" "),
            p.profile_url.clone().unwrap_or_default(),
            e.note.clone(),
            e.tags.join(" "),
            e.added_at.to_rfc3339(),
        ];
        w.write_record(row.iter().map(|c| cell(c))).map_err(failed)?;
    }
    let body = w.into_inner().map_err(|e| ApiError::internal(format!("writing csv: {e}")))?;
    let file = format!("attachment; filename=\"shortlist-{}.csv\"", list.id);
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, file)], body)
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

impl TryFrom<scout_store::SavedSearch> for SavedSearchOut {
    type Error = ApiError;
    fn try_from(s: scout_store::SavedSearch) -> ApiResult<Self> {
        let request = serde_json::from_str(&s.request)
            .map_err(|e| ApiError::internal(format!("saved search {} is unreadable: {e}", s.id)))?;
        Ok(SavedSearchOut { id: s.id, name: s.name, request, created_by: s.created_by, created_at: s.created_at })
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SavedSearchList {
    pub saved_searches: Vec<SavedSearchOut>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSavedSearch {
    pub name: String,
    pub request: SearchRequest,
}

/// The organisation's saved searches.
#[utoipa::path(get, path = "/v1/saved-searches", tag = "shortlists", security(("bearer" = [])),
    responses((status = 200, body = SavedSearchList)))]
pub async fn list_saved(State(state): State<AppState>, ctx: OrgContext) -> ApiResult<axum::Json<SavedSearchList>> {
    ctx.user.require(Scope::ListsRead)?;
    let saved_searches =
        ctx.tenant(&state).saved_searches().await?.into_iter().map(TryInto::try_into).collect::<ApiResult<_>>()?;
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
    ctx.require_write(Scope::ListsWrite)?;
    let name = org::parse_list_name(&req.name)?;
    req.request.validate()?;
    let json = serde_json::to_string(&req.request).map_err(|e| ApiError::internal(e.to_string()))?;
    let saved = ctx.tenant(&state).save_search(&name, &json, ctx.user.id()).await?;
    Ok((StatusCode::CREATED, axum::Json(saved.try_into()?)))
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
    ctx.user.require(Scope::ListsRead)?;
    Ok(axum::Json(ctx.tenant(&state).saved_search(parse_id(&id, "id")?).await?.try_into()?))
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
    ctx.require_write(Scope::ListsWrite)?;
    ctx.tenant(&state).delete_saved_search(parse_id(&id, "id")?).await?;
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
    ctx.user.require(Scope::ListsRead)?;
    ctx.user.require(Scope::Search)?;
    let saved: SavedSearchOut = ctx.tenant(&state).saved_search(parse_id(&id, "id")?).await?.try_into()?;
    run_search(state, saved.request).await
}

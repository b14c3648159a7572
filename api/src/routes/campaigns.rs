//! Campaigns: a brand's stored campaigns (create, list, read, edit, move
//! through their states; `scout_app::campaigns`), and
//! `POST /v1/campaigns/match`: creators for a campaign brief that travels
//! with the request, each with the campaign-success model's prediction
//! (`scout_app::matching`).

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use scout_app::matching::{MatchRequest, MatchResponse};
use scout_app::planning::{PlanOut, PlanRequest};
use scout_domain::ErrorCode;
use scout_market::{CampaignAction, CampaignSpec, CampaignStatus};
use scout_store::{CampaignOrder, CampaignQuery, StoredCampaign};
use serde::{Deserialize, Serialize};

use crate::auth::{AuthUser, OrgContext};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Query, parse_id};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/campaigns/match", post(match_campaign))
        .route("/v1/campaigns", get(list_campaigns).post(create_campaign))
        .route("/v1/campaigns/{id}", get(get_campaign).put(edit_campaign))
        .route("/v1/campaigns/{id}/plan", post(plan_campaign))
        .route("/v1/campaigns/{id}/matches", get(campaign_matches))
        .route("/v1/campaigns/{id}/{action}", post(move_campaign))
}

/// A stored campaign.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CampaignOut {
    pub id: i64,
    pub status: CampaignStatus,
    /// Bumped by every change; send it back with an edit (`revision`) so a
    /// change made meanwhile by someone else is not overwritten.
    pub revision: i64,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// What the brand wrote.
    pub spec: CampaignSpec,
}

impl From<StoredCampaign> for CampaignOut {
    fn from(c: StoredCampaign) -> Self {
        CampaignOut {
            id: c.id,
            status: c.status,
            revision: c.revision,
            created_by: c.created_by,
            created_at: c.created_at,
            updated_at: c.updated_at,
            spec: c.spec,
        }
    }
}

/// A page of campaigns.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CampaignPage {
    pub campaigns: Vec<CampaignOut>,
    /// How many match, over all pages.
    pub total: i64,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CampaignParams {
    /// Only these states (comma-separated: draft, open, in_progress, completed, cancelled).
    pub status: Option<String>,
    /// Words that must all appear in the name, brief or niches.
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Only campaigns for this niche id.
    #[param(max_length = 64)]
    pub niche: Option<String>,
    /// `newest` (default), `ends_soonest`, `largest_budget` or `name`.
    #[param(pattern = "^(newest|ends_soonest|largest_budget|name)$")]
    pub sort: Option<String>,
    /// Page size, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    #[param(minimum = 0, maximum = 10000)]
    pub offset: Option<i64>,
}

impl CampaignParams {
    fn query(self) -> ApiResult<CampaignQuery> {
        let bad = |m: &str| ApiError::new(ErrorCode::BadParameter, m.to_string());
        let mut statuses = Vec::new();
        for s in super::comma_list(self.status.as_deref()) {
            let status = CampaignStatus::ALL.into_iter().find(|x| x.as_str() == s).ok_or_else(|| {
                bad(&format!("status: `{s}` is not one of draft, open, in_progress, completed, cancelled"))
            })?;
            statuses.push(status);
        }
        let order = match self.sort.as_deref() {
            None | Some("newest") => CampaignOrder::Newest,
            Some("ends_soonest") => CampaignOrder::EndsSoonest,
            Some("largest_budget") => CampaignOrder::LargestBudget,
            Some("name") => CampaignOrder::Name,
            Some(_) => return Err(bad("sort: one of newest, ends_soonest, largest_budget, name")),
        };
        let limit = self.limit.unwrap_or(20);
        if !(1..=100).contains(&limit) {
            return Err(bad("limit: from 1 to 100"));
        }
        let offset = self.offset.unwrap_or(0);
        if !(0..=10_000).contains(&offset) {
            return Err(bad("offset: from 0 to 10000"));
        }
        if self.q.as_deref().is_some_and(|q| q.chars().count() > 200) {
            return Err(bad("q: at most 200 characters"));
        }
        if self.niche.as_deref().is_some_and(|n| n.chars().count() > 64) {
            return Err(bad("niche: at most 64 characters"));
        }
        Ok(CampaignQuery { statuses, text: self.q, niche: self.niche, order, limit, offset })
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct EditParams {
    /// The revision the edit started from; a campaign changed since is `409 edit_conflict`.
    #[param(minimum = 1)]
    pub revision: Option<i64>,
}

/// The organisation's campaigns, filtered, sorted and paged.
#[utoipa::path(get, path = "/v1/campaigns", tag = "campaigns", security(("bearer" = [])), params(CampaignParams),
    responses((status = 200, body = CampaignPage), (status = 400, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list_campaigns(
    State(state): State<AppState>,
    ctx: OrgContext,
    Query(params): Query<CampaignParams>,
) -> ApiResult<axum::Json<CampaignPage>> {
    let (found, total) = state.app.campaigns(&ctx, &params.query()?).await?;
    Ok(axum::Json(CampaignPage { campaigns: found.into_iter().map(Into::into).collect(), total }))
}

/// Creates a campaign, as a draft (members and above of a brand, or its agency).
#[utoipa::path(post, path = "/v1/campaigns", tag = "campaigns", security(("bearer" = [])), request_body = CampaignSpec,
    responses((status = 201, body = CampaignOut), (status = 400, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn create_campaign(
    State(state): State<AppState>,
    ctx: OrgContext,
    Json(spec): Json<CampaignSpec>,
) -> ApiResult<(StatusCode, axum::Json<CampaignOut>)> {
    let created = state.app.create_campaign(&ctx, spec).await?;
    Ok((StatusCode::CREATED, axum::Json(created.into())))
}

/// One campaign.
#[utoipa::path(get, path = "/v1/campaigns/{id}", tag = "campaigns", security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "campaign id")),
    responses((status = 200, body = CampaignOut), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_campaign(
    State(state): State<AppState>,
    ctx: OrgContext,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<CampaignOut>> {
    Ok(axum::Json(state.app.campaign(&ctx, parse_id(&id, "id")?).await?.into()))
}

/// Replaces a campaign's spec; the fields its state keeps fixed must stay as
/// they are (`409 invalid_transition` names the field and the state).
#[utoipa::path(put, path = "/v1/campaigns/{id}", tag = "campaigns", security(("bearer" = [])), request_body = CampaignSpec,
    params(("id" = i64, Path, minimum = 1, description = "campaign id"), EditParams),
    responses((status = 200, body = CampaignOut), (status = 409, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn edit_campaign(
    State(state): State<AppState>,
    ctx: OrgContext,
    Path(id): Path<String>,
    Query(params): Query<EditParams>,
    Json(spec): Json<CampaignSpec>,
) -> ApiResult<axum::Json<CampaignOut>> {
    let id = parse_id(&id, "id")?;
    if params.revision.is_some_and(|r| r < 1) {
        return Err(ApiError::new(ErrorCode::BadParameter, "revision: at least 1"));
    }
    Ok(axum::Json(state.app.edit_campaign(&ctx, id, params.revision, spec).await?.into()))
}

/// Moves a campaign: `publish` (draft → open), `unpublish` (open → draft,
/// while nobody negotiates), `start` (open → in progress, once a contract
/// exists), `complete` (in progress → completed, no contract running) or
/// `cancel`. A step the state does not allow is `409 invalid_transition`,
/// naming the state.
#[utoipa::path(post, path = "/v1/campaigns/{id}/{action}", tag = "campaigns", security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "campaign id"),
        ("action" = String, Path, pattern = "^(publish|unpublish|start|complete|cancel)$", description = "the step")),
    responses((status = 200, body = CampaignOut), (status = 409, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn move_campaign(
    State(state): State<AppState>,
    ctx: OrgContext,
    Path((id, action)): Path<(String, String)>,
) -> ApiResult<axum::Json<CampaignOut>> {
    let id = parse_id(&id, "id")?;
    let action = CampaignAction::ALL.into_iter().find(|a| a.as_str() == action).ok_or_else(|| {
        ApiError::new(ErrorCode::BadParameter, "action: one of publish, unpublish, start, complete, cancel")
    })?;
    Ok(axum::Json(state.app.move_campaign(&ctx, id, action).await?.into()))
}

/// Matches creators to a campaign brief: the search finds who fits the
/// brief's words, niches, platforms and filters; the campaign-success model
/// predicts each one's engagement, cost per engagement (80 % intervals) and
/// chance of meeting the goal, with the inputs that drove it; creators over
/// the budget are left out; the best chance (or the lowest expected cost per
/// engagement without a goal) comes first.
#[utoipa::path(post, path = "/v1/campaigns/match", request_body = MatchRequest, tag = "campaigns",
    security(("bearer" = [])),
    responses((status = 200, body = MatchResponse),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn match_campaign(
    State(state): State<AppState>,
    user: AuthUser,
    Json(req): Json<MatchRequest>,
) -> ApiResult<axum::Json<MatchResponse>> {
    Ok(axum::Json(state.app.match_creators(&user, req).await?))
}

/// How many matches a stored campaign's page shows.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MatchesParams {
    /// Matches returned, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<usize>,
}

/// A stored campaign's creators: its brief (niches, platforms, targeting,
/// deliverables, budget per creator) ranked by the matching engine as
/// `POST /v1/campaigns/match` ranks a brief sent with the request.
#[utoipa::path(get, path = "/v1/campaigns/{id}/matches", tag = "campaigns", security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "campaign id"), MatchesParams),
    responses((status = 200, body = MatchResponse),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn campaign_matches(
    State(state): State<AppState>,
    ctx: OrgContext,
    Path(id): Path<String>,
    Query(params): Query<MatchesParams>,
) -> ApiResult<axum::Json<MatchResponse>> {
    if params.limit.is_some_and(|l| !(1..=100).contains(&l)) {
        return Err(ApiError::new(ErrorCode::BadParameter, "limit: from 1 to 100"));
    }
    Ok(axum::Json(state.app.campaign_matches(&ctx, parse_id(&id, "id")?, params.limit).await?))
}

/// The plan within budget: the campaign's matches, each priced for all its
/// deliverables (asking or fair fees), and the set that maximises expected
/// engagements or distinct reach under the budget and `max_creators`, each
/// pick with its reason.
#[utoipa::path(post, path = "/v1/campaigns/{id}/plan", tag = "campaigns", security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "campaign id")), request_body = PlanRequest,
    responses((status = 200, body = PlanOut), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn plan_campaign(
    State(state): State<AppState>,
    ctx: OrgContext,
    Path(id): Path<String>,
    Json(req): Json<PlanRequest>,
) -> ApiResult<axum::Json<PlanOut>> {
    Ok(axum::Json(state.app.plan_campaign(&ctx, parse_id(&id, "id")?, req).await?))
}

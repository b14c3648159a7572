//! `POST /v1/campaigns/match`: creators for a campaign brief, each with the
//! campaign-success model's prediction (see `scout_app::matching`).

use axum::Router;
use axum::extract::State;
use axum::routing::post;
use scout_app::matching::{MatchRequest, MatchResponse};

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::extract::Json;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/campaigns/match", post(match_campaign))
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

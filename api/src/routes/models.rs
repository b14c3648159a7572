//! The models the service uses: `GET /v1/models` lists every version on disk
//! and which is active, `POST /v1/admin/models/reload` switches to the newest
//! (no restart, no dropped request), and `GET /v1/profiles/{id}/quality` shows
//! a profile's audience-quality score with the evidence behind it.

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use scout_app::models::{LoadReport, ModelOut, PriceOut};
use scout_models::quality::QualityScore;
use serde::Serialize;

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::extract::{ClientIp, parse_id};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/models", get(list_models))
        .route("/v1/admin/models/reload", post(reload_models))
        .route("/v1/profiles/{id}/quality", get(profile_quality))
        .route("/v1/profiles/{id}/price", get(profile_price))
        .route("/v1/profiles/{id}/sentiment", get(profile_sentiment))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ModelList {
    pub models: Vec<ModelOut>,
}

/// The models, their versions and which are active.
#[utoipa::path(get, path = "/v1/models", tag = "models", security(("bearer" = [])),
    responses((status = 200, body = ModelList), (status = 401, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list_models(State(state): State<AppState>, _user: AuthUser) -> ApiResult<axum::Json<ModelList>> {
    Ok(axum::Json(ModelList { models: state.app.list_models().await? }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReloadOut {
    pub reloaded: Vec<LoadReport>,
}

/// Loads the newest version of every model (platform admins). Searches go on
/// meanwhile; profiles are rescored in memory before this answers.
#[utoipa::path(post, path = "/v1/admin/models/reload", tag = "models", security(("bearer" = [])),
    responses((status = 200, body = ReloadOut), (status = 403, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn reload_models(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: AuthUser,
) -> ApiResult<axum::Json<ReloadOut>> {
    Ok(axum::Json(ReloadOut { reloaded: state.app.reload_models(&user, ip.as_deref()).await? }))
}

/// A profile's audience quality: the calibrated probability that it bought
/// followers or engagement, and the evidence that pushed the score up.
#[utoipa::path(get, path = "/v1/profiles/{id}/quality", tag = "models", security(("bearer" = [])),
    params(("id" = i64, Path, description = "profile id")),
    responses((status = 200, body = Object), (status = 503, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn profile_quality(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<QualityScore>> {
    Ok(axum::Json(state.app.profile_quality(&user, parse_id(&id, "id")?).await?))
}

/// What comparable creators ask per post, story, video and reel, against this
/// creator's own prices, in the creator's currency (integer minor units).
#[utoipa::path(get, path = "/v1/profiles/{id}/price", tag = "models", security(("bearer" = [])),
    params(("id" = i64, Path, description = "profile id")),
    responses((status = 200, body = PriceOut), (status = 503, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn profile_price(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<PriceOut>> {
    Ok(axum::Json(state.app.profile_price(&user, parse_id(&id, "id")?).await?))
}

/// The sentiment of a creator's recent captions and of their audience's
/// comments: shares of positive, neutral and negative, the trend between older
/// and newer posts, and each post's own figures. Scored by the newest trained
/// sentiment model when one is published (and MiniLM is installed), else by
/// the English lexicon (emoji in any language); `scorer` says which.
#[utoipa::path(get, path = "/v1/profiles/{id}/sentiment", tag = "models", security(("bearer" = [])),
    params(("id" = i64, Path, description = "profile id")),
    responses((status = 200, body = Object), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn profile_sentiment(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<scout_models::sentiment::CreatorSentiment>> {
    Ok(axum::Json(state.app.profile_sentiment(&user, parse_id(&id, "id")?).await?))
}

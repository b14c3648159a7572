//! The models the service uses: `GET /v1/models` lists every version on disk
//! and which is active, `POST /v1/admin/models/reload` switches to the newest
//! (no restart, no dropped request), and `GET /v1/profiles/{id}/quality` shows
//! a profile's audience-quality score with the evidence behind it.

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use scout_domain::ErrorKind;
use scout_models::QualityModel;
use scout_models::artifact::{self, VersionInfo};
use scout_models::quality::QualityScore;
use serde::Serialize;

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ClientIp, parse_id};
use crate::registry::LoadReport;
use crate::routes::profiles::readable_profile;
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
pub struct ModelOut {
    pub name: String,
    /// The version in use; none: the built-in rules.
    pub active: Option<String>,
    /// Every version on disk, newest first, with its held-out metrics or why it is refused.
    #[schema(value_type = Vec<Object>)]
    pub versions: Vec<VersionInfo>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ModelList {
    pub models: Vec<ModelOut>,
}

/// The models, their versions and which are active.
#[utoipa::path(get, path = "/v1/models", tag = "models", security(("bearer" = [])),
    responses((status = 200, body = ModelList), (status = 401, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list_models(State(state): State<AppState>, _user: AuthUser) -> ApiResult<axum::Json<ModelList>> {
    let dir = state.settings.models_dir();
    let (quality, price, ranking, sentiment, success) = tokio::task::spawn_blocking(move || {
        (
            artifact::list::<QualityModel>(&dir),
            artifact::list::<scout_models::PriceModel>(&dir),
            artifact::list::<scout_models::RankingModel>(&dir),
            artifact::list::<scout_models::sentiment::trained::SentimentModel>(&dir),
            artifact::list::<scout_models::SuccessModel>(&dir),
        )
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?;
    let models = vec![
        ModelOut {
            name: scout_models::quality::NAME.into(),
            active: state.index.quality_model().map(|m| m.card.version.clone()),
            versions: quality,
        },
        ModelOut {
            name: scout_models::price::NAME.into(),
            active: state.models.price.read().as_ref().map(|m| m.card.version.clone()),
            versions: price,
        },
        ModelOut {
            name: scout_models::ranking::NAME.into(),
            active: state.engine.ranking_model().map(|m| m.card.version.clone()),
            versions: ranking,
        },
        ModelOut {
            name: scout_models::sentiment::trained::NAME.into(),
            active: state.models.sentiment.read().as_ref().map(|m| m.card.version.clone()),
            versions: sentiment,
        },
        ModelOut {
            name: scout_models::success::NAME.into(),
            active: state.models.success.read().as_ref().map(|m| m.card.version.clone()),
            versions: success,
        },
    ];
    Ok(axum::Json(ModelList { models }))
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
    user.require_platform_admin()?;
    let dir = state.settings.models_dir();
    let (engine, models) = (state.engine.clone(), state.models.clone());
    let reloaded = tokio::task::spawn_blocking(move || crate::registry::load_models(&dir, &engine, &models))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?;
    let detail = reloaded
        .iter()
        .map(|r| {
            format!(
                "{} {} → {}",
                r.model,
                r.previous.as_deref().unwrap_or("rules"),
                r.active.as_deref().unwrap_or("rules")
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    state.audit(Some(user.id()), "models_reloaded", ip.as_deref(), &detail).await?;
    Ok(axum::Json(ReloadOut { reloaded }))
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
    let id = parse_id(&id, "id")?;
    let stored = readable_profile(&state, &user, id).await?;
    let model = state.index.quality_model().ok_or_else(|| model_unavailable("audience-quality"))?;
    Ok(axum::Json(off_executor(move || model.score(&stored.profile)).await?))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PriceOut {
    pub profile_id: i64,
    pub model_version: String,
    /// Per deliverable: the fair price, 50 % and 80 % ranges, the asking price and the verdict.
    #[schema(value_type = Vec<Object>)]
    pub deliverables: Vec<scout_models::price::PriceEstimate>,
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
    let id = parse_id(&id, "id")?;
    let stored = readable_profile(&state, &user, id).await?;
    let model = state.models.price.read().clone().ok_or_else(|| model_unavailable("fair-price"))?;
    let version = model.card.version.clone();
    let deliverables = off_executor(move || model.estimate(&stored.profile)).await?;
    Ok(axum::Json(PriceOut { profile_id: id, model_version: version, deliverables }))
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
    let id = parse_id(&id, "id")?;
    let stored = readable_profile(&state, &user, id).await?;
    let model = state.models.sentiment.read().clone();
    let encoder = state.minilm.clone();
    let summary = off_executor(move || {
        use scout_models::sentiment::{Scorer, creator_sentiment};
        // The trained model needs the MiniLM encoder it was fitted on.
        let scorer = match (&model, &encoder) {
            (Some(model), Some(encoder)) => Scorer::Trained { model, encoder: encoder.as_ref() },
            _ => Scorer::Lexicon,
        };
        creator_sentiment(&stored.profile, scorer)
    })
    .await?;
    let summary = summary.map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(axum::Json(summary))
}

/// Runs model scoring on the blocking pool, off the async executor.
async fn off_executor<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> ApiResult<T> {
    tokio::task::spawn_blocking(work).await.map_err(|e| ApiError::internal(e.to_string()))
}

/// 503 when a model the endpoint needs has no published version loaded.
fn model_unavailable(name: &str) -> ApiError {
    ApiError::new(
        ErrorKind::Unavailable,
        "model_unavailable",
        format!("no {name} model is loaded (publish one with scout-train, then reload)"),
    )
}

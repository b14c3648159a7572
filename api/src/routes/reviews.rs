//! Ratings and reviews after a contract (`scout_app::reviews`): each side
//! rates the other once, edits for 14 days; platform administrators remove.
//! Creators' ratings are read on their profiles, brands' on the brand.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use chrono::{DateTime, Utc};
use scout_market::Side;
use scout_store::StoredReview;
use serde::{Deserialize, Serialize};

use crate::auth::{AuthUser, PartyContext};
use crate::error::ApiResult;
use crate::extract::{Json, Query, parse_id};
use crate::routes::RatingOut;
use crate::routes::negotiations::page;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/contracts/{id}/reviews", post(write_review).get(contract_reviews))
        .route("/v1/reviews/{id}", put(edit_review).delete(remove_review))
        .route("/v1/profiles/{id}/reviews", get(profile_reviews))
        .route("/v1/brands/{id}/reviews", get(brand_reviews))
}

/// A review one side of a contract wrote about the other.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReviewOut {
    pub id: i64,
    pub contract_id: i64,
    /// The side that wrote it (it reviews the other).
    pub by: Side,
    pub brand_org_id: i64,
    pub profile_id: Option<i64>,
    /// 1–5.
    pub rating: u8,
    pub text: String,
    /// Whether the reviewed side kept its dates, from the milestones.
    pub on_time: Option<bool>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The last moment it can be edited.
    pub editable_until: DateTime<Utc>,
}

impl From<StoredReview> for ReviewOut {
    fn from(r: StoredReview) -> Self {
        ReviewOut {
            id: r.id,
            contract_id: r.contract_id,
            by: r.side,
            brand_org_id: r.org_id,
            profile_id: r.profile_id,
            rating: r.rating,
            text: r.body,
            on_time: r.on_time,
            editable_until: r.created_at + chrono::Duration::days(scout_market::review::EDIT_DAYS),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReviewList {
    pub reviews: Vec<ReviewOut>,
}

/// Reviews of a creator or brand, with their rating (none before the first review).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RatedReviews {
    pub rating: Option<RatingOut>,
    pub reviews: Vec<ReviewOut>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    #[schema(minimum = 1, maximum = 5)]
    pub rating: u8,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub text: String,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReviewParams {
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    #[param(minimum = 0, maximum = 10000)]
    pub offset: Option<i64>,
}

/// Rates the other side of a completed contract (once per side).
#[utoipa::path(post, path = "/v1/contracts/{id}/reviews", tag = "reviews", security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "contract id")), request_body = ReviewBody,
    responses((status = 201, body = ReviewOut),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn write_review(
    State(state): State<AppState>,
    party: PartyContext,
    Path(id): Path<String>,
    Json(body): Json<ReviewBody>,
) -> ApiResult<(StatusCode, axum::Json<ReviewOut>)> {
    let r = state.app.review_contract(&party, parse_id(&id, "id")?, body.rating, &body.text).await?;
    Ok((StatusCode::CREATED, axum::Json(r.into())))
}

/// The reviews of a contract, for its parties.
#[utoipa::path(get, path = "/v1/contracts/{id}/reviews", tag = "reviews", security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "contract id")),
    responses((status = 200, body = ReviewList),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn contract_reviews(
    State(state): State<AppState>,
    party: PartyContext,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<ReviewList>> {
    let list = state.app.contract_reviews(&party, parse_id(&id, "id")?).await?;
    Ok(axum::Json(ReviewList { reviews: list.into_iter().map(Into::into).collect() }))
}

/// Rewrites one's own review, within 14 days of writing it.
#[utoipa::path(put, path = "/v1/reviews/{id}", tag = "reviews", security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "review id")), request_body = ReviewBody,
    responses((status = 200, body = ReviewOut),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn edit_review(
    State(state): State<AppState>,
    party: PartyContext,
    Path(id): Path<String>,
    Json(body): Json<ReviewBody>,
) -> ApiResult<axum::Json<ReviewOut>> {
    Ok(axum::Json(state.app.edit_review(&party, parse_id(&id, "id")?, body.rating, &body.text).await?.into()))
}

/// Removes a review (platform administrators).
#[utoipa::path(delete, path = "/v1/reviews/{id}", tag = "reviews", security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "review id")),
    responses((status = 204, description = "removed"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn remove_review(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.app.remove_review(&user, parse_id(&id, "id")?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What brands wrote about a creator's profile, with its rating and on-time rate.
#[utoipa::path(get, path = "/v1/profiles/{id}/reviews", tag = "reviews", security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "profile id"), ReviewParams),
    responses((status = 200, body = RatedReviews),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn profile_reviews(
    State(state): State<AppState>,
    _user: AuthUser,
    Path(id): Path<String>,
    Query(p): Query<ReviewParams>,
) -> ApiResult<axum::Json<RatedReviews>> {
    let (limit, offset) = page(p.limit, p.offset)?;
    let (list, rating) = state.app.profile_reviews(parse_id(&id, "id")?, offset, limit).await?;
    Ok(axum::Json(RatedReviews { rating: rating.map(Into::into), reviews: list.into_iter().map(Into::into).collect() }))
}

/// What creators wrote about a brand, with its rating.
#[utoipa::path(get, path = "/v1/brands/{id}/reviews", tag = "reviews", security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "brand organisation id"), ReviewParams),
    responses((status = 200, body = RatedReviews),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn brand_reviews(
    State(state): State<AppState>,
    _user: AuthUser,
    Path(id): Path<String>,
    Query(p): Query<ReviewParams>,
) -> ApiResult<axum::Json<RatedReviews>> {
    let (limit, offset) = page(p.limit, p.offset)?;
    let (list, rating) = state.app.org_reviews(parse_id(&id, "id")?, offset, limit).await?;
    Ok(axum::Json(RatedReviews { rating: rating.map(Into::into), reviews: list.into_iter().map(Into::into).collect() }))
}

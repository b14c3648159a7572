//! `POST /v1/search` and `GET /v1/search`.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use scout_app::search::{RegionOut, SearchResponse};
use scout_domain::money::Currency;
use scout_domain::query::PriceRange;
use scout_domain::{ErrorCode, Platform, SearchFilters, Sort, Tier};
use scout_ranker::SearchRequest;
use serde::{Deserialize, Serialize};

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Query};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/search", get(search_get).post(search_post))
        .route("/v1/search/regions", get(suggest_regions))
        .route("/v1/preview", get(preview))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PreviewParams {
    /// Free text, as in a search (at most 500 characters).
    #[param(max_length = 500)]
    pub q: String,
}

/// A sample search for visitors without an account (the landing page): the
/// first five creators with their headline figures. Limited per address.
#[utoipa::path(get, path = "/v1/preview", tag = "search", params(PreviewParams),
    responses((status = 200, body = scout_app::search::PreviewResponse),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn preview(
    State(state): State<AppState>,
    crate::extract::ClientIp(ip): crate::extract::ClientIp,
    Query(params): Query<PreviewParams>,
) -> ApiResult<axum::Json<scout_app::search::PreviewResponse>> {
    Ok(axum::Json(state.app.preview_search(&params.q, ip.as_deref()).await?))
}

/// Query parameters of `GET /v1/search`; lists are comma-separated.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    /// Free text (at most 500 characters).
    #[param(max_length = 500)]
    pub q: Option<String>,
    /// Page size, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<usize>,
    #[param(maximum = 10000)]
    pub offset: Option<usize>,
    pub sort: Option<Sort>,
    pub platform: Option<String>,
    pub country: Option<String>,
    pub city: Option<String>,
    /// Gazetteer region ids, e.g. `US:Texas,DE:Bavaria`.
    pub region: Option<String>,
    pub language: Option<String>,
    pub niche: Option<String>,
    pub tier: Option<String>,
    #[param(maximum = 10_000_000_000_i64)]
    pub followers_min: Option<u64>,
    #[param(maximum = 10_000_000_000_i64)]
    pub followers_max: Option<u64>,
    /// Lowest engagement rate, as a fraction (0.03 = 3%).
    #[param(minimum = 0, maximum = 1)]
    pub engagement_min: Option<f64>,
    pub verified: Option<bool>,
    /// Lowest headline rate, in minor units of `price_currency`.
    #[param(maximum = 100_000_000_000_i64)]
    pub price_min: Option<u64>,
    /// Highest headline rate, in minor units of `price_currency`.
    #[param(maximum = 100_000_000_000_i64)]
    pub price_max: Option<u64>,
    /// ISO 4217 code of the price bounds (default `USD`); read only with
    /// `price_min` or `price_max`.
    pub price_currency: Option<String>,
    /// Lowest audience quality, as a fraction (0.8 = 80%).
    #[param(minimum = 0, maximum = 1)]
    pub audience_quality_min: Option<f64>,
    /// Move likely bought-follower accounts down the ranking (default true).
    pub demote_bought_followers: Option<bool>,
}

fn list(s: &Option<String>) -> Vec<String> {
    super::comma_list(s.as_deref())
}

impl SearchParams {
    fn into_request(self) -> ApiResult<SearchRequest> {
        let platforms = list(&self.platform)
            .iter()
            .map(|p| {
                Platform::from_name(p)
                    .ok_or_else(|| ApiError::new(ErrorCode::BadParameter, format!("platform: unknown platform `{p}`")))
            })
            .collect::<ApiResult<Vec<_>>>()?;
        let tiers = list(&self.tier)
            .iter()
            .map(|t| {
                Tier::from_name(t)
                    .ok_or_else(|| ApiError::new(ErrorCode::BadParameter, format!("tier: unknown tier `{t}`")))
            })
            .collect::<ApiResult<Vec<_>>>()?;
        // Empty is absent, as for the lists.
        let price_currency = self
            .price_currency
            .as_deref()
            .filter(|c| !c.is_empty())
            .map(|c| Currency::parse(c).ok().filter(|c| c.units_per_usd_micros().is_some()).ok_or(c))
            .transpose()
            .map_err(|c| {
                ApiError::new(
                    ErrorCode::BadParameter,
                    format!("price_currency: `{c}` is not a currency Scout compares prices in (such as EUR)"),
                )
            })?;
        let filters = SearchFilters {
            platforms,
            countries: list(&self.country),
            cities: list(&self.city),
            regions: list(&self.region),
            languages: list(&self.language),
            niches: list(&self.niche),
            tiers,
            followers_min: self.followers_min,
            followers_max: self.followers_max,
            engagement_min: self.engagement_min,
            verified: self.verified,
            audience: Vec::new(),
            price: (self.price_min.is_some() || self.price_max.is_some()).then(|| PriceRange {
                currency: price_currency.unwrap_or(Currency::USD),
                min: self.price_min,
                max: self.price_max,
            }),
            audience_quality_min: self.audience_quality_min,
        };
        Ok(SearchRequest {
            query: self.q,
            filters: Some(filters),
            sort: self.sort,
            limit: self.limit,
            offset: self.offset,
            demote_bought_followers: self.demote_bought_followers,
        })
    }
}

/// Search with query parameters.
#[utoipa::path(get, path = "/v1/search", params(SearchParams), tag = "search", security(("bearer" = [])),
    responses((status = 200, body = SearchResponse), (status = 400, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn search_get(
    State(state): State<AppState>,
    user: AuthUser,
    Query(params): Query<SearchParams>,
) -> ApiResult<axum::Json<SearchResponse>> {
    user.require(scout_domain::org::Scope::Search)?;
    Ok(axum::Json(state.app.search(&user, params.into_request()?).await?))
}

/// Search with a JSON body: free text, structured filters, sort and paging.
#[utoipa::path(post, path = "/v1/search", request_body = SearchRequest, tag = "search", security(("bearer" = [])),
    responses((status = 200, body = SearchResponse), (status = 400, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn search_post(
    State(state): State<AppState>,
    user: AuthUser,
    Json(req): Json<SearchRequest>,
) -> ApiResult<axum::Json<SearchResponse>> {
    Ok(axum::Json(state.app.search(&user, req).await?))
}

/// Query parameters of `GET /v1/search/regions`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RegionParams {
    /// What was typed so far: a region's name, alias or one of their words
    /// ("tex", "bayern", "socal").
    pub q: String,
    /// ISO 3166-1 alpha-2: only regions of this country.
    pub country: Option<String>,
    /// At most this many (default 10).
    #[param(minimum = 1, maximum = 50)]
    pub limit: Option<usize>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RegionList {
    pub regions: Vec<RegionOut>,
}

/// Regions for the `regions` filter as a user types, biggest first.
#[utoipa::path(get, path = "/v1/search/regions", params(RegionParams), tag = "search", security(("bearer" = [])),
    responses((status = 200, body = RegionList), (status = 400, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn suggest_regions(
    State(state): State<AppState>,
    user: AuthUser,
    Query(params): Query<RegionParams>,
) -> ApiResult<axum::Json<RegionList>> {
    if params.q.chars().count() > 100 {
        return Err(ApiError::new(ErrorCode::BadParameter, "q: at most 100 characters"));
    }
    let limit = params.limit.unwrap_or(10);
    if !(1..=50).contains(&limit) {
        return Err(ApiError::new(ErrorCode::BadParameter, "limit: from 1 to 50"));
    }
    let country = params.country.as_deref().map(str::to_ascii_uppercase);
    let regions = state.app.suggest_regions(&user, &params.q, country.as_deref(), limit)?;
    Ok(axum::Json(RegionList { regions }))
}

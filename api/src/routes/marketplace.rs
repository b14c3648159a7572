//! The marketplace (`scout_app::marketplace`): listed campaigns that take
//! applications, ranked for the calling creator with "why you match", in
//! free text and with filters.

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use chrono::NaiveDate;
use scout_app::marketplace::{Listing, MarketOrder, MarketQuery};
use scout_domain::Platform;
use scout_domain::money::Currency;
use scout_market::fit::Reason;
use scout_market::{CampaignSpec, CampaignStatus, NegotiationStatus};
use serde::{Deserialize, Serialize};

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Query, parse_id};
use crate::routes::RatingOut;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/marketplace", get(marketplace)).route("/v1/marketplace/{id}", get(listing))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct MarketParams {
    /// Free text: "beauty campaigns in Germany over 1000 euros".
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// A niche id of the taxonomy.
    pub niche: Option<String>,
    /// Campaigns on this platform (or on any).
    #[param(value_type = Option<scout_domain::Platform>)]
    pub platform: Option<String>,
    /// Smallest budget, in minor units of `currency`.
    #[param(minimum = 0, maximum = 100_000_000_000_i64)]
    pub budget_min: Option<i64>,
    /// Largest budget, in minor units of `currency`.
    #[param(minimum = 0, maximum = 100_000_000_000_i64)]
    pub budget_max: Option<i64>,
    /// ISO 4217 code of the budget bounds (needed with them).
    #[param(pattern = "^([A-Za-z]{3})?$")]
    pub currency: Option<String>,
    /// Deliverables all due on or before this day.
    pub due_before: Option<NaiveDate>,
    /// Deliverables due on or after this day.
    pub due_after: Option<NaiveDate>,
    /// The order: best fit first (default), newest, due soonest, largest budget.
    #[param(inline)]
    pub sort: Option<MarketOrder>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<usize>,
    #[param(minimum = 0, maximum = 1000)]
    pub offset: Option<usize>,
}

/// How well a campaign fits the calling creator.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FitOut {
    /// 0–100.
    pub score: u8,
    /// The creator's profile the fit is for.
    pub profile_id: i64,
    /// Why it fits, strongest first.
    pub why: Vec<Reason>,
    /// What speaks against.
    pub gaps: Vec<Reason>,
}

/// The caller's negotiation on a campaign.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ThreadRef {
    pub negotiation_id: i64,
    pub status: NegotiationStatus,
}

/// A campaign on the marketplace.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ListingOut {
    pub id: i64,
    pub status: CampaignStatus,
    pub brand_org_id: i64,
    pub brand: String,
    /// What creators who worked with the brand rated it.
    pub brand_rating: Option<RatingOut>,
    /// The last day a deliverable is due.
    pub due_by: NaiveDate,
    pub spec: CampaignSpec,
    /// For creators with a verified profile.
    pub fit: Option<FitOut>,
    /// How well it matches `q`, 0–1.
    pub relevance: Option<f64>,
    pub thread: Option<ThreadRef>,
}

impl From<Listing> for ListingOut {
    fn from(l: Listing) -> Self {
        ListingOut {
            id: l.campaign.id,
            status: l.campaign.status,
            brand_org_id: l.campaign.org_id,
            brand: l.brand,
            brand_rating: l.brand_rating.map(Into::into),
            due_by: l.due_by,
            fit: l.fit.map(|(profile_id, f)| FitOut { score: f.score, profile_id, why: f.why, gaps: f.gaps }),
            relevance: l.relevance.map(|r| (r * 1000.0).round() / 1000.0),
            thread: l.thread.map(|(negotiation_id, status)| ThreadRef { negotiation_id, status }),
            spec: l.campaign.spec,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MarketplacePage {
    pub campaigns: Vec<ListingOut>,
    /// Campaigns that match, over every page.
    pub total: usize,
    /// The creator's profiles the fit was computed for.
    pub ranked_for: Vec<i64>,
    /// What was understood of `q`.
    pub parsed_query: Option<scout_ranker::ParsedQuery>,
}

/// Listed campaigns taking applications, ranked for the calling creator
/// (best fit first), with free text, filters and "why you match".
#[utoipa::path(get, path = "/v1/marketplace", tag = "marketplace", security(("bearer" = [])), params(MarketParams),
    responses((status = 200, body = MarketplacePage),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn marketplace(
    State(state): State<AppState>,
    user: AuthUser,
    Query(p): Query<MarketParams>,
) -> ApiResult<axum::Json<MarketplacePage>> {
    let bad =
        |field: &str, reason: &str| ApiError::new(scout_domain::ErrorCode::BadParameter, format!("{field}: {reason}"));
    // An empty niche or currency is an absent one (a form's unset field);
    // a platform must be one.
    let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
    let (niche, platform_name, currency_code) = (given(&p.niche), p.platform.clone(), given(&p.currency));
    let platform = match platform_name.as_deref() {
        Some(name) => Some(Platform::from_name(name).ok_or_else(|| bad("platform", "unknown platform"))?),
        None => None,
    };
    let currency = match currency_code.as_deref() {
        Some(code) => Some(Currency::parse(code).map_err(|_| bad("currency", "an ISO 4217 code like EUR"))?),
        None => None,
    };
    for (field, v) in [("budget_min", p.budget_min), ("budget_max", p.budget_max)] {
        if v.is_some_and(|v| !(0..=100_000_000_000).contains(&v)) {
            return Err(bad(field, "from 0 to 100000000000 minor units"));
        }
    }
    let query = MarketQuery {
        q: p.q,
        niche,
        platform,
        budget_min: p.budget_min,
        budget_max: p.budget_max,
        currency,
        due_before: p.due_before,
        due_after: p.due_after,
        order: p.sort.unwrap_or_default(),
        limit: p.limit.unwrap_or(20),
        offset: p.offset.unwrap_or(0),
    };
    let page = state.app.marketplace(&user, query).await?;
    Ok(axum::Json(MarketplacePage {
        campaigns: page.listings.into_iter().map(Into::into).collect(),
        total: page.total,
        ranked_for: page.ranked_for,
        parsed_query: page.parsed,
    }))
}

/// One campaign of the marketplace, with its fit for the calling creator.
#[utoipa::path(get, path = "/v1/marketplace/{id}", tag = "marketplace", security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "campaign id")),
    responses((status = 200, body = ListingOut),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn listing(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<ListingOut>> {
    Ok(axum::Json(state.app.listing(&user, parse_id(&id, "id")?).await?.into()))
}

//! A creator's money (`scout_app::money`): balances (pending, available, in
//! transit), payout settings, payouts and their history; and the platform's
//! payout run.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use scout_app::money::{Balances, CreatorEarnings, PayoutRun, PayoutSettingsInput};
use scout_domain::money::Money;
use scout_payments::PayoutDestination;
use scout_store::{Payout, PayoutSettings};
use serde::{Deserialize, Serialize};

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::extract::{Json, Query, parse_id};
use crate::routes::negotiations::page;
use crate::routes::wallet::PageParams;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/me/balances", get(balances))
        .route("/v1/me/payout-settings", get(get_settings).put(put_settings))
        .route("/v1/me/payouts", get(list_payouts).post(request_payout))
        .route("/v1/me/payouts/{id}", get(get_payout))
        .route("/v1/admin/payouts/run", post(run))
        .route("/v1/me/earnings", get(earnings))
}

/// The caller's earnings: pending, available, in transit, earned and paid;
/// by month, currency and brand.
#[utoipa::path(get, path = "/v1/me/earnings", tag = "payments", security(("bearer" = [])),
    responses((status = 200, body = CreatorEarnings)))]
pub async fn earnings(State(state): State<AppState>, user: AuthUser) -> ApiResult<axum::Json<CreatorEarnings>> {
    Ok(axum::Json(state.app.creator_earnings(&user).await?))
}

/// Where the money goes.
#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum DestinationIn {
    /// A SEPA account.
    Iban {
        #[schema(min_length = 15, max_length = 42, example = "DE89 3704 0044 0532 0130 00")]
        iban: String,
        #[schema(min_length = 8, max_length = 11, example = "COBADEFFXXX")]
        bic: String,
        #[schema(min_length = 1, max_length = 70)]
        holder: String,
    },
    /// A US account (ACH).
    UsBank {
        #[schema(min_length = 9, max_length = 9, example = "110000000")]
        routing: String,
        #[schema(min_length = 4, max_length = 17)]
        account: String,
        #[schema(min_length = 1, max_length = 22)]
        holder: String,
    },
    Paypal {
        #[schema(min_length = 3, max_length = 254)]
        email: String,
    },
    /// A Stripe connected account.
    StripeAccount {
        #[schema(min_length = 6, max_length = 64, pattern = "^acct_[A-Za-z0-9_]+$", example = "acct_1Nv0FGQ9RKHgCVdK")]
        account: String,
    },
}

/// Payout method, currency and schedule.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PayoutSettingsBody {
    pub destination: DestinationIn,
    /// The currency to be paid in (earnings in others are converted at the stored rate, less the spread).
    #[schema(min_length = 3, max_length = 3, example = "USD")]
    pub currency: String,
    /// `manual`, `weekly`, `monthly` or `threshold`.
    #[schema(example = "weekly")]
    pub schedule: String,
    /// For `threshold`: pay out once available earnings reach this many minor units.
    #[serde(default)]
    #[schema(minimum = 0)]
    pub threshold_minor: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PayoutSettingsOut {
    /// The method without its full numbers ("IBAN DE89 •••• 3000").
    pub destination: String,
    pub currency: String,
    pub schedule: String,
    pub threshold_minor: i64,
    pub updated_at: DateTime<Utc>,
}

impl From<PayoutSettings> for PayoutSettingsOut {
    fn from(s: PayoutSettings) -> Self {
        PayoutSettingsOut {
            destination: s.destination_summary,
            currency: s.currency.as_str().to_string(),
            schedule: s.schedule,
            threshold_minor: s.threshold_minor,
            updated_at: s.updated_at,
        }
    }
}

/// A payout and where it stands.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PayoutOut {
    pub id: i64,
    /// `created`, `in_transit`, `submitted`, `paid` or `failed`.
    pub status: String,
    /// What left the available balance, and what is paid.
    #[schema(value_type = scout_domain::money::MoneyAmount)]
    pub source: Money,
    #[schema(value_type = scout_domain::money::MoneyAmount)]
    pub amount: Money,
    /// The conversion: `amount = source × rate × (1 − spread)`, rounded half to even.
    pub rate: String,
    pub rate_source: String,
    pub spread_bps: u32,
    pub destination: String,
    pub provider: String,
    pub failure_code: Option<String>,
    pub failure_message: Option<String>,
    pub created_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
}

impl From<Payout> for PayoutOut {
    fn from(p: Payout) -> Self {
        let rate = scout_ledger::Rate {
            from: p.source.currency,
            to: p.amount.currency,
            numerator: p.rate_numerator,
            denominator: p.rate_denominator,
            spread_bps: p.spread_bps,
            source: p.rate_source.clone(),
        };
        PayoutOut {
            id: p.id,
            status: p.status,
            source: p.source,
            amount: p.amount,
            rate: rate.text(6),
            rate_source: p.rate_source,
            spread_bps: p.spread_bps,
            destination: p.destination_summary,
            provider: p.provider,
            failure_code: p.failure_code,
            failure_message: p.failure_message,
            created_at: p.created_at,
            paid_at: p.paid_at,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PayoutList {
    pub payouts: Vec<PayoutOut>,
}

/// The caller's balances: earnings pending (in the hold period), available, on their way.
#[utoipa::path(get, path = "/v1/me/balances", tag = "payments", security(("bearer" = [])),
    responses((status = 200, body = Balances)))]
pub async fn balances(State(state): State<AppState>, user: AuthUser) -> ApiResult<axum::Json<Balances>> {
    Ok(axum::Json(state.app.my_balances(&user).await?))
}

/// The caller's payout settings (404-free: `null` when none are set).
#[utoipa::path(get, path = "/v1/me/payout-settings", tag = "payments", security(("bearer" = [])),
    responses((status = 200, body = Option<PayoutSettingsOut>)))]
pub async fn get_settings(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<axum::Json<Option<PayoutSettingsOut>>> {
    Ok(axum::Json(state.app.payout_settings(&user).await?.map(Into::into)))
}

/// Sets where and when the caller is paid (IBAN and routing numbers are
/// checked by their check digits).
#[utoipa::path(put, path = "/v1/me/payout-settings", tag = "payments", security(("bearer" = [])),
    request_body = PayoutSettingsBody, responses((status = 200, body = PayoutSettingsOut)))]
pub async fn put_settings(
    State(state): State<AppState>,
    user: AuthUser,
    Json(body): Json<PayoutSettingsBody>,
) -> ApiResult<axum::Json<PayoutSettingsOut>> {
    let destination = match body.destination {
        DestinationIn::Iban { iban, bic, holder } => PayoutDestination::Iban { iban, bic, holder },
        DestinationIn::UsBank { routing, account, holder } => PayoutDestination::UsBank { routing, account, holder },
        DestinationIn::Paypal { email } => PayoutDestination::Paypal { email },
        DestinationIn::StripeAccount { account } => PayoutDestination::StripeAccount { account },
    };
    let input = PayoutSettingsInput {
        destination,
        currency: body.currency,
        schedule: body.schedule,
        threshold_minor: body.threshold_minor,
    };
    Ok(axum::Json(state.app.set_payout_settings(&user, input).await?.into()))
}

/// The caller's payouts, newest first.
#[utoipa::path(get, path = "/v1/me/payouts", tag = "payments", security(("bearer" = [])), params(PageParams),
    responses((status = 200, body = PayoutList)))]
pub async fn list_payouts(
    State(state): State<AppState>,
    user: AuthUser,
    Query(params): Query<PageParams>,
) -> ApiResult<axum::Json<PayoutList>> {
    let (limit, offset) = page(params.limit, params.offset)?;
    let found = state.app.my_payouts(&user, offset, limit).await?;
    Ok(axum::Json(PayoutList { payouts: found.into_iter().map(Into::into).collect() }))
}

/// Pays the caller's available earnings out now (one payout per currency held).
#[utoipa::path(post, path = "/v1/me/payouts", tag = "payments", security(("bearer" = [])),
    responses((status = 202, body = PayoutList), (status = 409, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn request_payout(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<(StatusCode, axum::Json<PayoutList>)> {
    let made = state.app.request_payout(&user).await?;
    Ok((StatusCode::ACCEPTED, axum::Json(PayoutList { payouts: made.into_iter().map(Into::into).collect() })))
}

/// One payout.
#[utoipa::path(get, path = "/v1/me/payouts/{id}", tag = "payments", security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "payout id")),
    responses((status = 200, body = PayoutOut), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_payout(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<PayoutOut>> {
    Ok(axum::Json(state.app.my_payout(&user, parse_id(&id, "id")?).await?.into()))
}

/// Runs payouts now for every creator on a schedule (platform admins).
#[utoipa::path(post, path = "/v1/admin/payouts/run", tag = "payments", security(("bearer" = [])),
    responses((status = 200, body = PayoutRun)))]
pub async fn run(State(state): State<AppState>, user: AuthUser) -> ApiResult<axum::Json<PayoutRun>> {
    user.require_platform_admin()?;
    Ok(axum::Json(state.app.run_payouts(true).await?))
}

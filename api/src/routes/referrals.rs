//! Referrals (`scout_app::referrals`): the caller's code and sign-up link,
//! the accounts they referred and the rewards earned.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use chrono::{DateTime, Utc};
use scout_domain::money::Money;
use serde::Serialize;

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/me/referrals", get(referrals))
}

/// An account the caller referred.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReferralOut {
    pub id: i64,
    /// The referred account's name.
    pub name: String,
    /// `signed_up`, or `earned` once it completed its first contract.
    pub status: String,
    pub contract_id: Option<i64>,
    pub reward: Option<Money>,
    pub signed_up_at: DateTime<Utc>,
    pub earned_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReferralsOut {
    /// The caller's code.
    pub code: String,
    /// A sign-up link carrying it.
    pub link: String,
    pub referrals: Vec<ReferralOut>,
    /// Rewards earned, per currency (the ledger pays them).
    pub earned: Vec<Money>,
}

/// The caller's referral code and link, referrals and rewards.
#[utoipa::path(get, path = "/v1/me/referrals", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = ReferralsOut),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn referrals(State(state): State<AppState>, user: AuthUser) -> ApiResult<axum::Json<ReferralsOut>> {
    let page = state.app.referral_page(&user).await?;
    let origin = state.own_origins.first().cloned().unwrap_or_default();
    Ok(axum::Json(ReferralsOut {
        link: format!("{origin}/signup?ref={}", page.code),
        code: page.code,
        referrals: page
            .referrals
            .into_iter()
            .map(|r| ReferralOut {
                id: r.id,
                name: r.referred_name,
                status: r.status.as_str().to_string(),
                contract_id: r.contract_id,
                reward: r.reward,
                signed_up_at: r.created_at,
                earned_at: r.earned_at,
            })
            .collect(),
        earned: page.earned,
    }))
}

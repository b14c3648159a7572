//! HTTP routes, one module per resource; handlers extract, authorise, call a
//! use case of [`scout_app::Application`] and map the result. Route modules
//! do not import each other: what two share lives here or in `scout-app`.

pub mod auth;
pub mod campaigns;
pub mod contracts;
pub mod events;
pub mod health;
pub mod inbox;
pub mod keys;
pub mod marketplace;
pub mod models;
pub mod negotiations;
pub mod openapi;
pub mod openapi_rules;
pub mod orgs;
pub mod payouts;
pub mod privacy;
pub mod profiles;
pub mod referrals;
pub mod reviews;
pub mod search;
pub mod shortlists;
pub mod wallet;
pub mod web;

use axum::extract::State;
use axum::response::IntoResponse;
use scout_domain::ErrorCode;
use serde::Serialize;

use crate::error::ApiError;
use crate::extract::ClientIp;
use crate::state::AppState;

/// Caps requests to the credential endpoints per client address (password
/// guessing across accounts, sign-up floods): 429 with `Retry-After` past the quota.
pub(crate) async fn limit_per_ip(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let ip = ip.unwrap_or_else(|| "unknown".into());
    match state.app.limits().auth_per_ip.check(&ip).await {
        Ok(()) => next.run(req).await,
        Err(wait) => {
            tracing::warn!(%ip, "auth rate limit");
            ApiError::too_many(ErrorCode::RateLimited, "too many requests from this address; retry later", wait)
                .into_response()
        }
    }
}

/// Tokens and account answers are never stored by caches (RFC 6749 §5.1).
pub(crate) async fn no_store(mut res: axum::response::Response) -> axum::response::Response {
    res.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    res
}

/// One audit event as the account's and the organisation's audit logs show it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditEventOut {
    /// What happened (`login`, `login_failed`, `role_changed`, …; see `AuditKind`).
    pub kind: String,
    pub ip: Option<String>,
    pub detail: String,
    pub at: chrono::DateTime<chrono::Utc>,
}

impl From<scout_store::AuditEvent> for AuditEventOut {
    fn from(e: scout_store::AuditEvent) -> Self {
        AuditEventOut { kind: e.kind, ip: e.ip, detail: e.detail, at: e.at }
    }
}

/// A rating summed over reviews (shared by reviews and the marketplace).
pub use scout_app::reviews::Rating as RatingOut;

/// A comma-separated list parameter: items trimmed of ASCII white space,
/// blanks dropped (as the document's patterns for such parameters say).
pub(crate) fn comma_list(s: Option<&str>) -> Vec<String> {
    s.map(|s| {
        s.split(',')
            .map(|x| x.trim_matches([' ', '\t', '\r', '\n']))
            .filter(|x| !x.is_empty())
            .map(String::from)
            .collect()
    })
    .unwrap_or_default()
}

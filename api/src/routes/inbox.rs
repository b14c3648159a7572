//! Notifications (`scout_app::inbox`): what happened on the caller's deals,
//! newest first, with the unread count the web app's bell shows. The same
//! notifications arrive live over `GET /v1/events` as `notification` events.

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use scout_store::StoredNotification;
use serde::{Deserialize, Serialize};

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::extract::{Json, Query};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/notifications", get(list)).route("/v1/notifications/read", post(mark_read))
}

/// One notification.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NotificationOut {
    pub id: i64,
    /// `application`, `invitation`, `offer`, `accepted`, `rejected`,
    /// `withdrawn`, `message`, `signed`, `submitted`, `approved`,
    /// `revision_requested`, `disputed`, `resolved`, `cancelled`,
    /// `completed` or `review`.
    pub kind: String,
    pub title: String,
    /// Where the web app shows it.
    pub link: String,
    pub campaign_id: Option<i64>,
    pub negotiation_id: Option<i64>,
    pub contract_id: Option<i64>,
    pub read: bool,
    pub at: DateTime<Utc>,
}

impl From<StoredNotification> for NotificationOut {
    fn from(n: StoredNotification) -> Self {
        NotificationOut {
            id: n.id,
            kind: n.kind,
            title: n.title,
            link: n.link,
            campaign_id: n.campaign_id,
            negotiation_id: n.negotiation_id,
            contract_id: n.contract_id,
            read: n.read_at.is_some(),
            at: n.at,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NotificationPage {
    pub notifications: Vec<NotificationOut>,
    /// Unread notifications in all.
    pub unread: i64,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct NotificationParams {
    /// Only unread ones.
    pub unread: Option<bool>,
    /// Only those older than this notification (the next page).
    #[param(minimum = 1)]
    pub before: Option<i64>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkRead {
    /// Marks notifications up to this one read (all without it).
    #[serde(default)]
    #[schema(minimum = 1)]
    pub up_to: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Unread {
    pub unread: i64,
}

/// The caller's notifications, newest first, and the unread count.
#[utoipa::path(get, path = "/v1/notifications", tag = "events", security(("bearer" = [])), params(NotificationParams),
    responses((status = 200, body = NotificationPage),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    user: AuthUser,
    Query(p): Query<NotificationParams>,
) -> ApiResult<axum::Json<NotificationPage>> {
    let (list, unread) = state.app.notifications(&user, p.unread.unwrap_or(false), p.before, p.limit).await?;
    Ok(axum::Json(NotificationPage { notifications: list.into_iter().map(Into::into).collect(), unread }))
}

/// Marks the caller's notifications read; answers how many stay unread.
#[utoipa::path(post, path = "/v1/notifications/read", tag = "events", security(("bearer" = [])), request_body = MarkRead,
    responses((status = 200, body = Unread),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn mark_read(
    State(state): State<AppState>,
    user: AuthUser,
    Json(body): Json<MarkRead>,
) -> ApiResult<axum::Json<Unread>> {
    Ok(axum::Json(Unread { unread: state.app.mark_read(&user, body.up_to).await? }))
}

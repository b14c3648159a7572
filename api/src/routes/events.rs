//! Real-time notifications over Server-Sent Events: `GET /v1/events` streams
//! the caller's security events (sign-ins, failed second factors, password and
//! 2FA changes, keys, role changes) and, to an organisation's owners and
//! admins, the organisation's (members, agencies, exports, erasures), as they
//! are written to the audit log; and the caller's deal notifications
//! (applications, offers, messages, signatures, milestones, reviews) as they
//! are written to their inbox.
//!
//! Browsers send cookies and credentials with cross-site `EventSource` and
//! WebSocket requests without CORS preflight, so a stream checks the `Origin`
//! header itself: absent (a non-browser client), the service's own origin
//! (`public_origin`, else the bound address: never the client's `Host`), or
//! one of the configured CORS origins; any other is refused with 403
//! `origin_not_allowed`. One account holds at most
//! `limits.max_streams_per_account` streams (429 `too_many_streams`).

use std::convert::Infallible;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::ORIGIN;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use futures_util::{Stream, StreamExt};
use scout_domain::org::OrgId;
use tokio_stream::wrappers::BroadcastStream;

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use scout_app::notify::{Notification, Topic};

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/events", get(events))
}

/// Whether a browser page at `origin` may open a stream or socket here:
/// no `Origin` (not a browser), one of the service's own, or a listed one.
pub fn origin_allowed(headers: &HeaderMap, own: &[String], allowed: &[String]) -> bool {
    let Some(origin) = headers.get(ORIGIN) else { return true };
    let Ok(origin) = origin.to_str() else { return false };
    own.iter().chain(allowed).any(|a| a.trim().eq_ignore_ascii_case(origin))
}

/// The caller's notifications as they happen (`text/event-stream`). The
/// first event, `ready`, says the stream is open; `security` events follow
/// as JSON `{kind, detail, org_id, at}` and `notification` events as the
/// inbox's rows `{id, kind, title, link, campaign_id, negotiation_id,
/// contract_id, at}`; a comment every 15 s keeps proxies from closing an
/// idle stream.
#[utoipa::path(get, path = "/v1/events", tag = "events", security(("bearer" = [])),
    responses((status = 200, description = "an event stream", content_type = "text/event-stream"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn events(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    if !origin_allowed(&headers, &state.own_origins, &state.settings().cors_origins) {
        return Err(ApiError::new(
            scout_domain::ErrorCode::OriginNotAllowed,
            "this page's origin may not open an event stream",
        ));
    }
    // Subscribe before reading memberships, so nothing written meanwhile is missed.
    let (receiver, held) = state.app.open_stream(&user)?;
    let administered: Vec<OrgId> = state.app.administered_organisations(&user).await?;
    let me = user.id();
    let ready = futures_util::stream::once(async { Ok(Event::default().event("ready").data("{}")) });
    let updates = BroadcastStream::new(receiver).filter_map(move |n| {
        let item = match n {
            Ok(n) if n.user_id == Some(me) || n.org_id.is_some_and(|o| administered.contains(&o)) => {
                event_of(&n).map(Ok)
            }
            // Not for this caller, or missed because the subscriber fell behind.
            _ => None,
        };
        // The stream holds the account's stream slot until the client goes.
        let _ = &held;
        std::future::ready(item)
    });
    Ok(Sse::new(ready.chain(updates)).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// The stream's event for a notification (thread changes go to sockets only).
fn event_of(n: &Notification) -> Option<Event> {
    match &n.topic {
        Topic::Security(kind, detail) => {
            let body = serde_json::json!({"kind": kind, "detail": detail, "org_id": n.org_id, "at": n.at});
            Some(Event::default().event("security").data(body.to_string()))
        }
        Topic::Deal(row) => {
            let body = serde_json::json!({"id": row.id, "kind": row.kind, "title": row.title, "link": row.link,
                "campaign_id": row.campaign_id, "negotiation_id": row.negotiation_id,
                "contract_id": row.contract_id, "at": row.at});
            Some(Event::default().event("notification").data(body.to_string()))
        }
        Topic::Thread { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, HeaderValue};

    fn headers(origin: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        // A client picks its Host header: it must not make an origin "own".
        h.insert("host", HeaderValue::from_static("evil.example"));
        if let Some(o) = origin {
            h.insert("origin", HeaderValue::from_str(o).expect("header"));
        }
        h
    }

    #[test]
    fn streams_accept_their_own_and_listed_origins_only() {
        let own = vec!["http://scout.example:7700".to_string()];
        let listed = vec!["https://app.example.com".to_string()];
        assert!(super::origin_allowed(&headers(None), &own, &listed), "no Origin: not a browser");
        assert!(super::origin_allowed(&headers(Some("http://scout.example:7700")), &own, &listed));
        assert!(!super::origin_allowed(&headers(Some("https://scout.example:7700")), &own, &listed), "scheme");
        assert!(super::origin_allowed(&headers(Some("https://app.example.com")), &own, &listed));
        assert!(!super::origin_allowed(&headers(Some("http://evil.example")), &own, &listed), "Host is not trusted");
        assert!(!super::origin_allowed(&headers(Some("null")), &[], &[]));
    }
}

//! Negotiations: applications and invitations open a thread of offers
//! between a brand and a creator; either side counters, accepts, rejects or
//! withdraws, and writes messages (`scout_app::deals`). Accepting an offer a
//! newer one superseded is `409 stale_offer`; a step the thread's state does
//! not allow is `409 invalid_transition`, naming the state.

use axum::Router;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use scout_domain::money::Money;
use scout_market::{NegotiationStatus, Origin, Side, Terms};
use scout_store::{StoredNegotiation, ThreadEntry};
use serde::{Deserialize, Serialize};

use crate::auth::{AuthUser, OrgContext, PartyContext};
use crate::error::ApiResult;
use crate::extract::{Json, Query, parse_id};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/campaigns/{id}/applications", post(apply))
        .route("/v1/campaigns/{id}/invitations", post(invite))
        .route("/v1/negotiations", get(list_negotiations))
        .route("/v1/negotiations/{id}", get(get_negotiation))
        .route("/v1/negotiations/{id}/thread", get(thread))
        .route("/v1/negotiations/{id}/offers", post(counter))
        .route("/v1/negotiations/{id}/accept", post(accept))
        .route("/v1/negotiations/{id}/reject", post(reject))
        .route("/v1/negotiations/{id}/withdraw", post(withdraw))
        .route("/v1/negotiations/{id}/messages", post(message))
        .route("/v1/negotiations/{id}/socket", get(socket))
}

/// One version of the terms.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OfferOut {
    pub version: u32,
    pub by: Side,
    pub terms: Terms,
    /// Σ count × fee, in the campaign's currency.
    pub total: Money,
    pub made_by: Option<i64>,
    pub made_at: Option<DateTime<Utc>>,
}

/// A thread between a brand and a creator about one campaign.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NegotiationOut {
    pub id: i64,
    pub campaign_id: i64,
    pub brand_org_id: i64,
    pub profile_id: i64,
    pub creator_id: Option<i64>,
    pub origin: Origin,
    pub status: NegotiationStatus,
    /// The newest offer's version: the one an answer must name.
    pub latest_version: u32,
    /// Every offer, oldest first.
    pub offers: Vec<OfferOut>,
    /// The contract an accepted offer made.
    pub contract_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<StoredNegotiation> for NegotiationOut {
    fn from(n: StoredNegotiation) -> Self {
        let offers = n
            .negotiation
            .offers
            .iter()
            .map(|o| {
                let made = n.offers_made.iter().find(|m| m.version == o.version);
                OfferOut {
                    version: o.version,
                    by: o.by,
                    total: o.terms.total().unwrap_or(Money::new(0, scout_domain::money::Currency::EUR)),
                    terms: o.terms.clone(),
                    made_by: made.and_then(|m| m.by),
                    made_at: made.map(|m| m.at),
                }
            })
            .collect();
        NegotiationOut {
            id: n.id,
            campaign_id: n.campaign_id,
            brand_org_id: n.org_id,
            profile_id: n.profile_id,
            creator_id: n.creator_id,
            origin: n.negotiation.origin,
            status: n.negotiation.status,
            latest_version: n.negotiation.latest().version,
            offers,
            contract_id: n.contract_id,
            created_at: n.created_at,
            updated_at: n.updated_at,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NegotiationList {
    pub negotiations: Vec<NegotiationOut>,
}

/// One step of a thread.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ThreadEntryOut {
    pub id: i64,
    /// `offer`, `accept`, `reject`, `withdraw` or `message`.
    pub kind: String,
    pub side: Side,
    pub version: Option<u32>,
    pub body: String,
    pub author: Option<i64>,
    pub at: DateTime<Utc>,
}

impl From<ThreadEntry> for ThreadEntryOut {
    fn from(e: ThreadEntry) -> Self {
        ThreadEntryOut {
            id: e.id,
            kind: e.kind,
            side: e.side,
            version: e.version,
            body: e.body,
            author: e.author,
            at: e.at,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Thread {
    pub entries: Vec<ThreadEntryOut>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyBody {
    /// One of the caller's verified profiles.
    #[schema(minimum = 1)]
    pub profile_id: i64,
    /// The fees and dates the creator proposes.
    pub terms: Terms,
    /// Why this creator fits (at most 5,000 characters).
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub pitch: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteBody {
    /// A profile its creator has claimed.
    #[schema(minimum = 1)]
    pub profile_id: i64,
    pub terms: Terms,
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub message: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CounterBody {
    pub terms: Terms,
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub message: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerBody {
    /// The offer answered: it must still be the latest.
    #[schema(minimum = 1)]
    pub version: u32,
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub reason: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonBody {
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub reason: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageBody {
    #[schema(min_length = 1, max_length = 5000)]
    pub body: String,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Only those of this campaign.
    #[param(minimum = 1)]
    pub campaign: Option<i64>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    #[param(minimum = 0, maximum = 10000)]
    pub offset: Option<i64>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ThreadParams {
    /// Only entries after this one (for polling).
    #[param(minimum = 0)]
    pub after: Option<i64>,
}

/// Page bounds shared by the deal lists: `limit` 1–100 (default 20), `offset` ≤ 10,000.
pub(crate) fn page(limit: Option<i64>, offset: Option<i64>) -> ApiResult<(i64, i64)> {
    use crate::error::ApiError;
    use scout_domain::ErrorCode;
    let limit = limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::new(ErrorCode::BadParameter, "limit: from 1 to 100"));
    }
    let offset = offset.unwrap_or(0);
    if !(0..=10_000).contains(&offset) {
        return Err(ApiError::new(ErrorCode::BadParameter, "offset: from 0 to 10000"));
    }
    Ok((limit, offset))
}

/// A creator applies to a listed campaign with proposed terms and a pitch.
#[utoipa::path(post, path = "/v1/campaigns/{id}/applications", tag = "negotiations", security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "campaign id")), request_body = ApplyBody,
    responses((status = 201, body = NegotiationOut), (status = 409, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn apply(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(body): Json<ApplyBody>,
) -> ApiResult<(StatusCode, axum::Json<NegotiationOut>)> {
    let id = parse_id(&id, "id")?;
    let n = state.app.apply(&user, id, body.profile_id, body.terms, &body.pitch).await?;
    Ok((StatusCode::CREATED, axum::Json(n.into())))
}

/// A brand invites the creator of a claimed profile, with the terms it offers.
#[utoipa::path(post, path = "/v1/campaigns/{id}/invitations", tag = "negotiations", security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "campaign id")), request_body = InviteBody,
    responses((status = 201, body = NegotiationOut), (status = 409, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn invite(
    State(state): State<AppState>,
    ctx: OrgContext,
    Path(id): Path<String>,
    Json(body): Json<InviteBody>,
) -> ApiResult<(StatusCode, axum::Json<NegotiationOut>)> {
    let id = parse_id(&id, "id")?;
    let n = state.app.invite(&ctx, id, body.profile_id, body.terms, &body.message).await?;
    Ok((StatusCode::CREATED, axum::Json(n.into())))
}

/// The caller's threads: a brand's on its campaigns, a creator's own.
#[utoipa::path(get, path = "/v1/negotiations", tag = "negotiations", security(("bearer" = [])), params(ListParams),
    responses((status = 200, body = NegotiationList)))]
pub async fn list_negotiations(
    State(state): State<AppState>,
    party: PartyContext,
    Query(params): Query<ListParams>,
) -> ApiResult<axum::Json<NegotiationList>> {
    let (limit, offset) = page(params.limit, params.offset)?;
    let campaign = params.campaign.map(|c| parse_id(&c.to_string(), "campaign")).transpose()?;
    let found = state.app.negotiations(&party, campaign, offset, limit).await?;
    Ok(axum::Json(NegotiationList { negotiations: found.into_iter().map(Into::into).collect() }))
}

/// One thread with every offer.
#[utoipa::path(get, path = "/v1/negotiations/{id}", tag = "negotiations", security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "negotiation id")),
    responses((status = 200, body = NegotiationOut), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_negotiation(
    State(state): State<AppState>,
    party: PartyContext,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<NegotiationOut>> {
    Ok(axum::Json(state.app.negotiation(&party, parse_id(&id, "id")?).await?.into()))
}

/// The thread's steps and messages, oldest first, after entry `after`.
#[utoipa::path(get, path = "/v1/negotiations/{id}/thread", tag = "negotiations", security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "negotiation id"), ThreadParams),
    responses((status = 200, body = Thread), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn thread(
    State(state): State<AppState>,
    party: PartyContext,
    Path(id): Path<String>,
    Query(params): Query<ThreadParams>,
) -> ApiResult<axum::Json<Thread>> {
    let entries = state.app.thread(&party, parse_id(&id, "id")?, params.after.unwrap_or(0).max(0)).await?;
    Ok(axum::Json(Thread { entries: entries.into_iter().map(Into::into).collect() }))
}

/// A counter-offer: a new version of the terms.
#[utoipa::path(post, path = "/v1/negotiations/{id}/offers", tag = "negotiations", security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "negotiation id")), request_body = CounterBody,
    responses((status = 201, body = NegotiationOut), (status = 409, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn counter(
    State(state): State<AppState>,
    party: PartyContext,
    Path(id): Path<String>,
    Json(body): Json<CounterBody>,
) -> ApiResult<(StatusCode, axum::Json<NegotiationOut>)> {
    let n = state.app.counter_offer(&party, parse_id(&id, "id")?, body.terms, &body.message).await?;
    Ok((StatusCode::CREATED, axum::Json(n.into())))
}

/// Accepts the latest offer (named by `version`); the contract is made, awaiting both signatures.
#[utoipa::path(post, path = "/v1/negotiations/{id}/accept", tag = "negotiations", security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "negotiation id")), request_body = AnswerBody,
    responses((status = 200, body = NegotiationOut), (status = 409, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn accept(
    State(state): State<AppState>,
    party: PartyContext,
    Path(id): Path<String>,
    Json(body): Json<AnswerBody>,
) -> ApiResult<axum::Json<NegotiationOut>> {
    let (n, _) = state.app.accept_offer(&party, parse_id(&id, "id")?, body.version).await?;
    Ok(axum::Json(n.into()))
}

/// Turns the latest offer down and closes the thread.
#[utoipa::path(post, path = "/v1/negotiations/{id}/reject", tag = "negotiations", security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "negotiation id")), request_body = AnswerBody,
    responses((status = 200, body = NegotiationOut), (status = 409, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn reject(
    State(state): State<AppState>,
    party: PartyContext,
    Path(id): Path<String>,
    Json(body): Json<AnswerBody>,
) -> ApiResult<axum::Json<NegotiationOut>> {
    Ok(axum::Json(state.app.reject_offer(&party, parse_id(&id, "id")?, body.version, &body.reason).await?.into()))
}

/// Leaves the thread.
#[utoipa::path(post, path = "/v1/negotiations/{id}/withdraw", tag = "negotiations", security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "negotiation id")), request_body = ReasonBody,
    responses((status = 200, body = NegotiationOut), (status = 409, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn withdraw(
    State(state): State<AppState>,
    party: PartyContext,
    Path(id): Path<String>,
    Json(body): Json<ReasonBody>,
) -> ApiResult<axum::Json<NegotiationOut>> {
    Ok(axum::Json(state.app.withdraw(&party, parse_id(&id, "id")?, &body.reason).await?.into()))
}

/// A message in the thread.
#[utoipa::path(post, path = "/v1/negotiations/{id}/messages", tag = "negotiations", security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "negotiation id")), request_body = MessageBody,
    responses((status = 201, body = ThreadEntryOut), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn message(
    State(state): State<AppState>,
    party: PartyContext,
    Path(id): Path<String>,
    Json(body): Json<MessageBody>,
) -> ApiResult<(StatusCode, axum::Json<ThreadEntryOut>)> {
    let entry = state.app.post_message(&party, parse_id(&id, "id")?, &body.body).await?;
    Ok((StatusCode::CREATED, axum::Json(entry.into())))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SocketParams {
    /// Entries after this one are sent first (0: the whole thread).
    #[param(minimum = 0)]
    pub after: Option<i64>,
}

/// The thread live over a WebSocket: every entry after `after` is sent at
/// once, then each new one as it is written, as JSON text frames
/// `{"type": "entry", "entry": ThreadEntry}`. A text frame
/// `{"body": "…"}` from the client posts a message (errors come back as
/// `{"type": "error", "code", "detail"}`). The same authentication as the
/// API (browsers, which cannot set headers on a WebSocket, offer the
/// subprotocols `scout.v1` and `bearer.<access token>`, plus `org.<id>` for
/// an agency's client, and get `scout.v1` back) and the same `Origin` check
/// as `/v1/events`; the socket counts towards the account's open streams.
#[utoipa::path(get, path = "/v1/negotiations/{id}/socket", tag = "negotiations", security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "negotiation id"), SocketParams),
    responses((status = 101, description = "switching to the WebSocket protocol"),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn socket(
    State(state): State<AppState>,
    party: PartyContext,
    headers: axum::http::HeaderMap,
    Path(id): Path<String>,
    Query(params): Query<SocketParams>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> ApiResult<axum::response::Response> {
    use crate::error::ApiError;
    use scout_domain::ErrorCode;
    let id = parse_id(&id, "id")?;
    if !crate::routes::events::origin_allowed(&headers, &state.own_origins, &state.settings().cors_origins) {
        return Err(ApiError::new(ErrorCode::OriginNotAllowed, "this page's origin may not open a socket"));
    }
    // The thread must be the party's before anything is upgraded.
    state.app.negotiation(&party, id).await?;
    let upgrade = upgrade.map_err(|e| {
        ApiError::new(ErrorCode::BadParameter, format!("this endpoint speaks WebSocket: send an upgrade request ({e})"))
    })?;
    let (receiver, held) = state.app.open_stream(party.caller())?;
    let after = params.after.unwrap_or(0).max(0);
    // A browser that carried its token in the subprotocol list gets the app's
    // protocol named back (it closes the socket otherwise).
    Ok(upgrade.protocols([crate::auth::SOCKET_PROTOCOL]).on_upgrade(move |socket| async move {
        let _held = held;
        if let Err(e) = live_thread(socket, state, party, id, after, receiver).await {
            tracing::debug!(error = %e, negotiation = id, "thread socket closed");
        }
    }))
}

/// Sends the thread's entries after `cursor`, then new ones as they come,
/// and posts the messages the client sends, until either side closes.
async fn live_thread(
    mut socket: WebSocket,
    state: AppState,
    party: PartyContext,
    id: i64,
    mut cursor: i64,
    mut receiver: tokio::sync::broadcast::Receiver<std::sync::Arc<scout_app::notify::Notification>>,
) -> Result<(), axum::Error> {
    use scout_app::notify::Topic;
    use tokio::sync::broadcast::error::RecvError;
    let mut ping = tokio::time::interval(std::time::Duration::from_secs(30));
    let mut catch_up = true;
    loop {
        if catch_up {
            catch_up = false;
            let Ok(entries) = state.app.thread(&party, id, cursor).await else {
                // No longer the party's (or gone): nothing more to send.
                return socket.send(Message::Close(None)).await;
            };
            for e in entries {
                cursor = cursor.max(e.id);
                let frame = serde_json::json!({"type": "entry", "entry": ThreadEntryOut::from(e)});
                socket.send(Message::Text(frame.to_string().into())).await?;
            }
        }
        tokio::select! {
            got = receiver.recv() => match got {
                Ok(n) => catch_up = matches!(n.topic, Topic::Thread { negotiation } if negotiation == id),
                // Fell behind: read whatever was missed.
                Err(RecvError::Lagged(_)) => catch_up = true,
                Err(RecvError::Closed) => return Ok(()),
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    let answer = match serde_json::from_str::<MessageBody>(text.as_str()) {
                        Ok(m) => state.app.post_message(&party, id, &m.body).await.map(|_| ()).map_err(|e| {
                            serde_json::json!({"type": "error", "code": e.code().as_str(), "detail": e.to_string()})
                        }),
                        Err(e) => Err(serde_json::json!({"type": "error", "code": "invalid_json",
                            "detail": format!("send {{\"body\": \"…\"}}: {e}")})),
                    };
                    match answer {
                        Ok(()) => catch_up = true,
                        Err(frame) => socket.send(Message::Text(frame.to_string().into())).await?,
                    }
                }
                Some(Ok(Message::Close(_))) | None => return Ok(()),
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e),
            },
            _ = ping.tick() => socket.send(Message::Ping(Vec::new().into())).await?,
        }
    }
}

//! The extractors every protected handler takes: [`AuthUser`] (who is
//! calling, read from `Authorization: Bearer …`) and [`OrgContext`] (for
//! which organisation, from `X-Scout-Org`). They only read the headers; the
//! checks themselves (token, key, session, rate limit, 2FA rule, membership,
//! agency grant) are the use-case layer's ([`scout_app::access`]).

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use scout_app::{Acting, Caller};
use scout_domain::ErrorCode;
use scout_domain::org::OrgId;

use crate::error::ApiError;
use crate::state::AppState;

/// The authenticated caller of a request.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthUser(pub Caller);

impl std::ops::Deref for AuthUser {
    type Target = Caller;
    fn deref(&self) -> &Caller {
        &self.0
    }
}

/// The WebSocket subprotocol a browser names as the app's protocol.
pub const SOCKET_PROTOCOL: &str = "scout.v1";

/// A value a browser's WebSocket carries in `Sec-WebSocket-Protocol`, which
/// is the one header script may set on it: `new WebSocket(url, ["scout.v1",
/// "bearer.<token>", "org.<id>"])` (as Kubernetes carries its bearer token).
/// Read only on upgrade requests that offer [`SOCKET_PROTOCOL`].
fn socket_protocol(parts: &Parts, prefix: &str) -> Option<String> {
    let upgrade = parts.headers.get(axum::http::header::UPGRADE)?.to_str().ok()?;
    if !upgrade.eq_ignore_ascii_case("websocket") {
        return None;
    }
    let offered: Vec<&str> = parts
        .headers
        .get_all(axum::http::header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    if !offered.contains(&SOCKET_PROTOCOL) {
        return None;
    }
    offered.iter().find_map(|p| p.strip_prefix(prefix)).map(str::to_string)
}

fn missing_token() -> ApiError {
    ApiError::new(ErrorCode::MissingToken, "send an access token: Authorization: Bearer <token>")
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(user) = parts.extensions.get::<AuthUser>() {
            return Ok(user.clone());
        }
        let token = match parts.headers.get(AUTHORIZATION) {
            Some(header) => {
                let value = header
                    .to_str()
                    .map_err(|_| ApiError::new(ErrorCode::InvalidToken, "the access token is not valid"))?;
                match value.split_once(' ') {
                    Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim().to_string(),
                    _ => return Err(missing_token()),
                }
            }
            None => socket_protocol(parts, "bearer.").ok_or_else(missing_token)?,
        };
        let user = AuthUser(state.app.authenticate(&token, parts.uri.path()).await?);
        parts.extensions.insert(user.clone());
        Ok(user)
    }
}

/// The organisation a request acts for, and the caller's role in it (see
/// [`scout_app::Acting`]).
#[derive(Debug, Clone)]
pub struct OrgContext(pub Acting);

impl std::ops::Deref for OrgContext {
    type Target = Acting;
    fn deref(&self) -> &Acting {
        &self.0
    }
}

pub const ORG_HEADER: &str = "x-scout-org";

/// The organisation the request names in `X-Scout-Org`, if any.
fn named_org(parts: &Parts) -> Result<Option<OrgId>, ApiError> {
    let from_socket = socket_protocol(parts, "org.");
    match parts.headers.get(ORG_HEADER) {
        Some(v) => Ok(Some(
            v.to_str()
                .ok()
                .and_then(|s| s.trim().parse().ok())
                .ok_or_else(|| ApiError::new(ErrorCode::BadParameter, "X-Scout-Org: must be an organisation id"))?,
        )),
        None => match from_socket {
            Some(id) => Ok(Some(id.parse().map_err(|_| {
                ApiError::new(ErrorCode::BadParameter, "Sec-WebSocket-Protocol org.<id>: must be an organisation id")
            })?)),
            None => Ok(None),
        },
    }
}

impl FromRequestParts<AppState> for OrgContext {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let AuthUser(caller) = AuthUser::from_request_parts(parts, state).await?;
        let named = named_org(parts)?;
        Ok(OrgContext(state.app.acting_for(caller, named).await?))
    }
}

/// Which side of a deal the caller takes: a creator account is the creator,
/// anyone else acts for a brand (the `X-Scout-Org` one, or their own), a
/// platform administrator naming no organisation is an administrator (see
/// [`scout_app::deals::Party`]).
#[derive(Debug, Clone)]
pub struct PartyContext(pub scout_app::deals::Party);

impl std::ops::Deref for PartyContext {
    type Target = scout_app::deals::Party;
    fn deref(&self) -> &scout_app::deals::Party {
        &self.0
    }
}

impl FromRequestParts<AppState> for PartyContext {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let AuthUser(caller) = AuthUser::from_request_parts(parts, state).await?;
        let named = named_org(parts)?;
        Ok(PartyContext(state.app.party(caller, named).await?))
    }
}

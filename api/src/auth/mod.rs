//! Authentication: password hashing, access and refresh tokens, and the
//! [`AuthUser`] extractor that every protected handler takes.

pub mod password;
pub mod tokens;
pub mod totp;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use scout_domain::account::Role;

use crate::error::ApiError;
use crate::state::AppState;
use tokens::TokenError;

/// The authenticated caller of a request, with the account as stored (read
/// once here, so handlers need not read it again).
#[derive(Debug, Clone, PartialEq)]
pub struct AuthUser {
    pub account: scout_store::User,
    /// The session (refresh-token family) the access token belongs to.
    pub session: String,
}

impl AuthUser {
    pub fn id(&self) -> i64 {
        self.account.id
    }

    pub fn role(&self) -> Role {
        self.account.role
    }
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get(AUTHORIZATION).ok_or_else(|| {
            ApiError::unauthorized("missing_token", "send an access token: Authorization: Bearer <token>")
        })?;
        let value =
            header.to_str().map_err(|_| ApiError::unauthorized("invalid_token", "the access token is not valid"))?;
        let token = match value.split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
            _ => {
                return Err(ApiError::unauthorized(
                    "missing_token",
                    "send an access token: Authorization: Bearer <token>",
                ));
            }
        };
        let claims = state.tokens.verify(token).map_err(|e| match e {
            TokenError::Expired => ApiError::unauthorized("token_expired", "the access token has expired; refresh it"),
            TokenError::Invalid => ApiError::unauthorized("invalid_token", "the access token is not valid"),
        })?;
        let id: i64 =
            claims.sub.parse().map_err(|_| ApiError::unauthorized("invalid_token", "the access token is not valid"))?;
        let user = state
            .store
            .user_by_id(id)
            .await?
            .ok_or_else(|| ApiError::unauthorized("invalid_token", "the access token is not valid"))?;
        if user.token_version != claims.tv || !state.store.session_active(&claims.sid).await? {
            return Err(ApiError::unauthorized("token_revoked", "the session has ended; log in again"));
        }
        Ok(AuthUser { account: user, session: claims.sid })
    }
}

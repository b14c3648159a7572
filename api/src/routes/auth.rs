//! Accounts and sessions: register, log in, refresh, log out, who am I.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use chrono::Utc;
use scout_domain::ErrorKind;
use scout_domain::account::{self, Email, Role};
use scout_store::RefreshSpend;
use serde::{Deserialize, Serialize};

use crate::auth::tokens::{REFRESH_TTL_SECS, refresh_token_hash};
use crate::auth::{AuthUser, password};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Query};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/auth/register", post(register))
        .route("/v1/auth/login", post(login))
        .route("/v1/auth/refresh", post(refresh))
        .route("/v1/auth/logout", post(logout))
        .route("/v1/auth/me", get(me))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    pub email: String,
    pub password: String,
    /// `brand`, `influencer` or `agency`.
    pub role: String,
    pub name: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserOut {
    pub id: i64,
    pub email: String,
    pub role: Role,
    pub name: String,
}

impl From<scout_store::User> for UserOut {
    fn from(u: scout_store::User) -> Self {
        UserOut { id: u.id, email: u.email, role: u.role, name: u.name }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    /// A TOTP code, for accounts with two-factor authentication.
    #[serde(default)]
    pub totp: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LogoutParams {
    /// End every session of the account, not only this one.
    #[serde(default)]
    pub all: bool,
}

fn unauthorized(code: &'static str, detail: &str) -> ApiError {
    ApiError::new(ErrorKind::Unauthorized, code, detail)
}

/// Creates an account (never an admin one).
#[utoipa::path(post, path = "/v1/auth/register", tag = "auth", request_body = RegisterRequest,
    responses((status = 201, body = UserOut),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn register(
    State(state): State<AppState>,
    Json(req): Json<RegisterRequest>,
) -> ApiResult<(StatusCode, axum::Json<UserOut>)> {
    let email = Email::parse(&req.email)?;
    let role = Role::parse_self_registered(&req.role)?;
    let name = account::parse_name(&req.name)?;
    account::check_new_password(&req.password, &email)?;
    let hash = password::hash(req.password).await.map_err(|e| ApiError::internal(e.to_string()))?;
    let user = state.store.create_user(&email, &hash, role, &name).await?;
    tracing::info!(user = user.id, role = role.as_str(), "account created");
    Ok((StatusCode::CREATED, axum::Json(user.into())))
}

/// Starts a session: an access token and a refresh token.
#[utoipa::path(post, path = "/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenResponse),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn login(
    State(state): State<AppState>,
    Json(req): Json<LoginRequest>,
) -> ApiResult<axum::Json<TokenResponse>> {
    // A malformed email is simply an unknown account: same answer, same time.
    let user = match Email::parse(&req.email) {
        Ok(email) => state.store.user_by_email(&email).await?,
        Err(_) => None,
    };
    let ok = password::verify(req.password, user.as_ref().map(|u| u.password_hash.clone())).await;
    let Some(user) = user.filter(|_| ok) else {
        tracing::info!("login failed");
        return Err(unauthorized("invalid_credentials", "wrong email or password"));
    };
    let family = state.tokens.random_token(16).map_err(|e| ApiError::internal(e.to_string()))?;
    tracing::info!(user = user.id, "login");
    Ok(axum::Json(start_tokens(&state, &user, &family).await?))
}

async fn start_tokens(state: &AppState, user: &scout_store::User, family: &str) -> ApiResult<TokenResponse> {
    let refresh = state.tokens.random_token(32).map_err(|e| ApiError::internal(e.to_string()))?;
    let expires = Utc::now() + chrono::Duration::seconds(REFRESH_TTL_SECS);
    state.store.add_refresh_token(user.id, family, &refresh_token_hash(&refresh), expires).await?;
    let (access, expires_in) = state
        .tokens
        .issue(user.id, user.role, user.token_version, family)
        .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(TokenResponse { access_token: access, refresh_token: refresh, token_type: "Bearer", expires_in })
}

/// Exchanges a refresh token for a new pair; the presented token is spent.
/// Presenting a spent token again ends its whole session (token theft).
#[utoipa::path(post, path = "/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = TokenResponse),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn refresh(
    State(state): State<AppState>,
    Json(req): Json<RefreshRequest>,
) -> ApiResult<axum::Json<TokenResponse>> {
    match state.store.spend_refresh_token(&refresh_token_hash(&req.refresh_token)).await? {
        RefreshSpend::Fresh { user_id, family } => {
            let user = state
                .store
                .user_by_id(user_id)
                .await?
                .ok_or_else(|| unauthorized("invalid_refresh_token", "the refresh token is not valid"))?;
            Ok(axum::Json(start_tokens(&state, &user, &family).await?))
        }
        RefreshSpend::Reused { family } => {
            tracing::warn!(session = %family, "refresh token reused; session revoked");
            Err(unauthorized("refresh_token_reused", "this refresh token was already used; the session has been ended"))
        }
        RefreshSpend::Expired => {
            Err(unauthorized("refresh_token_expired", "the refresh token has expired; log in again"))
        }
        RefreshSpend::Revoked | RefreshSpend::Unknown => {
            Err(unauthorized("invalid_refresh_token", "the refresh token is not valid"))
        }
    }
}

/// Ends this session (or, with `?all=true`, every session of the account).
#[utoipa::path(post, path = "/v1/auth/logout", tag = "auth", params(LogoutParams),
    security(("bearer" = [])),
    responses((status = 204),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn logout(
    State(state): State<AppState>,
    user: AuthUser,
    Query(params): Query<LogoutParams>,
) -> ApiResult<StatusCode> {
    let all = params.all;
    if all {
        state.store.end_sessions(user.id).await?;
    } else {
        state.store.revoke_refresh_family(&user.session).await?;
    }
    tracing::info!(user = user.id, all, "logout");
    Ok(StatusCode::NO_CONTENT)
}

/// The account behind the access token.
#[utoipa::path(get, path = "/v1/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = UserOut),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn me(State(state): State<AppState>, user: AuthUser) -> ApiResult<axum::Json<UserOut>> {
    let stored = state
        .store
        .user_by_id(user.id)
        .await?
        .ok_or_else(|| unauthorized("invalid_token", "the access token is not valid"))?;
    Ok(axum::Json(stored.into()))
}

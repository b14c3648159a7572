//! Accounts and sessions: register, log in, refresh, log out, who am I.

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;
use scout_domain::ErrorKind;
use scout_domain::account::{self, Email, Role};
use scout_domain::org::OrgKind;
use scout_store::{RefreshSpend, TokenPurpose};
use serde::{Deserialize, Serialize};

use crate::auth::tokens::{REFRESH_TTL_SECS, token_hash};
use crate::auth::{AuthUser, password, totp};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ClientIp, Json, Query, WebClient, refresh_cookie};
use crate::state::AppState;
use data_encoding::BASE32_NOPAD;

pub fn router(state: AppState) -> Router<AppState> {
    // Endpoints that take credentials are limited per client address.
    let credentials = Router::new()
        .route("/v1/auth/register", post(register))
        .route("/v1/auth/login", post(login))
        .route("/v1/auth/refresh", post(refresh))
        .route("/v1/auth/password/forgot", post(forgot_password))
        .route("/v1/auth/password/reset", post(reset_password))
        .route("/v1/auth/verify-email", post(verify_email))
        .route("/v1/oauth/token", post(crate::routes::keys::token))
        .route_layer(axum::middleware::from_fn_with_state(state, limit_per_ip));
    Router::new()
        .merge(credentials)
        .route("/v1/auth/logout", post(logout))
        .route("/v1/auth/me", get(me))
        .route("/v1/auth/audit", get(audit_log))
        .route("/v1/auth/password", post(change_password))
        .route("/v1/auth/2fa/setup", post(two_factor_setup))
        .route("/v1/auth/2fa/enable", post(two_factor_enable))
        .layer(axum::middleware::map_response(no_store))
}

/// Tokens and account answers are never stored by caches (RFC 6749 §5.1).
async fn no_store(mut res: axum::response::Response) -> axum::response::Response {
    res.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    res
}

/// Caps requests to the auth endpoints per client address (password guessing
/// across accounts, sign-up floods): 429 with `Retry-After` past the quota.
async fn limit_per_ip(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let ip = ip.unwrap_or_else(|| "unknown".into());
    match state.limits.auth_per_ip.check(&ip).await {
        Ok(()) => next.run(req).await,
        Err(wait) => {
            tracing::warn!(%ip, "auth rate limit");
            ApiError::too_many("rate_limited", "too many requests from this address; retry later", wait).into_response()
        }
    }
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
    /// Whether two-factor authentication is on.
    pub two_factor: bool,
}

impl From<scout_store::User> for UserOut {
    fn from(u: scout_store::User) -> Self {
        UserOut { two_factor: u.totp_secret.is_some(), id: u.id, email: u.email, role: u.role, name: u.name }
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
    /// Absent for Scout's web app (`X-Scout-Client: web`), which receives it
    /// as an HttpOnly cookie instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// Required, except from Scout's web app, whose token is in its cookie.
    #[serde(default)]
    pub refresh_token: Option<String>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LogoutParams {
    /// End every session of the account, not only this one.
    #[serde(default)]
    pub all: bool,
}

/// Creates an account (never an admin one).
#[utoipa::path(post, path = "/v1/auth/register", tag = "auth", request_body = RegisterRequest,
    responses((status = 201, body = UserOut),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn register(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(req): Json<RegisterRequest>,
) -> ApiResult<(StatusCode, axum::Json<UserOut>)> {
    let email = Email::parse(&req.email)?;
    let role = Role::parse_self_registered(&req.role)?;
    let name = account::parse_name(&req.name)?;
    account::check_new_password(&req.password, &email)?;
    let hash = password::hash(req.password).await.map_err(|e| ApiError::internal(e.to_string()))?;
    let user = state.store.create_user(&email, &hash, role, &name).await?;
    // Brands and agencies work inside an organisation of their own, which they own.
    let org = match role {
        Role::Brand => Some(state.store.create_organisation(OrgKind::Brand, &name, user.id).await?),
        Role::Agency => Some(state.store.create_organisation(OrgKind::Agency, &name, user.id).await?),
        Role::Influencer | Role::Admin => None,
    };
    tracing::info!(user = user.id, role = role.as_str(), "account created");
    state.audit_org(org.map(|o| o.id), Some(user.id), "account_created", ip.as_deref(), role.as_str()).await?;
    send_token_mail(&state, &user, TokenPurpose::VerifyEmail).await?;
    Ok((StatusCode::CREATED, axum::Json(user.into())))
}

/// Starts a session: an access token and a refresh token.
#[utoipa::path(post, path = "/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenResponse),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    web: WebClient,
    Json(req): Json<LoginRequest>,
) -> ApiResult<Response> {
    // Locks are per email as typed (normalised), so unknown accounts lock too
    // and a lock does not reveal whether an account exists.
    let account = req.email.trim().to_lowercase();
    if let Some(wait) = state.limits.logins.locked(&account).await {
        return Err(ApiError::too_many("login_locked", "too many failed logins; retry later", wait));
    }
    // A malformed email is simply an unknown account: same answer, same time.
    let user = match Email::parse(&req.email) {
        Ok(email) => state.store.user_by_email(&email).await?,
        Err(_) => None,
    };
    let ok = password::verify(req.password, user.as_ref().map(|u| u.password_hash.clone())).await;
    let ip = ip.as_deref();
    let Some(user) = user.as_ref().filter(|_| ok) else {
        tracing::info!("login failed");
        let known = user.as_ref().map(|u| u.id);
        state.audit(known, "login_failed", ip, "wrong password or unknown account").await?;
        if let Some(wait) = state.limits.logins.failed(&account).await {
            tracing::warn!(lock_secs = wait.as_secs(), "login locked after repeated failures");
            state.audit(known, "login_locked", ip, &format!("locked for {} s", wait.as_secs())).await?;
        }
        return Err(ApiError::unauthorized("invalid_credentials", "wrong email or password"));
    };
    if let Some(secret) = &user.totp_secret
        && let Err(e) = check_second_factor(&state, user, secret, req.totp.as_deref()).await
    {
        if e.code == "invalid_totp" {
            state.limits.logins.failed(&account).await;
            state.audit(Some(user.id), "second_factor_failed", ip, "wrong, expired or reused code").await?;
        }
        return Err(e);
    }
    state.limits.logins.succeeded(&account).await;
    state.audit(Some(user.id), "login", ip, if user.totp_secret.is_some() { "with 2FA" } else { "password" }).await?;
    let family = state.tokens.random_token(16).map_err(|e| ApiError::internal(e.to_string()))?;
    tracing::info!(user = user.id, "login");
    Ok(token_response(&state, &web, start_tokens(&state, user, &family).await?))
}

/// The token pair as JSON, or for the web app the access token as JSON and
/// the refresh token as its cookie.
fn token_response(state: &AppState, web: &WebClient, mut tokens: TokenResponse) -> Response {
    if !web.is_web {
        return axum::Json(tokens).into_response();
    }
    let cookie = refresh_cookie(tokens.refresh_token.take().as_deref(), REFRESH_TTL_SECS, state.settings.uses_tls());
    ([(header::SET_COOKIE, cookie)], axum::Json(tokens)).into_response()
}

async fn start_tokens(state: &AppState, user: &scout_store::User, family: &str) -> ApiResult<TokenResponse> {
    let refresh = state.tokens.random_token(32).map_err(|e| ApiError::internal(e.to_string()))?;
    let expires = Utc::now() + chrono::Duration::seconds(REFRESH_TTL_SECS);
    state.store.add_refresh_token(user.id, family, &token_hash(&refresh), expires).await?;
    let (access, expires_in) = state
        .tokens
        .issue(user.id, user.role, user.token_version, family)
        .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(TokenResponse { access_token: access, refresh_token: Some(refresh), token_type: "Bearer", expires_in })
}

/// Exchanges a refresh token for a new pair; the presented token is spent.
/// Presenting a spent token again ends its whole session (token theft).
#[utoipa::path(post, path = "/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = TokenResponse),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn refresh(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    web: WebClient,
    Json(req): Json<RefreshRequest>,
) -> ApiResult<Response> {
    // The cookie counts only with the web app's header (see `WebClient`).
    let presented = match (req.refresh_token, web.is_web) {
        (Some(t), _) => t,
        (None, true) => web
            .refresh_cookie
            .clone()
            .ok_or_else(|| ApiError::unauthorized("invalid_refresh_token", "no session: log in"))?,
        (None, false) => return Err(ApiError::bad_request("bad_parameter", "refresh_token: required")),
    };
    match state.store.spend_refresh_token(&token_hash(&presented)).await? {
        RefreshSpend::Fresh { user_id, family } => {
            let user = state
                .store
                .user_by_id(user_id)
                .await?
                .ok_or_else(|| ApiError::unauthorized("invalid_refresh_token", "the refresh token is not valid"))?;
            Ok(token_response(&state, &web, start_tokens(&state, &user, &family).await?))
        }
        RefreshSpend::Reused { user_id, family } => {
            tracing::warn!(session = %family, "refresh token reused; session revoked");
            let detail = format!("session {family} ended");
            state.audit(Some(user_id), "refresh_token_reused", ip.as_deref(), &detail).await?;
            Err(ApiError::unauthorized(
                "refresh_token_reused",
                "this refresh token was already used; the session has been ended",
            ))
        }
        RefreshSpend::Expired => {
            Err(ApiError::unauthorized("refresh_token_expired", "the refresh token has expired; log in again"))
        }
        RefreshSpend::Revoked | RefreshSpend::Unknown => {
            Err(ApiError::unauthorized("invalid_refresh_token", "the refresh token is not valid"))
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
    ClientIp(ip): ClientIp,
    web: WebClient,
    user: AuthUser,
    Query(params): Query<LogoutParams>,
) -> ApiResult<Response> {
    let all = params.all;
    let session = user.require_session()?;
    if all {
        state.store.end_sessions(user.id(), None).await?;
    } else {
        state.store.revoke_refresh_family(session).await?;
    }
    tracing::info!(user = user.id(), all, "logout");
    let kind = if all { "logout_everywhere" } else { "logout" };
    state.audit(Some(user.id()), kind, ip.as_deref(), "").await?;
    if web.is_web {
        let cookie = refresh_cookie(None, 0, state.settings.uses_tls());
        return Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response());
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The account behind the access token.
#[utoipa::path(get, path = "/v1/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = UserOut),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn me(user: AuthUser) -> axum::Json<UserOut> {
    axum::Json(user.account.into())
}

/// A TOTP code, or one of the recovery codes, for an account with 2FA on.
async fn check_second_factor(
    state: &AppState,
    user: &scout_store::User,
    secret: &str,
    code: Option<&str>,
) -> ApiResult<()> {
    let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else {
        return Err(ApiError::unauthorized(
            "totp_required",
            "this account uses two-factor authentication: send `totp`",
        ));
    };
    let secret = state
        .sealer
        .open_totp(user.id, secret)
        .map_err(|e| ApiError::internal(format!("user {}: stored TOTP secret: {e}", user.id)))?;
    let now = Utc::now().timestamp().max(0) as u64;
    let last = user.totp_last_step.and_then(|s| u64::try_from(s).ok());
    let accepted = match totp::accept(&secret, code, now, last) {
        Some(step) => state.store.use_totp_step(user.id, step as i64).await?,
        None => state.store.spend_recovery_code(user.id, &recovery_code_hash(code)).await?,
    };
    if !accepted {
        tracing::info!(user = user.id, "second factor refused");
        return Err(ApiError::unauthorized("invalid_totp", "the code is wrong, expired or already used"));
    }
    Ok(())
}

/// What is stored of a recovery code: its BLAKE3 hash (the code is 50 random bits).
fn recovery_code_hash(code: &str) -> String {
    let normal: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_lowercase();
    blake3::hash(normal.as_bytes()).to_hex().to_string()
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TwoFactorSetup {
    /// The shared secret, base32, for typing into an authenticator app.
    pub secret: String,
    pub otpauth_uri: String,
    /// The URI as a QR code (SVG).
    pub qr_svg: String,
}

/// Starts two-factor set-up: a new secret, as text, URI and QR code. Nothing
/// changes for logins until a code from it confirms it (`/v1/auth/2fa/enable`).
#[utoipa::path(post, path = "/v1/auth/2fa/setup", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = TwoFactorSetup),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn two_factor_setup(State(state): State<AppState>, user: AuthUser) -> ApiResult<axum::Json<TwoFactorSetup>> {
    let stored = &user.account;
    if stored.totp_secret.is_some() {
        return Err(ApiError::new(
            ErrorKind::Conflict,
            "totp_already_enabled",
            "two-factor authentication is already on",
        ));
    }
    // 160 bits, the HMAC-SHA-1 block-friendly length RFC 4226 recommends.
    let raw = state.tokens.random_bytes(20).map_err(|e| ApiError::internal(e.to_string()))?;
    let secret = BASE32_NOPAD.encode(&raw);
    let sealed = state.sealer.seal_totp(user.id(), &raw).map_err(|e| ApiError::internal(e.to_string()))?;
    state.store.set_pending_totp(user.id(), &sealed).await?;
    let uri = totp::otpauth_uri(&secret, &stored.email);
    let qr = qrcode::QrCode::new(uri.as_bytes()).map_err(|e| ApiError::internal(e.to_string()))?;
    let qr_svg = qr.render::<qrcode::render::svg::Color<'_>>().min_dimensions(200, 200).build();
    Ok(axum::Json(TwoFactorSetup { secret, otpauth_uri: uri, qr_svg }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TwoFactorEnable {
    /// A current code from the authenticator app.
    pub code: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RecoveryCodes {
    /// Ten single-use codes that stand in for a TOTP code; shown only now.
    pub recovery_codes: Vec<String>,
}

/// Confirms the pending secret with a code and turns two-factor authentication on.
#[utoipa::path(post, path = "/v1/auth/2fa/enable", tag = "auth", security(("bearer" = [])), request_body = TwoFactorEnable,
    responses((status = 200, body = RecoveryCodes),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn two_factor_enable(
    State(state): State<AppState>,
    user: AuthUser,
    Json(req): Json<TwoFactorEnable>,
) -> ApiResult<axum::Json<RecoveryCodes>> {
    let Some(pending) = &user.account.totp_pending else {
        return Err(ApiError::bad_request("totp_not_pending", "start with POST /v1/auth/2fa/setup"));
    };
    let secret = state
        .sealer
        .open_totp(user.id(), pending)
        .map_err(|e| ApiError::internal(format!("pending TOTP secret: {e}")))?;
    let now = Utc::now().timestamp().max(0) as u64;
    let Some(step) = totp::accept(&secret, &req.code, now, None) else {
        return Err(ApiError::bad_request("invalid_totp", "the code does not match the new secret"));
    };
    let mut codes = Vec::with_capacity(10);
    for _ in 0..10 {
        let raw = state.tokens.random_bytes(8).map_err(|e| ApiError::internal(e.to_string()))?;
        let text = BASE32_NOPAD.encode(&raw).to_lowercase();
        codes.push(format!("{}-{}", &text[..5], &text[5..10]));
    }
    let hashes: Vec<String> = codes.iter().map(|c| recovery_code_hash(c)).collect();
    if !state.store.enable_totp(user.id(), step as i64, &hashes).await? {
        return Err(ApiError::bad_request("totp_not_pending", "start with POST /v1/auth/2fa/setup"));
    }
    tracing::info!(user = user.id(), "two-factor authentication enabled");
    state.audit(Some(user.id()), "totp_enabled", None, "10 recovery codes issued").await?;
    Ok(axum::Json(RecoveryCodes { recovery_codes: codes }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditEventOut {
    pub kind: String,
    pub ip: Option<String>,
    pub detail: String,
    pub at: chrono::DateTime<Utc>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditLog {
    /// The account's security events, newest first (at most 100).
    pub events: Vec<AuditEventOut>,
}

/// The caller's own security events: logins, failures, locks, 2FA changes, logouts.
#[utoipa::path(get, path = "/v1/auth/audit", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = AuditLog),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn audit_log(State(state): State<AppState>, user: AuthUser) -> ApiResult<axum::Json<AuditLog>> {
    let events = state
        .store
        .audit_events(user.id(), 100)
        .await?
        .into_iter()
        .map(|e| AuditEventOut { kind: e.kind, ip: e.ip, detail: e.detail, at: e.at })
        .collect();
    Ok(axum::Json(AuditLog { events }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// Changes the password; every session of the account ends (log in again).
#[utoipa::path(post, path = "/v1/auth/password", tag = "auth", security(("bearer" = [])), request_body = PasswordChange,
    responses((status = 204),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn change_password(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: AuthUser,
    Json(req): Json<PasswordChange>,
) -> ApiResult<StatusCode> {
    let stored = &user.account;
    if !password::verify(req.current_password, Some(stored.password_hash.clone())).await {
        state.audit(Some(user.id()), "password_change_failed", ip.as_deref(), "wrong current password").await?;
        return Err(ApiError::unauthorized("invalid_credentials", "the current password is wrong"));
    }
    let email = Email::parse(&stored.email)?;
    account::check_new_password(&req.new_password, &email)?;
    let hash = password::hash(req.new_password).await.map_err(|e| ApiError::internal(e.to_string()))?;
    state.store.end_sessions(user.id(), Some(&hash)).await?;
    state.audit(Some(user.id()), "password_changed", ip.as_deref(), "every session ended").await?;
    tracing::info!(user = user.id(), "password changed");
    Ok(StatusCode::NO_CONTENT)
}

/// How long a mailed token stays valid.
const PASSWORD_RESET_TTL_SECS: i64 = 3600;
const VERIFY_EMAIL_TTL_SECS: i64 = 7 * 24 * 3600;

/// Mails a one-time token (only its hash is stored).
async fn send_token_mail(state: &AppState, user: &scout_store::User, purpose: TokenPurpose) -> ApiResult<()> {
    let token = state.tokens.random_token(32).map_err(|e| ApiError::internal(e.to_string()))?;
    let (ttl, subject, body) = match purpose {
        TokenPurpose::PasswordReset => (
            PASSWORD_RESET_TTL_SECS,
            "Reset your Scout password",
            format!(
                "Someone asked to reset the password of this account. If it was you, send this token to POST /v1/auth/password/reset within an hour:\n\n{token}\n\nIf it was not you, ignore this message."
            ),
        ),
        TokenPurpose::VerifyEmail => (
            VERIFY_EMAIL_TTL_SECS,
            "Confirm your email for Scout",
            format!(
                "Welcome to Scout. Confirm this address by sending this token to POST /v1/auth/verify-email:\n\n{token}\n"
            ),
        ),
    };
    let expires = Utc::now() + chrono::Duration::seconds(ttl);
    state.store.create_user_token(user.id, purpose, &token_hash(&token), expires).await?;
    let mail = crate::mail::Mail { to: user.email.clone(), subject: subject.into(), body };
    let mailer = state.mailer.clone();
    tokio::task::spawn_blocking(move || mailer.send(&mail))
        .await?
        .map_err(|e| ApiError::new(ErrorKind::Unavailable, "mail_unavailable", format!("sending mail: {e:#}")))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForgotPassword {
    pub email: String,
}

/// Mails a password-reset token when the account exists. The answer is the
/// same either way, so it does not tell who has an account.
#[utoipa::path(post, path = "/v1/auth/password/forgot", tag = "auth", request_body = ForgotPassword,
    responses((status = 202), (status = 429, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn forgot_password(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(req): Json<ForgotPassword>,
) -> ApiResult<StatusCode> {
    if let Ok(email) = Email::parse(&req.email)
        && let Some(user) = state.store.user_by_email(&email).await?
    {
        send_token_mail(&state, &user, TokenPurpose::PasswordReset).await?;
        state.audit(Some(user.id), "password_reset_requested", ip.as_deref(), "").await?;
    }
    Ok(StatusCode::ACCEPTED)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPassword {
    /// The token from the reset mail.
    pub token: String,
    pub new_password: String,
}

/// Sets a new password with a mailed token (single use, one hour); every
/// session of the account ends.
#[utoipa::path(post, path = "/v1/auth/password/reset", tag = "auth", request_body = ResetPassword,
    responses((status = 204), (status = 400, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn reset_password(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(req): Json<ResetPassword>,
) -> ApiResult<StatusCode> {
    let bad = || ApiError::bad_request("invalid_reset_token", "the reset token is wrong, used or expired");
    let hash = token_hash(req.token.trim());
    // Spent first, so two racing resets cannot both pass; a refused new
    // password costs the caller a new reset mail.
    let Some(user_id) = state.store.spend_user_token(&hash, TokenPurpose::PasswordReset).await? else {
        return Err(bad());
    };
    let user = state.store.user_by_id(user_id).await?.ok_or_else(bad)?;
    let email = Email::parse(&user.email)?;
    account::check_new_password(&req.new_password, &email)?;
    let new_hash = password::hash(req.new_password).await.map_err(|e| ApiError::internal(e.to_string()))?;
    state.store.end_sessions(user.id, Some(&new_hash)).await?;
    state.store.mark_email_verified(user.id).await?;
    state.audit(Some(user.id), "password_reset", ip.as_deref(), "every session ended").await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyEmail {
    /// The token from the welcome mail.
    pub token: String,
}

/// Confirms the account's email address with the mailed token.
#[utoipa::path(post, path = "/v1/auth/verify-email", tag = "auth", request_body = VerifyEmail,
    responses((status = 204), (status = 400, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn verify_email(State(state): State<AppState>, Json(req): Json<VerifyEmail>) -> ApiResult<StatusCode> {
    let hash = token_hash(req.token.trim());
    let Some(user) = state.store.spend_user_token(&hash, TokenPurpose::VerifyEmail).await? else {
        return Err(ApiError::bad_request("invalid_verification_token", "the token is wrong, used or expired"));
    };
    state.store.mark_email_verified(user).await?;
    state.audit(Some(user), "email_verified", None, "").await?;
    Ok(StatusCode::NO_CONTENT)
}

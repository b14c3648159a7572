//! Accounts and sessions: register, log in, refresh, log out, who am I.

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use scout_app::identity::{SignUp, Tokens};
use scout_app::security::tokens::REFRESH_TTL_SECS;
use scout_domain::ErrorCode;
use scout_domain::account::Role;
use serde::{Deserialize, Serialize};

use super::AuditEventOut;
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ClientIp, Json, Query, WebClient, refresh_cookie};
use crate::state::AppState;

pub fn router(state: AppState) -> Router<AppState> {
    // Endpoints that take credentials are limited per client address (refresh
    // counts only refused tokens: `Application::refresh`).
    let credentials = Router::new()
        .route("/v1/auth/register", post(register))
        .route("/v1/auth/login", post(login))
        .route("/v1/auth/password/forgot", post(forgot_password))
        .route("/v1/auth/password/reset", post(reset_password))
        .route("/v1/auth/verify-email", post(verify_email))
        .route_layer(axum::middleware::from_fn_with_state(state, super::limit_per_ip));
    Router::new()
        .merge(credentials)
        .route("/v1/auth/refresh", post(refresh))
        .route("/v1/auth/logout", post(logout))
        .route("/v1/auth/me", get(me))
        .route("/v1/auth/audit", get(audit_log))
        .route("/v1/auth/password", post(change_password))
        .route("/v1/auth/2fa/setup", post(two_factor_setup))
        .route("/v1/auth/2fa/enable", post(two_factor_enable))
        .route("/v1/auth/2fa/disable", post(two_factor_disable))
        .route("/v1/auth/2fa/recovery-codes", post(renew_recovery_codes))
        .layer(axum::middleware::map_response(super::no_store))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    pub email: String,
    pub password: String,
    pub role: SignupRole,
    /// The person's or company's name (1–100 characters, not only spaces).
    pub name: String,
    /// A referral code from someone's invitation link: 8 letters and digits
    /// without the look-alikes 0, 1, I and O, in either case; unknown codes
    /// and one's own are refused.
    #[serde(default)]
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[A-HJ-NP-Za-hj-np-z2-9]{8}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub referral_code: Option<String>,
}

/// The kind of account to open: `creator` and `influencer` are one role
/// (answered as `influencer`).
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SignupRole {
    Brand,
    Creator,
    Influencer,
    Agency,
}

impl SignupRole {
    fn as_str(self) -> &'static str {
        match self {
            SignupRole::Brand => "brand",
            SignupRole::Creator | SignupRole::Influencer => "influencer",
            SignupRole::Agency => "agency",
        }
    }
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

/// A sign-up, taken in: the same answer whether or not the address already
/// has an account, so that sign-up does not tell who uses Scout.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RegistrationAccepted {
    /// The address as stored (trimmed, lowercase).
    pub email: String,
    /// What happens next, for a person to read.
    pub detail: &'static str,
}

const REGISTRATION_DETAIL: &str = "Check your inbox: a new account gets a link to confirm the address, \
an address that already has an account gets a note to its owner. A new account can log in at once.";

/// Opens an account (never an admin one). The answer is the same whether or
/// not the address already has one: the account is created right after it
/// and a verification mail follows; an existing account's owner gets a note
/// instead.
#[utoipa::path(post, path = "/v1/auth/register", tag = "auth", request_body = RegisterRequest,
    responses((status = 202, body = RegistrationAccepted),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn register(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(req): Json<RegisterRequest>,
) -> ApiResult<(StatusCode, axum::Json<RegistrationAccepted>)> {
    let form = SignUp {
        email: &req.email,
        password: req.password,
        role: req.role.as_str(),
        name: &req.name,
        referral_code: req.referral_code.as_deref(),
    };
    let email = state.app.register(form, ip.as_deref()).await?;
    let body = RegistrationAccepted { email: email.as_str().to_string(), detail: REGISTRATION_DETAIL };
    Ok((StatusCode::ACCEPTED, axum::Json(body)))
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
    let tokens = state.app.login(&req.email, req.password, req.totp.as_deref(), ip.as_deref()).await?;
    Ok(token_response(&state, &web, tokens))
}

/// The token pair as JSON, or for the web app the access token as JSON and
/// the refresh token as its cookie.
fn token_response(state: &AppState, web: &WebClient, tokens: Tokens) -> Response {
    let mut body = TokenResponse {
        access_token: tokens.access_token,
        refresh_token: Some(tokens.refresh_token),
        token_type: "Bearer",
        expires_in: tokens.expires_in,
    };
    if !web.is_web {
        return axum::Json(body).into_response();
    }
    let cookie = refresh_cookie(body.refresh_token.take().as_deref(), REFRESH_TTL_SECS, state.settings().uses_tls());
    ([(header::SET_COOKIE, cookie)], axum::Json(body)).into_response()
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
            .ok_or_else(|| ApiError::new(ErrorCode::InvalidRefreshToken, "no session: log in"))?,
        (None, false) => {
            return Err(ApiError::new(
                ErrorCode::InvalidRefreshToken,
                "no refresh token: send `refresh_token` (or, from the web app, its cookie)",
            ));
        }
    };
    let tokens = state.app.refresh(&presented, ip.as_deref()).await?;
    Ok(token_response(&state, &web, tokens))
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
    state.app.logout(&user, params.all, ip.as_deref()).await?;
    if web.is_web {
        let cookie = refresh_cookie(None, 0, state.settings().uses_tls());
        return Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response());
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The account behind the access token.
#[utoipa::path(get, path = "/v1/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = UserOut),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn me(AuthUser(caller): AuthUser) -> axum::Json<UserOut> {
    axum::Json(caller.account.into())
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
    let setup = state.app.two_factor_setup(&user).await?;
    Ok(axum::Json(TwoFactorSetup { secret: setup.secret, otpauth_uri: setup.otpauth_uri, qr_svg: setup.qr_svg }))
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
    let recovery_codes = state.app.enable_two_factor(&user, &req.code).await?;
    Ok(axum::Json(RecoveryCodes { recovery_codes }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TwoFactorDisable {
    /// The account's password.
    pub password: String,
    /// A current code from the authenticator app, or an unused recovery code.
    pub code: String,
}

/// Turns two-factor authentication off (password and a current code); the
/// recovery codes stop working and the owner is told by mail.
#[utoipa::path(post, path = "/v1/auth/2fa/disable", tag = "auth", security(("bearer" = [])), request_body = TwoFactorDisable,
    responses((status = 204),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn two_factor_disable(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: AuthUser,
    Json(req): Json<TwoFactorDisable>,
) -> ApiResult<StatusCode> {
    state.app.disable_two_factor(&user, req.password, &req.code, ip.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecoveryCodesRenewal {
    /// A current code from the authenticator app, or an unused recovery code.
    pub code: String,
}

/// New recovery codes in place of all the old ones (used or not); shown only now.
#[utoipa::path(post, path = "/v1/auth/2fa/recovery-codes", tag = "auth", security(("bearer" = [])), request_body = RecoveryCodesRenewal,
    responses((status = 200, body = RecoveryCodes),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn renew_recovery_codes(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: AuthUser,
    Json(req): Json<RecoveryCodesRenewal>,
) -> ApiResult<axum::Json<RecoveryCodes>> {
    let recovery_codes = state.app.renew_recovery_codes(&user, &req.code, ip.as_deref()).await?;
    Ok(axum::Json(RecoveryCodes { recovery_codes }))
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
    let events = state.app.account_audit(&user, 100).await?.into_iter().map(AuditEventOut::from).collect();
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
    state.app.change_password(&user, req.current_password, req.new_password, ip.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
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
    state.app.forgot_password(&req.email, ip.as_deref()).await?;
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
    state.app.reset_password(&req.token, req.new_password, ip.as_deref()).await?;
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
    state.app.verify_email(&req.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

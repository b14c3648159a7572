//! Personal API keys and OAuth2 client credentials (RFC 6749 §4.4) for
//! integrators. Secrets are shown once and stored as hashes; a key or client
//! acts for the user who made it, in their organisation, with its scopes.
//! The token endpoint is routed with the other credential endpoints (per
//! address rate limit) in `auth.rs`.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::routing::{delete, get, post};
use chrono::{DateTime, Utc};
use scout_domain::ErrorKind;
use scout_domain::org::Scope;
use scout_store::{KeyKind, NewKey};
use serde::{Deserialize, Serialize};

use crate::auth::AuthUser;
use crate::auth::keys::{KEY_PREFIX, secret_matches};
use crate::auth::tokens::token_hash;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ClientIp, Json};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/keys", get(list_keys).post(create_key))
        .route("/v1/keys/{id}", delete(revoke_key))
        .route("/v1/oauth/clients", post(create_client))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewKeyRequest {
    pub name: String,
    /// Scopes: `search`, `lists:read`, `lists:write`, `profiles:write` (admins).
    pub scopes: Vec<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct KeyOut {
    pub id: i64,
    pub name: String,
    /// `key` or `client`.
    pub kind: String,
    /// The public part (`sk_…`, or the `client_id`).
    pub prefix: String,
    pub scopes: Vec<Scope>,
    pub organisation_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<scout_store::ApiKey> for KeyOut {
    fn from(k: scout_store::ApiKey) -> Self {
        KeyOut {
            id: k.id,
            name: k.name,
            kind: if k.kind == KeyKind::Client { "client" } else { "key" }.into(),
            prefix: k.prefix,
            scopes: k.scopes,
            organisation_id: k.org_id,
            created_at: k.created_at,
            last_used_at: k.last_used_at,
            revoked_at: k.revoked_at,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedKey {
    #[serde(flatten)]
    pub key: KeyOut,
    /// The whole key; shown only now.
    pub secret: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct KeyList {
    pub keys: Vec<KeyOut>,
}

/// Checks requested scopes against the caller's role.
fn scopes_for(user: &AuthUser, raw: &[String]) -> ApiResult<Vec<Scope>> {
    let scopes = Scope::parse_list(&raw.join(" "))?;
    if scopes.is_empty() {
        return Err(ApiError::bad_request("invalid_scope", "name at least one scope"));
    }
    if let Some(s) = scopes.iter().find(|s| !s.allowed_for(user.role())) {
        return Err(ApiError::forbidden(
            "invalid_scope",
            format!("a {} account may not hold the `{}` scope", user.role().as_str(), s.as_str()),
        ));
    }
    Ok(scopes)
}

/// The organisation a key is bound to and its events are audited in: the
/// caller's own (first) one, if any.
async fn home_org(state: &AppState, user: &AuthUser) -> ApiResult<Option<i64>> {
    Ok(state.store.memberships_of(user.id()).await?.first().map(|m| m.org.id))
}

async fn make(
    state: &AppState,
    user: &AuthUser,
    ip: Option<&str>,
    kind: KeyKind,
    req: NewKeyRequest,
) -> ApiResult<CreatedKey> {
    user.require_session()?;
    let name = scout_domain::org::parse_list_name(&req.name)?;
    let scopes = scopes_for(user, &req.scopes)?;
    let org = home_org(state, user).await?;
    let random = |n| state.tokens.random_token(n).map_err(|e| ApiError::internal(e.to_string()));
    let public = match kind {
        KeyKind::Key => format!("{KEY_PREFIX}{}", random(8)?),
        KeyKind::Client => format!("client_{}", random(8)?),
    };
    let secret = random(32)?;
    let key = state
        .store
        .create_key(NewKey {
            user_id: user.id(),
            org_id: org,
            kind,
            name: &name,
            prefix: &public,
            secret_hash: &token_hash(&secret),
            scopes: &scopes,
        })
        .await?;
    let event = if kind == KeyKind::Key { "api_key_created" } else { "oauth_client_created" };
    let detail = format!("{} ({}) scopes: {}", key.prefix, key.name, Scope::join(&key.scopes));
    state.audit_org(org, Some(user.id()), event, ip, &detail).await?;
    let shown = match kind {
        KeyKind::Key => format!("{public}_{secret}"),
        KeyKind::Client => secret,
    };
    Ok(CreatedKey { key: key.into(), secret: shown })
}

/// Creates a personal API key (from a login session). The key is shown once.
#[utoipa::path(post, path = "/v1/keys", tag = "keys", security(("bearer" = [])), request_body = NewKeyRequest,
    responses((status = 201, body = CreatedKey), (status = 403, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn create_key(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: AuthUser,
    Json(req): Json<NewKeyRequest>,
) -> ApiResult<(StatusCode, axum::Json<CreatedKey>)> {
    let created = make(&state, &user, ip.as_deref(), KeyKind::Key, req).await?;
    Ok((StatusCode::CREATED, axum::Json(created)))
}

/// The caller's keys and clients (never their secrets).
#[utoipa::path(get, path = "/v1/keys", tag = "keys", security(("bearer" = [])),
    responses((status = 200, body = KeyList)))]
pub async fn list_keys(State(state): State<AppState>, user: AuthUser) -> ApiResult<axum::Json<KeyList>> {
    let keys = state.store.keys_of(user.id()).await?.into_iter().map(Into::into).collect();
    Ok(axum::Json(KeyList { keys }))
}

/// Revokes one of the caller's keys or clients; it stops working at once.
#[utoipa::path(delete, path = "/v1/keys/{id}", tag = "keys", security(("bearer" = [])),
    params(("id" = i64, Path, description = "key id")),
    responses((status = 204), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn revoke_key(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: AuthUser,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    if !state.store.revoke_key(user.id(), id).await? {
        return Err(ApiError::new(ErrorKind::NotFound, "key_not_found", "no such live key of this account"));
    }
    let org = home_org(&state, &user).await?;
    state.audit_org(org, Some(user.id()), "api_key_revoked", ip.as_deref(), &format!("key {id}")).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Registers an OAuth2 client for the client-credentials grant. The
/// `client_secret` is shown once.
#[utoipa::path(post, path = "/v1/oauth/clients", tag = "keys", security(("bearer" = [])), request_body = NewKeyRequest,
    responses((status = 201, body = CreatedKey), (status = 403, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn create_client(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: AuthUser,
    Json(req): Json<NewKeyRequest>,
) -> ApiResult<(StatusCode, axum::Json<CreatedKey>)> {
    let created = make(&state, &user, ip.as_deref(), KeyKind::Client, req).await?;
    Ok((StatusCode::CREATED, axum::Json(created)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TokenRequest {
    /// Must be `client_credentials`.
    pub grant_type: String,
    /// With the secret, unless sent by HTTP Basic authentication.
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    /// A space-separated subset of the client's scopes (default: all of them).
    pub scope: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ClientToken {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub scope: String,
}

fn invalid_client() -> ApiError {
    ApiError::unauthorized("invalid_client", "unknown client or wrong secret")
}

/// OAuth2 token endpoint, client-credentials grant: a form body
/// (`application/x-www-form-urlencoded`) with the client authenticated by
/// HTTP Basic or by `client_id` and `client_secret` in the body.
///
/// Errors follow RFC 6749 §5.2 (`{"error", "error_description"}`, 400, or 401
/// with `WWW-Authenticate: Basic` for a client that failed to authenticate),
/// which OAuth2 client libraries parse; other failures (rate limits, server
/// errors) stay problem+json.
#[utoipa::path(post, path = "/v1/oauth/token", tag = "keys",
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, body = ClientToken),
        (status = 400, body = OAuthError),
        (status = 401, body = OAuthError)))]
pub async fn token(
    state: State<AppState>,
    ip: ClientIp,
    headers: axum::http::HeaderMap,
    body: axum::extract::RawForm,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match issue_client_token(state, ip, headers, body).await {
        Ok(res) => res,
        Err(e) if OAUTH_ERRORS.contains(&e.code) => {
            let status = if e.code == "invalid_client" {
                axum::http::StatusCode::UNAUTHORIZED
            } else {
                axum::http::StatusCode::BAD_REQUEST
            };
            let mut res = (status, axum::Json(OAuthError { error: e.code.to_string(), error_description: e.detail }))
                .into_response();
            let headers = res.headers_mut();
            headers.insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
            if status == axum::http::StatusCode::UNAUTHORIZED {
                headers.insert(
                    axum::http::header::WWW_AUTHENTICATE,
                    axum::http::HeaderValue::from_static("Basic realm=\"scout\""),
                );
            }
            res
        }
        Err(e) => e.into_response(),
    }
}

/// The error codes RFC 6749 §5.2 defines for the token endpoint.
const OAUTH_ERRORS: [&str; 6] = [
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
];

/// An RFC 6749 §5.2 error response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OAuthError {
    pub error: String,
    pub error_description: String,
}

async fn issue_client_token(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: axum::http::HeaderMap,
    axum::extract::RawForm(body): axum::extract::RawForm,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let req: TokenRequest = serde_urlencoded::from_bytes(&body)
        .map_err(|e| ApiError::bad_request("invalid_request", format!("form body: {e}")))?;
    if req.grant_type != "client_credentials" {
        return Err(ApiError::bad_request("unsupported_grant_type", "only client_credentials is supported here"));
    }
    let basic = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic ").or_else(|| v.strip_prefix("basic ")))
        .and_then(|b| data_encoding::BASE64.decode(b.trim().as_bytes()).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.split_once(':').map(|(a, b)| (a.to_string(), b.to_string())));
    let (id, secret) = match (basic, req.client_id, req.client_secret) {
        (Some(pair), _, _) => pair,
        (None, Some(id), Some(secret)) => (id, secret),
        _ => return Err(invalid_client()),
    };
    let key = state.store.key_by_prefix(&id).await?.filter(|k| k.kind == KeyKind::Client).ok_or_else(invalid_client)?;
    if !secret_matches(&secret, &key.secret_hash) || key.revoked_at.is_some() {
        state.audit(Some(key.user_id), "oauth_client_failed", ip.as_deref(), &key.prefix).await?;
        return Err(invalid_client());
    }
    let user = state.store.user_by_id(key.user_id).await?.ok_or_else(invalid_client)?;
    let scopes = match req.scope.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(asked) => {
            let asked = Scope::parse_list(asked).map_err(|e| ApiError::bad_request("invalid_scope", e.to_string()))?;
            if let Some(s) = asked.iter().find(|s| !key.scopes.contains(s)) {
                return Err(ApiError::bad_request(
                    "invalid_scope",
                    format!("the client does not hold `{}`", s.as_str()),
                ));
            }
            asked
        }
        None => key.scopes.clone(),
    };
    state.store.touch_key(key.id).await?;
    let scope = Scope::join(&scopes);
    let (access_token, expires_in) = state
        .tokens
        .issue_scoped(user.id, user.role, user.token_version, &format!("client:{}", key.id), Some(scope.clone()))
        .map_err(|e| ApiError::internal(e.to_string()))?;
    let mut res = axum::Json(ClientToken { access_token, token_type: "Bearer", expires_in, scope }).into_response();
    res.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    Ok(res)
}

//! Personal API keys and OAuth2 client credentials (RFC 6749 §4.4) for
//! integrators. Secrets are shown once and stored as hashes; a key or client
//! acts for the user who made it, in their organisation, with its scopes.
//! The token endpoint shares the credential endpoints' per-address limit.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::routing::{delete, get, post};
use chrono::{DateTime, Utc};
use scout_domain::ErrorCode;
use scout_domain::org::Scope;
use scout_store::KeyKind;
use serde::{Deserialize, Serialize};

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ClientIp, Json};
use crate::state::AppState;

pub fn router(state: AppState) -> Router<AppState> {
    let token = Router::new()
        .route("/v1/oauth/token", post(token))
        .route_layer(axum::middleware::from_fn_with_state(state, super::limit_per_ip))
        .layer(axum::middleware::map_response(super::no_store));
    Router::new()
        .merge(token)
        .route("/v1/keys", get(list_keys).post(create_key))
        .route("/v1/keys/{id}", delete(revoke_key))
        .route("/v1/oauth/clients", post(create_client))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewKeyRequest {
    pub name: String,
    /// Scopes: `search`, `lists:read`, `lists:write`, `campaigns:read`, `campaigns:write`, `payments:read`, `payments:write`, `profiles:write` (admins).
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

impl From<scout_app::credentials::CreatedKey> for CreatedKey {
    fn from(c: scout_app::credentials::CreatedKey) -> Self {
        CreatedKey { key: c.key.into(), secret: c.secret }
    }
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
    let created = state.app.create_key(&user, KeyKind::Key, &req.name, &req.scopes, ip.as_deref()).await?;
    Ok((StatusCode::CREATED, axum::Json(created.into())))
}

/// The caller's keys and clients (never their secrets).
#[utoipa::path(get, path = "/v1/keys", tag = "keys", security(("bearer" = [])),
    responses((status = 200, body = KeyList)))]
pub async fn list_keys(State(state): State<AppState>, user: AuthUser) -> ApiResult<axum::Json<KeyList>> {
    let keys = state.app.keys(&user).await?.into_iter().map(Into::into).collect();
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
    state.app.revoke_key(&user, id, ip.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Registers an OAuth2 client for the client-credentials grant. The
/// `client_secret` is shown once.
#[utoipa::path(post, path = "/v1/oauth/clients", tag = "keys", operation_id = "create_oauth_client", security(("bearer" = [])), request_body = NewKeyRequest,
    responses((status = 201, body = CreatedKey), (status = 403, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn create_client(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: AuthUser,
    Json(req): Json<NewKeyRequest>,
) -> ApiResult<(StatusCode, axum::Json<CreatedKey>)> {
    let created = state.app.create_key(&user, KeyKind::Client, &req.name, &req.scopes, ip.as_deref()).await?;
    Ok((StatusCode::CREATED, axum::Json(created.into())))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TokenRequest {
    /// Must be `client_credentials`.
    #[schema(pattern = "^client_credentials$")]
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
    ApiError::new(ErrorCode::InvalidClient, "unknown client or wrong secret")
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
            let status = if e.code == ErrorCode::InvalidClient {
                axum::http::StatusCode::UNAUTHORIZED
            } else {
                axum::http::StatusCode::BAD_REQUEST
            };
            let mut res =
                (status, axum::Json(OAuthError { error: e.code.as_str().into(), error_description: e.detail }))
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

/// The error codes RFC 6749 §5.2 defines for the token endpoint
/// (`invalid_grant` cannot happen with client credentials).
const OAUTH_ERRORS: [ErrorCode; 5] = [
    ErrorCode::InvalidRequest,
    ErrorCode::InvalidClient,
    ErrorCode::UnauthorizedClient,
    ErrorCode::UnsupportedGrantType,
    ErrorCode::InvalidScope,
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
        .map_err(|e| ApiError::new(ErrorCode::InvalidRequest, format!("form body: {e}")))?;
    if req.grant_type != "client_credentials" {
        return Err(ApiError::new(ErrorCode::UnsupportedGrantType, "only client_credentials is supported here"));
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
    let token = state.app.client_token(&id, &secret, req.scope.as_deref(), ip.as_deref()).await?;
    let body = ClientToken {
        access_token: token.access_token,
        token_type: "Bearer",
        expires_in: token.expires_in,
        scope: token.scope,
    };
    let mut res = axum::Json(body).into_response();
    res.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    Ok(res)
}

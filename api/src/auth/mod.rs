//! Authentication and authorisation: password hashing, access and refresh
//! tokens, API keys, and the extractors every protected handler takes:
//! [`AuthUser`] (who is calling, and with which scopes) and [`OrgContext`]
//! (for which organisation, with which role).
//!
//! Three kinds of bearer credential are accepted: a login session's JWT, a
//! JWT issued to an OAuth2 client (`sid` = `client:<id>`, with a `scope`
//! claim), and a personal API key (`sk_<prefix>_<secret>`). Keys and clients
//! hold only the scopes they were given, never more than their owner's role
//! allows. Platform admins must turn on two-factor authentication before
//! their session can do anything but set it up.

pub mod password;
pub mod sealed;
pub mod tokens;
pub mod totp;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use scout_domain::ErrorKind;
use scout_domain::account::Role;
use scout_domain::org::{OrgId, OrgRole, Scope};
use scout_store::{KeyKind, Organisation};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use tokens::TokenError;

/// How the caller authenticated.
#[derive(Debug, Clone, PartialEq)]
pub enum Via {
    /// A login session (refresh-token family).
    Session(String),
    /// A personal API key or an OAuth2 client, with its scopes and organisation.
    Key { id: i64, scopes: Vec<Scope>, org: Option<OrgId> },
}

/// The authenticated caller of a request, with the account as stored (read
/// once here, so handlers need not read it again).
#[derive(Debug, Clone, PartialEq)]
pub struct AuthUser {
    pub account: scout_store::User,
    pub via: Via,
}

impl AuthUser {
    pub fn id(&self) -> i64 {
        self.account.id
    }

    pub fn role(&self) -> Role {
        self.account.role
    }

    /// The login session, when the caller used one.
    pub fn session(&self) -> Option<&str> {
        match &self.via {
            Via::Session(s) => Some(s),
            Via::Key { .. } => None,
        }
    }

    /// Whether the caller holds `scope`: the account's role must allow it,
    /// and a key or client must have been given it.
    pub fn has(&self, scope: Scope) -> bool {
        scope.allowed_for(self.role())
            && match &self.via {
                Via::Session(_) => true,
                Via::Key { scopes, .. } => scopes.contains(&scope),
            }
    }

    /// 403 unless the caller holds `scope`.
    pub fn require(&self, scope: Scope) -> ApiResult<()> {
        if self.has(scope) {
            return Ok(());
        }
        Err(ApiError::forbidden(
            "insufficient_scope",
            format!("this needs the `{}` scope, which this account or credential does not hold", scope.as_str()),
        ))
    }

    /// 403 unless the caller is a platform admin (in a session or with a key).
    pub fn require_platform_admin(&self) -> ApiResult<()> {
        if self.role() == Role::Admin {
            return Ok(());
        }
        Err(ApiError::forbidden("forbidden", "only platform administrators may do this"))
    }

    /// 400 unless the caller used a login session (key management, logout).
    pub fn require_session(&self) -> ApiResult<&str> {
        self.session()
            .ok_or_else(|| ApiError::forbidden("session_required", "this needs a login session, not an API key"))
    }
}

fn invalid() -> ApiError {
    ApiError::unauthorized("invalid_token", "the access token is not valid")
}

/// Paths an admin without two-factor authentication may still call.
fn allowed_before_two_factor(path: &str) -> bool {
    path == "/v1/auth/me" || path == "/v1/auth/logout" || path.starts_with("/v1/auth/2fa/")
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(user) = parts.extensions.get::<AuthUser>() {
            return Ok(user.clone());
        }
        let header = parts.headers.get(AUTHORIZATION).ok_or_else(|| {
            ApiError::unauthorized("missing_token", "send an access token: Authorization: Bearer <token>")
        })?;
        let value = header.to_str().map_err(|_| invalid())?;
        let token = match value.split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
            _ => {
                return Err(ApiError::unauthorized(
                    "missing_token",
                    "send an access token: Authorization: Bearer <token>",
                ));
            }
        };
        let user = if token.starts_with(keys::KEY_PREFIX) {
            keys::authenticate_key(state, token).await?
        } else {
            authenticate_jwt(state, token).await?
        };
        // One budget per account, whichever of its sessions, keys or clients calls.
        if let Some(limiter) = &state.limits.per_account
            && let Err(wait) = limiter.check(&user.id().to_string()).await
        {
            return Err(ApiError::too_many(
                "account_rate_limited",
                "too many requests for this account; retry later",
                wait,
            ));
        }
        if user.role() == Role::Admin
            && user.account.totp_secret.is_none()
            && !allowed_before_two_factor(parts.uri.path())
        {
            return Err(ApiError::forbidden(
                "two_factor_required",
                "administrators must turn on two-factor authentication first (POST /v1/auth/2fa/setup)",
            ));
        }
        parts.extensions.insert(user.clone());
        Ok(user)
    }
}

async fn authenticate_jwt(state: &AppState, token: &str) -> ApiResult<AuthUser> {
    let claims = state.tokens.verify(token).map_err(|e| match e {
        TokenError::Expired => ApiError::unauthorized("token_expired", "the access token has expired; refresh it"),
        TokenError::Invalid => invalid(),
    })?;
    let id: i64 = claims.sub.parse().map_err(|_| invalid())?;
    let user = state.store.user_by_id(id).await?.ok_or_else(invalid)?;
    let revoked = || ApiError::unauthorized("token_revoked", "the session has ended; log in again");
    if user.token_version != claims.tv {
        return Err(revoked());
    }
    if let Some(client) = claims.sid.strip_prefix("client:") {
        // A client's token: the client must still exist, be this user's and live.
        let client_id: i64 = client.parse().map_err(|_| invalid())?;
        let key = state.store.key_by_id(client_id).await?.ok_or_else(invalid)?;
        if key.kind != KeyKind::Client || key.user_id != user.id || key.revoked_at.is_some() {
            return Err(revoked());
        }
        let granted = Scope::parse_list(claims.scope.as_deref().unwrap_or_default()).map_err(|_| invalid())?;
        let scopes = granted.into_iter().filter(|s| key.scopes.contains(s)).collect();
        return Ok(AuthUser { account: user, via: Via::Key { id: key.id, scopes, org: key.org_id } });
    }
    if !state.store.session_active(&claims.sid).await? {
        return Err(revoked());
    }
    Ok(AuthUser { account: user, via: Via::Session(claims.sid) })
}

pub mod keys {
    //! Personal API keys: `sk_<prefix>_<secret>`, the prefix finds the key,
    //! the secret is compared (in constant time) with its stored hash.

    use subtle::ConstantTimeEq;

    use super::{AuthUser, Via, invalid};
    use crate::error::ApiResult;
    use crate::state::AppState;

    pub const KEY_PREFIX: &str = "sk_";

    /// Whether `secret` matches `stored_hash`, in constant time.
    pub fn secret_matches(secret: &str, stored_hash: &str) -> bool {
        super::tokens::token_hash(secret).as_bytes().ct_eq(stored_hash.as_bytes()).into()
    }

    pub(super) async fn authenticate_key(state: &AppState, token: &str) -> ApiResult<AuthUser> {
        let rest = token.strip_prefix(KEY_PREFIX).ok_or_else(invalid)?;
        let (prefix, secret) = rest.split_once('_').ok_or_else(invalid)?;
        let key = state.store.key_by_prefix(&format!("{KEY_PREFIX}{prefix}")).await?.ok_or_else(invalid)?;
        if key.kind != scout_store::KeyKind::Key || !secret_matches(secret, &key.secret_hash) {
            return Err(invalid());
        }
        if key.revoked_at.is_some() {
            return Err(crate::error::ApiError::unauthorized("key_revoked", "this API key has been revoked"));
        }
        let account = state.store.user_by_id(key.user_id).await?.ok_or_else(invalid)?;
        state.store.touch_key(key.id).await?;
        Ok(AuthUser { account, via: Via::Key { id: key.id, scopes: key.scopes, org: key.org_id } })
    }
}

/// The organisation a request acts for, and the caller's role in it.
///
/// The organisation is the one named by the `X-Scout-Org` header, or else the
/// caller's own (their first membership); a key is bound to its organisation.
/// The caller must be a member, or a member of an agency the organisation
/// granted access to (then with at most what the grant allows). An
/// organisation the caller cannot act for is reported as not found, so ids
/// cannot be probed.
#[derive(Debug, Clone)]
pub struct OrgContext {
    pub user: AuthUser,
    pub org: Organisation,
    pub role: OrgRole,
    /// True when acting for a client brand through an agency.
    pub through_agency: bool,
}

pub const ORG_HEADER: &str = "x-scout-org";

impl OrgContext {
    /// The store seen from this organisation.
    pub fn tenant<'a>(&self, state: &'a AppState) -> scout_store::Tenant<'a> {
        state.store.tenant(self.org.id)
    }

    /// 403 unless the role may change the organisation's data and the
    /// credential holds `scope`.
    pub fn require_write(&self, scope: Scope) -> ApiResult<()> {
        self.user.require(scope)?;
        if !self.role.can_write() {
            return Err(ApiError::forbidden(
                "forbidden",
                format!("a {} of this organisation may not change it", self.role.as_str()),
            ));
        }
        Ok(())
    }

    /// 403 unless the role administers the organisation (members, keys, audit).
    pub fn require_admin(&self) -> ApiResult<()> {
        if !self.role.can_administer() || self.through_agency || matches!(self.user.via, Via::Key { .. }) {
            return Err(ApiError::forbidden(
                "forbidden",
                "only the organisation's owners and admins, in a login session, may do this",
            ));
        }
        Ok(())
    }
}

fn org_not_found() -> ApiError {
    ApiError::new(ErrorKind::NotFound, "organisation_not_found", "no such organisation for this account")
}

impl FromRequestParts<AppState> for OrgContext {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let user = AuthUser::from_request_parts(parts, state).await?;
        let named: Option<OrgId> =
            match parts.headers.get(ORG_HEADER) {
                Some(v) => Some(v.to_str().ok().and_then(|s| s.trim().parse().ok()).ok_or_else(|| {
                    ApiError::bad_request("bad_parameter", "X-Scout-Org: must be an organisation id")
                })?),
                None => None,
            };
        let bound = match &user.via {
            Via::Key { org, .. } => *org,
            Via::Session(_) => None,
        };
        let wanted = match (named, bound) {
            (Some(n), Some(b)) if n != b => return Err(org_not_found()),
            (Some(n), _) | (None, Some(n)) => Some(n),
            (None, None) => None,
        };
        // One read answers the common case (the caller's own organisation, with role).
        let memberships = state.store.memberships_of(user.id()).await?;
        let own = match wanted {
            Some(id) => memberships.into_iter().find(|m| m.org.id == id),
            None => Some(memberships.into_iter().next().ok_or_else(|| {
                ApiError::forbidden("no_organisation", "this account belongs to no brand or agency organisation")
            })?),
        };
        if let Some(m) = own {
            return Ok(OrgContext { user, org: m.org, role: m.role, through_agency: false });
        }
        // Otherwise only as an agency working for this client.
        let org_id = wanted.ok_or_else(org_not_found)?;
        let (role, access) = state.store.agency_access(org_id, user.id()).await?.ok_or_else(org_not_found)?;
        let org = state.store.organisation(org_id).await?.ok_or_else(org_not_found)?;
        let (role, through_agency) = (role.through_agency(access), true);
        Ok(OrgContext { user, org, role, through_agency })
    }
}

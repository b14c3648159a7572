//! Who is calling and for which organisation: the [`Caller`] behind a bearer
//! credential and the [`Acting`] context of a tenant request, with the
//! checks every use case makes (scopes, roles, sessions). The HTTP layer only
//! reads the credential and the organisation header and hands them here.
//!
//! Three kinds of bearer credential are accepted: a login session's JWT, a
//! JWT issued to an OAuth2 client (`sid` = `client:<id>`, with a `scope`
//! claim), and a personal API key (`sk_<prefix>_<secret>`). Keys and clients
//! hold only the scopes they were given, never more than their owner's role
//! allows. Platform admins must turn on two-factor authentication before
//! their session can do anything but set it up.

use scout_domain::ErrorCode;
use scout_domain::account::Role;
use scout_domain::org::{OrgId, OrgRole, Scope};
use scout_store::{KeyKind, Organisation, Tenant};
use subtle::ConstantTimeEq;

use crate::Application;
use crate::error::{Error, Result};
use crate::security::tokens::{TokenError, token_hash};

/// The public prefix of a personal API key.
pub const KEY_PREFIX: &str = "sk_";

/// How the caller authenticated.
#[derive(Debug, Clone, PartialEq)]
pub enum Via {
    /// A login session (refresh-token family).
    Session(String),
    /// A personal API key or an OAuth2 client, with its scopes and organisation.
    Key { id: i64, scopes: Vec<Scope>, org: Option<OrgId> },
}

/// The authenticated caller, with the account as stored (read once, so use
/// cases need not read it again).
#[derive(Debug, Clone, PartialEq)]
pub struct Caller {
    pub account: scout_store::User,
    pub via: Via,
}

impl Caller {
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

    /// Refused unless the caller holds `scope`.
    pub fn require(&self, scope: Scope) -> Result<()> {
        if self.has(scope) {
            return Ok(());
        }
        Err(Error::refused(
            ErrorCode::InsufficientScope,
            format!("this needs the `{}` scope, which this account or credential does not hold", scope.as_str()),
        ))
    }

    /// Refused unless the caller is a platform admin (in a session or with a key).
    pub fn require_platform_admin(&self) -> Result<()> {
        if self.role() == Role::Admin {
            return Ok(());
        }
        Err(Error::refused(ErrorCode::Forbidden, "only platform administrators may do this"))
    }

    /// Refused unless the caller used a login session (key management, logout).
    pub fn require_session(&self) -> Result<&str> {
        self.session()
            .ok_or_else(|| Error::refused(ErrorCode::SessionRequired, "this needs a login session, not an API key"))
    }

    /// Refused unless the caller is a creator in a login session.
    pub fn require_influencer(&self) -> Result<()> {
        self.require_session()?;
        if self.role() != Role::Influencer {
            return Err(Error::refused(ErrorCode::Forbidden, "only creator accounts claim profiles"));
        }
        Ok(())
    }
}

fn invalid() -> Error {
    Error::refused(ErrorCode::InvalidToken, "the access token is not valid")
}

/// Paths an admin without two-factor authentication may still call.
fn allowed_before_two_factor(path: &str) -> bool {
    path == "/v1/auth/me" || path == "/v1/auth/logout" || path.starts_with("/v1/auth/2fa/")
}

/// The organisation a request acts for, and the caller's role in it.
///
/// The organisation is the one named by the request (the `X-Scout-Org`
/// header), or else the caller's own (their first membership); a key is
/// bound to its organisation. The caller must be a member, or a member of an
/// agency the organisation granted access to (then with at most what the
/// grant allows). An organisation the caller cannot act for is reported as
/// not found, so ids cannot be probed.
#[derive(Debug, Clone)]
pub struct Acting {
    pub caller: Caller,
    pub org: Organisation,
    pub role: OrgRole,
    /// True when acting for a client brand through an agency.
    pub through_agency: bool,
}

impl Acting {
    /// Refused unless the role may change the organisation's data and the
    /// credential holds `scope`.
    pub fn require_write(&self, scope: Scope) -> Result<()> {
        self.caller.require(scope)?;
        if !self.role.can_write() {
            return Err(Error::refused(
                ErrorCode::Forbidden,
                format!("a {} of this organisation may not change it", self.role.as_str()),
            ));
        }
        Ok(())
    }

    /// Refused unless the role administers the organisation (members, keys, audit).
    pub fn require_admin(&self) -> Result<()> {
        if !self.role.can_administer() || self.through_agency || matches!(self.caller.via, Via::Key { .. }) {
            return Err(Error::refused(
                ErrorCode::Forbidden,
                "only the organisation's owners and admins, in a login session, may do this",
            ));
        }
        Ok(())
    }
}

fn org_not_found() -> Error {
    Error::refused(ErrorCode::OrganisationNotFound, "no such organisation for this account")
}

impl Application {
    /// The caller behind a bearer token (`path` is the request's, for the
    /// admins-without-2FA rule), after the per-account rate limit.
    ///
    /// The rate limit is checked as soon as the credential names its account
    /// (a JWT's verified subject, a key's matched secret) and before any
    /// other database work, so an account flooding past its budget costs one
    /// signature check (or one key read) per refused request.
    pub async fn authenticate(&self, token: &str, path: &str) -> Result<Caller> {
        let caller = if token.starts_with(KEY_PREFIX) {
            self.authenticate_key(token).await?
        } else {
            self.authenticate_jwt(token).await?
        };
        if caller.role() == Role::Admin && caller.account.totp_secret.is_none() && !allowed_before_two_factor(path) {
            return Err(Error::refused(
                ErrorCode::TwoFactorRequired,
                "administrators must turn on two-factor authentication first (POST /v1/auth/2fa/setup)",
            ));
        }
        Ok(caller)
    }

    async fn authenticate_jwt(&self, token: &str) -> Result<Caller> {
        let claims = self.tokens.verify(token).map_err(|e| match e {
            TokenError::Expired => Error::refused(ErrorCode::TokenExpired, "the access token has expired; refresh it"),
            TokenError::Invalid => invalid(),
        })?;
        let id: i64 = claims.sub.parse().map_err(|_| invalid())?;
        self.within_account_budget(id).await?;
        let user = self.store.identity().user_by_id(id).await?.ok_or_else(invalid)?;
        let revoked = || Error::refused(ErrorCode::TokenRevoked, "the session has ended; log in again");
        if user.token_version != claims.tv {
            return Err(revoked());
        }
        if let Some(client) = claims.sid.strip_prefix("client:") {
            // A client's token: the client must still exist, be this user's and live.
            let client_id: i64 = client.parse().map_err(|_| invalid())?;
            let key = self.store.identity().key_by_id(client_id).await?.ok_or_else(invalid)?;
            if key.kind != KeyKind::Client || key.user_id != user.id || key.revoked_at.is_some() {
                return Err(revoked());
            }
            let granted = Scope::parse_list(claims.scope.as_deref().unwrap_or_default()).map_err(|_| invalid())?;
            let scopes = granted.into_iter().filter(|s| key.scopes.contains(s)).collect();
            return Ok(Caller { account: user, via: Via::Key { id: key.id, scopes, org: key.org_id } });
        }
        if !self.store.identity().session_active(&claims.sid).await? {
            return Err(revoked());
        }
        Ok(Caller { account: user, via: Via::Session(claims.sid) })
    }

    /// One budget per account, whichever of its sessions, keys or clients calls.
    async fn within_account_budget(&self, account: i64) -> Result<()> {
        if let Some(limiter) = &self.limits.per_account
            && let Err(wait) = limiter.check(&account.to_string()).await
        {
            self.limits.tarpit.refused(account).await;
            return Err(Error::retry_after(
                ErrorCode::AccountRateLimited,
                "too many requests for this account; retry later",
                wait,
            ));
        }
        Ok(())
    }

    /// A personal API key: `sk_<prefix>_<secret>`, the prefix finds the key,
    /// the secret is compared (in constant time) with its stored hash.
    async fn authenticate_key(&self, token: &str) -> Result<Caller> {
        let rest = token.strip_prefix(KEY_PREFIX).ok_or_else(invalid)?;
        let (prefix, secret) = rest.split_once('_').ok_or_else(invalid)?;
        let key = self.store.identity().key_by_prefix(&format!("{KEY_PREFIX}{prefix}")).await?.ok_or_else(invalid)?;
        if key.kind != KeyKind::Key || !secret_matches(secret, &key.secret_hash) {
            return Err(invalid());
        }
        if key.revoked_at.is_some() {
            return Err(Error::refused(ErrorCode::KeyRevoked, "this API key has been revoked"));
        }
        self.within_account_budget(key.user_id).await?;
        let account = self.store.identity().user_by_id(key.user_id).await?.ok_or_else(invalid)?;
        self.store.identity().touch_key(key.id).await?;
        Ok(Caller { account, via: Via::Key { id: key.id, scopes: key.scopes, org: key.org_id } })
    }

    /// The organisation `caller` acts for: `named` (the request's choice) or
    /// their own, with their role there (see [`Acting`]).
    pub async fn acting_for(&self, caller: Caller, named: Option<OrgId>) -> Result<Acting> {
        let bound = match &caller.via {
            Via::Key { org, .. } => *org,
            Via::Session(_) => None,
        };
        let wanted = match (named, bound) {
            (Some(n), Some(b)) if n != b => return Err(org_not_found()),
            (Some(n), _) | (None, Some(n)) => Some(n),
            (None, None) => None,
        };
        // One read answers the common case (the caller's own organisation, with role).
        let memberships = self.store.orgs().memberships_of(caller.id()).await?;
        let own = match wanted {
            Some(id) => memberships.into_iter().find(|m| m.org.id == id),
            None => Some(memberships.into_iter().next().ok_or_else(|| {
                Error::refused(ErrorCode::NoOrganisation, "this account belongs to no brand or agency organisation")
            })?),
        };
        if let Some(m) = own {
            return Ok(Acting { caller, org: m.org, role: m.role, through_agency: false });
        }
        // Otherwise only as an agency working for this client.
        let org_id = wanted.ok_or_else(org_not_found)?;
        let (role, access) = self.store.orgs().agency_access(org_id, caller.id()).await?.ok_or_else(org_not_found)?;
        let org = self.store.orgs().organisation(org_id).await?.ok_or_else(org_not_found)?;
        Ok(Acting { caller, org, role: role.through_agency(access), through_agency: true })
    }

    /// The store seen from the acting organisation: every statement carries its id.
    pub(crate) fn tenant(&self, acting: &Acting) -> Tenant<'_> {
        self.store.tenant(acting.org.id)
    }
}

/// Whether `secret` matches `stored_hash`, in constant time.
pub fn secret_matches(secret: &str, stored_hash: &str) -> bool {
    token_hash(secret).as_bytes().ct_eq(stored_hash.as_bytes()).into()
}

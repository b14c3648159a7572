//! Personal API keys and OAuth2 client credentials (RFC 6749 §4.4) for
//! integrators. Secrets are shown once and stored as hashes; a key or client
//! acts for the user who made it, in their organisation, with its scopes.

use scout_domain::org::{OrgId, Scope};
use scout_domain::{AuditKind, ErrorCode};
use scout_store::{ApiKey, KeyKind, NewKey};

use crate::Application;
use crate::access::{Caller, KEY_PREFIX, secret_matches};
use crate::error::{Error, Internal, Result};
use crate::security::tokens::token_hash;

/// A key or client just made, with the secret shown only now.
#[derive(Debug, Clone)]
pub struct CreatedKey {
    pub key: ApiKey,
    /// The whole key (`sk_<prefix>_<secret>`), or a client's secret.
    pub secret: String,
}

/// An access token minted for an OAuth2 client.
#[derive(Debug, Clone)]
pub struct ClientToken {
    pub access_token: String,
    pub expires_in: i64,
    /// The scopes granted, space-separated.
    pub scope: String,
}

fn invalid_client() -> Error {
    Error::refused(ErrorCode::InvalidClient, "unknown client or wrong secret")
}

/// Checks requested scopes against the caller's role.
fn scopes_for(caller: &Caller, raw: &[String]) -> Result<Vec<Scope>> {
    let scopes = Scope::parse_list(&raw.join(" "))?;
    if scopes.is_empty() {
        return Err(Error::refused(ErrorCode::InvalidScope, "name at least one scope"));
    }
    if let Some(s) = scopes.iter().find(|s| !s.allowed_for(caller.role())) {
        return Err(Error::refused(
            ErrorCode::ScopeNotAllowed,
            format!("a {} account may not hold the `{}` scope", caller.role().as_str(), s.as_str()),
        ));
    }
    Ok(scopes)
}

impl Application {
    /// The organisation a key is bound to and its events are audited in: the
    /// caller's own (first) one, if any.
    async fn home_org(&self, caller: &Caller) -> Result<Option<OrgId>> {
        Ok(self.store.orgs().memberships_of(caller.id()).await?.first().map(|m| m.org.id))
    }

    /// Makes a personal API key or an OAuth2 client (from a login session).
    pub async fn create_key(
        &self,
        caller: &Caller,
        kind: KeyKind,
        name: &str,
        scopes: &[String],
        ip: Option<&str>,
    ) -> Result<CreatedKey> {
        caller.require_session()?;
        let name = scout_domain::org::parse_list_name(name)?;
        let scopes = scopes_for(caller, scopes)?;
        let org = self.home_org(caller).await?;
        let random = |n| self.tokens.random_token(n).internal("drawing a key");
        let public = match kind {
            KeyKind::Key => format!("{KEY_PREFIX}{}", random(8)?),
            KeyKind::Client => format!("client_{}", random(8)?),
        };
        let secret = random(32)?;
        let key = self
            .store
            .identity()
            .create_key(NewKey {
                user_id: caller.id(),
                org_id: org,
                kind,
                name: &name,
                prefix: &public,
                secret_hash: &token_hash(&secret),
                scopes: &scopes,
            })
            .await?;
        let event = if kind == KeyKind::Key { AuditKind::ApiKeyCreated } else { AuditKind::OauthClientCreated };
        let detail = format!("{} ({}) scopes: {}", key.prefix, key.name, Scope::join(&key.scopes));
        self.audit_org(org, Some(caller.id()), event, ip, &detail).await?;
        let secret = match kind {
            KeyKind::Key => format!("{public}_{secret}"),
            KeyKind::Client => secret,
        };
        Ok(CreatedKey { key, secret })
    }

    /// The caller's keys and clients (never their secrets).
    pub async fn keys(&self, caller: &Caller) -> Result<Vec<ApiKey>> {
        Ok(self.store.identity().keys_of(caller.id()).await?)
    }

    /// Revokes one of the caller's keys or clients; it stops working at once.
    pub async fn revoke_key(&self, caller: &Caller, id: i64, ip: Option<&str>) -> Result<()> {
        if !self.store.identity().revoke_key(caller.id(), id).await? {
            return Err(Error::refused(ErrorCode::KeyNotFound, "no such live key of this account"));
        }
        let org = self.home_org(caller).await?;
        self.audit_org(org, Some(caller.id()), AuditKind::ApiKeyRevoked, ip, &format!("key {id}")).await
    }

    /// The client-credentials grant: a 15-minute token for the client, with
    /// the scopes asked for (a subset of the client's; all of them by default).
    pub async fn client_token(
        &self,
        client_id: &str,
        secret: &str,
        scope: Option<&str>,
        ip: Option<&str>,
    ) -> Result<ClientToken> {
        let key = self
            .store
            .identity()
            .key_by_prefix(client_id)
            .await?
            .filter(|k| k.kind == KeyKind::Client)
            .ok_or_else(invalid_client)?;
        if !secret_matches(secret, &key.secret_hash) || key.revoked_at.is_some() {
            self.audit(Some(key.user_id), AuditKind::OauthClientFailed, ip, &key.prefix).await?;
            return Err(invalid_client());
        }
        let user = self.store.identity().user_by_id(key.user_id).await?.ok_or_else(invalid_client)?;
        let scopes = match scope.map(str::trim).filter(|s| !s.is_empty()) {
            Some(asked) => {
                let asked =
                    Scope::parse_list(asked).map_err(|e| Error::refused(ErrorCode::InvalidScope, e.to_string()))?;
                if let Some(s) = asked.iter().find(|s| !key.scopes.contains(s)) {
                    return Err(Error::refused(
                        ErrorCode::InvalidScope,
                        format!("the client does not hold `{}`", s.as_str()),
                    ));
                }
                asked
            }
            None => key.scopes.clone(),
        };
        self.store.identity().touch_key(key.id).await?;
        let scope = Scope::join(&scopes);
        let (access_token, expires_in) = self
            .tokens
            .issue_scoped(user.id, user.role, user.token_version, &format!("client:{}", key.id), Some(scope.clone()))
            .internal("signing a client token")?;
        Ok(ClientToken { access_token, expires_in, scope })
    }
}

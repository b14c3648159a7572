//! Personal API keys and OAuth2 clients.
//!
//! Both are a (prefix, secret) pair: the prefix is public and finds the row,
//! the secret is kept only as its BLAKE3 hash (it is 256 random bits, so a
//! fast hash is enough; a slow one would only slow every request). A key acts
//! for the user who made it, inside one organisation, with its scopes.

use chrono::{DateTime, Utc};
use scout_domain::org::{OrgId, Scope};

use crate::error::{Doing, Error, Result};
use crate::{Backend, Identity, UserId};

/// Whether a credential is a personal API key or an OAuth2 client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Key,
    Client,
}

impl KeyKind {
    fn as_str(self) -> &'static str {
        match self {
            KeyKind::Key => "key",
            KeyKind::Client => "client",
        }
    }
}

/// A stored key (never its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub id: i64,
    pub user_id: UserId,
    pub org_id: Option<OrgId>,
    pub kind: KeyKind,
    pub name: String,
    /// Public part: `sk_…` for keys, the `client_id` for clients.
    pub prefix: String,
    pub secret_hash: String,
    pub scopes: Vec<Scope>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct KeyRow {
    id: i64,
    user_id: i64,
    org_id: Option<i64>,
    kind: String,
    name: String,
    prefix: String,
    secret_hash: String,
    scopes: String,
    created_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

impl KeyRow {
    fn into_key(self) -> Result<ApiKey> {
        let corrupt = |m: String| Error::CorruptRecord { table: "api_keys", message: m };
        Ok(ApiKey {
            id: self.id,
            user_id: self.user_id,
            org_id: self.org_id,
            kind: if self.kind == "client" { KeyKind::Client } else { KeyKind::Key },
            name: self.name,
            prefix: self.prefix,
            secret_hash: self.secret_hash,
            scopes: Scope::parse_list(&self.scopes).map_err(|e| corrupt(e.to_string()))?,
            created_at: self.created_at,
            last_used_at: self.last_used_at,
            revoked_at: self.revoked_at,
        })
    }
}

const KEY_COLUMNS: &str =
    "id, user_id, org_id, kind, name, prefix, secret_hash, scopes, created_at, last_used_at, revoked_at";

/// A new key's fields.
#[derive(Debug, Clone)]
pub struct NewKey<'a> {
    pub user_id: UserId,
    pub org_id: Option<OrgId>,
    pub kind: KeyKind,
    pub name: &'a str,
    pub prefix: &'a str,
    pub secret_hash: &'a str,
    pub scopes: &'a [Scope],
}

impl Identity<'_> {
    pub async fn create_key(&self, new: NewKey<'_>) -> Result<ApiKey> {
        let sql = format!(
            "INSERT INTO api_keys (user_id, org_id, kind, name, prefix, secret_hash, scopes, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {KEY_COLUMNS}"
        );
        with_pool!(self.store, |p| sqlx::query_as::<_, KeyRow>(&sql)
            .bind(new.user_id)
            .bind(new.org_id)
            .bind(new.kind.as_str())
            .bind(new.name)
            .bind(new.prefix)
            .bind(new.secret_hash)
            .bind(Scope::join(new.scopes))
            .bind(Utc::now())
            .fetch_one(p)
            .await)
        .doing("creating a key")?
        .into_key()
    }

    /// A key by its public prefix (revoked ones too: the caller checks).
    pub async fn key_by_prefix(&self, prefix: &str) -> Result<Option<ApiKey>> {
        let sql = format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE prefix = $1");
        with_pool!(self.store, |p| sqlx::query_as::<_, KeyRow>(&sql).bind(prefix).fetch_optional(p).await)
            .doing("reading a key")?
            .map(KeyRow::into_key)
            .transpose()
    }

    pub async fn key_by_id(&self, id: i64) -> Result<Option<ApiKey>> {
        let sql = format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE id = $1");
        with_pool!(self.store, |p| sqlx::query_as::<_, KeyRow>(&sql).bind(id).fetch_optional(p).await)
            .doing("reading a key")?
            .map(KeyRow::into_key)
            .transpose()
    }

    /// A user's keys and clients, newest first.
    pub async fn keys_of(&self, user: UserId) -> Result<Vec<ApiKey>> {
        let sql = format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE user_id = $1 ORDER BY id DESC");
        with_pool!(self.store, |p| sqlx::query_as::<_, KeyRow>(&sql).bind(user).fetch_all(p).await)
            .doing("listing keys")?
            .into_iter()
            .map(KeyRow::into_key)
            .collect()
    }

    /// Records a use; at most once a minute per key, so busy keys do not write
    /// on every request.
    pub async fn touch_key(&self, id: i64) -> Result<()> {
        let now = Utc::now();
        let stale = now - chrono::Duration::seconds(60);
        with_pool!(self.store, |p| sqlx::query(
            "UPDATE api_keys SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)"
        )
        .bind(now)
        .bind(id)
        .bind(stale)
        .execute(p)
        .await
        .map(|_| ()))
        .doing("recording a key's use")
    }

    /// Revokes one of a user's keys; false when the user has no such live key.
    pub async fn revoke_key(&self, user: UserId, id: i64) -> Result<bool> {
        with_pool!(self.store, |p| sqlx::query(
            "UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL"
        )
        .bind(Utc::now())
        .bind(id)
        .bind(user)
        .execute(p)
        .await
        .map(|r| r.rows_affected() == 1))
        .doing("revoking a key")
    }
}

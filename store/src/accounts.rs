//! Users and their refresh tokens.
//!
//! Refresh tokens are stored as hashes only. Each login starts a *family*;
//! every refresh spends the presented token and issues the next one of the same
//! family. Presenting a spent token again means it was stolen (or replayed), so
//! the whole family is revoked (RFC 9700 §4.14.2, refresh token rotation).

use chrono::{DateTime, Utc};
use scout_domain::account::{Email, Role};

use crate::error::{Doing, Error, Result};
use crate::{Backend, Identity};

pub type UserId = i64;

/// A stored account.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: UserId,
    pub email: String,
    /// PHC string of the password hash (argon2id).
    pub password_hash: String,
    pub role: Role,
    pub name: String,
    /// Bumped to invalidate every access token issued before (logout, password change).
    pub token_version: i64,
    pub created_at: DateTime<Utc>,
    /// Base32 TOTP secret once two-factor authentication is on.
    pub totp_secret: Option<String>,
    /// A secret being set up, not yet confirmed with a code.
    pub totp_pending: Option<String>,
    /// The time step of the last TOTP code accepted (codes are single-use).
    pub totp_last_step: Option<i64>,
}

/// What spending a refresh token found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshSpend {
    /// Valid and now spent: issue the next token of `family` to `user_id`.
    Fresh {
        user_id: UserId,
        family: String,
    },
    /// Already spent once: the family has just been revoked.
    Reused {
        user_id: UserId,
        family: String,
    },
    Revoked,
    Expired,
    Unknown,
}

const USER_COLUMNS: &str =
    "id, email, password_hash, role, name, token_version, created_at, totp_secret, totp_pending, totp_last_step";

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    email: String,
    password_hash: String,
    role: String,
    name: String,
    token_version: i64,
    created_at: DateTime<Utc>,
    totp_secret: Option<String>,
    totp_pending: Option<String>,
    totp_last_step: Option<i64>,
}

/// Replaces an account's recovery codes inside the open transaction `$tx`
/// (a macro: the transaction's type differs per backend of `with_pool!`).
macro_rules! replace_codes {
    ($tx:ident, $user_id:expr, $hashes:expr) => {
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind($user_id)
            .execute(&mut *$tx)
            .await
            .doing("clearing recovery codes")?;
        for h in $hashes {
            sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                .bind($user_id)
                .bind(h)
                .execute(&mut *$tx)
                .await
                .doing("storing a recovery code")?;
        }
    };
}

impl UserRow {
    fn into_user(self) -> Result<User> {
        Ok(User {
            role: Role::parse(&self.role)
                .map_err(|e| Error::CorruptRecord { table: "users", message: e.to_string() })?,
            id: self.id,
            email: self.email,
            password_hash: self.password_hash,
            name: self.name,
            token_version: self.token_version,
            created_at: self.created_at,
            totp_secret: self.totp_secret,
            totp_pending: self.totp_pending,
            totp_last_step: self.totp_last_step,
        })
    }
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

impl Identity<'_> {
    /// Creates an account; [`Error::EmailTaken`] when the email already has one.
    pub async fn create_user(&self, email: &Email, password_hash: &str, role: Role, name: &str) -> Result<User> {
        let sql = format!(
            "INSERT INTO users (email, password_hash, role, name, created_at) VALUES ($1, $2, $3, $4, $5)
             RETURNING {USER_COLUMNS}"
        );
        let now = Utc::now();
        let result = with_pool!(self.store, |p| sqlx::query_as::<_, UserRow>(&sql)
            .bind(email.as_str())
            .bind(password_hash)
            .bind(role.as_str())
            .bind(name)
            .bind(now)
            .fetch_one(p)
            .await);
        match result {
            Ok(row) => row.into_user(),
            Err(e) if is_unique_violation(&e) => Err(Error::EmailTaken),
            Err(e) => Err(Error::Database { doing: "creating a user", source: e }),
        }
    }

    pub async fn user_by_email(&self, email: &Email) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1");
        with_pool!(self.store, |p| sqlx::query_as::<_, UserRow>(&sql).bind(email.as_str()).fetch_optional(p).await)
            .doing("reading a user")?
            .map(UserRow::into_user)
            .transpose()
    }

    pub async fn user_by_id(&self, id: UserId) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        with_pool!(self.store, |p| sqlx::query_as::<_, UserRow>(&sql).bind(id).fetch_optional(p).await)
            .doing("reading a user")?
            .map(UserRow::into_user)
            .transpose()
    }

    /// Ends every session of a user: access tokens issued before stop being
    /// accepted, and every refresh token is revoked; with `new_password_hash`,
    /// the password is replaced in the same transaction (a password change).
    /// Returns the new token version.
    pub async fn end_sessions(&self, user_id: UserId, new_password_hash: Option<&str>) -> Result<i64> {
        let now = Utc::now();
        with_pool!(self.store, |p| {
            let mut tx = p.begin().await.doing("starting a transaction")?;
            let version: i64 = sqlx::query_scalar(
                "UPDATE users SET token_version = token_version + 1, password_hash = COALESCE($2, password_hash)
                 WHERE id = $1 RETURNING token_version",
            )
            .bind(user_id)
            .bind(new_password_hash)
            .fetch_one(&mut *tx)
            .await
            .doing("bumping a token version")?;
            sqlx::query("UPDATE refresh_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
                .bind(now)
                .bind(user_id)
                .execute(&mut *tx)
                .await
                .doing("revoking refresh tokens")?;
            tx.commit().await.doing("committing")?;
            Ok(version)
        })
    }

    /// Stores a new refresh token (its hash) in `family`.
    pub async fn add_refresh_token(
        &self,
        user_id: UserId,
        family: &str,
        token_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        let now = Utc::now();
        with_pool!(self.store, |p| sqlx::query(
            "INSERT INTO refresh_tokens (user_id, family, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(user_id)
        .bind(family)
        .bind(token_hash)
        .bind(now)
        .bind(expires_at)
        .execute(p)
        .await
        .map(|_| ()))
        .doing("storing a refresh token")
    }

    /// Spends a refresh token: exactly one caller can spend a given token (the
    /// update is conditional on it being unspent); a second presentation of it
    /// revokes its family.
    pub async fn spend_refresh_token(&self, token_hash: &str) -> Result<RefreshSpend> {
        let now = Utc::now();
        let spent: Option<(UserId, String)> = with_pool!(self.store, |p| sqlx::query_as(
            "UPDATE refresh_tokens SET used_at = $1
             WHERE token_hash = $2 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $1
             RETURNING user_id, family"
        )
        .bind(now)
        .bind(token_hash)
        .fetch_optional(p)
        .await)
        .doing("spending a refresh token")?;
        if let Some((user_id, family)) = spent {
            return Ok(RefreshSpend::Fresh { user_id, family });
        }
        type Found = (UserId, String, Option<DateTime<Utc>>, Option<DateTime<Utc>>, DateTime<Utc>);
        let found: Option<Found> = with_pool!(self.store, |p| sqlx::query_as(
            "SELECT user_id, family, used_at, revoked_at, expires_at FROM refresh_tokens WHERE token_hash = $1"
        )
        .bind(token_hash)
        .fetch_optional(p)
        .await)
        .doing("reading a refresh token")?;
        let Some((user_id, family, used, revoked, expires)) = found else { return Ok(RefreshSpend::Unknown) };
        if used.is_some() {
            self.revoke_refresh_family(&family).await?;
            return Ok(RefreshSpend::Reused { user_id, family });
        }
        if revoked.is_some() {
            return Ok(RefreshSpend::Revoked);
        }
        if expires <= now {
            return Ok(RefreshSpend::Expired);
        }
        Ok(RefreshSpend::Unknown)
    }

    /// Revokes one family (a logout of one session).
    pub async fn revoke_refresh_family(&self, family: &str) -> Result<u64> {
        let now = Utc::now();
        with_pool!(self.store, |p| sqlx::query(
            "UPDATE refresh_tokens SET revoked_at = $1 WHERE family = $2 AND revoked_at IS NULL"
        )
        .bind(now)
        .bind(family)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .doing("revoking a refresh token family")
    }

    /// Whether a session (refresh-token family) is still open.
    pub async fn session_active(&self, family: &str) -> Result<bool> {
        with_pool!(self.store, |p| sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM refresh_tokens WHERE family = $1 AND revoked_at IS NULL)"
        )
        .bind(family)
        .fetch_one(p)
        .await)
        .doing("checking a session")
    }

    /// Keeps a TOTP secret being set up (replacing any earlier pending one).
    pub async fn set_pending_totp(&self, user_id: UserId, secret: &str) -> Result<()> {
        with_pool!(self.store, |p| sqlx::query("UPDATE users SET totp_pending = $1 WHERE id = $2")
            .bind(secret)
            .bind(user_id)
            .execute(p)
            .await
            .map(|_| ()))
        .doing("storing a pending TOTP secret")
    }

    /// Turns two-factor authentication on with the pending secret, after a
    /// code at `step` proved the authenticator has it, and stores the hashes
    /// of new recovery codes (replacing old ones). False when nothing was pending.
    pub async fn enable_totp(&self, user_id: UserId, step: i64, recovery_hashes: &[String]) -> Result<bool> {
        with_pool!(self.store, |p| {
            let mut tx = p.begin().await.doing("starting a transaction")?;
            let n = sqlx::query(
                "UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = $1
                 WHERE id = $2 AND totp_pending IS NOT NULL",
            )
            .bind(step)
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .doing("enabling two-factor authentication")?
            .rows_affected();
            if n == 0 {
                return Ok(false);
            }
            replace_codes!(tx, user_id, recovery_hashes);
            tx.commit().await.doing("committing")?;
            Ok(true)
        })
    }

    /// Turns two-factor authentication off: the secret, any pending one and
    /// the recovery codes go. False when it was not on.
    pub async fn disable_totp(&self, user_id: UserId) -> Result<bool> {
        with_pool!(self.store, |p| {
            let mut tx = p.begin().await.doing("starting a transaction")?;
            let n = sqlx::query(
                "UPDATE users SET totp_secret = NULL, totp_pending = NULL, totp_last_step = NULL
                 WHERE id = $1 AND totp_secret IS NOT NULL",
            )
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .doing("disabling two-factor authentication")?
            .rows_affected();
            if n == 0 {
                return Ok(false);
            }
            sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await
                .doing("clearing recovery codes")?;
            tx.commit().await.doing("committing")?;
            Ok(true)
        })
    }

    /// Replaces the recovery codes of an account with 2FA on (used or not)
    /// by new ones, in one transaction. False when 2FA is not on.
    pub async fn replace_recovery_codes(&self, user_id: UserId, recovery_hashes: &[String]) -> Result<bool> {
        with_pool!(self.store, |p| {
            let mut tx = p.begin().await.doing("starting a transaction")?;
            let on: Option<(i64,)> = sqlx::query_as("SELECT id FROM users WHERE id = $1 AND totp_secret IS NOT NULL")
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await
                .doing("reading two-factor state")?;
            if on.is_none() {
                return Ok(false);
            }
            replace_codes!(tx, user_id, recovery_hashes);
            tx.commit().await.doing("committing")?;
            Ok(true)
        })
    }

    /// Records that the TOTP code of `step` was used, unless a code of that
    /// step or a later one already was: true when this use is the first.
    /// One conditional update, so two logins racing with one code cannot both pass.
    pub async fn use_totp_step(&self, user_id: UserId, step: i64) -> Result<bool> {
        with_pool!(self.store, |p| sqlx::query(
            "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)"
        )
        .bind(step)
        .bind(user_id)
        .execute(p)
        .await
        .map(|r| r.rows_affected() == 1))
        .doing("recording a TOTP code")
    }

    /// Spends a recovery code (by its hash): true the first time only.
    pub async fn spend_recovery_code(&self, user_id: UserId, code_hash: &str) -> Result<bool> {
        let now = Utc::now();
        with_pool!(self.store, |p| sqlx::query(
            "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL"
        )
        .bind(now)
        .bind(user_id)
        .bind(code_hash)
        .execute(p)
        .await
        .map(|r| r.rows_affected() == 1))
        .doing("spending a recovery code")
    }
}

/// A security event kept for the account's owner and administrators.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AuditEvent {
    pub id: i64,
    pub user_id: Option<UserId>,
    /// `login`, `login_failed`, `login_locked`, `logout`, `refresh_reused`, `totp_enabled`, …
    pub kind: String,
    pub ip: Option<String>,
    pub detail: String,
    pub at: DateTime<Utc>,
}

impl Identity<'_> {
    /// Appends a security event (never updated or deleted by the service).
    pub async fn audit(&self, user_id: Option<UserId>, kind: &str, ip: Option<&str>, detail: &str) -> Result<()> {
        self.audit_org(None, user_id, kind, ip, detail).await
    }

    /// Appends a security event that the organisation's admins also read.
    pub async fn audit_org(
        &self,
        org: Option<scout_domain::org::OrgId>,
        user_id: Option<UserId>,
        kind: &str,
        ip: Option<&str>,
        detail: &str,
    ) -> Result<()> {
        let now = Utc::now();
        with_pool!(self.store, |p| sqlx::query(
            "INSERT INTO audit_events (user_id, kind, ip, detail, at, org_id) VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(user_id)
        .bind(kind)
        .bind(ip)
        .bind(detail)
        .bind(now)
        .bind(org)
        .execute(p)
        .await
        .map(|_| ()))
        .doing("recording a security event")
    }

    /// A user's security events, newest first.
    pub async fn audit_events(&self, user_id: UserId, limit: i64) -> Result<Vec<AuditEvent>> {
        with_pool!(self.store, |p| sqlx::query_as::<_, AuditEvent>(
            "SELECT id, user_id, kind, ip, detail, at FROM audit_events WHERE user_id = $1 ORDER BY id DESC LIMIT $2"
        )
        .bind(user_id)
        .bind(limit)
        .fetch_all(p)
        .await)
        .doing("reading security events")
    }
}

//! Personal data: one-time mail tokens, profile claims and consent, and
//! erasure with tombstones (GDPR art. 17) and export (art. 15, 20).
//!
//! Erasure deletes rows (SQLite overwrites freed pages: `secure_delete`),
//! scrubs the person's audit events, appends outbox deletions so the indexes
//! drop the profiles, and records a tombstone per erased profile: a hash of
//! its platform and identifiers, so a later import of the same person is
//! refused without keeping who they were. The caller then runs
//! [`Store::compact_after_erasure`] once, so freed pages and logs go too.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use scout_domain::{Profile, ProfileId};
use serde::Serialize;

use crate::error::{Doing, Error, Result};
use crate::{Backend, Identity, Privacy, UserId};

/// What a mailed one-time token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    PasswordReset,
    VerifyEmail,
}

impl TokenPurpose {
    fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::PasswordReset => "password_reset",
            TokenPurpose::VerifyEmail => "verify_email",
        }
    }
}

pub use scout_domain::org::Consent;

/// A creator's claim on an imported profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Claim {
    pub profile_id: ProfileId,
    pub user_id: UserId,
    /// Put in the profile's bio to prove the account is theirs.
    pub code: String,
    pub verified_at: Option<DateTime<Utc>>,
    pub consent: Consent,
    pub created_at: DateTime<Utc>,
}

type ClaimRow = (i64, i64, String, Option<DateTime<Utc>>, String, DateTime<Utc>);

fn claim_of(row: ClaimRow) -> Result<Claim> {
    let (profile_id, user_id, code, verified_at, consent, created_at) = row;
    let consent = Consent::parse(&consent)
        .map_err(|e| Error::CorruptRecord { table: "profile_claims", message: e.to_string() })?;
    Ok(Claim { profile_id, user_id, code, verified_at, consent, created_at })
}

const CLAIM_COLUMNS: &str = "profile_id, user_id, code, verified_at, consent, created_at";

/// The tombstone keys of a profile: its platform with its external id, and
/// with its handle (lowercase), each hashed.
pub fn tombstone_keys(platform: &str, external_id: &str, handle: &str) -> [String; 2] {
    let h = |s: String| blake3::hash(s.as_bytes()).to_hex().to_string();
    [h(format!("{platform}\0id\0{external_id}")), h(format!("{platform}\0handle\0{}", handle.trim().to_lowercase()))]
}

/// Everything stored about a user, as exported to them.
#[derive(Debug, Clone, Serialize)]
pub struct UserArchive {
    pub user: serde_json::Value,
    pub memberships: Vec<serde_json::Value>,
    pub api_keys: Vec<serde_json::Value>,
    pub security_events: Vec<serde_json::Value>,
    pub claims: Vec<Claim>,
    pub claimed_profiles: Vec<Profile>,
    /// The creator's threads (offers and their terms) and contracts.
    pub negotiations: Vec<serde_json::Value>,
    pub contracts: Vec<serde_json::Value>,
    /// Messages the user wrote in any thread (also as a brand's member).
    pub messages_written: Vec<serde_json::Value>,
    pub reviews_written: Vec<serde_json::Value>,
    /// Reviews brands wrote about the user's claimed profiles.
    pub reviews_received: Vec<serde_json::Value>,
    /// People the user referred, and who referred the user.
    pub referrals: Vec<serde_json::Value>,
    pub referred_by: Option<serde_json::Value>,
    pub notifications: Vec<serde_json::Value>,
}

impl Identity<'_> {
    /// Stores a one-time token (its hash) for `purpose`.
    pub async fn create_user_token(
        &self,
        user: UserId,
        purpose: TokenPurpose,
        token_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        with_pool!(self.store, |p| sqlx::query(
            "INSERT INTO user_tokens (token_hash, user_id, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(token_hash)
        .bind(user)
        .bind(purpose.as_str())
        .bind(Utc::now())
        .bind(expires_at)
        .execute(p)
        .await
        .map(|_| ()))
        .doing("storing a one-time token")
    }

    /// Spends a one-time token: its user the first time, before it expires; `None` after.
    pub async fn spend_user_token(&self, token_hash: &str, purpose: TokenPurpose) -> Result<Option<UserId>> {
        let now = Utc::now();
        with_pool!(self.store, |p| sqlx::query_scalar(
            "UPDATE user_tokens SET used_at = $1
             WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1 RETURNING user_id"
        )
        .bind(now)
        .bind(token_hash)
        .bind(purpose.as_str())
        .fetch_optional(p)
        .await)
        .doing("spending a one-time token")
    }

    pub async fn mark_email_verified(&self, user: UserId) -> Result<()> {
        with_pool!(self.store, |p| sqlx::query(
            "UPDATE users SET email_verified_at = $1 WHERE id = $2 AND email_verified_at IS NULL"
        )
        .bind(Utc::now())
        .bind(user)
        .execute(p)
        .await
        .map(|_| ()))
        .doing("marking an email verified")
    }

    pub async fn email_verified(&self, user: UserId) -> Result<bool> {
        let at: Option<DateTime<Utc>> =
            with_pool!(self.store, |p| sqlx::query_scalar("SELECT email_verified_at FROM users WHERE id = $1")
                .bind(user)
                .fetch_optional(p)
                .await)
            .doing("reading a user")?
            .flatten();
        Ok(at.is_some())
    }
}

impl Privacy<'_> {
    /// Starts (or returns the caller's existing) claim on a profile;
    /// [`Error::AlreadyClaimed`] when another account claimed it.
    pub async fn claim_profile(&self, profile: ProfileId, user: UserId, code: &str) -> Result<Claim> {
        let inserted = with_pool!(self.store, |p| sqlx::query(
            "INSERT INTO profile_claims (profile_id, user_id, code, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (profile_id) DO NOTHING"
        )
        .bind(profile)
        .bind(user)
        .bind(code)
        .bind(Utc::now())
        .execute(p)
        .await
        .map(|_| ()));
        match inserted {
            Ok(_) => {}
            Err(sqlx::Error::Database(d)) if d.is_foreign_key_violation() => {
                return Err(Error::NotFound { id: profile });
            }
            Err(e) => return Err(Error::Database { doing: "claiming a profile", source: e }),
        }
        let claim = self.claim(profile).await?.ok_or(Error::NotFound { id: profile })?;
        if claim.user_id != user {
            return Err(Error::AlreadyClaimed { id: profile });
        }
        Ok(claim)
    }

    pub async fn claim(&self, profile: ProfileId) -> Result<Option<Claim>> {
        let sql = format!("SELECT {CLAIM_COLUMNS} FROM profile_claims WHERE profile_id = $1");
        with_pool!(self.store, |p| sqlx::query_as::<_, ClaimRow>(&sql).bind(profile).fetch_optional(p).await)
            .doing("reading a claim")?
            .map(claim_of)
            .transpose()
    }

    pub async fn claims_of(&self, user: UserId) -> Result<Vec<Claim>> {
        let sql = format!("SELECT {CLAIM_COLUMNS} FROM profile_claims WHERE user_id = $1 ORDER BY profile_id");
        with_pool!(self.store, |p| sqlx::query_as::<_, ClaimRow>(&sql).bind(user).fetch_all(p).await)
            .doing("reading claims")?
            .into_iter()
            .map(claim_of)
            .collect()
    }

    /// Marks a user's claim verified.
    pub async fn verify_claim(&self, profile: ProfileId, user: UserId) -> Result<bool> {
        with_pool!(self.store, |p| sqlx::query(
            "UPDATE profile_claims SET verified_at = $1 WHERE profile_id = $2 AND user_id = $3 AND verified_at IS NULL"
        )
        .bind(Utc::now())
        .bind(profile)
        .bind(user)
        .execute(p)
        .await
        .map(|r| r.rows_affected() == 1))
        .doing("verifying a claim")
    }

    /// Records the creator's consent on a verified claim of theirs. A change
    /// goes through the outbox, so the indexer lists or unlists the profile.
    pub async fn set_consent(&self, profile: ProfileId, user: UserId, consent: Consent) -> Result<bool> {
        let now = Utc::now();
        with_pool!(self.store, |p| {
            let mut tx = p.begin().await.doing("starting a transaction")?;
            let changed = sqlx::query(
                "UPDATE profile_claims SET consent = $1
                 WHERE profile_id = $2 AND user_id = $3 AND verified_at IS NOT NULL",
            )
            .bind(consent.as_str())
            .bind(profile)
            .bind(user)
            .execute(&mut *tx)
            .await
            .doing("recording consent")?
            .rows_affected()
                == 1;
            if changed {
                append_outbox!(tx, profile, "upsert", now)?;
            }
            tx.commit().await.doing("committing consent")?;
            Ok(changed)
        })
    }

    /// Of `ids`, the profiles whose verified creator withdrew consent to being
    /// listed: kept in the database, left out of both indexes.
    pub async fn unlisted(&self, ids: &[ProfileId]) -> Result<HashSet<ProfileId>> {
        if ids.is_empty() {
            return Ok(HashSet::new());
        }
        let rows: Vec<(i64,)> = match &self.store.backend {
            Backend::Sqlite(pool) => {
                sqlx::query_as(
                    "SELECT profile_id FROM profile_claims WHERE consent = 'withdrawn' AND verified_at IS NOT NULL
                     AND profile_id IN (SELECT value FROM json_each(?1))",
                )
                .bind(serde_json::to_string(ids).unwrap_or_default())
                .fetch_all(pool)
                .await
            }
            Backend::Postgres(pool) => {
                sqlx::query_as(
                    "SELECT profile_id FROM profile_claims WHERE consent = 'withdrawn' AND verified_at IS NOT NULL
                     AND profile_id = ANY($1)",
                )
                .bind(ids)
                .fetch_all(pool)
                .await
            }
        }
        .doing("reading consent")?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// Every tombstone key (few: one pair per erased person).
    pub async fn tombstones(&self) -> Result<HashSet<String>> {
        let keys: Vec<String> =
            with_pool!(self.store, |p| sqlx::query_scalar("SELECT key_hash FROM tombstones").fetch_all(p).await)
                .doing("reading tombstones")?;
        Ok(keys.into_iter().collect())
    }

    /// Profiles on `platform` whose handle or external id is `handle`
    /// (case-insensitive, leading `@` ignored).
    pub async fn profiles_by_handle(&self, platform: &str, handle: &str) -> Result<Vec<ProfileId>> {
        let handle = handle.trim().trim_start_matches('@').to_lowercase();
        match &self.store.backend {
            Backend::Sqlite(p) => {
                sqlx::query_scalar(
                    "SELECT id FROM profiles WHERE platform = $1
                   AND (lower(json_extract(doc, '$.handle')) = $2 OR external_id = $2)",
                )
                .bind(platform)
                .bind(&handle)
                .fetch_all(p)
                .await
            }
            Backend::Postgres(p) => {
                sqlx::query_scalar(
                    "SELECT id FROM profiles WHERE platform = $1 AND (lower(doc->>'handle') = $2 OR external_id = $2)",
                )
                .bind(platform)
                .bind(&handle)
                .fetch_all(p)
                .await
            }
        }
        .doing("finding profiles by handle")
    }

    /// Erases profiles: tombstones their identifiers, deletes them (claims and
    /// shortlist entries go with them) and tells the indexer, in one
    /// transaction. Returns how many existed.
    pub async fn erase_profiles(&self, ids: &[ProfileId], reason: &str) -> Result<u64> {
        let now = Utc::now();
        let mut erased = 0;
        with_pool!(self.store, |p| {
            let mut tx = p.begin().await.doing("starting an erasure")?;
            for id in ids {
                let row: Option<(String, String, String)> =
                    sqlx::query_as("SELECT platform, external_id, CAST(doc AS TEXT) FROM profiles WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await
                        .doing("reading a profile to erase")?;
                let Some((platform, external_id, doc)) = row else { continue };
                let handle = serde_json::from_str::<serde_json::Value>(&doc)
                    .ok()
                    .and_then(|v| v.get("handle").and_then(|h| h.as_str()).map(str::to_string))
                    .unwrap_or_default();
                for key in tombstone_keys(&platform, &external_id, &handle) {
                    sqlx::query(
                        "INSERT INTO tombstones (key_hash, reason, created_at) VALUES ($1, $2, $3)
                         ON CONFLICT (key_hash) DO NOTHING",
                    )
                    .bind(key)
                    .bind(reason)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .doing("recording a tombstone")?;
                }
                sqlx::query("DELETE FROM profiles WHERE id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .doing("erasing a profile")?;
                sqlx::query("DELETE FROM profile_sentiment WHERE profile_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .doing("erasing a profile's sentiment")?;
                append_outbox!(tx, id, "delete", now)?;
                erased += 1;
            }
            tx.commit().await.doing("committing an erasure")?;
            Ok::<_, Error>(())
        })?;
        Ok(erased)
    }

    /// Erases an account: its personal fields in the audit log are scrubbed,
    /// the account and what hangs on it (sessions, keys, memberships, claims,
    /// tokens) is deleted, organisations left without members go too.
    /// Profiles it claimed are erased by the caller first.
    pub async fn erase_user(&self, user: UserId) -> Result<bool> {
        let found = with_pool!(self.store, |p| {
            let mut tx = p.begin().await.doing("starting an erasure")?;
            let orgs: Vec<i64> = sqlx::query_scalar("SELECT org_id FROM memberships WHERE user_id = $1")
                .bind(user)
                .fetch_all(&mut *tx)
                .await
                .doing("reading memberships")?;
            sqlx::query("UPDATE audit_events SET user_id = NULL, ip = NULL, detail = '' WHERE user_id = $1")
                .bind(user)
                .execute(&mut *tx)
                .await
                .doing("scrubbing security events")?;
            let n = sqlx::query("DELETE FROM users WHERE id = $1")
                .bind(user)
                .execute(&mut *tx)
                .await
                .doing("erasing a user")?
                .rows_affected();
            for org in orgs {
                sqlx::query(
                    "DELETE FROM organisations WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM memberships WHERE org_id = $1)",
                )
                .bind(org)
                .execute(&mut *tx)
                .await
                .doing("removing an empty organisation")?;
            }
            tx.commit().await.doing("committing an erasure")?;
            Ok::<_, Error>(n == 1)
        })?;
        Ok(found)
    }

    /// Run once after erasures, so nothing erased lingers on disk: on SQLite,
    /// moves the write-ahead log into the database (where `secure_delete` has
    /// zeroed freed content) and empties it; on PostgreSQL, vacuums the tables
    /// that held the person's rows.
    pub async fn compact_after_erasure(&self) -> Result<()> {
        match &self.store.backend {
            Backend::Sqlite(p) => {
                sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(p).await.doing("checkpointing")?;
            }
            Backend::Postgres(p) => {
                for table in ["profiles", "users", "audit_events", "profile_claims", "shortlist_entries"] {
                    // Simple protocol: VACUUM may not run as a prepared statement.
                    sqlx::raw_sql(&format!("VACUUM {table}")).execute(p).await.doing("vacuuming")?;
                }
            }
        }
        Ok(())
    }

    /// Everything stored about a user (no secrets, no hashes).
    pub async fn user_archive(&self, user: UserId) -> Result<Option<UserArchive>> {
        let Some(u) = self.store.identity().user_by_id(user).await? else { return Ok(None) };
        let memberships = self
            .store
            .orgs()
            .memberships_of(user)
            .await?
            .into_iter()
            .map(|m| serde_json::json!({"organisation_id": m.org.id, "organisation": m.org.name, "kind": m.org.kind, "role": m.role}))
            .collect();
        let api_keys = self
            .store
            .identity()
            .keys_of(user)
            .await?
            .into_iter()
            .map(|k| {
                serde_json::json!({"id": k.id, "name": k.name, "prefix": k.prefix, "scopes": k.scopes,
                "created_at": k.created_at, "last_used_at": k.last_used_at, "revoked_at": k.revoked_at})
            })
            .collect();
        let security_events = self
            .store
            .identity()
            .audit_events(user, 10_000)
            .await?
            .into_iter()
            .map(|e| serde_json::json!({"kind": e.kind, "ip": e.ip, "detail": e.detail, "at": e.at}))
            .collect();
        let claims = self.claims_of(user).await?;
        let ids: Vec<ProfileId> = claims.iter().map(|c| c.profile_id).collect();
        let claimed_profiles = self.store.profiles().get_profiles(&ids).await?.into_iter().map(|p| p.profile).collect();
        let verified = self.store.identity().email_verified(user).await?;
        let deals = self.deals_archive(user, &ids).await?;
        Ok(Some(UserArchive {
            user: serde_json::json!({"id": u.id, "email": u.email, "name": u.name, "role": u.role,
                "created_at": u.created_at, "email_verified": verified, "two_factor": u.totp_secret.is_some()}),
            memberships,
            api_keys,
            security_events,
            claims,
            claimed_profiles,
            negotiations: deals.negotiations,
            contracts: deals.contracts,
            messages_written: deals.messages_written,
            reviews_written: deals.reviews_written,
            reviews_received: deals.reviews_received,
            referrals: deals.referrals,
            referred_by: deals.referred_by,
            notifications: deals.notifications,
        }))
    }

    /// The marketplace part of a user's archive.
    async fn deals_archive(&self, user: UserId, profiles: &[ProfileId]) -> Result<DealsArchive> {
        use serde_json::json;
        let market = self.store.market();
        let viewer = crate::Viewer::Creator(user);
        let mut negotiations = Vec::new();
        loop {
            let page = market.negotiations(viewer, None, negotiations.len() as i64, 500).await?;
            let done = page.len() < 500;
            negotiations.extend(page.into_iter().map(|n| {
                let offers: Vec<_> = n
                    .negotiation
                    .offers
                    .iter()
                    .zip(&n.offers_made)
                    .map(|(o, made)| json!({"version": o.version, "by": o.by, "terms": o.terms, "at": made.at}))
                    .collect();
                json!({"id": n.id, "campaign_id": n.campaign_id, "profile_id": n.profile_id,
                       "origin": n.negotiation.origin, "status": n.negotiation.status, "offers": offers,
                       "contract_id": n.contract_id, "created_at": n.created_at})
            }));
            if done {
                break;
            }
        }
        let mut contracts = Vec::new();
        loop {
            let page = market.contracts(viewer, None, contracts.len() as i64, 500).await?;
            let done = page.len() < 500;
            contracts.extend(page.into_iter().map(|k| {
                let signatures: Vec<_> = k
                    .signatures
                    .iter()
                    .map(|s| json!({"side": s.side, "user_id": s.user_id, "name": s.name, "at": s.signed_at, "ip": s.ip}))
                    .collect();
                json!({"id": k.id, "campaign_id": k.campaign_id, "profile_id": k.profile_id,
                       "status": k.contract.status, "terms": k.terms, "terms_text": k.terms_text,
                       "terms_hash": k.terms_hash, "signatures": signatures, "created_at": k.created_at})
            }));
            if done {
                break;
            }
        }
        let messages_written = market
            .messages_by(user)
            .await?
            .into_iter()
            .map(|m| json!({"negotiation_id": m.negotiation_id, "side": m.side, "body": m.body, "at": m.at}))
            .collect();
        let review = |r: crate::StoredReview| {
            json!({"id": r.id, "contract_id": r.contract_id, "side": r.side, "rating": r.rating, "text": r.body,
                   "on_time": r.on_time, "created_at": r.created_at, "updated_at": r.updated_at})
        };
        let reviews_written = market.reviews_by(user).await?.into_iter().map(review).collect();
        let mut reviews_received = Vec::new();
        for p in profiles {
            reviews_received.extend(market.reviews_of_profile(*p).await?.into_iter().map(review));
        }
        let referral = |r: crate::Referral| {
            json!({"referrer_id": r.referrer_id, "referred_id": r.referred_id, "status": r.status.as_str(),
                   "contract_id": r.contract_id, "reward": r.reward, "created_at": r.created_at,
                   "earned_at": r.earned_at})
        };
        let referrals = self.store.referrals().made_by(user).await?.into_iter().map(referral).collect();
        let referred_by = self.store.referrals().of_referred(user).await?.map(referral);
        let mut notifications = Vec::new();
        let mut before = None;
        loop {
            let page = self.store.inbox().list(user, false, before, 200).await?;
            before = page.last().map(|n| n.id);
            let done = page.len() < 200;
            notifications.extend(
                page.into_iter().map(
                    |n| json!({"kind": n.kind, "title": n.title, "link": n.link, "read_at": n.read_at, "at": n.at}),
                ),
            );
            if done {
                break;
            }
        }
        Ok(DealsArchive {
            negotiations,
            contracts,
            messages_written,
            reviews_written,
            reviews_received,
            referrals,
            referred_by,
            notifications,
        })
    }
}

struct DealsArchive {
    negotiations: Vec<serde_json::Value>,
    contracts: Vec<serde_json::Value>,
    messages_written: Vec<serde_json::Value>,
    reviews_written: Vec<serde_json::Value>,
    reviews_received: Vec<serde_json::Value>,
    referrals: Vec<serde_json::Value>,
    referred_by: Option<serde_json::Value>,
    notifications: Vec<serde_json::Value>,
}

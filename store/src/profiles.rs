//! Profiles and the outbox.

use chrono::{DateTime, Utc};
use scout_domain::{Profile, ProfileId};
use serde_json::value::RawValue;
use sqlx::Row;

use crate::error::{Doing, Error, Result};
use crate::{Backend, Profiles};

/// A profile as stored, with its id and version.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredProfile {
    pub id: ProfileId,
    pub version: i64,
    pub profile: Profile,
}

/// A profile's sentiment summary as scored for one version of it by one
/// scorer (the JSON the models crate writes).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSentiment {
    pub profile_version: i64,
    pub scorer: String,
    pub summary: String,
}

/// What an upsert did to one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpsertOutcome {
    Inserted(ProfileId),
    Updated(ProfileId),
    Unchanged,
}

/// Counts of a batch upsert.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpsertSummary {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Ids of inserted and updated profiles, in input order.
    pub changed_ids: Vec<ProfileId>,
    /// Positions (in the input) of records refused because the person was
    /// erased: their identifiers match a tombstone.
    pub refused: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxOp {
    Upsert,
    Delete,
}

/// One change for the indexer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub seq: i64,
    pub profile_id: ProfileId,
    pub op: OutboxOp,
}

fn canonical(p: &Profile) -> (String, String) {
    // Struct field order is fixed, so this is a canonical form.
    let doc = serde_json::to_string(p).unwrap_or_default();
    let hash = blake3::hash(doc.as_bytes()).to_hex().to_string();
    (doc, hash)
}

fn decode(id: i64, doc: &str) -> Result<Profile> {
    serde_json::from_str(doc).map_err(|e| Error::Corrupt { id, message: e.to_string() })
}

fn op_of(s: &str) -> OutboxOp {
    if s == "delete" { OutboxOp::Delete } else { OutboxOp::Upsert }
}

/// A walk through every stored profile in id order, a page at a time, from
/// [`Profiles::pages`]. Keyset paging, no snapshot: a profile inserted during
/// the walk is seen if its id is past the walk's position; a change to one
/// already passed is not.
pub struct ProfilePages<'a> {
    profiles: Profiles<'a>,
    after: ProfileId,
    size: i64,
}

impl ProfilePages<'_> {
    /// The next page, or `None` after the last profile.
    pub async fn next_page(&mut self) -> Result<Option<Vec<StoredProfile>>> {
        let page = self.profiles.profiles_after(self.after, self.size).await?;
        let Some(last) = page.last() else { return Ok(None) };
        self.after = last.id;
        Ok(Some(page))
    }
}

impl Profiles<'_> {
    /// Inserts or updates profiles by `(platform, external_id)` in one
    /// transaction. A record whose canonical content is unchanged is left alone
    /// and gets no outbox row.
    pub async fn upsert_profiles(&self, profiles: &[Profile]) -> Result<UpsertSummary> {
        let now = Utc::now();
        let mut summary = UpsertSummary::default();
        let tombstones = self.store.privacy().tombstones().await?;
        macro_rules! run {
            ($pool:expr, $upsert:literal) => {{
                let mut tx = $pool.begin().await.doing("starting an upsert transaction")?;
                for (i, p) in profiles.iter().enumerate() {
                    if !tombstones.is_empty()
                        && crate::privacy::tombstone_keys(p.platform.as_str(), &p.external_id, &p.handle)
                            .iter()
                            .any(|k| tombstones.contains(k))
                    {
                        summary.refused.push(i);
                        continue;
                    }
                    let (doc, hash) = canonical(p);
                    let row = sqlx::query($upsert)
                        .bind(p.platform.as_str())
                        .bind(&p.external_id)
                        .bind(&doc)
                        .bind(&hash)
                        .bind(p.followers as i64)
                        .bind(now)
                        .fetch_optional(&mut *tx)
                        .await
                        .doing("upserting a profile")?;
                    let Some(row) = row else {
                        summary.unchanged += 1;
                        continue;
                    };
                    let id: i64 = row.get(0);
                    let version: i64 = row.get(1);
                    append_outbox!(tx, id, "upsert", now)?;
                    if version == 1 {
                        summary.inserted += 1
                    } else {
                        summary.updated += 1
                    }
                    summary.changed_ids.push(id);
                }
                tx.commit().await.doing("committing an upsert")?;
            }};
        }
        match &self.store.backend {
            Backend::Sqlite(pool) => run!(
                pool,
                "INSERT INTO profiles (platform, external_id, doc, content_hash, followers, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
                 ON CONFLICT (platform, external_id) DO UPDATE SET
                   doc = excluded.doc, content_hash = excluded.content_hash, followers = excluded.followers,
                   version = profiles.version + 1, updated_at = excluded.updated_at
                 WHERE profiles.content_hash <> excluded.content_hash
                 RETURNING id, version"
            ),
            Backend::Postgres(pool) => run!(
                pool,
                "INSERT INTO profiles (platform, external_id, doc, content_hash, followers, created_at, updated_at)
                 VALUES ($1, $2, $3::jsonb, $4, $5, $6, $6)
                 ON CONFLICT (platform, external_id) DO UPDATE SET
                   doc = excluded.doc, content_hash = excluded.content_hash, followers = excluded.followers,
                   version = profiles.version + 1, updated_at = excluded.updated_at
                 WHERE profiles.content_hash <> excluded.content_hash
                 RETURNING id, version"
            ),
        }
        Ok(summary)
    }

    /// One profile by id.
    pub async fn get_profile(&self, id: ProfileId) -> Result<StoredProfile> {
        self.get_profiles(&[id]).await?.pop().ok_or(Error::NotFound { id })
    }

    /// Profiles by id, in the order asked; missing ids are skipped.
    pub async fn get_profiles(&self, ids: &[ProfileId]) -> Result<Vec<StoredProfile>> {
        self.docs_by_id(ids)
            .await?
            .into_iter()
            .map(|(id, version, doc)| Ok(StoredProfile { id, version, profile: decode(id, &doc)? }))
            .collect()
    }

    /// Profiles by id as JSON objects with their `id` first, straight from the
    /// stored text (no decode and re-encode: what search responses carry), in
    /// the order asked; missing ids are skipped.
    pub async fn profile_json(&self, ids: &[ProfileId]) -> Result<Vec<(ProfileId, Box<RawValue>)>> {
        self.docs_by_id(ids)
            .await?
            .into_iter()
            .map(|(id, _, doc)| {
                let body = doc.trim_start().strip_prefix('{').map(str::trim_start);
                let text = match body {
                    Some(rest) if rest.starts_with('}') => format!("{{\"id\":{id}}}"),
                    Some(rest) => format!("{{\"id\":{id},{rest}"),
                    None => return Err(Error::Corrupt { id, message: "stored document is not an object".into() }),
                };
                let raw = RawValue::from_string(text).map_err(|e| Error::Corrupt { id, message: e.to_string() })?;
                Ok((id, raw))
            })
            .collect()
    }

    /// `(id, version, doc)` rows by id, in the order asked.
    async fn docs_by_id(&self, ids: &[ProfileId]) -> Result<Vec<(i64, i64, String)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<(i64, i64, String)> = match &self.store.backend {
            Backend::Sqlite(pool) => {
                let list = serde_json::to_string(ids).unwrap_or_default();
                sqlx::query_as("SELECT id, version, doc FROM profiles WHERE id IN (SELECT value FROM json_each(?1))")
                    .bind(list)
                    .fetch_all(pool)
                    .await
            }
            Backend::Postgres(pool) => {
                sqlx::query_as("SELECT id, version, doc::text FROM profiles WHERE id = ANY($1)")
                    .bind(ids)
                    .fetch_all(pool)
                    .await
            }
        }
        .doing("reading profiles")?;
        let mut by_id: std::collections::HashMap<i64, (i64, i64, String)> =
            rows.into_iter().map(|row| (row.0, row)).collect();
        Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
    }

    /// The id of a profile by its natural key.
    pub async fn find_id(&self, platform: &str, external_id: &str) -> Result<Option<ProfileId>> {
        with_pool!(self.store, |pool| {
            sqlx::query_scalar("SELECT id FROM profiles WHERE platform = $1 AND external_id = $2")
                .bind(platform)
                .bind(external_id)
                .fetch_optional(pool)
                .await
        })
        .doing("looking up a profile by key")
    }

    /// Every stored profile in id order, `size` at a time (export, reindex,
    /// training): `while let Some(page) = pages.next_page().await? { … }`.
    pub fn pages(&self, size: i64) -> ProfilePages<'_> {
        ProfilePages { profiles: Profiles { store: self.store }, after: 0, size }
    }

    /// Profiles with id greater than `after`, ordered by id (for export and reindex).
    pub async fn profiles_after(&self, after: ProfileId, limit: i64) -> Result<Vec<StoredProfile>> {
        let rows: Vec<(i64, i64, String)> = match &self.store.backend {
            Backend::Sqlite(pool) => {
                sqlx::query_as("SELECT id, version, doc FROM profiles WHERE id > ?1 ORDER BY id LIMIT ?2")
                    .bind(after)
                    .bind(limit)
                    .fetch_all(pool)
                    .await
            }
            Backend::Postgres(pool) => {
                sqlx::query_as("SELECT id, version, doc::text FROM profiles WHERE id > $1 ORDER BY id LIMIT $2")
                    .bind(after)
                    .bind(limit)
                    .fetch_all(pool)
                    .await
            }
        }
        .doing("paging through profiles")?;
        rows.into_iter()
            .map(|(id, version, doc)| Ok(StoredProfile { id, version, profile: decode(id, &doc)? }))
            .collect()
    }

    pub async fn count_profiles(&self) -> Result<i64> {
        with_pool!(self.store, |pool| sqlx::query_scalar("SELECT COUNT(*) FROM profiles").fetch_one(pool).await)
            .doing("counting profiles")
    }

    /// Deletes a profile and tells the indexer. Returns false when it did not exist.
    pub async fn delete_profile(&self, id: ProfileId) -> Result<bool> {
        let now: DateTime<Utc> = Utc::now();
        Ok(with_pool!(self.store, |pool| {
            let mut tx = pool.begin().await.doing("starting a delete")?;
            let n = sqlx::query("DELETE FROM profiles WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await
                .doing("deleting a profile")?
                .rows_affected();
            sqlx::query("DELETE FROM profile_sentiment WHERE profile_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await
                .doing("deleting a profile's sentiment")?;
            if n > 0 {
                append_outbox!(tx, id, "delete", now)?;
            }
            tx.commit().await.doing("committing a delete")?;
            n > 0
        }))
    }

    /// The stored sentiment summary of a profile, if one was scored.
    pub async fn sentiment(&self, id: ProfileId) -> Result<Option<StoredSentiment>> {
        let row = with_pool!(self.store, |pool| {
            sqlx::query("SELECT profile_version, scorer, summary FROM profile_sentiment WHERE profile_id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await
                .map(|r| r.map(|r| (r.get::<i64, _>(0), r.get::<String, _>(1), r.get::<String, _>(2))))
        })
        .doing("reading a sentiment summary")?;
        Ok(row.map(|(profile_version, scorer, summary)| StoredSentiment { profile_version, scorer, summary }))
    }

    /// Profiles with no sentiment summary by `scorer` for their current
    /// version, most-followed first (what a scoring worker does next).
    pub async fn without_sentiment(&self, scorer: &str, limit: usize) -> Result<Vec<ProfileId>> {
        with_pool!(self.store, |pool| {
            sqlx::query_scalar::<_, i64>(
                "SELECT p.id FROM profiles p
                 LEFT JOIN profile_sentiment s
                   ON s.profile_id = p.id AND s.profile_version = p.version AND s.scorer = $1
                 WHERE s.profile_id IS NULL
                 ORDER BY p.followers DESC, p.id LIMIT $2",
            )
            .bind(scorer)
            .bind(limit as i64)
            .fetch_all(pool)
            .await
        })
        .doing("listing profiles to score sentiment for")
    }

    /// Stores the sentiment summary of version `profile_version` of a profile
    /// (replacing an older one). Nothing is stored for a profile that is gone
    /// or has moved past that version: the summary would be stale at birth.
    pub async fn put_sentiment(&self, id: ProfileId, scored: &StoredSentiment) -> Result<bool> {
        let now: DateTime<Utc> = Utc::now();
        let n = with_pool!(self.store, |pool| {
            sqlx::query(
                "INSERT INTO profile_sentiment (profile_id, profile_version, scorer, summary, scored_at)
                 SELECT id, version, $3, $4, $5 FROM profiles WHERE id = $1 AND version = $2
                 ON CONFLICT (profile_id) DO UPDATE SET profile_version = excluded.profile_version,
                     scorer = excluded.scorer, summary = excluded.summary, scored_at = excluded.scored_at",
            )
            .bind(id)
            .bind(scored.profile_version)
            .bind(&scored.scorer)
            .bind(&scored.summary)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })
        .doing("storing a sentiment summary")?;
        Ok(n > 0)
    }

    /// Outbox entries after `seq`, oldest first.
    pub async fn outbox_after(&self, seq: i64, limit: i64) -> Result<Vec<OutboxEntry>> {
        let rows: Vec<(i64, i64, String)> = with_pool!(self.store, |pool| {
            sqlx::query_as("SELECT seq, profile_id, op FROM outbox WHERE seq > $1 ORDER BY seq LIMIT $2")
                .bind(seq)
                .bind(limit)
                .fetch_all(pool)
                .await
        })
        .doing("reading the outbox")?;
        Ok(rows.into_iter().map(|(seq, profile_id, op)| OutboxEntry { seq, profile_id, op: op_of(&op) }).collect())
    }

    /// The newest outbox sequence, 0 when empty.
    pub async fn outbox_head(&self) -> Result<i64> {
        let head: Option<i64> =
            with_pool!(self.store, |pool| sqlx::query_scalar("SELECT MAX(seq) FROM outbox").fetch_one(pool).await)
                .doing("reading the outbox head")?;
        Ok(head.unwrap_or(0))
    }
}

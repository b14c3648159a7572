//! Shortlists and saved searches: records that belong to one organisation.
//!
//! They are reached only through a [`Tenant`], and every statement names the
//! tenant's organisation, so a guessed id from another organisation finds
//! nothing: isolation is a property of this layer, not of the handlers.

use chrono::{DateTime, Utc};
use scout_domain::ProfileId;
use scout_domain::org::OrgId;

use crate::error::{Doing, Error, Record, Result};
use crate::{Backend, Store, UserId};

/// The store seen from inside one organisation.
#[derive(Debug, Clone, Copy)]
pub struct Tenant<'a> {
    store: &'a Store,
    org: OrgId,
}

/// One implicit judgment: a creator shortlisted after a search.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ShortlistFeedback {
    /// The free-text search, as the client sent it.
    pub query: String,
    pub platform: String,
    pub external_id: String,
    /// How many shortlists (of any organisation) hold the creator for this query.
    pub lists: i64,
}

impl Store {
    /// Every (search, creator) pair that a shortlist recorded, over all
    /// organisations, with how many lists hold it: the implicit feedback the
    /// ranking model learns from. Carries no organisation, user or note.
    pub async fn shortlist_feedback(&self) -> Result<Vec<ShortlistFeedback>> {
        with_pool!(self, |p| sqlx::query_as::<_, ShortlistFeedback>(
            "SELECT e.query AS query, pr.platform AS platform, pr.external_id AS external_id,
                    COUNT(*) AS lists
             FROM shortlist_entries e JOIN profiles pr ON pr.id = e.profile_id
             WHERE e.query IS NOT NULL AND e.query <> ''
             GROUP BY e.query, pr.platform, pr.external_id
             ORDER BY e.query, pr.platform, pr.external_id"
        )
        .fetch_all(p)
        .await)
        .doing("reading shortlist feedback")
    }

    /// The records of organisation `org`. Callers decide who may act for it.
    pub fn tenant(&self, org: OrgId) -> Tenant<'_> {
        Tenant { store: self, org }
    }
}

/// A shortlist with its number of entries.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Shortlist {
    pub id: i64,
    pub name: String,
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub entries: i64,
}

/// A profile on a shortlist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortlistEntry {
    pub profile_id: ProfileId,
    pub note: String,
    pub tags: Vec<String>,
    /// The free-text search the creator was found with, when the client said.
    pub query: Option<String>,
    pub added_by: Option<UserId>,
    pub added_at: DateTime<Utc>,
}

/// A search kept by name; `request` is the search request as JSON.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SavedSearch {
    pub id: i64,
    pub name: String,
    pub request: String,
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

const SHORTLIST_COLUMNS: &str = "s.id, s.name, s.created_by, s.created_at, s.updated_at,
     (SELECT COUNT(*) FROM shortlist_entries e WHERE e.shortlist_id = s.id) AS entries";

fn missing(what: Record, id: i64) -> Error {
    Error::Missing { what, id }
}

fn is_foreign_key_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_foreign_key_violation())
}

impl<'a> Tenant<'a> {
    pub fn org(&self) -> OrgId {
        self.org
    }

    pub(crate) fn store(&self) -> &'a Store {
        self.store
    }
}

impl Tenant<'_> {
    pub async fn shortlists(&self) -> Result<Vec<Shortlist>> {
        let sql = format!("SELECT {SHORTLIST_COLUMNS} FROM shortlists s WHERE s.org_id = $1 ORDER BY s.id");
        with_pool!(self.store, |p| sqlx::query_as::<_, Shortlist>(&sql).bind(self.org).fetch_all(p).await)
            .doing("listing shortlists")
    }

    pub async fn create_shortlist(&self, name: &str, by: UserId) -> Result<Shortlist> {
        let now = Utc::now();
        let id: i64 = with_pool!(self.store, |p| sqlx::query_scalar(
            "INSERT INTO shortlists (org_id, name, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
             RETURNING id"
        )
        .bind(self.org)
        .bind(name)
        .bind(by)
        .bind(now)
        .fetch_one(p)
        .await)
        .doing("creating a shortlist")?;
        self.shortlist(id).await
    }

    /// One shortlist of this organisation; [`Error::Missing`] otherwise.
    pub async fn shortlist(&self, id: i64) -> Result<Shortlist> {
        let sql = format!("SELECT {SHORTLIST_COLUMNS} FROM shortlists s WHERE s.id = $1 AND s.org_id = $2");
        with_pool!(self.store, |p| sqlx::query_as::<_, Shortlist>(&sql).bind(id).bind(self.org).fetch_optional(p).await)
            .doing("reading a shortlist")?
            .ok_or_else(|| missing(Record::Shortlist, id))
    }

    pub async fn rename_shortlist(&self, id: i64, name: &str) -> Result<Shortlist> {
        let n = with_pool!(self.store, |p| sqlx::query(
            "UPDATE shortlists SET name = $1, updated_at = $2 WHERE id = $3 AND org_id = $4"
        )
        .bind(name)
        .bind(Utc::now())
        .bind(id)
        .bind(self.org)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .doing("renaming a shortlist")?;
        if n == 0 {
            return Err(missing(Record::Shortlist, id));
        }
        self.shortlist(id).await
    }

    pub async fn delete_shortlist(&self, id: i64) -> Result<()> {
        let n = with_pool!(self.store, |p| sqlx::query("DELETE FROM shortlists WHERE id = $1 AND org_id = $2")
            .bind(id)
            .bind(self.org)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))
        .doing("deleting a shortlist")?;
        if n == 0 { Err(missing(Record::Shortlist, id)) } else { Ok(()) }
    }

    /// Adds a profile to a shortlist, or replaces its note and tags (and its
    /// search query, when a new one is given).
    pub async fn put_entry(
        &self,
        list: i64,
        profile: ProfileId,
        note: &str,
        tags: &[String],
        query: Option<&str>,
        by: UserId,
    ) -> Result<ShortlistEntry> {
        let now = Utc::now();
        let tags_json = serde_json::to_string(tags).unwrap_or_else(|_| "[]".into());
        // The list must be this tenant's: the insert selects it under the tenant.
        let result = with_pool!(self.store, |p| {
            let mut tx = p.begin().await.doing("starting a transaction")?;
            let n = sqlx::query(
                "INSERT INTO shortlist_entries (shortlist_id, profile_id, note, tags, added_by, added_at, query)
                 SELECT s.id, $2, $3, $4, $5, $6, $8 FROM shortlists s WHERE s.id = $1 AND s.org_id = $7
                 ON CONFLICT (shortlist_id, profile_id) DO UPDATE SET note = excluded.note, tags = excluded.tags,
                   query = COALESCE(excluded.query, shortlist_entries.query)",
            )
            .bind(list)
            .bind(profile)
            .bind(note)
            .bind(&tags_json)
            .bind(by)
            .bind(now)
            .bind(self.org)
            .bind(query)
            .execute(&mut *tx)
            .await;
            match n {
                Ok(r) if r.rows_affected() == 0 => Err(missing(Record::Shortlist, list)),
                Ok(_) => {
                    sqlx::query("UPDATE shortlists SET updated_at = $1 WHERE id = $2")
                        .bind(now)
                        .bind(list)
                        .execute(&mut *tx)
                        .await
                        .doing("touching a shortlist")?;
                    tx.commit().await.doing("committing")?;
                    Ok(())
                }
                Err(e) if is_foreign_key_violation(&e) => Err(Error::NotFound { id: profile }),
                Err(e) => Err(Error::Database { doing: "adding to a shortlist", source: e }),
            }
        });
        result?;
        self.entries(list)
            .await?
            .into_iter()
            .find(|e| e.profile_id == profile)
            .ok_or_else(|| missing(Record::ShortlistEntry, profile))
    }

    pub async fn remove_entry(&self, list: i64, profile: ProfileId) -> Result<()> {
        let n = with_pool!(self.store, |p| sqlx::query(
            "DELETE FROM shortlist_entries WHERE shortlist_id = $1 AND profile_id = $2
               AND shortlist_id IN (SELECT id FROM shortlists WHERE org_id = $3)"
        )
        .bind(list)
        .bind(profile)
        .bind(self.org)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .doing("removing from a shortlist")?;
        if n == 0 { Err(missing(Record::ShortlistEntry, profile)) } else { Ok(()) }
    }

    /// The entries of one of this organisation's shortlists, oldest first.
    pub async fn entries(&self, list: i64) -> Result<Vec<ShortlistEntry>> {
        self.shortlist(list).await?;
        type Row = (i64, String, String, Option<String>, Option<i64>, DateTime<Utc>);
        let rows: Vec<Row> = with_pool!(self.store, |p| sqlx::query_as(
            "SELECT e.profile_id, e.note, e.tags, e.query, e.added_by, e.added_at FROM shortlist_entries e
             JOIN shortlists s ON s.id = e.shortlist_id
             WHERE e.shortlist_id = $1 AND s.org_id = $2 ORDER BY e.added_at, e.profile_id"
        )
        .bind(list)
        .bind(self.org)
        .fetch_all(p)
        .await)
        .doing("reading a shortlist")?;
        rows.into_iter()
            .map(|(profile_id, note, tags, query, added_by, added_at)| {
                let tags = serde_json::from_str(&tags)
                    .map_err(|e| Error::CorruptRecord { table: "shortlist_entries", message: e.to_string() })?;
                Ok(ShortlistEntry { profile_id, note, tags, query, added_by, added_at })
            })
            .collect()
    }

    pub async fn saved_searches(&self) -> Result<Vec<SavedSearch>> {
        with_pool!(self.store, |p| sqlx::query_as::<_, SavedSearch>(
            "SELECT id, name, request, created_by, created_at FROM saved_searches WHERE org_id = $1 ORDER BY id"
        )
        .bind(self.org)
        .fetch_all(p)
        .await)
        .doing("listing saved searches")
    }

    pub async fn save_search(&self, name: &str, request: &str, by: UserId) -> Result<SavedSearch> {
        with_pool!(self.store, |p| sqlx::query_as::<_, SavedSearch>(
            "INSERT INTO saved_searches (org_id, name, request, created_by, created_at) VALUES ($1, $2, $3, $4, $5)
             RETURNING id, name, request, created_by, created_at"
        )
        .bind(self.org)
        .bind(name)
        .bind(request)
        .bind(by)
        .bind(Utc::now())
        .fetch_one(p)
        .await)
        .doing("saving a search")
    }

    pub async fn saved_search(&self, id: i64) -> Result<SavedSearch> {
        with_pool!(self.store, |p| sqlx::query_as::<_, SavedSearch>(
            "SELECT id, name, request, created_by, created_at FROM saved_searches WHERE id = $1 AND org_id = $2"
        )
        .bind(id)
        .bind(self.org)
        .fetch_optional(p)
        .await)
        .doing("reading a saved search")?
        .ok_or_else(|| missing(Record::SavedSearch, id))
    }

    pub async fn delete_saved_search(&self, id: i64) -> Result<()> {
        let n = with_pool!(self.store, |p| sqlx::query("DELETE FROM saved_searches WHERE id = $1 AND org_id = $2")
            .bind(id)
            .bind(self.org)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))
        .doing("deleting a saved search")?;
        if n == 0 { Err(missing(Record::SavedSearch, id)) } else { Ok(()) }
    }

    /// This organisation's security events, newest first.
    pub async fn audit_events(&self, limit: i64) -> Result<Vec<crate::AuditEvent>> {
        with_pool!(self.store, |p| sqlx::query_as::<_, crate::AuditEvent>(
            "SELECT id, user_id, kind, ip, detail, at FROM audit_events WHERE org_id = $1 ORDER BY id DESC LIMIT $2"
        )
        .bind(self.org)
        .bind(limit)
        .fetch_all(p)
        .await)
        .doing("reading security events")
    }
}

//! Notifications: one row per recipient of each step on a deal (an
//! application, an offer, a message, a signature, a milestone, a review), so
//! every recipient reads and marks their own. The live stream (`/v1/events`)
//! carries the same rows as they are written; this table is what a client
//! that was away reads back, and what the bell's unread count comes from.

use chrono::{DateTime, Utc};

use crate::error::{Doing, Result};
use crate::{Backend, Inbox, UserId};

/// A notification, as its recipient reads it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredNotification {
    pub id: i64,
    pub user_id: UserId,
    /// `application`, `invitation`, `offer`, `accepted`, `message`, `signed`, …
    pub kind: String,
    pub title: String,
    /// Where the web app shows it (`/contracts/12`).
    pub link: String,
    pub campaign_id: Option<i64>,
    pub negotiation_id: Option<i64>,
    pub contract_id: Option<i64>,
    pub actor_id: Option<UserId>,
    pub read_at: Option<DateTime<Utc>>,
    pub at: DateTime<Utc>,
}

/// What happened, before it is addressed to its recipients.
#[derive(Debug, Clone, Default)]
pub struct NewNotification<'a> {
    pub kind: &'a str,
    pub title: &'a str,
    pub link: &'a str,
    pub campaign_id: Option<i64>,
    pub negotiation_id: Option<i64>,
    pub contract_id: Option<i64>,
    pub actor_id: Option<UserId>,
}

const COLUMNS: &str = "id, user_id, kind, title, link, campaign_id, negotiation_id, contract_id, actor_id, read_at, at";

impl Inbox<'_> {
    /// Writes one notification per recipient (duplicates once), in one
    /// transaction; returns the rows written.
    pub async fn notify(&self, recipients: &[UserId], n: &NewNotification<'_>) -> Result<Vec<StoredNotification>> {
        let mut unique: Vec<UserId> = recipients.to_vec();
        unique.sort_unstable();
        unique.dedup();
        if unique.is_empty() {
            return Ok(Vec::new());
        }
        let now = Utc::now();
        let sql = format!(
            "INSERT INTO notifications (user_id, kind, title, link, campaign_id, negotiation_id, contract_id,
                                        actor_id, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {COLUMNS}"
        );
        with_pool!(self.store, |p| {
            let mut tx = p.begin().await.doing("starting a notification")?;
            let mut out = Vec::with_capacity(unique.len());
            for user in &unique {
                let row: StoredNotification = sqlx::query_as(&sql)
                    .bind(user)
                    .bind(n.kind)
                    .bind(n.title)
                    .bind(n.link)
                    .bind(n.campaign_id)
                    .bind(n.negotiation_id)
                    .bind(n.contract_id)
                    .bind(n.actor_id)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await
                    .doing("writing a notification")?;
                out.push(row);
            }
            tx.commit().await.doing("committing notifications")?;
            Ok(out)
        })
    }

    /// A user's notifications, newest first, older than `before` when given.
    pub async fn list(
        &self,
        user: UserId,
        unread_only: bool,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<StoredNotification>> {
        let unread = if unread_only { "AND read_at IS NULL" } else { "" };
        let sql = format!(
            "SELECT {COLUMNS} FROM notifications WHERE user_id = $1 AND id < $2 {unread} ORDER BY id DESC LIMIT $3"
        );
        with_pool!(self.store, |p| sqlx::query_as(&sql)
            .bind(user)
            .bind(before.unwrap_or(i64::MAX))
            .bind(limit.clamp(1, 200))
            .fetch_all(p)
            .await)
        .doing("reading notifications")
    }

    /// How many of a user's notifications are unread.
    pub async fn unread(&self, user: UserId) -> Result<i64> {
        with_pool!(self.store, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL"
        )
        .bind(user)
        .fetch_one(p)
        .await)
        .doing("counting unread notifications")
    }

    /// Marks a user's notifications read, up to and including `up_to` (all
    /// without it); returns how many were marked.
    pub async fn mark_read(&self, user: UserId, up_to: Option<i64>) -> Result<u64> {
        with_pool!(self.store, |p| sqlx::query(
            "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND id <= $3 AND read_at IS NULL"
        )
        .bind(Utc::now())
        .bind(user)
        .bind(up_to.unwrap_or(i64::MAX))
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .doing("marking notifications read")
    }
}

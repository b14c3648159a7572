//! Negotiation threads: offers, steps and messages.

use super::*;

/// Writes one offer version inside the transaction `$tx` (the same statement
/// on both backends, whose transactions differ in type).
macro_rules! insert_offer {
    ($tx:expr, $id:expr, $offer:expr, $total:expr, $by:expr, $now:expr) => {
        sqlx::query(
            "INSERT INTO offers (negotiation_id, version, side, terms, total_minor, currency, made_by, made_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind($id)
        .bind(i64::from($offer.version))
        .bind($offer.by.as_str())
        .bind(json(&$offer.terms))
        .bind($total.amount_minor)
        .bind($total.currency.as_str())
        .bind($by)
        .bind($now)
        .execute(&mut *$tx)
        .await
        .doing("writing an offer")
    };
}

impl Market<'_> {
    /// Opens a thread with its first offer; [`Error::NegotiationExists`] when
    /// the campaign and creator already have an open one.
    pub async fn open_negotiation(&self, new: NewNegotiation<'_>) -> Result<i64> {
        let now = Utc::now();
        let offer = new.negotiation.latest();
        let total = offer.terms.total().map_err(|e| corrupt("offers", e))?;
        let result: Result<i64> = with_pool!(self.store, |p| {
            let mut tx = p.begin().await.doing("starting a transaction")?;
            let id: i64 = match sqlx::query_scalar(
                "INSERT INTO negotiations (campaign_id, profile_id, creator_id, origin, status, latest_version,
                                           created_at, updated_at)
                 VALUES ($1, $2, $3, $4, 'open', $5, $6, $6) RETURNING id",
            )
            .bind(new.campaign_id)
            .bind(new.profile_id)
            .bind(new.creator_id)
            .bind(spelling(&new.negotiation.origin))
            .bind(i64::from(offer.version))
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            {
                Ok(id) => id,
                Err(e) if is_unique_violation(&e) => {
                    return Err(Error::NegotiationExists { campaign: new.campaign_id, profile: new.profile_id });
                }
                Err(e) => return Err(Error::Database { doing: "opening a negotiation", source: e }),
            };
            insert_offer!(tx, id, offer, total, new.by, now)?;
            sqlx::query(
                "INSERT INTO thread_entries (negotiation_id, kind, side, version, body, author_id, at)
                 VALUES ($1, 'offer', $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(offer.by.as_str())
            .bind(i64::from(offer.version))
            .bind(new.message)
            .bind(new.by)
            .bind(now)
            .execute(&mut *tx)
            .await
            .doing("writing a thread entry")?;
            tx.commit().await.doing("committing a negotiation")?;
            Ok(id)
        });
        result
    }

    /// One thread with every offer, as `viewer` sees it.
    pub async fn negotiation(&self, id: i64, viewer: Viewer) -> Result<StoredNegotiation> {
        let mut found = self.negotiations_where("n.id = $2", id, viewer, 0, 1).await?;
        found.pop().ok_or_else(|| missing(Record::Negotiation, id))
    }

    /// The threads `viewer` is a party to, on one campaign or all, newest first.
    pub async fn negotiations(
        &self,
        viewer: Viewer,
        campaign: Option<i64>,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<StoredNegotiation>> {
        match campaign {
            Some(c) => self.negotiations_where("n.campaign_id = $2", c, viewer, offset, limit).await,
            None => self.negotiations_where("$2 = $2", 0, viewer, offset, limit).await,
        }
    }

    async fn negotiations_where(
        &self,
        condition: &str,
        value: i64,
        viewer: Viewer,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<StoredNegotiation>> {
        let (who, who_bind) = viewer_condition(viewer, "c.org_id", "n.creator_id", 1);
        let sql = format!(
            "SELECT n.id, n.campaign_id, c.org_id, n.profile_id, n.creator_id, n.origin, n.status, n.created_at,
                    n.updated_at, (SELECT k.id FROM contracts k WHERE k.negotiation_id = n.id)
             FROM negotiations n JOIN campaigns c ON c.id = n.campaign_id
             WHERE {who} AND {condition}
             ORDER BY n.id DESC LIMIT {} OFFSET {}",
            limit.clamp(1, 500),
            offset.max(0)
        );
        type Row = (i64, i64, i64, i64, Option<i64>, String, String, DateTime<Utc>, DateTime<Utc>, Option<i64>);
        let rows: Vec<Row> =
            with_pool!(self.store, |p| sqlx::query_as(&sql).bind(who_bind).bind(value).fetch_all(p).await)
                .doing("reading negotiations")?;
        let mut out = Vec::with_capacity(rows.len());
        for (id, campaign_id, org_id, profile_id, creator_id, origin, status, created_at, updated_at, contract_id) in
            rows
        {
            type OfferRow = (i64, String, String, Option<i64>, DateTime<Utc>);
            let offers: Vec<OfferRow> = with_pool!(self.store, |p| {
                sqlx::query_as(
                "SELECT version, side, terms, made_by, made_at FROM offers WHERE negotiation_id = $1 ORDER BY version"
            )
            .bind(id)
            .fetch_all(p)
            .await
            })
            .doing("reading offers")?;
            let mut made = Vec::with_capacity(offers.len());
            let mut list = Vec::with_capacity(offers.len());
            for (version, side, terms, by, at) in offers {
                let version = u32::try_from(version).map_err(|e| corrupt("offers", e))?;
                made.push(OfferMade { version, by, at });
                list.push(Offer {
                    version,
                    by: spelled("offers", &side)?,
                    terms: serde_json::from_str(&terms).map_err(|e| corrupt("offers", e))?,
                });
            }
            if list.is_empty() {
                return Err(corrupt("negotiations", format!("negotiation {id} has no offer")));
            }
            out.push(StoredNegotiation {
                id,
                campaign_id,
                org_id,
                profile_id,
                creator_id,
                negotiation: Negotiation {
                    origin: spelled::<Origin>("negotiations", &origin)?,
                    status: spelled::<NegotiationStatus>("negotiations", &status)?,
                    offers: list,
                },
                contract_id,
                offers_made: made,
                created_at,
                updated_at,
            });
        }
        Ok(out)
    }

    /// Records a step on a thread that was read as `before` and is now
    /// `after`: a new offer when one was added, the new status, the step in
    /// the thread, and the contract when the step accepted an offer; all in
    /// one transaction, and only if the thread is still as it was read
    /// ([`Error::Stale`] otherwise). Returns the new contract's id.
    pub async fn record_negotiation(
        &self,
        id: i64,
        before: &Negotiation,
        after: &Negotiation,
        step: ThreadStep<'_>,
        contract: Option<NewContract<'_>>,
    ) -> Result<Option<i64>> {
        let now = Utc::now();
        let latest = after.latest();
        let added = (latest.version > before.latest().version).then_some(latest);
        let result: Result<Option<i64>> = with_pool!(self.store, |p| {
            let mut tx = p.begin().await.doing("starting a transaction")?;
            let n = sqlx::query(
                "UPDATE negotiations SET status = $1, latest_version = $2, updated_at = $3
                 WHERE id = $4 AND status = $5 AND latest_version = $6",
            )
            .bind(after.status.as_str())
            .bind(i64::from(latest.version))
            .bind(now)
            .bind(id)
            .bind(before.status.as_str())
            .bind(i64::from(before.latest().version))
            .execute(&mut *tx)
            .await
            .doing("updating a negotiation")?
            .rows_affected();
            if n == 0 {
                return Err(stale(Record::Negotiation, id));
            }
            if let Some(offer) = added {
                let total = offer.terms.total().map_err(|e| corrupt("offers", e))?;
                insert_offer!(tx, id, offer, total, step.by, now)?;
            }
            sqlx::query(
                "INSERT INTO thread_entries (negotiation_id, kind, side, version, body, author_id, at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(step.kind)
            .bind(step.side.as_str())
            .bind(i64::from(latest.version))
            .bind(step.body)
            .bind(step.by)
            .bind(now)
            .execute(&mut *tx)
            .await
            .doing("writing a thread entry")?;
            let mut contract_id = None;
            if let Some(c) = contract {
                let total = c.contract.total();
                let new_id: i64 = sqlx::query_scalar(
                    "INSERT INTO contracts (negotiation_id, campaign_id, org_id, profile_id, creator_id, offer_version,
                                            status, terms, terms_text, terms_version, terms_hash, total_minor,
                                            currency, review_days, fee_bps, created_at, updated_at)
                     SELECT n.id, n.campaign_id, c.org_id, n.profile_id, n.creator_id, $2, $3, $4, $5, $6, $7, $8,
                            $9, $10, $12, $11, $11
                     FROM negotiations n JOIN campaigns c ON c.id = n.campaign_id WHERE n.id = $1
                     RETURNING id",
                )
                .bind(id)
                .bind(i64::from(c.offer_version))
                .bind(c.contract.status.as_str())
                .bind(json(c.terms))
                .bind(c.terms_text)
                .bind(c.terms_version)
                .bind(c.terms_hash)
                .bind(total.amount_minor)
                .bind(total.currency.as_str())
                .bind(i64::from(c.contract.review_days))
                .bind(now)
                .bind(i64::from(c.fee_bps))
                .fetch_one(&mut *tx)
                .await
                .doing("writing a contract")?;
                for (idx, m) in c.contract.milestones.iter().enumerate() {
                    sqlx::query(
                        "INSERT INTO milestones (contract_id, idx, title, amount_minor, currency, due_on, status)
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(new_id)
                    .bind(idx as i64)
                    .bind(&m.title)
                    .bind(m.amount.amount_minor)
                    .bind(m.amount.currency.as_str())
                    .bind(m.due_on)
                    .bind(m.status.as_str())
                    .execute(&mut *tx)
                    .await
                    .doing("writing a milestone")?;
                }
                contract_id = Some(new_id);
            }
            tx.commit().await.doing("committing a negotiation step")?;
            Ok(contract_id)
        });
        result
    }

    /// Adds a message to a thread.
    pub async fn post_message(&self, id: i64, side: Side, by: UserId, body: &str) -> Result<ThreadEntry> {
        let now = Utc::now();
        let entry: i64 = with_pool!(self.store, |p| sqlx::query_scalar(
            "INSERT INTO thread_entries (negotiation_id, kind, side, version, body, author_id, at)
             VALUES ($1, 'message', $2, NULL, $3, $4, $5) RETURNING id"
        )
        .bind(id)
        .bind(side.as_str())
        .bind(body)
        .bind(by)
        .bind(now)
        .fetch_one(p)
        .await)
        .doing("writing a message")?;
        Ok(ThreadEntry {
            id: entry,
            negotiation_id: id,
            kind: "message".into(),
            side,
            version: None,
            body: body.to_string(),
            author: Some(by),
            at: now,
        })
    }

    /// Every message `user` wrote in any thread, oldest first (for their data export).
    pub async fn messages_by(&self, user: UserId) -> Result<Vec<ThreadEntry>> {
        type Row = (i64, i64, String, String, DateTime<Utc>);
        let rows: Vec<Row> = with_pool!(self.store, |p| sqlx::query_as(
            "SELECT id, negotiation_id, side, body, at FROM thread_entries
             WHERE author_id = $1 AND kind = 'message' ORDER BY id"
        )
        .bind(user)
        .fetch_all(p)
        .await)
        .doing("reading messages")?;
        rows.into_iter()
            .map(|(id, negotiation_id, side, body, at)| {
                Ok(ThreadEntry {
                    id,
                    negotiation_id,
                    kind: "message".into(),
                    side: spelled("thread_entries", &side)?,
                    version: None,
                    body,
                    author: Some(user),
                    at,
                })
            })
            .collect()
    }

    /// A thread's entries after `after` (0: from the start), oldest first.
    pub async fn thread(&self, id: i64, viewer: Viewer, after: i64) -> Result<Vec<ThreadEntry>> {
        self.negotiation(id, viewer).await?;
        type Row = (i64, String, String, Option<i64>, String, Option<i64>, DateTime<Utc>);
        let rows: Vec<Row> = with_pool!(self.store, |p| sqlx::query_as(
            "SELECT id, kind, side, version, body, author_id, at FROM thread_entries
             WHERE negotiation_id = $1 AND id > $2 ORDER BY id LIMIT 1000"
        )
        .bind(id)
        .bind(after)
        .fetch_all(p)
        .await)
        .doing("reading a thread")?;
        rows.into_iter()
            .map(|(entry, kind, side, version, body, author, at)| {
                Ok(ThreadEntry {
                    id: entry,
                    negotiation_id: id,
                    kind,
                    side: spelled("thread_entries", &side)?,
                    version: version.and_then(|v| u32::try_from(v).ok()),
                    body,
                    author,
                    at,
                })
            })
            .collect()
    }
}

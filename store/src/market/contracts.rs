//! Contracts: milestones, signatures and every recorded step.

use super::*;

impl Market<'_> {
    /// One contract as `viewer` sees it.
    pub async fn contract(&self, id: i64, viewer: Viewer) -> Result<StoredContract> {
        let mut found = self.contracts_where("k.id = $2", id, viewer, 0, 1).await?;
        found.pop().ok_or_else(|| missing(Record::Contract, id))
    }

    /// The contracts `viewer` is a party to, on one campaign or all, newest first.
    pub async fn contracts(
        &self,
        viewer: Viewer,
        campaign: Option<i64>,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<StoredContract>> {
        match campaign {
            Some(c) => self.contracts_where("k.campaign_id = $2", c, viewer, offset, limit).await,
            None => self.contracts_where("$2 = $2", 0, viewer, offset, limit).await,
        }
    }

    /// Contracts with a submitted milestone (automatic approval looks at these).
    pub async fn contracts_in_review(&self) -> Result<Vec<i64>> {
        with_pool!(self.store, |p| sqlx::query_scalar(
            "SELECT DISTINCT m.contract_id FROM milestones m JOIN contracts k ON k.id = m.contract_id
             WHERE m.status = 'submitted' AND k.status IN ('active', 'disputed') ORDER BY m.contract_id"
        )
        .fetch_all(p)
        .await)
        .doing("finding contracts in review")
    }

    /// Contracts both sides signed whose escrow is not funded yet, oldest
    /// first; of one organisation or all.
    pub async fn contracts_awaiting_funding(&self, org: Option<i64>) -> Result<Vec<i64>> {
        with_pool!(self.store, |p| sqlx::query_scalar(
            "SELECT id FROM contracts WHERE status = 'awaiting_funding' AND ($1 = 0 OR org_id = $1) ORDER BY id"
        )
        .bind(org.unwrap_or(0))
        .fetch_all(p)
        .await)
        .doing("finding contracts awaiting funding")
    }

    /// Funded contracts changed at or after `since` (their money steps are
    /// checked against the ledger by a sweep).
    pub async fn funded_contracts_since(&self, since: DateTime<Utc>) -> Result<Vec<i64>> {
        with_pool!(self.store, |p| sqlx::query_scalar(
            "SELECT id FROM contracts WHERE funded = $1 AND updated_at >= $2 ORDER BY id"
        )
        .bind(true)
        .bind(since)
        .fetch_all(p)
        .await)
        .doing("finding recently changed funded contracts")
    }

    async fn contracts_where(
        &self,
        condition: &str,
        value: i64,
        viewer: Viewer,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<StoredContract>> {
        let (who, who_bind) = viewer_condition(viewer, "k.org_id", "k.creator_id", 1);
        let sql = format!(
            "SELECT k.id, k.negotiation_id, k.campaign_id, k.org_id, k.profile_id, k.creator_id, k.offer_version,
                    k.revision, k.status, k.terms, k.terms_text, k.terms_version, k.terms_hash, k.review_days,
                    k.funded, k.fee_bps, k.created_at, k.updated_at
             FROM contracts k WHERE {who} AND {condition} ORDER BY k.id DESC LIMIT {} OFFSET {}",
            limit.clamp(1, 500),
            offset.max(0)
        );
        let rows: Vec<ContractRow> =
            with_pool!(self.store, |p| sqlx::query_as(&sql).bind(who_bind).bind(value).fetch_all(p).await)
                .doing("reading contracts")?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let ContractRow {
                id,
                negotiation_id,
                campaign_id,
                org_id,
                profile_id,
                creator_id,
                offer_version,
                revision,
                status,
                terms,
                terms_text,
                terms_version,
                terms_hash,
                review_days,
                funded,
                fee_bps,
                created_at,
                updated_at,
            } = row;
            let (milestones, submissions) = self.milestones(id).await?;
            let signatures = self.signatures(id).await?;
            let has = |s: Side| signatures.iter().any(|x| x.side == s);
            out.push(StoredContract {
                id,
                negotiation_id,
                campaign_id,
                org_id,
                profile_id,
                creator_id,
                offer_version: u32::try_from(offer_version).map_err(|e| corrupt("contracts", e))?,
                revision,
                contract: Contract {
                    status: spelled::<ContractStatus>("contracts", &status)?,
                    milestones,
                    signed_by_brand: has(Side::Brand),
                    signed_by_creator: has(Side::Creator),
                    funded,
                    review_days: u32::try_from(review_days).map_err(|e| corrupt("contracts", e))?,
                },
                terms: serde_json::from_str(&terms).map_err(|e| corrupt("contracts", e))?,
                terms_text,
                terms_version,
                terms_hash,
                fee_bps: u32::try_from(fee_bps).map_err(|e| corrupt("contracts", e))?,
                signatures,
                submissions,
                created_at,
                updated_at,
            });
        }
        Ok(out)
    }

    async fn milestones(&self, contract: i64) -> Result<(Vec<Milestone>, Vec<Submission>)> {
        type Row = (
            String,
            i64,
            String,
            NaiveDate,
            String,
            Option<DateTime<Utc>>,
            i64,
            Option<String>,
            Option<i64>,
            String,
            String,
        );
        let rows: Vec<Row> = with_pool!(self.store, |p| sqlx::query_as(
            "SELECT title, amount_minor, currency, due_on, status, submitted_at, revisions, resolution,
                    creator_share_minor, links, note
             FROM milestones WHERE contract_id = $1 ORDER BY idx"
        )
        .bind(contract)
        .fetch_all(p)
        .await)
        .doing("reading milestones")?;
        if rows.is_empty() {
            return Err(corrupt("contracts", format!("contract {contract} has no milestone")));
        }
        let mut milestones = Vec::with_capacity(rows.len());
        let mut submissions = Vec::with_capacity(rows.len());
        for (title, amount, currency, due_on, status, submitted_at, revisions, resolution, share, links, note) in rows {
            let currency = currency.parse().map_err(|e| corrupt("milestones", e))?;
            milestones.push(Milestone {
                title,
                amount: scout_domain::money::Money::new(amount, currency),
                due_on,
                status: spelled::<MilestoneStatus>("milestones", &status)?,
                submitted_at,
                revisions: u32::try_from(revisions).map_err(|e| corrupt("milestones", e))?,
                resolution: resolution.as_deref().map(|r| spelled::<Resolution>("milestones", r)).transpose()?,
                creator_share_minor: share,
            });
            submissions
                .push(Submission { links: serde_json::from_str(&links).map_err(|e| corrupt("milestones", e))?, note });
        }
        Ok((milestones, submissions))
    }

    async fn signatures(&self, contract: i64) -> Result<Vec<Signature>> {
        type Row = (String, Option<i64>, String, Option<String>, DateTime<Utc>);
        let rows: Vec<Row> = with_pool!(self.store, |p| sqlx::query_as(
            "SELECT side, user_id, name, ip, signed_at FROM contract_signatures WHERE contract_id = $1 ORDER BY signed_at"
        )
        .bind(contract)
        .fetch_all(p)
        .await)
        .doing("reading signatures")?;
        rows.into_iter()
            .map(|(side, user_id, name, ip, signed_at)| {
                Ok(Signature { side: spelled("contract_signatures", &side)?, user_id, name, ip, signed_at })
            })
            .collect()
    }

    /// Records a step on a contract read at `revision`, now `after`: its
    /// status, each milestone's state, a signature or a submission when the
    /// step brought one, and the step itself; in one transaction, and only if
    /// nobody wrote since ([`Error::Stale`] otherwise).
    pub async fn record_contract(
        &self,
        id: i64,
        revision: i64,
        after: &Contract,
        step: ContractStep<'_>,
    ) -> Result<()> {
        let now = Utc::now();
        let result: Result<()> = with_pool!(self.store, |p| {
            let mut tx = p.begin().await.doing("starting a transaction")?;
            let n = sqlx::query(
                "UPDATE contracts SET status = $1, funded = $2, revision = revision + 1, updated_at = $3
                 WHERE id = $4 AND revision = $5",
            )
            .bind(after.status.as_str())
            .bind(after.funded)
            .bind(now)
            .bind(id)
            .bind(revision)
            .execute(&mut *tx)
            .await
            .doing("updating a contract")?
            .rows_affected();
            if n == 0 {
                return Err(stale(Record::Contract, id));
            }
            for (idx, m) in after.milestones.iter().enumerate() {
                sqlx::query(
                    "UPDATE milestones SET status = $1, submitted_at = $2, revisions = $3, resolution = $4,
                                           creator_share_minor = $7
                     WHERE contract_id = $5 AND idx = $6",
                )
                .bind(m.status.as_str())
                .bind(m.submitted_at)
                .bind(i64::from(m.revisions))
                .bind(m.resolution.map(|r| spelling(&r)))
                .bind(id)
                .bind(idx as i64)
                .bind(m.creator_share_minor)
                .execute(&mut *tx)
                .await
                .doing("updating a milestone")?;
            }
            if let Some((idx, s)) = &step.submission {
                sqlx::query("UPDATE milestones SET links = $1, note = $2 WHERE contract_id = $3 AND idx = $4")
                    .bind(json(&s.links))
                    .bind(&s.note)
                    .bind(id)
                    .bind(*idx as i64)
                    .execute(&mut *tx)
                    .await
                    .doing("writing a submission")?;
            }
            if let Some(s) = &step.signature {
                sqlx::query(
                    "INSERT INTO contract_signatures (contract_id, side, user_id, name, ip, signed_at)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(id)
                .bind(s.side.as_str())
                .bind(s.user_id)
                .bind(&s.name)
                .bind(&s.ip)
                .bind(s.signed_at)
                .execute(&mut *tx)
                .await
                .doing("writing a signature")?;
            }
            sqlx::query(
                "INSERT INTO contract_steps (contract_id, milestone, kind, actor, user_id, detail, at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(step.milestone.map(|m| m as i64))
            .bind(step.kind)
            .bind(step.actor)
            .bind(step.by)
            .bind(step.detail)
            .bind(now)
            .execute(&mut *tx)
            .await
            .doing("writing a contract step")?;
            tx.commit().await.doing("committing a contract step")?;
            Ok(())
        });
        result
    }

    /// A contract's recorded steps, oldest first.
    pub async fn contract_steps(&self, id: i64, viewer: Viewer) -> Result<Vec<ContractStepRecord>> {
        self.contract(id, viewer).await?;
        type Row = (i64, Option<i64>, String, String, Option<i64>, String, DateTime<Utc>);
        let rows: Vec<Row> = with_pool!(self.store, |p| sqlx::query_as(
            "SELECT id, milestone, kind, actor, user_id, detail, at FROM contract_steps WHERE contract_id = $1
             ORDER BY id"
        )
        .bind(id)
        .fetch_all(p)
        .await)
        .doing("reading contract steps")?;
        Ok(rows
            .into_iter()
            .map(|(id, milestone, kind, actor, user_id, detail, at)| ContractStepRecord {
                id,
                milestone: milestone.and_then(|m| usize::try_from(m).ok()),
                kind,
                actor,
                user_id,
                detail,
                at,
            })
            .collect())
    }
}

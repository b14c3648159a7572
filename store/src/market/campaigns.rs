//! Campaigns: a brand's through its tenant handle, the marketplace's listed ones.

use super::*;

impl crate::Tenant<'_> {
    /// Stores a new campaign, as a draft.
    pub async fn create_campaign(&self, spec: &CampaignSpec, by: UserId) -> Result<StoredCampaign> {
        let now = Utc::now();
        let id: i64 = with_pool!(self.store(), |p| sqlx::query_scalar(
            "INSERT INTO campaigns (org_id, name, status, visibility, objective, spec, budget_minor, currency,
                                    starts_on, ends_on, niches, platforms, search_text, created_by, created_at,
                                    updated_at)
             VALUES ($1, $2, 'draft', $3, $4, $5, $6, $7, $8, $9, $10, $11, $14, $12, $13, $13) RETURNING id"
        )
        .bind(self.org())
        .bind(spec.name.trim())
        .bind(spelling(&spec.visibility))
        .bind(spelling(&spec.objective))
        .bind(json(spec))
        .bind(spec.budget.amount_minor)
        .bind(spec.budget.currency.as_str())
        .bind(spec.starts_on)
        .bind(spec.ends_on)
        .bind(list_column(&spec.niches))
        .bind(list_column(&spec.platforms.iter().map(|p| p.as_str()).collect::<Vec<_>>()))
        .bind(by)
        .bind(now)
        .bind(search_text(spec))
        .fetch_one(p)
        .await)
        .doing("creating a campaign")?;
        self.campaign(id).await
    }

    /// One of this organisation's campaigns.
    pub async fn campaign(&self, id: i64) -> Result<StoredCampaign> {
        let sql = format!("SELECT {CAMPAIGN_COLUMNS} FROM campaigns c WHERE c.id = $1 AND c.org_id = $2");
        let row: Option<CampaignRow> =
            with_pool!(self.store(), |p| sqlx::query_as(&sql).bind(id).bind(self.org()).fetch_optional(p).await)
                .doing("reading a campaign")?;
        campaign_from(row.ok_or_else(|| missing(Record::Campaign, id))?)
    }

    /// This organisation's campaigns matching `q`, and how many match in all.
    pub async fn campaigns(&self, q: &CampaignQuery) -> Result<(Vec<StoredCampaign>, i64)> {
        self.store().market().list_campaigns(Some(self.org()), false, q).await
    }

    /// Writes a new spec and status, if the campaign is still at `revision`.
    pub async fn update_campaign(
        &self,
        id: i64,
        revision: i64,
        spec: &CampaignSpec,
        status: CampaignStatus,
    ) -> Result<StoredCampaign> {
        let n = with_pool!(self.store(), |p| sqlx::query(
            "UPDATE campaigns SET name = $1, status = $2, visibility = $3, objective = $4, spec = $5,
                    budget_minor = $6, currency = $7, starts_on = $8, ends_on = $9, niches = $10, platforms = $11,
                    search_text = $16, revision = revision + 1, updated_at = $12
             WHERE id = $13 AND org_id = $14 AND revision = $15"
        )
        .bind(spec.name.trim())
        .bind(status.as_str())
        .bind(spelling(&spec.visibility))
        .bind(spelling(&spec.objective))
        .bind(json(spec))
        .bind(spec.budget.amount_minor)
        .bind(spec.budget.currency.as_str())
        .bind(spec.starts_on)
        .bind(spec.ends_on)
        .bind(list_column(&spec.niches))
        .bind(list_column(&spec.platforms.iter().map(|p| p.as_str()).collect::<Vec<_>>()))
        .bind(Utc::now())
        .bind(id)
        .bind(self.org())
        .bind(revision)
        .bind(search_text(spec))
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .doing("updating a campaign")?;
        if n == 0 {
            // Not ours (or gone), or written since it was read.
            self.campaign(id).await?;
            return Err(stale(Record::Campaign, id));
        }
        self.campaign(id).await
    }

    /// What hangs on a campaign: open threads, live and all contracts, and the
    /// minor units its contracts commit (cancelled ones aside).
    pub async fn campaign_deals(&self, id: i64) -> Result<(Deals, i64)> {
        self.campaign(id).await?;
        let (open, live, all, committed): (i64, i64, i64, Option<i64>) = with_pool!(self.store(), |p| sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM negotiations WHERE campaign_id = $1 AND status = 'open'),
                    (SELECT COUNT(*) FROM contracts WHERE campaign_id = $1
                       AND status NOT IN ('completed', 'cancelled')),
                    (SELECT COUNT(*) FROM contracts WHERE campaign_id = $1),
                    (SELECT CAST(SUM(total_minor) AS BIGINT) FROM contracts WHERE campaign_id = $1
                       AND status <> 'cancelled')"
        )
        .bind(id)
        .fetch_one(p)
        .await)
        .doing("counting a campaign's deals")?;
        let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
        Ok((
            Deals { open_negotiations: count(open), live_contracts: count(live), contracts: count(all) },
            committed.unwrap_or(0),
        ))
    }
}

/// What text search looks in: the name, the brief and the niches, lowercased.
fn search_text(spec: &CampaignSpec) -> String {
    format!("{} {} {}", spec.name, spec.brief, spec.niches.join(" ")).to_lowercase()
}

/// Lists are stored as `|a|b|` so that `LIKE '%|a|%'` finds one item exactly.
fn list_column<S: AsRef<str>>(items: &[S]) -> String {
    if items.is_empty() {
        return String::new();
    }
    let mut out = String::from("|");
    for i in items {
        out.push_str(i.as_ref());
        out.push('|');
    }
    out
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
fn like_escaped(s: &str) -> String {
    s.chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect()
}

impl Market<'_> {
    /// Campaigns of one organisation, or (with `listed`) the marketplace's:
    /// listed and open or in progress, of any organisation.
    pub async fn list_campaigns(
        &self,
        org: Option<OrgId>,
        listed: bool,
        q: &CampaignQuery,
    ) -> Result<(Vec<StoredCampaign>, i64)> {
        let mut conditions: Vec<String> = Vec::new();
        let mut binds: Vec<String> = Vec::new();
        let bind = |v: String, binds: &mut Vec<String>| {
            binds.push(v);
            format!("${}", binds.len() + 1)
        };
        if listed {
            conditions.push("c.visibility = 'listed' AND c.status IN ('open', 'in_progress')".into());
        }
        if !q.statuses.is_empty() {
            let list: Vec<String> = q.statuses.iter().map(|s| bind(s.as_str().to_string(), &mut binds)).collect();
            conditions.push(format!("c.status IN ({})", list.join(", ")));
        }
        for word in q.text.as_deref().unwrap_or("").split_whitespace().take(8) {
            let pattern = format!("%{}%", like_escaped(&word.to_lowercase()));
            let n = bind(pattern, &mut binds);
            conditions.push(format!("c.search_text LIKE {n} ESCAPE '\\'"));
        }
        if let Some(niche) = &q.niche {
            let n = bind(format!("%|{}|%", like_escaped(niche)), &mut binds);
            conditions.push(format!("c.niches LIKE {n} ESCAPE '\\'"));
        }
        // $1 is the organisation (or 0 with no organisation condition).
        let org_condition = if org.is_some() { "c.org_id = $1" } else { "$1 = $1" };
        let filter = std::iter::once(org_condition.to_string()).chain(conditions).collect::<Vec<_>>().join(" AND ");
        let order = match q.order {
            CampaignOrder::Newest => "c.id DESC",
            CampaignOrder::EndsSoonest => "c.ends_on, c.id",
            CampaignOrder::LargestBudget => "c.budget_minor DESC, c.id",
            CampaignOrder::Name => "LOWER(c.name), c.id",
        };
        let page = format!(
            "SELECT {CAMPAIGN_COLUMNS} FROM campaigns c WHERE {filter} ORDER BY {order} LIMIT {} OFFSET {}",
            q.limit.clamp(1, 1000),
            q.offset.max(0)
        );
        let count = format!("SELECT COUNT(*) FROM campaigns c WHERE {filter}");
        let org_bind = org.unwrap_or(0);
        let (rows, total): (Vec<CampaignRow>, i64) = with_pool!(self.store, |p| {
            let mut rows = sqlx::query_as(&page).bind(org_bind);
            let mut total = sqlx::query_scalar(&count).bind(org_bind);
            for b in &binds {
                rows = rows.bind(b.as_str());
                total = total.bind(b.as_str());
            }
            match (rows.fetch_all(p).await, total.fetch_one(p).await) {
                (Ok(r), Ok(t)) => Ok((r, t)),
                (Err(e), _) | (_, Err(e)) => Err(e),
            }
        })
        .doing("listing campaigns")?;
        Ok((rows.into_iter().map(campaign_from).collect::<Result<_>>()?, total))
    }

    /// A campaign by id, whoever owns it (the caller decides who may see it).
    pub async fn campaign(&self, id: i64) -> Result<StoredCampaign> {
        let sql = format!("SELECT {CAMPAIGN_COLUMNS} FROM campaigns c WHERE c.id = $1");
        let row: Option<CampaignRow> =
            with_pool!(self.store, |p| sqlx::query_as(&sql).bind(id).fetch_optional(p).await)
                .doing("reading a campaign")?;
        campaign_from(row.ok_or_else(|| missing(Record::Campaign, id))?)
    }
}

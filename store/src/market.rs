//! Campaigns, negotiations and contracts: the records of the marketplace.
//!
//! The rules (who may do what, which states follow which) are
//! `scout-market`'s; this module stores their outcome. Every write is
//! optimistic: the caller read a record at some revision (a campaign's or
//! contract's `revision`, a thread's status and latest offer), applied a rule
//! to it, and writes only if nobody wrote in between; otherwise the write
//! answers [`Error::Stale`] and the caller reads again and re-applies the
//! rule. Two accepts of one offer therefore make one contract (the second
//! finds the thread closed), and two signatures racing are both kept (the
//! second is applied to a contract that already holds the first).
//!
//! Every read names whose view it is ([`Viewer`]): a brand organisation sees
//! its campaigns and the threads and contracts on them, a creator the
//! threads and contracts they are a party to. A guessed id outside the view
//! finds nothing.

use chrono::{DateTime, NaiveDate, Utc};
use scout_domain::ProfileId;
use scout_domain::org::OrgId;
use scout_market::{
    CampaignSpec, CampaignStatus, Contract, ContractStatus, Deals, Milestone, MilestoneStatus, Negotiation,
    NegotiationStatus, Offer, Origin, Resolution, Side, Terms,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Doing, Error, Record, Result};
use crate::{Backend, Market, Store, UserId};

/// Whose view a read takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// A brand organisation (its members, or an agency acting for it).
    Org(OrgId),
    /// A creator account.
    Creator(UserId),
    /// A platform administrator: everything.
    Admin,
}

/// A campaign as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCampaign {
    pub id: i64,
    pub org_id: OrgId,
    pub status: CampaignStatus,
    pub spec: CampaignSpec,
    /// Bumped by each write; an edit names the revision it started from.
    pub revision: i64,
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// How to order a list of campaigns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CampaignOrder {
    #[default]
    Newest,
    EndsSoonest,
    LargestBudget,
    Name,
}

/// Which campaigns to list.
#[derive(Debug, Clone, Default)]
pub struct CampaignQuery {
    pub statuses: Vec<CampaignStatus>,
    /// Words that must all appear in the name or brief (case-insensitive).
    pub text: Option<String>,
    pub niche: Option<String>,
    pub order: CampaignOrder,
    pub limit: i64,
    pub offset: i64,
}

/// A thread between a brand and a creator, with every offer.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredNegotiation {
    pub id: i64,
    pub campaign_id: i64,
    pub org_id: OrgId,
    pub profile_id: ProfileId,
    pub creator_id: Option<UserId>,
    pub negotiation: Negotiation,
    /// The contract an accepted offer made.
    pub contract_id: Option<i64>,
    pub offers_made: Vec<OfferMade>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Who made an offer and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferMade {
    pub version: u32,
    pub by: Option<UserId>,
    pub at: DateTime<Utc>,
}

/// One step of a thread, as both sides see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadEntry {
    pub id: i64,
    pub negotiation_id: i64,
    /// `offer`, `accept`, `reject`, `withdraw` or `message`.
    pub kind: String,
    pub side: Side,
    pub version: Option<u32>,
    pub body: String,
    pub author: Option<UserId>,
    pub at: DateTime<Utc>,
}

/// A new thread: its opening offer and the pitch or invitation text.
#[derive(Debug, Clone)]
pub struct NewNegotiation<'a> {
    pub campaign_id: i64,
    pub profile_id: ProfileId,
    pub creator_id: Option<UserId>,
    pub negotiation: &'a Negotiation,
    pub message: &'a str,
    pub by: UserId,
}

/// A step just taken on a thread, for its record.
#[derive(Debug, Clone, Copy)]
pub struct ThreadStep<'a> {
    /// `offer`, `accept`, `reject` or `withdraw`.
    pub kind: &'static str,
    pub side: Side,
    pub body: &'a str,
    pub by: UserId,
}

/// The contract an accepted offer makes, written with the acceptance.
#[derive(Debug, Clone)]
pub struct NewContract<'a> {
    pub contract: &'a Contract,
    pub terms: &'a Terms,
    pub offer_version: u32,
    pub terms_text: &'a str,
    pub terms_version: &'a str,
    pub terms_hash: &'a str,
}

/// A contract as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredContract {
    pub id: i64,
    pub negotiation_id: Option<i64>,
    pub campaign_id: i64,
    pub org_id: OrgId,
    pub profile_id: Option<ProfileId>,
    pub creator_id: Option<UserId>,
    pub offer_version: u32,
    pub revision: i64,
    pub contract: Contract,
    pub terms: Terms,
    pub terms_text: String,
    pub terms_version: String,
    pub terms_hash: String,
    pub signatures: Vec<Signature>,
    /// Per milestone: the content links and note of its last submission.
    pub submissions: Vec<Submission>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A signature: who, for which side, when, from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub side: Side,
    pub user_id: Option<UserId>,
    pub name: String,
    pub ip: Option<String>,
    pub signed_at: DateTime<Utc>,
}

/// What a creator handed in for a milestone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Submission {
    pub links: Vec<String>,
    pub note: String,
}

/// A step just taken on a contract, for its record.
#[derive(Debug, Clone)]
pub struct ContractStep<'a> {
    /// `sign`, `fund`, `cancel`, `submit`, `approve`, `request_revision`,
    /// `dispute`, `resolve` or `auto_approve`.
    pub kind: &'static str,
    pub milestone: Option<usize>,
    /// `brand`, `creator`, `admin` or `system`.
    pub actor: &'static str,
    pub by: Option<UserId>,
    pub detail: &'a str,
    pub signature: Option<Signature>,
    pub submission: Option<(usize, Submission)>,
}

/// One recorded step of a contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractStepRecord {
    pub id: i64,
    pub milestone: Option<usize>,
    pub kind: String,
    pub actor: String,
    pub user_id: Option<UserId>,
    pub detail: String,
    pub at: DateTime<Utc>,
}

fn corrupt(table: &'static str, e: impl std::fmt::Display) -> Error {
    Error::CorruptRecord { table, message: e.to_string() }
}

/// A stored enum spelling back into its type (the spellings are serde's).
fn spelled<T: DeserializeOwned>(table: &'static str, s: &str) -> Result<T> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).map_err(|e| corrupt(table, e))
}

fn spelling<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

fn stale(what: Record, id: i64) -> Error {
    Error::Stale { what, id }
}

fn missing(what: Record, id: i64) -> Error {
    Error::Missing { what, id }
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

/// A `contracts` row (more columns than sqlx's tuples take).
#[derive(sqlx::FromRow)]
struct ContractRow {
    id: i64,
    negotiation_id: Option<i64>,
    campaign_id: i64,
    org_id: i64,
    profile_id: Option<i64>,
    creator_id: Option<i64>,
    offer_version: i64,
    revision: i64,
    status: String,
    terms: String,
    terms_text: String,
    terms_version: String,
    terms_hash: String,
    review_days: i64,
    funded: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const CAMPAIGN_COLUMNS: &str = "c.id, c.org_id, c.status, c.spec, c.revision, c.created_by, c.created_at, c.updated_at";

type CampaignRow = (i64, i64, String, String, i64, Option<i64>, DateTime<Utc>, DateTime<Utc>);

fn campaign_from(row: CampaignRow) -> Result<StoredCampaign> {
    let (id, org_id, status, spec, revision, created_by, created_at, updated_at) = row;
    Ok(StoredCampaign {
        id,
        org_id,
        status: spelled("campaigns", &status)?,
        spec: serde_json::from_str(&spec).map_err(|e| corrupt("campaigns", e))?,
        revision,
        created_by,
        created_at,
        updated_at,
    })
}

/// The `WHERE` condition that limits rows to what `viewer` may see, given the
/// columns that hold the brand organisation and the creator, binding at `$n`.
fn viewer_condition(viewer: Viewer, org_column: &str, creator_column: &str, n: usize) -> (String, i64) {
    match viewer {
        Viewer::Org(org) => (format!("{org_column} = ${n}"), org),
        Viewer::Creator(user) => (format!("{creator_column} = ${n}"), user),
        Viewer::Admin => (format!("${n} = 0"), 0),
    }
}

impl Store {
    /// Campaigns, threads and contracts.
    pub fn market(&self) -> Market<'_> {
        Market { store: self }
    }
}

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
            sqlx::query(
                "INSERT INTO offers (negotiation_id, version, side, terms, total_minor, currency, made_by, made_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id)
            .bind(i64::from(offer.version))
            .bind(offer.by.as_str())
            .bind(json(&offer.terms))
            .bind(total.amount_minor)
            .bind(total.currency.as_str())
            .bind(new.by)
            .bind(now)
            .execute(&mut *tx)
            .await
            .doing("writing an offer")?;
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
            let offers: Vec<OfferRow> =
                with_pool!(self.store, |p| {
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
                sqlx::query(
                    "INSERT INTO offers (negotiation_id, version, side, terms, total_minor, currency, made_by, made_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(id)
                .bind(i64::from(offer.version))
                .bind(offer.by.as_str())
                .bind(json(&offer.terms))
                .bind(total.amount_minor)
                .bind(total.currency.as_str())
                .bind(step.by)
                .bind(now)
                .execute(&mut *tx)
                .await
                .doing("writing an offer")?;
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
                                            currency, review_days, created_at, updated_at)
                     SELECT n.id, n.campaign_id, c.org_id, n.profile_id, n.creator_id, $2, $3, $4, $5, $6, $7, $8,
                            $9, $10, $11, $11
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
                    k.funded, k.created_at, k.updated_at
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
                signatures,
                submissions,
                created_at,
                updated_at,
            });
        }
        Ok(out)
    }

    async fn milestones(&self, contract: i64) -> Result<(Vec<Milestone>, Vec<Submission>)> {
        type Row = (String, i64, String, NaiveDate, String, Option<DateTime<Utc>>, i64, Option<String>, String, String);
        let rows: Vec<Row> = with_pool!(self.store, |p| sqlx::query_as(
            "SELECT title, amount_minor, currency, due_on, status, submitted_at, revisions, resolution, links, note
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
        for (title, amount, currency, due_on, status, submitted_at, revisions, resolution, links, note) in rows {
            let currency = currency.parse().map_err(|e| corrupt("milestones", e))?;
            milestones.push(Milestone {
                title,
                amount: scout_domain::money::Money::new(amount, currency),
                due_on,
                status: spelled::<MilestoneStatus>("milestones", &status)?,
                submitted_at,
                revisions: u32::try_from(revisions).map_err(|e| corrupt("milestones", e))?,
                resolution: resolution.as_deref().map(|r| spelled::<Resolution>("milestones", r)).transpose()?,
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
                    "UPDATE milestones SET status = $1, submitted_at = $2, revisions = $3, resolution = $4
                     WHERE contract_id = $5 AND idx = $6",
                )
                .bind(m.status.as_str())
                .bind(m.submitted_at)
                .bind(i64::from(m.revisions))
                .bind(m.resolution.map(|r| spelling(&r)))
                .bind(id)
                .bind(idx as i64)
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

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

mod campaigns;
mod contracts;
mod reviews;
mod threads;

pub use reviews::{NewReview, RatingSummary, StoredReview};

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
    /// The platform's fee on each release, in basis points (from the brand's plan).
    pub fee_bps: u32,
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
    /// The platform's fee on each released milestone, in basis points, as signed.
    pub fee_bps: u32,
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
    fee_bps: i64,
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

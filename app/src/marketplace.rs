//! The marketplace, where creators find work: the listed campaigns that take
//! applications, ranked for the calling creator (their verified profiles
//! against each campaign's niches, brief, platforms, audience targeting,
//! languages and budget: `scout_market::fit`), searchable in free text and
//! filtered by niche, platform, budget and deadline.
//!
//! Free text is read by the same query understanding as creator search:
//! "beauty campaigns in Germany over 1000 euros" becomes the niche `beauty`
//! (a ranking signal and a match), the audience country `DE` and a budget of
//! at least 1,000.00 EUR; the words left match a campaign literally (by
//! stem) or in meaning (the static encoder's cosine of the words and the
//! campaign's name and brief).

use std::collections::HashMap;

use chrono::NaiveDate;
use scout_domain::Platform;
use scout_domain::account::Role;
use scout_domain::money::{Currency, Money};
use scout_domain::org::OrgId;
use scout_market::fit::{Fit, Measured, fit};
use scout_market::{CampaignSpec, CampaignStatus, NegotiationStatus};
use scout_models::{dot, normalise};
use scout_store::{CampaignQuery, RatingSummary, StoredCampaign, Viewer};

use crate::Application;
use crate::access::Caller;
use crate::error::{Error, Result};
use crate::planning::{FeeBasis, campaign_fee};

/// Most campaigns one page holds.
pub const MAX_LIMIT: usize = 100;
/// Deepest offset a page may start at.
pub const MAX_OFFSET: usize = 1000;
/// Listed campaigns ranked per request, newest first: the marketplace's
/// working set (a bigger market pages through the store's own order).
const POOL: i64 = 1000;
/// Cosine of the query's words and a campaign's text that counts as a match.
const SEMANTIC_MATCH: f32 = 0.35;

/// How to order the marketplace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MarketOrder {
    /// Best fit for the caller (newest for callers without a profile).
    #[default]
    Best,
    Newest,
    /// The nearest deadline first.
    DueSoonest,
    LargestBudget,
}

/// What a caller asks of the marketplace.
#[derive(Debug, Clone, Default)]
pub struct MarketQuery {
    pub q: Option<String>,
    pub niche: Option<String>,
    pub platform: Option<Platform>,
    /// Budget bounds in minor units of `currency`.
    pub budget_min: Option<i64>,
    pub budget_max: Option<i64>,
    pub currency: Option<Currency>,
    /// Deliverables due on or before / on or after.
    pub due_before: Option<NaiveDate>,
    pub due_after: Option<NaiveDate>,
    pub order: MarketOrder,
    pub limit: usize,
    pub offset: usize,
}

/// A campaign as the marketplace shows it.
#[derive(Debug, Clone)]
pub struct Listing {
    pub campaign: StoredCampaign,
    pub brand: String,
    pub brand_rating: Option<RatingSummary>,
    /// The last day a deliverable is due (the campaign's end without dates).
    pub due_by: NaiveDate,
    /// For a creator: the fit of their best-fitting profile.
    pub fit: Option<(i64, Fit)>,
    /// How well the campaign matches the free text, 0–1.
    pub relevance: Option<f64>,
    /// The caller's negotiation on it, if any.
    pub thread: Option<(i64, NegotiationStatus)>,
}

/// One page of the marketplace.
#[derive(Debug, Clone)]
pub struct MarketPage {
    pub listings: Vec<Listing>,
    pub total: usize,
    /// The profile the fit was computed for (the best one per campaign when
    /// the creator has several).
    pub ranked_for: Vec<i64>,
    pub parsed: Option<scout_ranker::ParsedQuery>,
}

/// The filters a query amounts to, after its free text is read.
#[derive(Debug, Clone, Default)]
struct Filters {
    niches: Vec<String>,
    platforms: Vec<Platform>,
    audience_countries: Vec<String>,
    languages: Vec<String>,
    budget_min: Option<Money>,
    budget_max: Option<Money>,
    due_before: Option<NaiveDate>,
    due_after: Option<NaiveDate>,
    /// Words left of the free text, folded.
    words: Vec<String>,
    /// Niches the text named: they match and rank.
    text_niches: Vec<String>,
}

impl Filters {
    fn read(q: &MarketQuery) -> Result<(Filters, Option<scout_ranker::ParsedQuery>)> {
        let mut f = Filters {
            niches: q.niche.iter().cloned().collect(),
            platforms: q.platform.into_iter().collect(),
            due_before: q.due_before,
            due_after: q.due_after,
            ..Filters::default()
        };
        if (q.budget_min.is_some() || q.budget_max.is_some()) && q.currency.is_none() {
            return Err(Error::bad_parameter("currency", "name the currency of budget_min and budget_max"));
        }
        if let Some(c) = q.currency {
            if c.units_per_usd_micros().is_none() {
                return Err(Error::bad_parameter("currency", format!("unsupported currency `{c}`")));
            }
            f.budget_min = q.budget_min.map(|m| Money::new(m, c));
            f.budget_max = q.budget_max.map(|m| Money::new(m, c));
        }
        if let (Some(a), Some(b)) = (q.budget_min, q.budget_max)
            && a > b
        {
            return Err(Error::bad_parameter("budget_min", "must not exceed budget_max"));
        }
        if let (Some(a), Some(b)) = (q.due_after, q.due_before)
            && a > b
        {
            return Err(Error::bad_parameter("due_after", "must not be after due_before"));
        }
        let Some(text) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok((f, None));
        };
        if text.chars().count() > 200 {
            return Err(Error::bad_parameter("q", "at most 200 characters"));
        }
        let parsed = scout_ranker::understand(text);
        let pf = &parsed.filters;
        f.platforms.extend(pf.platforms.iter().copied());
        f.audience_countries.extend(pf.countries.iter().cloned());
        for a in &pf.audience {
            if a.dimension == scout_domain::query::AudienceDimension::Country {
                f.audience_countries.push(a.value.clone());
            }
        }
        f.languages.extend(pf.languages.iter().cloned());
        if let Some(price) = &pf.price {
            // "over 1000 euros" of a campaign is its budget.
            let bound = |m: Option<u64>| m.and_then(|m| i64::try_from(m).ok()).map(|m| Money::new(m, price.currency));
            f.budget_min = f.budget_min.or(bound(price.min));
            f.budget_max = f.budget_max.or(bound(price.max));
        }
        f.text_niches = parsed.niches.clone();
        f.words = query_words(&parsed.text);
        Ok((f, Some(parsed)))
    }

    /// Whether a campaign passes the hard filters.
    fn admits(&self, spec: &CampaignSpec, due_by: NaiveDate) -> bool {
        let any = |wanted: &[String], have: &[String]| wanted.is_empty() || wanted.iter().any(|w| have.contains(w));
        if !any(&self.niches, &spec.niches) {
            return false;
        }
        // A campaign that names no platform takes any.
        if !self.platforms.is_empty()
            && !spec.platforms.is_empty()
            && !self.platforms.iter().any(|p| spec.platforms.contains(p))
        {
            return false;
        }
        if !any(&self.audience_countries, &spec.target.countries) || !any(&self.languages, &spec.target.languages) {
            return false;
        }
        let in_currency = |m: Money| spec.budget.convert(m.currency).map(|b| b.amount_minor);
        if let Some(min) = self.budget_min
            && in_currency(min).is_none_or(|b| b < min.amount_minor)
        {
            return false;
        }
        if let Some(max) = self.budget_max
            && in_currency(max).is_none_or(|b| b > max.amount_minor)
        {
            return false;
        }
        self.due_before.is_none_or(|d| due_by <= d) && self.due_after.is_none_or(|d| due_by >= d)
    }

    fn has_text(&self) -> bool {
        !self.words.is_empty() || !self.text_niches.is_empty()
    }
}

/// Words that ask for the marketplace itself or join others: they say
/// nothing about which campaign (stems, as [`words`] leaves them).
const FILLER: &[&str] = &[
    "campaign",
    "brand",
    "job",
    "gig",
    "deal",
    "collab",
    "collaboration",
    "partnership",
    "sponsorship",
    "sponsored",
    "paid",
    "work",
    "offer",
    "opportunity",
    "opportunitie",
    "project",
    "the",
    "and",
    "for",
    "with",
    "that",
    "from",
    "any",
    "all",
    "some",
    "looking",
    "want",
    "need",
    "new",
    "open",
    "kampagne",
    "kampagnen",
    "campana",
    "campagne",
];

/// Lower-case words of three letters or more, folded to a crude stem (a
/// trailing plural `s` dropped), for literal matching.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3)
        .map(|w| stem(&w.to_lowercase()))
        .collect()
}

/// The words of a query that name what a campaign is about.
fn query_words(text: &str) -> Vec<String> {
    words(text).into_iter().filter(|w| !FILLER.contains(&w.as_str())).collect()
}

fn stem(w: &str) -> String {
    let w = w.strip_suffix("ies").map(|s| format!("{s}y")).unwrap_or_else(|| w.to_string());
    match w.strip_suffix('s') {
        Some(s) if !s.ends_with('s') && s.chars().count() >= 3 => s.to_string(),
        _ => w,
    }
}

/// The last day a campaign's deliverables are due.
pub fn due_by(spec: &CampaignSpec) -> NaiveDate {
    spec.deliverables.iter().filter_map(|d| d.due_on).max().unwrap_or(spec.ends_on)
}

impl Application {
    /// The marketplace, for `caller`: ranked for their verified profiles
    /// when they are a creator.
    pub async fn marketplace(&self, caller: &Caller, q: MarketQuery) -> Result<MarketPage> {
        if q.limit == 0 || q.limit > MAX_LIMIT {
            return Err(Error::bad_parameter("limit", format!("from 1 to {MAX_LIMIT}")));
        }
        if q.offset > MAX_OFFSET {
            return Err(Error::bad_parameter("offset", format!("from 0 to {MAX_OFFSET}")));
        }
        if let Some(n) = &q.niche
            && scout_domain::taxonomy::niche(n).is_none()
        {
            return Err(Error::bad_parameter("niche", format!("unknown niche `{n}`")));
        }
        let (filters, parsed) = Filters::read(&q)?;
        let listed = CampaignQuery {
            statuses: vec![CampaignStatus::Open, CampaignStatus::InProgress],
            limit: POOL,
            ..CampaignQuery::default()
        };
        let (campaigns, _) = self.store.market().list_campaigns(None, true, &listed).await?;
        let today = self.clock.today();
        let open: Vec<StoredCampaign> = campaigns
            .into_iter()
            .filter(|c| c.status.takes_applications(c.spec.visibility) && c.spec.ends_on >= today)
            .filter(|c| filters.admits(&c.spec, due_by(&c.spec)))
            .collect();
        let mut listings = self.rank(caller, open, &filters).await?;
        if filters.has_text() {
            listings.retain(|l| l.relevance.is_some_and(|r| r > 0.0));
        }
        let best = |l: &Listing| {
            let fit = l.fit.as_ref().map_or(0.0, |(_, f)| f64::from(f.score));
            match l.relevance {
                Some(r) => fit * (0.5 + 0.5 * r) + 100.0 * r * 0.5,
                None => fit,
            }
        };
        let has_fit = listings.iter().any(|l| l.fit.is_some());
        match q.order {
            MarketOrder::Best if has_fit || filters.has_text() => {
                listings.sort_by(|a, b| best(b).total_cmp(&best(a)).then(b.campaign.id.cmp(&a.campaign.id)));
            }
            MarketOrder::Best | MarketOrder::Newest => listings.sort_by_key(|l| std::cmp::Reverse(l.campaign.id)),
            MarketOrder::DueSoonest => {
                listings.sort_by(|a, b| a.due_by.cmp(&b.due_by).then(a.campaign.id.cmp(&b.campaign.id)))
            }
            MarketOrder::LargestBudget => listings.sort_by(|a, b| {
                let usd = |l: &Listing| {
                    l.campaign.spec.budget.convert("USD".parse().expect("a valid code")).map_or(0, |m| m.amount_minor)
                };
                usd(b).cmp(&usd(a)).then(b.campaign.id.cmp(&a.campaign.id))
            }),
        }
        let total = listings.len();
        let ranked_for = {
            let mut ids: Vec<i64> = listings.iter().filter_map(|l| l.fit.as_ref().map(|(p, _)| *p)).collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        };
        let listings = listings.into_iter().skip(q.offset).take(q.limit).collect();
        Ok(MarketPage { listings, total, ranked_for, parsed })
    }

    /// One campaign of the marketplace (listed and taking applications), with
    /// its fit for a creator.
    pub async fn listing(&self, caller: &Caller, id: i64) -> Result<Listing> {
        let missing = || Error::Store(scout_store::Error::Missing { what: scout_store::Record::Campaign, id });
        let c = self.store.market().campaign(id).await.map_err(|_| missing())?;
        if !c.status.takes_applications(c.spec.visibility) {
            return Err(missing());
        }
        self.rank(caller, vec![c], &Filters::default()).await?.pop().ok_or_else(missing)
    }

    /// Fits, relevance, brands and threads of `campaigns` for `caller`.
    async fn rank(&self, caller: &Caller, campaigns: Vec<StoredCampaign>, filters: &Filters) -> Result<Vec<Listing>> {
        let creator = caller.role() == Role::Influencer;
        let profiles = if creator {
            let claims = self.store.privacy().claims_of(caller.id()).await?;
            let ids: Vec<i64> = claims.iter().filter(|c| c.verified_at.is_some()).map(|c| c.profile_id).collect();
            self.store.profiles().get_profiles(&ids).await?
        } else {
            Vec::new()
        };
        let threads: HashMap<i64, (i64, NegotiationStatus)> = if creator {
            let mut by_campaign = HashMap::new();
            for n in self.store.market().negotiations(Viewer::Creator(caller.id()), None, 0, 500).await? {
                // Newest first: an open thread wins over older closed ones.
                let entry = by_campaign.entry(n.campaign_id).or_insert((n.id, n.negotiation.status));
                if entry.1 != NegotiationStatus::Open && n.negotiation.status == NegotiationStatus::Open {
                    *entry = (n.id, n.negotiation.status);
                }
            }
            by_campaign
        } else {
            HashMap::new()
        };
        let mut orgs: Vec<OrgId> = campaigns.iter().map(|c| c.org_id).collect();
        orgs.sort_unstable();
        orgs.dedup();
        let mut brands = HashMap::new();
        for org in &orgs {
            if let Some(o) = self.store.orgs().organisation(*org).await? {
                brands.insert(*org, o.name);
            }
        }
        let ratings = self.store.market().org_ratings(&orgs).await?;

        // Vectors: the campaigns' texts, the profiles' texts, the query's words.
        let campaign_texts: Vec<String> =
            campaigns.iter().map(|c| format!("{}. {}", c.spec.name, c.spec.brief)).collect();
        let profile_texts: Vec<String> =
            profiles.iter().map(|p| scout_indexer::IndexDoc::new(p.id, &p.profile).semantic_text).collect();
        let query_text = filters.words.join(" ");
        let encoder = self.index.encoder().clone();
        let (campaign_vecs, profile_vecs, query_vec) = self
            .workload
            .run(Some(caller.id()), move || -> scout_models::Result<_> {
                let encode = |texts: &[String]| -> scout_models::Result<Vec<Vec<f32>>> {
                    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
                    let mut out = if refs.is_empty() { Vec::new() } else { encoder.encode_batch(&refs)? };
                    out.iter_mut().for_each(|v| normalise(v));
                    Ok(out)
                };
                let query = if query_text.is_empty() { None } else { encode(&[query_text])?.pop() };
                Ok((encode(&campaign_texts)?, encode(&profile_texts)?, query))
            })
            .await??;

        let price_model = self.models.price.read().clone();
        let mut out = Vec::with_capacity(campaigns.len());
        for (i, c) in campaigns.into_iter().enumerate() {
            let mut best: Option<(i64, Fit)> = None;
            for (j, p) in profiles.iter().enumerate() {
                let fee = campaign_fee(&p.profile, &c.spec, FeeBasis::Asking, None)
                    .or_else(|| campaign_fee(&p.profile, &c.spec, FeeBasis::Fair, price_model.as_deref()))
                    .map(|minor| Money::new(minor, c.spec.budget.currency));
                let similarity = Some(dot(&campaign_vecs[i], &profile_vecs[j]));
                let f = fit(&c.spec, &p.profile, Measured { similarity, fee });
                if best.as_ref().is_none_or(|(_, b)| f.score > b.score) {
                    best = Some((p.id, f));
                }
            }
            let relevance =
                filters.has_text().then(|| relevance(&c.spec, filters, query_vec.as_deref(), &campaign_vecs[i]));
            out.push(Listing {
                brand: brands.get(&c.org_id).cloned().unwrap_or_default(),
                brand_rating: ratings.get(&c.org_id).copied(),
                due_by: due_by(&c.spec),
                fit: best,
                relevance,
                thread: threads.get(&c.id).copied(),
                campaign: c,
            });
        }
        Ok(out)
    }
}

/// How well a campaign matches the free text, 0 (not at all) to 1: the
/// share of its words found literally (by stem) in the campaign's name,
/// brief and niches, its meaning (cosine over [`SEMANTIC_MATCH`]), and the
/// niches it named.
fn relevance(spec: &CampaignSpec, f: &Filters, query: Option<&[f32]>, campaign: &[f32]) -> f64 {
    let mut parts = Vec::new();
    if !f.words.is_empty() {
        let text = format!("{} {} {}", spec.name, spec.brief, spec.niches.join(" "));
        let have: Vec<String> = words(&text);
        let found = f.words.iter().filter(|w| have.iter().any(|h| h == *w)).count();
        let literal = found as f64 / f.words.len() as f64;
        let semantic = query.map_or(0.0, |q| {
            let cos = dot(q, campaign);
            if cos >= SEMANTIC_MATCH {
                f64::from((cos - SEMANTIC_MATCH) / (1.0 - SEMANTIC_MATCH)).max(0.2)
            } else {
                0.0
            }
        });
        parts.push(literal.max(semantic));
    }
    if !f.text_niches.is_empty() {
        let best = f
            .text_niches
            .iter()
            .flat_map(|n| spec.niches.iter().map(move |m| scout_domain::taxonomy::relation(n, m)))
            .max()
            .unwrap_or(0);
        parts.push(f64::from(best) / 2.0);
    }
    if parts.iter().all(|p| *p == 0.0) {
        return 0.0;
    }
    parts.iter().sum::<f64>() / parts.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_folded_to_a_crude_stem() {
        assert_eq!(words("Protein snacks, for the BERRIES!"), ["protein", "snack", "for", "the", "berry"]);
        assert_eq!(query_words("paid campaigns for protein snacks"), ["protein", "snack"]);
        assert_eq!(stem("glass"), "glass");
        assert_eq!(stem("bus"), "bus");
    }
}

//! A stored campaign's plan within budget: the campaign's brief is matched
//! (the creators who fit, with the campaign-success model's predictions),
//! each candidate is priced for the whole set of deliverables (their asking
//! rates, or the fair-price model's estimate) in the campaign's currency, and
//! `scout_market::plan` picks the set that maximises expected engagements or
//! distinct audience reach under the budget and a creator count.

use scout_domain::Profile;
use scout_domain::money::Money;
use scout_domain::org::Scope;
use scout_market::plan::{self, Candidate, Limits, Objective};
use serde::{Deserialize, Serialize};

use crate::Application;
use crate::access::Acting;
use crate::error::{Error, Result};
use crate::matching::{MatchRequest, MatchResponse, POOL};

/// Most creators one plan may hold.
pub const MAX_PLAN_CREATORS: usize = 50;

/// What the plan maximises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanGoal {
    /// Expected engagements, summed over the picks.
    #[default]
    Engagements,
    /// Distinct people reached in the targeted countries, with audiences of
    /// creators in one niche and country counted once where they overlap.
    Reach,
}

/// Which fee each creator is planned at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FeeBasis {
    /// The creator's own rate card.
    #[default]
    Asking,
    /// The fair-price model's estimate of what comparable creators ask.
    Fair,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanRequest {
    #[serde(default)]
    pub goal: PlanGoal,
    /// At most this many creators (default 10, at most 50).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 50)]
    pub max_creators: Option<usize>,
    #[serde(default)]
    pub fees: FeeBasis,
    /// How much audiences of one niche and country overlap, 0.05–1 (default 0.5).
    #[serde(default)]
    #[schema(minimum = 0.05, maximum = 1.0)]
    pub overlap: Option<f64>,
}

/// One creator of the plan.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlannedCreator {
    pub profile_id: i64,
    pub handle: String,
    pub platform: String,
    /// For every deliverable of the campaign, in its currency.
    pub fee: Money,
    /// What this creator adds to the goal, given the picks before.
    pub adds: f64,
    /// For reach: people of its audience the earlier picks already reach.
    pub overlap_lost: f64,
    pub reason: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlanOut {
    pub goal: PlanGoal,
    pub fees: FeeBasis,
    pub creators: Vec<PlannedCreator>,
    /// The goal's value for the whole plan (engagements or people).
    pub value: f64,
    /// What the picks cost together (none: nothing fits).
    pub spent: Option<Money>,
    pub budget: Money,
    /// Creators the brief matched and the plan could choose from.
    pub candidates: usize,
    /// Matched creators left out for want of a price for some deliverable.
    pub unpriced: usize,
    pub took_ms: f64,
}

impl Application {
    /// The campaign's plan within its budget.
    /// A stored campaign's ranked creators: its brief through the matching
    /// engine (predicted outcome, fair fee, budget), `limit` of them.
    pub async fn campaign_matches(&self, acting: &Acting, id: i64, limit: Option<usize>) -> Result<MatchResponse> {
        acting.caller.require(Scope::CampaignsRead)?;
        let campaign = self.tenant(acting).campaign(id).await?;
        if campaign.spec.deliverables.is_empty() {
            return Err(Error::refused(
                scout_domain::ErrorCode::InvalidTransition,
                "the campaign lists no deliverable yet: add its deliverables before matching",
            ));
        }
        self.match_creators(
            &acting.caller,
            MatchRequest { brief: campaign.spec.brief(), filters: None, limit, order: None },
        )
        .await
    }

    pub async fn plan_campaign(&self, acting: &Acting, id: i64, req: PlanRequest) -> Result<PlanOut> {
        acting.caller.require(Scope::CampaignsRead)?;
        let max_creators = req.max_creators.unwrap_or(10);
        if !(1..=MAX_PLAN_CREATORS).contains(&max_creators) {
            return Err(Error::bad_parameter("max_creators", format!("from 1 to {MAX_PLAN_CREATORS}")));
        }
        let overlap = req.overlap.unwrap_or(0.5);
        if !(0.05..=1.0).contains(&overlap) {
            return Err(Error::bad_parameter("overlap", "from 0.05 to 1"));
        }
        let started = std::time::Instant::now();
        let campaign = self.tenant(acting).campaign(id).await?;
        let spec = campaign.spec;
        if spec.deliverables.is_empty() {
            return Err(Error::refused(
                scout_domain::ErrorCode::InvalidTransition,
                "the campaign lists no deliverable yet: add its deliverables before planning",
            ));
        }
        let matched = self
            .match_creators(
                &acting.caller,
                MatchRequest { brief: spec.brief(), filters: None, limit: Some(POOL), order: None },
            )
            .await?;
        let pieces: u64 = spec.deliverables.iter().map(|d| u64::from(d.count)).sum();
        let price_model = self.models.price.read().clone();
        let mut unpriced = 0;
        let mut candidates = Vec::new();
        let mut shown: Vec<(String, String)> = Vec::new();
        for m in &matched.matches {
            let p = &m.profile.profile;
            let fee = campaign_fee(p, &spec, req.fees, price_model.as_deref());
            let Some(fee) = fee else {
                unpriced += 1;
                continue;
            };
            let engagements = match &m.prediction {
                Some(pred) => pred.engagements.median as f64 * pieces as f64,
                None => p.followers as f64 * p.engagement_rate.unwrap_or(0.0) * pieces as f64,
            };
            candidates.push(Candidate {
                id: m.profile.id,
                fee_minor: fee,
                engagements,
                reach: targeted_reach(p, &spec.target.countries),
                segment: segment(p),
            });
            shown.push((p.handle.clone(), p.platform.as_str().to_string()));
        }
        let objective = match req.goal {
            PlanGoal::Engagements => Objective::Engagements,
            PlanGoal::Reach => Objective::Reach { overlap },
        };
        let limits = Limits { budget_minor: spec.budget.amount_minor, max_creators };
        let count = candidates.len();
        let (chosen, candidates) = self
            .workload
            .run(Some(acting.caller.id()), move || (plan::plan(&candidates, objective, limits), candidates))
            .await?;
        let _ = candidates;
        let currency = spec.budget.currency;
        let creators = chosen
            .picks
            .iter()
            .map(|pick| PlannedCreator {
                profile_id: pick.id,
                handle: shown[pick.index].0.clone(),
                platform: shown[pick.index].1.clone(),
                fee: Money::new(pick.fee_minor, currency),
                adds: pick.adds.round(),
                overlap_lost: pick.overlap_lost.round(),
                reason: pick.reason.clone(),
            })
            .collect();
        Ok(PlanOut {
            goal: req.goal,
            fees: req.fees,
            creators,
            value: chosen.value.round(),
            spent: (chosen.spent_minor > 0).then(|| Money::new(chosen.spent_minor, currency)),
            budget: spec.budget,
            candidates: count,
            unpriced,
            took_ms: (started.elapsed().as_secs_f64() * 1e5).round() / 100.0,
        })
    }
}

/// What the creator costs for every deliverable of the campaign, in its
/// currency (exact conversion through the reference table); none when a
/// deliverable has no price.
pub(crate) fn campaign_fee(
    p: &Profile,
    spec: &scout_market::CampaignSpec,
    basis: FeeBasis,
    model: Option<&scout_models::PriceModel>,
) -> Option<i64> {
    let estimates = match (basis, model) {
        (FeeBasis::Fair, Some(m)) => m.estimate(p),
        (FeeBasis::Fair, None) => return None,
        (FeeBasis::Asking, _) => Vec::new(),
    };
    let mut total: i64 = 0;
    for line in &spec.deliverables {
        let kind = line.kind.priced_as();
        let price = match basis {
            FeeBasis::Asking => kind.asking_money(p)?,
            FeeBasis::Fair => estimates.iter().find(|e| e.deliverable == kind)?.fair,
        };
        let each = price.convert(spec.budget.currency)?.amount_minor;
        total = total.checked_add(each.checked_mul(i64::from(line.count))?)?;
    }
    (total > 0).then_some(total)
}

/// Followers in the targeted countries (all followers without targeting or
/// audience data).
fn targeted_reach(p: &Profile, countries: &[String]) -> f64 {
    let followers = p.followers as f64;
    if countries.is_empty() {
        return followers;
    }
    match p.audience.as_ref().and_then(|a| a.countries.as_ref()) {
        Some(shares) => followers * countries.iter().filter_map(|c| shares.get(c)).sum::<f64>().min(1.0),
        None => followers,
    }
}

/// The creator's first category and country: audiences of one segment overlap.
fn segment(p: &Profile) -> String {
    let niche = p.categories.as_ref().and_then(|c| c.first()).map_or("general", String::as_str);
    format!("{niche} · {}", p.country.as_deref().unwrap_or("anywhere"))
}

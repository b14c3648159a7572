//! Campaign matching: the creators who fit a brief, each with what the
//! campaign-success model predicts for them, best first.
//!
//! The brief becomes a search (its description as free text, its niches and
//! platforms and any extra filters as hard filters); the best `POOL` hits are
//! loaded, creators whose asking price for the deliverable exceeds the budget
//! are set aside, the model predicts every remaining creator's engagement and
//! chance of meeting the goal in one batch, and the matches are ordered by
//! that chance (with a goal) or by the expected cost per engagement (without
//! one), relevance breaking ties. Without a published model the matches keep
//! the search's order and carry no prediction.

use std::sync::Arc;

use scout_domain::campaign::CampaignBrief;
use scout_domain::query::MAX_LIMIT;
use scout_domain::{Profile, SearchFilters};
use scout_models::SuccessModel;
use scout_models::price::to_usd;
use scout_models::success::SuccessPrediction;
use scout_ranker::{Explanation, ParsedQuery, SearchRequest};
use serde::{Deserialize, Serialize};

use crate::Application;
use crate::error::{Error, Result};
use crate::search::ProfileOut;

/// How many search hits are considered before the model orders them.
pub const POOL: usize = 100;

/// What decides the order of matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MatchOrder {
    /// Probability of meeting the goal, or expected cost per engagement without a goal.
    #[default]
    Success,
    /// The search's relevance only.
    Relevance,
}

/// A matching request: the brief, optional extra filters on the creators, a page size.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchRequest {
    #[serde(deserialize_with = "scout_domain::objects::object")]
    pub brief: CampaignBrief,
    /// Hard filters on the creators beyond the brief (followers, countries, languages…).
    #[serde(default, deserialize_with = "scout_domain::objects::optional_object")]
    pub filters: Option<SearchFilters>,
    /// Matches returned, default 20, at most 100.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 100)]
    pub limit: Option<usize>,
    #[serde(default)]
    pub order: Option<MatchOrder>,
}

/// One matched creator.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Match {
    pub profile: ProfileOut,
    /// The search's score and its explanation (why the creator fits the brief's words and filters).
    pub relevance: f64,
    pub explanation: Explanation,
    /// What the deliverable will likely achieve (none without a published model).
    #[schema(value_type = Option<Object>)]
    pub prediction: Option<SuccessPrediction>,
    /// Whether the asking price fits the budget (none without a budget or a listed price).
    pub within_budget: Option<bool>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MatchResponse {
    pub matches: Vec<Match>,
    /// Creators the search found for the brief (before the budget).
    pub total: usize,
    /// Of the top candidates considered, how many asked more than the budget.
    pub over_budget: usize,
    /// The order applied (relevance when no model is published).
    pub order: MatchOrder,
    /// The campaign-success version that predicted (none: no model).
    pub model_version: Option<String>,
    pub parsed_query: ParsedQuery,
    pub took_ms: f64,
}

impl MatchRequest {
    fn validate(&self) -> Result<()> {
        self.brief.validate()?;
        if let Some(f) = &self.filters {
            f.validate()?;
        }
        let limit = self.limit.unwrap_or(20);
        if limit == 0 || limit > MAX_LIMIT {
            return Err(Error::bad_parameter("limit", format!("must be between 1 and {MAX_LIMIT}")));
        }
        Ok(())
    }

    /// The search that finds candidates for the brief.
    fn search(&self) -> SearchRequest {
        let mut filters = self.filters.clone().unwrap_or_default();
        filters.merge(&SearchFilters {
            niches: self.brief.niches.clone(),
            platforms: self.brief.platforms.clone(),
            ..SearchFilters::default()
        });
        SearchRequest {
            query: self.brief.description.clone().filter(|d| !d.trim().is_empty()),
            filters: Some(filters),
            sort: None,
            limit: Some(POOL),
            offset: None,
            demote_bought_followers: None,
        }
    }
}

/// Whether `p`'s price for the brief's deliverable fits the budget.
fn within_budget(brief: &CampaignBrief, p: &Profile) -> Option<bool> {
    let budget = brief.budget_per_creator.as_ref()?;
    let price = brief.deliverable.asking_money(p)?;
    Some(price.convert(budget.currency)?.amount_minor <= budget.amount_minor)
}

/// The ordering key of a prediction (smaller first).
fn success_key(p: &SuccessPrediction) -> (u8, f64) {
    if let Some(prob) = p.probability_meets_goal {
        return (0, -prob);
    }
    match &p.cost_per_engagement {
        Some(cpe) => {
            let usd = u64::try_from(cpe.median.amount_minor).ok().and_then(|m| to_usd(m, cpe.median.currency.as_str()));
            (1, usd.unwrap_or(f64::MAX))
        }
        None => (2, -(p.engagements.median as f64)),
    }
}

fn to_match(
    hit: scout_ranker::Hit,
    profile: Profile,
    within_budget: Option<bool>,
    prediction: Option<SuccessPrediction>,
) -> Match {
    Match {
        profile: ProfileOut { id: hit.id, profile },
        relevance: (hit.score * 1e4).round() / 1e4,
        explanation: hit.explanation,
        prediction,
        within_budget,
    }
}

impl Application {
    /// Finds, predicts and orders the creators for a brief (the caller must hold `search`).
    pub async fn match_creators(&self, caller: &crate::access::Caller, req: MatchRequest) -> Result<MatchResponse> {
        caller.require(scout_domain::org::Scope::Search)?;
        let state = self;
        req.validate()?;
        let started = std::time::Instant::now();
        let engine = state.engine.clone();
        let search = req.search();
        let outcome = state.workload.run(Some(caller.id()), move || engine.search(&search)).await??;
        let ids: Vec<_> = outcome.hits.iter().map(|h| h.id).collect();
        let mut stored: std::collections::HashMap<_, _> =
            state.store.profiles().get_profiles(&ids).await?.into_iter().map(|s| (s.id, s.profile)).collect();
        let mut over_budget = 0;
        let mut candidates: Vec<(scout_ranker::Hit, Profile, Option<bool>)> = Vec::new();
        for hit in outcome.hits {
            let Some(profile) = stored.remove(&hit.id) else { continue };
            let fits = within_budget(&req.brief, &profile);
            if fits == Some(false) {
                over_budget += 1;
                continue;
            }
            candidates.push((hit, profile, fits));
        }
        let model: Option<Arc<SuccessModel>> = state.models.success.read().clone();
        let (brief, order, limit) = (req.brief.clone(), req.order.unwrap_or_default(), req.limit.unwrap_or(20));
        let (matches, order, model_version) = state
            .workload
            .run(Some(caller.id()), move || {
                let Some(model) = model.filter(|_| !candidates.is_empty()) else {
                    let matches: Vec<Match> = candidates
                        .into_iter()
                        .take(limit)
                        .map(|(hit, profile, fits)| to_match(hit, profile, fits, None))
                        .collect();
                    return (matches, MatchOrder::Relevance, None);
                };
                let profiles: Vec<&Profile> = candidates.iter().map(|(_, p, _)| p).collect();
                let predictions = model.predict(&brief, &profiles);
                let mut ranked: Vec<_> = candidates.into_iter().zip(predictions).collect();
                if order == MatchOrder::Success {
                    // Stable: equal keys keep the search's order.
                    ranked.sort_by(|(_, a), (_, b)| {
                        let ((ga, xa), (gb, xb)) = (success_key(a), success_key(b));
                        ga.cmp(&gb).then(xa.total_cmp(&xb))
                    });
                }
                ranked.truncate(limit);
                // Only the page shown gets its drivers.
                let (page, mut shown): (Vec<_>, Vec<_>) = ranked.into_iter().unzip();
                let profiles: Vec<&Profile> = page.iter().map(|(_, p, _)| p).collect();
                model.explain(&brief, &profiles, &mut shown);
                let matches = page
                    .into_iter()
                    .zip(shown)
                    .map(|((hit, profile, fits), prediction)| to_match(hit, profile, fits, Some(prediction)))
                    .collect();
                (matches, order, Some(model.card.version.clone()))
            })
            .await?;
        Ok(MatchResponse {
            matches,
            total: outcome.total,
            over_budget,
            order,
            model_version,
            parsed_query: outcome.parsed_query,
            took_ms: (started.elapsed().as_secs_f64() * 1e5).round() / 100.0,
        })
    }
}

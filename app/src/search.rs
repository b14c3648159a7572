//! Search and lookalikes: the ranker's hits joined with the stored profiles,
//! in rank order.

use std::collections::{BTreeMap, HashMap};

use scout_domain::org::Scope;
use scout_domain::{ErrorCode, Profile, ProfileId, SearchFilters};
use scout_ranker::{Explanation, FacetCount, Hit, ParsedQuery, SearchRequest, Suggestion};
use serde::Serialize;
use serde_json::value::RawValue;

use crate::Application;
use crate::access::Caller;
use crate::error::{Error, Result};

/// A stored profile with its id.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProfileOut {
    pub id: ProfileId,
    #[serde(flatten)]
    pub profile: Profile,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SearchResult {
    /// The stored profile with its id (passed through as stored).
    #[schema(value_type = ProfileOut)]
    pub profile: Box<RawValue>,
    pub score: f64,
    pub explanation: Explanation,
    /// What brands who worked with the creator rated them (none before the
    /// first review).
    pub rating: Option<crate::reviews::Rating>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SearchResponse {
    pub total: usize,
    pub results: Vec<SearchResult>,
    pub facets: BTreeMap<String, Vec<FacetCount>>,
    pub parsed_query: ParsedQuery,
    /// Searches to try instead, only when nothing matched.
    pub suggestions: Vec<Suggestion>,
    pub took_ms: f64,
}

/// A search a visitor tries before signing up: a few creators with their
/// headline figures, never the whole profile.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PreviewResponse {
    pub total: usize,
    pub results: Vec<PreviewCard>,
    pub parsed_query: ParsedQuery,
    pub suggestions: Vec<Suggestion>,
}

/// One creator as the landing page's sample search shows them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PreviewCard {
    pub handle: String,
    pub display_name: Option<String>,
    pub platform: String,
    pub followers: u64,
    /// As a fraction (0.031 = 3.1 %).
    pub engagement_rate: f64,
    /// Niche ids of the taxonomy.
    pub niches: Vec<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    pub city: Option<String>,
}

/// How many creators a preview shows.
pub const PREVIEW_RESULTS: usize = 5;

/// A region a search can filter by (`regions` in the filters).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RegionOut {
    /// The filter value, e.g. `US:Texas`.
    pub id: String,
    /// The region's name (English where GeoNames has one).
    pub name: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// People in the region's towns of 15,000 or more (a size for ordering).
    pub population: u64,
}

/// Which creators look like a given one.
#[derive(Debug, Clone, Default)]
pub struct SimilarQuery {
    pub filters: SearchFilters,
    pub limit: usize,
    pub offset: usize,
}

impl Application {
    /// Runs a search (the caller must hold `search`) and joins the hits with
    /// their stored profiles.
    pub async fn search(&self, caller: &Caller, req: SearchRequest) -> Result<SearchResponse> {
        caller.require(Scope::Search)?;
        self.search_for(Some(caller.id()), req).await
    }

    /// Regions whose name or alias starts with what was typed (the filter
    /// panel's region box), biggest first; `country` narrows to one country.
    pub fn suggest_regions(
        &self,
        caller: &Caller,
        typed: &str,
        country: Option<&str>,
        limit: usize,
    ) -> Result<Vec<RegionOut>> {
        caller.require(Scope::Search)?;
        let g = scout_domain::places::gazetteer::gazetteer();
        Ok(g.suggest_regions(typed, country, limit)
            .into_iter()
            .map(|r| RegionOut {
                id: r.id.clone(),
                name: r.name.clone(),
                country: r.country.clone(),
                population: r.population,
            })
            .collect())
    }

    /// A search whose caller was checked already (a saved search, the CLI).
    pub async fn run_search(&self, req: SearchRequest) -> Result<SearchResponse> {
        self.search_for(None, req).await
    }

    /// A search a visitor may try without an account (the landing page's
    /// sample search): the first [`PREVIEW_RESULTS`] creators with headline
    /// figures only; on the same bounded workers as every search.
    pub async fn preview_search(&self, text: &str, ip: Option<&str>) -> Result<PreviewResponse> {
        let Some(limiter) = &self.limits.preview_per_ip else {
            return Err(Error::refused(ErrorCode::NotFound, "sample searches are turned off on this server"));
        };
        if let Err(wait) = limiter.check(ip.unwrap_or("unknown")).await {
            return Err(Error::retry_after(
                ErrorCode::RateLimited,
                "too many sample searches from this address; create an account to search on",
                wait,
            ));
        }
        let req = SearchRequest { query: Some(text.to_string()), limit: Some(PREVIEW_RESULTS), ..Default::default() };
        let engine = self.engine.clone();
        let outcome = self.workload.run(None, move || engine.search(&req)).await??;
        let ids: Vec<ProfileId> = outcome.hits.iter().map(|h| h.id).collect();
        let mut profiles: HashMap<ProfileId, Profile> =
            self.store.profiles().get_profiles(&ids).await?.into_iter().map(|p| (p.id, p.profile)).collect();
        let results = ids
            .iter()
            .filter_map(|id| profiles.remove(id))
            .map(|p| {
                let facts = scout_domain::facts::ProfileFacts::of(&p);
                PreviewCard {
                    handle: p.handle,
                    display_name: p.display_name,
                    platform: p.platform.as_str().to_string(),
                    followers: p.followers,
                    engagement_rate: (facts.engagement_rate * 1e4).round() / 1e4,
                    niches: facts.niches.iter().map(|n| n.to_string()).collect(),
                    country: p.country,
                    city: p.city,
                }
            })
            .collect();
        Ok(PreviewResponse {
            total: outcome.total,
            results,
            parsed_query: outcome.parsed_query,
            suggestions: outcome.suggestions,
        })
    }

    /// A search on one of the bounded workers, counted against `account`.
    async fn search_for(&self, account: Option<i64>, req: SearchRequest) -> Result<SearchResponse> {
        let engine = self.engine.clone();
        let started = std::time::Instant::now();
        let outcome = self.workload.run(account, move || engine.search(&req)).await??;
        let results = self.hydrate(outcome.hits).await?;
        let took_ms = (started.elapsed().as_secs_f64() * 1e5).round() / 100.0;
        metrics::histogram!("scout_search_seconds").record(started.elapsed().as_secs_f64());
        Ok(SearchResponse {
            total: outcome.total,
            results,
            facets: outcome.facets,
            parsed_query: outcome.parsed_query,
            suggestions: outcome.suggestions,
            took_ms,
        })
    }

    /// Lookalikes: the creators most similar to `id`.
    pub async fn similar(&self, caller: &Caller, id: ProfileId, q: SimilarQuery) -> Result<Vec<SearchResult>> {
        caller.require(Scope::Search)?;
        // The same page bounds as a search: pages past the first 10,000
        // results are refused, not computed.
        if q.offset > scout_domain::query::MAX_OFFSET {
            return Err(scout_domain::Error::bad_parameter(
                "offset",
                format!("must be at most {}", scout_domain::query::MAX_OFFSET),
            )
            .into());
        }
        q.filters.validate()?;
        let engine = self.engine.clone();
        let hits = self
            .workload
            .run(Some(caller.id()), move || engine.similar(&[id], &q.filters, q.limit, q.offset))
            .await??;
        self.hydrate(hits).await
    }

    /// Ranked hits joined with their stored profiles, in rank order; a hit
    /// whose profile was deleted in between is dropped.
    async fn hydrate(&self, hits: Vec<Hit>) -> Result<Vec<SearchResult>> {
        let ids: Vec<ProfileId> = hits.iter().map(|h| h.id).collect();
        let mut docs: HashMap<ProfileId, Box<RawValue>> =
            self.store.profiles().profile_json(&ids).await?.into_iter().collect();
        let ratings = self.store.market().profile_ratings(&ids).await?;
        Ok(hits
            .into_iter()
            .filter_map(|h| {
                Some(SearchResult {
                    profile: docs.remove(&h.id)?,
                    score: (h.score * 1e4).round() / 1e4,
                    rating: ratings.get(&h.id).copied().map(Into::into),
                    explanation: h.explanation,
                })
            })
            .collect())
    }
}

//! Hybrid search: the request and its answer, the [`Engine`], and the flow of
//! one search (understand → retrieve → fuse → score → page and explain).
//! Each stage has a module: `retrieve` (BM25 and ANN under one filter, in
//! parallel), `fuse` (one candidate set with every signal), `explain` (the
//! page shown, each hit with its explanation), `facets`, `similar`
//! (lookalikes).

mod explain;
mod facets;
mod floor;
mod fuse;
mod retrieve;
mod similar;

use explain::page_of;
use facets::facets_out;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use parking_lot::{Mutex, RwLock};
use scout_domain::query::{MAX_LIMIT, MAX_OFFSET, MAX_QUERY_CHARS};
use scout_domain::{Error as DomainError, ProfileId, SearchFilters, Sort};
use scout_indexer::{ProfileIndex, TextQuery};
use scout_models::TextEncoder;
use scout_models::ranking::{Blend, Feature, RankingModel};

use crate::reputation::{Reputation, reputation_factor};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::model::{self, Explanation, QueryContext, Signals};
use crate::understand::{ParsedQuery, understand};

/// A search as API clients send it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchRequest {
    /// Free text, e.g. "vegan fitness creators in Berlin over 50k followers".
    #[serde(default)]
    #[schema(max_length = 500)]
    pub query: Option<String>,
    #[serde(default, deserialize_with = "scout_domain::objects::optional_object")]
    pub filters: Option<SearchFilters>,
    #[serde(default)]
    pub sort: Option<Sort>,
    /// Page size, default 20, at most 100.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 100)]
    pub limit: Option<usize>,
    #[serde(default)]
    #[schema(maximum = 10000)]
    pub offset: Option<usize>,
    /// Move creators whose followers were likely bought down the relevance
    /// ranking (default true); false ranks them like anyone else. Sorts by a
    /// field never move anyone.
    #[serde(default)]
    pub demote_bought_followers: Option<bool>,
}

impl SearchRequest {
    /// Checks paging, query length and filters, as a search would.
    pub fn validate(&self) -> Result<()> {
        let limit = self.limit.unwrap_or(20);
        if limit == 0 || limit > MAX_LIMIT {
            return Err(DomainError::bad_parameter("limit", format!("must be between 1 and {MAX_LIMIT}")).into());
        }
        if self.offset.unwrap_or(0) > MAX_OFFSET {
            return Err(DomainError::bad_parameter("offset", format!("must be at most {MAX_OFFSET}")).into());
        }
        if self.query.as_deref().unwrap_or("").chars().count() > MAX_QUERY_CHARS {
            return Err(
                DomainError::bad_parameter("query", format!("must be at most {MAX_QUERY_CHARS} characters")).into()
            );
        }
        if let Some(f) = &self.filters {
            f.validate()?;
        }
        Ok(())
    }
}

/// Which retrieval a search uses (benchmarks compare them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Hybrid,
    /// BM25 only, ranked by BM25: the baseline.
    Bm25,
    /// Vectors only, ranked by similarity.
    Semantic,
}

/// One ranked profile.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Hit {
    pub id: ProfileId,
    pub score: f64,
    pub explanation: Explanation,
}

/// A page of results with what describes the whole result set.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SearchOutcome {
    pub total: usize,
    pub hits: Vec<Hit>,
    /// Counts per facet value over the result set.
    pub facets: BTreeMap<String, Vec<FacetCount>>,
    pub parsed_query: ParsedQuery,
    /// Searches to try instead, given only when this one found nothing.
    pub suggestions: Vec<Suggestion>,
    pub took_ms: f64,
}

/// A search to try instead of one that found nothing.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Suggestion {
    /// The query to send instead (the request's filters unchanged).
    pub query: String,
    /// Why: `spelling` (words the index and the understanding do not know,
    /// replaced by the nearest known ones).
    pub reason: SuggestionReason,
    /// How many creators it finds.
    pub total: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SuggestionReason {
    Spelling,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

/// A query's vector, shared between the cache and the searches using it.
type QueryVector = Arc<Vec<f32>>;
/// `(id, similarity)` pairs from a vector search.
type VectorHits = Vec<(ProfileId, f32)>;

/// How many candidates BM25 contributes before fusion.
const CANDIDATES: usize = 200;
/// A query word found in at most this many profiles names them: a handle, a
/// made-up brand or product name. Such a query is a known-item (navigational)
/// search, and the profiles that contain the word must lead.
const KNOWN_ITEM_MAX_DF: u64 = 10;
/// The text-relevance weight of a known-item search, at least: the blend's
/// weights sum to about one, so an exact match of the named word outweighs
/// any mix of the other features. The learned ranking gives text relevance
/// nothing (its training queries name no profiles), which without this left
/// a search for a creator's own handle without that creator on the first page.
const KNOWN_ITEM_TEXT_WEIGHT: f64 = 1.0;
/// How many candidates each vector search contributes before fusion.
const VECTOR_CANDIDATES: usize = 50;

/// The search engine over one [`ProfileIndex`].
pub struct Engine {
    index: Arc<ProfileIndex>,
    minilm: Option<Arc<dyn TextEncoder>>,
    /// Whether any profile has a MiniLM vector yet, and when that was last
    /// checked: counting is a scan, far too slow to do per search.
    minilm_vectors: Mutex<(bool, Option<Instant>)>,
    query_vectors: Mutex<HashMap<(String, bool), QueryVector>>,
    /// The published ranking model in use; the hand blend when none is.
    ranking: RwLock<Option<Arc<RankingModel>>>,
    /// The semantic floors measured on this index (see [`floor`]).
    floors: floor::Floors,
    /// Creators' ratings on Scout (see [`crate::reputation`]).
    reputations: crate::reputation::Reputations,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("minilm", &self.minilm.is_some()).finish_non_exhaustive()
    }
}

impl Engine {
    pub fn new(index: Arc<ProfileIndex>, minilm: Option<Arc<dyn TextEncoder>>) -> Engine {
        Engine {
            index,
            minilm,
            minilm_vectors: Mutex::new((false, None)),
            query_vectors: Mutex::new(HashMap::new()),
            ranking: RwLock::new(None),
            floors: floor::Floors::default(),
            reputations: crate::reputation::Reputations::default(),
        }
    }

    /// Creators' ratings on Scout, which relevance ranking reads; the
    /// application keeps them current.
    pub fn reputations(&self) -> &crate::reputation::Reputations {
        &self.reputations
    }

    pub fn ranking_model(&self) -> Option<Arc<RankingModel>> {
        self.ranking.read().clone()
    }

    /// The slot of the published ranking model (`None`: the hand blend); a
    /// model written here is used from the next search on.
    pub fn ranking_slot(&self) -> &RwLock<Option<Arc<RankingModel>>> {
        &self.ranking
    }

    /// The weights searches use now.
    fn blend(&self) -> Blend {
        self.ranking.read().as_ref().map_or(Blend::HAND, |m| m.blend)
    }

    pub fn index(&self) -> &Arc<ProfileIndex> {
        &self.index
    }

    pub fn minilm(&self) -> Option<&Arc<dyn TextEncoder>> {
        self.minilm.as_ref()
    }

    /// How much of the query the text index can be trusted with: the share of
    /// its words that are niche words of the taxonomy or rare, specific words
    /// (names, brands, handles: present in at most 0.1 % of profiles). Common
    /// words of a description ("advice for new mothers") count for nothing.
    /// Also says whether the query names specific profiles: a word found in
    /// at most [`KNOWN_ITEM_MAX_DF`] of them (a handle, a made-up brand name).
    fn lexical_share(&self, parsed: &ParsedQuery) -> Result<(f64, bool, bool)> {
        let known: HashSet<String> = parsed
            .recognised
            .iter()
            .filter(|r| r.kind == crate::understand::RecognisedKind::Niche)
            .flat_map(|r| self.index.analyse(&r.span))
            .collect();
        let freqs = self.index.doc_freqs(&parsed.text)?;
        if freqs.is_empty() {
            return Ok((0.0, false, false));
        }
        // No profile has any of the words, and none is a niche the understanding knows.
        let unknown = known.is_empty() && freqs.iter().all(|(_, df)| *df == 0);
        let rare_limit = (self.index.len() as u64 / 1000).max(5);
        let lexical = freqs.iter().filter(|(t, df)| known.contains(t) || (*df > 0 && *df <= rare_limit)).count();
        let names_profiles = freqs.iter().any(|(t, df)| !known.contains(t) && (1..=KNOWN_ITEM_MAX_DF).contains(df));
        Ok((lexical as f64 / freqs.len() as f64, names_profiles, unknown))
    }

    /// Runs a search.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchOutcome> {
        let mut outcome = self.search_with(req, Mode::Hybrid)?;
        if outcome.total == 0 {
            outcome.suggestions = self.suggestions(req)?;
        }
        Ok(outcome)
    }

    /// Searches to try instead of `req`, which found nothing: its words that
    /// neither the index nor the understanding knows, respelt as the nearest
    /// known words, when that finds creators.
    fn suggestions(&self, req: &SearchRequest) -> Result<Vec<Suggestion>> {
        let Some(query) = req.query.as_deref() else { return Ok(Vec::new()) };
        let index = &self.index;
        let in_index = |word: &str| index.doc_freqs(word).is_ok_and(|f| f.iter().any(|(_, df)| *df > 0));
        let fixes = crate::understand::spelling::corrections(query, in_index);
        if fixes.is_empty() {
            return Ok(Vec::new());
        }
        let respelt = crate::understand::spelling::corrected(query, &fixes);
        let attempt = SearchRequest { query: Some(respelt.clone()), limit: Some(1), offset: None, ..req.clone() };
        let total = self.search_with(&attempt, Mode::Hybrid)?.total;
        Ok(if total > 0 {
            vec![Suggestion { query: respelt, reason: SuggestionReason::Spelling, total }]
        } else {
            vec![]
        })
    }

    pub fn search_with(&self, req: &SearchRequest, mode: Mode) -> Result<SearchOutcome> {
        let started = Instant::now();
        req.validate()?;
        let limit = req.limit.unwrap_or(20);
        let offset = req.offset.unwrap_or(0);
        let prepared = self.prepare(req)?;
        let Prepared { parsed, filter, ctx, .. } = &prepared;
        let mut weights = self.blend().weights(ctx.lexical_share);
        if ctx.known_item {
            weights[Feature::TextRelevance] = weights[Feature::TextRelevance].max(KNOWN_ITEM_TEXT_WEIGHT);
        }
        let sort = req.sort.unwrap_or_default();
        let want = (offset + limit).max(CANDIDATES);
        // A search that names a creator (a handle, a rare name) wants that
        // creator first, whatever the audience-quality model thinks of them.
        let demote = sort == Sort::Relevance && !ctx.known_item && req.demote_bought_followers.unwrap_or(true);
        let factor_of =
            |f: &scout_indexer::Features| if demote { model::bought_followers_factor(f.audience_quality) } else { 1.0 };
        // Ratings on Scout move a creator in the relevance order (not when
        // the query names a creator).
        let reputations = self.reputations.snapshot();
        let rated = |id: ProfileId| {
            (sort == Sort::Relevance && !ctx.known_item).then(|| reputations.get(&id).copied()).flatten()
        };
        let rated_factor = |r: Option<Reputation>| r.as_ref().map_or(1.0, reputation_factor);

        // Text sorted by a field: the result set of the relevance order,
        // reordered (a sort never changes what matched, nor `total`).
        if sort != Sort::Relevance && ctx.has_text {
            return self.sorted_text_search(&prepared, mode, sort, &weights, offset, limit, started);
        }
        // Nothing to match text against: the text index orders the filtered
        // set (by engagement when no sort is asked).
        if sort != Sort::Relevance || !ctx.has_text {
            let sort_used = if sort == Sort::Relevance { Sort::EngagementDesc } else { sort };
            let hits = self.index.text_search(&TextQuery {
                text: &parsed.text,
                filter,
                limit: want,
                sort: sort_used,
                facets: true,
                selective: true,
            })?;
            let mut ranked: Vec<Scored> = hits
                .hits
                .iter()
                .filter_map(|(id, _)| {
                    let features = self.index.features(*id)?;
                    let values = model::features(&features, &Signals::default(), ctx);
                    let (score, contributions) = model::score(&values, &weights);
                    let factor = factor_of(&features);
                    let reputation = rated(*id);
                    let score = score * factor * rated_factor(reputation);
                    Some(Scored { id: *id, score, contributions, features, factor, reputation })
                })
                .collect();
            if sort == Sort::Relevance {
                ranked.sort_by(|a, b| b.score.total_cmp(&a.score));
            }
            let page = page_of(ranked, offset, limit, ctx, parsed);
            return Ok(SearchOutcome {
                total: hits.total,
                hits: page,
                facets: facets_out(hits.facets),
                parsed_query: prepared.parsed,
                suggestions: Vec::new(),
                took_ms: elapsed_ms(started),
            });
        }

        let raw = self.retrieve(&prepared, mode, want, (offset + limit).max(VECTOR_CANDIDATES))?;
        let retrieved = self.fuse(&prepared, mode, raw)?;
        let mut ranked: Vec<Scored> = retrieved
            .candidates
            .into_iter()
            .map(|c| {
                let factor = if mode == Mode::Hybrid { factor_of(&c.features) } else { 1.0 };
                let reputation = if mode == Mode::Hybrid { rated(c.id) } else { None };
                let (score, contributions) = match mode {
                    Mode::Hybrid => {
                        let (score, contributions) = model::score(&c.values, &weights);
                        (score * factor * rated_factor(reputation), contributions)
                    }
                    Mode::Bm25 => (c.signals.bm25.unwrap_or(0.0) as f64, model::score(&c.values, &weights).1),
                    Mode::Semantic => (c.signals.cosine.unwrap_or(0.0) as f64, model::score(&c.values, &weights).1),
                };
                Scored { id: c.id, score, contributions, features: c.features, factor, reputation }
            })
            .collect();
        ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
        let page = page_of(ranked, offset, limit, ctx, parsed);
        Ok(SearchOutcome {
            total: retrieved.total,
            hits: page,
            facets: facets_out(retrieved.facets),
            parsed_query: prepared.parsed,
            suggestions: Vec::new(),
            took_ms: elapsed_ms(started),
        })
    }

    /// A text query sorted by a field. The set is the relevance order's:
    /// the textual matches plus what only the vectors found. The textual
    /// matches come in field order from the index's own sorted collector (so
    /// the first pages are exact however many matched), the vector-only
    /// candidates are merged in by the same field, and `total` and the
    /// facets are the relevance order's.
    #[allow(clippy::too_many_arguments)]
    fn sorted_text_search(
        &self,
        prepared: &Prepared,
        mode: Mode,
        sort: Sort,
        weights: &[f64; model::N],
        offset: usize,
        limit: usize,
        started: Instant,
    ) -> Result<SearchOutcome> {
        let Prepared { parsed, filter, ctx, .. } = prepared;
        let want = (offset + limit).max(CANDIDATES);
        let raw = self.retrieve(prepared, mode, want, (offset + limit).max(VECTOR_CANDIDATES))?;
        let retrieved = self.fuse(prepared, mode, raw)?;
        let by_field = self.index.text_search(&TextQuery {
            text: &parsed.text,
            filter,
            limit: want,
            sort,
            facets: false,
            selective: mode != Mode::Bm25,
        })?;
        let fused: rustc_hash::FxHashMap<ProfileId, [Option<f64>; model::N]> =
            retrieved.candidates.iter().map(|c| (c.id, c.values)).collect();
        let mut seen = rustc_hash::FxHashSet::default();
        let mut pool: Vec<(ProfileId, Arc<scout_indexer::Features>, [Option<f64>; model::N])> = Vec::new();
        for (id, _) in &by_field.hits {
            if seen.insert(*id)
                && let Some(features) = self.index.features(*id)
            {
                let values =
                    fused.get(id).copied().unwrap_or_else(|| model::features(&features, &Signals::default(), ctx));
                pool.push((*id, features, values));
            }
        }
        for c in retrieved.candidates.into_iter().filter(|c| c.signals.bm25.is_none()) {
            if seen.insert(c.id) {
                pool.push((c.id, c.features, c.values));
            }
        }
        pool.sort_by(|a, b| field_order(sort, &a.1, &b.1).then(a.0.cmp(&b.0)));
        let ranked: Vec<Scored> = pool
            .into_iter()
            .map(|(id, features, values)| {
                let (score, contributions) = model::score(&values, weights);
                Scored { id, score, contributions, features, factor: 1.0, reputation: None }
            })
            .collect();
        let page = page_of(ranked, offset, limit, ctx, parsed);
        Ok(SearchOutcome {
            total: retrieved.total,
            hits: page,
            facets: facets_out(retrieved.facets),
            parsed_query: prepared.parsed.clone(),
            suggestions: Vec::new(),
            took_ms: elapsed_ms(started),
        })
    }

    /// The hybrid candidates of a free-text query with their feature values,
    /// before any weighting: what the ranking model is trained on. The same
    /// understanding, filters and retrieval as [`Engine::search`].
    pub fn candidates(&self, query: &str) -> Result<Candidates> {
        let req = SearchRequest { query: Some(query.to_string()), ..Default::default() };
        req.validate()?;
        let prepared = self.prepare(&req)?;
        if !prepared.ctx.has_text {
            return Ok(Candidates { lexical_share: prepared.ctx.lexical_share, rows: Vec::new() });
        }
        let raw = self.retrieve(&prepared, Mode::Hybrid, CANDIDATES, VECTOR_CANDIDATES)?;
        let retrieved = self.fuse(&prepared, Mode::Hybrid, raw)?;
        Ok(Candidates {
            lexical_share: prepared.ctx.lexical_share,
            rows: retrieved.candidates.into_iter().map(|c| (c.id, c.values)).collect(),
        })
    }

    /// Understands the query and merges its filters with the request's.
    fn prepare(&self, req: &SearchRequest) -> Result<Prepared> {
        let parsed = understand(req.query.as_deref().unwrap_or(""));
        let (lexical_share, known_item, words_unknown) = self.lexical_share(&parsed)?;
        let mut filters = req.filters.clone().unwrap_or_default();
        filters.merge(&parsed.filters);
        let filter = filters.to_filter();
        let ctx = QueryContext {
            niches: parsed.niches.iter().chain(filters.niches.iter()).cloned().collect::<Vec<_>>(),
            countries: filters.countries.clone(),
            audience: filters.audience.iter().map(|a| (a.dimension, a.value.clone())).collect(),
            now_ts: chrono::Utc::now().timestamp(),
            has_text: !parsed.text.trim().is_empty(),
            lexical_share,
            known_item,
        };
        Ok(Prepared { parsed, filter, ctx, words_unknown })
    }
}

/// A query understood, with the filter and context the features compare against.
pub(super) struct Prepared {
    parsed: ParsedQuery,
    filter: scout_domain::query::Filter,
    ctx: QueryContext,
    /// No word of the query text is in any profile or names a niche: the
    /// vectors alone must show that it means something (see `floor`).
    words_unknown: bool,
}

/// A query's candidates and their feature values, for training.
#[derive(Debug, Clone)]
pub struct Candidates {
    pub lexical_share: f64,
    pub rows: Vec<(ProfileId, [Option<f64>; model::N])>,
}

/// A ranked candidate before it is explained (only the page shown is).
/// How two profiles compare under a field sort (first comes first); equal
/// for relevance. Unknown growth sorts last.
fn field_order(sort: Sort, a: &scout_indexer::Features, b: &scout_indexer::Features) -> std::cmp::Ordering {
    let growth = |f: &scout_indexer::Features| if f.growth_90d.is_nan() { f32::NEG_INFINITY } else { f.growth_90d };
    match sort {
        Sort::Relevance => std::cmp::Ordering::Equal,
        Sort::FollowersDesc => b.followers.cmp(&a.followers),
        Sort::FollowersAsc => a.followers.cmp(&b.followers),
        Sort::EngagementDesc => b.engagement_rate.total_cmp(&a.engagement_rate),
        Sort::GrowthDesc => growth(b).total_cmp(&growth(a)),
    }
}

pub(super) struct Scored {
    id: ProfileId,
    score: f64,
    contributions: Vec<model::Contribution>,
    features: Arc<scout_indexer::Features>,
    /// What the score was multiplied by for likely bought followers (1: nothing).
    factor: f64,
    /// The creator's ratings on Scout, when they moved the score.
    reputation: Option<Reputation>,
}

pub(super) fn elapsed_ms(started: Instant) -> f64 {
    (started.elapsed().as_secs_f64() * 1e5).round() / 100.0
}

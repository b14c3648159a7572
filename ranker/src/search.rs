//! Hybrid search: BM25 and ANN retrieval under the same filter, fusion of the
//! candidates, features, the scoring model, explanations, facets and paging.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use parking_lot::{Mutex, RwLock};
use rustc_hash::{FxHashMap, FxHashSet};
use scout_domain::query::{MAX_LIMIT, MAX_OFFSET, MAX_QUERY_CHARS};
use scout_domain::{Error as DomainError, ProfileId, SearchFilters, Sort};
use scout_indexer::{Facets, ProfileIndex, Space, TextQuery};
use scout_models::TextEncoder;
use scout_models::ranking::{Blend, RankingModel};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::{self, Explanation, QueryContext, Signals};
use crate::understand::{ParsedQuery, understand};

/// A search as API clients send it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchRequest {
    /// Free text, e.g. "vegan fitness creators in Berlin over 50k followers".
    #[serde(default)]
    pub query: Option<String>,
    #[serde(default)]
    pub filters: Option<SearchFilters>,
    #[serde(default)]
    pub sort: Option<Sort>,
    /// Page size, default 20, at most 100.
    #[serde(default)]
    pub limit: Option<usize>,
    #[serde(default)]
    pub offset: Option<usize>,
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
    #[schema(value_type = Object)]
    pub facets: BTreeMap<String, Vec<FacetCount>>,
    pub parsed_query: ParsedQuery,
    pub took_ms: f64,
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
        }
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

    /// True once some profile has a MiniLM vector (re-checked every 10 s until then).
    fn minilm_ready(&self) -> bool {
        if self.minilm.is_none() {
            return false;
        }
        let mut state = self.minilm_vectors.lock();
        if state.0 || state.1.is_some_and(|t| t.elapsed() < std::time::Duration::from_secs(10)) {
            return state.0;
        }
        state.0 = self.index.vectors.count(Some(Space::MiniLm)).unwrap_or(0) > 0;
        state.1 = Some(Instant::now());
        state.0
    }

    /// Encodes a query, remembering recent ones (queries repeat a lot).
    fn query_vector(&self, text: &str, full_model: bool) -> Result<Option<Arc<Vec<f32>>>> {
        let encoder: &Arc<dyn TextEncoder> = if full_model {
            match &self.minilm {
                Some(m) => m,
                None => return Ok(None),
            }
        } else {
            self.index.encoder()
        };
        let key = (text.to_string(), full_model);
        if let Some(v) = self.query_vectors.lock().get(&key) {
            return Ok(Some(v.clone()));
        }
        let v = Arc::new(encoder.encode(text)?);
        let mut cache = self.query_vectors.lock();
        if cache.len() > 20_000 {
            cache.clear();
        }
        cache.insert(key, v.clone());
        Ok(Some(v))
    }

    /// How much of the query the text index can be trusted with: the share of
    /// its words that are niche words of the taxonomy or rare, specific words
    /// (names, brands, handles: present in at most 0.1 % of profiles). Common
    /// words of a description ("advice for new mothers") count for nothing.
    /// Also says whether the query names specific profiles: a word found in
    /// at most [`KNOWN_ITEM_MAX_DF`] of them (a handle, a made-up brand name).
    fn lexical_share(&self, parsed: &ParsedQuery) -> Result<(f64, bool)> {
        let known: HashSet<String> = parsed
            .recognised
            .iter()
            .filter(|r| r.kind == "niche")
            .flat_map(|r| self.index.text.analyse(&r.span))
            .collect();
        let freqs = self.index.text.doc_freqs(&parsed.text)?;
        if freqs.is_empty() {
            return Ok((0.0, false));
        }
        let rare_limit = (self.index.len() as u64 / 1000).max(5);
        let lexical = freqs.iter().filter(|(t, df)| known.contains(t) || (*df > 0 && *df <= rare_limit)).count();
        let names_profiles = freqs.iter().any(|(t, df)| !known.contains(t) && (1..=KNOWN_ITEM_MAX_DF).contains(df));
        Ok((lexical as f64 / freqs.len() as f64, names_profiles))
    }

    /// Runs a search.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchOutcome> {
        self.search_with(req, Mode::Hybrid)
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
            weights[0] = weights[0].max(KNOWN_ITEM_TEXT_WEIGHT);
        }
        let sort = req.sort.unwrap_or_default();
        let want = (offset + limit).max(CANDIDATES);

        // Sorted by a field, or nothing to match text against: the text index
        // orders the filtered set (by engagement when no sort is asked).
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
                    Some(Scored { id: *id, score, contributions, features })
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
                took_ms: elapsed_ms(started),
            });
        }

        let retrieved = self.retrieve(&prepared, mode, want, (offset + limit).max(VECTOR_CANDIDATES))?;
        let mut ranked: Vec<Scored> = retrieved
            .candidates
            .into_iter()
            .map(|c| {
                let (score, contributions) = match mode {
                    Mode::Hybrid => model::score(&c.values, &weights),
                    Mode::Bm25 => (c.signals.bm25.unwrap_or(0.0) as f64, model::score(&c.values, &weights).1),
                    Mode::Semantic => (c.signals.cosine.unwrap_or(0.0) as f64, model::score(&c.values, &weights).1),
                };
                Scored { id: c.id, score, contributions, features: c.features }
            })
            .collect();
        ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
        let page = page_of(ranked, offset, limit, ctx, parsed);
        Ok(SearchOutcome {
            total: retrieved.total,
            hits: page,
            facets: facets_out(retrieved.facets),
            parsed_query: prepared.parsed,
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
        let retrieved = self.retrieve(&prepared, Mode::Hybrid, CANDIDATES, VECTOR_CANDIDATES)?;
        Ok(Candidates {
            lexical_share: prepared.ctx.lexical_share,
            rows: retrieved.candidates.into_iter().map(|c| (c.id, c.values)).collect(),
        })
    }

    /// Understands the query and merges its filters with the request's.
    fn prepare(&self, req: &SearchRequest) -> Result<Prepared> {
        let parsed = understand(req.query.as_deref().unwrap_or(""));
        let (lexical_share, known_item) = self.lexical_share(&parsed)?;
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
        Ok(Prepared { parsed, filter, ctx })
    }

    /// BM25 and ANN retrieval under the same filter, in parallel, fused into
    /// one candidate set with every signal and feature value each can be given.
    fn retrieve(&self, prepared: &Prepared, mode: Mode, want: usize, want_vectors: usize) -> Result<Retrieved> {
        let Prepared { parsed, filter, ctx } = prepared;
        let text = &parsed.text;
        // Retrieval: BM25 and ANN under the same filter, in parallel.
        let use_text = mode != Mode::Semantic;
        let use_vectors = mode != Mode::Bm25;
        let minilm_ready = use_vectors && self.minilm_ready();
        let ((text_hits, static_hits), minilm_hits) = rayon::join(
            || {
                rayon::join(
                    || -> Result<Option<scout_indexer::TextHits>> {
                        // Semantic mode still counts and facets the textual matches.
                        Ok(Some(self.index.text_search(&TextQuery {
                            text,
                            filter,
                            limit: if use_text { want } else { 1 },
                            sort: Sort::Relevance,
                            facets: true,
                            // The BM25 baseline is classic: any query term admits a profile.
                            selective: mode != Mode::Bm25,
                        })?))
                    },
                    || -> Result<Vec<(ProfileId, f32)>> {
                        if !use_vectors {
                            return Ok(Vec::new());
                        }
                        let Some(v) = self.query_vector(text, false)? else { return Ok(Vec::new()) };
                        Ok(self.index.vector_search(Space::Static, &v, filter, want_vectors)?)
                    },
                )
            },
            || -> Result<(Option<QueryVector>, VectorHits)> {
                if !minilm_ready {
                    return Ok((None, Vec::new()));
                }
                let Some(v) = self.query_vector(text, true)? else { return Ok((None, Vec::new())) };
                let hits = self.index.vector_search(Space::MiniLm, &v, filter, want_vectors)?;
                Ok((Some(v), hits))
            },
        );
        let text_hits = text_hits?.unwrap_or_default();
        let static_hits = static_hits?;
        let (minilm_vec, minilm_hits) = minilm_hits?;

        // Fusion: the union of candidates, each with every signal we can give it.
        let mut bm25: FxHashMap<ProfileId, f32> = FxHashMap::default();
        if use_text {
            bm25.extend(text_hits.hits.iter().copied());
        }
        let mut static_cos: FxHashMap<ProfileId, f32> = static_hits.iter().copied().collect();
        let mut minilm_cos: FxHashMap<ProfileId, f32> = minilm_hits.iter().copied().collect();
        let mut candidates: Vec<ProfileId> = Vec::new();
        let mut seen = FxHashSet::default();
        for id in bm25.keys().chain(static_cos.keys()).chain(minilm_cos.keys()) {
            if seen.insert(*id) {
                candidates.push(*id);
            }
        }
        if use_vectors {
            let missing_static: Vec<ProfileId> =
                candidates.iter().filter(|id| !static_cos.contains_key(id)).copied().collect();
            if !missing_static.is_empty()
                && let Some(v) = self.query_vector(text, false)?
            {
                static_cos.extend(self.index.vector_scores(Space::Static, &v, &missing_static)?);
            }
            if let Some(v) = &minilm_vec {
                let missing: Vec<ProfileId> =
                    candidates.iter().filter(|id| !minilm_cos.contains_key(id)).copied().collect();
                minilm_cos.extend(self.index.vectors.score(Space::MiniLm, v, &missing)?);
            }
        }
        let max_bm25 = bm25.values().copied().fold(0.0f32, f32::max);
        // The semantic feature spans the nearest neighbours' range: a text match
        // less similar than the last neighbour scores 0, and differences among
        // the neighbours are not squeezed by far-off text matches.
        let range = |hits: &[(ProfileId, f32)], all: &FxHashMap<ProfileId, f32>| {
            let source: Vec<f32> =
                if hits.is_empty() { all.values().copied().collect() } else { hits.iter().map(|h| h.1).collect() };
            source.iter().fold((f32::MAX, f32::MIN), |(lo, hi), c| (lo.min(*c), hi.max(*c)))
        };
        let static_range = range(&static_hits, &static_cos);
        let minilm_range = range(&minilm_hits, &minilm_cos);
        let text_ids: FxHashSet<ProfileId> = text_hits.hits.iter().map(|x| x.0).collect();
        let candidates_out: Vec<Candidate> = candidates
            .iter()
            .filter_map(|id| {
                let features = self.index.features(*id)?;
                // Each profile is compared in the best space it has.
                let (cosine, (min_cosine, max_cosine)) = match minilm_cos.get(id) {
                    Some(c) => (Some(*c), minilm_range),
                    None => (static_cos.get(id).copied(), static_range),
                };
                let signals = Signals { bm25: bm25.get(id).copied(), max_bm25, cosine, min_cosine, max_cosine };
                let values = model::features(&features, &signals, ctx);
                Some(Candidate { id: *id, values, signals, features })
            })
            .collect();

        // The result set: textual matches plus what only the vectors found.
        let mut facets = text_hits.facets;
        let mut vector_only = 0;
        for id in candidates.iter().filter(|id| !text_ids.contains(id)) {
            if let Some(f) = self.index.features(*id) {
                vector_only += 1;
                add_facets(&mut facets, &f);
            }
        }
        let total = if use_text { text_hits.total + vector_only } else { candidates.len() };
        Ok(Retrieved { candidates: candidates_out, total, facets })
    }

    /// Profiles like the given ones: nearest neighbours of their mean vector,
    /// under the filters, excluding the seeds.
    pub fn similar(&self, ids: &[ProfileId], filters: &SearchFilters, limit: usize, offset: usize) -> Result<Vec<Hit>> {
        if limit == 0 || limit > MAX_LIMIT {
            return Err(DomainError::bad_parameter("limit", format!("must be between 1 and {MAX_LIMIT}")).into());
        }
        filters.validate()?;
        let filter = filters.to_filter();
        let vectors = &self.index.vectors;
        let all_minilm =
            self.minilm.is_some() && ids.iter().all(|id| vectors.vector(*id, Space::MiniLm).ok().flatten().is_some());
        let space = if all_minilm { Space::MiniLm } else { Space::Static };
        let mut mean: Vec<f32> = Vec::new();
        for id in ids {
            let v = vectors.vector(*id, space)?.ok_or(Error::UnknownProfile { id: *id })?;
            if mean.is_empty() {
                mean = vec![0.0; v.len()];
            }
            mean.iter_mut().zip(&v).for_each(|(m, x)| *m += x);
        }
        scout_models::normalise(&mut mean);
        let hits = self.index.vector_search(space, &mean, &filter, offset + limit + ids.len())?;
        let seeds: HashSet<&ProfileId> = ids.iter().collect();
        let seed_niches: Vec<String> = ids
            .iter()
            .filter_map(|id| self.index.features(*id))
            .flat_map(|f| f.niches.iter().map(|n| n.to_string()).collect::<Vec<_>>())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let (min_cos, max_cos) = hits.iter().fold((f32::MAX, f32::MIN), |(lo, hi), h| (lo.min(h.1), hi.max(h.1)));
        let ctx = QueryContext {
            niches: seed_niches,
            now_ts: chrono::Utc::now().timestamp(),
            has_text: true,
            ..Default::default()
        };
        let weights = self.blend().weights(0.0);
        let parsed = ParsedQuery::default();
        let mut out: Vec<Scored> = hits
            .into_iter()
            .filter(|(id, _)| !seeds.contains(id))
            .filter_map(|(id, cos)| {
                let features = self.index.features(id)?;
                let signals =
                    Signals { bm25: None, max_bm25: 0.0, cosine: Some(cos), min_cosine: min_cos, max_cosine: max_cos };
                let mut values = model::features(&features, &signals, &ctx);
                values[0] = None; // no text in a lookalike search
                let (score, contributions) = model::score(&values, &weights);
                Some(Scored { id, score, contributions, features })
            })
            .collect();
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
        Ok(page_of(out, offset, limit, &ctx, &parsed))
    }
}

/// A query understood, with the filter and context the features compare against.
struct Prepared {
    parsed: ParsedQuery,
    filter: scout_domain::query::Filter,
    ctx: QueryContext,
}

/// One fused candidate with its signals and feature values.
struct Candidate {
    id: ProfileId,
    values: [Option<f64>; model::N],
    signals: Signals,
    features: Arc<scout_indexer::Features>,
}

/// The fused candidates of a search, the size of its result set and its facets.
struct Retrieved {
    candidates: Vec<Candidate>,
    total: usize,
    facets: Facets,
}

/// A query's candidates and their feature values, for training.
#[derive(Debug, Clone)]
pub struct Candidates {
    pub lexical_share: f64,
    pub rows: Vec<(ProfileId, [Option<f64>; model::N])>,
}

/// A ranked candidate before it is explained (only the page shown is).
struct Scored {
    id: ProfileId,
    score: f64,
    contributions: Vec<model::Contribution>,
    features: Arc<scout_indexer::Features>,
}

/// The requested page of ranked candidates, each with its explanation.
fn page_of(ranked: Vec<Scored>, offset: usize, limit: usize, ctx: &QueryContext, parsed: &ParsedQuery) -> Vec<Hit> {
    ranked
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|s| Hit { id: s.id, score: s.score, explanation: explain(&s.features, s.contributions, ctx, parsed) })
        .collect()
}

fn elapsed_ms(started: Instant) -> f64 {
    (started.elapsed().as_secs_f64() * 1e5).round() / 100.0
}

fn add_facets(facets: &mut Facets, f: &scout_indexer::Features) {
    let mut bump = |name: &str, value: &str| {
        let list = facets.entry(name.to_string()).or_default();
        match list.iter_mut().find(|(v, _)| v == value) {
            Some((_, c)) => *c += 1,
            None => list.push((value.to_string(), 1)),
        }
    };
    bump("platform", &f.platform);
    if let Some(c) = &f.country {
        bump("country", c);
    }
    for l in &f.languages {
        bump("language", l);
    }
    for n in &f.niches {
        bump("niche", n);
    }
    bump("tier", f.tier.as_str());
}

fn facets_out(facets: Facets) -> BTreeMap<String, Vec<FacetCount>> {
    facets
        .into_iter()
        .map(|(name, mut values)| {
            values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            (name, values.into_iter().take(50).map(|(value, count)| FacetCount { value, count }).collect())
        })
        .collect()
}

fn explain(
    f: &scout_indexer::Features,
    contributions: Vec<model::Contribution>,
    ctx: &QueryContext,
    parsed: &ParsedQuery,
) -> Explanation {
    let mut matched: Vec<String> = ctx.niches.iter().filter(|n| f.niches.iter().any(|x| x == *n)).cloned().collect();
    for r in &parsed.recognised {
        if matches!(r.kind.as_str(), "city" | "country" | "language" | "platform" | "tier") {
            matched.push(r.value.clone());
        }
    }
    let evt = (f.engagement_vs_tier as f64 * 100.0).round() / 100.0;
    let mut summary = String::new();
    if !matched.is_empty() {
        summary.push_str(&format!("matches: {}; ", matched.join(", ")));
    }
    summary.push_str(&format!("engagement {:.1}x tier median", evt));
    if f.audience_quality < 0.6 {
        summary.push_str(&format!("; audience quality {:.0}%", f.audience_quality * 100.0));
    }
    // Comment sentiment is worth a word only when it stands out.
    if f.audience_sentiment <= -0.2 {
        summary.push_str("; comments lean negative");
    } else if f.audience_sentiment >= 0.6 {
        summary.push_str(&format!("; comments {:+.0}% net positive", f.audience_sentiment * 100.0));
    }
    Explanation { contributions, matched, engagement_vs_tier: evt, summary }
}

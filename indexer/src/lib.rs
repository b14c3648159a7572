//! `scout-indexer`: the derived search indexes of profiles.
//!
//! It owns the tantivy full-text index ([`TextIndex`]), the vector index
//! ([`VectorIndex`], embedded on qdrant-edge as [`EdgeVectors`]), the
//! in-memory table of ranking [`Features`], and [`ProfileIndex`], which writes
//! all three together and records the outbox sequence they reflect.
//!
//! The indexes are derived data: they can always be rebuilt from the store.
//! This crate must never read the database or know HTTP; callers hand it
//! profiles and sequences.
//!
//! ```no_run
//! # use std::sync::Arc;
//! # fn demo(encoder: Arc<dyn scout_models::TextEncoder>, p: scout_domain::Profile) -> scout_indexer::Result<()> {
//! let index = scout_indexer::ProfileIndex::open(std::path::Path::new("data/index"), encoder, 384)?;
//! index.stage(&[(1, &p)], &[])?;
//! index.commit(1)?; // now searchable
//! # Ok(()) }
//! ```

mod collect;
mod document;
mod error;
mod exact;
mod lazy;
mod live;
mod text;
mod vectors;

pub use document::{Features, IndexDoc, QUALITY_INPUTS, Sym};
pub use error::{Error, Result};
pub use exact::ExactState;
pub use text::{CompiledFilter, Facets, TextHits, TextIndex, TextQuery, estimated_matches};
pub use vectors::{EdgeVectors, Space, VectorIndex, compile_filter};

use std::path::Path;
use std::sync::Arc;

use exact::ExactVectors;
use live::LiveScores;
use vectors::is_live;

use parking_lot::RwLock;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use scout_domain::{Filter, Profile, ProfileId};
use scout_models::TextEncoder;

/// Text index, vector index and feature table of all profiles, written together.
///
/// Searches go through [`ProfileIndex::text_search`], [`ProfileIndex::vector_search`]
/// and [`ProfileIndex::vector_scores`], which apply the live model scores and
/// the exact-search table; the raw backends are reachable only through
/// [`ProfileIndex::raw_text`] and [`ProfileIndex::raw_vectors`], for
/// benchmarks and tests that measure or check one backend alone.
pub struct ProfileIndex {
    text: TextIndex,
    vectors: Arc<dyn VectorIndex>,
    /// Keyed by profile id with a fast integer hash: read for every candidate of every search.
    features: RwLock<FxHashMap<ProfileId, Arc<Features>>>,
    encoder: Arc<dyn TextEncoder>,
    /// Vectors written since the vector graphs were last built.
    unoptimised: std::sync::atomic::AtomicUsize,
    /// Whether writes keep the feature table (see [`ProfileIndex::for_bulk_load`]).
    keeps_features: std::sync::atomic::AtomicBool,
    /// The audience-quality model; without one, the transparent rules of
    /// `scout_domain::facts` score audience quality.
    quality: RwLock<Option<Arc<scout_models::QualityModel>>>,
    /// Scores that filters read live (see [`live`]), in step with `features`.
    live: LiveScores,
    /// Static vectors for exact search under selective filters (see [`exact`]).
    exact: Arc<ExactVectors>,
    /// Why the folder's indexes were dropped at open, if they were.
    reset: Option<String>,
}

/// The on-disk layout of both indexes (fields, payloads). Opening a folder
/// written with another layout drops both indexes: they are derived data,
/// and with the recorded sequence back at 0 the indexer rebuilds them from
/// the store's outbox. Raise it whenever a stored field or payload changes.
/// 2: the headline rate in US cents (`price_usd`) for the price filter.
/// 3: audience shares in the vector payload as one number per segment.
/// 4: the headline rate's US cents converted exactly (integer rationals, half
///    away from zero) instead of in floats, as query-time bounds now are.
/// 5: the creator's region (gazetteer id) as a keyword in both indexes, and
///    cities in their curated spelling ("München" → "munich").
pub const LAYOUT: u32 = 5;
const LAYOUT_FILE: &str = "layout";

/// A static-vector search whose filter admits at most this many profiles
/// (by its keyword clauses' document frequencies) scores them all exactly
/// (see [`exact`]) instead of asking the vector index. Up to about this many
/// matches the vector index scans its payload indexes rather than walking
/// its graph (its switch is 4 MB of vectors, 8,000 points, per segment), and
/// the scan was the slow case: 5–26 ms where the exact pass takes 1–5 ms.
/// Above it the graph walk under the filter is faster (about 1 ms).
pub const EXACT_SEARCH_MAX: usize = 50_000;

/// Build vector graphs once this many points were written since the last
/// build, so that a bulk load ends up in several mid-sized segments.
const OPTIMISE_EVERY: usize = 200_000;

impl std::fmt::Debug for ProfileIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProfileIndex").field("encoder", &self.encoder.name()).finish_non_exhaustive()
    }
}

impl ProfileIndex {
    /// Opens (or creates) `dir/text` and `dir/vectors` and loads the feature
    /// table. Indexes of another [`LAYOUT`] are dropped first (see
    /// [`ProfileIndex::reset_reason`]).
    pub fn open(dir: &Path, encoder: Arc<dyn TextEncoder>, minilm_dim: usize) -> Result<ProfileIndex> {
        let reset = check_layout(dir)?;
        let text = TextIndex::open(&dir.join("text"), 200_000_000)?;
        let vectors = EdgeVectors::open(&dir.join("vectors"), encoder.dim(), minilm_dim)?;
        let features: FxHashMap<ProfileId, Arc<Features>> = text.all_features()?.into_iter().collect();
        let live = LiveScores::default();
        live.update(features.iter().map(|(id, f)| (*id, Some(f.audience_quality))));
        let exact = Arc::new(ExactVectors::new(encoder.dim()));
        Ok(ProfileIndex {
            text,
            vectors: Arc::new(vectors),
            features: RwLock::new(features),
            exact,
            encoder,
            unoptimised: std::sync::atomic::AtomicUsize::new(0),
            keeps_features: std::sync::atomic::AtomicBool::new(true),
            quality: RwLock::new(None),
            live,
            reset,
        })
    }

    /// Stops keeping the in-memory feature table, for a bulk load that never
    /// searches (`scout import`): the table costs about 300 bytes a profile,
    /// and the features are stored in the text index anyway, where a service
    /// opening the folder later reads them. Afterwards [`ProfileIndex::features`]
    /// finds nothing and [`ProfileIndex::len`] counts nothing; the indexes
    /// themselves are written as always.
    pub fn for_bulk_load(&self) {
        self.keeps_features.store(false, std::sync::atomic::Ordering::Relaxed);
        *self.features.write() = FxHashMap::default();
    }

    /// Keeps the static vectors in memory for exact search under selective
    /// filters: writes go to the table from now on, and a background thread
    /// copies what the vector index holds; searches use it once complete.
    /// A service that searches calls this after opening (a bulk import does
    /// not: see [`exact`]). Calling it again does nothing.
    pub fn enable_exact_search(&self) -> Result<()> {
        if !self.exact.start() {
            return Ok(());
        }
        let (exact, vectors) = (self.exact.clone(), self.vectors.clone());
        std::thread::Builder::new()
            .name("exact-vectors".into())
            .spawn(move || {
                let started = std::time::Instant::now();
                match exact.fill(vectors.as_ref()) {
                    Ok(n) => tracing::info!(
                        vectors = n,
                        megabytes = exact.memory_bytes() / 1_000_000,
                        seconds = started.elapsed().as_secs_f64(),
                        "static vectors in memory for exact filtered search"
                    ),
                    Err(e) => tracing::error!(error = %e, "could not load the static vectors for exact search"),
                }
            })
            .map_err(|e| Error::Io { path: "exact-vectors thread".into(), message: e.to_string() })?;
        Ok(())
    }

    /// Where the exact-search table stands.
    pub fn exact_state(&self) -> ExactState {
        self.exact.state()
    }

    /// Bytes the exact-search table holds (0 unless enabled).
    pub fn exact_memory_bytes(&self) -> usize {
        self.exact.memory_bytes()
    }

    /// How many profiles have a vector in `space` (`None`: points of any kind).
    /// Counting is a scan: not for every search.
    pub fn vector_count(&self, space: Option<Space>) -> Result<usize> {
        self.vectors.count(space)
    }

    /// Up to `limit` profiles without a vector in `space`, most-followed
    /// first (the enrichment queue).
    pub fn missing_vectors(&self, space: Space, limit: usize) -> Result<Vec<ProfileId>> {
        self.vectors.missing(space, limit)
    }

    /// Adds or replaces vectors in `space` (MiniLM enrichment).
    pub fn set_vectors(&self, space: Space, pairs: &[(ProfileId, Vec<f32>)]) -> Result<()> {
        self.vectors.set_vectors(space, pairs)
    }

    /// The stored vector of a profile in `space`.
    pub fn vector(&self, id: ProfileId, space: Space) -> Result<Option<Vec<f32>>> {
        self.vectors.vector(id, space)
    }

    /// The terms the text index makes of `text` (its tokenizer and stemmer).
    pub fn analyse(&self, text: &str) -> Vec<String> {
        self.text.analyse(text)
    }

    /// Each term of `text` with the number of profiles that contain it.
    pub fn doc_freqs(&self, text: &str) -> Result<Vec<(String, u64)>> {
        self.text.doc_freqs(text)
    }

    /// The text index itself, bypassing the live scores (benchmarks and tests).
    pub fn raw_text(&self) -> &TextIndex {
        &self.text
    }

    /// The vector index itself, bypassing the live scores and the exact-search
    /// table (benchmarks and tests).
    pub fn raw_vectors(&self) -> &dyn VectorIndex {
        self.vectors.as_ref()
    }

    /// Why the indexes found at open were dropped (another layout), if they were:
    /// the indexer then rebuilds them from the store, and the service says so.
    pub fn reset_reason(&self) -> Option<&str> {
        self.reset.as_deref()
    }

    /// BM25 retrieval as [`TextIndex::search`], with the live scores for
    /// filters on them.
    pub fn text_search(&self, q: &TextQuery<'_>) -> Result<TextHits> {
        let live = self.live.quality();
        self.text.search_live(q, Some(&live))
    }

    /// Nearest neighbours under the filter, as [`VectorIndex::search`], with
    /// clauses on live scores applied to what the vector index returns. Those
    /// clauses are quality floors that most profiles pass, so the search asks
    /// for a few more neighbours and may return fewer than `limit` when a
    /// floor is strict.
    pub fn vector_search(
        &self,
        space: Space,
        vector: &[f32],
        filter: &Filter,
        limit: usize,
    ) -> Result<Vec<(ProfileId, f32)>> {
        if space == Space::Static && !filter.must.is_empty() && self.exact.state() == ExactState::Ready {
            let live = self.live.quality();
            if let Some(ids) = self.text.filter_ids(filter, Some(&live), EXACT_SEARCH_MAX)? {
                return Ok(self.exact.nearest(vector, &ids, limit));
            }
        }
        // The strictest quality floor of the filter, if it has one.
        let floor = filter
            .must
            .iter()
            .filter(|c| is_live(c))
            .filter_map(|c| match c {
                scout_domain::Clause::Range { min, .. } => Some(min.unwrap_or(0.0)),
                _ => None,
            })
            .reduce(f64::max);
        let Some(min) = floor else {
            return self.vectors.search(space, vector, filter, limit);
        };
        let live = self.live.quality();
        let mut hits = self.vectors.search(space, vector, filter, limit + limit / 2 + 10)?;
        hits.retain(|(id, _)| live::quality_at_least(&live, *id, min));
        hits.truncate(limit);
        Ok(hits)
    }

    /// Cosine similarity of `vector` to each of `ids` that has a vector in
    /// `space`, as [`VectorIndex::score`] (from memory when the exact-search
    /// table is complete).
    pub fn vector_scores(&self, space: Space, vector: &[f32], ids: &[ProfileId]) -> Result<Vec<(ProfileId, f32)>> {
        if space == Space::Static && self.exact.state() == ExactState::Ready {
            return Ok(self.exact.score(vector, ids));
        }
        self.vectors.score(space, vector, ids)
    }

    /// Uses `model` for audience quality from now on and rescores every
    /// indexed profile in memory from its stored inputs (profiles indexed
    /// before their inputs were kept keep their score); returns how many were
    /// rescored. Searches go on meanwhile and see the new scores at once when
    /// the table is swapped.
    pub fn set_quality_model(&self, model: Option<Arc<scout_models::QualityModel>>) -> usize {
        *self.quality.write() = model.clone();
        let Some(model) = model else { return 0 };
        let snapshot: Vec<(ProfileId, Arc<Features>)> =
            self.features.read().iter().map(|(id, f)| (*id, f.clone())).collect();
        let rescored: Vec<(ProfileId, Arc<Features>)> = snapshot
            .par_chunks(8192)
            .flat_map_iter(|chunk| {
                let scorable: Vec<&(ProfileId, Arc<Features>)> =
                    chunk.iter().filter(|(_, f)| !f.quality_inputs[0].is_nan()).collect();
                let rows: Vec<scout_models::quality::Row> = scorable.iter().map(|(_, f)| f.quality_row()).collect();
                let probs = model.probabilities(&rows);
                scorable
                    .into_iter()
                    .zip(probs)
                    .map(|((id, f), p)| {
                        let mut f = Features::clone(f);
                        f.audience_quality = (1.0 - p) as f32;
                        (*id, Arc::new(f))
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        let n = rescored.len();
        let mut table = self.features.write();
        let mut live = Vec::with_capacity(n);
        for (id, f) in rescored {
            // A profile written or deleted meanwhile keeps what its write gave it.
            if let Some(slot) = table.get_mut(&id)
                && slot.quality_inputs[0].to_bits() == f.quality_inputs[0].to_bits()
            {
                live.push((id, Some(f.audience_quality)));
                *slot = f;
            }
        }
        self.live.update(live);
        n
    }

    /// The audience-quality model in use, if any.
    pub fn quality_model(&self) -> Option<Arc<scout_models::QualityModel>> {
        self.quality.read().clone()
    }

    /// The outbox sequence both indexes have durably applied.
    pub fn applied_seq(&self) -> Result<i64> {
        Ok(self.text.applied_seq()?.min(self.vectors.applied_seq()))
    }

    pub fn encoder(&self) -> &Arc<dyn TextEncoder> {
        &self.encoder
    }

    /// Writes upserts and deletes to both indexes and the feature table; the
    /// text side becomes searchable at the next [`ProfileIndex::commit`].
    pub fn stage(&self, upserts: &[(ProfileId, &Profile)], deletes: &[ProfileId]) -> Result<()> {
        let quality = self.quality_model();
        let docs: Vec<IndexDoc> = upserts
            .par_iter()
            .map(|(id, p)| {
                let mut doc = IndexDoc::new(*id, p);
                if let Some(model) = &quality {
                    doc.features.audience_quality = model.quality_of_row(&doc.features.quality_row()) as f32;
                }
                doc
            })
            .collect();
        let vectors: Vec<Vec<f32>> = docs
            .par_chunks(256)
            .map(|chunk| {
                let texts: Vec<&str> = chunk.iter().map(|d| d.semantic_text.as_str()).collect();
                self.encoder.encode_batch(&texts)
            })
            .collect::<std::result::Result<Vec<_>, _>>()?
            .into_iter()
            .flatten()
            .collect();
        let pairs: Vec<(&IndexDoc, Vec<f32>)> = docs.iter().zip(vectors).collect();
        self.vectors.upsert(&pairs)?;
        self.exact.upsert(&pairs.iter().map(|(d, v)| (d.id, v.as_slice())).collect::<Vec<_>>());
        self.exact.delete(deletes);
        self.unoptimised.fetch_add(pairs.len(), std::sync::atomic::Ordering::Relaxed);
        self.vectors.delete(deletes)?;
        self.text.upsert(&docs)?;
        self.text.delete(deletes);
        // The live scores change under the table's lock, so that a rescoring
        // (which also holds it) never puts back a score this write replaced.
        let table = self.keeps_features.load(std::sync::atomic::Ordering::Relaxed).then(|| self.features.write());
        self.live.update(
            docs.iter().map(|d| (d.id, Some(d.features.audience_quality))).chain(deletes.iter().map(|id| (*id, None))),
        );
        let Some(mut table) = table else { return Ok(()) };
        for d in docs {
            table.insert(d.id, Arc::new(d.features));
        }
        for id in deletes {
            table.remove(id);
        }
        Ok(())
    }

    /// Makes staged changes durable and searchable, recording `seq`; builds
    /// vector graphs when enough points arrived since the last build.
    pub fn commit(&self, seq: i64) -> Result<()> {
        self.vectors.flush(seq)?;
        self.text.commit(seq)?;
        if self.unoptimised.load(std::sync::atomic::Ordering::Relaxed) >= OPTIMISE_EVERY {
            self.optimise()?;
        }
        Ok(())
    }

    /// Builds the vector graphs of everything written so far (blocking).
    pub fn optimise(&self) -> Result<()> {
        self.unoptimised.store(0, std::sync::atomic::Ordering::Relaxed);
        self.vectors.optimize()
    }

    /// Physically removes deleted profiles from both indexes (tantivy
    /// segments rewritten without them, vector segments optimised), for
    /// erasure. Blocking. Returns how many text segments were rewritten.
    pub fn purge_deleted(&self) -> Result<usize> {
        let rewritten = self.text.purge_deleted()?;
        self.optimise()?;
        Ok(rewritten)
    }

    /// Whether the text index still holds `word` anywhere (see [`TextIndex::holds_word`]).
    pub fn holds_word(&self, word: &str) -> Result<bool> {
        self.text.holds_word(word)
    }

    /// Removes everything (before a rebuild from the store).
    pub fn clear(&self) -> Result<()> {
        let ids: Vec<ProfileId> = self.features.read().keys().copied().collect();
        self.vectors.delete(&ids)?;
        self.text.clear()?;
        self.features.write().clear();
        self.live.clear();
        self.exact.clear();
        self.commit(0)
    }

    pub fn features(&self, id: ProfileId) -> Option<Arc<Features>> {
        self.features.read().get(&id).cloned()
    }

    pub fn len(&self) -> usize {
        self.features.read().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Drops both indexes in `dir` when they were written with another
/// [`LAYOUT`] (or before layouts were recorded), and records the current one.
fn check_layout(dir: &Path) -> Result<Option<String>> {
    let io = |e: std::io::Error| Error::Io { path: dir.display().to_string(), message: e.to_string() };
    std::fs::create_dir_all(dir).map_err(io)?;
    let file = dir.join(LAYOUT_FILE);
    let found: Option<u32> = std::fs::read_to_string(&file).ok().and_then(|s| s.trim().parse().ok());
    let has_index = dir.join("text").join("meta.json").exists() || dir.join("vectors").exists();
    let reset = match found {
        Some(v) if v == LAYOUT => None,
        _ if !has_index => None,
        found => {
            let was = found.map_or("an unrecorded layout".to_string(), |v| format!("layout {v}"));
            for part in ["text", "vectors"] {
                let path = dir.join(part);
                if path.exists() {
                    std::fs::remove_dir_all(&path).map_err(io)?;
                }
            }
            Some(format!("the index folder was written with {was}; this version uses layout {LAYOUT}"))
        }
    };
    if found != Some(LAYOUT) {
        std::fs::write(&file, LAYOUT.to_string()).map_err(io)?;
    }
    Ok(reset)
}

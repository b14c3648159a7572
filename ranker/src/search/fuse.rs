//! Fusion: the union of the retrieved candidates, each given every signal it
//! can have (a candidate one retrieval missed gets its exact similarity from
//! its stored vector) and its feature values; the result set's total and
//! facets (textual matches plus what only the vectors found).

use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};
use scout_domain::ProfileId;
use scout_indexer::{Facets, Space};

use super::facets::add_facets;
use super::retrieve::RawHits;
use super::{Engine, Mode, Prepared};
use crate::error::Result;
use crate::model::{self, Signals};

/// One fused candidate with its signals and feature values.
pub(super) struct Candidate {
    pub id: ProfileId,
    pub values: [Option<f64>; model::N],
    pub signals: Signals,
    pub features: Arc<scout_indexer::Features>,
}

/// The fused candidates of a search, the size of its result set and its facets.
pub(super) struct Retrieved {
    pub candidates: Vec<Candidate>,
    pub total: usize,
    pub facets: Facets,
}

impl Engine {
    /// One candidate set from the retrieved hits, with signals and feature values.
    pub(super) fn fuse(&self, prepared: &Prepared, mode: Mode, raw: RawHits) -> Result<Retrieved> {
        let Prepared { parsed, ctx, words_unknown, .. } = prepared;
        let text = &parsed.text;
        let (use_text, use_vectors) = (mode != Mode::Semantic, mode != Mode::Bm25);
        let RawHits { text: text_hits, statics: mut static_hits, minilm_vector: minilm_vec, minilm: mut minilm_hits } =
            raw;
        // No word of the query is in any profile: only neighbours closer to it
        // than to gibberish are matches (see `floor`). A query with a word the
        // profiles use keeps its neighbours even when the filters leave no
        // textual match: its meaning is known.
        if use_text && use_vectors && *words_unknown && text_hits.total == 0 {
            for (space, hits) in [(Space::Static, &mut static_hits), (Space::MiniLm, &mut minilm_hits)] {
                if !hits.is_empty()
                    && let Some(floor) = self.semantic_floor(space)?
                {
                    hits.retain(|(_, similarity)| *similarity > floor);
                }
            }
        }
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
                minilm_cos.extend(self.index.vector_scores(Space::MiniLm, v, &missing)?);
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
}

//! Retrieval: BM25 and ANN (static and, once enriched, MiniLM vectors) under
//! the same filter, in parallel, and the query vectors they search with.

use std::sync::Arc;
use std::time::Instant;

use scout_domain::{ProfileId, Sort};
use scout_indexer::{Space, TextQuery};
use scout_models::TextEncoder;

use super::{Engine, Mode, Prepared, QueryVector, VectorHits};
use crate::error::Result;

/// What each retrieval returned, before fusion.
pub(super) struct RawHits {
    pub text: scout_indexer::TextHits,
    pub statics: VectorHits,
    /// The MiniLM query vector, when MiniLM took part.
    pub minilm_vector: Option<QueryVector>,
    pub minilm: VectorHits,
}

impl Engine {
    /// True once some profile has a MiniLM vector (re-checked every 10 s until then).
    pub(super) fn minilm_ready(&self) -> bool {
        if self.minilm.is_none() {
            return false;
        }
        let mut state = self.minilm_vectors.lock();
        if state.0 || state.1.is_some_and(|t| t.elapsed() < std::time::Duration::from_secs(10)) {
            return state.0;
        }
        state.0 = self.index.vector_count(Some(Space::MiniLm)).unwrap_or(0) > 0;
        state.1 = Some(Instant::now());
        state.0
    }

    /// Encodes a query, remembering recent ones (queries repeat a lot).
    pub(super) fn query_vector(&self, text: &str, full_model: bool) -> Result<Option<Arc<Vec<f32>>>> {
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

    /// BM25 and ANN retrieval under the same filter, in parallel: `want`
    /// text hits (with the result set's total and facets) and `want_vectors`
    /// neighbours in each vector space.
    pub(super) fn retrieve(
        &self,
        prepared: &Prepared,
        mode: Mode,
        want: usize,
        want_vectors: usize,
    ) -> Result<RawHits> {
        let Prepared { parsed, filter, .. } = prepared;
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
        Ok(RawHits { text: text_hits, statics: static_hits, minilm_vector: minilm_vec, minilm: minilm_hits })
    }
}

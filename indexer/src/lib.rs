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

mod document;
mod error;
pub mod text;
pub mod vectors;

pub use document::{Features, IndexDoc, Sym};
pub use error::{Error, Result};
pub use text::{Facets, TextHits, TextIndex, TextQuery};
pub use vectors::{EdgeVectors, Space, VectorIndex, compile_filter};

use std::path::Path;
use std::sync::Arc;

use parking_lot::RwLock;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use scout_domain::{Profile, ProfileId};
use scout_models::TextEncoder;

/// Text index, vector index and feature table of all profiles, written together.
pub struct ProfileIndex {
    pub text: TextIndex,
    pub vectors: Arc<dyn VectorIndex>,
    /// Keyed by profile id with a fast integer hash: read for every candidate of every search.
    features: RwLock<FxHashMap<ProfileId, Arc<Features>>>,
    encoder: Arc<dyn TextEncoder>,
    /// Vectors written since the vector graphs were last built.
    unoptimised: std::sync::atomic::AtomicUsize,
    /// The audience-quality model; without one, the transparent rules of
    /// `scout_domain::facts` score audience quality.
    quality: RwLock<Option<Arc<scout_models::QualityModel>>>,
}

/// Build vector graphs once this many points were written since the last
/// build, so that a bulk load ends up in several mid-sized segments.
const OPTIMISE_EVERY: usize = 200_000;

impl std::fmt::Debug for ProfileIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProfileIndex").field("encoder", &self.encoder.name()).finish_non_exhaustive()
    }
}

impl ProfileIndex {
    /// Opens (or creates) `dir/text` and `dir/vectors` and loads the feature table.
    pub fn open(dir: &Path, encoder: Arc<dyn TextEncoder>, minilm_dim: usize) -> Result<ProfileIndex> {
        let text = TextIndex::open(&dir.join("text"), 200_000_000)?;
        let vectors = EdgeVectors::open(&dir.join("vectors"), encoder.dim(), minilm_dim)?;
        let features = text.all_features()?.into_iter().collect();
        Ok(ProfileIndex {
            text,
            vectors: Arc::new(vectors),
            features: RwLock::new(features),
            encoder,
            unoptimised: std::sync::atomic::AtomicUsize::new(0),
            quality: RwLock::new(None),
        })
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
        for (id, f) in rescored {
            // A profile written or deleted meanwhile keeps what its write gave it.
            if let Some(slot) = table.get_mut(&id)
                && slot.quality_inputs[0].to_bits() == f.quality_inputs[0].to_bits()
            {
                *slot = f;
            }
        }
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
        self.unoptimised.fetch_add(pairs.len(), std::sync::atomic::Ordering::Relaxed);
        self.vectors.delete(deletes)?;
        self.text.upsert(&docs)?;
        self.text.delete(deletes);
        let mut table = self.features.write();
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

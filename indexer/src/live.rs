//! Scores that change without the profile changing: the audience-quality
//! model's score, which a new model version recomputes for every profile in
//! memory. Filters on them cannot be compiled from stored index fields (those
//! would hold the old model's scores until a full rebuild), so both retrieval
//! paths read the live table instead: tantivy through [`QualityFloor`],
//! a lazy check over each segment's id column, and the vector side by
//! checking the nearest neighbours it returns (see
//! `ProfileIndex::vector_search`).

use std::sync::Arc;

use parking_lot::RwLock;
use scout_domain::ProfileId;
use tantivy::SegmentReader;
use tantivy::columnar::Column;

use crate::lazy::{DocCheck, SegmentCheck};

/// Audience quality of every indexed profile, by profile id: a dense array
/// (profile ids are the store's sequential keys), NaN where no profile is
/// indexed. Readers take a snapshot (an `Arc` clone) and never block writers;
/// a writer copies the array only while a search still holds the old one.
#[derive(Debug, Default)]
pub struct LiveScores {
    quality: RwLock<Arc<Vec<f32>>>,
}

/// Ids above this are kept out of the dense tables, this one and the exact
/// search's (they would make them huge); the store hands out sequential ids,
/// so only a corrupt id gets here.
pub(crate) const MAX_DENSE_ID: ProfileId = 200_000_000;

impl LiveScores {
    /// The current scores; a search uses one snapshot throughout.
    pub fn quality(&self) -> Arc<Vec<f32>> {
        self.quality.read().clone()
    }

    /// Sets scores (`Some`) and forgets profiles (`None`) in one step.
    pub fn update(&self, changes: impl IntoIterator<Item = (ProfileId, Option<f32>)>) {
        let mut guard = self.quality.write();
        let table = Arc::make_mut(&mut guard);
        for (id, score) in changes {
            if !(0..=MAX_DENSE_ID).contains(&id) {
                continue;
            }
            let i = id as usize;
            match score {
                Some(s) => {
                    if table.len() <= i {
                        table.resize(i + 1, f32::NAN);
                    }
                    table[i] = s;
                }
                None => {
                    if let Some(slot) = table.get_mut(i) {
                        *slot = f32::NAN;
                    }
                }
            }
        }
    }

    pub fn clear(&self) {
        *self.quality.write() = Arc::new(Vec::new());
    }
}

/// Whether a profile's live score is at least `min` (unknown profiles never are).
/// The comparison is in `f32`, the precision scores are kept in, so that a
/// floor of 0.7 admits a score of 0.7.
pub fn quality_at_least(scores: &[f32], id: ProfileId, min: f64) -> bool {
    let min = min as f32;
    usize::try_from(id).ok().and_then(|i| scores.get(i)).is_some_and(|s| !s.is_nan() && *s >= min)
}

/// Accepts documents whose profile's live audience quality is at least
/// `min`, checked lazily ([`crate::lazy`]): inside a conjunction only the
/// other clauses' candidates are looked up (one id column read and one array
/// read each).
#[derive(Clone)]
pub struct QualityFloor {
    pub scores: Arc<Vec<f32>>,
    pub min: f64,
}

impl SegmentCheck for QualityFloor {
    fn check_for(&self, reader: &SegmentReader) -> tantivy::Result<DocCheck> {
        let ids: Column<u64> = reader.fast_fields().u64("id")?;
        let (scores, min) = (self.scores.clone(), self.min);
        Ok(Box::new(move |doc| ids.first(doc).is_some_and(|id| quality_at_least(&scores, id as ProfileId, min))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn updates_grow_forget_and_leave_snapshots_alone() {
        let live = LiveScores::default();
        live.update([(3, Some(0.9)), (1, Some(0.4))]);
        let before = live.quality();
        live.update([(3, None), (5, Some(0.7))]);
        let after = live.quality();
        assert!(quality_at_least(&before, 3, 0.8));
        assert!(!quality_at_least(&after, 3, 0.0), "a forgotten profile never passes");
        assert!(quality_at_least(&after, 5, 0.7) && !quality_at_least(&after, 5, 0.71));
        assert!(!quality_at_least(&after, 1, 0.5) && quality_at_least(&after, 1, 0.4));
        assert!(
            !quality_at_least(&after, 2, 0.0)
                && !quality_at_least(&after, 99, 0.0)
                && !quality_at_least(&after, -1, 0.0)
        );
        live.update([(MAX_DENSE_ID + 1, Some(1.0))]);
        assert_eq!(live.quality().len(), 6, "an absurd id does not grow the table");
    }
}

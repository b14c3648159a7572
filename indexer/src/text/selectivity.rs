//! Listing a selective filter's matches: whether a filter admits few enough
//! profiles is estimated first, without reading a posting list, from the
//! keyword clauses' document frequencies and a sample of the numeric columns.

use std::sync::Arc;

use scout_domain::{Clause, Filter, ProfileId};
use tantivy::Term;

use super::TextIndex;
use crate::collect::IdCollector;
use crate::error::{Result, TextDoing};
use crate::lazy::{Checked, FastRange, SegmentCheck};

/// The number of profiles a conjunction of clauses admits, estimated from
/// the share each clause admits alone, as if the clauses were independent:
/// `docs × Π shares` (each share capped at 1). It is the estimate query
/// planners make for a conjunction (System R's selectivity of `AND`); it
/// errs low when clauses are correlated (a city and its country), which only
/// costs an exact pass that lists more matches than estimated (bounded by
/// the caller's cap).
pub fn estimated_matches(docs: f64, shares: impl IntoIterator<Item = f64>) -> f64 {
    shares.into_iter().fold(docs, |estimate, share| estimate * share.clamp(0.0, 1.0))
}

impl TextIndex {
    /// The ids of the profiles `filter` admits, when it admits about `cap` or
    /// fewer. Whether it does is first estimated without reading a posting
    /// list: the share of profiles each keyword clause admits (its values'
    /// document frequencies), times the share each numeric range admits in an
    /// evenly spaced sample of documents, as if clauses were independent (the
    /// estimate query planners make). `None` when the estimate is above `cap`,
    /// or the matches turn out to be more than twice `cap`. Clauses on live
    /// scores read `live` (see [`TextIndex::filter_query`]) and are not estimated.
    pub fn filter_ids(
        &self,
        filter: &Filter,
        live: Option<&Arc<Vec<f32>>>,
        cap: usize,
    ) -> Result<Option<Vec<ProfileId>>> {
        let searcher = self.reader.searcher();
        let docs = searcher.num_docs() as f64;
        let mut shares = Vec::with_capacity(filter.must.len());
        for clause in &filter.must {
            let share = match clause {
                Clause::AnyOf { field, values } => {
                    let field = self.keyword_field(*field);
                    let mut admits = 0u64;
                    for v in values {
                        admits += searcher
                            .doc_freq(&Term::from_field_text(field, v))
                            .doing("reading a document frequency")?;
                    }
                    admits as f64 / docs.max(1.0)
                }
                Clause::Verified(v) => {
                    let term = Term::from_field_bool(self.f.verified, *v);
                    searcher.doc_freq(&term).doing("reading a document frequency")? as f64 / docs.max(1.0)
                }
                Clause::Range { field, min, max } => match self.stored_range(*field, *min, *max) {
                    Some((range, _)) => sampled_share(&searcher, &range)?,
                    None => 1.0,
                },
            };
            shares.push(share);
        }
        if estimated_matches(docs, shares) > cap as f64 {
            return Ok(None);
        }
        let (query, checks) = self.build_query(&searcher, "", filter, false, live)?;
        let ids = searcher.search(&query, &Checked::new(checks, IdCollector)).doing("listing a filter's matches")?;
        Ok((ids.len() <= cap.saturating_mul(2)).then_some(ids))
    }
}

/// The share of documents `range` admits in an evenly spaced sample of
/// each segment (up to 512 documents a segment; smoothed, never 0).
fn sampled_share(searcher: &tantivy::Searcher, range: &FastRange) -> Result<f64> {
    const SAMPLE: u32 = 512;
    let (mut seen, mut passed) = (0u32, 0u32);
    for segment in searcher.segment_readers() {
        let admits = range.check_for(segment).doing("reading a numeric column")?;
        let step = (segment.max_doc() / SAMPLE).max(1);
        for doc in (0..segment.max_doc()).step_by(step as usize) {
            seen += 1;
            passed += u32::from(admits(doc));
        }
    }
    Ok((f64::from(passed) + 1.0) / (f64::from(seen) + 1.0))
}

#[cfg(test)]
mod tests {
    use super::estimated_matches;

    #[test]
    fn independent_clauses_multiply_their_shares() {
        assert_eq!(estimated_matches(1_000_000.0, []), 1_000_000.0);
        let german_skincare = estimated_matches(1_000_000.0, [0.1, 0.05]);
        assert!((german_skincare - 5_000.0).abs() < 1e-6);
        // A share can never admit more than everything, nor less than nothing.
        assert_eq!(estimated_matches(100.0, [3.0]), 100.0);
        assert_eq!(estimated_matches(100.0, [-1.0]), 0.0);
    }
}

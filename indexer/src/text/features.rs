//! Reading every profile's feature record back (to fill the in-memory
//! table when a service opens the folder).

use std::sync::Arc;

use scout_domain::ProfileId;

use super::TextIndex;
use super::schema::{FEATURES_FIELD, ID_FIELD};
use crate::document::Features;
use crate::error::{Error, Result, TextDoing};

impl TextIndex {
    /// Every indexed profile's feature record (to fill the in-memory table at start).
    ///
    /// The records are the terms of a dictionary-encoded column whose blocks are
    /// compressed: streaming the dictionary once decompresses each block once,
    /// where looking every document's term up decompressed a block per document.
    pub fn all_features(&self) -> Result<Vec<(ProfileId, Arc<Features>)>> {
        let searcher = self.reader.searcher();
        let mut out = Vec::with_capacity(searcher.num_docs() as usize);
        let mut unreadable = 0usize;
        for seg in searcher.segment_readers() {
            let ids = seg.fast_fields().u64(ID_FIELD).doing("reading ids")?;
            let Some(bytes) = seg.fast_fields().bytes(FEATURES_FIELD).doing("reading features")? else { continue };
            let mut by_ord: Vec<Option<Arc<Features>>> = vec![None; bytes.num_terms()];
            let mut stream = bytes
                .dictionary()
                .stream()
                .map_err(|e| Error::Io { path: "text index features".into(), message: e.to_string() })?;
            while stream.advance() {
                if let Some(slot) = by_ord.get_mut(stream.term_ord() as usize) {
                    match serde_json::from_slice::<Features>(stream.key()) {
                        Ok(f) => *slot = Some(Arc::new(f)),
                        Err(e) => {
                            unreadable += 1;
                            tracing::error!(error = %e, "unreadable feature record in the text index");
                        }
                    }
                }
            }
            let alive = seg.alive_bitset();
            for doc in 0..seg.max_doc() {
                if alive.is_some_and(|a| !a.is_alive(doc)) {
                    continue;
                }
                let (Some(id), Some(ord)) = (ids.first(doc), bytes.term_ords(doc).next()) else { continue };
                if let Some(Some(f)) = by_ord.get(ord as usize) {
                    out.push((id as ProfileId, f.clone()));
                }
            }
        }
        if unreadable > 0 {
            // Such profiles are left out of searches until reindexed (`scout reindex`).
            tracing::error!(records = unreadable, "feature records could not be read; run `scout reindex`");
        }
        Ok(out)
    }
}

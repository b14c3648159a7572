//! Exact nearest neighbours among the profiles a selective filter admits.
//!
//! The vector index answers a filtered search in one of two ways: a graph
//! walk that checks the filter on every point it visits (fast when most
//! points pass), or a scan of the points the filter admits, which it
//! enumerates from its payload indexes by checking every clause on every
//! point of the rarest one. Between the two, filters that admit 0.3–10 % of a
//! million profiles ("German-speaking skincare micro-influencers") were the
//! slowest searches (10–26 ms, most of a hybrid search's time): the graph
//! finds too few passing points, and the scan spends its time in per-point
//! keyword checks.
//!
//! The text index enumerates a filter's matches far faster (posting-list
//! intersections), so for such filters the search scores those matches
//! exactly against this table: every profile's static vector, quantised to
//! `int8` with one scale per vector, by profile id. The result is exact
//! (no graph recall loss) and costs one pass over the matches. The quantised
//! cosine differs from the full-precision one by about 1e-3 at 256 dimensions
//! (error per component at most half a step, `max |x| / 254`).
//!
//! The table is filled from the vector index (the durable copy) when a
//! service enables it, in the background, and kept in step by every write
//! after that; until it is complete, searches use the vector index alone.
//! A bulk import never enables it (it does not search, and the table would
//! add a quarter of a gigabyte per million profiles to its peak memory).

use std::cmp::Ordering as CmpOrdering;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicU8, Ordering};

use parking_lot::RwLock;
use scout_domain::ProfileId;

use crate::error::Result;
use crate::live::MAX_DENSE_ID;
use crate::vectors::{Space, VectorIndex};

/// Vectors read from the vector index per page while filling the table.
const FILL_PAGE: usize = 4_096;

/// Rows whose memory is read ahead together (see [`Rows::touch`]).
const TOUCH_BATCH: usize = 16;

/// A row's scale before anything was written to it: the filler may set it.
const UNSET: f32 = f32::NAN;
/// A deleted row's scale: never scored, and the filler must not bring back
/// the vector it may still read from a page taken before the delete.
const DELETED: f32 = -1.0;

/// Where the table stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ExactState {
    /// Not kept (bulk import): writes skip it, searches never use it.
    Disabled = 0,
    /// Being filled from the vector index; writes already go to it.
    Filling = 1,
    /// Complete: searches may use it.
    Ready = 2,
}

/// Every profile's static vector in `int8`, by profile id.
#[derive(Debug)]
pub struct ExactVectors {
    dim: usize,
    state: AtomicU8,
    rows: RwLock<Rows>,
}

#[derive(Debug, Default)]
struct Rows {
    /// `dim` bytes per profile id.
    codes: Vec<i8>,
    /// One scale per profile id: `vector ≈ scale · codes`; [`UNSET`] or
    /// [`DELETED`] where no vector is held.
    scales: Vec<f32>,
}

impl ExactVectors {
    pub fn new(dim: usize) -> ExactVectors {
        ExactVectors { dim, state: AtomicU8::new(ExactState::Disabled as u8), rows: RwLock::new(Rows::default()) }
    }

    pub fn state(&self) -> ExactState {
        match self.state.load(Ordering::Acquire) {
            1 => ExactState::Filling,
            2 => ExactState::Ready,
            _ => ExactState::Disabled,
        }
    }

    /// Starts keeping the table: writes from now on go to it; the caller
    /// then runs [`ExactVectors::fill`]. Returns false when it was already kept.
    pub fn start(&self) -> bool {
        self.state
            .compare_exchange(
                ExactState::Disabled as u8,
                ExactState::Filling as u8,
                Ordering::AcqRel,
                Ordering::Acquire,
            )
            .is_ok()
    }

    /// Copies every static vector of `vectors` into rows no write has set
    /// since [`ExactVectors::start`], page by page (searches and writes go
    /// on meanwhile), then marks the table ready. Returns how many were copied.
    pub fn fill(&self, vectors: &dyn VectorIndex) -> Result<usize> {
        let mut after = None;
        let mut copied = 0;
        loop {
            let (page, next) = vectors.scroll_vectors(Space::Static, after, FILL_PAGE)?;
            {
                let mut rows = self.rows.write();
                for (id, v) in &page {
                    if rows.settable(*id, self.dim) {
                        rows.set(*id, v, self.dim);
                        copied += 1;
                    }
                }
            }
            match next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
        self.state.store(ExactState::Ready as u8, Ordering::Release);
        Ok(copied)
    }

    /// Records written vectors (the caller's profiles were just upserted).
    pub fn upsert(&self, vectors: &[(ProfileId, &[f32])]) {
        if self.state() == ExactState::Disabled {
            return;
        }
        let mut rows = self.rows.write();
        for (id, v) in vectors {
            if v.len() == self.dim {
                rows.set(*id, v, self.dim);
            }
        }
    }

    pub fn delete(&self, ids: &[ProfileId]) {
        if self.state() == ExactState::Disabled {
            return;
        }
        let mut rows = self.rows.write();
        for id in ids {
            if let Some(s) = usize::try_from(*id).ok().and_then(|i| rows.scales.get_mut(i)) {
                *s = DELETED;
            }
        }
    }

    /// Forgets every vector (before a rebuild); the table stays kept.
    pub fn clear(&self) {
        let mut rows = self.rows.write();
        rows.codes.clear();
        rows.scales.clear();
    }

    /// Cosine similarity of `query` to each of `ids` that has a vector, as
    /// `(id, cosine)`; the `limit` most similar, most similar first (ties by id).
    pub fn nearest(&self, query: &[f32], ids: &[ProfileId], limit: usize) -> Vec<(ProfileId, f32)> {
        if limit == 0 {
            return Vec::new();
        }
        // A min-heap of the best `limit` so far: its top is the one to beat.
        let mut best: BinaryHeap<Candidate> = BinaryHeap::with_capacity(limit + 1);
        self.each_cosine(query, ids, |id, cos| {
            if best.len() < limit {
                best.push(Candidate { cos, id });
            } else if best.peek().is_some_and(|worst| (Candidate { cos, id }) < *worst) {
                best.pop();
                best.push(Candidate { cos, id });
            }
        });
        best.into_sorted_vec().into_iter().map(|c| (c.id, c.cos)).collect()
    }

    /// Cosine similarity of `query` to each of `ids` that has a vector.
    pub fn score(&self, query: &[f32], ids: &[ProfileId]) -> Vec<(ProfileId, f32)> {
        let mut out = Vec::with_capacity(ids.len());
        self.each_cosine(query, ids, |id, cos| out.push((id, cos)));
        out
    }

    /// Calls `f` with the cosine of `query` to each of `ids` that has a
    /// vector, in order, reading each batch's rows ahead (see [`Rows::touch`]).
    /// Nothing for a query of the wrong dimension.
    fn each_cosine(&self, query: &[f32], ids: &[ProfileId], mut f: impl FnMut(ProfileId, f32)) {
        if query.len() != self.dim {
            return;
        }
        let norm = query.iter().map(|x| x * x).sum::<f32>().sqrt().max(f32::EPSILON);
        let rows = self.rows.read();
        let mut sink = 0u8;
        for batch in ids.chunks(TOUCH_BATCH) {
            sink ^= rows.touch(batch, self.dim);
            for &id in batch {
                if let Some(cos) = rows.cosine(id, query, norm, self.dim) {
                    f(id, cos);
                }
            }
        }
        std::hint::black_box(sink);
    }

    /// Bytes held by the table.
    pub fn memory_bytes(&self) -> usize {
        let rows = self.rows.read();
        rows.codes.capacity() + rows.scales.capacity() * std::mem::size_of::<f32>()
    }
}

impl Rows {
    fn settable(&self, id: ProfileId, dim: usize) -> bool {
        let Ok(i) = usize::try_from(id) else { return false };
        id <= MAX_DENSE_ID && dim > 0 && self.scales.get(i).is_none_or(|s| s.is_nan())
    }

    /// Symmetric per-vector quantisation of `v` scaled to unit length:
    /// `codes = round(u / scale)`, `scale = max |u| / 127`, `u = v / |v|`.
    fn set(&mut self, id: ProfileId, v: &[f32], dim: usize) {
        if !(0..=MAX_DENSE_ID).contains(&id) {
            return;
        }
        let i = id as usize;
        if self.scales.len() <= i {
            self.scales.resize(i + 1, UNSET);
            self.codes.resize((i + 1) * dim, 0);
        }
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        let max = v.iter().fold(0.0f32, |m, x| m.max(x.abs()));
        if norm <= 0.0 || !norm.is_finite() {
            self.scales[i] = DELETED;
            return;
        }
        let scale = max / norm / 127.0;
        let step = max / 127.0;
        for (c, x) in self.codes[i * dim..(i + 1) * dim].iter_mut().zip(v) {
            *c = (x / step).round().clamp(-127.0, 127.0) as i8;
        }
        self.scales[i] = scale;
    }

    /// Reads one byte of every cache line of the batch's rows and scales, so
    /// that their cache misses overlap instead of coming one after another
    /// while each row is scored (matches are scattered over the table, and a
    /// miss costs more than scoring a row). Returns the bytes' XOR, which the
    /// caller keeps so the reads are not optimised away.
    fn touch(&self, batch: &[ProfileId], dim: usize) -> u8 {
        let mut sink = 0u8;
        for &id in batch {
            let Ok(i) = usize::try_from(id) else { continue };
            if let Some(s) = self.scales.get(i) {
                sink ^= s.to_bits() as u8;
            }
            if let Some(row) = self.codes.get(i * dim..(i + 1) * dim) {
                for line in row.iter().step_by(64) {
                    sink ^= *line as u8;
                }
            }
        }
        sink
    }

    /// Cosine of a unit-length stored vector to `query` (of norm `norm`).
    fn cosine(&self, id: ProfileId, query: &[f32], norm: f32, dim: usize) -> Option<f32> {
        let i = usize::try_from(id).ok()?;
        let scale = *self.scales.get(i)?;
        if scale.is_nan() || scale <= 0.0 {
            return None;
        }
        let codes = self.codes.get(i * dim..(i + 1) * dim)?;
        // Eight independent sums let the compiler keep vector registers busy.
        let mut acc = [0.0f32; 8];
        for (q, c) in query.chunks_exact(8).zip(codes.chunks_exact(8)) {
            for k in 0..8 {
                acc[k] += q[k] * c[k] as f32;
            }
        }
        let tail: f32 = query
            .chunks_exact(8)
            .remainder()
            .iter()
            .zip(codes.chunks_exact(8).remainder())
            .map(|(q, c)| q * *c as f32)
            .sum();
        Some((acc.iter().sum::<f32>() + tail) * scale / norm)
    }
}

/// A scored profile in the top-k heap: ordered so that the *worst* (lowest
/// cosine, then highest id) is the greatest, which `BinaryHeap` keeps on top.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    cos: f32,
    id: ProfileId,
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == CmpOrdering::Equal
    }
}

impl Eq for Candidate {}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<CmpOrdering> {
        Some(self.cmp(other))
    }
}

impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> CmpOrdering {
        other.cos.total_cmp(&self.cos).then(self.id.cmp(&other.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(v: Vec<f32>) -> Vec<f32> {
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.into_iter().map(|x| x / n).collect()
    }

    fn pseudo_random(seed: u64, dim: usize) -> Vec<f32> {
        let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        unit(
            (0..dim)
                .map(|_| {
                    s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    ((s >> 33) as f32 / (1u64 << 31) as f32) - 0.5
                })
                .collect(),
        )
    }

    fn exact_cosine(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>()
            / (a.iter().map(|x| x * x).sum::<f32>().sqrt() * b.iter().map(|x| x * x).sum::<f32>().sqrt())
    }

    #[test]
    fn quantised_cosines_are_close_and_the_top_k_is_the_exact_one() {
        let dim = 256;
        let table = ExactVectors::new(dim);
        assert!(table.start());
        let vectors: Vec<(ProfileId, Vec<f32>)> = (1..=500).map(|id| (id, pseudo_random(id as u64, dim))).collect();
        let refs: Vec<(ProfileId, &[f32])> = vectors.iter().map(|(id, v)| (*id, v.as_slice())).collect();
        table.upsert(&refs);
        let query: Vec<f32> = pseudo_random(9_999, dim).iter().map(|x| x * 3.0).collect();
        let ids: Vec<ProfileId> = (1..=500).filter(|id| id % 3 != 0).collect();
        for (id, cos) in table.score(&query, &ids) {
            let truth = exact_cosine(&query, &vectors[id as usize - 1].1);
            assert!((cos - truth).abs() < 3e-3, "id {id}: {cos} vs {truth}");
        }
        let mut truth: Vec<(ProfileId, f32)> =
            ids.iter().map(|id| (*id, exact_cosine(&query, &vectors[*id as usize - 1].1))).collect();
        truth.sort_by(|a, b| b.1.total_cmp(&a.1));
        let top = table.nearest(&query, &ids, 10);
        assert_eq!(top.len(), 10);
        assert!(top.windows(2).all(|w| w[0].1 >= w[1].1), "sorted best first");
        // Quantisation may swap neighbours whose cosines are within its error.
        let top_ids: Vec<ProfileId> = top.iter().map(|h| h.0).collect();
        let agree = truth.iter().take(10).filter(|(id, _)| top_ids.contains(id)).count();
        assert!(agree >= 9, "{agree} of the exact top 10 found: {top_ids:?} vs {truth:?}");
        assert!(top.iter().all(|(id, _)| id % 3 != 0), "only the given ids are scored");
    }

    #[test]
    fn deleted_rows_are_skipped_and_never_refilled() {
        let table = ExactVectors::new(4);
        assert_eq!(table.state(), ExactState::Disabled);
        table.upsert(&[(1, &[1.0, 0.0, 0.0, 0.0])]);
        assert!(table.score(&[1.0, 0.0, 0.0, 0.0], &[1]).is_empty(), "a disabled table keeps nothing");
        assert!(table.start());
        assert!(!table.start());
        table.upsert(&[(1, &[1.0, 0.0, 0.0, 0.0]), (2, &[0.0, 1.0, 0.0, 0.0])]);
        table.delete(&[1]);
        assert_eq!(table.score(&[1.0, 1.0, 0.0, 0.0], &[1, 2, 3]).len(), 1);
        let rows = table.rows.read();
        assert!(!rows.settable(1, 4), "a deleted row is not refilled from an older page");
        assert!(!rows.settable(2, 4), "a written row is not overwritten by the filler");
        assert!(rows.settable(3, 4) && rows.settable(10, 4));
    }
}

//! The semantic floor: how similar a profile must be to a query, in a vector
//! space, to count as a match for a query none of whose words any profile
//! contains (nor names a niche).
//!
//! Nearest-neighbour search always answers: for "zzqxj" the fifty nearest
//! profiles are merely the least far, and counting them as results tells the
//! searcher that something matched. The floor is measured on the index
//! itself, per vector space: the similarity of the nearest profile to random
//! letter strings (text that means nothing, like a slip on the keyboard),
//! and the floor is a high quantile of those similarities
//! ([`FLOOR_QUANTILE`]). A profile at or under it is no closer to the query
//! than to gibberish. It is measured again when the index has grown or
//! shrunk by a quarter, since the nearest of more profiles is nearer.

use parking_lot::Mutex;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use scout_domain::query::Filter;
use scout_indexer::Space;

use super::Engine;
use crate::error::Result;

/// Random strings the floor is measured with.
const SAMPLES: usize = 64;
/// The share of random strings whose nearest profile is at most as similar
/// as the floor: a query must beat nineteen gibberish strings in twenty.
pub const FLOOR_QUANTILE: f64 = 0.95;

/// The floors measured so far: per space, the profile count they were
/// measured at and the floor.
#[derive(Debug, Default)]
pub(super) struct Floors(Mutex<Vec<(Space, usize, f32)>>);

impl Engine {
    /// The similarity a profile must exceed in `space` to match a query whose
    /// words matched nothing; `None` while the space holds no vectors.
    pub(super) fn semantic_floor(&self, space: Space) -> Result<Option<f32>> {
        let profiles = self.index.len();
        let fresh = |measured: usize| measured * 4 <= profiles * 5 && profiles * 4 <= measured * 5;
        if let Some((_, _, floor)) = self.floors.0.lock().iter().find(|(s, n, _)| *s == space && fresh(*n)) {
            return Ok(Some(*floor));
        }
        let similarities = self.gibberish_similarities(space, SAMPLES)?;
        let Some(floor) = quantile(&similarities, FLOOR_QUANTILE) else { return Ok(None) };
        let mut floors = self.floors.0.lock();
        floors.retain(|(s, _, _)| *s != space);
        floors.push((space, profiles, floor));
        tracing::info!(space = space.name(), profiles, floor, "measured the semantic floor");
        Ok(Some(floor))
    }

    /// The similarity of the nearest profile to each of `n` random letter
    /// strings (the same strings every time), sorted; empty when the space
    /// holds no vectors or has no encoder.
    pub fn gibberish_similarities(&self, space: Space, n: usize) -> Result<Vec<f32>> {
        let mut rng = ChaCha8Rng::seed_from_u64(0x5c0u64);
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let text = gibberish(&mut rng);
            let Some(vector) = self.query_vector(&text, space == Space::MiniLm)? else { return Ok(Vec::new()) };
            if let Some((_, similarity)) = self.index.vector_search(space, &vector, &Filter::default(), 1)?.first() {
                out.push(*similarity);
            }
        }
        out.sort_by(f32::total_cmp);
        Ok(out)
    }
}

/// One to three words of three to nine random lowercase letters.
fn gibberish(rng: &mut ChaCha8Rng) -> String {
    let words = rng.random_range(1..=3);
    (0..words)
        .map(|_| (0..rng.random_range(3..=9)).map(|_| char::from(b'a' + rng.random_range(0..26u8))).collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `q` quantile of sorted values (nearest rank), `None` when empty.
fn quantile(sorted: &[f32], q: f64) -> Option<f32> {
    let last = sorted.len().checked_sub(1)?;
    let rank = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1;
    Some(sorted[rank.min(last)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quantile_is_the_nearest_rank() {
        let values: Vec<f32> = (1..=20).map(|v| v as f32).collect();
        assert_eq!(quantile(&values, 0.95), Some(19.0));
        assert_eq!(quantile(&values, 1.0), Some(20.0));
        assert_eq!(quantile(&values, 0.0), Some(1.0));
        assert_eq!(quantile(&[], 0.5), None);
    }

    #[test]
    fn gibberish_is_letters_in_short_words() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for _ in 0..100 {
            let g = gibberish(&mut rng);
            let words: Vec<&str> = g.split(' ').collect();
            assert!((1..=3).contains(&words.len()), "{g}");
            assert!(words.iter().all(|w| (3..=9).contains(&w.len()) && w.bytes().all(|b| b.is_ascii_lowercase())));
        }
    }
}

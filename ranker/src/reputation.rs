//! What brands who worked with a creator on Scout said of them: the mean of
//! their ratings and how often the work came on time. A ranking feature that
//! only work done through Scout produces, so most creators have none; those
//! who do are moved up or down a little, never more than relevance.
//!
//! The mean is Bayesian: [`PRIOR_REVIEWS`] imagined reviews of
//! [`PRIOR_MEAN`] stars are added, so one 5-star review weighs less than
//! twenty. The value in [0, 1] is the smoothed mean's place between 1 and 5
//! stars, times 0.75 + 0.25 × the on-time rate; the score is multiplied by
//! `1 + SPAN × (value − NEUTRAL)`, where a creator with the prior mean, always
//! on time, is neutral (factor 1).

use std::sync::Arc;

use parking_lot::RwLock;
use rustc_hash::FxHashMap;
use scout_domain::ProfileId;
use serde::Serialize;

/// Imagined reviews added to every creator's own.
pub const PRIOR_REVIEWS: f64 = 3.0;
/// Their rating, in stars.
pub const PRIOR_MEAN: f64 = 3.5;
/// How far the factor moves per unit of value.
pub const SPAN: f64 = 0.3;

/// A creator's ratings on Scout.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reputation {
    pub reviews: u32,
    /// Mean rating, 1–5 stars.
    pub mean: f64,
    /// Share of reviewed contracts delivered on time, when known.
    pub on_time_rate: Option<f64>,
}

/// How a creator's ratings moved their place, as an explanation shows it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RatingEffect {
    /// Mean rating, 1–5 stars, as brands gave it.
    pub rating: f64,
    pub reviews: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_time_rate: Option<f64>,
    /// What the score was multiplied by (above 1: moved up).
    pub factor: f64,
}

fn value(r: &Reputation) -> f64 {
    let n = f64::from(r.reviews);
    let smoothed = (r.mean.clamp(1.0, 5.0) * n + PRIOR_MEAN * PRIOR_REVIEWS) / (n + PRIOR_REVIEWS);
    let on_time = r.on_time_rate.unwrap_or(1.0).clamp(0.0, 1.0);
    (smoothed - 1.0) / 4.0 * (0.75 + 0.25 * on_time)
}

/// The value of a creator with the prior's mean, always on time.
fn neutral() -> f64 {
    (PRIOR_MEAN - 1.0) / 4.0
}

/// What a relevance score is multiplied by for this reputation.
pub fn reputation_factor(r: &Reputation) -> f64 {
    1.0 + SPAN * (value(r) - neutral())
}

/// The effect as explained.
pub fn effect(r: &Reputation) -> RatingEffect {
    let round = |x: f64, scale: f64| (x * scale).round() / scale;
    RatingEffect {
        rating: round(r.mean, 100.0),
        reviews: r.reviews,
        on_time_rate: r.on_time_rate.map(|x| round(x, 1000.0)),
        factor: round(reputation_factor(r), 1000.0),
    }
}

/// The reputations searches read: replaced whole at start, one creator at a
/// time when a review is written, edited or removed.
#[derive(Debug, Default)]
pub struct Reputations(RwLock<Arc<FxHashMap<ProfileId, Reputation>>>);

impl Reputations {
    pub fn replace_all(&self, all: impl IntoIterator<Item = (ProfileId, Reputation)>) {
        *self.0.write() = Arc::new(all.into_iter().collect());
    }

    /// Sets (or, with `None`, forgets) one creator's reputation.
    pub fn set(&self, id: ProfileId, reputation: Option<Reputation>) {
        let mut slot = self.0.write();
        let map = Arc::make_mut(&mut slot);
        match reputation {
            Some(r) => map.insert(id, r),
            None => map.remove(&id),
        };
    }

    /// A snapshot for one search.
    pub fn snapshot(&self) -> Arc<FxHashMap<ProfileId, Reputation>> {
        self.0.read().clone()
    }

    pub fn len(&self) -> usize {
        self.0.read().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rep(reviews: u32, mean: f64, on_time_rate: Option<f64>) -> Reputation {
        Reputation { reviews, mean, on_time_rate }
    }

    #[test]
    fn praise_moves_up_complaints_move_down_and_more_reviews_move_further() {
        let neutral = rep(4, PRIOR_MEAN, Some(1.0));
        assert!((reputation_factor(&neutral) - 1.0).abs() < 1e-12);
        let (one_five, twenty_fives) = (rep(1, 5.0, Some(1.0)), rep(20, 5.0, Some(1.0)));
        let (one_one, twenty_ones) = (rep(1, 1.0, Some(0.0)), rep(20, 1.0, Some(0.0)));
        assert!(reputation_factor(&twenty_fives) > reputation_factor(&one_five));
        assert!(reputation_factor(&one_five) > 1.0);
        assert!(reputation_factor(&twenty_ones) < reputation_factor(&one_one));
        assert!(reputation_factor(&one_one) < 1.0);
        // Late work costs even with good ratings.
        assert!(reputation_factor(&rep(10, 4.5, Some(0.2))) < reputation_factor(&rep(10, 4.5, Some(1.0))));
        // Bounded: a nudge, never more than relevance.
        for r in [twenty_fives, twenty_ones, rep(u32::MAX, 5.0, None), rep(u32::MAX, 1.0, Some(0.0))] {
            let f = reputation_factor(&r);
            assert!((0.8..=1.12).contains(&f), "{r:?}: {f}");
        }
    }

    #[test]
    fn the_map_is_replaced_and_updated_one_creator_at_a_time() {
        let reps = Reputations::default();
        reps.replace_all([(1, rep(2, 4.0, None)), (2, rep(1, 2.0, None))]);
        let before = reps.snapshot();
        reps.set(1, Some(rep(3, 5.0, Some(1.0))));
        reps.set(2, None);
        assert_eq!(before.get(&1).map(|r| r.reviews), Some(2), "a search keeps its snapshot");
        let now = reps.snapshot();
        assert_eq!((now.get(&1).map(|r| r.reviews), now.get(&2)), (Some(3), None));
        assert_eq!(effect(&rep(3, 4.666_666, Some(1.0))).rating, 4.67);
    }
}

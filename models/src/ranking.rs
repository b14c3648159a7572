//! The ranking model: how the ranker's features are weighed into one score.
//!
//! It stays a weighted sum of named features, so every result's explanation
//! is exact (each feature's value, weight and contribution). What varies with
//! the query is the weight vector: `w = intercept + lexical_slope × L`, where
//! `L` in [0, 1] is the share of the query's words that the text index can be
//! trusted with (taxonomy words, rare names). The hand-tuned blend
//! ([`Blend::HAND`]) is one such model; `scout-train train ranking` fits
//! another pairwise on graded relevance labels (a linear RankNet with
//! LambdaRank's |ΔNDCG| pair weights: Burges, "From RankNet to LambdaRank to
//! LambdaMART: An Overview", MSR-TR-2010-82), and the service uses the
//! newest published version instead of the hand blend.
//!
//! Weights are never negative at any `L`: a better feature value never lowers a
//! score, which is what a brand reading the explanation expects.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::artifact::{Artifact, ModelCard, read_model_json, write_model};
use crate::error::{Error, Result};

/// The artifact's folder name.
pub const NAME: &str = "ranking";

/// One of the ranker's features. A feature vector is `[T; N]` indexed by
/// `Feature` (`values[Feature::TextRelevance]`), in explanation order; the
/// names (in explanations, model cards and training files) come from
/// [`Feature::name`] alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Feature {
    TextRelevance,
    SemanticSimilarity,
    NicheMatch,
    EngagementVsTier,
    AudienceFit,
    AudienceQuality,
    AudienceSentiment,
    Growth,
    Recency,
}

impl Feature {
    /// Every feature, in explanation (and vector) order.
    pub const ALL: [Feature; 9] = [
        Feature::TextRelevance,
        Feature::SemanticSimilarity,
        Feature::NicheMatch,
        Feature::EngagementVsTier,
        Feature::AudienceFit,
        Feature::AudienceQuality,
        Feature::AudienceSentiment,
        Feature::Growth,
        Feature::Recency,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            Feature::TextRelevance => "text_relevance",
            Feature::SemanticSimilarity => "semantic_similarity",
            Feature::NicheMatch => "niche_match",
            Feature::EngagementVsTier => "engagement_vs_tier",
            Feature::AudienceFit => "audience_fit",
            Feature::AudienceQuality => "audience_quality",
            Feature::AudienceSentiment => "audience_sentiment",
            Feature::Growth => "growth",
            Feature::Recency => "recency",
        }
    }

    /// Its slot in a feature vector.
    pub const fn index(self) -> usize {
        self as usize
    }
}

/// Number of features.
pub const N: usize = Feature::ALL.len();

/// The features' names, in vector order (the artifact's feature list).
pub const FEATURES: [&str; N] = {
    let mut names = [""; N];
    let mut i = 0;
    while i < N {
        names[i] = Feature::ALL[i].name();
        i += 1;
    }
    names
};

impl<T> std::ops::Index<Feature> for [T; N] {
    type Output = T;
    fn index(&self, f: Feature) -> &T {
        &self[f.index()]
    }
}

impl<T> std::ops::IndexMut<Feature> for [T; N] {
    fn index_mut(&mut self, f: Feature) -> &mut T {
        &mut self[f.index()]
    }
}

/// Weights as a linear function of the query's lexical share.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Blend {
    pub intercept: [f64; N],
    pub lexical_slope: [f64; N],
}

impl Blend {
    /// The hand-tuned blend: text counts fully for a query in known words and
    /// 40 % for pure description (0.25 × (0.4 + 0.6 L)); the semantic feature
    /// the other way round, from full weight down to half (0.30 × (1 − 0.5 L)).
    pub const HAND: Blend = Blend {
        intercept: [0.10, 0.30, 0.18, 0.06, 0.06, 0.08, 0.03, 0.03, 0.04],
        lexical_slope: [0.15, -0.15, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    };

    /// The weights for a query with lexical share `lexical` (clamped to [0, 1]).
    pub fn weights(&self, lexical: f64) -> [f64; N] {
        let l = lexical.clamp(0.0, 1.0);
        std::array::from_fn(|i| (self.intercept[i] + self.lexical_slope[i] * l).max(0.0))
    }

    /// Moves the parameters to the nearest ones whose weights are non-negative
    /// at both ends of [0, 1] (and so everywhere between, being linear).
    pub fn project(&mut self) {
        for i in 0..N {
            self.intercept[i] = self.intercept[i].max(0.0);
            if self.intercept[i] + self.lexical_slope[i] < 0.0 {
                self.lexical_slope[i] = -self.intercept[i];
            }
        }
    }

    /// Scales the parameters so that the weights at `L = 0.5` sum to one
    /// (rankings do not change; scores stay in the hand blend's range).
    pub fn normalised(mut self) -> Blend {
        let total: f64 = self.weights(0.5).iter().sum();
        if total > 0.0 {
            for i in 0..N {
                self.intercept[i] /= total;
                self.lexical_slope[i] /= total;
            }
        }
        self
    }

    fn check(&self, path: &Path) -> Result<()> {
        let finite = self.intercept.iter().chain(&self.lexical_slope).all(|x| x.is_finite());
        let positive = (0..N).any(|i| self.intercept[i] > 0.0 || self.intercept[i] + self.lexical_slope[i] > 0.0);
        if finite && positive {
            Ok(())
        } else {
            Err(Error::Artifact {
                path: path.display().to_string(),
                message: "ranking weights must be finite and not all zero".into(),
            })
        }
    }
}

/// A published ranking model.
#[derive(Debug, Clone, PartialEq)]
pub struct RankingModel {
    pub blend: Blend,
    pub card: ModelCard,
}

impl Artifact for RankingModel {
    const NAME: &'static str = NAME;

    fn features() -> &'static [&'static str] {
        &FEATURES
    }

    fn load(dir: &Path, card: ModelCard) -> Result<RankingModel> {
        let blend: Blend = read_model_json(dir)?;
        blend.check(&dir.join("model.json"))?;
        Ok(RankingModel { blend, card })
    }
}

impl RankingModel {
    /// Writes `model.json` and `card.json` into `dir`.
    pub fn save(&self, dir: &Path) -> Result<()> {
        write_model(dir, &self.blend, &self.card)
    }
}

#[cfg(test)]
mod feature_tests {
    use super::*;

    #[test]
    fn features_index_their_own_slot_and_name_it() {
        for (i, f) in Feature::ALL.iter().enumerate() {
            assert_eq!(f.index(), i);
            assert_eq!(FEATURES[i], f.name());
        }
        let mut v = [0.0; N];
        v[Feature::Recency] = 1.0;
        assert_eq!(v[N - 1], 1.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_blend_matches_its_description() {
        let w0 = Blend::HAND.weights(0.0);
        let w1 = Blend::HAND.weights(1.0);
        assert!((w0[0] - 0.25 * 0.4).abs() < 1e-12 && (w1[0] - 0.25).abs() < 1e-12);
        assert!((w0[1] - 0.30).abs() < 1e-12 && (w1[1] - 0.15).abs() < 1e-12);
    }

    #[test]
    fn projection_keeps_weights_non_negative_and_normalising_keeps_order() {
        let mut b = Blend {
            intercept: [-0.2, 0.1, 0.3, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            lexical_slope: [0.5, -0.4, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        };
        b.project();
        for l in [0.0, 0.3, 1.0] {
            assert!(b.weights(l).iter().all(|w| *w >= 0.0));
        }
        let n = b.normalised();
        assert!((n.weights(0.5).iter().sum::<f64>() - 1.0).abs() < 1e-9);
        let ratio = n.weights(0.2)[2] / b.weights(0.2)[2];
        assert!((n.weights(0.2)[1] / b.weights(0.2)[1] - ratio).abs() < 1e-9);
    }
}

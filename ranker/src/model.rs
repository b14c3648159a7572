//! The transparent scoring model: a weighted sum of named features in [0, 1].
//! Every result carries each feature's value, weight and contribution, so a
//! brand sees why a creator ranked where it did.

use scout_domain::query::AudienceDimension;
use scout_indexer::Features;
use serde::Serialize;

/// Names of the features, in explanation order (the ranking model's inputs).
pub use scout_models::ranking::{FEATURES, Feature, N};

/// One feature's part in a score.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Contribution {
    pub feature: &'static str,
    /// Value in [0, 1]; `None` when the feature does not apply to this query.
    pub value: Option<f64>,
    pub weight: f64,
    pub contribution: f64,
}

/// Why a result ranked where it did.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Explanation {
    pub contributions: Vec<Contribution>,
    /// What of the query it matched ("vegan", "Berlin").
    pub matched: Vec<String>,
    /// Engagement rate divided by the median of its follower tier.
    pub engagement_vs_tier: f64,
    /// One readable line.
    pub summary: String,
    /// Set when the creator was moved down the ranking, and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moved_down: Option<MovedDown>,
    /// The creator's ratings on Scout and how far they moved the creator.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rating: Option<crate::reputation::RatingEffect>,
}

/// Why and how far a result was moved down.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MovedDown {
    /// `likely_bought_followers`.
    pub reason: &'static str,
    /// The audience-quality model's probability that followers were bought.
    pub p_bought: f64,
    /// What the score was multiplied by.
    pub factor: f64,
}

/// Above this probability of bought followers a creator is moved down.
pub const BOUGHT_FROM: f64 = 0.25;
/// From this probability on, a creator loses the full [`BOUGHT_DEMOTION`].
pub const BOUGHT_FULL: f64 = 0.75;
/// How much of the score a likely buyer loses at most.
pub const BOUGHT_DEMOTION: f64 = 0.9;

/// The factor a relevance score is multiplied by for an audience the quality
/// model thinks was bought: 1 up to [`BOUGHT_FROM`], falling linearly to
/// `1 − BOUGHT_DEMOTION` at [`BOUGHT_FULL`] and beyond. A multiplier rather
/// than one more weighted feature: in a weighted sum a strong text and niche
/// match outweighs any single feature, and bought accounts reached the first
/// page as often as they occur in the data.
pub fn bought_followers_factor(audience_quality: f32) -> f64 {
    let p_bought = (1.0 - audience_quality as f64).clamp(0.0, 1.0);
    let over = ((p_bought - BOUGHT_FROM) / (BOUGHT_FULL - BOUGHT_FROM)).clamp(0.0, 1.0);
    1.0 - BOUGHT_DEMOTION * over
}

/// Raw signals of one candidate for one query.
#[derive(Debug, Clone, Default)]
pub struct Signals {
    pub bm25: Option<f32>,
    pub max_bm25: f32,
    /// Cosine similarity and the range among candidates, in the space used.
    pub cosine: Option<f32>,
    pub min_cosine: f32,
    pub max_cosine: f32,
}

/// What of the query the features compare against.
#[derive(Debug, Clone, Default)]
pub struct QueryContext {
    pub niches: Vec<String>,
    pub countries: Vec<String>,
    pub audience: Vec<(AudienceDimension, String)>,
    pub now_ts: i64,
    pub has_text: bool,
    /// Share of the query's words that the taxonomy knows, in [0, 1]. A query
    /// in the taxonomy's words ("vegan fitness") is well served by BM25; one
    /// that describes ("advice for new mothers") by the semantic vectors.
    pub lexical_share: f64,
    /// The query names specific profiles (a word only a few of them contain).
    pub known_item: bool,
}

/// Computes the feature vector (`None` = not applicable).
pub fn features(f: &Features, s: &Signals, q: &QueryContext) -> [Option<f64>; N] {
    let text = q.has_text.then(|| match s.bm25 {
        Some(b) if s.max_bm25 > 0.0 => (b / s.max_bm25) as f64,
        _ => 0.0,
    });
    // Min-max over the candidates: cosine similarities of averaged token
    // vectors crowd into a narrow band, and only their order and spread matter.
    let semantic = q.has_text.then(|| match s.cosine {
        Some(c) if s.max_cosine > s.min_cosine => {
            ((c - s.min_cosine) / (s.max_cosine - s.min_cosine)).clamp(0.0, 1.0) as f64
        }
        Some(_) => 1.0,
        None => 0.0,
    });
    let niche = (!q.niches.is_empty()).then(|| {
        let per: f64 = q
            .niches
            .iter()
            .map(|want| {
                if f.niches.iter().any(|n| n == want) {
                    1.0
                } else if f.niches.iter().any(|n| scout_domain::taxonomy::relation(n, want) == 1) {
                    0.4
                } else {
                    0.0
                }
            })
            .sum();
        per / q.niches.len() as f64
    });
    let engagement = Some((0.5 + 0.25 * (f.engagement_vs_tier.max(1e-3) as f64).log2()).clamp(0.0, 1.0));
    let mut fits = Vec::new();
    if !q.countries.is_empty() && !f.audience_countries.is_empty() {
        let share: f64 = q.countries.iter().filter_map(|c| f.audience_share(AudienceDimension::Country, c)).sum();
        fits.push(share.min(1.0));
    }
    for (dim, value) in &q.audience {
        if let Some(share) = f.audience_share(*dim, value) {
            fits.push(share);
        }
    }
    let audience_fit = (!fits.is_empty()).then(|| fits.iter().sum::<f64>() / fits.len() as f64);
    let quality = Some(f.audience_quality as f64);
    // Net comment sentiment in [-1, 1] to [0, 1]; unknown without comments.
    let sentiment =
        (!f.audience_sentiment.is_nan()).then(|| ((f.audience_sentiment as f64 + 1.0) / 2.0).clamp(0.0, 1.0));
    let growth = Some(if f.growth_90d.is_nan() { 0.5 } else { (0.5 + 2.0 * f.growth_90d as f64).clamp(0.0, 1.0) });
    let recency = Some(if f.last_post_ts > 0 {
        let days = ((q.now_ts - f.last_post_ts) as f64 / 86_400.0).max(0.0);
        (-days / 45.0).exp()
    } else {
        0.3
    });
    let mut values = [None; N];
    values[Feature::TextRelevance] = text;
    values[Feature::SemanticSimilarity] = semantic;
    values[Feature::NicheMatch] = niche;
    values[Feature::EngagementVsTier] = engagement;
    values[Feature::AudienceFit] = audience_fit;
    values[Feature::AudienceQuality] = quality;
    values[Feature::AudienceSentiment] = sentiment;
    values[Feature::Growth] = growth;
    values[Feature::Recency] = recency;
    values
}

/// Weighted sum of the applicable features, renormalised over the weights that
/// apply, so scores stay comparable across queries.
pub fn score(values: &[Option<f64>; N], weights: &[f64; N]) -> (f64, Vec<Contribution>) {
    let total_weight: f64 = values.iter().zip(weights).filter(|(v, _)| v.is_some()).map(|(_, w)| w).sum();
    let mut contributions = Vec::with_capacity(N);
    let mut sum = 0.0;
    for ((name, value), &w) in FEATURES.iter().zip(values).zip(weights) {
        let weight = if value.is_some() && total_weight > 0.0 { w / total_weight } else { 0.0 };
        let c = value.unwrap_or(0.0) * weight;
        sum += c;
        contributions.push(Contribution {
            feature: name,
            value: value.map(round3),
            weight: round3(weight),
            contribution: round3(c),
        });
    }
    (sum, contributions)
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use scout_models::ranking::Blend;

    use super::*;

    #[test]
    fn only_likely_buyers_are_moved_down_and_more_the_likelier() {
        assert_eq!(bought_followers_factor(0.95), 1.0);
        assert_eq!(bought_followers_factor(1.0 - BOUGHT_FROM as f32), 1.0);
        let (some, likely, certain) =
            (bought_followers_factor(0.6), bought_followers_factor(0.4), bought_followers_factor(0.0));
        assert!(1.0 > some && some > likely && likely > certain, "{some} {likely} {certain}");
        assert!((certain - (1.0 - BOUGHT_DEMOTION)).abs() < 1e-9);
        assert_eq!(bought_followers_factor(0.1), certain, "full demotion from BOUGHT_FULL on");
    }

    #[test]
    fn contributions_add_up_to_the_score() {
        let values = [Some(0.5), Some(1.0), None, Some(0.2), None, Some(0.9), Some(0.6), Some(0.5), Some(0.1)];
        let weights = Blend::HAND.weights(0.5);
        let (s, c) = score(&values, &weights);
        let sum: f64 = c.iter().map(|x| x.contribution).sum();
        assert!((s - sum).abs() < 0.01);
        assert!(c.iter().filter(|x| x.value.is_none()).all(|x| x.weight == 0.0));
        // A better feature value never lowers the score.
        let mut better = values;
        better[Feature::SemanticSimilarity] = Some(1.0);
        better[Feature::TextRelevance] = Some(0.9);
        assert!(score(&better, &weights).0 > s);
        // Descriptive queries lean on semantics.
        let described = Blend::HAND.weights(0.0);
        let (text, semantic) = (Feature::TextRelevance, Feature::SemanticSimilarity);
        assert!(described[text] < weights[text] && described[semantic] > weights[semantic]);
    }
}

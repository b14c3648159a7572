//! Audience quality: the probability that an account bought followers or
//! engagement, from signals anyone can check on the profile, with the
//! evidence behind each score.
//!
//! The inputs ([`FEATURES`]) are computed here from the interchange profile
//! alone, the same way for training and serving. The model is gradient-boosted
//! trees (forust, log-loss) whose raw score is calibrated by Platt scaling
//! fitted on a held-out split, so "0.8" means about 8 in 10 such accounts
//! bought. Evidence: each feature's Shapley contribution to the raw score for
//! this profile; the ones that push towards "bought" are rendered as sentences
//! from the profile's own numbers ("followers +180% in 6 days in March 2026").

use std::path::Path;

use forust_ml::GradientBooster;
use forust_ml::data::Matrix;
use forust_ml::gradientbooster::ContributionsMethod;
use scout_domain::Profile;
use serde::{Deserialize, Serialize};

use crate::artifact::{Artifact, ModelCard, booster_from_value, booster_to_value, read_model_json, write_model};
use crate::error::Result;

/// The model's folder name.
pub const NAME: &str = "audience-quality";

/// Input columns, in order. Missing values are NaN (the trees route them).
pub const FEATURES: [&str; 12] = [
    "largest_jump",
    "growth_12m",
    "engagement_vs_tier_log",
    "generic_comment_share",
    "duplicate_comment_share",
    "follow_ratio_log",
    "posts_per_week",
    "likes_per_comment_log",
    "home_audience_share",
    "credibility",
    "followers_log",
    "views_per_follower",
];

/// The feature vector of one profile.
pub type Row = [f64; FEATURES.len()];

/// Whether a comment says nothing particular: emoji or punctuation only, or
/// at most two words. A rule on the comment's shape, not a phrase list, so it
/// holds for any language that separates words with spaces.
pub fn is_generic_comment(comment: &str) -> bool {
    let words = comment.split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric)).count();
    words <= 2 && !comment.contains('?')
}

/// Computes the inputs of one profile.
pub fn features(p: &Profile) -> Row {
    let nan = f64::NAN;
    let history = scout_domain::facts::history(p).unwrap_or_default();
    let largest_jump = scout_domain::facts::largest_spike(p).map_or(0.0, |(_, jump)| jump);
    let growth_12m = match (history.first(), history.last()) {
        (Some(first), Some(last)) if first.1 > 0 && last.0 > first.0 => (last.1 as f64 / first.1 as f64).ln(),
        _ => nan,
    };
    let median = scout_domain::tier::tier_median_engagement(p.followers, p.platform);
    let er = p.engagement_rate.or_else(|| {
        let interactions = p.avg_likes.unwrap_or(0.0) + p.avg_comments.unwrap_or(0.0);
        (interactions > 0.0 && p.followers > 0).then(|| interactions / p.followers as f64)
    });
    let engagement_vs_tier_log = er.map_or(nan, |er| (er.max(1e-6) / median).ln());
    let comments: Vec<String> = p
        .recent_posts
        .iter()
        .flatten()
        .flat_map(|post| post.top_comments.iter().flatten())
        .map(|c| c.trim().to_lowercase())
        .collect();
    let (generic, duplicate) = if comments.is_empty() {
        (nan, nan)
    } else {
        let n = comments.len() as f64;
        let generic = comments.iter().filter(|c| is_generic_comment(c)).count() as f64 / n;
        let mut counts = std::collections::HashMap::new();
        for c in &comments {
            *counts.entry(c.as_str()).or_insert(0u32) += 1;
        }
        let repeated = comments.iter().filter(|c| counts[c.as_str()] > 1).count() as f64 / n;
        (generic, repeated)
    };
    let follow_ratio_log = p.following.map_or(nan, |f| ((f as f64 + 1.0) / (p.followers as f64 + 1.0)).ln());
    let likes_per_comment_log = match (p.avg_likes, p.avg_comments) {
        (Some(l), Some(c)) => ((l + 1.0) / (c + 1.0)).ln(),
        _ => nan,
    };
    let audience = p.audience.as_ref();
    let home = match (audience.and_then(|a| a.countries.as_ref()), p.country.as_deref()) {
        (Some(shares), Some(country)) => shares.get(country).copied().unwrap_or(0.0),
        _ => nan,
    };
    let credibility = audience.and_then(|a| a.credibility).unwrap_or(nan);
    let views = match p.avg_views {
        Some(v) if p.followers > 0 => v / p.followers as f64,
        _ => nan,
    };
    [
        largest_jump,
        growth_12m,
        engagement_vs_tier_log,
        generic,
        duplicate,
        follow_ratio_log,
        p.posts_per_week.unwrap_or(nan),
        likes_per_comment_log,
        home,
        credibility,
        (p.followers as f64 + 1.0).ln(),
        views,
    ]
}

/// Platt scaling: `p = 1 / (1 + exp(-(a * raw + b)))`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Platt {
    pub a: f64,
    pub b: f64,
}

impl Platt {
    pub fn apply(&self, raw: f64) -> f64 {
        1.0 / (1.0 + (-(self.a * raw + self.b)).exp())
    }

    /// Fits `a`, `b` by Newton's method on (raw score, label) pairs, with
    /// Platt's smoothed targets so that a perfectly separated calibration set
    /// still gives finite parameters.
    pub fn fit(raw: &[f64], labels: &[bool]) -> Platt {
        let positives = labels.iter().filter(|l| **l).count() as f64;
        let negatives = labels.len() as f64 - positives;
        let hi = (positives + 1.0) / (positives + 2.0);
        let lo = 1.0 / (negatives + 2.0);
        let (mut a, mut b) = (1.0, 0.0);
        for _ in 0..100 {
            let (mut g_a, mut g_b, mut h_aa, mut h_ab, mut h_bb) = (0.0, 0.0, 1e-12, 0.0, 1e-12);
            for (x, l) in raw.iter().zip(labels) {
                let t = if *l { hi } else { lo };
                let p = 1.0 / (1.0 + (-(a * x + b)).exp());
                let d = p - t;
                let w = (p * (1.0 - p)).max(1e-12);
                g_a += d * x;
                g_b += d;
                h_aa += w * x * x;
                h_ab += w * x;
                h_bb += w;
            }
            let det = h_aa * h_bb - h_ab * h_ab;
            if det.abs() < 1e-18 {
                break;
            }
            let da = (h_bb * g_a - h_ab * g_b) / det;
            let db = (h_aa * g_b - h_ab * g_a) / det;
            a -= da;
            b -= db;
            if da.abs() < 1e-10 && db.abs() < 1e-10 {
                break;
            }
        }
        Platt { a, b }
    }
}

/// The fitted parameters in `model.json`.
#[derive(Serialize, Deserialize)]
struct Stored {
    /// forust's own JSON of the booster.
    booster: serde_json::Value,
    platt: Platt,
}

/// One reason behind a score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    pub feature: &'static str,
    /// The feature's push on the log-odds of "bought" (positive: towards it).
    pub contribution: f64,
    /// The profile's own numbers, as a sentence.
    pub text: String,
}

/// A profile's audience-quality score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QualityScore {
    /// Calibrated probability that the account bought followers or engagement.
    pub p_bought: f64,
    /// `1 - p_bought`: what rankings use.
    pub quality: f64,
    /// The reasons that push towards "bought", strongest first (at most three).
    pub evidence: Vec<Evidence>,
    pub model_version: String,
}

/// The audience-quality model.
pub struct QualityModel {
    booster: GradientBooster,
    platt: Platt,
    pub card: ModelCard,
}

impl std::fmt::Debug for QualityModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QualityModel").field("version", &self.card.version).finish_non_exhaustive()
    }
}

impl Artifact for QualityModel {
    const NAME: &'static str = NAME;

    fn features() -> &'static [&'static str] {
        &FEATURES
    }

    fn load(dir: &Path, card: ModelCard) -> Result<QualityModel> {
        let stored: Stored = read_model_json(dir)?;
        let booster = booster_from_value(dir, &stored.booster)?;
        Ok(QualityModel { booster, platt: stored.platt, card })
    }
}

impl QualityModel {
    /// A model from fitted parts (what `scout-train` produces).
    pub fn new(booster: GradientBooster, platt: Platt, card: ModelCard) -> QualityModel {
        QualityModel { booster, platt, card }
    }

    /// Writes `model.json` and `card.json` into `dir`.
    pub fn save(&self, dir: &Path) -> Result<()> {
        let stored = Stored { booster: booster_to_value(&self.booster)?, platt: self.platt };
        write_model(dir, &stored, &self.card)
    }

    /// Raw scores (log-odds before calibration) of many rows, in parallel.
    pub fn raw_scores(&self, rows: &[Row]) -> Vec<f64> {
        let columns = columns(rows);
        self.booster.predict(&Matrix::new(&columns, rows.len(), FEATURES.len()), true)
    }

    /// Calibrated probabilities of "bought" for many rows.
    pub fn probabilities(&self, rows: &[Row]) -> Vec<f64> {
        self.raw_scores(rows).into_iter().map(|r| self.platt.apply(r)).collect()
    }

    /// Audience quality (`1 - p_bought`) of one input row, without evidence:
    /// the indexer's call, cheap enough for every write.
    pub fn quality_of_row(&self, row: &Row) -> f64 {
        let raw = self.booster.predict(&Matrix::new(row, 1, FEATURES.len()), false)[0];
        1.0 - self.platt.apply(raw)
    }

    /// The full score of one profile with its evidence.
    pub fn score(&self, p: &Profile) -> QualityScore {
        let row = features(p);
        let matrix = Matrix::new(&row, 1, FEATURES.len());
        let raw = self.booster.predict(&matrix, false)[0];
        let p_bought = self.platt.apply(raw);
        // One contribution per feature, then the bias.
        let contributions = self.booster.predict_contributions(&matrix, ContributionsMethod::Shapley, false);
        let mut evidence: Vec<Evidence> = FEATURES
            .iter()
            .enumerate()
            .filter_map(|(i, name)| {
                let c = contributions.get(i).copied().unwrap_or(0.0) * self.platt.a;
                (c > 0.05).then(|| Evidence { feature: name, contribution: c, text: describe(i, &row, p) })
            })
            .collect();
        evidence.sort_by(|a, b| b.contribution.total_cmp(&a.contribution));
        evidence.truncate(3);
        QualityScore { p_bought, quality: 1.0 - p_bought, evidence, model_version: self.card.version.clone() }
    }
}

/// Rows as forust's column-major matrix data.
pub fn columns(rows: &[Row]) -> Vec<f64> {
    let mut data = Vec::with_capacity(rows.len() * FEATURES.len());
    for j in 0..FEATURES.len() {
        data.extend(rows.iter().map(|r| r[j]));
    }
    data
}

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// The sentence for feature `i` of a profile, from its own numbers.
fn describe(i: usize, row: &Row, p: &Profile) -> String {
    let x = row[i];
    match FEATURES[i] {
        "largest_jump" => match scout_domain::facts::largest_spike(p) {
            Some(((from, to), jump)) => {
                let days = match (
                    chrono::NaiveDate::parse_from_str(&from, "%Y-%m-%d"),
                    chrono::NaiveDate::parse_from_str(&to, "%Y-%m-%d"),
                ) {
                    (Ok(a), Ok(b)) => (b - a).num_days(),
                    _ => 0,
                };
                let month = chrono::NaiveDate::parse_from_str(&to, "%Y-%m-%d")
                    .map(|d| d.format("%B %Y").to_string())
                    .unwrap_or(to.clone());
                let gained = p.follower_history.iter().flatten().find(|h| h.date == to).map(|h| {
                    let before = h.followers as f64 / (1.0 + jump);
                    h.followers as f64 - before
                });
                match gained {
                    Some(g) => format!("followers +{} ({}) in {days} days in {month}", compact(g), pct(jump)),
                    None => format!("followers +{} in {days} days in {month}", pct(jump)),
                }
            }
            None => "no sudden follower jump".into(),
        },
        "growth_12m" => format!("followers {:+.0}% over the last year", (x.exp() - 1.0) * 100.0),
        "engagement_vs_tier_log" => format!("engagement {:.2}× the median of its follower tier", x.exp()),
        "generic_comment_share" => format!("{} of recent comments are generic (a word or two, or emoji)", pct(x)),
        "duplicate_comment_share" => format!("{} of recent comments repeat word for word", pct(x)),
        "follow_ratio_log" => format!(
            "follows {} accounts with {} followers",
            compact(p.following.unwrap_or(0) as f64),
            compact(p.followers as f64)
        ),
        "posts_per_week" => format!("posts {x:.1} times a week"),
        "likes_per_comment_log" => format!("{:.0} likes per comment", x.exp()),
        "home_audience_share" => {
            format!("only {} of the audience is in {}", pct(x), p.country.as_deref().unwrap_or("its home country"))
        }
        "credibility" => format!("the data provider rates audience credibility {}", pct(x)),
        "followers_log" => format!("{} followers", compact(p.followers as f64)),
        "views_per_follower" => format!("{:.2} views per follower", x),
        other => other.to_string(),
    }
}

/// 1234 → "1.2k", 2_500_000 → "2.5M".
fn compact(x: f64) -> String {
    match x.abs() {
        v if v >= 1e6 => format!("{:.1}M", x / 1e6),
        v if v >= 1e3 => format!("{:.0}k", x / 1e3),
        _ => format!("{x:.0}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platt_scaling_recovers_a_known_calibration() {
        // Labels drawn with p = σ(2x - 1): the fit must come back near (2, -1).
        let mut raw = Vec::new();
        let mut labels = Vec::new();
        let mut state = 12345u64;
        for i in 0..20_000 {
            let x = (i % 400) as f64 / 100.0 - 2.0;
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let u = (state >> 11) as f64 / (1u64 << 53) as f64;
            raw.push(x);
            labels.push(u < 1.0 / (1.0 + (-(2.0 * x - 1.0)).exp()));
        }
        let p = Platt::fit(&raw, &labels);
        assert!((p.a - 2.0).abs() < 0.15 && (p.b + 1.0).abs() < 0.15, "{p:?}");
    }

    #[test]
    fn generic_comments_are_judged_by_shape() {
        assert!(is_generic_comment("nice pic"));
        assert!(is_generic_comment("🔥🔥🔥"));
        assert!(is_generic_comment("Tolle Arbeit!"));
        assert!(!is_generic_comment("where did you get that?"));
        assert!(!is_generic_comment("this recipe saved my weekend"));
    }

    #[test]
    fn features_follow_the_profile() {
        let line = r#"{"platform":"instagram","external_id":"1","handle":"a","followers":100000,"following":95000,
            "engagement_rate":0.002,"country":"DE","audience":{"countries":{"DE":0.2,"IN":0.5},"credibility":0.6},
            "follower_history":[{"date":"2026-01-01","followers":40000},{"date":"2026-01-07","followers":90000},
                                {"date":"2026-06-01","followers":100000}],
            "recent_posts":[{"posted_at":"2026-06-01T10:00:00Z","top_comments":["nice","nice","so helpful, where is this from?"]}]}"#;
        let p = Profile::parse(line).expect("valid").profile;
        let r = features(&p);
        assert!((r[0] - 1.25).abs() < 1e-9, "jump {}", r[0]);
        assert!((r[1] - (100000f64 / 40000.0).ln()).abs() < 1e-9);
        assert!((r[3] - 2.0 / 3.0).abs() < 1e-9 && (r[4] - 2.0 / 3.0).abs() < 1e-9);
        assert!((r[8] - 0.2).abs() < 1e-9 && (r[9] - 0.6).abs() < 1e-9);
        assert!(r[11].is_nan(), "no views");
        assert_eq!(describe(0, &r, &p), "followers +50k (125%) in 6 days in January 2026");
        assert_eq!(describe(8, &r, &p), "only 20% of the audience is in DE");
    }
}

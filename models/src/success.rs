//! Campaign success: what one creator's deliverable for a brief will likely
//! achieve (engagement rate, engagements, cost per engagement, each with an
//! 80 % interval) and the probability that it meets the brief's goal.
//!
//! Gradient-boosted trees (forust, squared loss) predict the log of the
//! engagement rate the deliverable reaches, from the creator (size, stated
//! engagement against the tier, platform, audience-quality signals, how often
//! they already advertise), the brief (deliverable) and the fit between them
//! (niche match, the audience's share in the targeted countries, ages, gender
//! and languages). The uncertainty is split-conformal: the distribution of
//! log errors on a held-out calibration split, stored as quantiles, gives the
//! interval and, through the goal's threshold, the probability of meeting it.
//! Evidence: each input's path contribution (Saabas; XGBoost's approximate
//! contributions: how the trees' average value moves at each split on that
//! input as the record goes down), as a multiplier of the predicted engagement
//! ("audience 64 % in the targeted countries: ×1.31"). Contributions add up to
//! the prediction like Shapley values; exact TreeSHAP over 300 trees cost
//! ~3 ms a creator, too much for a page of matches.

use std::path::Path;

use forust_ml::gradientbooster::ContributionsMethod;
use forust_ml::{GradientBooster, Matrix};
use scout_domain::campaign::{CampaignBrief, CampaignGoal, Deliverable};
use scout_domain::facts::ProfileFacts;
use scout_domain::money::Money;
use scout_domain::{Platform, Profile};
use serde::{Deserialize, Serialize};

use crate::artifact::{Artifact, ModelCard, booster_from_value, booster_to_value, read_model_json, write_model};
use crate::error::Result;
use crate::price::to_usd;

/// The model's folder name.
pub const NAME: &str = "campaign-success";

/// Input columns, in order. Missing values are NaN (the trees route them).
pub const FEATURES: [&str; 20] = [
    "deliverable",
    "platform",
    "followers_log",
    "engagement_rate_log",
    "engagement_vs_tier_log",
    "niche_match",
    "audience_country_fit",
    "audience_age_fit",
    "audience_gender_fit",
    "audience_language_fit",
    "brand_mentions",
    "posts_per_week",
    "largest_jump",
    "generic_comment_share",
    "duplicate_comment_share",
    "follow_ratio_log",
    "likes_per_comment_log",
    "home_audience_share",
    "credibility",
    "views_per_follower",
];

pub type Row = [f64; FEATURES.len()];

/// The columns from `largest_jump` on are the audience-quality model's inputs
/// of the same names, copied from its row.
const FIRST_SHARED: usize = 12;

/// The shared inputs as (quality index, own index), found by name at compile
/// time, so reordering either list cannot pair the wrong columns.
const QUALITY_INPUTS: [(usize, usize); FEATURES.len() - FIRST_SHARED] = {
    let mut pairs = [(0, 0); FEATURES.len() - FIRST_SHARED];
    let mut i = 0;
    while i < pairs.len() {
        let own = FIRST_SHARED + i;
        pairs[i] = (position(&crate::quality::FEATURES, FEATURES[own]), own);
        i += 1;
    }
    pairs
};

/// The index of `name` in `names` (a compile error when it is missing).
const fn position(names: &[&str], name: &str) -> usize {
    let mut i = 0;
    while i < names.len() {
        if eq(names[i].as_bytes(), name.as_bytes()) {
            return i;
        }
        i += 1;
    }
    panic!("feature name not in the list")
}

const fn eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// How well a creator's niches fit the brief's: 2 the creator's main niche,
/// 1.5 one of its niches, 1 a related niche, 0 none; NaN when either side
/// names no niche.
pub fn niche_match(brief: &[String], creator: &[&str]) -> f64 {
    if brief.is_empty() || creator.is_empty() {
        return f64::NAN;
    }
    brief
        .iter()
        .map(|b| {
            if creator[0] == b.as_str() {
                2.0
            } else if creator.contains(&b.as_str()) {
                1.5
            } else if creator.iter().any(|c| scout_domain::taxonomy::relation(c, b) > 0) {
                1.0
            } else {
                0.0
            }
        })
        .fold(0.0, f64::max)
}

/// Share of an audience breakdown inside `wanted`; NaN when nothing is
/// wanted or the profile gives no breakdown.
fn share_in(shares: Option<&std::collections::BTreeMap<String, f64>>, wanted: &[String]) -> f64 {
    match shares {
        Some(shares) if !wanted.is_empty() => {
            wanted.iter().filter_map(|w| shares.get(w)).fold(0.0, |a, b| a + b).min(1.0)
        }
        _ => f64::NAN,
    }
}

/// The inputs for one creator and one brief.
pub fn features(p: &Profile, brief: &CampaignBrief) -> Row {
    features_with(p, &ProfileFacts::of(p), brief)
}

/// The same, with the profile's facts already computed.
pub fn features_with(p: &Profile, facts: &ProfileFacts, brief: &CampaignBrief) -> Row {
    let nan = f64::NAN;
    let mut row = [nan; FEATURES.len()];
    row[0] = brief.deliverable as u8 as f64;
    row[1] = Platform::ALL.iter().position(|x| *x == p.platform).map_or(nan, |i| i as f64);
    row[2] = (p.followers as f64 + 1.0).ln();
    if facts.engagement_rate > 0.0 {
        row[3] = facts.engagement_rate.ln();
        row[4] = facts.engagement_vs_tier.ln();
    }
    row[5] = niche_match(&brief.niches, &facts.niches);
    let audience = p.audience.as_ref();
    let t = &brief.target;
    row[6] = share_in(audience.and_then(|a| a.countries.as_ref()), &t.countries);
    row[7] = share_in(audience.and_then(|a| a.age.as_ref()), &t.age_bands);
    let gender: Vec<String> = t.gender.iter().cloned().collect();
    row[8] = share_in(audience.and_then(|a| a.gender.as_ref()), &gender);
    row[9] = share_in(audience.and_then(|a| a.languages.as_ref()), &t.languages);
    row[10] = p.brand_mentions.as_ref().map_or(nan, |b| b.len() as f64);
    row[11] = p.posts_per_week.unwrap_or(nan);
    let quality = crate::quality::features(p);
    for (from, to) in QUALITY_INPUTS {
        row[to] = quality[from];
    }
    row
}

/// Rows as forust's column-major matrix data.
pub fn columns(rows: &[Row]) -> Vec<f64> {
    let mut data = Vec::with_capacity(rows.len() * FEATURES.len());
    for j in 0..FEATURES.len() {
        data.extend(rows.iter().map(|r| r[j]));
    }
    data
}

/// The fitted parameters in `model.json`.
#[derive(Serialize, Deserialize)]
struct Stored {
    booster: serde_json::Value,
    /// Quantiles of the calibration split's log errors (actual − predicted),
    /// at evenly spaced levels from 0 to 1.
    residual_quantiles: Vec<f64>,
    /// Rows behind them (bounds how sure a probability may be).
    calibration_rows: usize,
}

/// A figure with its median and 80 % interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Interval<T> {
    pub median: T,
    pub low: T,
    pub high: T,
}

/// One input's push on the predicted engagement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Driver {
    pub feature: &'static str,
    /// Multiplier of the predicted engagement rate (1.3 = 30 % more).
    pub effect: f64,
    /// The creator's and the brief's own numbers, as a sentence.
    pub text: String,
}

/// What one creator's deliverable for one brief will likely achieve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuccessPrediction {
    pub deliverable: Deliverable,
    /// Engagements divided by followers.
    pub engagement_rate: Interval<f64>,
    pub engagements: Interval<u64>,
    /// The creator's asking price for the deliverable, if listed.
    pub price: Option<Money>,
    /// Price divided by engagements, in the price's currency (low is the good end).
    pub cost_per_engagement: Option<Interval<Money>>,
    /// Probability that the deliverable meets the brief's goal (none without
    /// a goal, or for a cost goal when the creator lists no price).
    pub probability_meets_goal: Option<f64>,
    /// Engagements the goal needs from this creator.
    pub goal_engagements: Option<u64>,
    /// The inputs that moved the prediction most, strongest first (at most four).
    pub drivers: Vec<Driver>,
    pub model_version: String,
}

/// The campaign-success model.
pub struct SuccessModel {
    booster: GradientBooster,
    residuals: Vec<f64>,
    calibration_rows: usize,
    pub card: ModelCard,
}

impl std::fmt::Debug for SuccessModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SuccessModel").field("version", &self.card.version).finish_non_exhaustive()
    }
}

impl Artifact for SuccessModel {
    const NAME: &'static str = NAME;

    fn features() -> &'static [&'static str] {
        &FEATURES
    }

    fn load(dir: &Path, card: ModelCard) -> Result<SuccessModel> {
        let stored: Stored = read_model_json(dir)?;
        let booster = booster_from_value(dir, &stored.booster)?;
        if stored.residual_quantiles.len() < 3 || stored.residual_quantiles.windows(2).any(|w| w[0] > w[1]) {
            return Err(crate::Error::Artifact {
                path: dir.display().to_string(),
                message: "residual_quantiles must be at least 3 sorted numbers".into(),
            });
        }
        Ok(SuccessModel {
            booster,
            residuals: stored.residual_quantiles,
            calibration_rows: stored.calibration_rows,
            card,
        })
    }
}

/// Number of quantile levels stored.
pub const QUANTILE_LEVELS: usize = 201;

/// Evenly spaced quantiles (levels 0, 1/(k−1), …, 1) of `xs`.
pub fn quantiles(mut xs: Vec<f64>, k: usize) -> Vec<f64> {
    xs.retain(|x| x.is_finite());
    if xs.is_empty() {
        return vec![0.0; k];
    }
    xs.sort_by(f64::total_cmp);
    (0..k)
        .map(|i| {
            let pos = i as f64 / (k - 1) as f64 * (xs.len() - 1) as f64;
            let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
            xs[lo] + (xs[hi] - xs[lo]) * (pos - lo as f64)
        })
        .collect()
}

impl SuccessModel {
    /// A model from fitted parts: the trees and the calibration split's log errors.
    pub fn new(booster: GradientBooster, calibration_errors: Vec<f64>, card: ModelCard) -> SuccessModel {
        let calibration_rows = calibration_errors.len();
        SuccessModel { booster, residuals: quantiles(calibration_errors, QUANTILE_LEVELS), calibration_rows, card }
    }

    /// Writes `model.json` and `card.json` into `dir`.
    pub fn save(&self, dir: &Path) -> Result<()> {
        let stored = Stored {
            booster: booster_to_value(&self.booster)?,
            residual_quantiles: self.residuals.clone(),
            calibration_rows: self.calibration_rows,
        };
        write_model(dir, &stored, &self.card)
    }

    /// Predicted log engagement rates (the trees' point estimate) of many rows.
    pub fn predict_log_rate(&self, rows: &[Row]) -> Vec<f64> {
        let data = columns(rows);
        self.booster.predict(&Matrix::new(&data, rows.len(), FEATURES.len()), rows.len() > 1024)
    }

    /// The log error at quantile level `q` in [0, 1].
    pub fn residual_at(&self, q: f64) -> f64 {
        let pos = q.clamp(0.0, 1.0) * (self.residuals.len() - 1) as f64;
        let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
        self.residuals[lo] + (self.residuals[hi] - self.residuals[lo]) * (pos - lo as f64)
    }

    /// P(log rate ≥ `threshold`) given the point estimate `predicted`: the
    /// share of calibration errors above `threshold − predicted`, kept inside
    /// [1/(n+1), n/(n+1)] (a finite calibration set never proves certainty).
    pub fn probability_at_least(&self, predicted: f64, threshold: f64) -> f64 {
        let z = threshold - predicted;
        let r = &self.residuals;
        let k = r.len() - 1;
        let cdf = if z <= r[0] {
            0.0
        } else if z >= r[k] {
            1.0
        } else {
            let i = r.partition_point(|x| *x < z).clamp(1, k);
            let (a, b) = (r[i - 1], r[i]);
            let frac = if b > a { (z - a) / (b - a) } else { 0.5 };
            ((i - 1) as f64 + frac) / k as f64
        };
        let n = self.calibration_rows.max(1) as f64;
        (1.0 - cdf).clamp(1.0 / (n + 1.0), n / (n + 1.0))
    }

    /// The engagements the brief's goal needs from this creator, if it can be told.
    pub fn goal_engagements(brief: &CampaignBrief, p: &Profile) -> Option<f64> {
        match brief.goal.as_ref()? {
            CampaignGoal::Engagements { min } => Some(*min as f64),
            CampaignGoal::CostPerEngagement { max } => {
                let price = brief.deliverable.asking_money(p)?;
                let paid = to_usd(u64::try_from(price.amount_minor).ok()?, price.currency.as_str())?;
                let per = to_usd(u64::try_from(max.amount_minor).ok()?, max.currency.as_str())?;
                (per > 0.0).then(|| paid / per)
            }
        }
    }

    /// The log rate the brief's goal needs from this creator, if it can be told.
    pub fn goal_threshold(brief: &CampaignBrief, p: &Profile) -> Option<f64> {
        let needed = Self::goal_engagements(brief, p)?;
        Some((needed.max(1.0) / p.followers.max(1) as f64).ln())
    }

    /// Fills in the drivers of predictions made by [`SuccessModel::predict`]
    /// for the same brief and profiles (callers explain only the page they show).
    pub fn explain(&self, brief: &CampaignBrief, profiles: &[&Profile], predictions: &mut [SuccessPrediction]) {
        let rows: Vec<Row> = profiles.iter().map(|p| features(p, brief)).collect();
        if rows.is_empty() {
            return;
        }
        let data = columns(&rows);
        let matrix = Matrix::new(&data, rows.len(), FEATURES.len());
        let contributions = self.booster.predict_contributions(&matrix, ContributionsMethod::Average, false);
        for (i, prediction) in predictions.iter_mut().enumerate().take(rows.len()) {
            let row_contributions = &contributions[i * (FEATURES.len() + 1)..(i + 1) * (FEATURES.len() + 1)];
            prediction.drivers = drivers(&rows[i], row_contributions, brief);
        }
    }

    /// Predictions for one brief over many creators (one batch through the
    /// trees), without drivers (see [`SuccessModel::explain`]).
    pub fn predict(&self, brief: &CampaignBrief, profiles: &[&Profile]) -> Vec<SuccessPrediction> {
        let rows: Vec<Row> = profiles.iter().map(|p| features(p, brief)).collect();
        if rows.is_empty() {
            return Vec::new();
        }
        let data = columns(&rows);
        let matrix = Matrix::new(&data, rows.len(), FEATURES.len());
        let points = self.booster.predict(&matrix, false);
        let (q10, q50, q90) = (self.residual_at(0.1), self.residual_at(0.5), self.residual_at(0.9));
        profiles
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let point = points[i];
                let followers = p.followers as f64;
                let rate = |r: f64| (point + r).exp().min(1.0);
                let engagement_rate = Interval { median: rate(q50), low: rate(q10), high: rate(q90) };
                let count = |er: f64| (er * followers).round() as u64;
                let engagements = Interval {
                    median: count(engagement_rate.median),
                    low: count(engagement_rate.low),
                    high: count(engagement_rate.high),
                };
                let price = brief.deliverable.asking_money(p);
                let cost_per_engagement = price.as_ref().map(|m| {
                    let per = |n: u64| Money {
                        amount_minor: (m.amount_minor as f64 / n.max(1) as f64).round() as i64,
                        currency: m.currency,
                    };
                    // More engagements, cheaper each: the interval's ends swap.
                    Interval { median: per(engagements.median), low: per(engagements.high), high: per(engagements.low) }
                });
                let needed = Self::goal_engagements(brief, p);
                let threshold = Self::goal_threshold(brief, p);
                SuccessPrediction {
                    deliverable: brief.deliverable,
                    engagement_rate,
                    engagements,
                    price,
                    cost_per_engagement,
                    probability_meets_goal: threshold.map(|t| self.probability_at_least(point, t)),
                    goal_engagements: needed.map(|n| n.max(1.0).ceil() as u64),
                    drivers: Vec::new(),
                    model_version: self.card.version.clone(),
                }
            })
            .collect()
    }
}

/// The strongest pushes (|contribution| ≥ 5 %), as sentences.
fn drivers(row: &Row, contributions: &[f64], brief: &CampaignBrief) -> Vec<Driver> {
    let mut out: Vec<Driver> = FEATURES
        .iter()
        .enumerate()
        .filter(|(i, _)| contributions[*i].abs() >= 0.05_f64.ln_1p())
        .map(|(i, name)| Driver {
            feature: name,
            effect: (contributions[i].exp() * 100.0).round() / 100.0,
            text: describe(name, row[i], brief),
        })
        .collect();
    out.sort_by(|a, b| b.effect.ln().abs().total_cmp(&a.effect.ln().abs()));
    out.truncate(4);
    out
}

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

fn describe(feature: &str, x: f64, brief: &CampaignBrief) -> String {
    let known = !x.is_nan();
    match feature {
        "deliverable" => format!("a {}", brief.deliverable.as_str()),
        "platform" => "the platform".to_string(),
        "followers_log" => format!("{} followers", compact((x.exp() - 1.0).round())),
        "engagement_rate_log" if known => format!("engagement rate {:.2}%", x.exp() * 100.0),
        "engagement_vs_tier_log" if known => format!("engagement {:.1}× the tier's median", x.exp()),
        "niche_match" => match x {
            x if x >= 2.0 => "the brief's niche is the creator's main niche".to_string(),
            x if x >= 1.5 => "the brief's niche is one of the creator's niches".to_string(),
            x if x >= 1.0 => "the creator works in a niche related to the brief's".to_string(),
            x if x >= 0.0 => "the creator works outside the brief's niche".to_string(),
            _ => "no niche to compare".to_string(),
        },
        "audience_country_fit" if known => {
            format!("{} of the audience in {}", pct(x), brief.target.countries.join(", "))
        }
        "audience_age_fit" if known => format!("{} of the audience aged {}", pct(x), brief.target.age_bands.join(", ")),
        "audience_gender_fit" if known => {
            format!("{} of the audience {}", pct(x), brief.target.gender.as_deref().unwrap_or(""))
        }
        "audience_language_fit" if known => {
            format!("{} of the audience speaks {}", pct(x), brief.target.languages.join(", "))
        }
        "brand_mentions" if known => format!("{x:.0} brands mentioned recently"),
        "posts_per_week" if known => format!("{x:.1} posts a week"),
        "largest_jump" if known => format!("largest follower jump +{}", pct(x)),
        "generic_comment_share" if known => format!("{} of comments are generic", pct(x)),
        "duplicate_comment_share" if known => format!("{} of comments are duplicates", pct(x)),
        "follow_ratio_log" if known => format!("follows {:.2} accounts per follower", x.exp()),
        "likes_per_comment_log" if known => format!("{:.0} likes per comment", x.exp()),
        "home_audience_share" if known => format!("{} of the audience in the creator's country", pct(x)),
        "credibility" if known => format!("audience credibility {}", pct(x)),
        "views_per_follower" if known => format!("{x:.2} views per follower"),
        "audience_country_fit" => "no country targeting in the brief".to_string(),
        "audience_age_fit" => "no age targeting in the brief".to_string(),
        "audience_gender_fit" => "no gender targeting in the brief".to_string(),
        "audience_language_fit" => "no language targeting in the brief".to_string(),
        other => format!("{other} unknown"),
    }
}

fn compact(n: f64) -> String {
    if n >= 1e6 {
        format!("{:.1}M", n / 1e6)
    } else if n >= 1e4 {
        format!("{:.0}k", n / 1e3)
    } else {
        format!("{n:.0}")
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn shared_quality_inputs_pair_columns_of_the_same_name() {
        for (from, to) in super::QUALITY_INPUTS {
            assert_eq!(crate::quality::FEATURES[from], super::FEATURES[to]);
        }
        assert_eq!(super::QUALITY_INPUTS[0], (0, 12));
        assert_eq!(super::QUALITY_INPUTS[7], (11, 19));
    }
    use super::*;

    fn profile() -> Profile {
        let line = r#"{"platform":"instagram","external_id":"1","handle":"a","followers":40000,"engagement_rate":0.04,
            "country":"DE","categories":["vegan recipes"],"brand_mentions":["Acme","Bolt"],
            "audience":{"countries":{"DE":0.6,"AT":0.1},"age":{"18-24":0.3,"25-34":0.4},"gender":{"female":0.7,"male":0.3}},
            "rates":{"currency":"EUR","post":40000}}"#;
        Profile::parse(line).expect("valid").profile
    }

    fn brief(json: &str) -> CampaignBrief {
        serde_json::from_str(json).expect("brief")
    }

    #[test]
    fn features_measure_the_fit_between_brief_and_creator() {
        let b = brief(
            r#"{"niches":["vegan"],"deliverable":"reel","target":{"countries":["DE","AT"],"age_bands":["18-24"],"gender":"female"}}"#,
        );
        let r = features(&profile(), &b);
        assert_eq!(r[0], 3.0, "reel");
        assert!(r[5] >= 1.5, "vegan is one of the creator's niches: {}", r[5]);
        assert!((r[6] - 0.7).abs() < 1e-9 && (r[7] - 0.3).abs() < 1e-9 && (r[8] - 0.7).abs() < 1e-9);
        assert!(r[9].is_nan(), "no language targeted");
        assert_eq!(r[10], 2.0);
        let other = features(&profile(), &brief(r#"{"niches":["gaming"],"deliverable":"post"}"#));
        assert_eq!(other[5], 0.0);
        assert!(other[6].is_nan());
    }

    #[test]
    fn goals_become_thresholds_on_the_rate() {
        let p = profile();
        let b = brief(r#"{"deliverable":"post","goal":{"kind":"engagements","min":2000}}"#);
        let t = SuccessModel::goal_threshold(&b, &p).expect("threshold");
        assert!((t.exp() - 0.05).abs() < 1e-9, "2,000 of 40,000 followers");
        // 400 EUR ≈ 434.78 USD; at most 0.10 USD each needs ≈ 4,348 engagements.
        let b = brief(
            r#"{"deliverable":"post","goal":{"kind":"cost_per_engagement","max":{"amount_minor":10,"currency":"USD"}}}"#,
        );
        let t = SuccessModel::goal_threshold(&b, &p).expect("threshold");
        assert!((t.exp() * 40_000.0 - 4347.8).abs() < 1.0, "{}", t.exp() * 40_000.0);
        let story = brief(
            r#"{"deliverable":"story","goal":{"kind":"cost_per_engagement","max":{"amount_minor":10,"currency":"USD"}}}"#,
        );
        assert_eq!(SuccessModel::goal_threshold(&story, &p), None, "no story price listed");
    }

    #[test]
    fn quantiles_interpolate() {
        let q = quantiles((0..=100).map(f64::from).collect(), 5);
        assert_eq!(q, vec![0.0, 25.0, 50.0, 75.0, 100.0]);
    }
}

//! Fair price: what comparable creators ask per deliverable (post, story,
//! video, reel), with an uncertainty range, against the creator's own asking
//! price.
//!
//! Gradient-boosted trees (forust, squared loss) predict the log of the price
//! in US dollars from followers, engagement, platform, the country's price
//! level and niche; the range is split-conformal: the 80 % (and 50 %) quantile
//! of absolute log errors on a held-out calibration split, so about 8 in 10
//! comparable creators ask inside the 80 % range. Prices are shown in the
//! creator's currency, as integer minor units.

use std::path::Path;

use forust_ml::{GradientBooster, Matrix};
use scout_domain::money::{Currency, Money, minor_unit_exponent, units_per_usd};
use scout_domain::{Platform, Profile};
use serde::{Deserialize, Serialize};

use crate::artifact::{Artifact, ModelCard, booster_from_value, booster_to_value, read_model_json, write_model};
use crate::error::Result;

/// The model's folder name.
pub const NAME: &str = "fair-price";

/// Input columns, in order.
pub const FEATURES: [&str; 9] = [
    "deliverable",
    "followers_log",
    "engagement_rate_log",
    "engagement_vs_tier_log",
    "platform",
    "country_price_level",
    "views_per_follower",
    "verified",
    "niche",
];

pub type Row = [f64; FEATURES.len()];

pub use scout_domain::campaign::Deliverable;

fn code(d: Deliverable) -> f64 {
    d as u8 as f64
}

/// The inputs for one deliverable of one profile.
pub fn features(p: &Profile, deliverable: Deliverable) -> Row {
    features_with(p, &scout_domain::facts::ProfileFacts::of(p), deliverable)
}

/// The inputs of every deliverable (the profile's facts computed once).
pub fn all_features(p: &Profile) -> [Row; 4] {
    let facts = scout_domain::facts::ProfileFacts::of(p);
    Deliverable::ALL.map(|d| features_with(p, &facts, d))
}

fn features_with(p: &Profile, facts: &scout_domain::facts::ProfileFacts, deliverable: Deliverable) -> Row {
    let nan = f64::NAN;
    let platform = Platform::ALL.iter().position(|x| *x == p.platform).map_or(nan, |i| i as f64);
    let price_level = p.country.as_deref().and_then(scout_domain::places::country).map_or(nan, |c| c.price_level);
    let niche = facts
        .niches
        .first()
        .and_then(|n| scout_domain::taxonomy::NICHES.iter().position(|x| x.id == *n))
        .map_or(nan, |i| i as f64);
    let views = match p.avg_views {
        Some(v) if p.followers > 0 => v / p.followers as f64,
        _ => nan,
    };
    [
        code(deliverable),
        (p.followers as f64 + 1.0).ln(),
        if facts.engagement_rate > 0.0 { facts.engagement_rate.ln() } else { nan },
        if facts.engagement_vs_tier > 0.0 { facts.engagement_vs_tier.ln() } else { nan },
        platform,
        price_level,
        views,
        f64::from(u8::from(p.verified.unwrap_or(false))),
        niche,
    ]
}

/// Rows as forust's column-major matrix data.
pub fn columns(rows: &[Row]) -> Vec<f64> {
    let mut data = Vec::with_capacity(rows.len() * FEATURES.len());
    for j in 0..FEATURES.len() {
        data.extend(rows.iter().map(|r| r[j]));
    }
    data
}

/// A price in minor units of `currency` as US dollars, through the reference table.
pub fn to_usd(minor: u64, currency: &str) -> Option<f64> {
    Some(minor as f64 / 10f64.powi(minor_unit_exponent(currency) as i32) / units_per_usd(currency)?)
}

/// US dollars as whole major units of `currency` (creators quote whole amounts), in minor units.
pub fn from_usd(usd: f64, currency: &str) -> Option<i64> {
    let major = (usd * units_per_usd(currency)?).round();
    Some((major * 10f64.powi(minor_unit_exponent(currency) as i32)) as i64)
}

/// The fitted parameters in `model.json`.
#[derive(Serialize, Deserialize)]
struct Stored {
    booster: serde_json::Value,
    /// Absolute log errors not exceeded by 50 % and 80 % of calibration rows.
    q50: f64,
    q80: f64,
}

/// One deliverable's estimate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriceEstimate {
    pub deliverable: Deliverable,
    /// What comparable creators ask: the middle of the market.
    pub fair: Money,
    /// Half of comparable creators ask within this range…
    pub likely_low: Money,
    pub likely_high: Money,
    /// …and eight in ten within this one.
    pub range_low: Money,
    pub range_high: Money,
    /// The creator's own price, when they gave one.
    pub asking: Option<Money>,
    /// `asking / fair`.
    pub asking_vs_fair: Option<f64>,
    /// `below`, `fair` or `above` the 80 % range; `fair` inside it.
    pub verdict: Option<&'static str>,
}

/// The fair-price model.
pub struct PriceModel {
    booster: GradientBooster,
    q50: f64,
    q80: f64,
    pub card: ModelCard,
}

impl std::fmt::Debug for PriceModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PriceModel").field("version", &self.card.version).finish_non_exhaustive()
    }
}

impl Artifact for PriceModel {
    const NAME: &'static str = NAME;

    fn features() -> &'static [&'static str] {
        &FEATURES
    }

    fn load(dir: &Path, card: ModelCard) -> Result<PriceModel> {
        let stored: Stored = read_model_json(dir)?;
        let booster = booster_from_value(dir, &stored.booster)?;
        Ok(PriceModel { booster, q50: stored.q50, q80: stored.q80, card })
    }
}

impl PriceModel {
    pub fn new(booster: GradientBooster, q50: f64, q80: f64, card: ModelCard) -> PriceModel {
        PriceModel { booster, q50, q80, card }
    }

    /// Writes `model.json` and `card.json` into `dir`.
    pub fn save(&self, dir: &Path) -> Result<()> {
        let stored = Stored { booster: booster_to_value(&self.booster)?, q50: self.q50, q80: self.q80 };
        write_model(dir, &stored, &self.card)
    }

    /// Predicted log US-dollar prices of many rows.
    pub fn predict_log_usd(&self, rows: &[Row]) -> Vec<f64> {
        let data = columns(rows);
        self.booster.predict(&Matrix::new(&data, rows.len(), FEATURES.len()), rows.len() > 1024)
    }

    /// The interval half-widths in log space (50 % and 80 %).
    pub fn widths(&self) -> (f64, f64) {
        (self.q50, self.q80)
    }

    /// Estimates for every deliverable, in the creator's currency (USD when
    /// the profile names none or one the reference table lacks).
    pub fn estimate(&self, p: &Profile) -> Vec<PriceEstimate> {
        let currency = p
            .rates
            .as_ref()
            .and_then(|r| r.parsed_currency())
            .filter(|c| c.units_per_usd_micros().is_some())
            .unwrap_or(Currency::USD);
        let rows: Vec<Row> = all_features(p).to_vec();
        let logs = self.predict_log_usd(&rows);
        let money = |usd: f64| Money { amount_minor: from_usd(usd, currency.as_str()).unwrap_or(0), currency };
        Deliverable::ALL
            .iter()
            .zip(logs)
            .map(|(d, log)| {
                let asking = d.asking(p).and_then(|minor| {
                    let own = p.rates.as_ref().and_then(|r| r.parsed_currency()).unwrap_or(Currency::USD);
                    Some((i64::try_from(minor).ok()?, to_usd(minor, own.as_str())?, own))
                });
                let ratio = asking.as_ref().map(|(_, usd, _)| usd / log.exp());
                let verdict = asking.as_ref().map(|(_, usd, _)| {
                    let z = usd.ln() - log;
                    if z > self.q80 {
                        "above"
                    } else if z < -self.q80 {
                        "below"
                    } else {
                        "fair"
                    }
                });
                PriceEstimate {
                    deliverable: *d,
                    fair: money(log.exp()),
                    likely_low: money((log - self.q50).exp()),
                    likely_high: money((log + self.q50).exp()),
                    range_low: money((log - self.q80).exp()),
                    range_high: money((log + self.q80).exp()),
                    asking: asking.map(|(minor, _, currency)| Money { amount_minor: minor, currency }),
                    asking_vs_fair: ratio.map(|r| (r * 100.0).round() / 100.0),
                    verdict,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currencies_round_trip_through_dollars() {
        assert_eq!(to_usd(10_000, "USD"), Some(100.0));
        assert_eq!(from_usd(100.0, "JPY"), Some(15_000), "yen have no minor unit");
        assert_eq!(from_usd(100.0, "EUR"), Some(9_200));
        assert_eq!(to_usd(1, "XXX"), None);
    }

    #[test]
    fn features_name_the_deliverable_and_the_market() {
        let line = r#"{"platform":"tiktok","external_id":"1","handle":"a","followers":20000,"engagement_rate":0.05,
            "country":"DE","verified":true,"categories":["vegan recipes"]}"#;
        let p = Profile::parse(line).expect("valid").profile;
        let r = features(&p, Deliverable::Video);
        assert_eq!(r[0], 2.0);
        assert!((r[1] - 20001f64.ln()).abs() < 1e-9);
        assert_eq!(r[4], 1.0, "tiktok is the second platform");
        assert!(r[5] > 0.5 && r[7] == 1.0 && !r[8].is_nan());
    }
}

//! Training and evaluating the fair-price model. The targets are the asking
//! prices creators published (their `rates`), one row per deliverable, in log
//! US dollars; no separate labels are needed.

use std::collections::BTreeMap;

use forust_ml::Matrix;
use forust_ml::objective::ObjectiveType;
use rayon::prelude::*;
use scout_domain::Profile;
use scout_models::price::{self, Deliverable, PriceModel, Row};

use crate::dataset::Split;
use crate::{BoostConfig, CardDraft};

/// One deliverable of one profile with its asking price.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceRow {
    pub key: String,
    pub split: Split,
    pub features: Row,
    /// ln(asking price in US dollars).
    pub log_usd: f64,
}

/// The rows of every profile that publishes prices in a known currency.
pub fn price_rows(profiles: &[Profile], seed: u64) -> Vec<PriceRow> {
    profiles
        .par_iter()
        .flat_map_iter(|p| {
            let key = format!("{}:{}", p.platform.as_str(), p.external_id);
            let split = Split::of(seed, &key);
            let currency = p.rates.as_ref().map(|r| r.currency.clone()).unwrap_or_default();
            let priced: Vec<(Deliverable, f64)> = Deliverable::ALL
                .iter()
                .filter_map(|d| Some((*d, price::to_usd(d.asking(p)?, &currency)?)))
                .filter(|(_, usd)| *usd > 0.0)
                .collect();
            if priced.is_empty() {
                return Vec::new();
            }
            let rows = price::all_features(p);
            priced
                .into_iter()
                .map(|(d, usd)| PriceRow { key: key.clone(), split, features: rows[d as usize], log_usd: usd.ln() })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Writes rows as CSV: `key,split,log_usd,<features…>` (NaN as empty).
pub fn write_csv<W: std::io::Write>(rows: &[PriceRow], out: W) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec!["key", "split", "log_usd"];
    header.extend(price::FEATURES);
    w.write_record(&header)?;
    for r in rows {
        let mut rec = vec![r.key.clone(), r.split.as_str().to_string(), format!("{}", r.log_usd)];
        rec.extend(r.features.iter().map(|x| if x.is_nan() { String::new() } else { format!("{x}") }));
        w.write_record(&rec)?;
    }
    w.flush()?;
    Ok(())
}

/// Reads rows written by [`write_csv`]; refuses a file whose columns differ.
pub fn read_csv(path: &std::path::Path) -> anyhow::Result<Vec<PriceRow>> {
    use anyhow::Context;
    let mut r = csv::Reader::from_path(path).with_context(|| format!("opening {}", path.display()))?;
    let header: Vec<String> = r.headers()?.iter().map(String::from).collect();
    let mut expected = vec!["key".to_string(), "split".into(), "log_usd".into()];
    expected.extend(price::FEATURES.iter().map(|s| s.to_string()));
    anyhow::ensure!(header == expected, "{}: columns {header:?}, expected {expected:?}", path.display());
    let mut rows = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec?;
        let split = Split::parse(&rec[1]).with_context(|| format!("{} row {}", path.display(), i + 2))?;
        let mut features = [f64::NAN; price::FEATURES.len()];
        for (j, f) in features.iter_mut().enumerate() {
            if !rec[3 + j].is_empty() {
                *f = rec[3 + j].parse().with_context(|| format!("{} row {}", path.display(), i + 2))?;
            }
        }
        let log_usd = rec[2].parse().with_context(|| format!("{} row {}", path.display(), i + 2))?;
        rows.push(PriceRow { key: rec[0].to_string(), split, features, log_usd });
    }
    Ok(rows)
}

/// What the shipped model used.
pub const DEFAULTS: BoostConfig = BoostConfig { seed: 42, iterations: 200, learning_rate: 0.1, max_depth: 5 };

/// Held-out figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub rows: usize,
    /// Median of |predicted − asking| / asking.
    pub mdape: f64,
    /// The same over creators with at least 10,000 followers (most fixture
    /// accounts are small and ask the market's floor price).
    pub mdape_10k: f64,
    /// Share of asking prices inside the 50 % and 80 % ranges.
    pub coverage_50: f64,
    pub coverage_80: f64,
    /// R² of the log prices.
    pub r2_log: f64,
}

impl Evaluation {
    pub fn metrics(&self) -> BTreeMap<String, f64> {
        let r = |x: f64| (x * 1e4).round() / 1e4;
        BTreeMap::from([
            ("mdape".to_string(), r(self.mdape)),
            ("mdape_10k_followers".to_string(), r(self.mdape_10k)),
            ("coverage_50".to_string(), r(self.coverage_50)),
            ("coverage_80".to_string(), r(self.coverage_80)),
            ("r2_log".to_string(), r(self.r2_log)),
            ("test_rows".to_string(), self.rows as f64),
        ])
    }
}

fn part(rows: &[PriceRow], split: Split) -> (Vec<Row>, Vec<f64>) {
    rows.iter().filter(|r| r.split == split).map(|r| (r.features, r.log_usd)).unzip()
}

fn quantile(mut xs: Vec<f64>, q: f64) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    xs.sort_by(f64::total_cmp);
    xs[((xs.len() - 1) as f64 * q).round() as usize]
}

/// Scores a model on the rows of `split`.
pub fn evaluate(model: &PriceModel, rows: &[PriceRow], split: Split) -> Evaluation {
    let (x, y) = part(rows, split);
    let pred = model.predict_log_usd(&x);
    let (q50, q80) = model.widths();
    let n = y.len().max(1) as f64;
    let ape: Vec<f64> = pred.iter().zip(&y).map(|(p, t)| ((p.exp() - t.exp()) / t.exp()).abs()).collect();
    let inside = |w: f64| pred.iter().zip(&y).filter(|(p, t)| (*p - *t).abs() <= w).count() as f64 / n;
    let mean = y.iter().sum::<f64>() / n;
    let ss_res: f64 = pred.iter().zip(&y).map(|(p, t)| (p - t).powi(2)).sum();
    let ss_tot: f64 = y.iter().map(|t| (t - mean).powi(2)).sum();
    let big: Vec<f64> = x.iter().zip(&ape).filter(|(r, _)| r[1] >= (10_001f64).ln()).map(|(_, e)| *e).collect();
    Evaluation {
        rows: y.len(),
        mdape: quantile(ape, 0.5),
        mdape_10k: quantile(big, 0.5),
        coverage_50: inside(q50),
        coverage_80: inside(q80),
        r2_log: 1.0 - ss_res / ss_tot.max(1e-12),
    }
}

/// Fits the trees on the train split, the conformal widths on the
/// calibration split, and evaluates on the test split.
pub fn train(rows: &[PriceRow], config: BoostConfig, source: &str) -> anyhow::Result<(PriceModel, Evaluation)> {
    let (x, y) = part(rows, Split::Train);
    anyhow::ensure!(x.len() >= 100, "the train split has {} priced rows; at least 100 are needed", x.len());
    let data = price::columns(&x);
    let booster = config.fit(ObjectiveType::SquaredLoss, &data, x.len(), price::FEATURES.len(), &y)?;
    let (cx, cy) = part(rows, Split::Calibration);
    let cdata = price::columns(&cx);
    let predicted = booster.predict(&Matrix::new(&cdata, cx.len(), price::FEATURES.len()), true);
    let residuals: Vec<f64> = predicted.iter().zip(&cy).map(|(p, t)| (p - t).abs()).collect();
    let (q50, q80) = (quantile(residuals.clone(), 0.5), quantile(residuals, 0.8));
    let card = CardDraft {
        name: price::NAME,
        kind: config.describe("gbdt-squared-log-usd+conformal"),
        features: &price::FEATURES,
        seed: config.seed,
        source,
        splits: rows.iter().map(|r| r.split).collect(),
        positive_share: None,
        intended_use: "Estimates what comparable creators ask per post, story, video and reel, with 50 % and 80 % \
                       ranges, so a brand sees whether an asking price is in line with the market; shown beside the \
                       creator's own rates.",
        limits: "Learned from published asking prices, not from paid deals: it tells the market's asking level, not \
                 what a creator will accept. Prices convert through a fixed reference table of exchange rates. \
                 Ranges are marginal (8 in 10 over all creators), narrower for common profiles and wider for rare \
                 ones.",
    }
    .card();
    let mut model = PriceModel::new(booster, q50, q80, card);
    let evaluation = evaluate(&model, rows, Split::Test);
    model.card.metrics = evaluation.metrics();
    Ok((model, evaluation))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fair_prices_track_the_market_and_ranges_hold_their_share() {
        let g = scout_fixtures::Generator::new(9);
        let profiles: Vec<Profile> = (0..6_000).map(|i| g.profile(i).0).collect();
        let rows = price_rows(&profiles, 9);
        assert!(rows.len() > 20_000, "{}", rows.len());
        let (model, eval) = train(&rows, BoostConfig { iterations: 80, ..DEFAULTS }, "fixtures").expect("train");
        assert!(eval.mdape < 0.35, "{eval:?}");
        assert!((eval.coverage_80 - 0.8).abs() < 0.05, "{eval:?}");
        assert!((eval.coverage_50 - 0.5).abs() < 0.06, "{eval:?}");
        let estimates = model.estimate(&profiles[0]);
        assert_eq!(estimates.len(), 4);
        let post = &estimates[0];
        assert!(
            post.range_low.amount_minor <= post.fair.amount_minor
                && post.fair.amount_minor <= post.range_high.amount_minor
        );
        assert_eq!(post.fair.currency.as_str(), profiles[0].rates.as_ref().expect("rates").currency);
        assert!(post.verdict.is_some() && post.asking_vs_fair.is_some());
    }
}

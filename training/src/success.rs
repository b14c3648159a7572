//! Training and evaluating the campaign-success model. One row per booking
//! (a creator's deliverable for a campaign): the features of the creator and
//! the brief, the log of the engagement rate it reached, and, when the brief
//! had a goal, the log rate the goal needed and whether it was met.
//!
//! Rows are split by *creator* (the seed hashed with the creator's key), so
//! the test split measures creators the model never saw.

use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;
use std::path::Path;

use anyhow::Context;
use forust_ml::Matrix;
use forust_ml::objective::ObjectiveType;
use rayon::prelude::*;
use scout_domain::Profile;
use scout_fixtures::CampaignRecord;
use scout_models::success::{self, Row, SuccessModel};

use crate::dataset::Split;
use crate::metrics;
use crate::{BoostConfig, CardDraft};

/// One booking.
#[derive(Debug, Clone, PartialEq)]
pub struct SuccessRow {
    pub campaign: String,
    pub creator: String,
    pub split: Split,
    pub features: Row,
    /// ln(engagements / followers) the deliverable reached (no engagement: half of one).
    pub log_rate: f64,
    /// ln(engagements the goal needed / followers), when the goal can be told.
    pub threshold: Option<f64>,
    pub met_goal: Option<bool>,
}

/// Reads campaign records (`FILE.campaigns.jsonl` from `scout fixtures --campaigns N`).
pub fn read_campaigns(path: &Path) -> anyhow::Result<Vec<CampaignRecord>> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let record: CampaignRecord =
            serde_json::from_str(&line).with_context(|| format!("{} line {}", path.display(), i + 1))?;
        record.brief.validate().with_context(|| format!("{} line {}", path.display(), i + 1))?;
        out.push(record);
    }
    Ok(out)
}

/// Rows of the bookings of the given profiles (profiles not booked give none).
pub fn success_rows(
    profiles: &[Profile],
    bookings: &HashMap<String, Vec<&CampaignRecord>>,
    seed: u64,
) -> Vec<SuccessRow> {
    profiles
        .par_iter()
        .flat_map_iter(|p| {
            let key = format!("{}:{}", p.platform.as_str(), p.external_id);
            let Some(records) = bookings.get(&key) else {
                return Vec::new();
            };
            let facts = scout_domain::ProfileFacts::of(p);
            let split = Split::of(seed, &key);
            // A deliverable with no engagement at all counts as half of one (the log needs a floor).
            let floor = 0.5 / p.followers.max(1) as f64;
            records
                .iter()
                .map(|r| SuccessRow {
                    campaign: r.campaign.clone(),
                    creator: key.clone(),
                    split,
                    features: success::features_with(p, &facts, &r.brief),
                    log_rate: r.outcome.engagement_rate.max(floor).ln(),
                    threshold: SuccessModel::goal_threshold(&r.brief, p),
                    met_goal: r.outcome.met_goal,
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Groups records by creator, for [`success_rows`].
pub fn by_creator(records: &[CampaignRecord]) -> HashMap<String, Vec<&CampaignRecord>> {
    let mut map: HashMap<String, Vec<&CampaignRecord>> = HashMap::new();
    for r in records {
        map.entry(r.creator.clone()).or_default().push(r);
    }
    map
}

fn optional(x: Option<f64>) -> String {
    x.map_or(String::new(), |x| format!("{x}"))
}

/// Writes rows as CSV: `campaign,creator,split,log_rate,threshold,met_goal,<features…>` (NaN and none as empty).
pub fn write_csv<W: std::io::Write>(rows: &[SuccessRow], out: W) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec!["campaign", "creator", "split", "log_rate", "threshold", "met_goal"];
    header.extend(success::FEATURES);
    w.write_record(&header)?;
    for r in rows {
        let mut rec = vec![
            r.campaign.clone(),
            r.creator.clone(),
            r.split.as_str().to_string(),
            format!("{}", r.log_rate),
            optional(r.threshold),
            r.met_goal.map_or(String::new(), |m| u8::from(m).to_string()),
        ];
        rec.extend(r.features.iter().map(|x| if x.is_nan() { String::new() } else { format!("{x}") }));
        w.write_record(&rec)?;
    }
    w.flush()?;
    Ok(())
}

/// Reads rows written by [`write_csv`]; refuses a file whose columns differ.
pub fn read_csv(path: &Path) -> anyhow::Result<Vec<SuccessRow>> {
    let mut r = csv::Reader::from_path(path).with_context(|| format!("opening {}", path.display()))?;
    let header: Vec<String> = r.headers()?.iter().map(String::from).collect();
    let mut expected: Vec<String> =
        ["campaign", "creator", "split", "log_rate", "threshold", "met_goal"].map(String::from).to_vec();
    expected.extend(success::FEATURES.iter().map(|s| s.to_string()));
    anyhow::ensure!(header == expected, "{}: columns {header:?}, expected {expected:?}", path.display());
    let mut rows = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec?;
        let at = || format!("{} row {}", path.display(), i + 2);
        let number = |s: &str| -> anyhow::Result<Option<f64>> {
            if s.is_empty() { Ok(None) } else { Ok(Some(s.parse::<f64>().with_context(at)?)) }
        };
        let mut features = [f64::NAN; success::FEATURES.len()];
        for (j, f) in features.iter_mut().enumerate() {
            *f = number(&rec[6 + j])?.unwrap_or(f64::NAN);
        }
        rows.push(SuccessRow {
            campaign: rec[0].to_string(),
            creator: rec[1].to_string(),
            split: Split::parse(&rec[2]).with_context(at)?,
            features,
            log_rate: number(&rec[3])?.with_context(at)?,
            threshold: number(&rec[4])?,
            met_goal: match &rec[5] {
                "" => None,
                "1" => Some(true),
                "0" => Some(false),
                other => anyhow::bail!("{}: met_goal `{other}` is not 0 or 1", at()),
            },
        });
    }
    Ok(rows)
}

/// What the shipped model used.
pub const DEFAULTS: BoostConfig = BoostConfig { seed: 42, iterations: 300, learning_rate: 0.05, max_depth: 5 };

/// Held-out figures of a predictor.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub rows: usize,
    /// R² of the log engagement rate.
    pub r2_log: f64,
    /// Median of |predicted − actual| / actual engagements.
    pub mdape: f64,
    /// Share of actual rates inside the 80 % interval.
    pub coverage_80: f64,
    /// Rows with a goal that could be told, and how many met it.
    pub goal_rows: usize,
    pub goals_met: usize,
    /// Of P(meets goal).
    pub auc: f64,
    pub ece: f64,
    pub brier: f64,
    pub bins: Vec<metrics::Bin>,
}

impl Evaluation {
    pub fn metrics(&self) -> BTreeMap<String, f64> {
        let r = |x: f64| (x * 1e4).round() / 1e4;
        BTreeMap::from([
            ("r2_log".to_string(), r(self.r2_log)),
            ("mdape_engagements".to_string(), r(self.mdape)),
            ("coverage_80".to_string(), r(self.coverage_80)),
            ("goal_auc".to_string(), r(self.auc)),
            ("goal_ece".to_string(), r(self.ece)),
            ("goal_brier".to_string(), r(self.brier)),
            ("test_rows".to_string(), self.rows as f64),
        ])
    }
}

/// How a predictor turns rows into point estimates of the log rate, and its
/// error distribution (both the model and the baseline are scored alike).
pub trait Predictor {
    fn points(&self, rows: &[Row]) -> Vec<f64>;
    fn residual_at(&self, q: f64) -> f64;
    fn probability_at_least(&self, point: f64, threshold: f64) -> f64;
}

impl Predictor for SuccessModel {
    fn points(&self, rows: &[Row]) -> Vec<f64> {
        self.predict_log_rate(rows)
    }
    fn residual_at(&self, q: f64) -> f64 {
        SuccessModel::residual_at(self, q)
    }
    fn probability_at_least(&self, point: f64, threshold: f64) -> f64 {
        SuccessModel::probability_at_least(self, point, threshold)
    }
}

/// What a brand guesses without a model: the creator's stated engagement
/// rate, shifted by the average gap between stated and reached rates on the
/// train split, with the same conformal treatment of its errors.
pub struct StatedRate {
    offset: f64,
    residuals: Vec<f64>,
    calibration_rows: usize,
}

impl StatedRate {
    const RATE: usize = 3;

    pub fn fit(rows: &[SuccessRow]) -> StatedRate {
        let gaps: Vec<f64> = rows
            .iter()
            .filter(|r| r.split == Split::Train && r.features[Self::RATE].is_finite())
            .map(|r| r.log_rate - r.features[Self::RATE])
            .collect();
        let offset = gaps.iter().sum::<f64>() / gaps.len().max(1) as f64;
        let mut model = StatedRate { offset, residuals: Vec::new(), calibration_rows: 0 };
        let (x, y) = part(rows, Split::Calibration);
        let errors: Vec<f64> = model.points(&x).iter().zip(&y).map(|(p, t)| t - p).collect();
        model.calibration_rows = errors.len();
        model.residuals = success::quantiles(errors, success::QUANTILE_LEVELS);
        model
    }
}

impl Predictor for StatedRate {
    fn points(&self, rows: &[Row]) -> Vec<f64> {
        rows.iter()
            .map(|r| if r[Self::RATE].is_finite() { r[Self::RATE] + self.offset } else { (0.01f64).ln() })
            .collect()
    }
    fn residual_at(&self, q: f64) -> f64 {
        let pos = q.clamp(0.0, 1.0) * (self.residuals.len() - 1) as f64;
        self.residuals[pos.round() as usize]
    }
    fn probability_at_least(&self, point: f64, threshold: f64) -> f64 {
        let z = threshold - point;
        let above = self.residuals.iter().filter(|r| **r >= z).count() as f64 / self.residuals.len() as f64;
        let n = self.calibration_rows.max(1) as f64;
        above.clamp(1.0 / (n + 1.0), n / (n + 1.0))
    }
}

fn part(rows: &[SuccessRow], split: Split) -> (Vec<Row>, Vec<f64>) {
    rows.iter().filter(|r| r.split == split).map(|r| (r.features, r.log_rate)).unzip()
}

/// Scores a predictor on the rows of `split`.
pub fn evaluate(model: &dyn Predictor, rows: &[SuccessRow], split: Split) -> Evaluation {
    let test: Vec<&SuccessRow> = rows.iter().filter(|r| r.split == split).collect();
    let x: Vec<Row> = test.iter().map(|r| r.features).collect();
    let points = model.points(&x);
    let (q10, q50, q90) = (model.residual_at(0.1), model.residual_at(0.5), model.residual_at(0.9));
    let n = test.len().max(1) as f64;
    let mean = test.iter().map(|r| r.log_rate).sum::<f64>() / n;
    let ss_res: f64 = test.iter().zip(&points).map(|(r, p)| (r.log_rate - p - q50).powi(2)).sum();
    let ss_tot: f64 = test.iter().map(|r| (r.log_rate - mean).powi(2)).sum();
    let mut ape: Vec<f64> =
        test.iter().zip(&points).map(|(r, p)| ((p + q50).exp() / r.log_rate.exp() - 1.0).abs()).collect();
    ape.sort_by(f64::total_cmp);
    let inside =
        test.iter().zip(&points).filter(|(r, p)| (*p + q10..=*p + q90).contains(&r.log_rate)).count() as f64 / n;
    let (probs, met): (Vec<f64>, Vec<bool>) = test
        .iter()
        .zip(&points)
        .filter_map(|(r, p)| Some((model.probability_at_least(*p, r.threshold?), r.met_goal?)))
        .unzip();
    Evaluation {
        rows: test.len(),
        r2_log: 1.0 - ss_res / ss_tot.max(1e-12),
        mdape: ape.get(ape.len() / 2).copied().unwrap_or(f64::NAN),
        coverage_80: inside,
        goal_rows: probs.len(),
        goals_met: met.iter().filter(|m| **m).count(),
        auc: metrics::auc(&probs, &met),
        ece: metrics::ece(&probs, &met),
        brier: metrics::brier(&probs, &met),
        bins: metrics::reliability(&probs, &met, 10),
    }
}

/// Fits the trees on the train split, the conformal error distribution on the
/// calibration split, and evaluates on the test split.
pub fn train(rows: &[SuccessRow], config: BoostConfig, source: &str) -> anyhow::Result<(SuccessModel, Evaluation)> {
    let (x, y) = part(rows, Split::Train);
    anyhow::ensure!(x.len() >= 100, "the train split has {} bookings; at least 100 are needed", x.len());
    let data = success::columns(&x);
    let booster = config.fit(ObjectiveType::SquaredLoss, &data, x.len(), success::FEATURES.len(), &y)?;
    let card = CardDraft {
        name: success::NAME,
        kind: config.describe("gbdt-squared-log-engagement-rate+conformal"),
        features: &success::FEATURES,
        seed: config.seed,
        source,
        splits: rows.iter().map(|r| r.split).collect(),
        positive_share: {
            let goals: Vec<bool> = rows.iter().filter_map(|r| r.met_goal).collect();
            (!goals.is_empty()).then(|| goals.iter().filter(|m| **m).count() as f64 / goals.len() as f64)
        },
        intended_use: "Predicts the engagement rate, engagements and cost per engagement one creator's deliverable \
                       will likely reach for a campaign brief, with 80 % intervals, and the probability that it \
                       meets the brief's goal; campaign matching ranks creators by it and shows it with each match.",
        limits: "Learned from past bookings: it predicts what similar bookings achieved, not what a new format or a \
                 creator's sudden change will do. Intervals and probabilities are marginal (calibrated over all \
                 bookings), not per creator. Cost per engagement uses the creator's listed price, not a negotiated \
                 one. Bookings outside the niches, sizes and platforms of the training data extrapolate.",
    }
    .card();
    let (cx, cy) = part(rows, Split::Calibration);
    let cdata = success::columns(&cx);
    let predicted = booster.predict(&Matrix::new(&cdata, cx.len(), success::FEATURES.len()), true);
    let errors: Vec<f64> = predicted.iter().zip(&cy).map(|(p, t)| t - p).collect();
    anyhow::ensure!(errors.len() >= 20, "the calibration split has {} bookings; at least 20 are needed", errors.len());
    let mut model = SuccessModel::new(booster, errors, card);
    let evaluation = evaluate(&model, rows, Split::Test);
    model.card.metrics = evaluation.metrics();
    Ok((model, evaluation))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(profiles: u64, campaigns: usize) -> Vec<SuccessRow> {
        let g = scout_fixtures::Generator::new(11);
        let (profiles, truths): (Vec<Profile>, Vec<_>) = (0..profiles).map(|i| g.profile(i)).unzip();
        let records = scout_fixtures::generate_campaigns(&g, &truths, campaigns);
        success_rows(&profiles, &by_creator(&records), 11)
    }

    #[test]
    fn the_model_beats_the_stated_rate_and_its_intervals_hold() {
        let rows = rows(8_000, 2_500);
        assert!(rows.len() > 10_000, "{} bookings", rows.len());
        let (model, eval) = train(&rows, BoostConfig { iterations: 150, ..DEFAULTS }, "fixtures").expect("train");
        let baseline = evaluate(&StatedRate::fit(&rows), &rows, Split::Test);
        assert!(eval.r2_log > baseline.r2_log + 0.05, "model {eval:?}\nbaseline {baseline:?}");
        assert!(eval.auc > baseline.auc && eval.auc > 0.8, "model {eval:?}\nbaseline {baseline:?}");
        assert!((eval.coverage_80 - 0.8).abs() < 0.05, "{eval:?}");
        assert!(eval.ece < 0.05, "{eval:?}");
        // Saved and loaded, it predicts the same.
        let dir = tempfile::tempdir().expect("tempdir");
        model.save(dir.path()).expect("save");
        let card = scout_models::artifact::read_card(dir.path(), success::NAME, &success::FEATURES).expect("card");
        let loaded = <SuccessModel as scout_models::artifact::Artifact>::load(dir.path(), card).expect("load");
        let x: Vec<Row> = rows.iter().take(50).map(|r| r.features).collect();
        assert_eq!(model.predict_log_rate(&x), loaded.predict_log_rate(&x));
        assert_eq!(model.probability_at_least(-4.0, -3.5), loaded.probability_at_least(-4.0, -3.5));
    }

    #[test]
    fn csv_round_trips() {
        let rows = rows(1_500, 150);
        let mut buf = Vec::new();
        write_csv(&rows, &mut buf).expect("write");
        let file = tempfile::NamedTempFile::new().expect("tmp");
        std::fs::write(file.path(), &buf).expect("write file");
        let back = read_csv(file.path()).expect("read");
        assert_eq!(back.len(), rows.len());
        for (a, b) in rows.iter().zip(&back) {
            assert_eq!((a.split, a.met_goal, &a.campaign), (b.split, b.met_goal, &b.campaign));
            assert!((a.log_rate - b.log_rate).abs() < 1e-12);
            for (x, y) in a.features.iter().zip(&b.features) {
                assert!(x.is_nan() && y.is_nan() || (x - y).abs() < 1e-12);
            }
        }
    }
}

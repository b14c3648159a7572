//! Training and evaluating the audience-quality model.

use std::collections::BTreeMap;

use forust_ml::Matrix;
use forust_ml::objective::ObjectiveType;
use scout_models::quality::{self, Platt, QualityModel, Row};

use crate::dataset::{QualityRow, Split};
use crate::metrics;
use crate::{BoostConfig, CardDraft};

/// What the shipped model used.
pub const DEFAULTS: BoostConfig = BoostConfig { seed: 42, iterations: 150, learning_rate: 0.1, max_depth: 4 };

/// Held-out figures of a model.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub rows: usize,
    pub positives: usize,
    pub auc: f64,
    pub ece: f64,
    pub brier: f64,
    pub log_loss: f64,
    pub bins: Vec<metrics::Bin>,
}

impl Evaluation {
    pub fn metrics(&self) -> BTreeMap<String, f64> {
        BTreeMap::from([
            ("auc".to_string(), round(self.auc)),
            ("ece".to_string(), round(self.ece)),
            ("brier".to_string(), round(self.brier)),
            ("log_loss".to_string(), round(self.log_loss)),
            ("test_rows".to_string(), self.rows as f64),
        ])
    }
}

fn round(x: f64) -> f64 {
    (x * 1e5).round() / 1e5
}

fn part(rows: &[QualityRow], split: Split) -> (Vec<Row>, Vec<bool>) {
    rows.iter().filter(|r| r.split == split).map(|r| (r.features, r.bought)).unzip()
}

/// Scores a model on the rows of `split`.
pub fn evaluate(model: &QualityModel, rows: &[QualityRow], split: Split) -> Evaluation {
    let (x, y) = part(rows, split);
    let probs = model.probabilities(&x);
    Evaluation {
        rows: y.len(),
        positives: y.iter().filter(|l| **l).count(),
        auc: metrics::auc(&probs, &y),
        ece: metrics::ece(&probs, &y),
        brier: metrics::brier(&probs, &y),
        log_loss: metrics::log_loss(&probs, &y),
        bins: metrics::reliability(&probs, &y, 10),
    }
}

/// Fits the trees on the train split, Platt scaling on the calibration split,
/// and evaluates on the test split; the card carries the test figures.
pub fn train(rows: &[QualityRow], config: BoostConfig, source: &str) -> anyhow::Result<(QualityModel, Evaluation)> {
    let (x, y) = part(rows, Split::Train);
    anyhow::ensure!(y.iter().any(|l| *l) && y.iter().any(|l| !*l), "the train split needs both labels");
    let columns = quality::columns(&x);
    let labels: Vec<f64> = y.iter().map(|l| f64::from(u8::from(*l))).collect();
    let booster = config.fit(ObjectiveType::LogLoss, &columns, x.len(), quality::FEATURES.len(), &labels)?;

    let (cx, cy) = part(rows, Split::Calibration);
    let ccolumns = quality::columns(&cx);
    let raw = booster.predict(&Matrix::new(&ccolumns, cx.len(), quality::FEATURES.len()), true);
    let platt = Platt::fit(&raw, &cy);

    let card = CardDraft {
        name: quality::NAME,
        kind: config.describe("gbdt-logloss+platt"),
        features: &quality::FEATURES,
        seed: config.seed,
        source,
        splits: rows.iter().map(|r| r.split).collect(),
        positive_share: Some(rows.iter().filter(|r| r.bought).count() as f64 / rows.len().max(1) as f64),
        intended_use: "Ranks and flags creators whose audience was likely bought (followers or engagement), as a \
                       calibrated probability with the evidence behind it; one input to search ranking and to a \
                       brand's own review.",
        limits: "Learned from the labels given (fixture accounts generated with hidden bought-follower factors, or an \
                 operator's own labels); a high score is a reason to look, not proof. Signals need follower history, \
                 recent comments and audience countries: profiles without them get wider uncertainty. Comment \
                 genericity is judged by shape (one or two words, emoji), which suits languages that separate words \
                 with spaces.",
    }
    .card();
    let mut model = QualityModel::new(booster, platt, card);
    let evaluation = evaluate(&model, rows, Split::Test);
    model.card.metrics = evaluation.metrics();
    Ok((model, evaluation))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_model_trained_on_fixtures_separates_buyers_and_is_calibrated() {
        let g = scout_fixtures::Generator::new(5);
        let mut profiles = Vec::new();
        let mut labels = std::collections::HashMap::new();
        for i in 0..12_000 {
            let (p, t) = g.profile(i);
            labels.insert(t.key.clone(), scout_fixtures::Labels::from(&t));
            profiles.push(p);
        }
        let rows = crate::dataset::quality_rows(&profiles, &labels, 5, 0);
        let config = BoostConfig { iterations: 60, ..DEFAULTS };
        let (model, eval) = train(&rows, config, "fixtures seed 5").expect("train");
        assert!(eval.positives > 10, "{eval:?}");
        assert!(eval.auc > 0.85, "AUC {}", eval.auc);
        assert!(eval.ece < 0.05, "ECE {}", eval.ece);
        // Deterministic with the seed.
        let (again, _) = train(&rows, config, "fixtures seed 5").expect("train");
        let (x, _) = part(&rows, Split::Test);
        assert_eq!(model.probabilities(&x[..50]), again.probabilities(&x[..50]));
    }
}

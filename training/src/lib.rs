//! `scout-training`: the `scout-train` command's library. Datasets from fixture
//! files or a database ([`dataset`]), metrics and the calibration plot
//! ([`metrics`]), training per model ([`quality`], [`price`], [`ranking`], [`sentiment`], [`success`]), the evaluation reports ([`report`]), and publishing a candidate
//! as the next version of a model folder ([`publish`]).
//!
//! Training is deterministic for a seed: the split hashes the seed with each
//! profile's key, and the trees' sampling takes the same seed.

pub mod dataset;
pub mod gaps;
pub mod metrics;
pub mod price;
pub mod quality;
pub mod ranking;
pub mod report;
pub mod sentiment;
pub mod success;

use std::path::{Path, PathBuf};

use anyhow::Context;
use forust_ml::objective::ObjectiveType;
use forust_ml::{GradientBooster, Matrix};
use scout_models::artifact::{self, ModelCard};

/// Gradient-boosting hyper-parameters (each model has its `DEFAULTS`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoostConfig {
    pub seed: u64,
    pub iterations: usize,
    pub learning_rate: f32,
    pub max_depth: usize,
}

impl BoostConfig {
    /// Fits forust trees on column-major `data` (`rows` × `cols`) against `y`.
    pub fn fit(
        &self,
        objective: ObjectiveType,
        data: &[f64],
        rows: usize,
        cols: usize,
        y: &[f64],
    ) -> anyhow::Result<GradientBooster> {
        let mut booster = GradientBooster::default()
            .set_objective_type(objective)
            .set_iterations(self.iterations)
            .set_learning_rate(self.learning_rate)
            .set_max_depth(self.max_depth)
            .set_seed(self.seed)
            .set_parallel(true);
        booster
            .fit_unweighted(&Matrix::new(data, rows, cols), y, None)
            .map_err(|e| anyhow::anyhow!("training the trees: {e}"))?;
        Ok(booster)
    }

    /// How the card names the algorithm.
    pub fn describe(&self, what: &str) -> String {
        format!("{what} (forust {} trees, depth {}, rate {})", self.iterations, self.max_depth, self.learning_rate)
    }
}

/// A candidate's card: the algorithm, its inputs, the data and how it was
/// split; metrics are filled in after the test-split evaluation.
pub struct CardDraft<'a> {
    pub name: &'a str,
    pub kind: String,
    pub features: &'a [&'a str],
    pub seed: u64,
    pub source: &'a str,
    pub splits: Vec<dataset::Split>,
    pub positive_share: Option<f64>,
    pub intended_use: &'a str,
    pub limits: &'a str,
}

impl CardDraft<'_> {
    pub fn card(self) -> ModelCard {
        let count = |s: dataset::Split| self.splits.iter().filter(|x| **x == s).count() as u64;
        ModelCard {
            name: self.name.into(),
            version: "candidate".into(),
            format: artifact::FORMAT,
            kind: self.kind,
            features: self.features.iter().map(|s| s.to_string()).collect(),
            trained_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            seed: self.seed,
            data: artifact::DataCard {
                source: self.source.into(),
                rows: self.splits.len() as u64,
                splits: std::collections::BTreeMap::from([
                    ("train".to_string(), count(dataset::Split::Train)),
                    ("calibration".to_string(), count(dataset::Split::Calibration)),
                    ("test".to_string(), count(dataset::Split::Test)),
                ]),
                positive_share: self.positive_share,
            },
            metrics: std::collections::BTreeMap::new(),
            intended_use: self.intended_use.into(),
            limits: self.limits.into(),
        }
    }
}

/// Copies a candidate folder to `<models dir>/<name>/v<N+1>/`, naming the
/// version in its card; returns the new folder.
pub fn publish(candidate: &Path, models_dir: &Path) -> anyhow::Result<PathBuf> {
    let card_path = candidate.join("card.json");
    let mut card: ModelCard = serde_json::from_str(
        &std::fs::read_to_string(&card_path).with_context(|| format!("reading {}", card_path.display()))?,
    )
    .with_context(|| format!("parsing {}", card_path.display()))?;
    let next = artifact::versions(models_dir, &card.name).last().map_or(1, |(n, _)| n + 1);
    let dir = models_dir.join(&card.name).join(format!("v{next}"));
    // Assemble beside the target and rename, so a reader never sees half a version.
    let tmp = models_dir.join(&card.name).join(format!(".v{next}.tmp"));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    for entry in std::fs::read_dir(candidate)? {
        let entry = entry?;
        if entry.file_type()?.is_file() && entry.file_name() != "card.json" {
            std::fs::copy(entry.path(), tmp.join(entry.file_name()))?;
        }
    }
    card.version = format!("v{next}");
    artifact::write_card(&tmp, &card)?;
    std::fs::rename(&tmp, &dir).with_context(|| format!("moving into {}", dir.display()))?;
    Ok(dir)
}

//! The on-disk model artifact and the registry that finds the newest version.
//!
//! Layout (stable: models trained elsewhere load if they follow it):
//!
//! ```text
//! <models dir>/<model name>/v<N>/card.json    what it is: format, features, data, metrics, use, limits
//! <models dir>/<model name>/v<N>/model.json   the fitted parameters (format depends on `kind`)
//! ```
//!
//! A version is refused, with the reason, when its `format` is not
//! [`FORMAT`], when its `name` is not the folder's, or when its feature list
//! differs from the one the code computes: a model fitted on other columns
//! would score garbage without failing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The artifact format this code reads and writes.
pub const FORMAT: u32 = 1;

/// What a published model is, where it came from and how good it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelCard {
    /// The model's name, e.g. `audience-quality` (also its folder).
    pub name: String,
    /// `v1`, `v2`, …, given by `scout-train publish`.
    pub version: String,
    pub format: u32,
    /// The algorithm, e.g. `gbdt-logloss+platt`.
    pub kind: String,
    /// Input columns, in order.
    pub features: Vec<String>,
    /// RFC 3339 time of training.
    pub trained_at: String,
    pub seed: u64,
    /// Where the rows came from and how they were split.
    pub data: DataCard,
    /// Held-out metrics (e.g. `auc`, `ece`, `brier`).
    pub metrics: BTreeMap<String, f64>,
    pub intended_use: String,
    pub limits: String,
}

/// The training data behind a model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataCard {
    /// A file, or a database (credentials removed).
    pub source: String,
    pub rows: u64,
    /// Rows per split: `train`, `calibration`, `test`.
    pub splits: BTreeMap<String, u64>,
    /// Share of positive labels, for classifiers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub positive_share: Option<f64>,
}

/// The version number of a `v<N>` folder name.
pub fn version_number(name: &str) -> Option<u32> {
    name.strip_prefix('v')?.parse().ok()
}

/// Every `v<N>` folder of a model, oldest first.
pub fn versions(models_dir: &Path, name: &str) -> Vec<(u32, PathBuf)> {
    let mut out: Vec<(u32, PathBuf)> = std::fs::read_dir(models_dir.join(name))
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let n = version_number(&e.file_name().to_string_lossy())?;
            e.path().is_dir().then(|| (n, e.path()))
        })
        .collect();
    out.sort_by_key(|(n, _)| *n);
    out
}

/// Reads and checks a version folder's card against the model the code expects.
pub fn read_card(dir: &Path, name: &str, features: &[&str]) -> Result<ModelCard> {
    let path = dir.join("card.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Error::Read { path: path.display().to_string(), message: e.to_string() })?;
    let card: ModelCard = serde_json::from_str(&text).map_err(|e| invalid(&path, e))?;
    if card.format != FORMAT {
        return Err(invalid(&path, format!("format {} (this build reads format {FORMAT})", card.format)));
    }
    if card.name != name {
        return Err(invalid(&path, format!("model `{}` in the folder of `{name}`", card.name)));
    }
    if card.features.iter().map(String::as_str).ne(features.iter().copied()) {
        return Err(invalid(
            &path,
            format!("feature list {:?} differs from the one this build computes {:?}", card.features, features),
        ));
    }
    Ok(card)
}

/// Writes a card beside a model.
pub fn write_card(dir: &Path, card: &ModelCard) -> Result<()> {
    let path = dir.join("card.json");
    let text = serde_json::to_string_pretty(card).map_err(|e| invalid(&path, e))?;
    std::fs::write(&path, text).map_err(|e| Error::Read { path: path.display().to_string(), message: e.to_string() })
}

/// Reads a version folder's `model.json`.
pub(crate) fn read_model_json<T: serde::de::DeserializeOwned>(dir: &Path) -> Result<T> {
    let path = dir.join("model.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Error::Read { path: path.display().to_string(), message: e.to_string() })?;
    serde_json::from_str(&text).map_err(|e| invalid(&path, e))
}

/// Writes `model.json` and `card.json` into `dir` (created if missing).
pub(crate) fn write_model(dir: &Path, model: &impl Serialize, card: &ModelCard) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| invalid(dir, e))?;
    let path = dir.join("model.json");
    let text = serde_json::to_string(model).map_err(|e| invalid(&path, e))?;
    std::fs::write(&path, text).map_err(|e| invalid(&path, e))?;
    write_card(dir, card)
}

/// forust boosters travel inside `model.json` as JSON values (forust's own format).
pub(crate) fn booster_to_value(booster: &forust_ml::GradientBooster) -> Result<serde_json::Value> {
    let text = booster.json_dump().map_err(|e| Error::Artifact { path: "booster".into(), message: e.to_string() })?;
    serde_json::from_str(&text).map_err(|e| Error::Artifact { path: "booster".into(), message: e.to_string() })
}

pub(crate) fn booster_from_value(dir: &Path, value: &serde_json::Value) -> Result<forust_ml::GradientBooster> {
    forust_ml::GradientBooster::from_json(&value.to_string()).map_err(|e| invalid(&dir.join("model.json"), e))
}

pub(crate) fn invalid(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Artifact { path: path.display().to_string(), message: e.to_string() }
}

/// A model that can be loaded from a version folder.
pub trait Artifact: Sized {
    /// The folder name under the models directory.
    const NAME: &'static str;
    /// The features the code computes, in order.
    fn features() -> &'static [&'static str];
    /// Loads the fitted parameters of a checked card.
    fn load(dir: &Path, card: ModelCard) -> Result<Self>;
}

/// The newest version of `A` that loads; older ones are tried when a newer one
/// is refused, and every refusal is returned so the caller can report it.
pub fn load_newest<A: Artifact>(models_dir: &Path) -> (Option<A>, Vec<Error>) {
    let mut refused = Vec::new();
    for (_, dir) in versions(models_dir, A::NAME).into_iter().rev() {
        match read_card(&dir, A::NAME, A::features()).and_then(|card| A::load(&dir, card)) {
            Ok(model) => return (Some(model), refused),
            Err(e) => refused.push(e),
        }
    }
    (None, refused)
}

/// One version on disk, for listings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VersionInfo {
    pub name: String,
    pub version: String,
    pub trained_at: Option<String>,
    pub metrics: BTreeMap<String, f64>,
    /// Why it cannot be loaded, if it cannot.
    pub refused: Option<String>,
}

/// Every version of `A` on disk, newest first, with whether it loads.
pub fn list<A: Artifact>(models_dir: &Path) -> Vec<VersionInfo> {
    versions(models_dir, A::NAME)
        .into_iter()
        .rev()
        .map(|(n, dir)| match read_card(&dir, A::NAME, A::features()) {
            Ok(card) => VersionInfo {
                name: A::NAME.into(),
                version: card.version,
                trained_at: Some(card.trained_at),
                metrics: card.metrics,
                refused: None,
            },
            Err(e) => VersionInfo {
                name: A::NAME.into(),
                version: format!("v{n}"),
                trained_at: None,
                metrics: BTreeMap::new(),
                refused: Some(e.to_string()),
            },
        })
        .collect()
}

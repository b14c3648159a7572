//! `scout-training`: the `scout-train` command's library. Datasets from fixture
//! files or a database ([`dataset`]), metrics and the calibration plot
//! ([`metrics`]), training per model ([`quality`]), and publishing a candidate
//! as the next version of a model folder ([`publish`]).
//!
//! Training is deterministic for a seed: the split hashes the seed with each
//! profile's key, and the trees' sampling takes the same seed.

pub mod dataset;
pub mod metrics;
pub mod quality;

use std::path::{Path, PathBuf};

use anyhow::Context;
use scout_models::artifact::{self, ModelCard};

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

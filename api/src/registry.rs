//! Which model versions the service uses: the newest loadable version of each
//! model in the models folder, at start and on an admin's reload.

use std::path::Path;
use std::sync::Arc;

use scout_indexer::ProfileIndex;
use scout_models::QualityModel;
use scout_models::artifact;
use serde::Serialize;

/// What a load did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LoadReport {
    pub model: String,
    /// The version now in use (none: the built-in rules).
    pub active: Option<String>,
    pub previous: Option<String>,
    /// Versions that were skipped, with the reason.
    pub refused: Vec<String>,
    /// Profiles rescored in memory with the new version.
    pub rescored: usize,
}

/// Loads the newest audience-quality version and, when it differs from the
/// one in use, hands it to the index, which rescores every profile.
pub fn load_models(dir: &Path, index: &ProfileIndex) -> Vec<LoadReport> {
    let previous = index.quality_model().map(|m| m.card.version.clone());
    let (model, refused) = artifact::load_newest::<QualityModel>(dir);
    let refused: Vec<String> = refused.iter().map(ToString::to_string).collect();
    for r in &refused {
        tracing::warn!(model = scout_models::quality::NAME, "version refused: {r}");
    }
    let active = model.as_ref().map(|m| m.card.version.clone());
    let rescored = if active != previous {
        let n = index.set_quality_model(model.map(Arc::new));
        tracing::info!(model = scout_models::quality::NAME, version = ?active, rescored = n, "model loaded");
        n
    } else {
        0
    };
    vec![LoadReport { model: scout_models::quality::NAME.into(), active, previous, refused, rescored }]
}

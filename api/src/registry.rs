//! Which model versions the service uses: the newest loadable version of each
//! model in the models folder, at start and on an admin's reload.

use std::path::Path;
use std::sync::Arc;

use parking_lot::RwLock;
use scout_indexer::ProfileIndex;
use scout_models::artifact::{self, Artifact};
use scout_models::sentiment::trained::SentimentModel;
use scout_models::{PriceModel, QualityModel, RankingModel, SuccessModel};
use scout_ranker::Engine;
use serde::Serialize;

/// The models the service holds outside the index (audience quality lives in
/// the index, which scores every profile with it).
#[derive(Debug, Default)]
pub struct Models {
    pub price: RwLock<Option<Arc<PriceModel>>>,
    pub sentiment: RwLock<Option<Arc<SentimentModel>>>,
    pub success: RwLock<Option<Arc<SuccessModel>>>,
}

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

/// Loads the newest version of every model: audience quality goes to the
/// index (which rescores every profile when the version changed), ranking to
/// the engine, the others to `models`.
pub fn load_models(dir: &Path, engine: &Engine, models: &Models) -> Vec<LoadReport> {
    let mut reports = load_quality(dir, engine.index());
    reports.push(load_into::<PriceModel>(dir, &models.price));
    reports.push(load_into::<SentimentModel>(dir, &models.sentiment));
    reports.push(load_into::<SuccessModel>(dir, &models.success));
    reports.push(load_into::<RankingModel>(dir, engine.ranking_slot()));
    reports
}

/// Swaps in the newest loadable version of `A` when it differs from the one held.
fn load_into<A: Artifact + Versioned>(dir: &Path, slot: &RwLock<Option<Arc<A>>>) -> LoadReport {
    let previous = slot.read().as_ref().map(|m| m.version().to_string());
    let (model, refused) = artifact::load_newest::<A>(dir);
    let refused = describe_refusals::<A>(&refused);
    let active = model.as_ref().map(|m| m.version().to_string());
    if active != previous {
        tracing::info!(model = A::NAME, version = ?active, "model loaded");
        *slot.write() = model.map(Arc::new);
    }
    LoadReport { model: A::NAME.into(), active, previous, refused, rescored: 0 }
}

/// A loaded model's version, from its card.
trait Versioned {
    fn version(&self) -> &str;
}

impl Versioned for PriceModel {
    fn version(&self) -> &str {
        &self.card.version
    }
}

impl Versioned for RankingModel {
    fn version(&self) -> &str {
        &self.card.version
    }
}

impl Versioned for SuccessModel {
    fn version(&self) -> &str {
        &self.card.version
    }
}

impl Versioned for SentimentModel {
    fn version(&self) -> &str {
        &self.card.version
    }
}

fn describe_refusals<A: Artifact>(refused: &[scout_models::Error]) -> Vec<String> {
    let refused: Vec<String> = refused.iter().map(ToString::to_string).collect();
    for r in &refused {
        tracing::warn!(model = A::NAME, "version refused: {r}");
    }
    refused
}

fn load_quality(dir: &Path, index: &ProfileIndex) -> Vec<LoadReport> {
    let previous = index.quality_model().map(|m| m.card.version.clone());
    let (model, refused) = artifact::load_newest::<QualityModel>(dir);
    let refused = describe_refusals::<QualityModel>(&refused);
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

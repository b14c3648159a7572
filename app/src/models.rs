//! The models the service uses: the newest loadable version of each model in
//! the models folder, at start and on an admin's reload (no restart, no
//! dropped request), the versions on disk, and the per-profile model answers
//! (audience quality with its evidence, fair price, sentiment).

use std::path::Path;
use std::sync::Arc;

use parking_lot::RwLock;
use scout_domain::{AuditKind, ErrorCode, ProfileId};
use scout_indexer::ProfileIndex;
use scout_models::artifact::{self, Artifact};
use scout_models::quality::QualityScore;
use scout_models::sentiment::trained::SentimentModel;
use scout_models::sentiment::{CreatorSentiment, Scorer, creator_sentiment};
use scout_models::{PriceModel, QualityModel, RankingModel, SuccessModel};
use scout_ranker::Engine;
use serde::Serialize;

use crate::Application;
use crate::access::Caller;
use crate::error::{Error, Result};

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

/// A model and its versions on disk.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ModelOut {
    pub name: String,
    /// The version in use; none: the built-in rules.
    pub active: Option<String>,
    /// Every version on disk, newest first, with its held-out metrics or why it is refused.
    #[schema(value_type = Vec<Object>)]
    pub versions: Vec<artifact::VersionInfo>,
}

/// A fair-price estimate of every deliverable of one profile.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PriceOut {
    pub profile_id: i64,
    pub model_version: String,
    /// Per deliverable: the fair price, 50 % and 80 % ranges, the asking price and the verdict.
    #[schema(value_type = Vec<Object>)]
    pub deliverables: Vec<scout_models::price::PriceEstimate>,
}

/// 503 when a model the use case needs has no published version loaded.
fn model_unavailable(name: &str) -> Error {
    Error::refused(
        ErrorCode::ModelUnavailable,
        format!("no {name} model is loaded (publish one with scout-train, then reload)"),
    )
}

impl Application {
    /// The models, their versions on disk and which are active.
    pub async fn list_models(&self) -> Result<Vec<ModelOut>> {
        let dir = self.settings.models_dir();
        let (quality, price, ranking, sentiment, success) = tokio::task::spawn_blocking(move || {
            (
                artifact::list::<QualityModel>(&dir),
                artifact::list::<PriceModel>(&dir),
                artifact::list::<RankingModel>(&dir),
                artifact::list::<SentimentModel>(&dir),
                artifact::list::<SuccessModel>(&dir),
            )
        })
        .await?;
        Ok(vec![
            ModelOut {
                name: scout_models::quality::NAME.into(),
                active: self.index.quality_model().map(|m| m.card.version.clone()),
                versions: quality,
            },
            ModelOut {
                name: scout_models::price::NAME.into(),
                active: self.models.price.read().as_ref().map(|m| m.card.version.clone()),
                versions: price,
            },
            ModelOut {
                name: scout_models::ranking::NAME.into(),
                active: self.engine.ranking_model().map(|m| m.card.version.clone()),
                versions: ranking,
            },
            ModelOut {
                name: scout_models::sentiment::trained::NAME.into(),
                active: self.models.sentiment.read().as_ref().map(|m| m.card.version.clone()),
                versions: sentiment,
            },
            ModelOut {
                name: scout_models::success::NAME.into(),
                active: self.models.success.read().as_ref().map(|m| m.card.version.clone()),
                versions: success,
            },
        ])
    }

    /// Loads the newest version of every model (platform admins). Searches
    /// go on meanwhile; profiles are rescored in memory before this returns.
    pub async fn reload_models(&self, caller: &Caller, ip: Option<&str>) -> Result<Vec<LoadReport>> {
        caller.require_platform_admin()?;
        let dir = self.settings.models_dir();
        let (engine, models) = (self.engine.clone(), self.models.clone());
        let reloaded = tokio::task::spawn_blocking(move || load_models(&dir, &engine, &models)).await?;
        let detail = reloaded
            .iter()
            .map(|r| {
                format!(
                    "{} {} → {}",
                    r.model,
                    r.previous.as_deref().unwrap_or("rules"),
                    r.active.as_deref().unwrap_or("rules")
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        self.audit(Some(caller.id()), AuditKind::ModelsReloaded, ip, &detail).await?;
        Ok(reloaded)
    }

    /// A profile's audience quality: the calibrated probability that it
    /// bought followers or engagement, and the evidence behind it.
    pub async fn profile_quality(&self, caller: &Caller, id: ProfileId) -> Result<QualityScore> {
        let stored = self.readable_profile(caller, id).await?;
        let model = self.index.quality_model().ok_or_else(|| model_unavailable("audience-quality"))?;
        self.workload.run(Some(caller.id()), move || model.score(&stored.profile)).await
    }

    /// What comparable creators ask per deliverable, against this creator's
    /// own prices, in the creator's currency (integer minor units).
    pub async fn profile_price(&self, caller: &Caller, id: ProfileId) -> Result<PriceOut> {
        let stored = self.readable_profile(caller, id).await?;
        let model = self.models.price.read().clone().ok_or_else(|| model_unavailable("fair-price"))?;
        let model_version = model.card.version.clone();
        let deliverables = self.workload.run(Some(caller.id()), move || model.estimate(&stored.profile)).await?;
        Ok(PriceOut { profile_id: id, model_version, deliverables })
    }

    /// The sentiment of a creator's captions and audience comments, by the
    /// trained model when one is published (and MiniLM is installed), else
    /// by the lexicon. Read from the store when this version of the profile
    /// was already scored by this scorer (enrichment scores profiles most
    /// followed first); otherwise scored now and stored for the next reader.
    pub async fn profile_sentiment(&self, caller: &Caller, id: ProfileId) -> Result<CreatorSentiment> {
        let stored = self.readable_profile(caller, id).await?;
        let sentiment = self.models.sentiment_scoring(self.minilm.clone());
        if let Some(hit) = self.store.profiles().sentiment(id).await?
            && hit.profile_version == stored.version
            && hit.scorer == sentiment.scorer_name()
            && let Ok(summary) = serde_json::from_str::<CreatorSentiment>(&hit.summary)
        {
            metrics::counter!("scout_sentiment_reads_total", "from" => "store").increment(1);
            return Ok(summary);
        }
        metrics::counter!("scout_sentiment_reads_total", "from" => "scored").increment(1);
        let mut scored = sentiment.score_and_store(&self.store, vec![stored]).await?;
        scored.pop().ok_or_else(|| Error::internal("scoring sentiment", "nothing scored"))
    }
}

impl Application {
    /// The sentiment scorer in use now (benchmarks time it against the store).
    pub fn sentiment_scoring(&self) -> SentimentScoring {
        self.models.sentiment_scoring(self.minilm.clone())
    }
}

impl Models {
    /// The scorer sentiment is computed with now.
    pub fn sentiment_scoring(&self, encoder: Option<Arc<dyn scout_models::TextEncoder>>) -> SentimentScoring {
        SentimentScoring { model: self.sentiment.read().clone(), encoder }
    }
}

/// The sentiment scorer in use: the trained model with the MiniLM encoder it
/// was fitted on when both are there, else the lexicon.
#[derive(Clone)]
pub struct SentimentScoring {
    pub model: Option<Arc<SentimentModel>>,
    pub encoder: Option<Arc<dyn scout_models::TextEncoder>>,
}

impl SentimentScoring {
    fn scorer(&self) -> Scorer<'_> {
        match (&self.model, &self.encoder) {
            (Some(model), Some(encoder)) => Scorer::Trained { model, encoder: encoder.as_ref() },
            _ => Scorer::Lexicon,
        }
    }

    pub fn scorer_name(&self) -> String {
        self.scorer().name()
    }

    /// Scores profiles (off the async executor) and stores each summary
    /// against the version scored; returns the summaries in order.
    pub async fn score_and_store(
        &self,
        store: &scout_store::Store,
        profiles: Vec<scout_store::StoredProfile>,
    ) -> Result<Vec<CreatorSentiment>> {
        let me = self.clone();
        let (profiles, summaries) = tokio::task::spawn_blocking(move || {
            let summaries: scout_models::Result<Vec<CreatorSentiment>> =
                profiles.iter().map(|p| creator_sentiment(&p.profile, me.scorer())).collect();
            (profiles, summaries)
        })
        .await?;
        let summaries = summaries?;
        for (p, s) in profiles.iter().zip(&summaries) {
            let summary = serde_json::to_string(s).map_err(|e| Error::internal("writing a sentiment summary", e))?;
            let row = scout_store::StoredSentiment { profile_version: p.version, scorer: s.scorer.clone(), summary };
            store.profiles().put_sentiment(p.id, &row).await?;
        }
        Ok(summaries)
    }
}

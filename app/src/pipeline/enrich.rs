//! MiniLM enrichment: adds the transformer's vector to profiles that only have
//! the static one, most-followed first. Resumable by construction: the queue is
//! "points without a `minilm` vector", read from the vector index itself.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use scout_indexer::{IndexDoc, ProfileIndex, Space};
use scout_models::TextEncoder;
use scout_store::Store;

use crate::models::{Models, SentimentScoring};

/// Shared progress counters (shown by the CLI and `/metrics`).
#[derive(Debug, Default)]
pub struct EnrichProgress {
    pub enriched: AtomicU64,
    /// Profiles per second over the last batch, times 100.
    pub rate_centi: AtomicU64,
}

/// Enriches up to `batch` profiles; returns how many were done.
pub async fn enrich_batch(
    store: &Store,
    index: &Arc<ProfileIndex>,
    minilm: &Arc<dyn TextEncoder>,
    batch: usize,
) -> crate::Result<usize> {
    let ids = index.missing_vectors(Space::MiniLm, batch)?;
    if ids.is_empty() {
        return Ok(0);
    }
    let stored = store.profiles().get_profiles(&ids).await?;
    let (index, minilm) = (index.clone(), minilm.clone());
    tokio::task::spawn_blocking(move || -> crate::Result<usize> {
        let docs: Vec<IndexDoc> = stored.iter().map(|s| IndexDoc::new(s.id, &s.profile)).collect();
        let texts: Vec<&str> = docs.iter().map(|d| d.semantic_text.as_str()).collect();
        let vectors = minilm.encode_batch(&texts)?;
        let pairs: Vec<(i64, Vec<f32>)> = docs.iter().map(|d| d.id).zip(vectors).collect();
        index.set_vectors(Space::MiniLm, &pairs)?;
        Ok(pairs.len())
    })
    .await?
}

/// Scores and stores the sentiment of up to `batch` profiles that have no
/// summary by the current scorer for their current version, most-followed
/// first; returns how many were scored.
pub async fn score_sentiment_batch(store: &Store, scoring: &SentimentScoring, batch: usize) -> crate::Result<usize> {
    let ids = store.profiles().without_sentiment(&scoring.scorer_name(), batch).await?;
    if ids.is_empty() {
        return Ok(0);
    }
    let profiles = store.profiles().get_profiles(&ids).await?;
    Ok(scoring.score_and_store(store, profiles).await?.len())
}

/// Runs enrichment in the background until every profile has a MiniLM vector,
/// then scores the sentiment of every profile not yet scored by the current
/// sentiment model (a new model version rescores them all), then keeps
/// watching for new ones. Vectors come first: search quality needs them.
pub fn spawn_enrichment(
    store: Store,
    index: Arc<ProfileIndex>,
    minilm: Arc<dyn TextEncoder>,
    models: Arc<Models>,
    progress: Arc<EnrichProgress>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let started = Instant::now();
            match enrich_batch(&store, &index, &minilm, 32).await {
                Ok(0) => {
                    let scoring = models.sentiment_scoring(Some(minilm.clone()));
                    match score_sentiment_batch(&store, &scoring, 16).await {
                        Ok(0) => tokio::time::sleep(Duration::from_secs(2)).await,
                        Ok(n) => metrics::counter!("scout_sentiment_scored_total").increment(n as u64),
                        Err(e) => {
                            tracing::warn!(error = %e, "sentiment scoring step failed; retrying");
                            tokio::time::sleep(Duration::from_secs(5)).await;
                        }
                    }
                }
                Ok(n) => {
                    progress.enriched.fetch_add(n as u64, Ordering::Relaxed);
                    let rate = n as f64 / started.elapsed().as_secs_f64().max(1e-6);
                    progress.rate_centi.store((rate * 100.0) as u64, Ordering::Relaxed);
                    metrics::counter!("scout_minilm_enriched_total").increment(n as u64);
                    metrics::gauge!("scout_minilm_enrichment_rate").set(rate);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "enrichment step failed; retrying");
                    tokio::time::sleep(Duration::from_secs(5)).await;
                }
            }
        }
    })
}

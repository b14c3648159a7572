//! Moving profiles between the outside world, the store and the indexes:
//! streaming import with per-line rejects, export, the outbox-tailing indexer,
//! MiniLM enrichment and the demo data set.

mod enrich;
mod import;
mod indexing;

pub use enrich::{EnrichProgress, enrich_batch, score_sentiment_batch, spawn_enrichment};
pub use import::{ImportReport, Reject, export, import_lines, load_demo};
pub use indexing::{IndexerHandle, catch_up, rebuild, spawn_indexer, spawn_search_workers};

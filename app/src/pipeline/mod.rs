//! Moving profiles between the outside world, the store and the indexes:
//! streaming import with per-line rejects, export, the outbox-tailing indexer,
//! MiniLM enrichment and the demo data set (profiles, and a marketplace played
//! through the use cases).

mod demo_market;
mod enrich;
mod import;
mod indexing;

pub use demo_market::{DemoMarketReport, load_demo_market};
pub use enrich::{EnrichProgress, enrich_batch, score_sentiment_batch, spawn_enrichment};
pub use import::{ImportReport, Reject, export, import_lines, load_demo};
pub use indexing::{IndexerHandle, catch_up, rebuild, spawn_indexer, spawn_search_workers};

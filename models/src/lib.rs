//! `scout-models`: machine-learning inference for Scout.
//!
//! It owns the [`TextEncoder`] trait and its implementations: [`MiniLm`]
//! (all-MiniLM-L6-v2 in candle, the accurate but slow encoder) and
//! [`StaticEncoder`] (a model2vec-style table distilled from it, fast enough to
//! encode every profile at ingest); the audience-quality model
//! ([`quality::QualityModel`]: calibrated probability that an account bought
//! followers, with evidence); and the versioned artifact format and registry
//! ([`artifact`]) that `scout-train` writes and the service loads; the fair-price
//! model ([`price::PriceModel`]: what comparable creators ask per deliverable,
//! with conformal ranges); the sentiment of captions and comments
//! ([`sentiment`], VADER's lexicon and rules); the ranking model
//! ([`ranking::RankingModel`]: learned weights of the ranker's features); the
//! trained sentiment scorer ([`sentiment::trained`]); campaign success
//! ([`success::SuccessModel`]: a creator's likely engagement on a brief, with
//! intervals and the probability of meeting the brief's goal).
//!
//! It must never download anything: models are read from folders the set-up
//! installed or the repository ships.
//!
//! ```no_run
//! use scout_models::{StaticEncoder, TextEncoder};
//! let enc = StaticEncoder::load(std::path::Path::new("models/static-minilm-256")).unwrap();
//! let v = enc.encode("plant-based recipes").unwrap();
//! assert_eq!(v.len(), enc.dim());
//! ```

pub mod artifact;
mod encoder;
mod error;
pub mod minilm;
pub mod price;
pub mod quality;
pub mod ranking;
pub mod sentiment;
pub mod static_table;
pub mod success;

pub use encoder::{TextEncoder, dot, normalise};
pub use error::{Error, Result};
pub use minilm::MiniLm;
pub use price::PriceModel;
pub use quality::QualityModel;
pub use ranking::RankingModel;
pub use static_table::{StaticCard, StaticEncoder, distill};
pub use success::SuccessModel;

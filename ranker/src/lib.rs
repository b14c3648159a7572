//! `scout-ranker`: from a query to a ranked, explained page of profiles.
//!
//! It owns query understanding ([`understand`]), hybrid retrieval (BM25 and
//! ANN under one filter), fusion, ranking features, the transparent scoring
//! model with per-result explanations, facets, paging, sorts and lookalikes.
//!
//! It must never read the database or know HTTP: it returns profile ids,
//! scores and explanations, and the caller loads the profiles.
//!
//! ```no_run
//! # fn demo(engine: &scout_ranker::Engine) -> scout_ranker::Result<()> {
//! let req = scout_ranker::SearchRequest { query: Some("vegan fitness creators in Berlin over 50k followers".into()), ..Default::default() };
//! let page = engine.search(&req)?;
//! println!("{} results, first: {:?}", page.total, page.hits.first().map(|h| h.id));
//! # Ok(()) }
//! ```

mod error;
pub mod model;
pub mod reputation;
mod search;
pub mod understand;

pub use error::{Error, Result};
pub use model::{Contribution, Explanation};
pub use search::{
    Candidates, Engine, FacetCount, Hit, Mode, SearchOutcome, SearchRequest, Suggestion, SuggestionReason,
};
pub use understand::{ParsedQuery, Recognised, RecognisedKind, understand};

//! `scout-app`: Scout's use cases, between the HTTP layer and the stores.
//!
//! It owns every flow a caller can start — identity (sign-up, log-in with
//! lockouts and 2FA, sessions, keys), access (the caller, the organisation
//! it acts for, scopes and roles), search and lookalikes, campaign matching,
//! profiles, privacy (claims, consent, GDPR export and erasure), lists, the
//! organisations, models — and the background pipeline (import, outbox
//! indexer, MiniLM enrichment). [`Application::build`] opens every service
//! from [`Settings`]; `scout serve`, the other commands and the test harness
//! all build it the same way.
//!
//! It must never know HTTP (no status codes, headers or extractors: errors
//! carry a stable [`scout_domain::ErrorCode`]) nor write SQL (that is
//! `scout-store`'s).
//!
//! ```no_run
//! # async fn demo() -> scout_app::Result<()> {
//! use scout_app::{Application, Settings};
//! let app = Application::build(Settings::default()).await?;
//! let _indexer = app.start_search_workers()?;
//! let results = app.run_search(scout_ranker::SearchRequest {
//!     query: Some("vegan fitness creators in Berlin".into()),
//!     ..Default::default()
//! }).await?;
//! println!("{} creators", results.total);
//! # Ok(()) }
//! ```

pub mod access;
pub mod application;
pub mod campaigns;
pub mod clock;
pub mod credentials;
pub mod deals;
pub mod error;
pub mod held;
pub mod identity;
pub mod inbox;
pub mod limits;
pub mod lists;
pub mod mail;
pub mod marketplace;
pub mod matching;
pub mod models;
pub mod money;
pub mod notify;
pub mod orgs;
pub mod pipeline;
pub mod planning;
pub mod privacy;
pub mod profiles;
pub mod referrals;
pub mod reviews;
pub mod search;
pub mod security;
pub mod settings;
mod two_factor;
pub mod workload;

pub use access::{Acting, Caller, Via};
pub use application::Application;
pub use error::{Error, Result};
pub use identity::SignUp;
pub use settings::Settings;

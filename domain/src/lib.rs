//! `scout-domain`: the words of Scout and the rules that need no I/O.
//!
//! It owns the influencer [`Profile`] and its validation ([`Profile::parse`]),
//! the niche taxonomy, real places and languages, follower tiers, the search
//! filter model that both indexes compile, the facts derived from a profile,
//! and [`ErrorKind`], which classifies every crate's errors.
//!
//! It must never do I/O, know HTTP, SQL or an index.
//!
//! ```
//! use scout_domain::{Profile, ProfileFacts, Tier};
//! let line = r#"{"platform":"instagram","external_id":"42","handle":"greenlifting",
//!   "followers":52000,"categories":["Vegan food","Workouts"]}"#;
//! let profile = Profile::parse(line).unwrap().profile;
//! let facts = ProfileFacts::of(&profile);
//! assert_eq!(facts.tier, Tier::Micro);
//! assert!(facts.niches.contains(&"vegan"));
//! ```

pub mod account;
pub mod audit;
pub mod campaign;
pub mod codes;
pub mod error;
pub mod facts;
pub mod languages;
pub mod money;
pub mod objects;
pub mod org;
pub mod places;
pub mod profile;
pub mod query;
pub mod taxonomy;
pub mod text;
pub mod tier;

pub use audit::AuditKind;
pub use codes::ErrorCode;
pub use error::{Error, ErrorKind, Result, Violation};
pub use facts::ProfileFacts;
pub use profile::{Audience, FollowerPoint, Gender, Parsed, Platform, Post, PostKind, Profile, Rates};
pub use query::{Clause, Filter, KeywordField, NumericField, SearchFilters, Sort};
pub use tier::Tier;

/// Store-assigned id of a profile.
pub type ProfileId = i64;

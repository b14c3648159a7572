//! The marketplace's rules: campaigns, negotiations and contracts as state
//! machines, who may take each step, what each step validates, and what money
//! each step moves. No I/O: no SQL, no HTTP, no clock (time comes in as an
//! argument, so tests move it), so every rule is tested here on its own.
//!
//! `scout-app` loads a campaign, thread or contract from `scout-store`, asks
//! these rules whether a step is allowed and what it changes, and writes the
//! result back in one transaction; the [`contract::Effect`]s a step returns
//! are what the ledger books.
//!
//! ```
//! use scout_market::{Actor, Negotiation, Origin, CampaignStatus, Visibility};
//! # fn terms() -> scout_market::Terms { serde_json::from_str(r#"{"lines":[{"kind":"reel","count":1,
//! #   "fee":{"amount_minor":50000,"currency":"EUR"},"due_on":"2027-03-20"}]}"#).unwrap() }
//! let eur = "EUR".parse().unwrap();
//! let listed = (CampaignStatus::Open, Visibility::Listed);
//! let mut thread = Negotiation::start(Origin::Application, Actor::CREATOR, terms(), listed, eur).unwrap();
//! let v2 = thread.counter(Actor::BRAND, terms(), eur).unwrap();
//! assert!(thread.accept(Actor::CREATOR, 1).is_err()); // superseded by version 2
//! thread.accept(Actor::CREATOR, v2).unwrap();
//! ```

pub mod agreement;
pub mod campaign;
pub mod contract;
pub mod error;
pub mod fit;
pub mod lifecycle;
pub mod milestone;
pub mod negotiation;
pub mod party;
pub mod plan;
pub mod review;

pub use agreement::{Parties, TERMS_VERSION, amount_text, render_terms};
pub use campaign::{
    CampaignAction, CampaignField, CampaignSpec, CampaignStatus, Deals, DeliverableKind, DeliverableSpec, Objective,
    Visibility,
};
pub use contract::{Contract, ContractStatus, Effect, Milestone, MilestoneStatus, Resolution};
pub use error::{Error, Result};
pub use negotiation::{Negotiation, NegotiationStatus, Offer, Origin, TermLine, Terms, UsageRights};
pub use party::{Actor, Side};

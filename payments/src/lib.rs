//! `scout-payments`: the payment providers, behind one [`Provider`] trait.
//!
//! It owns talking to providers (charging a brand, paying a creator out,
//! refunds, listing settlements) and reading what they send back (webhooks,
//! whose [`signature`]s are checked as Stripe specifies before anything in
//! them is read). It never moves money in Scout's books: the caller records
//! each provider answer in the ledger (`scout-ledger`, through `scout-store`)
//! under its own idempotency keys, and sends the provider an idempotency key
//! with every request, so a retry is never a second charge or payout.
//!
//! The embedded default is the [`sandbox`] bank: a real HTTP service with
//! test cards and accounts that settles asynchronously and signs its
//! webhooks.
//!
//! ```
//! use scout_payments::signature;
//! let body = br#"{"id":"evt_1"}"#;
//! let header = signature::header(&["whsec_test"], 1_700_000_000, body);
//! assert!(signature::verify(&header, body, &["whsec_test"], 1_700_000_100, 300).is_ok());
//! assert!(signature::verify(&header, body, &["whsec_test"], 1_700_000_400, 300).is_err());
//! ```

pub mod bankfiles;
mod error;
mod provider;
pub mod sandbox;
pub mod signature;
pub mod stripe;

pub use error::{Error, Result};
pub use provider::{
    Event, FundingMethod, FundingRequest, PayoutDestination, PayoutRequest, Progress, Provider, Receipt, Settlement,
    Subject,
};
pub use sandbox::{SandboxConfig, SandboxProvider};
pub use stripe::StripeProvider;

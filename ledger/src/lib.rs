//! `scout-ledger`: the rules of Scout's double-entry ledger, with no I/O.
//!
//! Money lives in **accounts**, one per owner, kind and currency. An account
//! keeps two running sums, what was debited and what was credited, as
//! TigerBeetle does; its balance is read from them by the account's normal
//! side, and a **limit** says which side may never exceed the other (a
//! creator's available balance never goes below zero). Money moves only in
//! **transfers**: a set of postings in one currency whose debits equal their
//! credits, immutable once written; a correction is a reversal (the same
//! postings, sides swapped). A conversion between currencies is two
//! transfers through the FX accounts, with the rate recorded. Every request
//! that moves money carries an **idempotency key**: the same key with the
//! same request answers the first result, with another request it is refused.
//!
//! The store (`scout-store`) writes a transfer and its postings and updates
//! the sums in one database transaction after [`check_limits`] passed on the
//! locked accounts, so no concurrency can overdraw an account.
//!
//! ```
//! use scout_ledger::{Posting, Transfer, TransferKind};
//! use scout_domain::money::Currency;
//! let eur = Currency::EUR;
//! let t = Transfer::new(TransferKind::Funding, eur, vec![
//!     Posting::debit(1, 10_000),   // the provider's clearing account (cash at the provider)
//!     Posting::credit(2, 10_000),  // the brand's wallet
//! ]).unwrap();
//! assert_eq!(t.total_minor(), 10_000);
//! assert!(Transfer::new(TransferKind::Funding, eur, vec![Posting::debit(1, 10_000), Posting::credit(2, 9_999)]).is_err());
//! ```

mod account;
mod error;
mod flows;
mod fx;
mod idempotency;
mod plan;
mod transfer;

pub use account::{AccountKind, AccountRef, Balance, Limit, NormalSide};
pub use error::{Error, Result};
pub use flows::{Accounts, fee_of};
pub use fx::{ECB_REFERENCE_CSV, EcbRates, Rate, convert, parse_ecb_csv};
pub use idempotency::{Fingerprint, Replay, fingerprint, replay};
pub use plan::{Plan, percent_text};
pub use transfer::{Direction, MAX_POSTINGS, Posting, Transfer, TransferKind, check_limits};

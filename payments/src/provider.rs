//! The one trait every payment provider implements, and the requests and
//! answers that cross it. Amounts are [`Money`]: integer minor units with a
//! currency, never a float.

use scout_domain::money::Money;
use serde::{Deserialize, Serialize};

use crate::error::Result;

/// How a brand pays money in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FundingMethod {
    /// A card, charged at once. Only the sandbox sees numbers; a real
    /// provider gets a token its own form made (`payment_method`).
    Card { number: String, exp_month: u32, exp_year: u32, cvc: String },
    /// A token for a payment method the provider's own form collected (Stripe's `pm_…`).
    PaymentMethod { token: String },
    /// A bank transfer the brand makes to a reference; it settles later.
    BankTransfer,
}

/// Where a creator's money goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PayoutDestination {
    /// A SEPA account.
    Iban {
        iban: String,
        bic: String,
        holder: String,
    },
    /// A US account for ACH.
    UsBank {
        routing: String,
        account: String,
        holder: String,
    },
    Paypal {
        email: String,
    },
    /// A Stripe connected account (`acct_…`).
    StripeAccount {
        account: String,
    },
}

/// Money in: charge `amount` with `method`; `key` makes a retry the same request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundingRequest {
    pub idempotency_key: String,
    pub amount: Money,
    pub method: FundingMethod,
    /// Our reference (the funding's id), sent back in the provider's events.
    pub reference: String,
}

/// Money out: pay `amount` to `destination`; `key` makes a retry the same request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutRequest {
    pub idempotency_key: String,
    pub amount: Money,
    pub destination: PayoutDestination,
    pub reference: String,
}

/// Where a charge or payout stands at the provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Progress {
    /// Accepted; an event will say how it ends.
    Processing,
    Succeeded,
    /// Refused or returned, with the provider's code (`card_declined`,
    /// `insufficient_funds`, `account_closed`…) and words for people.
    Failed {
        code: String,
        message: String,
    },
}

/// A provider's answer to a charge or payout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// The provider's id of it (`pi_…`, `po_…`).
    pub provider_ref: String,
    pub progress: Progress,
}

/// What a webhook says happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// The provider's event id: the same id twice is one event.
    pub id: String,
    pub provider_ref: String,
    pub reference: String,
    pub subject: Subject,
    pub progress: Progress,
}

/// What an event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    Funding,
    Payout,
}

/// A money movement as the provider settled it, for reconciliation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settlement {
    pub provider_ref: String,
    pub reference: String,
    pub subject: Subject,
    /// Positive: money in; negative: money out.
    pub amount_minor: i64,
    pub currency: String,
}

/// A payment provider.
///
/// Callers may assume: a request sent again with the same idempotency key
/// (after a timeout, a crash, a restart) is answered as the first one was
/// and moves no money twice; an answer of [`Progress::Processing`] is
/// followed by a signed event that [`Provider::parse_webhook`] reads; an
/// event may arrive more than once and out of order (callers dedupe by
/// [`Event::id`] and move each charge or payout forward only).
///
/// Implementers must: send the idempotency key with every request that
/// moves money; return [`crate::Error::Unavailable`] only when the request
/// may be retried unchanged; verify a webhook's signature before reading
/// anything in it.
#[async_trait::async_trait]
pub trait Provider: Send + Sync {
    /// A short stable name (`sandbox`, `stripe`).
    fn name(&self) -> &'static str;

    async fn fund(&self, request: &FundingRequest) -> Result<Receipt>;

    /// Returns a settled charge (all of it).
    async fn refund(&self, idempotency_key: &str, provider_ref: &str) -> Result<Receipt>;

    async fn payout(&self, request: &PayoutRequest) -> Result<Receipt>;

    /// Where a payout stands now (for a run that lost its webhook or its process).
    async fn payout_status(&self, provider_ref: &str) -> Result<Receipt>;

    /// Every settled movement, for reconciliation against the ledger.
    async fn settlements(&self) -> Result<Vec<Settlement>>;

    /// Tells the provider where to send events (a no-op where that is set
    /// in the provider's dashboard).
    async fn register_webhook(&self, url: &str) -> Result<()>;

    /// Verifies a webhook's signature (`now` in Unix seconds) and reads its event.
    fn parse_webhook(&self, signature_header: &str, body: &[u8], now: i64) -> Result<Event>;
}

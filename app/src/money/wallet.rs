//! A brand's wallet: funding it through the provider, the provider's
//! webhooks, and balances.

use scout_domain::ErrorCode;
use scout_domain::money::{Currency, Money};
use scout_domain::org::Scope;
use scout_ledger::{AccountKind, AccountRef};
use scout_payments::{FundingMethod, FundingRequest, Progress, Subject};
use scout_store::{Funding, NewFunding, Owner};
use serde::Serialize;

use crate::Application;
use crate::access::{Acting, Caller};
use crate::error::{Error, Result};

/// The largest single funding, in minor units (ten million in two-decimal currencies).
pub const MAX_FUNDING_MINOR: i64 = 1_000_000_000;

/// What a brand asks to pay in.
#[derive(Debug, Clone)]
pub struct FundingInput {
    pub amount: Money,
    pub method: FundingMethod,
    /// The caller's `Idempotency-Key`: the same key and request answer the
    /// first funding, the same key with another request is refused.
    pub idempotency_key: String,
}

/// A balance of one account kind in one currency.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OwnedBalance {
    pub kind: AccountKind,
    #[schema(value_type = scout_domain::money::MoneyAmount)]
    pub balance: Money,
}

/// Every balance of an owner.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Balances {
    pub balances: Vec<OwnedBalance>,
}

/// What a webhook did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookOutcome {
    Applied,
    /// The event was applied before: nothing changed.
    Duplicate,
}

fn balances_of(accounts: Vec<AccountRef>) -> Balances {
    let balances = accounts
        .into_iter()
        .map(|a| OwnedBalance {
            kind: a.kind,
            balance: Money::new(i64::try_from(a.balance()).unwrap_or(i64::MAX), a.currency),
        })
        .collect();
    Balances { balances }
}

/// "card ending 4242", "bank transfer".
fn method_summary(method: &FundingMethod) -> (&'static str, String) {
    match method {
        FundingMethod::Card { number, .. } => {
            let digits: String = number.chars().filter(char::is_ascii_digit).collect();
            let last4 = &digits[digits.len().saturating_sub(4)..];
            ("card", format!("card ending {last4}"))
        }
        FundingMethod::PaymentMethod { .. } => ("payment_method", "saved payment method".into()),
        FundingMethod::BankTransfer => ("bank_transfer", "bank transfer".into()),
    }
}

/// A request's fingerprint without the card's secrets in clear.
fn funding_fingerprint(amount: Money, method: &FundingMethod) -> String {
    let method = match method {
        FundingMethod::Card { number, exp_month, exp_year, cvc } => serde_json::json!({
            "card": blake3::hash(format!("{number}|{exp_month}|{exp_year}|{cvc}").as_bytes()).to_hex().to_string()
        }),
        other => serde_json::to_value(other).unwrap_or_default(),
    };
    scout_ledger::fingerprint(&serde_json::json!({"amount": amount, "method": method}))
}

/// Refused unless `key` is a usable idempotency key.
pub(crate) fn check_key(key: &str) -> Result<()> {
    if key.is_empty() {
        return Err(Error::refused(
            ErrorCode::IdempotencyKeyMissing,
            "send an `Idempotency-Key` header (any unique string up to 255 characters) with requests that move money",
        ));
    }
    if key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::bad_parameter("Idempotency-Key", "at most 255 visible ASCII characters"));
    }
    Ok(())
}

impl Application {
    /// Funds the acting organisation's wallet through the provider. The
    /// answer is the funding as it stands: usually `processing` (the
    /// provider's event will settle it), `failed` with the provider's reason
    /// (answered as `402 payment_declined`), or `succeeded`.
    pub async fn fund_wallet(&self, acting: &Acting, input: FundingInput) -> Result<Funding> {
        acting.require_write(Scope::PaymentsWrite)?;
        check_key(&input.idempotency_key)?;
        if input.amount.amount_minor <= 0 || input.amount.amount_minor > MAX_FUNDING_MINOR {
            return Err(Error::bad_parameter("amount_minor", format!("between 1 and {MAX_FUNDING_MINOR} minor units")));
        }
        if let FundingMethod::Card { number, exp_month, cvc, .. } = &input.method {
            let digits = number.chars().filter(|c| !c.is_whitespace()).count();
            if !(12..=19).contains(&digits) || !number.chars().all(|c| c.is_ascii_digit() || c == ' ') {
                return Err(Error::bad_parameter("method.number", "12 to 19 digits"));
            }
            if !(1..=12).contains(exp_month) {
                return Err(Error::bad_parameter("method.exp_month", "1 to 12"));
            }
            if !(3..=4).contains(&cvc.len()) || !cvc.chars().all(|c| c.is_ascii_digit()) {
                return Err(Error::bad_parameter("method.cvc", "3 or 4 digits"));
            }
        }
        let (method, summary) = method_summary(&input.method);
        let fingerprint = funding_fingerprint(input.amount, &input.method);
        let new = NewFunding {
            org_id: acting.org.id,
            requested_by: acting.caller.id(),
            provider: self.provider.name(),
            method,
            method_summary: &summary,
            amount: input.amount,
            idempotency_key: &input.idempotency_key,
            fingerprint: &fingerprint,
        };
        let (funding, _) = self.store.payments().create_funding(&new).await?;
        if funding.status != "created" {
            // A retry of a request the provider already answered.
            return self.answer_funding(funding);
        }
        let request = FundingRequest {
            idempotency_key: format!("scout-funding-{}", funding.id),
            amount: funding.amount,
            method: input.method,
            reference: format!("funding:{}", funding.id),
        };
        let receipt = match self.provider.fund(&request).await {
            Ok(r) => r,
            Err(e @ scout_payments::Error::Unavailable { .. }) => {
                // Left `created`: the same request again resends it under the same provider key.
                return Err(e.into());
            }
            Err(scout_payments::Error::Refused { code, message, .. }) => {
                self.store.payments().funding_finished(funding.id, "failed", Some((&code, &message)), None).await?;
                return self.answer_funding(self.store.payments().funding(funding.id).await?);
            }
            Err(e) => return Err(e.into()),
        };
        let payments = self.store.payments();
        match &receipt.progress {
            Progress::Failed { code, message } => {
                payments.funding_sent(funding.id, &receipt.provider_ref, "failed", Some((code, message))).await?;
            }
            Progress::Processing => {
                payments.funding_sent(funding.id, &receipt.provider_ref, "processing", None).await?
            }
            Progress::Succeeded => {
                payments.funding_sent(funding.id, &receipt.provider_ref, "processing", None).await?;
                self.funding_settled(&payments.funding(funding.id).await?).await?;
            }
        }
        self.answer_funding(payments.funding(funding.id).await?)
    }

    fn answer_funding(&self, funding: Funding) -> Result<Funding> {
        if funding.status == "failed" {
            let reason = funding.failure_message.clone().unwrap_or_default();
            let code = funding.failure_code.clone().unwrap_or_default();
            return Err(Error::refused(
                ErrorCode::PaymentDeclined,
                format!("funding {} was declined ({code}): {reason}; nothing was charged", funding.id),
            ));
        }
        Ok(funding)
    }

    /// The acting organisation's fundings, newest first.
    pub async fn fundings(&self, acting: &Acting, offset: i64, limit: i64) -> Result<Vec<Funding>> {
        acting.caller.require(Scope::PaymentsRead)?;
        Ok(self.store.payments().fundings(acting.org.id, offset, limit).await?)
    }

    /// One funding of the acting organisation.
    pub async fn funding(&self, acting: &Acting, id: i64) -> Result<Funding> {
        acting.caller.require(Scope::PaymentsRead)?;
        let f = self.store.payments().funding(id).await?;
        if f.org_id != acting.org.id {
            return Err(scout_store::Error::Missing { what: scout_store::Record::Funding, id }.into());
        }
        Ok(f)
    }

    /// The acting organisation's balances (wallets per currency).
    pub async fn org_balances(&self, acting: &Acting) -> Result<Balances> {
        acting.caller.require(Scope::PaymentsRead)?;
        Ok(balances_of(self.store.ledger().accounts_of(Owner::Org(acting.org.id)).await?))
    }

    /// A creator's balances: pending, available, in transit, per currency.
    pub async fn my_balances(&self, caller: &Caller) -> Result<Balances> {
        Ok(balances_of(self.store.ledger().accounts_of(Owner::User(caller.id())).await?))
    }

    /// The wallet balance of `org` in `currency` (0 when it has none).
    pub(crate) async fn wallet_balance(&self, org: i64, currency: Currency) -> Result<i64> {
        let accounts = self.store.ledger().accounts_of(Owner::Org(org)).await?;
        Ok(accounts
            .iter()
            .find(|a| a.kind == AccountKind::BrandWallet && a.currency == currency)
            .map_or(0, |a| i64::try_from(a.balance()).unwrap_or(0)))
    }

    /// Applies a provider's webhook: verifies its signature, ignores an
    /// event seen before, and moves the funding or payout it names forward.
    pub async fn apply_webhook(&self, provider: &str, signature: &str, body: &[u8]) -> Result<WebhookOutcome> {
        if provider != self.provider.name() {
            return Err(Error::refused(ErrorCode::ProviderUnknown, format!("no payment provider `{provider}` here")));
        }
        let event = self.provider.parse_webhook(signature, body, chrono::Utc::now().timestamp())?;
        let payments = self.store.payments();
        if payments.event_seen(provider, &event.id).await? {
            return Ok(WebhookOutcome::Duplicate);
        }
        match event.subject {
            Subject::Funding => {
                let Some(funding) = payments.funding_by_ref(provider, &event.provider_ref).await? else {
                    // The answer to our request may not be recorded yet: the provider retries.
                    return Err(Error::refused(
                        ErrorCode::FundingNotFound,
                        format!("no funding known as {} yet", event.provider_ref),
                    ));
                };
                match &event.progress {
                    Progress::Succeeded => self.funding_settled(&funding).await?,
                    Progress::Failed { code, message } => {
                        if payments.funding_finished(funding.id, "failed", Some((code, message)), None).await? {
                            self.tell_org(
                                funding.org_id,
                                "funding_failed",
                                &format!(
                                    "Your payment of {} was declined ({message}); nothing was charged",
                                    scout_market::amount_text(funding.amount)
                                ),
                            )
                            .await;
                        }
                    }
                    Progress::Processing => {}
                }
            }
            Subject::Payout => self.payout_event(&event).await?,
        }
        payments.event_applied(provider, &event.id, &format!("{:?}", event.subject)).await?;
        Ok(WebhookOutcome::Applied)
    }

    /// Credits a demo brand's wallet (the demo marketplace's starting money):
    /// a funding from the `demo` provider, settled at once and booked like
    /// any other, so the demo's contracts fund their escrow from it.
    pub(crate) async fn seed_demo_wallet(&self, org: i64, requested_by: i64, amount: Money) -> Result<()> {
        let key = format!("demo-credit-{}", amount.currency);
        let fingerprint = scout_ledger::fingerprint(&amount);
        let new = NewFunding {
            org_id: org,
            requested_by,
            provider: "demo",
            method: "bank_transfer",
            method_summary: "demo credit",
            amount,
            idempotency_key: &key,
            fingerprint: &fingerprint,
        };
        let (funding, _) = self.store.payments().create_funding(&new).await?;
        self.funding_settled(&funding).await
    }

    /// The provider has the brand's money: it is booked to the wallet (once,
    /// whatever the number of events), and contracts waiting for it start.
    pub(crate) async fn funding_settled(&self, funding: &Funding) -> Result<()> {
        let currency = funding.amount.currency;
        let l = self.store.ledger();
        let clearing =
            l.account(super::provider_owner(&funding.provider), AccountKind::ProviderClearing, currency).await?;
        let wallet = l.account(Owner::Org(funding.org_id), AccountKind::BrandWallet, currency).await?;
        let accounts =
            scout_ledger::Accounts { clearing, wallet, escrow: 0, pending: 0, available: 0, in_transit: 0, fees: 0 };
        let transfer = accounts.fund(currency, funding.amount.amount_minor)?;
        let id = self.book(&format!("funding:{}", funding.id), &transfer, &format!("funding {}", funding.id)).await?;
        // Contracts waiting for this money take it first, so whoever reads the
        // funding as settled (or hears of it) sees the wallet after their escrow.
        self.fund_waiting_contracts(Some(funding.org_id)).await?;
        let settled = self.store.payments().funding_finished(funding.id, "succeeded", None, Some(id)).await?;
        let source = format!("funding:{}", funding.id);
        if !self.store.payments().has_invoice(&source).await? {
            let done = self.store.payments().funding(funding.id).await?;
            self.receipt_for_funding(&done).await?;
        }
        if settled {
            tracing::info!(
                funding = funding.id,
                org = funding.org_id,
                amount = funding.amount.amount_minor,
                "wallet funded"
            );
            self.tell_org(
                funding.org_id,
                "wallet_funded",
                &format!("{} arrived in your wallet", scout_market::amount_text(funding.amount)),
            )
            .await;
        }
        Ok(())
    }
}

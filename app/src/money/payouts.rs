//! Paying creators out: their payout method, currency and schedule; a run
//! that takes available balances, converts them at the stored rate (less
//! the spread, rate and source recorded on the payout), sends them through
//! the provider, and books the provider's answer.
//!
//! Each payout is a state machine whose every step is safe to repeat, so a
//! run killed at any point and started again never pays twice and never
//! loses a cent:
//!
//! ```text
//! created ──ledger: available → in transit (keys payout:N:start, payout:N:convert)──▶ in_transit
//! in_transit ──provider payout, idempotency key scout-payout-N──▶ submitted
//! submitted ──provider says paid: in transit → clearing (payout:N:settle)──▶ paid
//!     └──────provider says failed: back to available (payout:N:return…)──▶ failed
//! ```

use chrono::{DateTime, Datelike, Utc};
use scout_domain::ErrorCode;
use scout_domain::money::{Currency, Money};
use scout_ledger::{AccountKind, Posting, Rate, Transfer, TransferKind};
use scout_payments::{Event, PayoutDestination, PayoutRequest, Progress};
use scout_store::{NewPayout, Owner, Payout, PayoutSettings};

use super::provider_owner;
use crate::Application;
use crate::access::Caller;
use crate::error::{Error, Result};

/// What a creator sets.
#[derive(Debug, Clone)]
pub struct PayoutSettingsInput {
    pub destination: PayoutDestination,
    pub currency: String,
    /// `manual`, `weekly`, `monthly` or `threshold`.
    pub schedule: String,
    /// For `threshold`: pay out once available earnings reach this (minor units of `currency`).
    pub threshold_minor: i64,
}

/// What a payout run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct PayoutRun {
    /// Payouts made in this run.
    pub started: usize,
    /// Payouts the provider confirmed, and that failed and came back.
    pub paid: usize,
    pub failed: usize,
    /// Still waiting for the provider.
    pub waiting: usize,
}

fn invalid(field: &str, reason: &str) -> Error {
    Error::refused(ErrorCode::PayoutMethodInvalid, format!("{field}: {reason}"))
}

/// ISO 13616: letters become 10–35, the first four characters move to the
/// end, and the number is 1 modulo 97.
fn iban_valid(iban: &str) -> bool {
    let s: String = iban.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
    // ASCII first, so the slices below fall on character boundaries.
    if !(15..=34).contains(&s.len())
        || !s.is_ascii()
        || !s[..2].chars().all(|c| c.is_ascii_uppercase())
        || !s[2..4].chars().all(|c| c.is_ascii_digit())
        || !s.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return false;
    }
    let rotated = format!("{}{}", &s[4..], &s[..4]);
    let mut rest = 0u32;
    for c in rotated.chars() {
        let v = c.to_digit(36).unwrap_or(0);
        rest = if v >= 10 { (rest * 100 + v) % 97 } else { (rest * 10 + v) % 97 };
    }
    rest == 1
}

/// ABA routing numbers: 9 digits, 3·d1 + 7·d2 + d3 + … ≡ 0 (mod 10).
fn routing_valid(routing: &str) -> bool {
    let d: Vec<u32> = routing.chars().filter_map(|c| c.to_digit(10)).collect();
    d.len() == 9
        && routing.len() == 9
        && (3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5] + d[8])).is_multiple_of(10)
}

/// Checks a destination and describes it for people without its full number.
fn check_destination(d: &PayoutDestination) -> Result<(PayoutDestination, String)> {
    let tail = |s: &str| s.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect::<String>();
    match d {
        PayoutDestination::Iban { iban, bic, holder } => {
            let iban: String = iban.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
            if !iban_valid(&iban) {
                return Err(invalid("destination.iban", "not a valid IBAN (its check digits do not match)"));
            }
            let bic = bic.trim().to_ascii_uppercase();
            if !(bic.len() == 8 || bic.len() == 11) || !bic.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(invalid("destination.bic", "8 or 11 letters and digits"));
            }
            let holder = holder.trim().to_string();
            if holder.is_empty() || holder.chars().count() > 70 {
                return Err(invalid("destination.holder", "the account holder's name, up to 70 characters"));
            }
            let summary = format!("IBAN {} •••• {}", &iban[..4], tail(&iban));
            Ok((PayoutDestination::Iban { iban, bic, holder }, summary))
        }
        PayoutDestination::UsBank { routing, account, holder } => {
            if !routing_valid(routing) {
                return Err(invalid("destination.routing", "a 9-digit ABA routing number"));
            }
            if !(4..=17).contains(&account.len()) || !account.chars().all(|c| c.is_ascii_digit()) {
                return Err(invalid("destination.account", "4 to 17 digits"));
            }
            let holder = holder.trim().to_string();
            if holder.is_empty() || holder.chars().count() > 22 {
                return Err(invalid("destination.holder", "the account holder's name, up to 22 characters (ACH)"));
            }
            let summary = format!("US account ••••{} (routing {routing})", tail(account));
            Ok((PayoutDestination::UsBank { routing: routing.clone(), account: account.clone(), holder }, summary))
        }
        PayoutDestination::Paypal { email } => {
            let email = email.trim().to_ascii_lowercase();
            let ok = email.len() <= 254
                && email.split_once('@').is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.'));
            if !ok {
                return Err(invalid("destination.email", "a PayPal email address"));
            }
            let first: String = email.chars().take(1).collect();
            let summary = format!("PayPal {first}•••@{}", email.split_once('@').map_or("", |(_, d)| d));
            Ok((PayoutDestination::Paypal { email }, summary))
        }
        PayoutDestination::StripeAccount { account } => {
            let ok = account.starts_with("acct_")
                && account.len() <= 64
                && account[5..].chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && account.len() > 5;
            if !ok {
                return Err(invalid("destination.account", "a Stripe connected account id (acct_…)"));
            }
            Ok((d.clone(), format!("Stripe account acct_•••{}", tail(account))))
        }
    }
}

impl Application {
    /// Sets the caller's payout method, currency and schedule.
    pub async fn set_payout_settings(&self, caller: &Caller, input: PayoutSettingsInput) -> Result<PayoutSettings> {
        caller.require_session()?;
        let (destination, summary) = check_destination(&input.destination)?;
        let currency: Currency = input.currency.parse().map_err(|_| invalid("currency", "an ISO 4217 code"))?;
        if self.store.ledger().rate_per_eur(currency).await?.is_none() {
            return Err(invalid("currency", "Scout has no exchange rate for it"));
        }
        if !["manual", "weekly", "monthly", "threshold"].contains(&input.schedule.as_str()) {
            return Err(invalid("schedule", "manual, weekly, monthly or threshold"));
        }
        if input.schedule == "threshold" && input.threshold_minor <= 0 || input.threshold_minor < 0 {
            return Err(invalid("threshold_minor", "a positive amount for the threshold schedule"));
        }
        let settings = PayoutSettings {
            user_id: caller.id(),
            destination: serde_json::to_string(&destination)
                .map_err(|e| Error::internal("writing a destination", e))?,
            destination_summary: summary,
            currency,
            schedule: input.schedule,
            threshold_minor: input.threshold_minor,
            updated_at: self.clock.now(),
        };
        self.store.payments().set_payout_settings(&settings).await?;
        Ok(settings)
    }

    pub async fn payout_settings(&self, caller: &Caller) -> Result<Option<PayoutSettings>> {
        Ok(self.store.payments().payout_settings(caller.id()).await?)
    }

    /// The caller's payouts, newest first.
    pub async fn my_payouts(&self, caller: &Caller, offset: i64, limit: i64) -> Result<Vec<Payout>> {
        Ok(self.store.payments().payouts_of(caller.id(), offset, limit).await?)
    }

    pub async fn my_payout(&self, caller: &Caller, id: i64) -> Result<Payout> {
        let p = self.store.payments().payout(id).await?;
        if p.user_id != Some(caller.id()) {
            return Err(scout_store::Error::Missing { what: scout_store::Record::Payout, id }.into());
        }
        Ok(p)
    }

    /// Pays the caller's available earnings out now, whatever their
    /// schedule; the payouts made (one per currency held).
    pub async fn request_payout(&self, caller: &Caller) -> Result<Vec<Payout>> {
        caller.require_session()?;
        let Some(settings) = self.store.payments().payout_settings(caller.id()).await? else {
            return Err(Error::refused(
                ErrorCode::PayoutMethodMissing,
                "set a payout method first (PUT /v1/me/payout-settings)",
            ));
        };
        let made = self.start_payouts_for(&settings, true).await?;
        if made.is_empty() {
            return Err(Error::refused(ErrorCode::InsufficientFunds, "no earnings are available to pay out yet"));
        }
        let mut out = Vec::with_capacity(made.len());
        for p in made {
            self.drive_payout(p.id).await?;
            out.push(self.store.payments().payout(p.id).await?);
        }
        Ok(out)
    }

    /// A payout run: open payouts are driven on (a run killed before ends
    /// here), then every creator whose schedule is due (all of them with
    /// `everyone`) is paid what is available.
    pub async fn run_payouts(&self, everyone: bool) -> Result<PayoutRun> {
        let mut run = PayoutRun::default();
        for p in self.store.payments().open_payouts().await? {
            self.drive_payout(p.id).await?;
        }
        for settings in self.store.payments().scheduled_payout_settings().await? {
            for p in self.start_payouts_for(&settings, everyone).await? {
                run.started += 1;
                self.drive_payout(p.id).await?;
            }
        }
        for p in self.store.payments().open_payouts().await? {
            match self.drive_payout(p.id).await?.as_str() {
                "paid" => run.paid += 1,
                "failed" => run.failed += 1,
                _ => run.waiting += 1,
            }
        }
        Ok(run)
    }

    /// Makes the payouts `settings`' schedule calls for now (or at once
    /// with `now`): one per currency with available earnings.
    async fn start_payouts_for(&self, settings: &PayoutSettings, now: bool) -> Result<Vec<Payout>> {
        let user = settings.user_id;
        let payments = self.store.payments();
        let last = payments.last_payout(user).await?;
        let today = self.clock.now();
        if !now && !schedule_due(&settings.schedule, last.as_ref().map(|p| p.created_at), today) {
            return Ok(vec![]);
        }
        let available: Vec<(Currency, i64)> = self
            .store
            .ledger()
            .accounts_of(Owner::User(user))
            .await?
            .into_iter()
            .filter(|a| a.kind == AccountKind::CreatorAvailable && a.balance() > 0)
            .map(|a| (a.currency, i64::try_from(a.balance()).unwrap_or(0)))
            .collect();
        let mut made = Vec::new();
        let after = last.as_ref().map_or(0, |p| p.id);
        for (source_currency, amount) in available {
            let (amount_out, rate) = self.payout_amount(Money::new(amount, source_currency), settings.currency).await?;
            if settings.schedule == "threshold" && !now {
                let threshold = Money::new(settings.threshold_minor, settings.currency);
                if amount_out.amount_minor < threshold.amount_minor {
                    continue;
                }
            }
            if amount_out.amount_minor <= 0 {
                continue;
            }
            let run_key = format!("{user}:{source_currency}:after:{after}");
            let new = NewPayout {
                user_id: user,
                source: Money::new(amount, source_currency),
                amount: amount_out,
                rate_numerator: rate.numerator,
                rate_denominator: rate.denominator,
                rate_source: &rate.source,
                spread_bps: rate.spread_bps,
                destination: &settings.destination,
                destination_summary: &settings.destination_summary,
                provider: self.provider.name(),
                run_key: &run_key,
                at: today,
            };
            made.push(payments.create_payout(&new).await?);
        }
        Ok(made)
    }

    /// `amount` in `to` at the stored rate less the payout spread (none
    /// when the currency stays the same).
    async fn payout_amount(&self, amount: Money, to: Currency) -> Result<(Money, Rate)> {
        if amount.currency == to {
            let par =
                Rate { from: to, to, numerator: 1, denominator: 1, spread_bps: 0, source: "same currency".into() };
            return Ok((amount, par));
        }
        let mut rate = self.store.ledger().rate(amount.currency, to).await?.ok_or_else(|| {
            Error::refused(ErrorCode::InvalidRate, format!("no exchange rate from {} to {to}", amount.currency))
        })?;
        rate.spread_bps = self.settings.payments.payout_spread_bps;
        Ok((scout_ledger::convert(amount, &rate)?, rate))
    }

    /// Takes payout `id` as far as it can go now; its status after.
    pub(crate) async fn drive_payout(&self, id: i64) -> Result<String> {
        let payments = self.store.payments();
        let mut p = payments.payout(id).await?;
        let Some(user) = p.user_id else { return Ok(p.status) };
        if p.status == "created" {
            match self.book_payout_start(&p, user).await {
                Ok(()) => {
                    payments.advance_payout(id, &["created"], "in_transit", None, None, None).await?;
                }
                Err(Error::Store(scout_store::Error::Ledger(scout_ledger::Error::InsufficientFunds { .. }))) => {
                    // Nothing moved: the balance was paid out by a run that raced this one.
                    let why = ("insufficient_available", "the earnings were already paid out");
                    payments.advance_payout(id, &["created"], "failed", None, Some(why), None).await?;
                }
                Err(e) => return Err(e),
            }
            p = payments.payout(id).await?;
        }
        if p.status == "in_transit" {
            let destination: PayoutDestination = serde_json::from_str(&p.destination)
                .map_err(|e| Error::internal("reading a payout's destination", e))?;
            let request = PayoutRequest {
                idempotency_key: format!("scout-payout-{id}"),
                amount: p.amount,
                destination,
                reference: format!("payout:{id}"),
            };
            match self.provider.payout(&request).await {
                Ok(receipt) => {
                    payments
                        .advance_payout(id, &["in_transit"], "submitted", Some(&receipt.provider_ref), None, None)
                        .await?;
                    p = payments.payout(id).await?;
                    self.payout_progress(&p, user, &receipt.progress).await?;
                }
                Err(scout_payments::Error::Refused { code, message, .. }) => {
                    self.payout_progress(&p, user, &Progress::Failed { code, message }).await?;
                }
                Err(e @ scout_payments::Error::Unavailable { .. }) => {
                    tracing::warn!(payout = id, error = %e, "the provider is unavailable; the payout waits for the next run");
                }
                Err(e) => return Err(e.into()),
            }
            p = payments.payout(id).await?;
        }
        if p.status == "submitted"
            && let Some(r) = &p.provider_ref
        {
            match self.provider.payout_status(r).await {
                Ok(receipt) => self.payout_progress(&p, user, &receipt.progress).await?,
                Err(e) => tracing::warn!(payout = id, error = %e, "could not ask the provider about a payout"),
            }
            p = payments.payout(id).await?;
        }
        Ok(p.status)
    }

    /// The provider's event about a payout.
    pub(crate) async fn payout_event(&self, event: &Event) -> Result<()> {
        let Some(p) = self.store.payments().payout_by_ref(self.provider.name(), &event.provider_ref).await? else {
            return Err(Error::refused(
                ErrorCode::PayoutNotFound,
                format!("no payout known as {}", event.provider_ref),
            ));
        };
        let Some(user) = p.user_id else { return Ok(()) };
        self.payout_progress(&p, user, &event.progress).await
    }

    /// Books what the provider says about submitted payout `p`.
    async fn payout_progress(&self, p: &Payout, user: i64, progress: &Progress) -> Result<()> {
        let payments = self.store.payments();
        let open = ["in_transit", "submitted"];
        match progress {
            Progress::Processing => Ok(()),
            Progress::Succeeded => {
                let c = p.amount.currency;
                let l = self.store.ledger();
                let in_transit = l.account(Owner::User(user), AccountKind::PayoutsInTransit, c).await?;
                let clearing = l.account(provider_owner(&p.provider), AccountKind::ProviderClearing, c).await?;
                let settle = Transfer::new(
                    TransferKind::PayoutSettled,
                    c,
                    vec![
                        Posting::debit(in_transit, p.amount.amount_minor),
                        Posting::credit(clearing, p.amount.amount_minor),
                    ],
                )?;
                self.book(&format!("payout:{}:settle", p.id), &settle, &format!("payout {} paid", p.id)).await?;
                if payments.advance_payout(p.id, &open, "paid", None, None, Some(self.clock.now())).await? {
                    self.tell_user(
                        user,
                        "payout_paid",
                        &format!("{} was paid to your {}", scout_market::amount_text(p.amount), p.destination_summary),
                        "/earnings",
                    )
                    .await;
                }
                Ok(())
            }
            Progress::Failed { code, message } => {
                self.book_payout_return(p, user).await?;
                if payments.advance_payout(p.id, &open, "failed", None, Some((code, message)), None).await? {
                    self.tell_user(
                        user,
                        "payout_failed",
                        &format!(
                            "Your payout of {} failed ({message}); the money is back in your available balance",
                            scout_market::amount_text(p.amount)
                        ),
                        "/earnings",
                    )
                    .await;
                }
                Ok(())
            }
        }
    }

    /// available(source) → in transit(payout currency), through the FX
    /// accounts when the currencies differ.
    async fn book_payout_start(&self, p: &Payout, user: i64) -> Result<()> {
        let l = self.store.ledger();
        let (s, t) = (p.source.currency, p.amount.currency);
        let available = l.account(Owner::User(user), AccountKind::CreatorAvailable, s).await?;
        let in_transit = l.account(Owner::User(user), AccountKind::PayoutsInTransit, t).await?;
        let memo = format!("payout {} to {}", p.id, p.destination_summary);
        if s == t {
            let start = two(TransferKind::Payout, s, available, in_transit, p.source.amount_minor)?;
            self.book(&format!("payout:{}:start", p.id), &start, &memo).await?;
            return Ok(());
        }
        let fx_source = l.account(Owner::Platform, AccountKind::FxConversion, s).await?;
        let fx_target = l.account(Owner::Platform, AccountKind::FxConversion, t).await?;
        let start = two(TransferKind::Payout, s, available, fx_source, p.source.amount_minor)?;
        self.book(&format!("payout:{}:start", p.id), &start, &memo).await?;
        let convert = two(TransferKind::Conversion, t, fx_target, in_transit, p.amount.amount_minor)?;
        let rate = format!(
            "{memo}: {} at {}/{} ({}, spread {} bps)",
            p.source.currency, p.rate_numerator, p.rate_denominator, p.rate_source, p.spread_bps
        );
        self.book(&format!("payout:{}:convert", p.id), &convert, &rate).await?;
        Ok(())
    }

    /// The failed payout's money back to available, as it left (the same
    /// source amount: a failed conversion costs the creator nothing).
    async fn book_payout_return(&self, p: &Payout, user: i64) -> Result<()> {
        let l = self.store.ledger();
        let (s, t) = (p.source.currency, p.amount.currency);
        let available = l.account(Owner::User(user), AccountKind::CreatorAvailable, s).await?;
        let in_transit = l.account(Owner::User(user), AccountKind::PayoutsInTransit, t).await?;
        let memo = format!("payout {} failed: returned", p.id);
        if s == t {
            let back = two(TransferKind::PayoutReturned, s, in_transit, available, p.source.amount_minor)?;
            self.book(&format!("payout:{}:return", p.id), &back, &memo).await?;
            return Ok(());
        }
        let fx_source = l.account(Owner::Platform, AccountKind::FxConversion, s).await?;
        let fx_target = l.account(Owner::Platform, AccountKind::FxConversion, t).await?;
        let back = two(TransferKind::PayoutReturned, t, in_transit, fx_target, p.amount.amount_minor)?;
        self.book(&format!("payout:{}:return", p.id), &back, &memo).await?;
        let reconvert = two(TransferKind::Conversion, s, fx_source, available, p.source.amount_minor)?;
        self.book(&format!("payout:{}:return:source", p.id), &reconvert, &memo).await?;
        Ok(())
    }
}

fn two(kind: TransferKind, c: Currency, from: i64, to: i64, amount: i64) -> Result<Transfer> {
    Ok(Transfer::new(kind, c, vec![Posting::debit(from, amount), Posting::credit(to, amount)])?)
}

/// Whether a schedule calls for a payout at `now`, given the last one.
fn schedule_due(schedule: &str, last: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    match (schedule, last) {
        ("threshold", _) | ("weekly" | "monthly", None) => true,
        ("weekly", Some(at)) => now - at >= chrono::Duration::days(7),
        ("monthly", Some(at)) => (at.year(), at.month()) != (now.year(), now.month()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bank_details_are_checked_by_their_check_digits() {
        assert!(iban_valid("DE89 3704 0044 0532 0130 00"));
        assert!(iban_valid("GB82WEST12345698765432"));
        assert!(!iban_valid("DE89370400440532013001"), "one digit changed");
        assert!(!iban_valid("DE8937040044"), "too short");
        assert!(routing_valid("110000000"));
        assert!(routing_valid("021000021"));
        assert!(!routing_valid("021000022"));
        assert!(!routing_valid("12345678"));
        let (_, summary) = check_destination(&PayoutDestination::Iban {
            iban: "de89 3704 0044 0532 0130 00".into(),
            bic: "cobadeffxxx".into(),
            holder: "Ana Lima".into(),
        })
        .expect("valid");
        assert_eq!(summary, "IBAN DE89 •••• 3000");
        assert!(check_destination(&PayoutDestination::Paypal { email: "no-at-sign".into() }).is_err());
        assert!(check_destination(&PayoutDestination::StripeAccount { account: "acct_".into() }).is_err());
        // Multi-byte characters where ASCII is expected are refused, never sliced mid-character.
        assert!(!iban_valid("𐀀89370400440532013000"));
        assert!(!iban_valid("DÉ89370400440532013000"));
        let (_, summary) = check_destination(&PayoutDestination::Paypal { email: "élise@example.com".into() })
            .expect("an address with an accent");
        assert_eq!(summary, "PayPal é•••@example.com");
    }

    #[test]
    fn schedules_fall_due() {
        let now = DateTime::parse_from_rfc3339("2026-12-06T12:00:00Z").expect("time").with_timezone(&Utc);
        assert!(schedule_due("weekly", None, now));
        assert!(!schedule_due("weekly", Some(now - chrono::Duration::days(6)), now));
        assert!(schedule_due("weekly", Some(now - chrono::Duration::days(7)), now));
        assert!(!schedule_due("monthly", Some(now - chrono::Duration::days(3)), now));
        assert!(schedule_due("monthly", Some(now - chrono::Duration::days(6)), now), "November's payout");
        assert!(!schedule_due("manual", None, now));
    }
}

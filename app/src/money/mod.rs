//! Money: brands fund their wallets through the payment provider, contracts
//! hold their amount in escrow and release it per milestone to the creator
//! (less the platform's fee, per the brand's plan), earnings mature after a
//! hold period, and creators are paid out in their own currency.
//!
//! Every movement is a ledger transfer (`scout-ledger`'s rules, written by
//! `scout-store`) under an idempotency key derived from what caused it
//! (`funding:7`, `contract:12:release:0`, `mature:431`, `payout:9:start`),
//! so doing a step again — after a crash, a redelivered webhook, a retried
//! request — moves nothing twice. The contract is the source of truth for
//! escrow: [`Application::settle_contract_money`] books whatever its state
//! implies and has not been booked yet, after every step and in a sweep.

mod admin;
mod escrow;
mod invoices;
mod payouts;
mod reports;
mod wallet;

use std::sync::Arc;

use scout_domain::money::Currency;
use scout_ledger::{AccountKind, Accounts, Plan};
use scout_payments::{Provider, SandboxConfig, SandboxProvider};
use scout_store::Owner;

pub use escrow::ContractMoney;
pub use invoices::{BillingDetails, Buyer, InvoiceLineOut, invoice_number};
pub use payouts::{PayoutRun, PayoutSettingsInput};
pub use reports::{
    BookTotals, BrandSpend, Bucket, CreatorEarnings, EarningTotals, Mismatch, PlatformBooks, Reconciliation,
    SpendTotals,
};
pub use wallet::{Balances, FundingInput, OwnedBalance, WebhookOutcome};

use crate::Application;
use crate::error::{Internal, Result};
use crate::settings::PaymentSettings;

/// The provider `settings` name: Stripe, a sandbox bank at `sandbox_url`,
/// or one started in this process.
pub(crate) async fn connect_provider(settings: &PaymentSettings) -> Result<Arc<dyn Provider>> {
    match settings.provider.as_str() {
        "sandbox" => {}
        "stripe" => {
            let key = settings.stripe_secret_key.as_deref().filter(|k| k.starts_with("sk_")).ok_or_else(|| {
                crate::Error::Internal {
                    doing: "choosing the payment provider",
                    message: "payments.provider = \"stripe\" needs payments.stripe_secret_key (sk_…)".into(),
                }
            })?;
            tracing::info!(url = %settings.stripe_url, "payments through Stripe");
            return Ok(Arc::new(scout_payments::StripeProvider::new(
                &settings.stripe_url,
                key,
                settings.webhook_secrets.clone(),
            )));
        }
        other => {
            return Err(crate::Error::Internal {
                doing: "choosing the payment provider",
                message: format!("payments.provider is \"{other}\"; it is \"sandbox\" or \"stripe\""),
            });
        }
    }
    let url = match &settings.sandbox_url {
        Some(url) => url.clone(),
        None => {
            let config = SandboxConfig {
                api_key: settings.sandbox_api_key.clone(),
                webhook_secret: settings.webhook_secrets.first().cloned().unwrap_or_default(),
                settle_ms: settings.sandbox_settle_ms,
                delayed_ms: settings.sandbox_delayed_ms,
            };
            let url = scout_payments::sandbox::server::start(&settings.sandbox_listen, config)
                .await
                .internal("starting the sandbox bank")?;
            tracing::info!(%url, "sandbox bank started in this process");
            url
        }
    };
    Ok(Arc::new(SandboxProvider::new(&url, &settings.sandbox_api_key, settings.webhook_secrets.clone())))
}

/// The ledger owner of a provider's clearing accounts.
fn provider_owner(name: &str) -> Owner {
    Owner::Provider(match name {
        "sandbox" => 1,
        "stripe" => 2,
        _ => 9,
    })
}

impl Application {
    /// Tells the payment provider where Scout's webhook endpoint is
    /// (`base_url` is where this process is reached). `scout serve` calls it
    /// once it listens.
    pub async fn connect_payments(&self, base_url: &str) -> Result<()> {
        let url = format!("{}/v1/webhooks/{}", base_url.trim_end_matches('/'), self.provider.name());
        self.provider.register_webhook(&url).await?;
        tracing::info!(%url, provider = self.provider.name(), "payment webhooks registered");
        Ok(())
    }

    /// The fee a new contract of `org` carries, from its plan.
    pub(crate) async fn fee_bps_of(&self, org: i64) -> Result<u32> {
        let plan = self.store.payments().plan(org).await?;
        Ok(Plan::parse(&plan).unwrap_or(Plan::Starter).fee_bps())
    }

    /// The accounts one contract's money moves between, in its currency.
    pub(crate) async fn contract_accounts(
        &self,
        org: i64,
        contract: i64,
        creator: i64,
        c: Currency,
    ) -> Result<Accounts> {
        let l = self.store.ledger();
        Ok(Accounts {
            clearing: l.account(provider_owner(self.provider.name()), AccountKind::ProviderClearing, c).await?,
            wallet: l.account(Owner::Org(org), AccountKind::BrandWallet, c).await?,
            escrow: l.account(Owner::Contract(contract), AccountKind::Escrow, c).await?,
            pending: l.account(Owner::User(creator), AccountKind::CreatorPending, c).await?,
            available: l.account(Owner::User(creator), AccountKind::CreatorAvailable, c).await?,
            in_transit: l.account(Owner::User(creator), AccountKind::PayoutsInTransit, c).await?,
            fees: l.account(Owner::Platform, AccountKind::FeeRevenue, c).await?,
        })
    }

    /// Writes `transfer` under `key` at the marketplace's clock; its id.
    pub(crate) async fn book(&self, key: &str, transfer: &scout_ledger::Transfer, memo: &str) -> Result<i64> {
        let fp = scout_ledger::fingerprint(transfer);
        let posted = self.ledger_writer.post(key, &fp, transfer, memo, self.clock.now()).await?;
        Ok(posted.transfer_id)
    }

    /// Background money work once a minute, for as long as the process
    /// lives: contracts waiting for funding are funded when the wallet
    /// allows, contract steps whose money was not booked (a crash between
    /// the two) are booked, referral rewards fee revenue could not cover
    /// yet are paid, earnings past their hold mature, open fundings
    /// and payouts are asked about, and scheduled payouts run.
    pub fn start_money_worker(&self) -> tokio::task::JoinHandle<()> {
        let app = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(e) = app.money_sweep().await {
                    tracing::warn!(error = %e, "the money sweep failed; retrying in a minute");
                }
            }
        })
    }

    /// One pass of [`Application::start_money_worker`]'s work.
    pub async fn money_sweep(&self) -> Result<()> {
        let booked = self.settle_contracts_in_flight().await?;
        let rewards = self.pay_unpaid_referral_rewards().await?;
        let matured = self.mature_due().await?;
        let run = self.run_payouts(false).await?;
        if booked + rewards + matured + run.paid + run.failed + run.started > 0 {
            tracing::info!(booked, rewards, matured, ?run, "money sweep");
        }
        Ok(())
    }
}

//! A contract's money: the escrow funded from the brand's wallet once both
//! have signed, each settled milestone released (less the fee) or refunded,
//! the unreleased rest refunded on cancellation, and earnings maturing from
//! pending to available after the hold period.
//!
//! The contract's recorded state says what must have moved; the ledger's
//! keys say what has. [`Application::settle_contract_money`] books the
//! difference, so it can run after every step, again after a crash, or from
//! the sweep, and never moves anything twice.

use scout_domain::money::Money;
use scout_market::{Actor, ContractStatus, MilestoneStatus, Resolution};
use scout_store::{ContractStep, StoredContract, Viewer};
use serde::Serialize;

use crate::Application;
use crate::campaigns::RETRIES;
use crate::error::Result;

/// A contract's money, for its parties.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContractMoney {
    /// The platform's fee on each released amount, in basis points, as signed.
    pub fee_bps: u32,
    /// "10%".
    pub fee_percent: String,
    /// The fee on the whole contract, and what the creator receives of it.
    #[schema(value_type = scout_domain::money::MoneyAmount)]
    pub fee_total: Money,
    #[schema(value_type = scout_domain::money::MoneyAmount)]
    pub creator_receives: Money,
    /// What the escrow holds now.
    #[schema(value_type = scout_domain::money::MoneyAmount)]
    pub in_escrow: Money,
    /// Released to the creator so far (before the fee), and refunded to the brand.
    #[schema(value_type = scout_domain::money::MoneyAmount)]
    pub released: Money,
    #[schema(value_type = scout_domain::money::MoneyAmount)]
    pub refunded: Money,
    /// For a contract awaiting funding: what the brand's wallet lacks, and what to do.
    #[schema(value_type = Option<scout_domain::money::MoneyAmount>)]
    pub shortfall: Option<Money>,
    pub message: Option<String>,
}

impl Application {
    /// What contract `k`'s money looks like now.
    pub async fn contract_money(&self, k: &StoredContract) -> Result<ContractMoney> {
        let total = k.contract.total();
        let c = total.currency;
        let fee_total: i64 = k
            .contract
            .milestones
            .iter()
            .map(|m| scout_ledger::fee_of(m.amount.amount_minor, k.fee_bps).unwrap_or(0))
            .sum();
        let (mut released, mut refunded) = (0, 0);
        for m in &k.contract.milestones {
            match (m.status, m.resolution) {
                (MilestoneStatus::Approved, _) | (MilestoneStatus::Resolved, Some(Resolution::Release)) => {
                    released += m.amount.amount_minor
                }
                (MilestoneStatus::Resolved, _) => {
                    let share = m.creator_share_minor.unwrap_or(0);
                    released += share;
                    refunded += m.amount.amount_minor - share;
                }
                _ => {}
            }
        }
        if k.contract.status == ContractStatus::Cancelled && k.contract.funded {
            refunded += k.contract.unreleased();
        }
        let in_escrow = if k.contract.funded { total.amount_minor - released - refunded } else { 0 };
        let (shortfall, message) = if k.contract.status == ContractStatus::AwaitingFunding {
            let wallet = self.wallet_balance(k.org_id, c).await?;
            let lacking = (total.amount_minor - wallet).max(0);
            let text = if lacking > 0 {
                format!(
                    "Both sides signed. The brand's wallet holds {} of the {} this contract needs: fund it with {} more and the contract starts as soon as the money arrives.",
                    scout_market::amount_text(Money::new(wallet, c)),
                    scout_market::amount_text(total),
                    scout_market::amount_text(Money::new(lacking, c)),
                )
            } else {
                "Both sides signed; the escrow is being funded from the brand's wallet.".to_string()
            };
            (Some(Money::new(lacking, c)), Some(text))
        } else {
            (None, None)
        };
        Ok(ContractMoney {
            fee_bps: k.fee_bps,
            fee_percent: scout_ledger::percent_text(k.fee_bps),
            fee_total: Money::new(fee_total, c),
            creator_receives: Money::new(total.amount_minor - fee_total, c),
            in_escrow: Money::new(in_escrow, c),
            released: Money::new(released, c),
            refunded: Money::new(refunded, c),
            shortfall,
            message,
        })
    }

    /// Books whatever contract `id`'s state implies and the ledger lacks:
    /// the escrow hold for a contract awaiting funding (when the wallet
    /// holds enough: then the contract starts), each settled milestone's
    /// release, refund or split, and a cancelled contract's refund. Returns
    /// how many transfers it wrote.
    pub async fn settle_contract_money(&self, id: i64) -> Result<usize> {
        let k = self.store.market().contract(id, Viewer::Admin).await?;
        let Some(creator) = k.creator_id else {
            tracing::warn!(contract = id, "the contract's creator account is gone: its money stays where it is");
            return Ok(0);
        };
        let c = k.contract.total().currency;
        let a = self.contract_accounts(k.org_id, k.id, creator, c).await?;
        let mut booked = 0;
        if k.contract.status == ContractStatus::AwaitingFunding {
            let hold = a.hold(c, k.contract.total().amount_minor)?;
            match self.book(&format!("contract:{id}:hold"), &hold, &format!("contract {id}: escrow")).await {
                Ok(_) => {}
                Err(crate::Error::Store(scout_store::Error::Ledger(scout_ledger::Error::InsufficientFunds {
                    ..
                }))) => {
                    return Ok(0);
                }
                Err(e) => return Err(e),
            }
            self.contract_funded(id).await?;
            return Ok(1);
        }
        if !k.contract.funded {
            // Cancelled between a hold and its record (a crash there): the hold goes back.
            let held = self.store.ledger().transfer_by_key(&format!("contract:{id}:hold")).await?.is_some();
            let key = format!("contract:{id}:refund:rest");
            if k.contract.status == ContractStatus::Cancelled
                && held
                && self.store.ledger().transfer_by_key(&key).await?.is_none()
            {
                let refund = a.refund(c, k.contract.total().amount_minor)?;
                self.book(&key, &refund, &format!("contract {id}: cancelled, escrow refunded")).await?;
                return Ok(1);
            }
            return Ok(0);
        }
        for (i, m) in k.contract.milestones.iter().enumerate() {
            let amount = m.amount.amount_minor;
            let (key, transfer) = match (m.status, m.resolution) {
                (MilestoneStatus::Approved, _) | (MilestoneStatus::Resolved, Some(Resolution::Release)) => {
                    (format!("contract:{id}:release:{i}"), a.release(c, amount, k.fee_bps)?)
                }
                (MilestoneStatus::Resolved, Some(Resolution::Refund)) => {
                    (format!("contract:{id}:refund:{i}"), a.refund(c, amount)?)
                }
                (MilestoneStatus::Resolved, Some(Resolution::Split)) => {
                    let share = m.creator_share_minor.unwrap_or(0);
                    (format!("contract:{id}:split:{i}"), a.split(c, amount, share, k.fee_bps)?)
                }
                _ => continue,
            };
            if self.store.ledger().transfer_by_key(&key).await?.is_none() {
                self.book(&key, &transfer, &format!("contract {id}: {}", m.title)).await?;
                booked += 1;
            }
            let released = match m.resolution {
                Some(Resolution::Refund) => 0,
                Some(Resolution::Split) => m.creator_share_minor.unwrap_or(0),
                _ => amount,
            };
            if released > 0 && !self.store.payments().has_invoice(&key).await? {
                self.invoice_for_release(&k, i, released, &key).await?;
            }
        }
        if k.contract.status == ContractStatus::Cancelled && k.contract.unreleased() > 0 {
            let key = format!("contract:{id}:refund:rest");
            if self.store.ledger().transfer_by_key(&key).await?.is_none() {
                let refund = a.refund(c, k.contract.unreleased())?;
                self.book(&key, &refund, &format!("contract {id}: cancelled, escrow refunded")).await?;
                booked += 1;
            }
        }
        if booked > 0 && self.settings.payments.hold_days == 0 {
            // Without a hold period, released earnings are available at once.
            self.mature_due().await?;
        }
        Ok(booked)
    }

    /// The escrow of contract `id` is funded: the contract becomes active,
    /// its campaign starts, both sides are told.
    async fn contract_funded(&self, id: i64) -> Result<()> {
        for _ in 0..RETRIES {
            let k = self.store.market().contract(id, Viewer::Admin).await?;
            if k.contract.status != ContractStatus::AwaitingFunding {
                return Ok(());
            }
            let mut after = k.contract.clone();
            after.funded(Actor::System)?;
            let step = ContractStep {
                kind: "fund",
                milestone: None,
                actor: "system",
                by: None,
                detail: "the escrow holds the contract's total",
                signature: None,
                submission: None,
            };
            match self.store.market().record_contract(id, k.revision, &after, step).await {
                Err(scout_store::Error::Stale { .. }) => continue,
                Err(e) => return Err(e.into()),
                Ok(()) => {
                    self.start_campaign_of(id).await?;
                    let k = self.store.market().contract(id, Viewer::Admin).await?;
                    let total = scout_market::amount_text(k.contract.total());
                    self.tell_contract(&k, None, "funded", |c, _| {
                        format!("{total} is in escrow for {c}: the work can start")
                    })
                    .await;
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// Funds, oldest first, the contracts waiting for `org`'s wallet (or
    /// every organisation's); how many started.
    pub(crate) async fn fund_waiting_contracts(&self, org: Option<i64>) -> Result<usize> {
        let mut started = 0;
        for id in self.store.market().contracts_awaiting_funding(org).await? {
            started += self.settle_contract_money(id).await?;
        }
        Ok(started)
    }

    /// The sweep's part for contracts: waiting ones funded when they can
    /// be, and the money of funded contracts changed in the last day
    /// checked against the ledger.
    pub(crate) async fn settle_contracts_in_flight(&self) -> Result<usize> {
        let mut booked = self.fund_waiting_contracts(None).await?;
        let since = chrono::Utc::now() - chrono::Duration::days(1);
        for id in self.store.market().funded_contracts_since(since).await? {
            booked += self.settle_contract_money(id).await?;
        }
        Ok(booked)
    }

    /// Moves earnings whose hold period has passed (on the marketplace's
    /// clock) from pending to available; how many credits matured.
    pub async fn mature_due(&self) -> Result<usize> {
        let hold = chrono::Duration::days(i64::from(self.settings.payments.hold_days));
        let cutoff = self.clock.now() - hold;
        let mut matured = 0;
        loop {
            let due = self.store.ledger().maturing(cutoff, 500).await?;
            if due.is_empty() {
                return Ok(matured);
            }
            for m in due {
                let l = self.store.ledger();
                let available = l
                    .account(
                        scout_store::Owner::User(m.user_id),
                        scout_ledger::AccountKind::CreatorAvailable,
                        m.currency,
                    )
                    .await?;
                let a = scout_ledger::Accounts {
                    clearing: 0,
                    wallet: 0,
                    escrow: 0,
                    pending: m.pending_account,
                    available,
                    in_transit: 0,
                    fees: 0,
                };
                let transfer = a.mature(m.currency, m.amount_minor)?;
                let memo = format!("earnings of transfer {} available", m.transfer_id);
                self.book(&format!("mature:{}", m.transfer_id), &transfer, &memo).await?;
                matured += 1;
                self.tell_user(
                    m.user_id,
                    "earnings_available",
                    &format!(
                        "{} of your earnings can be paid out now",
                        scout_market::amount_text(Money::new(m.amount_minor, m.currency))
                    ),
                    "/earnings",
                )
                .await;
            }
        }
    }
}

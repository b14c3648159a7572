//! Money dashboards, read from the ledger: a brand's spend (funded, in
//! escrow, released, refunded; by campaign, currency and month), a
//! creator's earnings (pending, available, paid; by month, currency and
//! brand), and the platform's books (fee revenue, what Scout owes against
//! the cash it holds at providers, and a reconciliation of the ledger
//! against the provider's settlements that lists every mismatch).

use std::collections::{BTreeMap, HashMap};

use scout_domain::money::{Currency, Money};
use scout_domain::org::Scope;
use scout_ledger::AccountKind;
use scout_store::{Owner, ReportPosting, Viewer};
use serde::Serialize;

use crate::Application;
use crate::access::{Acting, Caller};
use crate::error::Result;

/// One figure of a breakdown: a month (`2026-12`), a campaign or a brand.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Bucket {
    /// The month, campaign name or brand name.
    pub key: String,
    /// The campaign's or brand's id, when the bucket is one.
    pub id: Option<i64>,
    #[schema(value_type = scout_domain::money::MoneyAmount)]
    pub amount: Money,
}

/// What a brand paid in and where it went.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BrandSpend {
    /// Per currency: paid into the wallet, now in escrow, released to creators, refunded to the wallet, left in the wallet.
    pub totals: Vec<SpendTotals>,
    /// Released per month and currency.
    pub released_by_month: Vec<Bucket>,
    /// Released per campaign (and currency).
    pub released_by_campaign: Vec<Bucket>,
    /// Funded per month and currency.
    pub funded_by_month: Vec<Bucket>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SpendTotals {
    pub currency: String,
    pub funded: i64,
    pub in_escrow: i64,
    pub released: i64,
    pub refunded: i64,
    pub wallet: i64,
}

/// What a creator earned and was paid.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CreatorEarnings {
    /// Per currency: pending, available, in transit now, and earned and paid out ever.
    pub totals: Vec<EarningTotals>,
    /// Earned (released to them, after the fee) per month and currency.
    pub earned_by_month: Vec<Bucket>,
    /// Earned per brand.
    pub earned_by_brand: Vec<Bucket>,
    /// Paid out per month, in the payout currency.
    pub paid_by_month: Vec<Bucket>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EarningTotals {
    pub currency: String,
    pub pending: i64,
    pub available: i64,
    pub in_transit: i64,
    pub earned: i64,
    pub paid: i64,
}

/// The platform's books per currency: what it owes against the cash it holds.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlatformBooks {
    pub currencies: Vec<BookTotals>,
    /// Ledger against the provider's settlements: each difference.
    pub reconciliation: Reconciliation,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BookTotals {
    pub currency: String,
    pub fee_revenue: i64,
    pub wallets: i64,
    pub escrow: i64,
    pub pending: i64,
    pub available: i64,
    pub in_transit: i64,
    /// wallets + escrow + pending + available + in transit.
    pub liabilities: i64,
    /// Cash at providers, from their clearing accounts.
    pub cash_at_providers: i64,
    /// The conversion desk's position (money converted into this currency counts negative).
    pub fx_position: i64,
    /// cash − liabilities − fee revenue − fx position: zero when the books hold.
    pub difference: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Reconciliation {
    pub provider: String,
    /// Settlements the provider reported.
    pub provider_settlements: usize,
    /// Movements Scout's ledger holds for it.
    pub ledger_movements: usize,
    pub mismatches: Vec<Mismatch>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Mismatch {
    pub provider_ref: String,
    /// `missing_in_ledger`, `missing_at_provider` or `amount_differs`.
    pub kind: String,
    pub ledger_minor: Option<i64>,
    pub provider_minor: Option<i64>,
    pub currency: String,
}

fn month(p: &ReportPosting) -> String {
    p.at.format("%Y-%m").to_string()
}

fn buckets(map: BTreeMap<(String, Currency), (Option<i64>, i64)>) -> Vec<Bucket> {
    map.into_iter().map(|((key, c), (id, amount))| Bucket { key, id, amount: Money::new(amount, c) }).collect()
}

fn add(map: &mut BTreeMap<(String, Currency), (Option<i64>, i64)>, key: String, id: Option<i64>, c: Currency, v: i64) {
    let e = map.entry((key, c)).or_insert((id, 0));
    e.1 += v;
}

impl Application {
    /// The acting organisation's spend.
    pub async fn brand_spend(&self, acting: &Acting) -> Result<BrandSpend> {
        acting.caller.require(Scope::PaymentsRead)?;
        let l = self.store.ledger();
        let wallets = l.accounts_of(Owner::Org(acting.org.id)).await?;
        let escrows = l.escrows_of_org(acting.org.id).await?;
        let mut ids: Vec<i64> = wallets.iter().map(|a| a.id).collect();
        ids.extend(escrows.iter().map(|e| e.account.id));
        let postings = l.report_postings(&ids).await?;
        // Contract → campaign (id, name).
        let mut campaign_of: HashMap<i64, (i64, String)> = HashMap::new();
        for k in self.store.market().contracts(Viewer::Org(acting.org.id), None, 0, 500).await? {
            let name = self.store.market().campaign(k.campaign_id).await.map(|c| c.spec.name).unwrap_or_default();
            campaign_of.insert(k.id, (k.campaign_id, name));
        }
        let escrow_contract: HashMap<i64, i64> = escrows.iter().map(|e| (e.account.id, e.owner_id)).collect();
        let wallet_ids: Vec<i64> =
            wallets.iter().filter(|a| a.kind == AccountKind::BrandWallet).map(|a| a.id).collect();
        let mut totals: BTreeMap<Currency, SpendTotals> = BTreeMap::new();
        let mut by_month = BTreeMap::new();
        let mut by_campaign = BTreeMap::new();
        let mut funded_by_month = BTreeMap::new();
        for p in &postings {
            let t = totals.entry(p.currency).or_insert_with(|| SpendTotals {
                currency: p.currency.as_str().into(),
                funded: 0,
                in_escrow: 0,
                released: 0,
                refunded: 0,
                wallet: 0,
            });
            let on_wallet = wallet_ids.contains(&p.account_id);
            match (p.transfer_kind.as_str(), p.credit, on_wallet, escrow_contract.get(&p.account_id)) {
                ("funding", true, true, _) => {
                    t.funded += p.amount_minor;
                    add(&mut funded_by_month, month(p), None, p.currency, p.amount_minor);
                }
                // Money leaving an escrow for the creator or the fee: released.
                ("release", false, false, Some(contract)) => {
                    // The transfer's refunded part (a split) is credited back to the wallet below.
                    let back: i64 = postings
                        .iter()
                        .filter(|q| q.transfer_id == p.transfer_id && q.credit && wallet_ids.contains(&q.account_id))
                        .map(|q| q.amount_minor)
                        .sum();
                    let released = p.amount_minor - back;
                    t.released += released;
                    add(&mut by_month, month(p), None, p.currency, released);
                    let (cid, name) = campaign_of.get(contract).cloned().unwrap_or((0, format!("contract {contract}")));
                    add(&mut by_campaign, name, Some(cid), p.currency, released);
                }
                ("refund" | "release", true, true, _) => t.refunded += p.amount_minor,
                _ => {}
            }
        }
        for w in wallets.iter().filter(|a| a.kind == AccountKind::BrandWallet) {
            let t = totals.entry(w.currency).or_insert_with(|| SpendTotals {
                currency: w.currency.as_str().into(),
                funded: 0,
                in_escrow: 0,
                released: 0,
                refunded: 0,
                wallet: 0,
            });
            t.wallet += i64::try_from(w.balance()).unwrap_or(0);
        }
        for e in &escrows {
            if let Some(t) = totals.get_mut(&e.account.currency) {
                t.in_escrow += i64::try_from(e.account.balance()).unwrap_or(0);
            }
        }
        Ok(BrandSpend {
            totals: totals.into_values().collect(),
            released_by_month: buckets(by_month),
            released_by_campaign: buckets(by_campaign),
            funded_by_month: buckets(funded_by_month),
        })
    }

    /// The caller's earnings.
    pub async fn creator_earnings(&self, caller: &Caller) -> Result<CreatorEarnings> {
        let l = self.store.ledger();
        let mine = l.accounts_of(Owner::User(caller.id())).await?;
        let postings = l.report_postings(&mine.iter().map(|a| a.id).collect::<Vec<_>>()).await?;
        let pending_ids: Vec<i64> =
            mine.iter().filter(|a| a.kind == AccountKind::CreatorPending).map(|a| a.id).collect();
        let mut totals: BTreeMap<Currency, EarningTotals> = BTreeMap::new();
        let entry = |t: &mut BTreeMap<Currency, EarningTotals>, c: Currency| {
            t.entry(c).or_insert_with(|| EarningTotals {
                currency: c.as_str().into(),
                pending: 0,
                available: 0,
                in_transit: 0,
                earned: 0,
                paid: 0,
            });
        };
        let mut by_month = BTreeMap::new();
        let mut by_brand = BTreeMap::new();
        let mut brand_name: HashMap<i64, (i64, String)> = HashMap::new();
        for p in postings.iter().filter(|p| p.credit && pending_ids.contains(&p.account_id)) {
            entry(&mut totals, p.currency);
            if let Some(t) = totals.get_mut(&p.currency) {
                t.earned += p.amount_minor;
            }
            add(&mut by_month, month(p), None, p.currency, p.amount_minor);
            // The escrow the money came from names the contract, hence the brand.
            let contract = postings
                .iter()
                .find(|q| q.transfer_id == p.transfer_id && q.account_kind == AccountKind::Escrow)
                .map(|q| q.owner_id);
            let (id, name) = match contract {
                Some(k) => match brand_name.get(&k) {
                    Some(b) => b.clone(),
                    None => {
                        let org = self.store.market().contract(k, Viewer::Admin).await.map(|k| k.org_id).unwrap_or(0);
                        let name = self.store.orgs().organisation(org).await?.map(|o| o.name).unwrap_or_default();
                        brand_name.insert(k, (org, name.clone()));
                        (org, name)
                    }
                },
                None => (0, "Referral rewards".to_string()),
            };
            add(&mut by_brand, name, Some(id), p.currency, p.amount_minor);
        }
        for a in &mine {
            entry(&mut totals, a.currency);
            if let Some(t) = totals.get_mut(&a.currency) {
                let b = i64::try_from(a.balance()).unwrap_or(0);
                match a.kind {
                    AccountKind::CreatorPending => t.pending += b,
                    AccountKind::CreatorAvailable => t.available += b,
                    AccountKind::PayoutsInTransit => t.in_transit += b,
                    _ => {}
                }
            }
        }
        let mut paid_by_month = BTreeMap::new();
        for p in self.store.payments().payouts_of(caller.id(), 0, 500).await? {
            if p.status == "paid" {
                entry(&mut totals, p.amount.currency);
                if let Some(t) = totals.get_mut(&p.amount.currency) {
                    t.paid += p.amount.amount_minor;
                }
                let at = p.paid_at.unwrap_or(p.created_at).format("%Y-%m").to_string();
                add(&mut paid_by_month, at, None, p.amount.currency, p.amount.amount_minor);
            }
        }
        Ok(CreatorEarnings {
            totals: totals.into_values().collect(),
            earned_by_month: buckets(by_month),
            earned_by_brand: buckets(by_brand),
            paid_by_month: buckets(paid_by_month),
        })
    }

    /// The platform's books and the reconciliation against the provider (admins).
    pub async fn platform_books(&self, caller: &Caller) -> Result<PlatformBooks> {
        caller.require_platform_admin()?;
        let l = self.store.ledger();
        let mut books: BTreeMap<Currency, BookTotals> = BTreeMap::new();
        for kind in AccountKind::ALL {
            for owned in l.accounts_of_kind(kind).await? {
                let a = owned.account;
                let b = i64::try_from(a.balance()).unwrap_or(0);
                let t = books.entry(a.currency).or_insert_with(|| BookTotals {
                    currency: a.currency.as_str().into(),
                    fee_revenue: 0,
                    wallets: 0,
                    escrow: 0,
                    pending: 0,
                    available: 0,
                    in_transit: 0,
                    liabilities: 0,
                    cash_at_providers: 0,
                    fx_position: 0,
                    difference: 0,
                });
                match kind {
                    AccountKind::BrandWallet => t.wallets += b,
                    AccountKind::Escrow => t.escrow += b,
                    AccountKind::CreatorPending => t.pending += b,
                    AccountKind::CreatorAvailable => t.available += b,
                    AccountKind::PayoutsInTransit => t.in_transit += b,
                    AccountKind::FeeRevenue => t.fee_revenue += b,
                    AccountKind::ProviderClearing => t.cash_at_providers += b,
                    AccountKind::FxConversion => t.fx_position += b,
                    AccountKind::ReferralRewards => t.fee_revenue -= b,
                }
            }
        }
        for t in books.values_mut() {
            t.liabilities = t.wallets + t.escrow + t.pending + t.available + t.in_transit;
            t.difference = t.cash_at_providers - t.liabilities - t.fee_revenue - t.fx_position;
        }
        Ok(PlatformBooks { currencies: books.into_values().collect(), reconciliation: self.reconcile().await? })
    }

    /// The ledger's provider movements (settled fundings, paid payouts)
    /// against the provider's settlements, by the provider's reference.
    pub async fn reconcile(&self) -> Result<Reconciliation> {
        let provider = self.provider.name();
        let settlements = self.provider.settlements().await?;
        // Scout's side: settled fundings (+) and paid payouts (−) at this provider.
        let mut ours: BTreeMap<String, (i64, String)> = BTreeMap::new();
        for f in self.store.payments().fundings_of_provider(provider).await? {
            if let (Some(r), "succeeded") = (&f.provider_ref, f.status.as_str()) {
                ours.insert(r.clone(), (f.amount.amount_minor, f.amount.currency.as_str().into()));
            }
        }
        for p in self.store.payments().all_payouts().await? {
            if let (Some(r), "paid", true) = (&p.provider_ref, p.status.as_str(), p.provider == provider) {
                ours.insert(r.clone(), (-p.amount.amount_minor, p.amount.currency.as_str().into()));
            }
        }
        let theirs: BTreeMap<String, (i64, String)> = settlements
            .iter()
            .filter(|s| s.amount_minor != 0)
            .map(|s| (s.provider_ref.clone(), (s.amount_minor, s.currency.clone())))
            .collect();
        let mut mismatches = Vec::new();
        for (r, (amount, c)) in &ours {
            match theirs.get(r) {
                None => mismatches.push(Mismatch {
                    provider_ref: r.clone(),
                    kind: "missing_at_provider".into(),
                    ledger_minor: Some(*amount),
                    provider_minor: None,
                    currency: c.clone(),
                }),
                Some((theirs, _)) if theirs != amount => mismatches.push(Mismatch {
                    provider_ref: r.clone(),
                    kind: "amount_differs".into(),
                    ledger_minor: Some(*amount),
                    provider_minor: Some(*theirs),
                    currency: c.clone(),
                }),
                Some(_) => {}
            }
        }
        for (r, (amount, c)) in &theirs {
            if !ours.contains_key(r) {
                mismatches.push(Mismatch {
                    provider_ref: r.clone(),
                    kind: "missing_in_ledger".into(),
                    ledger_minor: None,
                    provider_minor: Some(*amount),
                    currency: c.clone(),
                });
            }
        }
        Ok(Reconciliation {
            provider: provider.into(),
            provider_settlements: theirs.len(),
            ledger_movements: ours.len(),
            mismatches,
        })
    }
}

//! The money's paths, as transfers between the accounts of one contract's
//! parties: funding a wallet, holding a contract's amount in escrow,
//! releasing a milestone (the creator's share to pending, the platform's fee
//! to revenue), maturing pending earnings, refunding escrow, settling a
//! dispute in part to each side, paying out and the provider's answer, and a
//! referral reward from fee revenue. Each builds a checked [`Transfer`]; the
//! store applies it under the accounts' limits.

use scout_domain::money::Currency;

use crate::error::{Error, Result};
use crate::transfer::{Posting, Transfer, TransferKind};

/// The accounts money moves between, for one brand, one creator and one
/// contract, in one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accounts {
    pub clearing: i64,
    pub wallet: i64,
    pub escrow: i64,
    pub pending: i64,
    pub available: i64,
    pub in_transit: i64,
    pub fees: i64,
}

/// The platform's fee on `amount_minor` at `fee_bps` basis points, rounded
/// half to even to the minor unit (never more than the amount).
pub fn fee_of(amount_minor: i64, fee_bps: u32) -> Result<i64> {
    if fee_bps > 10_000 || amount_minor < 0 {
        return Err(Error::Rate(format!("a fee of {fee_bps} basis points on {amount_minor}")));
    }
    let num = i128::from(amount_minor) * i128::from(fee_bps);
    let (q, r) = (num / 10_000, num % 10_000);
    let fee = match (2 * r).cmp(&10_000) {
        std::cmp::Ordering::Less => q,
        std::cmp::Ordering::Greater => q + 1,
        std::cmp::Ordering::Equal => q + (q & 1),
    };
    i64::try_from(fee).map_err(|_| Error::Overflow)
}

fn two(kind: TransferKind, currency: Currency, from: i64, to: i64, amount: i64) -> Result<Transfer> {
    Transfer::new(kind, currency, vec![Posting::debit(from, amount), Posting::credit(to, amount)])
}

impl Accounts {
    /// Money in through a provider: cash at the provider, owed to the brand.
    pub fn fund(&self, currency: Currency, amount: i64) -> Result<Transfer> {
        two(TransferKind::Funding, currency, self.clearing, self.wallet, amount)
    }

    /// Both signed: the contract's amount leaves the wallet for escrow.
    pub fn hold(&self, currency: Currency, amount: i64) -> Result<Transfer> {
        two(TransferKind::EscrowHold, currency, self.wallet, self.escrow, amount)
    }

    /// A milestone approved: its amount leaves escrow, the fee to revenue and
    /// the rest to the creator's pending balance (a zero fee is no posting).
    pub fn release(&self, currency: Currency, amount: i64, fee_bps: u32) -> Result<Transfer> {
        let fee = fee_of(amount, fee_bps)?;
        let mut postings = vec![Posting::debit(self.escrow, amount)];
        if amount - fee > 0 {
            postings.push(Posting::credit(self.pending, amount - fee));
        }
        if fee > 0 {
            postings.push(Posting::credit(self.fees, fee));
        }
        Transfer::new(TransferKind::Release, currency, postings)
    }

    /// The hold period is over: pending earnings become available.
    pub fn mature(&self, currency: Currency, amount: i64) -> Result<Transfer> {
        two(TransferKind::Mature, currency, self.pending, self.available, amount)
    }

    /// Escrow back to the brand (a refunded milestone, a cancelled contract).
    pub fn refund(&self, currency: Currency, amount: i64) -> Result<Transfer> {
        two(TransferKind::Refund, currency, self.escrow, self.wallet, amount)
    }

    /// A disputed milestone settled: `to_creator` released (less the fee),
    /// the rest of `amount` refunded, in one transfer.
    pub fn split(&self, currency: Currency, amount: i64, to_creator: i64, fee_bps: u32) -> Result<Transfer> {
        if !(0..=amount).contains(&to_creator) {
            return Err(Error::Amount { index: 0 });
        }
        let fee = fee_of(to_creator, fee_bps)?;
        let mut postings = vec![Posting::debit(self.escrow, amount)];
        for (account, part) in [(self.pending, to_creator - fee), (self.fees, fee), (self.wallet, amount - to_creator)]
        {
            if part > 0 {
                postings.push(Posting::credit(account, part));
            }
        }
        Transfer::new(TransferKind::Release, currency, postings)
    }

    /// A payout starts: available earnings on their way.
    pub fn pay_out(&self, currency: Currency, amount: i64) -> Result<Transfer> {
        two(TransferKind::Payout, currency, self.available, self.in_transit, amount)
    }

    /// The provider confirmed the payout: the money left Scout's cash.
    pub fn settle(&self, currency: Currency, amount: i64) -> Result<Transfer> {
        two(TransferKind::PayoutSettled, currency, self.in_transit, self.clearing, amount)
    }

    /// The payout failed: the money is available again.
    pub fn returned(&self, currency: Currency, amount: i64) -> Result<Transfer> {
        two(TransferKind::PayoutReturned, currency, self.in_transit, self.available, amount)
    }

    /// A referral reward, paid out of fee revenue (never more than it holds)
    /// to the referrer's pending balance.
    pub fn reward(&self, currency: Currency, amount: i64) -> Result<Transfer> {
        two(TransferKind::ReferralReward, currency, self.fees, self.pending, amount)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::account::{AccountKind, AccountRef};
    use crate::idempotency::{Replay, fingerprint, replay};
    use crate::transfer::check_limits;

    const EUR: Currency = Currency::EUR;

    fn book() -> (Accounts, Vec<AccountRef>) {
        let kinds = [
            AccountKind::ProviderClearing,
            AccountKind::BrandWallet,
            AccountKind::Escrow,
            AccountKind::CreatorPending,
            AccountKind::CreatorAvailable,
            AccountKind::PayoutsInTransit,
            AccountKind::FeeRevenue,
        ];
        let refs = kinds
            .iter()
            .enumerate()
            .map(|(i, kind)| AccountRef { id: i as i64, kind: *kind, currency: EUR, debits_minor: 0, credits_minor: 0 })
            .collect();
        let a = Accounts { clearing: 0, wallet: 1, escrow: 2, pending: 3, available: 4, in_transit: 5, fees: 6 };
        (a, refs)
    }

    #[test]
    fn fees_round_half_to_even_and_a_release_splits_exactly() {
        assert_eq!(fee_of(10_000, 1_000).expect("fee"), 1_000);
        assert_eq!(fee_of(5, 1_000).expect("fee"), 0); // 0.5 → 0
        assert_eq!(fee_of(15, 1_000).expect("fee"), 2); // 1.5 → 2
        assert_eq!(fee_of(25, 1_000).expect("fee"), 2); // 2.5 → 2
        assert!(fee_of(100, 10_001).is_err());
        let (a, _) = book();
        let t = a.release(EUR, 33_333, 1_250).expect("release");
        let credits: Vec<i64> = t.postings.iter().skip(1).map(|p| p.amount_minor).collect();
        assert_eq!(credits, vec![29_166, 4_167], "the fee is 4,166.625 → 4,167; the creator gets the rest");
        assert_eq!(t.total_minor(), 33_333);
        let s = a.split(EUR, 10_000, 6_000, 1_000).expect("split");
        let parts: Vec<(i64, i64)> = s.postings.iter().skip(1).map(|p| (p.account, p.amount_minor)).collect();
        assert_eq!(parts, vec![(a.pending, 5_400), (a.fees, 600), (a.wallet, 4_000)]);
        assert!(a.split(EUR, 10_000, 10_001, 0).is_err());
    }

    /// One step of the money's life, as random input.
    #[derive(Debug, Clone)]
    enum Step {
        Fund(i64),
        Hold(i64),
        Release(i64, u32),
        Split(i64, i64),
        Mature(i64),
        Refund(i64),
        PayOut(i64),
        Settle(i64),
        Return(i64),
        Reward(i64),
        /// The previous step's request again, with its key.
        Retry,
    }

    fn step() -> impl Strategy<Value = Step> {
        let amount = 1i64..50_000;
        prop_oneof![
            amount.clone().prop_map(Step::Fund),
            amount.clone().prop_map(Step::Hold),
            (amount.clone(), 0u32..3_000).prop_map(|(a, f)| Step::Release(a, f)),
            (amount.clone(), 0i64..50_000).prop_map(|(a, c)| Step::Split(a, c)),
            amount.clone().prop_map(Step::Mature),
            amount.clone().prop_map(Step::Refund),
            amount.clone().prop_map(Step::PayOut),
            amount.clone().prop_map(Step::Settle),
            amount.clone().prop_map(Step::Return),
            amount.prop_map(Step::Reward),
            Just(Step::Retry),
        ]
    }

    proptest! {
        /// Random fundings, holds, releases, disputes settled in part,
        /// refunds, payouts with either answer, rewards and retried requests:
        /// after each step every transfer balanced, no account broke its
        /// limit, the money owed equals the cash at the provider, and a
        /// retried key changed nothing.
        #[test]
        fn random_money_flows_keep_every_invariant(steps in prop::collection::vec(step(), 1..80)) {
            let (a, mut accounts) = book();
            let mut keys: Vec<(String, String, usize)> = Vec::new(); // key, fingerprint, transfers after it
            let mut written = 0usize;
            let mut last: Option<(String, String, Transfer)> = None;
            for (i, s) in steps.iter().enumerate() {
                let (key, print, t) = match s {
                    // A refused request was not stored: its retry tries again.
                    Step::Retry => match &last {
                        Some((key, print, t)) => (key.clone(), print.clone(), Some(t.clone())),
                        None => continue,
                    },
                    other => {
                        let t = match *other {
                            Step::Fund(x) => a.fund(EUR, x),
                            Step::Hold(x) => a.hold(EUR, x),
                            Step::Release(x, bps) => a.release(EUR, x, bps),
                            Step::Split(x, c) => a.split(EUR, x, c.min(x), 1_000),
                            Step::Mature(x) => a.mature(EUR, x),
                            Step::Refund(x) => a.refund(EUR, x),
                            Step::PayOut(x) => a.pay_out(EUR, x),
                            Step::Settle(x) => a.settle(EUR, x),
                            Step::Return(x) => a.returned(EUR, x),
                            Step::Reward(x) => a.reward(EUR, x),
                            Step::Retry => unreachable!(),
                        };
                        let t = t.expect("every flow builds a balanced transfer");
                        prop_assert_eq!(
                            t.postings.iter().filter(|p| p.direction == crate::Direction::Credit).map(|p| p.amount_minor).sum::<i64>(),
                            t.total_minor()
                        );
                        (format!("step-{i}"), fingerprint(&format!("{other:?}")), Some(t))
                    }
                };
                let stored = keys.iter().find(|(k, _, _)| *k == key).map(|(_, p, n)| (p.clone(), *n));
                match replay(stored, &print) {
                    Ok(Replay::Answer(n)) => {
                        // Nothing moves on a retry of a stored request.
                        prop_assert!(n <= written);
                    }
                    Ok(Replay::Fresh) => {
                        let t = t.expect("a fresh key carries its transfer");
                        let before = accounts.clone();
                        match check_limits(&t, &accounts) {
                            Ok(after) => {
                                for x in after {
                                    accounts[x.id as usize] = x;
                                }
                                written += 1;
                                keys.push((key.clone(), print.clone(), written));
                            }
                            Err(Error::InsufficientFunds { .. }) => prop_assert_eq!(&accounts, &before),
                            Err(e) => prop_assert!(false, "unexpected {}", e),
                        }
                        last = Some((key, print, t));
                    }
                    Err(e) => prop_assert!(false, "a retry is the same request: {}", e),
                }
                for x in &accounts {
                    prop_assert!(x.within_limit(), "{:?}", x);
                }
                let debits: i128 = accounts.iter().map(|x| x.debits_minor).sum();
                let credits: i128 = accounts.iter().map(|x| x.credits_minor).sum();
                prop_assert_eq!(debits, credits);
                // What Scout owes and has earned (credit-normal balances)
                // equals its cash at the provider (debit-normal).
                let owed: i128 = accounts.iter().filter(|x| x.kind.normal_side() == crate::NormalSide::Credit).map(AccountRef::balance).sum();
                let held: i128 = accounts.iter().filter(|x| x.kind.normal_side() == crate::NormalSide::Debit).map(AccountRef::balance).sum();
                prop_assert_eq!(owed, held);
            }
        }
    }
}

//! Transfers: balanced sets of postings in one currency.

use scout_domain::money::Currency;
use serde::{Deserialize, Serialize};

use crate::account::{AccountRef, Limit};
use crate::error::{Error, Result};

/// Most postings one transfer holds.
pub const MAX_POSTINGS: usize = 16;

/// Why money moved (what the ledger shows a person beside the amount).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferKind {
    /// A brand paid money in through a provider.
    Funding,
    /// A contract's amount, from the brand's wallet into its escrow.
    EscrowHold,
    /// A milestone's amount, from escrow to the creator (less the fee) and the platform.
    Release,
    /// Pending earnings become available after the hold.
    Mature,
    /// Escrow back to the brand's wallet.
    Refund,
    /// Available earnings on their way to the creator.
    Payout,
    /// A payout the provider confirmed, or one that failed and came back.
    PayoutSettled,
    PayoutReturned,
    /// One leg of a currency conversion.
    Conversion,
    /// A referral reward, from fee revenue.
    ReferralReward,
    /// The same postings as an earlier transfer, sides swapped.
    Reversal,
}

impl TransferKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TransferKind::Funding => "funding",
            TransferKind::EscrowHold => "escrow_hold",
            TransferKind::Release => "release",
            TransferKind::Mature => "mature",
            TransferKind::Refund => "refund",
            TransferKind::Payout => "payout",
            TransferKind::PayoutSettled => "payout_settled",
            TransferKind::PayoutReturned => "payout_returned",
            TransferKind::Conversion => "conversion",
            TransferKind::ReferralReward => "referral_reward",
            TransferKind::Reversal => "reversal",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Debit,
    Credit,
}

/// One side of a transfer: an account debited or credited an amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Posting {
    pub account: i64,
    pub direction: Direction,
    /// Minor units, positive.
    pub amount_minor: i64,
}

impl Posting {
    pub fn debit(account: i64, amount_minor: i64) -> Posting {
        Posting { account, direction: Direction::Debit, amount_minor }
    }

    pub fn credit(account: i64, amount_minor: i64) -> Posting {
        Posting { account, direction: Direction::Credit, amount_minor }
    }
}

/// A checked, balanced transfer (not yet written).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transfer {
    pub kind: TransferKind,
    pub currency: Currency,
    pub postings: Vec<Posting>,
}

impl Transfer {
    /// Checks the shape: 2 to [`MAX_POSTINGS`] postings with at least one of
    /// each side, positive amounts, no account twice on one side, and debits
    /// equal to credits.
    pub fn new(kind: TransferKind, currency: Currency, postings: Vec<Posting>) -> Result<Transfer> {
        if postings.len() < 2 || postings.len() > MAX_POSTINGS {
            return Err(Error::Shape { max: MAX_POSTINGS });
        }
        let (mut debits, mut credits) = (0i128, 0i128);
        for (index, p) in postings.iter().enumerate() {
            if p.amount_minor <= 0 {
                return Err(Error::Amount { index });
            }
            if postings[..index].iter().any(|q| q.account == p.account && q.direction == p.direction) {
                return Err(Error::Duplicate { index, account: p.account });
            }
            match p.direction {
                Direction::Debit => debits += i128::from(p.amount_minor),
                Direction::Credit => credits += i128::from(p.amount_minor),
            }
        }
        if debits == 0 || credits == 0 {
            return Err(Error::Shape { max: MAX_POSTINGS });
        }
        if debits != credits {
            return Err(Error::Unbalanced { debits, credits });
        }
        Ok(Transfer { kind, currency, postings })
    }

    /// What moved: the sum of the debits (equal to the credits).
    pub fn total_minor(&self) -> i64 {
        self.postings.iter().filter(|p| p.direction == Direction::Debit).map(|p| p.amount_minor).sum()
    }

    /// The transfer that undoes this one.
    pub fn reversal(&self) -> Transfer {
        let postings = self
            .postings
            .iter()
            .map(|p| Posting {
                direction: match p.direction {
                    Direction::Debit => Direction::Credit,
                    Direction::Credit => Direction::Debit,
                },
                ..*p
            })
            .collect();
        Transfer { kind: TransferKind::Reversal, currency: self.currency, postings }
    }

    /// The accounts this transfer touches, smallest id first (the order the
    /// store locks them in, so two transfers never wait on each other).
    pub fn accounts(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self.postings.iter().map(|p| p.account).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

/// Applies `transfer` to the accounts it touches (as locked and read by the
/// store): every account must be given, hold the transfer's currency, and
/// stay within its limit afterwards. Returns the accounts with their new sums.
pub fn check_limits(transfer: &Transfer, accounts: &[AccountRef]) -> Result<Vec<AccountRef>> {
    let mut after: Vec<AccountRef> = Vec::with_capacity(accounts.len());
    for id in transfer.accounts() {
        let a = accounts.iter().find(|a| a.id == id).ok_or(Error::UnknownAccount { account: id })?;
        after.push(*a);
    }
    for (index, p) in transfer.postings.iter().enumerate() {
        let Some(a) = after.iter_mut().find(|a| a.id == p.account) else {
            return Err(Error::UnknownAccount { account: p.account });
        };
        if a.currency != transfer.currency {
            return Err(Error::CurrencyMismatch {
                index,
                account: a.id,
                account_currency: a.currency,
                currency: transfer.currency,
            });
        }
        let amount = i128::from(p.amount_minor);
        match p.direction {
            Direction::Debit => a.debits_minor = a.debits_minor.checked_add(amount).ok_or(Error::Overflow)?,
            Direction::Credit => a.credits_minor = a.credits_minor.checked_add(amount).ok_or(Error::Overflow)?,
        }
    }
    for a in &after {
        if !a.within_limit() {
            let before = accounts.iter().find(|b| b.id == a.id).copied().unwrap_or(*a);
            let (available, wanted) = match a.kind.limit() {
                Limit::CreditsWithinDebits => {
                    (before.debits_minor - before.credits_minor, a.credits_minor - before.credits_minor)
                }
                _ => (before.credits_minor - before.debits_minor, a.debits_minor - before.debits_minor),
            };
            return Err(Error::InsufficientFunds { account: a.id, available, wanted });
        }
    }
    Ok(after)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::account::AccountKind;

    fn account(id: i64, kind: AccountKind, credits: i128) -> AccountRef {
        AccountRef { id, kind, currency: Currency::EUR, debits_minor: 0, credits_minor: credits }
    }

    #[test]
    fn shapes_that_are_not_a_transfer_are_refused() {
        let eur = Currency::EUR;
        let t = |p: Vec<Posting>| Transfer::new(TransferKind::Release, eur, p);
        assert!(matches!(t(vec![Posting::debit(1, 5)]), Err(Error::Shape { .. })));
        assert!(matches!(t(vec![Posting::debit(1, 5), Posting::debit(2, 5)]), Err(Error::Shape { .. })));
        assert!(matches!(t(vec![Posting::debit(1, 0), Posting::credit(2, 0)]), Err(Error::Amount { index: 0 })));
        assert!(matches!(t(vec![Posting::debit(1, -5), Posting::credit(2, -5)]), Err(Error::Amount { .. })));
        assert!(matches!(
            t(vec![Posting::debit(1, 5), Posting::debit(1, 5), Posting::credit(2, 10)]),
            Err(Error::Duplicate { index: 1, account: 1 })
        ));
        // A release split three ways: the creator's share and the fee.
        let release =
            t(vec![Posting::debit(1, 10_000), Posting::credit(2, 9000), Posting::credit(3, 1000)]).expect("balanced");
        assert_eq!(release.total_minor(), 10_000);
        assert_eq!(release.accounts(), vec![1, 2, 3]);
    }

    #[test]
    fn an_account_owed_money_cannot_be_overdrawn_and_a_refusal_changes_nothing() {
        let wallet = account(1, AccountKind::BrandWallet, 5000);
        let escrow = account(2, AccountKind::Escrow, 0);
        let hold = |amount| {
            Transfer::new(
                TransferKind::EscrowHold,
                Currency::EUR,
                vec![Posting::debit(1, amount), Posting::credit(2, amount)],
            )
            .expect("balanced")
        };
        let after = check_limits(&hold(5000), &[wallet, escrow]).expect("exactly the balance");
        assert_eq!(after.iter().map(AccountRef::balance).collect::<Vec<_>>(), vec![0, 5000]);
        let e = check_limits(&hold(5001), &[wallet, escrow]).expect_err("one cent too many");
        assert_eq!(e, Error::InsufficientFunds { account: 1, available: 5000, wanted: 5001 });
        assert_eq!(e.code().as_str(), "insufficient_funds");
        let usd = AccountRef { currency: Currency::USD, ..escrow };
        assert!(matches!(check_limits(&hold(1), &[wallet, usd]), Err(Error::CurrencyMismatch { .. })));
        assert!(matches!(check_limits(&hold(1), &[wallet]), Err(Error::UnknownAccount { account: 2 })));
    }

    fn kinds() -> impl Strategy<Value = AccountKind> {
        prop::sample::select(AccountKind::ALL.to_vec())
    }

    proptest! {
        /// Random transfers among random accounts: each one accepted keeps
        /// every account within its limit and the sum of all balances'
        /// debits equal to the sum of credits; each refused changes nothing.
        #[test]
        fn random_transfers_never_break_a_limit_or_the_balance(
            kinds in prop::collection::vec(kinds(), 2..6),
            moves in prop::collection::vec((0usize..6, 0usize..6, 1i64..10_000), 1..60),
        ) {
            let mut accounts: Vec<AccountRef> =
                kinds.iter().enumerate().map(|(i, k)| account(i as i64, *k, 0)).collect();
            for (from, to, amount) in moves {
                let (from, to) = (from % accounts.len(), to % accounts.len());
                if from == to {
                    continue;
                }
                let t = Transfer::new(
                    TransferKind::Release,
                    Currency::EUR,
                    vec![Posting::debit(from as i64, amount), Posting::credit(to as i64, amount)],
                ).expect("balanced");
                let before = accounts.clone();
                match check_limits(&t, &accounts) {
                    Ok(after) => {
                        for a in after {
                            prop_assert!(a.within_limit());
                            accounts[a.id as usize] = a;
                        }
                    }
                    Err(Error::InsufficientFunds { .. }) => prop_assert_eq!(&accounts, &before),
                    Err(e) => prop_assert!(false, "unexpected {e}"),
                }
                let debits: i128 = accounts.iter().map(|a| a.debits_minor).sum();
                let credits: i128 = accounts.iter().map(|a| a.credits_minor).sum();
                prop_assert_eq!(debits, credits);
                // A reversal of an accepted transfer is balanced too.
                prop_assert_eq!(t.reversal().total_minor(), t.total_minor());
            }
        }
    }
}

//! Accounts: what kind of money each holds, which side is its balance, and
//! what it may never do.

use scout_domain::money::Currency;
use serde::{Deserialize, Serialize};

/// What an account holds. Each is kept per owner (an organisation, a user, a
/// contract, a provider, or the platform) and currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    /// A brand's money not yet committed to a contract.
    BrandWallet,
    /// One contract's money, held until milestones release it.
    Escrow,
    /// A creator's earnings in the hold period.
    CreatorPending,
    /// A creator's earnings that can be paid out.
    CreatorAvailable,
    /// Money on its way to a creator's bank or wallet.
    PayoutsInTransit,
    /// The platform's fees.
    FeeRevenue,
    /// Referral rewards granted (paid from fee revenue).
    ReferralRewards,
    /// Cash Scout holds at a payment provider (an asset: debits are money in).
    ProviderClearing,
    /// The conversion desk in one currency: money leaves a currency here
    /// and enters another through its twin.
    FxConversion,
}

/// Which side of an account grows its balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NormalSide {
    /// Assets and expenses: balance = debits − credits.
    Debit,
    /// What Scout owes (wallets, escrow, earnings) and its income: balance = credits − debits.
    Credit,
}

/// What an account may never do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    /// Its debits never exceed its credits (a balance owed to someone never goes negative).
    DebitsWithinCredits,
    /// Its credits never exceed its debits.
    CreditsWithinDebits,
    /// Either way (clearing and conversion accounts swing both ways).
    None,
}

impl AccountKind {
    pub const ALL: [AccountKind; 9] = [
        AccountKind::BrandWallet,
        AccountKind::Escrow,
        AccountKind::CreatorPending,
        AccountKind::CreatorAvailable,
        AccountKind::PayoutsInTransit,
        AccountKind::FeeRevenue,
        AccountKind::ReferralRewards,
        AccountKind::ProviderClearing,
        AccountKind::FxConversion,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::BrandWallet => "brand_wallet",
            AccountKind::Escrow => "escrow",
            AccountKind::CreatorPending => "creator_pending",
            AccountKind::CreatorAvailable => "creator_available",
            AccountKind::PayoutsInTransit => "payouts_in_transit",
            AccountKind::FeeRevenue => "fee_revenue",
            AccountKind::ReferralRewards => "referral_rewards",
            AccountKind::ProviderClearing => "provider_clearing",
            AccountKind::FxConversion => "fx_conversion",
        }
    }

    pub fn parse(s: &str) -> Option<AccountKind> {
        AccountKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn normal_side(self) -> NormalSide {
        match self {
            AccountKind::ProviderClearing | AccountKind::ReferralRewards => NormalSide::Debit,
            _ => NormalSide::Credit,
        }
    }

    /// Money owed to someone never goes negative; the platform's fee revenue
    /// neither (rewards are paid only from fees earned). Clearing and
    /// conversion swing both ways.
    pub fn limit(self) -> Limit {
        match self {
            AccountKind::BrandWallet
            | AccountKind::Escrow
            | AccountKind::CreatorPending
            | AccountKind::CreatorAvailable
            | AccountKind::PayoutsInTransit
            | AccountKind::FeeRevenue => Limit::DebitsWithinCredits,
            AccountKind::ReferralRewards => Limit::CreditsWithinDebits,
            AccountKind::ProviderClearing | AccountKind::FxConversion => Limit::None,
        }
    }
}

/// An account as a transfer sees it: its id, currency, kind and the sums so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountRef {
    pub id: i64,
    pub kind: AccountKind,
    pub currency: Currency,
    pub debits_minor: i128,
    pub credits_minor: i128,
}

/// An account's balance on its normal side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Balance {
    pub debits_minor: i128,
    pub credits_minor: i128,
}

impl Balance {
    pub fn on(self, side: NormalSide) -> i128 {
        match side {
            NormalSide::Debit => self.debits_minor - self.credits_minor,
            NormalSide::Credit => self.credits_minor - self.debits_minor,
        }
    }
}

impl AccountRef {
    pub fn balance(&self) -> i128 {
        Balance { debits_minor: self.debits_minor, credits_minor: self.credits_minor }.on(self.kind.normal_side())
    }

    /// Whether the sums respect the account's limit.
    pub fn within_limit(&self) -> bool {
        match self.kind.limit() {
            Limit::DebitsWithinCredits => self.debits_minor <= self.credits_minor,
            Limit::CreditsWithinDebits => self.credits_minor <= self.debits_minor,
            Limit::None => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_owed_money_never_goes_negative() {
        for k in AccountKind::ALL {
            assert_eq!(AccountKind::parse(k.as_str()), Some(k));
        }
        let wallet = AccountRef {
            id: 1,
            kind: AccountKind::BrandWallet,
            currency: Currency::EUR,
            debits_minor: 70,
            credits_minor: 100,
        };
        assert_eq!(wallet.balance(), 30);
        assert!(wallet.within_limit());
        assert!(!AccountRef { debits_minor: 101, ..wallet }.within_limit());
        let clearing = AccountRef { kind: AccountKind::ProviderClearing, debits_minor: 0, credits_minor: 50, ..wallet };
        assert_eq!(clearing.balance(), -50);
        assert!(clearing.within_limit(), "clearing swings both ways");
    }
}

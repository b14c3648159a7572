//! Referrals: every account has a code (made on first use) and a sign-up
//! link carrying it; a sign-up with a code records who referred the new
//! account, unless it is the referrer themselves in another guise: the same
//! email domain (free-mail domains aside, where strangers share one) or an
//! address the referrer has signed in from. Sharing an organisation is
//! checked when the reward would be earned (a second account joins its
//! owner's organisation after sign-up). The reward is earned when the
//! referred account completes its first contract; the ledger pays it.

use ring::rand::{SecureRandom, SystemRandom};
use scout_domain::ErrorCode;
use scout_domain::money::{Currency, Money};
use scout_store::{Referral, StoredContract, UserId};

use crate::Application;
use crate::access::Caller;
use crate::error::{Error, Result};

/// Letters and digits that cannot be misread for one another (no 0/O, 1/I).
const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/// Characters of a code: 32^8 ≈ 10^12 codes.
pub const CODE_LEN: usize = 8;

/// Mail domains shared by strangers: the same domain there says nothing.
const FREE_MAIL: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "yahoo.com",
    "ymail.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.de",
    "gmx.net",
    "gmx.com",
    "web.de",
    "t-online.de",
    "mail.ru",
    "yandex.ru",
    "qq.com",
    "163.com",
    "free.fr",
    "orange.fr",
    "libero.it",
    "hey.com",
    "fastmail.com",
    "zoho.com",
];

/// A referral code as typed: trimmed, upper case, checked against the alphabet.
pub fn parse_code(code: &str) -> Result<String> {
    let code = code.trim().to_ascii_uppercase();
    if code.len() != CODE_LEN || !code.bytes().all(|b| ALPHABET.contains(&b)) {
        return Err(Error::bad_parameter("referral_code", format!("{CODE_LEN} letters and digits")));
    }
    Ok(code)
}

/// The domain of an email address, lower case.
fn domain(email: &str) -> &str {
    email.rsplit_once('@').map_or("", |(_, d)| d)
}

/// Whether two addresses' domains say they are one person or organisation.
pub fn same_private_domain(a: &str, b: &str) -> bool {
    let (a, b) = (domain(a).to_ascii_lowercase(), domain(b).to_ascii_lowercase());
    !a.is_empty() && a == b && !FREE_MAIL.contains(&a.as_str())
}

/// Whether `ip` is one of `known`: a loopback or unspecified address says
/// nothing (every local client has one), so it never counts.
pub fn same_address(ip: &str, known: &[String]) -> bool {
    let Ok(addr) = ip.parse::<std::net::IpAddr>() else { return false };
    if addr.is_loopback() || addr.is_unspecified() {
        return false;
    }
    known.iter().filter_map(|k| k.parse::<std::net::IpAddr>().ok()).any(|k| k == addr)
}

/// The caller's referral code and link, and the referrals they made.
#[derive(Debug, Clone)]
pub struct ReferralPage {
    pub code: String,
    pub referrals: Vec<Referral>,
    /// Rewards earned, summed per currency.
    pub earned: Vec<Money>,
}

impl Application {
    /// The account's referral code, made on first use.
    pub async fn referral_code(&self, user: UserId) -> Result<String> {
        let rng = SystemRandom::new();
        for _ in 0..8 {
            let mut bytes = [0u8; CODE_LEN];
            rng.fill(&mut bytes).map_err(|_| Error::internal("drawing a referral code", "no randomness"))?;
            let candidate: String = bytes.iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect();
            if let Some(code) = self.store.referrals().code_for(user, &candidate).await? {
                return Ok(code);
            }
        }
        Err(Error::internal("drawing a referral code", "eight codes in a row were taken"))
    }

    /// The caller's code, referrals and rewards.
    pub async fn referral_page(&self, caller: &Caller) -> Result<ReferralPage> {
        let code = self.referral_code(caller.id()).await?;
        let referrals = self.store.referrals().made_by(caller.id()).await?;
        let mut earned: Vec<Money> = Vec::new();
        for reward in referrals.iter().filter_map(|r| r.reward) {
            match earned.iter_mut().find(|m| m.currency == reward.currency) {
                Some(m) => m.amount_minor = m.amount_minor.saturating_add(reward.amount_minor),
                None => earned.push(reward),
            }
        }
        Ok(ReferralPage { code, referrals, earned })
    }

    /// Who a sign-up's code names, refused when unknown or when the new
    /// account is its owner in another guise (same private email domain, or
    /// signing up from an address the owner used).
    pub async fn referrer_for(&self, code: &str, email: &str, ip: Option<&str>) -> Result<(UserId, String)> {
        let code = parse_code(code)?;
        let Some(owner) = self.store.referrals().owner_of(&code).await? else {
            return Err(Error::refused(ErrorCode::ReferralCodeUnknown, "no account has this referral code"));
        };
        let refuse = || {
            Err(Error::refused(
                ErrorCode::SelfReferral,
                "a referral code cannot be used by its owner or their organisation; sign up without it",
            ))
        };
        if let Some(user) = self.store.identity().user_by_id(owner).await?
            && same_private_domain(&user.email, email)
        {
            return refuse();
        }
        if let Some(ip) = ip
            && same_address(ip, &self.store.referrals().addresses_of(owner).await?)
        {
            return refuse();
        }
        Ok((owner, code))
    }

    /// Records the reward of each party of completed contract `k` that was
    /// referred and completes its first contract now; a referrer who shares
    /// an organisation with the referred account earns nothing.
    pub(crate) async fn earn_referrals(&self, k: &StoredContract) -> Result<()> {
        let mut parties: Vec<UserId> = self.store.orgs().members(k.org_id).await?.iter().map(|m| m.user_id).collect();
        parties.extend(k.creator_id);
        let mut eligible = Vec::new();
        for user in parties {
            let Some(r) = self.store.referrals().of_referred(user).await? else { continue };
            let theirs: Vec<i64> =
                self.store.orgs().memberships_of(r.referrer_id).await?.iter().map(|m| m.org.id).collect();
            let mine = self.store.orgs().memberships_of(user).await?;
            if mine.iter().any(|m| theirs.contains(&m.org.id)) {
                tracing::info!(user, referrer = r.referrer_id, "referral shares an organisation: no reward");
                continue;
            }
            eligible.push(user);
        }
        if eligible.is_empty() {
            return Ok(());
        }
        let currency = Currency::parse(&self.settings.referral_reward_currency)?;
        let reward = Money::new(self.settings.referral_reward_minor, currency);
        for r in self.store.referrals().earn(&eligible, k.id, reward).await? {
            tracing::info!(
                referrer = r.referrer_id,
                referred = r.referred_id,
                contract = k.id,
                "referral reward earned"
            );
            // Unpaid while fee revenue is short; the money sweep tries again.
            self.pay_referral_reward(r.id, r.referrer_id, reward).await;
        }
        Ok(())
    }

    /// Pays the earned rewards that fee revenue could not cover when they
    /// were earned, now that it may; how many were paid. The money sweep
    /// calls it.
    pub(crate) async fn pay_unpaid_referral_rewards(&self) -> Result<usize> {
        let mut paid = 0;
        for r in self.store.referrals().unpaid_rewards(500).await? {
            let Some(reward) = r.reward else { continue };
            if self.pay_referral_reward(r.id, r.referrer_id, reward).await {
                paid += 1;
            }
        }
        Ok(paid)
    }

    /// Pays an earned reward from the platform's fee revenue to the
    /// referrer's pending earnings (key `referral:<id>`: once, however often
    /// it is tried). Fee revenue never goes below zero: while it holds too
    /// little in the reward's currency, the reward stays earned and unpaid.
    pub(crate) async fn pay_referral_reward(&self, referral: i64, referrer: UserId, reward: Money) -> bool {
        let paid = async {
            let l = self.store.ledger();
            let c = reward.currency;
            let a = scout_ledger::Accounts {
                clearing: 0,
                wallet: 0,
                escrow: 0,
                pending: l
                    .account(scout_store::Owner::User(referrer), scout_ledger::AccountKind::CreatorPending, c)
                    .await?,
                available: 0,
                in_transit: 0,
                fees: l.account(scout_store::Owner::Platform, scout_ledger::AccountKind::FeeRevenue, c).await?,
            };
            let transfer = a.reward(c, reward.amount_minor)?;
            self.book(&format!("referral:{referral}"), &transfer, &format!("referral {referral} reward")).await
        };
        match paid.await {
            Ok(_) => true,
            Err(e) => {
                tracing::warn!(error = %e, referral, "a referral reward was not paid from fee revenue yet");
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_read_forgivingly_and_checked_strictly() {
        assert_eq!(parse_code(" abcd2345 ").expect("a valid code"), "ABCD2345");
        for bad in ["", "ABCD234", "ABCD23456", "ABCD234O", "ABCD2341", "ABCD 234", "ÄBCD2345"] {
            assert!(parse_code(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_shared_public_address_is_one_party_a_loopback_one_says_nothing() {
        let known = vec!["203.0.113.7".to_string(), "::1".to_string(), "2001:db8::1".to_string()];
        assert!(same_address("203.0.113.7", &known));
        assert!(same_address("2001:db8:0::1", &known), "compared as addresses, not text");
        assert!(!same_address("203.0.113.8", &known));
        assert!(!same_address("::1", &known) && !same_address("127.0.0.1", &["127.0.0.1".into()]));
        assert!(!same_address("not an address", &known));
    }

    #[test]
    fn a_shared_company_domain_is_one_party_a_shared_free_mail_domain_is_not() {
        assert!(same_private_domain("ana@bars.example", "Bob@BARS.example"));
        assert!(!same_private_domain("ana@gmail.com", "bob@gmail.com"));
        assert!(!same_private_domain("ana@bars.example", "ana@other.example"));
        assert!(!same_private_domain("no-at-sign", "no-at-sign"));
    }
}

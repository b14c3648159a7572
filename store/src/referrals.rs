//! Referrals: every account's code, who signed up with whose code, and the
//! reward earned when the referred account completes its first contract
//! (recorded here; the ledger pays it).

use chrono::{DateTime, Utc};
use scout_domain::money::{Currency, Money};

use crate::error::{Doing, Error, Result};
use crate::{Backend, Referrals, UserId};

/// Where a referral stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferralStatus {
    /// The referred account signed up.
    SignedUp,
    /// It completed its first contract: the reward is earned.
    Earned,
}

impl ReferralStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReferralStatus::SignedUp => "signed_up",
            ReferralStatus::Earned => "earned",
        }
    }

    fn parse(s: &str) -> Result<ReferralStatus> {
        match s {
            "signed_up" => Ok(ReferralStatus::SignedUp),
            "earned" => Ok(ReferralStatus::Earned),
            other => Err(Error::CorruptRecord { table: "referrals", message: format!("status `{other}`") }),
        }
    }
}

/// One referral, as the referrer reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referral {
    pub id: i64,
    pub referrer_id: UserId,
    pub referred_id: UserId,
    /// The referred account's name.
    pub referred_name: String,
    pub status: ReferralStatus,
    pub contract_id: Option<i64>,
    pub reward: Option<Money>,
    pub created_at: DateTime<Utc>,
    pub earned_at: Option<DateTime<Utc>>,
}

type ReferralRow =
    (i64, i64, i64, String, String, Option<i64>, Option<i64>, Option<String>, DateTime<Utc>, Option<DateTime<Utc>>);

const COLUMNS: &str = "r.id, r.referrer_id, r.referred_id, u.name, r.status, r.contract_id, r.reward_minor,
                       r.reward_currency, r.created_at, r.earned_at";

fn referral_from(row: ReferralRow) -> Result<Referral> {
    let (id, referrer_id, referred_id, referred_name, status, contract_id, minor, currency, created_at, earned_at) =
        row;
    let reward = match (minor, currency) {
        (Some(m), Some(c)) => Some(Money::new(
            m,
            Currency::parse(&c).map_err(|e| Error::CorruptRecord { table: "referrals", message: e.to_string() })?,
        )),
        _ => None,
    };
    Ok(Referral {
        id,
        referrer_id,
        referred_id,
        referred_name,
        status: ReferralStatus::parse(&status)?,
        contract_id,
        reward,
        created_at,
        earned_at,
    })
}

impl Referrals<'_> {
    /// The user's code: the stored one, else `candidate` stored as theirs.
    /// `Ok(None)` when `candidate` is another user's code (pick another).
    pub async fn code_for(&self, user: UserId, candidate: &str) -> Result<Option<String>> {
        if let Some(code) = self.code_of(user).await? {
            return Ok(Some(code));
        }
        let inserted = with_pool!(self.store, |p| sqlx::query(
            "INSERT INTO referral_codes (user_id, code, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
        )
        .bind(user)
        .bind(candidate)
        .bind(Utc::now())
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .doing("storing a referral code")?;
        if inserted == 1 {
            return Ok(Some(candidate.to_string()));
        }
        // Either another request stored this user's code first, or the
        // candidate is taken.
        self.code_of(user).await
    }

    async fn code_of(&self, user: UserId) -> Result<Option<String>> {
        with_pool!(self.store, |p| sqlx::query_scalar("SELECT code FROM referral_codes WHERE user_id = $1")
            .bind(user)
            .fetch_optional(p)
            .await)
        .doing("reading a referral code")
    }

    /// Whose code this is (codes are compared as stored: upper case).
    pub async fn owner_of(&self, code: &str) -> Result<Option<UserId>> {
        with_pool!(self.store, |p| sqlx::query_scalar("SELECT user_id FROM referral_codes WHERE code = $1")
            .bind(code)
            .fetch_optional(p)
            .await)
        .doing("looking a referral code up")
    }

    /// Records that `referred` signed up with `referrer`'s code; an account is
    /// referred at most once (a second record is ignored).
    pub async fn record(&self, referrer: UserId, referred: UserId, code: &str) -> Result<()> {
        with_pool!(self.store, |p| sqlx::query(
            "INSERT INTO referrals (referrer_id, referred_id, code, status, created_at)
             VALUES ($1, $2, $3, 'signed_up', $4) ON CONFLICT DO NOTHING"
        )
        .bind(referrer)
        .bind(referred)
        .bind(code)
        .bind(Utc::now())
        .execute(p)
        .await
        .map(|_| ()))
        .doing("recording a referral")
    }

    /// The referrals `user` made, newest first.
    pub async fn made_by(&self, user: UserId) -> Result<Vec<Referral>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM referrals r JOIN users u ON u.id = r.referred_id
             WHERE r.referrer_id = $1 ORDER BY r.id DESC LIMIT 1000"
        );
        let rows: Vec<ReferralRow> = with_pool!(self.store, |p| sqlx::query_as(&sql).bind(user).fetch_all(p).await)
            .doing("reading referrals")?;
        rows.into_iter().map(referral_from).collect()
    }

    /// Who referred `user`, if anyone.
    pub async fn of_referred(&self, user: UserId) -> Result<Option<Referral>> {
        let sql =
            format!("SELECT {COLUMNS} FROM referrals r JOIN users u ON u.id = r.referred_id WHERE r.referred_id = $1");
        let row: Option<ReferralRow> =
            with_pool!(self.store, |p| sqlx::query_as(&sql).bind(user).fetch_optional(p).await)
                .doing("reading a referral")?;
        row.map(referral_from).transpose()
    }

    /// Earned rewards the ledger has not paid yet (no transfer under
    /// `referral:<id>`: fee revenue was short when they were earned), oldest
    /// first, at most `limit`.
    pub async fn unpaid_rewards(&self, limit: i64) -> Result<Vec<Referral>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM referrals r JOIN users u ON u.id = r.referred_id
             WHERE r.status = 'earned' AND r.reward_minor IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM ledger_transfers t
                               WHERE t.idempotency_key = 'referral:' || CAST(r.id AS TEXT))
             ORDER BY r.earned_at, r.id LIMIT $1"
        );
        let rows: Vec<ReferralRow> = with_pool!(self.store, |p| sqlx::query_as(&sql).bind(limit).fetch_all(p).await)
            .doing("listing unpaid referral rewards")?;
        rows.into_iter().map(referral_from).collect()
    }

    /// Marks the referrals of `users` earned by `contract` (the first
    /// completed contract of each; later ones change nothing); returns the
    /// referrals that became earned.
    pub async fn earn(&self, users: &[UserId], contract: i64, reward: Money) -> Result<Vec<Referral>> {
        let mut earned = Vec::new();
        for user in users {
            let n = with_pool!(self.store, |p| sqlx::query(
                "UPDATE referrals SET status = 'earned', contract_id = $1, reward_minor = $2, reward_currency = $3,
                        earned_at = $4
                 WHERE referred_id = $5 AND status = 'signed_up'"
            )
            .bind(contract)
            .bind(reward.amount_minor)
            .bind(reward.currency.as_str())
            .bind(Utc::now())
            .bind(user)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))
            .doing("earning a referral reward")?;
            if n > 0
                && let Some(r) = self.of_referred(*user).await?
            {
                earned.push(r);
            }
        }
        Ok(earned)
    }

    /// Addresses a user signed in or signed up from (the audit log's), for
    /// telling one person's second account from a new one.
    pub async fn addresses_of(&self, user: UserId) -> Result<Vec<String>> {
        with_pool!(self.store, |p| sqlx::query_scalar(
            "SELECT DISTINCT ip FROM audit_events WHERE user_id = $1 AND ip IS NOT NULL AND ip <> '' LIMIT 100"
        )
        .bind(user)
        .fetch_all(p)
        .await)
        .doing("reading a user's addresses")
    }
}

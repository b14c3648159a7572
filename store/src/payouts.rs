//! Creators' payout settings and payouts: each payout's record moves
//! forward only (`created → in_transit → submitted → paid | failed`), and one
//! run key per creator, currency and turn makes a run started again find the
//! payout it made instead of making another. The ledger's transfers are
//! written by [`crate::Ledger`].

use chrono::{DateTime, Utc};
use scout_domain::money::{Currency, Money};

use crate::error::{Doing, Error, Record, Result};
use crate::{Backend, Payments};

/// Where and when a creator is paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutSettings {
    pub user_id: i64,
    /// scout-payments' `PayoutDestination` as JSON.
    pub destination: String,
    pub destination_summary: String,
    pub currency: Currency,
    /// `manual`, `weekly`, `monthly` or `threshold`.
    pub schedule: String,
    pub threshold_minor: i64,
    pub updated_at: DateTime<Utc>,
}

/// A payout as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payout {
    pub id: i64,
    pub user_id: Option<i64>,
    /// `created`, `in_transit`, `submitted`, `paid` or `failed`.
    pub status: String,
    /// What left the creator's available balance.
    pub source: Money,
    /// What the provider pays, in the creator's payout currency.
    pub amount: Money,
    pub rate_numerator: i64,
    pub rate_denominator: i64,
    pub rate_source: String,
    pub spread_bps: u32,
    pub destination: String,
    pub destination_summary: String,
    pub provider: String,
    pub provider_ref: Option<String>,
    pub failure_code: Option<String>,
    pub failure_message: Option<String>,
    pub run_key: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
}

/// A payout to record (status `created`).
#[derive(Debug, Clone)]
pub struct NewPayout<'a> {
    pub user_id: i64,
    pub source: Money,
    pub amount: Money,
    pub rate_numerator: i64,
    pub rate_denominator: i64,
    pub rate_source: &'a str,
    pub spread_bps: u32,
    pub destination: &'a str,
    pub destination_summary: &'a str,
    pub provider: &'a str,
    pub run_key: &'a str,
    pub at: DateTime<Utc>,
}

const PAYOUT_COLUMNS: &str =
    "id, user_id, status, source_currency, source_minor, currency, amount_minor, rate_numerator,
     rate_denominator, rate_source, spread_bps, destination, destination_summary, provider, provider_ref,
     failure_code, failure_message, run_key, created_at, updated_at, paid_at";

#[derive(sqlx::FromRow)]
struct PayoutRow {
    id: i64,
    user_id: Option<i64>,
    status: String,
    source_currency: String,
    source_minor: i64,
    currency: String,
    amount_minor: i64,
    rate_numerator: i64,
    rate_denominator: i64,
    rate_source: String,
    spread_bps: i64,
    destination: String,
    destination_summary: String,
    provider: String,
    provider_ref: Option<String>,
    failure_code: Option<String>,
    failure_message: Option<String>,
    run_key: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    paid_at: Option<DateTime<Utc>>,
}

fn currency_of(table: &'static str, code: &str) -> Result<Currency> {
    code.parse().map_err(|e| Error::CorruptRecord { table, message: format!("{e}") })
}

fn payout_of(r: PayoutRow) -> Result<Payout> {
    Ok(Payout {
        id: r.id,
        user_id: r.user_id,
        status: r.status,
        source: Money::new(r.source_minor, currency_of("payouts", &r.source_currency)?),
        amount: Money::new(r.amount_minor, currency_of("payouts", &r.currency)?),
        rate_numerator: r.rate_numerator,
        rate_denominator: r.rate_denominator,
        rate_source: r.rate_source,
        spread_bps: u32::try_from(r.spread_bps).unwrap_or(0),
        destination: r.destination,
        destination_summary: r.destination_summary,
        provider: r.provider,
        provider_ref: r.provider_ref,
        failure_code: r.failure_code,
        failure_message: r.failure_message,
        run_key: r.run_key,
        created_at: r.created_at,
        updated_at: r.updated_at,
        paid_at: r.paid_at,
    })
}

type SettingsRow = (i64, String, String, String, String, i64, DateTime<Utc>);

fn settings_of(r: SettingsRow) -> Result<PayoutSettings> {
    let (user_id, destination, destination_summary, currency, schedule, threshold_minor, updated_at) = r;
    Ok(PayoutSettings {
        user_id,
        destination,
        destination_summary,
        currency: currency_of("payout_settings", &currency)?,
        schedule,
        threshold_minor,
        updated_at,
    })
}

impl Payments<'_> {
    /// Sets a creator's payout settings (replacing earlier ones).
    pub async fn set_payout_settings(&self, s: &PayoutSettings) -> Result<()> {
        with_pool!(self.store, |p| sqlx::query(
            "INSERT INTO payout_settings (user_id, destination, destination_summary, currency, schedule, threshold_minor, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (user_id) DO UPDATE SET destination = excluded.destination,
                 destination_summary = excluded.destination_summary, currency = excluded.currency,
                 schedule = excluded.schedule, threshold_minor = excluded.threshold_minor, updated_at = excluded.updated_at"
        )
        .bind(s.user_id)
        .bind(&s.destination)
        .bind(&s.destination_summary)
        .bind(s.currency.as_str())
        .bind(&s.schedule)
        .bind(s.threshold_minor)
        .bind(s.updated_at)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .doing("saving payout settings")?;
        Ok(())
    }

    pub async fn payout_settings(&self, user_id: i64) -> Result<Option<PayoutSettings>> {
        let row: Option<SettingsRow> = with_pool!(self.store, |p| sqlx::query_as(
            "SELECT user_id, destination, destination_summary, currency, schedule, threshold_minor, updated_at
             FROM payout_settings WHERE user_id = $1"
        )
        .bind(user_id)
        .fetch_optional(p)
        .await)
        .doing("reading payout settings")?;
        row.map(settings_of).transpose()
    }

    /// Every creator's payout settings on a schedule (not `manual`).
    pub async fn scheduled_payout_settings(&self) -> Result<Vec<PayoutSettings>> {
        let rows: Vec<SettingsRow> = with_pool!(self.store, |p| sqlx::query_as(
            "SELECT user_id, destination, destination_summary, currency, schedule, threshold_minor, updated_at
             FROM payout_settings WHERE schedule <> 'manual' ORDER BY user_id"
        )
        .fetch_all(p)
        .await)
        .doing("reading payout settings")?;
        rows.into_iter().map(settings_of).collect()
    }

    /// Records a payout about to start; a payout with the same run key
    /// (the same creator, currency and turn) is returned instead of a second.
    pub async fn create_payout(&self, new: &NewPayout<'_>) -> Result<Payout> {
        let inserted: std::result::Result<i64, sqlx::Error> = with_pool!(self.store, |p| {
            sqlx::query_scalar(
            "INSERT INTO payouts (user_id, status, source_currency, source_minor, currency, amount_minor, rate_numerator,
                                  rate_denominator, rate_source, spread_bps, destination, destination_summary, provider,
                                  run_key, created_at, updated_at)
             VALUES ($1, 'created', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id"
        )
        .bind(new.user_id)
        .bind(new.source.currency.as_str())
        .bind(new.source.amount_minor)
        .bind(new.amount.currency.as_str())
        .bind(new.amount.amount_minor)
        .bind(new.rate_numerator)
        .bind(new.rate_denominator)
        .bind(new.rate_source)
        .bind(i64::from(new.spread_bps))
        .bind(new.destination)
        .bind(new.destination_summary)
        .bind(new.provider)
        .bind(new.run_key)
        .bind(new.at)
        .fetch_one(p)
        .await
        });
        let id = match inserted {
            Ok(id) => id,
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                with_pool!(self.store, |p| sqlx::query_scalar("SELECT id FROM payouts WHERE run_key = $1")
                    .bind(new.run_key)
                    .fetch_one(p)
                    .await)
                .doing("reading a payout by run key")?
            }
            Err(e) => return Err(Error::Database { doing: "recording a payout", source: e }),
        };
        self.payout(id).await
    }

    pub async fn payout(&self, id: i64) -> Result<Payout> {
        let sql = format!("SELECT {PAYOUT_COLUMNS} FROM payouts WHERE id = $1");
        let row: Option<PayoutRow> = with_pool!(self.store, |p| sqlx::query_as(&sql).bind(id).fetch_optional(p).await)
            .doing("reading a payout")?;
        payout_of(row.ok_or(Error::Missing { what: Record::Payout, id })?)
    }

    pub async fn payout_by_ref(&self, provider: &str, provider_ref: &str) -> Result<Option<Payout>> {
        let sql = format!("SELECT {PAYOUT_COLUMNS} FROM payouts WHERE provider = $1 AND provider_ref = $2");
        let row: Option<PayoutRow> =
            with_pool!(self.store, |p| sqlx::query_as(&sql).bind(provider).bind(provider_ref).fetch_optional(p).await)
                .doing("reading a payout")?;
        row.map(payout_of).transpose()
    }

    /// A creator's payouts, newest first.
    pub async fn payouts_of(&self, user_id: i64, offset: i64, limit: i64) -> Result<Vec<Payout>> {
        let sql = format!(
            "SELECT {PAYOUT_COLUMNS} FROM payouts WHERE user_id = $1 ORDER BY id DESC LIMIT {} OFFSET {}",
            limit.clamp(1, 500),
            offset.max(0)
        );
        let rows: Vec<PayoutRow> = with_pool!(self.store, |p| sqlx::query_as(&sql).bind(user_id).fetch_all(p).await)
            .doing("reading payouts")?;
        rows.into_iter().map(payout_of).collect()
    }

    /// The newest payout of a creator, if any.
    pub async fn last_payout(&self, user_id: i64) -> Result<Option<Payout>> {
        Ok(self.payouts_of(user_id, 0, 1).await?.pop())
    }

    /// Payouts not finished (created, in transit or submitted), oldest first.
    pub async fn open_payouts(&self) -> Result<Vec<Payout>> {
        let sql = format!(
            "SELECT {PAYOUT_COLUMNS} FROM payouts WHERE status IN ('created', 'in_transit', 'submitted') ORDER BY id"
        );
        let rows: Vec<PayoutRow> =
            with_pool!(self.store, |p| sqlx::query_as(&sql).fetch_all(p).await).doing("reading open payouts")?;
        rows.into_iter().map(payout_of).collect()
    }

    /// Every payout (for checks and reports), oldest first.
    pub async fn all_payouts(&self) -> Result<Vec<Payout>> {
        let sql = format!("SELECT {PAYOUT_COLUMNS} FROM payouts ORDER BY id");
        let rows: Vec<PayoutRow> =
            with_pool!(self.store, |p| sqlx::query_as(&sql).fetch_all(p).await).doing("reading payouts")?;
        rows.into_iter().map(payout_of).collect()
    }

    /// Moves a payout from one of `from` to `to` (with the provider's
    /// reference, a failure, the time it was paid); whether it moved.
    pub async fn advance_payout(
        &self,
        id: i64,
        from: &[&str],
        to: &str,
        provider_ref: Option<&str>,
        failure: Option<(&str, &str)>,
        paid_at: Option<DateTime<Utc>>,
    ) -> Result<bool> {
        let states: Vec<String> = from.iter().map(|s| format!("'{s}'")).collect();
        // The states are our own constants, never a caller's text.
        let sql = format!(
            "UPDATE payouts SET status = $1, provider_ref = COALESCE($2, provider_ref), failure_code = $3,
                    failure_message = $4, paid_at = $5, updated_at = $6
             WHERE id = $7 AND status IN ({})",
            states.join(", ")
        );
        let n = with_pool!(self.store, |p| sqlx::query(&sql)
            .bind(to)
            .bind(provider_ref)
            .bind(failure.map(|f| f.0))
            .bind(failure.map(|f| f.1))
            .bind(paid_at)
            .bind(Utc::now())
            .bind(id)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))
        .doing("moving a payout on")?;
        Ok(n == 1)
    }
}

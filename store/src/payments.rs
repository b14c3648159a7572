//! Money through payment providers: organisations' plans, wallet fundings
//! and where each stands, provider events already applied (payouts are
//! `payouts.rs`, invoices `invoices.rs`). The ledger's transfers are written by
//! [`crate::Ledger`]; these records say why each was made and what the
//! provider answered, and move forward only (a late or repeated event never
//! takes a record back).

use chrono::{DateTime, Utc};
use scout_domain::money::{Currency, Money};

use crate::error::{Doing, Error, Record, Result};
use crate::{Backend, Payments, Store};

/// A funding as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Funding {
    pub id: i64,
    pub org_id: i64,
    pub requested_by: Option<i64>,
    pub provider: String,
    pub method: String,
    pub method_summary: String,
    pub amount: Money,
    /// `created`, `processing`, `succeeded` or `failed`.
    pub status: String,
    pub failure_code: Option<String>,
    pub failure_message: Option<String>,
    pub provider_ref: Option<String>,
    pub transfer_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A funding to record.
#[derive(Debug, Clone)]
pub struct NewFunding<'a> {
    pub org_id: i64,
    pub requested_by: i64,
    pub provider: &'a str,
    pub method: &'a str,
    pub method_summary: &'a str,
    pub amount: Money,
    pub idempotency_key: &'a str,
    pub fingerprint: &'a str,
}

type FundingRow = (
    i64,
    i64,
    Option<i64>,
    String,
    String,
    String,
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    DateTime<Utc>,
    DateTime<Utc>,
);

const FUNDING_COLUMNS: &str = "id, org_id, requested_by, provider, method, method_summary, amount_minor, currency,
     status, failure_code, failure_message, provider_ref, transfer_id, created_at, updated_at";

fn funding_of(row: FundingRow) -> Result<Funding> {
    let (
        id,
        org_id,
        requested_by,
        provider,
        method,
        method_summary,
        amount,
        currency,
        status,
        code,
        message,
        r,
        t,
        c,
        u,
    ) = row;
    let currency: Currency =
        currency.parse().map_err(|e| Error::CorruptRecord { table: "fundings", message: format!("{e}") })?;
    Ok(Funding {
        id,
        org_id,
        requested_by,
        provider,
        method,
        method_summary,
        amount: Money::new(amount, currency),
        status,
        failure_code: code,
        failure_message: message,
        provider_ref: r,
        transfer_id: t,
        created_at: c,
        updated_at: u,
    })
}

impl Payments<'_> {
    /// The plan of an organisation (`starter` when it never chose).
    pub async fn plan(&self, org_id: i64) -> Result<String> {
        let plan: Option<String> =
            with_pool!(self.store, |p| sqlx::query_scalar("SELECT plan FROM organisations WHERE id = $1")
                .bind(org_id)
                .fetch_optional(p)
                .await)
            .doing("reading a plan")?;
        Ok(plan.unwrap_or_else(|| "starter".into()))
    }

    pub async fn set_plan(&self, org_id: i64, plan: &str) -> Result<()> {
        with_pool!(self.store, |p| sqlx::query("UPDATE organisations SET plan = $1 WHERE id = $2")
            .bind(plan)
            .bind(org_id)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))
        .doing("setting a plan")?;
        Ok(())
    }

    /// Records a funding about to be sent to the provider; the same
    /// organisation and key again returns the first (`false`: not new), or
    /// [`scout_ledger::Error::KeyReused`] when the request differs.
    pub async fn create_funding(&self, new: &NewFunding<'_>) -> Result<(Funding, bool)> {
        let now = Utc::now();
        let inserted: std::result::Result<i64, sqlx::Error> = with_pool!(self.store, |p| sqlx::query_scalar(
            "INSERT INTO fundings (org_id, requested_by, provider, method, method_summary, amount_minor, currency,
                                   status, idempotency_key, fingerprint, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'created', $8, $9, $10, $10) RETURNING id"
        )
        .bind(new.org_id)
        .bind(new.requested_by)
        .bind(new.provider)
        .bind(new.method)
        .bind(new.method_summary)
        .bind(new.amount.amount_minor)
        .bind(new.amount.currency.as_str())
        .bind(new.idempotency_key)
        .bind(new.fingerprint)
        .bind(now)
        .fetch_one(p)
        .await);
        match inserted {
            Ok(id) => Ok((self.funding(id).await?, true)),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                let seen: (i64, String) = with_pool!(self.store, |p| sqlx::query_as(
                    "SELECT id, fingerprint FROM fundings WHERE org_id = $1 AND idempotency_key = $2"
                )
                .bind(new.org_id)
                .bind(new.idempotency_key)
                .fetch_one(p)
                .await)
                .doing("reading a funding by key")?;
                if seen.1 != new.fingerprint {
                    return Err(Error::Ledger(scout_ledger::Error::KeyReused));
                }
                Ok((self.funding(seen.0).await?, false))
            }
            Err(e) => Err(Error::Database { doing: "recording a funding", source: e }),
        }
    }

    pub async fn funding(&self, id: i64) -> Result<Funding> {
        let sql = format!("SELECT {FUNDING_COLUMNS} FROM fundings WHERE id = $1");
        let row: Option<FundingRow> = with_pool!(self.store, |p| sqlx::query_as(&sql).bind(id).fetch_optional(p).await)
            .doing("reading a funding")?;
        funding_of(row.ok_or(Error::Missing { what: Record::Funding, id })?)
    }

    /// The funding a provider knows as `provider_ref`.
    pub async fn funding_by_ref(&self, provider: &str, provider_ref: &str) -> Result<Option<Funding>> {
        let sql = format!("SELECT {FUNDING_COLUMNS} FROM fundings WHERE provider = $1 AND provider_ref = $2");
        let row: Option<FundingRow> =
            with_pool!(self.store, |p| sqlx::query_as(&sql).bind(provider).bind(provider_ref).fetch_optional(p).await)
                .doing("reading a funding")?;
        row.map(funding_of).transpose()
    }

    /// An organisation's fundings, newest first.
    pub async fn fundings(&self, org_id: i64, offset: i64, limit: i64) -> Result<Vec<Funding>> {
        let sql = format!(
            "SELECT {FUNDING_COLUMNS} FROM fundings WHERE org_id = $1 ORDER BY id DESC LIMIT {} OFFSET {}",
            limit.clamp(1, 500),
            offset.max(0)
        );
        let rows: Vec<FundingRow> = with_pool!(self.store, |p| sqlx::query_as(&sql).bind(org_id).fetch_all(p).await)
            .doing("reading fundings")?;
        rows.into_iter().map(funding_of).collect()
    }

    /// Every funding through `provider` (for reconciliation).
    pub async fn fundings_of_provider(&self, provider: &str) -> Result<Vec<Funding>> {
        let sql = format!("SELECT {FUNDING_COLUMNS} FROM fundings WHERE provider = $1 ORDER BY id");
        let rows: Vec<FundingRow> = with_pool!(self.store, |p| sqlx::query_as(&sql).bind(provider).fetch_all(p).await)
            .doing("reading fundings")?;
        rows.into_iter().map(funding_of).collect()
    }

    /// Fundings still waiting for the provider (for a sweep that asks again).
    pub async fn open_fundings(&self) -> Result<Vec<Funding>> {
        let sql =
            format!("SELECT {FUNDING_COLUMNS} FROM fundings WHERE status IN ('created', 'processing') ORDER BY id");
        let rows: Vec<FundingRow> =
            with_pool!(self.store, |p| sqlx::query_as(&sql).fetch_all(p).await).doing("reading open fundings")?;
        rows.into_iter().map(funding_of).collect()
    }

    /// The provider's answer to a funding just sent: its reference and
    /// `processing` (or `failed` with the reason). Only from `created`.
    pub async fn funding_sent(
        &self,
        id: i64,
        provider_ref: &str,
        status: &str,
        failure: Option<(&str, &str)>,
    ) -> Result<()> {
        with_pool!(self.store, |p| sqlx::query(
            "UPDATE fundings SET provider_ref = $1, status = $2, failure_code = $3, failure_message = $4, updated_at = $5
             WHERE id = $6 AND status = 'created'"
        )
        .bind(provider_ref)
        .bind(status)
        .bind(failure.map(|f| f.0))
        .bind(failure.map(|f| f.1))
        .bind(Utc::now())
        .bind(id)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .doing("recording a provider's answer")?;
        Ok(())
    }

    /// The funding ended: `succeeded` with its ledger transfer, or `failed`
    /// with the reason. Only from `created` or `processing`; whether it moved.
    pub async fn funding_finished(
        &self,
        id: i64,
        status: &str,
        failure: Option<(&str, &str)>,
        transfer_id: Option<i64>,
    ) -> Result<bool> {
        let n = with_pool!(self.store, |p| {
            sqlx::query(
            "UPDATE fundings SET status = $1, failure_code = $2, failure_message = $3, transfer_id = $4, updated_at = $5
             WHERE id = $6 AND status IN ('created', 'processing')"
        )
        .bind(status)
        .bind(failure.map(|f| f.0))
        .bind(failure.map(|f| f.1))
        .bind(transfer_id)
        .bind(Utc::now())
        .bind(id)
        .execute(p)
        .await
        .map(|r| r.rows_affected())
        })
        .doing("finishing a funding")?;
        Ok(n == 1)
    }

    /// Whether a provider's event was applied before.
    pub async fn event_seen(&self, provider: &str, event_id: &str) -> Result<bool> {
        let n: i64 = with_pool!(self.store, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM webhook_events WHERE provider = $1 AND event_id = $2"
        )
        .bind(provider)
        .bind(event_id)
        .fetch_one(p)
        .await)
        .doing("reading webhook events")?;
        Ok(n > 0)
    }

    /// Notes a provider's event as applied (after its effects, which are
    /// idempotent: a crash before this line replays them harmlessly).
    pub async fn event_applied(&self, provider: &str, event_id: &str, kind: &str) -> Result<()> {
        with_pool!(self.store, |p| sqlx::query(
            "INSERT INTO webhook_events (provider, event_id, kind, received_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (provider, event_id) DO NOTHING"
        )
        .bind(provider)
        .bind(event_id)
        .bind(kind)
        .bind(Utc::now())
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .doing("recording a webhook event")?;
        Ok(())
    }
}

impl Store {
    /// Plans, fundings, provider events, payout settings and payouts, invoices.
    pub fn payments(&self) -> Payments<'_> {
        Payments { store: self }
    }
}

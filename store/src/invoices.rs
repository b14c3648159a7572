//! Invoices and receipts, numbered per organisation from 1 without gaps:
//! the next number is taken inside the transaction that writes the
//! document, after the organisation's row is locked (PostgreSQL) or the
//! database's write lock is held (SQLite), so two documents issued at once
//! never share or skip a number. A document's source (`funding:7`) is
//! unique: issuing it again returns the first.

use chrono::{DateTime, Utc};
use scout_domain::money::Currency;

use crate::error::{Doing, Error, Record, Result};
use crate::{Backend, Payments};

/// What an organisation's invoices name it as.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Billing {
    pub name: Option<String>,
    pub address: Option<String>,
    pub vat_id: Option<String>,
    /// VAT included in its invoices' amounts, in basis points.
    pub vat_rate_bps: Option<u32>,
}

/// An invoice or receipt as issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoice {
    pub id: i64,
    pub org_id: i64,
    pub number: i64,
    /// `receipt` or `invoice`.
    pub kind: String,
    pub source: String,
    pub contract_id: Option<i64>,
    pub creator_id: Option<i64>,
    pub currency: Currency,
    /// JSON `[{"description", "amount_minor"}]`.
    pub lines: String,
    pub total_minor: i64,
    pub vat_rate_bps: Option<u32>,
    pub vat_minor: i64,
    /// JSON of the buyer as invoiced.
    pub buyer: String,
    pub issued_at: DateTime<Utc>,
}

/// A document to issue (its number is the store's to give).
#[derive(Debug, Clone)]
pub struct NewInvoice<'a> {
    pub org_id: i64,
    pub kind: &'a str,
    pub source: &'a str,
    pub contract_id: Option<i64>,
    pub creator_id: Option<i64>,
    pub currency: Currency,
    pub lines: &'a str,
    pub total_minor: i64,
    pub vat_rate_bps: Option<u32>,
    pub vat_minor: i64,
    pub buyer: &'a str,
    pub issued_at: DateTime<Utc>,
}

type InvoiceRow = (
    i64,
    i64,
    i64,
    String,
    String,
    Option<i64>,
    Option<i64>,
    String,
    String,
    i64,
    Option<i64>,
    i64,
    String,
    DateTime<Utc>,
);

const COLUMNS: &str = "id, org_id, number, kind, source, contract_id, creator_id, currency, lines, total_minor,
     vat_rate_bps, vat_minor, buyer, issued_at";

fn invoice_of(r: InvoiceRow) -> Result<Invoice> {
    let (id, org_id, number, kind, source, contract_id, creator_id, currency, lines, total_minor, rate, vat, buyer, at) =
        r;
    Ok(Invoice {
        id,
        org_id,
        number,
        kind,
        source,
        contract_id,
        creator_id,
        currency: currency.parse().map_err(|e| Error::CorruptRecord { table: "invoices", message: format!("{e}") })?,
        lines,
        total_minor,
        vat_rate_bps: rate.and_then(|r| u32::try_from(r).ok()),
        vat_minor: vat,
        buyer,
        issued_at: at,
    })
}

/// Issues `$new` in the open transaction `$tx` (the lock already taken).
macro_rules! issue_in {
    ($tx:ident, $new:expr) => {{
        let seen: Option<i64> = sqlx::query_scalar("SELECT id FROM invoices WHERE source = $1")
            .bind($new.source)
            .fetch_optional(&mut *$tx)
            .await
            .doing("reading an invoice by source")?;
        match seen {
            Some(id) => id,
            None => {
                let next: i64 = sqlx::query_scalar(
                    "SELECT CAST(COALESCE(MAX(number), 0) + 1 AS BIGINT) FROM invoices WHERE org_id = $1",
                )
                .bind($new.org_id)
                .fetch_one(&mut *$tx)
                .await
                .doing("numbering an invoice")?;
                sqlx::query_scalar(
                    "INSERT INTO invoices (org_id, number, kind, source, contract_id, creator_id, currency, lines,
                                           total_minor, vat_rate_bps, vat_minor, buyer, issued_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
                )
                .bind($new.org_id)
                .bind(next)
                .bind($new.kind)
                .bind($new.source)
                .bind($new.contract_id)
                .bind($new.creator_id)
                .bind($new.currency.as_str())
                .bind($new.lines)
                .bind($new.total_minor)
                .bind($new.vat_rate_bps.map(i64::from))
                .bind($new.vat_minor)
                .bind($new.buyer)
                .bind($new.issued_at)
                .fetch_one(&mut *$tx)
                .await
                .doing("writing an invoice")?
            }
        }
    }};
}

impl Payments<'_> {
    pub async fn billing(&self, org_id: i64) -> Result<Billing> {
        type BillingRow = (Option<String>, Option<String>, Option<String>, Option<i64>);
        let row: Option<BillingRow> = with_pool!(self.store, |p| sqlx::query_as(
            "SELECT billing_name, billing_address, vat_id, vat_rate_bps FROM organisations WHERE id = $1"
        )
        .bind(org_id)
        .fetch_optional(p)
        .await)
        .doing("reading billing details")?;
        Ok(row.map_or_else(Billing::default, |(name, address, vat_id, rate)| Billing {
            name,
            address,
            vat_id,
            vat_rate_bps: rate.and_then(|r| u32::try_from(r).ok()),
        }))
    }

    pub async fn set_billing(&self, org_id: i64, b: &Billing) -> Result<()> {
        with_pool!(self.store, |p| sqlx::query(
            "UPDATE organisations SET billing_name = $1, billing_address = $2, vat_id = $3, vat_rate_bps = $4 WHERE id = $5"
        )
        .bind(&b.name)
        .bind(&b.address)
        .bind(&b.vat_id)
        .bind(b.vat_rate_bps.map(i64::from))
        .bind(org_id)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .doing("saving billing details")?;
        Ok(())
    }

    /// Issues a document with the organisation's next number (see the module
    /// documentation); the same source again returns the first.
    pub async fn issue_invoice(&self, new: &NewInvoice<'_>) -> Result<Invoice> {
        let id = match &self.store.backend {
            Backend::Sqlite(pool) => {
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.doing("starting an invoice")?;
                let id = issue_in!(tx, new);
                tx.commit().await.doing("committing an invoice")?;
                id
            }
            Backend::Postgres(pool) => {
                let mut tx = pool.begin().await.doing("starting an invoice")?;
                sqlx::query("SELECT id FROM organisations WHERE id = $1 FOR UPDATE")
                    .bind(new.org_id)
                    .execute(&mut *tx)
                    .await
                    .doing("locking the organisation's numbering")?;
                let id = issue_in!(tx, new);
                tx.commit().await.doing("committing an invoice")?;
                id
            }
        };
        self.invoice(id).await
    }

    /// Whether the document of `source` was issued.
    pub async fn has_invoice(&self, source: &str) -> Result<bool> {
        let n: i64 = with_pool!(self.store, |p| sqlx::query_scalar("SELECT COUNT(*) FROM invoices WHERE source = $1")
            .bind(source)
            .fetch_one(p)
            .await)
        .doing("looking for an invoice")?;
        Ok(n > 0)
    }

    pub async fn invoice(&self, id: i64) -> Result<Invoice> {
        let sql = format!("SELECT {COLUMNS} FROM invoices WHERE id = $1");
        let row: Option<InvoiceRow> = with_pool!(self.store, |p| sqlx::query_as(&sql).bind(id).fetch_optional(p).await)
            .doing("reading an invoice")?;
        invoice_of(row.ok_or(Error::Missing { what: Record::Invoice, id })?)
    }

    /// An organisation's documents, or those about a creator's work, newest first.
    pub async fn invoices(
        &self,
        org_id: Option<i64>,
        creator_id: Option<i64>,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<Invoice>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM invoices WHERE ($1 = 0 OR org_id = $1) AND ($2 = 0 OR creator_id = $2)
             ORDER BY id DESC LIMIT {} OFFSET {}",
            limit.clamp(1, 500),
            offset.max(0)
        );
        let rows: Vec<InvoiceRow> = with_pool!(self.store, |p| sqlx::query_as(&sql)
            .bind(org_id.unwrap_or(0))
            .bind(creator_id.unwrap_or(0))
            .fetch_all(p)
            .await)
        .doing("reading invoices")?;
        rows.into_iter().map(invoice_of).collect()
    }
}

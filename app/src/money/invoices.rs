//! Invoices and receipts: a receipt for each funding of a brand's wallet,
//! an invoice for each released milestone (the creator's work, of which
//! Scout's fee), numbered per organisation without gaps, with the
//! organisation's billing name, address and VAT id, and the VAT its rate
//! says is included. As JSON and as PDF.

use scout_domain::ErrorCode;
use scout_domain::money::{Currency, Money};
use scout_domain::org::Scope;
use scout_market::amount_text;
use scout_store::{Billing, Invoice, NewInvoice};
use serde::{Deserialize, Serialize};

use crate::Application;
use crate::access::{Acting, Caller};
use crate::deals::Party;
use crate::error::{Error, Result};

/// A document to issue.
struct Issue<'a> {
    org: i64,
    kind: &'a str,
    source: &'a str,
    contract_id: Option<i64>,
    creator_id: Option<i64>,
    currency: Currency,
    lines: &'a [InvoiceLineOut],
    total_minor: i64,
}

/// Who issues Scout's documents.
const SELLER: [&str; 2] = ["Scout Marketplace", "payments@scout.example"];

/// A line of an invoice.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InvoiceLineOut {
    pub description: String,
    pub amount_minor: i64,
}

/// The buyer as invoiced.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Buyer {
    pub name: String,
    pub address: Option<String>,
    pub vat_id: Option<String>,
}

/// An organisation's billing details, as it sets them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BillingDetails {
    /// The legal name on invoices (default: the organisation's name).
    #[schema(max_length = 140)]
    pub name: Option<String>,
    #[schema(max_length = 500)]
    pub address: Option<String>,
    /// A VAT id ("DE123456789").
    #[schema(max_length = 20, pattern = "^([A-Z]{2}[A-Za-z0-9]{2,18})?$")]
    pub vat_id: Option<String>,
    /// VAT included in the amounts, in basis points (1900: 19%).
    #[schema(maximum = 5000)]
    pub vat_rate_bps: Option<u32>,
}

/// VAT included in `total` at `rate_bps`: total × rate / (1 + rate), half to even.
fn included_vat(total: i64, rate_bps: u32) -> i64 {
    let num = i128::from(total) * i128::from(rate_bps);
    let den = 10_000 + i128::from(rate_bps);
    let (q, r) = (num.div_euclid(den), num.rem_euclid(den));
    let v = match (2 * r).cmp(&den) {
        std::cmp::Ordering::Less => q,
        std::cmp::Ordering::Greater => q + 1,
        std::cmp::Ordering::Equal => q + (q & 1),
    };
    i64::try_from(v).unwrap_or(0)
}

/// `INV-0042-000007`: the organisation and its sequence number.
pub fn invoice_number(i: &Invoice) -> String {
    let prefix = if i.kind == "receipt" { "RCT" } else { "INV" };
    format!("{prefix}-{:04}-{:06}", i.org_id, i.number)
}

impl Application {
    /// Issues the document for `d.source` in `d.org`'s sequence (once).
    async fn issue(&self, d: Issue<'_>) -> Result<Invoice> {
        let Issue { org, kind, source, contract_id, creator_id, currency, lines, total_minor } = d;
        let billing = self.store.payments().billing(org).await?;
        let org_name = self.store.orgs().organisation(org).await?.map(|o| o.name).unwrap_or_default();
        let buyer =
            Buyer { name: billing.name.clone().unwrap_or(org_name), address: billing.address, vat_id: billing.vat_id };
        let rate = billing.vat_rate_bps.filter(|r| *r > 0 && kind == "invoice");
        let vat_minor = rate.map_or(0, |r| included_vat(total_minor, r));
        let lines = serde_json::to_string(lines).map_err(|e| Error::internal("writing invoice lines", e))?;
        let buyer = serde_json::to_string(&buyer).map_err(|e| Error::internal("writing a buyer", e))?;
        let new = NewInvoice {
            org_id: org,
            kind,
            source,
            contract_id,
            creator_id,
            currency,
            lines: &lines,
            total_minor,
            vat_rate_bps: rate,
            vat_minor,
            buyer: &buyer,
            issued_at: self.clock.now(),
        };
        Ok(self.store.payments().issue_invoice(&new).await?)
    }

    /// The acting organisation's billing details.
    pub async fn billing(&self, acting: &Acting) -> Result<BillingDetails> {
        acting.caller.require(Scope::PaymentsRead)?;
        let b = self.store.payments().billing(acting.org.id).await?;
        Ok(BillingDetails { name: b.name, address: b.address, vat_id: b.vat_id, vat_rate_bps: b.vat_rate_bps })
    }

    /// Sets them (owners and admins): later documents use them.
    pub async fn set_billing(&self, acting: &Acting, d: BillingDetails) -> Result<BillingDetails> {
        acting.require_admin()?;
        let clean = |s: Option<String>, max: usize, field: &str| -> Result<Option<String>> {
            match s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) {
                Some(s) if s.chars().count() > max => {
                    Err(Error::bad_parameter(field, format!("at most {max} characters")))
                }
                other => Ok(other),
            }
        };
        let vat_id = clean(d.vat_id, 20, "vat_id")?;
        if let Some(v) = &vat_id
            && !vat_id_valid(v)
        {
            return Err(Error::bad_parameter("vat_id", "a country prefix and the number, like DE123456789"));
        }
        if d.vat_rate_bps.is_some_and(|r| r > 5_000) {
            return Err(Error::bad_parameter("vat_rate_bps", "at most 5000 (50%)"));
        }
        let billing = Billing {
            name: clean(d.name, 140, "name")?,
            address: clean(d.address, 500, "address")?,
            vat_id,
            vat_rate_bps: d.vat_rate_bps,
        };
        self.store.payments().set_billing(acting.org.id, &billing).await?;
        self.billing(acting).await
    }

    /// The documents the caller may read: a brand's (or its agency's) in its
    /// sequence, or a creator's about their work.
    pub async fn invoices(&self, party: &Party, offset: i64, limit: i64) -> Result<Vec<Invoice>> {
        match party {
            Party::Brand(a) => {
                a.caller.require(Scope::PaymentsRead)?;
                Ok(self.store.payments().invoices(Some(a.org.id), None, offset, limit).await?)
            }
            Party::Creator(c) => Ok(self.store.payments().invoices(None, Some(c.id()), offset, limit).await?),
            Party::Admin(_) => {
                Err(Error::refused(ErrorCode::Forbidden, "name an organisation (X-Scout-Org) to read its invoices"))
            }
        }
    }

    pub async fn invoice(&self, party: &Party, id: i64) -> Result<Invoice> {
        let i = self.store.payments().invoice(id).await?;
        let mine = match party {
            Party::Brand(a) => a.caller.require(Scope::PaymentsRead).is_ok() && i.org_id == a.org.id,
            Party::Creator(c) => i.creator_id == Some(c.id()),
            Party::Admin(c) => c.require_platform_admin().is_ok(),
        };
        if !mine {
            return Err(scout_store::Error::Missing { what: scout_store::Record::Invoice, id }.into());
        }
        Ok(i)
    }

    /// The document as a PDF, and a file name for it.
    pub async fn invoice_pdf(&self, party: &Party, id: i64) -> Result<(Vec<u8>, String)> {
        let i = self.invoice(party, id).await?;
        let lines: Vec<InvoiceLineOut> =
            serde_json::from_str(&i.lines).map_err(|e| Error::internal("reading invoice lines", e))?;
        let buyer: Buyer = serde_json::from_str(&i.buyer).map_err(|e| Error::internal("reading a buyer", e))?;
        let money = |minor: i64| amount_text(Money::new(minor, i.currency));
        let amounts: Vec<String> = lines.iter().map(|l| money(l.amount_minor)).collect();
        let number = invoice_number(&i);
        let issued = i.issued_at.format("%Y-%m-%d").to_string();
        let vat_label = i.vat_rate_bps.map(|r| format!("VAT {} (included)", scout_ledger::percent_text(r)));
        let (net, vat, total) = (money(i.total_minor - i.vat_minor), money(i.vat_minor), money(i.total_minor));
        let mut buyer_lines = vec![buyer.name.as_str()];
        buyer_lines.extend(buyer.address.as_deref());
        let vat_line = buyer.vat_id.as_ref().map(|v| format!("VAT {v}"));
        buyer_lines.extend(vat_line.as_deref());
        let note = if i.kind == "receipt" {
            "Money received into your Scout wallet. Not a tax invoice: the work it pays for is invoiced as each milestone is released."
        } else {
            "Paid from the contract's escrow when the milestone was approved. The creator receives the amount less Scout's fee."
        };
        let doc = scout_documents::InvoiceDocument {
            kind: if i.kind == "receipt" { "Receipt" } else { "Invoice" },
            number: &number,
            issued: &issued,
            seller: SELLER.to_vec(),
            buyer: buyer_lines,
            lines: lines
                .iter()
                .zip(&amounts)
                .map(|(l, a)| scout_documents::InvoiceLine { description: &l.description, amount: a })
                .collect(),
            net: &net,
            vat: vat_label.as_deref().map(|l| (l, vat.as_str())),
            total: &total,
            notes: vec![note],
        };
        Ok((scout_documents::invoice_pdf(&doc), format!("scout-{}.pdf", number.to_lowercase())))
    }

    /// The receipt of a settled funding.
    pub(crate) async fn receipt_for_funding(&self, f: &scout_store::Funding) -> Result<()> {
        let lines = [InvoiceLineOut {
            description: format!("Wallet funding {} ({})", f.id, f.method_summary),
            amount_minor: f.amount.amount_minor,
        }];
        let source = format!("funding:{}", f.id);
        self.issue(Issue {
            org: f.org_id,
            kind: "receipt",
            source: &source,
            contract_id: None,
            creator_id: None,
            currency: f.amount.currency,
            lines: &lines,
            total_minor: f.amount.amount_minor,
        })
        .await?;
        Ok(())
    }

    /// The invoice of a released milestone (all or a dispute's share).
    pub(crate) async fn invoice_for_release(
        &self,
        k: &scout_store::StoredContract,
        milestone: usize,
        released_minor: i64,
        source: &str,
    ) -> Result<()> {
        let Some(m) = k.contract.milestones.get(milestone) else { return Ok(()) };
        let fee = scout_ledger::fee_of(released_minor, k.fee_bps)?;
        let lines = [
            InvoiceLineOut {
                description: format!("Contract {}, milestone {}: {}", k.id, milestone + 1, m.title),
                amount_minor: released_minor,
            },
            InvoiceLineOut {
                description: format!("of which Scout's fee ({})", scout_ledger::percent_text(k.fee_bps)),
                amount_minor: fee,
            },
        ];
        let c = m.amount.currency;
        self.issue(Issue {
            org: k.org_id,
            kind: "invoice",
            source,
            contract_id: Some(k.id),
            creator_id: k.creator_id,
            currency: c,
            lines: &lines,
            total_minor: released_minor,
        })
        .await?;
        Ok(())
    }

    /// Invoices for `caller` when they are a creator.
    pub async fn creator_invoices(&self, caller: &Caller, offset: i64, limit: i64) -> Result<Vec<Invoice>> {
        Ok(self.store.payments().invoices(None, Some(caller.id()), offset, limit).await?)
    }
}

/// A VAT id's shape: a two-letter country prefix and at least two letters
/// or digits. Read by characters, never bytes: it is whatever the caller sent.
fn vat_id_valid(v: &str) -> bool {
    v.chars().count() >= 4
        && v.chars().take(2).all(|c| c.is_ascii_uppercase())
        && v.chars().skip(2).all(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vat_ids_are_checked_by_characters() {
        assert!(vat_id_valid("DE123456789"));
        assert!(!vat_id_valid("de123456789"));
        assert!(!vat_id_valid("DE1"));
        // Schemathesis sent U+10000 (four bytes): the byte slice that panicked is gone.
        assert!(!vat_id_valid("\u{10000}"));
        assert!(!vat_id_valid("É\u{10000}12"));
    }

    #[test]
    fn included_vat_is_exact_and_rounds_half_to_even() {
        assert_eq!(included_vat(11_900, 1_900), 1_900);
        assert_eq!(included_vat(60_000, 1_900), 9_580); // 9,579.83 → 9,580
        assert_eq!(included_vat(0, 1_900), 0);
        assert_eq!(included_vat(10_500, 500), 500);
    }
}

//! Invoices and receipts: who issued it to whom (with VAT ids where given),
//! its gapless number, the lines with their amounts flush right, the net,
//! the VAT at its rate and the total; a note per line below.

use crate::{BODY, Line, MARGIN, PAGE_W, paginate, render, wrap};

/// One line of an invoice: what, and its amount already formatted ("600.00 EUR").
#[derive(Debug, Clone)]
pub struct InvoiceLine<'a> {
    pub description: &'a str,
    pub amount: &'a str,
}

/// An invoice or receipt to print. Amounts come formatted: the document
/// computes nothing.
#[derive(Debug, Clone)]
pub struct InvoiceDocument<'a> {
    /// "Invoice" or "Receipt".
    pub kind: &'a str,
    /// "INV-0042-000007": the organisation's sequence, without gaps.
    pub number: &'a str,
    /// "2026-12-06".
    pub issued: &'a str,
    /// The issuer's lines (name, address, VAT id).
    pub seller: Vec<&'a str>,
    /// The buyer's lines.
    pub buyer: Vec<&'a str>,
    pub lines: Vec<InvoiceLine<'a>>,
    pub net: &'a str,
    /// "VAT 19%" and its amount, when a rate applies.
    pub vat: Option<(&'a str, &'a str)>,
    pub total: &'a str,
    pub notes: Vec<&'a str>,
}

fn line(text: &str, size: f32, bold: bool, gap: f32, right: Option<&str>) -> Line {
    Line { bold, size, indent: 0.0, text: text.to_string(), gap, right: right.map(str::to_string) }
}

/// The invoice as a PDF (A4, Helvetica), "page i of n" and its number in the footer.
pub fn invoice_pdf(doc: &InvoiceDocument<'_>) -> Vec<u8> {
    let width = PAGE_W - 2.0 * MARGIN;
    let mut lines = vec![
        line(&format!("{} {}", doc.kind, doc.number), 16.0, true, 0.0, None),
        line(&format!("Issued {}", doc.issued), 9.0, false, 4.0, None),
    ];
    for (heading, party) in [("From", &doc.seller), ("To", &doc.buyer)] {
        lines.push(line(heading, BODY, true, 14.0, None));
        for l in party.iter() {
            for piece in wrap(l, width, BODY) {
                lines.push(line(&piece, BODY, false, 0.0, None));
            }
        }
    }
    lines.push(line("Description", BODY, true, 18.0, Some("Amount")));
    for item in &doc.lines {
        // Leave the amount's column free.
        let pieces = wrap(item.description, width * 0.72, BODY);
        for (i, piece) in pieces.iter().enumerate() {
            let last = i + 1 == pieces.len();
            lines.push(line(piece, BODY, false, if i == 0 { 6.0 } else { 0.0 }, last.then_some(item.amount)));
        }
    }
    lines.push(line("Net", BODY, false, 14.0, Some(doc.net)));
    if let Some((rate, amount)) = doc.vat {
        lines.push(line(rate, BODY, false, 0.0, Some(amount)));
    }
    lines.push(line("Total", 12.0, true, 4.0, Some(doc.total)));
    for note in &doc.notes {
        for (i, piece) in wrap(note, width, 9.0).into_iter().enumerate() {
            lines.push(line(&piece, 9.0, false, if i == 0 { 10.0 } else { 0.0 }, None));
        }
    }
    let title = format!("{} {}", doc.kind, doc.number);
    render(&paginate(lines), &title, &format!("Scout | {title}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn an_invoice_shows_its_number_parties_lines_vat_and_total() {
        let doc = InvoiceDocument {
            kind: "Invoice",
            number: "INV-0007-000003",
            issued: "2026-12-06",
            seller: vec!["Scout Marketplace", "on behalf of @weeknight_cook"],
            buyer: vec!["Oat & Co", "VAT DE123456789"],
            lines: vec![
                InvoiceLine { description: "Contract 12, milestone 1: 2 x reel on instagram", amount: "600.00 EUR" },
                InvoiceLine { description: "of which Scout's fee (10%)", amount: "60.00 EUR" },
            ],
            net: "504.20 EUR",
            vat: Some(("VAT 19% (included)", "95.80 EUR")),
            total: "600.00 EUR",
            notes: vec!["Paid from escrow on 2026-12-06."],
        };
        let pdf = invoice_pdf(&doc);
        assert!(pdf.starts_with(b"%PDF-"));
        for needle in [
            &b"(Invoice INV-0007-000003)"[..],
            b"(VAT DE123456789)",
            b"(600.00 EUR)",
            b"(95.80 EUR)",
            b"(Scout | Invoice INV-0007-000003)",
        ] {
            assert!(contains(&pdf, needle), "missing {:?}", String::from_utf8_lossy(needle));
        }
        // Balanced parentheses may be written as they are or escaped.
        assert!(contains(&pdf, b"(VAT 19% (included))") || contains(&pdf, b"(VAT 19% \\(included\\))"));
    }
}

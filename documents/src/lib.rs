//! `scout-documents`: the documents Scout draws on the server, as bytes, with
//! no I/O: the contract as signed and invoices and receipts (PDF); the
//! analytics reports will join.
//!
//! PDFs are written with `pdf-writer` in the base-14 Helvetica fonts (every
//! reader has them, nothing is embedded) with the WinAnsi encoding: text is
//! laid out from the fonts' published glyph widths, wrapped at word
//! boundaries, and paged. Characters WinAnsi lacks are written as `?` (the
//! plain-text terms, whose hash both sides signed, keep them exactly).
//!
//! ```
//! use scout_documents::{ContractDocument, SignatureLine, contract_pdf};
//! let doc = ContractDocument {
//!     title: "Contract 7: Autumn soups",
//!     text: "Brand: Oat & Co\nCreator: @cook\n",
//!     terms_version: "2026-12-v1",
//!     terms_hash: "ab12",
//!     status: "active",
//!     signatures: vec![SignatureLine { side: "brand", name: "Oat & Co", at: "2027-01-02 10:00 UTC", address: None }],
//! };
//! let pdf = contract_pdf(&doc);
//! assert!(pdf.starts_with(b"%PDF-"));
//! ```

mod invoice;
mod text;

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

pub use invoice::{InvoiceDocument, InvoiceLine, invoice_pdf};
pub use text::{text_width, win_ansi};

/// A contract to print: its heading, its text as signed, and the signatures.
#[derive(Debug, Clone)]
pub struct ContractDocument<'a> {
    pub title: &'a str,
    /// The terms text (lines; a blank line separates paragraphs).
    pub text: &'a str,
    pub terms_version: &'a str,
    /// BLAKE3 of `text`, hex.
    pub terms_hash: &'a str,
    /// The contract's state (`awaiting_signatures`, `active`, …).
    pub status: &'a str,
    pub signatures: Vec<SignatureLine<'a>>,
}

/// One signature as the document shows it.
#[derive(Debug, Clone)]
pub struct SignatureLine<'a> {
    /// `brand` or `creator`.
    pub side: &'a str,
    pub name: &'a str,
    /// When, already formatted (UTC).
    pub at: &'a str,
    /// The address it was signed from.
    pub address: Option<&'a str>,
}

const PAGE_W: f32 = 595.0; // A4, in points
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 56.0;
const BODY: f32 = 10.5;
const LEADING: f32 = 14.5;
const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");

/// One laid-out line: its font, size, indent and text.
#[derive(Debug, Clone, PartialEq)]
struct Line {
    bold: bool,
    size: f32,
    indent: f32,
    text: String,
    /// Extra space before it, in points.
    gap: f32,
    /// Text set flush right on the same line (an amount).
    right: Option<String>,
}

/// The contract as a PDF: heading, status, the terms text wrapped to the
/// page, the signatures (or who has yet to sign), and on every page the
/// terms' version and hash with "page i of n".
pub fn contract_pdf(doc: &ContractDocument<'_>) -> Vec<u8> {
    let width = PAGE_W - 2.0 * MARGIN;
    let mut lines: Vec<Line> = wrap(doc.title, width * 0.9, 16.0)
        .into_iter()
        .map(|text| Line { bold: true, size: 16.0, indent: 0.0, text, gap: 0.0, right: None })
        .collect();
    let state = match doc.status {
        "awaiting_signatures" => "Draft: not in force until both parties have signed".to_string(),
        other => format!("Status: {}", other.replace('_', " ")),
    };
    lines.push(Line { bold: false, size: 9.0, indent: 0.0, text: state, gap: 4.0, right: None });
    let mut gap = 12.0;
    for raw in doc.text.lines() {
        if raw.trim().is_empty() {
            gap = 8.0;
            continue;
        }
        // Keep the text's own indent (numbered sub-items), wrapped under itself.
        let spaces = raw.len() - raw.trim_start().len();
        let indent = spaces as f32 * text_width(" ", BODY) * 2.0;
        for (i, piece) in wrap(raw.trim_start(), width - indent, BODY).into_iter().enumerate() {
            lines.push(Line {
                bold: false,
                size: BODY,
                indent,
                text: piece,
                gap: if i == 0 { gap } else { 0.0 },
                right: None,
            });
            gap = 0.0;
        }
        gap = 3.0;
    }
    lines.push(Line { bold: true, size: 12.0, indent: 0.0, text: "Signatures".into(), gap: 18.0, right: None });
    for side in ["brand", "creator"] {
        let (who, when) = match doc.signatures.iter().find(|s| s.side == side) {
            Some(s) => (
                format!("For the {side}: {}", s.name),
                format!("Signed on {}{}", s.at, s.address.map(|a| format!(" from {a}")).unwrap_or_default()),
            ),
            None => (format!("For the {side}: not yet signed."), String::new()),
        };
        // Bold runs up to 10 % wider than the metrics: wrap it narrower.
        for (i, text) in wrap(&who, width * 0.9, BODY).into_iter().enumerate() {
            lines.push(Line {
                bold: true,
                size: BODY,
                indent: 0.0,
                text,
                gap: if i == 0 { 8.0 } else { 0.0 },
                right: None,
            });
        }
        if !when.is_empty() {
            for text in wrap(&when, width, BODY) {
                lines.push(Line { bold: false, size: BODY, indent: 0.0, text, gap: 0.0, right: None });
            }
        }
    }
    let footer = format!("Terms {} | BLAKE3 {}", doc.terms_version, doc.terms_hash);
    render(&paginate(lines), doc.title, &footer)
}

/// Splits `text` into lines no wider than `width` at `size`, at spaces;
/// a word wider than the line is cut.
fn wrap(text: &str, width: f32, size: f32) -> Vec<String> {
    let mut out = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
        if text_width(&candidate, size) <= width {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            out.push(std::mem::take(&mut line));
        }
        let mut rest = word.to_string();
        while text_width(&rest, size) > width {
            let mut cut = rest.len();
            while cut > 1 && text_width(&rest[..cut], size) > width {
                cut = rest[..cut].char_indices().last().map_or(1, |(i, _)| i.max(1));
            }
            out.push(rest[..cut].to_string());
            rest = rest[cut..].to_string();
        }
        line = rest;
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line);
    }
    out
}

/// Lines per page: a page ends when the next line would reach the footer.
fn paginate(lines: Vec<Line>) -> Vec<Vec<Line>> {
    let (top, bottom) = (PAGE_H - MARGIN, MARGIN + 24.0);
    let mut pages = vec![Vec::new()];
    let mut y = top;
    for mut line in lines {
        let step = line.gap + line.size.max(BODY) * LEADING / BODY;
        if y - step < bottom && pages.last().is_some_and(|p: &Vec<Line>| !p.is_empty()) {
            pages.push(Vec::new());
            y = top;
            line.gap = 0.0;
        }
        y -= line.gap + line.size.max(BODY) * LEADING / BODY;
        if let Some(page) = pages.last_mut() {
            page.push(line);
        }
    }
    pages
}

fn render(pages: &[Vec<Line>], title: &str, footer: &str) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let (catalog, tree, regular, bold, info) = (Ref::new(1), Ref::new(2), Ref::new(3), Ref::new(4), Ref::new(5));
    let first_page = 6;
    let page_ids: Vec<Ref> = (0..pages.len()).map(|i| Ref::new(first_page + 2 * i as i32)).collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids(page_ids.iter().copied()).count(pages.len() as i32);
    pdf.type1_font(regular).base_font(Name(b"Helvetica")).encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold).base_font(Name(b"Helvetica-Bold")).encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.document_info(info).title(TextStr(title)).producer(TextStr("Scout"));
    for (n, (lines, id)) in pages.iter().zip(&page_ids).enumerate() {
        let content_id = Ref::new(id.get() + 1);
        let mut page = pdf.page(*id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H));
        page.parent(tree);
        page.contents(content_id);
        page.resources().fonts().pair(REGULAR, regular).pair(BOLD, bold);
        page.finish();

        let mut c = Content::new();
        let mut y = PAGE_H - MARGIN;
        for line in lines {
            y -= line.gap + line.size.max(BODY) * LEADING / BODY;
            c.begin_text();
            c.set_font(if line.bold { BOLD } else { REGULAR }, line.size);
            c.next_line(MARGIN + line.indent, y);
            c.show(Str(&win_ansi(&line.text)));
            c.end_text();
            if let Some(right) = &line.right {
                let font = if line.bold { BOLD } else { REGULAR };
                // Bold runs wider than the regular metrics: leave it room.
                let w = text_width(right, line.size) * if line.bold { 1.1 } else { 1.0 };
                c.begin_text();
                c.set_font(font, line.size);
                c.next_line(PAGE_W - MARGIN - w, y);
                c.show(Str(&win_ansi(right)));
                c.end_text();
            }
        }
        // Footer: a rule, what was signed, and the page.
        c.set_stroke_gray(0.75);
        c.set_line_width(0.5);
        c.move_to(MARGIN, MARGIN + 12.0);
        c.line_to(PAGE_W - MARGIN, MARGIN + 12.0);
        c.stroke();
        let page_no = format!("Page {} of {}", n + 1, pages.len());
        c.begin_text();
        c.set_font(REGULAR, 7.5);
        c.next_line(MARGIN, MARGIN);
        c.show(Str(&win_ansi(footer)));
        c.end_text();
        c.begin_text();
        c.set_font(REGULAR, 7.5);
        c.next_line(PAGE_W - MARGIN - text_width(&page_no, 7.5), MARGIN);
        c.show(Str(&win_ansi(&page_no)));
        c.end_text();
        pdf.stream(content_id, &c.finish());
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc<'a>(text: &'a str, signatures: Vec<SignatureLine<'a>>) -> ContractDocument<'a> {
        ContractDocument {
            title: "Contract 12: Autumn soups",
            text,
            terms_version: "2026-12-v1",
            terms_hash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            status: "active",
            signatures,
        }
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn the_pdf_holds_the_text_the_signatures_and_the_hash_on_every_page() {
        let text = "Scout creator agreement (2026-12-v1)\n\nBrand: Oat & Co\nCreator: Zoë\n1. Work and payment.\n   1. 2 × reel: 1,600.00 EUR, due 2027-03-20\n";
        let signed = vec![
            SignatureLine { side: "brand", name: "Ana Ruiz", at: "2027-01-02 10:00 UTC", address: Some("203.0.113.9") },
            SignatureLine { side: "creator", name: "Zoë", at: "2027-01-03 08:30 UTC", address: None },
        ];
        let pdf = contract_pdf(&doc(text, signed));
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(contains(&pdf[pdf.len().saturating_sub(16)..], b"%%EOF"), "a whole PDF, with its trailer");
        for needle in [&b"(Brand: Oat & Co)"[..], b"(For the brand: Ana Ruiz)"] {
            assert!(contains(&pdf, needle), "missing {:?}", String::from_utf8_lossy(needle));
        }
        // Text beyond ASCII is written as a hex string of its WinAnsi bytes.
        for text in ["Creator: Zoë", "1. 2 × reel: 1,600.00 EUR, due 2027-03-20"] {
            let hex: String = win_ansi(text).iter().map(|b| format!("{b:02X}")).collect();
            let found = contains(&pdf, format!("<{hex}>").as_bytes())
                || contains(&pdf, format!("<{}>", hex.to_lowercase()).as_bytes());
            assert!(found, "missing {text:?} as <{hex}>");
        }
        assert!(contains(&pdf, b"(Signed on 2027-01-02 10:00 UTC from 203.0.113.9)"));
        assert!(contains(&pdf, b"BLAKE3 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"));
        assert!(contains(&pdf, b"/Count 1") && contains(&pdf, b"(Page 1 of 1)"));
    }

    #[test]
    fn an_unsigned_contract_says_so_and_long_text_flows_onto_more_pages() {
        let paragraph =
            "The creator makes, and the brand pays for, the following milestones and nothing else. ".repeat(8);
        let text: String = (0..40).map(|i| format!("{i}. {paragraph}\n")).collect();
        let mut d = doc(&text, vec![]);
        d.status = "awaiting_signatures";
        let pdf = contract_pdf(&d);
        assert!(contains(&pdf, b"Draft: not in force until both parties have signed"));
        assert!(contains(&pdf, b"(For the brand: not yet signed.)"));
        assert!(contains(&pdf, b"(For the creator: not yet signed.)"));
        let pages = (1..=30).rev().find(|n| contains(&pdf, format!("/Count {n}").as_bytes())).expect("a page count");
        assert!(pages >= 3, "{pages} pages");
        assert!(contains(&pdf, format!("(Page {pages} of {pages})").as_bytes()));
    }

    #[test]
    fn lines_are_wrapped_within_the_page_and_long_words_are_cut() {
        let width = PAGE_W - 2.0 * MARGIN;
        let long = format!("see {} for the brief", "https://example.com/".repeat(12));
        let lines = wrap(&long, width, BODY);
        assert!(lines.len() >= 3, "{lines:?}");
        assert!(lines.iter().all(|l| text_width(l, BODY) <= width), "{lines:?}");
        assert_eq!(lines.concat().replace(' ', ""), long.replace(' ', ""), "nothing lost");
        assert_eq!(wrap("", width, BODY), vec![String::new()]);
    }
}

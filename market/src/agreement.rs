//! The contract's words: the text both sides sign (versioned and
//! deterministic, so its hash names what was signed) and how amounts read in
//! it.

use scout_domain::money::Money;

use crate::milestone::milestones;
use crate::negotiation::Terms;

/// Version of the contract template [`render_terms`] writes; a change of
/// wording is a new version, and each contract keeps the one it was made with.
pub const TERMS_VERSION: &str = "2026-12-v2";

/// Who a contract binds, as its text names them.
#[derive(Debug, Clone, Copy)]
pub struct Parties<'a> {
    pub brand: &'a str,
    pub creator: &'a str,
    pub campaign: &'a str,
}

/// The contract's text: the parties, the campaign, each milestone with its
/// amount and due date, usage rights, exclusivity, the review window and how
/// disputes are settled, and Scout's fee (`fee_bps` basis points of each
/// released amount). Deterministic (the same terms give the same bytes), so
/// its hash identifies what both sides signed.
pub fn render_terms(parties: Parties<'_>, terms: &Terms, review_days: u32, fee_bps: u32) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let total = terms.total().map(amount_text).unwrap_or_default();
    let _ = writeln!(out, "Scout creator agreement ({TERMS_VERSION})");
    let _ = writeln!(out);
    let _ = writeln!(out, "Brand: {}", parties.brand);
    let _ = writeln!(out, "Creator: {}", parties.creator);
    let _ = writeln!(out, "Campaign: {}", parties.campaign);
    let _ = writeln!(out);
    let _ = writeln!(out, "1. Work and payment. The creator makes, and the brand pays for, the following milestones:");
    let (mut fee_total, mut currency) = (0i64, None);
    for (i, m) in milestones(terms).iter().enumerate() {
        let _ = writeln!(out, "   {}. {}: {}, due {}", i + 1, m.title, amount_text(m.amount), m.due_on);
        fee_total += scout_ledger::fee_of(m.amount.amount_minor, fee_bps).unwrap_or(0);
        currency = Some(m.amount.currency);
    }
    let _ = writeln!(
        out,
        "   Total: {total}. The brand places the total in escrow with Scout once both parties have signed."
    );
    if let (Some(currency), Ok(t)) = (currency, terms.total()) {
        let _ = writeln!(
            out,
            "   Scout's fee is {} of each amount released ({} in all); the creator receives {}.",
            scout_ledger::percent_text(fee_bps),
            amount_text(Money::new(fee_total, currency)),
            amount_text(Money::new(t.amount_minor - fee_total, currency)),
        );
    }
    let _ = writeln!(
        out,
        "2. Review. The brand approves a submitted milestone or asks for a revision within {review_days} days; \
         a milestone left without an answer for {review_days} days is approved, and its amount is released to the creator."
    );
    let usage = &terms.usage;
    let rights = match (usage.organic, usage.paid_ads) {
        (false, false) => "no use beyond the creator's own post".to_string(),
        (organic, paid) => {
            let uses: Vec<&str> = [(organic, "reposting on the brand's own channels"), (paid, "paid advertising")]
                .into_iter()
                .filter_map(|(on, what)| on.then_some(what))
                .collect();
            format!("{} for {} months from delivery", uses.join(" and "), usage.months)
        }
    };
    let _ = writeln!(out, "3. Usage rights. The brand may use the content for {rights}.");
    let exclusivity = if terms.exclusivity_days == 0 {
        "No exclusivity.".to_string()
    } else {
        format!(
            "The creator works for no competitor of the brand for {} days after the last delivery.",
            terms.exclusivity_days
        )
    };
    let _ = writeln!(out, "4. Exclusivity. {exclusivity}");
    let _ = writeln!(
        out,
        "5. Disputes. Either party may dispute a milestone; its amount stays in escrow until a Scout administrator \
         releases it to the creator, refunds it to the brand, or splits it between them. The rest of the work goes on."
    );
    let _ = writeln!(
        out,
        "6. Cancellation. Either party may cancel before any work is submitted; the escrow is refunded to the brand. \
         After that, only a Scout administrator cancels, refunding what was not released."
    );
    out
}

/// `1234567` as "1,234,567".
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "1,234.50 EUR": minor units shown with the currency's decimals.
pub fn amount_text(m: Money) -> String {
    let e = m.currency.exponent();
    let scale = 10i64.pow(e);
    let (whole, frac) = (m.amount_minor / scale, (m.amount_minor % scale).abs());
    let grouped = thousands(whole.unsigned_abs());
    let sign = if m.amount_minor < 0 { "-" } else { "" };
    if e == 0 {
        format!("{sign}{grouped} {}", m.currency)
    } else {
        format!("{sign}{grouped}.{frac:0width$} {}", m.currency, width = e as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::negotiation::tests::terms;

    #[test]
    fn the_contract_text_is_deterministic_and_names_every_term() {
        let parties = Parties { brand: "Oat & Co", creator: "@cook", campaign: "Autumn soups" };
        let t = terms(80_000);
        let text = render_terms(parties, &t, 7, 1_000);
        assert_eq!(text, render_terms(parties, &t, 7, 1_000));
        for needle in [
            "Oat & Co",
            "@cook",
            "Autumn soups",
            "2 × reel on instagram: 1,600.00 EUR, due 2027-03-20",
            "Total: 2,200.00 EUR",
            "within 7 days",
            "reposting on the brand's own channels for 6 months",
            "30 days",
            "Scout's fee is 10% of each amount released (220.00 EUR in all); the creator receives 1,980.00 EUR",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in\n{text}");
        }
        assert_ne!(text, render_terms(parties, &terms(80_001), 7, 1_000));
        assert_ne!(text, render_terms(parties, &t, 7, 800), "the fee is part of what is signed");
        let yen = Money::new(1_234_567, scout_domain::money::Currency::parse("JPY").expect("JPY"));
        assert_eq!(amount_text(yen), "1,234,567 JPY");
        let dinar = Money::new(-1_234, scout_domain::money::Currency::parse("KWD").expect("KWD"));
        assert_eq!(amount_text(dinar), "-1.234 KWD");
    }
}

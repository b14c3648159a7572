//! Prices in the query: a number with a currency (symbol, code or name)
//! before or after it, perhaps "per post", becomes a bound on the headline
//! rate in that currency; a second bound in another currency is converted.

use scout_domain::money::{Currency, convert_minor, minor_unit_exponent};
use scout_domain::query::PriceRange;

use super::numbers::{BETWEEN, FLOOR, Gaps, Number, UPPER, number_at, range_second_at, unmark_decimals};
use super::words::Found;
use super::{ParsedQuery, Recognised, RecognisedKind};

/// Currency symbols, spelled out as words before the query is split.
pub(super) const CURRENCY_SYMBOLS: &[(&str, &str)] =
    &[("R$", " brl "), ("$", " usd "), ("€", " eur "), ("£", " gbp "), ("¥", " jpy "), ("₹", " inr ")];
/// Currency words (ISO codes and common names, folded) and the code they name.
const CURRENCY_WORDS: &[(&str, &str)] = &[
    ("usd", "USD"),
    ("dollar", "USD"),
    ("dollars", "USD"),
    ("bucks", "USD"),
    ("eur", "EUR"),
    ("euro", "EUR"),
    ("euros", "EUR"),
    ("gbp", "GBP"),
    ("pound", "GBP"),
    ("pounds", "GBP"),
    ("quid", "GBP"),
    ("jpy", "JPY"),
    ("yen", "JPY"),
    ("inr", "INR"),
    ("rupees", "INR"),
    ("brl", "BRL"),
    ("reais", "BRL"),
    ("cad", "CAD"),
    ("aud", "AUD"),
    ("chf", "CHF"),
    ("franken", "CHF"),
    ("sek", "SEK"),
    ("nok", "NOK"),
    ("dkk", "DKK"),
    ("kronor", "SEK"),
    ("pln", "PLN"),
    ("zloty", "PLN"),
    ("mxn", "MXN"),
];
/// Deliverables a price may name after "per" ("$500 per post").
const DELIVERABLE_WORDS: &[&str] =
    &["post", "posts", "reel", "reels", "video", "videos", "story", "stories", "deliverable", "piece", "beitrag"];

fn currency_of(word: Option<&String>) -> Option<&'static str> {
    let w = word?;
    CURRENCY_WORDS.iter().find(|(name, _)| name == w).map(|(_, code)| *code)
}

/// Reads a price at token `i` (a number with a currency word just before or
/// after it, or a range of two numbers with one: "$500-$1,000", "500 to 1000
/// euros", "€1.5k-3k") into `out`; returns the tokens it used.
pub(super) fn price_at(
    out: &mut ParsedQuery,
    query: &str,
    tokens: &[String],
    gaps: Gaps<'_>,
    i: usize,
    number: &Number,
    at: impl Fn(usize, usize) -> Found,
) -> Option<(usize, usize)> {
    if number.percent {
        return None;
    }
    let before = i.checked_sub(1).and_then(|b| currency_of(tokens.get(b)));
    // A currency word after the number is its own unless a dash joins it to
    // the next price ("$500-$1,000") or one came before ("$500").
    let after = (before.is_none() && !gaps.dash_before(i + number.used))
        .then(|| currency_of(tokens.get(i + number.used)))
        .flatten();
    let start = if before.is_some() { i - 1 } else { i };
    let lead: Vec<&str> = tokens[start.saturating_sub(3)..start].iter().map(String::as_str).collect();
    let between = lead.iter().any(|w| BETWEEN.contains(w));
    let amount_end = i + number.used + usize::from(before.is_none() && after.is_some());
    let second = second_price(tokens, gaps, amount_end, between, before.or(after));
    let code = before.or(after).or(second.as_ref().map(|s| s.code))?;
    let mut end = second.as_ref().map_or(amount_end, |s| s.end);
    // "per post", "a reel", "pro Beitrag": the deliverable goes with the price.
    if matches!(tokens.get(end).map(String::as_str), Some("per" | "a" | "pro" | "por" | "each"))
        && tokens.get(end + 1).is_some_and(|w| DELIVERABLE_WORDS.contains(&w.as_str()))
    {
        end += 2;
    }
    let minor = minor_units(number.value, code)?;
    let currency = Currency::parse(code).ok()?;
    let range = out.filters.price.get_or_insert(PriceRange { currency, min: None, max: None });
    // A second bound in another currency is compared in the first one's.
    let in_range_currency = |minor: u64| {
        if range.currency == currency { Some(minor) } else { convert_minor(minor, code, range.currency.as_str()) }
    };
    let amount = in_range_currency(minor)?;
    // The span as the query most likely wrote it: "$500", "500 euros".
    let number_text = unmark_decimals(&tokens[i..i + number.used].join(" "));
    let symbol = CURRENCY_SYMBOLS.iter().find(|(symbol, w)| w.trim() == tokens[start] && query.contains(symbol));
    let span_end = second.as_ref().map_or(amount_end, |s| s.end);
    let mut span = match (before, symbol, &second) {
        (Some(_), Some((symbol, _)), None) => format!("{symbol}{number_text}"),
        _ => unmark_decimals(&tokens[start..span_end].join(" ")),
    };
    if end > span_end {
        span = format!("{span} {}", tokens[span_end..end].join(" "));
    }
    if let Some(second) = second {
        // A range: the first number is the floor, the second the ceiling.
        let high = in_range_currency(minor_units(second.value, code)?)?;
        range.min = Some(amount.min(high));
        range.max = Some(amount.max(high));
        let value = |v: u64| format!("{v} {}", range.currency);
        let (low, high) = (value(amount.min(high)), value(amount.max(high)));
        out.recognised.push(Recognised::new(span.clone(), RecognisedKind::PriceMin, low, at(start, end)));
        out.recognised.push(Recognised::new(span, RecognisedKind::PriceMax, high, at(start, end)));
        return Some((start, end));
    }
    let floor = !lead.iter().any(|w| UPPER.contains(w))
        && (lead.iter().any(|w| FLOOR.contains(w)) || between && range.min.is_none());
    let kind = if floor {
        range.min = Some(amount);
        RecognisedKind::PriceMin
    } else {
        range.max = Some(amount);
        RecognisedKind::PriceMax
    };
    let value = format!("{amount} {}", range.currency);
    out.recognised.push(Recognised::new(span, kind, value, at(start, end)));
    Some((start, end))
}

/// The second price of a range that starts after the first amount, ending at
/// word `from`: a number with the first one's currency, its own, or none.
struct SecondPrice {
    value: f64,
    code: &'static str,
    /// The word after it (and after its currency word).
    end: usize,
}

fn second_price(
    tokens: &[String],
    gaps: Gaps<'_>,
    from: usize,
    between: bool,
    first: Option<&'static str>,
) -> Option<SecondPrice> {
    let j = range_second_at(tokens, gaps, from, between)?;
    let own_before = currency_of(tokens.get(j));
    let k = j + usize::from(own_before.is_some());
    let number = number_at(tokens, gaps, k)?;
    if number.percent {
        return None;
    }
    let own_after = currency_of(tokens.get(k + number.used));
    let own = own_before.or(own_after);
    let code = match (first, own) {
        (Some(a), Some(b)) if a != b => return None,
        (a, b) => a.or(b)?,
    };
    Some(SecondPrice { value: number.value, code, end: k + number.used + usize::from(own_after.is_some()) })
}

/// An amount in minor units of `code`, if it is a price a person could mean.
fn minor_units(value: f64, code: &str) -> Option<u64> {
    let minor = (value * 10f64.powi(minor_unit_exponent(code) as i32)).round();
    (minor.is_finite() && minor >= 0.0 && minor <= scout_domain::query::MAX_PRICE_MINOR as f64).then_some(minor as u64)
}

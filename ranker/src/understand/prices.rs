//! Prices in the query: a number with a currency (symbol, code or name)
//! before or after it, perhaps "per post", becomes a bound on the headline
//! rate in that currency; a second bound in another currency is converted.

use scout_domain::money::{Currency, convert_minor, minor_unit_exponent};
use scout_domain::query::PriceRange;

use super::numbers::{BETWEEN, FLOOR, Number, UPPER, unmark_decimals};
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
/// after it) into `out`; returns how many tokens from `start` it used.
pub(super) fn price_at(
    out: &mut ParsedQuery,
    query: &str,
    tokens: &[String],
    i: usize,
    number: &Number,
    at: impl Fn(usize, usize) -> Found,
) -> Option<(usize, usize)> {
    let before = i.checked_sub(1).and_then(|b| currency_of(tokens.get(b)));
    let after = currency_of(tokens.get(i + number.used));
    let code = before.or(after)?;
    if number.percent {
        return None;
    }
    let start = if before.is_some() { i - 1 } else { i };
    let mut end = i + number.used + usize::from(before.is_none());
    // "per post", "a reel", "pro Beitrag": the deliverable goes with the price.
    if matches!(tokens.get(end).map(String::as_str), Some("per" | "a" | "pro" | "each"))
        && tokens.get(end + 1).is_some_and(|w| DELIVERABLE_WORDS.contains(&w.as_str()))
    {
        end += 2;
    }
    let minor = (number.value * 10f64.powi(minor_unit_exponent(code) as i32)).round();
    if !minor.is_finite() || minor < 0.0 || minor > scout_domain::query::MAX_PRICE_MINOR as f64 {
        return None;
    }
    let minor = minor as u64;
    let lead: Vec<&str> = tokens[start.saturating_sub(3)..start].iter().map(String::as_str).collect();
    let currency = Currency::parse(code).ok()?;
    let range = out.filters.price.get_or_insert(PriceRange { currency, min: None, max: None });
    // A second bound in another currency is compared in the first one's.
    let amount =
        if range.currency == currency { Some(minor) } else { convert_minor(minor, code, range.currency.as_str()) }?;
    let between = lead.iter().any(|w| BETWEEN.contains(w));
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
    // The span as the query most likely wrote it: "$500", "500 euros".
    let number_text = unmark_decimals(&tokens[i..i + number.used].join(" "));
    let symbol = CURRENCY_SYMBOLS.iter().find(|(symbol, w)| w.trim() == tokens[start] && query.contains(symbol));
    let amount_end = i + number.used + usize::from(before.is_none());
    let mut span = match (before, symbol) {
        (Some(_), Some((symbol, _))) => format!("{symbol}{number_text}"),
        _ => tokens[start..amount_end].join(" "),
    };
    if end > amount_end {
        span = format!("{span} {}", tokens[amount_end..end].join(" "));
    }
    out.recognised.push(Recognised::new(span, kind, value, at(start, end)));
    Some((start, end))
}

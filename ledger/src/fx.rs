//! Currency conversion: exact rational rates, rounding half to even into the
//! target currency's minor unit (ISO 4217 exponents: JPY 0, EUR 2, KWD 3),
//! and the ECB's reference rates (units of each currency per euro), from
//! which every cross rate is taken exactly.

use scout_domain::money::{Currency, Money};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The ECB reference rates Scout ships (see `ledger/rates/README.md`).
pub const ECB_REFERENCE_CSV: &str = include_str!("../rates/eurofxref-2024-09-26.csv");

/// `numerator / denominator` units of `to` per unit of `from`, where it came
/// from, and the spread taken from the amount converted (basis points).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rate {
    pub from: Currency,
    pub to: Currency,
    pub numerator: i64,
    pub denominator: i64,
    pub spread_bps: u32,
    /// "ECB reference rate 2024-09-26", say.
    pub source: String,
}

impl Rate {
    /// The rate between two currencies quoted against the euro (millionths
    /// of a unit per euro; the euro itself is 1,000,000).
    pub fn cross(from: Currency, from_per_eur_micros: i64, to: Currency, to_per_eur_micros: i64, source: &str) -> Rate {
        Rate {
            from,
            to,
            numerator: to_per_eur_micros,
            denominator: from_per_eur_micros,
            spread_bps: 0,
            source: source.to_string(),
        }
    }

    /// The rate as a decimal with `places` digits (rounded half to even), for people.
    pub fn text(&self, places: u32) -> String {
        let scale = 10i128.pow(places);
        let v = round_half_even(i128::from(self.numerator) * scale, i128::from(self.denominator).max(1));
        let (whole, frac) = (v / scale, v % scale);
        format!("{whole}.{frac:0width$}", width = places as usize)
    }
}

/// Converts `amount` at `rate`, less the spread, rounding half to even to
/// the target's minor unit. Exact: integer arithmetic in i128 throughout.
pub fn convert(amount: Money, rate: &Rate) -> Result<Money> {
    if amount.currency != rate.from {
        return Err(Error::Rate(format!("the rate converts {}, the amount is in {}", rate.from, amount.currency)));
    }
    if rate.numerator <= 0 || rate.denominator <= 0 || rate.spread_bps >= 10_000 {
        return Err(Error::Rate("a rate is positive and a spread below 100%".into()));
    }
    let (from_exp, to_exp) = (rate.from.exponent(), rate.to.exponent());
    // amount_minor / 10^from × num / den × (10,000 − spread) / 10,000 × 10^to
    let num = i128::from(amount.amount_minor)
        .checked_mul(i128::from(rate.numerator))
        .and_then(|x| x.checked_mul(i128::from(10_000 - rate.spread_bps)))
        .and_then(|x| x.checked_mul(10i128.pow(to_exp)))
        .ok_or(Error::Overflow)?;
    let den = 10i128.pow(from_exp) * i128::from(rate.denominator) * 10_000;
    let minor = i64::try_from(round_half_even(num, den)).map_err(|_| Error::Overflow)?;
    Ok(Money::new(minor, rate.to))
}

/// `num / den` rounded to the nearest integer, ties to even (`den` > 0).
fn round_half_even(num: i128, den: i128) -> i128 {
    let (q, r) = (num.div_euclid(den), num.rem_euclid(den));
    match (2 * r).cmp(&den) {
        std::cmp::Ordering::Less => q,
        std::cmp::Ordering::Greater => q + 1,
        std::cmp::Ordering::Equal => q + (q & 1),
    }
}

/// One day of ECB reference rates: its date as written ("26 September 2024")
/// and each currency's units per euro in millionths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcbRates {
    pub date: String,
    pub per_eur_micros: Vec<(Currency, i64)>,
}

/// Reads the ECB's `eurofxref.csv` layout: a header `Date, USD, JPY, …` and
/// one row of decimals. Decimals are read as text, never through a float.
pub fn parse_ecb_csv(text: &str) -> Result<EcbRates> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let (Some(header), Some(row)) = (lines.next(), lines.next()) else {
        return Err(Error::Rate("the file needs a header line and a line of rates".into()));
    };
    let cells = |l: &str| l.split(',').map(str::trim).filter(|c| !c.is_empty()).map(str::to_string).collect::<Vec<_>>();
    let (header, row) = (cells(header), cells(row));
    if header.first().map(String::as_str) != Some("Date") || header.len() != row.len() || header.len() < 2 {
        return Err(Error::Rate("not the ECB layout: `Date, USD, …` then as many values".into()));
    }
    let mut per_eur_micros = Vec::with_capacity(header.len() - 1);
    for (code, value) in header.iter().zip(&row).skip(1) {
        let currency = Currency::parse(code).map_err(|e| Error::Rate(e.to_string()))?;
        let micros = decimal_micros(value).ok_or_else(|| Error::Rate(format!("{code}: `{value}` is not a rate")))?;
        per_eur_micros.push((currency, micros));
    }
    Ok(EcbRates { date: row[0].clone(), per_eur_micros })
}

/// "1.1155" as 1,115,500 millionths; at most six decimals, positive.
fn decimal_micros(s: &str) -> Option<i64> {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() || frac.len() > 6 || !whole.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let frac: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<6}").parse().ok()? };
    let micros = whole.checked_mul(1_000_000)?.checked_add(frac)?;
    (micros > 0).then_some(micros)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cur(code: &str) -> Currency {
        Currency::parse(code).expect("a currency")
    }

    fn rate(from: &str, to: &str, micros: i64, spread_bps: u32) -> Rate {
        Rate {
            from: cur(from),
            to: cur(to),
            numerator: micros,
            denominator: 1_000_000,
            spread_bps,
            source: "test".into(),
        }
    }

    #[test]
    fn halves_go_to_the_even_neighbour() {
        assert_eq!(round_half_even(5, 2), 2); // 2.5 → 2
        assert_eq!(round_half_even(7, 2), 4); // 3.5 → 4
        assert_eq!(round_half_even(-5, 2), -2); // −2.5 → −2
        assert_eq!(round_half_even(11, 4), 3); // 2.75 → 3
        assert_eq!(round_half_even(9, 4), 2); // 2.25 → 2
    }

    #[test]
    fn conversions_respect_each_currencys_minor_unit() {
        // 100.00 EUR at 1.084321 USD = 108.4321 → 108.43 USD
        let usd = convert(Money::new(10000, cur("EUR")), &rate("EUR", "USD", 1_084_321, 0)).expect("usd");
        assert_eq!(usd, Money::new(10843, cur("USD")));
        // 100.00 EUR at 162.35 JPY = 16,235 JPY (no minor unit)
        let jpy = convert(Money::new(10000, cur("EUR")), &rate("EUR", "JPY", 162_350_000, 0)).expect("jpy");
        assert_eq!(jpy, Money::new(16_235, cur("JPY")));
        // 1,000 JPY at 0.002055 KWD = 2.055 KWD (three decimals)
        let kwd = convert(Money::new(1_000, cur("JPY")), &rate("JPY", "KWD", 2_055, 0)).expect("kwd");
        assert_eq!(kwd, Money::new(2_055, cur("KWD")));
        // A 0.5 % spread is taken from the amount: 108.4321 × 0.995 = 107.8899… → 107.89
        let spread = convert(Money::new(10000, cur("EUR")), &rate("EUR", "USD", 1_084_321, 50)).expect("spread");
        assert_eq!(spread.amount_minor, 10789);
        // 0.125 → 0.12 and 0.135 → 0.14 (ties to even)
        let tie = convert(Money::new(125, cur("KWD")), &rate("KWD", "EUR", 1_000_000, 0)).expect("tie");
        assert_eq!(tie.amount_minor, 12);
        let tie = convert(Money::new(135, cur("KWD")), &rate("KWD", "EUR", 1_000_000, 0)).expect("tie");
        assert_eq!(tie.amount_minor, 14);
    }

    #[test]
    fn a_rate_for_other_currencies_or_out_of_range_is_refused() {
        let eur = Money::new(100, cur("EUR"));
        assert!(convert(eur, &rate("USD", "EUR", 1_000_000, 0)).is_err());
        assert!(convert(eur, &rate("EUR", "USD", 0, 0)).is_err());
        assert!(convert(eur, &rate("EUR", "USD", 1_000_000, 10_000)).is_err());
        assert_eq!(convert(Money::new(i64::MAX, cur("EUR")), &rate("EUR", "JPY", i64::MAX, 0)), Err(Error::Overflow));
    }

    #[test]
    fn the_shipped_ecb_rates_parse_and_cross_rates_are_exact() {
        let ecb = parse_ecb_csv(ECB_REFERENCE_CSV).expect("the shipped file");
        assert_eq!(ecb.date, "26 September 2024");
        assert_eq!(ecb.per_eur_micros.len(), 30);
        let of = |code: &str| ecb.per_eur_micros.iter().find(|(c, _)| c.as_str() == code).map(|(_, m)| *m);
        assert_eq!((of("USD"), of("JPY"), of("IDR")), (Some(1_115_500), Some(160_780_000), Some(16_878_630_000)));
        // 1,000.00 USD in GBP through the euro: 1000 × 0.83428 / 1.1155 = 747.897803… → 747.90
        let usd_gbp = Rate::cross(cur("USD"), 1_115_500, cur("GBP"), 834_280, "ECB 2024-09-26");
        assert_eq!(convert(Money::new(100_000, cur("USD")), &usd_gbp).expect("gbp").amount_minor, 74_790);
        assert_eq!(usd_gbp.text(6), "0.747898");
        // A small cross rate keeps its precision: 1,000,000 IDR in JPY = 9,525.65… → 9,526 JPY
        let idr_jpy = Rate::cross(cur("IDR"), 16_878_630_000, cur("JPY"), 160_780_000, "ECB");
        assert_eq!(convert(Money::new(1_000_000, cur("IDR")), &idr_jpy).expect("jpy").amount_minor, 9_526);
    }

    #[test]
    fn files_that_are_not_ecb_rates_are_refused() {
        for bad in [
            "",
            "Date, USD\n",
            "When, USD\n26 September 2024, 1.1\n",
            "Date, USD, JPY\n26 September 2024, 1.1\n",
            "Date, USD\n26 September 2024, 1,1\n",
            "Date, USD\n26 September 2024, -1.1\n",
            "Date, USD\n26 September 2024, 1.1234567\n",
            "Date, usd\n26 September 2024, 1.1\n",
        ] {
            assert!(parse_ecb_csv(bad).is_err(), "{bad:?}");
        }
        assert_eq!(decimal_micros("160.78"), Some(160_780_000));
        assert_eq!(decimal_micros("7"), Some(7_000_000));
        assert_eq!(decimal_micros("0"), None);
    }
}

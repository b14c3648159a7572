//! Currency conversion: exact rational rates, rounding half to even into the
//! target currency's minor unit (ISO 4217 exponents: JPY 0, EUR 2, KWD 3).

use scout_domain::money::{Currency, Money};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Units of `to` one unit of `from` buys, as a decimal written in millionths
/// (`1.084321` is `1_084_321`), with where it came from and the spread
/// applied (in basis points, taken from the amount converted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rate {
    pub from: Currency,
    pub to: Currency,
    pub micros: i64,
    pub spread_bps: u32,
    /// "ECB reference rate 2026-12-04", say.
    pub source: String,
}

/// Converts `amount` at `rate`, less the spread, rounding half to even to
/// the target's minor unit. Exact: integer arithmetic in i128 throughout.
pub fn convert(amount: Money, rate: &Rate) -> Result<Money> {
    if amount.currency != rate.from {
        return Err(Error::Rate(format!("the rate converts {}, the amount is in {}", rate.from, amount.currency)));
    }
    if rate.micros <= 0 || rate.spread_bps >= 10_000 {
        return Err(Error::Rate("a rate is positive and a spread below 100%".into()));
    }
    let (from_exp, to_exp) = (rate.from.exponent(), rate.to.exponent());
    // amount_minor / 10^from × rate_micros / 10^6 × (10_000 − spread) / 10_000 × 10^to
    let num = i128::from(amount.amount_minor)
        .checked_mul(i128::from(rate.micros))
        .and_then(|x| x.checked_mul(i128::from(10_000 - rate.spread_bps)))
        .and_then(|x| x.checked_mul(10i128.pow(to_exp)))
        .ok_or(Error::Overflow)?;
    let den = 10i128.pow(from_exp) * 1_000_000 * 10_000;
    let minor = round_half_even(num, den);
    let minor = i64::try_from(minor).map_err(|_| Error::Overflow)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn cur(code: &str) -> Currency {
        Currency::parse(code).expect("a currency")
    }

    fn rate(from: &str, to: &str, micros: i64, spread_bps: u32) -> Rate {
        Rate { from: cur(from), to: cur(to), micros, spread_bps, source: "test".into() }
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
        let usd = convert(Money::new(10_000, cur("EUR")), &rate("EUR", "USD", 1_084_321, 0)).expect("usd");
        assert_eq!(usd, Money::new(10_843, cur("USD")));
        // 100.00 EUR at 162.35 JPY = 16,235 JPY (no minor unit)
        let jpy = convert(Money::new(10_000, cur("EUR")), &rate("EUR", "JPY", 162_350_000, 0)).expect("jpy");
        assert_eq!(jpy, Money::new(16_235, cur("JPY")));
        // 1,000 JPY at 0.002055 KWD = 2.055 KWD (three decimals)
        let kwd = convert(Money::new(1_000, cur("JPY")), &rate("JPY", "KWD", 2_055, 0)).expect("kwd");
        assert_eq!(kwd, Money::new(2_055, cur("KWD")));
        // A 0.5 % spread is taken from the amount: 108.4321 × 0.995 = 107.8899… → 107.89
        let spread = convert(Money::new(10_000, cur("EUR")), &rate("EUR", "USD", 1_084_321, 50)).expect("spread");
        assert_eq!(spread.amount_minor, 10_789);
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
}

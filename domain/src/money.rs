//! Money: integer minor units with an ISO 4217 currency, never floats.
//!
//! [`Currency`] is a validated three-letter code; [`Money`] is the only
//! amount type (minor units as `i64`, with its currency). Conversion between
//! currencies goes through a fixed reference table held as exact rationals,
//! in integer arithmetic ([`Money::convert`]), so the same amount converts to
//! the same minor units on every machine, every time. The table compares
//! prices across currencies (search filters, budgets, fair prices); it is not
//! an exchange rate for settlement.

use serde::{Deserialize, Serialize};

/// An ISO 4217 currency code: three ASCII capital letters ("EUR").
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

impl Currency {
    pub const USD: Currency = Currency(*b"USD");
    pub const EUR: Currency = Currency(*b"EUR");

    /// Parses a code; only three ASCII capital letters are one. Whether Scout
    /// can convert it is a separate question ([`Currency::units_per_usd_micros`]).
    pub fn parse(code: &str) -> Result<Currency, crate::Error> {
        match code.as_bytes() {
            [a, b, c] if [a, b, c].iter().all(|x| x.is_ascii_uppercase()) => Ok(Currency([*a, *b, *c])),
            _ => Err(crate::Error::bad_parameter("currency", format!("`{code}` is not an ISO 4217 code (like EUR)"))),
        }
    }

    pub fn as_str(&self) -> &str {
        // Three ASCII capitals by construction.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// Decimal places of the minor unit (ISO 4217); 2 when not listed.
    pub fn exponent(self) -> u32 {
        minor_unit_exponent(self.as_str())
    }

    /// Units of this currency one US dollar buys, in millionths (the
    /// reference table); `None` for a currency outside it.
    pub fn units_per_usd_micros(self) -> Option<i128> {
        units_per_usd_micros(self.as_str())
    }
}

impl std::fmt::Debug for Currency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for Currency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Currency {
    type Err = crate::Error;
    fn from_str(s: &str) -> Result<Currency, crate::Error> {
        Currency::parse(s)
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Currency, D::Error> {
        let code = String::deserialize(d)?;
        Currency::parse(&code).map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for Currency {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some("^[A-Z]{3}$"))
            .description(Some("ISO 4217 currency code"))
            .examples([serde_json::json!("EUR")])
            .into()
    }
}

impl utoipa::ToSchema for Currency {}

/// How the API documents a [`Money`] that may be zero or in any stored
/// currency (a balance, a total so far): the same shape as `Money`, without
/// the positive amount and reference-table currency that inputs must have.
#[derive(Debug, Clone, Copy, utoipa::ToSchema)]
pub struct MoneyAmount {
    pub amount_minor: i64,
    pub currency: Currency,
}

/// An amount of money in minor units (cents, pence, yen).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Money {
    pub amount_minor: i64,
    pub currency: Currency,
}

impl Money {
    pub fn new(amount_minor: i64, currency: Currency) -> Money {
        Money { amount_minor, currency }
    }

    /// The same value in `to`, through the reference table, in exact integer
    /// arithmetic: `amount × 10^e(to) × rate(to) / (10^e(from) × rate(from))`,
    /// rounded half away from zero. `None` for a currency outside the table
    /// or a result beyond `i64`.
    pub fn convert(self, to: Currency) -> Option<Money> {
        if self.currency == to {
            return Some(self);
        }
        let num = i128::from(self.amount_minor) * pow10(to.exponent()) * to.units_per_usd_micros()?;
        let den = pow10(self.currency.exponent()) * self.currency.units_per_usd_micros()?;
        let amount = i64::try_from(div_round_half_away(num, den)).ok()?;
        Some(Money { amount_minor: amount, currency: to })
    }
}

fn pow10(e: u32) -> i128 {
    10i128.pow(e)
}

/// `num / den` rounded half away from zero (`den > 0`).
fn div_round_half_away(num: i128, den: i128) -> i128 {
    let (q, r) = (num / den, num % den);
    if 2 * r.abs() >= den { q + num.signum() } else { q }
}

/// Decimal places of a currency's minor unit (ISO 4217), 2 when not listed.
pub fn minor_unit_exponent(currency: &str) -> u32 {
    match currency {
        "JPY" | "KRW" | "CLP" | "VND" | "ISK" | "IDR" | "COP" | "HUF" | "PYG" | "UGX" => 0,
        "BHD" | "KWD" | "OMR" | "JOD" | "TND" => 3,
        _ => 2,
    }
}

/// Units of `currency` one US dollar buys, in millionths: a fixed reference
/// table used to compare prices across currencies and by the fixture
/// generator, exact as written. Not for settlement.
///
/// The currencies it holds are [`REFERENCE_CURRENCIES`].
fn units_per_usd_micros(currency: &str) -> Option<i128> {
    Some(match currency {
        "USD" => 1_000_000,
        "EUR" => 920_000,
        "GBP" => 790_000,
        "CAD" => 1_360_000,
        "AUD" => 1_520_000,
        "NZD" => 1_650_000,
        "CHF" => 880_000,
        "PLN" => 4_000_000,
        "SEK" => 10_500_000,
        "NOK" => 10_700_000,
        "DKK" => 6_900_000,
        "CZK" => 23_000_000,
        "TRY" => 32_000_000,
        "BRL" => 5_000_000,
        "MXN" => 17_000_000,
        "ARS" => 900_000_000,
        "COP" => 4_000_000_000,
        "CLP" => 950_000_000,
        "INR" => 83_000_000,
        "IDR" => 16_000_000_000,
        "PHP" => 56_000_000,
        "JPY" => 150_000_000,
        "KRW" => 1_350_000_000,
        "AED" => 3_670_000,
        "SAR" => 3_750_000,
        "ZAR" => 18_500_000,
        "NGN" => 1_500_000_000,
        "EGP" => 48_000_000,
        "SGD" => 1_350_000,
        "THB" => 36_000_000,
        _ => return None,
    })
}

/// Every currency of the reference table: the ones prices and budgets can
/// be given in (the OpenAPI document lists them as an enum).
pub const REFERENCE_CURRENCIES: [&str; 30] = [
    "USD", "EUR", "GBP", "CAD", "AUD", "NZD", "CHF", "PLN", "SEK", "NOK", "DKK", "CZK", "TRY", "BRL", "MXN", "ARS",
    "COP", "CLP", "INR", "IDR", "PHP", "JPY", "KRW", "AED", "SAR", "ZAR", "NGN", "EGP", "SGD", "THB",
];

/// Units of `currency` one US dollar buys (the reference table), as a float
/// for models and fixtures that work in logs and ratios. Amounts that are
/// compared or stored convert with [`Money::convert`] instead.
pub fn units_per_usd(currency: &str) -> Option<f64> {
    units_per_usd_micros(currency).map(|m| m as f64 / 1e6)
}

/// Converts non-negative minor units between currencies named by code,
/// exactly ([`Money::convert`]); `None` for an unknown currency.
pub fn convert_minor(amount_minor: u64, from: &str, to: &str) -> Option<u64> {
    let money = Money::new(i64::try_from(amount_minor).ok()?, Currency::parse(from).ok()?);
    u64::try_from(money.convert(Currency::parse(to).ok()?)?.amount_minor).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_listed_reference_currencies_are_exactly_the_table() {
        for code in REFERENCE_CURRENCIES {
            assert!(units_per_usd_micros(code).is_some(), "{code} has no rate");
        }
        let listed: std::collections::HashSet<_> = REFERENCE_CURRENCIES.iter().collect();
        assert_eq!(listed.len(), REFERENCE_CURRENCIES.len(), "no duplicates");
        assert!(units_per_usd_micros("XXX").is_none());
    }

    #[test]
    fn converts_with_exponents() {
        // 100.00 USD = 15000 JPY (no minor unit)
        assert_eq!(convert_minor(10_000, "USD", "JPY"), Some(15_000));
        assert_eq!(convert_minor(15_000, "JPY", "USD"), Some(10_000));
        assert_eq!(convert_minor(1, "USD", "XXX"), None);
        // 1.000 KWD has three decimals; outside the table, so no conversion.
        assert_eq!(convert_minor(1_000, "KWD", "USD"), None);
    }

    #[test]
    fn conversion_is_exact_and_rounds_half_away_from_zero() {
        let eur = |m| Money::new(m, Currency::EUR);
        // 23 cents at 0.92 EUR per USD is exactly 25 US cents.
        assert_eq!(eur(23).convert(Currency::USD), Some(Money::new(25, Currency::USD)));
        // 1 USD cent is 0.92 EUR cents: rounds to 1; 0.46 rounds to 0.
        assert_eq!(Money::new(1, Currency::USD).convert(Currency::EUR).map(|m| m.amount_minor), Some(1));
        assert_eq!(Money::new(-1, Currency::USD).convert(Currency::EUR).map(|m| m.amount_minor), Some(-1));
        // Half a unit rounds away from zero: 50 JPY = 0.3333 USD → 33 cents; 75 JPY = 50 cents exactly.
        let jpy = Currency::parse("JPY").expect("code");
        assert_eq!(Money::new(75, jpy).convert(Currency::USD).map(|m| m.amount_minor), Some(50));
        assert_eq!(Money::new(3, jpy).convert(Currency::USD).map(|m| m.amount_minor), Some(2));
        // The same currency is returned unchanged, beyond i64 is refused.
        assert_eq!(eur(7).convert(Currency::EUR), Some(eur(7)));
        assert_eq!(Money::new(i64::MAX, Currency::USD).convert(jpy), None);
    }

    #[test]
    fn codes_are_three_capitals_and_serialise_as_text() {
        assert!(Currency::parse("eur").is_err() && Currency::parse("EURO").is_err() && Currency::parse("").is_err());
        let m: Money = serde_json::from_str(r#"{"amount_minor":500,"currency":"GBP"}"#).expect("money");
        assert_eq!(m.currency.as_str(), "GBP");
        assert_eq!(serde_json::to_string(&m).expect("json"), r#"{"amount_minor":500,"currency":"GBP"}"#);
        assert!(serde_json::from_str::<Money>(r#"{"amount_minor":5,"currency":"gbp"}"#).is_err());
    }
}

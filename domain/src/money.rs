//! Money: integer minor units with an ISO 4217 currency, never floats.

use serde::{Deserialize, Serialize};

/// An amount of money in minor units (cents, pence, yen).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Money {
    pub amount_minor: i64,
    pub currency: String,
}

/// Decimal places of a currency's minor unit (ISO 4217), 2 when not listed.
pub fn minor_unit_exponent(currency: &str) -> u32 {
    match currency {
        "JPY" | "KRW" | "CLP" | "VND" | "ISK" | "IDR" | "COP" | "HUF" | "PYG" | "UGX" => 0,
        "BHD" | "KWD" | "OMR" | "JOD" | "TND" => 3,
        _ => 2,
    }
}

/// Units of `currency` one US dollar buys: a fixed reference table used to
/// compare prices across currencies and by the fixture generator. Not for
/// settlement; payments never convert with it.
pub fn units_per_usd(currency: &str) -> Option<f64> {
    Some(match currency {
        "USD" => 1.0,
        "EUR" => 0.92,
        "GBP" => 0.79,
        "CAD" => 1.36,
        "AUD" => 1.52,
        "NZD" => 1.65,
        "CHF" => 0.88,
        "PLN" => 4.0,
        "SEK" => 10.5,
        "NOK" => 10.7,
        "DKK" => 6.9,
        "CZK" => 23.0,
        "TRY" => 32.0,
        "BRL" => 5.0,
        "MXN" => 17.0,
        "ARS" => 900.0,
        "COP" => 4000.0,
        "CLP" => 950.0,
        "INR" => 83.0,
        "IDR" => 16000.0,
        "PHP" => 56.0,
        "JPY" => 150.0,
        "KRW" => 1350.0,
        "AED" => 3.67,
        "SAR" => 3.75,
        "ZAR" => 18.5,
        "NGN" => 1500.0,
        "EGP" => 48.0,
        "SGD" => 1.35,
        "THB" => 36.0,
        _ => return None,
    })
}

/// Converts minor units between currencies through the reference table.
pub fn convert_minor(amount_minor: u64, from: &str, to: &str) -> Option<u64> {
    let major = amount_minor as f64 / 10f64.powi(minor_unit_exponent(from) as i32);
    let usd = major / units_per_usd(from)?;
    let target = usd * units_per_usd(to)?;
    Some((target * 10f64.powi(minor_unit_exponent(to) as i32)).round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_with_exponents() {
        // 100.00 USD = 15000 JPY (no minor unit)
        assert_eq!(convert_minor(10_000, "USD", "JPY"), Some(15_000));
        assert_eq!(convert_minor(15_000, "JPY", "USD"), Some(10_000));
        assert_eq!(convert_minor(1, "USD", "XXX"), None);
    }
}

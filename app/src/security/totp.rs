//! Time-based one-time passwords (RFC 6238): HMAC-SHA-1, 6 digits, 30-second
//! steps, one step of clock drift either way, and no code accepted twice.

use ring::hmac;
use subtle::ConstantTimeEq;

/// Seconds per step and digits per code, as every authenticator app expects.
pub const STEP_SECS: u64 = 30;
pub const DIGITS: u32 = 6;
/// Steps of clock drift accepted either side of now.
const DRIFT_STEPS: u64 = 1;

/// The HOTP value (RFC 4226 §5.3) of `secret` at `counter`, `digits` long.
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret);
    let mac = hmac::sign(&key, &counter.to_be_bytes());
    let mac = mac.as_ref();
    // Dynamic truncation: 31 bits from the offset named by the last nibble.
    let offset = (mac[mac.len() - 1] & 0x0f) as usize;
    let bin = u32::from_be_bytes([mac[offset] & 0x7f, mac[offset + 1], mac[offset + 2], mac[offset + 3]]);
    let code = bin % 10u32.pow(digits);
    format!("{code:0width$}", width = digits as usize)
}

/// The TOTP value (RFC 6238 §4) of `secret` at Unix time `t`.
pub fn totp(secret: &[u8], t: u64, digits: u32) -> String {
    hotp(secret, t / STEP_SECS, digits)
}

/// The step a presented 6-digit code belongs to, if it is valid at time `now`
/// and newer than `last_step` (the step of the last code accepted), so that a
/// code cannot be used twice, even within its own 30 seconds.
pub fn accept(secret: &[u8], code: &str, now: u64, last_step: Option<u64>) -> Option<u64> {
    let code = code.trim();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let current = now / STEP_SECS;
    let mut found = None;
    // Every candidate is computed and compared in constant time, so timing
    // does not tell which step (if any) matched.
    for step in current.saturating_sub(DRIFT_STEPS)..=current + DRIFT_STEPS {
        let expected = hotp(secret, step, DIGITS);
        if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) {
            found = Some(step);
        }
    }
    found.filter(|step| last_step.is_none_or(|last| *step > last))
}

/// The `otpauth://` URI that authenticator apps read from a QR code.
pub fn otpauth_uri(secret_base32: &str, account: &str) -> String {
    let label: String = account
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"@._-".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!(
        "otpauth://totp/Scout:{label}?secret={secret_base32}&issuer=Scout&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, SHA-1 rows (8 digits, secret "12345678901234567890").
    #[test]
    fn rfc6238_test_vectors() {
        let secret = b"12345678901234567890";
        for (t, want) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(totp(secret, t, 8), want, "T={t}");
        }
    }

    #[test]
    fn codes_are_accepted_within_one_step_and_never_twice() {
        let secret = b"12345678901234567890";
        let now = 1_111_111_111;
        let code = totp(secret, now, DIGITS);
        let step = accept(secret, &code, now, None).expect("valid now");
        assert_eq!(step, now / STEP_SECS);
        assert_eq!(accept(secret, &code, now, Some(step)), None, "replay refused");
        assert!(accept(secret, &code, now + STEP_SECS, None).is_some(), "one step late is fine");
        assert!(accept(secret, &code, now - STEP_SECS, None).is_some(), "one step early is fine");
        assert_eq!(accept(secret, &code, now + 3 * STEP_SECS, None), None, "too late");
        assert_eq!(accept(secret, "12345", now, None), None);
        assert_eq!(accept(secret, "abcdef", now, None), None);
        assert_eq!(accept(b"another secret of twenty", &code, now, None), None, "another secret's code");
    }

    #[test]
    fn the_uri_names_the_account_and_the_parameters() {
        let uri = otpauth_uri("JBSWY3DPEHPK3PXP", "ana lima@example.com");
        assert_eq!(
            uri,
            "otpauth://totp/Scout:ana%20lima@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Scout&algorithm=SHA1&digits=6&period=30"
        );
    }
}

//! Webhook signatures as Stripe specifies them
//! (<https://docs.stripe.com/webhooks#verify-manually>):
//!
//! ```text
//! Stripe-Signature: t=1492774577,v1=5257a869…,v1=…
//! v1 = hex(HMAC-SHA256(key = endpoint secret, message = "{t}.{raw body}"))
//! ```
//!
//! The receiver recomputes `v1` over the raw body with each secret it holds
//! (several during a rotation), accepts when any `v1` in the header matches
//! one of them (constant-time comparison), and refuses a timestamp more than
//! the tolerance (300 s by default) away from its clock, so a captured
//! request cannot be replayed later. Replays inside the window are refused
//! by the event id, which the caller records (the store's `webhook_events`).
//! Other schemes in the header (`v0`, test-mode signatures) are ignored.

use ring::hmac;

/// Stripe's default tolerance between the signature's time and ours.
pub const DEFAULT_TOLERANCE_SECS: i64 = 300;

/// The header the signature travels in.
pub const HEADER: &str = "stripe-signature";

/// Why a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the header is not `t=<unix time>,v1=<hex>[,v1=<hex>…]`")]
    Malformed,
    #[error("the header has no v1 signature")]
    NoSignature,
    #[error("signed at {signed_at}, {age_secs} s from now: outside the {tolerance_secs} s tolerance")]
    OutsideTolerance { signed_at: i64, age_secs: i64, tolerance_secs: i64 },
    #[error("no v1 signature matches the body under any of the endpoint's secrets")]
    Mismatch,
}

/// The `v1` signature of `payload` signed at `timestamp` with `secret`, as lowercase hex.
pub fn compute(secret: &str, timestamp: i64, payload: &[u8]) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    let mut ctx = hmac::Context::with_key(&key);
    ctx.update(timestamp.to_string().as_bytes());
    ctx.update(b".");
    ctx.update(payload);
    data_encoding::HEXLOWER.encode(ctx.sign().as_ref())
}

/// A `Stripe-Signature` header for `payload` at `timestamp`, one `v1` per
/// secret (a sender rotating its secret signs with the old and the new).
pub fn header(secrets: &[&str], timestamp: i64, payload: &[u8]) -> String {
    let mut out = format!("t={timestamp}");
    for s in secrets {
        out.push_str(",v1=");
        out.push_str(&compute(s, timestamp, payload));
    }
    out
}

/// Checks `header` against `payload` with any of `secrets` at `now` (Unix
/// seconds); returns the signed timestamp.
pub fn verify(
    header: &str,
    payload: &[u8],
    secrets: &[&str],
    now: i64,
    tolerance_secs: i64,
) -> Result<i64, SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        let (name, value) = part.trim().split_once('=').ok_or(SignatureError::Malformed)?;
        match name {
            "t" => timestamp = Some(value.parse::<i64>().map_err(|_| SignatureError::Malformed)?),
            "v1" => signatures.push(value),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::NoSignature);
    }
    let age_secs = now - timestamp;
    if age_secs.abs() > tolerance_secs {
        return Err(SignatureError::OutsideTolerance { signed_at: timestamp, age_secs, tolerance_secs });
    }
    for secret in secrets {
        let expected = compute(secret, timestamp, payload);
        for given in &signatures {
            if given.len() == expected.len()
                && bool::from(subtle::ConstantTimeEq::ct_eq(given.as_bytes(), expected.as_bytes()))
            {
                return Ok(timestamp);
            }
        }
    }
    Err(SignatureError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_5f3cG1mN8x";
    const T: i64 = 1_492_774_577;
    const BODY: &[u8] = br#"{"id":"evt_1","object":"event","type":"payment_intent.succeeded"}"#;

    #[test]
    fn the_signature_is_stripes_hmac_over_time_dot_body() {
        // Computed independently with Python's hmac module:
        // hmac.new(b"whsec_5f3cG1mN8x", b"1492774577." + body, hashlib.sha256).hexdigest()
        assert_eq!(compute(SECRET, T, BODY), "d982675a317c010b10fbf5baadb347dc20b1f368cc6026442815196db5d00b2e");
        let h = header(&[SECRET], T, BODY);
        assert_eq!(h, "t=1492774577,v1=d982675a317c010b10fbf5baadb347dc20b1f368cc6026442815196db5d00b2e");
        assert_eq!(verify(&h, BODY, &[SECRET], T + 10, DEFAULT_TOLERANCE_SECS), Ok(T));
    }

    #[test]
    fn wrong_secret_altered_body_and_old_timestamps_are_refused() {
        let h = header(&[SECRET], T, BODY);
        assert_eq!(verify(&h, BODY, &["whsec_other"], T, 300), Err(SignatureError::Mismatch));
        assert_eq!(verify(&h, b"{\"id\":\"evt_2\"}", &[SECRET], T, 300), Err(SignatureError::Mismatch));
        assert!(matches!(verify(&h, BODY, &[SECRET], T + 301, 300), Err(SignatureError::OutsideTolerance { .. })));
        assert!(matches!(verify(&h, BODY, &[SECRET], T - 301, 300), Err(SignatureError::OutsideTolerance { .. })));
        assert_eq!(verify(&h, BODY, &[SECRET], T + 300, 300), Ok(T), "the edge of the window is inside");
    }

    #[test]
    fn malformed_headers_and_other_schemes() {
        assert_eq!(verify("", BODY, &[SECRET], T, 300), Err(SignatureError::Malformed));
        assert_eq!(verify("t=abc,v1=00", BODY, &[SECRET], T, 300), Err(SignatureError::Malformed));
        assert_eq!(verify(&format!("t={T}"), BODY, &[SECRET], T, 300), Err(SignatureError::NoSignature));
        // A v0 signature (Stripe's old scheme) alone is not enough, beside a good v1 it is ignored.
        let v0_only = format!("t={T},v0={}", compute(SECRET, T, BODY));
        assert_eq!(verify(&v0_only, BODY, &[SECRET], T, 300), Err(SignatureError::NoSignature));
        let both = format!("t={T},v0=6ffbb59b,v1={}", compute(SECRET, T, BODY));
        assert_eq!(verify(&both, BODY, &[SECRET], T, 300), Ok(T));
    }

    #[test]
    fn rotated_secrets_verify_with_either_side_of_the_rotation() {
        let (old, new) = ("whsec_old", "whsec_new");
        // During a rotation Stripe signs with both: a receiver holding either accepts.
        let h = header(&[new, old], T, BODY);
        assert_eq!(verify(&h, BODY, &[old], T, 300), Ok(T));
        assert_eq!(verify(&h, BODY, &[new], T, 300), Ok(T));
        // A receiver that already holds both accepts a sender signing with only one.
        assert_eq!(verify(&header(&[old], T, BODY), BODY, &[new, old], T, 300), Ok(T));
        assert_eq!(verify(&header(&[new], T, BODY), BODY, &[new, old], T, 300), Ok(T));
        // Once the old one is retired, its signature alone fails.
        assert_eq!(verify(&header(&[old], T, BODY), BODY, &[new], T, 300), Err(SignatureError::Mismatch));
    }
}

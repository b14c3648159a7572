//! Idempotency keys, as Stripe uses them: a request that moves money carries
//! a key the client chose; the ledger stores the key with a fingerprint of
//! the request and the result. The same key with the same request answers
//! the stored result and moves nothing again; the same key with another
//! request is refused (`409 idempotency_key_reused`), so a client's bug never
//! turns into a second payment.

use serde::Serialize;

use crate::error::{Error, Result};

/// BLAKE3 of a request's canonical form, hex.
pub type Fingerprint = String;

/// The fingerprint of `request`: its JSON with every object's keys sorted,
/// so equal requests give equal bytes whatever order their fields came in.
pub fn fingerprint<T: Serialize>(request: &T) -> Fingerprint {
    let value = serde_json::to_value(request).map(canonical).unwrap_or(serde_json::Value::Null);
    let bytes = serde_json::to_vec(&value).unwrap_or_default();
    blake3::hash(&bytes).to_hex().to_string()
}

/// `v` with the keys of every object in sorted order.
fn canonical(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, canonical(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(canonical).collect()),
        other => other,
    }
}

/// What to do with a request whose key is already stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replay<T> {
    /// The key is new: do the work.
    Fresh,
    /// The same request came before: answer what it got.
    Answer(T),
}

/// Decides a request with `key`'s stored `(fingerprint, result)`, if any.
pub fn replay<T>(stored: Option<(Fingerprint, T)>, incoming: &Fingerprint) -> Result<Replay<T>> {
    match stored {
        None => Ok(Replay::Fresh),
        Some((seen, result)) if &seen == incoming => Ok(Replay::Answer(result)),
        Some(_) => Err(Error::KeyReused),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_same_request_replays_and_another_is_refused() {
        let fund = fingerprint(&json!({"amount_minor": 10_000, "currency": "EUR", "wallet": 4}));
        let same = fingerprint(&json!({"currency": "EUR", "wallet": 4, "amount_minor": 10_000}));
        assert_eq!(fund, same, "key order does not matter");
        let other = fingerprint(&json!({"amount_minor": 10_001, "currency": "EUR", "wallet": 4}));
        assert_ne!(fund, other);
        assert_eq!(replay::<u32>(None, &fund), Ok(Replay::Fresh));
        assert_eq!(replay(Some((fund.clone(), 7)), &same), Ok(Replay::Answer(7)));
        assert_eq!(replay(Some((fund, 7)), &other), Err(Error::KeyReused));
    }
}

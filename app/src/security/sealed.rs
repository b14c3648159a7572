//! Secrets the service must read back (TOTP shared secrets) are stored sealed:
//! ChaCha20-Poly1305 (RFC 8439, through ring) under a 256-bit key kept beside
//! the JWT keys in `<data dir>/keys/secrets.key`, never in the database. A copy
//! of the database alone therefore yields no second factor.
//!
//! Each sealed value is `v1.<base64url(nonce ‖ ciphertext ‖ tag)>`, with a
//! fresh random 96-bit nonce, and is bound to its owner and purpose through the
//! associated data (`totp:<user id>`), so a sealed secret copied onto another
//! account's row does not open.

use std::path::Path;

use anyhow::Context;
use data_encoding::BASE64URL_NOPAD;
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};

const VERSION: &str = "v1.";
const KEY_FILE: &str = "secrets.key";

/// Seals and opens stored secrets.
pub struct SecretBox {
    key: LessSafeKey,
    rng: SystemRandom,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox")
    }
}

/// Why a stored value did not open.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    #[error("the stored secret is not sealed in a known format")]
    Format,
    #[error("the stored secret does not open with this key and owner")]
    Open,
}

impl SecretBox {
    /// Loads the key from `dir`, creating it (mode 0600) on first start.
    pub fn load_or_create(dir: &Path) -> anyhow::Result<SecretBox> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let path = dir.join(KEY_FILE);
        let rng = SystemRandom::new();
        let bytes = if path.exists() {
            std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?
        } else {
            let mut fresh = vec![0u8; 32];
            rng.fill(&mut fresh).map_err(|_| anyhow::anyhow!("drawing the secrets key"))?;
            super::tokens::write_private(&path, &fresh).with_context(|| format!("writing {}", path.display()))?;
            fresh
        };
        anyhow::ensure!(bytes.len() == 32, "{} must hold 32 bytes", path.display());
        let key = UnboundKey::new(&CHACHA20_POLY1305, &bytes).map_err(|_| anyhow::anyhow!("bad secrets key"))?;
        Ok(SecretBox { key: LessSafeKey::new(key), rng })
    }

    /// Seals `plain` for `context` (the owner and purpose, e.g. `totp:42`).
    pub fn seal(&self, context: &str, plain: &[u8]) -> anyhow::Result<String> {
        let mut nonce = [0u8; NONCE_LEN];
        self.rng.fill(&mut nonce).map_err(|_| anyhow::anyhow!("drawing a nonce"))?;
        let mut buf = plain.to_vec();
        self.key
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(context.as_bytes()), &mut buf)
            .map_err(|_| anyhow::anyhow!("sealing a secret"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&buf);
        Ok(format!("{VERSION}{}", BASE64URL_NOPAD.encode(&out)))
    }

    /// Seals a user's TOTP secret.
    pub fn seal_totp(&self, user: i64, secret: &[u8]) -> anyhow::Result<String> {
        self.seal(&format!("totp:{user}"), secret)
    }

    /// Opens a user's sealed TOTP secret.
    pub fn open_totp(&self, user: i64, sealed: &str) -> Result<Vec<u8>, SealError> {
        self.open(&format!("totp:{user}"), sealed)
    }

    /// Opens a value sealed for `context`.
    pub fn open(&self, context: &str, sealed: &str) -> Result<Vec<u8>, SealError> {
        let body = sealed.strip_prefix(VERSION).ok_or(SealError::Format)?;
        let bytes = BASE64URL_NOPAD.decode(body.as_bytes()).map_err(|_| SealError::Format)?;
        if bytes.len() < NONCE_LEN + CHACHA20_POLY1305.tag_len() {
            return Err(SealError::Format);
        }
        let (nonce, rest) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| SealError::Format)?;
        let mut buf = rest.to_vec();
        let plain =
            self.key.open_in_place(nonce, Aad::from(context.as_bytes()), &mut buf).map_err(|_| SealError::Open)?;
        Ok(plain.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_for_their_owner_and_key() {
        let dir = tempfile::tempdir().expect("tmp");
        let sealer = SecretBox::load_or_create(dir.path()).expect("key");
        let secret = b"12345678901234567890";
        let sealed = sealer.seal("totp:7", secret).expect("seal");
        assert!(sealed.starts_with("v1."));
        assert!(!sealed.contains("GEZDGNBVGY3TQOJQ"), "no base32 of the secret in the sealed text");
        assert_ne!(sealed, sealer.seal("totp:7", secret).expect("seal"), "fresh nonce each time");
        assert_eq!(sealer.open("totp:7", &sealed).expect("open"), secret);
        assert_eq!(sealer.open("totp:8", &sealed), Err(SealError::Open), "bound to its owner");
        let reloaded = SecretBox::load_or_create(dir.path()).expect("reload");
        assert_eq!(reloaded.open("totp:7", &sealed).expect("same key after restart"), secret);
        let other = SecretBox::load_or_create(tempfile::tempdir().expect("tmp").path()).expect("key");
        assert_eq!(other.open("totp:7", &sealed), Err(SealError::Open), "another installation's key");
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(sealer.open("totp:7", &tampered), Err(SealError::Open));
        assert_eq!(sealer.open("totp:7", "GEZDGNBVGY3TQOJQ"), Err(SealError::Format));
    }
}

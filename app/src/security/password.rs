//! Password hashing with argon2id at OWASP's minimum cost (19 MiB, 2 passes,
//! one lane), on the blocking pool: a hash takes tens of milliseconds of CPU.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use ring::rand::{SecureRandom, SystemRandom};

/// Memory in KiB, passes, lanes (OWASP Password Storage Cheat Sheet, argon2id).
const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;
const LANES: u32 = 1;

fn argon2() -> anyhow::Result<Argon2<'static>> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None).map_err(|e| anyhow::anyhow!("argon2 params: {e}"))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

fn hash_now(password: &str) -> anyhow::Result<String> {
    let mut salt = [0u8; 16];
    SystemRandom::new().fill(&mut salt).map_err(|_| anyhow::anyhow!("drawing a salt"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("encoding a salt: {e}"))?;
    Ok(argon2()?.hash_password(password.as_bytes(), &salt).map_err(|e| anyhow::anyhow!("hashing: {e}"))?.to_string())
}

/// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) of a new password.
pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_now(&password)).await?
}

/// Whether `password` matches the stored hash. With no stored hash (unknown
/// account) a dummy hash is checked instead, so that answering "no such user"
/// takes as long as "wrong password" and response times do not reveal which
/// emails have accounts.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let phc = match stored {
            Some(s) => s,
            None => DUMMY.get_or_init(|| hash_now("scout dummy password").unwrap_or_default()).clone(),
        };
        let Ok(parsed) = PasswordHash::new(&phc) else { return false };
        let Ok(hasher) = argon2() else { return false };
        hasher.verify_password(password.as_bytes(), &parsed).is_ok() && known
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_at_the_owasp_cost_and_verify() {
        let h = hash("correct horse battery".into()).await.expect("hash");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("correct horse battery".into(), Some(h.clone())).await);
        assert!(!verify("correct horse batterY".into(), Some(h.clone())).await);
        // Salted: the same password hashes differently.
        assert_ne!(h, hash("correct horse battery".into()).await.expect("hash"));
        assert!(!verify("scout dummy password".into(), None).await, "no account never verifies");
        assert!(!verify("x".into(), Some("not a phc string".into())).await);
    }
}

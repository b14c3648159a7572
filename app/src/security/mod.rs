//! Security primitives with no HTTP in them: password hashing (argon2id),
//! access-token signing (Ed25519 JWTs), TOTP (RFC 6238) and sealed secrets
//! (ChaCha20-Poly1305).

pub mod password;
pub mod sealed;
pub mod tokens;
pub mod totp;

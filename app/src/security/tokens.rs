//! Access tokens (JWT, EdDSA over Ed25519) and opaque refresh tokens.
//!
//! Follows RFC 8725 (JWT best current practices): one algorithm is allowed
//! (`EdDSA`; `none`, HMAC and RSA tokens are refused before any key is
//! touched, so algorithm confusion has nothing to confuse); every token names
//! its signing key (`kid`) and an unknown key is refused; `iss`, `aud`, `exp`,
//! `nbf` and `iat` are required and checked with 30 s of clock leeway.
//!
//! Keys live in `<data dir>/keys/jwt-<kid>.pk8` (PKCS#8, created on first
//! start). The newest key signs; every key in the folder verifies, so a key is
//! rotated by adding a new one and removing the old after the access-token
//! lifetime has passed.

use std::path::Path;

use chrono::Utc;
use data_encoding::HEXLOWER;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{Ed25519KeyPair, KeyPair};
use scout_domain::account::Role;
use serde::{Deserialize, Serialize};

/// Who issues the tokens and who they are for.
pub const ISSUER: &str = "scout";
pub const AUDIENCE: &str = "scout-api";
/// Access tokens live 15 minutes; refresh tokens 30 days.
pub const ACCESS_TTL_SECS: i64 = 15 * 60;
pub const REFRESH_TTL_SECS: i64 = 30 * 24 * 3600;
const LEEWAY_SECS: u64 = 30;

/// The claims of an access token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    pub role: Role,
    /// The user's token version when issued; a newer version revokes the token.
    pub tv: i64,
    /// The refresh-token family (session) the token belongs to, or
    /// `client:<id>` for a token issued to an OAuth2 client.
    pub sid: String,
    /// Space-separated scopes of a client's token; absent for a login session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: String,
}

/// Why a presented access token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    Expired,
    /// Malformed, wrong algorithm, unknown key, bad signature, wrong issuer or
    /// audience, not yet valid: nothing more is told to the caller.
    Invalid,
}

struct SigningKey {
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

/// The signing keys and the issuing and checking of tokens.
pub struct TokenKeys {
    keys: Vec<SigningKey>,
    rng: SystemRandom,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKeys").field("kids", &self.kids()).finish()
    }
}

impl TokenKeys {
    /// Loads every key in `dir`, creating one when there is none.
    pub fn load_or_create(dir: &Path) -> anyhow::Result<TokenKeys> {
        use anyhow::Context;
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let rng = SystemRandom::new();
        let mut files: Vec<(std::time::SystemTime, String, Vec<u8>)> = Vec::new();
        for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
            let path = entry?.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else { continue };
            let Some(kid) = name.strip_prefix("jwt-").and_then(|n| n.strip_suffix(".pk8")) else { continue };
            let modified = path.metadata()?.modified()?;
            let der = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            files.push((modified, kid.to_string(), der));
        }
        if files.is_empty() {
            let der = Ed25519KeyPair::generate_pkcs8(&rng).map_err(|_| anyhow::anyhow!("generating a signing key"))?;
            let mut id = [0u8; 6];
            rng.fill(&mut id).map_err(|_| anyhow::anyhow!("drawing a key id"))?;
            let kid = format!("{}-{}", Utc::now().format("%Y%m%d"), HEXLOWER.encode(&id));
            let path = dir.join(format!("jwt-{kid}.pk8"));
            write_private(&path, der.as_ref()).with_context(|| format!("writing {}", path.display()))?;
            files.push((std::time::SystemTime::now(), kid, der.as_ref().to_vec()));
        }
        // Newest first: it signs.
        files.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.cmp(&a.1)));
        let mut keys = Vec::new();
        for (_, kid, der) in files {
            let pair = Ed25519KeyPair::from_pkcs8(&der)
                .map_err(|_| anyhow::anyhow!("key {kid} is not an Ed25519 PKCS#8 key"))?;
            keys.push(SigningKey {
                encoding: EncodingKey::from_ed_der(&der),
                decoding: DecodingKey::from_ed_der(pair.public_key().as_ref()),
                kid,
            });
        }
        Ok(TokenKeys { keys, rng })
    }

    /// Key ids, the signing key first.
    pub fn kids(&self) -> Vec<&str> {
        self.keys.iter().map(|k| k.kid.as_str()).collect()
    }

    /// Issues an access token for a user's session.
    pub fn issue(&self, user_id: i64, role: Role, token_version: i64, session: &str) -> anyhow::Result<(String, i64)> {
        self.issue_scoped(user_id, role, token_version, session, None)
    }

    /// Issues an access token limited to `scope` (for OAuth2 clients).
    pub fn issue_scoped(
        &self,
        user_id: i64,
        role: Role,
        token_version: i64,
        session: &str,
        scope: Option<String>,
    ) -> anyhow::Result<(String, i64)> {
        let key = self.keys.first().ok_or_else(|| anyhow::anyhow!("no signing key"))?;
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: user_id.to_string(),
            role,
            tv: token_version,
            sid: session.to_string(),
            scope,
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: now,
            nbf: now,
            exp: now + ACCESS_TTL_SECS,
            jti: self.random_token(12)?,
        };
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(key.kid.clone());
        let token = jsonwebtoken::encode(&header, &claims, &key.encoding)?;
        Ok((token, ACCESS_TTL_SECS))
    }

    /// Checks a presented access token and returns its claims.
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Invalid)?;
        if header.alg != Algorithm::EdDSA {
            return Err(TokenError::Invalid);
        }
        let kid = header.kid.ok_or(TokenError::Invalid)?;
        let key = self.keys.iter().find(|k| k.kid == kid).ok_or(TokenError::Invalid)?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.algorithms = vec![Algorithm::EdDSA];
        validation.leeway = LEEWAY_SECS;
        validation.validate_nbf = true;
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        let data = jsonwebtoken::decode::<Claims>(token, &key.decoding, &validation).map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
            _ => TokenError::Invalid,
        })?;
        // jsonwebtoken does not check `iat`: a token from the future is refused,
        // and so is one that claims to live longer than Scout ever issues (a
        // token signed with a leaked key and a ten-year `exp`).
        let now = Utc::now().timestamp();
        if data.claims.iat > now + LEEWAY_SECS as i64 || data.claims.exp - data.claims.iat > ACCESS_TTL_SECS {
            return Err(TokenError::Invalid);
        }
        Ok(data.claims)
    }

    /// `bytes` random bytes as URL-safe text.
    pub fn random_token(&self, bytes: usize) -> anyhow::Result<String> {
        Ok(HEXLOWER.encode(&self.random_bytes(bytes)?))
    }

    /// `n` bytes from the system's secure random source.
    pub fn random_bytes(&self, n: usize) -> anyhow::Result<Vec<u8>> {
        let mut buf = vec![0u8; n];
        self.rng.fill(&mut buf).map_err(|_| anyhow::anyhow!("drawing random bytes"))?;
        Ok(buf)
    }
}

/// What is stored of a random token (refresh tokens, mailed tokens, key and
/// client secrets): its BLAKE3 hash. The tokens are 256 random bits, so a fast
/// hash is enough; there is nothing to brute-force.
pub fn token_hash(token: &str) -> String {
    blake3::hash(token.as_bytes()).to_hex().to_string()
}

#[cfg(unix)]
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    f.write_all(bytes)
}

#[cfg(not(unix))]
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_tokens_verify_and_carry_their_claims() {
        let dir = tempfile::tempdir().expect("tmp");
        let keys = TokenKeys::load_or_create(dir.path()).expect("keys");
        let (token, ttl) = keys.issue(42, Role::Brand, 3, "fam").expect("issue");
        assert_eq!(ttl, ACCESS_TTL_SECS);
        let claims = keys.verify(&token).expect("valid");
        assert_eq!((claims.sub.as_str(), claims.role, claims.tv, claims.sid.as_str()), ("42", Role::Brand, 3, "fam"));
        // The same folder loads the same key: tokens survive a restart.
        let again = TokenKeys::load_or_create(dir.path()).expect("reload");
        assert_eq!(again.kids(), keys.kids());
        assert!(again.verify(&token).is_ok());
        // Another installation's key does not verify it.
        let other = TokenKeys::load_or_create(tempfile::tempdir().expect("tmp").path()).expect("keys");
        assert_eq!(other.verify(&token), Err(TokenError::Invalid));
    }

    #[test]
    fn a_token_that_claims_to_live_longer_than_scout_issues_is_refused() {
        let dir = tempfile::tempdir().expect("tmp");
        let keys = TokenKeys::load_or_create(dir.path()).expect("keys");
        let key = keys.keys.first().expect("a key");
        let forge = |lifetime: i64| {
            let now = Utc::now().timestamp();
            let claims = Claims {
                sub: "1".into(),
                role: Role::Admin,
                tv: 0,
                sid: "s".into(),
                scope: None,
                iss: ISSUER.into(),
                aud: AUDIENCE.into(),
                iat: now,
                nbf: now,
                exp: now + lifetime,
                jti: "j".into(),
            };
            let mut header = Header::new(Algorithm::EdDSA);
            header.kid = Some(key.kid.clone());
            jsonwebtoken::encode(&header, &claims, &key.encoding).expect("sign")
        };
        assert!(keys.verify(&forge(ACCESS_TTL_SECS)).is_ok(), "the lifetime Scout issues");
        assert_eq!(keys.verify(&forge(10 * 365 * 24 * 3600)), Err(TokenError::Invalid), "ten years, with our own key");
        assert_eq!(keys.verify(&forge(ACCESS_TTL_SECS + 1)), Err(TokenError::Invalid));
    }
}

//! Failed logins: waits with doubling back-off per (account, address), and
//! per account for addresses the account never used, so an attacker cannot
//! lock an owner out from the owner's own address.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use super::{FAILURES_REMEMBERED, Quota, RateLimiter, Shared, millis};

/// Failed logins per account: after `free` failures in a row the account is
/// locked for `base`, doubling with each further failure up to `max`; a
/// successful login clears it.
#[derive(Debug)]
pub struct LoginGuard {
    free: u32,
    base: Duration,
    max: Duration,
    state: Mutex<HashMap<String, (u32, Option<Instant>)>>,
    shared: Option<std::sync::Arc<Shared>>,
}

impl LoginGuard {
    pub fn new(free: u32, base: Duration, max: Duration, shared: Option<std::sync::Arc<Shared>>) -> LoginGuard {
        LoginGuard { free, base, max, state: Mutex::new(HashMap::new()), shared }
    }

    /// How long the account is still locked, if it is.
    pub async fn locked(&self, account: &str) -> Option<Duration> {
        if let Some(shared) = &self.shared {
            let mut conn = shared.conn.clone();
            let ttl: redis::RedisResult<i64> =
                redis::cmd("PTTL").arg(shared.key("login-lock", account)).query_async(&mut conn).await;
            match ttl {
                Ok(ms) if ms > 0 => return Some(Duration::from_millis(ms.unsigned_abs())),
                Ok(_) => return None,
                Err(e) => Shared::failed_backend(&e),
            }
        }
        self.locked_at(account, Instant::now())
    }

    fn locked_at(&self, account: &str, now: Instant) -> Option<Duration> {
        let state = self.state.lock();
        let (_, until) = state.get(account)?;
        until.filter(|u| *u > now).map(|u| u - now)
    }

    /// Records a failure; returns the lock it starts, if any.
    pub async fn failed(&self, account: &str) -> Option<Duration> {
        if let Some(shared) = &self.shared {
            let mut conn = shared.conn.clone();
            let lock: redis::RedisResult<u64> = shared
                .fail
                .key(shared.key("login-failures", account))
                .key(shared.key("login-lock", account))
                .arg(self.free)
                .arg(millis(self.base))
                .arg(millis(self.max))
                .arg(millis(FAILURES_REMEMBERED))
                .invoke_async(&mut conn)
                .await;
            match lock {
                Ok(0) => return None,
                Ok(ms) => return Some(Duration::from_millis(ms)),
                Err(e) => Shared::failed_backend(&e),
            }
        }
        self.failed_at(account, Instant::now())
    }

    fn failed_at(&self, account: &str, now: Instant) -> Option<Duration> {
        let mut state = self.state.lock();
        let entry = state.entry(account.to_string()).or_insert((0, None));
        entry.0 += 1;
        if entry.0 < self.free {
            return None;
        }
        let doublings = (entry.0 - self.free).min(16);
        let lock = (self.base * 2u32.pow(doublings)).min(self.max);
        entry.1 = Some(now + lock);
        Some(lock)
    }

    pub async fn succeeded(&self, account: &str) {
        if let Some(shared) = &self.shared {
            let mut conn = shared.conn.clone();
            let keys = [shared.key("login-failures", account), shared.key("login-lock", account)];
            let done: redis::RedisResult<()> = redis::cmd("DEL").arg(&keys).query_async(&mut conn).await;
            if let Err(e) = done {
                Shared::failed_backend(&e);
            }
        }
        self.state.lock().remove(account);
    }
}

/// Addresses an account logged in from (for 90 days): where its owner is.
#[derive(Debug)]
pub struct KnownSources {
    local: Mutex<HashMap<String, Instant>>,
    shared: Option<std::sync::Arc<Shared>>,
}

/// How long a successful login makes its address a known one.
const KNOWN_FOR: Duration = Duration::from_secs(90 * 24 * 3600);

impl KnownSources {
    pub fn new(shared: Option<std::sync::Arc<Shared>>) -> KnownSources {
        KnownSources { local: Mutex::new(HashMap::new()), shared }
    }

    pub async fn is_known(&self, key: &str) -> bool {
        if let Some(shared) = &self.shared {
            let mut conn = shared.conn.clone();
            let found: redis::RedisResult<bool> =
                redis::cmd("EXISTS").arg(shared.key("login-known", key)).query_async(&mut conn).await;
            match found {
                Ok(found) => return found,
                Err(e) => Shared::failed_backend(&e),
            }
        }
        self.local.lock().get(key).is_some_and(|until| *until > Instant::now())
    }

    pub async fn remember(&self, key: &str) {
        if let Some(shared) = &self.shared {
            let mut conn = shared.conn.clone();
            let done: redis::RedisResult<()> = redis::cmd("SET")
                .arg(shared.key("login-known", key))
                .arg(1)
                .arg("PX")
                .arg(millis(KNOWN_FOR))
                .query_async(&mut conn)
                .await;
            match done {
                Ok(()) => return,
                Err(e) => Shared::failed_backend(&e),
            }
        }
        self.local.lock().insert(key.to_string(), Instant::now() + KNOWN_FOR);
    }
}

/// Failed logins, throttled so that they cannot be turned against the
/// account's owner (OWASP's "slow down online guessing" advice):
/// - per (account, source address): after 5 failures in a row that address
///   is locked out of that account for 30 s, doubling up to an hour;
/// - per account, from addresses it never logged in from: after 20 failures
///   such addresses wait 30 s, doubling up to 15 minutes, so guessing from
///   many addresses is slowed too;
/// - an address the account logged in from in the last 90 days is never held
///   back by others' failures, so an attacker who knows an email cannot lock
///   its owner out.
#[derive(Debug)]
pub struct Logins {
    by_source: LoginGuard,
    by_account: LoginGuard,
    known: KnownSources,
    /// At most one "someone is trying your password" mail an hour.
    warn_mail: RateLimiter,
}

/// Failures one address may make against one account before it waits.
pub const FREE_FAILURES_PER_SOURCE: u32 = 5;
/// Failures from unknown addresses an account takes before they all wait.
pub const FREE_FAILURES_PER_ACCOUNT: u32 = 20;

fn source_key(account: &str, ip: Option<&str>) -> String {
    format!("{account}|{}", ip.unwrap_or("-"))
}

impl Logins {
    pub fn new(shared: Option<std::sync::Arc<Shared>>) -> Logins {
        Logins {
            by_source: LoginGuard::new(
                FREE_FAILURES_PER_SOURCE,
                Duration::from_secs(30),
                Duration::from_secs(3600),
                shared.clone(),
            ),
            by_account: LoginGuard::new(
                FREE_FAILURES_PER_ACCOUNT,
                Duration::from_secs(30),
                Duration::from_secs(900),
                shared.clone(),
            ),
            known: KnownSources::new(shared.clone()),
            warn_mail: RateLimiter::new(
                "login-warning",
                Quota { per_period: 1, period: Duration::from_secs(3600), burst: 1 },
                shared,
            ),
        }
    }

    /// How long logins to `account` from `ip` must still wait, if they must.
    pub async fn locked(&self, account: &str, ip: Option<&str>) -> Option<Duration> {
        let key = source_key(account, ip);
        if let Some(wait) = self.by_source.locked(&key).await {
            return Some(wait);
        }
        if self.known.is_known(&key).await {
            return None;
        }
        self.by_account.locked(account).await
    }

    /// Records a failure; the wait it starts for this address, if any.
    pub async fn failed(&self, account: &str, ip: Option<&str>) -> Option<Duration> {
        let key = source_key(account, ip);
        let here = self.by_source.failed(&key).await;
        let everywhere = if self.known.is_known(&key).await { None } else { self.by_account.failed(account).await };
        here.max(everywhere)
    }

    /// A login succeeded: this address is the owner's from now on, and its
    /// count starts again.
    pub async fn succeeded(&self, account: &str, ip: Option<&str>) {
        let key = source_key(account, ip);
        self.by_source.succeeded(&key).await;
        self.known.remember(&key).await;
    }

    /// Whether to tell the owner now that logins are being refused (at most
    /// once an hour per account).
    pub async fn warn_owner(&self, account: &str) -> bool {
        self.warn_mail.check(account).await.is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_lock_after_the_free_failures_with_doubling_back_off() {
        let guard = LoginGuard::new(3, Duration::from_secs(30), Duration::from_secs(100), None);
        let t0 = Instant::now();
        assert_eq!(guard.failed_at("a", t0), None);
        assert_eq!(guard.failed_at("a", t0), None);
        assert_eq!(guard.failed_at("a", t0), Some(Duration::from_secs(30)));
        assert_eq!(guard.locked_at("a", t0 + Duration::from_secs(10)), Some(Duration::from_secs(20)));
        assert_eq!(guard.locked_at("b", t0), None);
        assert_eq!(guard.failed_at("a", t0), Some(Duration::from_secs(60)));
        assert_eq!(guard.failed_at("a", t0), Some(Duration::from_secs(100)), "capped");
        assert_eq!(guard.locked_at("a", t0 + Duration::from_secs(101)), None, "the lock ends");
        guard.state.lock().remove("a");
        assert_eq!(guard.failed_at("a", t0), None, "success clears the count");
    }

    #[tokio::test]
    async fn an_attacker_cannot_lock_the_owner_out_from_their_own_address() {
        let logins = Logins::new(None);
        let (owner, attacker, elsewhere) = (Some("198.51.100.7"), Some("203.0.113.66"), Some("192.0.2.1"));
        logins.succeeded("ann@example.com", owner).await;
        let mut waits = Vec::new();
        for _ in 0..50 {
            waits.push(logins.failed("ann@example.com", attacker).await);
        }
        assert_eq!(waits.iter().filter(|w| w.is_none()).count(), FREE_FAILURES_PER_SOURCE as usize - 1);
        assert!(logins.locked("ann@example.com", attacker).await.is_some(), "the attacker's address waits");
        assert_eq!(logins.locked("ann@example.com", owner).await, None, "the owner's address does not");
        // Many failures of the account from unknown addresses slow every unknown address.
        assert!(logins.locked("ann@example.com", elsewhere).await.is_some(), "50 failures: unknown addresses wait");
        assert_eq!(logins.locked("bob@example.com", attacker).await, None, "other accounts are untouched");
        // The owner's own mistakes still count against their address.
        for _ in 0..FREE_FAILURES_PER_SOURCE {
            logins.failed("ann@example.com", owner).await;
        }
        assert!(logins.locked("ann@example.com", owner).await.is_some());
        assert!(logins.warn_owner("ann@example.com").await, "the first warning goes out");
        assert!(!logins.warn_owner("ann@example.com").await, "then at most one an hour");
    }
}

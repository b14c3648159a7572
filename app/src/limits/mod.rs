//! Abuse limits: request rates per client address and per account (GCRA,
//! the generic cell rate algorithm that `governor` and Redis-cell implement)
//! and waits after repeated failed logins, with doubling back-off, per
//! (account, address) and, for addresses the account never used, per
//! account ([`Logins`]).
//!
//! The counts live in process by default, which is right for one node. With
//! `redis_url` set they live in Redis, so every API node behind a load
//! balancer enforces the same limits: the GCRA step and the lockout step are
//! Lua scripts, atomic on the server and timed by the server's clock. Redis
//! keys are BLAKE3 hashes of the limited key (no email or address is written
//! to the cache). If Redis stops answering, each node falls back to its own
//! in-process counts and says so in the log and in
//! `scout_limits_backend_errors_total`, so an outage of the cache neither
//! opens the gate wide nor takes logins down.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use redis::aio::ConnectionManager;

mod logins;

pub use logins::{FREE_FAILURES_PER_ACCOUNT, FREE_FAILURES_PER_SOURCE, KnownSources, LoginGuard, Logins};

/// The Redis side of the limits.
pub struct Shared {
    conn: ConnectionManager,
    prefix: String,
    gcra: redis::Script,
    fail: redis::Script,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared").field("prefix", &self.prefix).finish_non_exhaustive()
    }
}

/// One GCRA step: returns 0 when allowed, else the milliseconds to wait;
/// with ARGV[3] = 1 only looks (an allowed request is not counted).
const GCRA_LUA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
if tat - now > tolerance then return tat - now - tolerance end
if ARGV[3] == '1' then return 0 end
local new = tat + interval
redis.call('SET', KEYS[1], new, 'PX', new - now)
return 0
";

/// One failed login: returns the lock it starts in milliseconds, or 0.
const FAIL_LUA: &str = r"
local n = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
local free = tonumber(ARGV[1])
if n < free then return 0 end
local d = n - free
if d > 16 then d = 16 end
local lock = tonumber(ARGV[2]) * (2 ^ d)
if lock > tonumber(ARGV[3]) then lock = tonumber(ARGV[3]) end
redis.call('SET', KEYS[2], 1, 'PX', math.floor(lock))
return math.floor(lock)
";

/// How long Redis remembers failed logins without a lock.
const FAILURES_REMEMBERED: Duration = Duration::from_secs(24 * 3600);

impl Shared {
    /// Connects to Redis; fails when it cannot be reached, so a configured
    /// but missing cache is noticed at start rather than at the first login.
    pub async fn connect(url: &str, prefix: &str) -> anyhow::Result<Shared> {
        let client = redis::Client::open(url).map_err(|e| anyhow::anyhow!("redis url: {e}"))?;
        let conn = tokio::time::timeout(Duration::from_secs(5), ConnectionManager::new(client))
            .await
            .map_err(|_| anyhow::anyhow!("connecting to Redis at {url}: timed out"))?
            .map_err(|e| anyhow::anyhow!("connecting to Redis at {url}: {e}"))?;
        Ok(Shared {
            conn,
            prefix: prefix.to_string(),
            gcra: redis::Script::new(GCRA_LUA),
            fail: redis::Script::new(FAIL_LUA),
        })
    }

    /// The Redis key of a limited key: hashed, so no email or address is stored.
    fn key(&self, kind: &str, key: &str) -> String {
        let hash = blake3::hash(key.as_bytes());
        format!("{}:{kind}:{}", self.prefix, &hash.to_hex()[..32])
    }

    fn failed_backend(e: &redis::RedisError) {
        tracing::warn!(error = %e, "Redis limits unavailable; using this node's counts");
        metrics::counter!("scout_limits_backend_errors_total").increment(1);
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// A rate: `per_period` requests per `period`, with bursts of up to `burst`.
#[derive(Debug, Clone, Copy)]
pub struct Quota {
    pub per_period: u32,
    pub period: Duration,
    pub burst: u32,
}

/// A keyed GCRA limiter: each key has a theoretical arrival time (TAT); a
/// request is allowed when the TAT is at most `burst` emission intervals ahead
/// of now, and moves it one interval further.
#[derive(Debug)]
pub struct RateLimiter {
    name: &'static str,
    quota: Quota,
    tat: Mutex<HashMap<String, Instant>>,
    shared: Option<std::sync::Arc<Shared>>,
}

impl RateLimiter {
    pub fn new(name: &'static str, quota: Quota, shared: Option<std::sync::Arc<Shared>>) -> RateLimiter {
        RateLimiter { name, quota, tat: Mutex::new(HashMap::new()), shared }
    }

    /// Allows a request for `key`, or says how long to wait: in Redis when
    /// configured, else (or when Redis fails) in process.
    pub async fn check(&self, key: &str) -> Result<(), Duration> {
        self.step(key, true).await
    }

    /// Whether a request for `key` would be allowed now, without counting
    /// one: for limits that count only failures (check after a failure).
    pub async fn peek(&self, key: &str) -> Result<(), Duration> {
        self.step(key, false).await
    }

    async fn step(&self, key: &str, count: bool) -> Result<(), Duration> {
        if let Some(shared) = &self.shared {
            let interval = self.interval();
            let tolerance = interval * self.quota.burst.saturating_sub(1);
            let mut conn = shared.conn.clone();
            let answer: redis::RedisResult<u64> = shared
                .gcra
                .key(shared.key(self.name, key))
                .arg(millis(interval).max(1))
                .arg(millis(tolerance))
                .arg(if count { "0" } else { "1" })
                .invoke_async(&mut conn)
                .await;
            match answer {
                Ok(0) => return Ok(()),
                Ok(wait) => return Err(Duration::from_millis(wait)),
                Err(e) => Shared::failed_backend(&e),
            }
        }
        self.check_at(key, Instant::now(), count)
    }

    fn interval(&self) -> Duration {
        self.quota.period / self.quota.per_period.max(1)
    }

    fn check_at(&self, key: &str, now: Instant, count: bool) -> Result<(), Duration> {
        let interval = self.interval();
        let tolerance = interval * self.quota.burst.saturating_sub(1);
        let mut map = self.tat.lock();
        if map.len() > 100_000 {
            // Forget keys whose allowance is full again: they carry no state.
            map.retain(|_, tat| *tat > now);
        }
        let tat = map.get(key).copied().unwrap_or(now).max(now);
        if tat - now > tolerance {
            return Err(tat - now - tolerance);
        }
        if count {
            map.insert(key.to_string(), tat + interval);
        }
        Ok(())
    }
}

/// Slows the refusals of an account that keeps knocking past its quota.
///
/// A client that honours `Retry-After` meets a 429 now and then and gets it at
/// once. A client that ignores it and sends again straight away (a flood) would
/// otherwise cost the server a request parse, a token check and an answer
/// thousands of times a second, paid for by everyone else's latency. Past
/// `free` refusals within one `window`, the account's further refusals are
/// held for `hold` before they are sent, so a flooder with N requests in flight
/// gets about N answers per `hold`, not per round trip (the tarpit of SMTP
/// servers and of nginx's `limit_req` delay, applied to refusals only). At
/// most `most_held` refusals of one account are held at a time; the rest are
/// answered at once, so memory stays bounded (the connection cap bounds them
/// all). Counts live in process: each node slows what it sees.
#[derive(Debug)]
pub struct Tarpit {
    free: u32,
    window: Duration,
    hold: Duration,
    most_held: u32,
    accounts: Mutex<HashMap<i64, Knocks>>,
}

#[derive(Debug, Clone, Copy)]
struct Knocks {
    since: Instant,
    refused: u32,
    held: u32,
}

impl Tarpit {
    pub fn new(free: u32, window: Duration, hold: Duration, most_held: u32) -> Tarpit {
        Tarpit { free, window, hold, most_held, accounts: Mutex::new(HashMap::new()) }
    }

    /// Called for each refusal of `account`'s requests: returns at once, or
    /// after `hold` when the account has been refused more than `free` times
    /// in the current window. Cancelling the future (the client hung up)
    /// releases its place.
    pub async fn refused(&self, account: i64) {
        if !self.admit(account, Instant::now()) {
            return;
        }
        let _release = Held { tarpit: self, account };
        metrics::counter!("scout_refusals_held_total").increment(1);
        tokio::time::sleep(self.hold).await;
    }

    /// Counts one refusal; true when it is to be held (and is now counted as held).
    fn admit(&self, account: i64, now: Instant) -> bool {
        let mut accounts = self.accounts.lock();
        if accounts.len() > 10_000 {
            accounts.retain(|_, k| k.held > 0 || now.duration_since(k.since) < self.window);
        }
        let knocks = accounts.entry(account).or_insert(Knocks { since: now, refused: 0, held: 0 });
        if now.duration_since(knocks.since) >= self.window {
            knocks.since = now;
            knocks.refused = 0;
        }
        knocks.refused = knocks.refused.saturating_add(1);
        if knocks.refused <= self.free || knocks.held >= self.most_held {
            return false;
        }
        knocks.held += 1;
        true
    }
}

struct Held<'a> {
    tarpit: &'a Tarpit,
    account: i64,
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        if let Some(k) = self.tarpit.accounts.lock().get_mut(&self.account) {
            k.held = k.held.saturating_sub(1);
        }
    }
}

/// The limits the service applies.
#[derive(Debug)]
pub struct Limits {
    /// Requests to the credential endpoints per client address.
    pub auth_per_ip: RateLimiter,
    /// Requests per authenticated account (none when turned off).
    pub per_account: Option<RateLimiter>,
    /// Holds the refusals of an account that ignores `Retry-After`.
    pub tarpit: Tarpit,
    /// Sample searches without an account, per client address (none: the
    /// preview is off).
    pub preview_per_ip: Option<RateLimiter>,
    pub logins: Logins,
    /// Whether the counts live in Redis.
    pub shared: bool,
}

impl Limits {
    /// The limits for these settings: in Redis when `redis_url` is set.
    pub async fn for_settings(settings: &crate::settings::Settings) -> anyhow::Result<Limits> {
        let shared = match &settings.redis_url {
            Some(url) => Some(std::sync::Arc::new(Shared::connect(url, &settings.redis_prefix).await?)),
            None => None,
        };
        let per_minute = settings.account_requests_per_minute;
        Ok(Limits {
            auth_per_ip: RateLimiter::new(
                "ip",
                Quota {
                    per_period: settings.credential_requests_per_minute.max(1),
                    period: Duration::from_secs(60),
                    burst: settings.credential_requests_per_minute.div_ceil(2).max(1),
                },
                shared.clone(),
            ),
            // A minute's worth may come at once: bursts of searches as a user types.
            per_account: (per_minute > 0).then(|| {
                RateLimiter::new(
                    "account",
                    Quota { per_period: per_minute, period: Duration::from_secs(60), burst: per_minute.div_ceil(4) },
                    shared.clone(),
                )
            }),
            // Eight refusals in a second is no longer a client backing off.
            tarpit: Tarpit::new(8, Duration::from_secs(1), Duration::from_secs(1), 256),
            preview_per_ip: (settings.preview_searches_per_minute > 0).then(|| {
                let per_minute = settings.preview_searches_per_minute;
                RateLimiter::new(
                    "preview",
                    Quota { per_period: per_minute, period: Duration::from_secs(60), burst: per_minute.div_ceil(2) },
                    shared.clone(),
                )
            }),
            logins: Logins::new(shared.clone()),
            shared: shared.is_some(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flooding_account_is_held_past_its_free_refusals_and_only_up_to_the_cap() {
        let tarpit = Tarpit::new(3, Duration::from_secs(1), Duration::from_secs(1), 2);
        let t0 = Instant::now();
        // The first refusals of a window are answered at once.
        assert!(!tarpit.admit(7, t0));
        assert!(!tarpit.admit(7, t0));
        assert!(!tarpit.admit(7, t0));
        // Past them, refusals are held, up to the cap; beyond it, answered at once.
        assert!(tarpit.admit(7, t0));
        assert!(tarpit.admit(7, t0));
        assert!(!tarpit.admit(7, t0));
        // Another account is not affected by this one's flood.
        assert!(!tarpit.admit(8, t0));
        // A new window starts the count again, while the held places stay taken.
        let later = t0 + Duration::from_secs(2);
        for _ in 0..3 {
            assert!(!tarpit.admit(7, later));
        }
        assert!(!tarpit.admit(7, later), "both places are still held");
        drop(Held { tarpit: &tarpit, account: 7 });
        assert!(tarpit.admit(7, later), "a released place is free again");
    }

    #[tokio::test]
    async fn a_held_refusal_waits_and_gives_its_place_back() {
        let hold = Duration::from_millis(50);
        let tarpit = Tarpit::new(0, Duration::from_secs(60), hold, 1);
        let started = Instant::now();
        tarpit.refused(1).await;
        assert!(started.elapsed() >= hold, "held for the hold time");
        assert_eq!(tarpit.accounts.lock()[&1].held, 0, "and released");
        // A refusal cancelled mid-hold (the client hung up) releases its place too.
        let cancelled = tokio::time::timeout(Duration::from_millis(5), tarpit.refused(1)).await;
        assert!(cancelled.is_err());
        assert_eq!(tarpit.accounts.lock()[&1].held, 0);
    }

    #[test]
    fn gcra_allows_the_burst_then_the_rate() {
        let limiter = RateLimiter::new("t", Quota { per_period: 10, period: Duration::from_secs(10), burst: 3 }, None);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check_at("ip", t0, true).is_ok());
        }
        let wait = limiter.check_at("ip", t0, true).expect_err("burst used up");
        assert!(wait > Duration::from_millis(900) && wait <= Duration::from_secs(1), "{wait:?}");
        assert!(limiter.check_at("other", t0, true).is_ok(), "keys are independent");
        assert!(limiter.check_at("ip", t0 + Duration::from_secs(1), true).is_ok(), "one more per second");
        assert!(limiter.check_at("ip", t0 + Duration::from_secs(1), true).is_err());
        assert!(limiter.check_at("ip", t0 + Duration::from_secs(10), true).is_ok(), "refilled");
    }

    #[test]
    fn a_peek_counts_nothing() {
        let limiter = RateLimiter::new("t", Quota { per_period: 10, period: Duration::from_secs(10), burst: 2 }, None);
        let t0 = Instant::now();
        for _ in 0..5 {
            assert!(limiter.check_at("ip", t0, false).is_ok(), "looking is free");
        }
        assert!(limiter.check_at("ip", t0, true).is_ok());
        assert!(limiter.check_at("ip", t0, true).is_ok());
        assert!(limiter.check_at("ip", t0, false).is_err(), "a peek sees the burst used up");
    }

    /// Redis, as `scripts/test.sh` starts it (or `SCOUT_TEST_REDIS_URL`).
    async fn redis(prefix: &str) -> std::sync::Arc<Shared> {
        let url = std::env::var("SCOUT_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
        std::sync::Arc::new(
            Shared::connect(&url, prefix).await.expect("Redis must be running (scripts/test.sh starts it)"),
        )
    }

    #[tokio::test]
    async fn redis_limits_follow_the_same_rules_and_store_no_raw_keys() {
        let prefix = format!("scout-unit-{}", uuid::Uuid::new_v4().simple());
        let shared = redis(&prefix).await;
        let limiter = RateLimiter::new(
            "t",
            Quota { per_period: 1, period: Duration::from_secs(60), burst: 3 },
            Some(shared.clone()),
        );
        for _ in 0..3 {
            assert!(limiter.check("ann@example.com").await.is_ok());
        }
        let wait = limiter.check("ann@example.com").await.expect_err("burst used up");
        assert!(wait > Duration::from_secs(55) && wait <= Duration::from_secs(60), "{wait:?}");
        assert!(limiter.check("bob@example.com").await.is_ok(), "keys are independent");
        assert!(limiter.tat.lock().is_empty(), "the counts went to Redis, not to this process");

        let guard = LoginGuard::new(2, Duration::from_secs(30), Duration::from_secs(100), Some(shared.clone()));
        assert_eq!(guard.failed("ann@example.com").await, None);
        assert_eq!(guard.failed("ann@example.com").await, Some(Duration::from_secs(30)));
        let left = guard.locked("ann@example.com").await.expect("locked");
        assert!(left > Duration::from_secs(25) && left <= Duration::from_secs(30), "{left:?}");
        assert_eq!(guard.failed("ann@example.com").await, Some(Duration::from_secs(60)), "doubling");
        assert_eq!(guard.locked("bob@example.com").await, None);
        guard.succeeded("ann@example.com").await;
        assert_eq!(guard.locked("ann@example.com").await, None, "success clears the lock");

        let mut conn = shared.conn.clone();
        let keys: Vec<String> =
            redis::cmd("KEYS").arg(format!("{prefix}:*")).query_async(&mut conn).await.expect("keys");
        assert!(!keys.is_empty());
        assert!(keys.iter().all(|k| !k.contains("example.com")), "{keys:?}");
        let _: () = redis::cmd("DEL").arg(&keys).query_async(&mut conn).await.expect("clean up");
    }
}

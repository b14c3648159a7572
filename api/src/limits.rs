//! Abuse limits kept in process: request rates per client address (GCRA, the
//! generic cell rate algorithm that `governor` and Redis-cell implement) and a
//! lock on an account after repeated failed logins, with doubling back-off.
//!
//! One process holds the counts, which is right for the embedded default; a
//! deployment of several API nodes needs a shared store (Redis), which is a
//! later step.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

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
    quota: Quota,
    tat: Mutex<HashMap<String, Instant>>,
}

impl RateLimiter {
    pub fn new(quota: Quota) -> RateLimiter {
        RateLimiter { quota, tat: Mutex::new(HashMap::new()) }
    }

    fn interval(&self) -> Duration {
        self.quota.period / self.quota.per_period.max(1)
    }

    /// Allows a request for `key`, or says how long to wait.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        self.check_at(key, Instant::now())
    }

    fn check_at(&self, key: &str, now: Instant) -> Result<(), Duration> {
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
        map.insert(key.to_string(), tat + interval);
        Ok(())
    }
}

/// Failed logins per account: after `free` failures in a row the account is
/// locked for `base`, doubling with each further failure up to `max`; a
/// successful login clears it.
#[derive(Debug)]
pub struct LoginGuard {
    free: u32,
    base: Duration,
    max: Duration,
    state: Mutex<HashMap<String, (u32, Option<Instant>)>>,
}

impl LoginGuard {
    pub fn new(free: u32, base: Duration, max: Duration) -> LoginGuard {
        LoginGuard { free, base, max, state: Mutex::new(HashMap::new()) }
    }

    /// How long the account is still locked, if it is.
    pub fn locked(&self, account: &str) -> Option<Duration> {
        self.locked_at(account, Instant::now())
    }

    fn locked_at(&self, account: &str, now: Instant) -> Option<Duration> {
        let state = self.state.lock();
        let (_, until) = state.get(account)?;
        until.filter(|u| *u > now).map(|u| u - now)
    }

    /// Records a failure; returns the lock it starts, if any.
    pub fn failed(&self, account: &str) -> Option<Duration> {
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

    pub fn succeeded(&self, account: &str) {
        self.state.lock().remove(account);
    }
}

/// The limits the service applies.
#[derive(Debug)]
pub struct Limits {
    /// Requests to `/v1/auth/*` per client address.
    pub auth_per_ip: RateLimiter,
    pub logins: LoginGuard,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            auth_per_ip: RateLimiter::new(Quota { per_period: 60, period: Duration::from_secs(60), burst: 30 }),
            logins: LoginGuard::new(5, Duration::from_secs(30), Duration::from_secs(3600)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gcra_allows_the_burst_then_the_rate() {
        let limiter = RateLimiter::new(Quota { per_period: 10, period: Duration::from_secs(10), burst: 3 });
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check_at("ip", t0).is_ok());
        }
        let wait = limiter.check_at("ip", t0).expect_err("burst used up");
        assert!(wait > Duration::from_millis(900) && wait <= Duration::from_secs(1), "{wait:?}");
        assert!(limiter.check_at("other", t0).is_ok(), "keys are independent");
        assert!(limiter.check_at("ip", t0 + Duration::from_secs(1)).is_ok(), "one more per second");
        assert!(limiter.check_at("ip", t0 + Duration::from_secs(1)).is_err());
        assert!(limiter.check_at("ip", t0 + Duration::from_secs(10)).is_ok(), "refilled");
    }

    #[test]
    fn logins_lock_after_the_free_failures_with_doubling_back_off() {
        let guard = LoginGuard::new(3, Duration::from_secs(30), Duration::from_secs(100));
        let t0 = Instant::now();
        assert_eq!(guard.failed_at("a", t0), None);
        assert_eq!(guard.failed_at("a", t0), None);
        assert_eq!(guard.failed_at("a", t0), Some(Duration::from_secs(30)));
        assert_eq!(guard.locked_at("a", t0 + Duration::from_secs(10)), Some(Duration::from_secs(20)));
        assert_eq!(guard.locked_at("b", t0), None);
        assert_eq!(guard.failed_at("a", t0), Some(Duration::from_secs(60)));
        assert_eq!(guard.failed_at("a", t0), Some(Duration::from_secs(100)), "capped");
        assert_eq!(guard.locked_at("a", t0 + Duration::from_secs(101)), None, "the lock ends");
        guard.succeeded("a");
        assert_eq!(guard.failed_at("a", t0), None, "success clears the count");
    }
}

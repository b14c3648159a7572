//! Follower tiers as the industry names them, and the engagement rate that is
//! typical in each, which is what a creator's own rate is judged against.

use serde::{Deserialize, Serialize};

use crate::profile::Platform;

/// Follower tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// Under 10k followers.
    Nano,
    /// 10k to 100k.
    Micro,
    /// 100k to 500k.
    Mid,
    /// 500k to 1M.
    Macro,
    /// 1M and more.
    Mega,
}

impl Tier {
    pub const ALL: [Tier; 5] = [Tier::Nano, Tier::Micro, Tier::Mid, Tier::Macro, Tier::Mega];

    pub fn of(followers: u64) -> Tier {
        match followers {
            0..10_000 => Tier::Nano,
            10_000..100_000 => Tier::Micro,
            100_000..500_000 => Tier::Mid,
            500_000..1_000_000 => Tier::Macro,
            _ => Tier::Mega,
        }
    }

    /// Follower bounds `[min, max)`; `max` is `None` for mega.
    pub fn bounds(self) -> (u64, Option<u64>) {
        match self {
            Tier::Nano => (0, Some(10_000)),
            Tier::Micro => (10_000, Some(100_000)),
            Tier::Mid => (100_000, Some(500_000)),
            Tier::Macro => (500_000, Some(1_000_000)),
            Tier::Mega => (1_000_000, None),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Nano => "nano",
            Tier::Micro => "micro",
            Tier::Mid => "mid",
            Tier::Macro => "macro",
            Tier::Mega => "mega",
        }
    }

    pub fn from_name(s: &str) -> Option<Tier> {
        Tier::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Median engagement rate (interactions per follower per post) of the tier on
    /// Instagram, after the published industry benchmarks (e.g. HypeAuditor's
    /// State of Influencer Marketing): engagement falls as audiences grow.
    fn instagram_median(self) -> f64 {
        match self {
            Tier::Nano => 0.040,
            Tier::Micro => 0.024,
            Tier::Mid => 0.017,
            Tier::Macro => 0.013,
            Tier::Mega => 0.010,
        }
    }
}

/// How a platform's engagement compares with Instagram's for the same tier.
pub fn platform_engagement_factor(p: Platform) -> f64 {
    match p {
        Platform::Tiktok => 2.0,
        Platform::Youtube => 0.9,
        Platform::Twitch => 1.2,
        Platform::X => 0.35,
        Platform::Facebook => 0.4,
        Platform::Pinterest => 0.3,
        Platform::Snapchat => 0.8,
        Platform::Linkedin => 0.9,
        Platform::Threads => 0.6,
        Platform::Instagram => 1.0,
    }
}

/// Typical (median) engagement rate for an account of this size on this platform.
pub fn tier_median_engagement(followers: u64, platform: Platform) -> f64 {
    Tier::of(followers).instagram_median() * platform_engagement_factor(platform)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_partition_followers() {
        assert_eq!(Tier::of(0), Tier::Nano);
        assert_eq!(Tier::of(9_999), Tier::Nano);
        assert_eq!(Tier::of(10_000), Tier::Micro);
        assert_eq!(Tier::of(999_999), Tier::Macro);
        assert_eq!(Tier::of(5_000_000), Tier::Mega);
        for t in Tier::ALL {
            let (lo, hi) = t.bounds();
            assert_eq!(Tier::of(lo), t);
            if let Some(hi) = hi {
                assert_ne!(Tier::of(hi), t);
            }
        }
    }

    #[test]
    fn engagement_falls_with_size() {
        let small = tier_median_engagement(5_000, Platform::Instagram);
        let big = tier_median_engagement(5_000_000, Platform::Instagram);
        assert!(small > big);
    }
}

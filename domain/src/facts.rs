//! Facts derived from a profile that indexing and ranking need: normalised
//! niches, tier, engagement against the tier, growth, audience terms and an
//! audience-quality estimate. Pure functions of the profile.

use crate::places::gazetteer::{canonical_city, gazetteer};
use crate::profile::{AGE_BANDS, Profile};
use crate::query::{AudienceDimension, SHARE_STEP_PERCENT, audience_term};
use crate::taxonomy::{niches_in, normalise_categories};
use crate::text::fold;
use crate::tier::{Tier, tier_median_engagement};

/// What the engine derives from one profile.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileFacts {
    pub niches: Vec<&'static str>,
    pub tier: Tier,
    pub engagement_rate: f64,
    /// True when the engagement rate was computed from averages.
    pub engagement_derived: bool,
    /// Engagement rate divided by the tier's median on this platform.
    pub engagement_vs_tier: f64,
    /// Relative follower growth over the last ~90 days of history, if known.
    pub growth_90d: Option<f64>,
    /// Seconds since the epoch of the last post, if known.
    pub last_post_ts: Option<i64>,
    /// Audience share terms (see [`audience_term`]).
    pub audience_terms: Vec<String>,
    /// Estimated share of real, engaged followers in [0, 1].
    pub audience_quality: f64,
    /// Evidence behind a low audience quality, readable by a person.
    pub quality_evidence: Vec<String>,
    /// Folded city name as the curated list spells it ("München" → "munich"), if any.
    pub city: Option<String>,
    /// The creator's first-level region as a gazetteer id ("DE:Bavaria"), from
    /// their stated region, city or coordinates.
    pub region: Option<String>,
}

/// Comments that say nothing about the post; a high share suggests bought engagement.
const GENERIC_COMMENTS: &[&str] = &[
    "nice",
    "nice pic",
    "nice post",
    "great",
    "great post",
    "cool",
    "wow",
    "love it",
    "amazing",
    "awesome",
    "beautiful",
    "so cool",
    "follow me",
    "check my page",
    "dm me",
    "good",
    "super",
    "fire",
    "lit",
    "perfect",
];

impl ProfileFacts {
    pub fn of(p: &Profile) -> ProfileFacts {
        let mut niches = normalise_categories(p.categories.as_deref().unwrap_or(&[]));
        for id in normalise_categories(p.hashtags.as_deref().unwrap_or(&[])) {
            if !niches.contains(&id) && niches.len() < 6 {
                niches.push(id);
            }
        }
        if niches.is_empty()
            && let Some(bio) = &p.bio
        {
            niches = niches_in(bio).into_iter().take(3).collect();
        }
        let (engagement_rate, engagement_derived) = p.effective_engagement_rate().unwrap_or((0.0, true));
        let median = tier_median_engagement(p.followers, p.platform);
        let (audience_quality, quality_evidence) = audience_quality(p, engagement_rate / median);
        ProfileFacts {
            niches,
            tier: Tier::of(p.followers),
            engagement_rate,
            engagement_derived,
            engagement_vs_tier: engagement_rate / median,
            growth_90d: growth(p, 90),
            last_post_ts: p
                .last_post_at
                .as_deref()
                .or_else(|| p.recent_posts.as_ref()?.iter().map(|x| x.posted_at.as_str()).max())
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.timestamp()),
            audience_terms: audience_terms(p),
            audience_quality,
            quality_evidence,
            city: p.city.as_deref().map(|c| fold(&canonical_city(c))),
            region: gazetteer()
                .region_of(
                    p.country.as_deref(),
                    p.region.as_deref(),
                    p.city.as_deref(),
                    p.location.as_ref().map(|l| (l.lat, l.lon)),
                )
                .map(|r| r.id.clone()),
        }
    }
}

/// Follower history as dated points, oldest first (unparseable dates skipped).
/// The follower history as dated points, oldest first (unparsable dates skipped).
pub fn history(p: &Profile) -> Option<Vec<(chrono::NaiveDate, u64)>> {
    let mut h: Vec<(chrono::NaiveDate, u64)> = p
        .follower_history
        .as_ref()?
        .iter()
        .filter_map(|x| Some((chrono::NaiveDate::parse_from_str(&x.date, "%Y-%m-%d").ok()?, x.followers)))
        .collect();
    h.sort();
    Some(h)
}

/// Relative growth over the last `days` of follower history.
fn growth(p: &Profile, days: i64) -> Option<f64> {
    let h = history(p)?;
    let &(last_day, last) = h.last()?;
    let cutoff = last_day - chrono::Duration::days(days);
    let &(_, then) = h.iter().rev().find(|(d, _)| *d <= cutoff).or(h.first())?;
    if then == 0 {
        return None;
    }
    Some(last as f64 / then as f64 - 1.0)
}

fn audience_terms(p: &Profile) -> Vec<String> {
    let mut out = Vec::new();
    let Some(a) = &p.audience else { return out };
    let mut add = |dim, map: &Option<std::collections::BTreeMap<String, f64>>, keep: &dyn Fn(&str) -> bool| {
        let Some(map) = map else { return };
        for (k, share) in map {
            if !keep(k) {
                continue;
            }
            let pct = (share * 100.0 + 1e-6).floor() as u32;
            let mut step = SHARE_STEP_PERCENT;
            while step <= pct {
                out.push(audience_term(dim, k, step));
                step += SHARE_STEP_PERCENT;
            }
        }
    };
    add(AudienceDimension::Country, &a.countries, &|_| true);
    add(AudienceDimension::Gender, &a.gender, &|_| true);
    add(AudienceDimension::Age, &a.age, &|k| AGE_BANDS.contains(&k));
    out
}

/// A transparent audience-quality estimate: the vendor's credibility when given,
/// otherwise penalties for follower spikes, generic comments, engagement far
/// below the tier and a following count that mirrors followers (follow-for-follow).
fn audience_quality(p: &Profile, engagement_vs_tier: f64) -> (f64, Vec<String>) {
    let mut q: f64 = 1.0;
    let mut evidence = Vec::new();
    if let Some(spike) = largest_spike(p)
        && spike.1 > 0.25
    {
        q -= (spike.1 * 0.8).min(0.45);
        evidence.push(format!("followers +{:.0}% between {} and {}", spike.1 * 100.0, spike.0.0, spike.0.1));
    }
    let comments: Vec<&String> =
        p.recent_posts.iter().flatten().flat_map(|post| post.top_comments.iter().flatten()).collect();
    if comments.len() >= 5 {
        let generic = comments.iter().filter(|c| is_generic(c)).count() as f64 / comments.len() as f64;
        if generic > 0.4 {
            q -= (generic - 0.4) * 0.6;
            evidence.push(format!("{:.0}% of comments are generic", generic * 100.0));
        }
    }
    if engagement_vs_tier < 0.3 && p.followers > 5_000 {
        q -= 0.15;
        evidence.push(format!("engagement is {:.1}x the tier median", engagement_vs_tier));
    }
    if let Some(following) = p.following
        && p.followers > 2_000
        && following as f64 > 0.8 * p.followers as f64
    {
        q -= 0.1;
        evidence.push("follows almost as many accounts as follow it".into());
    }
    if let Some(c) = p.audience.as_ref().and_then(|a| a.credibility) {
        q = 0.5 * q + 0.5 * c;
    }
    (q.clamp(0.0, 1.0), evidence)
}

fn is_generic(comment: &str) -> bool {
    let f = fold(comment);
    let text: String = f.chars().filter(|c| c.is_alphanumeric() || c.is_whitespace()).collect();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    text.is_empty() || GENERIC_COMMENTS.contains(&text.as_str())
}

/// The largest relative jump between two consecutive history points that are
/// at most 14 days apart.
pub fn largest_spike(p: &Profile) -> Option<((String, String), f64)> {
    let h = history(p)?;
    h.windows(2)
        .filter(|w| (w[1].0 - w[0].0).num_days() <= 14 && w[0].1 > 0)
        .map(|w| ((w[0].0.to_string(), w[1].0.to_string()), w[1].1 as f64 / w[0].1 as f64 - 1.0))
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(extra: &str) -> Profile {
        let line = format!(r#"{{"platform":"instagram","external_id":"1","handle":"a","followers":50000{extra}}}"#);
        Profile::parse(&line).expect("valid").profile
    }

    #[test]
    fn niches_come_from_categories_and_hashtags() {
        let p = profile(r#","categories":["Plant-based cooking"],"hashtags":["gymlife","workout"]"#);
        let f = ProfileFacts::of(&p);
        assert!(f.niches.contains(&"vegan"));
        assert!(f.niches.contains(&"cooking"));
        assert!(f.niches.contains(&"fitness"));
    }

    #[test]
    fn audience_terms_cover_each_step() {
        let p = profile(r#","audience":{"countries":{"DE":0.27},"gender":{"female":0.6}}"#);
        let f = ProfileFacts::of(&p);
        assert!(f.audience_terms.contains(&"country:DE:25".to_string()));
        assert!(!f.audience_terms.contains(&"country:DE:30".to_string()));
        assert!(f.audience_terms.contains(&"gender:female:60".to_string()));
    }

    #[test]
    fn follower_spike_lowers_quality_with_evidence() {
        let clean = profile(
            r#","engagement_rate":0.03,"follower_history":[{"date":"2026-01-01","followers":40000},{"date":"2026-01-08","followers":41000}]"#,
        );
        let spiky = profile(
            r#","engagement_rate":0.03,"follower_history":[{"date":"2026-01-01","followers":20000},{"date":"2026-01-08","followers":50000}]"#,
        );
        let (a, b) = (ProfileFacts::of(&clean), ProfileFacts::of(&spiky));
        assert!(a.audience_quality > b.audience_quality);
        assert!(b.quality_evidence[0].contains("followers +150%"), "{:?}", b.quality_evidence);
    }

    #[test]
    fn growth_over_history() {
        let p = profile(
            r#","follower_history":[{"date":"2026-01-01","followers":40000},{"date":"2026-04-15","followers":50000}]"#,
        );
        let g = ProfileFacts::of(&p).growth_90d.expect("growth");
        assert!((g - 0.25).abs() < 1e-9);
    }
}

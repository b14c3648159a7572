//! Missing-value augmentation for the audience-quality model.
//!
//! Profiles from other scrapers and vendors lack what ours always carry: the
//! follower history is absent or sparse, the engagement rate is not stated,
//! the audience report is missing or partial, few posts and fewer comments
//! came along. A model that only ever saw complete profiles reads "no jump in
//! the history" as "organic" when the history was simply not there, and its
//! calibration collapses on such data (training/README.md, "Audience quality
//! on data built differently"). Training therefore also sees each train and
//! calibration profile again with fields taken away, drawn at random and
//! independently of the label, so the trees learn what a signal is worth when
//! its neighbours are missing (the usual remedy for train/serve skew in
//! missing-ness; e.g. "data augmentation by feature dropout", as in
//! Vincent et al., *Extracting and composing robust features with denoising
//! autoencoders*, ICML 2008, applied to tabular inputs).
//!
//! The draws depend only on the seed and the profile's key, so an export is
//! reproducible. The held-out test split is never augmented: it is scored as
//! given, and data built differently is evaluated with a rewrite this module
//! never sees (`training/heldout/outside_like.py`).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use scout_domain::Profile;

/// A copy of `p` with fields taken away the way outside data lacks them.
/// `draw` tells copies of the same profile apart.
pub fn with_gaps(p: &Profile, seed: u64, draw: u64) -> Profile {
    let mut h = blake3::Hasher::new();
    h.update(&seed.to_le_bytes());
    h.update(&draw.to_le_bytes());
    h.update(p.platform.as_str().as_bytes());
    h.update(p.external_id.as_bytes());
    let mut rng = ChaCha8Rng::from_seed(*h.finalize().as_bytes());
    let mut p = p.clone();

    // Follower history: absent, or only every k-th point (monthly or rarer
    // snapshots lose the short windows a bought jump shows in).
    let history = rng.random::<f64>();
    if history < 0.35 {
        p.follower_history = None;
    } else if history < 0.7
        && let Some(points) = p.follower_history.as_mut()
    {
        let stride = rng.random_range(2..=4usize);
        let offset = rng.random_range(0..stride);
        let kept: Vec<_> = points.iter().skip(offset).step_by(stride).cloned().collect();
        *points = kept;
    }
    // Stated engagement figures.
    if rng.random_bool(0.3) {
        p.engagement_rate = None;
        p.avg_shares = None;
    }
    if rng.random_bool(0.25) {
        p.avg_views = None;
    }
    if rng.random_bool(0.1) {
        p.avg_likes = None;
        p.avg_comments = None;
    }
    if rng.random_bool(0.15) {
        p.following = None;
    }
    if rng.random_bool(0.1) {
        p.posts_per_week = None;
    }
    // The audience report: gone, or without some of its parts.
    let audience = rng.random::<f64>();
    if audience < 0.2 {
        p.audience = None;
    } else if let Some(a) = p.audience.as_mut() {
        if audience < 0.35 {
            a.credibility = None;
        } else if audience < 0.45 {
            a.countries = None;
        }
    }
    // Posts and their comments: fewer of each, or none.
    if let Some(posts) = p.recent_posts.as_mut() {
        if !posts.is_empty() && rng.random_bool(0.5) {
            let keep = rng.random_range(1..=posts.len());
            posts.truncate(keep);
        }
        let comments = rng.random::<f64>();
        if comments < 0.15 {
            for post in posts.iter_mut() {
                post.top_comments = None;
            }
        } else if comments < 0.55 {
            let keep = rng.random_range(0..=3usize);
            for post in posts.iter_mut() {
                if let Some(c) = post.top_comments.as_mut() {
                    c.truncate(keep);
                }
            }
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_are_reproducible_vary_by_draw_and_only_take_away() {
        let g = scout_fixtures::Generator::new(3);
        let profiles: Vec<Profile> = (0..400).map(|i| g.profile(i).0).collect();
        let mut history_gone = 0;
        let mut rate_gone = 0;
        for p in &profiles {
            let a = with_gaps(p, 42, 0);
            assert_eq!(a, with_gaps(p, 42, 0), "the same seed and draw give the same copy");
            // Nothing is added or changed, only taken away.
            assert_eq!((a.followers, &a.handle, &a.bio), (p.followers, &p.handle, &p.bio));
            let full = p.follower_history.as_ref().map_or(0, Vec::len);
            let kept = a.follower_history.as_ref().map_or(0, Vec::len);
            assert!(kept <= full);
            if let Some(points) = &a.follower_history {
                let original = p.follower_history.as_ref().expect("a history to thin");
                assert!(points.iter().all(|x| original.contains(x)), "thinned points are original points");
            }
            let posts = |q: &Profile| q.recent_posts.as_ref().map_or(0, Vec::len);
            assert!(posts(&a) <= posts(p));
            history_gone += usize::from(full > 0 && a.follower_history.is_none());
            rate_gone += usize::from(p.engagement_rate.is_some() && a.engagement_rate.is_none());
        }
        // Each gap happens to a share near the one drawn for it.
        let share = |n: usize| n as f64 / profiles.len() as f64;
        assert!((0.25..0.45).contains(&share(history_gone)), "history gone {}", share(history_gone));
        assert!((0.2..0.4).contains(&share(rate_gone)), "rate gone {}", share(rate_gone));
        let differs = profiles.iter().filter(|p| with_gaps(p, 42, 0) != with_gaps(p, 42, 1)).count();
        assert!(differs > 300, "another draw gives another copy: {differs} of 400");
    }
}

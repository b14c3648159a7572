//! What the indexes store about a profile: its searchable text, keyword terms,
//! numbers, and the compact feature record the ranker reads.

use scout_domain::query::AudienceDimension;
use scout_domain::{Profile, ProfileFacts, ProfileId, Tier};
use serde::{Deserialize, Serialize};

/// Ranking inputs of one profile, kept in memory for every indexed profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Features {
    pub followers: u64,
    pub engagement_rate: f32,
    pub engagement_vs_tier: f32,
    pub audience_quality: f32,
    /// Follower growth over ~90 days; NaN when unknown.
    pub growth_90d: f32,
    /// Seconds since the epoch of the last post; 0 when unknown.
    pub last_post_ts: i64,
    pub platform: String,
    pub tier: Tier,
    pub country: Option<String>,
    pub niches: Vec<String>,
    /// Audience shares in percent for the top countries.
    pub audience_countries: Vec<(String, u8)>,
    /// Audience shares in percent by gender (`female`, `male`).
    pub audience_female: Option<u8>,
    pub audience_male: Option<u8>,
    /// Audience shares in percent by age band, in [`scout_domain::profile::AGE_BANDS`] order.
    pub audience_age: Option<[u8; 6]>,
    pub verified: bool,
    pub languages: Vec<String>,
}

impl Features {
    /// Audience share in [0, 1] for one dimension and value, if known.
    pub fn audience_share(&self, dim: AudienceDimension, value: &str) -> Option<f64> {
        let pct = match dim {
            AudienceDimension::Country => self.audience_countries.iter().find(|(c, _)| c == value).map(|x| x.1).or(
                // Countries below the top ones are small.
                (!self.audience_countries.is_empty()).then_some(0),
            ),
            AudienceDimension::Gender => match value {
                "female" => self.audience_female,
                "male" => self.audience_male,
                _ => None,
            },
            AudienceDimension::Age => {
                let i = scout_domain::profile::AGE_BANDS.iter().position(|b| *b == value)?;
                self.audience_age.map(|a| a[i])
            }
        }?;
        Some(pct as f64 / 100.0)
    }
}

/// Everything both indexes need for one profile.
#[derive(Debug, Clone)]
pub struct IndexDoc {
    pub id: ProfileId,
    pub facts: ProfileFacts,
    pub features: Features,
    /// Weighted text parts.
    pub name: String,
    pub categories: String,
    pub bio: String,
    pub posts: String,
    /// Text given to the semantic encoders.
    pub semantic_text: String,
    pub city: Option<String>,
}

fn pct(x: f64) -> u8 {
    (x * 100.0).round().clamp(0.0, 100.0) as u8
}

impl IndexDoc {
    pub fn new(id: ProfileId, p: &Profile) -> IndexDoc {
        let facts = ProfileFacts::of(p);
        let audience = p.audience.as_ref();
        let mut audience_countries: Vec<(String, u8)> = audience
            .and_then(|a| a.countries.as_ref())
            .map(|m| m.iter().map(|(k, v)| (k.clone(), pct(*v))).collect())
            .unwrap_or_default();
        audience_countries.sort_by_key(|c| std::cmp::Reverse(c.1));
        audience_countries.truncate(5);
        let gender = audience.and_then(|a| a.gender.as_ref());
        let audience_age = audience.and_then(|a| a.age.as_ref()).map(|m| {
            let mut out = [0u8; 6];
            for (i, band) in scout_domain::profile::AGE_BANDS.iter().enumerate() {
                out[i] = m.get(*band).map_or(0, |x| pct(*x));
            }
            out
        });
        let features = Features {
            followers: p.followers,
            engagement_rate: facts.engagement_rate as f32,
            engagement_vs_tier: facts.engagement_vs_tier as f32,
            audience_quality: facts.audience_quality as f32,
            growth_90d: facts.growth_90d.map_or(f32::NAN, |g| g as f32),
            last_post_ts: facts.last_post_ts.unwrap_or(0),
            platform: p.platform.as_str().to_string(),
            tier: facts.tier,
            country: p.country.clone(),
            niches: facts.niches.iter().map(|s| s.to_string()).collect(),
            audience_countries,
            audience_female: gender.and_then(|g| g.get("female")).map(|x| pct(*x)),
            audience_male: gender.and_then(|g| g.get("male")).map(|x| pct(*x)),
            audience_age,
            verified: p.verified.unwrap_or(false),
            languages: p.languages.clone().unwrap_or_default(),
        };
        let join = |v: Option<&Vec<String>>| v.map(|v| v.join(" ")).unwrap_or_default();
        let categories = format!(
            "{} {}",
            join(p.categories.as_ref()),
            facts
                .niches
                .iter()
                .filter_map(|n| scout_domain::taxonomy::niche(n))
                .map(|n| n.label)
                .collect::<Vec<_>>()
                .join(" ")
        );
        let hashtags = join(p.hashtags.as_ref());
        let captions: Vec<&str> = p.recent_posts.iter().flatten().filter_map(|x| x.caption.as_deref()).collect();
        let posts = format!("{} {}", hashtags.replace('_', " "), captions.join(" "));
        let bio = p.bio.clone().unwrap_or_default();
        let name = format!("{} {}", p.handle.replace(['.', '_'], " "), p.display_name.as_deref().unwrap_or(""));
        // The encoders see what a person would read to judge the niche: the
        // categories, the bio and a little of the posts.
        let semantic_text = format!(
            "{}. {}. {}",
            join(p.categories.as_ref()),
            bio,
            captions.iter().take(2).copied().collect::<Vec<_>>().join(". ")
        );
        IndexDoc { id, city: facts.city.clone(), facts, features, name, categories, bio, posts, semantic_text }
    }
}

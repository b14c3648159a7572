//! What the indexes store about a profile: its searchable text, keyword terms,
//! numbers, and the compact feature record the ranker reads.

use std::collections::HashSet;
use std::sync::OnceLock;

use parking_lot::RwLock;
use scout_domain::query::AudienceDimension;
use scout_domain::{Profile, ProfileFacts, ProfileId, Tier};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A keyword value of a feature record (platform, country, language, niche):
/// one shared copy per distinct value instead of one string per profile, since
/// the table holds every indexed profile and these values come from small,
/// validated vocabularies (ISO codes, taxonomy ids, platform names).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sym(&'static str);

impl Sym {
    pub fn new(value: &str) -> Sym {
        static TABLE: OnceLock<RwLock<HashSet<&'static str>>> = OnceLock::new();
        let table = TABLE.get_or_init(|| RwLock::new(HashSet::new()));
        if let Some(s) = table.read().get(value) {
            return Sym(s);
        }
        let mut table = table.write();
        if let Some(s) = table.get(value) {
            return Sym(s);
        }
        // Kept for the life of the process: only values of the validated
        // vocabularies above reach here, a few thousand at most.
        let leaked: &'static str = Box::leak(value.to_string().into_boxed_str());
        table.insert(leaked);
        Sym(leaked)
    }

    pub fn as_str(&self) -> &'static str {
        self.0
    }
}

impl std::ops::Deref for Sym {
    type Target = str;
    fn deref(&self) -> &str {
        self.0
    }
}

impl AsRef<str> for Sym {
    fn as_ref(&self) -> &str {
        self.0
    }
}

impl std::fmt::Debug for Sym {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.0, f)
    }
}

impl std::fmt::Display for Sym {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl PartialEq<str> for Sym {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Sym {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for Sym {
    fn eq(&self, other: &String) -> bool {
        self.0 == other
    }
}

impl Serialize for Sym {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for Sym {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Sym, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Ok(Sym::new(&s))
    }
}

/// Ranking inputs of one profile, kept in memory for every indexed profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Features {
    pub followers: u64,
    pub engagement_rate: f32,
    pub engagement_vs_tier: f32,
    pub audience_quality: f32,
    /// Follower growth over ~90 days; NaN when unknown (`null` in JSON).
    #[serde(with = "nan_as_null::one")]
    pub growth_90d: f32,
    /// Seconds since the epoch of the last post; 0 when unknown.
    pub last_post_ts: i64,
    pub platform: Sym,
    pub tier: Tier,
    pub country: Option<Sym>,
    pub niches: Box<[Sym]>,
    /// Audience shares in percent for the top countries.
    pub audience_countries: Box<[(Sym, u8)]>,
    /// Audience shares in percent by gender (`female`, `male`).
    pub audience_female: Option<u8>,
    pub audience_male: Option<u8>,
    /// Audience shares in percent by age band, in [`scout_domain::profile::AGE_BANDS`] order.
    pub audience_age: Option<[u8; 6]>,
    pub verified: bool,
    pub languages: Box<[Sym]>,
    /// The audience-quality model's inputs ([`scout_models::quality::FEATURES`]),
    /// kept so that a new model version rescores every profile in memory.
    #[serde(default = "no_quality_inputs", with = "nan_as_null")]
    pub quality_inputs: [f32; QUALITY_INPUTS],
    /// Share of positive minus share of negative recent comments, in [-1, 1]
    /// (the lexicon scorer); NaN without comments.
    #[serde(default = "unknown", with = "nan_as_null::one")]
    pub audience_sentiment: f32,
}

/// JSON has no NaN: missing inputs are written as `null` and read back as NaN.
mod nan_as_null {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::QUALITY_INPUTS;

    pub fn serialize<S: Serializer>(v: &[f32; QUALITY_INPUTS], s: S) -> Result<S::Ok, S::Error> {
        v.map(|x| (!x.is_nan()).then_some(x)).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[f32; QUALITY_INPUTS], D::Error> {
        let v = <[Option<f32>; QUALITY_INPUTS]>::deserialize(d)?;
        Ok(v.map(|x| x.unwrap_or(f32::NAN)))
    }

    /// The same for one value.
    pub mod one {
        use serde::{Deserialize, Deserializer, Serialize, Serializer};

        pub fn serialize<S: Serializer>(v: &f32, s: S) -> Result<S::Ok, S::Error> {
            (!v.is_nan()).then_some(*v).serialize(s)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f32, D::Error> {
            Ok(Option::<f32>::deserialize(d)?.unwrap_or(f32::NAN))
        }
    }
}

/// How many inputs the audience-quality model takes.
pub const QUALITY_INPUTS: usize = scout_models::quality::FEATURES.len();

fn unknown() -> f32 {
    f32::NAN
}

fn no_quality_inputs() -> [f32; QUALITY_INPUTS] {
    [f32::NAN; QUALITY_INPUTS]
}

impl Features {
    /// The quality model's input row.
    pub fn quality_row(&self) -> scout_models::quality::Row {
        self.quality_inputs.map(f64::from)
    }

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
    /// The headline rate in US cents ([`scout_domain::Rates::headline_usd_cents`]).
    pub price_usd: Option<u64>,
}

/// Net sentiment of a profile's recent comments by the lexicon scorer (about
/// 9 µs a comment); NaN when it has none.
fn comment_sentiment(p: &Profile) -> f32 {
    let scores: Vec<scout_models::sentiment::Sentiment> = p
        .recent_posts
        .iter()
        .flatten()
        .flat_map(|post| post.top_comments.iter().flatten())
        .map(|c| scout_models::sentiment::score(c))
        .collect();
    if scores.is_empty() {
        return f32::NAN;
    }
    let shares = scout_models::sentiment::Shares::of(&scores);
    (shares.positive - shares.negative) as f32
}

fn pct(x: f64) -> u8 {
    (x * 100.0).round().clamp(0.0, 100.0) as u8
}

impl IndexDoc {
    pub fn new(id: ProfileId, p: &Profile) -> IndexDoc {
        let facts = ProfileFacts::of(p);
        let audience = p.audience.as_ref();
        let mut audience_countries: Vec<(Sym, u8)> = audience
            .and_then(|a| a.countries.as_ref())
            .map(|m| m.iter().map(|(k, v)| (Sym::new(k), pct(*v))).collect())
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
            platform: Sym::new(p.platform.as_str()),
            tier: facts.tier,
            country: p.country.as_deref().map(Sym::new),
            niches: facts.niches.iter().map(|s| Sym::new(s)).collect(),
            audience_countries: audience_countries.into_boxed_slice(),
            audience_female: gender.and_then(|g| g.get("female")).map(|x| pct(*x)),
            audience_male: gender.and_then(|g| g.get("male")).map(|x| pct(*x)),
            audience_age,
            verified: p.verified.unwrap_or(false),
            languages: p.languages.iter().flatten().map(|l| Sym::new(l)).collect(),
            quality_inputs: scout_models::quality::features(p).map(|x| x as f32),
            audience_sentiment: comment_sentiment(p),
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
        let price_usd = p.rates.as_ref().and_then(|r| r.headline_usd_cents());
        IndexDoc {
            id,
            city: facts.city.clone(),
            facts,
            features,
            name,
            categories,
            bio,
            posts,
            semantic_text,
            price_usd,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_with_missing_values_survive_json() {
        let line = r#"{"platform":"instagram","external_id":"1","handle":"a","followers":5000}"#;
        let p = scout_domain::Profile::parse(line).expect("valid").profile;
        let f = IndexDoc::new(1, &p).features;
        assert!(f.growth_90d.is_nan() && f.quality_inputs.iter().any(|x| x.is_nan()));
        let back: Features = serde_json::from_slice(&serde_json::to_vec(&f).expect("json")).expect("read back");
        assert!(back.growth_90d.is_nan());
        assert_eq!(back.quality_inputs.map(f32::to_bits), f.quality_inputs.map(f32::to_bits));
    }

    #[test]
    fn equal_values_share_one_copy_and_read_back_as_strings() {
        let a = Sym::new("DE");
        let b = Sym::new(&String::from("DE"));
        assert!(std::ptr::eq(a.as_str(), b.as_str()), "one copy per distinct value");
        assert_ne!(a, Sym::new("AT"));
        assert_eq!(a, "DE");
        let json = serde_json::to_string(&vec![a, Sym::new("AT")]).expect("serialise");
        assert_eq!(json, r#"["DE","AT"]"#);
        let back: Vec<Sym> = serde_json::from_str(&json).expect("deserialise");
        assert!(std::ptr::eq(back[0].as_str(), a.as_str()));
    }
}

//! The influencer profile in the interchange format of
//! `schema/influencer-profile.schema.json`, and its validation.
//!
//! A profile is only ever built by [`Profile::parse`] (or deserialised and then
//! [`Profile::validate`]d): every rule of the schema is checked, so code past
//! this point can trust shares, dates and lengths. The types are here; parsing
//! and the format's rules are in `validate`.

mod validate;

pub use validate::{KNOWN_FIELDS, Parsed};

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Social platform of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Instagram,
    Tiktok,
    Youtube,
    Twitch,
    X,
    Facebook,
    Pinterest,
    Snapchat,
    Linkedin,
    Threads,
}

impl Platform {
    pub const ALL: [Platform; 10] = [
        Platform::Instagram,
        Platform::Tiktok,
        Platform::Youtube,
        Platform::Twitch,
        Platform::X,
        Platform::Facebook,
        Platform::Pinterest,
        Platform::Snapchat,
        Platform::Linkedin,
        Platform::Threads,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Instagram => "instagram",
            Platform::Tiktok => "tiktok",
            Platform::Youtube => "youtube",
            Platform::Twitch => "twitch",
            Platform::X => "x",
            Platform::Facebook => "facebook",
            Platform::Pinterest => "pinterest",
            Platform::Snapchat => "snapchat",
            Platform::Linkedin => "linkedin",
            Platform::Threads => "threads",
        }
    }

    /// A platform by its name or one of [`PLATFORM_ALIASES`], in any case,
    /// surrounding ASCII white space aside.
    pub fn from_name(s: &str) -> Option<Platform> {
        let s = s.trim_matches([' ', '\t', '\r', '\n']).to_ascii_lowercase();
        Platform::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .or_else(|| PLATFORM_ALIASES.iter().find(|(alias, _)| *alias == s).map(|(_, p)| *p))
    }
}

/// Other names people use for platforms.
pub const PLATFORM_ALIASES: [(&str, Platform); 5] = [
    ("ig", Platform::Instagram),
    ("insta", Platform::Instagram),
    ("yt", Platform::Youtube),
    ("twitter", Platform::X),
    ("fb", Platform::Facebook),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Gender {
    Female,
    Male,
    Nonbinary,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PostKind {
    Photo,
    Video,
    Reel,
    Story,
    Short,
    Live,
    Text,
    Carousel,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FollowerPoint {
    pub date: String,
    pub followers: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Post {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    pub posted_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<PostKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub likes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comments: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub views: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shares: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sponsored: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand_mentions: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_comments: Option<Vec<String>>,
}

/// Audience demographics as shares of followers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Audience {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub countries: Option<BTreeMap<String, f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cities: Option<BTreeMap<String, f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<BTreeMap<String, f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<BTreeMap<String, f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub languages: Option<BTreeMap<String, f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interests: Option<BTreeMap<String, f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credibility: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample_size: Option<u64>,
}

/// Asking prices in minor units of one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Rates {
    pub currency: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub story: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reel: Option<u64>,
}

impl Rates {
    /// The rate a buyer compares first: per post, else per reel, video or
    /// story, whichever is stated first in that order (the price filter and
    /// the result cards both use it).
    pub fn headline(&self) -> Option<(&'static str, u64)> {
        [("post", self.post), ("reel", self.reel), ("video", self.video), ("story", self.story)]
            .into_iter()
            .find_map(|(deliverable, amount)| amount.map(|a| (deliverable, a)))
    }

    /// The currency as a [`Currency`](crate::money::Currency), when it is a
    /// well-formed code (validation reports one that is not).
    pub fn parsed_currency(&self) -> Option<crate::money::Currency> {
        crate::money::Currency::parse(&self.currency).ok()
    }

    /// The headline rate in US cents through the reference table
    /// ([`crate::money::convert_minor`]); `None` without a rate or for a
    /// currency outside the table.
    pub fn headline_usd_cents(&self) -> Option<u64> {
        let (_, amount) = self.headline()?;
        crate::money::convert_minor(amount, &self.currency, "USD")
    }
}

/// One influencer account on one platform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Profile {
    pub platform: Platform,
    pub external_id: String,
    pub handle: String,
    pub followers: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bio: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_account: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<GeoPoint>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub languages: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_year: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hashtags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand_mentions: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub following: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posts_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avg_likes: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avg_comments: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avg_views: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avg_shares: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engagement_rate: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posts_per_week: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_post_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follower_history: Option<Vec<FollowerPoint>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recent_posts: Option<Vec<Post>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<Audience>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rates: Option<Rates>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

impl Profile {
    /// Engagement rate as given, or derived from averages and followers.
    /// The flag is true when it was derived.
    pub fn effective_engagement_rate(&self) -> Option<(f64, bool)> {
        if let Some(er) = self.engagement_rate {
            return Some((er, false));
        }
        if self.followers == 0 {
            return None;
        }
        let interactions = self.avg_likes? + self.avg_comments.unwrap_or(0.0);
        Some((interactions / self.followers as f64, true))
    }
}

/// Audience age bands of the format, youngest first.
pub const AGE_BANDS: [&str; 6] = ["13-17", "18-24", "25-34", "35-44", "45-54", "55+"];

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"{"platform":"instagram","external_id":"1","handle":"anna","followers":10}"#;

    #[test]
    fn minimal_profile_parses() {
        let p = Profile::parse(MINIMAL).expect("valid").profile;
        assert_eq!(p.handle, "anna");
        assert_eq!(p.platform, Platform::Instagram);
    }

    #[test]
    fn a_deeply_nested_line_is_refused_for_its_nesting() {
        let deep = format!(r#"{{"x":{}1{},"platform":"instagram","handle":"a"}}"#, "[".repeat(5000), "]".repeat(5000));
        let err = Profile::parse(&deep).expect_err("too deep");
        let text = err.to_string();
        assert!(text.contains("nested deeper than") && !text.contains("missing field"), "{text}");
        // Brackets inside strings do not count.
        let line = format!(
            r#"{{"platform":"instagram","external_id":"1","handle":"a","followers":1,"bio":"{}"}}"#,
            "[{".repeat(100)
        );
        assert!(Profile::parse(&line).is_ok());
    }

    #[test]
    fn unknown_fields_are_warnings() {
        let line = r#"{"platform":"x","external_id":"1","handle":"a","followers":1,"foo":2}"#;
        let parsed = Profile::parse(line).expect("valid");
        assert_eq!(parsed.warnings.len(), 1);
        assert!(parsed.warnings[0].contains("foo"));
    }

    #[test]
    fn missing_required_field_is_named() {
        let err = Profile::parse(r#"{"platform":"x","external_id":"1","followers":1}"#).expect_err("handle missing");
        assert!(err.to_string().contains("handle"), "{err}");
    }

    #[test]
    fn negative_followers_rejected() {
        let line = r#"{"platform":"x","external_id":"1","handle":"a","followers":-5}"#;
        assert!(Profile::parse(line).is_err());
    }

    #[test]
    fn shares_over_one_rejected() {
        let line = r#"{"platform":"x","external_id":"1","handle":"a","followers":1,
            "audience":{"gender":{"female":0.7,"male":0.5}}}"#;
        let err = Profile::parse(line).expect_err("sum > 1");
        assert!(err.to_string().contains("audience.gender"), "{err}");
    }

    #[test]
    fn bad_codes_and_dates_rejected() {
        for bad in [
            r#""country":"de""#,
            r#""languages":["EN"]"#,
            r#""last_post_at":"yesterday""#,
            r#""follower_history":[{"date":"2024-13-01","followers":1}]"#,
            r#""rates":{"currency":"eur","post":1}"#,
            r#""audience":{"age":{"12-15":0.2}}"#,
            r#""contact_email":"nope""#,
            r#""profile_url":"not a url""#,
        ] {
            let line = format!(r#"{{"platform":"x","external_id":"1","handle":"a","followers":1,{bad}}}"#);
            assert!(Profile::parse(&line).is_err(), "accepted {bad}");
        }
    }

    #[test]
    fn round_trips_through_json() {
        let line = r#"{"platform":"tiktok","external_id":"9","handle":"b","followers":5,
          "engagement_rate":0.034,"audience":{"countries":{"DE":0.6}},
          "rates":{"currency":"EUR","post":12000},"last_post_at":"2026-01-02T03:04:05Z"}"#;
        let p = Profile::parse(line).expect("valid").profile;
        let again = Profile::parse(&serde_json::to_string(&p).expect("json")).expect("valid");
        assert_eq!(p, again.profile);
    }

    #[test]
    fn derived_engagement_rate() {
        let mut p = Profile::parse(MINIMAL).expect("valid").profile;
        p.followers = 1000;
        p.avg_likes = Some(40.0);
        p.avg_comments = Some(10.0);
        assert_eq!(p.effective_engagement_rate(), Some((0.05, true)));
    }
}

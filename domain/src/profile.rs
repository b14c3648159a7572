//! The influencer profile in the interchange format of
//! `schema/influencer-profile.schema.json`, and its validation.
//!
//! A profile is only ever built by [`Profile::parse`] (or deserialised and then
//! [`Profile::validate`]d): every rule of the schema is checked, so code past
//! this point can trust shares, dates and lengths.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, Violation};

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

    pub fn from_name(s: &str) -> Option<Platform> {
        let s = s.to_ascii_lowercase();
        let s = s.trim();
        Platform::ALL.into_iter().find(|p| p.as_str() == s).or(match s {
            "ig" | "insta" => Some(Platform::Instagram),
            "yt" => Some(Platform::Youtube),
            "twitter" => Some(Platform::X),
            "fb" => Some(Platform::Facebook),
            _ => None,
        })
    }
}

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

/// The fields the format knows; anything else is reported as a warning.
pub const KNOWN_FIELDS: &[&str] = &[
    "platform",
    "external_id",
    "handle",
    "display_name",
    "bio",
    "profile_url",
    "avatar_url",
    "verified",
    "business_account",
    "contact_email",
    "country",
    "region",
    "city",
    "location",
    "languages",
    "gender",
    "birth_year",
    "categories",
    "hashtags",
    "brand_mentions",
    "followers",
    "following",
    "posts_count",
    "avg_likes",
    "avg_comments",
    "avg_views",
    "avg_shares",
    "engagement_rate",
    "posts_per_week",
    "last_post_at",
    "follower_history",
    "recent_posts",
    "audience",
    "rates",
    "source",
    "updated_at",
];

/// A profile that passed validation, with the warnings its source produced.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub profile: Profile,
    /// Unknown fields, which the format says are dropped with a warning.
    pub warnings: Vec<String>,
}

impl Profile {
    /// Parses one JSON Lines record and checks every rule of the format.
    pub fn parse(line: &str) -> Result<Parsed> {
        // Keys first (values skipped, nothing allocated), then the typed record:
        // cheaper than building a JSON tree, and unknown fields still warn.
        let keys: std::collections::HashMap<std::borrow::Cow<'_, str>, serde::de::IgnoredAny> =
            serde_json::from_str(line).map_err(|e| Error::InvalidJson { message: e.to_string() })?;
        let warnings: Vec<String> = keys
            .keys()
            .filter(|k| !KNOWN_FIELDS.contains(&k.as_ref()))
            .map(|k| format!("unknown field `{k}` ignored"))
            .collect();
        let profile: Profile =
            serde_json::from_str(line).map_err(|e| Error::Invalid { violations: vec![type_violation(&e)] })?;
        profile.validate()?;
        Ok(Parsed { profile, warnings })
    }

    /// Like [`Profile::parse`] for an already decoded JSON value.
    pub fn parse_value(value: serde_json::Value) -> Result<Parsed> {
        let serde_json::Value::Object(mut map) = value else {
            return Err(Error::InvalidJson { message: "a profile must be a JSON object".into() });
        };
        let mut warnings = Vec::new();
        map.retain(|key, _| {
            let known = KNOWN_FIELDS.contains(&key.as_str());
            if !known {
                warnings.push(format!("unknown field `{key}` ignored"));
            }
            known
        });
        let profile: Profile = serde_json::from_value(serde_json::Value::Object(map))
            .map_err(|e| Error::Invalid { violations: vec![type_violation(&e)] })?;
        profile.validate()?;
        Ok(Parsed { profile, warnings })
    }

    /// Checks the rules serde's types cannot express: lengths, patterns, ranges, formats.
    pub fn validate(&self) -> Result<()> {
        let mut v = Checker::default();
        v.len("external_id", &self.external_id, 1, 128);
        v.len("handle", &self.handle, 1, 64);
        if self.handle.starts_with('@') {
            v.fail("handle", "must not start with @");
        }
        v.opt_len("display_name", &self.display_name, 200);
        v.opt_len("bio", &self.bio, 5000);
        v.opt_len("region", &self.region, 100);
        v.opt_len("city", &self.city, 100);
        v.opt_len("source", &self.source, 100);
        if let Some(url) = &self.profile_url {
            v.uri("profile_url", url);
        }
        if let Some(url) = &self.avatar_url {
            v.uri("avatar_url", url);
        }
        if let Some(email) = &self.contact_email
            && !is_email(email)
        {
            v.fail("contact_email", "is not an email address");
        }
        if let Some(c) = &self.country {
            v.upper_code("country", c, 2);
        }
        if let Some(loc) = &self.location {
            if !(-90.0..=90.0).contains(&loc.lat) {
                v.fail("location.lat", "must be between -90 and 90");
            }
            if !(-180.0..=180.0).contains(&loc.lon) {
                v.fail("location.lon", "must be between -180 and 180");
            }
        }
        if let Some(langs) = &self.languages {
            for (i, l) in langs.iter().enumerate() {
                v.lower_code(&format!("languages[{i}]"), l);
            }
        }
        if let Some(y) = self.birth_year
            && !(1900..=2030).contains(&y)
        {
            v.fail("birth_year", "must be between 1900 and 2030");
        }
        v.list("categories", &self.categories, 20, 60);
        v.list("hashtags", &self.hashtags, 200, 100);
        v.list("brand_mentions", &self.brand_mentions, 200, 100);
        for (name, x) in [
            ("avg_likes", self.avg_likes),
            ("avg_comments", self.avg_comments),
            ("avg_views", self.avg_views),
            ("avg_shares", self.avg_shares),
            ("engagement_rate", self.engagement_rate),
            ("posts_per_week", self.posts_per_week),
        ] {
            if let Some(x) = x
                && (!x.is_finite() || x < 0.0)
            {
                v.fail(name, "must be a finite number >= 0");
            }
        }
        if let Some(t) = &self.last_post_at {
            v.date_time("last_post_at", t);
        }
        if let Some(t) = &self.updated_at {
            v.date_time("updated_at", t);
        }
        if let Some(history) = &self.follower_history {
            if history.len() > 1000 {
                v.fail("follower_history", "must have at most 1000 items");
            }
            for (i, p) in history.iter().enumerate() {
                if chrono::NaiveDate::parse_from_str(&p.date, "%Y-%m-%d").is_err() {
                    v.fail(&format!("follower_history[{i}].date"), "is not a date (YYYY-MM-DD)");
                }
            }
        }
        if let Some(posts) = &self.recent_posts {
            if posts.len() > 200 {
                v.fail("recent_posts", "must have at most 200 items");
            }
            for (i, p) in posts.iter().enumerate() {
                let at = format!("recent_posts[{i}]");
                v.date_time(&format!("{at}.posted_at"), &p.posted_at);
                if let Some(id) = &p.external_id {
                    v.len(&format!("{at}.external_id"), id, 0, 128);
                }
                v.opt_len(&format!("{at}.caption"), &p.caption, 5000);
                v.list(&format!("{at}.brand_mentions"), &p.brand_mentions, usize::MAX, 100);
                v.list(&format!("{at}.top_comments"), &p.top_comments, 50, 1000);
            }
        }
        if let Some(a) = &self.audience {
            v.shares("audience.countries", &a.countries, |k| is_upper_code(k, 2));
            v.shares("audience.cities", &a.cities, |_| true);
            v.shares("audience.age", &a.age, |k| AGE_BANDS.contains(&k));
            v.shares("audience.gender", &a.gender, |k| ["female", "male", "other"].contains(&k));
            v.shares("audience.languages", &a.languages, is_lower_code);
            v.shares_each("audience.interests", &a.interests);
            if let Some(c) = a.credibility
                && !(0.0..=1.0).contains(&c)
            {
                v.fail("audience.credibility", "must be between 0 and 1");
            }
        }
        if let Some(r) = &self.rates {
            v.upper_code("rates.currency", &r.currency, 3);
        }
        v.finish()
    }

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

fn type_violation(e: &serde_json::Error) -> Violation {
    // serde reports "missing field `x`" or "invalid type: ..., expected ..." with the
    // innermost location; the message names the field, which is what a reader needs.
    let msg = e.to_string();
    let field = msg
        .split('`')
        .nth(1)
        .filter(|_| msg.starts_with("missing field") || msg.starts_with("unknown variant"))
        .unwrap_or("$")
        .to_string();
    let reason = match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg,
    };
    Violation { field, reason }
}

#[derive(Default)]
struct Checker {
    violations: Vec<Violation>,
}

impl Checker {
    fn fail(&mut self, field: &str, reason: &str) {
        self.violations.push(Violation { field: field.into(), reason: reason.into() });
    }

    fn len(&mut self, field: &str, s: &str, min: usize, max: usize) {
        let n = s.chars().count();
        if n < min {
            self.fail(field, &format!("must have at least {min} characters"));
        } else if n > max {
            self.fail(field, &format!("must have at most {max} characters, has {n}"));
        }
    }

    fn opt_len(&mut self, field: &str, s: &Option<String>, max: usize) {
        if let Some(s) = s {
            self.len(field, s, 0, max);
        }
    }

    fn list(&mut self, field: &str, items: &Option<Vec<String>>, max_items: usize, max_len: usize) {
        let Some(items) = items else { return };
        if items.len() > max_items {
            self.fail(field, &format!("must have at most {max_items} items"));
        }
        for (i, s) in items.iter().enumerate() {
            self.len(&format!("{field}[{i}]"), s, 0, max_len);
        }
    }

    fn uri(&mut self, field: &str, s: &str) {
        let ok = s.split_once("://").is_some_and(|(scheme, rest)| {
            !scheme.is_empty()
                && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && !rest.is_empty()
                && !rest.contains(char::is_whitespace)
        });
        if !ok {
            self.fail(field, "is not an absolute URI");
        }
    }

    fn upper_code(&mut self, field: &str, s: &str, n: usize) {
        if !is_upper_code(s, n) {
            self.fail(field, &format!("must be {n} upper-case letters"));
        }
    }

    fn lower_code(&mut self, field: &str, s: &str) {
        if !is_lower_code(s) {
            self.fail(field, "must be a 2-letter lower-case ISO 639-1 code");
        }
    }

    fn date_time(&mut self, field: &str, s: &str) {
        if chrono::DateTime::parse_from_rfc3339(s).is_err() {
            self.fail(field, "is not an RFC 3339 date-time");
        }
    }

    fn shares(&mut self, field: &str, map: &Option<BTreeMap<String, f64>>, key_ok: impl Fn(&str) -> bool) {
        let Some(map) = map else { return };
        for k in map.keys() {
            if !key_ok(k) {
                self.fail(&format!("{field}.{k}"), "is not an allowed key");
            }
        }
        self.shares_each(field, &Some(map.clone()));
        let sum: f64 = map.values().sum();
        if sum > 1.001 {
            self.fail(field, &format!("shares sum to {sum:.3}, more than 1"));
        }
    }

    fn shares_each(&mut self, field: &str, map: &Option<BTreeMap<String, f64>>) {
        let Some(map) = map else { return };
        for (k, x) in map {
            if !(0.0..=1.0).contains(x) {
                self.fail(&format!("{field}.{k}"), "share must be between 0 and 1");
            }
        }
    }

    fn finish(self) -> Result<()> {
        if self.violations.is_empty() { Ok(()) } else { Err(Error::Invalid { violations: self.violations }) }
    }
}

fn is_upper_code(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_uppercase())
}

fn is_lower_code(s: &str) -> bool {
    s.len() == 2 && s.bytes().all(|b| b.is_ascii_lowercase())
}

fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else { return false };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.contains(char::is_whitespace)
}

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

//! Parsing a profile record and checking every rule of the interchange format
//! (`schema/influencer-profile.schema.json`): types, ranges, shares that sum,
//! codes, dates, lengths; unknown fields are dropped with a warning.

use std::collections::BTreeMap;

use super::{AGE_BANDS, Profile};
use crate::error::{Error, Result, Violation};

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
        if nesting(line) > MAX_NESTING {
            return Err(Error::Invalid {
                violations: vec![Violation {
                    field: "$".into(),
                    reason: format!("nested deeper than {MAX_NESTING} levels; a profile needs at most 4"),
                }],
            });
        }
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
}

/// Deepest nesting of arrays and objects a profile line may have (the
/// format's deepest is `audience.age.<band>`, three levels below the record).
pub const MAX_NESTING: usize = 32;

/// How deeply a JSON text nests arrays and objects (brackets inside strings
/// are not counted), found in one pass without parsing, so that a line
/// nested thousands deep is refused for what it is rather than for a field
/// its parse never reached.
fn nesting(json: &str) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for b in json.bytes() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

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

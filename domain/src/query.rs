//! The search request model: filters as users and integrators send them, the
//! one [`Filter`] tree both indexes compile, sorts, and request validation.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::money::Currency;
use crate::profile::{AGE_BANDS, Platform};
use crate::tier::Tier;

/// Largest page size a search may ask for.
pub const MAX_LIMIT: usize = 100;
/// Deepest result a search may page to.
pub const MAX_OFFSET: usize = 10_000;
/// Longest free-text query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 500;
/// Most values one filter list may hold (countries, cities, niches, …): more
/// than a person could mean, few enough that a search stays cheap.
pub const MAX_FILTER_VALUES: usize = 50;
/// Largest follower bound accepted (ten billion: more people than exist).
pub const MAX_FOLLOWERS: u64 = 10_000_000_000;
/// Most audience share constraints in one search.
pub const MAX_AUDIENCE_CONSTRAINTS: usize = 20;
/// Longest single filter value, in characters (a city's name).
pub const MAX_FILTER_VALUE_CHARS: usize = 100;
/// Audience share filters are matched in steps of this many percent.
pub const SHARE_STEP_PERCENT: u32 = 5;

/// Structured filters of a search. Unknown fields are an error, so that a typo
/// never silently widens a search.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchFilters {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 50)]
    pub platforms: Vec<Platform>,
    /// ISO 3166-1 alpha-2 countries of the creator.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 50)]
    pub countries: Vec<String>,
    /// City names as the taxonomy spells them ("Munich").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 50)]
    pub cities: Vec<String>,
    /// First-level regions of the creator (states, provinces, Länder) as
    /// gazetteer ids `<country>:<name>` ("US:Texas", "DE:Bavaria"); see
    /// [`crate::places::gazetteer`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 50)]
    pub regions: Vec<String>,
    /// ISO 639-1 languages the creator posts in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 50)]
    pub languages: Vec<String>,
    /// Niche ids of the taxonomy ("vegan", "fitness").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 50)]
    pub niches: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 50)]
    pub tiers: Vec<Tier>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(maximum = 10_000_000_000_i64)]
    pub followers_min: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(maximum = 10_000_000_000_i64)]
    pub followers_max: Option<u64>,
    /// Minimum engagement rate as a fraction (0.03 = 3%).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engagement_min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
    /// Audience share constraints.
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "crate::objects::objects")]
    #[schema(max_items = 20)]
    pub audience: Vec<AudienceConstraint>,
    /// Bounds on the creator's headline rate ([`crate::profile::Rates::headline`]).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::objects::optional_object")]
    pub price: Option<PriceRange>,
    /// Lowest audience quality accepted: the estimated share of real, active
    /// followers, as a fraction (0.8 = 80%), scored by the audience-quality model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience_quality_min: Option<f64>,
}

/// "The headline rate is between `min` and `max`", in minor units of
/// `currency`; neither bound means "states a rate at all". Rates stated in another currency are compared through the
/// reference table of [`crate::money::units_per_usd`]; profiles without a
/// rate never match a price range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceRange {
    /// ISO 4217 code of the bounds ("EUR").
    pub currency: Currency,
    /// Lowest rate, in minor units (cents).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(maximum = 100_000_000_000_i64)]
    pub min: Option<u64>,
    /// Highest rate, in minor units (cents).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(maximum = 100_000_000_000_i64)]
    pub max: Option<u64>,
}

/// Largest price bound accepted, in minor units (a billion of the major unit).
pub const MAX_PRICE_MINOR: u64 = 100_000_000_000;

/// "At least `min_share` of the audience is …".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AudienceConstraint {
    /// `country`, `gender` or `age`.
    pub dimension: AudienceDimension,
    /// ISO country code, `female`/`male`/`other`, or an age band like `18-24`.
    pub value: String,
    /// Fraction in (0, 1].
    #[schema(exclusive_minimum = 0, maximum = 1)]
    pub min_share: f64,
}

/// The values of an audience's `gender` dimension.
pub const AUDIENCE_GENDERS: [&str; 3] = ["female", "male", "other"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AudienceDimension {
    Country,
    Gender,
    Age,
}

impl AudienceDimension {
    pub fn as_str(self) -> &'static str {
        match self {
            AudienceDimension::Country => "country",
            AudienceDimension::Gender => "gender",
            AudienceDimension::Age => "age",
        }
    }
}

/// Keyword fields both indexes store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeywordField {
    Platform,
    Country,
    City,
    /// Gazetteer region ids ("US:Texas").
    Region,
    Language,
    Niche,
    Tier,
    /// Terms like `country:DE:25` meaning "≥ 25% of the audience in DE".
    Audience,
}

impl KeywordField {
    pub const fn name(self) -> &'static str {
        match self {
            KeywordField::Platform => "platform",
            KeywordField::Country => "country",
            KeywordField::City => "city",
            KeywordField::Region => "region",
            KeywordField::Language => "language",
            KeywordField::Niche => "niche",
            KeywordField::Tier => "tier",
            KeywordField::Audience => "audience",
        }
    }
}

/// Numeric fields both indexes store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumericField {
    Followers,
    EngagementRate,
    /// The headline rate in US cents.
    PriceUsd,
    /// The audience-quality model's score (0–1). Unlike the other fields it is
    /// not stored in the indexes: a new model version rescores every profile
    /// in memory, so the indexer applies this clause from its live scores
    /// (see `scout_indexer::ProfileIndex`).
    AudienceQuality,
}

impl NumericField {
    pub const fn name(self) -> &'static str {
        match self {
            NumericField::Followers => "followers",
            NumericField::EngagementRate => "engagement_rate",
            NumericField::PriceUsd => "price_usd",
            NumericField::AudienceQuality => "audience_quality",
        }
    }
}

/// One condition of a filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Clause {
    /// The field has any of these values.
    AnyOf {
        field: KeywordField,
        values: Vec<String>,
    },
    /// `min <= field <= max`.
    Range {
        field: NumericField,
        min: Option<f64>,
        max: Option<f64>,
    },
    Verified(bool),
}

/// A conjunction of clauses: what both the text index and the vector index
/// must apply, identically, to retrieval.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub must: Vec<Clause>,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        self.must.is_empty()
    }
}

/// The term that stands for "≥ `percent`% of the audience is `value`".
pub fn audience_term(dimension: AudienceDimension, value: &str, percent: u32) -> String {
    format!("{}:{}:{}", dimension.as_str(), value, percent)
}

impl SearchFilters {
    /// Checks values and bounds; the caller's mistakes come back as errors.
    pub fn validate(&self) -> Result<()> {
        self.check_sizes()?;
        for c in &self.countries {
            if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(Error::bad_parameter(
                    "filters.countries",
                    format!("`{c}` is not an ISO 3166-1 alpha-2 code"),
                ));
            }
        }
        // A region id the gazetteer does not hold matches no creator (as a
        // city nobody lives in): narrowing a search never widens it, and
        // ids are a list no schema can spell out.
        for l in &self.languages {
            if l.len() != 2 || !l.bytes().all(|b| b.is_ascii_lowercase()) {
                return Err(Error::bad_parameter("filters.languages", format!("`{l}` is not an ISO 639-1 code")));
            }
        }
        for n in &self.niches {
            if crate::taxonomy::niche(n).is_none() {
                return Err(Error::bad_parameter("filters.niches", format!("unknown niche `{n}`")));
            }
        }
        for (name, v) in [("filters.followers_min", self.followers_min), ("filters.followers_max", self.followers_max)]
        {
            if v.is_some_and(|v| v > MAX_FOLLOWERS) {
                return Err(Error::bad_parameter(name, format!("must be at most {MAX_FOLLOWERS}")));
            }
        }
        // An inverted range (min above max) is valid and empty, as in a
        // search engine's range query: it matches nobody.
        if let Some(e) = self.engagement_min
            && (!e.is_finite() || !(0.0..=1.0).contains(&e))
        {
            return Err(Error::bad_parameter("filters.engagement_min", "must be a fraction between 0 and 1"));
        }
        for a in &self.audience {
            if !a.min_share.is_finite() || a.min_share <= 0.0 || a.min_share > 1.0 {
                return Err(Error::bad_parameter("filters.audience.min_share", "must be in (0, 1]"));
            }
            let ok = match a.dimension {
                AudienceDimension::Country => a.value.len() == 2 && a.value.bytes().all(|b| b.is_ascii_uppercase()),
                AudienceDimension::Gender => AUDIENCE_GENDERS.contains(&a.value.as_str()),
                AudienceDimension::Age => AGE_BANDS.contains(&a.value.as_str()),
            };
            if !ok {
                return Err(Error::bad_parameter(
                    "filters.audience.value",
                    format!("`{}` is not a valid {}", a.value, a.dimension.as_str()),
                ));
            }
        }
        if let Some(p) = &self.price {
            if p.currency.units_per_usd_micros().is_none() {
                return Err(Error::bad_parameter(
                    "filters.price.currency",
                    format!("`{}` is not a currency Scout can compare prices in", p.currency),
                ));
            }
            if p.min.max(p.max).is_some_and(|x| x > MAX_PRICE_MINOR) {
                return Err(Error::bad_parameter(
                    "filters.price",
                    format!("bounds above {MAX_PRICE_MINOR} minor units are not accepted"),
                ));
            }
        }
        if let Some(q) = self.audience_quality_min
            && (!q.is_finite() || !(0.0..=1.0).contains(&q))
        {
            return Err(Error::bad_parameter("filters.audience_quality_min", "must be a fraction between 0 and 1"));
        }
        Ok(())
    }

    /// Refuses lists and values longer than a person could mean before any
    /// of them is looked at, so the work a search can ask for stays bounded.
    fn check_sizes(&self) -> Result<()> {
        let lists: [(&str, usize); 7] = [
            ("filters.platforms", self.platforms.len()),
            ("filters.countries", self.countries.len()),
            ("filters.cities", self.cities.len()),
            ("filters.regions", self.regions.len()),
            ("filters.languages", self.languages.len()),
            ("filters.niches", self.niches.len()),
            ("filters.tiers", self.tiers.len()),
        ];
        for (name, len) in lists {
            if len > MAX_FILTER_VALUES {
                return Err(Error::bad_parameter(name, format!("holds {len} values; at most {MAX_FILTER_VALUES}")));
            }
        }
        if self.audience.len() > MAX_AUDIENCE_CONSTRAINTS {
            return Err(Error::bad_parameter(
                "filters.audience",
                format!("holds {} constraints; at most {MAX_AUDIENCE_CONSTRAINTS}", self.audience.len()),
            ));
        }
        let values = (self.countries.iter().map(|v| ("filters.countries", v)))
            .chain(self.cities.iter().map(|v| ("filters.cities", v)))
            .chain(self.regions.iter().map(|v| ("filters.regions", v)))
            .chain(self.languages.iter().map(|v| ("filters.languages", v)))
            .chain(self.niches.iter().map(|v| ("filters.niches", v)))
            .chain(self.audience.iter().map(|a| ("filters.audience.value", &a.value)));
        for (name, v) in values {
            if v.chars().count() > MAX_FILTER_VALUE_CHARS {
                return Err(Error::bad_parameter(
                    name,
                    format!("a value is longer than {MAX_FILTER_VALUE_CHARS} characters"),
                ));
            }
        }
        Ok(())
    }

    /// Merges `other` into `self` (used to add what query understanding found).
    pub fn merge(&mut self, other: &SearchFilters) {
        fn union<T: PartialEq + Clone>(a: &mut Vec<T>, b: &[T]) {
            for x in b {
                if !a.contains(x) {
                    a.push(x.clone());
                }
            }
        }
        union(&mut self.platforms, &other.platforms);
        union(&mut self.countries, &other.countries);
        union(&mut self.cities, &other.cities);
        union(&mut self.regions, &other.regions);
        union(&mut self.languages, &other.languages);
        union(&mut self.niches, &other.niches);
        union(&mut self.tiers, &other.tiers);
        union(&mut self.audience, &other.audience);
        self.followers_min = self.followers_min.max(other.followers_min);
        self.followers_max = match (self.followers_max, other.followers_max) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.engagement_min = match (self.engagement_min, other.engagement_min) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        self.verified = self.verified.or(other.verified);
        // Both price ranges hold: the stricter bound of each side, compared in
        // this range's currency.
        self.price = match (self.price.take(), &other.price) {
            (Some(mut mine), Some(theirs)) => {
                let convert = |x: u64| crate::money::convert_minor(x, theirs.currency.as_str(), mine.currency.as_str());
                let (min, max) = (theirs.min.and_then(convert), theirs.max.and_then(convert));
                mine.min = mine.min.max(min);
                mine.max = match (mine.max, max) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                Some(mine)
            }
            (mine, theirs) => mine.or_else(|| theirs.clone()),
        };
        self.audience_quality_min = match (self.audience_quality_min, other.audience_quality_min) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }

    /// Compiles to the filter tree both indexes apply.
    pub fn to_filter(&self) -> Filter {
        let mut must = Vec::new();
        let mut any = |field, values: Vec<String>| {
            if !values.is_empty() {
                must.push(Clause::AnyOf { field, values });
            }
        };
        any(KeywordField::Platform, self.platforms.iter().map(|p| p.as_str().to_string()).collect());
        any(KeywordField::Country, self.countries.clone());
        any(KeywordField::City, self.cities.iter().map(|c| crate::text::fold(c)).collect());
        any(KeywordField::Region, self.regions.clone());
        any(KeywordField::Language, self.languages.clone());
        any(KeywordField::Niche, self.niches.clone());
        any(KeywordField::Tier, self.tiers.iter().map(|t| t.as_str().to_string()).collect());
        for a in &self.audience {
            // Round the share up to the indexed step: never return a profile below the asked share.
            let pct = ((a.min_share * 100.0 - 1e-9) / SHARE_STEP_PERCENT as f64).ceil() as u32 * SHARE_STEP_PERCENT;
            let pct = pct.clamp(SHARE_STEP_PERCENT, 100);
            any(KeywordField::Audience, vec![audience_term(a.dimension, &a.value, pct)]);
        }
        if self.followers_min.is_some() || self.followers_max.is_some() {
            must.push(Clause::Range {
                field: NumericField::Followers,
                min: self.followers_min.map(|x| x as f64),
                max: self.followers_max.map(|x| x as f64),
            });
        }
        if let Some(e) = self.engagement_min {
            must.push(Clause::Range { field: NumericField::EngagementRate, min: Some(e), max: None });
        }
        if let Some(v) = self.verified {
            must.push(Clause::Verified(v));
        }
        if let Some(p) = &self.price {
            // Both bounds go through the same conversion as the indexed rates,
            // so a bound in the rate's own currency compares exactly.
            let usd = |x: u64| crate::money::convert_minor(x, p.currency.as_str(), "USD").map(|c| c as f64);
            // No lower bound is a lower bound of 0: a range with no bound
            // at all asks for a stated rate, and the indexes need one bound.
            must.push(Clause::Range {
                field: NumericField::PriceUsd,
                min: p.min.and_then(usd).or(Some(0.0)),
                max: p.max.and_then(usd),
            });
        }
        if let Some(q) = self.audience_quality_min {
            must.push(Clause::Range { field: NumericField::AudienceQuality, min: Some(q), max: None });
        }
        Filter { must }
    }
}

/// Result order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    #[default]
    Relevance,
    FollowersDesc,
    FollowersAsc,
    EngagementDesc,
    GrowthDesc,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_filter_fields_are_rejected() {
        let r: std::result::Result<SearchFilters, _> = serde_json::from_str(r#"{"contry":["DE"]}"#);
        assert!(r.is_err());
    }

    #[test]
    fn oversized_lists_and_values_are_refused_naming_the_limit() {
        let many = |n: usize| SearchFilters { countries: vec!["DE".into(); n], ..Default::default() };
        assert!(many(MAX_FILTER_VALUES).validate().is_ok());
        let err = many(MAX_FILTER_VALUES + 1).validate().expect_err("too many").to_string();
        assert!(err.contains("filters.countries") && err.contains("at most 50"), "{err}");
        let constraint =
            AudienceConstraint { dimension: AudienceDimension::Gender, value: "female".into(), min_share: 0.5 };
        let audience = SearchFilters { audience: vec![constraint; 16_000], ..Default::default() };
        let err = audience.validate().expect_err("too many").to_string();
        assert!(err.contains("filters.audience") && err.contains("at most 20"), "{err}");
        let long = SearchFilters { cities: vec!["x".repeat(MAX_FILTER_VALUE_CHARS + 1)], ..Default::default() };
        assert!(long.validate().expect_err("too long").to_string().contains("filters.cities"));
    }

    #[test]
    fn share_rounds_up_to_step() {
        let f = SearchFilters {
            audience: vec![AudienceConstraint {
                dimension: AudienceDimension::Country,
                value: "DE".into(),
                min_share: 0.22,
            }],
            ..Default::default()
        };
        let filter = f.to_filter();
        assert_eq!(
            filter.must,
            vec![Clause::AnyOf { field: KeywordField::Audience, values: vec!["country:DE:25".into()] }]
        );
        let exact = SearchFilters {
            audience: vec![AudienceConstraint {
                dimension: AudienceDimension::Gender,
                value: "female".into(),
                min_share: 0.3,
            }],
            ..Default::default()
        };
        assert_eq!(
            exact.to_filter().must[0],
            Clause::AnyOf { field: KeywordField::Audience, values: vec!["gender:female:30".into()] }
        );
    }

    #[test]
    fn validation_catches_bad_values() {
        let bad = [
            SearchFilters { countries: vec!["Germany".into()], ..Default::default() },
            SearchFilters { niches: vec!["underwater-basket".into()], ..Default::default() },
            SearchFilters { followers_max: Some(MAX_FOLLOWERS + 1), ..Default::default() },
            SearchFilters { engagement_min: Some(-1.0), ..Default::default() },
            SearchFilters { audience_quality_min: Some(1.5), ..Default::default() },
            SearchFilters { audience_quality_min: Some(f64::NAN), ..Default::default() },
            SearchFilters { price: Some(price("XYZ", Some(1), None)), ..Default::default() },
            SearchFilters { price: Some(price("EUR", None, Some(u64::MAX))), ..Default::default() },
        ];
        for f in bad {
            assert!(f.validate().is_err(), "{f:?}");
        }
        assert!(SearchFilters::default().validate().is_ok());
        // Inverted ranges are empty, not errors; a price range without bounds asks for a stated rate.
        let valid = [
            SearchFilters { followers_min: Some(10), followers_max: Some(5), ..Default::default() },
            SearchFilters { price: Some(price("EUR", None, None)), ..Default::default() },
            SearchFilters { price: Some(price("EUR", Some(500), Some(100))), ..Default::default() },
        ];
        for f in valid {
            assert!(f.validate().is_ok(), "{f:?}");
        }
    }

    fn price(currency: &str, min: Option<u64>, max: Option<u64>) -> PriceRange {
        PriceRange { currency: Currency::parse(currency).expect("currency"), min, max }
    }

    #[test]
    fn price_bounds_compile_to_us_cents_like_the_indexed_rates() {
        let f = SearchFilters {
            price: Some(price("EUR", Some(10_000), Some(50_000))),
            audience_quality_min: Some(0.8),
            ..Default::default()
        };
        assert!(f.validate().is_ok());
        let lo = crate::money::convert_minor(10_000, "EUR", "USD").map(|c| c as f64);
        let hi = crate::money::convert_minor(50_000, "EUR", "USD").map(|c| c as f64);
        assert_eq!(
            f.to_filter().must,
            vec![
                Clause::Range { field: NumericField::PriceUsd, min: lo, max: hi },
                Clause::Range { field: NumericField::AudienceQuality, min: Some(0.8), max: None },
            ]
        );
        // A rate of exactly the bound, in the bound's currency, is inside it.
        let rates =
            crate::profile::Rates { currency: "EUR".into(), post: Some(50_000), story: None, video: None, reel: None };
        assert_eq!(rates.headline(), Some(("post", 50_000)));
        assert_eq!(rates.headline_usd_cents().map(|c| c as f64), hi);
        let reel_only =
            crate::profile::Rates { currency: "JPY".into(), post: None, story: Some(1), video: None, reel: Some(9) };
        assert_eq!(reel_only.headline(), Some(("reel", 9)));
    }

    #[test]
    fn merged_price_ranges_keep_the_stricter_bounds() {
        let mut panel = SearchFilters { price: Some(price("EUR", Some(5_000), Some(200_000))), ..Default::default() };
        panel.merge(&SearchFilters { price: Some(price("EUR", None, Some(80_000))), ..Default::default() });
        assert_eq!(panel.price, Some(price("EUR", Some(5_000), Some(80_000))));
        let usd = crate::money::convert_minor(50_000, "USD", "EUR");
        panel.merge(&SearchFilters { price: Some(price("USD", None, Some(50_000))), ..Default::default() });
        assert_eq!(panel.price, Some(price("EUR", Some(5_000), usd)), "a bound in another currency is converted");
    }

    #[test]
    fn merge_keeps_the_stricter_bound() {
        let mut a = SearchFilters { followers_min: Some(10_000), ..Default::default() };
        a.merge(&SearchFilters { followers_min: Some(50_000), countries: vec!["DE".into()], ..Default::default() });
        assert_eq!(a.followers_min, Some(50_000));
        assert_eq!(a.countries, vec!["DE".to_string()]);
    }
}

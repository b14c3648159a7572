//! Campaign briefs: what a brand buys (a deliverable), from whom (niches,
//! platforms), for which audience (targeting), what it counts as success (a
//! goal) and what it can pay (a budget per creator). Matching and the
//! campaign-success model read briefs; validation lives here.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::money::Money;
use crate::profile::{AGE_BANDS, Platform, Profile};

/// Longest free-text description of a brief, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 500;

/// What a brand buys from one creator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Deliverable {
    Post,
    Story,
    Video,
    Reel,
}

impl Deliverable {
    pub const ALL: [Deliverable; 4] = [Deliverable::Post, Deliverable::Story, Deliverable::Video, Deliverable::Reel];

    pub fn as_str(self) -> &'static str {
        match self {
            Deliverable::Post => "post",
            Deliverable::Story => "story",
            Deliverable::Video => "video",
            Deliverable::Reel => "reel",
        }
    }

    /// The creator's asking price for it, in minor units of `rates.currency`.
    pub fn asking(self, p: &Profile) -> Option<u64> {
        let r = p.rates.as_ref()?;
        match self {
            Deliverable::Post => r.post,
            Deliverable::Story => r.story,
            Deliverable::Video => r.video,
            Deliverable::Reel => r.reel,
        }
    }

    /// The asking price as [`Money`] in the creator's currency.
    pub fn asking_money(self, p: &Profile) -> Option<Money> {
        let amount = self.asking(p)?;
        let currency = p.rates.as_ref()?.parsed_currency()?;
        Some(Money { amount_minor: i64::try_from(amount).ok()?, currency })
    }
}

/// What the brand counts as success for one creator's deliverable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum CampaignGoal {
    /// At least this many engagements (likes, comments, shares) on the deliverable.
    Engagements {
        #[schema(minimum = 1, maximum = 1_000_000_000_000_i64)]
        min: u64,
    },
    /// At most this much paid per engagement.
    CostPerEngagement { max: Money },
}

/// The audience a brief wants to reach. Empty lists mean "anyone".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Targeting {
    /// ISO 3166-1 alpha-2 countries the audience should live in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<String>,
    /// Age bands of the audience (`18-24`, `25-34`, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub age_bands: Vec<String>,
    /// `female` or `male`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    /// ISO 639-1 languages the audience should speak.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<String>,
}

/// A campaign brief, as brands and integrators send it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignBrief {
    /// Free text about the product and the creators wanted
    /// ("launch of a plant-based protein bar for people who lift").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Niche ids of the taxonomy the creators should work in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub niches: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<Platform>,
    pub deliverable: Deliverable,
    #[serde(default, deserialize_with = "crate::objects::object")]
    pub target: Targeting,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::objects::optional_object")]
    pub goal: Option<CampaignGoal>,
    /// The most the brand pays one creator for the deliverable.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::objects::optional_object")]
    pub budget_per_creator: Option<Money>,
}

fn country_code(c: &str) -> bool {
    c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase())
}

fn money(field: &str, m: &Money) -> Result<()> {
    if m.currency.units_per_usd_micros().is_none() {
        return Err(Error::bad_parameter(field, format!("unsupported currency `{}`", m.currency)));
    }
    if m.amount_minor <= 0 {
        return Err(Error::bad_parameter(field, "must be a positive amount in minor units"));
    }
    Ok(())
}

impl CampaignBrief {
    /// Checks values; the caller's mistakes come back as errors naming the field.
    pub fn validate(&self) -> Result<()> {
        let max = crate::query::MAX_FILTER_VALUES;
        for (name, len) in [
            ("brief.niches", self.niches.len()),
            ("brief.platforms", self.platforms.len()),
            ("brief.target.countries", self.target.countries.len()),
            ("brief.target.age_bands", self.target.age_bands.len()),
            ("brief.target.languages", self.target.languages.len()),
        ] {
            if len > max {
                return Err(Error::bad_parameter(name, format!("holds {len} values; at most {max}")));
            }
        }
        if self.description.as_deref().unwrap_or("").chars().count() > MAX_DESCRIPTION_CHARS {
            return Err(Error::bad_parameter(
                "brief.description",
                format!("must be at most {MAX_DESCRIPTION_CHARS} characters"),
            ));
        }
        for n in &self.niches {
            if crate::taxonomy::niche(n).is_none() {
                return Err(Error::bad_parameter("brief.niches", format!("unknown niche `{n}`")));
            }
        }
        for c in &self.target.countries {
            if !country_code(c) {
                return Err(Error::bad_parameter(
                    "brief.target.countries",
                    format!("`{c}` is not an ISO 3166-1 alpha-2 code"),
                ));
            }
        }
        for a in &self.target.age_bands {
            if !AGE_BANDS.contains(&a.as_str()) {
                return Err(Error::bad_parameter(
                    "brief.target.age_bands",
                    format!("`{a}` is not one of {}", AGE_BANDS.join(", ")),
                ));
            }
        }
        if let Some(g) = &self.target.gender
            && !["female", "male"].contains(&g.as_str())
        {
            return Err(Error::bad_parameter("brief.target.gender", "must be `female` or `male`"));
        }
        for l in &self.target.languages {
            if l.len() != 2 || !l.bytes().all(|b| b.is_ascii_lowercase()) {
                return Err(Error::bad_parameter("brief.target.languages", format!("`{l}` is not an ISO 639-1 code")));
            }
        }
        match &self.goal {
            Some(CampaignGoal::Engagements { min }) if *min == 0 || *min > 1_000_000_000_000 => {
                return Err(Error::bad_parameter("brief.goal.min", "must be between 1 and 1000000000000"));
            }
            Some(CampaignGoal::CostPerEngagement { max }) => money("brief.goal.max", max)?,
            _ => {}
        }
        if let Some(b) = &self.budget_per_creator {
            money("brief.budget_per_creator", b)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brief(json: &str) -> std::result::Result<CampaignBrief, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn briefs_parse_and_validate() {
        let b = brief(
            r#"{"description":"protein bar launch","niches":["vegan","fitness"],"deliverable":"reel",
                "target":{"countries":["DE"],"age_bands":["18-24"],"gender":"female"},
                "goal":{"kind":"engagements","min":5000},
                "budget_per_creator":{"amount_minor":150000,"currency":"EUR"}}"#,
        )
        .expect("parses");
        b.validate().expect("valid");
        assert_eq!(b.goal, Some(CampaignGoal::Engagements { min: 5000 }));
        let cpe = brief(
            r#"{"deliverable":"post","goal":{"kind":"cost_per_engagement","max":{"amount_minor":25,"currency":"USD"}}}"#,
        )
        .expect("parses");
        cpe.validate().expect("valid");
    }

    #[test]
    fn mistakes_name_their_field() {
        let field = |json: &str| match brief(json).expect("parses").validate() {
            Err(Error::BadParameter { field, .. }) => field,
            other => panic!("expected a bad parameter, got {other:?}"),
        };
        assert_eq!(field(r#"{"deliverable":"post","niches":["basket weaving"]}"#), "brief.niches");
        assert_eq!(field(r#"{"deliverable":"post","target":{"countries":["Germany"]}}"#), "brief.target.countries");
        assert_eq!(field(r#"{"deliverable":"post","target":{"age_bands":["20-30"]}}"#), "brief.target.age_bands");
        assert_eq!(field(r#"{"deliverable":"post","goal":{"kind":"engagements","min":0}}"#), "brief.goal.min");
        assert_eq!(
            field(r#"{"deliverable":"post","budget_per_creator":{"amount_minor":100,"currency":"XYZ"}}"#),
            "brief.budget_per_creator"
        );
        // Unknown fields and deliverables are refused by the parser, not ignored.
        assert!(brief(r#"{"deliverable":"podcast"}"#).is_err());
        assert!(brief(r#"{"deliverable":"post","budget":1}"#).is_err());
    }
}

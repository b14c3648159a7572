//! Campaigns: what a brand wants made, for which audience, for how much and
//! by when; the states a campaign goes through, who moves it, and what stays
//! editable in each state.
//!
//! ```text
//!            publish              start (first contract)        complete
//!   draft ───────────▶ open ─────────────────────▶ in progress ──────────▶ completed
//!     ▲   unpublish     │                              │
//!     └─────────────────┤ cancel                       │ cancel (no live contract)
//!   draft ── cancel ────┴────────────▶ cancelled ◀─────┘
//! ```
//!
//! The targeting is the brief model of campaign matching ([`CampaignBrief`]),
//! reused: [`CampaignSpec::brief`] is what the matcher ranks creators for.

use chrono::NaiveDate;
use scout_domain::Platform;
use scout_domain::campaign::{CampaignBrief, Deliverable, MAX_DESCRIPTION_CHARS, Targeting};
use scout_domain::money::Money;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
pub use crate::lifecycle::{CampaignAction, CampaignField, CampaignStatus, Deals, check_edit};

/// Longest campaign name, in characters.
pub const MAX_NAME_CHARS: usize = 120;
/// Longest brief, in characters.
pub const MAX_BRIEF_CHARS: usize = 10_000;
/// Most deliverable lines in one campaign.
pub const MAX_DELIVERABLES: usize = 20;
/// Most pieces of one deliverable line.
pub const MAX_PIECES: u32 = 100;
/// Longest campaign, start to end, in days.
pub const MAX_DAYS: i64 = 730;

/// What the brand wants the campaign to achieve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    Awareness,
    Engagement,
    Traffic,
    Conversions,
    Sales,
}

/// Who can see a campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Only the brand's organisation (and its agency).
    Private,
    /// Creators the brand invites.
    InviteOnly,
    /// Every creator, on the marketplace.
    Listed,
}

/// A piece of content a creator makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliverableKind {
    Post,
    Story,
    Reel,
    Video,
    /// A short vertical video (YouTube Shorts, TikTok).
    Short,
    LiveStream,
}

impl DeliverableKind {
    pub const ALL: [DeliverableKind; 6] = [
        DeliverableKind::Post,
        DeliverableKind::Story,
        DeliverableKind::Reel,
        DeliverableKind::Video,
        DeliverableKind::Short,
        DeliverableKind::LiveStream,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeliverableKind::Post => "post",
            DeliverableKind::Story => "story",
            DeliverableKind::Reel => "reel",
            DeliverableKind::Video => "video",
            DeliverableKind::Short => "short",
            DeliverableKind::LiveStream => "live_stream",
        }
    }

    /// The line of a creator's rate card that prices it: rate cards (the
    /// profile format) list posts, stories, reels and videos; a short is
    /// priced as a reel (the same vertical format), a live stream as a video.
    pub fn priced_as(self) -> Deliverable {
        match self {
            DeliverableKind::Post => Deliverable::Post,
            DeliverableKind::Story => Deliverable::Story,
            DeliverableKind::Reel | DeliverableKind::Short => Deliverable::Reel,
            DeliverableKind::Video | DeliverableKind::LiveStream => Deliverable::Video,
        }
    }
}

/// One line of what a campaign asks for: `count` pieces of `kind`, on a
/// platform when it matters, due by a date when the brand sets one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliverableSpec {
    pub kind: DeliverableKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    #[schema(minimum = 1, maximum = 100)]
    pub count: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_on: Option<NaiveDate>,
}

/// Everything a brand writes about a campaign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignSpec {
    pub name: String,
    pub objective: Objective,
    /// The brief: the product, the message, what to make and what to avoid.
    #[serde(default)]
    pub brief: String,
    /// Niche ids of the taxonomy the creators should work in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub niches: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<Platform>,
    /// The audience to reach.
    #[serde(default)]
    pub target: Targeting,
    #[serde(default)]
    pub deliverables: Vec<DeliverableSpec>,
    /// The whole campaign's budget, every creator together.
    pub budget: Money,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub visibility: Visibility,
}

impl CampaignSpec {
    /// Checks every field; mistakes name their field. A draft may still lack
    /// deliverables; [`CampaignStatus::after`] asks for them on publishing.
    pub fn validate(&self) -> Result<()> {
        let name = self.name.trim();
        if name.is_empty() || self.name.chars().count() > MAX_NAME_CHARS {
            return Err(Error::invalid("name", format!("must be 1 to {MAX_NAME_CHARS} characters, not only spaces")));
        }
        if self.name.chars().any(char::is_control) {
            return Err(Error::invalid("name", "control characters are not allowed"));
        }
        if self.brief.chars().count() > MAX_BRIEF_CHARS {
            return Err(Error::invalid("brief", format!("must be at most {MAX_BRIEF_CHARS} characters")));
        }
        // Niches, platforms and targeting follow the matcher's brief rules.
        self.brief().validate().map_err(|e| match e {
            scout_domain::Error::BadParameter { field, reason } => {
                Error::Invalid { field: field.strip_prefix("brief.").unwrap_or(&field).to_string(), reason }
            }
            other => Error::from(other),
        })?;
        if self.budget.amount_minor <= 0 {
            return Err(Error::invalid("budget", "must be a positive amount in minor units"));
        }
        if self.budget.currency.units_per_usd_micros().is_none() {
            return Err(Error::invalid("budget.currency", format!("unsupported currency `{}`", self.budget.currency)));
        }
        if self.ends_on < self.starts_on {
            return Err(Error::invalid("ends_on", "must not be before starts_on"));
        }
        if (self.ends_on - self.starts_on).num_days() > MAX_DAYS {
            return Err(Error::invalid("ends_on", format!("a campaign runs at most {MAX_DAYS} days")));
        }
        if self.deliverables.len() > MAX_DELIVERABLES {
            return Err(Error::invalid("deliverables", format!("at most {MAX_DELIVERABLES} lines")));
        }
        for (i, d) in self.deliverables.iter().enumerate() {
            if d.count == 0 || d.count > MAX_PIECES {
                return Err(Error::invalid(format!("deliverables[{i}].count"), format!("must be 1 to {MAX_PIECES}")));
            }
            if let Some(due) = d.due_on
                && (due < self.starts_on || due > self.ends_on)
            {
                return Err(Error::invalid(
                    format!("deliverables[{i}].due_on"),
                    "must fall between starts_on and ends_on",
                ));
            }
        }
        Ok(())
    }

    /// The brief the matcher ranks creators for: the same targeting, niches
    /// and platforms, the brief's opening as its description, the first
    /// deliverable as what is bought.
    pub fn brief(&self) -> CampaignBrief {
        let text = self.brief.trim();
        let description = (!text.is_empty()).then(|| opening(text, MAX_DESCRIPTION_CHARS));
        CampaignBrief {
            description,
            niches: self.niches.clone(),
            platforms: self.platforms.clone(),
            deliverable: self.deliverables.first().map_or(Deliverable::Post, |d| d.kind.priced_as()),
            target: self.target.clone(),
            goal: None,
            budget_per_creator: None,
        }
    }

    /// The fields that differ between two versions.
    pub fn changed(&self, after: &CampaignSpec) -> Vec<CampaignField> {
        use CampaignField as F;
        let mut out = Vec::new();
        let mut differs = |field, d: bool| {
            if d {
                out.push(field)
            }
        };
        differs(F::Name, self.name != after.name);
        differs(F::Objective, self.objective != after.objective);
        differs(F::Brief, self.brief != after.brief);
        differs(F::Niches, self.niches != after.niches);
        differs(F::Platforms, self.platforms != after.platforms);
        differs(F::Target, self.target != after.target);
        differs(F::Deliverables, self.deliverables != after.deliverables);
        differs(F::Currency, self.budget.currency != after.budget.currency);
        differs(F::Budget, self.budget.amount_minor != after.budget.amount_minor);
        differs(F::StartsOn, self.starts_on != after.starts_on);
        differs(F::EndsOn, self.ends_on != after.ends_on);
        differs(F::Visibility, self.visibility != after.visibility);
        out
    }
}

/// The first `max` characters of `text`, cut at a word boundary when one is near.
fn opening(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    match cut.rfind(char::is_whitespace) {
        Some(i) if i > cut.len() / 2 => cut[..i].trim_end().to_string(),
        _ => cut,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::party::Actor;
    use proptest::prelude::*;
    use scout_domain::money::Currency;

    pub(crate) fn spec() -> CampaignSpec {
        let day = |d| NaiveDate::from_ymd_opt(2027, 3, d).expect("a date");
        CampaignSpec {
            name: "Spring protein bar launch".into(),
            objective: Objective::Awareness,
            brief: "A plant-based protein bar for people who lift.".into(),
            niches: vec!["fitness".into()],
            platforms: vec![Platform::Instagram],
            target: Targeting { countries: vec!["DE".into()], ..Targeting::default() },
            deliverables: vec![DeliverableSpec {
                kind: DeliverableKind::Reel,
                platform: Some(Platform::Instagram),
                count: 2,
                due_on: Some(day(20)),
            }],
            budget: Money::new(500_000, Currency::EUR),
            starts_on: day(1),
            ends_on: day(31),
            visibility: Visibility::Listed,
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 2, 1).expect("a date")
    }

    #[test]
    fn a_spec_validates_and_its_brief_is_the_matchers() {
        let s = spec();
        s.validate().expect("valid");
        let brief = s.brief();
        brief.validate().expect("the derived brief is valid too");
        assert_eq!(brief.deliverable, Deliverable::Reel);
        assert_eq!(brief.target.countries, vec!["DE".to_string()]);
        let long = CampaignSpec { brief: "word ".repeat(400), ..spec() };
        assert!(long.brief().description.expect("a description").chars().count() <= MAX_DESCRIPTION_CHARS);
    }

    #[test]
    fn mistakes_name_their_field() {
        let field = |s: CampaignSpec| match s.validate() {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("expected a field error, got {other:?}"),
        };
        assert_eq!(field(CampaignSpec { name: "  ".into(), ..spec() }), "name");
        assert_eq!(field(CampaignSpec { niches: vec!["basket weaving".into()], ..spec() }), "niches");
        assert_eq!(field(CampaignSpec { budget: Money::new(0, Currency::EUR), ..spec() }), "budget");
        let mut s = spec();
        s.ends_on = s.starts_on.pred_opt().expect("a day before");
        assert_eq!(field(s), "ends_on");
        let mut s = spec();
        s.deliverables[0].due_on = Some(s.ends_on.succ_opt().expect("a day after"));
        assert_eq!(field(s), "deliverables[0].due_on");
        let mut s = spec();
        s.target.countries = vec!["Germany".into()];
        assert_eq!(field(s), "target.countries");
    }

    #[test]
    fn the_life_of_a_campaign() {
        let s = spec();
        let none = Deals::default();
        let signed = Deals { contracts: 1, live_contracts: 1, open_negotiations: 0 };
        let done = Deals { contracts: 1, live_contracts: 0, open_negotiations: 0 };
        let open =
            CampaignStatus::Draft.after(CampaignAction::Publish, Actor::BRAND, none, &s, today()).expect("publish");
        assert_eq!(open, CampaignStatus::Open);
        let going = open.after(CampaignAction::Start, Actor::System, signed, &s, today()).expect("start");
        assert_eq!(going, CampaignStatus::InProgress);
        let refused =
            going.after(CampaignAction::Complete, Actor::BRAND, signed, &s, today()).expect_err("live contract");
        assert!(matches!(refused, Error::Blocked { .. }), "{refused:?}");
        let completed = going.after(CampaignAction::Complete, Actor::BRAND, done, &s, today()).expect("complete");
        assert_eq!(completed, CampaignStatus::Completed);
        // A creator never moves a campaign; a finished one never moves again.
        let e = open.after(CampaignAction::Cancel, Actor::CREATOR, none, &s, today()).expect_err("creator");
        assert_eq!(e.code(), scout_domain::ErrorCode::NotAParty);
        let e = completed.after(CampaignAction::Cancel, Actor::BRAND, done, &s, today()).expect_err("final");
        assert_eq!(e, Error::InvalidTransition { object: "campaign", action: "cancel", state: "completed" });
        // Publishing needs deliverables and a future end.
        let bare = CampaignSpec { deliverables: vec![], ..spec() };
        assert!(CampaignStatus::Draft.after(CampaignAction::Publish, Actor::BRAND, none, &bare, today()).is_err());
        let late = NaiveDate::from_ymd_opt(2027, 4, 1).expect("a date");
        assert!(CampaignStatus::Draft.after(CampaignAction::Publish, Actor::BRAND, none, &s, late).is_err());
    }

    #[test]
    fn edits_follow_the_state() {
        let before = spec();
        let renamed = CampaignSpec { name: "Summer launch".into(), ..spec() };
        let recurrency = CampaignSpec { budget: Money::new(500_000, Currency::USD), ..spec() };
        let smaller = CampaignSpec { budget: Money::new(400_000, Currency::EUR), ..spec() };
        let retargeted = CampaignSpec { niches: vec!["vegan".into()], ..spec() };
        check_edit(CampaignStatus::Draft, &before, &recurrency, 0).expect("a draft changes freely");
        check_edit(CampaignStatus::Open, &before, &retargeted, 0).expect("open: targeting may change");
        assert!(check_edit(CampaignStatus::Open, &before, &recurrency, 0).is_err(), "open: not the currency");
        check_edit(CampaignStatus::InProgress, &before, &renamed, 0).expect("in progress: the name");
        assert!(check_edit(CampaignStatus::InProgress, &before, &retargeted, 0).is_err());
        assert!(check_edit(CampaignStatus::InProgress, &before, &smaller, 0).is_err(), "only grows");
        assert!(check_edit(CampaignStatus::Open, &before, &smaller, 450_000).is_err(), "below what is committed");
        assert!(check_edit(CampaignStatus::Completed, &before, &renamed, 0).is_err());
    }

    fn any_action() -> impl Strategy<Value = CampaignAction> {
        prop::sample::select(CampaignAction::ALL.to_vec())
    }

    fn any_actor() -> impl Strategy<Value = Actor> {
        prop::sample::select(Actor::ALL.to_vec())
    }

    fn any_deals() -> impl Strategy<Value = Deals> {
        (0u32..3, 0u32..3, 0u32..3).prop_map(|(open_negotiations, live, done)| Deals {
            open_negotiations,
            live_contracts: live,
            contracts: live + done,
        })
    }

    proptest! {
        /// No sequence of actions by any actor leaves the rules: creators
        /// never move a campaign, a final state never changes, nothing
        /// completes or is cancelled with a live contract, nothing starts
        /// without a contract, and each refusal has the code its cause calls for.
        #[test]
        fn no_sequence_of_actions_breaks_the_campaign_rules(
            steps in prop::collection::vec((any_action(), any_actor(), any_deals()), 1..40)
        ) {
            let s = spec();
            let mut status = CampaignStatus::Draft;
            for (action, actor, deals) in steps {
                match status.after(action, actor, deals, &s, today()) {
                    Ok(next) => {
                        prop_assert!(actor != Actor::CREATOR);
                        prop_assert!(!status.is_final(), "{status:?} moved");
                        if matches!(next, CampaignStatus::Completed | CampaignStatus::Cancelled) {
                            prop_assert_eq!(deals.live_contracts, 0);
                        }
                        if next == CampaignStatus::InProgress {
                            prop_assert!(deals.contracts > 0);
                        }
                        if next == CampaignStatus::Draft {
                            prop_assert_eq!(deals.contracts + deals.open_negotiations, 0);
                        }
                        status = next;
                    }
                    Err(e) => match e {
                        Error::NotAllowed { .. } => prop_assert!(actor == Actor::CREATOR
                            || (actor == Actor::System && action != CampaignAction::Start)
                            || (actor == Actor::Admin && action != CampaignAction::Cancel)),
                        Error::InvalidTransition { state, .. } => prop_assert_eq!(state, status.as_str()),
                        Error::Blocked { .. } => {}
                        other => prop_assert!(false, "unexpected {other:?}"),
                    },
                }
            }
        }
    }
}

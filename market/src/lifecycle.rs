//! A campaign's life: `draft → open → in progress → completed | cancelled`,
//! who moves it and when (`CampaignStatus::after`), and what stays editable
//! in each state (`check_edit`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::campaign::{CampaignSpec, Visibility};
use crate::error::{Error, Result};
use crate::party::{Actor, Side};

/// A field of [`CampaignSpec`], for the editing rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CampaignField {
    Name,
    Objective,
    Brief,
    Niches,
    Platforms,
    Target,
    Deliverables,
    Budget,
    Currency,
    StartsOn,
    EndsOn,
    Visibility,
}

impl CampaignField {
    pub fn as_str(self) -> &'static str {
        match self {
            CampaignField::Name => "name",
            CampaignField::Objective => "objective",
            CampaignField::Brief => "brief",
            CampaignField::Niches => "niches",
            CampaignField::Platforms => "platforms",
            CampaignField::Target => "target",
            CampaignField::Deliverables => "deliverables",
            CampaignField::Budget => "budget",
            CampaignField::Currency => "budget.currency",
            CampaignField::StartsOn => "starts_on",
            CampaignField::EndsOn => "ends_on",
            CampaignField::Visibility => "visibility",
        }
    }
}

/// Where a campaign is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CampaignStatus {
    /// Being written; only its organisation sees it.
    Draft,
    /// Published: creators can be invited (and apply, when listed).
    Open,
    /// At least one contract is signed; work is under way.
    InProgress,
    Completed,
    Cancelled,
}

/// What can be done to a campaign's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CampaignAction {
    Publish,
    /// Back to draft, while nobody is negotiating on it.
    Unpublish,
    Start,
    Complete,
    Cancel,
}

impl CampaignAction {
    pub const ALL: [CampaignAction; 5] = [
        CampaignAction::Publish,
        CampaignAction::Unpublish,
        CampaignAction::Start,
        CampaignAction::Complete,
        CampaignAction::Cancel,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CampaignAction::Publish => "publish",
            CampaignAction::Unpublish => "unpublish",
            CampaignAction::Start => "start",
            CampaignAction::Complete => "complete",
            CampaignAction::Cancel => "cancel",
        }
    }
}

/// What the store knows about a campaign's deals when its status changes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Deals {
    /// Negotiations still open.
    pub open_negotiations: u32,
    /// Contracts not yet completed or cancelled (awaiting signatures or
    /// funding, active, disputed).
    pub live_contracts: u32,
    /// Contracts in any state.
    pub contracts: u32,
}

impl CampaignStatus {
    pub const ALL: [CampaignStatus; 5] = [
        CampaignStatus::Draft,
        CampaignStatus::Open,
        CampaignStatus::InProgress,
        CampaignStatus::Completed,
        CampaignStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CampaignStatus::Draft => "draft",
            CampaignStatus::Open => "open",
            CampaignStatus::InProgress => "in_progress",
            CampaignStatus::Completed => "completed",
            CampaignStatus::Cancelled => "cancelled",
        }
    }

    pub fn is_final(self) -> bool {
        matches!(self, CampaignStatus::Completed | CampaignStatus::Cancelled)
    }

    /// The status after `action` by `actor`, or why not. Checked in this
    /// order: may this actor ever do it (`not_a_party`), does the state allow
    /// it (`invalid_transition`), do the deals and the spec allow it now.
    pub fn after(
        self,
        action: CampaignAction,
        actor: Actor,
        deals: Deals,
        spec: &CampaignSpec,
        today: NaiveDate,
    ) -> Result<CampaignStatus> {
        use CampaignAction as A;
        use CampaignStatus as S;
        let allowed: &'static str = match action {
            A::Publish | A::Unpublish | A::Complete => "the brand",
            A::Start => "the brand or Scout",
            A::Cancel => "the brand or an administrator",
        };
        let may = match action {
            A::Publish | A::Unpublish | A::Complete => actor == Actor::BRAND,
            A::Start => matches!(actor, Actor::Party(Side::Brand) | Actor::System),
            A::Cancel => matches!(actor, Actor::Party(Side::Brand) | Actor::Admin),
        };
        if !may {
            return Err(Error::NotAllowed { action: action.as_str(), allowed });
        }
        let next = match (self, action) {
            (S::Draft, A::Publish) => S::Open,
            (S::Open, A::Unpublish) => S::Draft,
            (S::Open, A::Start) => S::InProgress,
            (S::InProgress, A::Complete) => S::Completed,
            (S::Draft | S::Open | S::InProgress, A::Cancel) => S::Cancelled,
            _ => {
                return Err(Error::InvalidTransition {
                    object: "campaign",
                    action: action.as_str(),
                    state: self.as_str(),
                });
            }
        };
        let blocked = |reason: &str| Err(Error::Blocked { action: action.as_str(), reason: reason.to_string() });
        match action {
            A::Publish => {
                spec.validate()?;
                if spec.deliverables.is_empty() {
                    return blocked("a campaign needs at least one deliverable before it is published");
                }
                if spec.ends_on < today {
                    return blocked("the campaign has already ended (ends_on is in the past)");
                }
            }
            A::Unpublish if deals.open_negotiations > 0 || deals.contracts > 0 => {
                return blocked("creators are already negotiating on it; cancel it instead");
            }
            A::Start if deals.contracts == 0 => return blocked("no contract has been made yet"),
            A::Complete | A::Cancel if deals.live_contracts > 0 => {
                return blocked("it has contracts still running; complete or cancel them first");
            }
            _ => {}
        }
        Ok(next)
    }

    /// Whether `field` may change in this state.
    pub fn editable(self, field: CampaignField) -> bool {
        use CampaignField as F;
        match self {
            CampaignStatus::Draft => true,
            // Creators have seen it, nobody has signed: all but the currency
            // (offers are priced in it).
            CampaignStatus::Open => field != F::Currency,
            // Work is under way: wording, a longer run, more money, who sees it.
            CampaignStatus::InProgress => {
                matches!(field, F::Name | F::Brief | F::Budget | F::EndsOn | F::Visibility)
            }
            CampaignStatus::Completed | CampaignStatus::Cancelled => false,
        }
    }

    /// Whether creators can apply to it (listed and not over).
    pub fn takes_applications(self, visibility: Visibility) -> bool {
        visibility == Visibility::Listed && matches!(self, CampaignStatus::Open | CampaignStatus::InProgress)
    }

    /// Whether the brand can invite creators to it.
    pub fn takes_invitations(self) -> bool {
        matches!(self, CampaignStatus::Open | CampaignStatus::InProgress)
    }
}

/// Checks an edit of a campaign in `status` from `before` to `after`:
/// `after` is valid, only fields editable in the state change, and, once work
/// is under way, the budget and the end only grow and the budget never falls
/// below what contracts have already committed (`committed`, minor units in
/// the campaign's currency).
pub fn check_edit(status: CampaignStatus, before: &CampaignSpec, after: &CampaignSpec, committed: i64) -> Result<()> {
    after.validate()?;
    for field in before.changed(after) {
        if !status.editable(field) {
            return Err(Error::Blocked {
                action: "edit",
                reason: format!("`{}` cannot change while the campaign is {}", field.as_str(), status.as_str()),
            });
        }
    }
    if status == CampaignStatus::InProgress {
        if after.ends_on < before.ends_on {
            return Err(Error::Blocked { action: "edit", reason: "a campaign in progress can only end later".into() });
        }
        if after.budget.amount_minor < before.budget.amount_minor {
            return Err(Error::Blocked {
                action: "edit",
                reason: "a campaign in progress can only grow its budget".into(),
            });
        }
    }
    if after.budget.amount_minor < committed {
        return Err(Error::Blocked {
            action: "edit",
            reason: format!("contracts already commit {committed} minor units of the budget"),
        });
    }
    Ok(())
}

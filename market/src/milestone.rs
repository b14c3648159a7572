//! A contract's milestones: one per line of the accepted offer (count ×
//! fee, due date), and where each stands. The moves between states are
//! [`crate::Contract`]'s, because they depend on the whole contract.

use chrono::{DateTime, NaiveDate, Utc};
use scout_domain::money::Money;
use serde::{Deserialize, Serialize};

use crate::negotiation::Terms;

/// Where a milestone stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneStatus {
    Pending,
    Submitted,
    RevisionRequested,
    Approved,
    Disputed,
    Resolved,
}

impl MilestoneStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MilestoneStatus::Pending => "pending",
            MilestoneStatus::Submitted => "submitted",
            MilestoneStatus::RevisionRequested => "revision_requested",
            MilestoneStatus::Approved => "approved",
            MilestoneStatus::Disputed => "disputed",
            MilestoneStatus::Resolved => "resolved",
        }
    }

    /// Nothing more happens to it.
    pub fn is_settled(self) -> bool {
        matches!(self, MilestoneStatus::Approved | MilestoneStatus::Resolved)
    }
}

/// How an administrator settles a disputed milestone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// The creator is paid the milestone.
    Release,
    /// The brand gets the milestone's money back.
    Refund,
    /// Part to the creator (`creator_share_minor`), the rest back to the brand.
    Split,
}

/// One piece of work and its price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Milestone {
    pub title: String,
    pub amount: Money,
    pub due_on: NaiveDate,
    pub status: MilestoneStatus,
    /// When it was last submitted (the review window counts from here).
    pub submitted_at: Option<DateTime<Utc>>,
    pub revisions: u32,
    pub resolution: Option<Resolution>,
    /// What a resolution gave the creator, in minor units (all, none, or the split's share).
    pub creator_share_minor: Option<i64>,
}

/// The milestones of `terms`, all pending.
pub(crate) fn milestones(terms: &Terms) -> Vec<Milestone> {
    terms
        .lines
        .iter()
        .map(|l| {
            let platform = l.platform.map(|p| format!(" on {}", p.as_str())).unwrap_or_default();
            Milestone {
                title: format!("{} × {}{platform}", l.count, l.kind.as_str().replace('_', " ")),
                amount: Money::new(l.fee.amount_minor * i64::from(l.count), l.fee.currency),
                due_on: l.due_on,
                status: MilestoneStatus::Pending,
                submitted_at: None,
                revisions: 0,
                resolution: None,
                creator_share_minor: None,
            }
        })
        .collect()
}

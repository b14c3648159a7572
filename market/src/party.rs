//! Who acts: the two sides of a deal, the platform's administrators and the
//! clock. Which account counts as which is the caller's decision (a member of
//! the brand's organisation who may write, an agency with a grant for it, the
//! creator who claimed the profile); these rules only see the outcome.

use serde::{Deserialize, Serialize};

/// One side of a negotiation or contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Brand,
    Creator,
}

impl Side {
    pub const BOTH: [Side; 2] = [Side::Brand, Side::Creator];

    pub fn other(self) -> Side {
        match self {
            Side::Brand => Side::Creator,
            Side::Creator => Side::Brand,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Side::Brand => "brand",
            Side::Creator => "creator",
        }
    }
}

/// Whoever takes an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Actor {
    /// Someone who acts for one side.
    Party(Side),
    /// A platform administrator (disputes, moderation).
    Admin,
    /// Scout itself, on a timer (automatic approvals, campaign start).
    System,
}

impl Actor {
    pub const BRAND: Actor = Actor::Party(Side::Brand);
    pub const CREATOR: Actor = Actor::Party(Side::Creator);
    pub const ALL: [Actor; 4] = [Actor::BRAND, Actor::CREATOR, Actor::Admin, Actor::System];

    pub fn side(self) -> Option<Side> {
        match self {
            Actor::Party(s) => Some(s),
            Actor::Admin | Actor::System => None,
        }
    }
}

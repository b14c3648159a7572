//! An organisation's plan and the platform fee it pays on each released
//! milestone. The fee is fixed on a contract when it is made (shown before
//! signing), so changing plans never changes a signed contract.

use serde::{Deserialize, Serialize};

/// What a brand pays Scout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Plan {
    /// Pay as you go: 10% of each released milestone.
    Starter,
    /// 8%.
    Growth,
    /// 5%.
    Enterprise,
}

impl Plan {
    pub const ALL: [Plan; 3] = [Plan::Starter, Plan::Growth, Plan::Enterprise];

    pub fn as_str(self) -> &'static str {
        match self {
            Plan::Starter => "starter",
            Plan::Growth => "growth",
            Plan::Enterprise => "enterprise",
        }
    }

    pub fn parse(s: &str) -> Option<Plan> {
        Plan::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// The fee on each released milestone, in basis points (1/100 of a percent).
    pub fn fee_bps(self) -> u32 {
        match self {
            Plan::Starter => 1_000,
            Plan::Growth => 800,
            Plan::Enterprise => 500,
        }
    }
}

/// `bps` as a percentage for people: 1000 → "10%", 750 → "7.5%", 1234 → "12.34%".
pub fn percent_text(bps: u32) -> String {
    let (whole, frac) = (bps / 100, bps % 100);
    match frac {
        0 => format!("{whole}%"),
        f if f % 10 == 0 => format!("{whole}.{}%", f / 10),
        f => format!("{whole}.{f:02}%"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_round_trip_and_fees_read_as_percentages() {
        for p in Plan::ALL {
            assert_eq!(Plan::parse(p.as_str()), Some(p));
        }
        assert_eq!(Plan::parse("free"), None);
        assert_eq!(percent_text(Plan::Starter.fee_bps()), "10%");
        assert_eq!(percent_text(750), "7.5%");
        assert_eq!(percent_text(1234), "12.34%");
        assert_eq!(percent_text(5), "0.05%");
    }
}

//! Ratings and reviews after a contract: each side rates the other once
//! (1–5 with a text), may edit it for [`EDIT_DAYS`] days, and platform
//! administrators may remove one. Whether the other side kept its dates comes
//! from the contract's milestones, not from the reviewer's word: a creator
//! is on time when every milestone was first handed in by its due date, a
//! brand when it reviewed every submission itself (none approved by the
//! review window running out).

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::contract::ContractStatus;
use crate::error::{Error, Result};
use crate::party::{Actor, Side};

/// Days after writing during which a review can be edited.
pub const EDIT_DAYS: i64 = 14;
/// Longest review text, in characters.
pub const MAX_REVIEW_CHARS: usize = 2000;

/// The side writing a review of the other: only a party, only once the
/// contract is completed.
pub fn writer(status: ContractStatus, actor: Actor) -> Result<Side> {
    let Some(side) = actor.side() else {
        return Err(Error::NotAllowed { action: "review a contract", allowed: "the brand or the creator" });
    };
    if status != ContractStatus::Completed {
        return Err(Error::InvalidTransition { object: "contract", action: "review", state: status.as_str() });
    }
    Ok(side)
}

/// Checks a rating and its text; returns the text trimmed.
pub fn check(rating: u8, text: &str) -> Result<String> {
    if !(1..=5).contains(&rating) {
        return Err(Error::invalid("rating", "from 1 to 5"));
    }
    if text.chars().count() > MAX_REVIEW_CHARS {
        return Err(Error::invalid("text", format!("at most {MAX_REVIEW_CHARS} characters")));
    }
    if text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(Error::invalid("text", "control characters are not allowed"));
    }
    Ok(text.trim().to_string())
}

/// Whether `actor` may edit a review `author` wrote at `written`.
pub fn check_edit(author: Side, actor: Actor, written: DateTime<Utc>, now: DateTime<Utc>) -> Result<()> {
    if actor.side() != Some(author) {
        return Err(Error::NotAllowed { action: "edit a review", allowed: "its author" });
    }
    if now - written > Duration::days(EDIT_DAYS) {
        return Err(Error::Blocked {
            action: "edit the review",
            reason: format!("reviews can be edited for {EDIT_DAYS} days after they are written"),
        });
    }
    Ok(())
}

/// Whether a creator kept the dates: every milestone's first submission (by
/// `(due_on, first submitted)`) came by the end of its due day. `None` when no
/// milestone was ever handed in.
pub fn creator_on_time(milestones: &[(NaiveDate, Option<DateTime<Utc>>)]) -> Option<bool> {
    let handed_in: Vec<_> = milestones.iter().filter_map(|(due, at)| at.map(|at| (*due, at))).collect();
    if handed_in.is_empty() {
        return None;
    }
    Some(handed_in.len() == milestones.len() && handed_in.iter().all(|(due, at)| at.date_naive() <= *due))
}

/// Whether a brand kept its dates: it reviewed every submission itself,
/// none being approved because its review window ran out.
pub fn brand_on_time(auto_approvals: usize) -> bool {
    auto_approvals == 0
}

/// Which side is reviewed by `writer`.
pub fn reviewed(writer: Side) -> Side {
    writer.other()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().expect("valid")
    }

    #[test]
    fn only_parties_review_and_only_completed_contracts() {
        assert_eq!(writer(ContractStatus::Completed, Actor::BRAND), Ok(Side::Brand));
        assert_eq!(writer(ContractStatus::Completed, Actor::CREATOR), Ok(Side::Creator));
        for actor in [Actor::Admin, Actor::System] {
            assert!(matches!(writer(ContractStatus::Completed, actor), Err(Error::NotAllowed { .. })));
        }
        for status in [
            ContractStatus::AwaitingSignatures,
            ContractStatus::AwaitingFunding,
            ContractStatus::Active,
            ContractStatus::Cancelled,
            ContractStatus::Disputed,
        ] {
            let e = writer(status, Actor::BRAND).expect_err("refused");
            assert!(e.to_string().contains(status.as_str()), "{e}");
        }
    }

    #[test]
    fn ratings_are_one_to_five_and_texts_bounded() {
        assert_eq!(check(5, "  great work \n"), Ok("great work".to_string()));
        assert!(check(0, "").is_err() && check(6, "").is_err());
        assert!(check(3, &"x".repeat(MAX_REVIEW_CHARS)).is_ok());
        assert!(check(3, &"x".repeat(MAX_REVIEW_CHARS + 1)).is_err());
        assert!(check(3, "bell\u{7}").is_err());
    }

    #[test]
    fn reviews_are_editable_by_their_author_for_fourteen_days() {
        let written = at("2027-05-01T10:00:00Z");
        assert!(check_edit(Side::Brand, Actor::BRAND, written, at("2027-05-15T10:00:00Z")).is_ok());
        assert!(matches!(
            check_edit(Side::Brand, Actor::BRAND, written, at("2027-05-15T10:00:01Z")),
            Err(Error::Blocked { .. })
        ));
        assert!(matches!(
            check_edit(Side::Brand, Actor::CREATOR, written, at("2027-05-02T10:00:00Z")),
            Err(Error::NotAllowed { .. })
        ));
    }

    #[test]
    fn on_time_follows_the_milestones() {
        let due = NaiveDate::from_ymd_opt(2027, 3, 20).expect("valid");
        assert_eq!(creator_on_time(&[(due, Some(at("2027-03-20T23:59:00Z")))]), Some(true));
        assert_eq!(creator_on_time(&[(due, Some(at("2027-03-21T00:00:01Z")))]), Some(false));
        assert_eq!(creator_on_time(&[(due, Some(at("2027-03-01T00:00:00Z"))), (due, None)]), Some(false));
        assert_eq!(creator_on_time(&[(due, None)]), None);
        assert!(brand_on_time(0) && !brand_on_time(1));
        assert_eq!(reviewed(Side::Brand), Side::Creator);
    }
}

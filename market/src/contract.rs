//! Contracts and their milestones: what an accepted offer binds both sides
//! to, and how work and money move through it.
//!
//! ```text
//! contract:  awaiting signatures ─(both sign)─▶ awaiting funding ─(escrow funded)─▶ active ─(every milestone settled)─▶ completed
//!                 │ cancel                          │ cancel                        │  ▲ resolve
//!                 ▼                                 ▼                               ▼  │
//!             cancelled ◀───────────────────────────┴────── cancel (nothing delivered) disputed
//!
//! milestone: pending ─submit─▶ submitted ─approve (or the review window passes)─▶ approved
//!               ▲                 │ request revision
//!               │                 ▼
//!               │          revision requested ─submit─▶ submitted
//!               └─ dispute from pending, submitted or revision requested ─▶ disputed ─resolve─▶ resolved
//! ```
//!
//! Every step that moves money says so as an [`Effect`] for the ledger: the
//! escrow is funded once, after both signatures; each milestone releases its
//! amount at most once (approval or a resolution in the creator's favour); a
//! refund returns what was never released. Amounts are integer minor units.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use scout_domain::money::Money;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::milestone::milestones;
pub use crate::milestone::{Milestone, MilestoneStatus, Resolution};
use crate::negotiation::Offer;
use crate::party::{Actor, Side};

/// Review window when the brand sets none: a submitted milestone the brand
/// leaves alone this long is approved.
pub const DEFAULT_REVIEW_DAYS: u32 = 7;

/// Where a contract stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContractStatus {
    AwaitingSignatures,
    /// Both signed; the brand's money is not in escrow yet.
    AwaitingFunding,
    Active,
    Completed,
    Cancelled,
    /// A milestone is disputed; the rest of the work goes on.
    Disputed,
}

impl ContractStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ContractStatus::AwaitingSignatures => "awaiting_signatures",
            ContractStatus::AwaitingFunding => "awaiting_funding",
            ContractStatus::Active => "active",
            ContractStatus::Completed => "completed",
            ContractStatus::Cancelled => "cancelled",
            ContractStatus::Disputed => "disputed",
        }
    }

    pub fn is_final(self) -> bool {
        matches!(self, ContractStatus::Completed | ContractStatus::Cancelled)
    }

    /// Work happens (milestones move) only here.
    fn is_running(self) -> bool {
        matches!(self, ContractStatus::Active | ContractStatus::Disputed)
    }
}

/// Money the ledger moves because of a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Both signed: the contract's total goes from the brand's wallet to escrow.
    Fund { amount: Money },
    /// A milestone's amount goes from escrow to the creator.
    Release { milestone: usize, amount: Money },
    /// Money in escrow goes back to the brand (a refunded milestone, or the
    /// unreleased rest of a cancelled contract).
    Refund { milestone: Option<usize>, amount: Money },
    /// A dispute settled in part to each side: `to_creator_minor` of the
    /// milestone's `amount` released, the rest refunded.
    Split { milestone: usize, amount: Money, to_creator_minor: i64 },
}

/// A contract's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contract {
    pub status: ContractStatus,
    pub milestones: Vec<Milestone>,
    pub signed_by_brand: bool,
    pub signed_by_creator: bool,
    /// The escrow holds the total.
    pub funded: bool,
    pub review_days: u32,
}

impl Contract {
    /// The contract an accepted offer makes: one milestone per line of its
    /// terms (count × fee, due on the line's date), nobody signed yet.
    pub fn from_offer(offer: &Offer, review_days: u32) -> Result<Contract> {
        offer.terms.total()?;
        let milestones = milestones(&offer.terms);
        Ok(Contract {
            status: ContractStatus::AwaitingSignatures,
            milestones,
            signed_by_brand: false,
            signed_by_creator: false,
            funded: false,
            review_days,
        })
    }

    /// The whole contract's amount.
    pub fn total(&self) -> Money {
        let currency = self.milestones[0].amount.currency;
        Money::new(self.milestones.iter().map(|m| m.amount.amount_minor).sum(), currency)
    }

    /// A side signs. The second signature asks for the escrow to be funded.
    pub fn sign(&mut self, by: Actor) -> Result<Vec<Effect>> {
        let side = by.side().ok_or(Error::NotAllowed { action: "sign", allowed: "the brand or the creator" })?;
        self.in_state(&[ContractStatus::AwaitingSignatures], "sign")?;
        let signed = match side {
            Side::Brand => &mut self.signed_by_brand,
            Side::Creator => &mut self.signed_by_creator,
        };
        if *signed {
            return Err(Error::Blocked { action: "sign", reason: format!("the {} has already signed", side.as_str()) });
        }
        *signed = true;
        if self.signed_by_brand && self.signed_by_creator {
            self.status = ContractStatus::AwaitingFunding;
            return Ok(vec![Effect::Fund { amount: self.total() }]);
        }
        Ok(vec![])
    }

    /// The ledger reports the escrow funded: work starts.
    pub fn funded(&mut self, by: Actor) -> Result<()> {
        if by != Actor::System {
            return Err(Error::NotAllowed { action: "fund", allowed: "Scout's ledger" });
        }
        self.in_state(&[ContractStatus::AwaitingFunding], "fund")?;
        self.funded = true;
        self.status = ContractStatus::Active;
        Ok(())
    }

    /// Ends the contract early. Before work starts either side may; once a
    /// milestone has been submitted, the sides dispute instead, and only an
    /// administrator cancels. Whatever escrow holds unreleased goes back.
    pub fn cancel(&mut self, by: Actor) -> Result<Vec<Effect>> {
        match by {
            Actor::Party(_) => {
                self.in_state(
                    &[ContractStatus::AwaitingSignatures, ContractStatus::AwaitingFunding, ContractStatus::Active],
                    "cancel",
                )?;
                if self.milestones.iter().any(|m| m.status != MilestoneStatus::Pending) {
                    return Err(Error::Blocked {
                        action: "cancel",
                        reason: "work has been submitted; open a dispute instead".into(),
                    });
                }
            }
            Actor::Admin => self.in_state(
                &[
                    ContractStatus::AwaitingSignatures,
                    ContractStatus::AwaitingFunding,
                    ContractStatus::Active,
                    ContractStatus::Disputed,
                ],
                "cancel",
            )?,
            Actor::System => {
                return Err(Error::NotAllowed { action: "cancel", allowed: "a party or an administrator" });
            }
        }
        self.status = ContractStatus::Cancelled;
        let rest = self.unreleased();
        Ok(if self.funded && rest > 0 {
            vec![Effect::Refund { milestone: None, amount: Money::new(rest, self.total().currency) }]
        } else {
            vec![]
        })
    }

    /// The creator hands in a milestone (again, after a revision request).
    pub fn submit(&mut self, milestone: usize, by: Actor, now: DateTime<Utc>) -> Result<()> {
        self.only(by, Side::Creator, "submit a milestone")?;
        self.running("submit a milestone")?;
        let m =
            self.milestone_in(milestone, &[MilestoneStatus::Pending, MilestoneStatus::RevisionRequested], "submit")?;
        m.status = MilestoneStatus::Submitted;
        m.submitted_at = Some(now);
        Ok(())
    }

    /// The brand approves a submitted milestone: its amount is released.
    pub fn approve(&mut self, milestone: usize, by: Actor) -> Result<Vec<Effect>> {
        self.only(by, Side::Brand, "approve a milestone")?;
        self.running("approve a milestone")?;
        Ok(self.release(milestone)?.into_iter().collect())
    }

    /// The brand asks for changes to a submitted milestone.
    pub fn request_revision(&mut self, milestone: usize, by: Actor) -> Result<()> {
        self.only(by, Side::Brand, "request a revision")?;
        self.running("request a revision")?;
        let m = self.milestone_in(milestone, &[MilestoneStatus::Submitted], "request a revision of")?;
        m.status = MilestoneStatus::RevisionRequested;
        m.revisions += 1;
        Ok(())
    }

    /// Either side disputes an unsettled milestone; the contract is disputed
    /// until an administrator resolves it.
    pub fn dispute(&mut self, milestone: usize, by: Actor) -> Result<()> {
        by.side().ok_or(Error::NotAllowed { action: "dispute", allowed: "the brand or the creator" })?;
        self.running("dispute")?;
        let m = self.milestone_in(
            milestone,
            &[MilestoneStatus::Pending, MilestoneStatus::Submitted, MilestoneStatus::RevisionRequested],
            "dispute",
        )?;
        m.status = MilestoneStatus::Disputed;
        self.status = ContractStatus::Disputed;
        Ok(())
    }

    /// An administrator settles a disputed milestone: all to the creator,
    /// all back to the brand, or a split that gives the creator
    /// `to_creator_minor` (more than nothing, less than all).
    pub fn resolve(
        &mut self,
        milestone: usize,
        by: Actor,
        resolution: Resolution,
        to_creator_minor: Option<i64>,
    ) -> Result<Vec<Effect>> {
        if by != Actor::Admin {
            return Err(Error::NotAllowed { action: "resolve a dispute", allowed: "an administrator" });
        }
        self.in_state(&[ContractStatus::Disputed], "resolve a dispute")?;
        let m = self.milestone_in(milestone, &[MilestoneStatus::Disputed], "resolve")?;
        let amount = m.amount;
        let (effect, share) = match (resolution, to_creator_minor) {
            (Resolution::Release, None) => (Effect::Release { milestone, amount }, amount.amount_minor),
            (Resolution::Refund, None) => (Effect::Refund { milestone: Some(milestone), amount }, 0),
            (Resolution::Split, Some(share)) if share > 0 && share < amount.amount_minor => {
                (Effect::Split { milestone, amount, to_creator_minor: share }, share)
            }
            (Resolution::Split, _) => {
                return Err(Error::Blocked {
                    action: "split",
                    reason: format!(
                        "a split gives the creator more than 0 and less than the milestone's {} minor units",
                        amount.amount_minor
                    ),
                });
            }
            (_, Some(_)) => {
                return Err(Error::Blocked {
                    action: "resolve",
                    reason: "only a split names the creator's share".into(),
                });
            }
        };
        m.status = MilestoneStatus::Resolved;
        m.resolution = Some(resolution);
        m.creator_share_minor = Some(share);
        if !self.milestones.iter().any(|m| m.status == MilestoneStatus::Disputed) {
            self.status = ContractStatus::Active;
        }
        self.settle();
        Ok(vec![effect])
    }

    /// Scout approves every milestone submitted at least the review window
    /// before `now` that the brand left alone.
    pub fn auto_approve(&mut self, now: DateTime<Utc>) -> Vec<Effect> {
        if !self.status.is_running() {
            return vec![];
        }
        let window = Duration::days(i64::from(self.review_days));
        let due: Vec<usize> = (0..self.milestones.len())
            .filter(|&i| {
                let m = &self.milestones[i];
                m.status == MilestoneStatus::Submitted && m.submitted_at.is_some_and(|at| at + window <= now)
            })
            .collect();
        due.into_iter().filter_map(|i| self.release(i).ok().flatten()).collect()
    }

    /// When the next automatic approval falls due, if one is waiting.
    pub fn next_auto_approval(&self) -> Option<DateTime<Utc>> {
        if !self.status.is_running() {
            return None;
        }
        let window = Duration::days(i64::from(self.review_days));
        self.milestones
            .iter()
            .filter(|m| m.status == MilestoneStatus::Submitted)
            .filter_map(|m| m.submitted_at.map(|at| at + window))
            .min()
    }

    /// Milestones past their due date and not handed in.
    pub fn overdue(&self, today: NaiveDate) -> Vec<usize> {
        if !self.status.is_running() {
            return vec![];
        }
        (0..self.milestones.len())
            .filter(|&i| {
                let m = &self.milestones[i];
                matches!(m.status, MilestoneStatus::Pending | MilestoneStatus::RevisionRequested) && m.due_on < today
            })
            .collect()
    }

    /// Minor units escrow still holds for this contract: the total less what
    /// approvals and resolutions released or refunded.
    pub fn unreleased(&self) -> i64 {
        self.milestones.iter().filter(|m| !m.status.is_settled()).map(|m| m.amount.amount_minor).sum()
    }

    fn release(&mut self, milestone: usize) -> Result<Option<Effect>> {
        let m = self.milestone_in(milestone, &[MilestoneStatus::Submitted], "approve")?;
        m.status = MilestoneStatus::Approved;
        let effect = Effect::Release { milestone, amount: m.amount };
        self.settle();
        Ok(Some(effect))
    }

    /// Completes the contract once every milestone is settled.
    fn settle(&mut self) {
        if self.status == ContractStatus::Active && self.milestones.iter().all(|m| m.status.is_settled()) {
            self.status = ContractStatus::Completed;
        }
    }

    fn only(&self, by: Actor, side: Side, action: &'static str) -> Result<()> {
        if by == Actor::Party(side) {
            Ok(())
        } else {
            Err(Error::NotAllowed {
                action,
                allowed: match side {
                    Side::Brand => "the brand",
                    Side::Creator => "the creator",
                },
            })
        }
    }

    fn in_state(&self, allowed: &[ContractStatus], action: &'static str) -> Result<()> {
        if allowed.contains(&self.status) {
            Ok(())
        } else {
            Err(Error::InvalidTransition { object: "contract", action, state: self.status.as_str() })
        }
    }

    fn running(&self, action: &'static str) -> Result<()> {
        self.in_state(&[ContractStatus::Active, ContractStatus::Disputed], action)
    }

    fn milestone_in(
        &mut self,
        index: usize,
        allowed: &[MilestoneStatus],
        action: &'static str,
    ) -> Result<&mut Milestone> {
        let count = self.milestones.len();
        let m = self
            .milestones
            .get_mut(index)
            .ok_or_else(|| Error::invalid("milestone", format!("the contract has {count} milestones")))?;
        if allowed.contains(&m.status) {
            Ok(m)
        } else {
            Err(Error::InvalidTransition { object: "milestone", action, state: m.status.as_str() })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::negotiation::tests::terms;
    use proptest::prelude::*;

    fn offer() -> Offer {
        Offer { version: 2, by: Side::Brand, terms: terms(80_000) }
    }

    fn at(day: u32) -> DateTime<Utc> {
        NaiveDate::from_ymd_opt(2027, 3, day).expect("a date").and_hms_opt(12, 0, 0).expect("a time").and_utc()
    }

    fn active() -> Contract {
        let mut c = Contract::from_offer(&offer(), DEFAULT_REVIEW_DAYS).expect("a contract");
        c.sign(Actor::BRAND).expect("brand signs");
        c.sign(Actor::CREATOR).expect("creator signs");
        c.funded(Actor::System).expect("funded");
        c
    }

    #[test]
    fn signing_then_funding_then_work_then_completion() {
        let mut c = Contract::from_offer(&offer(), DEFAULT_REVIEW_DAYS).expect("a contract");
        assert_eq!(c.milestones.len(), 2);
        assert_eq!(c.total(), Money::new(2 * 80_000 + 3 * 20_000, scout_domain::money::Currency::EUR));
        assert_eq!(c.sign(Actor::CREATOR), Ok(vec![]));
        assert!(matches!(c.sign(Actor::CREATOR), Err(Error::Blocked { .. })), "signing twice");
        assert_eq!(c.sign(Actor::BRAND), Ok(vec![Effect::Fund { amount: c.total() }]));
        assert_eq!(c.status, ContractStatus::AwaitingFunding);
        assert!(c.submit(0, Actor::CREATOR, at(10)).is_err(), "no work before the escrow is funded");
        c.funded(Actor::System).expect("funded");
        c.submit(0, Actor::CREATOR, at(10)).expect("submit");
        c.request_revision(0, Actor::BRAND).expect("revision");
        c.submit(0, Actor::CREATOR, at(11)).expect("resubmit");
        let released = c.approve(0, Actor::BRAND).expect("approve");
        assert_eq!(released, vec![Effect::Release { milestone: 0, amount: c.milestones[0].amount }]);
        assert!(c.approve(0, Actor::BRAND).is_err(), "released once");
        c.submit(1, Actor::CREATOR, at(20)).expect("submit");
        // Left alone for the review window, it is approved by Scout.
        assert!(c.auto_approve(at(26)).is_empty());
        assert_eq!(c.next_auto_approval(), Some(at(27)));
        assert_eq!(c.auto_approve(at(27)).len(), 1);
        assert_eq!(c.status, ContractStatus::Completed);
    }

    #[test]
    fn disputes_freeze_one_milestone_and_an_administrator_settles_it() {
        let mut c = active();
        c.submit(0, Actor::CREATOR, at(10)).expect("submit");
        c.dispute(0, Actor::BRAND).expect("dispute");
        assert_eq!(c.status, ContractStatus::Disputed);
        assert!(c.approve(0, Actor::BRAND).is_err(), "a disputed milestone waits for the resolution");
        assert_eq!(
            c.resolve(0, Actor::BRAND, Resolution::Refund, None).map(|_| ()).expect_err("brand").code(),
            scout_domain::ErrorCode::NotAParty
        );
        c.submit(1, Actor::CREATOR, at(12)).expect("other work goes on");
        let effects = c.resolve(0, Actor::Admin, Resolution::Refund, None).expect("resolve");
        assert_eq!(effects, vec![Effect::Refund { milestone: Some(0), amount: c.milestones[0].amount }]);
        assert_eq!(c.status, ContractStatus::Active);
        assert!(matches!(c.cancel(Actor::CREATOR), Err(Error::Blocked { .. })), "work was submitted");
        let refund = c.cancel(Actor::Admin).expect("an administrator may");
        assert_eq!(refund, vec![Effect::Refund { milestone: None, amount: c.milestones[1].amount }]);
    }

    #[test]
    fn overdue_milestones_are_flagged() {
        let c = active();
        assert!(c.overdue(NaiveDate::from_ymd_opt(2027, 3, 20).expect("a date")).is_empty());
        assert_eq!(c.overdue(NaiveDate::from_ymd_opt(2027, 3, 21).expect("a date")), vec![0]);
        assert_eq!(c.overdue(NaiveDate::from_ymd_opt(2027, 4, 1).expect("a date")), vec![0, 1]);
    }

    #[derive(Debug, Clone)]
    enum Step {
        Sign(Actor),
        Funded(Actor),
        Cancel(Actor),
        Submit(usize, Actor),
        Approve(usize, Actor),
        Revise(usize, Actor),
        Dispute(usize, Actor),
        Resolve(usize, Actor, Resolution, Option<i64>),
        Wait(u32),
    }

    fn any_step() -> impl Strategy<Value = Step> {
        let a = || prop::sample::select(Actor::ALL.to_vec());
        let m = || 0usize..3;
        prop_oneof![
            a().prop_map(Step::Sign),
            a().prop_map(Step::Funded),
            a().prop_map(Step::Cancel),
            (m(), a()).prop_map(|(m, a)| Step::Submit(m, a)),
            (m(), a()).prop_map(|(m, a)| Step::Approve(m, a)),
            (m(), a()).prop_map(|(m, a)| Step::Revise(m, a)),
            (m(), a()).prop_map(|(m, a)| Step::Dispute(m, a)),
            (
                m(),
                a(),
                prop::sample::select(vec![Resolution::Release, Resolution::Refund, Resolution::Split]),
                prop::option::of(0i64..200_000)
            )
                .prop_map(|(m, a, r, s)| Step::Resolve(m, a, r, s)),
            (0u32..10).prop_map(Step::Wait),
        ]
    }

    proptest! {
        /// Any sequence of steps by anyone keeps the contract within its rules:
        /// work and money move only after both signatures and funding; escrow
        /// is funded once; each milestone's money leaves escrow at most once,
        /// and released plus refunded never exceeds what was funded and equals
        /// it when the contract is over; a completed contract has every
        /// milestone settled; "disputed" means a milestone is; a final state
        /// never changes; a refused step changes nothing.
        #[test]
        fn no_sequence_of_steps_breaks_the_contract_rules(steps in prop::collection::vec(any_step(), 1..60)) {
            let mut c = Contract::from_offer(&offer(), DEFAULT_REVIEW_DAYS).expect("a contract");
            let total = c.total().amount_minor;
            let (mut funded, mut out) = (0i64, 0i64);
            let mut paid = [false; 2];
            let mut now = at(1);
            for step in steps {
                let before = c.clone();
                let result = match step {
                    Step::Sign(a) => c.sign(a),
                    Step::Funded(a) => c.funded(a).map(|_| vec![]),
                    Step::Cancel(a) => c.cancel(a),
                    Step::Submit(m, a) => c.submit(m, a, now).map(|_| vec![]),
                    Step::Approve(m, a) => c.approve(m, a),
                    Step::Revise(m, a) => c.request_revision(m, a).map(|_| vec![]),
                    Step::Dispute(m, a) => c.dispute(m, a).map(|_| vec![]),
                    Step::Resolve(m, a, r, s) => c.resolve(m, a, r, s),
                    Step::Wait(days) => {
                        now += Duration::days(i64::from(days));
                        Ok(c.auto_approve(now))
                    }
                };
                match result {
                    Ok(effects) => {
                        if before.status.is_final() {
                            prop_assert_eq!(&c, &before, "a final contract changed");
                        }
                        for e in effects {
                            match e {
                                Effect::Fund { amount } => {
                                    prop_assert_eq!(funded, 0, "funded twice");
                                    prop_assert!(c.signed_by_brand && c.signed_by_creator);
                                    funded = amount.amount_minor;
                                }
                                Effect::Release { milestone, amount } | Effect::Refund { milestone: Some(milestone), amount } => {
                                    prop_assert!(c.funded);
                                    prop_assert!(!paid[milestone], "milestone {} paid out twice", milestone);
                                    paid[milestone] = true;
                                    out += amount.amount_minor;
                                }
                                Effect::Split { milestone, amount, to_creator_minor } => {
                                    prop_assert!(c.funded);
                                    prop_assert!(!paid[milestone], "milestone {} paid out twice", milestone);
                                    prop_assert!(to_creator_minor > 0 && to_creator_minor < amount.amount_minor);
                                    paid[milestone] = true;
                                    out += amount.amount_minor;
                                }
                                Effect::Refund { milestone: None, amount } => out += amount.amount_minor,
                            }
                        }
                    }
                    Err(_) => prop_assert_eq!(&c, &before, "a refused step changed the contract"),
                }
                prop_assert!(out <= funded, "{} left escrow, {} was funded", out, funded);
                if matches!(c.status, ContractStatus::Active | ContractStatus::Disputed | ContractStatus::Completed) {
                    prop_assert!(c.signed_by_brand && c.signed_by_creator && c.funded);
                    prop_assert_eq!(funded, total);
                }
                if c.status == ContractStatus::Completed {
                    prop_assert!(c.milestones.iter().all(|m| m.status.is_settled()));
                }
                if c.status.is_final() && c.funded {
                    prop_assert_eq!(out, total, "a finished contract leaves money in escrow");
                }
                if !c.status.is_final() {
                    let disputed = c.milestones.iter().any(|m| m.status == MilestoneStatus::Disputed);
                    prop_assert_eq!(disputed, c.status == ContractStatus::Disputed);
                }
                if c.milestones.iter().any(|m| m.status != MilestoneStatus::Pending) {
                    prop_assert!(c.funded, "work moved before funding");
                }
            }
        }
    }
}

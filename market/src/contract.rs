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
use crate::negotiation::{Offer, Terms};
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

    /// An administrator settles a disputed milestone.
    pub fn resolve(&mut self, milestone: usize, by: Actor, resolution: Resolution) -> Result<Vec<Effect>> {
        if by != Actor::Admin {
            return Err(Error::NotAllowed { action: "resolve a dispute", allowed: "an administrator" });
        }
        self.in_state(&[ContractStatus::Disputed], "resolve a dispute")?;
        let m = self.milestone_in(milestone, &[MilestoneStatus::Disputed], "resolve")?;
        m.status = MilestoneStatus::Resolved;
        m.resolution = Some(resolution);
        let effect = match resolution {
            Resolution::Release => Effect::Release { milestone, amount: m.amount },
            Resolution::Refund => Effect::Refund { milestone: Some(milestone), amount: m.amount },
        };
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

/// Version of the contract template [`render_terms`] writes; a change of
/// wording is a new version, and each contract keeps the one it was made with.
pub const TERMS_VERSION: &str = "2026-12-v1";

/// Who a contract binds, as its text names them.
#[derive(Debug, Clone, Copy)]
pub struct Parties<'a> {
    pub brand: &'a str,
    pub creator: &'a str,
    pub campaign: &'a str,
}

/// The contract's text: the parties, the campaign, each milestone with its
/// amount and due date, usage rights, exclusivity, the review window and how
/// disputes are settled. Deterministic (the same terms give the same bytes),
/// so its hash identifies what both sides signed.
pub fn render_terms(parties: Parties<'_>, terms: &Terms, review_days: u32) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let total = terms.total().map(amount_text).unwrap_or_default();
    let _ = writeln!(out, "Scout creator agreement ({TERMS_VERSION})");
    let _ = writeln!(out);
    let _ = writeln!(out, "Brand: {}", parties.brand);
    let _ = writeln!(out, "Creator: {}", parties.creator);
    let _ = writeln!(out, "Campaign: {}", parties.campaign);
    let _ = writeln!(out);
    let _ = writeln!(out, "1. Work and payment. The creator makes, and the brand pays for, the following milestones:");
    for (i, m) in milestones(terms).iter().enumerate() {
        let _ = writeln!(out, "   {}. {}: {}, due {}", i + 1, m.title, amount_text(m.amount), m.due_on);
    }
    let _ = writeln!(
        out,
        "   Total: {total}. The brand places the total in escrow with Scout once both parties have signed."
    );
    let _ = writeln!(
        out,
        "2. Review. The brand approves a submitted milestone or asks for a revision within {review_days} days; \
         a milestone left without an answer for {review_days} days is approved, and its amount is released to the creator."
    );
    let usage = &terms.usage;
    let rights = match (usage.organic, usage.paid_ads) {
        (false, false) => "no use beyond the creator's own post".to_string(),
        (organic, paid) => {
            let uses: Vec<&str> = [(organic, "reposting on the brand's own channels"), (paid, "paid advertising")]
                .into_iter()
                .filter_map(|(on, what)| on.then_some(what))
                .collect();
            format!("{} for {} months from delivery", uses.join(" and "), usage.months)
        }
    };
    let _ = writeln!(out, "3. Usage rights. The brand may use the content for {rights}.");
    let exclusivity = if terms.exclusivity_days == 0 {
        "No exclusivity.".to_string()
    } else {
        format!(
            "The creator works for no competitor of the brand for {} days after the last delivery.",
            terms.exclusivity_days
        )
    };
    let _ = writeln!(out, "4. Exclusivity. {exclusivity}");
    let _ = writeln!(
        out,
        "5. Disputes. Either party may dispute a milestone; its amount stays in escrow until a Scout administrator \
         releases it to the creator or refunds it to the brand. The rest of the work goes on."
    );
    let _ = writeln!(
        out,
        "6. Cancellation. Either party may cancel before any work is submitted; the escrow is refunded to the brand. \
         After that, only a Scout administrator cancels, refunding what was not released."
    );
    out
}

/// `1234567` as "1,234,567".
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "1,234.50 EUR": minor units shown with the currency's decimals.
pub fn amount_text(m: Money) -> String {
    let e = m.currency.exponent();
    let scale = 10i64.pow(e);
    let (whole, frac) = (m.amount_minor / scale, (m.amount_minor % scale).abs());
    let grouped = thousands(whole.unsigned_abs());
    let sign = if m.amount_minor < 0 { "-" } else { "" };
    if e == 0 {
        format!("{sign}{grouped} {}", m.currency)
    } else {
        format!("{sign}{grouped}.{frac:0width$} {}", m.currency, width = e as usize)
    }
}

fn milestones(terms: &Terms) -> Vec<Milestone> {
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
            }
        })
        .collect()
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
            c.resolve(0, Actor::BRAND, Resolution::Refund).map(|_| ()).expect_err("brand").code(),
            scout_domain::ErrorCode::NotAParty
        );
        c.submit(1, Actor::CREATOR, at(12)).expect("other work goes on");
        let effects = c.resolve(0, Actor::Admin, Resolution::Refund).expect("resolve");
        assert_eq!(effects, vec![Effect::Refund { milestone: Some(0), amount: c.milestones[0].amount }]);
        assert_eq!(c.status, ContractStatus::Active);
        assert!(matches!(c.cancel(Actor::CREATOR), Err(Error::Blocked { .. })), "work was submitted");
        let refund = c.cancel(Actor::Admin).expect("an administrator may");
        assert_eq!(refund, vec![Effect::Refund { milestone: None, amount: c.milestones[1].amount }]);
    }

    #[test]
    fn the_contract_text_is_deterministic_and_names_every_term() {
        let parties = Parties { brand: "Oat & Co", creator: "@cook", campaign: "Autumn soups" };
        let t = terms(80_000);
        let text = render_terms(parties, &t, 7);
        assert_eq!(text, render_terms(parties, &t, 7));
        for needle in [
            "Oat & Co",
            "@cook",
            "Autumn soups",
            "2 × reel on instagram: 1,600.00 EUR, due 2027-03-20",
            "Total: 2,200.00 EUR",
            "within 7 days",
            "reposting on the brand's own channels for 6 months",
            "30 days",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in\n{text}");
        }
        assert_ne!(text, render_terms(parties, &terms(80_001), 7));
        let yen = Money::new(1_234_567, scout_domain::money::Currency::parse("JPY").expect("JPY"));
        assert_eq!(amount_text(yen), "1,234,567 JPY");
        let dinar = Money::new(-1_234, scout_domain::money::Currency::parse("KWD").expect("KWD"));
        assert_eq!(amount_text(dinar), "-1.234 KWD");
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
        Resolve(usize, Actor, Resolution),
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
            (m(), a(), prop::sample::select(vec![Resolution::Release, Resolution::Refund]))
                .prop_map(|(m, a, r)| Step::Resolve(m, a, r)),
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
                    Step::Resolve(m, a, r) => c.resolve(m, a, r),
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

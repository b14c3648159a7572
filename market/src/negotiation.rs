//! Negotiation between a brand and a creator about one campaign: a thread of
//! offers, each an immutable version of the terms, that either side can
//! answer with a counter-offer, accept, reject or leave.
//!
//! A thread starts with an offer: a creator's application (a pitch and the
//! fees they propose) or a brand's invitation. Each counter-offer is a new
//! version; an answer names the version it answers, so accepting an offer
//! that a newer one has superseded is refused (`stale_offer`) instead of
//! binding anyone to terms they no longer stand by. Nobody accepts their own
//! offer. An accepted offer becomes a contract ([`crate::Contract::from_offer`]).

use chrono::NaiveDate;
use scout_domain::Platform;
use scout_domain::money::{Currency, Money};
use serde::{Deserialize, Serialize};

use crate::campaign::{CampaignStatus, DeliverableKind, MAX_DELIVERABLES, MAX_PIECES, Visibility};
use crate::error::{Error, Result};
use crate::party::{Actor, Side};

/// Longest message or pitch, in characters.
pub const MAX_MESSAGE_CHARS: usize = 5_000;
/// Longest exclusivity a creator can be asked for, in days.
pub const MAX_EXCLUSIVITY_DAYS: u16 = 365;
/// Longest licence of the content, in months.
pub const MAX_USAGE_MONTHS: u16 = 60;
/// Most versions in one thread (a negotiation, not a chat).
pub const MAX_OFFERS: usize = 50;

/// One line of an offer: `count` pieces of `kind` at `fee` each, due on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TermLine {
    pub kind: DeliverableKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    #[schema(minimum = 1, maximum = 100)]
    pub count: u32,
    /// The fee for one piece.
    pub fee: Money,
    pub due_on: NaiveDate,
}

/// How the brand may use the content.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UsageRights {
    /// Repost on the brand's own channels.
    #[serde(default)]
    pub organic: bool,
    /// Use in paid advertising.
    #[serde(default)]
    pub paid_ads: bool,
    /// For how long, in months (0: only the creator's own post).
    #[serde(default)]
    #[schema(maximum = 60)]
    pub months: u16,
}

/// The terms of one offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Terms {
    pub lines: Vec<TermLine>,
    #[serde(default)]
    pub usage: UsageRights,
    /// Days after the last delivery in which the creator works for no competitor.
    #[serde(default)]
    #[schema(maximum = 365)]
    pub exclusivity_days: u16,
}

impl Terms {
    /// Checks the terms against the campaign's currency: every fee positive
    /// and in it, dates in order, counts and lengths within their caps.
    pub fn validate(&self, currency: Currency) -> Result<()> {
        if self.lines.is_empty() || self.lines.len() > MAX_DELIVERABLES {
            return Err(Error::invalid("terms.lines", format!("must hold 1 to {MAX_DELIVERABLES} lines")));
        }
        for (i, l) in self.lines.iter().enumerate() {
            if l.count == 0 || l.count > MAX_PIECES {
                return Err(Error::invalid(format!("terms.lines[{i}].count"), format!("must be 1 to {MAX_PIECES}")));
            }
            if l.fee.currency != currency {
                return Err(Error::invalid(
                    format!("terms.lines[{i}].fee.currency"),
                    format!("must be the campaign's currency, {currency}"),
                ));
            }
            if l.fee.amount_minor <= 0 {
                return Err(Error::invalid(
                    format!("terms.lines[{i}].fee"),
                    "must be a positive amount in minor units",
                ));
            }
        }
        if self.usage.months > MAX_USAGE_MONTHS {
            return Err(Error::invalid("terms.usage.months", format!("at most {MAX_USAGE_MONTHS}")));
        }
        if self.usage.months > 0 && !self.usage.organic && !self.usage.paid_ads {
            return Err(Error::invalid("terms.usage", "a licence period needs organic or paid use"));
        }
        if self.exclusivity_days > MAX_EXCLUSIVITY_DAYS {
            return Err(Error::invalid("terms.exclusivity_days", format!("at most {MAX_EXCLUSIVITY_DAYS}")));
        }
        self.total().map(|_| ())
    }

    /// What the whole offer costs: Σ count × fee, exactly, in one currency.
    pub fn total(&self) -> Result<Money> {
        let currency = self.lines.first().map_or(Currency::EUR, |l| l.fee.currency);
        let mut sum: i64 = 0;
        for l in &self.lines {
            let line = l.fee.amount_minor.checked_mul(i64::from(l.count));
            sum = match line.and_then(|x| sum.checked_add(x)) {
                Some(s) if l.fee.currency == currency => s,
                _ => return Err(Error::invalid("terms.lines", "fees must add up in one currency without overflow")),
            };
        }
        Ok(Money::new(sum, currency))
    }
}

/// Who opened the thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// The creator applied to a listed campaign.
    Application,
    /// The brand invited the creator.
    Invitation,
}

/// Where a negotiation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NegotiationStatus {
    Open,
    /// An offer was accepted; a contract exists.
    Accepted,
    Rejected,
    /// One side left the thread.
    Withdrawn,
}

impl NegotiationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            NegotiationStatus::Open => "open",
            NegotiationStatus::Accepted => "accepted",
            NegotiationStatus::Rejected => "rejected",
            NegotiationStatus::Withdrawn => "withdrawn",
        }
    }
}

/// One version of the terms, by one side. Never changed once made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    /// 1 for the opening offer, then one more per counter-offer.
    pub version: u32,
    pub by: Side,
    pub terms: Terms,
}

/// A thread's state: its offers, newest last, and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiation {
    pub origin: Origin,
    pub status: NegotiationStatus,
    pub offers: Vec<Offer>,
}

impl Negotiation {
    /// Opens a thread with its first offer: an application by the creator to
    /// a campaign that takes them, or an invitation by the brand.
    pub fn start(
        origin: Origin,
        by: Actor,
        terms: Terms,
        campaign: (CampaignStatus, Visibility),
        currency: Currency,
    ) -> Result<Negotiation> {
        let (status, visibility) = campaign;
        match origin {
            Origin::Application => {
                if by != Actor::CREATOR {
                    return Err(Error::NotAllowed { action: "apply", allowed: "a creator" });
                }
                if !status.takes_applications(visibility) {
                    return Err(Error::Blocked {
                        action: "apply",
                        reason: format!("the campaign is {} and not taking applications", status.as_str()),
                    });
                }
            }
            Origin::Invitation => {
                if by != Actor::BRAND {
                    return Err(Error::NotAllowed { action: "invite", allowed: "the brand" });
                }
                if !status.takes_invitations() {
                    return Err(Error::Blocked {
                        action: "invite",
                        reason: format!("the campaign is {}; publish it first", status.as_str()),
                    });
                }
            }
        }
        terms.validate(currency)?;
        let side = by.side().ok_or(Error::NotAllowed { action: "negotiate", allowed: "the brand or the creator" })?;
        Ok(Negotiation { origin, status: NegotiationStatus::Open, offers: vec![Offer { version: 1, by: side, terms }] })
    }

    /// The newest offer.
    pub fn latest(&self) -> &Offer {
        // A thread is created with one offer and offers are only ever added.
        &self.offers[self.offers.len() - 1]
    }

    /// A new version of the terms by either side; returns its version.
    pub fn counter(&mut self, by: Actor, terms: Terms, currency: Currency) -> Result<u32> {
        let side = self.party(by, "make an offer")?;
        self.open("make an offer")?;
        if self.offers.len() >= MAX_OFFERS {
            return Err(Error::Blocked {
                action: "make an offer",
                reason: format!("a thread holds at most {MAX_OFFERS}"),
            });
        }
        terms.validate(currency)?;
        let version = self.latest().version + 1;
        self.offers.push(Offer { version, by: side, terms });
        Ok(version)
    }

    /// Accepts offer `version`: it must be the latest, and the other side's.
    pub fn accept(&mut self, by: Actor, version: u32) -> Result<&Offer> {
        self.answer(by, version, "accept")?;
        self.status = NegotiationStatus::Accepted;
        Ok(self.latest())
    }

    /// Turns offer `version` down and closes the thread.
    pub fn reject(&mut self, by: Actor, version: u32) -> Result<()> {
        self.answer(by, version, "reject")?;
        self.status = NegotiationStatus::Rejected;
        Ok(())
    }

    /// Either side leaves the thread.
    pub fn withdraw(&mut self, by: Actor) -> Result<()> {
        self.party(by, "withdraw")?;
        self.open("withdraw")?;
        self.status = NegotiationStatus::Withdrawn;
        Ok(())
    }

    /// Whether `by` may write a message in the thread (the parties, in any state).
    pub fn may_message(&self, by: Actor) -> Result<()> {
        self.party(by, "write in the thread").map(|_| ())
    }

    fn answer(&self, by: Actor, version: u32, action: &'static str) -> Result<()> {
        let side = self.party(by, action)?;
        self.open(action)?;
        let latest = self.latest();
        if version != latest.version {
            return Err(Error::StaleOffer { answered: version, latest: latest.version });
        }
        if latest.by == side {
            return Err(Error::Blocked { action, reason: "it is your own offer; the other side answers it".into() });
        }
        Ok(())
    }

    fn party(&self, by: Actor, action: &'static str) -> Result<Side> {
        by.side().ok_or(Error::NotAllowed { action, allowed: "the brand or the creator" })
    }

    fn open(&self, action: &'static str) -> Result<()> {
        if self.status == NegotiationStatus::Open {
            Ok(())
        } else {
            Err(Error::InvalidTransition { object: "negotiation", action, state: self.status.as_str() })
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    pub(crate) fn terms(fee: i64) -> Terms {
        Terms {
            lines: vec![
                TermLine {
                    kind: DeliverableKind::Reel,
                    platform: Some(Platform::Instagram),
                    count: 2,
                    fee: Money::new(fee, Currency::EUR),
                    due_on: NaiveDate::from_ymd_opt(2027, 3, 20).expect("a date"),
                },
                TermLine {
                    kind: DeliverableKind::Story,
                    platform: None,
                    count: 3,
                    fee: Money::new(fee / 4, Currency::EUR),
                    due_on: NaiveDate::from_ymd_opt(2027, 3, 25).expect("a date"),
                },
            ],
            usage: UsageRights { organic: true, paid_ads: false, months: 6 },
            exclusivity_days: 30,
        }
    }

    const LISTED: (CampaignStatus, Visibility) = (CampaignStatus::Open, Visibility::Listed);

    #[test]
    fn an_application_countered_and_accepted() {
        let mut n = Negotiation::start(Origin::Application, Actor::CREATOR, terms(80_000), LISTED, Currency::EUR)
            .expect("apply");
        assert_eq!(n.latest().terms.total().expect("a total"), Money::new(2 * 80_000 + 3 * 20_000, Currency::EUR));
        let v2 = n.counter(Actor::BRAND, terms(60_000), Currency::EUR).expect("counter");
        assert_eq!(v2, 2);
        // The creator cannot accept their own first offer any more, nor the brand its own.
        assert_eq!(n.clone().accept(Actor::CREATOR, 1), Err(Error::StaleOffer { answered: 1, latest: 2 }));
        assert!(matches!(n.clone().accept(Actor::BRAND, 2), Err(Error::Blocked { .. })));
        let accepted = n.accept(Actor::CREATOR, 2).expect("accept").clone();
        assert_eq!(accepted.by, Side::Brand);
        assert_eq!(n.status, NegotiationStatus::Accepted);
        let again = n.withdraw(Actor::BRAND).expect_err("closed");
        assert_eq!(again, Error::InvalidTransition { object: "negotiation", action: "withdraw", state: "accepted" });
    }

    #[test]
    fn who_may_open_a_thread_and_when() {
        let t = terms(50_000);
        let e =
            Negotiation::start(Origin::Application, Actor::BRAND, t.clone(), LISTED, Currency::EUR).expect_err("brand");
        assert_eq!(e.code(), scout_domain::ErrorCode::NotAParty);
        let invite_only = (CampaignStatus::Open, Visibility::InviteOnly);
        assert!(
            Negotiation::start(Origin::Application, Actor::CREATOR, t.clone(), invite_only, Currency::EUR).is_err()
        );
        Negotiation::start(Origin::Invitation, Actor::BRAND, t.clone(), invite_only, Currency::EUR).expect("invite");
        let draft = (CampaignStatus::Draft, Visibility::Listed);
        assert!(Negotiation::start(Origin::Invitation, Actor::BRAND, t.clone(), draft, Currency::EUR).is_err());
        let e = Negotiation::start(Origin::Invitation, Actor::BRAND, t, LISTED, Currency::USD).expect_err("currency");
        assert!(matches!(e, Error::Invalid { ref field, .. } if field == "terms.lines[0].fee.currency"), "{e:?}");
    }

    #[test]
    fn totals_are_exact_and_overflow_is_refused() {
        let mut t = terms(1);
        t.lines[0].fee = Money::new(i64::MAX / 2, Currency::EUR);
        t.lines[0].count = 3;
        assert!(t.total().is_err());
        assert!(t.validate(Currency::EUR).is_err());
    }

    #[derive(Debug, Clone)]
    enum Step {
        Counter(Actor, i64),
        Accept(Actor, u32),
        Reject(Actor, u32),
        Withdraw(Actor),
    }

    fn any_step() -> impl Strategy<Value = Step> {
        let actor = prop::sample::select(Actor::ALL.to_vec());
        prop_oneof![
            (actor.clone(), 1i64..1_000_000).prop_map(|(a, f)| Step::Counter(a, f)),
            (actor.clone(), 0u32..6).prop_map(|(a, v)| Step::Accept(a, v)),
            (actor.clone(), 0u32..6).prop_map(|(a, v)| Step::Reject(a, v)),
            actor.prop_map(Step::Withdraw),
        ]
    }

    proptest! {
        /// Whatever the sides do, in any order: versions count up by one, a
        /// thread closes at most once and never reopens, only the latest offer
        /// is ever accepted and never by its author, admins and Scout never
        /// negotiate, and a refused step changes nothing.
        #[test]
        fn no_sequence_of_steps_breaks_the_negotiation_rules(steps in prop::collection::vec(any_step(), 1..30)) {
            let mut n = Negotiation::start(Origin::Application, Actor::CREATOR, terms(50_000), LISTED, Currency::EUR)
                .expect("apply");
            for step in steps {
                let before = n.clone();
                let result = match &step {
                    Step::Counter(a, fee) => n.counter(*a, terms(*fee), Currency::EUR).map(|_| ()),
                    Step::Accept(a, v) => n.accept(*a, *v).map(|_| ()),
                    Step::Reject(a, v) => n.reject(*a, *v),
                    Step::Withdraw(a) => n.withdraw(*a),
                };
                match result {
                    Ok(()) => {
                        prop_assert_eq!(before.status, NegotiationStatus::Open);
                        let actor = match step { Step::Counter(a, _) | Step::Accept(a, _) | Step::Reject(a, _) | Step::Withdraw(a) => a };
                        prop_assert!(actor.side().is_some());
                        if let Step::Accept(a, v) = step {
                            prop_assert_eq!(v, before.latest().version);
                            prop_assert_ne!(Some(before.latest().by), a.side());
                            prop_assert_eq!(n.status, NegotiationStatus::Accepted);
                        }
                    }
                    Err(e) => {
                        prop_assert_eq!(&n, &before, "a refused step changed the thread");
                        if let Error::InvalidTransition { state, .. } = e {
                            prop_assert_eq!(state, before.status.as_str());
                        }
                    }
                }
                for (i, o) in n.offers.iter().enumerate() {
                    prop_assert_eq!(o.version as usize, i + 1);
                }
            }
        }
    }
}

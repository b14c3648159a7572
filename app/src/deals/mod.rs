//! Negotiations and contracts, for both sides: a creator applies to a listed
//! campaign or a brand invites a creator; offers and counter-offers go back
//! and forth; an accepted offer becomes a contract; both sign; the creator
//! hands in milestones and the brand approves them (or Scout does, once the
//! review window has passed).
//!
//! Each step reads the record, asks `scout-market`'s rule whether the step is
//! allowed and what it changes, and writes the outcome only if nobody wrote
//! in between; when someone did, the step is read and applied again (a few
//! times), so two devices accepting at once make one contract and two
//! signatures at once are both kept.

use scout_domain::ErrorCode;
use scout_domain::account::Role;
use scout_domain::org::Scope;
use scout_market::{Actor, CampaignStatus, Contract, Negotiation, Origin, Parties, Side, Terms, render_terms};
use scout_store::{NewContract, NewNegotiation, StoredNegotiation, ThreadEntry, ThreadStep, Viewer};

use crate::Application;
use crate::access::{Acting, Caller};
use crate::campaigns::RETRIES;
use crate::error::{Error, Result};
use crate::inbox::DealRef;

mod contracts;

/// Longest message, pitch or note, in characters.
pub const MAX_TEXT_CHARS: usize = scout_market::negotiation::MAX_MESSAGE_CHARS;
/// Most content links handed in with one milestone.
pub const MAX_LINKS: usize = 20;
/// Longest content link, in characters.
pub const MAX_LINK_CHARS: usize = 2048;

/// Who takes a step: one of the brand's people (its members, or its agency
/// with a grant), the creator, or a platform administrator.
#[derive(Debug, Clone)]
pub enum Party {
    Brand(Acting),
    Creator(Caller),
    Admin(Caller),
}

impl Party {
    /// The account taking the step.
    pub fn caller(&self) -> &Caller {
        match self {
            Party::Brand(a) => &a.caller,
            Party::Creator(c) | Party::Admin(c) => c,
        }
    }

    pub(crate) fn actor(&self) -> Actor {
        match self {
            Party::Brand(_) => Actor::BRAND,
            Party::Creator(_) => Actor::CREATOR,
            Party::Admin(_) => Actor::Admin,
        }
    }

    pub(crate) fn viewer(&self) -> Viewer {
        match self {
            Party::Brand(a) => Viewer::Org(a.org.id),
            Party::Creator(c) => Viewer::Creator(c.id()),
            Party::Admin(_) => Viewer::Admin,
        }
    }

    pub(crate) fn user(&self) -> i64 {
        match self {
            Party::Brand(a) => a.caller.id(),
            Party::Creator(c) | Party::Admin(c) => c.id(),
        }
    }

    pub(crate) fn actor_name(&self) -> &'static str {
        match self {
            Party::Brand(_) => "brand",
            Party::Creator(_) => "creator",
            Party::Admin(_) => "admin",
        }
    }

    /// Brand people must be allowed to write (and hold the scope); creators
    /// act in a login session.
    pub(crate) fn require_write(&self) -> Result<()> {
        match self {
            Party::Brand(a) => a.require_write(Scope::CampaignsWrite),
            Party::Creator(c) => c.require_session().map(|_| ()),
            Party::Admin(c) => c.require_platform_admin(),
        }
    }

    /// How the other side reads who took a step: the brand's name, the
    /// creator's, or "Scout" for an administrator.
    pub(crate) fn display_name(&self) -> String {
        match self {
            Party::Brand(a) => a.org.name.clone(),
            Party::Creator(c) => c.account.name.clone(),
            Party::Admin(_) => "Scout".into(),
        }
    }

    pub(crate) fn require_read(&self) -> Result<()> {
        match self {
            Party::Brand(a) => a.caller.require(Scope::CampaignsRead),
            Party::Creator(_) => Ok(()),
            Party::Admin(c) => c.require_platform_admin(),
        }
    }
}

pub(super) fn text(field: &str, s: &str) -> Result<String> {
    // Counted as sent, so the limit is the document's `maxLength`.
    if s.chars().count() > MAX_TEXT_CHARS {
        return Err(Error::bad_parameter(field, format!("at most {MAX_TEXT_CHARS} characters")));
    }
    Ok(s.trim().to_string())
}

pub(super) fn kept_changing(what: &str) -> Error {
    Error::refused(ErrorCode::EditConflict, format!("the {what} kept changing; read it again and retry"))
}

impl Application {
    /// Which party `caller` is: a creator account is the creator; anyone
    /// else acts for a brand organisation (`named`, or their own); a platform
    /// administrator who names no organisation is an administrator.
    pub async fn party(&self, caller: Caller, named: Option<i64>) -> Result<Party> {
        match caller.role() {
            Role::Influencer => Ok(Party::Creator(caller)),
            Role::Admin if named.is_none() => Ok(Party::Admin(caller)),
            _ => Ok(Party::Brand(self.acting_for(caller, named).await?)),
        }
    }

    /// A creator applies to a listed campaign for one of their verified profiles.
    pub async fn apply(
        &self,
        caller: &Caller,
        campaign_id: i64,
        profile_id: i64,
        terms: Terms,
        pitch: &str,
    ) -> Result<StoredNegotiation> {
        caller.require_session()?;
        if caller.role() != Role::Influencer {
            return Err(Error::refused(ErrorCode::Forbidden, "only creator accounts apply to campaigns"));
        }
        let pitch = text("pitch", pitch)?;
        let claimed = self.store.privacy().claim(profile_id).await?;
        if !claimed.is_some_and(|c| c.user_id == caller.id() && c.verified_at.is_some()) {
            return Err(Error::refused(
                ErrorCode::ClaimNotVerified,
                format!("profile {profile_id} is not one of your verified profiles; claim it first"),
            ));
        }
        let campaign = self.store.market().campaign(campaign_id).await?;
        // A campaign a creator may not see is one that does not exist for them.
        if campaign.status == CampaignStatus::Draft || campaign.spec.visibility == scout_market::Visibility::Private {
            return Err(Error::Store(scout_store::Error::Missing {
                what: scout_store::Record::Campaign,
                id: campaign_id,
            }));
        }
        let opening = Opening { origin: Origin::Application, profile_id, creator: caller.id(), by: caller.id() };
        let n = self.open_thread(&campaign, opening, terms, &pitch, Viewer::Creator(caller.id())).await?;
        let who = caller.account.name.clone();
        self.tell_thread(&n, caller.id(), "application", |c| format!("{who} applied to {c}")).await;
        Ok(n)
    }

    /// A brand invites the creator of a profile (who must have claimed it) to a campaign.
    pub async fn invite(
        &self,
        acting: &Acting,
        campaign_id: i64,
        profile_id: i64,
        terms: Terms,
        message: &str,
    ) -> Result<StoredNegotiation> {
        acting.require_write(Scope::CampaignsWrite)?;
        crate::campaigns::brand_only(acting)?;
        let message = text("message", message)?;
        let campaign = self.tenant(acting).campaign(campaign_id).await?;
        let creator = match self.store.privacy().claim(profile_id).await? {
            Some(c) if c.verified_at.is_some() => c.user_id,
            _ => {
                return Err(Error::refused(
                    ErrorCode::InvalidTransition,
                    format!("profile {profile_id} has no creator on Scout yet: only claimed profiles can be invited"),
                ));
            }
        };
        let opening = Opening { origin: Origin::Invitation, profile_id, creator, by: acting.caller.id() };
        let n = self.open_thread(&campaign, opening, terms, &message, Viewer::Org(acting.org.id)).await?;
        let who = acting.org.name.clone();
        self.tell_thread(&n, acting.caller.id(), "invitation", |c| format!("{who} invited you to {c}")).await;
        Ok(n)
    }

    /// Tells the other side of thread `n` about a step (`title` gets the
    /// campaign's name), and the sockets watching the thread.
    async fn tell_thread(&self, n: &StoredNegotiation, actor: i64, kind: &str, title: impl FnOnce(&str) -> String) {
        let name = self.store.market().campaign(n.campaign_id).await.map(|c| c.spec.name).unwrap_or_default();
        let deal = DealRef {
            org: n.org_id,
            creator: n.creator_id,
            campaign: Some(n.campaign_id),
            negotiation: Some(n.id),
            contract: n.contract_id,
            actor: Some(actor),
        };
        self.tell(deal, kind, &title(&name)).await;
        self.thread_changed(n.id);
    }

    /// Opens a thread on `campaign` with its first offer, and reads it back as `viewer`.
    async fn open_thread(
        &self,
        campaign: &scout_store::StoredCampaign,
        opening: Opening,
        terms: Terms,
        message: &str,
        viewer: Viewer,
    ) -> Result<StoredNegotiation> {
        let actor = match opening.origin {
            Origin::Application => Actor::CREATOR,
            Origin::Invitation => Actor::BRAND,
        };
        let thread = Negotiation::start(
            opening.origin,
            actor,
            terms,
            (campaign.status, campaign.spec.visibility),
            campaign.spec.budget.currency,
        )?;
        let new = NewNegotiation {
            campaign_id: campaign.id,
            profile_id: opening.profile_id,
            creator_id: Some(opening.creator),
            negotiation: &thread,
            message,
            by: opening.by,
        };
        let id = self.store.market().open_negotiation(new).await?;
        Ok(self.store.market().negotiation(id, viewer).await?)
    }

    /// One thread, for a party to it.
    pub async fn negotiation(&self, party: &Party, id: i64) -> Result<StoredNegotiation> {
        party.require_read()?;
        Ok(self.store.market().negotiation(id, party.viewer()).await?)
    }

    /// The threads of a party, on one campaign or all.
    pub async fn negotiations(
        &self,
        party: &Party,
        campaign: Option<i64>,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<StoredNegotiation>> {
        party.require_read()?;
        Ok(self.store.market().negotiations(party.viewer(), campaign, offset, limit).await?)
    }

    /// A thread's entries after entry `after`.
    pub async fn thread(&self, party: &Party, id: i64, after: i64) -> Result<Vec<ThreadEntry>> {
        party.require_read()?;
        Ok(self.store.market().thread(id, party.viewer(), after).await?)
    }

    /// A counter-offer (a new version of the terms).
    pub async fn counter_offer(
        &self,
        party: &Party,
        id: i64,
        terms: Terms,
        message: &str,
    ) -> Result<StoredNegotiation> {
        let message = text("message", message)?;
        let (n, _) = self
            .negotiation_step(party, id, "offer", &message, |n, actor, currency| {
                n.counter(actor, terms.clone(), currency).map(|_| ())
            })
            .await?;
        let (who, version) = (party.display_name(), n.negotiation.latest().version);
        self.tell_thread(&n, party.user(), "offer", |c| format!("{who} made offer version {version} on {c}")).await;
        Ok(n)
    }

    /// Accepts offer `version`: the contract is made, awaiting both signatures.
    pub async fn accept_offer(&self, party: &Party, id: i64, version: u32) -> Result<(StoredNegotiation, i64)> {
        let (n, contract) =
            self.negotiation_step(party, id, "accept", "", |n, actor, _| n.accept(actor, version).map(|_| ())).await?;
        let contract = contract.ok_or_else(|| Error::internal("accepting an offer", "no contract was written"))?;
        let who = party.display_name();
        self.tell_thread(&n, party.user(), "accepted", |c| {
            format!("{who} accepted offer version {version} on {c}: contract {contract} awaits both signatures")
        })
        .await;
        Ok((n, contract))
    }

    pub async fn reject_offer(&self, party: &Party, id: i64, version: u32, reason: &str) -> Result<StoredNegotiation> {
        let reason = text("reason", reason)?;
        let (n, _) =
            self.negotiation_step(party, id, "reject", &reason, |n, actor, _| n.reject(actor, version)).await?;
        let who = party.display_name();
        self.tell_thread(&n, party.user(), "rejected", |c| format!("{who} rejected offer version {version} on {c}"))
            .await;
        Ok(n)
    }

    pub async fn withdraw(&self, party: &Party, id: i64, reason: &str) -> Result<StoredNegotiation> {
        let reason = text("reason", reason)?;
        let (n, _) = self.negotiation_step(party, id, "withdraw", &reason, |n, actor, _| n.withdraw(actor)).await?;
        let who = party.display_name();
        self.tell_thread(&n, party.user(), "withdrawn", |c| format!("{who} withdrew from the negotiation on {c}"))
            .await;
        Ok(n)
    }

    /// A message in a thread.
    pub async fn post_message(&self, party: &Party, id: i64, body: &str) -> Result<ThreadEntry> {
        party.require_write()?;
        let body = text("body", body)?;
        if body.is_empty() {
            return Err(Error::bad_parameter("body", "a message needs some text"));
        }
        let stored = self.store.market().negotiation(id, party.viewer()).await?;
        stored.negotiation.may_message(party.actor())?;
        let side = party.actor().side().unwrap_or(Side::Brand);
        let entry = self.store.market().post_message(id, side, party.user(), &body).await?;
        let who = party.display_name();
        self.tell_thread(&stored, party.user(), "message", |c| format!("New message from {who} on {c}")).await;
        Ok(entry)
    }

    /// Reads a thread, applies `step` to it and records the outcome, again
    /// if another write came first; an accepted offer writes its contract in
    /// the same transaction.
    async fn negotiation_step(
        &self,
        party: &Party,
        id: i64,
        kind: &'static str,
        body: &str,
        step: impl Fn(&mut Negotiation, Actor, scout_domain::money::Currency) -> scout_market::Result<()>,
    ) -> Result<(StoredNegotiation, Option<i64>)> {
        party.require_write()?;
        let market = self.store.market();
        for _ in 0..RETRIES {
            let stored = market.negotiation(id, party.viewer()).await?;
            let campaign = market.campaign(stored.campaign_id).await?;
            let mut after = stored.negotiation.clone();
            step(&mut after, party.actor(), campaign.spec.budget.currency)?;
            let side = party.actor().side().unwrap_or(Side::Brand);
            let record = ThreadStep { kind, side, body, by: party.user() };
            let made = if kind == "accept" {
                let offer = after.latest().clone();
                let contract = Contract::from_offer(&offer, scout_market::contract::DEFAULT_REVIEW_DAYS)?;
                let fee_bps = self.fee_bps_of(stored.org_id).await?;
                let brand = self.store.orgs().organisation(stored.org_id).await?.map(|o| o.name).unwrap_or_default();
                let profile = self.store.profiles().get_profile(stored.profile_id).await?.profile;
                let creator = format!("@{} on {}", profile.handle, profile.platform.as_str());
                let parties = Parties { brand: &brand, creator: &creator, campaign: &campaign.spec.name };
                let terms_text = render_terms(parties, &offer.terms, contract.review_days, fee_bps);
                let hash = blake3::hash(terms_text.as_bytes()).to_hex().to_string();
                let new = NewContract {
                    contract: &contract,
                    terms: &offer.terms,
                    offer_version: offer.version,
                    terms_text: &terms_text,
                    terms_version: scout_market::TERMS_VERSION,
                    terms_hash: &hash,
                    fee_bps,
                };
                market.record_negotiation(id, &stored.negotiation, &after, record, Some(new)).await
            } else {
                market.record_negotiation(id, &stored.negotiation, &after, record, None).await
            };
            match made {
                Err(scout_store::Error::Stale { .. }) => continue,
                Err(e) => return Err(e.into()),
                Ok(contract) => return Ok((market.negotiation(id, party.viewer()).await?, contract)),
            }
        }
        Err(kept_changing("thread"))
    }
}

/// Who opens a thread, for which profile and creator.
struct Opening {
    origin: Origin,
    profile_id: i64,
    creator: i64,
    by: i64,
}

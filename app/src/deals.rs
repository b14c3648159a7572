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
use scout_market::{
    Actor, CampaignAction, CampaignStatus, Contract, ContractStatus, Effect, Negotiation, Origin, Parties, Resolution,
    Side, Terms, render_terms,
};
use scout_store::{
    ContractStep, NewContract, NewNegotiation, Signature, StoredContract, StoredNegotiation, Submission, ThreadEntry,
    ThreadStep, Viewer,
};

use crate::Application;
use crate::access::{Acting, Caller};
use crate::campaigns::RETRIES;
use crate::error::{Error, Result};

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
    fn actor(&self) -> Actor {
        match self {
            Party::Brand(_) => Actor::BRAND,
            Party::Creator(_) => Actor::CREATOR,
            Party::Admin(_) => Actor::Admin,
        }
    }

    fn viewer(&self) -> Viewer {
        match self {
            Party::Brand(a) => Viewer::Org(a.org.id),
            Party::Creator(c) => Viewer::Creator(c.id()),
            Party::Admin(_) => Viewer::Admin,
        }
    }

    fn user(&self) -> i64 {
        match self {
            Party::Brand(a) => a.caller.id(),
            Party::Creator(c) | Party::Admin(c) => c.id(),
        }
    }

    fn actor_name(&self) -> &'static str {
        match self {
            Party::Brand(_) => "brand",
            Party::Creator(_) => "creator",
            Party::Admin(_) => "admin",
        }
    }

    /// Brand people must be allowed to write (and hold the scope); creators
    /// act in a login session.
    fn require_write(&self) -> Result<()> {
        match self {
            Party::Brand(a) => a.require_write(Scope::CampaignsWrite),
            Party::Creator(c) => c.require_session().map(|_| ()),
            Party::Admin(c) => c.require_platform_admin(),
        }
    }

    fn require_read(&self) -> Result<()> {
        match self {
            Party::Brand(a) => a.caller.require(Scope::CampaignsRead),
            Party::Creator(_) => Ok(()),
            Party::Admin(c) => c.require_platform_admin(),
        }
    }
}

fn text(field: &str, s: &str) -> Result<String> {
    // Counted as sent, so the limit is the document's `maxLength`.
    if s.chars().count() > MAX_TEXT_CHARS {
        return Err(Error::bad_parameter(field, format!("at most {MAX_TEXT_CHARS} characters")));
    }
    Ok(s.trim().to_string())
}

fn kept_changing(what: &str) -> Error {
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
        self.open_thread(&campaign, opening, terms, &pitch, Viewer::Creator(caller.id())).await
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
        self.open_thread(&campaign, opening, terms, &message, Viewer::Org(acting.org.id)).await
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
        self.negotiation_step(party, id, "offer", &message, |n, actor, currency| {
            n.counter(actor, terms.clone(), currency).map(|_| ())
        })
        .await
        .map(|(n, _)| n)
    }

    /// Accepts offer `version`: the contract is made, awaiting both signatures.
    pub async fn accept_offer(&self, party: &Party, id: i64, version: u32) -> Result<(StoredNegotiation, i64)> {
        let (n, contract) =
            self.negotiation_step(party, id, "accept", "", |n, actor, _| n.accept(actor, version).map(|_| ())).await?;
        let contract = contract.ok_or_else(|| Error::internal("accepting an offer", "no contract was written"))?;
        Ok((n, contract))
    }

    pub async fn reject_offer(&self, party: &Party, id: i64, version: u32, reason: &str) -> Result<StoredNegotiation> {
        let reason = text("reason", reason)?;
        self.negotiation_step(party, id, "reject", &reason, |n, actor, _| n.reject(actor, version))
            .await
            .map(|(n, _)| n)
    }

    pub async fn withdraw(&self, party: &Party, id: i64, reason: &str) -> Result<StoredNegotiation> {
        let reason = text("reason", reason)?;
        self.negotiation_step(party, id, "withdraw", &reason, |n, actor, _| n.withdraw(actor)).await.map(|(n, _)| n)
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
        Ok(self.store.market().post_message(id, side, party.user(), &body).await?)
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
                let brand = self.store.orgs().organisation(stored.org_id).await?.map(|o| o.name).unwrap_or_default();
                let profile = self.store.profiles().get_profile(stored.profile_id).await?.profile;
                let creator = format!("@{} on {}", profile.handle, profile.platform.as_str());
                let parties = Parties { brand: &brand, creator: &creator, campaign: &campaign.spec.name };
                let terms_text = render_terms(parties, &offer.terms, contract.review_days);
                let hash = blake3::hash(terms_text.as_bytes()).to_hex().to_string();
                let new = NewContract {
                    contract: &contract,
                    terms: &offer.terms,
                    offer_version: offer.version,
                    terms_text: &terms_text,
                    terms_version: scout_market::TERMS_VERSION,
                    terms_hash: &hash,
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

    /// One contract, for a party to it.
    pub async fn contract(&self, party: &Party, id: i64) -> Result<StoredContract> {
        party.require_read()?;
        Ok(self.store.market().contract(id, party.viewer()).await?)
    }

    pub async fn contracts(
        &self,
        party: &Party,
        campaign: Option<i64>,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<StoredContract>> {
        party.require_read()?;
        Ok(self.store.market().contracts(party.viewer(), campaign, offset, limit).await?)
    }

    /// Every step taken on a contract.
    pub async fn contract_steps(&self, party: &Party, id: i64) -> Result<Vec<scout_store::ContractStepRecord>> {
        party.require_read()?;
        Ok(self.store.market().contract_steps(id, party.viewer()).await?)
    }

    /// A party signs, in their name, from their address. Once both have, the
    /// escrow is funded and work starts (see the note on [`Effect::Fund`]
    /// below), and the campaign is in progress.
    pub async fn sign_contract(&self, party: &Party, id: i64, ip: Option<&str>) -> Result<StoredContract> {
        let name = match party {
            Party::Brand(a) => a.caller.account.name.clone(),
            Party::Creator(c) | Party::Admin(c) => c.account.name.clone(),
        };
        let signature = party.actor().side().map(|side| Signature {
            side,
            user_id: Some(party.user()),
            name,
            ip: ip.map(str::to_string),
            signed_at: self.clock.now(),
        });
        let attach = signature.map_or(Attach::Nothing, Attach::Signature);
        let effects = self.contract_step(Some(party), id, "sign", None, "", |c| c.sign(party.actor()), attach).await?;
        if effects.iter().any(|e| matches!(e, Effect::Fund { .. })) {
            // TODO(ledger issue): the ledger moves the total from the brand's
            // wallet into escrow and only then reports the contract funded;
            // until the ledger exists, the second signature funds it at once.
            self.contract_step(
                None,
                id,
                "fund",
                None,
                "",
                |c| c.funded(Actor::System).map(|_| vec![]),
                Attach::Nothing,
            )
            .await?;
            self.start_campaign_of(id).await?;
        }
        Ok(self.store.market().contract(id, party.viewer()).await?)
    }

    /// The creator hands in milestone `milestone` with links to the content.
    pub async fn submit_milestone(
        &self,
        party: &Party,
        id: i64,
        milestone: usize,
        links: Vec<String>,
        note: &str,
    ) -> Result<StoredContract> {
        let note = text("note", note)?;
        if links.is_empty() || links.len() > MAX_LINKS {
            return Err(Error::bad_parameter("links", format!("1 to {MAX_LINKS} links to the content")));
        }
        for (i, l) in links.iter().enumerate() {
            let ok = (l.starts_with("https://") || l.starts_with("http://"))
                && l.len() <= 2048
                && !l.contains(char::is_whitespace);
            if !ok {
                return Err(Error::bad_parameter(&format!("links[{i}]"), "must be an http(s) address"));
            }
        }
        let now = self.clock.now();
        let attach = Attach::Submission(milestone, Submission { links, note: note.clone() });
        self.contract_step(
            Some(party),
            id,
            "submit",
            Some(milestone),
            &note,
            |c| c.submit(milestone, party.actor(), now).map(|_| vec![]),
            attach,
        )
        .await?;
        Ok(self.store.market().contract(id, party.viewer()).await?)
    }

    pub async fn approve_milestone(&self, party: &Party, id: i64, milestone: usize) -> Result<StoredContract> {
        let approve = |c: &mut Contract| c.approve(milestone, party.actor());
        self.contract_step(Some(party), id, "approve", Some(milestone), "", approve, Attach::Nothing).await?;
        self.finish_campaign_step(id).await;
        Ok(self.store.market().contract(id, party.viewer()).await?)
    }

    pub async fn request_revision(
        &self,
        party: &Party,
        id: i64,
        milestone: usize,
        note: &str,
    ) -> Result<StoredContract> {
        let note = text("note", note)?;
        let revise = |c: &mut Contract| c.request_revision(milestone, party.actor()).map(|_| vec![]);
        self.contract_step(Some(party), id, "request_revision", Some(milestone), &note, revise, Attach::Nothing)
            .await?;
        Ok(self.store.market().contract(id, party.viewer()).await?)
    }

    pub async fn dispute_milestone(
        &self,
        party: &Party,
        id: i64,
        milestone: usize,
        reason: &str,
    ) -> Result<StoredContract> {
        let reason = text("reason", reason)?;
        if reason.is_empty() {
            return Err(Error::bad_parameter("reason", "say what is wrong"));
        }
        let dispute = |c: &mut Contract| c.dispute(milestone, party.actor()).map(|_| vec![]);
        self.contract_step(Some(party), id, "dispute", Some(milestone), &reason, dispute, Attach::Nothing).await?;
        Ok(self.store.market().contract(id, party.viewer()).await?)
    }

    pub async fn resolve_dispute(
        &self,
        party: &Party,
        id: i64,
        milestone: usize,
        resolution: Resolution,
        note: &str,
    ) -> Result<StoredContract> {
        let note = text("note", note)?;
        let resolve = |c: &mut Contract| c.resolve(milestone, party.actor(), resolution);
        self.contract_step(Some(party), id, "resolve", Some(milestone), &note, resolve, Attach::Nothing).await?;
        Ok(self.store.market().contract(id, party.viewer()).await?)
    }

    pub async fn cancel_contract(&self, party: &Party, id: i64, reason: &str) -> Result<StoredContract> {
        let reason = text("reason", reason)?;
        self.contract_step(Some(party), id, "cancel", None, &reason, |c| c.cancel(party.actor()), Attach::Nothing)
            .await?;
        Ok(self.store.market().contract(id, party.viewer()).await?)
    }

    /// Runs [`Application::auto_approve_due`] once a minute in the background,
    /// for as long as the process lives.
    pub fn start_auto_approvals(&self) -> tokio::task::JoinHandle<()> {
        let app = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                match app.auto_approve_due().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(milestones = n, "approved after the review window"),
                    Err(e) => tracing::warn!(error = %e, "automatic approvals failed; retrying in a minute"),
                }
            }
        })
    }

    /// Approves every milestone whose review window has passed on the clock;
    /// returns how many. Run by a background worker.
    pub async fn auto_approve_due(&self) -> Result<usize> {
        let now = self.clock.now();
        let mut approved = 0;
        for id in self.store.market().contracts_in_review().await? {
            for _ in 0..RETRIES {
                let k = self.store.market().contract(id, Viewer::Admin).await?;
                if k.contract.next_auto_approval().is_none_or(|due| due > now) {
                    break;
                }
                let mut after = k.contract.clone();
                let effects = after.auto_approve(now);
                let step = ContractStep {
                    kind: "auto_approve",
                    milestone: None,
                    actor: "system",
                    by: None,
                    detail: "approved after the review window",
                    signature: None,
                    submission: None,
                };
                match self.store.market().record_contract(id, k.revision, &after, step).await {
                    Err(scout_store::Error::Stale { .. }) => continue,
                    Err(e) => return Err(e.into()),
                    Ok(()) => {
                        approved += effects.len();
                        break;
                    }
                }
            }
            self.finish_campaign_step(id).await;
        }
        Ok(approved)
    }

    /// Reads a contract, applies `step` for `party` (none: Scout itself),
    /// and records it with what `attach` adds; again when another write came
    /// first.
    #[allow(clippy::too_many_arguments)]
    async fn contract_step(
        &self,
        party: Option<&Party>,
        id: i64,
        kind: &'static str,
        milestone: Option<usize>,
        detail: &str,
        step: impl Fn(&mut Contract) -> scout_market::Result<Vec<Effect>>,
        attach: Attach,
    ) -> Result<Vec<Effect>> {
        if let Some(p) = party {
            p.require_write()?;
        }
        let viewer = party.map_or(Viewer::Admin, Party::viewer);
        let market = self.store.market();
        for _ in 0..RETRIES {
            let k = market.contract(id, viewer).await?;
            let mut after = k.contract.clone();
            let effects = step(&mut after)?;
            let (signature, submission) = match &attach {
                Attach::Nothing => (None, None),
                Attach::Signature(s) => (Some(s.clone()), None),
                Attach::Submission(m, s) => (None, Some((*m, s.clone()))),
            };
            let record = ContractStep {
                kind,
                milestone,
                actor: party.map_or("system", Party::actor_name),
                by: party.map(Party::user),
                detail,
                signature,
                submission,
            };
            match market.record_contract(id, k.revision, &after, record).await {
                Err(scout_store::Error::Stale { .. }) => continue,
                Err(e) => return Err(e.into()),
                Ok(()) => return Ok(effects),
            }
        }
        Err(kept_changing("contract"))
    }

    /// The first active contract starts its campaign.
    async fn start_campaign_of(&self, contract: i64) -> Result<()> {
        let k = self.store.market().contract(contract, Viewer::Admin).await?;
        let tenant = self.store.tenant(k.org_id);
        for _ in 0..RETRIES {
            let c = tenant.campaign(k.campaign_id).await?;
            if c.status != CampaignStatus::Open {
                return Ok(());
            }
            let (deals, _) = tenant.campaign_deals(c.id).await?;
            let next = c.status.after(CampaignAction::Start, Actor::System, deals, &c.spec, self.clock.today())?;
            match tenant.update_campaign(c.id, c.revision, &c.spec, next).await {
                Err(scout_store::Error::Stale { .. }) => continue,
                other => return other.map(|_| ()).map_err(Into::into),
            }
        }
        Ok(())
    }

    /// Nothing to do when a contract completes but to note it in the log;
    /// completing the campaign stays the brand's decision.
    async fn finish_campaign_step(&self, contract: i64) {
        if let Ok(k) = self.store.market().contract(contract, Viewer::Admin).await
            && k.contract.status == ContractStatus::Completed
        {
            tracing::info!(contract, campaign = k.campaign_id, "contract completed");
        }
    }
}

/// Who opens a thread, for which profile and creator.
struct Opening {
    origin: Origin,
    profile_id: i64,
    creator: i64,
    by: i64,
}

/// What a contract step writes besides the contract's new state.
enum Attach {
    Nothing,
    Signature(Signature),
    Submission(usize, Submission),
}

//! Contracts, after an offer is accepted: reading them, signing, milestones
//! handed in, approved (by the brand, or by Scout once the review window has
//! passed), sent back for revision, disputed and resolved, and cancelling.

use scout_market::{Actor, CampaignAction, CampaignStatus, Contract, ContractStatus, Effect, Resolution};
use scout_store::{ContractStep, Signature, StoredContract, Submission, Viewer};

use super::{MAX_LINKS, Party, kept_changing, text};
use crate::Application;
use crate::campaigns::RETRIES;
use crate::error::{Error, Result};
use crate::inbox::DealRef;

impl Application {
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

    /// The contract as a PDF (its text as signed, the signatures, the terms'
    /// version and hash), for a party to it; and a file name for it.
    pub async fn contract_pdf(&self, party: &Party, id: i64) -> Result<(Vec<u8>, String)> {
        let k = self.contract(party, id).await?;
        let campaign = self.store.market().campaign(k.campaign_id).await?;
        let title = format!("Contract {}: {}", k.id, campaign.spec.name);
        let times: Vec<String> =
            k.signatures.iter().map(|s| s.signed_at.format("%Y-%m-%d %H:%M UTC").to_string()).collect();
        let signatures = k
            .signatures
            .iter()
            .zip(&times)
            .map(|(s, at)| scout_documents::SignatureLine {
                side: s.side.as_str(),
                name: &s.name,
                at,
                address: s.ip.as_deref(),
            })
            .collect();
        let doc = scout_documents::ContractDocument {
            title: &title,
            text: &k.terms_text,
            terms_version: &k.terms_version,
            terms_hash: &k.terms_hash,
            status: k.contract.status.as_str(),
            signatures,
        };
        Ok((scout_documents::contract_pdf(&doc), format!("scout-contract-{}.pdf", k.id)))
    }

    /// A party signs, in their name, from their address. Once both have, the
    /// contract's total moves from the brand's wallet into escrow (or the
    /// contract awaits funding until the wallet holds it), work starts and
    /// the campaign is in progress.
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
            // Both signed: the escrow is funded from the brand's wallet now if
            // it holds enough, else as soon as a funding arrives.
            self.settle_contract_money(id).await?;
        }
        let k = self.store.market().contract(id, party.viewer()).await?;
        let who = party.display_name();
        let status = k.contract.status;
        self.tell_contract(&k, Some(party.user()), "signed", |c, _| match status {
            ContractStatus::Active => {
                format!("{who} signed the contract for {c}: both have signed, the work can start")
            }
            ContractStatus::AwaitingFunding => format!(
                "{who} signed the contract for {c}: both have signed; it starts once the brand's wallet holds its total"
            ),
            _ => format!("{who} signed the contract for {c}; it awaits your signature"),
        })
        .await;
        if status == ContractStatus::AwaitingFunding {
            let total = scout_market::amount_text(k.contract.total());
            self.tell_org(
                k.org_id,
                "funding_needed",
                &format!(
                    "Contract {} is signed: add {total} to your wallet and it starts as soon as the money arrives",
                    k.id
                ),
            )
            .await;
        }
        Ok(k)
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
        let k = self.store.market().contract(id, party.viewer()).await?;
        self.tell_contract(&k, Some(party.user()), "submitted", |c, k| {
            format!("“{}” was handed in for {c}: review it", milestone_title(k, milestone))
        })
        .await;
        Ok(k)
    }

    pub async fn approve_milestone(&self, party: &Party, id: i64, milestone: usize) -> Result<StoredContract> {
        let approve = |c: &mut Contract| c.approve(milestone, party.actor());
        self.contract_step(Some(party), id, "approve", Some(milestone), "", approve, Attach::Nothing).await?;
        self.settle_contract_money(id).await?;
        let k = self.store.market().contract(id, party.viewer()).await?;
        self.tell_contract(&k, Some(party.user()), "approved", |c, k| {
            format!("“{}” was approved on {c}", milestone_title(k, milestone))
        })
        .await;
        self.contract_finished(&k).await;
        Ok(k)
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
        let k = self.store.market().contract(id, party.viewer()).await?;
        self.tell_contract(&k, Some(party.user()), "revision_requested", |c, k| {
            format!("A revision of “{}” was asked for on {c}", milestone_title(k, milestone))
        })
        .await;
        Ok(k)
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
        let k = self.store.market().contract(id, party.viewer()).await?;
        let who = party.display_name();
        self.tell_contract(&k, Some(party.user()), "disputed", |c, k| {
            format!("{who} disputed “{}” on {c}", milestone_title(k, milestone))
        })
        .await;
        Ok(k)
    }

    pub async fn resolve_dispute(
        &self,
        party: &Party,
        id: i64,
        milestone: usize,
        resolution: Resolution,
        to_creator_minor: Option<i64>,
        note: &str,
    ) -> Result<StoredContract> {
        let note = text("note", note)?;
        let resolve = |c: &mut Contract| c.resolve(milestone, party.actor(), resolution, to_creator_minor);
        self.contract_step(Some(party), id, "resolve", Some(milestone), &note, resolve, Attach::Nothing).await?;
        self.settle_contract_money(id).await?;
        let k = self.store.market().contract(id, party.viewer()).await?;
        self.tell_contract(&k, Some(party.user()), "resolved", |c, k| {
            format!("The dispute over “{}” on {c} was resolved", milestone_title(k, milestone))
        })
        .await;
        self.contract_finished(&k).await;
        Ok(k)
    }

    pub async fn cancel_contract(&self, party: &Party, id: i64, reason: &str) -> Result<StoredContract> {
        let reason = text("reason", reason)?;
        self.contract_step(Some(party), id, "cancel", None, &reason, |c| c.cancel(party.actor()), Attach::Nothing)
            .await?;
        self.settle_contract_money(id).await?;
        let k = self.store.market().contract(id, party.viewer()).await?;
        let who = party.display_name();
        self.tell_contract(&k, Some(party.user()), "cancelled", |c, _| format!("{who} cancelled the contract for {c}"))
            .await;
        Ok(k)
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
                        self.settle_contract_money(id).await?;
                        if let Ok(k) = self.store.market().contract(id, Viewer::Admin).await
                            && !effects.is_empty()
                        {
                            let n = effects.len();
                            self.tell_contract(&k, None, "approved", |c, _| {
                                format!("{n} milestone(s) on {c} were approved after the review window")
                            })
                            .await;
                            self.contract_finished(&k).await;
                        }
                        break;
                    }
                }
            }
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
    pub(crate) async fn start_campaign_of(&self, contract: i64) -> Result<()> {
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

    /// Tells the other side of contract `k` about a step (`title` gets the
    /// campaign's name and the contract).
    pub(crate) async fn tell_contract(
        &self,
        k: &StoredContract,
        actor: Option<i64>,
        kind: &str,
        title: impl FnOnce(&str, &StoredContract) -> String,
    ) {
        let name = self.store.market().campaign(k.campaign_id).await.map(|c| c.spec.name).unwrap_or_default();
        let deal = DealRef {
            org: k.org_id,
            creator: k.creator_id,
            campaign: Some(k.campaign_id),
            negotiation: k.negotiation_id,
            contract: Some(k.id),
            actor,
        };
        self.tell(deal, kind, &title(&name, k)).await;
    }

    /// When a step completed contract `k`: both sides are told they can
    /// review, and the referrals of its parties whose first completed
    /// contract this is earn their reward. Completing the campaign stays the
    /// brand's decision.
    async fn contract_finished(&self, k: &StoredContract) {
        if k.contract.status != ContractStatus::Completed {
            return;
        }
        tracing::info!(contract = k.id, campaign = k.campaign_id, "contract completed");
        self.tell_contract(k, None, "completed", |c, _| format!("The contract for {c} is complete: rate how it went"))
            .await;
        if let Err(e) = self.earn_referrals(k).await {
            tracing::warn!(error = %e, contract = k.id, "referral rewards were not recorded");
        }
    }
}

/// What a contract step writes besides the contract's new state.
enum Attach {
    Nothing,
    Signature(Signature),
    Submission(usize, Submission),
}

/// A milestone's title, or its number when the contract has no such milestone.
fn milestone_title(k: &StoredContract, milestone: usize) -> String {
    k.contract.milestones.get(milestone).map_or_else(|| format!("milestone {milestone}"), |m| m.title.clone())
}

//! Campaigns, for the brand that runs them (its members, or an agency acting
//! for it with a grant): create, list, read, edit within what the campaign's
//! state allows, and move it through its states. The rules are
//! `scout-market`'s; the records go through the organisation's
//! [`Tenant`](scout_store::Tenant) handle, so another organisation's campaign
//! is never found.

use scout_domain::ErrorCode;
use scout_domain::org::{OrgKind, Scope};
use scout_market::{Actor, CampaignAction, CampaignSpec, campaign::check_edit};
use scout_store::{CampaignQuery, StoredCampaign};

use crate::Application;
use crate::access::Acting;
use crate::error::{Error, Result};

/// How many times a step is re-applied when another write came first.
pub(crate) const RETRIES: usize = 5;

pub(crate) fn brand_only(acting: &Acting) -> Result<()> {
    if acting.org.kind != OrgKind::Brand {
        return Err(Error::refused(
            ErrorCode::NotABrand,
            "campaigns belong to brands: act for a client brand (X-Scout-Org) to run one",
        ));
    }
    Ok(())
}

impl Application {
    /// Stores a new campaign as a draft.
    pub async fn create_campaign(&self, acting: &Acting, spec: CampaignSpec) -> Result<StoredCampaign> {
        acting.require_write(Scope::CampaignsWrite)?;
        brand_only(acting)?;
        spec.validate()?;
        Ok(self.tenant(acting).create_campaign(&spec, acting.caller.id()).await?)
    }

    /// The organisation's campaigns matching `query`, with the total.
    pub async fn campaigns(&self, acting: &Acting, query: &CampaignQuery) -> Result<(Vec<StoredCampaign>, i64)> {
        acting.caller.require(Scope::CampaignsRead)?;
        Ok(self.tenant(acting).campaigns(query).await?)
    }

    pub async fn campaign(&self, acting: &Acting, id: i64) -> Result<StoredCampaign> {
        acting.caller.require(Scope::CampaignsRead)?;
        Ok(self.tenant(acting).campaign(id).await?)
    }

    /// Replaces the campaign's spec. `revision`, when given, is the one the
    /// caller edited (a later write by someone else is `edit_conflict`
    /// rather than silently overwritten); only fields the campaign's state
    /// lets change may differ.
    pub async fn edit_campaign(
        &self,
        acting: &Acting,
        id: i64,
        revision: Option<i64>,
        spec: CampaignSpec,
    ) -> Result<StoredCampaign> {
        acting.require_write(Scope::CampaignsWrite)?;
        let tenant = self.tenant(acting);
        let current = tenant.campaign(id).await?;
        if let Some(r) = revision
            && r != current.revision
        {
            return Err(edit_conflict(id, r, current.revision));
        }
        let (_, committed) = tenant.campaign_deals(id).await?;
        check_edit(current.status, &current.spec, &spec, committed)?;
        Ok(tenant.update_campaign(id, current.revision, &spec, current.status).await?)
    }

    /// Publishes, unpublishes, starts, completes or cancels a campaign.
    pub async fn move_campaign(&self, acting: &Acting, id: i64, action: CampaignAction) -> Result<StoredCampaign> {
        acting.require_write(Scope::CampaignsWrite)?;
        let tenant = self.tenant(acting);
        for _ in 0..RETRIES {
            let current = tenant.campaign(id).await?;
            let (deals, _) = tenant.campaign_deals(id).await?;
            let next = current.status.after(action, Actor::BRAND, deals, &current.spec, self.clock.today())?;
            match tenant.update_campaign(id, current.revision, &current.spec, next).await {
                Err(scout_store::Error::Stale { .. }) => continue,
                other => return Ok(other?),
            }
        }
        Err(Error::refused(ErrorCode::EditConflict, "the campaign kept changing; try again"))
    }

    /// The clock the marketplace's rules read (tests move it forward).
    pub fn clock(&self) -> &crate::clock::Clock {
        &self.clock
    }
}

fn edit_conflict(id: i64, edited: i64, current: i64) -> Error {
    Error::refused(
        ErrorCode::EditConflict,
        format!(
            "campaign {id} changed since revision {edited} (it is at revision {current}); reload it and edit again"
        ),
    )
}

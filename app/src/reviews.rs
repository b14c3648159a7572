//! Ratings and reviews after a contract: each side rates the other once,
//! edits for 14 days, and platform administrators may remove a review. The
//! rules are `scout_market::review`'s; whether the reviewed side kept its
//! dates is read off the contract's recorded steps, never asked.

use scout_domain::ProfileId;
use scout_domain::org::OrgId;
use scout_market::Side;
use scout_market::review;
use scout_store::{NewReview, RatingSummary, StoredReview, Viewer};

use crate::Application;
use crate::access::Caller;
use crate::deals::Party;
use crate::error::{Error, Result};

/// A rating summed over reviews.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Rating {
    /// Reviews counted.
    pub count: i64,
    /// Mean rating, 1–5.
    pub mean: f64,
    /// Share of reviewed contracts where this side kept its dates.
    pub on_time_rate: Option<f64>,
}

impl From<RatingSummary> for Rating {
    fn from(r: RatingSummary) -> Self {
        Rating { count: r.count, mean: r.mean, on_time_rate: r.on_time_rate }
    }
}

/// Most reviews one page holds.
pub const MAX_PAGE: i64 = 100;

impl Application {
    /// The party's review of the other side of a completed contract.
    pub async fn review_contract(&self, party: &Party, contract: i64, rating: u8, text: &str) -> Result<StoredReview> {
        party.require_write()?;
        let k = self.store.market().contract(contract, party.viewer()).await?;
        let side = review::writer(k.contract.status, party.actor())?;
        let body = review::check(rating, text)?;
        let on_time = self.kept_dates(&k, review::reviewed(side)).await?;
        let new = NewReview {
            contract_id: k.id,
            side,
            author_id: party.user(),
            org_id: k.org_id,
            profile_id: k.profile_id,
            rating,
            body: &body,
            on_time,
        };
        let stored = self.store.market().add_review(new).await?;
        self.refresh_reputation(stored.profile_id.filter(|_| side == Side::Brand)).await;
        let name = self.store.market().campaign(k.campaign_id).await.map(|c| c.spec.name).unwrap_or_default();
        let deal = crate::inbox::DealRef {
            org: k.org_id,
            creator: k.creator_id,
            campaign: Some(k.campaign_id),
            negotiation: k.negotiation_id,
            contract: Some(k.id),
            actor: Some(party.user()),
        };
        let who = party.display_name();
        self.tell(deal, "review", &format!("{who} rated the work on {name} {rating} of 5")).await;
        Ok(stored)
    }

    /// Whether `side` kept its dates on contract `k`: the creator handed in
    /// every milestone by its due day (first submissions); the brand
    /// reviewed every submission before its window ran out.
    async fn kept_dates(&self, k: &scout_store::StoredContract, side: Side) -> Result<Option<bool>> {
        let steps = self.store.market().contract_steps(k.id, Viewer::Admin).await?;
        Ok(match side {
            Side::Creator => {
                let firsts: Vec<_> = k
                    .contract
                    .milestones
                    .iter()
                    .enumerate()
                    .map(|(i, m)| {
                        let first =
                            steps.iter().filter(|s| s.kind == "submit" && s.milestone == Some(i)).map(|s| s.at).min();
                        (m.due_on, first)
                    })
                    .collect();
                review::creator_on_time(&firsts)
            }
            Side::Brand => Some(review::brand_on_time(steps.iter().filter(|s| s.kind == "auto_approve").count())),
        })
    }

    /// Rewrites the author's review, within the edit window.
    pub async fn edit_review(&self, party: &Party, id: i64, rating: u8, text: &str) -> Result<StoredReview> {
        party.require_write()?;
        let current = self.store.market().review(id).await?;
        // A review of a contract outside the party's view does not exist for them.
        self.store.market().contract(current.contract_id, party.viewer()).await.map_err(|_| not_found(id))?;
        review::check_edit(current.side, party.actor(), current.created_at, self.clock.now()).map_err(|e| match e {
            scout_market::Error::Blocked { .. } => {
                Error::refused(scout_domain::ErrorCode::ReviewLocked, format!("review {id}: {e}"))
            }
            other => other.into(),
        })?;
        let body = review::check(rating, text)?;
        let edited = self.store.market().edit_review(id, current.updated_at, rating, &body).await?;
        self.refresh_reputation(edited.profile_id.filter(|_| edited.side == Side::Brand)).await;
        Ok(edited)
    }

    /// Reads every rated creator's ratings into the search engine (at start).
    pub async fn load_reputations(&self) -> Result<usize> {
        let all = self.store.market().all_profile_ratings().await?;
        let n = all.len();
        self.engine.reputations().replace_all(all.into_iter().map(|(id, r)| (id, reputation_of(&r))));
        Ok(n)
    }

    /// Reloads every rated creator's ratings each minute, so reviews written
    /// through another API node reach this one's ranking too.
    pub fn start_reputation_refresh(&self) -> tokio::task::JoinHandle<()> {
        let app = self.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
            every.tick().await;
            loop {
                every.tick().await;
                if let Err(e) = app.load_reputations().await {
                    tracing::warn!(error = %e, "creators' ratings were not reloaded for ranking");
                }
            }
        })
    }

    /// Brings one creator's reputation in the search engine up to date after
    /// a review of them changed. A failure leaves the old figure until the
    /// next start, and is logged: the review itself is stored.
    async fn refresh_reputation(&self, profile: Option<ProfileId>) {
        let Some(profile) = profile else { return };
        match self.store.market().profile_ratings(&[profile]).await {
            Ok(mut found) => self.engine.reputations().set(profile, found.remove(&profile).as_ref().map(reputation_of)),
            Err(e) => tracing::warn!(error = %e, profile, "a creator's rating was not refreshed for search"),
        }
    }

    /// Removes a review (platform administrators).
    pub async fn remove_review(&self, caller: &Caller, id: i64) -> Result<()> {
        caller.require_platform_admin()?;
        let current = self.store.market().review(id).await?;
        if !self.store.market().remove_review(id).await? {
            return Err(not_found(id));
        }
        self.refresh_reputation(current.profile_id.filter(|_| current.side == Side::Brand)).await;
        Ok(())
    }

    /// The reviews of a contract, for a party to it.
    pub async fn contract_reviews(&self, party: &Party, contract: i64) -> Result<Vec<StoredReview>> {
        party.require_read()?;
        self.store.market().contract(contract, party.viewer()).await?;
        Ok(self.store.market().contract_reviews(contract).await?)
    }

    /// What brands wrote about a creator's profile, with its rating.
    pub async fn profile_reviews(
        &self,
        profile: ProfileId,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<StoredReview>, Option<RatingSummary>)> {
        page(offset, limit)?;
        self.store.profiles().get_profile(profile).await?;
        let list = self.store.market().profile_reviews(profile, offset, limit).await?;
        Ok((list, self.store.market().profile_ratings(&[profile]).await?.remove(&profile)))
    }

    /// What creators wrote about a brand organisation, with its rating.
    pub async fn org_reviews(
        &self,
        org: OrgId,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<StoredReview>, Option<RatingSummary>)> {
        page(offset, limit)?;
        let found = self.store.orgs().organisation(org).await?;
        if !found.is_some_and(|o| o.kind == scout_domain::org::OrgKind::Brand) {
            return Err(Error::refused(scout_domain::ErrorCode::OrganisationNotFound, format!("no brand {org}")));
        }
        let list = self.store.market().org_reviews(org, offset, limit).await?;
        Ok((list, self.store.market().org_ratings(&[org]).await?.remove(&org)))
    }

    /// Ratings of creator profiles (for result cards).
    pub async fn profile_ratings(
        &self,
        profiles: &[ProfileId],
    ) -> Result<std::collections::HashMap<ProfileId, RatingSummary>> {
        Ok(self.store.market().profile_ratings(profiles).await?)
    }

    /// Ratings of brand organisations (for the marketplace).
    pub async fn org_ratings(&self, orgs: &[OrgId]) -> Result<std::collections::HashMap<OrgId, RatingSummary>> {
        Ok(self.store.market().org_ratings(orgs).await?)
    }
}

fn page(offset: i64, limit: i64) -> Result<()> {
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(Error::bad_parameter("limit", format!("from 1 to {MAX_PAGE}")));
    }
    if !(0..=10_000).contains(&offset) {
        return Err(Error::bad_parameter("offset", "from 0 to 10000"));
    }
    Ok(())
}

fn not_found(id: i64) -> Error {
    Error::Store(scout_store::Error::Missing { what: scout_store::Record::Review, id })
}

fn reputation_of(r: &RatingSummary) -> scout_ranker::reputation::Reputation {
    scout_ranker::reputation::Reputation {
        reviews: u32::try_from(r.count).unwrap_or(u32::MAX),
        mean: r.mean,
        on_time_rate: r.on_time_rate,
    }
}

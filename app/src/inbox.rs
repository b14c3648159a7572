//! Telling the parties of a deal what happened: every step on a thread or
//! contract is written to the inbox of each person on the other side (the
//! brand's members, the members of agencies acting for it, the creator) and
//! published at once to their open event streams. The one who took the step
//! is not told about it.
//!
//! Telling is best effort: the step itself is already recorded when it runs,
//! so a failure here is logged and never undoes or fails the step.

use scout_domain::org::OrgId;
use scout_store::{NewNotification, StoredNotification};

use crate::Application;
use crate::access::Caller;
use crate::error::{Error, Result};
use crate::notify::{Notification, Topic};

/// Most notifications one page holds.
pub const MAX_PAGE: i64 = 100;

/// The deal a step was taken on.
#[derive(Debug, Clone, Copy, Default)]
pub struct DealRef {
    /// The brand organisation.
    pub org: OrgId,
    /// The creator's account, when known.
    pub creator: Option<i64>,
    pub campaign: Option<i64>,
    pub negotiation: Option<i64>,
    pub contract: Option<i64>,
    /// Who took the step (none: Scout itself).
    pub actor: Option<i64>,
}

impl DealRef {
    /// Where the web app shows the deal.
    fn link(&self) -> String {
        match (self.contract, self.negotiation, self.campaign) {
            (Some(k), _, _) => format!("/contracts/{k}"),
            (None, Some(n), _) => format!("/threads/{n}"),
            (None, None, Some(c)) => format!("/campaigns/{c}"),
            _ => "/".into(),
        }
    }
}

impl Application {
    /// Writes `title` to the inbox of everyone on the deal but its actor, and
    /// publishes it to their streams.
    pub async fn tell(&self, deal: DealRef, kind: &str, title: &str) {
        if let Err(e) = self.try_tell(deal, kind, title).await {
            tracing::warn!(error = %e, kind, org = deal.org, "a deal notification was not delivered");
        }
    }

    async fn try_tell(&self, deal: DealRef, kind: &str, title: &str) -> Result<()> {
        let mut recipients: Vec<i64> = self.store.orgs().members(deal.org).await?.iter().map(|m| m.user_id).collect();
        for agency in self.store.orgs().agencies_of(deal.org).await? {
            recipients.extend(self.store.orgs().members(agency.org.id).await?.iter().map(|m| m.user_id));
        }
        recipients.extend(deal.creator);
        recipients.retain(|r| Some(*r) != deal.actor);
        let link = deal.link();
        let new = NewNotification {
            kind,
            title,
            link: &link,
            campaign_id: deal.campaign,
            negotiation_id: deal.negotiation,
            contract_id: deal.contract,
            actor_id: deal.actor,
        };
        self.deliver(&recipients, &new).await
    }

    /// Tells everyone who acts for brand `org` (its members and its
    /// agencies' members) about its money; best effort, like [`Application::tell`].
    pub(crate) async fn tell_org(&self, org: OrgId, kind: &str, title: &str) {
        let deal = DealRef { org, ..DealRef::default() };
        let new = NewNotification {
            kind,
            title,
            link: "/wallet",
            campaign_id: None,
            negotiation_id: None,
            contract_id: None,
            actor_id: None,
        };
        let sent = async {
            let mut recipients: Vec<i64> = self.store.orgs().members(org).await?.iter().map(|m| m.user_id).collect();
            for agency in self.store.orgs().agencies_of(deal.org).await? {
                recipients.extend(self.store.orgs().members(agency.org.id).await?.iter().map(|m| m.user_id));
            }
            self.deliver(&recipients, &new).await
        };
        if let Err(e) = sent.await {
            tracing::warn!(error = %e, kind, org, "a money notification was not delivered");
        }
    }

    /// Tells one person about their money (`link`: where the web app shows it).
    pub(crate) async fn tell_user(&self, user: i64, kind: &str, title: &str, link: &str) {
        let new = NewNotification {
            kind,
            title,
            link,
            campaign_id: None,
            negotiation_id: None,
            contract_id: None,
            actor_id: None,
        };
        if let Err(e) = self.deliver(&[user], &new).await {
            tracing::warn!(error = %e, kind, user, "a money notification was not delivered");
        }
    }

    async fn deliver(&self, recipients: &[i64], new: &NewNotification<'_>) -> Result<()> {
        for row in self.store.inbox().notify(recipients, new).await? {
            let at = row.at;
            self.notifier.publish(Notification {
                user_id: Some(row.user_id),
                org_id: None,
                topic: Topic::Deal(row),
                at,
            });
        }
        Ok(())
    }

    /// Tells the sockets watching a thread that it has new entries.
    pub(crate) fn thread_changed(&self, negotiation: i64) {
        self.notifier.publish(Notification {
            user_id: None,
            org_id: None,
            topic: Topic::Thread { negotiation },
            at: chrono::Utc::now(),
        });
    }

    /// The caller's notifications, newest first, and how many are unread.
    pub async fn notifications(
        &self,
        caller: &Caller,
        unread_only: bool,
        before: Option<i64>,
        limit: Option<i64>,
    ) -> Result<(Vec<StoredNotification>, i64)> {
        let limit = limit.unwrap_or(30);
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(Error::bad_parameter("limit", format!("from 1 to {MAX_PAGE}")));
        }
        if before.is_some_and(|b| b < 1) {
            return Err(Error::bad_parameter("before", "a notification id (1 or more)"));
        }
        let inbox = self.store.inbox();
        let list = inbox.list(caller.id(), unread_only, before, limit).await?;
        Ok((list, inbox.unread(caller.id()).await?))
    }

    /// Marks the caller's notifications read up to `up_to` (all without it);
    /// returns how many stay unread.
    pub async fn mark_read(&self, caller: &Caller, up_to: Option<i64>) -> Result<i64> {
        if up_to.is_some_and(|u| u < 1) {
            return Err(Error::bad_parameter("up_to", "a notification id (1 or more)"));
        }
        let inbox = self.store.inbox();
        inbox.mark_read(caller.id(), up_to).await?;
        Ok(inbox.unread(caller.id()).await?)
    }
}

//! Profiles: read (with the consent rule), upsert, delete, JSON Lines import
//! and export. Every write wakes the indexer, so it is searchable within a second.

use scout_domain::account::Role;
use scout_domain::org::Scope;
use scout_domain::{ErrorCode, Profile, ProfileId};
use scout_store::{Consent, StoredProfile};
use tokio::io::{AsyncBufRead, AsyncWrite};

use crate::Application;
use crate::access::Caller;
use crate::error::{Error, Result};
use crate::pipeline::{self, ImportReport};

/// What an upsert did to the stored record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpsertOutcome {
    Inserted,
    Updated,
    Unchanged,
}

impl UpsertOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            UpsertOutcome::Inserted => "inserted",
            UpsertOutcome::Updated => "updated",
            UpsertOutcome::Unchanged => "unchanged",
        }
    }
}

/// The result of one profile's upsert.
#[derive(Debug, Clone)]
pub struct Upserted {
    pub id: ProfileId,
    pub outcome: UpsertOutcome,
    /// Unknown fields that were dropped.
    pub warnings: Vec<String>,
}

fn erased() -> Error {
    Error::refused(ErrorCode::ProfileErased, "this person's data was erased at their request; it is not stored again")
}

impl Application {
    /// A profile the caller may read: searchers read every listed profile; a
    /// creator reads the ones they claimed; a creator who withdrew consent is
    /// hidden from all but themselves and platform admins.
    pub async fn readable_profile(&self, caller: &Caller, id: ProfileId) -> Result<StoredProfile> {
        let claim = self.store.privacy().claim(id).await?;
        let own = claim.as_ref().is_some_and(|c| c.user_id == caller.id());
        if !own {
            caller.require(Scope::Search)?;
            let withdrawn = claim.as_ref().is_some_and(|c| c.verified_at.is_some() && c.consent == Consent::Withdrawn);
            if withdrawn && caller.role() != Role::Admin {
                return Err(scout_store::Error::NotFound { id }.into());
            }
        }
        Ok(self.store.profiles().get_profile(id).await?)
    }

    /// Creates or updates one profile by (platform, external_id).
    pub async fn upsert_profile(&self, caller: &Caller, body: serde_json::Value) -> Result<Upserted> {
        caller.require(Scope::ProfilesWrite)?;
        let parsed = Profile::parse_value(body)?;
        let summary = self.store.profiles().upsert_profiles(std::slice::from_ref(&parsed.profile)).await?;
        if !summary.refused.is_empty() {
            return Err(erased());
        }
        self.wake_indexer();
        let outcome = if summary.inserted > 0 {
            UpsertOutcome::Inserted
        } else if summary.updated > 0 {
            UpsertOutcome::Updated
        } else {
            UpsertOutcome::Unchanged
        };
        let id = match summary.changed_ids.first() {
            Some(id) => *id,
            None => self
                .store
                .profiles()
                .find_id(parsed.profile.platform.as_str(), &parsed.profile.external_id)
                .await?
                .ok_or_else(|| Error::internal("upserting a profile", "upserted profile not found"))?,
        };
        Ok(Upserted { id, outcome, warnings: parsed.warnings })
    }

    /// Deletes a profile.
    pub async fn delete_profile(&self, caller: &Caller, id: ProfileId) -> Result<()> {
        caller.require(Scope::ProfilesWrite)?;
        if !self.store.profiles().delete_profile(id).await? {
            return Err(Error::refused(ErrorCode::ProfileNotFound, format!("profile {id} not found")));
        }
        self.wake_indexer();
        Ok(())
    }

    /// Imports JSON Lines (one profile per line): invalid lines are reported
    /// with their line number and reason, valid ones imported; the indexer is
    /// woken after every batch.
    pub async fn import_profiles<R: AsyncBufRead + Unpin>(&self, caller: &Caller, reader: R) -> Result<ImportReport> {
        caller.require(Scope::ProfilesWrite)?;
        let notify = self.index_notify.clone();
        let report = pipeline::import_lines(&self.store, reader, None, |_| notify.notify_one()).await?;
        self.wake_indexer();
        Ok(report)
    }

    /// Checks that the caller may export every profile (the export itself
    /// streams: [`Application::export_profiles`]).
    pub fn may_export_profiles(&self, caller: &Caller) -> Result<()> {
        caller.require(Scope::ProfilesWrite)
    }

    /// Writes every profile as JSON Lines; how many.
    pub async fn export_profiles<W: AsyncWrite + Unpin>(&self, out: &mut W) -> Result<u64> {
        pipeline::export(&self.store, out).await
    }
}

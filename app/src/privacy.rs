//! Personal data: creators claiming their imported profiles and editing their
//! public fields, consent, and GDPR export and erasure (by the person, or by a
//! platform admin for an account or a platform handle).
//!
//! Erasure removes the rows (the store tombstones the identifiers), waits
//! until the indexer has applied the deletions, then rewrites the index
//! segments that still held them, so the person is gone from the database,
//! the text index, the vectors and every export.

use std::time::{Duration, Instant};

use scout_domain::{AuditKind, ErrorCode, Platform, Profile, ProfileId};
use scout_store::{Claim, Consent, UserArchive};

use crate::Application;
use crate::access::Caller;
use crate::error::{Error, Internal, Result};
use crate::security::password;

/// How long an erasure waits for the indexer to apply its deletions.
const INDEXER_WAIT: Duration = Duration::from_secs(30);

/// The fields a creator controls on a claimed profile (`None`: unchanged).
#[derive(Debug, Clone, Default)]
pub struct PublicFields {
    pub display_name: Option<String>,
    pub bio: Option<String>,
    pub contact_email: Option<String>,
    pub categories: Option<Vec<String>>,
    pub rates: Option<serde_json::Value>,
}

/// Whom an admin erases: an account (and the profiles it claimed), or
/// every profile with a handle on a platform; exactly one of the two.
#[derive(Debug, Clone, Default)]
pub struct ErasureRequest {
    pub user_id: Option<i64>,
    pub platform: Option<String>,
    pub handle: Option<String>,
    /// Why (kept with the tombstone).
    pub reason: String,
}

/// What an erasure removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Erased {
    pub accounts: u64,
    pub profiles: u64,
    /// Text index segments rewritten to drop the erased profiles.
    pub index_segments_rewritten: usize,
}

fn claim_not_found() -> Error {
    Error::refused(ErrorCode::ClaimNotFound, "this account has no claim on this profile")
}

impl Application {
    /// The caller's claim on a profile (not found when it is someone else's or none).
    async fn own_claim(&self, caller: &Caller, id: ProfileId) -> Result<Claim> {
        self.store.privacy().claim(id).await?.filter(|c| c.user_id == caller.id()).ok_or_else(claim_not_found)
    }

    /// The caller's verified claim on a profile.
    async fn verified_claim(&self, caller: &Caller, id: ProfileId) -> Result<Claim> {
        caller.require_influencer()?;
        let claim = self.own_claim(caller, id).await?;
        if claim.verified_at.is_none() {
            return Err(Error::refused(ErrorCode::ClaimNotVerified, "verify the claim first"));
        }
        Ok(claim)
    }

    /// Starts claiming an imported profile (creator accounts): the code to
    /// show in the profile's bio on its platform.
    pub async fn claim_profile(&self, caller: &Caller, id: ProfileId, ip: Option<&str>) -> Result<Claim> {
        caller.require_influencer()?;
        let code = format!("scout-{}", self.tokens.random_token(4).internal("drawing a claim code")?);
        let claim = self.store.privacy().claim_profile(id, caller.id(), &code).await?;
        self.audit(Some(caller.id()), AuditKind::ProfileClaimStarted, ip, &format!("profile {id}")).await?;
        Ok(claim)
    }

    /// Starts claiming the profile with this platform and handle: how a
    /// creator finds their own profile without searching.
    pub async fn claim_by_handle(
        &self,
        caller: &Caller,
        platform: &str,
        handle: &str,
        ip: Option<&str>,
    ) -> Result<Claim> {
        caller.require_influencer()?;
        let platform = Platform::from_name(platform.trim())
            .ok_or_else(|| Error::bad_parameter("platform", format!("unknown platform `{platform}`")))?;
        let handle = handle.trim().trim_start_matches('@');
        if handle.is_empty() || handle.chars().count() > 100 {
            return Err(Error::bad_parameter("handle", "must be 1 to 100 characters"));
        }
        let id =
            self.store.privacy().profiles_by_handle(platform.as_str(), handle).await?.into_iter().min().ok_or_else(
                || {
                    Error::refused(
                        ErrorCode::ProfileNotFound,
                        format!("Scout has no {} profile @{handle}", platform.as_str()),
                    )
                },
            )?;
        self.claim_profile(caller, id, ip).await
    }

    /// The caller's claims, verified or not.
    pub async fn my_claims(&self, caller: &Caller) -> Result<Vec<Claim>> {
        caller.require_influencer()?;
        Ok(self.store.privacy().claims_of(caller.id()).await?)
    }

    /// The caller's claim on a profile.
    pub async fn claim_status(&self, caller: &Caller, id: ProfileId) -> Result<Claim> {
        self.own_claim(caller, id).await
    }

    /// Verifies a claim: Scout's copy of the profile must show the code in its bio.
    pub async fn verify_claim(&self, caller: &Caller, id: ProfileId, ip: Option<&str>) -> Result<Claim> {
        caller.require_influencer()?;
        let claim = self.own_claim(caller, id).await?;
        if claim.verified_at.is_none() {
            let profile = self.store.profiles().get_profile(id).await?.profile;
            if !profile.bio.as_deref().unwrap_or_default().contains(&claim.code) {
                return Err(Error::refused(
                    ErrorCode::ClaimCodeNotFound,
                    format!(
                        "the profile's bio does not show `{}` yet; add it on the platform and try after the next refresh",
                        claim.code
                    ),
                ));
            }
            self.store.privacy().verify_claim(id, caller.id()).await?;
            self.audit(Some(caller.id()), AuditKind::ProfileClaimed, ip, &format!("profile {id}")).await?;
        }
        self.store.privacy().claim(id).await?.ok_or_else(claim_not_found)
    }

    /// Changes the public fields of the caller's verified profile; validated
    /// like an import and searchable within a second.
    pub async fn edit_public_fields(&self, caller: &Caller, id: ProfileId, fields: PublicFields) -> Result<Profile> {
        self.verified_claim(caller, id).await?;
        let stored = self.store.profiles().get_profile(id).await?.profile;
        let mut doc = serde_json::to_value(&stored).internal("encoding a stored profile")?;
        let obj = doc.as_object_mut().ok_or_else(|| Error::internal("encoding a stored profile", "not an object"))?;
        let changes = [
            ("display_name", fields.display_name.map(serde_json::Value::from)),
            ("bio", fields.bio.map(serde_json::Value::from)),
            ("contact_email", fields.contact_email.map(serde_json::Value::from)),
            ("categories", fields.categories.map(serde_json::Value::from)),
            ("rates", fields.rates),
        ];
        for (name, value) in changes {
            if let Some(v) = value {
                obj.insert(name.into(), v);
            }
        }
        obj.insert("source".into(), "self-reported".into());
        // Identity fields stay as imported: the same validation as any write.
        let parsed = Profile::parse_value(doc)?;
        self.store.profiles().upsert_profiles(std::slice::from_ref(&parsed.profile)).await?;
        self.wake_indexer();
        Ok(parsed.profile)
    }

    /// Records whether the creator consents to their claimed profile being listed.
    pub async fn set_consent(
        &self,
        caller: &Caller,
        id: ProfileId,
        consent: Consent,
        ip: Option<&str>,
    ) -> Result<Claim> {
        self.verified_claim(caller, id).await?;
        self.store.privacy().set_consent(id, caller.id(), consent).await?;
        let detail = format!("profile {id}: {}", consent.as_str());
        self.audit(Some(caller.id()), AuditKind::ConsentChanged, ip, &detail).await?;
        self.store.privacy().claim(id).await?.ok_or_else(claim_not_found)
    }

    /// Everything Scout stores about the caller (GDPR art. 15 and 20).
    pub async fn export_own_data(&self, caller: &Caller, ip: Option<&str>) -> Result<UserArchive> {
        caller.require_session()?;
        self.audit(Some(caller.id()), AuditKind::DataExported, ip, "by the account holder").await?;
        self.store
            .privacy()
            .user_archive(caller.id())
            .await?
            .ok_or_else(|| Error::internal("exporting data", "account vanished"))
    }

    /// Everything stored about an account (platform admins, for a subject access request).
    pub async fn export_account_data(&self, caller: &Caller, user_id: i64, ip: Option<&str>) -> Result<UserArchive> {
        caller.require_platform_admin()?;
        let archive = self
            .store
            .privacy()
            .user_archive(user_id)
            .await?
            .ok_or_else(|| Error::refused(ErrorCode::UserNotFound, "no such account"))?;
        self.audit(Some(caller.id()), AuditKind::DataExported, ip, &format!("account {user_id}")).await?;
        Ok(archive)
    }

    /// Erases the caller's account and the profiles they claimed (GDPR art.
    /// 17), confirmed with their password.
    pub async fn erase_own_account(&self, caller: &Caller, password: String) -> Result<Erased> {
        caller.require_session()?;
        if !password::verify(password, Some(caller.account.password_hash.clone())).await {
            return Err(Error::refused(ErrorCode::InvalidCredentials, "the password is wrong"));
        }
        self.erase_account(caller.id(), "erased at the account holder's request").await
    }

    /// Erases a person by account or by platform handle (platform admins);
    /// the identifiers are tombstoned so re-imports are refused.
    pub async fn erase(&self, caller: &Caller, req: ErasureRequest, ip: Option<&str>) -> Result<Erased> {
        caller.require_platform_admin()?;
        caller.require_session()?;
        let reason = req.reason.trim();
        if reason.is_empty() || reason.len() > 500 {
            return Err(Error::bad_parameter("reason", "must be 1 to 500 characters"));
        }
        let report = match (req.user_id, req.platform.as_deref(), req.handle.as_deref()) {
            (Some(id), None, None) => self.erase_account(id, reason).await?,
            (None, Some(platform), Some(handle)) => {
                let platform = Platform::from_name(platform)
                    .ok_or_else(|| Error::bad_parameter("platform", format!("unknown `{platform}`")))?;
                let ids = self.store.privacy().profiles_by_handle(platform.as_str(), handle).await?;
                let profiles = self.store.privacy().erase_profiles(&ids, reason).await?;
                self.store.privacy().compact_after_erasure().await?;
                let segments = self.purge_indexes().await?;
                Erased { accounts: 0, profiles, index_segments_rewritten: segments }
            }
            _ => return Err(Error::refused(ErrorCode::BadParameter, "give either user_id, or platform and handle")),
        };
        let detail = format!("{} accounts, {} profiles: {reason}", report.accounts, report.profiles);
        self.audit(Some(caller.id()), AuditKind::Erasure, ip, &detail).await?;
        Ok(report)
    }

    async fn erase_account(&self, user_id: i64, reason: &str) -> Result<Erased> {
        let claimed: Vec<ProfileId> =
            self.store.privacy().claims_of(user_id).await?.iter().map(|c| c.profile_id).collect();
        let profiles = self.store.privacy().erase_profiles(&claimed, reason).await?;
        let accounts = u64::from(self.store.privacy().erase_user(user_id).await?);
        self.store.privacy().compact_after_erasure().await?;
        let segments = self.purge_indexes().await?;
        self.audit(None, AuditKind::AccountErased, None, &format!("{profiles} profiles erased")).await?;
        Ok(Erased { accounts, profiles, index_segments_rewritten: segments })
    }

    /// Waits until the indexer applied every deletion, then rewrites the
    /// index segments that still hold deleted profiles.
    async fn purge_indexes(&self) -> Result<usize> {
        let head = self.store.profiles().outbox_head().await?;
        self.wake_indexer();
        let deadline = Instant::now() + INDEXER_WAIT;
        while self.index.applied_seq()? < head {
            if Instant::now() > deadline {
                return Err(Error::refused(
                    ErrorCode::IndexerBehind,
                    "the records are erased; the indexes will drop them when the indexer catches up",
                ));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let index = self.index.clone();
        Ok(tokio::task::spawn_blocking(move || index.purge_deleted()).await??)
    }
}

//! Personal data: creators claiming their imported profiles and editing their
//! public fields, consent, and GDPR export and erasure (by the person, or by a
//! platform admin for an account or a platform handle).
//!
//! Erasure removes the rows (the store tombstones the identifiers), waits
//! until the indexer has applied the deletions, then rewrites the index
//! segments that still held them, so the person is gone from the database,
//! the text index, the vectors and every export.

use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{delete, get, post, put};
use scout_domain::account::Role;
use scout_domain::{ErrorKind, Platform, Profile, ProfileId};
use scout_store::{Claim, Consent};
use serde::{Deserialize, Serialize};

use crate::auth::{AuthUser, password};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ClientIp, Json, parse_id};
use crate::routes::search::ProfileOut;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/profiles/{id}/claim", post(claim).get(claim_status))
        .route("/v1/profiles/{id}/claim/verify", post(verify_claim))
        .route("/v1/profiles/{id}/public", put(edit_public))
        .route("/v1/profiles/{id}/consent", put(set_consent))
        .route("/v1/me/claims", get(my_claims).post(claim_by_handle))
        .route("/v1/me/export", get(export_me))
        .route("/v1/me", delete(erase_me))
        .route("/v1/admin/erasure", post(admin_erase))
        .route("/v1/admin/export/{user_id}", get(admin_export))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ClaimOut {
    pub profile_id: ProfileId,
    /// Put this code in the profile's bio on its platform; the claim verifies
    /// once Scout's copy of the profile shows it.
    pub code: String,
    pub verified: bool,
    pub consent: Consent,
}

impl From<Claim> for ClaimOut {
    fn from(c: Claim) -> Self {
        ClaimOut { profile_id: c.profile_id, code: c.code, verified: c.verified_at.is_some(), consent: c.consent }
    }
}

fn require_influencer(user: &AuthUser) -> ApiResult<()> {
    user.require_session()?;
    if user.role() != Role::Influencer {
        return Err(ApiError::forbidden("forbidden", "only creator accounts claim profiles"));
    }
    Ok(())
}

/// The caller's claim on a profile (404 when it is someone else's or none).
async fn own_claim(state: &AppState, user: &AuthUser, id: ProfileId) -> ApiResult<Claim> {
    state.store.claim(id).await?.filter(|c| c.user_id == user.id()).ok_or_else(claim_not_found)
}

fn claim_not_found() -> ApiError {
    ApiError::new(ErrorKind::NotFound, "claim_not_found", "this account has no claim on this profile")
}

/// Starts claiming an imported profile (creator accounts).
#[utoipa::path(post, path = "/v1/profiles/{id}/claim", tag = "privacy", security(("bearer" = [])),
    params(("id" = i64, Path, description = "profile id")),
    responses((status = 201, body = ClaimOut), (status = 409, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn claim(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, axum::Json<ClaimOut>)> {
    require_influencer(&user)?;
    let id = parse_id(&id, "id")?;
    start_claim(&state, &user, ip.as_deref(), id).await
}

async fn start_claim(
    state: &AppState,
    user: &AuthUser,
    ip: Option<&str>,
    id: ProfileId,
) -> ApiResult<(StatusCode, axum::Json<ClaimOut>)> {
    let code = format!("scout-{}", state.tokens.random_token(4).map_err(|e| ApiError::internal(e.to_string()))?);
    let claim = state.store.claim_profile(id, user.id(), &code).await?;
    state.audit(Some(user.id()), "profile_claim_started", ip, &format!("profile {id}")).await?;
    Ok((StatusCode::CREATED, axum::Json(claim.into())))
}

/// A creator's profile as they name it: platform and handle.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimByHandle {
    pub platform: String,
    /// The handle, with or without the leading `@`.
    pub handle: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ClaimList {
    pub claims: Vec<ClaimOut>,
}

/// Starts claiming the profile with this platform and handle: how a creator
/// finds their own profile without searching (creators cannot search).
#[utoipa::path(post, path = "/v1/me/claims", tag = "privacy", security(("bearer" = [])), request_body = ClaimByHandle,
    responses((status = 201, body = ClaimOut), (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn claim_by_handle(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: AuthUser,
    Json(req): Json<ClaimByHandle>,
) -> ApiResult<(StatusCode, axum::Json<ClaimOut>)> {
    require_influencer(&user)?;
    let platform = Platform::from_name(req.platform.trim()).ok_or_else(|| {
        ApiError::bad_request("bad_parameter", format!("platform: unknown platform `{}`", req.platform))
    })?;
    let handle = req.handle.trim().trim_start_matches('@');
    if handle.is_empty() || handle.chars().count() > 100 {
        return Err(ApiError::bad_request("bad_parameter", "handle: must be 1 to 100 characters"));
    }
    let id = state.store.profiles_by_handle(platform.as_str(), handle).await?.into_iter().min().ok_or_else(|| {
        ApiError::new(
            ErrorKind::NotFound,
            "profile_not_found",
            format!("Scout has no {} profile @{handle}", platform.as_str()),
        )
    })?;
    start_claim(&state, &user, ip.as_deref(), id).await
}

/// The caller's claims, verified or not.
#[utoipa::path(get, path = "/v1/me/claims", tag = "privacy", security(("bearer" = [])),
    responses((status = 200, body = ClaimList), (status = 403, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn my_claims(State(state): State<AppState>, user: AuthUser) -> ApiResult<axum::Json<ClaimList>> {
    require_influencer(&user)?;
    let claims = state.store.claims_of(user.id()).await?.into_iter().map(ClaimOut::from).collect();
    Ok(axum::Json(ClaimList { claims }))
}

/// The caller's claim on a profile.
#[utoipa::path(get, path = "/v1/profiles/{id}/claim", tag = "privacy", security(("bearer" = [])),
    params(("id" = i64, Path, description = "profile id")),
    responses((status = 200, body = ClaimOut), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn claim_status(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<ClaimOut>> {
    let id = parse_id(&id, "id")?;
    let claim = own_claim(&state, &user, id).await?;
    Ok(axum::Json(claim.into()))
}

/// Verifies a claim: Scout's copy of the profile must show the code in its bio.
#[utoipa::path(post, path = "/v1/profiles/{id}/claim/verify", tag = "privacy", security(("bearer" = [])),
    params(("id" = i64, Path, description = "profile id")),
    responses((status = 200, body = ClaimOut), (status = 409, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn verify_claim(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<ClaimOut>> {
    require_influencer(&user)?;
    let id = parse_id(&id, "id")?;
    let claim = own_claim(&state, &user, id).await?;
    if claim.verified_at.is_none() {
        let profile = state.store.get_profile(id).await?.profile;
        if !profile.bio.as_deref().unwrap_or_default().contains(&claim.code) {
            return Err(ApiError::new(
                ErrorKind::Conflict,
                "claim_code_not_found",
                format!(
                    "the profile's bio does not show `{}` yet; add it on the platform and try after the next refresh",
                    claim.code
                ),
            ));
        }
        state.store.verify_claim(id, user.id()).await?;
        state.audit(Some(user.id()), "profile_claimed", ip.as_deref(), &format!("profile {id}")).await?;
    }
    let claim = state.store.claim(id).await?.ok_or_else(claim_not_found)?;
    Ok(axum::Json(claim.into()))
}

/// The fields a creator controls on a claimed profile.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicFields {
    pub display_name: Option<String>,
    pub bio: Option<String>,
    pub contact_email: Option<String>,
    pub categories: Option<Vec<String>>,
    #[schema(value_type = Option<Object>)]
    pub rates: Option<serde_json::Value>,
}

async fn verified_claim(state: &AppState, user: &AuthUser, id: ProfileId) -> ApiResult<Claim> {
    require_influencer(user)?;
    let claim = own_claim(state, user, id).await?;
    if claim.verified_at.is_none() {
        return Err(ApiError::forbidden("claim_not_verified", "verify the claim first"));
    }
    Ok(claim)
}

/// Changes the public fields of the caller's verified profile; the change is
/// validated like an import and searchable within a second.
#[utoipa::path(put, path = "/v1/profiles/{id}/public", tag = "privacy", security(("bearer" = [])),
    params(("id" = i64, Path, description = "profile id")), request_body = PublicFields,
    responses((status = 200, body = ProfileOut), (status = 403, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn edit_public(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(req): Json<PublicFields>,
) -> ApiResult<axum::Json<ProfileOut>> {
    let id = parse_id(&id, "id")?;
    verified_claim(&state, &user, id).await?;
    let stored = state.store.get_profile(id).await?.profile;
    let mut doc = serde_json::to_value(&stored).map_err(|e| ApiError::internal(e.to_string()))?;
    let obj = doc.as_object_mut().ok_or_else(|| ApiError::internal("profile is not an object"))?;
    let fields = [
        ("display_name", req.display_name.map(serde_json::Value::from)),
        ("bio", req.bio.map(serde_json::Value::from)),
        ("contact_email", req.contact_email.map(serde_json::Value::from)),
        ("categories", req.categories.map(serde_json::Value::from)),
        ("rates", req.rates),
    ];
    for (name, value) in fields {
        if let Some(v) = value {
            obj.insert(name.into(), v);
        }
    }
    obj.insert("source".into(), "self-reported".into());
    // Identity fields stay as imported: the same validation as any write.
    let parsed = Profile::parse_value(doc)?;
    state.store.upsert_profiles(std::slice::from_ref(&parsed.profile)).await?;
    state.index_notify.notify_one();
    Ok(axum::Json(ProfileOut { id, profile: parsed.profile }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentBody {
    /// `granted` or `withdrawn`.
    pub consent: Consent,
}

/// Records whether the creator consents to their claimed profile being listed.
#[utoipa::path(put, path = "/v1/profiles/{id}/consent", tag = "privacy", security(("bearer" = [])),
    params(("id" = i64, Path, description = "profile id")), request_body = ConsentBody,
    responses((status = 200, body = ClaimOut), (status = 403, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn set_consent(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: AuthUser,
    Path(id): Path<String>,
    Json(req): Json<ConsentBody>,
) -> ApiResult<axum::Json<ClaimOut>> {
    let id = parse_id(&id, "id")?;
    verified_claim(&state, &user, id).await?;
    state.store.set_consent(id, user.id(), req.consent).await?;
    let detail = format!("profile {id}: {}", req.consent.as_str());
    state.audit(Some(user.id()), "consent_changed", ip.as_deref(), &detail).await?;
    Ok(axum::Json(state.store.claim(id).await?.ok_or_else(claim_not_found)?.into()))
}

fn archive_response(archive: scout_store::UserArchive, user_id: i64) -> ApiResult<axum::response::Response> {
    let body = serde_json::to_vec_pretty(&archive).map_err(|e| ApiError::internal(e.to_string()))?;
    let file = format!("attachment; filename=\"scout-data-{user_id}.json\"");
    Ok(([(header::CONTENT_TYPE, "application/json".to_string()), (header::CONTENT_DISPOSITION, file)], body)
        .into_response())
}

/// Everything Scout stores about the caller, as one JSON archive (GDPR art. 15 and 20).
#[utoipa::path(get, path = "/v1/me/export", tag = "privacy", security(("bearer" = [])),
    responses((status = 200, content_type = "application/json", body = Object)))]
pub async fn export_me(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: AuthUser,
) -> ApiResult<axum::response::Response> {
    user.require_session()?;
    state.audit(Some(user.id()), "data_exported", ip.as_deref(), "by the account holder").await?;
    let archive = state.store.user_archive(user.id()).await?.ok_or_else(|| ApiError::internal("account vanished"))?;
    archive_response(archive, user.id())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EraseMe {
    /// The account's password, to confirm.
    pub password: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErasureReport {
    pub accounts_erased: u64,
    pub profiles_erased: u64,
    /// Text index segments rewritten to drop the erased profiles.
    pub index_segments_rewritten: usize,
}

/// Erases the caller's account and the profiles they claimed (GDPR art. 17).
#[utoipa::path(delete, path = "/v1/me", tag = "privacy", security(("bearer" = [])), request_body = EraseMe,
    responses((status = 200, body = ErasureReport), (status = 401, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn erase_me(
    State(state): State<AppState>,
    user: AuthUser,
    Json(req): Json<EraseMe>,
) -> ApiResult<axum::Json<ErasureReport>> {
    user.require_session()?;
    if !password::verify(req.password, Some(user.account.password_hash.clone())).await {
        return Err(ApiError::unauthorized("invalid_credentials", "the password is wrong"));
    }
    Ok(axum::Json(erase_account(&state, user.id(), "erased at the account holder's request").await?))
}

async fn erase_account(state: &AppState, user_id: i64, reason: &str) -> ApiResult<ErasureReport> {
    let claimed: Vec<ProfileId> = state.store.claims_of(user_id).await?.iter().map(|c| c.profile_id).collect();
    let profiles = state.store.erase_profiles(&claimed, reason).await?;
    let accounts = u64::from(state.store.erase_user(user_id).await?);
    state.store.compact_after_erasure().await?;
    let segments = purge_indexes(state).await?;
    state.audit(None, "account_erased", None, &format!("{profiles} profiles erased")).await?;
    Ok(ErasureReport { accounts_erased: accounts, profiles_erased: profiles, index_segments_rewritten: segments })
}

/// Waits until the indexer applied every deletion, then rewrites the index
/// segments that still hold deleted profiles.
async fn purge_indexes(state: &AppState) -> ApiResult<usize> {
    let head = state.store.outbox_head().await?;
    state.index_notify.notify_one();
    let deadline = Instant::now() + Duration::from_secs(30);
    while state.index.applied_seq()? < head {
        if Instant::now() > deadline {
            return Err(ApiError::new(
                ErrorKind::Unavailable,
                "indexer_behind",
                "the records are erased; the indexes will drop them when the indexer catches up",
            ));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let index = state.index.clone();
    Ok(tokio::task::spawn_blocking(move || index.purge_deleted()).await??)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminErasure {
    /// Erase an account (and the profiles it claimed)…
    pub user_id: Option<i64>,
    /// …or every profile with this handle on this platform.
    pub platform: Option<String>,
    pub handle: Option<String>,
    /// Why (kept with the tombstone).
    pub reason: String,
}

/// Erases a person by account or by platform handle (platform admins); the
/// identifiers are tombstoned so re-imports are refused.
#[utoipa::path(post, path = "/v1/admin/erasure", tag = "privacy", security(("bearer" = [])), request_body = AdminErasure,
    responses((status = 200, body = ErasureReport), (status = 403, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn admin_erase(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: AuthUser,
    Json(req): Json<AdminErasure>,
) -> ApiResult<axum::Json<ErasureReport>> {
    user.require_platform_admin()?;
    user.require_session()?;
    let reason = req.reason.trim();
    if reason.is_empty() || reason.len() > 500 {
        return Err(ApiError::bad_request("bad_parameter", "reason: must be 1 to 500 characters"));
    }
    let report = match (req.user_id, req.platform.as_deref(), req.handle.as_deref()) {
        (Some(id), None, None) => erase_account(&state, id, reason).await?,
        (None, Some(platform), Some(handle)) => {
            let platform = Platform::from_name(platform)
                .ok_or_else(|| ApiError::bad_request("bad_parameter", format!("platform: unknown `{platform}`")))?;
            let ids = state.store.profiles_by_handle(platform.as_str(), handle).await?;
            let profiles = state.store.erase_profiles(&ids, reason).await?;
            state.store.compact_after_erasure().await?;
            let segments = purge_indexes(&state).await?;
            ErasureReport { accounts_erased: 0, profiles_erased: profiles, index_segments_rewritten: segments }
        }
        _ => {
            return Err(ApiError::bad_request("bad_parameter", "give either user_id, or platform and handle"));
        }
    };
    let detail = format!("{} accounts, {} profiles: {reason}", report.accounts_erased, report.profiles_erased);
    state.audit(Some(user.id()), "erasure", ip.as_deref(), &detail).await?;
    Ok(axum::Json(report))
}

/// Everything stored about an account (platform admins, for a subject access request).
#[utoipa::path(get, path = "/v1/admin/export/{user_id}", tag = "privacy", security(("bearer" = [])),
    params(("user_id" = i64, Path, description = "account id")),
    responses((status = 200, content_type = "application/json", body = Object),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn admin_export(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: AuthUser,
    Path(user_id): Path<i64>,
) -> ApiResult<axum::response::Response> {
    user.require_platform_admin()?;
    let archive = state
        .store
        .user_archive(user_id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorKind::NotFound, "user_not_found", "no such account"))?;
    state.audit(Some(user.id()), "data_exported", ip.as_deref(), &format!("account {user_id}")).await?;
    archive_response(archive, user_id)
}

//! Personal data over HTTP: creators claiming their imported profiles and
//! editing their public fields, consent, and GDPR export and erasure. The
//! rules are `scout_app::privacy`'s.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{delete, get, post, put};
use scout_app::search::ProfileOut;
use scout_domain::ProfileId;
use scout_store::{Claim, Consent};
use serde::{Deserialize, Serialize};

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::extract::{ClientIp, Json, parse_id};
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
    let id = parse_id(&id, "id")?;
    let claim = state.app.claim_profile(&user, id, ip.as_deref()).await?;
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
    let claim = state.app.claim_by_handle(&user, &req.platform, &req.handle, ip.as_deref()).await?;
    Ok((StatusCode::CREATED, axum::Json(claim.into())))
}

/// The caller's claims, verified or not.
#[utoipa::path(get, path = "/v1/me/claims", tag = "privacy", security(("bearer" = [])),
    responses((status = 200, body = ClaimList), (status = 403, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn my_claims(State(state): State<AppState>, user: AuthUser) -> ApiResult<axum::Json<ClaimList>> {
    let claims = state.app.my_claims(&user).await?.into_iter().map(ClaimOut::from).collect();
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
    Ok(axum::Json(state.app.claim_status(&user, id).await?.into()))
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
    let id = parse_id(&id, "id")?;
    Ok(axum::Json(state.app.verify_claim(&user, id, ip.as_deref()).await?.into()))
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
    let fields = scout_app::privacy::PublicFields {
        display_name: req.display_name,
        bio: req.bio,
        contact_email: req.contact_email,
        categories: req.categories,
        rates: req.rates,
    };
    let profile = state.app.edit_public_fields(&user, id, fields).await?;
    Ok(axum::Json(ProfileOut { id, profile }))
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
    Ok(axum::Json(state.app.set_consent(&user, id, req.consent, ip.as_deref()).await?.into()))
}

fn archive_response(archive: scout_store::UserArchive, user_id: i64) -> ApiResult<axum::response::Response> {
    let body =
        serde_json::to_vec_pretty(&archive).map_err(|e| scout_app::Error::internal("encoding a data archive", e))?;
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
    let archive = state.app.export_own_data(&user, ip.as_deref()).await?;
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
    Ok(axum::Json(state.app.erase_own_account(&user, req.password).await?.into()))
}

impl From<scout_app::privacy::Erased> for ErasureReport {
    fn from(e: scout_app::privacy::Erased) -> Self {
        ErasureReport {
            accounts_erased: e.accounts,
            profiles_erased: e.profiles,
            index_segments_rewritten: e.index_segments_rewritten,
        }
    }
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
    let req = scout_app::privacy::ErasureRequest {
        user_id: req.user_id,
        platform: req.platform,
        handle: req.handle,
        reason: req.reason,
    };
    Ok(axum::Json(state.app.erase(&user, req, ip.as_deref()).await?.into()))
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
    let archive = state.app.export_account_data(&user, user_id, ip.as_deref()).await?;
    archive_response(archive, user_id)
}

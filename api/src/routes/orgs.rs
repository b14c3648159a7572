//! Organisations: the caller's organisations, members and roles, an agency's
//! client brands, and the organisation's audit log.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, put};
use chrono::{DateTime, Utc};
use scout_app::orgs::OrgAccess;
use scout_domain::org::{ClientAccess, OrgId, OrgKind, OrgRole};
use serde::{Deserialize, Serialize};

use super::AuditEventOut;
use crate::auth::{AuthUser, OrgContext};
use crate::error::ApiResult;
use crate::extract::{ClientIp, Json};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/orgs", get(my_orgs))
        .route("/v1/orgs/current", get(current))
        .route("/v1/orgs/current/members", get(members).post(add_member))
        .route("/v1/orgs/current/members/{user_id}", patch(change_member).delete(remove_member))
        .route("/v1/orgs/current/clients", get(clients).post(create_client))
        .route("/v1/orgs/current/agencies", get(agencies))
        .route("/v1/orgs/current/agencies/{agency_id}", put(grant_agency).delete(revoke_agency))
        .route("/v1/orgs/current/audit", get(org_audit))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrgOut {
    pub id: OrgId,
    pub kind: OrgKind,
    pub name: String,
    /// The caller's role in it (for a client through an agency: what the grant allows).
    pub role: OrgRole,
    pub through_agency: bool,
}

impl From<OrgAccess> for OrgOut {
    fn from(o: OrgAccess) -> Self {
        OrgOut { id: o.org.id, kind: o.org.kind, name: o.org.name, role: o.role, through_agency: o.through_agency }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrgList {
    pub organisations: Vec<OrgOut>,
}

/// The organisations the caller can act for: their own, and their agencies' clients.
#[utoipa::path(get, path = "/v1/orgs", tag = "organisations", security(("bearer" = [])),
    responses((status = 200, body = OrgList), (status = 401, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn my_orgs(State(state): State<AppState>, user: AuthUser) -> ApiResult<axum::Json<OrgList>> {
    let organisations = state.app.my_organisations(&user).await?.into_iter().map(OrgOut::from).collect();
    Ok(axum::Json(OrgList { organisations }))
}

/// The organisation this request acts for (`X-Scout-Org`, or the caller's own).
#[utoipa::path(get, path = "/v1/orgs/current", tag = "organisations", security(("bearer" = [])),
    params(("X-Scout-Org" = Option<i64>, Header, description = "act for this organisation")),
    responses((status = 200, body = OrgOut), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn current(ctx: OrgContext) -> axum::Json<OrgOut> {
    axum::Json(OrgOut {
        id: ctx.org.id,
        kind: ctx.org.kind,
        name: ctx.org.name.clone(),
        role: ctx.role,
        through_agency: ctx.through_agency,
    })
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MemberOut {
    pub user_id: i64,
    pub email: String,
    pub name: String,
    pub role: OrgRole,
    pub since: DateTime<Utc>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MemberList {
    pub members: Vec<MemberOut>,
}

/// Members of the organisation (readable by its members, not by agencies).
#[utoipa::path(get, path = "/v1/orgs/current/members", tag = "organisations", security(("bearer" = [])),
    responses((status = 200, body = MemberList), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn members(State(state): State<AppState>, ctx: OrgContext) -> ApiResult<axum::Json<MemberList>> {
    let members = state
        .app
        .members(&ctx)
        .await?
        .into_iter()
        .map(|m| MemberOut { user_id: m.user_id, email: m.email, name: m.name, role: m.role, since: m.since })
        .collect();
    Ok(axum::Json(MemberList { members }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddMember {
    /// The email of an existing Scout account.
    pub email: String,
    /// `owner`, `admin`, `member` or `viewer`.
    pub role: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeMember {
    pub role: String,
}

/// Adds an existing account to the organisation with a role (owners and admins).
#[utoipa::path(post, path = "/v1/orgs/current/members", tag = "organisations", security(("bearer" = [])), request_body = AddMember,
    responses((status = 204), (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn add_member(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ctx: OrgContext,
    Json(req): Json<AddMember>,
) -> ApiResult<StatusCode> {
    state.app.add_member(&ctx, &req.email, &req.role, ip.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Changes a member's role (owners change anyone; admins, members and viewers only).
#[utoipa::path(patch, path = "/v1/orgs/current/members/{user_id}", tag = "organisations", security(("bearer" = [])),
    params(("user_id" = i64, Path, description = "the member's user id")), request_body = ChangeMember,
    responses((status = 204), (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn change_member(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ctx: OrgContext,
    Path(user_id): Path<i64>,
    Json(req): Json<ChangeMember>,
) -> ApiResult<StatusCode> {
    state.app.change_member(&ctx, user_id, &req.role, ip.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a member (owners remove anyone but the last owner; admins, members and viewers).
#[utoipa::path(delete, path = "/v1/orgs/current/members/{user_id}", tag = "organisations", security(("bearer" = [])),
    params(("user_id" = i64, Path, description = "the member's user id")),
    responses((status = 204), (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn remove_member(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ctx: OrgContext,
    Path(user_id): Path<i64>,
) -> ApiResult<StatusCode> {
    state.app.remove_member(&ctx, user_id, ip.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ClientList {
    pub clients: Vec<OrgOut>,
}

/// An agency's client brands.
#[utoipa::path(get, path = "/v1/orgs/current/clients", tag = "organisations", security(("bearer" = [])),
    responses((status = 200, body = ClientList), (status = 403, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn clients(State(state): State<AppState>, ctx: OrgContext) -> ApiResult<axum::Json<ClientList>> {
    let clients = state
        .app
        .clients(&ctx)
        .await?
        .into_iter()
        .map(|c| OrgOut {
            id: c.org.id,
            kind: c.org.kind,
            name: c.org.name,
            role: ctx.role.through_agency(c.access),
            through_agency: true,
        })
        .collect();
    Ok(axum::Json(ClientList { clients }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClient {
    pub name: String,
}

/// Creates a client brand that the agency manages (owners and admins of an agency).
#[utoipa::path(post, path = "/v1/orgs/current/clients", tag = "organisations", security(("bearer" = [])), request_body = NewClient,
    responses((status = 201, body = OrgOut), (status = 403, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn create_client(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ctx: OrgContext,
    Json(req): Json<NewClient>,
) -> ApiResult<(StatusCode, axum::Json<OrgOut>)> {
    let client = state.app.create_client(&ctx, &req.name, ip.as_deref()).await?;
    Ok((StatusCode::CREATED, axum::Json(client.into())))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AgencyGrantOut {
    pub agency_id: OrgId,
    pub name: String,
    pub access: ClientAccess,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AgencyList {
    pub agencies: Vec<AgencyGrantOut>,
}

/// The agencies that may act for this brand (its owners and admins).
#[utoipa::path(get, path = "/v1/orgs/current/agencies", tag = "organisations", security(("bearer" = [])),
    responses((status = 200, body = AgencyList), (status = 403, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn agencies(State(state): State<AppState>, ctx: OrgContext) -> ApiResult<axum::Json<AgencyList>> {
    let agencies = state
        .app
        .agencies(&ctx)
        .await?
        .into_iter()
        .map(|a| AgencyGrantOut { agency_id: a.org.id, name: a.org.name, access: a.access })
        .collect();
    Ok(axum::Json(AgencyList { agencies }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgencyGrant {
    /// `read` (its members act as viewers) or `write` (at most members).
    pub access: ClientAccess,
}

/// Lets an existing agency act for this brand, or changes its access.
#[utoipa::path(put, path = "/v1/orgs/current/agencies/{agency_id}", tag = "organisations", security(("bearer" = [])),
    params(("agency_id" = i64, Path, description = "the agency organisation")), request_body = AgencyGrant,
    responses((status = 200, body = AgencyGrantOut), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn grant_agency(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ctx: OrgContext,
    Path(agency_id): Path<String>,
    Json(req): Json<AgencyGrant>,
) -> ApiResult<axum::Json<AgencyGrantOut>> {
    let agency_id = crate::extract::parse_id(&agency_id, "agency_id")?;
    let agency = state.app.grant_agency(&ctx, agency_id, req.access, ip.as_deref()).await?;
    Ok(axum::Json(AgencyGrantOut { agency_id: agency.id, name: agency.name, access: req.access }))
}

/// Ends an agency's access to this brand.
#[utoipa::path(delete, path = "/v1/orgs/current/agencies/{agency_id}", tag = "organisations", security(("bearer" = [])),
    params(("agency_id" = i64, Path, description = "the agency organisation")),
    responses((status = 204), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn revoke_agency(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ctx: OrgContext,
    Path(agency_id): Path<String>,
) -> ApiResult<StatusCode> {
    let agency_id = crate::extract::parse_id(&agency_id, "agency_id")?;
    state.app.revoke_agency(&ctx, agency_id, ip.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrgAudit {
    /// The organisation's security events, newest first (at most 200).
    pub events: Vec<AuditEventOut>,
}

/// The organisation's security events: sign-ups, role changes, keys, exports, erasures.
#[utoipa::path(get, path = "/v1/orgs/current/audit", tag = "organisations", security(("bearer" = [])),
    responses((status = 200, body = OrgAudit), (status = 403, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn org_audit(State(state): State<AppState>, ctx: OrgContext) -> ApiResult<axum::Json<OrgAudit>> {
    let events = state.app.organisation_audit(&ctx, 200).await?.into_iter().map(AuditEventOut::from).collect();
    Ok(axum::Json(OrgAudit { events }))
}

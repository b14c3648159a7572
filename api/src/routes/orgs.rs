//! Organisations: the caller's organisations, members and roles, an agency's
//! client brands, and the organisation's audit log.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, put};
use chrono::{DateTime, Utc};
use scout_domain::ErrorKind;
use scout_domain::account::Email;
use scout_domain::org::{ClientAccess, OrgId, OrgKind, OrgRole};
use serde::{Deserialize, Serialize};

use crate::auth::{AuthUser, OrgContext};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ClientIp, Json};
use crate::routes::auth::AuditEventOut;
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

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrgList {
    pub organisations: Vec<OrgOut>,
}

/// The organisations the caller can act for: their own, and their agencies' clients.
#[utoipa::path(get, path = "/v1/orgs", tag = "organisations", security(("bearer" = [])),
    responses((status = 200, body = OrgList), (status = 401, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn my_orgs(State(state): State<AppState>, user: AuthUser) -> ApiResult<axum::Json<OrgList>> {
    let mut organisations = Vec::new();
    for m in state.store.memberships_of(user.id()).await? {
        if m.org.kind == OrgKind::Agency {
            for c in state.store.clients(m.org.id).await? {
                organisations.push(OrgOut {
                    id: c.org.id,
                    kind: c.org.kind,
                    name: c.org.name,
                    role: m.role.through_agency(c.access),
                    through_agency: true,
                });
            }
        }
        organisations.push(OrgOut {
            id: m.org.id,
            kind: m.org.kind,
            name: m.org.name,
            role: m.role,
            through_agency: false,
        });
    }
    organisations.sort_by_key(|o| (o.through_agency, o.id));
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
        name: ctx.org.name,
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
    if ctx.through_agency {
        return Err(ApiError::forbidden("forbidden", "agencies do not see their clients' members"));
    }
    let members = state
        .store
        .members(ctx.org.id)
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

async fn assign(state: &AppState, ctx: &OrgContext, ip: Option<&str>, user_id: i64, role: OrgRole) -> ApiResult<()> {
    let current = state.store.member_role(ctx.org.id, user_id).await?;
    if !ctx.role.can_assign(current, role) {
        return Err(ApiError::forbidden(
            "forbidden",
            format!("a {} may not give or change this role", ctx.role.as_str()),
        ));
    }
    state.store.set_member(ctx.org.id, user_id, role).await?;
    let from = current.map_or("none", OrgRole::as_str);
    let detail = format!("user {user_id}: {from} -> {}", role.as_str());
    state.audit_org(Some(ctx.org.id), Some(ctx.user.id()), "role_changed", ip, &detail).await?;
    Ok(())
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
    ctx.require_admin()?;
    let role = OrgRole::parse(&req.role)?;
    let email = Email::parse(&req.email)?;
    let user = state
        .store
        .user_by_email(&email)
        .await?
        .filter(|u| matches!(u.role, scout_domain::account::Role::Brand | scout_domain::account::Role::Agency))
        .ok_or_else(|| {
            ApiError::new(ErrorKind::NotFound, "user_not_found", "no brand or agency account with this email")
        })?;
    if state.store.member_role(ctx.org.id, user.id).await?.is_some() {
        return Err(ApiError::new(ErrorKind::Conflict, "already_member", "this account is already a member"));
    }
    assign(&state, &ctx, ip.as_deref(), user.id, role).await?;
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
    ctx.require_admin()?;
    let role = OrgRole::parse(&req.role)?;
    if state.store.member_role(ctx.org.id, user_id).await?.is_none() {
        return Err(member_not_found());
    }
    assign(&state, &ctx, ip.as_deref(), user_id, role).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn member_not_found() -> ApiError {
    ApiError::new(ErrorKind::NotFound, "member_not_found", "no such member of this organisation")
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
    ctx.require_admin()?;
    let current = state.store.member_role(ctx.org.id, user_id).await?.ok_or_else(member_not_found)?;
    if !ctx.role.can_assign(Some(current), OrgRole::Viewer) {
        return Err(ApiError::forbidden("forbidden", "a member of this role may not be removed by you"));
    }
    state.store.remove_member(ctx.org.id, user_id).await?;
    let detail = format!("user {user_id} removed ({})", current.as_str());
    state.audit_org(Some(ctx.org.id), Some(ctx.user.id()), "member_removed", ip.as_deref(), &detail).await?;
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
    require_agency(&ctx)?;
    let clients = state
        .store
        .clients(ctx.org.id)
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

fn require_agency(ctx: &OrgContext) -> ApiResult<()> {
    if ctx.org.kind != OrgKind::Agency || ctx.through_agency {
        return Err(ApiError::forbidden("not_an_agency", "only an agency organisation has clients"));
    }
    Ok(())
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
    require_agency(&ctx)?;
    ctx.require_admin()?;
    let name = scout_domain::account::parse_name(&req.name)?;
    let org = state.store.create_client(ctx.org.id, &name).await?;
    let detail = format!("client {} ({})", org.id, org.name);
    state.audit_org(Some(ctx.org.id), Some(ctx.user.id()), "client_created", ip.as_deref(), &detail).await?;
    let role = ctx.role.through_agency(scout_domain::org::ClientAccess::Write);
    Ok((
        StatusCode::CREATED,
        axum::Json(OrgOut { id: org.id, kind: org.kind, name: org.name, role, through_agency: true }),
    ))
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

/// A brand (not acting through an agency) administered by the caller.
fn require_own_brand_admin(ctx: &OrgContext) -> ApiResult<()> {
    if ctx.org.kind != OrgKind::Brand || ctx.through_agency {
        return Err(ApiError::forbidden("not_a_brand", "only a brand's own administrators choose its agencies"));
    }
    ctx.require_admin()
}

/// The agencies that may act for this brand (its owners and admins).
#[utoipa::path(get, path = "/v1/orgs/current/agencies", tag = "organisations", security(("bearer" = [])),
    responses((status = 200, body = AgencyList), (status = 403, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn agencies(State(state): State<AppState>, ctx: OrgContext) -> ApiResult<axum::Json<AgencyList>> {
    require_own_brand_admin(&ctx)?;
    let agencies = state
        .store
        .agencies_of(ctx.org.id)
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
    require_own_brand_admin(&ctx)?;
    let agency_id = crate::extract::parse_id(&agency_id, "agency_id")?;
    let agency = state
        .store
        .organisation(agency_id)
        .await?
        .filter(|o| o.kind == OrgKind::Agency)
        .ok_or_else(|| ApiError::new(ErrorKind::NotFound, "agency_not_found", "no agency has this id"))?;
    state.store.grant_agency(ctx.org.id, agency.id, req.access).await?;
    let detail = format!("agency {} ({}) granted {}", agency.id, agency.name, req.access.as_str());
    state.audit_org(Some(ctx.org.id), Some(ctx.user.id()), "agency_granted", ip.as_deref(), &detail).await?;
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
    require_own_brand_admin(&ctx)?;
    let agency_id = crate::extract::parse_id(&agency_id, "agency_id")?;
    if !state.store.revoke_agency(ctx.org.id, agency_id).await? {
        return Err(ApiError::new(ErrorKind::NotFound, "agency_not_found", "this agency has no access to revoke"));
    }
    let detail = format!("agency {agency_id} access revoked");
    state.audit_org(Some(ctx.org.id), Some(ctx.user.id()), "agency_revoked", ip.as_deref(), &detail).await?;
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
    ctx.require_admin()?;
    let events = ctx
        .tenant(&state)
        .audit_events(200)
        .await?
        .into_iter()
        .map(|e| AuditEventOut { kind: e.kind, ip: e.ip, detail: e.detail, at: e.at })
        .collect();
    Ok(axum::Json(OrgAudit { events }))
}

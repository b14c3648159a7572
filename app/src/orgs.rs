//! Organisations: the caller's organisations, members and roles, an agency's
//! client brands, the agencies a brand lets act for it, and the
//! organisation's audit log. Role rules (`OrgRole`) live in the domain; the
//! store keeps an organisation from losing its last owner.

use scout_domain::account::{Email, Role};
use scout_domain::org::{ClientAccess, OrgId, OrgKind, OrgRole};
use scout_domain::{AuditKind, ErrorCode};
use scout_store::{AgencyClient, AuditEvent, Member, Organisation};

use crate::Application;
use crate::access::{Acting, Caller};
use crate::error::{Error, Result};

/// An organisation the caller can act for, with their role there.
#[derive(Debug, Clone)]
pub struct OrgAccess {
    pub org: Organisation,
    /// The caller's role (for a client through an agency: what the grant allows).
    pub role: OrgRole,
    pub through_agency: bool,
}

fn member_not_found() -> Error {
    Error::refused(ErrorCode::MemberNotFound, "no such member of this organisation")
}

fn require_agency(acting: &Acting) -> Result<()> {
    if acting.org.kind != OrgKind::Agency || acting.through_agency {
        return Err(Error::refused(ErrorCode::NotAnAgency, "only an agency organisation has clients"));
    }
    Ok(())
}

/// A brand (not acting through an agency) administered by the caller.
fn require_own_brand_admin(acting: &Acting) -> Result<()> {
    if acting.org.kind != OrgKind::Brand || acting.through_agency {
        return Err(Error::refused(ErrorCode::NotABrand, "only a brand's own administrators choose its agencies"));
    }
    acting.require_admin()
}

impl Application {
    /// The organisations the caller can act for: their own, and their agencies' clients.
    pub async fn my_organisations(&self, caller: &Caller) -> Result<Vec<OrgAccess>> {
        let mut out = Vec::new();
        for m in self.store.orgs().memberships_of(caller.id()).await? {
            if m.org.kind == OrgKind::Agency {
                for c in self.store.orgs().clients(m.org.id).await? {
                    out.push(OrgAccess { role: m.role.through_agency(c.access), org: c.org, through_agency: true });
                }
            }
            out.push(OrgAccess { org: m.org, role: m.role, through_agency: false });
        }
        out.sort_by_key(|o| (o.through_agency, o.org.id));
        Ok(out)
    }

    /// The organisations whose events the caller receives (those they administer).
    pub async fn administered_organisations(&self, caller: &Caller) -> Result<Vec<OrgId>> {
        let memberships = self.store.orgs().memberships_of(caller.id()).await?;
        Ok(memberships.into_iter().filter(|m| m.role.can_administer()).map(|m| m.org.id).collect())
    }

    /// The organisation's members (not visible to agencies acting for it).
    pub async fn members(&self, acting: &Acting) -> Result<Vec<Member>> {
        if acting.through_agency {
            return Err(Error::refused(ErrorCode::Forbidden, "agencies do not see their clients' members"));
        }
        Ok(self.store.orgs().members(acting.org.id).await?)
    }

    /// Adds an existing brand or agency account with a role (owners and admins).
    pub async fn add_member(&self, acting: &Acting, email: &str, role: &str, ip: Option<&str>) -> Result<()> {
        acting.require_admin()?;
        let role = OrgRole::parse(role)?;
        let email = Email::parse(email)?;
        let user = self
            .store
            .identity()
            .user_by_email(&email)
            .await?
            .filter(|u| matches!(u.role, Role::Brand | Role::Agency))
            .ok_or_else(|| Error::refused(ErrorCode::UserNotFound, "no brand or agency account with this email"))?;
        if self.store.orgs().member_role(acting.org.id, user.id).await?.is_some() {
            return Err(Error::refused(ErrorCode::AlreadyMember, "this account is already a member"));
        }
        self.assign(acting, ip, user.id, role).await
    }

    /// Changes a member's role (owners change anyone; admins, members and viewers only).
    pub async fn change_member(&self, acting: &Acting, user_id: i64, role: &str, ip: Option<&str>) -> Result<()> {
        acting.require_admin()?;
        let role = OrgRole::parse(role)?;
        if self.store.orgs().member_role(acting.org.id, user_id).await?.is_none() {
            return Err(member_not_found());
        }
        self.assign(acting, ip, user_id, role).await
    }

    async fn assign(&self, acting: &Acting, ip: Option<&str>, user_id: i64, role: OrgRole) -> Result<()> {
        let current = self.store.orgs().member_role(acting.org.id, user_id).await?;
        if !acting.role.can_assign(current, role) {
            return Err(Error::refused(
                ErrorCode::Forbidden,
                format!("a {} may not give or change this role", acting.role.as_str()),
            ));
        }
        self.store.orgs().set_member(acting.org.id, user_id, role).await?;
        let from = current.map_or("none", OrgRole::as_str);
        let detail = format!("user {user_id}: {from} -> {}", role.as_str());
        self.audit_org(Some(acting.org.id), Some(acting.caller.id()), AuditKind::RoleChanged, ip, &detail).await
    }

    /// Removes a member (within what the caller's role may assign).
    pub async fn remove_member(&self, acting: &Acting, user_id: i64, ip: Option<&str>) -> Result<()> {
        acting.require_admin()?;
        let current = self.store.orgs().member_role(acting.org.id, user_id).await?.ok_or_else(member_not_found)?;
        if !acting.role.can_assign(Some(current), OrgRole::Viewer) {
            return Err(Error::refused(ErrorCode::Forbidden, "a member of this role may not be removed by you"));
        }
        self.store.orgs().remove_member(acting.org.id, user_id).await?;
        let detail = format!("user {user_id} removed ({})", current.as_str());
        self.audit_org(Some(acting.org.id), Some(acting.caller.id()), AuditKind::MemberRemoved, ip, &detail).await
    }

    /// An agency's client brands.
    pub async fn clients(&self, acting: &Acting) -> Result<Vec<AgencyClient>> {
        require_agency(acting)?;
        Ok(self.store.orgs().clients(acting.org.id).await?)
    }

    /// Creates a client brand that the agency manages (owners and admins of an agency).
    pub async fn create_client(&self, acting: &Acting, name: &str, ip: Option<&str>) -> Result<OrgAccess> {
        require_agency(acting)?;
        acting.require_admin()?;
        let name = scout_domain::account::parse_name(name)?;
        let org = self.store.orgs().create_client(acting.org.id, &name).await?;
        let detail = format!("client {} ({})", org.id, org.name);
        self.audit_org(Some(acting.org.id), Some(acting.caller.id()), AuditKind::ClientCreated, ip, &detail).await?;
        Ok(OrgAccess { org, role: acting.role.through_agency(ClientAccess::Write), through_agency: true })
    }

    /// The agencies that may act for this brand (its owners and admins).
    pub async fn agencies(&self, acting: &Acting) -> Result<Vec<AgencyClient>> {
        require_own_brand_admin(acting)?;
        Ok(self.store.orgs().agencies_of(acting.org.id).await?)
    }

    /// Lets an agency act for this brand with `access`.
    pub async fn grant_agency(
        &self,
        acting: &Acting,
        agency_id: OrgId,
        access: ClientAccess,
        ip: Option<&str>,
    ) -> Result<Organisation> {
        require_own_brand_admin(acting)?;
        let agency = self
            .store
            .orgs()
            .organisation(agency_id)
            .await?
            .filter(|o| o.kind == OrgKind::Agency)
            .ok_or_else(|| Error::refused(ErrorCode::AgencyNotFound, "no agency has this id"))?;
        self.store.orgs().grant_agency(acting.org.id, agency.id, access).await?;
        let detail = format!("agency {} ({}) granted {}", agency.id, agency.name, access.as_str());
        self.audit_org(Some(acting.org.id), Some(acting.caller.id()), AuditKind::AgencyGranted, ip, &detail).await?;
        Ok(agency)
    }

    /// Ends an agency's access to this brand.
    pub async fn revoke_agency(&self, acting: &Acting, agency_id: OrgId, ip: Option<&str>) -> Result<()> {
        require_own_brand_admin(acting)?;
        if !self.store.orgs().revoke_agency(acting.org.id, agency_id).await? {
            return Err(Error::refused(ErrorCode::AgencyNotFound, "this agency has no access to revoke"));
        }
        let detail = format!("agency {agency_id} access revoked");
        self.audit_org(Some(acting.org.id), Some(acting.caller.id()), AuditKind::AgencyRevoked, ip, &detail).await
    }

    /// The organisation's audit log, newest first (owners and admins).
    pub async fn organisation_audit(&self, acting: &Acting, limit: i64) -> Result<Vec<AuditEvent>> {
        acting.require_admin()?;
        Ok(self.tenant(acting).audit_events(limit).await?)
    }
}

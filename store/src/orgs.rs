//! Organisations, their members, and agencies' client brands.
//!
//! An organisation is the tenant of everything a brand or agency makes
//! (shortlists, saved searches, keys); [`crate::Tenant`] is the only way to
//! reach those records, and every one of its statements carries the tenant.

use chrono::{DateTime, Utc};
use scout_domain::org::{ClientAccess, OrgId, OrgKind, OrgRole};

use crate::error::{Doing, Error, Result};
use crate::{Backend, Orgs, UserId};

/// An organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    pub id: OrgId,
    pub kind: OrgKind,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

/// A user's place in an organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub org: Organisation,
    pub role: OrgRole,
}

/// A member as listed to the organisation's admins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub user_id: UserId,
    pub email: String,
    pub name: String,
    pub role: OrgRole,
    pub since: DateTime<Utc>,
}

/// A client brand of an agency, with what it lets the agency do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyClient {
    pub org: Organisation,
    pub access: ClientAccess,
}

#[derive(Debug, Clone, Copy)]
enum MembershipChange {
    Set(UserId, OrgRole),
    Remove(UserId),
}

#[derive(sqlx::FromRow)]
struct OrgRow {
    id: i64,
    kind: String,
    name: String,
    created_at: DateTime<Utc>,
}

impl OrgRow {
    fn into_org(self) -> Result<Organisation> {
        Ok(Organisation {
            id: self.id,
            kind: OrgKind::parse(&self.kind).map_err(|e| corrupt("organisations", e))?,
            name: self.name,
            created_at: self.created_at,
        })
    }
}

fn corrupt(table: &'static str, e: impl std::fmt::Display) -> Error {
    Error::CorruptRecord { table, message: e.to_string() }
}

fn role_of(s: &str) -> Result<OrgRole> {
    OrgRole::parse(s).map_err(|e| corrupt("memberships", e))
}

impl Orgs<'_> {
    /// Creates an organisation with `owner` as its owner, in one transaction.
    pub async fn create_organisation(&self, kind: OrgKind, name: &str, owner: UserId) -> Result<Organisation> {
        let now = Utc::now();
        with_pool!(self.store, |p| {
            let mut tx = p.begin().await.doing("starting a transaction")?;
            let row: OrgRow = sqlx::query_as(
                "INSERT INTO organisations (kind, name, created_at) VALUES ($1, $2, $3) RETURNING id, kind, name, created_at",
            )
            .bind(kind.as_str())
            .bind(name)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .doing("creating an organisation")?;
            sqlx::query("INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1, $2, 'owner', $3)")
                .bind(row.id)
                .bind(owner)
                .bind(now)
                .execute(&mut *tx)
                .await
                .doing("adding the owner")?;
            tx.commit().await.doing("committing")?;
            row.into_org()
        })
    }

    pub async fn organisation(&self, id: OrgId) -> Result<Option<Organisation>> {
        with_pool!(self.store, |p| sqlx::query_as::<_, OrgRow>(
            "SELECT id, kind, name, created_at FROM organisations WHERE id = $1"
        )
        .bind(id)
        .fetch_optional(p)
        .await)
        .doing("reading an organisation")?
        .map(OrgRow::into_org)
        .transpose()
    }

    /// The organisations a user is a member of, oldest membership first.
    pub async fn memberships_of(&self, user: UserId) -> Result<Vec<Membership>> {
        let rows: Vec<(i64, String, String, DateTime<Utc>, String)> = with_pool!(self.store, |p| sqlx::query_as(
            "SELECT o.id, o.kind, o.name, o.created_at, m.role FROM memberships m
             JOIN organisations o ON o.id = m.org_id WHERE m.user_id = $1 ORDER BY m.created_at, o.id"
        )
        .bind(user)
        .fetch_all(p)
        .await)
        .doing("reading memberships")?;
        rows.into_iter()
            .map(|(id, kind, name, created_at, role)| {
                Ok(Membership { org: OrgRow { id, kind, name, created_at }.into_org()?, role: role_of(&role)? })
            })
            .collect()
    }

    /// A user's role in an organisation, if a member.
    pub async fn member_role(&self, org: OrgId, user: UserId) -> Result<Option<OrgRole>> {
        let role: Option<String> = with_pool!(self.store, |p| sqlx::query_scalar(
            "SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2"
        )
        .bind(org)
        .bind(user)
        .fetch_optional(p)
        .await)
        .doing("reading a membership")?;
        role.as_deref().map(role_of).transpose()
    }

    /// The best role a user holds in an agency that works for `client`, with
    /// the access the client granted that agency.
    pub async fn agency_access(&self, client: OrgId, user: UserId) -> Result<Option<(OrgRole, ClientAccess)>> {
        let rows: Vec<(String, String)> = with_pool!(self.store, |p| sqlx::query_as(
            "SELECT m.role, ac.access FROM agency_clients ac
             JOIN memberships m ON m.org_id = ac.agency_id
             WHERE ac.client_id = $1 AND m.user_id = $2"
        )
        .bind(client)
        .bind(user)
        .fetch_all(p)
        .await)
        .doing("reading agency access")?;
        let mut best: Option<(OrgRole, ClientAccess)> = None;
        for (role, access) in rows {
            let pair = (role_of(&role)?, ClientAccess::parse(&access).map_err(|e| corrupt("agency_clients", e))?);
            if best.is_none_or(|b| pair.0.through_agency(pair.1) > b.0.through_agency(b.1)) {
                best = Some(pair);
            }
        }
        Ok(best)
    }

    /// Members of an organisation, owners first.
    pub async fn members(&self, org: OrgId) -> Result<Vec<Member>> {
        let rows: Vec<(i64, String, String, String, DateTime<Utc>)> = with_pool!(self.store, |p| sqlx::query_as(
            "SELECT u.id, u.email, u.name, m.role, m.created_at FROM memberships m
             JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 ORDER BY m.created_at, u.id"
        )
        .bind(org)
        .fetch_all(p)
        .await)
        .doing("reading members")?;
        let mut members = rows
            .into_iter()
            .map(|(user_id, email, name, role, since)| {
                Ok(Member { user_id, email, name, role: role_of(&role)?, since })
            })
            .collect::<Result<Vec<_>>>()?;
        members.sort_by(|a, b| b.role.cmp(&a.role).then(a.since.cmp(&b.since)));
        Ok(members)
    }

    /// Adds a member or changes their role. Refused with [`Error::LastOwner`]
    /// when it would leave the organisation without an owner.
    pub async fn set_member(&self, org: OrgId, user: UserId, role: OrgRole) -> Result<()> {
        self.change_membership(org, MembershipChange::Set(user, role)).await.map(|_| ())
    }

    /// Removes a member; false when they were not one. Refused with
    /// [`Error::LastOwner`] for the last owner.
    pub async fn remove_member(&self, org: OrgId, user: UserId) -> Result<bool> {
        self.change_membership(org, MembershipChange::Remove(user)).await.map(|n| n == 1)
    }

    /// Applies one membership change and checks, in the same transaction,
    /// that the organisation still has an owner. Returns the rows changed.
    async fn change_membership(&self, org: OrgId, change: MembershipChange) -> Result<u64> {
        let now = Utc::now();
        with_pool!(self.store, |p| {
            let mut tx = p.begin().await.doing("starting a transaction")?;
            let changed = match change {
                MembershipChange::Set(user, role) => sqlx::query(
                    "INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role",
                )
                .bind(org)
                .bind(user)
                .bind(role.as_str())
                .bind(now)
                .execute(&mut *tx)
                .await
                .map(|r| r.rows_affected()),
                MembershipChange::Remove(user) => {
                    sqlx::query("DELETE FROM memberships WHERE org_id = $1 AND user_id = $2")
                        .bind(org)
                        .bind(user)
                        .execute(&mut *tx)
                        .await
                        .map(|r| r.rows_affected())
                }
            }
            .doing("changing a membership")?;
            let owners: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND role = 'owner'")
                    .bind(org)
                    .fetch_one(&mut *tx)
                    .await
                    .doing("counting owners")?;
            if owners == 0 {
                return Err(Error::LastOwner);
            }
            tx.commit().await.doing("committing")?;
            Ok(changed)
        })
    }

    /// Creates a client brand organisation managed by `agency` (write access).
    pub async fn create_client(&self, agency: OrgId, name: &str) -> Result<Organisation> {
        let now = Utc::now();
        with_pool!(self.store, |p| {
            let mut tx = p.begin().await.doing("starting a transaction")?;
            let row: OrgRow = sqlx::query_as(
                "INSERT INTO organisations (kind, name, created_at) VALUES ('brand', $1, $2)
                 RETURNING id, kind, name, created_at",
            )
            .bind(name)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .doing("creating a client organisation")?;
            sqlx::query(
                "INSERT INTO agency_clients (agency_id, client_id, access, created_at) VALUES ($1, $2, 'write', $3)",
            )
            .bind(agency)
            .bind(row.id)
            .bind(now)
            .execute(&mut *tx)
            .await
            .doing("linking a client")?;
            tx.commit().await.doing("committing")?;
            row.into_org()
        })
    }

    /// Sets what an agency may do for a client brand (granted by the brand).
    pub async fn grant_agency(&self, client: OrgId, agency: OrgId, access: ClientAccess) -> Result<()> {
        let now = Utc::now();
        with_pool!(self.store, |p| sqlx::query(
            "INSERT INTO agency_clients (agency_id, client_id, access, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (agency_id, client_id) DO UPDATE SET access = excluded.access"
        )
        .bind(agency)
        .bind(client)
        .bind(access.as_str())
        .bind(now)
        .execute(p)
        .await
        .map(|_| ()))
        .doing("granting an agency access")
    }

    /// An agency's client brands.
    pub async fn clients(&self, agency: OrgId) -> Result<Vec<AgencyClient>> {
        self.agency_links("ac.client_id", "ac.agency_id", agency).await
    }

    /// The agencies a brand has let act for it, with their access.
    pub async fn agencies_of(&self, client: OrgId) -> Result<Vec<AgencyClient>> {
        self.agency_links("ac.agency_id", "ac.client_id", client).await
    }

    /// The organisations at the `other` end of the agency links whose `this`
    /// end is `org`, with the access each link grants.
    async fn agency_links(&self, other: &'static str, this: &'static str, org: OrgId) -> Result<Vec<AgencyClient>> {
        let sql = format!(
            "SELECT o.id, o.kind, o.name, o.created_at, ac.access FROM agency_clients ac
             JOIN organisations o ON o.id = {other} WHERE {this} = $1 ORDER BY o.id"
        );
        let rows: Vec<(i64, String, String, DateTime<Utc>, String)> =
            with_pool!(self.store, |p| sqlx::query_as(&sql).bind(org).fetch_all(p).await)
                .doing("reading agency links")?;
        rows.into_iter()
            .map(|(id, kind, name, created_at, access)| {
                Ok(AgencyClient {
                    org: OrgRow { id, kind, name, created_at }.into_org()?,
                    access: ClientAccess::parse(&access).map_err(|e| corrupt("agency_clients", e))?,
                })
            })
            .collect()
    }

    /// Ends an agency's access to a brand; false when it had none.
    pub async fn revoke_agency(&self, client: OrgId, agency: OrgId) -> Result<bool> {
        with_pool!(self.store, |p| sqlx::query("DELETE FROM agency_clients WHERE agency_id = $1 AND client_id = $2")
            .bind(agency)
            .bind(client)
            .execute(p)
            .await
            .map(|r| r.rows_affected() > 0))
        .doing("revoking an agency's access")
    }
}

//! Organisations and what their members may do.
//!
//! Every brand account belongs to a brand organisation, every agency account
//! to an agency organisation; influencers act for themselves. Members hold an
//! [`OrgRole`]; an agency acting for a client brand gets the lesser of its
//! member's role and the access the client granted ([`ClientAccess`]). The
//! decisions are here, without I/O, so that handlers only ask.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Store-assigned id of an organisation (the tenant of its resources).
pub type OrgId = i64;

/// What kind of organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OrgKind {
    Brand,
    Agency,
}

impl OrgKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Brand => "brand",
            OrgKind::Agency => "agency",
        }
    }

    pub fn parse(s: &str) -> Result<OrgKind> {
        match s {
            "brand" => Ok(OrgKind::Brand),
            "agency" => Ok(OrgKind::Agency),
            _ => Err(Error::bad_parameter("kind", "must be brand or agency")),
        }
    }
}

/// A member's role inside an organisation, from most to least powerful.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OrgRole {
    /// Reads the organisation's data.
    Viewer,
    /// Also creates and edits shortlists, saved searches, campaigns.
    Member,
    /// Also manages members (below admin), keys and clients; reads the audit log.
    Admin,
    /// Also manages admins and owners; an organisation always keeps one.
    Owner,
}

impl OrgRole {
    /// Every role, least powerful first.
    pub const ALL: [OrgRole; 4] = [OrgRole::Viewer, OrgRole::Member, OrgRole::Admin, OrgRole::Owner];

    pub fn as_str(self) -> &'static str {
        match self {
            OrgRole::Viewer => "viewer",
            OrgRole::Member => "member",
            OrgRole::Admin => "admin",
            OrgRole::Owner => "owner",
        }
    }

    pub fn parse(s: &str) -> Result<OrgRole> {
        match s {
            "viewer" => Ok(OrgRole::Viewer),
            "member" => Ok(OrgRole::Member),
            "admin" => Ok(OrgRole::Admin),
            "owner" => Ok(OrgRole::Owner),
            _ => Err(Error::bad_parameter("role", "must be one of owner, admin, member, viewer")),
        }
    }

    /// May create, change and delete the organisation's working data.
    pub fn can_write(self) -> bool {
        self >= OrgRole::Member
    }

    /// May add and remove members, create keys and clients, read the audit log.
    pub fn can_administer(self) -> bool {
        self >= OrgRole::Admin
    }

    /// May give `target` to someone, or change or remove someone who holds
    /// `current`: admins manage members and viewers; owners manage everyone.
    pub fn can_assign(self, current: Option<OrgRole>, target: OrgRole) -> bool {
        let highest = current.map_or(target, |c| c.max(target));
        match self {
            OrgRole::Owner => true,
            OrgRole::Admin => highest <= OrgRole::Member,
            OrgRole::Member | OrgRole::Viewer => false,
        }
    }

    /// What an agency member holding `self` may do in a client brand that
    /// granted the agency `access`: never more than either allows, and never
    /// the client's own administration.
    pub fn through_agency(self, access: ClientAccess) -> OrgRole {
        let cap = match access {
            ClientAccess::Read => OrgRole::Viewer,
            ClientAccess::Write => OrgRole::Member,
        };
        self.min(cap)
    }
}

/// What a client brand lets its agency do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ClientAccess {
    Read,
    Write,
}

impl ClientAccess {
    pub fn as_str(self) -> &'static str {
        match self {
            ClientAccess::Read => "read",
            ClientAccess::Write => "write",
        }
    }

    pub fn parse(s: &str) -> Result<ClientAccess> {
        match s {
            "read" => Ok(ClientAccess::Read),
            "write" => Ok(ClientAccess::Write),
            _ => Err(Error::bad_parameter("access", "must be read or write")),
        }
    }
}

/// What a token that is not a login session (an API key, an OAuth2 client)
/// may be used for. A session holds every scope its account's role allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
pub enum Scope {
    /// Search creators and read profiles.
    #[serde(rename = "search")]
    Search,
    /// Read shortlists and saved searches.
    #[serde(rename = "lists:read")]
    ListsRead,
    /// Create and change shortlists and saved searches.
    #[serde(rename = "lists:write")]
    ListsWrite,
    /// Import, change and delete profiles (platform admins only).
    #[serde(rename = "profiles:write")]
    ProfilesWrite,
    /// Read campaigns, their threads and contracts.
    #[serde(rename = "campaigns:read")]
    CampaignsRead,
    /// Create and change campaigns, invite, negotiate, sign and approve work.
    #[serde(rename = "campaigns:write")]
    CampaignsWrite,
    /// Read the wallet, fundings, invoices and spend.
    #[serde(rename = "payments:read")]
    PaymentsRead,
    /// Fund the wallet (moves the organisation's money).
    #[serde(rename = "payments:write")]
    PaymentsWrite,
}

impl Scope {
    pub const ALL: [Scope; 8] = [
        Scope::Search,
        Scope::ListsRead,
        Scope::ListsWrite,
        Scope::ProfilesWrite,
        Scope::CampaignsRead,
        Scope::CampaignsWrite,
        Scope::PaymentsRead,
        Scope::PaymentsWrite,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Search => "search",
            Scope::ListsRead => "lists:read",
            Scope::ListsWrite => "lists:write",
            Scope::ProfilesWrite => "profiles:write",
            Scope::CampaignsRead => "campaigns:read",
            Scope::CampaignsWrite => "campaigns:write",
            Scope::PaymentsRead => "payments:read",
            Scope::PaymentsWrite => "payments:write",
        }
    }

    pub fn parse(s: &str) -> Result<Scope> {
        Scope::ALL.into_iter().find(|x| x.as_str() == s).ok_or_else(|| {
            let known: Vec<&str> = Scope::ALL.iter().map(|x| x.as_str()).collect();
            Error::bad_parameter("scope", format!("unknown scope `{s}`; known: {}", known.join(", ")))
        })
    }

    /// Parses a space-separated scope list (RFC 6749 §3.3), sorted and deduplicated.
    pub fn parse_list(s: &str) -> Result<Vec<Scope>> {
        let mut scopes = s.split_whitespace().map(Scope::parse).collect::<Result<Vec<_>>>()?;
        scopes.sort();
        scopes.dedup();
        Ok(scopes)
    }

    /// The space-separated form.
    pub fn join(scopes: &[Scope]) -> String {
        scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ")
    }

    /// Whether an account of `role` may hold this scope at all.
    pub fn allowed_for(self, role: crate::account::Role) -> bool {
        use crate::account::Role;
        match self {
            Scope::Search
            | Scope::ListsRead
            | Scope::ListsWrite
            | Scope::CampaignsRead
            | Scope::CampaignsWrite
            | Scope::PaymentsRead
            | Scope::PaymentsWrite => {
                matches!(role, Role::Brand | Role::Agency | Role::Admin)
            }
            Scope::ProfilesWrite => role == Role::Admin,
        }
    }
}

/// Whether a creator who claimed a profile agrees to it being listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Consent {
    Unknown,
    Granted,
    Withdrawn,
}

impl Consent {
    pub fn as_str(self) -> &'static str {
        match self {
            Consent::Unknown => "unknown",
            Consent::Granted => "granted",
            Consent::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Result<Consent> {
        match s {
            "unknown" => Ok(Consent::Unknown),
            "granted" => Ok(Consent::Granted),
            "withdrawn" => Ok(Consent::Withdrawn),
            _ => Err(Error::bad_parameter("consent", "must be granted or withdrawn")),
        }
    }
}

/// Longest name of a shortlist or saved search, in characters.
pub const MAX_LIST_NAME_CHARS: usize = 120;

/// A shortlist's or saved search's name (the rule of
/// [`crate::account::parse_display_name`], at most [`MAX_LIST_NAME_CHARS`]).
pub fn parse_list_name(raw: &str) -> Result<String> {
    crate::account::parse_display_name(raw, "name", MAX_LIST_NAME_CHARS)
}

/// Most tags on a shortlist entry, and longest tag, in characters.
pub const MAX_TAGS: usize = 20;
pub const MAX_TAG_CHARS: usize = 40;

/// What separates tags written as one text.
pub const TAG_SEPARATOR: char = ',';

/// Tags on a shortlist entry: at most [`MAX_TAGS`] as sent, each at most
/// [`MAX_TAG_CHARS`] characters without control characters or commas
/// (checked on the text as sent, as the API's document states it); stored
/// trimmed, lowercase, deduplicated, blanks dropped. A comma separates tags
/// wherever they are written as one text (the web app's tag box, the CSV
/// export), so no tag may hold one.
pub fn parse_tags(raw: &[String]) -> Result<Vec<String>> {
    let bad_char = |c: char| c.is_control() || c == TAG_SEPARATOR;
    if raw.len() > MAX_TAGS || raw.iter().any(|t| t.chars().count() > MAX_TAG_CHARS || t.chars().any(bad_char)) {
        return Err(Error::bad_parameter(
            "tags",
            format!(
                "at most {MAX_TAGS} tags of at most {MAX_TAG_CHARS} characters, without commas or control characters"
            ),
        ));
    }
    let mut tags: Vec<String> = raw.iter().map(|t| t.trim().to_lowercase()).filter(|t| !t.is_empty()).collect();
    tags.sort();
    tags.dedup();
    Ok(tags)
}

/// The search text recorded with a shortlist entry: trimmed, none when
/// empty, refused when longer than a search may be.
pub fn parse_search_text(raw: &str) -> Result<Option<String>> {
    let text = raw.trim();
    if text.chars().count() > crate::query::MAX_QUERY_CHARS {
        return Err(Error::bad_parameter(
            "query",
            format!("must be at most {} characters", crate::query::MAX_QUERY_CHARS),
        ));
    }
    Ok((!text.is_empty()).then(|| text.to_string()))
}

/// A note on a shortlist entry: at most 2,000 characters.
pub fn parse_note(raw: &str) -> Result<String> {
    if raw.chars().count() > 2000 {
        return Err(Error::bad_parameter("note", "must be at most 2000 characters"));
    }
    Ok(raw.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_order_and_permissions() {
        assert!(
            OrgRole::Owner > OrgRole::Admin && OrgRole::Admin > OrgRole::Member && OrgRole::Member > OrgRole::Viewer
        );
        assert!(OrgRole::Member.can_write() && !OrgRole::Viewer.can_write());
        assert!(OrgRole::Admin.can_administer() && !OrgRole::Member.can_administer());
    }

    #[test]
    fn admins_cannot_touch_admins_or_owners() {
        assert!(OrgRole::Admin.can_assign(None, OrgRole::Member));
        assert!(OrgRole::Admin.can_assign(Some(OrgRole::Viewer), OrgRole::Member));
        assert!(!OrgRole::Admin.can_assign(None, OrgRole::Admin));
        assert!(!OrgRole::Admin.can_assign(Some(OrgRole::Owner), OrgRole::Viewer));
        assert!(OrgRole::Owner.can_assign(Some(OrgRole::Owner), OrgRole::Viewer));
        assert!(!OrgRole::Member.can_assign(None, OrgRole::Viewer));
    }

    #[test]
    fn agencies_never_get_more_than_the_client_granted() {
        assert_eq!(OrgRole::Owner.through_agency(ClientAccess::Read), OrgRole::Viewer);
        assert_eq!(OrgRole::Owner.through_agency(ClientAccess::Write), OrgRole::Member);
        assert_eq!(OrgRole::Viewer.through_agency(ClientAccess::Write), OrgRole::Viewer);
    }

    #[test]
    fn scopes_parse_as_a_space_separated_set() {
        assert_eq!(
            Scope::parse_list("lists:write search search").expect("valid"),
            vec![Scope::Search, Scope::ListsWrite]
        );
        assert!(Scope::parse_list("search admin").is_err());
        assert_eq!(Scope::join(&[Scope::Search, Scope::ListsRead]), "search lists:read");
        assert!(!Scope::ProfilesWrite.allowed_for(crate::account::Role::Brand));
        assert!(!Scope::Search.allowed_for(crate::account::Role::Influencer));
    }

    #[test]
    fn list_fields_are_checked() {
        assert_eq!(parse_list_name("  Summer  ").expect("valid"), "Summer");
        assert!(parse_list_name("  ").is_err());
        assert_eq!(parse_tags(&[" Vegan ".into(), "vegan".into(), "".into()]).expect("valid"), vec!["vegan"]);
        let many: Vec<String> = (0..21).map(|i| format!("t{i}")).collect();
        assert!(parse_tags(&many).is_err());
        // A comma separates tags; it cannot be inside one.
        assert!(parse_tags(&["first choice, needs rate".into()]).is_err());
        assert_eq!(parse_tags(&["first choice".into(), "needs rate".into()]).expect("valid").len(), 2);
    }
}

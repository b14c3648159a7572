//! Shortlists (profiles with notes and tags, shared inside an organisation,
//! exportable as CSV) and saved searches. Every record belongs to the
//! organisation the caller acts for, and the store reaches them only through
//! its [`Tenant`](scout_store::Tenant) handle, so a guessed id of another
//! tenant finds nothing.

use std::collections::HashMap;

use scout_domain::org::{self, Scope};
use scout_domain::{Profile, ProfileFacts, ProfileId};
use scout_ranker::SearchRequest;
use scout_store::{SavedSearch, Shortlist, ShortlistEntry};

use crate::Application;
use crate::access::Acting;
use crate::error::{Error, Internal, Result};

/// A shortlist's columns in its CSV export, in order.
pub const CSV_COLUMNS: [&str; 13] = [
    "profile_id",
    "platform",
    "handle",
    "display_name",
    "followers",
    "engagement_rate",
    "country",
    "city",
    "niches",
    "profile_url",
    "note",
    "tags",
    "added_at",
];

/// A shortlist rendered as CSV.
#[derive(Debug, Clone)]
pub struct CsvExport {
    pub shortlist_id: i64,
    pub body: Vec<u8>,
}

/// A saved search with its request read back.
#[derive(Debug, Clone)]
pub struct Saved {
    pub record: SavedSearch,
    pub request: SearchRequest,
}

fn read_saved(s: SavedSearch) -> Result<Saved> {
    let request = serde_json::from_str(&s.request)
        .map_err(|e| Error::internal("reading a saved search", format!("saved search {} is unreadable: {e}", s.id)))?;
    Ok(Saved { record: s, request })
}

/// A cell that a spreadsheet would run as a formula is prefixed with `'`
/// (OWASP CSV injection).
fn cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_string() }
}

impl Application {
    /// The organisation's shortlists.
    pub async fn shortlists(&self, acting: &Acting) -> Result<Vec<Shortlist>> {
        acting.caller.require(Scope::ListsRead)?;
        Ok(self.tenant(acting).shortlists().await?)
    }

    /// Creates a shortlist (members and above).
    pub async fn create_shortlist(&self, acting: &Acting, name: &str) -> Result<Shortlist> {
        acting.require_write(Scope::ListsWrite)?;
        let name = org::parse_list_name(name)?;
        Ok(self.tenant(acting).create_shortlist(&name, acting.caller.id()).await?)
    }

    /// One shortlist with its entries.
    pub async fn shortlist(&self, acting: &Acting, id: i64) -> Result<(Shortlist, Vec<ShortlistEntry>)> {
        acting.caller.require(Scope::ListsRead)?;
        let tenant = self.tenant(acting);
        let list = tenant.shortlist(id).await?;
        Ok((list, tenant.entries(id).await?))
    }

    pub async fn rename_shortlist(&self, acting: &Acting, id: i64, name: &str) -> Result<Shortlist> {
        acting.require_write(Scope::ListsWrite)?;
        let name = org::parse_list_name(name)?;
        Ok(self.tenant(acting).rename_shortlist(id, &name).await?)
    }

    pub async fn delete_shortlist(&self, acting: &Acting, id: i64) -> Result<()> {
        acting.require_write(Scope::ListsWrite)?;
        Ok(self.tenant(acting).delete_shortlist(id).await?)
    }

    /// Adds a profile to a shortlist, or replaces its note and tags; `query`
    /// is the search the creator was found with (ranking feedback).
    pub async fn put_entry(
        &self,
        acting: &Acting,
        list: i64,
        profile: ProfileId,
        note: &str,
        tags: &[String],
        query: Option<&str>,
    ) -> Result<ShortlistEntry> {
        acting.require_write(Scope::ListsWrite)?;
        let note = org::parse_note(note)?;
        let tags = org::parse_tags(tags)?;
        let query = query.map(org::parse_search_text).transpose()?.flatten();
        Ok(self.tenant(acting).put_entry(list, profile, &note, &tags, query.as_deref(), acting.caller.id()).await?)
    }

    pub async fn remove_entry(&self, acting: &Acting, list: i64, profile: ProfileId) -> Result<()> {
        acting.require_write(Scope::ListsWrite)?;
        Ok(self.tenant(acting).remove_entry(list, profile).await?)
    }

    /// The shortlist as CSV: one row per profile with its key figures, note and tags.
    pub async fn export_shortlist_csv(&self, acting: &Acting, id: i64) -> Result<CsvExport> {
        acting.caller.require(Scope::ListsRead)?;
        let tenant = self.tenant(acting);
        let list = tenant.shortlist(id).await?;
        let entries = tenant.entries(id).await?;
        let ids: Vec<ProfileId> = entries.iter().map(|e| e.profile_id).collect();
        let profiles: HashMap<ProfileId, Profile> =
            self.store.profiles().get_profiles(&ids).await?.into_iter().map(|p| (p.id, p.profile)).collect();
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(CSV_COLUMNS).internal("writing csv")?;
        for e in &entries {
            let Some(p) = profiles.get(&e.profile_id) else { continue };
            let facts = ProfileFacts::of(p);
            let row = [
                e.profile_id.to_string(),
                p.platform.as_str().to_string(),
                p.handle.clone(),
                p.display_name.clone().unwrap_or_default(),
                p.followers.to_string(),
                format!("{:.4}", facts.engagement_rate),
                p.country.clone().unwrap_or_default(),
                p.city.clone().unwrap_or_default(),
                facts.niches.join(" "),
                p.profile_url.clone().unwrap_or_default(),
                e.note.clone(),
                e.tags.join(&format!("{} ", scout_domain::org::TAG_SEPARATOR)),
                e.added_at.to_rfc3339(),
            ];
            w.write_record(row.iter().map(|c| cell(c))).internal("writing csv")?;
        }
        let body = w.into_inner().internal("writing csv")?;
        Ok(CsvExport { shortlist_id: list.id, body })
    }

    /// The organisation's saved searches.
    pub async fn saved_searches(&self, acting: &Acting) -> Result<Vec<Saved>> {
        acting.caller.require(Scope::ListsRead)?;
        self.tenant(acting).saved_searches().await?.into_iter().map(read_saved).collect()
    }

    /// Saves a search request by name (it is checked as a search would be).
    pub async fn save_search(&self, acting: &Acting, name: &str, request: &SearchRequest) -> Result<Saved> {
        acting.require_write(Scope::ListsWrite)?;
        let name = org::parse_list_name(name)?;
        request.validate()?;
        let json = serde_json::to_string(request).internal("encoding a search request")?;
        read_saved(self.tenant(acting).save_search(&name, &json, acting.caller.id()).await?)
    }

    pub async fn saved_search(&self, acting: &Acting, id: i64) -> Result<Saved> {
        acting.caller.require(Scope::ListsRead)?;
        read_saved(self.tenant(acting).saved_search(id).await?)
    }

    pub async fn delete_saved_search(&self, acting: &Acting, id: i64) -> Result<()> {
        acting.require_write(Scope::ListsWrite)?;
        Ok(self.tenant(acting).delete_saved_search(id).await?)
    }

    /// The request of a saved search, for running it now (needs `search` too).
    pub async fn saved_search_to_run(&self, acting: &Acting, id: i64) -> Result<SearchRequest> {
        acting.caller.require(Scope::ListsRead)?;
        acting.caller.require(Scope::Search)?;
        Ok(read_saved(self.tenant(acting).saved_search(id).await?)?.request)
    }
}

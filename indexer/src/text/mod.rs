//! The tantivy full-text index of profiles: weighted text fields with
//! stemming and diacritic folding, keyword fields for filters and facets, fast
//! numeric fields for ranges and sorts, and each profile's feature record.
//!
//! By concern: `schema` (fields, analyzer, documents), `write` (upserts,
//! deletes, commits), `query` (compiling text and filters), `selectivity`
//! (listing a selective filter's matches after estimating how many there
//! are), `erasure` (purging deleted documents, checking term dictionaries),
//! `features` (reading the feature records back); searching is here.

mod erasure;
mod features;
mod query;
mod schema;
mod selectivity;
mod write;

pub use query::CompiledFilter;
pub use selectivity::estimated_matches;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use parking_lot::Mutex;
use scout_domain::{Filter, KeywordField, NumericField, ProfileId, Sort};
use tantivy::collector::{Count, TopDocs};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy};

use crate::collect::FacetCounter;
use crate::error::{Error, Result, TextDoing};
use crate::lazy::Checked;
use schema::{Fields, GROWTH_FIELD, ID_FIELD, analyzer, schema};

const ANALYZER: &str = "scout_en";
/// Keyword fields counted as facets.
pub const FACET_FIELDS: [&str; 5] = [
    KeywordField::Platform.name(),
    KeywordField::Country.name(),
    KeywordField::Language.name(),
    KeywordField::Niche.name(),
    KeywordField::Tier.name(),
];

/// Counts per facet value, most frequent first.
pub type Facets = BTreeMap<String, Vec<(String, u64)>>;

/// A text search over the index.
#[derive(Debug, Clone)]
pub struct TextQuery<'a> {
    pub text: &'a str,
    pub filter: &'a Filter,
    pub limit: usize,
    pub sort: Sort,
    pub facets: bool,
    /// Admit only documents that match a selective term (see [`COMMON_TERM_SHARE`]);
    /// false gives classic BM25, where any query term admits a document.
    pub selective: bool,
}

/// A term of a text field found in more than this share of the documents is
/// *common*: with [`TextQuery::selective`] it adds to the score of documents
/// that match the query's selective terms but does not admit documents by itself.
/// This is Lucene's `CommonTermsQuery` (Elasticsearch's `common` query with a
/// `cutoff_frequency`): "people who lift weights" is decided by "lift" and
/// "weight", not by the fifth of all profiles whose posts say "people". When
/// every term of the query is common, every term is required instead. The
/// result: match sets, totals and facets describe what the query is about, and
/// their cost no longer grows with the collection's most frequent words.
pub const COMMON_TERM_SHARE: f64 = 0.02;

/// Hits of a text search.
#[derive(Debug, Clone, Default)]
pub struct TextHits {
    /// `(id, bm25)`; with a sort other than relevance the score is 0.
    pub hits: Vec<(ProfileId, f32)>,
    /// Profiles matching the filter and the text query (all, without text).
    pub total: usize,
    pub facets: Facets,
}

pub struct TextIndex {
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    f: Fields,
    analyzer: TextAnalyzer,
    /// The outbox sequence that searches see: set only after the reader has
    /// reloaded, so "applied" never runs ahead of what a search finds.
    visible_seq: std::sync::atomic::AtomicI64,
}

impl std::fmt::Debug for TextIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextIndex").finish_non_exhaustive()
    }
}

impl TextIndex {
    /// Opens the index in `dir`, creating it when missing.
    pub fn open(dir: &Path, writer_memory: usize) -> Result<TextIndex> {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::Io { path: dir.display().to_string(), message: e.to_string() })?;
        let (schema, f) = schema();
        let index = if dir.join("meta.json").exists() {
            Index::open_in_dir(dir).doing("opening the text index")?
        } else {
            Index::create_in_dir(dir, schema).doing("creating the text index")?
        };
        index.tokenizers().register(ANALYZER, analyzer());
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into().doing("opening a reader")?;
        let writer = index.writer(writer_memory).doing("opening the writer")?;
        let committed = index.load_metas().doing("reading index metadata")?.payload.and_then(|p| p.parse().ok());
        Ok(TextIndex {
            reader,
            writer: Mutex::new(writer),
            f,
            analyzer: analyzer(),
            visible_seq: std::sync::atomic::AtomicI64::new(committed.unwrap_or(0)),
        })
    }

    /// The outbox sequence recorded with the last commit (0 for a new index).
    pub fn applied_seq(&self) -> Result<i64> {
        Ok(self.visible_seq.load(std::sync::atomic::Ordering::Acquire))
    }

    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// BM25 retrieval under the filter (or a sort by a numeric field), with the
    /// total and facet counts of the matching set. A filter on live scores
    /// needs [`TextIndex::search_live`] (or `ProfileIndex::text_search`).
    pub fn search(&self, q: &TextQuery<'_>) -> Result<TextHits> {
        self.search_live(q, None)
    }

    /// [`TextIndex::search`] with a snapshot of the live scores.
    pub fn search_live(&self, q: &TextQuery<'_>, live: Option<&Arc<Vec<f32>>>) -> Result<TextHits> {
        let searcher = self.reader.searcher();
        let (query, checks) = self.build_query(&searcher, q.text, q.filter, q.selective, live)?;
        let limit = q.limit.max(1);
        let facets = FacetCounter { enabled: q.facets };
        let (top, total, facets): (Vec<(f32, DocAddress)>, usize, Facets) = match q.sort {
            Sort::Relevance => searcher
                .search(&query, &Checked::new(checks, (TopDocs::with_limit(limit), Count, facets)))
                .doing("searching")?,
            Sort::FollowersDesc | Sort::FollowersAsc => {
                let order = if q.sort == Sort::FollowersDesc { Order::Desc } else { Order::Asc };
                let c = TopDocs::with_limit(limit).order_by_fast_field::<u64>(NumericField::Followers.name(), order);
                let (top, total, facets) =
                    searcher.search(&query, &Checked::new(checks, (c, Count, facets))).doing("searching")?;
                (top.into_iter().map(|(_, a)| (0.0, a)).collect(), total, facets)
            }
            Sort::EngagementDesc | Sort::GrowthDesc => {
                let field =
                    if q.sort == Sort::EngagementDesc { NumericField::EngagementRate.name() } else { GROWTH_FIELD };
                let c = TopDocs::with_limit(limit).order_by_fast_field::<f64>(field, Order::Desc);
                let (top, total, facets) =
                    searcher.search(&query, &Checked::new(checks, (c, Count, facets))).doing("searching")?;
                (top.into_iter().map(|(_, a)| (0.0, a)).collect(), total, facets)
            }
        };
        Ok(TextHits { hits: self.ids(&searcher, top)?, total, facets })
    }

    /// Counts profiles matching a filter.
    pub fn count(&self, filter: &Filter) -> Result<usize> {
        let searcher = self.reader.searcher();
        let (query, checks) = self.build_query(&searcher, "", filter, false, None)?;
        searcher.search(&query, &Checked::new(checks, Count)).doing("counting")
    }

    fn ids(&self, searcher: &tantivy::Searcher, top: Vec<(f32, DocAddress)>) -> Result<Vec<(ProfileId, f32)>> {
        let mut columns = HashMap::new();
        let mut out = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let col = match columns.entry(addr.segment_ord) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(v) => v.insert(
                    searcher.segment_reader(addr.segment_ord).fast_fields().u64(ID_FIELD).doing("reading ids")?,
                ),
            };
            if let Some(id) = col.first(addr.doc_id) {
                out.push((id as ProfileId, score));
            }
        }
        Ok(out)
    }
}

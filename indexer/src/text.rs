//! The tantivy full-text index of profiles: weighted text fields with
//! stemming and diacritic folding, keyword fields for filters and facets, fast
//! numeric fields for ranges and sorts, and each profile's feature record.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use parking_lot::Mutex;
use scout_domain::{Clause, Filter, KeywordField, NumericField, ProfileId, Sort};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, TermQuery, TermSetQuery};
use tantivy::schema::{
    BytesOptions, FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer, TokenStream,
};
use tantivy::{DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term};

use crate::collect::{FacetCounter, IdCollector};
use crate::document::{Features, IndexDoc};
use crate::error::{Error, Result, TextDoing};
use crate::lazy::{Checked, FastRange, NumberKind, SegmentCheck};
use crate::live::QualityFloor;

const ANALYZER: &str = "scout_en";
/// Keyword fields counted as facets.
pub const FACET_FIELDS: [&str; 5] = ["platform", "country", "language", "niche", "tier"];

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

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    name: Field,
    categories: Field,
    bio: Field,
    posts: Field,
    platform: Field,
    country: Field,
    city: Field,
    language: Field,
    niche: Field,
    tier: Field,
    audience: Field,
    followers: Field,
    engagement_rate: Field,
    growth: Field,
    verified: Field,
    price_usd: Field,
    features: Field,
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

fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    // Term frequencies without positions: no query matches phrases, and positions
    // would be most of the posting data of the long `posts` field.
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer(ANALYZER).set_index_option(IndexRecordOption::WithFreqs),
    );
    let keyword = STRING | FAST;
    let f = Fields {
        id: b.add_u64_field("id", INDEXED | FAST | STORED),
        name: b.add_text_field("name", text.clone()),
        categories: b.add_text_field("categories", text.clone()),
        bio: b.add_text_field("bio", text.clone()),
        posts: b.add_text_field("posts", text),
        platform: b.add_text_field("platform", keyword.clone()),
        country: b.add_text_field("country", keyword.clone()),
        city: b.add_text_field("city", keyword.clone()),
        language: b.add_text_field("language", keyword.clone()),
        niche: b.add_text_field("niche", keyword.clone()),
        tier: b.add_text_field("tier", keyword.clone()),
        audience: b.add_text_field("audience", STRING),
        followers: b.add_u64_field("followers", INDEXED | FAST),
        engagement_rate: b.add_f64_field("engagement_rate", INDEXED | FAST),
        growth: b.add_f64_field("growth", FAST),
        verified: b.add_bool_field("verified", INDEXED | FAST),
        // The headline rate in US cents; absent without a stated rate.
        price_usd: b.add_u64_field("price_usd", INDEXED | FAST),
        features: b.add_bytes_field("features", BytesOptions::default().set_fast()),
    };
    (b.build(), f)
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

    /// Adds or replaces documents (not visible before [`TextIndex::commit`]).
    pub fn upsert(&self, docs: &[IndexDoc]) -> Result<()> {
        let writer = self.writer.lock();
        for d in docs {
            writer.delete_term(Term::from_field_u64(self.f.id, d.id as u64));
            writer.add_document(self.to_document(d)).doing("adding a document")?;
        }
        Ok(())
    }

    pub fn delete(&self, ids: &[ProfileId]) {
        let writer = self.writer.lock();
        for id in ids {
            writer.delete_term(Term::from_field_u64(self.f.id, *id as u64));
        }
    }

    /// Deletes everything (for a rebuild).
    pub fn clear(&self) -> Result<()> {
        self.writer.lock().delete_all_documents().doing("clearing the index")?;
        Ok(())
    }

    /// Commits pending changes with the outbox sequence they bring the index to,
    /// and makes them searchable.
    pub fn commit(&self, seq: i64) -> Result<()> {
        {
            let mut writer = self.writer.lock();
            let mut prepared = writer.prepare_commit().doing("preparing a commit")?;
            prepared.set_payload(&seq.to_string());
            prepared.commit().doing("committing")?;
        }
        self.reader.reload().doing("reloading the reader")?;
        self.visible_seq.store(seq, std::sync::atomic::Ordering::Release);
        Ok(())
    }

    /// Rewrites every segment that holds deleted documents, then removes the
    /// old files, so nothing of a deleted document (its terms included) is
    /// left on disk: what erasure needs. Blocking; cost grows with the size of
    /// the segments touched.
    pub fn purge_deleted(&self) -> Result<usize> {
        let searcher = self.reader.searcher();
        let dirty: Vec<tantivy::index::SegmentId> =
            searcher.segment_readers().iter().filter(|r| r.num_deleted_docs() > 0).map(|r| r.segment_id()).collect();
        let mut writer = self.writer.lock();
        if !dirty.is_empty() {
            // A segment whose documents are all deleted is dropped at commit;
            // a merge of the others rewrites them without the deleted ones.
            writer.merge(&dirty).wait().doing("merging segments with deletions")?;
        }
        writer.garbage_collect_files().wait().doing("removing unused index files")?;
        drop(writer);
        self.reader.reload().doing("reloading the reader")?;
        Ok(dirty.len())
    }

    /// Whether any segment's term dictionary still holds `word` (as the
    /// analyzer turns it into terms) in a free-text field, deleted documents
    /// included: what erasure checks.
    pub fn holds_word(&self, word: &str) -> Result<bool> {
        let mut analyzer = self.analyzer.clone();
        let mut terms = Vec::new();
        let mut stream = analyzer.token_stream(word);
        while let Some(t) = stream.next() {
            terms.push(t.text.clone());
        }
        let searcher = self.reader.searcher();
        for reader in searcher.segment_readers() {
            for field in [self.f.name, self.f.categories, self.f.bio, self.f.posts] {
                let inverted = reader.inverted_index(field).doing("reading a term dictionary")?;
                for t in &terms {
                    let found = inverted.terms().get(t.as_bytes()).map_err(tantivy::TantivyError::from);
                    if found.doing("looking up a term")?.is_some() {
                        return Ok(true);
                    }
                }
            }
        }
        Ok(false)
    }

    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    fn to_document(&self, d: &IndexDoc) -> TantivyDocument {
        let f = &self.f;
        let feat = &d.features;
        let mut doc = TantivyDocument::new();
        doc.add_u64(f.id, d.id as u64);
        doc.add_text(f.name, &d.name);
        doc.add_text(f.categories, &d.categories);
        doc.add_text(f.bio, &d.bio);
        doc.add_text(f.posts, &d.posts);
        doc.add_text(f.platform, feat.platform);
        if let Some(c) = &feat.country {
            doc.add_text(f.country, c);
        }
        if let Some(c) = &d.city {
            doc.add_text(f.city, c);
        }
        for l in &feat.languages {
            doc.add_text(f.language, l);
        }
        for n in &feat.niches {
            doc.add_text(f.niche, n);
        }
        doc.add_text(f.tier, feat.tier.as_str());
        for t in &d.facts.audience_terms {
            doc.add_text(f.audience, t);
        }
        doc.add_u64(f.followers, feat.followers);
        doc.add_f64(f.engagement_rate, feat.engagement_rate as f64);
        doc.add_f64(f.growth, if feat.growth_90d.is_nan() { -1.0 } else { feat.growth_90d as f64 });
        doc.add_bool(f.verified, feat.verified);
        if let Some(cents) = d.price_usd {
            doc.add_u64(f.price_usd, cents);
        }
        doc.add_bytes(f.features, &serde_json::to_vec(feat).unwrap_or_default());
        doc
    }

    /// Terms of a query text as the index analyses them, without duplicates.
    pub fn analyse(&self, text: &str) -> Vec<String> {
        let mut analyzer = self.analyzer.clone();
        let mut stream = analyzer.token_stream(text);
        let mut out: Vec<String> = Vec::new();
        while stream.advance() {
            let t = stream.token().text.clone();
            if !out.contains(&t) {
                out.push(t);
            }
        }
        out
    }

    /// For each analysed term of `text`, the largest number of documents that
    /// contain it in any text field (0 when no document does).
    pub fn doc_freqs(&self, text: &str) -> Result<Vec<(String, u64)>> {
        let searcher = self.reader.searcher();
        let fields = [self.f.categories, self.f.bio, self.f.name, self.f.posts];
        self.analyse(text)
            .into_iter()
            .map(|t| {
                let mut df = 0;
                for field in fields {
                    df = df.max(
                        searcher.doc_freq(&Term::from_field_text(field, &t)).doing("reading a document frequency")?,
                    );
                }
                Ok((t, df))
            })
            .collect()
    }

    /// The scoring part of a search: every (term, field) pair as a weighted BM25
    /// clause; with `selective`, common pairs only score (see [`COMMON_TERM_SHARE`]).
    fn text_query(&self, searcher: &tantivy::Searcher, text: &str, selective: bool) -> Result<Option<Box<dyn Query>>> {
        let terms = self.analyse(text);
        if terms.is_empty() {
            return Ok(None);
        }
        let fields = [(self.f.categories, 2.0), (self.f.bio, 1.0), (self.f.name, 1.0), (self.f.posts, 0.6)];
        let cutoff = (searcher.num_docs() as f64 * COMMON_TERM_SHARE) as u64;
        let clause = |term: Term, boost: f32| -> (Occur, Box<dyn Query>) {
            let q = TermQuery::new(term, IndexRecordOption::WithFreqs);
            (Occur::Should, Box::new(BoostQuery::new(Box::new(q), boost)))
        };
        let mut rare: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        // Per term, its common clauses: optional beside rare clauses, all
        // required (term by term) when no clause is rare.
        let mut common_by_term: Vec<Vec<(Occur, Box<dyn Query>)>> = Vec::new();
        for t in &terms {
            let mut of_term = Vec::new();
            for (field, boost) in fields {
                let term = Term::from_field_text(field, t);
                if !selective {
                    rare.push(clause(term, boost));
                    continue;
                }
                let df = searcher.doc_freq(&term).doing("reading a document frequency")?;
                if df == 0 {
                    continue;
                }
                if df > cutoff {
                    of_term.push(clause(term, boost));
                } else {
                    rare.push(clause(term, boost));
                }
            }
            if !of_term.is_empty() {
                common_by_term.push(of_term);
            }
        }
        let query: Box<dyn Query> = match (rare.is_empty(), common_by_term.is_empty()) {
            (false, true) => Box::new(BooleanQuery::new(rare)),
            (false, false) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, Box::new(BooleanQuery::new(rare)) as Box<dyn Query>),
                (Occur::Should, Box::new(BooleanQuery::new(common_by_term.into_iter().flatten().collect()))),
            ])),
            (true, false) => Box::new(BooleanQuery::new(
                common_by_term
                    .into_iter()
                    .map(|of_term| (Occur::Must, Box::new(BooleanQuery::new(of_term)) as Box<dyn Query>))
                    .collect(),
            )),
            // No field of any document has any of the terms.
            (true, true) => Box::new(tantivy::query::EmptyQuery),
        };
        Ok(Some(query))
    }

    /// Compiles the filter for tantivy: clauses with posting lists become
    /// queries that score nothing; numeric ranges become per-candidate checks
    /// (see [`crate::lazy`]) when something else enumerates the candidates
    /// (a term clause, the query text when `with_text`, or the first range,
    /// which then stays a query). Clauses on live scores (audience quality)
    /// are always checks; they read `live`, the caller's snapshot of
    /// [`crate::LiveScores`], and without one such a clause is an error.
    pub fn filter_query(
        &self,
        filter: &Filter,
        live: Option<&Arc<Vec<f32>>>,
        with_text: bool,
    ) -> Result<CompiledFilter> {
        let mut out = CompiledFilter::default();
        let mut enumerated =
            with_text || filter.must.iter().any(|c| matches!(c, Clause::AnyOf { .. } | Clause::Verified(_)));
        for c in &filter.must {
            let q: Box<dyn Query> = match c {
                Clause::AnyOf { field, values } => {
                    let field = self.keyword_field(*field);
                    let term = |v: &String| {
                        Box::new(TermQuery::new(Term::from_field_text(field, v), IndexRecordOption::Basic))
                            as Box<dyn Query>
                    };
                    // A few values walk their posting lists; a term set
                    // builds an automaton and a bitset of the whole segment
                    // on every search, which only pays off for many values.
                    match values.len() {
                        1 => term(&values[0]),
                        2..=16 => {
                            Box::new(BooleanQuery::new(values.iter().map(|v| (Occur::Should, term(v))).collect()))
                        }
                        _ => Box::new(TermSetQuery::new(values.iter().map(|v| Term::from_field_text(field, v)))),
                    }
                }
                Clause::Verified(v) => {
                    Box::new(TermQuery::new(Term::from_field_bool(self.f.verified, *v), IndexRecordOption::Basic))
                }
                Clause::Range { field, min, max } => {
                    let Some((range, indexed)) = self.stored_range(*field, *min, *max) else {
                        // Live scores: the audience-quality floor.
                        let scores = live.ok_or(Error::LiveScoresMissing { field: "audience_quality" })?;
                        if max.is_some() {
                            return Err(Error::UnsupportedClause { clause: "an upper bound on audience quality" });
                        }
                        out.checks.push(Arc::new(QualityFloor { scores: scores.clone(), min: min.unwrap_or(0.0) }));
                        continue;
                    };
                    if enumerated {
                        out.checks.push(Arc::new(range));
                        continue;
                    }
                    enumerated = true;
                    range.query(indexed)
                }
            };
            out.queries.push(Box::new(ConstScoreQuery::new(q, 0.0)));
        }
        Ok(out)
    }

    /// A range on a stored numeric field, as a check on its fast column and
    /// the field a range query reads; `None` for live scores (no stored field).
    fn stored_range(&self, field: NumericField, min: Option<f64>, max: Option<f64>) -> Option<(FastRange, Field)> {
        let (name, kind, indexed) = match field {
            NumericField::Followers => ("followers", NumberKind::U64, self.f.followers),
            NumericField::EngagementRate => ("engagement_rate", NumberKind::F64, self.f.engagement_rate),
            NumericField::PriceUsd => ("price_usd", NumberKind::U64, self.f.price_usd),
            NumericField::AudienceQuality => return None,
        };
        Some((FastRange { field: name, kind, min, max }, indexed))
    }

    fn keyword_field(&self, field: KeywordField) -> Field {
        match field {
            KeywordField::Platform => self.f.platform,
            KeywordField::Country => self.f.country,
            KeywordField::City => self.f.city,
            KeywordField::Language => self.f.language,
            KeywordField::Niche => self.f.niche,
            KeywordField::Tier => self.f.tier,
            KeywordField::Audience => self.f.audience,
        }
    }

    /// The query that enumerates candidates, and the checks each must pass
    /// (the collector applies them: wrap it in [`Checked`]).
    fn build_query(
        &self,
        searcher: &tantivy::Searcher,
        text: &str,
        filter: &Filter,
        selective: bool,
        live: Option<&Arc<Vec<f32>>>,
    ) -> Result<(Box<dyn Query>, Checks)> {
        let text_query = self.text_query(searcher, text, selective)?;
        let compiled = self.filter_query(filter, live, text_query.is_some())?;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            compiled.queries.into_iter().map(|q| (Occur::Must, q)).collect();
        if let Some(t) = text_query {
            clauses.push((Occur::Must, t));
        }
        let query: Box<dyn Query> = match clauses.len() {
            0 => Box::new(AllQuery),
            1 if clauses[0].0 == Occur::Must => clauses.remove(0).1,
            _ => Box::new(BooleanQuery::new(clauses)),
        };
        Ok((query, compiled.checks))
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
                let c = TopDocs::with_limit(limit).order_by_fast_field::<u64>("followers", order);
                let (top, total, facets) =
                    searcher.search(&query, &Checked::new(checks, (c, Count, facets))).doing("searching")?;
                (top.into_iter().map(|(_, a)| (0.0, a)).collect(), total, facets)
            }
            Sort::EngagementDesc | Sort::GrowthDesc => {
                let field = if q.sort == Sort::EngagementDesc { "engagement_rate" } else { "growth" };
                let c = TopDocs::with_limit(limit).order_by_fast_field::<f64>(field, Order::Desc);
                let (top, total, facets) =
                    searcher.search(&query, &Checked::new(checks, (c, Count, facets))).doing("searching")?;
                (top.into_iter().map(|(_, a)| (0.0, a)).collect(), total, facets)
            }
        };
        Ok(TextHits { hits: self.ids(&searcher, top)?, total, facets })
    }

    /// The ids of the profiles `filter` admits, when it admits about `cap` or
    /// fewer. Whether it does is first estimated without reading a posting
    /// list: the share of profiles each keyword clause admits (its values'
    /// document frequencies), times the share each numeric range admits in an
    /// evenly spaced sample of documents, as if clauses were independent (the
    /// estimate query planners make). `None` when the estimate is above `cap`,
    /// or the matches turn out to be more than twice `cap`. Clauses on live
    /// scores read `live` (see [`TextIndex::filter_query`]) and are not estimated.
    pub fn filter_ids(
        &self,
        filter: &Filter,
        live: Option<&Arc<Vec<f32>>>,
        cap: usize,
    ) -> Result<Option<Vec<ProfileId>>> {
        let searcher = self.reader.searcher();
        let docs = searcher.num_docs() as f64;
        let mut estimate = docs;
        for clause in &filter.must {
            let share = match clause {
                Clause::AnyOf { field, values } => {
                    let field = self.keyword_field(*field);
                    let mut admits = 0u64;
                    for v in values {
                        admits += searcher
                            .doc_freq(&Term::from_field_text(field, v))
                            .doing("reading a document frequency")?;
                    }
                    admits as f64 / docs.max(1.0)
                }
                Clause::Verified(v) => {
                    let term = Term::from_field_bool(self.f.verified, *v);
                    searcher.doc_freq(&term).doing("reading a document frequency")? as f64 / docs.max(1.0)
                }
                Clause::Range { field, min, max } => match self.stored_range(*field, *min, *max) {
                    Some((range, _)) => sampled_share(&searcher, &range)?,
                    None => 1.0,
                },
            };
            estimate *= share.min(1.0);
        }
        if estimate > cap as f64 {
            return Ok(None);
        }
        let (query, checks) = self.build_query(&searcher, "", filter, false, live)?;
        let ids = searcher.search(&query, &Checked::new(checks, IdCollector)).doing("listing a filter's matches")?;
        Ok((ids.len() <= cap.saturating_mul(2)).then_some(ids))
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
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(searcher.segment_reader(addr.segment_ord).fast_fields().u64("id").doing("reading ids")?)
                }
            };
            if let Some(id) = col.first(addr.doc_id) {
                out.push((id as ProfileId, score));
            }
        }
        Ok(out)
    }

    /// Every indexed profile's feature record (to fill the in-memory table at start).
    ///
    /// The records are the terms of a dictionary-encoded column whose blocks are
    /// compressed: streaming the dictionary once decompresses each block once,
    /// where looking every document's term up decompressed a block per document.
    pub fn all_features(&self) -> Result<Vec<(ProfileId, Arc<Features>)>> {
        let searcher = self.reader.searcher();
        let mut out = Vec::with_capacity(searcher.num_docs() as usize);
        for seg in searcher.segment_readers() {
            let ids = seg.fast_fields().u64("id").doing("reading ids")?;
            let Some(bytes) = seg.fast_fields().bytes("features").doing("reading features")? else { continue };
            let mut by_ord: Vec<Option<Arc<Features>>> = vec![None; bytes.num_terms()];
            let mut stream = bytes
                .dictionary()
                .stream()
                .map_err(|e| Error::Io { path: "text index features".into(), message: e.to_string() })?;
            while stream.advance() {
                if let Some(slot) = by_ord.get_mut(stream.term_ord() as usize) {
                    *slot = serde_json::from_slice::<Features>(stream.key()).ok().map(Arc::new);
                }
            }
            let alive = seg.alive_bitset();
            for doc in 0..seg.max_doc() {
                if alive.is_some_and(|a| !a.is_alive(doc)) {
                    continue;
                }
                let (Some(id), Some(ord)) = (ids.first(doc), bytes.term_ords(doc).next()) else { continue };
                if let Some(Some(f)) = by_ord.get(ord as usize) {
                    out.push((id as ProfileId, f.clone()));
                }
            }
        }
        Ok(out)
    }
}

/// The share of documents `range` admits in an evenly spaced sample of
/// each segment (up to 512 documents a segment; smoothed, never 0).
fn sampled_share(searcher: &tantivy::Searcher, range: &FastRange) -> Result<f64> {
    const SAMPLE: u32 = 512;
    let (mut seen, mut passed) = (0u32, 0u32);
    for segment in searcher.segment_readers() {
        let admits = range.check_for(segment).doing("reading a numeric column")?;
        let step = (segment.max_doc() / SAMPLE).max(1);
        for doc in (0..segment.max_doc()).step_by(step as usize) {
            seen += 1;
            passed += u32::from(admits(doc));
        }
    }
    Ok((f64::from(passed) + 1.0) / (f64::from(seen) + 1.0))
}

/// Clauses checked on each candidate (see [`crate::lazy`]).
type Checks = Vec<Arc<dyn SegmentCheck>>;

/// A filter compiled for tantivy (see [`TextIndex::filter_query`]).
#[derive(Default)]
pub struct CompiledFilter {
    /// Clauses that enumerate documents, all required.
    pub queries: Vec<Box<dyn Query>>,
    /// Clauses checked on each enumerated document.
    pub checks: Checks,
}

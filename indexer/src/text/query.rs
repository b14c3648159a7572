//! Query compilation: the text as weighted BM25 clauses (with common terms
//! only scoring, see [`COMMON_TERM_SHARE`]), the filter as enumerating
//! queries and per-candidate checks, and the two combined.

use std::sync::Arc;

use scout_domain::{Clause, Filter, NumericField};
use tantivy::Term;
use tantivy::query::{AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, TermQuery, TermSetQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TokenStream;

use super::{COMMON_TERM_SHARE, TextIndex};
use crate::error::{Error, Result, TextDoing};
use crate::lazy::{FastRange, NumberKind, SegmentCheck};
use crate::live::QualityFloor;

/// Clauses checked on each candidate (see [`crate::lazy`]).
pub(crate) type Checks = Vec<Arc<dyn SegmentCheck>>;

/// A filter compiled for tantivy (see [`TextIndex::filter_query`]).
#[derive(Default)]
pub struct CompiledFilter {
    /// Clauses that enumerate documents, all required.
    pub queries: Vec<Box<dyn Query>>,
    /// Clauses checked on each enumerated document.
    pub checks: Checks,
}

impl TextIndex {
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
    pub(super) fn text_query(
        &self,
        searcher: &tantivy::Searcher,
        text: &str,
        selective: bool,
    ) -> Result<Option<Box<dyn Query>>> {
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
    pub(super) fn stored_range(
        &self,
        field: NumericField,
        min: Option<f64>,
        max: Option<f64>,
    ) -> Option<(FastRange, Field)> {
        let (name, kind, indexed) = match field {
            NumericField::Followers => ("followers", NumberKind::U64, self.f.followers),
            NumericField::EngagementRate => ("engagement_rate", NumberKind::F64, self.f.engagement_rate),
            NumericField::PriceUsd => ("price_usd", NumberKind::U64, self.f.price_usd),
            NumericField::AudienceQuality => return None,
        };
        Some((FastRange { field: name, kind, min, max }, indexed))
    }

    /// The query that enumerates candidates, and the checks each must pass
    /// (the collector applies them: wrap it in [`Checked`]).
    pub(super) fn build_query(
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
}

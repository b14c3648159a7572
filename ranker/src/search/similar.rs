//! Lookalikes: the profiles nearest to the mean vector of the given ones,
//! under the filters, excluding the seeds, scored by the same model.

use std::collections::HashSet;

use scout_domain::query::MAX_LIMIT;
use scout_domain::{Error as DomainError, ProfileId, SearchFilters};
use scout_indexer::Space;
use scout_models::ranking::Feature;

use super::explain::page_of;
use super::{Engine, Hit, Scored};
use crate::error::{Error, Result};
use crate::model::{self, QueryContext, Signals};
use crate::understand::ParsedQuery;

impl Engine {
    /// Profiles like the given ones: nearest neighbours of their mean vector,
    /// under the filters, excluding the seeds.
    pub fn similar(&self, ids: &[ProfileId], filters: &SearchFilters, limit: usize, offset: usize) -> Result<Vec<Hit>> {
        if limit == 0 || limit > MAX_LIMIT {
            return Err(DomainError::bad_parameter("limit", format!("must be between 1 and {MAX_LIMIT}")).into());
        }
        filters.validate()?;
        let filter = filters.to_filter();
        let all_minilm = self.minilm.is_some()
            && ids.iter().all(|id| self.index.vector(*id, Space::MiniLm).ok().flatten().is_some());
        let space = if all_minilm { Space::MiniLm } else { Space::Static };
        let mut mean: Vec<f32> = Vec::new();
        for id in ids {
            let v = self.index.vector(*id, space)?.ok_or(Error::UnknownProfile { id: *id })?;
            if mean.is_empty() {
                mean = vec![0.0; v.len()];
            }
            mean.iter_mut().zip(&v).for_each(|(m, x)| *m += x);
        }
        scout_models::normalise(&mut mean);
        let hits = self.index.vector_search(space, &mean, &filter, offset + limit + ids.len())?;
        let seeds: HashSet<&ProfileId> = ids.iter().collect();
        let seed_niches: Vec<String> = ids
            .iter()
            .filter_map(|id| self.index.features(*id))
            .flat_map(|f| f.niches.iter().map(|n| n.to_string()).collect::<Vec<_>>())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let (min_cos, max_cos) = hits.iter().fold((f32::MAX, f32::MIN), |(lo, hi), h| (lo.min(h.1), hi.max(h.1)));
        let ctx = QueryContext {
            niches: seed_niches,
            now_ts: chrono::Utc::now().timestamp(),
            has_text: true,
            ..Default::default()
        };
        let weights = self.blend().weights(0.0);
        let parsed = ParsedQuery::default();
        let mut out: Vec<Scored> = hits
            .into_iter()
            .filter(|(id, _)| !seeds.contains(id))
            .filter_map(|(id, cos)| {
                let features = self.index.features(id)?;
                let signals =
                    Signals { bm25: None, max_bm25: 0.0, cosine: Some(cos), min_cosine: min_cos, max_cosine: max_cos };
                let mut values = model::features(&features, &signals, &ctx);
                values[Feature::TextRelevance] = None; // no text in a lookalike search
                let (score, contributions) = model::score(&values, &weights);
                let factor = model::bought_followers_factor(features.audience_quality);
                Some(Scored { id, score: score * factor, contributions, features, factor, reputation: None })
            })
            .collect();
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
        Ok(page_of(out, offset, limit, &ctx, &parsed))
    }
}

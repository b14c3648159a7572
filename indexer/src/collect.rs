//! tantivy collectors of the text index: the profile ids of the matches,
//! and facet counts of keyword values.

use std::collections::{BTreeMap, HashMap};

use scout_domain::ProfileId;
use tantivy::SegmentReader;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;

use crate::text::{FACET_FIELDS, Facets};

/// The profile ids of the matching documents.
pub(crate) struct IdCollector;

pub(crate) struct SegmentIds {
    ids: tantivy::columnar::Column<u64>,
    out: Vec<ProfileId>,
}

impl Collector for IdCollector {
    type Fruit = Vec<ProfileId>;
    type Child = SegmentIds;

    fn for_segment(&self, _ord: u32, segment: &SegmentReader) -> tantivy::Result<SegmentIds> {
        Ok(SegmentIds { ids: segment.fast_fields().u64("id")?, out: Vec::new() })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<ProfileId>>) -> tantivy::Result<Vec<ProfileId>> {
        Ok(fruits.concat())
    }
}

impl SegmentCollector for SegmentIds {
    type Fruit = Vec<ProfileId>;

    fn collect(&mut self, doc: u32, _score: f32) {
        if let Some(id) = self.ids.first(doc) {
            self.out.push(id as ProfileId);
        }
    }

    fn harvest(self) -> Vec<ProfileId> {
        self.out
    }
}

/// Counts keyword values of the matching documents in one pass.
pub(crate) struct FacetCounter {
    pub(crate) enabled: bool,
}

pub(crate) struct SegmentFacets {
    columns: Vec<(&'static str, StrColumn, Vec<u64>)>,
}

impl Collector for FacetCounter {
    type Fruit = Facets;
    type Child = SegmentFacets;

    fn for_segment(&self, _ord: u32, segment: &SegmentReader) -> tantivy::Result<SegmentFacets> {
        let mut columns = Vec::new();
        if self.enabled {
            for name in FACET_FIELDS {
                if let Some(col) = segment.fast_fields().str(name)? {
                    let n = col.num_terms();
                    columns.push((name, col, vec![0u64; n]));
                }
            }
        }
        Ok(SegmentFacets { columns })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Facets>) -> tantivy::Result<Facets> {
        let mut merged: BTreeMap<String, HashMap<String, u64>> = BTreeMap::new();
        for fruit in fruits {
            for (name, values) in fruit {
                let m = merged.entry(name).or_default();
                for (v, c) in values {
                    *m.entry(v).or_default() += c;
                }
            }
        }
        Ok(merged
            .into_iter()
            .map(|(name, m)| {
                let mut v: Vec<(String, u64)> = m.into_iter().collect();
                v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                (name, v)
            })
            .collect())
    }
}

impl SegmentCollector for SegmentFacets {
    type Fruit = Facets;

    fn collect(&mut self, doc: u32, _score: f32) {
        for (_, col, counts) in &mut self.columns {
            for ord in col.term_ords(doc) {
                if let Some(c) = counts.get_mut(ord as usize) {
                    *c += 1;
                }
            }
        }
    }

    fn harvest(self) -> Facets {
        let mut out = Facets::new();
        for (name, col, counts) in self.columns {
            let mut values = Vec::new();
            let mut s = String::new();
            for (ord, c) in counts.into_iter().enumerate() {
                if c > 0 {
                    s.clear();
                    if col.ord_to_str(ord as u64, &mut s).unwrap_or(false) {
                        values.push((s.clone(), c));
                    }
                }
            }
            out.insert(name.to_string(), values);
        }
        out
    }
}

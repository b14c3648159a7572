//! Facets: counts per value of platform, country, language, niche and tier
//! over the result set, the 50 commonest of each.

use std::collections::BTreeMap;

use scout_indexer::{Facets, Features};

use super::FacetCount;

pub(super) fn add_facets(facets: &mut Facets, f: &Features) {
    let mut bump = |name: &str, value: &str| {
        let list = facets.entry(name.to_string()).or_default();
        match list.iter_mut().find(|(v, _)| v == value) {
            Some((_, c)) => *c += 1,
            None => list.push((value.to_string(), 1)),
        }
    };
    bump("platform", &f.platform);
    if let Some(c) = &f.country {
        bump("country", c);
    }
    for l in &f.languages {
        bump("language", l);
    }
    for n in &f.niches {
        bump("niche", n);
    }
    bump("tier", f.tier.as_str());
}

pub(super) fn facets_out(facets: Facets) -> BTreeMap<String, Vec<FacetCount>> {
    facets
        .into_iter()
        .map(|(name, mut values)| {
            values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            (name, values.into_iter().take(50).map(|(value, count)| FacetCount { value, count }).collect())
        })
        .collect()
}

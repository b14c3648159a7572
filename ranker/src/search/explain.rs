//! The page shown: the requested slice of ranked candidates, each with its
//! explanation (each feature's contribution, what of the query it matched,
//! one readable line). Only the page is explained, never all the candidates.

use scout_indexer::Features;

use super::{Hit, Scored};
use crate::model::{self, Explanation, MovedDown, QueryContext};
use crate::reputation::{Reputation, effect};
use crate::understand::{ParsedQuery, RecognisedKind};

/// The requested page of ranked candidates, each with its explanation.
pub(super) fn page_of(
    ranked: Vec<Scored>,
    offset: usize,
    limit: usize,
    ctx: &QueryContext,
    parsed: &ParsedQuery,
) -> Vec<Hit> {
    ranked
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|s| Hit {
            id: s.id,
            score: s.score,
            explanation: explain(&s.features, s.contributions, s.factor, s.reputation, ctx, parsed),
        })
        .collect()
}

fn explain(
    f: &Features,
    contributions: Vec<model::Contribution>,
    factor: f64,
    reputation: Option<Reputation>,
    ctx: &QueryContext,
    parsed: &ParsedQuery,
) -> Explanation {
    let mut matched: Vec<String> = ctx.niches.iter().filter(|n| f.niches.iter().any(|x| x == *n)).cloned().collect();
    for r in &parsed.recognised {
        if r.kind.describes_the_creator() {
            matched.push(match r.kind {
                // "US:Texas" reads "Texas"; a group of countries reads as the query named it.
                RecognisedKind::Region => r
                    .value
                    .split(',')
                    .map(|id| id.split_once(':').map_or(id, |(_, name)| name))
                    .collect::<Vec<_>>()
                    .join("/"),
                RecognisedKind::CountryGroup => r.span.clone(),
                _ => r.value.clone(),
            });
        }
    }
    let evt = (f.engagement_vs_tier as f64 * 100.0).round() / 100.0;
    let mut summary = String::new();
    if !matched.is_empty() {
        summary.push_str(&format!("matches: {}; ", matched.join(", ")));
    }
    summary.push_str(&format!("engagement {:.1}x tier median", evt));
    if f.audience_quality < 0.6 {
        summary.push_str(&format!("; audience quality {:.0}%", f.audience_quality * 100.0));
    }
    // Comment sentiment is worth a word only when it stands out.
    if f.audience_sentiment <= -0.2 {
        summary.push_str("; comments lean negative");
    } else if f.audience_sentiment >= 0.6 {
        summary.push_str(&format!("; comments {:+.0}% net positive", f.audience_sentiment * 100.0));
    }
    let moved_down = (factor < 1.0).then(|| {
        let p_bought = ((1.0 - f.audience_quality as f64) * 1000.0).round() / 1000.0;
        summary.push_str(&format!("; moved down: {:.0}% likely bought followers", p_bought * 100.0));
        MovedDown { reason: "likely_bought_followers", p_bought, factor: (factor * 1000.0).round() / 1000.0 }
    });
    let rating = reputation.as_ref().map(|r| {
        let e = effect(r);
        let reviews = if e.reviews == 1 { "1 review".to_string() } else { format!("{} reviews", e.reviews) };
        summary.push_str(&format!("; rated {:.1}/5 on Scout ({reviews}", e.rating));
        if let Some(on_time) = e.on_time_rate {
            summary.push_str(&format!(", {:.0}% on time", on_time * 100.0));
        }
        summary.push(')');
        let moved = (e.factor - 1.0) * 100.0;
        if moved.abs() >= 0.5 {
            summary.push_str(&format!(", moved {} {:.0}%", if moved > 0.0 { "up" } else { "down" }, moved.abs()));
        }
        e
    });
    Explanation { contributions, matched, engagement_vs_tier: evt, summary, moved_down, rating }
}

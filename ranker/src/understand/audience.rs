//! Audience phrases: "female audience", "audience in Germany" turn a gender
//! or a country into a constraint on the audience instead of the creator.

use scout_domain::query::{AudienceConstraint, AudienceDimension};

use super::lexicon::{Meaning, lookup};
use super::words::Found;
use super::{ParsedQuery, Recognised, RecognisedKind};

pub(super) fn phrases(out: &mut ParsedQuery, tokens: &[String], at: impl Fn(usize, usize) -> Found) {
    let has = |w: &str| tokens.iter().any(|t| t == w);
    if !(has("audience") || has("audiences") || has("followers") && (has("mostly") || has("mainly"))) {
        return;
    }
    let pos = tokens.iter().position(|t| t == "audience" || t == "audiences").unwrap_or(0);
    for (g, words) in [("female", ["female", "women", "woman", "frauen"]), ("male", ["male", "men", "man", "manner"])] {
        if let Some(w) = tokens.iter().position(|t| words.contains(&t.as_str())) {
            out.filters.audience.push(AudienceConstraint {
                dimension: AudienceDimension::Gender,
                value: g.into(),
                min_share: 0.5,
            });
            out.recognised.push(Recognised::new(g, RecognisedKind::AudienceGender, g, at(w, w + 1)));
            out.text = out.text.split(' ').filter(|w| !words.contains(w)).collect::<Vec<_>>().join(" ");
        }
    }
    // "audience in Germany": a country named after the word audience moves to the audience.
    let names = |t: &String, c: &str| {
        lookup(std::slice::from_ref(t)).iter().any(|m| matches!(m, Meaning::Country(x) if *x == c))
    };
    let found = out.filters.countries.clone().into_iter().find_map(|c| {
        let w = (pos + 1..tokens.len()).find(|w| names(&tokens[*w], &c))?;
        Some((c, w))
    });
    if let Some((country, w)) = found {
        out.filters.countries.retain(|c| *c != country);
        out.filters.audience.push(AudienceConstraint {
            dimension: AudienceDimension::Country,
            value: country.clone(),
            min_share: 0.3,
        });
        out.recognised.push(Recognised::new(country.clone(), RecognisedKind::AudienceCountry, country, at(w, w + 1)));
    }
}

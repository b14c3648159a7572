//! Which meaning a phrase takes when it has several: a language when the
//! words around say so ("German-speaking", "in German"), else a city before
//! a country before a group of countries before a region before anything
//! else ("Georgia", "Jersey", "Paris", "Madrid"). A gazetteer place outside
//! the curated cities counts only when a preposition introduces it ("in
//! Tulsa", "aus Bochum"): many such names are ordinary words elsewhere.

use scout_domain::places::CITIES;
use scout_domain::places::gazetteer::gazetteer;

use super::lexicon::{Meaning, lookup};
use super::words::Found;
use super::{ParsedQuery, Recognised, RecognisedKind};

/// Words that introduce a place.
const PLACE_PREPOSITIONS: &[&str] = &[
    "in",
    "from",
    "based",
    "near",
    "around",
    "across",
    "throughout",
    "outside",
    "aus",
    "bei",
    "en",
    "de",
    "desde",
    "depuis",
    "dans",
    "em",
    "da",
    "di",
    "uit",
];

/// The meaning of `span` (words `i..i + len` of `tokens`), if the lexicon knows it.
pub(super) fn pick<'a>(span: &[String], tokens: &[String], i: usize, len: usize) -> Option<&'a Meaning> {
    let meanings: &'a [Meaning] = lookup(span);
    if meanings.is_empty() {
        return None;
    }
    let next = tokens.get(i + len).map(String::as_str);
    let prev = i.checked_sub(1).and_then(|p| tokens.get(p)).map(String::as_str);
    let language_context = matches!(
        next,
        Some("speaking" | "speakers" | "speaker" | "language" | "sprachig" | "sprachige" | "parlant" | "hablantes")
    ) || matches!(prev, Some("in"))
        && meanings.iter().any(|m| matches!(m, Meaning::Language(_)))
        && !meanings.iter().any(|m| matches!(m, Meaning::City(_)));
    let introduced = prev.is_some_and(|p| PLACE_PREPOSITIONS.contains(&p));
    let first = |wanted: fn(&Meaning) -> bool| meanings.iter().find(|m| wanted(m));
    first(|m| matches!(m, Meaning::Language(_)))
        .filter(|_| language_context)
        .or_else(|| first(|m| matches!(m, Meaning::City(_))))
        .or_else(|| first(|m| matches!(m, Meaning::Country(_))))
        .or_else(|| first(|m| matches!(m, Meaning::Countries(_))))
        .or_else(|| first(|m| matches!(m, Meaning::Region(_))))
        .or_else(|| first(|m| matches!(m, Meaning::Place(_))).filter(|_| introduced))
        .or_else(|| first(|m| !matches!(m, Meaning::Place(_))))
}

/// Words before a city that make it a metro area ("greater London").
const METRO_BEFORE: &[&str] = &["greater", "metro", "metropolitan", "grossraum"];
/// Words after a city that make it a metro area ("the Atlanta area", "Chicago metro").
const METRO_AFTER: &[&str] = &["area", "metro", "metropolitan", "metroplex"];
/// How far a metro area reaches from its city.
pub(super) const METRO_KM: f64 = 50.0;

/// A metro area at words `i..i + len` ("greater London", "the Houston area"):
/// the city and every gazetteer place within [`METRO_KM`] of it in the same
/// country become the city filter. Returns the words it used.
pub(super) fn metro_at(
    out: &mut ParsedQuery,
    meaning: &Meaning,
    tokens: &[String],
    i: usize,
    len: usize,
    at: impl Fn(usize, usize) -> Found,
) -> Option<(usize, usize)> {
    let before = i.checked_sub(1).filter(|&p| tokens.get(p).is_some_and(|w| METRO_BEFORE.contains(&w.as_str())));
    let mut end = i + len;
    let after = tokens.get(end).is_some_and(|w| METRO_AFTER.contains(&w.as_str()));
    if before.is_none() && !after {
        return None;
    }
    if after {
        end += 1;
        if tokens.get(end).is_some_and(|w| w == "area") {
            end += 1;
        }
    }
    let g = gazetteer();
    let (name, country, lat, lon) = match meaning {
        Meaning::City(c) => {
            let city = CITIES.iter().find(|x| x.name == *c)?;
            (city.name, city.country, city.lat, city.lon)
        }
        Meaning::Place(p) => {
            let place = g.places().iter().filter(|x| x.name == *p).max_by_key(|x| x.population)?;
            (place.name.as_str(), place.country.as_str(), place.lat, place.lon)
        }
        _ => return None,
    };
    let start = before.unwrap_or(i);
    let mut cities = vec![name.to_string()];
    for place in g.within(lat, lon, METRO_KM).filter(|p| p.country == country) {
        if !cities.contains(&place.name) {
            cities.push(place.name.clone());
        }
    }
    for c in cities {
        if !out.filters.cities.contains(&c) {
            out.filters.cities.push(c);
        }
    }
    let span = tokens[start..end].join(" ");
    out.recognised.push(Recognised::new(span, RecognisedKind::City, name, at(start, end)));
    Some((start, end))
}

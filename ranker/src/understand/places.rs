//! Which meaning a phrase takes when it has several: a language when the
//! words around say so ("German-speaking", "in German"), else a city before
//! a country before anything else ("Georgia", "Jersey", "Paris").

use super::lexicon::{Meaning, lookup};

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
    meanings
        .iter()
        .find(|m| language_context && matches!(m, Meaning::Language(_)))
        .or_else(|| meanings.iter().find(|m| matches!(m, Meaning::City(_))))
        .or_else(|| meanings.iter().find(|m| matches!(m, Meaning::Country(_))))
        .or_else(|| meanings.first())
}

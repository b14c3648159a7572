//! Spelling: the nearest word the understanding knows for a word it does not
//! (a niche term in any supported language, a platform, a language, a
//! country, a city or a bigger place), for "did you mean" when a search
//! finds nothing. Distances are Damerau–Levenshtein (a swap of neighbours is
//! one slip), at most one edit for words of up to five letters and two for
//! longer ones, the usual bounds of spelling correctors (Lucene's
//! `DirectSpellChecker` allows two).

use std::collections::HashSet;

use scout_domain::Platform;
use scout_domain::languages::LANGUAGES;
use scout_domain::places::gazetteer::gazetteer;
use scout_domain::places::{CITIES, COUNTRIES};
use scout_domain::taxonomy::NICHES;
use scout_domain::text::{fold, words};

use super::slang::SLANG;
use super::words;

/// Words shorter than this are never corrected (too many neighbours).
const MIN_LETTERS: usize = 4;
/// Places at least this big lend their names to the vocabulary.
const PLACE_MIN_POPULATION: u64 = 100_000;

/// One correction: the byte range of the misspelt word in the query as sent
/// and the word to put there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    pub start: usize,
    pub end: usize,
    /// Capitalised as the misspelt word was.
    pub word: String,
}

/// The corrections of `query`'s words that `is_known` rejects and a known
/// word lies near; words it accepts are left alone.
pub fn corrections(query: &str, is_known: impl Fn(&str) -> bool) -> Vec<Correction> {
    let read = words::read(query);
    read.text
        .iter()
        .zip(&read.ranges)
        .filter(|(w, _)| w.chars().count() >= MIN_LETTERS && w.chars().all(char::is_alphabetic) && !is_known(w))
        .filter_map(|(w, (start, end))| {
            let word = nearest(w)?;
            let capital = query[*start..*end].chars().next().is_some_and(char::is_uppercase);
            let word = if capital { capitalised(word) } else { word.to_string() };
            Some(Correction { start: *start, end: *end, word })
        })
        .collect()
}

/// `query` with each correction applied.
pub fn corrected(query: &str, corrections: &[Correction]) -> String {
    let mut out = String::with_capacity(query.len());
    let mut at = 0;
    for c in corrections {
        out.push_str(&query[at..c.start]);
        out.push_str(&c.word);
        at = c.end;
    }
    out.push_str(&query[at..]);
    out
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}

/// The nearest known word to `word` within the allowed distance, earlier
/// vocabulary (niches before places) winning ties; `None` for a known word.
fn nearest(word: &str) -> Option<&'static str> {
    let vocabulary = vocabulary();
    if vocabulary.known.contains(word) {
        return None;
    }
    let allowed = if word.chars().count() <= 5 { 1 } else { 2 };
    let letters = word.chars().count();
    vocabulary
        .words
        .iter()
        .filter(|v| v.chars().count().abs_diff(letters) <= allowed)
        .map(|v| (strsim::damerau_levenshtein(word, v), v))
        .filter(|(d, _)| *d <= allowed)
        .min_by_key(|(d, _)| *d)
        .map(|(_, v)| v.as_str())
}

struct Vocabulary {
    /// In order of preference.
    words: Vec<String>,
    known: HashSet<String>,
}

fn vocabulary() -> &'static Vocabulary {
    static VOCABULARY: std::sync::OnceLock<Vocabulary> = std::sync::OnceLock::new();
    VOCABULARY.get_or_init(|| {
        let mut phrases: Vec<&str> = Vec::new();
        phrases.extend(NICHES.iter().flat_map(|n| n.terms.iter().copied()));
        phrases.extend(Platform::ALL.iter().map(|p| p.as_str()));
        phrases.extend(LANGUAGES.iter().flat_map(|l| l.names.iter().copied()));
        phrases.extend(COUNTRIES.iter().flat_map(|c| std::iter::once(c.name).chain(c.aliases.iter().copied())));
        phrases.extend(CITIES.iter().flat_map(|c| std::iter::once(c.name).chain(c.aliases.iter().copied())));
        phrases.extend(SLANG.iter().map(|s| s.phrase));
        let places = gazetteer().places().iter().filter(|p| p.population >= PLACE_MIN_POPULATION);
        phrases.extend(places.map(|p| p.name.as_str()));
        let mut known = HashSet::new();
        let mut list = Vec::new();
        for phrase in phrases {
            for w in words(&fold(phrase)) {
                if known.insert(w.to_string()) && w.chars().count() >= MIN_LETTERS {
                    list.push(w.to_string());
                }
            }
        }
        Vocabulary { words: list, known }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slips_are_corrected_to_known_words() {
        // What the index holds: ordinary words, not the slips.
        let index = ["teachers", "vegan", "in"];
        let fixed = |q: &str| corrected(q, &corrections(q, |w| index.contains(&w)));
        assert_eq!(fixed("yogga teachers"), "yoga teachers");
        assert_eq!(fixed("vegan fitnes in Berlni"), "vegan fitness in Berlin");
        assert_eq!(fixed("Instagarm"), "Instagram");
    }

    #[test]
    fn gibberish_and_known_words_are_left_alone() {
        assert!(corrections("zzqxj", |_| false).is_empty());
        assert!(corrections("yoga in Berlin", |_| false).is_empty());
        // Words the index knows are not "corrected" into the vocabulary.
        assert!(corrections("yogga", |w| w == "yogga").is_empty());
    }
}

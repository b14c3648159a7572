//! The lexicon: every phrase the understanding knows (cities, countries,
//! languages, platforms and their nicknames, follower tiers, "verified",
//! the niche taxonomy), looked up by its words in singular form, and what
//! applying each meaning does to the parsed query.

use std::collections::HashMap;

use scout_domain::languages::LANGUAGES;
use scout_domain::places::gazetteer::{Region, gazetteer};
use scout_domain::places::groups::{COUNTRY_GROUPS, CountryGroup};
use scout_domain::places::{CITIES, COUNTRIES};
use scout_domain::taxonomy::{NICHES, singular};
use scout_domain::text::{fold, words};
use scout_domain::{Platform, Tier};

use super::slang::{SLANG, Slang};
use super::words::Found;
use super::{ParsedQuery, Recognised, RecognisedKind};

#[derive(Debug, Clone)]
pub(super) enum Meaning {
    City(&'static str),
    Country(&'static str),
    /// A group of countries ("the Nordics", "LATAM").
    Countries(&'static CountryGroup),
    /// First-level regions of that name (gazetteer ids; several when shared).
    Region(Vec<&'static str>),
    /// A place of the gazetteer outside the curated cities: a city only when a
    /// preposition introduces it ("in Tulsa"), since many such names are also
    /// ordinary words ("Nice", "Mobile", "Reading").
    Place(&'static str),
    Language(&'static str),
    Platform(Platform),
    Niche(&'static str),
    TierWord(Tier),
    Verified,
    /// A platform word or creator slang ("bookstagram": Instagram and books).
    Slang(&'static Slang),
}

/// Gazetteer places at least this big are known by name (after "in", "from"…).
const PLACE_MIN_POPULATION: u64 = 100_000;

pub(super) struct Lexicon {
    /// Phrases by their words in singular form, joined by spaces; meanings in
    /// the order they were added (cities before countries before the rest).
    phrases: HashMap<String, Vec<Meaning>>,
    pub max_len: usize,
}

/// The lookup key of a phrase: its words in singular form.
fn phrase_key<S: AsRef<str>>(words: &[S]) -> String {
    words.iter().map(|w| singular(w.as_ref())).collect::<Vec<_>>().join(" ")
}

pub(super) fn lexicon() -> &'static Lexicon {
    static LEX: std::sync::OnceLock<Lexicon> = std::sync::OnceLock::new();
    LEX.get_or_init(|| {
        let mut phrases: HashMap<String, Vec<Meaning>> = HashMap::new();
        let mut max_len = 1;
        let mut add = |text: &str, m: Meaning| {
            let w: Vec<String> = words(&fold(text)).map(String::from).collect();
            if !w.is_empty() {
                max_len = max_len.max(w.len());
                phrases.entry(phrase_key(&w)).or_default().push(m);
            }
        };
        for c in CITIES {
            // A curated "city" that the gazetteer knows only as a region ("Bali")
            // is that region: its creators live in Ubud and Canggu as well.
            let as_place = std::iter::once(c.name).chain(c.aliases.iter().copied());
            if !as_place.clone().any(|n| gazetteer().place(c.country, n).is_some())
                && let Some(region) = gazetteer().region_in(c.country, c.name)
            {
                for n in as_place.filter(|n| n.len() > 2) {
                    add(n, Meaning::Region(vec![region.id.as_str()]));
                }
                continue;
            }
            add(c.name, Meaning::City(c.name));
            for a in c.aliases {
                // Two-letter aliases ("la", "sf") collide with ordinary words.
                if a.len() > 2 {
                    add(a, Meaning::City(c.name));
                }
            }
        }
        for c in COUNTRIES {
            add(c.name, Meaning::Country(c.code));
            for a in c.aliases {
                if a.len() > 2 || *a == "uk" || *a == "us" {
                    add(a, Meaning::Country(c.code));
                }
            }
        }
        for g in COUNTRY_GROUPS {
            for n in g.names {
                add(n, Meaning::Countries(g));
            }
        }
        let mut regions: HashMap<&str, Vec<&'static Region>> = HashMap::new();
        for (name, region) in gazetteer().region_names() {
            regions.entry(name).or_default().push(region);
        }
        for (name, mut named) in regions {
            // A shared name means the regions of comparable size ("Punjab" in India
            // and Pakistan), not a small namesake ("Montana" in Bulgaria).
            let biggest = named.iter().map(|r| r.population).max().unwrap_or(0);
            named.retain(|r| r.population * 3 >= biggest);
            named.sort_by_key(|r| std::cmp::Reverse(r.population));
            add(name, Meaning::Region(named.iter().map(|r| r.id.as_str()).collect()));
        }
        // Places big enough to be named in a brief; smaller ones stay text.
        for p in gazetteer().places().iter().filter(|p| p.population >= PLACE_MIN_POPULATION) {
            add(&p.name, Meaning::Place(p.name.as_str()));
        }
        for l in LANGUAGES {
            for n in l.names {
                add(n, Meaning::Language(l.code));
            }
        }
        for p in Platform::ALL {
            add(p.as_str(), Meaning::Platform(p));
        }
        for s in SLANG {
            add(s.phrase, Meaning::Slang(s));
        }
        for t in Tier::ALL {
            add(t.as_str(), Meaning::TierWord(t));
        }
        add("mid tier", Meaning::TierWord(Tier::Mid));
        add("midsize", Meaning::TierWord(Tier::Mid));
        add("verified", Meaning::Verified);
        for n in NICHES {
            for t in n.terms {
                add(t, Meaning::Niche(n.id));
            }
            add(n.id, Meaning::Niche(n.id));
        }
        Lexicon { phrases, max_len }
    })
}

/// Every meaning of a phrase, matched word by word in singular form.
pub(super) fn lookup(tokens: &[String]) -> &'static [Meaning] {
    lexicon().phrases.get(&phrase_key(tokens)).map_or(&[], Vec::as_slice)
}

/// Applies one recognised meaning; returns whether its words stay in the text.
pub(super) fn apply(
    out: &mut ParsedQuery,
    meaning: &Meaning,
    span: &str,
    tokens: &[String],
    next: usize,
    at: Found,
) -> bool {
    let mut rec = |kind: RecognisedKind, value: &str| out.recognised.push(Recognised::new(span, kind, value, at));
    match meaning {
        Meaning::City(c) => {
            rec(RecognisedKind::City, c);
            if !out.filters.cities.iter().any(|x| x == c) {
                out.filters.cities.push(c.to_string());
            }
            false
        }
        Meaning::Country(c) => {
            rec(RecognisedKind::Country, c);
            if !out.filters.countries.iter().any(|x| x == c) {
                out.filters.countries.push(c.to_string());
            }
            false
        }
        Meaning::Countries(group) => {
            rec(RecognisedKind::CountryGroup, &group.countries.join(","));
            for c in group.countries {
                if !out.filters.countries.iter().any(|x| x == c) {
                    out.filters.countries.push(c.to_string());
                }
            }
            false
        }
        Meaning::Region(ids) => {
            rec(RecognisedKind::Region, &ids.join(","));
            for id in ids {
                if !out.filters.regions.iter().any(|x| x == id) {
                    out.filters.regions.push(id.to_string());
                }
            }
            false
        }
        Meaning::Place(name) => {
            rec(RecognisedKind::City, name);
            if !out.filters.cities.iter().any(|x| x == name) {
                out.filters.cities.push(name.to_string());
            }
            false
        }
        Meaning::Language(l) => {
            rec(RecognisedKind::Language, l);
            if !out.filters.languages.iter().any(|x| x == l) {
                out.filters.languages.push(l.to_string());
            }
            false
        }
        Meaning::Platform(p) => {
            rec(RecognisedKind::Platform, p.as_str());
            if !out.filters.platforms.contains(p) {
                out.filters.platforms.push(*p);
            }
            false
        }
        Meaning::TierWord(t) => {
            // Only a tier when it qualifies creators: "micro influencers", "micro-creators".
            let qualifies = tokens.get(next).is_some_and(|w| {
                matches!(
                    w.as_str(),
                    "influencer"
                        | "influencers"
                        | "creator"
                        | "creators"
                        | "tier"
                        | "accounts"
                        | "account"
                        | "bloggers"
                        | "youtubers"
                        | "tiktokers"
                        | "streamers"
                )
            });
            if qualifies {
                rec(RecognisedKind::Tier, t.as_str());
                if !out.filters.tiers.contains(t) {
                    out.filters.tiers.push(*t);
                }
                false
            } else {
                true
            }
        }
        Meaning::Slang(s) => {
            if let Some(p) = s.platform {
                rec(RecognisedKind::Platform, p.as_str());
                if !out.filters.platforms.contains(&p) {
                    out.filters.platforms.push(p);
                }
            }
            if let Some(n) = s.niche {
                rec(RecognisedKind::Niche, n);
                if !out.niches.iter().any(|x| x == n) {
                    out.niches.push(n.to_string());
                }
            }
            // A niche word stays for the text to match ("booktok" in a bio);
            // a platform word alone ("YouTubers") says nothing more.
            s.niche.is_some()
        }
        Meaning::Verified => {
            rec(RecognisedKind::Verified, "true");
            out.filters.verified = Some(true);
            false
        }
        Meaning::Niche(n) => {
            rec(RecognisedKind::Niche, n);
            if !out.niches.iter().any(|x| x == n) {
                out.niches.push(n.to_string());
            }
            true
        }
    }
}

//! Query understanding: free text such as "vegan fitness creators in Berlin
//! over 50k followers" becomes filters (places, languages, platforms, tiers,
//! follower bounds, engagement floors, audience shares, price bounds) and niche boosts; the
//! rest stays text. Recognition works on folded words, in several languages,
//! longest phrase first; every recognised span carries its byte range in the
//! query as sent, so a client can remove exactly what made a filter.
//!
//! By concern: `words` (the query as words with their byte ranges),
//! `lexicon` (places, languages, platforms, tiers, niches and the phrase
//! lookup), `places` (which meaning a phrase takes), `numbers` (follower
//! and engagement bounds), `prices` (price bounds in any currency),
//! `audience` (audience phrases).

mod audience;
mod lexicon;
mod numbers;
mod places;
mod prices;
mod slang;
pub mod spelling;
mod words;

use scout_domain::SearchFilters;
use serde::Serialize;

use lexicon::{apply, lexicon};
use numbers::{Gaps, bound_at, follower_range_at, is_follower_word, number_at};
use prices::price_at;

/// What the engine understood of a free-text query.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ParsedQuery {
    /// The query as sent.
    pub original: String,
    /// The words left for text and semantic retrieval.
    pub text: String,
    /// Filters recognised in the text (applied as hard filters).
    pub filters: SearchFilters,
    /// Niches named in the text (taxonomy ids); they boost ranking rather than
    /// exclude, so that profiles describing a niche in other words still match.
    pub niches: Vec<String>,
    /// Each recognised span and what it became.
    pub recognised: Vec<Recognised>,
}

/// One span of the query that became a filter or a boost.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Recognised {
    /// The words as recognised (folded).
    pub span: String,
    pub kind: RecognisedKind,
    /// What it became: a place or language code, a platform, a bound…
    pub value: String,
    /// Byte offsets of the span in the query as sent (`original`), end exclusive.
    pub start: usize,
    pub end: usize,
    /// Where removing it should start: before a preposition that introduced it
    /// ("in Berlin", "über 50k"), else `start`.
    pub cut_start: usize,
}

/// What a recognised span became (sent as its `snake_case` name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecognisedKind {
    City,
    Country,
    /// A group of countries ("the Nordics"); the value lists their codes, comma-separated.
    CountryGroup,
    /// First-level regions (gazetteer ids, comma-separated when a name is shared).
    Region,
    Language,
    Platform,
    /// A follower tier ("micro influencers").
    Tier,
    Verified,
    /// A niche of the taxonomy: a ranking boost, not a filter.
    Niche,
    FollowersMin,
    FollowersMax,
    EngagementMin,
    /// A price bound; the value is `<minor units> <currency>`.
    PriceMin,
    PriceMax,
    AudienceGender,
    AudienceCountry,
}

impl Recognised {
    fn new(span: impl Into<String>, kind: RecognisedKind, value: impl Into<String>, at: words::Found) -> Recognised {
        Recognised {
            span: span.into(),
            kind,
            value: value.into(),
            start: at.start,
            end: at.end,
            cut_start: at.cut_start,
        }
    }
}

impl RecognisedKind {
    /// Whether a result that has this value "matches" it in the explanation
    /// (a place, a language, a platform, a tier: the profile itself has it).
    pub fn describes_the_creator(self) -> bool {
        matches!(
            self,
            RecognisedKind::City
                | RecognisedKind::Country
                | RecognisedKind::CountryGroup
                | RecognisedKind::Region
                | RecognisedKind::Language
                | RecognisedKind::Platform
                | RecognisedKind::Tier
        )
    }
}

/// Words that carry no meaning for retrieval once the structure is understood.
const FILLER: &[&str] = &[
    "creator",
    "creators",
    "influencer",
    "influencers",
    "account",
    "accounts",
    "people",
    "person",
    "profile",
    "profiles",
    "blogger",
    "bloggers",
    "in",
    "from",
    "based",
    "at",
    "near",
    "around",
    "the",
    "a",
    "an",
    "and",
    "or",
    "with",
    "who",
    "that",
    "of",
    "for",
    "to",
    "on",
    "over",
    "under",
    "above",
    "below",
    "more",
    "less",
    "than",
    "least",
    "most",
    "followers",
    "follower",
    "subscribers",
    "fans",
    "audience",
    "speaking",
    "speaker",
    "speakers",
    "language",
    "me",
    "find",
    "show",
    "looking",
    "want",
    "need",
    "some",
    "any",
    "top",
    "best",
    "good",
    "great",
    "content",
    "do",
    "does",
    "make",
    "makes",
    "about",
    "into",
    "is",
    "are",
    "i",
    "we",
    "our",
    "my",
    "their",
    "en",
    "aus",
    "de",
    "der",
    "die",
    "das",
    "und",
    "mit",
    "von",
    "con",
    "y",
    "et",
    "avec",
    "del",
    "la",
    "le",
    "les",
    "el",
    "los",
    "las",
];

/// Understands a free-text query.
pub fn understand(query: &str) -> ParsedQuery {
    let words::Words { text: tokens, ranges } = words::read(query);
    let mut out = ParsedQuery { original: query.to_string(), ..Default::default() };
    let mut keep = vec![true; tokens.len()];
    let at = |from: usize, to: usize| words::Found::of(&tokens, &ranges, from, to);
    let gaps = Gaps { query, ranges: &ranges };
    let mut i = 0;
    let lex = lexicon();
    while i < tokens.len() {
        // Numbers with their context: prices, follower bounds and engagement floors.
        if let Some(number) = number_at(&tokens, gaps, i) {
            if let Some((start, end)) = price_at(&mut out, query, &tokens, gaps, i, &number, at) {
                keep[start..end].iter_mut().for_each(|k| *k = false);
                i = end;
                continue;
            }
            if let Some(end) = follower_range_at(&mut out, &tokens, gaps, i, &number, at) {
                keep[i..end].iter_mut().for_each(|k| *k = false);
                i = end;
                continue;
            }
            let used = number.used;
            // The word naming the count ("100k followers") goes with the bound:
            // removing the bound from the query removes it too.
            let unit = usize::from(tokens.get(i + used).is_some_and(|w| is_follower_word(w)));
            if bound_at(&mut out, &tokens, i, &number, at(i, i + used + unit)) {
                keep[i..i + used + unit].iter_mut().for_each(|k| *k = false);
                i += used + unit;
                continue;
            }
        }
        // Longest phrase first.
        let mut matched = false;
        for len in (1..=lex.max_len.min(tokens.len() - i)).rev() {
            let span = &tokens[i..i + len];
            let Some(meaning) = places::pick(span, &tokens, i, len) else { continue };
            if let Some((start, end)) = places::metro_at(&mut out, meaning, &tokens, i, len, at) {
                keep[start..end].iter_mut().for_each(|k| *k = false);
                i = end;
                matched = true;
                break;
            }
            let keep_words = apply(&mut out, meaning, &span.join(" "), &tokens, i + len, at(i, i + len));
            for k in keep.iter_mut().skip(i).take(len) {
                *k = keep_words;
            }
            i += len;
            matched = true;
            break;
        }
        if !matched {
            i += 1;
        }
    }
    out.text = tokens
        .iter()
        .zip(&keep)
        .filter(|(t, k)| **k && !FILLER.contains(&t.as_str()))
        .map(|(t, _)| t.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    // An audience phrase ("audience in Germany", "female audience") turns the
    // place or gender into an audience constraint instead of a creator filter.
    audience::phrases(&mut out, &tokens, at);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use scout_domain::money::Currency;
    use scout_domain::query::{AudienceDimension, PriceRange};
    use scout_domain::{Platform, Tier};

    #[test]
    fn spans_point_into_the_query_as_sent() {
        let q = "Vegane Köche in München über 50k Follower, unter 300 € pro Beitrag";
        let parsed = understand(q);
        let of = |kind: RecognisedKind| parsed.recognised.iter().find(|r| r.kind == kind).expect("recognised");
        let city = of(RecognisedKind::City);
        assert_eq!((&q[city.start..city.end], &q[city.cut_start..city.end]), ("München", "in München"));
        let floor = of(RecognisedKind::FollowersMin);
        // The count's word goes with the bound ("≤ 100K" removed leaves no stray "followers").
        assert_eq!(&q[floor.cut_start..floor.end], "über 50k Follower");
        let price = of(RecognisedKind::PriceMax);
        assert_eq!(&q[price.start..price.end], "300 € pro Beitrag");
        assert_eq!(&q[price.cut_start..price.end], "unter 300 € pro Beitrag");
        // Removing every filter's words leaves the rest of the query.
        let mut cuts: Vec<(usize, usize)> = parsed
            .recognised
            .iter()
            .filter(|r| r.kind != RecognisedKind::Niche)
            .map(|r| (r.cut_start, r.end))
            .collect();
        cuts.sort_unstable();
        let mut rest = String::new();
        let mut at = 0;
        for (a, b) in cuts {
            rest.push_str(&q[at..a.max(at)]);
            at = at.max(b);
        }
        rest.push_str(&q[at..]);
        assert_eq!(rest.split_whitespace().collect::<Vec<_>>().join(" "), "Vegane Köche ,");
    }

    #[test]
    fn prices_in_symbols_words_and_ranges() {
        let q = understand("fitness creators under $500 per post in Berlin");
        assert_eq!(q.filters.price, Some(PriceRange { currency: Currency::USD, min: None, max: Some(50_000) }));
        assert_eq!(q.text, "fitness");
        assert!(
            q.recognised.iter().any(|r| r.kind == RecognisedKind::PriceMax && r.span == "$500 per post"),
            "{:?}",
            q.recognised
        );
        let euros = understand("beauty influencers from 200 euros").filters.price;
        assert_eq!(euros, Some(PriceRange { currency: Currency::EUR, min: Some(20_000), max: None }));
        let range = understand("gaming streamers between €1.5k and €3k").filters.price;
        assert_eq!(range, Some(PriceRange { currency: Currency::EUR, min: Some(150_000), max: Some(300_000) }));
        let yen = understand("anime cosplay ¥30000 budget").filters.price;
        assert_eq!(
            yen,
            Some(PriceRange { currency: Currency::parse("JPY").expect("code"), min: None, max: Some(30_000) }),
            "no minor unit"
        );
        // Numbers without a currency are not prices.
        assert_eq!(understand("runners under 50k followers").filters.price, None);
        assert_eq!(understand("10k race training").filters.price, None);
    }

    #[test]
    fn the_headline_query() {
        let q = understand("vegan fitness creators in Berlin over 50k followers");
        assert_eq!(q.filters.cities, vec!["Berlin"]);
        assert_eq!(q.filters.followers_min, Some(50_000));
        assert_eq!(q.niches, vec!["vegan", "fitness"]);
        assert_eq!(q.text, "vegan fitness");
    }

    #[test]
    fn language_and_tier() {
        let q = understand("German-speaking skincare micro-influencers");
        assert_eq!(q.filters.languages, vec!["de"]);
        assert_eq!(q.filters.tiers, vec![Tier::Micro]);
        assert!(q.filters.countries.is_empty());
        assert_eq!(q.niches, vec!["skincare"]);
        assert_eq!(q.text, "skincare");
    }

    #[test]
    fn demonym_alone_is_a_country_and_native_city_names_work() {
        let q = understand("italian food bloggers");
        assert_eq!(q.filters.countries, vec!["IT"]);
        let q = understand("Fitness Influencer aus München");
        assert_eq!(q.filters.cities, vec!["Munich"]);
        let q = understand("travel creators in Lisboa");
        assert_eq!(q.filters.cities, vec!["Lisbon"]);
    }

    #[test]
    fn numbers_in_many_forms() {
        assert_eq!(
            understand("gaming youtubers with at least 1.5m subscribers").filters.followers_min,
            Some(1_500_000)
        );
        assert_eq!(understand("beauty under 10,000 followers").filters.followers_max, Some(10_000));
        let b = understand("cooking between 10k and 50k followers").filters;
        assert_eq!((b.followers_min, b.followers_max), (Some(10_000), Some(50_000)));
        assert_eq!(understand("tech 100k+ followers").filters.followers_min, Some(100_000));
        let e = understand("fashion creators with engagement over 3%").filters;
        assert_eq!(e.engagement_min, Some(0.03));
    }

    #[test]
    fn bare_numbers_are_not_follower_bounds() {
        let q = understand("training for a 10k race in Austria");
        assert_eq!(q.filters.followers_min, None);
        assert!(q.text.contains("10k"));
        assert_eq!(understand("fitness over 10k").filters.followers_min, Some(10_000));
    }

    #[test]
    fn platforms_and_verified() {
        let q = understand("verified tiktokers from Spain");
        assert_eq!(q.filters.platforms, vec![Platform::Tiktok]);
        assert_eq!(q.filters.verified, Some(true));
        assert_eq!(q.filters.countries, vec!["ES"]);
    }

    #[test]
    fn audience_phrases_become_audience_constraints() {
        let q = understand("skincare creators with a mostly female audience in Germany");
        assert!(q.filters.audience.iter().any(|a| a.dimension == AudienceDimension::Gender && a.value == "female"));
        assert!(q.filters.audience.iter().any(|a| a.dimension == AudienceDimension::Country && a.value == "DE"));
        assert!(q.filters.countries.is_empty());
    }

    #[test]
    fn regions_groups_and_metro_areas() {
        let regions = |q: &str| understand(q).filters.regions;
        assert_eq!(regions("fitness coaches in Texas"), vec!["US:Texas"]);
        assert_eq!(regions("surf creators in Bali"), vec!["ID:Bali"]);
        assert_eq!(regions("Foodblogger aus Bayern"), vec!["DE:Bavaria"], "native name");
        assert_eq!(regions("skate creators from Southern California"), vec!["US:California"]);
        let q = understand("beauty creators in the Nordics");
        assert_eq!(q.filters.countries, vec!["SE", "NO", "DK", "FI", "IS"]);
        assert_eq!(q.text, "beauty");
        assert!(understand("LATAM gaming streamers").filters.countries.contains(&"BR".to_string()));
        assert!(understand("luxury travel in the Gulf").filters.countries.contains(&"AE".to_string()));
        // A city stays a city even where a region has its name.
        let q = understand("food in Madrid");
        assert_eq!((q.filters.cities.clone(), q.filters.regions.clone()), (vec!["Madrid".to_string()], vec![]));
        // A metro area is its city and the places around it.
        let q = understand("moms in the greater London area");
        assert!(q.filters.cities.iter().any(|c| c == "London"), "{:?}", q.filters.cities);
        assert!(q.filters.cities.len() > 3 && !q.filters.cities.iter().any(|c| c == "Manchester"));
        assert_eq!(q.text, "moms");
        // A gazetteer place counts when a preposition introduces it, never as a bare word.
        assert_eq!(understand("yoga teachers in Tulsa").filters.cities, vec!["Tulsa"]);
        assert!(understand("nice aesthetic flat lays").filters.cities.is_empty());
        assert!(understand("reading challenge booktok").filters.cities.is_empty());
        // The explanation names a region, not its id.
        let r = understand("ranchers in Montana").recognised;
        assert!(r.iter().any(|r| r.kind == RecognisedKind::Region && r.value == "US:Montana"), "{r:?}");
    }

    #[test]
    fn platform_words_and_slang() {
        let q = understand("bookstagram accounts in Spain");
        assert_eq!(
            (q.filters.platforms.clone(), q.niches.clone()),
            (vec![Platform::Instagram], vec!["books".to_string()])
        );
        let q = understand("BookTok creators");
        assert_eq!(
            (q.filters.platforms.clone(), q.niches.clone()),
            (vec![Platform::Tiktok], vec!["books".to_string()])
        );
        assert_eq!(understand("fittok girlies").niches, vec!["fitness"]);
        assert_eq!(understand("tech YouTubers").filters.platforms, vec![Platform::Youtube]);
        assert_eq!(understand("Instagrammers who love coffee").filters.platforms, vec![Platform::Instagram]);
        // "home cooks" is cooking, not home décor.
        let q = understand("home cooks in Lyon");
        assert_eq!(q.niches, vec!["cooking"]);
        // Ambiguous words stay words: streamers post on several platforms.
        let q = understand("streamers who play horror games");
        assert!(q.filters.platforms.is_empty());
        assert!(q.niches.contains(&"gaming".to_string()));
        assert!(understand("podcasters about true crime").text.contains("podcasters"));
    }

    #[test]
    fn unknown_words_stay_text() {
        let q = understand("people who cook without any animal products");
        assert!(q.filters == SearchFilters::default());
        assert!(q.text.contains("animal"));
        assert!(q.text.contains("cook"));
    }
}

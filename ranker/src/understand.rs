//! Query understanding: free text such as "vegan fitness creators in Berlin
//! over 50k followers" becomes filters (places, languages, platforms, tiers,
//! follower bounds, engagement floors, audience shares, price bounds) and niche boosts; the
//! rest stays text. Recognition works on folded words, in several languages,
//! longest phrase first.

use std::collections::HashMap;

use scout_domain::languages::LANGUAGES;
use scout_domain::money::{Currency, convert_minor, minor_unit_exponent};
use scout_domain::places::{CITIES, COUNTRIES};
use scout_domain::query::{AudienceConstraint, AudienceDimension, PriceRange};
use scout_domain::taxonomy::{NICHES, singular};
use scout_domain::text::{fold, words};
use scout_domain::{Platform, SearchFilters, Tier};
use serde::Serialize;

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
}

/// What a recognised span became (sent as its `snake_case` name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecognisedKind {
    City,
    Country,
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

impl RecognisedKind {
    /// Whether a result that has this value "matches" it in the explanation
    /// (a place, a language, a platform, a tier: the profile itself has it).
    pub fn describes_the_creator(self) -> bool {
        matches!(
            self,
            RecognisedKind::City
                | RecognisedKind::Country
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

#[derive(Debug, Clone)]
enum Meaning {
    City(&'static str),
    Country(&'static str),
    Language(&'static str),
    Platform(Platform),
    Niche(&'static str),
    TierWord(Tier),
    Verified,
}

struct Lexicon {
    /// Phrases by their words in singular form, joined by spaces; meanings in
    /// the order they were added (cities before countries before the rest).
    phrases: HashMap<String, Vec<Meaning>>,
    max_len: usize,
}

/// The lookup key of a phrase: its words in singular form.
fn phrase_key<S: AsRef<str>>(words: &[S]) -> String {
    words.iter().map(|w| singular(w.as_ref())).collect::<Vec<_>>().join(" ")
}

fn lexicon() -> &'static Lexicon {
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
        for l in LANGUAGES {
            for n in l.names {
                add(n, Meaning::Language(l.code));
            }
        }
        for p in Platform::ALL {
            add(p.as_str(), Meaning::Platform(p));
        }
        for (w, p) in [
            ("insta", Platform::Instagram),
            ("ig", Platform::Instagram),
            ("instagrammers", Platform::Instagram),
            ("tik tok", Platform::Tiktok),
            ("tiktokers", Platform::Tiktok),
            ("youtubers", Platform::Youtube),
            ("youtuber", Platform::Youtube),
            ("you tube", Platform::Youtube),
            ("twitter", Platform::X),
            ("streamers", Platform::Twitch),
            ("twitch streamers", Platform::Twitch),
        ] {
            add(w, Meaning::Platform(p));
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
fn lookup(tokens: &[String]) -> &'static [Meaning] {
    lexicon().phrases.get(&phrase_key(tokens)).map_or(&[], Vec::as_slice)
}

/// A number read from the query: its value, how many tokens it used, and
/// whether it was a percentage (then already divided by 100).
struct Number {
    value: f64,
    used: usize,
    percent: bool,
}

/// Parses `50k`, `1.5m` (written `1d5m` after [`mark_decimals`]), `10,000`,
/// `2 million`, `3%` starting at token `i`.
fn number_at(tokens: &[String], i: usize) -> Option<Number> {
    let t = tokens.get(i)?;
    let int_end = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    if int_end == 0 {
        return None;
    }
    let mut rest = &t[int_end..];
    let mut value: f64 = t[..int_end].parse().ok()?;
    if let Some(frac) = rest.strip_prefix('d') {
        let frac_end = frac.find(|c: char| !c.is_ascii_digit()).unwrap_or(frac.len());
        if frac_end == 0 {
            return None;
        }
        value += frac[..frac_end].parse::<f64>().ok()? / 10f64.powi(frac_end as i32);
        rest = &frac[frac_end..];
    }
    let mut used = 1;
    let mut mult = match rest {
        "" => 1.0,
        "k" => 1e3,
        "m" | "mm" | "mio" => 1e6,
        _ => return None,
    };
    if rest.is_empty() && int_end == t.len() && int_end <= 3 {
        // "10,000" and "1,000,000" arrive as separate groups of three digits.
        while let Some(group) = tokens.get(i + used) {
            if group.len() == 3 && group.chars().all(|c| c.is_ascii_digit()) {
                value = value * 1000.0 + group.parse::<f64>().ok()?;
                used += 1;
            } else {
                break;
            }
        }
    }
    let mut percent = false;
    if mult == 1.0 {
        match tokens.get(i + used).map(String::as_str) {
            Some("k" | "thousand" | "tausend" | "mil") => {
                mult = 1e3;
                used += 1;
            }
            Some("m" | "million" | "millions" | "mio" | "millionen" | "millones") => {
                mult = 1e6;
                used += 1;
            }
            Some("percent" | "pct" | "prozent" | "por" | "pourcent") => {
                mult = 0.01;
                percent = true;
                used += 1;
            }
            _ => {}
        }
    }
    Some(Number { value: value * mult, used, percent })
}

/// Undoes [`mark_decimals`] ("1d5k" → "1.5k").
fn unmark_decimals(text: &str) -> String {
    replace_between_digits(text, 'd', '.')
}

/// Marks decimal points between digits so that word splitting keeps them.
fn mark_decimals(text: &str) -> String {
    replace_between_digits(text, '.', 'd')
}

/// Replaces `from` with `to` wherever it stands between two ASCII digits.
fn replace_between_digits(text: &str, from: char, to: char) -> String {
    let chars: Vec<char> = text.chars().collect();
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let between_digits =
                i > 0 && chars[i - 1].is_ascii_digit() && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
            if *c == from && between_digits { to } else { *c }
        })
        .collect()
}

const FOLLOWER_WORDS: &[&str] =
    &["followers", "follower", "subscribers", "subs", "fans", "abonnenten", "seguidores", "abonnes", "plus"];
/// Words that make a following number a bound ("over 50k", "at least 10,000").
const COMPARISON: &[&str] = &[
    "over", "above", "more", "least", "min", "minimum", "under", "below", "less", "fewer", "max", "maximum", "between",
    "and", "than", "ueber", "uber", "mehr", "unter", "mas", "menos", "moins", "zwischen", "entre",
];
const UPPER: &[&str] = &["under", "below", "less", "fewer", "max", "maximum", "up", "unter", "menos", "moins"];
/// Words that make a following price a floor ("from $200", "at least 300 euros");
/// any other price is a budget, an upper bound.
const FLOOR: &[&str] = &["over", "above", "more", "least", "min", "minimum", "from", "ueber", "uber", "mehr", "mas"];

/// Currency symbols, spelled out as words before the query is split.
const CURRENCY_SYMBOLS: &[(&str, &str)] =
    &[("R$", " brl "), ("$", " usd "), ("€", " eur "), ("£", " gbp "), ("¥", " jpy "), ("₹", " inr ")];
/// Currency words (ISO codes and common names, folded) and the code they name.
const CURRENCY_WORDS: &[(&str, &str)] = &[
    ("usd", "USD"),
    ("dollar", "USD"),
    ("dollars", "USD"),
    ("bucks", "USD"),
    ("eur", "EUR"),
    ("euro", "EUR"),
    ("euros", "EUR"),
    ("gbp", "GBP"),
    ("pound", "GBP"),
    ("pounds", "GBP"),
    ("quid", "GBP"),
    ("jpy", "JPY"),
    ("yen", "JPY"),
    ("inr", "INR"),
    ("rupees", "INR"),
    ("brl", "BRL"),
    ("reais", "BRL"),
    ("cad", "CAD"),
    ("aud", "AUD"),
    ("chf", "CHF"),
    ("franken", "CHF"),
    ("sek", "SEK"),
    ("nok", "NOK"),
    ("dkk", "DKK"),
    ("kronor", "SEK"),
    ("pln", "PLN"),
    ("zloty", "PLN"),
    ("mxn", "MXN"),
];
/// Deliverables a price may name after "per" ("$500 per post").
const DELIVERABLE_WORDS: &[&str] =
    &["post", "posts", "reel", "reels", "video", "videos", "story", "stories", "deliverable", "piece", "beitrag"];

fn currency_of(word: Option<&String>) -> Option<&'static str> {
    let w = word?;
    CURRENCY_WORDS.iter().find(|(name, _)| name == w).map(|(_, code)| *code)
}

/// Reads a price at token `i` (a number with a currency word just before or
/// after it) into `out`; returns how many tokens from `start` it used.
fn price_at(
    out: &mut ParsedQuery,
    query: &str,
    tokens: &[String],
    i: usize,
    number: &Number,
) -> Option<(usize, usize)> {
    let before = i.checked_sub(1).and_then(|b| currency_of(tokens.get(b)));
    let after = currency_of(tokens.get(i + number.used));
    let code = before.or(after)?;
    if number.percent {
        return None;
    }
    let start = if before.is_some() { i - 1 } else { i };
    let mut end = i + number.used + usize::from(before.is_none());
    // "per post", "a reel", "pro Beitrag": the deliverable goes with the price.
    if matches!(tokens.get(end).map(String::as_str), Some("per" | "a" | "pro" | "each"))
        && tokens.get(end + 1).is_some_and(|w| DELIVERABLE_WORDS.contains(&w.as_str()))
    {
        end += 2;
    }
    let minor = (number.value * 10f64.powi(minor_unit_exponent(code) as i32)).round();
    if !minor.is_finite() || minor < 0.0 || minor > scout_domain::query::MAX_PRICE_MINOR as f64 {
        return None;
    }
    let minor = minor as u64;
    let lead: Vec<&str> = tokens[start.saturating_sub(3)..start].iter().map(String::as_str).collect();
    let currency = Currency::parse(code).ok()?;
    let range = out.filters.price.get_or_insert(PriceRange { currency, min: None, max: None });
    // A second bound in another currency is compared in the first one's.
    let amount =
        if range.currency == currency { Some(minor) } else { convert_minor(minor, code, range.currency.as_str()) }?;
    let between = lead.iter().any(|w| matches!(*w, "between" | "zwischen" | "entre"));
    let floor = !lead.iter().any(|w| UPPER.contains(w))
        && (lead.iter().any(|w| FLOOR.contains(w)) || between && range.min.is_none());
    let kind = if floor {
        range.min = Some(amount);
        RecognisedKind::PriceMin
    } else {
        range.max = Some(amount);
        RecognisedKind::PriceMax
    };
    let value = format!("{amount} {}", range.currency);
    // The span as the query most likely wrote it: "$500", "500 euros".
    let number_text = unmark_decimals(&tokens[i..i + number.used].join(" "));
    let symbol = CURRENCY_SYMBOLS.iter().find(|(symbol, w)| w.trim() == tokens[start] && query.contains(symbol));
    let amount_end = i + number.used + usize::from(before.is_none());
    let mut span = match (before, symbol) {
        (Some(_), Some((symbol, _))) => format!("{symbol}{number_text}"),
        _ => tokens[start..amount_end].join(" "),
    };
    if end > amount_end {
        span = format!("{span} {}", tokens[amount_end..end].join(" "));
    }
    out.recognised.push(Recognised { span, kind, value });
    Some((start, end))
}

/// Understands a free-text query.
pub fn understand(query: &str) -> ParsedQuery {
    // Keep % and + as words so "3%" and "50k+" read as they are meant, and
    // currency symbols as currency words.
    let mut spelled = query.to_string();
    for (symbol, word) in CURRENCY_SYMBOLS {
        spelled = spelled.replace(symbol, word);
    }
    let folded = mark_decimals(&fold(&spelled)).replace('%', " percent ").replace('+', " plus ");
    let tokens: Vec<String> = words(&folded).map(String::from).collect();
    let mut out = ParsedQuery { original: query.to_string(), ..Default::default() };
    let mut keep = vec![true; tokens.len()];
    let mut i = 0;
    let lex = lexicon();
    while i < tokens.len() {
        // Numbers with their context: follower bounds and engagement floors.
        if let Some(number) = number_at(&tokens, i) {
            if let Some((start, end)) = price_at(&mut out, query, &tokens, i, &number) {
                keep[start..end].iter_mut().for_each(|k| *k = false);
                i = end;
                continue;
            }
            let Number { value, used, percent } = number;
            let before: Vec<&str> = tokens[i.saturating_sub(3)..i].iter().map(String::as_str).collect();
            let after: Vec<&str> =
                tokens[i + used..(i + used + 3).min(tokens.len())].iter().map(String::as_str).collect();
            let near = || before.iter().chain(after.iter());
            let mentions_engagement = near().any(|w| w.starts_with("engag") || *w == "er");
            let upper = before.iter().any(|w| UPPER.contains(w));
            let span = tokens[i..i + used].join(" ");
            if percent || mentions_engagement {
                let rate = if percent || value <= 1.0 { value } else { value / 100.0 };
                if !upper {
                    out.filters.engagement_min = Some(rate.clamp(0.0, 1.0));
                    out.recognised.push(Recognised {
                        span,
                        kind: RecognisedKind::EngagementMin,
                        value: format!("{rate}"),
                    });
                }
                keep[i..i + used].iter_mut().for_each(|k| *k = false);
                i += used;
                continue;
            }
            let mentions_followers = after.iter().take(2).any(|w| FOLLOWER_WORDS.contains(w));
            let compared = before.iter().any(|w| COMPARISON.contains(w));
            // A bare number ("10k race") is not a follower bound: it needs a
            // follower word after it or a comparison before it.
            if (mentions_followers || compared && value >= 1000.0) && value >= 100.0 {
                let v = value.round() as u64;
                let between = before.iter().any(|w| matches!(*w, "between" | "zwischen" | "entre"));
                let (kind, slot) = if upper || (between && out.filters.followers_min.is_some()) {
                    (RecognisedKind::FollowersMax, &mut out.filters.followers_max)
                } else {
                    // "over 50k", "50k+", "at least 50k" and a bare "50k followers" are all floors.
                    (RecognisedKind::FollowersMin, &mut out.filters.followers_min)
                };
                *slot = Some(v);
                out.recognised.push(Recognised { span, kind, value: v.to_string() });
                keep[i..i + used].iter_mut().for_each(|k| *k = false);
                i += used;
                continue;
            }
        }
        // Longest phrase first.
        let mut matched = false;
        for len in (1..=lex.max_len.min(tokens.len() - i)).rev() {
            let span = &tokens[i..i + len];
            let meanings = lookup(span);
            if meanings.is_empty() {
                continue;
            }
            let next = tokens.get(i + len).map(String::as_str);
            let prev = i.checked_sub(1).and_then(|p| tokens.get(p)).map(String::as_str);
            let language_context = matches!(
                next,
                Some(
                    "speaking"
                        | "speakers"
                        | "speaker"
                        | "language"
                        | "sprachig"
                        | "sprachige"
                        | "parlant"
                        | "hablantes"
                )
            ) || matches!(prev, Some("in"))
                && meanings.iter().any(|m| matches!(m, Meaning::Language(_)))
                && !meanings.iter().any(|m| matches!(m, Meaning::City(_)));
            let pick = meanings
                .iter()
                .find(|m| language_context && matches!(m, Meaning::Language(_)))
                .or_else(|| meanings.iter().find(|m| matches!(m, Meaning::City(_))))
                .or_else(|| meanings.iter().find(|m| matches!(m, Meaning::Country(_))))
                .or_else(|| meanings.first());
            let Some(meaning) = pick else { continue };
            let span_text = span.join(" ");
            let keep_words = apply(&mut out, meaning, &span_text, &tokens, i + len);
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
    audience_phrases(&mut out, &tokens);
    out
}

/// Applies one recognised meaning; returns whether its words stay in the text.
fn apply(out: &mut ParsedQuery, meaning: &Meaning, span: &str, tokens: &[String], next: usize) -> bool {
    let mut rec = |kind: RecognisedKind, value: &str| {
        out.recognised.push(Recognised { span: span.to_string(), kind, value: value.into() })
    };
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

fn audience_phrases(out: &mut ParsedQuery, tokens: &[String]) {
    let has = |w: &str| tokens.iter().any(|t| t == w);
    if !(has("audience") || has("audiences") || has("followers") && (has("mostly") || has("mainly"))) {
        return;
    }
    let pos = tokens.iter().position(|t| t == "audience" || t == "audiences").unwrap_or(0);
    for (g, words) in [("female", ["female", "women", "woman", "frauen"]), ("male", ["male", "men", "man", "manner"])] {
        if tokens.iter().any(|t| words.contains(&t.as_str())) {
            out.filters.audience.push(AudienceConstraint {
                dimension: AudienceDimension::Gender,
                value: g.into(),
                min_share: 0.5,
            });
            out.recognised.push(Recognised { span: g.into(), kind: RecognisedKind::AudienceGender, value: g.into() });
            out.text = out.text.split(' ').filter(|w| !words.contains(w)).collect::<Vec<_>>().join(" ");
        }
    }
    // "audience in Germany": a country named after the word audience moves to the audience.
    let after: Vec<&String> = tokens.iter().skip(pos + 1).collect();
    if let Some(country) = out.filters.countries.clone().into_iter().find(|c| {
        after
            .iter()
            .any(|t| lookup(std::slice::from_ref(*t)).iter().any(|m| matches!(m, Meaning::Country(x) if x == c)))
    }) {
        out.filters.countries.retain(|c| *c != country);
        out.filters.audience.push(AudienceConstraint {
            dimension: AudienceDimension::Country,
            value: country.clone(),
            min_share: 0.3,
        });
        out.recognised.push(Recognised {
            span: country.clone(),
            kind: RecognisedKind::AudienceCountry,
            value: country,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn unknown_words_stay_text() {
        let q = understand("people who cook without any animal products");
        assert!(q.filters == SearchFilters::default());
        assert!(q.text.contains("animal"));
        assert!(q.text.contains("cook"));
    }
}

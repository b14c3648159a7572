//! Numbers in the query ("50k", "1.5m", "10,000", "2 million", "3%") and the
//! bounds they make: follower floors and ceilings, engagement floors.

use super::words::Found;
use super::{ParsedQuery, Recognised, RecognisedKind};

/// A number read from the query: its value, how many tokens it used, and
/// whether it was a percentage (then already divided by 100).
pub(super) struct Number {
    pub value: f64,
    pub used: usize,
    pub percent: bool,
    /// The multiplier a suffix or word applied ("k" 1e3, "million" 1e6; 1 when none),
    /// so that "10-100k" can lend the second number's to the first.
    pub scale: f64,
}

/// The text between the words of the query: it tells "100k-1M" (a range)
/// from "100 000" (one number written in groups).
#[derive(Clone, Copy)]
pub(super) struct Gaps<'a> {
    pub query: &'a str,
    pub ranges: &'a [(usize, usize)],
}

impl<'a> Gaps<'a> {
    /// What stands between word `k - 1` and word `k` ("" at either end).
    pub fn before(&self, k: usize) -> &'a str {
        match (k.checked_sub(1).and_then(|p| self.ranges.get(p)), self.ranges.get(k)) {
            (Some(prev), Some(next)) if prev.1 <= next.0 => &self.query[prev.1..next.0],
            _ => "",
        }
    }

    /// Whether a dash joins word `k - 1` to word `k` ("100k-1M", "10k – 50k").
    pub fn dash_before(&self, k: usize) -> bool {
        self.before(k).chars().any(|c| matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '~'))
    }

    /// Whether word `k` continues a number written in groups ("10,000", "100 000", "1'000").
    fn group_separator_before(&self, k: usize) -> bool {
        let gap = self.before(k);
        !gap.is_empty()
            && gap.chars().count() <= 2
            && gap.chars().all(|c| matches!(c, ',' | ' ' | '\'' | '\u{2019}' | '\u{a0}' | '\u{202f}' | '\u{2009}'))
    }
}

/// Words after a number that multiply it. "mil" is a thousand in Spanish and
/// Portuguese ("10 mil seguidores") but a million in English slang ("1 mil followers"):
/// the word after it decides.
const THOUSAND_WORDS: &[&str] = &["k", "thousand", "thousands", "tausend", "tsd", "mille", "mila", "milhares"];
const MILLION_WORDS: &[&str] = &[
    "m",
    "million",
    "millions",
    "mio",
    "mln",
    "mn",
    "millionen",
    "millones",
    "millon",
    "milhoes",
    "milioni",
    "milione",
];
const SPANISH_AFTER_MIL: &[&str] =
    &["seguidores", "suscriptores", "inscritos", "seguidoras", "fans", "euros", "pesos", "reais", "dolares"];

/// Parses `50k`, `1.5m` (written `1d5m` after [`mark_decimals`]), `10,000`,
/// `100.000` (dots between groups of three), `2 million`, `3 lakh`, `3%`
/// starting at token `i`.
pub(super) fn number_at(tokens: &[String], gaps: Gaps<'_>, i: usize) -> Option<Number> {
    let t = tokens.get(i)?;
    let int_end = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    if int_end == 0 {
        return None;
    }
    let mut rest = &t[int_end..];
    let mut value: f64 = t[..int_end].parse().ok()?;
    // "100.000" and "1.000.000": dots between groups of exactly three digits, with
    // nothing after, separate thousands (as in German, Spanish, Portuguese, Italian).
    if int_end <= 3 && value >= 1.0 && thousands_groups(rest) {
        for group in rest.split('d').skip(1) {
            value = value * 1000.0 + group.parse::<f64>().ok()?;
        }
        rest = "";
    } else if let Some(frac) = rest.strip_prefix('d') {
        let frac_end = frac.find(|c: char| !c.is_ascii_digit()).unwrap_or(frac.len());
        if frac_end == 0 {
            return None;
        }
        value += frac[..frac_end].parse::<f64>().ok()? / 10f64.powi(frac_end as i32);
        rest = &frac[frac_end..];
    }
    let mut used = 1;
    let mut scale = match rest {
        "" => 1.0,
        "k" => 1e3,
        "m" | "mm" | "mio" | "mil" | "mln" | "mn" => 1e6,
        _ => return None,
    };
    if rest.is_empty() && int_end == t.len() && int_end <= 3 {
        // "10,000" and "1,000,000" arrive as separate groups of three digits.
        while let Some(group) = tokens.get(i + used) {
            if group.len() == 3 && group.chars().all(|c| c.is_ascii_digit()) && gaps.group_separator_before(i + used) {
                value = value * 1000.0 + group.parse::<f64>().ok()?;
                used += 1;
            } else {
                break;
            }
        }
    }
    let mut percent = false;
    if scale == 1.0 {
        let next = tokens.get(i + used).map(String::as_str);
        let after_next = tokens.get(i + used + 1).map(String::as_str);
        match next {
            Some("mil") if tokens[i + used + 1..].iter().take(4).any(|w| SPANISH_AFTER_MIL.contains(&w.as_str())) => {
                scale = 1e3;
                used += 1;
            }
            Some("mil") => {
                scale = 1e6;
                used += 1;
            }
            Some(w) if THOUSAND_WORDS.contains(&w) => {
                scale = 1e3;
                used += 1;
            }
            Some(w) if MILLION_WORDS.contains(&w) => {
                scale = 1e6;
                used += 1;
            }
            Some("lakh" | "lakhs" | "lac") => {
                scale = 1e5;
                used += 1;
            }
            Some("crore" | "crores") => {
                scale = 1e7;
                used += 1;
            }
            // "3 por ciento"; a lone "por" is "per" ("2.000 por post").
            Some("por" | "per") if matches!(after_next, Some("ciento" | "cento")) => {
                scale = 0.01;
                percent = true;
                used += 2;
            }
            Some("percent" | "pct" | "prozent" | "pourcent" | "procent" | "porcento") => {
                scale = 0.01;
                percent = true;
                used += 1;
            }
            _ => {}
        }
    }
    Some(Number { value: value * scale, used, percent, scale: if percent { 1.0 } else { scale } })
}

/// Whether `rest` (what follows the first digits of a word) is only groups
/// of three digits each after a decimal mark: `d000`, `d500d000`.
fn thousands_groups(rest: &str) -> bool {
    rest.starts_with('d') && rest.split('d').skip(1).all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
}

/// Undoes the marking of decimal points inside numbers ("1d5k" → "1.5k", see `words`).
pub(super) fn unmark_decimals(text: &str) -> String {
    replace_between_digits(text, 'd', '.')
}

/// Replaces `from` with `to` wherever it stands between two ASCII digits.
pub(super) fn replace_between_digits(text: &str, from: char, to: char) -> String {
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

/// Whether `word` names what a follower bound counts ("followers", "subs").
pub(super) fn is_follower_word(word: &str) -> bool {
    FOLLOWER_WORDS.contains(&word)
}

/// Words for the count a bound is about: followers, subscribers (YouTube,
/// Twitch), fans; in the languages people search in.
const FOLLOWER_WORDS: &[&str] = &[
    "followers",
    "follower",
    "subscribers",
    "subscriber",
    "subs",
    "sub",
    "fans",
    "fan",
    "abonnenten",
    "seguidores",
    "seguidoras",
    "suscriptores",
    "inscritos",
    "abonnes",
    "abonnements",
    "iscritti",
    "volgers",
    "plus",
];
/// Words that join two numbers into a range ("10k to 100k", "10k bis 100k");
/// "and" only after "between".
const RANGE_TO: &[&str] = &["to", "bis", "a", "au", "till", "until", "through", "thru", "up"];
const RANGE_AND: &[&str] = &["and", "und", "y", "e", "et"];
/// Words that open a range ("from 10k to 100k", "von 10k bis 100k").
const RANGE_FROM: &[&str] = &["from", "von", "de", "desde", "entre", "between", "zwischen"];
/// Words that make a following number a bound ("over 50k", "at least 10,000").
const COMPARISON: &[&str] = &[
    "over", "above", "more", "least", "min", "minimum", "under", "below", "less", "fewer", "max", "maximum", "between",
    "and", "than", "ueber", "uber", "mehr", "unter", "mas", "menos", "moins", "zwischen", "entre",
];
pub(super) const UPPER: &[&str] =
    &["under", "below", "less", "fewer", "max", "maximum", "up", "unter", "menos", "moins"];
/// Words that make the second of two bounds the upper one ("between 10k and 50k").
pub(super) const BETWEEN: &[&str] = &["between", "zwischen", "entre"];
/// Words that make a following price a floor ("from $200", "at least 300 euros");
/// any other price is a budget, an upper bound.
pub(super) const FLOOR: &[&str] =
    &["over", "above", "more", "least", "min", "minimum", "from", "ueber", "uber", "mehr", "mas"];

/// Where a range's second number starts after the first number ending at
/// word `end` ("100k-1M", "10k to 100k", "between 10k and 50k"), if one follows.
pub(super) fn range_second_at(tokens: &[String], gaps: Gaps<'_>, end: usize, after_between: bool) -> Option<usize> {
    let next = tokens.get(end)?.as_str();
    if gaps.dash_before(end) {
        return Some(end);
    }
    let joined = RANGE_TO.contains(&next) || after_between && RANGE_AND.contains(&next);
    // "up to": "10k up to 50k".
    let skip = if next == "up" && tokens.get(end + 1).is_some_and(|w| w == "to") { 2 } else { 1 };
    (joined && (next != "up" || skip == 2)).then_some(end + skip)
}

/// Reads a follower range at word `i` ("100k-1M followers", "10k to 100k subs",
/// "between 10k and 50k", "from 5,000 to 20,000 fans", "10–100k") into `out`;
/// the word after the range, or `None` if there is none here. Both bounds'
/// spans cover the whole range, so removing either removes the range.
pub(super) fn follower_range_at(
    out: &mut ParsedQuery,
    tokens: &[String],
    gaps: Gaps<'_>,
    i: usize,
    first: &Number,
    at: impl Fn(usize, usize) -> Found,
) -> Option<usize> {
    if first.percent {
        return None;
    }
    let before: Vec<&str> = tokens[i.saturating_sub(2)..i].iter().map(String::as_str).collect();
    let opened = before.iter().any(|w| RANGE_FROM.contains(w));
    let between = before.iter().any(|w| BETWEEN.contains(w));
    let j = range_second_at(tokens, gaps, i + first.used, between)?;
    let second = number_at(tokens, gaps, j)?;
    let end = j + second.used;
    let after: Vec<&str> = tokens[end..(end + 2).min(tokens.len())].iter().map(String::as_str).collect();
    let engagement = after.iter().chain(&before).any(|w| w.starts_with("engag") || *w == "er");
    if second.percent || engagement {
        // "3-5% engagement": the floor is the first number, in the second's unit.
        let rate = if second.percent || first.value > 1.0 { first.value / 100.0 } else { first.value };
        out.filters.engagement_min = Some(rate.clamp(0.0, 1.0));
        out.recognised.push(Recognised::new(
            tokens[i..end].join(" "),
            RecognisedKind::EngagementMin,
            format!("{rate}"),
            at(i, end),
        ));
        return Some(end);
    }
    let followers = after.iter().any(|w| FOLLOWER_WORDS.contains(w));
    // Without a follower word, "from … to …" is a follower range only when the
    // numbers are follower-sized ("from 10k to 50k", not "from 2019 to 2023").
    if !(followers || opened && (second.scale > 1.0 || second.value >= 10_000.0)) {
        return None;
    }
    // "10-100k": the first number borrows the second's multiplier when that keeps it lower.
    let mut low = first.value;
    if first.scale == 1.0 && second.scale > 1.0 && low * second.scale < second.value {
        low *= second.scale;
    }
    let (low, high) = if low <= second.value { (low, second.value) } else { (second.value, low) };
    if low < 1.0 || !high.is_finite() || high > u64::MAX as f64 {
        return None;
    }
    let (low, high) = (low.round() as u64, high.round() as u64);
    let span = tokens[i..end].join(" ");
    out.filters.followers_min = Some(low);
    out.filters.followers_max = Some(high);
    out.recognised.push(Recognised::new(span.clone(), RecognisedKind::FollowersMin, low.to_string(), at(i, end)));
    out.recognised.push(Recognised::new(span, RecognisedKind::FollowersMax, high.to_string(), at(i, end)));
    Some(end)
}

/// Reads a follower or engagement bound at word `i` (the number `number`)
/// into `out`; whether it was one (its words then leave the text).
pub(super) fn bound_at(out: &mut ParsedQuery, tokens: &[String], i: usize, number: &Number, at: Found) -> bool {
    let Number { value, used, percent, .. } = *number;
    let before: Vec<&str> = tokens[i.saturating_sub(3)..i].iter().map(String::as_str).collect();
    let after: Vec<&str> = tokens[i + used..(i + used + 3).min(tokens.len())].iter().map(String::as_str).collect();
    let near = || before.iter().chain(after.iter());
    let mentions_engagement = near().any(|w| w.starts_with("engag") || *w == "er");
    let upper = before.iter().any(|w| UPPER.contains(w));
    let span = tokens[i..i + used].join(" ");
    if percent || mentions_engagement {
        let rate = if percent || value <= 1.0 { value } else { value / 100.0 };
        if !upper {
            out.filters.engagement_min = Some(rate.clamp(0.0, 1.0));
            out.recognised.push(Recognised::new(span, RecognisedKind::EngagementMin, format!("{rate}"), at));
        }
        return true;
    }
    let mentions_followers = after.iter().take(2).any(|w| FOLLOWER_WORDS.contains(w));
    let compared = before.iter().any(|w| COMPARISON.contains(w));
    // A bare number ("10k race") is not a follower bound: it needs a
    // follower word after it or a comparison before it.
    if (mentions_followers || compared && value >= 1000.0) && value >= 100.0 {
        let v = value.round() as u64;
        let between = before.iter().any(|w| BETWEEN.contains(w));
        let (kind, slot) = if upper || (between && out.filters.followers_min.is_some()) {
            (RecognisedKind::FollowersMax, &mut out.filters.followers_max)
        } else {
            // "over 50k", "50k+", "at least 50k" and a bare "50k followers" are all floors.
            (RecognisedKind::FollowersMin, &mut out.filters.followers_min)
        };
        *slot = Some(v);
        out.recognised.push(Recognised::new(span, kind, v.to_string(), at));
        return true;
    }
    false
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::{RecognisedKind, understand};

    fn bounds(q: &str) -> (Option<u64>, Option<u64>) {
        let f = understand(q).filters;
        (f.followers_min, f.followers_max)
    }

    #[test]
    fn ranges_in_the_forms_people_write() {
        for (q, want) in [
            ("beauty creators with 100k-1M followers", (100_000, 1_000_000)),
            ("gaming 10k–100k followers", (10_000, 100_000)),
            ("fitness 10k — 100k subs", (10_000, 100_000)),
            ("yoga teachers with 5,000 to 20,000 fans", (5_000, 20_000)),
            ("travel from 50k to 250k followers", (50_000, 250_000)),
            ("food between 100.000 and 500.000 Follower", (100_000, 500_000)),
            ("tech youtubers 1-5m subscribers", (1_000_000, 5_000_000)),
            ("moda 10-100k seguidores", (10_000, 100_000)),
            ("cocina de 10 mil a 100 mil seguidores", (10_000, 100_000)),
            ("streamers 1 mil to 2.5 million followers", (1_000_000, 2_500_000)),
            ("Mode zwischen 20 Tsd und 80 Tsd Follower", (20_000, 80_000)),
            ("creators with 2 lakh to 10 lakh followers", (200_000, 1_000_000)),
            ("pets 50k up to 200k followers", (50_000, 200_000)),
        ] {
            assert_eq!(bounds(q), (Some(want.0), Some(want.1)), "{q}");
            let parsed = understand(q);
            for kind in [RecognisedKind::FollowersMin, RecognisedKind::FollowersMax] {
                let r = parsed.recognised.iter().find(|r| r.kind == kind).expect("recognised");
                assert!(q[r.start..r.end].chars().next().is_some_and(|c| c.is_ascii_digit()), "{q}: {r:?}");
            }
            assert!(
                !parsed.text.chars().any(|c| c.is_ascii_digit()),
                "{q}: the numbers leave the text: {}",
                parsed.text
            );
        }
    }

    #[test]
    fn numbers_that_are_not_ranges() {
        assert_eq!(bounds("marathon runners from 2019 to 2023"), (None, None));
        assert_eq!(bounds("creators with 10,000 followers"), (Some(10_000), None), "groups still make one number");
        assert_eq!(bounds("beauty 100 000 followers"), (Some(100_000), None));
        assert_eq!(bounds("engagement over 0.035"), (None, None));
        let e = understand("fashion creators with 3-5% engagement").filters;
        assert_eq!((e.engagement_min, e.followers_min), (Some(0.03), None));
        assert_eq!(bounds("10k race training"), (None, None));
    }

    #[test]
    fn price_ranges_keep_both_bounds() {
        let price = |q: &str| understand(q).filters.price.map(|p| (p.currency.to_string(), p.min, p.max));
        assert_eq!(price("$500-$1,000 per post"), Some(("USD".into(), Some(50_000), Some(100_000))));
        assert_eq!(price("500 to 1000 euros"), Some(("EUR".into(), Some(50_000), Some(100_000))));
        assert_eq!(price("€1.5k-3k a reel"), Some(("EUR".into(), Some(150_000), Some(300_000))));
        assert_eq!(price("R$2.000 por post"), Some(("BRL".into(), None, Some(200_000))), "dots between thousands");
    }

    /// A count as people write it: plain, in groups, or with a suffix or word.
    fn written(v: u64, style: u8) -> String {
        let grouped = |sep: &str| {
            let digits = v.to_string();
            let mut out = String::new();
            for (k, c) in digits.chars().enumerate() {
                if k > 0 && (digits.len() - k).is_multiple_of(3) {
                    out.push_str(sep);
                }
                out.push(c);
            }
            out
        };
        match style % 9 {
            0 => v.to_string(),
            1 => grouped(","),
            2 => grouped("."),
            3 => grouped(" "),
            4 if v.is_multiple_of(1_000_000) => format!("{}M", v / 1_000_000),
            5 if v.is_multiple_of(1_000_000) => format!("{} million", v / 1_000_000),
            6 if v.is_multiple_of(100_000) && v >= 1_000_000 => format!("{}m", (v as f64 / 1e6)),
            7 if v.is_multiple_of(100) && v < 1_000_000 => format!("{}k", (v as f64 / 1e3)),
            8 if v.is_multiple_of(1000) => format!("{}K", v / 1000),
            _ => v.to_string(),
        }
    }

    proptest! {
        /// Any range a person writes comes back as the same two bounds.
        #[test]
        fn any_written_range_round_trips(
            low_mantissa in 1u64..100,
            low_exp in 2u32..6,
            factor in 2u64..20,
            styles in (0u8..9, 0u8..9),
            form in 0usize..7,
            word in 0usize..5,
        ) {
            let low = low_mantissa * 10u64.pow(low_exp);
            let high = low * factor;
            let (a, b) = (written(low, styles.0), written(high, styles.1));
            let range = match form {
                0 => format!("{a}-{b}"),
                1 => format!("{a} - {b}"),
                2 => format!("{a}–{b}"),
                3 => format!("{a} to {b}"),
                4 => format!("between {a} and {b}"),
                5 => format!("from {a} to {b}"),
                _ => format!("{a} up to {b}"),
            };
            let word = ["followers", "subscribers", "subs", "fans", "Followers"][word];
            let q = format!("vegan food creators with {range} {word} in Berlin");
            prop_assert_eq!(bounds(&q), (Some(low), Some(high)), "{}", q);
            prop_assert_eq!(understand(&q).filters.cities, vec!["Berlin".to_string()]);
        }
    }
}

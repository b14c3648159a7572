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
}

/// Parses `50k`, `1.5m` (written `1d5m` after [`mark_decimals`]), `10,000`,
/// `2 million`, `3%` starting at token `i`.
pub(super) fn number_at(tokens: &[String], i: usize) -> Option<Number> {
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

const FOLLOWER_WORDS: &[&str] =
    &["followers", "follower", "subscribers", "subs", "fans", "abonnenten", "seguidores", "abonnes", "plus"];
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

/// Reads a follower or engagement bound at word `i` (the number `number`)
/// into `out`; whether it was one (its words then leave the text).
pub(super) fn bound_at(out: &mut ParsedQuery, tokens: &[String], i: usize, number: &Number, at: Found) -> bool {
    let Number { value, used, percent } = *number;
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

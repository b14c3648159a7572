//! The query as the understanding reads it: folded words (lower case,
//! without diacritics), currency symbols spelled as codes ("$" → "usd"),
//! decimal points inside numbers kept ("1.5k" → "1d5k"), "%" and "+" as
//! words; each word with the byte range of the query it came from.

use scout_domain::text::fold;

use super::prices::CURRENCY_SYMBOLS;

/// Words that introduce a place or a bound ("in Berlin", "at least 10k",
/// "über 50k"): removing what they introduce removes them too.
const INTRODUCING: &[&str] = &[
    "in", "from", "based", "near", "around", "at", "over", "above", "under", "below", "with", "least", "more", "less",
    "than", "between", "zwischen", "entre", "aus", "von", "en", "de", "desde", "depuis", "ueber", "uber", "unter",
    "mehr", "mas", "menos", "moins",
];

/// The words of a query and where each stands in it.
pub(super) struct Words {
    pub text: Vec<String>,
    /// Byte range in the query of each word (end exclusive).
    pub ranges: Vec<(usize, usize)>,
}

/// Where recognised words stand in the query as sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Found {
    pub start: usize,
    pub end: usize,
    /// The start of the words that introduced them, if any (else `start`).
    pub cut_start: usize,
}

impl Found {
    /// Words `from..to` (non-empty, in bounds).
    pub fn of(tokens: &[String], ranges: &[(usize, usize)], from: usize, to: usize) -> Found {
        let start = ranges.get(from).map_or(0, |r| r.0);
        let end = ranges.get(to.saturating_sub(1)).map_or(start, |r| r.1);
        let mut cut = from;
        while cut > 0 && from - cut < 2 && tokens.get(cut - 1).is_some_and(|t| INTRODUCING.contains(&t.as_str())) {
            cut -= 1;
        }
        Found { start, end, cut_start: ranges.get(cut).map_or(start, |r| r.0) }
    }
}

/// Reads `query` into words, keeping each one's byte range.
pub(super) fn read(query: &str) -> Words {
    // Characters as the words will hold them, each with its source range.
    let mut chars: Vec<(char, usize, usize)> = Vec::with_capacity(query.len());
    let mut i = 0;
    while let Some(c) = query[i..].chars().next() {
        if let Some((symbol, word)) = CURRENCY_SYMBOLS.iter().find(|(s, _)| query[i..].starts_with(s)) {
            let end = i + symbol.len();
            chars.extend(word.chars().map(|w| (w, i, end)));
            i = end;
            continue;
        }
        let end = i + c.len_utf8();
        let mut buf = [0u8; 4];
        chars.extend(fold(c.encode_utf8(&mut buf)).chars().map(|f| (f, i, end)));
        i = end;
    }
    let digit = |k: Option<&(char, usize, usize)>| k.is_some_and(|(c, _, _)| c.is_ascii_digit());
    let mut words = Words { text: Vec::new(), ranges: Vec::new() };
    let mut current = String::new();
    let mut range = (0, 0);
    let flush = |current: &mut String, range: (usize, usize), words: &mut Words| {
        if !current.is_empty() {
            words.text.push(std::mem::take(current));
            words.ranges.push(range);
        }
    };
    for k in 0..chars.len() {
        let (c, start, end) = chars[k];
        // A decimal point between digits stays inside the number.
        let c = if c == '.' && k > 0 && digit(chars.get(k - 1)) && digit(chars.get(k + 1)) { 'd' } else { c };
        // "%" and "+" are words of their own: "3%" is a percentage, "50k+" a floor.
        let spelled = match c {
            '%' => Some("percent"),
            '+' => Some("plus"),
            _ => None,
        };
        if let Some(word) = spelled {
            flush(&mut current, range, &mut words);
            words.text.push(word.to_string());
            words.ranges.push((start, end));
        } else if c.is_alphanumeric() {
            if current.is_empty() {
                range = (start, end);
            }
            current.push(c);
            range.1 = end;
        } else {
            flush(&mut current, range, &mut words);
        }
    }
    flush(&mut current, range, &mut words);
    words
}

#[cfg(test)]
mod tests {
    use super::*;
    use scout_domain::text::words;

    /// The words as the understanding read them before it kept ranges.
    fn as_before(query: &str) -> Vec<String> {
        let mut spelled = query.to_string();
        for (symbol, word) in CURRENCY_SYMBOLS {
            spelled = spelled.replace(symbol, word);
        }
        let marked = super::super::numbers::replace_between_digits(&fold(&spelled), '.', 'd');
        let folded = marked.replace('%', " percent ").replace('+', " plus ");
        words(&folded).map(String::from).collect()
    }

    #[test]
    fn the_same_words_as_before_each_with_its_range() {
        for q in [
            "vegan fitness creators in Berlin over 50k followers",
            "Köche in München über 1.5k Abonnenten, ER 3,5% + mehr",
            "under $500 per post or R$2.000 a reel; £30–£50 €, ¥3000",
            "ﬁtness Łódź São Paulo straße 10,000+ fans (x2) 1.2.3",
            "",
            "   ",
            "日本語のクリエイター 東京",
        ] {
            let w = read(q);
            assert_eq!(w.text, as_before(q), "{q}");
            assert_eq!(w.text.len(), w.ranges.len());
            for (t, (s, e)) in w.text.iter().zip(&w.ranges) {
                assert!(s < e && *e <= q.len() && q.is_char_boundary(*s) && q.is_char_boundary(*e), "{t} in {q}");
            }
        }
        let w = read("Köche in München");
        assert_eq!(&"Köche in München"[w.ranges[2].0..w.ranges[2].1], "München");
        let w = read("under $500");
        assert_eq!(w.text, ["under", "usd", "500"]);
        assert_eq!(w.ranges[1], (6, 7), "the symbol's own byte");
    }

    #[test]
    fn introducing_words_go_with_what_they_introduce() {
        let q = "yoga at least 10k followers based in Lisbon";
        let w = read(q);
        let found = Found::of(&w.text, &w.ranges, 3, 4);
        assert_eq!(&q[found.cut_start..found.end], "at least 10k");
        let lisbon = w.text.iter().position(|t| t == "lisbon").expect("lisbon");
        let found = Found::of(&w.text, &w.ranges, lisbon, lisbon + 1);
        assert_eq!(&q[found.cut_start..found.end], "based in Lisbon");
        assert_eq!(&q[found.start..found.end], "Lisbon");
    }
}

//! Text normalisation shared by every part that compares words: case folding,
//! diacritic removal and word splitting. Index and query sides must agree, so
//! there is exactly one implementation.

use unicode_normalization::UnicodeNormalization;

/// Lower-cases and strips diacritics ("München" → "munchen", "Straße" → "strasse").
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfkd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        match c {
            'ß' => out.push_str("ss"),
            'æ' | 'Æ' => out.push_str("ae"),
            'ø' | 'Ø' => out.push('o'),
            'ł' | 'Ł' => out.push('l'),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Splits folded text into words: runs of letters and digits.
pub fn words(folded: &str) -> impl Iterator<Item = &str> {
    folded.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_diacritics_and_case() {
        assert_eq!(fold("München Straße São Paulo Łódź"), "munchen strasse sao paulo lodz");
    }

    #[test]
    fn splits_words() {
        let f = fold("Plant-based, #vegan & 50k!");
        assert_eq!(words(&f).collect::<Vec<_>>(), ["plant", "based", "vegan", "50k"]);
    }
}

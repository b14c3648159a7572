//! Text in the base-14 Helvetica: WinAnsi bytes and widths from Adobe's
//! published metrics (Helvetica AFM, units of 1/1000 em).

/// Widths of the printable ASCII characters, from space (32) to tilde (126),
/// in WinAnsi's meaning of each code.
const ASCII_WIDTHS: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space to /
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, // 0 to 9
    278, 278, 584, 584, 584, 556, 1015, // : to @
    667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, // A to M
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, // N to Z
    278, 278, 278, 469, 556, 333, // [ to `
    556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, // a to m
    556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, // n to z
    334, 260, 334, 584, // { to ~
];

/// Width of a character outside ASCII: the widest common letter, so that a
/// line measured with it never overflows.
const OTHER_WIDTH: u16 = 722;

/// Width of `text` in points at `size`, in Helvetica (the bold face is at
/// most 10 % wider; callers leave that margin where it matters).
pub fn text_width(text: &str, size: f32) -> f32 {
    let units: u32 = text
        .chars()
        .map(|c| match c as u32 {
            32..=126 => u32::from(ASCII_WIDTHS[c as usize - 32]),
            _ => u32::from(OTHER_WIDTH),
        })
        .sum();
    units as f32 * size / 1000.0
}

/// `text` in the WinAnsi encoding (Windows-1252): Latin-1 as is, the
/// typographic quotes, dashes, euro sign and bullet at their codes, and `?`
/// for what the encoding lacks.
pub fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            ' '..='~' => c as u8,
            '\u{a0}'..='\u{ff}' => c as u32 as u8,
            '€' => 0x80,
            '‚' => 0x82,
            '„' => 0x84,
            '…' => 0x85,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '™' => 0x99,
            '\t' => b' ',
            _ => b'?',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_follow_the_font_metrics() {
        assert_eq!(text_width("i", 1000.0), 222.0);
        assert_eq!(text_width("W", 1000.0), 944.0);
        assert_eq!(text_width("Hello", 10.0), (722.0 + 556.0 + 222.0 + 222.0 + 556.0) / 100.0);
        assert_eq!(text_width("é", 1000.0), f32::from(OTHER_WIDTH));
    }

    #[test]
    fn text_is_encoded_in_win_ansi() {
        assert_eq!(win_ansi("Zoë × 2 – 5 €"), b"Zo\xEB \xD7 2 \x96 5 \x80".to_vec());
        assert_eq!(win_ansi("東京"), b"??".to_vec());
    }
}

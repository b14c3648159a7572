//! Languages creators post in: ISO 639-1 codes with the names people use for them.

#[derive(Debug, Clone, Copy)]
pub struct Language {
    pub code: &'static str,
    pub name: &'static str,
    /// Folded names in several languages ("deutsch", "aleman", "tedesco").
    pub names: &'static [&'static str],
}

macro_rules! lang {
    ($c:literal, $n:literal, [$($a:literal),*]) => {
        Language { code: $c, name: $n, names: &[$($a),*] }
    };
}

#[rustfmt::skip]
pub const LANGUAGES: &[Language] = &[
    lang!("en", "English", ["english", "englisch", "ingles", "anglais", "inglese"]),
    lang!("de", "German", ["german", "deutsch", "aleman", "allemand", "tedesco", "deutschsprachig"]),
    lang!("fr", "French", ["french", "francais", "franzosisch", "frances", "francese", "francophone"]),
    lang!("es", "Spanish", ["spanish", "espanol", "castellano", "spanisch", "espagnol", "spagnolo", "hispanophone"]),
    lang!("pt", "Portuguese", ["portuguese", "portugues", "portugiesisch", "portugais", "portoghese"]),
    lang!("it", "Italian", ["italian", "italiano", "italienisch", "italien"]),
    lang!("nl", "Dutch", ["dutch", "nederlands", "flemish", "niederlandisch", "neerlandais"]),
    lang!("pl", "Polish", ["polish", "polski", "polnisch", "polonais", "polaco"]),
    lang!("sv", "Swedish", ["swedish", "svenska", "schwedisch", "suedois"]),
    lang!("no", "Norwegian", ["norwegian", "norsk", "norwegisch"]),
    lang!("da", "Danish", ["danish", "dansk", "danisch", "danois"]),
    lang!("fi", "Finnish", ["finnish", "suomi", "finnisch"]),
    lang!("cs", "Czech", ["czech", "cestina", "tschechisch"]),
    lang!("el", "Greek", ["greek", "ellinika", "griechisch", "grec"]),
    lang!("tr", "Turkish", ["turkish", "turkce", "turkisch", "turc"]),
    lang!("ja", "Japanese", ["japanese", "nihongo", "japanisch", "japonais"]),
    lang!("ko", "Korean", ["korean", "hangugeo", "koreanisch", "coreen"]),
    lang!("zh", "Chinese", ["chinese", "mandarin", "chinesisch", "chinois"]),
    lang!("hi", "Hindi", ["hindi"]),
    lang!("id", "Indonesian", ["indonesian", "bahasa", "bahasa indonesia"]),
    lang!("tl", "Tagalog", ["tagalog", "filipino language"]),
    lang!("th", "Thai", ["thai language"]),
    lang!("ar", "Arabic", ["arabic", "arabisch", "arabe"]),
];

/// Looks a language up by ISO 639-1 code.
pub fn language(code: &str) -> Option<&'static Language> {
    LANGUAGES.iter().find(|l| l.code == code)
}

//! Groups of countries people name as one place in a brief: "the Nordics",
//! "DACH", "LATAM", "the Gulf", "Southeast Asia". A group becomes the list of
//! its countries (ISO 3166-1 alpha-2). Membership follows the common
//! marketing use of each name (UN M49 sub-regions where one fits: Southeast
//! Asia, Northern Europe's Nordic states, Latin America and the Caribbean;
//! the GCC's six members for "the Gulf"). Names are folded.

/// A named group of countries.
#[derive(Debug, Clone, Copy)]
pub struct CountryGroup {
    /// The name as shown ("Nordics").
    pub name: &'static str,
    /// Folded names and nicknames that stand for it.
    pub names: &'static [&'static str],
    pub countries: &'static [&'static str],
}

const LATIN_AMERICA: &[&str] = &[
    "MX", "GT", "BZ", "SV", "HN", "NI", "CR", "PA", "CU", "DO", "PR", "CO", "VE", "EC", "PE", "BO", "BR", "PY", "UY",
    "AR", "CL",
];
const EU: &[&str] = &[
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT",
    "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
];
const EUROPE: &[&str] = &[
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT",
    "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "GB", "NO", "CH", "IS", "UA", "RS", "BA", "ME", "MK", "AL", "MD",
    "BY", "AD", "MC", "LI", "SM",
];

pub const COUNTRY_GROUPS: &[CountryGroup] = &[
    CountryGroup {
        name: "Nordics",
        names: &["nordics", "nordic countries", "the nordics", "nordic", "norden", "nordeuropa"],
        countries: &["SE", "NO", "DK", "FI", "IS"],
    },
    CountryGroup {
        name: "Scandinavia",
        names: &["scandinavia", "scandinavian", "skandinavien", "escandinavia", "scandinavie"],
        countries: &["SE", "NO", "DK"],
    },
    CountryGroup { name: "DACH", names: &["dach", "dach region"], countries: &["DE", "AT", "CH"] },
    CountryGroup { name: "Benelux", names: &["benelux"], countries: &["BE", "NL", "LU"] },
    CountryGroup {
        name: "Iberia",
        names: &["iberia", "iberian peninsula", "peninsula iberica"],
        countries: &["ES", "PT"],
    },
    CountryGroup { name: "Baltics", names: &["baltics", "baltic states", "baltic"], countries: &["EE", "LV", "LT"] },
    CountryGroup {
        name: "Balkans",
        names: &["balkans", "balkan", "western balkans"],
        countries: &["AL", "BA", "BG", "HR", "ME", "MK", "RS", "SI", "GR", "RO", "XK"],
    },
    CountryGroup {
        name: "British Isles",
        names: &["british isles", "uk and ireland", "uki"],
        countries: &["GB", "IE"],
    },
    CountryGroup {
        name: "Latin America",
        names: &["latam", "latin america", "latinoamerica", "america latina", "lateinamerika", "amerique latine"],
        countries: LATIN_AMERICA,
    },
    CountryGroup {
        name: "South America",
        names: &["south america", "sudamerica", "suedamerika", "america do sul"],
        countries: &["CO", "VE", "EC", "PE", "BO", "BR", "PY", "UY", "AR", "CL", "GY", "SR"],
    },
    CountryGroup {
        name: "Central America",
        names: &["central america", "centroamerica", "mittelamerika"],
        countries: &["GT", "BZ", "SV", "HN", "NI", "CR", "PA"],
    },
    CountryGroup {
        name: "Caribbean",
        names: &["caribbean", "the caribbean", "caribe", "karibik"],
        countries: &["CU", "DO", "PR", "JM", "HT", "TT", "BS", "BB"],
    },
    CountryGroup {
        name: "North America",
        names: &["north america", "norteamerica", "nordamerika"],
        countries: &["US", "CA", "MX"],
    },
    CountryGroup {
        name: "Gulf",
        names: &["the gulf", "gulf", "gcc", "gulf states", "gulf countries", "khaleej"],
        countries: &["AE", "SA", "QA", "KW", "BH", "OM"],
    },
    CountryGroup {
        name: "Middle East",
        names: &["middle east", "mideast", "near east", "naher osten", "moyen orient", "oriente medio"],
        countries: &["AE", "SA", "QA", "KW", "BH", "OM", "JO", "LB", "IL", "IQ", "IR", "SY", "YE", "TR", "EG"],
    },
    CountryGroup {
        name: "MENA",
        names: &["mena", "middle east and north africa"],
        countries: &[
            "AE", "SA", "QA", "KW", "BH", "OM", "JO", "LB", "IL", "IQ", "IR", "SY", "YE", "EG", "MA", "DZ", "TN", "LY",
        ],
    },
    CountryGroup {
        name: "North Africa",
        names: &["north africa", "maghreb"],
        countries: &["EG", "MA", "DZ", "TN", "LY"],
    },
    CountryGroup {
        name: "Southeast Asia",
        names: &["southeast asia", "south east asia", "sea region", "asean", "sudostasien"],
        countries: &["ID", "TH", "VN", "PH", "MY", "SG", "MM", "KH", "LA", "BN", "TL"],
    },
    CountryGroup { name: "East Asia", names: &["east asia"], countries: &["JP", "KR", "CN", "TW", "HK", "MN"] },
    CountryGroup {
        name: "South Asia",
        names: &["south asia", "indian subcontinent"],
        countries: &["IN", "PK", "BD", "LK", "NP", "BT", "MV"],
    },
    CountryGroup {
        name: "APAC",
        names: &["apac", "asia pacific", "asia-pacific"],
        countries: &["AU", "NZ", "JP", "KR", "CN", "TW", "HK", "SG", "MY", "TH", "ID", "PH", "VN", "IN"],
    },
    CountryGroup { name: "ANZ", names: &["anz", "australia and new zealand", "oceania"], countries: &["AU", "NZ"] },
    CountryGroup { name: "EU", names: &["eu", "european union"], countries: EU },
    CountryGroup { name: "Europe", names: &["europe", "europa", "european"], countries: EUROPE },
    CountryGroup {
        name: "Eastern Europe",
        names: &["eastern europe", "cee", "central and eastern europe", "osteuropa"],
        countries: &["PL", "CZ", "SK", "HU", "RO", "BG", "UA", "MD", "BY", "EE", "LV", "LT", "HR", "SI", "RS"],
    },
    CountryGroup {
        name: "Western Europe",
        names: &["western europe", "westeuropa"],
        countries: &["FR", "DE", "NL", "BE", "LU", "AT", "CH", "GB", "IE"],
    },
];

/// The group a folded phrase names, if any.
pub fn group_named(folded: &str) -> Option<&'static CountryGroup> {
    COUNTRY_GROUPS.iter().find(|g| g.names.contains(&folded))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_real_countries_without_repeats() {
        for g in COUNTRY_GROUPS {
            let mut seen = std::collections::HashSet::new();
            for c in g.countries {
                assert!(c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()), "{}: {c}", g.name);
                assert!(seen.insert(c), "{} lists {c} twice", g.name);
            }
            for n in g.names {
                assert_eq!(*n, crate::text::fold(n), "names are folded: {n}");
            }
        }
        assert_eq!(group_named("the nordics").map(|g| g.countries.len()), Some(5));
        assert!(group_named("latam").is_some_and(|g| g.countries.contains(&"BR")));
        assert!(group_named("gulf").is_some_and(|g| g.countries.contains(&"AE") && !g.countries.contains(&"US")));
    }
}

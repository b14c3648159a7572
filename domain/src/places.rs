//! Real countries and cities with their names in the languages people search in
//! ("Munich", "München", "Monaco di Baviera"), coordinates and main languages;
//! the [`gazetteer`] of every place of 15,000 people or more with its region;
//! and [`groups`] of countries people name as one ("the Nordics", "LATAM").

pub mod gazetteer;
pub mod groups;

/// A country creators live in.
#[derive(Debug, Clone, Copy)]
pub struct Country {
    /// ISO 3166-1 alpha-2.
    pub code: &'static str,
    pub name: &'static str,
    /// Other names and demonyms, folded ("deutschland", "german").
    pub aliases: &'static [&'static str],
    /// ISO 639-1 codes, main first.
    pub languages: &'static [&'static str],
    /// ISO 4217 currency.
    pub currency: &'static str,
    /// Relative share of creators (used by fixtures).
    pub weight: u32,
    /// Price level relative to the US (used by fixtures for rates).
    pub price_level: f64,
}

/// A city creators live in.
#[derive(Debug, Clone, Copy)]
pub struct City {
    pub name: &'static str,
    pub country: &'static str,
    /// Other names, folded ("munchen", "monaco di baviera").
    pub aliases: &'static [&'static str],
    pub lat: f64,
    pub lon: f64,
    pub weight: u32,
}

macro_rules! country {
    ($c:literal, $n:literal, [$($a:literal),*], [$($l:literal),*], $cur:literal, $w:literal, $p:literal) => {
        Country { code: $c, name: $n, aliases: &[$($a),*], languages: &[$($l),*], currency: $cur, weight: $w, price_level: $p }
    };
}
macro_rules! city {
    ($n:literal, $c:literal, [$($a:literal),*], $lat:literal, $lon:literal, $w:literal) => {
        City { name: $n, country: $c, aliases: &[$($a),*], lat: $lat, lon: $lon, weight: $w }
    };
}

#[rustfmt::skip]
pub const COUNTRIES: &[Country] = &[
    country!("US", "United States", ["usa", "us", "united states of america", "america", "american", "estados unidos", "etats unis", "vereinigte staaten"], ["en", "es"], "USD", 220, 1.0),
    country!("GB", "United Kingdom", ["uk", "britain", "great britain", "england", "british", "english", "scotland", "reino unido", "grossbritannien", "royaume uni"], ["en"], "GBP", 70, 0.9),
    country!("CA", "Canada", ["canadian", "kanada"], ["en", "fr"], "CAD", 35, 0.85),
    country!("AU", "Australia", ["australian", "aussie", "australien"], ["en"], "AUD", 30, 0.85),
    country!("IE", "Ireland", ["irish", "irland", "eire"], ["en"], "EUR", 8, 0.85),
    country!("NZ", "New Zealand", ["kiwi", "neuseeland"], ["en"], "NZD", 6, 0.8),
    country!("DE", "Germany", ["deutschland", "german", "germany", "allemagne", "alemania", "germania", "deutsch", "deutsche"], ["de"], "EUR", 60, 0.85),
    country!("AT", "Austria", ["osterreich", "austrian", "autriche", "osterreichisch"], ["de"], "EUR", 10, 0.8),
    country!("CH", "Switzerland", ["schweiz", "swiss", "suisse", "svizzera", "suiza"], ["de", "fr", "it"], "CHF", 10, 1.1),
    country!("FR", "France", ["french", "francia", "frankreich", "francais", "francaise"], ["fr"], "EUR", 50, 0.8),
    country!("BE", "Belgium", ["belgian", "belgique", "belgien", "belgie"], ["nl", "fr"], "EUR", 10, 0.8),
    country!("NL", "Netherlands", ["dutch", "holland", "nederland", "niederlande", "pays bas", "paises bajos"], ["nl"], "EUR", 18, 0.85),
    country!("ES", "Spain", ["spanish", "espana", "spanien", "espagne", "spagna"], ["es"], "EUR", 45, 0.65),
    country!("PT", "Portugal", ["portuguese", "portugues"], ["pt"], "EUR", 12, 0.55),
    country!("IT", "Italy", ["italian", "italia", "italien", "italie", "italiano", "italiana"], ["it"], "EUR", 45, 0.7),
    country!("PL", "Poland", ["polish", "polska", "polen", "pologne", "polonia"], ["pl"], "PLN", 25, 0.45),
    country!("SE", "Sweden", ["swedish", "sverige", "schweden", "suede", "suecia"], ["sv"], "SEK", 12, 0.85),
    country!("NO", "Norway", ["norwegian", "norge", "norwegen", "norvege"], ["no"], "NOK", 7, 0.95),
    country!("DK", "Denmark", ["danish", "danmark", "danemark", "dinamarca"], ["da"], "DKK", 7, 0.9),
    country!("FI", "Finland", ["finnish", "suomi", "finnland"], ["fi"], "EUR", 6, 0.8),
    country!("CZ", "Czechia", ["czech republic", "czech", "cesko", "tschechien"], ["cs"], "CZK", 8, 0.45),
    country!("GR", "Greece", ["greek", "hellas", "griechenland", "grece", "grecia"], ["el"], "EUR", 8, 0.5),
    country!("TR", "Turkey", ["turkish", "turkiye", "turkei", "turquie", "turquia"], ["tr"], "TRY", 25, 0.3),
    country!("BR", "Brazil", ["brazilian", "brasil", "brasilien", "bresil", "brasileiro", "brasileira"], ["pt"], "BRL", 70, 0.35),
    country!("MX", "Mexico", ["mexican", "mexicano", "mexicana", "mexiko", "mexique"], ["es"], "MXN", 40, 0.35),
    country!("AR", "Argentina", ["argentinian", "argentino", "argentina", "argentinien"], ["es"], "ARS", 15, 0.3),
    country!("CO", "Colombia", ["colombian", "colombiano", "kolumbien"], ["es"], "COP", 12, 0.3),
    country!("CL", "Chile", ["chilean", "chileno"], ["es"], "CLP", 8, 0.35),
    country!("IN", "India", ["indian", "indien", "inde", "bharat"], ["en", "hi"], "INR", 80, 0.2),
    country!("ID", "Indonesia", ["indonesian", "indonesien"], ["id"], "IDR", 40, 0.2),
    country!("PH", "Philippines", ["filipino", "philippinen", "pinoy"], ["en", "tl"], "PHP", 20, 0.2),
    country!("JP", "Japan", ["japanese", "nihon", "japon", "giappone"], ["ja"], "JPY", 35, 0.8),
    country!("KR", "South Korea", ["korea", "korean", "sudkorea", "coree du sud", "corea del sur"], ["ko"], "KRW", 25, 0.75),
    country!("AE", "United Arab Emirates", ["uae", "emirates", "emirati", "vae"], ["ar", "en"], "AED", 12, 0.9),
    country!("SA", "Saudi Arabia", ["saudi", "ksa", "saudi arabien"], ["ar"], "SAR", 10, 0.7),
    country!("ZA", "South Africa", ["south african", "sudafrika", "afrique du sud"], ["en"], "ZAR", 12, 0.3),
    country!("NG", "Nigeria", ["nigerian"], ["en"], "NGN", 15, 0.15),
    country!("EG", "Egypt", ["egyptian", "agypten", "egypte", "egipto"], ["ar"], "EGP", 10, 0.15),
    country!("SG", "Singapore", ["singaporean", "singapur"], ["en", "zh"], "SGD", 6, 0.9),
    country!("TH", "Thailand", ["thai", "thailande", "tailandia"], ["th"], "THB", 15, 0.3),
];

#[rustfmt::skip]
pub const CITIES: &[City] = &[
    city!("New York", "US", ["nyc", "new york city", "manhattan", "brooklyn", "nueva york"], 40.71, -74.01, 30),
    city!("Los Angeles", "US", ["la", "l a", "hollywood"], 34.05, -118.24, 28),
    city!("Miami", "US", [], 25.76, -80.19, 12),
    city!("Chicago", "US", [], 41.88, -87.63, 10),
    city!("Austin", "US", [], 30.27, -97.74, 8),
    city!("San Francisco", "US", ["sf", "bay area"], 37.77, -122.42, 8),
    city!("Seattle", "US", [], 47.61, -122.33, 6),
    city!("Nashville", "US", [], 36.16, -86.78, 5),
    city!("London", "GB", ["londres", "londra", "londen"], 51.51, -0.13, 35),
    city!("Manchester", "GB", [], 53.48, -2.24, 8),
    city!("Edinburgh", "GB", ["edimbourg", "edimburgo"], 55.95, -3.19, 4),
    city!("Toronto", "CA", [], 43.65, -79.38, 14),
    city!("Vancouver", "CA", [], 49.28, -123.12, 8),
    city!("Montreal", "CA", ["montreal"], 45.50, -73.57, 8),
    city!("Sydney", "AU", [], -33.87, 151.21, 14),
    city!("Melbourne", "AU", [], -37.81, 144.96, 12),
    city!("Dublin", "IE", ["baile atha cliath"], 53.35, -6.26, 8),
    city!("Auckland", "NZ", [], -36.85, 174.76, 6),
    city!("Berlin", "DE", ["berlino", "berlim"], 52.52, 13.40, 25),
    city!("Munich", "DE", ["munchen", "monaco di baviera", "munique", "munich"], 48.14, 11.58, 14),
    city!("Hamburg", "DE", ["hambourg", "amburgo", "hamburgo"], 53.55, 9.99, 12),
    city!("Cologne", "DE", ["koln", "colonia", "koeln"], 50.94, 6.96, 9),
    city!("Frankfurt", "DE", ["frankfurt am main", "francfort", "francoforte"], 50.11, 8.68, 7),
    city!("Stuttgart", "DE", [], 48.78, 9.18, 5),
    city!("Vienna", "AT", ["wien", "vienne", "viena"], 48.21, 16.37, 10),
    city!("Zurich", "CH", ["zurich", "zuerich", "zurigo"], 47.38, 8.54, 6),
    city!("Geneva", "CH", ["geneve", "genf", "ginevra", "ginebra"], 46.20, 6.14, 4),
    city!("Paris", "FR", ["parigi"], 48.86, 2.35, 30),
    city!("Lyon", "FR", ["lione"], 45.76, 4.84, 8),
    city!("Marseille", "FR", ["marsella", "marsiglia", "marseilles"], 43.30, 5.37, 7),
    city!("Brussels", "BE", ["bruxelles", "brussel", "brussel", "bruselas", "bruxelas"], 50.85, 4.35, 7),
    city!("Antwerp", "BE", ["antwerpen", "anvers", "amberes"], 51.22, 4.40, 4),
    city!("Amsterdam", "NL", [], 52.37, 4.90, 12),
    city!("Rotterdam", "NL", [], 51.92, 4.48, 5),
    city!("Madrid", "ES", [], 40.42, -3.70, 18),
    city!("Barcelona", "ES", ["barcelone"], 41.39, 2.17, 18),
    city!("Valencia", "ES", ["valence"], 39.47, -0.38, 6),
    city!("Seville", "ES", ["sevilla", "seville", "siviglia"], 37.39, -5.98, 5),
    city!("Lisbon", "PT", ["lisboa", "lisbonne", "lissabon", "lisbona"], 38.72, -9.14, 9),
    city!("Porto", "PT", ["oporto"], 41.15, -8.61, 5),
    city!("Rome", "IT", ["roma", "rom"], 41.90, 12.50, 15),
    city!("Milan", "IT", ["milano", "mailand", "milan"], 45.46, 9.19, 16),
    city!("Naples", "IT", ["napoli", "neapel", "napoles"], 40.85, 14.27, 6),
    city!("Florence", "IT", ["firenze", "florenz", "florencia"], 43.77, 11.26, 5),
    city!("Warsaw", "PL", ["warszawa", "warschau", "varsovie", "varsovia"], 52.23, 21.01, 12),
    city!("Krakow", "PL", ["krakow", "krakau", "cracovie", "cracovia"], 50.06, 19.94, 7),
    city!("Stockholm", "SE", ["estocolmo", "stoccolma"], 59.33, 18.07, 9),
    city!("Gothenburg", "SE", ["goteborg"], 57.71, 11.97, 3),
    city!("Oslo", "NO", [], 59.91, 10.75, 7),
    city!("Copenhagen", "DK", ["kobenhavn", "kopenhagen", "copenhague", "copenaghen"], 55.68, 12.57, 7),
    city!("Helsinki", "FI", ["helsingfors"], 60.17, 24.94, 6),
    city!("Prague", "CZ", ["praha", "prag", "praga"], 50.08, 14.44, 8),
    city!("Athens", "GR", ["athina", "athen", "athenes", "atenas", "atene"], 37.98, 23.73, 8),
    city!("Istanbul", "TR", ["constantinople"], 41.01, 28.98, 18),
    city!("Ankara", "TR", [], 39.93, 32.86, 5),
    city!("Sao Paulo", "BR", ["sao paulo", "sampa"], -23.55, -46.63, 30),
    city!("Rio de Janeiro", "BR", ["rio"], -22.91, -43.17, 22),
    city!("Belo Horizonte", "BR", ["bh"], -19.92, -43.94, 6),
    city!("Mexico City", "MX", ["ciudad de mexico", "cdmx", "mexico df"], 19.43, -99.13, 25),
    city!("Guadalajara", "MX", [], 20.66, -103.35, 8),
    city!("Buenos Aires", "AR", ["baires"], -34.60, -58.38, 15),
    city!("Bogota", "CO", ["bogota"], 4.71, -74.07, 10),
    city!("Medellin", "CO", ["medellin"], 6.24, -75.58, 6),
    city!("Santiago", "CL", ["santiago de chile"], -33.45, -70.67, 8),
    city!("Mumbai", "IN", ["bombay"], 19.08, 72.88, 25),
    city!("Delhi", "IN", ["new delhi", "neu delhi"], 28.61, 77.21, 25),
    city!("Bangalore", "IN", ["bengaluru"], 12.97, 77.59, 15),
    city!("Jakarta", "ID", [], -6.21, 106.85, 25),
    city!("Bali", "ID", [], -8.65, 115.22, 8),
    city!("Manila", "PH", [], 14.60, 120.98, 15),
    city!("Tokyo", "JP", ["tokio", "tokyo"], 35.68, 139.69, 25),
    city!("Osaka", "JP", [], 34.69, 135.50, 8),
    city!("Seoul", "KR", ["seul", "soul"], 37.57, 126.98, 20),
    city!("Dubai", "AE", [], 25.20, 55.27, 10),
    city!("Abu Dhabi", "AE", [], 24.45, 54.38, 4),
    city!("Riyadh", "SA", ["riad", "riyad"], 24.71, 46.68, 8),
    city!("Cape Town", "ZA", ["kapstadt", "ciudad del cabo", "le cap"], -33.92, 18.42, 7),
    city!("Johannesburg", "ZA", ["joburg", "jozi"], -26.20, 28.05, 6),
    city!("Lagos", "NG", [], 6.52, 3.38, 12),
    city!("Cairo", "EG", ["kairo", "le caire", "el cairo", "il cairo"], 30.04, 31.24, 10),
    city!("Singapore", "SG", ["singapur"], 1.35, 103.82, 6),
    city!("Bangkok", "TH", ["krung thep"], 13.76, 100.50, 14),
];

/// Looks a country up by ISO code.
pub fn country(code: &str) -> Option<&'static Country> {
    COUNTRIES.iter().find(|c| c.code == code)
}

/// Cities of one country.
pub fn cities_of(code: &str) -> impl Iterator<Item = &'static City> + '_ {
    CITIES.iter().filter(move |c| c.country == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_city_has_a_known_country() {
        for c in CITIES {
            assert!(country(c.country).is_some(), "{} has unknown country {}", c.name, c.country);
        }
    }

    #[test]
    fn every_country_has_a_city() {
        for c in COUNTRIES {
            assert!(cities_of(c.code).next().is_some(), "{} has no city", c.code);
        }
    }
}

//! The gazetteer: every place of 15,000 people or more with its first-level
//! region (US states, German Länder, Spanish autonomous communities,
//! Indonesian provinces such as Bali), from GeoNames (CC BY 4.0; see
//! `domain/data/GEONAMES-LICENSE.md`, derived by `scripts/derive-gazetteer.py`).
//!
//! It answers three questions: which region a creator lives in (from their
//! city, their own region text or their coordinates), which regions a phrase
//! of a query names ("Texas", "Bavaria", "Bayern", "SoCal"), and which places
//! make up a metro area ("greater London": the places within a radius).
//! Region ids read `<country>:<name>` ("US:Texas", "DE:Bavaria").

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::text::fold;

/// The GeoNames-derived table, compiled in: nothing is read at run time.
const TABLE: &str = include_str!("../../data/gazetteer.tsv");

/// A first-level region of a country.
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    /// `<country>:<name>`, e.g. `US:Texas`.
    pub id: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// The GeoNames name (English where GeoNames has one: "Bavaria").
    pub name: String,
    /// People in its places of the table (a size, not a census).
    pub population: u64,
}

/// A place of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    pub name: String,
    pub country: String,
    /// Index into [`Gazetteer::regions`].
    pub region: usize,
    pub lat: f64,
    pub lon: f64,
    pub population: u64,
}

/// Other names people use for a region: native spellings, nicknames and parts
/// of a region that stand for it ("SoCal" is in California). Folded; the
/// GeoNames names themselves need no entry.
const REGION_ALIASES: &[(&str, &str, &str)] = &[
    ("bayern", "DE", "Bavaria"),
    ("baviera", "DE", "Bavaria"),
    ("baviere", "DE", "Bavaria"),
    ("nordrhein westfalen", "DE", "North Rhine-Westphalia"),
    ("nrw", "DE", "North Rhine-Westphalia"),
    ("niedersachsen", "DE", "Lower Saxony"),
    ("sachsen", "DE", "Saxony"),
    ("sachsen anhalt", "DE", "Saxony-Anhalt"),
    ("hessen", "DE", "Hesse"),
    ("thuringen", "DE", "Thuringia"),
    ("baden wuerttemberg", "DE", "Baden-Wurttemberg"),
    ("catalunya", "ES", "Catalonia"),
    ("cataluna", "ES", "Catalonia"),
    ("catalogne", "ES", "Catalonia"),
    ("andalucia", "ES", "Andalusia"),
    ("andalousie", "ES", "Andalusia"),
    ("pais vasco", "ES", "Basque Country"),
    ("euskadi", "ES", "Basque Country"),
    ("islas baleares", "ES", "Balearic Islands"),
    ("mallorca", "ES", "Balearic Islands"),
    ("majorca", "ES", "Balearic Islands"),
    ("ibiza", "ES", "Balearic Islands"),
    ("islas canarias", "ES", "Canary Islands"),
    ("canarias", "ES", "Canary Islands"),
    ("tenerife", "ES", "Canary Islands"),
    ("lombardia", "IT", "Lombardy"),
    ("lombardie", "IT", "Lombardy"),
    ("toscana", "IT", "Tuscany"),
    ("toscane", "IT", "Tuscany"),
    ("sicilia", "IT", "Sicily"),
    ("sardegna", "IT", "Sardinia"),
    ("piemonte", "IT", "Piedmont"),
    ("puglia", "IT", "Apulia"),
    ("bretagne", "FR", "Brittany"),
    ("normandie", "FR", "Normandy"),
    ("cote d azur", "FR", "Provence-Alpes-Côte d'Azur"),
    ("provence", "FR", "Provence-Alpes-Côte d'Azur"),
    ("french riviera", "FR", "Provence-Alpes-Côte d'Azur"),
    ("corse", "FR", "Corsica"),
    ("socal", "US", "California"),
    ("southern california", "US", "California"),
    ("northern california", "US", "California"),
    ("norcal", "US", "California"),
    ("silicon valley", "US", "California"),
    ("south florida", "US", "Florida"),
    ("upstate new york", "US", "New York"),
    ("long island", "US", "New York"),
    ("the big island", "US", "Hawaii"),
    ("maui", "US", "Hawaii"),
    ("oahu", "US", "Hawaii"),
    ("lombok", "ID", "West Nusa Tenggara"),
    ("bc", "CA", "British Columbia"),
    ("quebec", "CA", "Quebec"),
    ("algarve", "PT", "Faro"),
    ("tirol", "AT", "Tyrol"),
    ("karnten", "AT", "Carinthia"),
    ("steiermark", "AT", "Styria"),
    ("wien", "AT", "Vienna"),
    ("zuerich", "CH", "Zurich"),
];

/// Region names that are also ordinary words or given names in the
/// languages people search in ("Central", "Nord", "Victoria", "Para"): they
/// name a region only with its country, never alone in a query.
const AMBIGUOUS_NAMES: &[&str] = &[
    "central",
    "centrale",
    "centre",
    "center",
    "east",
    "eastern",
    "est",
    "north",
    "northeast",
    "northern",
    "nord",
    "south",
    "southern",
    "sud",
    "west",
    "western",
    "ouest",
    "islands",
    "lakes",
    "bay",
    "delta",
    "coast",
    "plateau",
    "plateaux",
    "littoral",
    "litoral",
    "maritime",
    "oriental",
    "mon",
    "mary",
    "unity",
    "para",
    "sal",
    "van",
    "bar",
    "mara",
    "ogre",
    "tak",
    "nan",
    "lac",
    "sila",
    "kara",
    "mila",
    "mie",
    "sava",
    "gao",
    "ica",
    "oti",
    "zou",
    "mus",
    "lori",
    "bie",
    "saga",
    "mono",
    "colon",
    "concepcion",
    "sucre",
    "diana",
    "douglas",
    "kingston",
    "victoria",
    "clarendon",
    "savannah",
    "carolina",
    "capital",
    "nacional",
    "sahel",
    "volta",
    "diffa",
    "reunion",
    "georgia",
    "mexico",
    "panama",
    "luxembourg",
    "guatemala",
    "djibouti",
    "taiwan",
    "santa",
    "san",
    "cordillera",
    "orange",
    "national",
    "federal",
    "district",
    "distrito",
    "metropolitana",
    "region",
    "province",
    "state",
    "upper",
    "lower",
    "highland",
    "island",
    "margarita",
    "bolivar",
    "miranda",
    "trujillo",
    "junin",
    "loreto",
    "independencia",
    "libertad",
    "esperanza",
    "progreso",
    "union",
    "paz",
    "salud",
];

/// The gazetteer, read from the compiled-in table on first use.
pub fn gazetteer() -> &'static Gazetteer {
    static GAZETTEER: OnceLock<Gazetteer> = OnceLock::new();
    GAZETTEER.get_or_init(|| Gazetteer::parse(TABLE))
}

/// Regions, places and the lookups over them.
pub struct Gazetteer {
    regions: Vec<Region>,
    places: Vec<Place>,
    /// `(country, folded region name)` → region; the GeoNames names and the aliases.
    region_by_name: HashMap<(String, String), usize>,
    /// Folded region name → regions of that name anywhere (for queries).
    regions_named: HashMap<String, Vec<usize>>,
    /// `(country, folded place name)` → the most populous place of that name.
    place_by_name: HashMap<(String, String), usize>,
    /// Places by one-degree cell, for "nearest" and "within".
    cells: HashMap<(i32, i32), Vec<usize>>,
}

impl Gazetteer {
    fn parse(table: &str) -> Gazetteer {
        let mut g = Gazetteer {
            regions: Vec::new(),
            places: Vec::new(),
            region_by_name: HashMap::new(),
            regions_named: HashMap::new(),
            place_by_name: HashMap::new(),
            cells: HashMap::new(),
        };
        let mut region_ids: HashMap<String, usize> = HashMap::new();
        for line in table.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
            let cols: Vec<&str> = line.split('\t').collect();
            let [country, region, name, lat, lon, population] = cols[..] else { continue };
            let (Ok(lat), Ok(lon), Ok(population)) =
                (lat.parse::<f64>(), lon.parse::<f64>(), population.parse::<u64>())
            else {
                continue;
            };
            let id = format!("{country}:{region}");
            let r = *region_ids.entry(id.clone()).or_insert_with(|| {
                g.regions.push(Region { id, country: country.into(), name: region.into(), population: 0 });
                g.regions.len() - 1
            });
            g.regions[r].population += population;
            g.places.push(Place { name: name.into(), country: country.into(), region: r, lat, lon, population });
        }
        // The table lists each region's places most populous first, so the
        // first place of a name in a country is the biggest.
        let mut order: Vec<usize> = (0..g.places.len()).collect();
        order.sort_by(|a, b| g.places[*b].population.cmp(&g.places[*a].population));
        for i in order {
            let p = &g.places[i];
            g.place_by_name.entry((p.country.clone(), fold(&p.name))).or_insert(i);
            g.cells.entry(cell(p.lat, p.lon)).or_default().push(i);
        }
        for (r, region) in g.regions.iter().enumerate() {
            let folded = fold(&region.name);
            g.region_by_name.insert((region.country.clone(), folded.clone()), r);
            // "State of Berlin", "City state Bremen": also by the name people say.
            for prefix in ["state of ", "city state ", "city of ", "province of ", "region of "] {
                if let Some(short) = folded.strip_prefix(prefix) {
                    g.region_by_name.insert((region.country.clone(), short.to_string()), r);
                }
            }
            if searchable_name(&folded) {
                g.regions_named.entry(folded).or_default().push(r);
            }
        }
        for (alias, country, name) in REGION_ALIASES {
            if let Some(&r) = g.region_by_name.get(&(country.to_string(), fold(name))) {
                g.region_by_name.insert((country.to_string(), alias.to_string()), r);
                g.regions_named.entry(alias.to_string()).or_default().push(r);
            }
        }
        g
    }

    pub fn regions(&self) -> &[Region] {
        &self.regions
    }

    pub fn places(&self) -> &[Place] {
        &self.places
    }

    /// The region with this id (`US:Texas`).
    pub fn region(&self, id: &str) -> Option<&Region> {
        let (country, name) = id.split_once(':')?;
        self.region_by_name.get(&(country.to_string(), fold(name))).map(|&r| &self.regions[r]).filter(|r| r.id == id)
    }

    /// Every region a folded phrase of a query names (several when the name is
    /// shared: "Punjab" is in India and Pakistan). Names that are ordinary words
    /// are left out (see `AMBIGUOUS_NAMES`).
    pub fn regions_named(&self, folded: &str) -> impl Iterator<Item = &Region> {
        self.regions_named.get(folded).into_iter().flatten().map(|&r| &self.regions[r])
    }

    /// Every searchable region name and alias, folded (for a query lexicon).
    pub fn region_names(&self) -> impl Iterator<Item = (&str, &Region)> {
        self.regions_named.iter().flat_map(move |(name, rs)| rs.iter().map(move |&r| (name.as_str(), &self.regions[r])))
    }

    /// Regions for a search box as the user types: those whose name, alias or
    /// a word of either starts with `typed` (folded), optionally in one country;
    /// a whole-name match first, then by population. Empty for an empty `typed`.
    pub fn suggest_regions(&self, typed: &str, country: Option<&str>, limit: usize) -> Vec<&Region> {
        let typed = fold(typed.trim());
        if typed.is_empty() {
            return Vec::new();
        }
        let mut found: HashMap<usize, bool> = HashMap::new();
        for ((c, name), &r) in &self.region_by_name {
            if country.is_some_and(|want| want != c) {
                continue;
            }
            let whole = *name == typed;
            if whole || name.starts_with(&typed) || name.split(' ').any(|w| w.starts_with(&typed)) {
                *found.entry(r).or_default() |= whole;
            }
        }
        let mut out: Vec<(bool, &Region)> = found.into_iter().map(|(r, whole)| (whole, &self.regions[r])).collect();
        out.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.population.cmp(&a.1.population)).then(a.1.id.cmp(&b.1.id)));
        out.into_iter().take(limit).map(|(_, r)| r).collect()
    }

    /// The region of this name (or alias) in `country`, compared folded.
    pub fn region_in(&self, country: &str, name: &str) -> Option<&Region> {
        self.region_by_name.get(&(country.to_string(), fold(name.trim()))).map(|&r| &self.regions[r])
    }

    /// The most populous place of this name in `country` (name compared folded).
    pub fn place(&self, country: &str, name: &str) -> Option<&Place> {
        self.place_by_name.get(&(country.to_string(), fold(name))).map(|&i| &self.places[i])
    }

    /// The place nearest to a point within `max_km`, in `country` if given.
    pub fn nearest(&self, country: Option<&str>, lat: f64, lon: f64, max_km: f64) -> Option<&Place> {
        self.within(lat, lon, max_km)
            .filter(|p| country.is_none_or(|c| p.country == c))
            .min_by(|a, b| distance_km(lat, lon, a.lat, a.lon).total_cmp(&distance_km(lat, lon, b.lat, b.lon)))
    }

    /// Places within `km` of a point (a metro area around a city).
    pub fn within(&self, lat: f64, lon: f64, km: f64) -> impl Iterator<Item = &Place> {
        // One degree of latitude is ~111 km; longitude shrinks with latitude.
        let dlat = (km / 111.0).ceil() as i32;
        let dlon = (km / (111.0 * lat.to_radians().cos().abs().max(0.05))).ceil().min(180.0) as i32;
        let (clat, clon) = cell(lat, lon);
        (clat - dlat..=clat + dlat)
            .flat_map(move |a| (clon - dlon..=clon + dlon).map(move |b| (a, b)))
            .filter_map(|c| self.cells.get(&c))
            .flatten()
            .map(|&i| &self.places[i])
            .filter(move |p| distance_km(lat, lon, p.lat, p.lon) <= km)
    }

    /// The region a creator lives in: from the region they state (matched
    /// within their country), else their city, else the place nearest their
    /// coordinates (within 50 km).
    pub fn region_of(
        &self,
        country: Option<&str>,
        region: Option<&str>,
        city: Option<&str>,
        location: Option<(f64, f64)>,
    ) -> Option<&Region> {
        if let (Some(country), Some(region)) = (country, region)
            && let Some(&r) = self.region_by_name.get(&(country.to_string(), fold(region.trim())))
        {
            return Some(&self.regions[r]);
        }
        if let (Some(country), Some(city)) = (country, city)
            && let Some(place) = self.place(country, &canonical_city(city))
        {
            return Some(&self.regions[place.region]);
        }
        let (lat, lon) = location?;
        self.nearest(country, lat, lon, 50.0).map(|p| &self.regions[p.region])
    }
}

/// A city name as the curated list spells it ("München" → "Munich"), else as written.
pub fn canonical_city(city: &str) -> String {
    static NAMES: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    let names = NAMES.get_or_init(|| {
        let mut names = HashMap::new();
        for c in super::CITIES {
            names.insert(fold(c.name), c.name);
            for a in c.aliases {
                names.entry(a.to_string()).or_insert(c.name);
            }
        }
        names
    });
    let city = city.trim();
    names.get(&fold(city)).map_or_else(|| city.to_string(), |c| c.to_string())
}

/// Whether a folded region name may stand alone in a query.
fn searchable_name(folded: &str) -> bool {
    folded.chars().count() >= 4
        && !AMBIGUOUS_NAMES.contains(&folded)
        && !folded.split_whitespace().all(|w| AMBIGUOUS_NAMES.contains(&w))
}

fn cell(lat: f64, lon: f64) -> (i32, i32) {
    (lat.floor() as i32, lon.floor() as i32)
}

/// Great-circle distance (haversine, Earth radius 6,371 km).
pub fn distance_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6371.0 * a.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_the_regions_people_name() {
        let g = gazetteer();
        assert!(g.regions().len() > 2000 && g.places().len() > 25_000, "{} regions", g.regions().len());
        for (phrase, id) in [
            ("texas", "US:Texas"),
            ("bali", "ID:Bali"),
            ("bavaria", "DE:Bavaria"),
            ("bayern", "DE:Bavaria"),
            ("catalunya", "ES:Catalonia"),
            ("socal", "US:California"),
            ("ontario", "CA:Ontario"),
        ] {
            assert!(g.regions_named(phrase).any(|r| r.id == id), "{phrase} → {id}");
        }
        let punjab: Vec<&str> = g.regions_named("punjab").map(|r| r.country.as_str()).collect();
        assert!(punjab.contains(&"IN") && punjab.contains(&"PK"), "a shared name names both: {punjab:?}");
        assert_eq!(g.regions_named("centre").count(), 0, "an ordinary word is never a region alone");
        assert_eq!(g.region("US:Texas").map(|r| r.name.as_str()), Some("Texas"));
        assert!(g.region("US:Bavaria").is_none());
    }

    #[test]
    fn suggestions_complete_what_is_typed_biggest_first() {
        let g = gazetteer();
        let ids = |typed, country, limit| -> Vec<String> {
            g.suggest_regions(typed, country, limit).into_iter().map(|r| r.id.clone()).collect()
        };
        let tex = ids("Tex", None, 5);
        assert_eq!(tex.first().map(String::as_str), Some("US:Texas"), "{tex:?}");
        assert!(ids("bayern", None, 5).contains(&"DE:Bavaria".to_string()), "an alias finds its region");
        assert!(ids("calif", None, 5).contains(&"US:California".to_string()));
        // A word inside the name counts ("Baja California"), and one country narrows.
        let mx = ids("califor", Some("MX"), 10);
        assert!(!mx.is_empty() && mx.iter().all(|id| id.starts_with("MX:")), "{mx:?}");
        assert_eq!(ids("punjab", None, 1).len(), 1, "the limit holds");
        let punjab = ids("punjab", None, 5);
        assert!(punjab.contains(&"IN:Punjab".to_string()) && punjab.contains(&"PK:Punjab".to_string()), "{punjab:?}");
        assert!(ids("  ", None, 5).is_empty() && ids("qqqzz", None, 5).is_empty());
        let new: Vec<&Region> = g.suggest_regions("new", Some("US"), 20);
        assert!(new.len() >= 4, "New York, New Jersey, New Mexico, New Hampshire: {new:?}");
        assert!(new.windows(2).all(|w| w[0].population >= w[1].population), "no whole match: biggest first");
    }

    #[test]
    fn a_creator_gets_a_region_from_what_they_state() {
        let g = gazetteer();
        let id = |c, r, city, loc| g.region_of(c, r, city, loc).map(|r| r.id.clone());
        assert_eq!(id(Some("US"), None, Some("Austin"), None).as_deref(), Some("US:Texas"));
        assert_eq!(id(Some("DE"), None, Some("München"), None).as_deref(), Some("DE:Bavaria"), "native spelling");
        assert_eq!(id(Some("ES"), Some("Cataluña"), None, None).as_deref(), Some("ES:Catalonia"));
        assert_eq!(id(Some("ID"), None, None, Some((-8.65, 115.22))).as_deref(), Some("ID:Bali"), "Denpasar");
        assert_eq!(id(Some("US"), None, Some("Nowhere Special"), None), None);
        assert_eq!(id(None, None, None, Some((0.0, -30.0))), None, "mid-Atlantic");
    }

    #[test]
    fn a_metro_area_is_the_places_around_its_city() {
        let g = gazetteer();
        let sf = g.place("US", "San Francisco").expect("in the table");
        let bay: Vec<&str> = g.within(sf.lat, sf.lon, 60.0).map(|p| p.name.as_str()).collect();
        assert!(bay.contains(&"Oakland") && bay.contains(&"Berkeley"), "{bay:?}");
        assert!(!bay.contains(&"Los Angeles"));
        let d = distance_km(52.52, 13.405, 48.137, 11.575);
        assert!((d - 504.0).abs() < 5.0, "Berlin–Munich {d}");
    }
}

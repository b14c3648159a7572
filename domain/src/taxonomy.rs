//! Scout's niche taxonomy: canonical niches with the words people use for them,
//! in English and the other supported languages.
//!
//! Sources give niches in free text ("Beauty & Makeup", "plant-based food");
//! [`normalise_categories`] maps them onto these ids and the originals are kept.

use crate::text::{fold, words};

/// One niche of the taxonomy.
#[derive(Debug, Clone, Copy)]
pub struct Niche {
    /// Stable id, used in filters and facets.
    pub id: &'static str,
    /// Human label.
    pub label: &'static str,
    /// Words and phrases that name the niche (folded, any supported language).
    pub terms: &'static [&'static str],
    /// Niches that are close (a search for one finds the other useful).
    pub related: &'static [&'static str],
}

macro_rules! niche {
    ($id:literal, $label:literal, [$($t:literal),* $(,)?], [$($r:literal),* $(,)?]) => {
        Niche { id: $id, label: $label, terms: &[$($t),*], related: &[$($r),*] }
    };
}

#[rustfmt::skip]
pub const NICHES: &[Niche] = &[
    niche!("fitness", "Fitness", ["fitness", "workout", "workouts", "gym", "bodybuilding", "strength training", "crossfit", "hiit", "personal trainer", "calisthenics", "fitnessstudio", "musculation", "entrenamiento", "allenamento", "treino", "trening", "krafttraining"], ["health", "yoga", "running"]),
    niche!("yoga", "Yoga & Pilates", ["yoga", "pilates", "yogi", "asana", "vinyasa", "meditation", "mindful movement"], ["fitness", "wellness", "mental-health"]),
    niche!("running", "Running", ["running", "runner", "marathon", "trail running", "jogging", "ultrarunning", "laufen", "course a pied", "correr", "corsa"], ["fitness", "outdoors", "cycling"]),
    niche!("cycling", "Cycling", ["cycling", "cyclist", "bike", "bicycle", "mtb", "mountain biking", "road cycling", "radfahren", "fahrrad", "velo", "ciclismo"], ["outdoors", "running", "fitness"]),
    niche!("vegan", "Vegan & Plant-based", ["vegan", "plant based", "plantbased", "veganism", "vegetarian", "veggie", "vegano", "vegana", "vegane", "veganer", "vegetalien", "vegetarisch", "pflanzlich"], ["food", "cooking", "health", "sustainability"]),
    niche!("food", "Food", ["food", "foodie", "recipes", "recipe", "eats", "restaurant", "restaurants", "street food", "gastronomy", "essen", "cuisine", "comida", "cibo", "comida caseira"], ["cooking", "baking", "vegan", "travel"]),
    niche!("cooking", "Cooking", ["cooking", "cook", "chef", "home cooking", "kitchen", "meal prep", "kochen", "rezepte", "cocina", "recettes", "ricette", "culinary"], ["food", "baking", "vegan"]),
    niche!("baking", "Baking & Pastry", ["baking", "baker", "pastry", "cakes", "bread", "sourdough", "patisserie", "backen", "reposteria", "dolci"], ["cooking", "food"]),
    niche!("coffee", "Coffee", ["coffee", "barista", "espresso", "latte art", "specialty coffee", "kaffee", "cafe"], ["food"]),
    niche!("wine", "Wine & Drinks", ["wine", "sommelier", "cocktails", "mixology", "craft beer", "wein", "vino", "vin"], ["food", "travel"]),
    niche!("beauty", "Beauty", ["beauty", "beauty tips", "cosmetics", "glam", "beaute", "belleza", "bellezza", "schoenheit", "kosmetik"], ["makeup", "skincare", "fashion", "hair"]),
    niche!("skincare", "Skincare", ["skincare", "skin care", "skin", "dermatology", "acne", "serum", "hautpflege", "soin de la peau", "cuidado de la piel", "clean beauty"], ["beauty", "makeup", "wellness"]),
    niche!("makeup", "Makeup", ["makeup", "make up", "mua", "makeup artist", "maquillage", "maquillaje", "trucco", "schminken"], ["beauty", "skincare", "fashion"]),
    niche!("hair", "Hair", ["hair", "hairstyle", "hairstylist", "haircare", "barber", "curly hair", "haare", "frisuren", "cabello"], ["beauty", "fashion"]),
    niche!("fashion", "Fashion", ["fashion", "style", "outfit", "ootd", "outfits", "streetstyle", "mode", "moda", "fashionista", "stylist", "lookbook"], ["beauty", "luxury", "streetwear", "lifestyle"]),
    niche!("streetwear", "Streetwear & Sneakers", ["streetwear", "sneakers", "sneakerhead", "hypebeast", "kicks", "urban fashion"], ["fashion", "skateboarding"]),
    niche!("luxury", "Luxury", ["luxury", "luxe", "high end", "designer", "haute couture", "watches", "luxus", "lujo", "lusso"], ["fashion", "travel", "cars"]),
    niche!("travel", "Travel", ["travel", "traveler", "traveller", "wanderlust", "backpacking", "digital nomad", "adventure travel", "reisen", "voyage", "viajes", "viaggi", "viagem", "tourism"], ["outdoors", "photography", "food", "luxury"]),
    niche!("outdoors", "Outdoors & Hiking", ["outdoors", "hiking", "camping", "mountains", "climbing", "nature", "wandern", "bergsteigen", "randonnee", "senderismo", "escursionismo", "vanlife"], ["travel", "running", "cycling", "sustainability"]),
    niche!("photography", "Photography", ["photography", "photographer", "photo", "camera", "landscape photography", "portrait", "fotografie", "fotografia", "photographie"], ["travel", "art"]),
    niche!("art", "Art & Illustration", ["art", "artist", "illustration", "illustrator", "painting", "drawing", "digital art", "kunst", "arte", "dessin"], ["photography", "diy", "design"]),
    niche!("design", "Design & Architecture", ["design", "graphic design", "architecture", "interior design", "typography", "architektur", "arquitectura"], ["art", "home"]),
    niche!("home", "Home & Interior", ["home decor", "interior", "interiors", "home", "decor", "homedecor", "cozy home", "einrichtung", "wohnen", "decoracion", "deco"], ["design", "diy", "gardening"]),
    niche!("diy", "DIY & Crafts", ["diy", "crafts", "crafting", "handmade", "knitting", "sewing", "woodworking", "basteln", "manualidades", "bricolage", "upcycling"], ["home", "art"]),
    niche!("gardening", "Gardening & Plants", ["gardening", "garden", "houseplants", "urban jungle", "garten", "jardin", "giardinaggio", "plant parent"], ["home", "sustainability"]),
    niche!("parenting", "Parenting & Family", ["parenting", "mom", "mum", "dad", "motherhood", "fatherhood", "family", "kids", "baby", "mama", "papa", "familie", "maman", "familia", "mamma"], ["education", "home", "lifestyle"]),
    niche!("pets", "Pets & Animals", ["pets", "pet", "dog", "dogs", "cat", "cats", "puppy", "animals", "hund", "katze", "perro", "gato", "chien", "chat", "cane"], ["lifestyle"]),
    niche!("gaming", "Gaming", ["gaming", "gamer", "video games", "videogames", "games", "let's play", "playstation", "xbox", "nintendo", "pc gaming", "streamer", "zocken", "jeux video", "videojuegos"], ["esports", "tech"]),
    niche!("esports", "Esports", ["esports", "e-sports", "competitive gaming", "pro player", "league of legends", "valorant", "counter strike", "fortnite"], ["gaming"]),
    niche!("tech", "Tech & Gadgets", ["tech", "technology", "gadgets", "smartphones", "unboxing", "software", "coding", "programming", "developer", "ai", "technik", "tecnologia", "technologie"], ["gaming", "science", "business"]),
    niche!("science", "Science", ["science", "physics", "biology", "chemistry", "space", "astronomy", "research", "wissenschaft", "ciencia", "scienza"], ["education", "tech"]),
    niche!("education", "Education", ["education", "teacher", "learning", "study", "studying", "tutorial", "languages", "bildung", "educacion", "lernen", "studytok"], ["science", "parenting", "books"]),
    niche!("books", "Books & Reading", ["books", "book", "reading", "bookstagram", "booktok", "literature", "novels", "bucher", "libros", "libri", "livres"], ["education"]),
    niche!("finance", "Personal Finance", ["finance", "personal finance", "investing", "stocks", "money", "budgeting", "crypto", "bitcoin", "trading", "finanzen", "finanzas", "finanza", "geld"], ["business", "tech"]),
    niche!("business", "Business & Entrepreneurship", ["business", "entrepreneur", "entrepreneurship", "startup", "startups", "marketing", "leadership", "career", "unternehmer", "emprendedor", "side hustle"], ["finance", "tech"]),
    niche!("music", "Music", ["music", "musician", "singer", "songwriter", "rapper", "producer", "dj", "guitar", "piano", "musik", "musica", "musique", "hip hop"], ["dance", "entertainment"]),
    niche!("dance", "Dance", ["dance", "dancer", "dancing", "choreography", "ballet", "hip hop dance", "tanz", "baile", "danza"], ["music", "entertainment", "fitness"]),
    niche!("comedy", "Comedy & Entertainment", ["comedy", "comedian", "funny", "humor", "humour", "sketches", "memes", "pranks", "entertainment", "comedia", "witzig", "lustig"], ["entertainment", "lifestyle"]),
    niche!("entertainment", "Film & TV", ["movies", "film", "cinema", "tv shows", "series", "netflix", "anime", "film reviews", "kino", "pelis"], ["comedy", "music"]),
    niche!("sports", "Sports", ["sports", "sport", "football", "soccer", "basketball", "tennis", "athlete", "fussball", "futbol", "calcio", "nba"], ["fitness", "running"]),
    niche!("cars", "Cars & Motorsport", ["cars", "car", "automotive", "motorsport", "supercars", "racing", "motorcycles", "autos", "coches", "voitures", "formula 1"], ["luxury", "tech"]),
    niche!("health", "Health & Nutrition", ["health", "nutrition", "nutritionist", "dietitian", "healthy eating", "healthy", "wellbeing", "gesundheit", "ernahrung", "salud", "nutricion", "sante"], ["fitness", "wellness", "vegan"]),
    niche!("wellness", "Wellness & Self-care", ["wellness", "self care", "selfcare", "mindfulness", "holistic", "spirituality", "wohlbefinden", "bienestar", "benessere"], ["health", "yoga", "mental-health"]),
    niche!("mental-health", "Mental Health", ["mental health", "anxiety", "therapy", "therapist", "psychology", "depression awareness", "psychische gesundheit", "salud mental"], ["wellness", "health"]),
    niche!("sustainability", "Sustainability", ["sustainability", "sustainable", "zero waste", "eco", "eco friendly", "climate", "slow fashion", "nachhaltigkeit", "nachhaltig", "sostenibilidad", "ecologie"], ["vegan", "outdoors", "gardening"]),
    niche!("lifestyle", "Lifestyle", ["lifestyle", "vlog", "vlogger", "daily life", "day in my life", "blogger", "alltag"], ["fashion", "travel", "parenting"]),
    niche!("wedding", "Weddings", ["wedding", "weddings", "bride", "bridal", "wedding planner", "hochzeit", "boda", "mariage", "matrimonio"], ["fashion", "photography"]),
    niche!("skateboarding", "Skateboarding & Board sports", ["skateboarding", "skate", "skater", "surfing", "surf", "snowboarding", "snowboard"], ["streetwear", "outdoors", "sports"]),
];

/// Looks a niche up by id.
pub fn niche(id: &str) -> Option<&'static Niche> {
    NICHES.iter().find(|n| n.id == id)
}

/// Graded relation between two niches: 2 same, 1 related, 0 unrelated.
pub fn relation(a: &str, b: &str) -> u8 {
    if a == b {
        return 2;
    }
    let related = |x: &str, y: &str| niche(x).is_some_and(|n| n.related.contains(&y));
    if related(a, b) || related(b, a) { 1 } else { 0 }
}

/// Maps free-text categories (as a source gives them) to niche ids, most
/// specific first, without duplicates. Unknown categories map to nothing.
pub fn normalise_categories<S: AsRef<str>>(categories: &[S]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for c in categories {
        for id in niches_in(c.as_ref()) {
            if !out.contains(&id) {
                out.push(id);
            }
        }
    }
    out
}

/// Niche ids named anywhere in a text (word and phrase matches, plural-tolerant).
pub fn niches_in(text: &str) -> Vec<&'static str> {
    let tokens: Vec<String> = words(&fold(text)).map(singular).collect();
    let mut out = Vec::new();
    for (id, terms) in term_tokens() {
        if out.contains(id) {
            continue;
        }
        if terms.iter().any(|t| !t.is_empty() && tokens.windows(t.len()).any(|w| w == t.as_slice())) {
            out.push(*id);
        }
    }
    out
}

/// A niche id with each of its terms as folded, singularised words.
type NicheTerms = (&'static str, Vec<Vec<String>>);

/// Every niche's terms, folded, split and singularised once.
fn term_tokens() -> &'static [NicheTerms] {
    static TERMS: std::sync::OnceLock<Vec<NicheTerms>> = std::sync::OnceLock::new();
    TERMS.get_or_init(|| {
        NICHES
            .iter()
            .map(|n| (n.id, n.terms.iter().map(|t| words(&fold(t)).map(singular).collect()).collect()))
            .collect()
    })
}

/// A light English plural folding, enough to make "workouts" meet "workout".
pub fn singular(word: &str) -> String {
    let w = word;
    if w.len() > 4 && w.ends_with("ies") {
        format!("{}y", &w[..w.len() - 3])
    } else if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") {
        w[..w.len() - 1].to_string()
    } else {
        w.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_categories_map_to_niches() {
        assert_eq!(normalise_categories(&["Beauty & Makeup"]), vec!["beauty", "makeup"]);
        assert_eq!(normalise_categories(&["Plant-based food"]), vec!["vegan", "food"]);
        assert!(normalise_categories(&["Workouts"]).contains(&"fitness"));
        assert!(normalise_categories(&["Veganer Alltag"]).contains(&"vegan"));
        assert!(normalise_categories(&["quantum knitting unicorns"]).contains(&"diy"));
        assert!(normalise_categories(&["zzz"]).is_empty());
    }

    #[test]
    fn every_related_niche_exists() {
        for n in NICHES {
            for r in n.related {
                assert!(niche(r).is_some(), "{} relates to unknown {r}", n.id);
            }
        }
    }

    #[test]
    fn relation_grades() {
        assert_eq!(relation("vegan", "vegan"), 2);
        assert_eq!(relation("vegan", "food"), 1);
        assert_eq!(relation("food", "vegan"), 1);
        assert_eq!(relation("vegan", "gaming"), 0);
    }
}

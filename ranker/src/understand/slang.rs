//! Platform words and creator slang: words that carry a platform, a niche or
//! both ("bookstagram" is books on Instagram, "fittok" fitness on TikTok,
//! "YouTubers" a platform, "home cooks" cooking and not home décor). One
//! maintained table, matched like every other lexicon phrase (folded,
//! singular, longest first), so "home cooks" wins over "home".
//!
//! Only words whose meaning is clear get a platform: "streamers" and
//! "vloggers" post on several platforms, so they stay words for the text
//! and semantic retrieval to weigh (and "streamer" boosts gaming through the
//! taxonomy). A niche is a ranking boost, never a filter.

use scout_domain::Platform;

/// One slang phrase: what platform it names (a filter) and what niche (a boost).
#[derive(Debug)]
pub(super) struct Slang {
    pub phrase: &'static str,
    pub platform: Option<Platform>,
    pub niche: Option<&'static str>,
}

const fn s(phrase: &'static str, platform: Option<Platform>, niche: Option<&'static str>) -> Slang {
    Slang { phrase, platform, niche }
}

use Platform::{Instagram as IG, Tiktok as TT, Twitch, X, Youtube as YT};

pub(super) const SLANG: &[Slang] = &[
    // Platform nicknames and the people who post there.
    s("insta", Some(IG), None),
    s("ig", Some(IG), None),
    s("instagrammer", Some(IG), None),
    s("instagrammers", Some(IG), None),
    s("igers", Some(IG), None),
    s("tik tok", Some(TT), None),
    s("tiktoker", Some(TT), None),
    s("tiktokers", Some(TT), None),
    s("tiktokerin", Some(TT), None),
    s("youtuber", Some(YT), None),
    s("youtubers", Some(YT), None),
    s("you tube", Some(YT), None),
    s("yt", Some(YT), None),
    s("youtube channel", Some(YT), None),
    s("twitter", Some(X), None),
    s("tweeter", Some(X), None),
    s("twitch streamer", Some(Twitch), Some("gaming")),
    s("twitch streamers", Some(Twitch), Some("gaming")),
    // Communities named after a niche and a platform.
    s("bookstagram", Some(IG), Some("books")),
    s("bookstagrammer", Some(IG), Some("books")),
    s("bookstagrammers", Some(IG), Some("books")),
    s("booktok", Some(TT), Some("books")),
    s("booktoker", Some(TT), Some("books")),
    s("booktokers", Some(TT), Some("books")),
    s("booktube", Some(YT), Some("books")),
    s("booktuber", Some(YT), Some("books")),
    s("booktubers", Some(YT), Some("books")),
    s("fittok", Some(TT), Some("fitness")),
    s("gymtok", Some(TT), Some("fitness")),
    s("fitstagram", Some(IG), Some("fitness")),
    s("foodtok", Some(TT), Some("food")),
    s("foodstagram", Some(IG), Some("food")),
    s("beautytok", Some(TT), Some("beauty")),
    s("beautytuber", Some(YT), Some("beauty")),
    s("beautytubers", Some(YT), Some("beauty")),
    s("skintok", Some(TT), Some("skincare")),
    s("fashiontok", Some(TT), Some("fashion")),
    s("cleantok", Some(TT), Some("home")),
    s("momtok", Some(TT), Some("parenting")),
    s("studytok", Some(TT), Some("education")),
    s("studygram", Some(IG), Some("education")),
    s("planttok", Some(TT), Some("gardening")),
    s("fintok", Some(TT), Some("finance")),
    s("moneytok", Some(TT), Some("finance")),
    s("dogtok", Some(TT), Some("pets")),
    s("pettok", Some(TT), Some("pets")),
    s("petstagram", Some(IG), Some("pets")),
    s("gamertok", Some(TT), Some("gaming")),
    s("cartok", Some(TT), Some("cars")),
    s("techtok", Some(TT), Some("tech")),
    s("arttok", Some(TT), Some("art")),
    s("witchtok", Some(TT), Some("wellness")),
    // Niche slang without a platform.
    s("home cook", None, Some("cooking")),
    s("home cooks", None, Some("cooking")),
    s("home chef", None, Some("cooking")),
    s("home chefs", None, Some("cooking")),
    s("home cooking", None, Some("cooking")),
    s("home baker", None, Some("baking")),
    s("home bakers", None, Some("baking")),
    s("home gym", None, Some("fitness")),
    s("gym rat", None, Some("fitness")),
    s("gym rats", None, Some("fitness")),
    s("gym bro", None, Some("fitness")),
    s("gymfluencer", None, Some("fitness")),
    s("fitfluencer", None, Some("fitness")),
    s("fitfam", None, Some("fitness")),
    s("bookworm", None, Some("books")),
    s("bookworms", None, Some("books")),
    s("bookish", None, Some("books")),
    s("skinfluencer", None, Some("skincare")),
    s("skinfluencers", None, Some("skincare")),
    s("finfluencer", None, Some("finance")),
    s("finfluencers", None, Some("finance")),
    s("momfluencer", None, Some("parenting")),
    s("momfluencers", None, Some("parenting")),
    s("mommy blogger", None, Some("parenting")),
    s("mommy bloggers", None, Some("parenting")),
    s("dad blogger", None, Some("parenting")),
    s("petfluencer", None, Some("pets")),
    s("petfluencers", None, Some("pets")),
    s("dog mom", None, Some("pets")),
    s("dog moms", None, Some("pets")),
    s("cat dad", None, Some("pets")),
    s("plant mom", None, Some("gardening")),
    s("plant moms", None, Some("gardening")),
    s("plant parent", None, Some("gardening")),
    s("greenfluencer", None, Some("sustainability")),
    s("greenfluencers", None, Some("sustainability")),
    s("techie", None, Some("tech")),
    s("techies", None, Some("tech")),
    s("tech reviewer", None, Some("tech")),
    s("petrolhead", None, Some("cars")),
    s("petrolheads", None, Some("cars")),
    s("gearhead", None, Some("cars")),
    s("foodie", None, Some("food")),
    s("foodies", None, Some("food")),
    s("globetrotter", None, Some("travel")),
    s("globetrotters", None, Some("travel")),
    s("weekend warrior", None, Some("outdoors")),
    s("yogi", None, Some("yoga")),
    s("yogis", None, Some("yoga")),
    s("mua", None, Some("makeup")),
    s("muas", None, Some("makeup")),
    s("sneakerhead", None, Some("streetwear")),
    s("sneakerheads", None, Some("streetwear")),
];

#[cfg(test)]
mod tests {
    use super::*;
    use scout_domain::text::fold;

    #[test]
    fn every_entry_is_folded_and_names_a_real_niche() {
        for e in SLANG {
            assert_eq!(e.phrase, fold(e.phrase), "folded: {}", e.phrase);
            assert!(e.platform.is_some() || e.niche.is_some(), "{} means something", e.phrase);
            if let Some(n) = e.niche {
                assert!(scout_domain::taxonomy::niche(n).is_some(), "{}: unknown niche {n}", e.phrase);
            }
        }
    }
}

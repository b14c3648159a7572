// The URL is the search's state: every search the page can hold must come back the same
// from its URL, and every URL must settle on one spelling.
import { describe, expect, it } from "vitest";
import { appliedFilters, fromQuery, PAGE_SIZE, toQuery, toRequest, withoutRecognised, withoutSpan, withoutUnderstood, type SearchState } from "./search-state";

const roundTrip = (s: SearchState) => fromQuery(new URLSearchParams(toQuery(s)));

describe("search state ⇄ URL", () => {
  const states: SearchState[] = [
    { q: "", filters: {}, sort: "relevance", page: 1 },
    { q: "vegan fitness creators in Berlin", filters: {}, sort: "relevance", page: 1 },
    {
      q: "skincare",
      filters: {
        platforms: ["instagram", "tiktok"],
        countries: ["DE", "AT"],
        cities: ["Berlin"],
        languages: ["de"],
        niches: ["skincare", "beauty"],
        tiers: ["micro"],
        followers_min: 50_000,
        followers_max: 1_000_000,
        engagement_min: 0.035,
        verified: true,
        audience: [
          { dimension: "gender", value: "female", min_share: 0.6 },
          { dimension: "age", value: "18-24", min_share: 0.25 },
        ],
        price: { currency: "EUR", min: 10_000, max: 50_000 },
        audience_quality_min: 0.8,
      },
      sort: "engagement_desc",
      page: 3,
    },
    // A currency without minor units, and one with two.
    { q: "", filters: { price: { currency: "JPY", max: 30_000 } }, sort: "followers_asc", page: 1 },
    { q: "", filters: { price: { currency: "ZAR", min: 1_500 } }, sort: "growth_desc", page: 2 },
    { q: "unicode: café · 東京 & more", filters: { verified: false }, sort: "followers_desc", page: 1 },
  ];

  for (const s of states) {
    it(`keeps ${JSON.stringify(s).slice(0, 60)}…`, () => {
      expect(roundTrip(s)).toEqual(s);
    });
  }

  it("spells the default search as an empty query string", () => {
    expect(toQuery({ q: "  ", filters: {}, sort: "relevance", page: 1 })).toBe("");
  });

  it("settles any URL on one spelling (parse, print, parse again gives the same)", () => {
    const urls = [
      "q=travel&country=ES,,PT&fmin=10000&sort=nonsense&page=0",
      "aud=gender:female:60,age:18-24:250,planet:mars:10&er=3.5",
      "pmax=500&cur=eur&aq=80",
      "pmin=abc&fmax=-5&verified=maybe",
    ];
    for (const url of urls) {
      const once = fromQuery(new URLSearchParams(url));
      expect(fromQuery(new URLSearchParams(toQuery(once)))).toEqual(once);
    }
  });

  it("drops what it cannot mean and keeps the rest", () => {
    const s = fromQuery(new URLSearchParams("aud=gender:female:60,age:18-24:250,planet:mars:10&sort=nonsense&pmax=500&cur=eur"));
    expect(s.filters.audience).toEqual([{ dimension: "gender", value: "female", min_share: 0.6 }]);
    expect(s.sort).toBe("relevance");
    // Prices travel in major units and the API takes minor units.
    expect(s.filters.price).toEqual({ currency: "EUR", min: undefined, max: 50_000 });
  });
});

describe("request", () => {
  it("pages by PAGE_SIZE and sends no empty text", () => {
    const r = toRequest({ q: "   ", filters: { countries: [] }, sort: "relevance", page: 3 });
    expect(r).toEqual({ query: undefined, filters: {}, sort: "relevance", limit: PAGE_SIZE, offset: 2 * PAGE_SIZE });
  });
});

describe("removing a recognised span", () => {
  it("cuts the server's byte range, introducing word included, in any language", () => {
    const q = "Vegane Köche in München über 50k Follower";
    // As the server reports them: "München" at bytes 17..25 cut from "in" (14),
    // "50k" at 32..35 cut from "über" (26); "ö" and "ü" are two bytes each.
    const city = { span: "munchen", kind: "city", value: "München", start: 17, end: 25, cut_start: 14 } as const;
    const floor = { span: "50k", kind: "followers_min", value: "50000", start: 32, end: 35, cut_start: 26 } as const;
    expect(withoutRecognised(q, q, city)).toBe("Vegane Köche über 50k Follower");
    expect(withoutRecognised(q, q, floor)).toBe("Vegane Köche in München Follower");
    // Edited since: found in the text instead.
    expect(withoutRecognised("vegan in Berlin", q, { ...city, span: "Berlin" })).toBe("vegan");
  });

  it("takes the preposition with a place", () => {
    expect(withoutSpan("vegan fitness creators in Berlin", "Berlin")).toBe("vegan fitness creators");
  });
});

describe("understood filters and the panel", () => {
  const parsed = {
    original: "fitness micro creators on Twitch under 100k followers",
    text: "fitness",
    niches: ["fitness"],
    filters: { platforms: ["twitch" as const], tiers: ["micro" as const], followers_max: 100000 },
    recognised: [
      { span: "micro", kind: "tier" as const, value: "micro", start: 8, end: 13, cut_start: 8 },
      { span: "twitch", kind: "platform" as const, value: "twitch", start: 26, end: 32, cut_start: 23 },
      { span: "100k", kind: "followers_max" as const, value: "100000", start: 39, end: 53, cut_start: 33 },
    ],
  };

  it("shows what the words set as applied, joined with the hand-set filters", () => {
    const applied = appliedFilters({ platforms: ["youtube"], followers_max: 50000 }, parsed.filters);
    expect(applied.platforms).toEqual(["youtube", "twitch"]);
    expect(applied.tiers).toEqual(["micro"]);
    expect(applied.followers_max).toBe(50000);
  });

  it("takes the words of a dropped filter out of the query, and only those", () => {
    expect(withoutUnderstood(parsed.original, parsed, [{ key: "platforms", value: "twitch" }])).toBe("fitness micro creators under 100k followers");
    expect(withoutUnderstood(parsed.original, parsed, [{ key: "followers_max" }])).toBe("fitness micro creators on Twitch");
    expect(withoutUnderstood(parsed.original, parsed, [{ key: "tiers", value: "micro" }, { key: "platforms", value: "twitch" }])).toBe("fitness creators under 100k followers");
    expect(withoutUnderstood(parsed.original, parsed, [{ key: "countries", value: "DE" }])).toBe(parsed.original);
  });
});

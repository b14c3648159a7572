// A search as the page holds it and as its URL spells it, so that a search can be
// bookmarked and shared: /search?q=vegan+fitness&country=DE&fmin=50000&aud=gender:female:60
import type { AudienceConstraint, ParsedQuery, Recognised, RecognisedKind, SearchFilters, SearchRequest, Sort } from "../api";
import { minorUnitExponent, priceCurrency } from "../ui/format";

const SORTS: Sort[] = ["relevance", "followers_desc", "followers_asc", "engagement_desc", "growth_desc"];

/** A sort named in the URL; an unknown one is the default. */
export function sortOf(raw: string | null): Sort {
  return SORTS.find((s) => s === raw) ?? "relevance";
}

export const PAGE_SIZE = 20;

export interface SearchState {
  q: string;
  filters: SearchFilters;
  sort: Sort;
  page: number;
}

const LISTS: [keyof SearchFilters, string][] = [
  ["platforms", "platform"],
  ["countries", "country"],
  ["cities", "city"],
  ["regions", "region"],
  ["languages", "language"],
  ["niches", "niche"],
  ["tiers", "tier"],
];

function positive(s: string | null): number | undefined {
  if (s == null || s.trim() === "") return undefined;
  const n = Number(s);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

export function fromQuery(p: URLSearchParams): SearchState {
  const filters: SearchFilters = {};
  for (const [key, param] of LISTS) {
    const v = (p.get(param) ?? "").split(",").map((x) => x.trim()).filter(Boolean);
    if (v.length) (filters[key] as string[]) = v;
  }
  filters.followers_min = positive(p.get("fmin"));
  filters.followers_max = positive(p.get("fmax"));
  const er = positive(p.get("er"));
  if (er !== undefined) filters.engagement_min = er / 100;
  const verified = p.get("verified");
  if (verified === "true" || verified === "false") filters.verified = verified === "true";
  const audience: AudienceConstraint[] = [];
  for (const part of (p.get("aud") ?? "").split(",").filter(Boolean)) {
    const [dimension, value, share] = part.split(":");
    const pct = positive(share ?? "");
    if ((dimension === "country" || dimension === "gender" || dimension === "age") && value && pct && pct <= 100) {
      audience.push(audienceConstraint(dimension, value, pct / 100));
    }
  }
  if (audience.length) filters.audience = audience;
  // Prices travel in major units (pmax=500&cur=EUR) and the API takes minor units.
  const currency = (p.get("cur") ?? "USD").toUpperCase();
  const scale = 10 ** minorUnitExponent(currency);
  const pmin = positive(p.get("pmin"));
  const pmax = positive(p.get("pmax"));
  const known = priceCurrency(currency);
  if (known && (pmin != null || pmax != null)) {
    filters.price = { currency: known, min: pmin != null ? Math.round(pmin * scale) : undefined, max: pmax != null ? Math.round(pmax * scale) : undefined };
  }
  const aq = positive(p.get("aq"));
  if (aq != null && aq <= 100) filters.audience_quality_min = aq / 100;
  const page = Math.max(1, Math.floor(positive(p.get("page")) ?? 1));
  return { q: p.get("q") ?? "", filters: clean(filters), sort: sortOf(p.get("sort")), page };
}

export function toQuery(s: SearchState): string {
  const p = new URLSearchParams();
  if (s.q.trim()) p.set("q", s.q);
  for (const [key, param] of LISTS) {
    const v = s.filters[key] as string[] | undefined;
    if (v?.length) p.set(param, v.join(","));
  }
  if (s.filters.followers_min != null) p.set("fmin", String(s.filters.followers_min));
  if (s.filters.followers_max != null) p.set("fmax", String(s.filters.followers_max));
  if (s.filters.engagement_min != null) p.set("er", String(+(s.filters.engagement_min * 100).toFixed(2)));
  if (s.filters.verified != null) p.set("verified", String(s.filters.verified));
  if (s.filters.audience?.length) {
    p.set("aud", s.filters.audience.map((a) => `${a.dimension}:${a.value}:${Math.round(a.min_share * 100)}`).join(","));
  }
  const price = s.filters.price;
  if (price && (price.min != null || price.max != null)) {
    const scale = 10 ** minorUnitExponent(price.currency);
    if (price.min != null) p.set("pmin", String(price.min / scale));
    if (price.max != null) p.set("pmax", String(price.max / scale));
    if (price.currency !== "USD") p.set("cur", price.currency);
  }
  if (s.filters.audience_quality_min != null) p.set("aq", String(Math.round(s.filters.audience_quality_min * 100)));
  if (s.sort && s.sort !== "relevance") p.set("sort", s.sort);
  if (s.page > 1) p.set("page", String(s.page));
  const out = p.toString();
  return out ? `?${out}` : "";
}

/** The API request of a search state. */
export function toRequest(s: SearchState): SearchRequest {
  return {
    query: s.q.trim() || undefined,
    filters: clean(s.filters),
    sort: s.sort,
    limit: PAGE_SIZE,
    offset: (s.page - 1) * PAGE_SIZE,
  };
}

/** Drops empty lists and unset bounds, so that equal searches compare and serialise equal. */
export function clean(f: SearchFilters): SearchFilters {
  const out: SearchFilters = {};
  for (const [k, v] of Object.entries(f) as [keyof SearchFilters, unknown][]) {
    if (v == null || (Array.isArray(v) && v.length === 0)) continue;
    (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

/**
 * Removes what made a filter from the query: the recognised words and the word that
 * introduced them ("in München", "über 50k"), by the byte range the server gives in the
 * query it read (`original`), in any language. A query edited since falls back to
 * finding the words in the text.
 */
export function withoutRecognised(q: string, original: string, r: Recognised): string {
  if (q !== original) return withoutSpan(q, r.span);
  const bytes = new TextEncoder().encode(q);
  const decoder = new TextDecoder();
  const rest = decoder.decode(bytes.slice(0, r.cut_start)) + " " + decoder.decode(bytes.slice(r.end));
  return rest.replace(/\s{2,}/g, " ").trim();
}

/** The filter each kind of understood words sets (niches are boosts, not filters). */
const KIND_FILTER: Partial<Record<RecognisedKind, keyof SearchFilters>> = {
  city: "cities",
  country: "countries",
  country_group: "countries",
  region: "regions",
  language: "languages",
  platform: "platforms",
  tier: "tiers",
  verified: "verified",
  followers_min: "followers_min",
  followers_max: "followers_max",
  engagement_min: "engagement_min",
  price_min: "price",
  price_max: "price",
  audience_gender: "audience",
  audience_country: "audience",
};

/** One understood filter to take out of the query: a whole filter, or one value of a list. */
export interface Drop {
  key: keyof SearchFilters;
  value?: string;
}

/**
 * The query without the words that set the dropped filters, so that the words and the
 * filter panel never disagree: a box unticked, or a number changed, in the panel takes
 * out the words that had set it. Cuts by the byte ranges of the understanding when the
 * text is still the one it read, else by the recognised words.
 */
export function withoutUnderstood(q: string, parsed: ParsedQuery, drops: Drop[]): string {
  const hit = (r: Recognised) =>
    drops.some((d) => KIND_FILTER[r.kind] === d.key && (d.value === undefined || r.value.split(",").includes(d.value)));
  const cut = parsed.recognised.filter(hit).sort((a, b) => b.start - a.start);
  if (!cut.length) return q;
  if (q !== parsed.original) return cut.reduce((text, r) => withoutSpan(text, r.span), q);
  let bytes = new TextEncoder().encode(q);
  const decoder = new TextDecoder();
  for (const r of cut) {
    bytes = new TextEncoder().encode(decoder.decode(bytes.slice(0, r.cut_start)) + " " + decoder.decode(bytes.slice(r.end)));
  }
  return decoder.decode(bytes).replace(/\s{2,}/g, " ").trim();
}

/**
 * What the search applies: the filters set by hand with those understood from the words,
 * combined as the server combines them (lists joined, the stricter bound of each pair).
 */
export function appliedFilters(hand: SearchFilters, understood: SearchFilters | undefined): SearchFilters {
  if (!understood) return hand;
  const out: SearchFilters = { ...hand };
  for (const [key] of LISTS) {
    const a = (hand[key] as string[] | undefined) ?? [];
    const b = (understood[key] as string[] | undefined) ?? [];
    if (b.length) (out as Record<string, unknown>)[key] = [...a, ...b.filter((v) => !a.includes(v))];
  }
  const aud = understood.audience ?? [];
  if (aud.length) out.audience = [...(hand.audience ?? []), ...aud.filter((x) => !(hand.audience ?? []).some((y) => y.dimension === x.dimension && y.value === x.value))];
  const max = (a?: number | null, b?: number | null) => (a == null ? b : b == null ? a : Math.max(a, b));
  const min = (a?: number | null, b?: number | null) => (a == null ? b : b == null ? a : Math.min(a, b));
  out.followers_min = max(hand.followers_min, understood.followers_min);
  out.followers_max = min(hand.followers_max, understood.followers_max);
  out.engagement_min = max(hand.engagement_min, understood.engagement_min);
  out.verified = hand.verified ?? understood.verified;
  out.price = hand.price ?? understood.price;
  return out;
}

/** Removes a recognised span from the query text ("vegan fitness in Berlin" without "Berlin"). */
export function withoutSpan(q: string, span: string): string {
  const escaped = span.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  // The preposition that introduced a place or bound goes with it.
  const re = new RegExp(`(\\b(in|from|based in|near|over|above|under|below|with|at least|more than|less than)\\s+)?${escaped}`, "i");
  return q.replace(re, "").replace(/\s{2,}/g, " ").trim();
}

/**
 * One audience constraint. The document types each dimension's values (a
 * country code, a gender word, an age band); a value typed or taken from a
 * link is checked by the server, which answers 400 for one it does not know.
 */
export function audienceConstraint(dimension: AudienceConstraint["dimension"], value: string, minShare: number): AudienceConstraint {
  return { dimension, value, min_share: minShare } as AudienceConstraint;
}

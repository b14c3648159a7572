import { useEffect, useState } from "preact/hooks";
import { api, type AudienceConstraint, type FacetCount, type PriceRange, type RegionOut, type SearchFilters } from "../api";
import { AGE_BANDS, country, language, minorUnitExponent, platformName, PLATFORMS, PRICE_CURRENCIES, priceCurrency, QUALITY_FLOORS, TIERS, title } from "../ui/format";
import { appliedFilters, audienceConstraint, type Drop } from "./search-state";

type ListKey = "platforms" | "countries" | "cities" | "languages" | "niches" | "tiers";

/**
 * The filter panel: every filter the search API takes, with the facet counts of the
 * current results beside the values. Numbers apply when the field loses focus or on
 * Enter, so that typing "50000" does not search for 5, 50, 500 and 5000 on the way.
 */
export function FilterPanel({
  hand,
  understood,
  facets,
  onChange,
}: {
  hand: SearchFilters;
  understood?: SearchFilters;
  facets: Record<string, FacetCount[]>;
  onChange: (f: SearchFilters, drops: Drop[]) => void;
}) {
  // One source of truth: the panel shows what the search applies, hand-set and understood
  // from the words alike; changing an understood filter here takes its words out of the query.
  const filters = appliedFilters(hand, understood);
  const set = (patch: Partial<SearchFilters>) => {
    const next: SearchFilters = { ...hand };
    const drops: Drop[] = [];
    for (const [k, v] of Object.entries(patch) as [keyof SearchFilters, unknown][]) {
      const said = understood?.[k];
      if (Array.isArray(said) && Array.isArray(v)) {
        // A list: values of the words that are no longer chosen go with their words;
        // the others stay with the words (not copied into the hand-set filters).
        const key = (x: unknown) => (typeof x === "object" && x ? JSON.stringify([(x as AudienceConstraint).dimension, (x as AudienceConstraint).value]) : String(x));
        const chosen = new Set(v.map(key));
        const spoken = new Set(said.map(key));
        for (const x of said) if (!chosen.has(key(x))) drops.push(k === "audience" ? { key: k, value: (x as AudienceConstraint).value } : { key: k, value: String(x) });
        (next as Record<string, unknown>)[k] = v.filter((x) => !spoken.has(key(x)));
      } else {
        if (said != null) drops.push({ key: k });
        (next as Record<string, unknown>)[k] = v;
      }
    }
    onChange(next, drops);
  };
  const toggle = (key: ListKey, value: string, on: boolean) => {
    const now = new Set(filters[key] ?? []);
    if (on) now.add(value);
    else now.delete(value);
    set({ [key]: [...now] });
  };
  const counts = (facet: string) => new Map((facets[facet] ?? []).map((f) => [f.value, f.count]));

  return (
    <div class="filter-panel">
      <Checks legend="Platform" values={PLATFORMS.map((p) => [p, platformName(p)])} chosen={filters.platforms} counts={counts("platform")} onToggle={(v, on) => toggle("platforms", v, on)} limit={5} />
      <Checks legend="Size" values={TIERS} chosen={filters.tiers} counts={counts("tier")} onToggle={(v, on) => toggle("tiers", v, on)} />
      <FacetChecks legend="Country" facet={facets.country} chosen={filters.countries} label={country} onToggle={(v, on) => toggle("countries", v, on)} />
      <RegionPicker chosen={filters.regions ?? []} onChange={(regions) => set({ regions })} />
      <TextList legend="City" placeholder="e.g. Berlin, Lisbon" values={filters.cities} onChange={(cities) => set({ cities })} />
      <FacetChecks legend="Language" facet={facets.language} chosen={filters.languages} label={language} onToggle={(v, on) => toggle("languages", v, on)} />
      <FacetChecks legend="Niche" facet={facets.niche} chosen={filters.niches} label={title} onToggle={(v, on) => toggle("niches", v, on)} />
      <fieldset>
        <legend>Followers</legend>
        <div class="pair">
          <NumberField label="At least" value={filters.followers_min} onChange={(followers_min) => set({ followers_min })} />
          <NumberField label="At most" value={filters.followers_max} onChange={(followers_max) => set({ followers_max })} />
        </div>
      </fieldset>
      <fieldset>
        <legend>Engagement</legend>
        <NumberField label="At least (%)" value={filters.engagement_min != null ? +(filters.engagement_min * 100).toFixed(2) : undefined} onChange={(v) => set({ engagement_min: v == null ? undefined : v / 100 })} />
      </fieldset>
      <PriceFilter price={filters.price} onChange={(price) => set({ price })} />
      <fieldset>
        <legend>Audience quality</legend>
        <label>
          Real, active followers
          <select
            value={filters.audience_quality_min != null ? String(filters.audience_quality_min) : ""}
            onChange={(e) => set({ audience_quality_min: e.currentTarget.value ? Number(e.currentTarget.value) : undefined })}
          >
            <option value="">Any</option>
            {QUALITY_FLOORS.map(([v, label]) => (
              <option key={v} value={String(v)}>
                {label}
              </option>
            ))}
            {filters.audience_quality_min != null && !QUALITY_FLOORS.some(([v]) => v === filters.audience_quality_min) && (
              <option value={String(filters.audience_quality_min)}>{Math.round(filters.audience_quality_min * 100)}%+</option>
            )}
          </select>
        </label>
      </fieldset>
      <fieldset>
        <legend>Verified</legend>
        <label class="check">
          <input type="checkbox" checked={filters.verified === true} onChange={(e) => set({ verified: e.currentTarget.checked ? true : undefined })} />
          Verified accounts only
        </label>
      </fieldset>
      <AudienceFilters audience={filters.audience ?? []} onChange={(audience) => set({ audience })} />
    </div>
  );
}

function Checks({ legend, values, chosen = [], counts, onToggle, limit }: { legend: string; values: [string, string][]; chosen?: string[]; counts: Map<string, number>; onToggle: (v: string, on: boolean) => void; limit?: number }) {
  const [all, setAll] = useState(false);
  // A short list shows the values with most results (or already chosen) first; a
  // full list (sizes) keeps its natural order.
  const ordered = limit
    ? [...values].sort((a, b) => Number(chosen.includes(b[0])) - Number(chosen.includes(a[0])) || (counts.get(b[0]) ?? -1) - (counts.get(a[0]) ?? -1))
    : values;
  const shown = limit && !all ? ordered.slice(0, limit) : ordered;
  return (
    <fieldset>
      <legend>{legend}</legend>
      {shown.map(([v, label]) => (
        <label class="check" key={v}>
          <input type="checkbox" checked={chosen.includes(v)} onChange={(e) => onToggle(v, e.currentTarget.checked)} />
          {label}
          {(counts.get(v) ?? 0) > 0 && <span class="count">{counts.get(v)!.toLocaleString("en")}</span>}
        </label>
      ))}
      {limit && values.length > limit && (
        <button class="link small" onClick={() => setAll(!all)} aria-expanded={all}>
          {all ? "Fewer" : `All ${values.length}`}
        </button>
      )}
    </fieldset>
  );
}

function FacetChecks({ legend, facet = [], chosen = [], label, onToggle }: { legend: string; facet?: FacetCount[]; chosen?: string[]; label: (v: string) => string; onToggle: (v: string, on: boolean) => void }) {
  // Values no result has are not offered (unless chosen, so they can be unticked).
  facet = facet.filter((f) => f.count > 0 || chosen.includes(f.value));
  const values: [string, string][] = facet.map((f) => [f.value, label(f.value)]);
  for (const c of chosen) if (!facet.some((f) => f.value === c)) values.unshift([c, label(c)]);
  const counts = new Map(facet.map((f) => [f.value, f.count]));
  // The box keeps the room of a full list (six values and "All N") whatever the results hold,
  // so nothing below it moves when they arrive (layout shift).
  return (
    <div class="facet-box">
      {values.length ? (
        <Checks legend={legend} values={values} chosen={chosen} counts={counts} onToggle={onToggle} limit={6} />
      ) : (
        <fieldset>
          <legend>{legend}</legend>
          <p class="muted small">{facet.length || chosen.length ? "" : "None in these results."}</p>
        </fieldset>
      )}
    </div>
  );
}

function NumberField({ label, value, onChange }: { label: string; value: number | undefined | null; onChange: (v: number | undefined) => void }) {
  const [draft, setDraft] = useState(value == null ? "" : String(value));
  useEffect(() => setDraft(value == null ? "" : String(value)), [value]);
  const commit = () => {
    const t = draft.trim().toLowerCase().replace(/,/g, "");
    // "50k" and "1.5m" as people write them.
    const m = /^(\d+(?:\.\d+)?)\s*([km])?$/.exec(t);
    const n = t === "" || !m ? undefined : Number(m[1]) * (m[2] === "k" ? 1e3 : m[2] === "m" ? 1e6 : 1);
    if (n !== value) onChange(n);
  };
  return (
    <label class="number">
      {label}
      <input
        inputMode="decimal"
        value={draft}
        onInput={(e) => setDraft(e.currentTarget.value)}
        onBlur={commit}
        onKeyDown={(e) => e.key === "Enter" && commit()}
      />
    </label>
  );
}

/** The headline rate (per post, else reel, video or story) between two amounts, in major units on screen. */
function PriceFilter({ price, onChange }: { price: PriceRange | undefined | null; onChange: (p: PriceRange | undefined) => void }) {
  const currency = price?.currency ?? "USD";
  const scale = 10 ** minorUnitExponent(currency);
  const major = (minor: number | undefined | null) => (minor == null ? undefined : minor / scale);
  const change = (patch: Partial<PriceRange>, cur = currency) => {
    const next = { currency: cur, min: price?.min, max: price?.max, ...patch };
    onChange(next.min == null && next.max == null ? undefined : next);
  };
  const minor = (v: number | undefined) => (v == null ? undefined : Math.round(v * scale));
  return (
    <fieldset>
      <legend>Price per post</legend>
      <label>
        Currency
        <select
          value={currency}
          onChange={(e) => {
            // The amounts keep their meaning in major units when the currency changes.
            const cur = priceCurrency(e.currentTarget.value) ?? "USD";
            const to = 10 ** minorUnitExponent(cur);
            change({ min: price?.min != null ? Math.round((price.min / scale) * to) : undefined, max: price?.max != null ? Math.round((price.max / scale) * to) : undefined }, cur);
          }}
        >
          {PRICE_CURRENCIES.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </label>
      <div class="pair">
        <NumberField label="From" value={major(price?.min)} onChange={(v) => change({ min: minor(v) })} />
        <NumberField label="Up to" value={major(price?.max)} onChange={(v) => change({ max: minor(v) })} />
      </div>
    </fieldset>
  );
}

function TextList({ legend, placeholder, values = [], onChange }: { legend: string; placeholder: string; values?: string[]; onChange: (v: string[]) => void }) {
  const [draft, setDraft] = useState(values.join(", "));
  useEffect(() => setDraft(values.join(", ")), [values.join(",")]);
  const commit = () => {
    const next = draft.split(",").map((x) => x.trim()).filter(Boolean);
    if (next.join(",") !== values.join(",")) onChange(next);
  };
  return (
    <fieldset>
      <legend>{legend}</legend>
      <label class="visually-hidden" for={`text-${legend}`}>
        {legend}
      </label>
      <input id={`text-${legend}`} value={draft} placeholder={placeholder} onInput={(e) => setDraft(e.currentTarget.value)} onBlur={commit} onKeyDown={(e) => e.key === "Enter" && commit()} />
    </fieldset>
  );
}

/** "Texas (United States)" from a region id such as "US:Texas". */
export function regionLabel(id: string): string {
  const at = id.indexOf(":");
  return at < 0 ? id : `${id.slice(at + 1)} (${country(id.slice(0, at))})`;
}

/**
 * States, provinces and other first-level regions: the server suggests regions as the
 * user types (GET /v1/search/regions); picking one adds its id to the filter. Typed words
 * that match no region are kept in the box, never sent as a filter.
 */
function RegionPicker({ chosen, onChange }: { chosen: string[]; onChange: (ids: string[]) => void }) {
  const [typed, setTyped] = useState("");
  const [options, setOptions] = useState<RegionOut[]>([]);
  useEffect(() => {
    const q = typed.trim();
    if (q.length < 2) {
      setOptions([]);
      return;
    }
    const abort = new AbortController();
    const timer = setTimeout(() => {
      api<{ regions: RegionOut[] }>("GET", `/v1/search/regions?q=${encodeURIComponent(q)}&limit=8`, undefined, { signal: abort.signal })
        .then((r) => setOptions(r.regions))
        .catch(() => setOptions([]));
    }, 120);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [typed]);
  const pick = (id: string) => {
    if (!chosen.includes(id)) onChange([...chosen, id]);
    setTyped("");
    setOptions([]);
  };
  // Enter or a datalist choice: the option whose label or name was typed, else the first one.
  const commit = () => {
    const t = typed.trim().toLowerCase();
    const match = options.find((o) => regionLabel(o.id).toLowerCase() === t || o.name.toLowerCase() === t) ?? options[0];
    if (match) pick(match.id);
  };
  return (
    <fieldset class="regions">
      <legend>State or region</legend>
      {chosen.length > 0 && (
        <ul class="picked">
          {chosen.map((id) => (
            <li key={id}>
              {regionLabel(id)}
              <button type="button" class="link" aria-label={`Remove ${regionLabel(id)}`} onClick={() => onChange(chosen.filter((x) => x !== id))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <label class="visually-hidden" for="region-input">
        State or region
      </label>
      <input
        id="region-input"
        list="region-options"
        value={typed}
        placeholder="e.g. Texas, Bavaria"
        autocomplete="off"
        onInput={(e) => {
          const value = e.currentTarget.value;
          const exact = options.find((o) => regionLabel(o.id) === value);
          if (exact) pick(exact.id);
          else setTyped(value);
        }}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            commit();
          }
        }}
      />
      <datalist id="region-options">
        {options.map((o) => (
          <option key={o.id} value={regionLabel(o.id)} />
        ))}
      </datalist>
    </fieldset>
  );
}

const GENDERS = ["female", "male"];

/** "At least N % of the audience is in country X / of gender Y / aged Z". */
function AudienceFilters({ audience, onChange }: { audience: AudienceConstraint[]; onChange: (a: AudienceConstraint[]) => void }) {
  const [dimension, setDimension] = useState<AudienceConstraint["dimension"]>("country");
  const [value, setValue] = useState("");
  const [share, setShare] = useState("30");
  const add = () => {
    const pct = Number(share);
    const v = dimension === "country" ? value.trim().toUpperCase() : value;
    if (!v || !(pct > 0 && pct <= 100)) return;
    onChange([...audience.filter((a) => !(a.dimension === dimension && a.value === v)), audienceConstraint(dimension, v, pct / 100)]);
    setValue("");
  };
  return (
    <fieldset class="audience">
      <legend>Audience</legend>
      <label>
        Where or who
        <select value={dimension} onChange={(e) => { setDimension(e.currentTarget.value as AudienceConstraint["dimension"]); setValue(""); }}>
          <option value="country">Country</option>
          <option value="gender">Gender</option>
          <option value="age">Age</option>
        </select>
      </label>
      {dimension === "country" ? (
        <label>
          Country code
          <input value={value} maxLength={2} placeholder="e.g. DE" onInput={(e) => setValue(e.currentTarget.value)} />
        </label>
      ) : (
        <label>
          {dimension === "gender" ? "Gender" : "Age band"}
          <select value={value} onChange={(e) => setValue(e.currentTarget.value)}>
            <option value="">Choose…</option>
            {(dimension === "gender" ? GENDERS : AGE_BANDS).map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        At least (% of audience)
        <input inputMode="numeric" value={share} onInput={(e) => setShare(e.currentTarget.value)} />
      </label>
      <button type="button" onClick={add} disabled={!value}>
        Add audience filter
      </button>
    </fieldset>
  );
}

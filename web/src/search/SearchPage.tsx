import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, ApiError, type FacetCount, type SearchFilters, type SearchResponse, type Sort, type User } from "../api";
import { navigate } from "../app/router";
import { fromQuery, PAGE_SIZE, sortOf, toQuery, toRequest, withoutRecognised, withoutUnderstood, type Drop, type SearchState } from "./search-state";
import { count, country, language, money, percent, platformName, title } from "../ui/format";
import { Alert } from "../ui/Alert";
import { FilterPanel } from "./FilterPanel";
import { ResultCard } from "./ResultCard";

const SORTS: [Sort, string][] = [
  ["relevance", "Best match"],
  ["followers_desc", "Most followers"],
  ["followers_asc", "Fewest followers"],
  ["engagement_desc", "Highest engagement"],
  ["growth_desc", "Fastest growing"],
];

const EXAMPLES = ["vegan fitness creators in Berlin over 50k followers", "German-speaking skincare micro-influencers", "budget travel with kids"];

export function SearchPage({ query }: { query: URLSearchParams; user: User }) {
  const state = useMemo(() => fromQuery(query), [query.toString()]);
  const [text, setText] = useState(state.q);
  const [data, setData] = useState<SearchResponse | null>(null);
  // The search (as its URL query) whose answer is on screen.
  const [shown, setShown] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [filtersOpen, setFiltersOpen] = useState(false);
  // At most one search in flight: a change while one runs waits for it, then the newest
  // state is searched (the ones in between are skipped). The server never works on more
  // than one search for this page, however fast anyone types.
  const latest = useRef(state);
  latest.current = state;
  const running = useRef<string | null>(null);
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );

  const run = (s: SearchState) => {
    const key = toQuery(s);
    running.current = key;
    setLoading(true);
    api<SearchResponse>("POST", "/v1/search", toRequest(s))
      .then((r) => {
        if (!mounted.current) return;
        setData(r);
        setShown(key);
        setError(null);
      })
      .catch((e) => mounted.current && setError(e instanceof ApiError ? e.message : String(e)))
      .finally(() => {
        running.current = null;
        if (!mounted.current) return;
        if (toQuery(latest.current) !== key) run(latest.current);
        else setLoading(false);
      });
  };

  // Back online after a failed search: run the newest one again.
  useEffect(() => {
    const again = () => error && running.current === null && run(latest.current);
    window.addEventListener("online", again);
    return () => window.removeEventListener("online", again);
  }, [error]);

  // The URL is the search: a change of it (typing, a filter, back/forward) runs it.
  useEffect(() => {
    if (state.q !== text && document.activeElement?.id !== "q") setText(state.q);
    if (running.current === null) run(state);
  }, [toQuery(state)]);

  const go = (next: Partial<SearchState>, replace = false) => {
    const merged: SearchState = { ...state, page: 1, ...next };
    navigate("/search" + toQuery(merged), replace);
  };

  // No typing pause: a key searches at once when no search is in flight, and
  // otherwise the newest text is searched as soon as the running one returns. So the
  // results follow the last key by one search, or at worst the rest of the one before
  // it, and fast typing costs fewer searches than keys (web/e2e/typing.mjs measures it).
  const onType = (value: string) => {
    setText(value);
    // The search starts at once, not a render later when the new URL reaches the effect.
    const next: SearchState = { ...latest.current, q: value, page: 1 };
    latest.current = next;
    if (running.current === null) run(next);
    // Typing rewrites the current history entry; a search worth going back to is
    // one that was submitted.
    go({ q: value }, true);
  };

  const setFilters = (filters: SearchFilters) => go({ filters });
  // The panel changed the filters, and maybe some that the words had set: those words go.
  const setFromPanel = (filters: SearchFilters, drops: Drop[]) => {
    const p = data?.parsed_query;
    if (!drops.length || !p) return go({ filters });
    const q = withoutUnderstood(state.q, p, drops);
    setText(q);
    go({ q, filters });
  };
  const parsed = data?.parsed_query;
  const pages = data ? Math.max(1, Math.ceil(Math.min(data.total, 1000) / PAGE_SIZE)) : 1;

  return (
    <section class="page search">
      <h1 class="visually-hidden" tabIndex={-1}>
        Search creators
      </h1>
      <form
        role="search"
        class="searchbar"
        onSubmit={(e) => {
          e.preventDefault();
          go({ q: text });
        }}
      >
        <label for="q" class="visually-hidden">
          Describe the creators you are looking for
        </label>
        <input
          id="q"
          type="search"
          value={text}
          placeholder="e.g. vegan fitness creators in Berlin over 50k followers"
          autoComplete="off"
          maxLength={500}
          onInput={(e) => onType(e.currentTarget.value)}
        />
        <button type="submit" class="primary">
          Search
        </button>
      </form>
      {/* For keyboards: past the filter panel straight to the results. */}
      <a
        class="skip-link"
        href="#results-list"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById("results-list")?.focus();
        }}
      >
        Skip to results
      </a>

      <Chips state={state} parsed={parsed} onQuery={(q) => { setText(q); go({ q }); }} onFilters={setFilters} />

      <div class="search-layout">
        <aside class={filtersOpen ? "filters open" : "filters"} aria-label="Filters">
          <button class="filters-toggle" aria-expanded={filtersOpen} aria-controls="filter-panel" onClick={() => setFiltersOpen(!filtersOpen)}>
            Filters {activeCount(state.filters) ? `(${activeCount(state.filters)})` : ""}
          </button>
          <div id="filter-panel">
            <FilterPanel hand={state.filters} understood={parsed && parsed.original === state.q.trim() ? parsed.filters : undefined} facets={data?.facets ?? {}} onChange={setFromPanel} />
          </div>
        </aside>

        {/* data-query: the text the results on screen answer; data-search: the whole search
            (the URL query) they answer. Tests wait for these to match what was asked. */}
        <div class="results" aria-busy={loading} data-query={data?.parsed_query.original ?? ""} data-search={shown ?? ""}>
          <div class="results-head">
            <p role="status" class="summary">
              {error ? "" : data ? summaryLine(data, state) : "Searching…"}
            </p>
            <label class="sort">
              Sort by{" "}
              <select value={state.sort} onChange={(e) => go({ sort: sortOf(e.currentTarget.value) })}>
                {SORTS.map(([v, l]) => (
                  <option key={v} value={v}>
                    {l}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {error && (
            <Alert>
              {error}{" "}
              <button type="button" onClick={() => run(latest.current)}>
                Retry
              </button>
            </Alert>
          )}
          {data && data.results.length === 0 && !error && (
            <div class="empty card" data-testid="no-match">
              <h2>{state.q.trim() ? `No creators match “${state.q.trim()}”` : "No creators match all of that"}</h2>
              {data.suggestions.map((s) => (
                <p key={s.query} class="did-you-mean">
                  Did you mean{" "}
                  <button class="link" onClick={() => { setText(s.query); go({ q: s.query }); }}>
                    {s.query}
                  </button>
                  ? ({s.total.toLocaleString("en")} {s.total === 1 ? "creator" : "creators"})
                </p>
              ))}
              <p>Try fewer filters, or describe them in other words. For example:</p>
              <ul>
                {EXAMPLES.map((x) => (
                  <li key={x}>
                    <button class="link" onClick={() => { setText(x); go({ q: x, filters: {} }); }}>
                      {x}
                    </button>
                  </li>
                ))}
              </ul>
            </div>
          )}
          <ol id="results-list" tabIndex={-1} aria-label={error ? "Results of an earlier search" : "Results"} class={loading || error ? "cards stale" : "cards"} start={(state.page - 1) * PAGE_SIZE + 1}>
            {data?.results.map((r) => (
              <li key={r.profile.id}>
                <ResultCard result={r} query={state.q} />
              </li>
            ))}
          </ol>
          {data && data.total > PAGE_SIZE && (
            <nav class="pager" aria-label="Pages">
              <button disabled={state.page <= 1} onClick={() => { go({ page: state.page - 1 }); window.scrollTo(0, 0); }}>
                ← Previous
              </button>
              <span>
                Page {state.page} of {pages}
              </span>
              <button disabled={state.page >= pages} onClick={() => { go({ page: state.page + 1 }); window.scrollTo(0, 0); }}>
                Next →
              </button>
            </nav>
          )}
        </div>
      </div>
    </section>
  );
}

function summaryLine(data: SearchResponse, state: SearchState): string {
  const n = data.total;
  const what = n === 1 ? "creator" : "creators";
  const from = (state.page - 1) * PAGE_SIZE + 1;
  const shown = data.results.length ? ` · showing ${from}–${from + data.results.length - 1}` : "";
  return `${n.toLocaleString("en")} ${what}${shown} · ${data.took_ms.toFixed(0)} ms`;
}

function activeCount(f: SearchFilters): number {
  return Object.values(f).filter((v) => v != null && (!Array.isArray(v) || v.length > 0)).length;
}

/** What the query was understood as, and the filters set by hand, each removable. */
function Chips({
  state,
  parsed,
  onQuery,
  onFilters,
}: {
  state: SearchState;
  parsed: SearchResponse["parsed_query"] | undefined;
  onQuery: (q: string) => void;
  onFilters: (f: SearchFilters) => void;
}) {
  const chips: { key: string; label: string; kind: string; remove: () => void }[] = [];
  // Only what was understood from the words on screen (a stale parse is not shown).
  if (parsed && parsed.original === (state.q.trim() || parsed.original)) {
    for (const r of parsed.recognised) {
      chips.push({ key: `q-${r.kind}-${r.span}`, label: r.kind === "country_group" ? title(r.span) : chipLabel(r.kind, r.value, parsed.filters), kind: r.kind, remove: () => onQuery(withoutRecognised(state.q, parsed.original, r)) });
    }
  }
  const f = state.filters;
  const without = (patch: Partial<SearchFilters>) => onFilters({ ...f, ...patch });
  const list = (key: "platforms" | "countries" | "cities" | "regions" | "languages" | "niches" | "tiers", kind: string) =>
    (f[key] ?? []).forEach((v) =>
      chips.push({ key: `f-${key}-${v}`, label: chipLabel(kind, v), kind, remove: () => without({ [key]: (f[key] ?? []).filter((x) => x !== v) }) }),
    );
  list("platforms", "platform");
  list("countries", "country");
  list("cities", "city");
  list("regions", "region");
  list("languages", "language");
  list("niches", "niche");
  list("tiers", "tier");
  if (f.followers_min != null) chips.push({ key: "fmin", label: `≥ ${count(f.followers_min)} followers`, kind: "followers", remove: () => without({ followers_min: undefined }) });
  if (f.followers_max != null) chips.push({ key: "fmax", label: `≤ ${count(f.followers_max)} followers`, kind: "followers", remove: () => without({ followers_max: undefined }) });
  if (f.engagement_min != null) chips.push({ key: "er", label: `engagement ≥ ${percent(f.engagement_min)}`, kind: "engagement", remove: () => without({ engagement_min: undefined }) });
  if (f.price && (f.price.min != null || f.price.max != null)) {
    const { min, max, currency } = f.price;
    const label = min != null && max != null ? `${money(min, currency)}–${money(max, currency)} per post` : min != null ? `≥ ${money(min, currency)} per post` : `≤ ${money(max, currency)} per post`;
    chips.push({ key: "price", label, kind: "price", remove: () => without({ price: undefined }) });
  }
  if (f.audience_quality_min != null) chips.push({ key: "aq", label: `audience quality ≥ ${percent(f.audience_quality_min, 0)}`, kind: "quality", remove: () => without({ audience_quality_min: undefined }) });
  if (f.verified != null) chips.push({ key: "ver", label: f.verified ? "verified" : "not verified", kind: "verified", remove: () => without({ verified: undefined }) });
  (f.audience ?? []).forEach((a, i) =>
    chips.push({
      key: `aud-${i}`,
      label: `audience ${a.dimension === "country" ? country(a.value) : a.value} ≥ ${percent(a.min_share, 0)}`,
      kind: "audience",
      remove: () => without({ audience: (f.audience ?? []).filter((_, j) => j !== i) }),
    }),
  );
  // Words may become chips once the search answers: their row is kept from the start, so
  // that nothing below it jumps when they arrive (layout shift).
  if (!chips.length) return state.q.trim() ? <div class="chips reserved" aria-hidden="true" /> : null;
  return (
    <ul class="chips" aria-label="Applied filters">
      {chips.map((c) => (
        <li key={c.key} class={`chip chip-${c.kind}`}>
          <span>{c.label}</span>
          <button aria-label={`Remove ${c.label}`} title="Remove" onClick={c.remove}>
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}

/** A chip's words; a price bound reads its amount and currency from the understood filters. */
function chipLabel(kind: string, value: string, understood?: SearchFilters): string {
  switch (kind) {
    case "country":
      return country(value);
    case "language":
      return `${language(value)}-speaking`;
    case "region":
      // Gazetteer ids ("US:Texas"), several when a name is shared.
      return value
        .split(",")
        .map((id) => id.slice(id.indexOf(":") + 1))
        .join(" / ");
    case "tier":
      return `${value} creators`;
    case "followers_min":
      return `≥ ${count(Number(value))} followers`;
    case "followers_max":
      return `≤ ${count(Number(value))} followers`;
    case "engagement_min":
      return `engagement ≥ ${percent(Number(value))}`;
    case "price_min":
    case "price_max": {
      const price = understood?.price;
      const amount = kind === "price_min" ? price?.min : price?.max;
      return price && amount != null ? `${kind === "price_min" ? "≥" : "≤"} ${money(amount, price.currency)} per post` : value;
    }
    case "audience_country":
      return `audience in ${country(value)}`;
    case "audience_gender":
      return `${value} audience`;
    default:
      if (kind === "platform") return platformName(value);
      return kind === "niche" || kind === "city" ? title(value) : `${title(kind)}: ${value}`;
  }
}

export type Facets = Record<string, FacetCount[]>;

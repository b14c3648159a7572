// The first page a visitor sees: what Scout is, a sample search to try without an
// account (GET /v1/preview: five creators, headline figures only), and sign-up.
import { useState } from "preact/hooks";
import { api, ApiError, type PreviewResponse } from "../api";
import { onLinkClick } from "../app/router";
import { Alert } from "../ui/Alert";
import { count, country, percent, platformName, title } from "../ui/format";

const SAMPLES = ["vegan fitness creators in Berlin", "travel vloggers in Lisbon on YouTube", "French home cooks over 50k followers"];

export function Landing() {
  const [text, setText] = useState(SAMPLES[0]);
  const [data, setData] = useState<PreviewResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (q: string) => {
    setText(q);
    setBusy(true);
    setError(null);
    try {
      setData(await api<PreviewResponse>("GET", `/v1/preview?q=${encodeURIComponent(q.trim())}`, undefined, { anonymous: true }));
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  const signup = `/signup?next=${encodeURIComponent(`/search?q=${encodeURIComponent(text.trim())}`)}`;

  return (
    <section class="page landing">
      <div class="hero">
        <h1 tabIndex={-1}>Find the creators your brand is looking for</h1>
        <p class="lead">
          Scout searches creators the way you describe them: niche, place, language, size, engagement and who their audience really is. It
          flags bought followers, estimates fair prices, and keeps shortlists your team can compare and export.
        </p>
        <p class="actions">
          <a class="button primary" href="/signup" onClick={onLinkClick}>
            Create a free account
          </a>
          <a class="button" href="/login" onClick={onLinkClick}>
            Log in
          </a>
        </p>
      </div>

      <div class="card try">
        <h2>Try a search</h2>
        <form
          role="search"
          class="searchbar"
          onSubmit={(e) => {
            e.preventDefault();
            if (text.trim()) run(text);
          }}
        >
          <label for="try-q" class="visually-hidden">
            Describe the creators you are looking for
          </label>
          <input id="try-q" type="search" value={text} maxLength={500} onInput={(e) => setText(e.currentTarget.value)} />
          <button type="submit" class="primary" disabled={busy || !text.trim()}>
            {busy ? "Searching…" : "Search"}
          </button>
        </form>
        <p class="samples">
          Or try:{" "}
          {SAMPLES.map((s) => (
            <button key={s} type="button" class="link" onClick={() => run(s)}>
              {s}
            </button>
          ))}
        </p>
        {error && <Alert>{error}</Alert>}
        <div aria-live="polite">
          {data && data.total === 0 && (
            <p>
              No creators match “{data.parsed_query.original}”.
              {data.suggestions[0] && (
                <>
                  {" "}
                  Did you mean{" "}
                  <button type="button" class="link" onClick={() => run(data.suggestions[0].query)}>
                    {data.suggestions[0].query}
                  </button>
                  ?
                </>
              )}
            </p>
          )}
          {data && data.total > 0 && (
            <>
              <p>
                {data.total.toLocaleString("en")} {data.total === 1 ? "creator matches" : "creators match"}; the first {data.results.length}:
              </p>
              <ul class="preview-cards">
                {data.results.map((c) => (
                  <li key={`${c.platform}-${c.handle}`} class="card">
                    <strong>{c.display_name || c.handle}</strong>
                    <span class="muted">
                      @{c.handle} · {platformName(c.platform)}
                      {c.city || c.country ? ` · ${[c.city, country(c.country)].filter(Boolean).join(", ")}` : ""}
                    </span>
                    <span>
                      {count(c.followers)} followers · {percent(c.engagement_rate)} engagement
                    </span>
                    {c.niches.length > 0 && <span class="muted">{c.niches.map(title).join(", ")}</span>}
                  </li>
                ))}
              </ul>
              <p>
                <a class="button primary" href={signup} onClick={onLinkClick}>
                  See all {data.total.toLocaleString("en")} with a free account
                </a>
              </p>
            </>
          )}
        </div>
      </div>
    </section>
  );
}

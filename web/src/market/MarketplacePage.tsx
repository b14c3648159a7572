// The creators' marketplace: listed campaigns ranked for the signed-in creator, with
// why each fits; a listing's page, where the creator applies.
import { useState } from "preact/hooks";
import { api, type Claim, type Listing, type MarketplacePage as Page, type Negotiation, type Terms } from "../api";
import { navigate, onLinkClick } from "../app/router";
import { Alert } from "../ui/Alert";
import { Pending } from "../ui/PageHead";
import { useAction, useLoaded } from "../ui/hooks";
import { country, date, money, title } from "../ui/format";
import { kindName, TermsEditor } from "../deals/terms";

export function MarketplacePage({ query }: { query: URLSearchParams }) {
  const q = query.get("q") ?? "";
  const sort = query.get("sort") ?? "best";
  const [text, setText] = useState(q);
  const params = new URLSearchParams({ limit: "30", sort });
  if (q) params.set("q", q);
  const { data, error } = useLoaded(`/v1/marketplace?${params}`, (r: Page) => r);
  const go = (next: Record<string, string>) => {
    const p = new URLSearchParams({ q, sort, ...next });
    [...p.keys()].forEach((k) => !p.get(k) && p.delete(k));
    navigate(`/marketplace?${p}`);
  };
  return (
    <section class="page">
      <h1 tabIndex={-1}>Marketplace</h1>
      <p class="muted">Campaigns brands listed, best fit for your profile first.</p>
      <form
        class="searchbar"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          go({ q: text.trim() });
        }}
      >
        <label class="visually-hidden" for="mq">
          Search campaigns
        </label>
        <input id="mq" value={text} placeholder="e.g. skincare in Germany over €1,000" onInput={(e) => setText(e.currentTarget.value)} />
        <button class="primary" type="submit">
          Search
        </button>
      </form>
      <div class="results-head">
        <p class="summary" role="status">
          {data ? `${data.total} ${data.total === 1 ? "campaign" : "campaigns"}` : error ? "" : "Loading…"}
        </p>
        <label class="sort">
          Sort
          <select value={sort} onChange={(e) => go({ sort: e.currentTarget.value })}>
            <option value="best">Best fit</option>
            <option value="newest">Newest</option>
            <option value="due_soonest">Due soonest</option>
            <option value="largest_budget">Largest budget</option>
          </select>
        </label>
      </div>
      {error && <Alert>{error}</Alert>}
      {data?.ranked_for.length === 0 && (
        <Alert kind="info">
          Claim and verify your profile on the <a href="/account" onClick={onLinkClick}>account page</a> to see how well each campaign fits you.
        </Alert>
      )}
      <div class="cards">
        {data?.campaigns.map((c) => <ListingCard key={c.id} listing={c} />)}
      </div>
      {data?.campaigns.length === 0 && <p>No listed campaign matches. Try fewer words.</p>}
    </section>
  );
}

function ListingCard({ listing: c }: { listing: Listing }) {
  const s = c.spec;
  return (
    <article class="card result listing" aria-labelledby={`l-${c.id}`}>
      <div class="result-main">
        <h2 id={`l-${c.id}`}>
          <a href={`/marketplace/${c.id}`} onClick={onLinkClick}>
            {s.name}
          </a>
        </h2>
        <p class="handle">
          {c.brand}
          {c.brand_rating && ` · ★ ${c.brand_rating.mean.toFixed(1)} (${c.brand_rating.count})`} · {title(s.objective)}
        </p>
        <dl class="stats">
          <div>
            <dt>Budget</dt>
            <dd>{money(s.budget.amount_minor, s.budget.currency)}</dd>
          </div>
          <div>
            <dt>Deliverables</dt>
            <dd>{(s.deliverables ?? []).map((d) => `${d.count}× ${kindName(d.kind)}`).join(", ") || "–"}</dd>
          </div>
          <div>
            <dt>Due by</dt>
            <dd>{date(c.due_by)}</dd>
          </div>
          <div>
            <dt>Audience</dt>
            <dd>{s.target?.countries?.map(country).join(", ") || "Anywhere"}</dd>
          </div>
        </dl>
        {c.fit && (
          <p class="why">
            <strong>Why you match:</strong> {c.fit.why.map((r) => r.text).join("; ") || "–"}
            {c.fit.gaps.length > 0 && <span class="muted"> · Gaps: {c.fit.gaps.map((r) => r.text).join("; ")}</span>}
          </p>
        )}
      </div>
      <div class="result-side">
        {c.fit && (
          <span class="badge fit" title="How well this campaign fits your profile">
            {c.fit.score}% fit
          </span>
        )}
        {c.thread && (
          <a href={`/threads/${c.thread.negotiation_id}`} onClick={onLinkClick}>
            Your thread ({c.thread.status})
          </a>
        )}
      </div>
    </article>
  );
}

/** A listed campaign in full, and the application form. */
export function ListingPage({ id }: { id: number }) {
  const { data: c, error } = useLoaded(`/v1/marketplace/${id}`, (r: Listing) => r);
  const { data: claims } = useLoaded("/v1/me/claims", (r: { claims: Claim[] }) => r.claims.filter((x) => x.verified));
  if (!c) return <Pending error={error} />;
  const s = c.spec;
  return (
    <section class="page">
      <p class="crumbs">
        <a href="/marketplace" onClick={onLinkClick}>
          Marketplace
        </a>{" "}
        /
      </p>
      <h1 tabIndex={-1}>{s.name}</h1>
      <p class="handle">
        {c.brand}
        {c.brand_rating && ` · ★ ${c.brand_rating.mean.toFixed(1)} from ${c.brand_rating.count} reviews`} · {title(s.objective)} · {date(s.starts_on)} to {date(s.ends_on)}
      </p>
      <div class="grid-2">
        <div class="card">
          <h2>The brief</h2>
          <p class="bio">{s.brief || "No brief yet."}</p>
          <p>
            Budget {money(s.budget.amount_minor, s.budget.currency)} · {(s.deliverables ?? []).map((d) => `${d.count}× ${kindName(d.kind)}${d.due_on ? ` by ${date(d.due_on)}` : ""}`).join(", ")}
          </p>
          <p class="muted">
            Niches: {s.niches?.join(", ") || "any"} · Platforms: {s.platforms?.join(", ") || "any"} · Audience: {s.target?.countries?.map(country).join(", ") || "anywhere"}
          </p>
        </div>
        <div class="card">
          <h2>How you fit</h2>
          {c.fit ? (
            <>
              <p class="badge fit">{c.fit.score}% fit</p>
              <ul>
                {c.fit.why.map((w) => (
                  <li key={w.factor}>{w.text}</li>
                ))}
              </ul>
              {c.fit.gaps.length > 0 && <p class="muted">Gaps: {c.fit.gaps.map((r) => r.text).join("; ")}</p>}
            </>
          ) : (
            <p class="muted">Verify a profile to see your fit.</p>
          )}
        </div>
      </div>
      {c.thread ? (
        <p>
          You are talking with {c.brand} about this campaign:{" "}
          <a href={`/threads/${c.thread.negotiation_id}`} onClick={onLinkClick}>
            open the thread
          </a>
          .
        </p>
      ) : (
        <Apply listing={c} profiles={claims ?? []} />
      )}
    </section>
  );
}

function Apply({ listing: c, profiles }: { listing: Listing; profiles: Claim[] }) {
  const s = c.spec;
  const currency = s.budget.currency;
  const fallbackDue = s.ends_on;
  const initial = (s.deliverables?.length ? s.deliverables : [{ kind: "post" as const, count: 1, due_on: null }]).map((d) => ({
    kind: d.kind,
    count: d.count,
    fee: { amount_minor: 0, currency },
    due_on: d.due_on ?? fallbackDue,
  }));
  const [terms, setTerms] = useState<Terms | null>(null);
  const [pitch, setPitch] = useState("");
  const [profile, setProfile] = useState<number | null>(c.fit?.profile_id ?? null);
  const { busy, error, run } = useAction();
  const chosen = profile ?? profiles[0]?.profile_id ?? null;
  if (profiles.length === 0) return <Alert kind="info">Claim and verify a profile on your account page to apply.</Alert>;
  return (
    <form
      class="card form"
      onSubmit={async (e) => {
        e.preventDefault();
        let thread: Negotiation | null = null;
        if (await run(async () => (thread = await api<Negotiation>("POST", `/v1/campaigns/${c.id}/applications`, { profile_id: chosen, pitch, terms }))) && thread)
          navigate(`/threads/${(thread as Negotiation).id}`);
      }}
    >
      <h2>Apply</h2>
      {error && <Alert>{error}</Alert>}
      {profiles.length > 1 && (
        <label>
          As
          <select value={chosen ?? ""} onChange={(e) => setProfile(Number(e.currentTarget.value))}>
            {profiles.map((p) => (
              <option value={p.profile_id}>Profile {p.profile_id}</option>
            ))}
          </select>
        </label>
      )}
      <label>
        Your pitch
        <textarea rows={4} maxLength={5000} value={pitch} placeholder="Why your audience fits this campaign" onInput={(e) => setPitch(e.currentTarget.value)} />
      </label>
      <TermsEditor initial={initial} currency={currency} onChange={setTerms} />
      <button class="primary" type="submit" disabled={busy || !terms || !chosen}>
        Send application
      </button>
    </form>
  );
}

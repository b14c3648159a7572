// A brand's campaigns: the list, the create/edit form, and a campaign's page (its
// matched creators, the plan within budget, invitations, threads, contracts, status).
import { useEffect, useState } from "preact/hooks";
import { api, type Campaign, type CampaignSpec, type Contract, type Match, type MatchResponse, type Negotiation, type Plan } from "../api";
import { navigate, onLinkClick } from "../app/router";
import { onNotification } from "../app/live";
import { Alert } from "../ui/Alert";
import { PageHead, Pending } from "../ui/PageHead";
import { useAction, useLoaded } from "../ui/hooks";
import { count, country, date, money, percent, title } from "../ui/format";
import { TableRegion } from "../ui/TableRegion";
import { fromMinor, KINDS, kindName, toMinor } from "../deals/terms";
import { Invite } from "./Invite";

const OBJECTIVES = ["awareness", "engagement", "traffic", "conversions", "sales"] as const;
const STATUSES = ["draft", "open", "in_progress", "completed", "cancelled"] as const;

export function CampaignsPage({ query }: { query: URLSearchParams }) {
  const status = query.get("status") ?? "";
  const params = new URLSearchParams({ limit: "50", sort: "newest" });
  if (status) params.set("status", status);
  const { data, error } = useLoaded(`/v1/campaigns?${params}`, (r: { campaigns: Campaign[]; total: number }) => r);
  return (
    <section class="page">
      <div class="title-row">
        <h1 tabIndex={-1}>Campaigns</h1>
        <a class="button primary" href="/campaigns/new" onClick={onLinkClick}>
          New campaign
        </a>
      </div>
      <label class="sort">
        Status
        <select value={status} onChange={(e) => navigate(e.currentTarget.value ? `/campaigns?status=${e.currentTarget.value}` : "/campaigns")}>
          <option value="">All</option>
          {STATUSES.map((s) => (
            <option value={s}>{title(s)}</option>
          ))}
        </select>
      </label>
      {error && <Alert>{error}</Alert>}
      {data?.campaigns.length === 0 && <p>No campaigns yet. Create one from a brief: who you want to reach, what you need made, and the budget.</p>}
      {!!data?.campaigns.length && (
        <TableRegion label="Campaigns">
          <table>
            <thead>
              <tr>
                <th scope="col">Campaign</th>
                <th scope="col">Status</th>
                <th scope="col">Budget</th>
                <th scope="col">Runs</th>
                <th scope="col">Visibility</th>
              </tr>
            </thead>
            <tbody>
              {data.campaigns.map((c) => (
                <tr key={c.id}>
                  <td>
                    <a href={`/campaigns/${c.id}`} onClick={onLinkClick}>
                      {c.spec.name}
                    </a>
                  </td>
                  <td>{title(c.status)}</td>
                  <td>{money(c.spec.budget.amount_minor, c.spec.budget.currency)}</td>
                  <td>
                    {date(c.spec.starts_on)} – {date(c.spec.ends_on)}
                  </td>
                  <td>{title(c.spec.visibility)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
    </section>
  );
}

const csv = (s: string) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);

/** Creates a campaign (`id` absent) or edits one, sending back the revision it read. */
export function CampaignForm({ id }: { id?: number }) {
  const [loaded, setLoaded] = useState<Campaign | null>(null);
  const soon = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  const today = new Date().toISOString().slice(0, 10);
  const [f, setF] = useState({
    name: "",
    objective: "engagement",
    brief: "",
    niches: "",
    platforms: "",
    countries: "",
    languages: "",
    budget: "",
    currency: "EUR",
    starts_on: today,
    ends_on: soon,
    visibility: "listed",
    deliverables: [{ kind: "post", count: "1", due_on: soon }],
  });
  const { busy, error, run } = useAction();
  useEffect(() => {
    if (!id) return;
    void run(async () => {
      const c = await api<Campaign>("GET", `/v1/campaigns/${id}`);
      setLoaded(c);
      const s = c.spec;
      setF({
        name: s.name,
        objective: s.objective,
        brief: s.brief ?? "",
        niches: (s.niches ?? []).join(", "),
        platforms: (s.platforms ?? []).join(", "),
        countries: (s.target?.countries ?? []).join(", "),
        languages: (s.target?.languages ?? []).join(", "),
        budget: fromMinor(s.budget.amount_minor, s.budget.currency),
        currency: s.budget.currency,
        starts_on: s.starts_on,
        ends_on: s.ends_on,
        visibility: s.visibility,
        deliverables: (s.deliverables ?? []).map((d) => ({ kind: d.kind, count: String(d.count), due_on: d.due_on ?? "" })),
      });
    });
  }, [id]);
  const set = (k: string, v: unknown) => setF({ ...f, [k]: v });
  const setLine = (i: number, k: string, v: string) => set("deliverables", f.deliverables.map((d, j) => (j === i ? { ...d, [k]: v } : d)));

  async function save(e: Event) {
    e.preventDefault();
    const amount = toMinor(f.budget, f.currency);
    const spec = {
      name: f.name.trim(),
      objective: f.objective,
      brief: f.brief,
      niches: csv(f.niches),
      platforms: csv(f.platforms),
      target: { countries: csv(f.countries).map((c) => c.toUpperCase()), languages: csv(f.languages) },
      deliverables: f.deliverables.map((d) => ({ kind: d.kind, count: Number(d.count), ...(d.due_on ? { due_on: d.due_on } : {}) })),
      budget: { amount_minor: amount ?? -1, currency: f.currency },
      starts_on: f.starts_on,
      ends_on: f.ends_on,
      visibility: f.visibility,
    } as unknown as CampaignSpec;
    let saved: Campaign | null = null;
    const ok = await run(async () => {
      saved = id
        ? await api<Campaign>("PUT", `/v1/campaigns/${id}?revision=${loaded?.revision ?? 0}`, spec)
        : await api<Campaign>("POST", "/v1/campaigns", spec);
    });
    if (ok && saved) navigate(`/campaigns/${(saved as Campaign).id}`);
  }

  return (
    <section class="page narrow">
      <p class="crumbs">
        <a href="/campaigns" onClick={onLinkClick}>
          Campaigns
        </a>{" "}
        /
      </p>
      <h1 tabIndex={-1}>{id ? "Edit campaign" : "New campaign"}</h1>
      {error && <Alert>{error}</Alert>}
      <form class="form card" onSubmit={save}>
        <label>
          Name
          <input required maxLength={120} value={f.name} onInput={(e) => set("name", e.currentTarget.value)} />
        </label>
        <label>
          Objective
          <select value={f.objective} onChange={(e) => set("objective", e.currentTarget.value)}>
            {OBJECTIVES.map((o) => (
              <option value={o}>{title(o)}</option>
            ))}
          </select>
        </label>
        <label>
          Brief
          <textarea rows={4} value={f.brief} placeholder="What the creators should make, for whom, in what tone" onInput={(e) => set("brief", e.currentTarget.value)} />
        </label>
        <fieldset>
          <legend>Targeting</legend>
          <label>
            Niches <small class="muted">(comma separated: fitness, beauty, food…)</small>
            <input value={f.niches} onInput={(e) => set("niches", e.currentTarget.value)} />
          </label>
          <label>
            Platforms <small class="muted">(instagram, tiktok, youtube…)</small>
            <input value={f.platforms} onInput={(e) => set("platforms", e.currentTarget.value)} />
          </label>
          <label>
            Audience countries <small class="muted">(DE, FR, US…)</small>
            <input value={f.countries} onInput={(e) => set("countries", e.currentTarget.value)} />
          </label>
          <label>
            Languages <small class="muted">(de, en…)</small>
            <input value={f.languages} onInput={(e) => set("languages", e.currentTarget.value)} />
          </label>
        </fieldset>
        <fieldset>
          <legend>Deliverables</legend>
          {f.deliverables.map((d, i) => (
            <div class="term-row" key={i}>
              <label>
                Kind
                <select value={d.kind} onChange={(e) => setLine(i, "kind", e.currentTarget.value)}>
                  {KINDS.map((k) => (
                    <option value={k}>{kindName(k)}</option>
                  ))}
                </select>
              </label>
              <label>
                Count
                <input type="number" min={1} max={100} value={d.count} onInput={(e) => setLine(i, "count", e.currentTarget.value)} />
              </label>
              <label>
                Due
                <input type="date" value={d.due_on} onInput={(e) => setLine(i, "due_on", e.currentTarget.value)} />
              </label>
              {f.deliverables.length > 1 && (
                <button type="button" class="link" onClick={() => set("deliverables", f.deliverables.filter((_, j) => j !== i))}>
                  Remove
                </button>
              )}
            </div>
          ))}
          <button type="button" onClick={() => set("deliverables", [...f.deliverables, { kind: "story", count: "1", due_on: f.ends_on }])}>
            Add a deliverable
          </button>
        </fieldset>
        <div class="pair">
          <label>
            Total budget
            <input required inputMode="decimal" value={f.budget} onInput={(e) => set("budget", e.currentTarget.value)} />
          </label>
          <label>
            Currency
            <select value={f.currency} onChange={(e) => set("currency", e.currentTarget.value)}>
              {["EUR", "USD", "GBP", "CHF", "SEK", "PLN", "JPY", "BRL", "INR"].map((c) => (
                <option value={c}>{c}</option>
              ))}
            </select>
          </label>
        </div>
        <div class="pair">
          <label>
            Starts
            <input type="date" required value={f.starts_on} onInput={(e) => set("starts_on", e.currentTarget.value)} />
          </label>
          <label>
            Ends
            <input type="date" required value={f.ends_on} onInput={(e) => set("ends_on", e.currentTarget.value)} />
          </label>
        </div>
        <label>
          Visibility
          <select value={f.visibility} onChange={(e) => set("visibility", e.currentTarget.value)}>
            <option value="listed">Listed on the marketplace</option>
            <option value="invite_only">Invite only</option>
            <option value="private">Private (draft for your team)</option>
          </select>
        </label>
        <button class="primary" type="submit" disabled={busy}>
          {id ? "Save changes" : "Create campaign"}
        </button>
      </form>
    </section>
  );
}

const ACTIONS: Record<string, [string, string][]> = {
  draft: [["publish", "Publish"], ["cancel", "Cancel campaign"]],
  open: [["start", "Start"], ["unpublish", "Back to draft"], ["cancel", "Cancel campaign"]],
  in_progress: [["complete", "Complete"], ["cancel", "Cancel campaign"]],
};

export function CampaignPage({ id }: { id: number }) {
  const { data: c, error: loadError, reload } = useLoaded(`/v1/campaigns/${id}`, (r: Campaign) => r);
  const threads = useLoaded(`/v1/negotiations?campaign=${id}&limit=100`, (r: { negotiations: Negotiation[] }) => r.negotiations);
  const contracts = useLoaded(`/v1/contracts?campaign=${id}&limit=100`, (r: { contracts: Contract[] }) => r.contracts);
  const matches = useLoaded(`/v1/campaigns/${id}/matches?limit=10`, (r: MatchResponse) => r.matches);
  const [plan, setPlan] = useState<Plan | null>(null);
  const [inviting, setInviting] = useState<Match | null>(null);
  const { busy, error, done, run } = useAction();
  useEffect(() => onNotification((n) => n.campaign_id === id && void (threads.reload(), contracts.reload())), [id]);
  if (!c) return <Pending error={loadError} />;
  const s = c.spec;
  return (
    <section class="page">
      <PageHead back="/campaigns" backLabel="Campaigns" heading={s.name} status={c.status} />
      <p class="muted">
        {title(s.objective)} · {money(s.budget.amount_minor, s.budget.currency)} · {date(s.starts_on)} – {date(s.ends_on)} · {title(s.visibility)}
      </p>
      {(error || loadError) && <Alert>{error || loadError}</Alert>}
      {done && <Alert kind="success">{done}</Alert>}
      <div class="toolbar">
        {(c.status === "draft" || c.status === "open") && (
          <a class="button" href={`/campaigns/${id}/edit`} onClick={onLinkClick}>
            Edit
          </a>
        )}
        {(ACTIONS[c.status] ?? []).map(([a, label]) => (
          <button key={a} class={a === "cancel" ? "danger" : a === "publish" || a === "start" ? "primary" : ""} disabled={busy} onClick={() => run(() => api("POST", `/v1/campaigns/${id}/${a}`), `${label}: done`).then((ok) => void (ok && reload()))}>
            {label}
          </button>
        ))}
      </div>
      <div class="card">
        <h2>Brief</h2>
        <p class="bio">{s.brief || "–"}</p>
        <p class="muted">
          {(s.deliverables ?? []).map((d) => `${d.count}× ${kindName(d.kind)}${d.due_on ? ` by ${date(d.due_on)}` : ""}`).join(", ")} · Niches {s.niches?.join(", ") || "any"} · Audience {s.target?.countries?.map(country).join(", ") || "anywhere"}
        </p>
      </div>

      <h2>Threads and contracts</h2>
      {threads.data?.length === 0 && contracts.data?.length === 0 && <p class="muted">No applications or invitations yet.</p>}
      <ul class="list-grid">
        {threads.data?.map((n) => {
          const latest = n.offers[n.offers.length - 1];
          return (
            <li key={n.id} class="card">
              <a href={`/threads/${n.id}`} onClick={onLinkClick}>
                Thread #{n.id} · profile {n.profile_id}
              </a>
              <p class="muted">
                {title(n.origin)} · {title(n.status)}
                {latest && ` · ${money(latest.total.amount_minor, latest.total.currency)} (v${latest.version} by ${latest.by})`}
              </p>
            </li>
          );
        })}
        {contracts.data?.map((k) => (
          <li key={`k${k.id}`} class="card">
            <a href={`/contracts/${k.id}`} onClick={onLinkClick}>
              Contract #{k.id}
            </a>
            <p class="muted">
              {title(k.status)} · {money(k.total.amount_minor, k.total.currency)}
            </p>
          </li>
        ))}
      </ul>

      <div class="title-row">
        <h2>Plan within budget</h2>
        <button disabled={busy} onClick={() => run(async () => setPlan(await api<Plan>("POST", `/v1/campaigns/${id}/plan`, { goal: "engagements", fees: "fair", max_creators: 10 })))}>
          {plan ? "Plan again" : "Make a plan"}
        </button>
      </div>
      {plan && (
        <div class="card">
          <p>
            {plan.creators.length} creators for {money(plan.spent?.amount_minor ?? 0, plan.budget.currency)} of {money(plan.budget.amount_minor, plan.budget.currency)}: about {count(plan.value)} expected {plan.goal === "reach" ? "people reached" : "engagements"} ({plan.candidates} candidates, {plan.took_ms.toFixed(0)} ms)
          </p>
          <ol>
            {plan.creators.map((p) => (
              <li key={p.profile_id}>
                <a href={`/profiles/${p.profile_id}`} onClick={onLinkClick}>
                  @{p.handle}
                </a>{" "}
                · {money(p.fee.amount_minor, p.fee.currency)} · {p.reason}
              </li>
            ))}
          </ol>
        </div>
      )}

      <h2>Matched creators</h2>
      {matches.error && <Alert kind="info">{matches.error}</Alert>}
      {inviting && <Invite campaign={c} profile={{ id: inviting.profile.id, handle: inviting.profile.handle }} onClose={() => setInviting(null)} onSent={(n) => navigate(`/threads/${n.id}`)} />}
      <ol class="matches">
        {matches.data?.map((m) => (
          <li key={m.profile.id} class="card">
            <div class="title-row">
              <a href={`/profiles/${m.profile.id}`} onClick={onLinkClick}>
                {m.profile.display_name || m.profile.handle}
              </a>
              {c.status !== "completed" && c.status !== "cancelled" && (
                <button onClick={() => setInviting(m)} aria-label={`Invite ${m.profile.handle}`}>
                  Invite
                </button>
              )}
            </div>
            <p class="muted">
              @{m.profile.handle} · {count(m.profile.followers)} followers · {percent(m.profile.engagement_rate)} engagement
              {m.within_budget === false && " · over budget"}
            </p>
            <p class="why">{m.explanation.summary}</p>
          </li>
        ))}
      </ol>
    </section>
  );
}


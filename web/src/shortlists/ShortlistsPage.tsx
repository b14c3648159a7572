import { useEffect, useState } from "preact/hooks";
import { api, send, type Profile, type Shortlist, type ShortlistDetail, type ShortlistEntry } from "../api";
import { count, country, date, percent, platformName } from "../ui/format";
import { navigate, onLinkClick } from "../app/router";
import { Alert } from "../ui/Alert";
import { TableRegion } from "../ui/TableRegion";
import { useAction, useLoaded } from "../ui/hooks";
import { Avatar } from "../ui/Avatar";
import { audienceSummary, priceSummary } from "../search/ResultCard";
import { InviteLink } from "../campaigns/Invite";

/** The organisation's shortlists: every member sees and edits the same ones. */
export function ShortlistsPage() {
  const { data: lists, error: loadError } = useLoaded("/v1/shortlists", (r: { shortlists: Shortlist[] }) => r.shortlists);
  const [name, setName] = useState("");
  const { error, run } = useAction();

  async function create(e: Event) {
    e.preventDefault();
    let id = 0;
    if (await run(async () => (id = (await api<Shortlist>("POST", "/v1/shortlists", { name: name.trim() })).id))) navigate(`/shortlists/${id}`);
  }

  return (
    <section class="page">
      <h1 tabIndex={-1}>Shortlists</h1>
      <p class="muted">Shortlists are shared with everyone in your organisation.</p>
      {(error || loadError) && <Alert>{error || loadError}</Alert>}
      <form class="inline card" onSubmit={create}>
        <label>
          New shortlist
          <input required maxLength={120} value={name} placeholder="e.g. Spring launch, Germany" onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <button type="submit" class="primary" disabled={!name.trim()}>
          Create
        </button>
      </form>
      {lists === null && !loadError && <p role="status">Loading…</p>}
      {lists?.length === 0 && <p>No shortlists yet. Add creators from a search with “+ Shortlist”, or create one here.</p>}
      <ul class="list-grid">
        {lists?.map((l) => (
          <li key={l.id} class="card">
            <h2>
              <a href={`/shortlists/${l.id}`} onClick={onLinkClick}>
                {l.name}
              </a>
            </h2>
            <p class="muted">
              {l.entries} {l.entries === 1 ? "creator" : "creators"} · updated {date(l.updated_at)}
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}

interface Row {
  entry: ShortlistEntry;
  profile: Profile | null;
}

/** `compare` is the URL's `?compare=12,34`: the creators shown side by side (a shareable comparison). */
export function ShortlistPage({ id, compare }: { id: number; compare: string | null }) {
  const comparing = (compare ?? "").split(",").map(Number).filter((n) => Number.isInteger(n) && n > 0);
  const [detail, setDetail] = useState<ShortlistDetail | null>(null);
  const [rows, setRows] = useState<Row[]>([]);
  const [selected, setSelected] = useState<Set<number>>(new Set(comparing));
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState("");
  const { error: actionError, done: notice, run, setError } = useAction();
  const loading = useAction();
  const error = actionError ?? loading.error;

  // The list, then its creators' profiles (a deleted profile stays listed, marked as gone).
  const reload = () =>
    loading.run(async () => {
      const d = await api<ShortlistDetail>("GET", `/v1/shortlists/${id}`);
      setDetail(d);
      setName(d.name);
      const profiles = await Promise.all(d.items.map((i) => api<Profile>("GET", `/v1/profiles/${i.profile_id}`).catch(() => null)));
      setRows(d.items.map((entry, i) => ({ entry, profile: profiles[i] })));
    });
  useEffect(() => {
    reload();
  }, [id]);

  const act = async (what: () => Promise<unknown>, done?: string) => {
    if (await run(what, done)) await reload();
  };

  // A creator no longer on the list is neither selected nor compared (nor left in the URL).
  useEffect(() => {
    if (!detail) return;
    const listed = new Set(detail.items.map((i) => i.profile_id));
    if ([...selected].some((p) => !listed.has(p))) setSelected(new Set([...selected].filter((p) => listed.has(p))));
    const kept = comparing.filter((p) => listed.has(p));
    if (kept.length !== comparing.length) navigate(`/shortlists/${id}` + (kept.length >= 2 ? `?compare=${kept.join(",")}` : ""), true);
  }, [detail]);

  const exportCsv = () =>
    run(async () => {
      const res = await send("GET", `/v1/shortlists/${id}/export.csv`);
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement("a");
      a.href = url;
      a.download = `${(detail?.name ?? "shortlist").replace(/[^\w-]+/g, "-")}.csv`;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    });

  if (!detail) {
    return (
      <section class="page">
        <h1 tabIndex={-1}>Shortlist</h1>
        {error ? <Alert>{error}</Alert> : <p role="status">Loading…</p>}
      </section>
    );
  }
  const compared = rows.filter((r) => comparing.includes(r.entry.profile_id) && r.profile);

  return (
    <section class="page">
      <p class="crumbs">
        <a href="/shortlists" onClick={onLinkClick}>
          Shortlists
        </a>{" "}
        /
      </p>
      {renaming ? (
        <form
          class="inline"
          onSubmit={(e) => {
            e.preventDefault();
            if (!name.trim()) return setError("A shortlist needs a name: type at least one letter or digit.");
            act(() => api("PATCH", `/v1/shortlists/${id}`, { name: name.trim() }), "Renamed").then(() => setRenaming(false));
          }}
        >
          <label>
            Name
            <input required maxLength={120} value={name} onInput={(e) => setName(e.currentTarget.value)} autoFocus />
          </label>
          <button type="submit" class="primary">
            Save
          </button>
          <button type="button" onClick={() => setRenaming(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <div class="title-row">
          <h1 tabIndex={-1}>{detail.name}</h1>
          <button onClick={() => setRenaming(true)}>Rename</button>
        </div>
      )}
      <p class="muted">
        {rows.length} {rows.length === 1 ? "creator" : "creators"} · shared with your organisation ·{" "}
        <button class="link" onClick={() => run(() => navigator.clipboard.writeText(window.location.origin + `/shortlists/${id}`), "Link copied: anyone in your organisation can open it")}>
          Copy link
        </button>
      </p>
      <div class="toolbar">
        <button onClick={exportCsv}>Export CSV</button>
        <button disabled={selected.size < 2} onClick={() => navigate(`/shortlists/${id}?compare=${[...selected].join(",")}`)} aria-describedby="compare-hint">
          Compare selected ({selected.size})
        </button>
        <span id="compare-hint" class="muted small">
          Tick two or more creators to compare them side by side.
        </span>
        <button
          class="danger"
          onClick={() => {
            if (confirm(`Delete the shortlist “${detail.name}”? The creators stay in Scout.`)) {
              act(() => api("DELETE", `/v1/shortlists/${id}`)).then(() => navigate("/shortlists"));
            }
          }}
        >
          Delete shortlist
        </button>
      </div>
      {error && <Alert>{error}</Alert>}
      {notice && <Alert kind="success">{notice}</Alert>}

      {compared.length >= 2 && <Compare rows={compared} onClose={() => navigate(`/shortlists/${id}`)} />}

      {rows.length === 0 && (
        <p>
          This shortlist is empty. <a href="/search" onClick={onLinkClick}>Search for creators</a> and add them with “+ Shortlist”.
        </p>
      )}
      <ul class="entries">
        {rows.map((r) => (
          <EntryRow
            key={r.entry.profile_id}
            row={r}
            selected={selected.has(r.entry.profile_id)}
            onSelect={(on) => {
              const next = new Set(selected);
              if (on) next.add(r.entry.profile_id);
              else next.delete(r.entry.profile_id);
              setSelected(next);
            }}
            onSave={(note, tags) => act(() => api("PUT", `/v1/shortlists/${id}/entries/${r.entry.profile_id}`, { note, tags }), "Saved")}
            onRemove={() => act(() => api("DELETE", `/v1/shortlists/${id}/entries/${r.entry.profile_id}`), "Removed")}
          />
        ))}
      </ul>
    </section>
  );
}

function EntryRow({ row, selected, onSelect, onSave, onRemove }: { row: Row; selected: boolean; onSelect: (on: boolean) => void; onSave: (note: string, tags: string[]) => void; onRemove: () => void }) {
  const { entry, profile: p } = row;
  const [note, setNote] = useState(entry.note);
  const [tags, setTags] = useState(entry.tags.join(", "));
  useEffect(() => {
    setNote(entry.note);
    setTags(entry.tags.join(", "));
  }, [entry.note, entry.tags.join(",")]);
  const dirty = note !== entry.note || tags !== entry.tags.join(", ");
  const name = p ? p.display_name || p.handle : `Profile ${entry.profile_id}`;
  return (
    <li class="card entry">
      <label class="check select">
        <input type="checkbox" checked={selected} disabled={!p} onChange={(e) => onSelect(e.currentTarget.checked)} />
        <span class="visually-hidden">Select {name} to compare</span>
      </label>
      {p && <Avatar handle={p.handle} name={p.display_name} size={40} />}
      <div class="entry-main">
        <h2>
          {p ? (
            <a href={`/profiles/${p.id}`} onClick={onLinkClick}>
              {name}
            </a>
          ) : (
            <span>{name} (no longer in Scout)</span>
          )}
        </h2>
        {p && (
          <p class="handle">
            @{p.handle} · {platformName(p.platform)} · {count(p.followers)} followers · {percent(p.engagement_rate)} engagement
          </p>
        )}
        <form
          class="entry-edit"
          onSubmit={(e) => {
            e.preventDefault();
            onSave(note, tags.split(",").map((t) => t.trim()).filter(Boolean));
          }}
        >
          <label>
            Note
            <textarea value={note} rows={Math.min(8, Math.max(2, note.split("\n").length))} maxLength={2000} placeholder="Why this creator?" onInput={(e) => setNote(e.currentTarget.value)} />
          </label>
          <label>
            Tags
            <input value={tags} placeholder="e.g. first choice, needs rate" onInput={(e) => setTags(e.currentTarget.value)} />
          </label>
          <button type="submit" disabled={!dirty}>
            Save
          </button>
          <button type="button" class="danger" onClick={onRemove}>
            Remove
          </button>
          {p && <InviteLink profileId={p.id} />}
        </form>
        <p class="muted small">Added {date(entry.added_at)}{entry.query ? ` from the search “${entry.query}”` : ""}</p>
      </div>
    </li>
  );
}

/** Creators side by side, one column each, the same figures in the same rows. */
function Compare({ rows, onClose }: { rows: Row[]; onClose: () => void }) {
  const ps = rows.map((r) => r.profile!);
  const best = (f: (p: Profile) => number | undefined | null) => {
    const vals = ps.map((p) => f(p) ?? -Infinity);
    const max = Math.max(...vals);
    return (p: Profile) => ((f(p) ?? -Infinity) === max && max !== -Infinity ? "best" : "");
  };
  const metrics: [string, (p: Profile) => string, ((p: Profile) => string)?][] = [
    ["Platform", (p) => platformName(p.platform)],
    ["Location", (p) => [p.city, country(p.country)].filter(Boolean).join(", ") || "–"],
    ["Followers", (p) => count(p.followers), best((p) => p.followers)],
    ["Engagement rate", (p) => percent(p.engagement_rate, 2), best((p) => p.engagement_rate)],
    ["Average likes", (p) => count(p.avg_likes), best((p) => p.avg_likes)],
    ["Average views", (p) => count(p.avg_views), best((p) => p.avg_views)],
    ["Posts a week", (p) => (p.posts_per_week != null ? p.posts_per_week.toFixed(1) : "–")],
    ["Audience", audienceSummary],
    ["Audience credibility", (p) => percent(p.audience?.credibility, 0), best((p) => p.audience?.credibility)],
    ["Price", priceSummary],
    ["Niches", (p) => (p.categories ?? []).join(", ") || "–"],
    ["Last post", (p) => date(p.last_post_at)],
  ];
  return (
    <section class="card compare" aria-labelledby="h-compare">
      <div class="title-row">
        <h2 id="h-compare">Side by side</h2>
        <button onClick={onClose}>Close comparison</button>
      </div>
      <TableRegion label="Creators side by side (table)">
        <table class="stack">
          <thead>
            <tr>
              <th scope="col">
                <span class="visually-hidden">Figure</span>
              </th>
              {ps.map((p) => (
                <th scope="col" key={p.id}>
                  <a href={`/profiles/${p.id}`} onClick={onLinkClick}>
                    {p.display_name || p.handle}
                  </a>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {metrics.map(([label, f, mark]) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                {ps.map((p) => (
                  <td key={p.id} class={mark?.(p)} data-label={p.display_name || p.handle}>
                    {f(p)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </TableRegion>
    </section>
  );
}

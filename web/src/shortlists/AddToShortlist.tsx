import { useEffect, useRef, useState } from "preact/hooks";
import { api, type Shortlist, type ShortlistDetail } from "../api";

/**
 * "Add to shortlist": picks one of the organisation's shortlists (or makes one) and
 * adds the creator, keeping the note and tags when the creator is already on it.
 * The search it came from goes along: it teaches the ranking model.
 */
export function AddToShortlist({ profileId, query, compact = false }: { profileId: number; query?: string; compact?: boolean }) {
  const [open, setOpen] = useState(false);
  const [lists, setLists] = useState<Shortlist[] | null>(null);
  const [name, setName] = useState("");
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);
  const popover = useRef<HTMLDivElement>(null);

  // Keyboard users land in the picker when it opens (the first shortlist, or the name field).
  useEffect(() => {
    if (open && lists !== null) popover.current?.querySelector<HTMLElement>("ul button, input")?.focus();
  }, [open, lists !== null]);

  useEffect(() => {
    if (!open) return;
    api<{ shortlists: Shortlist[] }>("GET", "/v1/shortlists")
      .then((r) => setLists(r.shortlists))
      .catch((e) => setError(e.message));
    const close = (e: MouseEvent | KeyboardEvent) => {
      if (e instanceof KeyboardEvent ? e.key === "Escape" : !box.current?.contains(e.target as Node)) {
        setOpen(false);
        if (e instanceof KeyboardEvent) toggle.current?.focus();
      }
    };
    document.addEventListener("mousedown", close);
    document.addEventListener("keydown", close);
    return () => {
      document.removeEventListener("mousedown", close);
      document.removeEventListener("keydown", close);
    };
  }, [open]);

  async function add(list: Shortlist) {
    setError(null);
    try {
      const detail = await api<ShortlistDetail>("GET", `/v1/shortlists/${list.id}`);
      const existing = detail.items.find((i) => i.profile_id === profileId);
      await api("PUT", `/v1/shortlists/${list.id}/entries/${profileId}`, {
        note: existing?.note ?? "",
        tags: existing?.tags ?? [],
        ...(query?.trim() ? { query: query.trim() } : {}),
      });
      setMessage(existing ? `Already on “${list.name}”` : `Added to “${list.name}”`);
      setOpen(false);
      toggle.current?.focus();
    } catch (e) {
      setError((e as Error).message);
    }
  }

  async function create(e: Event) {
    e.preventDefault();
    if (!name.trim()) return;
    try {
      const list = await api<Shortlist>("POST", "/v1/shortlists", { name: name.trim() });
      setName("");
      await add(list);
    } catch (err) {
      setError((err as Error).message);
    }
  }

  return (
    <div class="add-to-list" ref={box}>
      <button ref={toggle} class={compact ? "" : "primary"} aria-expanded={open} aria-haspopup="dialog" onClick={() => { setOpen(!open); setMessage(null); }}>
        + Shortlist
      </button>
      {message && (
        <span class="added" role="status">
          {message}
        </span>
      )}
      {open && (
        <div class="popover" role="dialog" aria-label="Add to a shortlist" ref={popover}>
          {error && (
            <p class="alert error" role="alert">
              {error}
            </p>
          )}
          {lists === null ? (
            <p class="muted">Loading shortlists…</p>
          ) : (
            <ul>
              {lists.map((l) => (
                <li key={l.id}>
                  <button class="link" onClick={() => add(l)}>
                    {l.name} <span class="count">{l.entries}</span>
                  </button>
                </li>
              ))}
              {!lists.length && <li class="muted">No shortlists yet.</li>}
            </ul>
          )}
          <form onSubmit={create} class="inline">
            <label>
              New shortlist
              <input value={name} maxLength={120} placeholder="e.g. Spring launch" onInput={(e) => setName(e.currentTarget.value)} />
            </label>
            <button type="submit" disabled={!name.trim()}>
              Create and add
            </button>
          </form>
        </div>
      )}
    </div>
  );
}

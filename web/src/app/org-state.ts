// Which organisation the app acts for (an agency may work for a client brand), shared by
// the header's switcher, the account page and every request (`X-Scout-Org`): one store
// with subscribers instead of events on `window`.
import { useEffect, useState } from "preact/hooks";
import { session } from "../api";

type Listener = () => void;

const STORAGE_KEY = "scout.org";
const actingListeners = new Set<Listener>();
const listListeners = new Set<Listener>();

// The client the app acts for survives reloads within the tab.
const saved = Number(sessionStorage.getItem(STORAGE_KEY));
if (Number.isInteger(saved) && saved > 0) session.actingOrg = saved;

/** Acts for another organisation (an agency's client) from now on; null for one's own. */
export function switchOrg(id: number | null) {
  session.actingOrg = id;
  if (id === null) sessionStorage.removeItem(STORAGE_KEY);
  else sessionStorage.setItem(STORAGE_KEY, String(id));
  actingListeners.forEach((l) => l());
}

/** Says that the caller's organisations changed (a client brand was added). */
export function organisationsChanged() {
  listListeners.forEach((l) => l());
}

/** The organisation acted for (null: the caller's own); re-renders on a switch. */
export function useActingOrg(): number | null {
  const [org, setOrg] = useState(session.actingOrg);
  useEffect(() => subscribe(actingListeners, () => setOrg(session.actingOrg)), []);
  return org;
}

/** Runs `load` now and whenever the list of organisations changes. */
export function useOrganisationsChanged(load: () => void, deps: unknown[]) {
  useEffect(() => {
    load();
    return subscribe(listListeners, load);
  }, deps);
}

function subscribe(set: Set<Listener>, l: Listener): () => void {
  set.add(l);
  return () => {
    set.delete(l);
  };
}

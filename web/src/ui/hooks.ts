// The two ways a page talks to the API: it loads something when it opens, and it runs
// actions whose failure the person must read.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api";

/**
 * Loads `select(GET path)` when the component opens; `reload` fetches it again. Only the
 * newest request's answer is kept: one that returns after a later request was sent (the
 * path changed, or `reload` ran again), or after the component went away, is dropped,
 * so a slow old answer never overwrites a newer one.
 */
export function useLoaded<R, T>(path: string, select: (r: R) => T): { data: T | null; error: string | null; reload: () => Promise<void> } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(0);
  const reload = useCallback(() => {
    const ticket = ++latest.current;
    return api<R>("GET", path)
      .then((r) => {
        if (ticket !== latest.current) return;
        setData(select(r));
        setError(null);
      })
      .catch((e: Error) => {
        if (ticket === latest.current) setError(e.message);
      });
  }, [path]);
  useEffect(() => {
    reload();
    return () => {
      latest.current++;
    };
  }, [reload]);
  return { data, error, reload };
}

/**
 * Runs actions one at a time: `busy` while one runs, its error message kept for the page
 * to show, `done` (a success notice) otherwise. `run` resolves true when the action worked.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const run = async (action: () => Promise<unknown>, notice?: string): Promise<boolean> => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      await action();
      if (notice) setDone(notice);
      return true;
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, done, run, setError };
}

// Scout's own public API, as the web app calls it: the session and the fetch wrapper. The app holds the access token
// in memory only; the refresh token lives in an HttpOnly, SameSite=Strict cookie
// scoped to /v1/auth that the server sets when a request carries `X-Scout-Client: web`
// (script cannot read it, and other sites cannot send the custom header).

import { ApiError, type Problem, type TokenResponse, type User } from "./types";

type Listener = (user: User | null) => void;

/** The signed-in session: the access token, the account, and who is told of changes. */
class Session {
  private token: string | null = null;
  private expiresAt = 0;
  private refreshing: Promise<boolean> | null = null;
  user: User | null = null;
  /** The organisation acted for (an agency's client), sent as `X-Scout-Org`. */
  actingOrg: number | null = null;
  private listeners = new Set<Listener>();

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private set(user: User | null) {
    this.user = user;
    this.listeners.forEach((l) => l(user));
  }

  accept(t: TokenResponse) {
    this.token = t.access_token;
    // Refresh a little early so that a request never carries an expired token.
    this.expiresAt = Date.now() + Math.max(0, t.expires_in - 30) * 1000;
  }

  /** Exchanges the refresh cookie for a new access token; false when there is no session. */
  refresh(): Promise<boolean> {
    this.refreshing ??= (async () => {
      try {
        const res = await fetch("/v1/auth/refresh", {
          method: "POST",
          headers: { "X-Scout-Client": "web", "Content-Type": "application/json" },
          body: "{}",
          credentials: "same-origin",
        });
        if (!res.ok) {
          this.token = null;
          return false;
        }
        this.accept(await res.json());
        return true;
      } catch {
        return false;
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  async bearer(): Promise<string | null> {
    if (this.token && Date.now() < this.expiresAt) return this.token;
    return (await this.refresh()) ? this.token : null;
  }

  /** Restores a session from the refresh cookie at start-up. */
  async restore(): Promise<User | null> {
    if (!(await this.refresh())) {
      this.set(null);
      return null;
    }
    try {
      this.set(await api<User>("GET", "/v1/auth/me"));
    } catch {
      this.set(null);
    }
    return this.user;
  }

  async login(email: string, password: string, totp?: string): Promise<User> {
    const t = await api<TokenResponse>("POST", "/v1/auth/login", { email, password, ...(totp ? { totp } : {}) }, { anonymous: true });
    this.accept(t);
    const user = await api<User>("GET", "/v1/auth/me");
    this.ended = null;
    this.set(user);
    return user;
  }

  async logout() {
    try {
      await api("POST", "/v1/auth/logout");
    } finally {
      this.token = null;
      this.actingOrg = null;
      this.set(null);
    }
  }

  /** Why the last session ended without a logout (shown on the login page), if it did. */
  ended: "expired" | null = null;

  /** The server refused the session (expired, revoked, signed out elsewhere). */
  clear() {
    if (this.user) this.ended = "expired";
    this.token = null;
    this.set(null);
  }
}

export const session = new Session();

interface CallOptions {
  anonymous?: boolean;
  /** Act for the caller's own organisation even while working for an agency client. */
  ownOrg?: boolean;
  signal?: AbortSignal;
  /** Sent as `Idempotency-Key`: requests that move money are safe to send again with it. */
  idempotencyKey?: string;
}

/** Calls the API; resolves with the JSON body (undefined for 204) or throws an [`ApiError`]. */
export async function api<T = unknown>(method: string, path: string, body?: unknown, opts: CallOptions = {}): Promise<T> {
  const res = await send(method, path, body, opts);
  // 204, and a 202 that only says "taken in", have no body.
  const text = res.status === 204 ? "" : await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Calls the API and returns the raw response (for CSV and other non-JSON bodies). */
export async function send(method: string, path: string, body?: unknown, opts: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { "X-Scout-Client": "web", Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (opts.idempotencyKey) headers["Idempotency-Key"] = opts.idempotencyKey;
  if (!opts.anonymous) {
    const token = await session.bearer();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (session.actingOrg !== null && !opts.ownOrg) headers["X-Scout-Org"] = String(session.actingOrg);
  }
  let res: Response;
  try {
    const call = () =>
      fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "same-origin",
        signal: opts.signal,
      });
    res = await call();
    // A read the server turned away for now (this account's requests in flight, or a busy
    // server) is asked again after the Retry-After it gave, at most twice and at most 2 s.
    for (let tries = 0; tries < 2 && (res.status === 429 || res.status === 503) && method === "GET"; tries++) {
      const wait = Math.min(2, Math.max(0.2, Number(res.headers.get("retry-after") ?? "1") || 1));
      await new Promise((done) => setTimeout(done, wait * 1000));
      res = await call();
    }
  } catch (e) {
    if (e instanceof DOMException && e.name === "AbortError") throw e;
    const offline = typeof navigator !== "undefined" && navigator.onLine === false;
    const detail = offline ? "You are offline. Connect to the internet and try again." : "Scout could not be reached just now. Try again in a moment.";
    throw new ApiError({ title: "Scout cannot be reached", status: 0, code: "network", detail });
  }
  if (res.ok) return res;
  let problem: Problem;
  try {
    problem = await res.json();
  } catch {
    problem = { title: res.statusText, status: res.status, code: "http_" + res.status };
  }
  if (res.status === 401 && !opts.anonymous && path !== "/v1/auth/logout") session.clear();
  throw new ApiError({ ...problem, status: res.status });
}

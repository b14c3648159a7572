import { useState } from "preact/hooks";
import { api, session, type User } from "../api";
import { date, title } from "../ui/format";
import { Alert } from "../ui/Alert";
import { TableRegion } from "../ui/TableRegion";
import { useAction, useLoaded } from "../ui/hooks";
import { ClaimSection } from "./ClaimSection";
import { organisationsChanged, switchOrg } from "../app/org-state";

interface Org {
  id: number;
  kind: "brand" | "agency";
  name: string;
  role: string;
  through_agency: boolean;
}

interface Member {
  user_id: number;
  email: string;
  name: string;
  role: string;
  since: string;
}

interface Key {
  id: number;
  name: string;
  kind: string;
  prefix: string;
  scopes: string[];
  created_at?: string;
  last_used_at?: string | null;
  revoked_at?: string | null;
}

const SCOPES: [string, string][] = [
  ["search", "Search creators"],
  ["lists:read", "Read shortlists"],
  ["lists:write", "Edit shortlists"],
];

export function AccountPage({ user }: { user: User }) {
  return (
    <section class="page account">
      <h1 tabIndex={-1}>Account</h1>
      <div class="card">
        <h2>You</h2>
        <dl class="figures">
          <div>
            <dt>Name</dt>
            <dd>{user.name}</dd>
          </div>
          <div>
            <dt>Email</dt>
            <dd>{user.email}</dd>
          </div>
          <div>
            <dt>Account type</dt>
            <dd>{user.role === "influencer" ? "Creator" : title(user.role)}</dd>
          </div>
        </dl>
      </div>
      {user.role === "influencer" && <ClaimSection />}
      <TwoFactor user={user} />
      {(user.role === "brand" || user.role === "agency") && <Organisation />}
      {user.role === "agency" && <Clients />}
      <ApiKeys />
    </section>
  );
}

function TwoFactor({ user }: { user: User }) {
  const [setup, setSetup] = useState<{ secret: string; qr_svg: string } | null>(null);
  const [code, setCode] = useState("");
  const [codes, setCodes] = useState<string[] | null>(null);
  const [on, setOn] = useState(!!user.two_factor);
  const [error, setError] = useState<string | null>(null);

  async function start() {
    setError(null);
    try {
      setSetup(await api("POST", "/v1/auth/2fa/setup"));
    } catch (e) {
      setError((e as Error).message);
    }
  }
  async function enable(e: Event) {
    e.preventDefault();
    setError(null);
    try {
      const r = await api<{ recovery_codes: string[] }>("POST", "/v1/auth/2fa/enable", { code: code.trim() });
      setCodes(r.recovery_codes);
      setSetup(null);
      setOn(true);
    } catch (err) {
      setError((err as Error).message);
    }
  }

  // Changing 2FA once it is on: new recovery codes (a code), or off (the password and a code).
  const [manage, setManage] = useState<"renew" | "off" | null>(null);
  const [password, setPassword] = useState("");
  async function change(e: Event) {
    e.preventDefault();
    setError(null);
    try {
      if (manage === "renew") {
        setCodes((await api<{ recovery_codes: string[] }>("POST", "/v1/auth/2fa/recovery-codes", { code: code.trim() })).recovery_codes);
      } else {
        await api("POST", "/v1/auth/2fa/disable", { password, code: code.trim() });
        setOn(false);
        setCodes(null);
      }
      setManage(null);
      setCode("");
      setPassword("");
    } catch (err) {
      setError((err as Error).message);
    }
  }

  return (
    <section class="card" aria-labelledby="h-2fa">
      <h2 id="h-2fa">Two-factor authentication</h2>
      {error && <Alert>{error}</Alert>}
      {on && !codes && <p>On: logging in asks for a code from your authenticator app.</p>}
      {on && !manage && (
        <p class="actions">
          <button onClick={() => { setManage("renew"); setError(null); }}>New recovery codes</button>{" "}
          <button class="danger" onClick={() => { setManage("off"); setError(null); }}>
            Turn off
          </button>
        </p>
      )}
      {on && manage && (
        <form onSubmit={change} class="form narrow-form">
          <p>
            {manage === "renew"
              ? "New recovery codes replace all the old ones, used or not."
              : "Logins will need only your password. Confirm with your password and a code."}
          </p>
          {manage === "off" && (
            <label>
              Password
              <input type="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
            </label>
          )}
          <label>
            Code from the app, or a recovery code
            <input autoComplete="one-time-code" required pattern="[0-9A-Za-z\- ]{6,20}" value={code} onInput={(e) => setCode(e.currentTarget.value)} />
          </label>
          <p class="actions">
            <button type="submit" class={manage === "off" ? "danger" : "primary"}>
              {manage === "renew" ? "Make new codes" : "Turn off two-factor authentication"}
            </button>{" "}
            <button type="button" onClick={() => setManage(null)}>
              Cancel
            </button>
          </p>
        </form>
      )}
      {codes && (
        <>
          <Alert kind="success">Two-factor authentication is on.</Alert>
          <p>Keep these recovery codes somewhere safe; each works once in place of a code. They are shown only now.</p>
          <ul class="codes">
            {codes.map((c) => (
              <li key={c}>
                <code>{c}</code>
              </li>
            ))}
          </ul>
        </>
      )}
      {!on && !setup && (
        <>
          <p>Off. Protect the account with a code from an authenticator app at every login.</p>
          <button class="primary" onClick={start}>
            Set up two-factor authentication
          </button>
        </>
      )}
      {setup && (
        <form onSubmit={enable} class="twofa">
          <img src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(setup.qr_svg)}`} width={200} height={200} alt="QR code to scan with an authenticator app" />
          <div>
            <p>Scan the code with your authenticator app, or type this key into it:</p>
            <p>
              <code class="secret">{setup.secret}</code>
            </p>
            <label>
              Code from the app
              <input inputMode="numeric" autoComplete="one-time-code" required pattern="[0-9]{6}" value={code} onInput={(e) => setCode(e.currentTarget.value)} />
            </label>
            <button type="submit" class="primary">
              Turn on
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

function Organisation() {
  const { data: org, error: orgError } = useLoaded<Org, Org>("/v1/orgs/current", (o) => o);
  const { data: members, reload } = useLoaded("/v1/orgs/current/members", (r: { members: Member[] }) => r.members);
  const [email, setEmail] = useState("");
  const [role, setRole] = useState("member");
  const { error, run } = useAction();
  const act = async (f: () => Promise<unknown>) => (await run(f)) && (await reload());
  // While it loads, the card keeps about the room it will take, so the cards below do not jump.
  if (!org)
    return orgError ? (
      <Alert>{orgError}</Alert>
    ) : (
      <section class="card org-loading" aria-busy="true" aria-labelledby="h-org">
        <h2 id="h-org">Organisation</h2>
        <p class="muted">Loading…</p>
      </section>
    );
  const admin = org.role === "owner" || org.role === "admin";
  return (
    <section class="card" aria-labelledby="h-org">
      <h2 id="h-org">Organisation: {org.name}</h2>
      <p class="muted">
        {title(org.kind)} · your role: {org.role}
      </p>
      {error && <Alert>{error}</Alert>}
      <TableRegion label="Members of the organisation (table)">
        <table class="stack">
          <caption class="visually-hidden">Members</caption>
          <thead>
            <tr>
              <th scope="col">Member</th>
              <th scope="col">Role</th>
              <th scope="col">Since</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {members === null && (
              <tr>
                <td colSpan={4} class="muted">
                  Loading members…
                </td>
              </tr>
            )}
            {(members ?? []).map((m) => (
              <tr key={m.user_id}>
                <td data-label="Member">
                  {m.name}
                  <br />
                  <small class="muted">{m.email}</small>
                </td>
                <td data-label="Role">
                  {admin && m.role !== "owner" ? (
                    <select aria-label={`Role of ${m.name}`} value={m.role} onChange={(e) => act(() => api("PATCH", `/v1/orgs/current/members/${m.user_id}`, { role: e.currentTarget.value }))}>
                      {["admin", "member", "viewer"].map((r) => (
                        <option key={r}>{r}</option>
                      ))}
                    </select>
                  ) : (
                    m.role
                  )}
                </td>
                <td data-label="Since">{date(m.since)}</td>
                <td data-label="">
                  {admin && m.role !== "owner" && (
                    <button class="danger" onClick={() => act(() => api("DELETE", `/v1/orgs/current/members/${m.user_id}`))}>
                      Remove
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableRegion>
      {admin && (
        <form
          class="inline"
          onSubmit={(e) => {
            e.preventDefault();
            act(() => api("POST", "/v1/orgs/current/members", { email: email.trim(), role }).then(() => setEmail("")));
          }}
        >
          <label>
            Add a member by email
            <input type="email" required value={email} placeholder="colleague@company.com" onInput={(e) => setEmail(e.currentTarget.value)} />
          </label>
          <label>
            Role
            <select value={role} onChange={(e) => setRole(e.currentTarget.value)}>
              {["admin", "member", "viewer"].map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          </label>
          <button type="submit">Add member</button>
        </form>
      )}
      <p class="muted small">A member needs a Scout account first; shortlists and saved searches are shared with every member.</p>
    </section>
  );
}

/** An agency's client brands, and which one the app acts for. */
function Clients() {
  const { data, error: loadError, reload } = useLoaded("/v1/orgs", (r: { organisations: Org[] }) => r.organisations.filter((o) => o.through_agency));
  const clients = data ?? [];
  const [name, setName] = useState("");
  const { error, run } = useAction();
  const [acting, setActing] = useState(session.actingOrg);
  return (
    <section class="card" aria-labelledby="h-clients">
      <h2 id="h-clients">Client brands</h2>
      <p class="muted">Switch to a client to search, shortlist and report for that brand; the switcher is also in the top bar.</p>
      {(error || loadError) && <Alert>{error || loadError}</Alert>}
      <ul class="clients">
        {clients.map((c) => (
          <li key={c.id}>
            {c.name} <small class="muted">({c.role})</small>{" "}
            {acting === c.id ? (
              <strong>· working for this client</strong>
            ) : (
              <button class="link" onClick={() => { switchOrg(c.id); setActing(c.id); }}>
                Work for this client
              </button>
            )}
          </li>
        ))}
        {!clients.length && <li class="muted">No clients yet.</li>}
      </ul>
      <form
        class="inline"
        onSubmit={async (e) => {
          e.preventDefault();
          const added = await run(() => api("POST", "/v1/orgs/current/clients", { name: name.trim() }, { ownOrg: true }));
          if (!added) return;
          setName("");
          await reload();
          organisationsChanged();
        }}
      >
        <label>
          New client brand
          <input required maxLength={120} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <button type="submit">Add client</button>
      </form>
    </section>
  );
}

function ApiKeys() {
  const { data, error: loadError, reload } = useLoaded("/v1/keys", (r: { keys: Key[] }) => r.keys);
  // Revoked keys no longer work; the organisation's audit log keeps when each was revoked.
  const keys = (data ?? []).filter((k) => !k.revoked_at);
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<string[]>(["search"]);
  const [secret, setSecret] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const { error, run } = useAction();
  return (
    <section class="card" aria-labelledby="h-keys">
      <h2 id="h-keys">API keys</h2>
      <p class="muted">
        For scripts and integrations: send the key itself as a bearer token, <code>Authorization: Bearer sk_…</code>, on every request. A key can do
        only what its scopes allow.
      </p>
      {(error || loadError) && <Alert>{error || loadError}</Alert>}
      {secret && (
        <Alert kind="success">
          New key (shown only now, so copy it): <code class="secret">{secret}</code>{" "}
          <button
            type="button"
            onClick={() =>
              run(async () => {
                await navigator.clipboard.writeText(secret);
                setCopied(true);
              })
            }
          >
            {copied ? "Copied" : "Copy key"}
          </button>
        </Alert>
      )}
      <ul class="keys">
        {keys.map((k) => (
          <li key={k.id}>
            <strong>{k.name}</strong> <code>{k.prefix}…</code> <small class="muted">{k.scopes.join(", ")}</small>{" "}
            <button class="danger" onClick={async () => (await run(() => api("DELETE", `/v1/keys/${k.id}`))) && reload()}>
              Revoke
            </button>
          </li>
        ))}
        {!keys.length && <li class="muted">No keys yet.</li>}
      </ul>
      <form
        class="inline"
        onSubmit={async (e) => {
          e.preventDefault();
          const created = await run(async () => setSecret((await api<Key & { secret: string }>("POST", "/v1/keys", { name: name.trim(), scopes })).secret));
          setCopied(false);
          if (!created) return;
          setName("");
          await reload();
        }}
      >
        <label>
          Key name
          <input required maxLength={120} value={name} placeholder="e.g. CRM sync" onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <fieldset class="scopes">
          <legend>Scopes</legend>
          {SCOPES.map(([s, label]) => (
            <label key={s} class="check">
              <input type="checkbox" checked={scopes.includes(s)} onChange={(e) => setScopes(e.currentTarget.checked ? [...scopes, s] : scopes.filter((x) => x !== s))} />
              {label}
            </label>
          ))}
        </fieldset>
        <button type="submit" disabled={!scopes.length}>
          Create key
        </button>
      </form>
    </section>
  );
}

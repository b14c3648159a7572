import { useState } from "preact/hooks";
import { api, ApiError, session } from "../api";
import { useAction } from "../ui/hooks";
import { navigate, onLinkClick } from "../app/router";
import { Alert } from "../ui/Alert";

export function LoginPage() {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [totp, setTotp] = useState("");
  const [needsTotp, setNeedsTotp] = useState(false);
  const { busy, error, run } = useAction();

  async function submit(e: Event) {
    e.preventDefault();
    // App moves on to ?next= once the session is set.
    await run(async () => {
      try {
        await session.login(email, password, needsTotp ? totp : undefined);
      } catch (err) {
        if (!(err instanceof ApiError && err.code === "totp_required")) throw err;
        setNeedsTotp(true);
      }
    });
  }

  return (
    <section class="page auth">
      <h1 tabIndex={-1}>Log in to Scout</h1>
      <form onSubmit={submit} class="card form">
        {error && <Alert>{error}</Alert>}
        <label>
          Email
          <input type="email" autoComplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
        <label>
          Password
          <input type="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        {needsTotp && (
          <label>
            Authentication code
            <input inputMode="numeric" autoComplete="one-time-code" required pattern="[0-9A-Za-z\-]{6,20}" value={totp} onInput={(e) => setTotp(e.currentTarget.value)} autoFocus />
            <small>The 6-digit code from your authenticator app, or a recovery code.</small>
          </label>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Logging in…" : "Log in"}
        </button>
        <p>
          New to Scout? <a href="/signup" onClick={onLinkClick}>Create an account</a>
        </p>
      </form>
    </section>
  );
}

const ROLES: [string, string, string][] = [
  ["brand", "Brand", "Find creators, shortlist them and run campaigns."],
  ["agency", "Agency", "Do it for many client brands."],
  ["influencer", "Creator", "Claim your profile and find campaigns."],
];

/**
 * Logs in right after a sign-up. The server answers a sign-up before the
 * account exists (and the same way for an address that already has one), so
 * the first tries may meet `invalid_credentials`: wait a moment and retry,
 * then say what a refusal means.
 */
async function loginAfterSignup(email: string, password: string) {
  for (const wait of [150, 500, 1200]) {
    await new Promise((done) => setTimeout(done, wait));
    try {
      await session.login(email, password);
      return;
    } catch (err) {
      if (!(err instanceof ApiError && err.code === "invalid_credentials")) throw err;
    }
  }
  throw new Error(
    "We could not log you in. If this address already had a Scout account, we have told its owner by mail: log in with that account's password, or reset it.",
  );
}

export function SignupPage() {
  const [role, setRole] = useState("brand");
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const { busy, error, run } = useAction();

  async function submit(e: Event) {
    e.preventDefault();
    const ok = await run(async () => {
      await api("POST", "/v1/auth/register", { email, password, role, name }, { anonymous: true });
      await loginAfterSignup(email, password);
    });
    if (ok) navigate(role === "influencer" ? "/account" : "/search", true);
  }

  return (
    <section class="page auth">
      <h1 tabIndex={-1}>Create your Scout account</h1>
      <form onSubmit={submit} class="card form">
        {error && <Alert>{error}</Alert>}
        <fieldset class="roles">
          <legend>I am a</legend>
          {ROLES.map(([value, label, hint]) => (
            <label key={value} class={role === value ? "role selected" : "role"}>
              <input type="radio" name="role" value={value} checked={role === value} onChange={() => setRole(value)} />
              <strong>{label}</strong>
              <small>{hint}</small>
            </label>
          ))}
        </fieldset>
        <label>
          {role === "influencer" ? "Your name" : "Company name"}
          <input required maxLength={120} autoComplete="organization" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          Work email
          <input type="email" required autoComplete="email" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
        <label>
          Password
          <input type="password" required minLength={10} autoComplete="new-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
          <small>At least 10 characters, not your email.</small>
        </label>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Creating…" : "Create account"}
        </button>
        <p>
          Already have an account? <a href="/login" onClick={onLinkClick}>Log in</a>
        </p>
      </form>
    </section>
  );
}

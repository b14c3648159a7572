import { useEffect, useState } from "preact/hooks";
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
  const ended = new URLSearchParams(window.location.search).get("ended") === "1";

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
        {ended && !error && <Alert kind="info">Your session has ended (it expired, or you logged out on another device). Log in again to pick up where you were.</Alert>}
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
        <p>
          <a href="/forgot-password" onClick={onLinkClick}>
            Forgot your password?
          </a>
        </p>
      </form>
    </section>
  );
}

/** Asks for a reset mail. The answer is the same whether or not the address has an account. */
export function ForgotPasswordPage() {
  const [email, setEmail] = useState("");
  const [sent, setSent] = useState(false);
  const { busy, error, run } = useAction();
  return (
    <section class="page auth">
      <h1 tabIndex={-1}>Reset your password</h1>
      <form
        class="card form"
        onSubmit={async (e) => {
          e.preventDefault();
          if (await run(() => api("POST", "/v1/auth/password/forgot", { email: email.trim() }, { anonymous: true }))) setSent(true);
        }}
      >
        {error && <Alert>{error}</Alert>}
        {sent ? (
          <Alert kind="success">If {email.trim()} has a Scout account, a mail with a link to choose a new password is on its way. The link works for an hour.</Alert>
        ) : (
          <>
            <p>Type the email you log in with; we mail you a link to choose a new password.</p>
            <label>
              Email
              <input type="email" autoComplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
            </label>
            <button type="submit" class="primary" disabled={busy}>
              {busy ? "Sending…" : "Mail me a link"}
            </button>
          </>
        )}
        <p>
          <a href="/login" onClick={onLinkClick}>
            Back to log in
          </a>
        </p>
      </form>
    </section>
  );
}

/** Sets a new password with the token from the reset mail's link (`?token=`). */
export function ResetPasswordPage({ token }: { token: string }) {
  const [password, setPassword] = useState("");
  const [done, setDone] = useState(false);
  const { busy, error, run } = useAction();
  return (
    <section class="page auth">
      <h1 tabIndex={-1}>Choose a new password</h1>
      <form
        class="card form"
        onSubmit={async (e) => {
          e.preventDefault();
          if (await run(() => api("POST", "/v1/auth/password/reset", { token: token.trim(), new_password: password }, { anonymous: true }))) setDone(true);
        }}
      >
        {error && <Alert>{error}</Alert>}
        {!token && <Alert>This page needs the link from the reset mail. <a href="/forgot-password" onClick={onLinkClick}>Ask for a new one</a>.</Alert>}
        {done ? (
          <Alert kind="success">
            Your password is changed, and every session of the account has ended. <a href="/login" onClick={onLinkClick}>Log in</a> with the new one.
          </Alert>
        ) : (
          token && (
            <>
              <label>
                New password
                <input type="password" autoComplete="new-password" required minLength={10} maxLength={256} value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
                <small>At least 10 characters; a few words make a strong, memorable one.</small>
              </label>
              <button type="submit" class="primary" disabled={busy}>
                {busy ? "Saving…" : "Set the new password"}
              </button>
            </>
          )
        )}
      </form>
    </section>
  );
}

/** Confirms an email address with the token from the welcome mail's link (`?token=`). */
export function VerifyEmailPage({ token }: { token: string }) {
  const [state, setState] = useState<"working" | "done" | "failed">("working");
  const [message, setMessage] = useState("");
  useEffect(() => {
    api("POST", "/v1/auth/verify-email", { token: token.trim() }, { anonymous: true })
      .then(() => setState("done"))
      .catch((e) => {
        setState("failed");
        setMessage(e instanceof Error ? e.message : String(e));
      });
  }, [token]);
  return (
    <section class="page auth">
      <h1 tabIndex={-1}>Confirm your email</h1>
      <div class="card form">
        {state === "working" && <p role="status">Confirming…</p>}
        {state === "done" && <Alert kind="success">Your email address is confirmed. Thank you.</Alert>}
        {state === "failed" && <Alert>{message} The link works once, for a limited time.</Alert>}
        <p>
          <a href="/" onClick={onLinkClick}>
            Go to Scout
          </a>
        </p>
      </div>
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
  // A referral link (/signup?ref=CODE) carries the referrer's code.
  const [referral, setReferral] = useState(() => new URLSearchParams(window.location.search).get("ref") ?? "");
  const { busy, error, run } = useAction();

  async function submit(e: Event) {
    e.preventDefault();
    const ok = await run(async () => {
      const code = referral.trim();
      const body = { email, password, role, name, ...(code ? { referral_code: code } : {}) };
      await api("POST", "/v1/auth/register", body, { anonymous: true });
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
        <label>
          Referral code <span class="optional">(optional)</span>
          <input
            maxLength={12}
            autoComplete="off"
            spellcheck={false}
            value={referral}
            onInput={(e) => setReferral(e.currentTarget.value)}
            pattern="\s*[A-Za-z0-9]{8}\s*"
            title="8 letters and digits"
          />
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

import { render } from "preact";
import type { ComponentChildren } from "preact";
import { useEffect, useErrorBoundary, useState } from "preact/hooks";
import { session, type User } from "./api";

// The agency client the app acts for survives reloads within the tab.
const savedOrg = Number(sessionStorage.getItem("scout.org"));
if (Number.isInteger(savedOrg) && savedOrg > 0) session.actingOrg = savedOrg;
import { match, navigate, onLinkClick, useLocation } from "./router";
import { LoginPage, SignupPage } from "./pages/Auth";
import { SearchPage } from "./pages/Search";
import { ProfilePage } from "./pages/Profile";
import { ShortlistsPage, ShortlistPage } from "./pages/Shortlists";
import { AccountPage, switchOrg } from "./pages/Account";
import { api } from "./api";
import "./styles.css";

function useUser(): [User | null, boolean] {
  const [user, setUser] = useState<User | null>(session.user);
  const [ready, setReady] = useState(false);
  useEffect(() => {
    const off = session.subscribe(setUser);
    session.restore().finally(() => setReady(true));
    return off;
  }, []);
  return [user, ready];
}

const PUBLIC = ["/login", "/signup"];

function useActingOrg(): number | null {
  const [org, setOrg] = useState(session.actingOrg);
  useEffect(() => {
    const l = () => setOrg(session.actingOrg);
    window.addEventListener("scout:org", l);
    return () => window.removeEventListener("scout:org", l);
  }, []);
  return org;
}

function App() {
  const [user, ready] = useUser();
  const org = useActingOrg();
  const loc = useLocation();
  const path = loc.path === "/" ? "/search" : loc.path;

  useEffect(() => {
    if (!ready) return;
    if (!user && !PUBLIC.includes(path)) {
      const back = path + (loc.query.toString() ? `?${loc.query}` : "");
      navigate(`/login?next=${encodeURIComponent(back)}`, true);
    } else if (user && PUBLIC.includes(path)) {
      navigate(loc.query.get("next") || home(user), true);
    }
  }, [ready, user, path]);

  useEffect(() => {
    // Moves focus to the new page's heading, so keyboard and screen-reader users
    // land on the content after a navigation.
    document.querySelector<HTMLElement>("main h1")?.focus({ preventScroll: true });
  }, [path]);

  if (!ready) return <div class="boot" role="status">Loading Scout…</div>;

  let page;
  let params: Record<string, string> | null;
  if (path === "/login") page = <LoginPage />;
  else if (path === "/signup") page = <SignupPage />;
  else if (!user) page = null;
  else if (path === "/search") page = <SearchPage query={loc.query} user={user} />;
  else if ((params = match("/profiles/:id", path))) page = <ProfilePage id={Number(params.id)} user={user} />;
  else if (path === "/shortlists") page = <ShortlistsPage />;
  else if ((params = match("/shortlists/:id", path))) page = <ShortlistPage id={Number(params.id)} compare={loc.query.get("compare")} />;
  else if (path === "/account") page = <AccountPage user={user} />;
  else page = <NotFound />;

  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <Header user={user} path={path} />
      {/* A switch of client brand remounts the page, so everything reloads for that brand. */}
      <main id="main" tabIndex={-1} key={org ?? 0}>
        <Boundary key={path}>{page}</Boundary>
      </main>
    </>
  );
}

function home(user: User): string {
  return user.role === "influencer" ? "/account" : "/search";
}

function Header({ user, path }: { user: User | null; path: string }) {
  const [open, setOpen] = useState(false);
  const link = (href: string, label: string) => (
    <a href={href} onClick={(e) => { setOpen(false); onLinkClick(e); }} aria-current={path.startsWith(href) ? "page" : undefined}>
      {label}
    </a>
  );
  return (
    <header class="topbar">
      <a href="/search" class="brand" onClick={onLinkClick}>
        <span aria-hidden="true">◎</span> Scout
      </a>
      {user && (
        <>
          <button class="menu-toggle" aria-expanded={open} aria-controls="nav" onClick={() => setOpen(!open)}>
            Menu
          </button>
          <nav id="nav" class={open ? "open" : ""} aria-label="Main">
            {user.role !== "influencer" && link("/search", "Search")}
            {user.role !== "influencer" && link("/shortlists", "Shortlists")}
            {link("/account", "Account")}
            {user.role === "agency" && <OrgSwitcher />}
            <span class="who" title={user.email}>
              {user.name} · {user.role === "influencer" ? "creator" : user.role}
            </span>
            <button
              class="link"
              onClick={async () => {
                await session.logout();
                navigate("/login", true);
              }}
            >
              Log out
            </button>
          </nav>
        </>
      )}
    </header>
  );
}

interface OrgOut {
  id: number;
  name: string;
  through_agency: boolean;
}

/** An agency works for itself or for one of its client brands. */
function OrgSwitcher() {
  const [orgs, setOrgs] = useState<OrgOut[]>([]);
  const org = useActingOrg();
  useEffect(() => {
    const load = () =>
      api<{ organisations: OrgOut[] }>("GET", "/v1/orgs")
        .then((r) => setOrgs(r.organisations))
        .catch(() => setOrgs([]));
    load();
    // The account page announces a new client brand.
    window.addEventListener("scout:orgs", load);
    return () => window.removeEventListener("scout:orgs", load);
  }, [org]);
  if (orgs.length < 2) return null;
  const own = orgs.find((o) => !o.through_agency);
  return (
    <label class="switcher">
      <span class="visually-hidden">Working for</span>
      <select value={org ?? ""} onChange={(e) => switchOrg(e.currentTarget.value ? Number(e.currentTarget.value) : null)}>
        <option value="">{own?.name ?? "My agency"}</option>
        {orgs
          .filter((o) => o.through_agency)
          .map((o) => (
            <option key={o.id} value={o.id}>
              Client: {o.name}
            </option>
          ))}
      </select>
    </label>
  );
}

/** A page that fails while drawing says so, instead of leaving a blank screen. */
function Boundary({ children }: { children: ComponentChildren }) {
  const [error, reset] = useErrorBoundary((e) => console.error("page failed", e));
  if (error) {
    return (
      <section class="page narrow">
        <h1 tabIndex={-1}>Something went wrong on this page</h1>
        <p class="alert error" role="alert">
          {String(error instanceof Error ? error.message : error)}
        </p>
        <p>
          <button onClick={reset}>Try again</button> or <a href="/search" onClick={onLinkClick}>go to search</a>.
        </p>
      </section>
    );
  }
  return <>{children}</>;
}

function NotFound() {
  return (
    <section class="page narrow">
      <h1 tabIndex={-1}>Page not found</h1>
      <p>
        There is nothing at this address. <a href="/search" onClick={onLinkClick}>Go to search</a>.
      </p>
    </section>
  );
}

render(<App />, document.getElementById("app")!);

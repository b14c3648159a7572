// The shell of the app: who is signed in, which page the path names (the routes), the
// header, and a boundary that keeps a failing page from blanking the screen.
import type { ComponentChildren } from "preact";
import { useEffect, useErrorBoundary, useState } from "preact/hooks";
import { session, type User } from "../api";
import { useActingOrg } from "./org-state";
import { Header } from "./Header";
import { match, navigate, onLinkClick, useLocation } from "./router";
import { ForgotPasswordPage, LoginPage, ResetPasswordPage, SignupPage, VerifyEmailPage } from "../auth/AuthPages";
import { SearchPage } from "../search/SearchPage";
import { Landing } from "../auth/Landing";
import { ProfilePage } from "../profile/ProfilePage";
import { ShortlistsPage, ShortlistPage } from "../shortlists/ShortlistsPage";
import { AccountPage } from "../account/AccountPage";
import { ReferralsPage } from "../account/ReferralsPage";
import { CampaignForm, CampaignPage, CampaignsPage } from "../campaigns/CampaignsPage";
import { InvitePage } from "../campaigns/Invite";
import { ListingPage, MarketplacePage } from "../market/MarketplacePage";
import { ThreadPage, ThreadsPage } from "../deals/ThreadPage";
import { ContractPage } from "../deals/ContractPage";
import { WalletPage } from "../money/WalletPage";
import { EarningsPage } from "../money/EarningsPage";

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

const PUBLIC = ["/", "/login", "/signup", "/forgot-password", "/reset-password"];
/** Pages anyone may open, signed in or not (the link in a mail). */
const OPEN = ["/verify-email"];

export function App() {
  const [user, ready] = useUser();
  const org = useActingOrg();
  const loc = useLocation();
  // The root is the landing page for visitors and the search for everyone signed in.
  const path = loc.path === "/" && user ? "/search" : loc.path;

  useEffect(() => {
    if (!ready) return;
    if (OPEN.includes(path)) return;
    if (!user && !PUBLIC.includes(path)) {
      const back = path + (loc.query.toString() ? `?${loc.query}` : "");
      // A session that ended on its own says so on the login page.
      navigate(`/login?next=${encodeURIComponent(back)}${session.ended ? "&ended=1" : ""}`, true);
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
  if (path === "/") page = <Landing />;
  else if (path === "/login") page = <LoginPage />;
  else if (path === "/signup") page = <SignupPage />;
  else if (path === "/forgot-password") page = <ForgotPasswordPage />;
  else if (path === "/reset-password") page = <ResetPasswordPage token={loc.query.get("token") ?? ""} />;
  else if (path === "/verify-email") page = <VerifyEmailPage token={loc.query.get("token") ?? ""} />;
  else if (!user) page = null;
  else if (path === "/search") page = <SearchPage query={loc.query} user={user} />;
  else if ((params = match("/profiles/:id", path))) page = <ProfilePage id={Number(params.id)} user={user} />;
  else if (path === "/shortlists") page = <ShortlistsPage />;
  else if ((params = match("/shortlists/:id", path))) page = <ShortlistPage id={Number(params.id)} compare={loc.query.get("compare")} />;
  else if (path === "/account") page = <AccountPage user={user} />;
  else if (path === "/referrals") page = <ReferralsPage />;
  else if (path === "/wallet") page = <WalletPage />;
  else if (path === "/earnings") page = <EarningsPage />;
  else if (path === "/campaigns") page = <CampaignsPage query={loc.query} />;
  else if ((params = match("/invite/:id", path))) page = <InvitePage profileId={Number(params.id)} />;
  else if (path === "/campaigns/new") page = <CampaignForm />;
  else if ((params = match("/campaigns/:id/edit", path))) page = <CampaignForm id={Number(params.id)} />;
  else if ((params = match("/campaigns/:id", path))) page = user.role === "influencer" ? <ListingPage id={Number(params.id)} /> : <CampaignPage id={Number(params.id)} />;
  else if (path === "/marketplace") page = <MarketplacePage query={loc.query} />;
  else if ((params = match("/marketplace/:id", path))) page = <ListingPage id={Number(params.id)} />;
  else if (path === "/deals") page = <ThreadsPage />;
  else if ((params = match("/threads/:id", path))) page = <ThreadPage id={Number(params.id)} user={user} />;
  else if ((params = match("/contracts/:id", path))) page = <ContractPage id={Number(params.id)} user={user} />;
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
  return user.role === "influencer" ? "/marketplace" : "/search";
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


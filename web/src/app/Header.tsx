// The top bar: the brand, the main navigation, the agency's client switcher, log-out.
import { useState } from "preact/hooks";
import { api, session, type User } from "../api";
import { navigate, onLinkClick } from "./router";
import { Bell } from "../inbox/Bell";
import { switchOrg, useActingOrg, useOrganisationsChanged } from "./org-state";

export function Header({ user, path }: { user: User | null; path: string }) {
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
          <Bell />
          <button class="menu-toggle" aria-expanded={open} aria-controls="nav" onClick={() => setOpen(!open)}>
            Menu
          </button>
          <nav id="nav" class={open ? "open" : ""} aria-label="Main">
            {user.role !== "influencer" && link("/search", "Search")}
            {user.role !== "influencer" && link("/shortlists", "Shortlists")}
            {user.role !== "influencer" && link("/campaigns", "Campaigns")}
            {user.role === "influencer" && link("/marketplace", "Marketplace")}
            {link("/deals", "Deals")}
            {user.role !== "influencer" && link("/wallet", "Wallet")}
            {user.role === "influencer" && link("/earnings", "Earnings")}
            {link("/referrals", "Referrals")}
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
  // Reloaded on a switch and when the account page adds a client brand.
  useOrganisationsChanged(() => {
    api<{ organisations: OrgOut[] }>("GET", "/v1/orgs")
      .then((r) => setOrgs(r.organisations))
      .catch(() => setOrgs([]));
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

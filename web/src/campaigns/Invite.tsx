import { useState } from "preact/hooks";
import { api, type Campaign, type Negotiation, type Profile, type Terms } from "../api";
import { navigate, onLinkClick } from "../app/router";
import { Alert } from "../ui/Alert";
import { PageHead, Pending } from "../ui/PageHead";
import { useAction, useLoaded } from "../ui/hooks";
import { date } from "../ui/format";
import { TermsEditor } from "../deals/terms";

/**
 * Inviting a creator found in search, on a profile or in a shortlist: pick one of the
 * brand's campaigns that takes invitations, then the offer (fees per deliverable, dates)
 * and a message; the thread opens on sending.
 */
export function InvitePage({ profileId }: { profileId: number }) {
  const profile = useLoaded<Profile, Profile>(`/v1/profiles/${profileId}`, (p) => p);
  const campaigns = useLoaded<{ campaigns: Campaign[] }, Campaign[]>("/v1/campaigns?limit=100", (r) => r.campaigns);
  const [chosen, setChosen] = useState<number | null>(null);
  if (!profile.data || !campaigns.data) return <Pending error={profile.error ?? campaigns.error} />;
  const p = profile.data;
  const open = campaigns.data.filter((c) => c.status === "open" || c.status === "in_progress");
  const campaign = open.find((c) => c.id === chosen);
  return (
    <section class="page">
      <PageHead back={`/profiles/${p.id}`} backLabel={p.display_name || `@${p.handle}`} heading={`Invite @${p.handle}`} />
      {open.length === 0 ? (
        <p>
          None of your campaigns takes invitations now: publish one first.{" "}
          <a href="/campaigns" onClick={onLinkClick}>
            Your campaigns
          </a>
        </p>
      ) : (
        <fieldset class="card">
          <legend>Which campaign?</legend>
          {open.map((c) => (
            <label key={c.id} class="check">
              <input type="radio" name="campaign" checked={chosen === c.id} onChange={() => setChosen(c.id)} />
              {c.spec.name} <span class="muted small">· {c.status === "open" ? "open" : "in progress"} · ends {date(c.spec.ends_on)}</span>
            </label>
          ))}
        </fieldset>
      )}
      {campaign && (
        <Invite
          key={campaign.id}
          campaign={campaign}
          profile={{ id: p.id, handle: p.handle }}
          onClose={() => setChosen(null)}
          onSent={(n) => navigate(`/threads/${n.id}`)}
        />
      )}
    </section>
  );
}

/** The link to [`InvitePage`] shown beside "Add to shortlist". */
export function InviteLink({ profileId }: { profileId: number }) {
  return (
    <a class="button" href={`/invite/${profileId}`} onClick={onLinkClick}>
      Invite to a campaign
    </a>
  );
}

export function Invite({ campaign: c, profile: m, onClose, onSent }: { campaign: Campaign; profile: { id: number; handle: string }; onClose: () => void; onSent: (n: Negotiation) => void }) {
  const s = c.spec;
  const currency = s.budget.currency;
  const [terms, setTerms] = useState<Terms | null>(null);
  const [message, setMessage] = useState("");
  const { busy, error, run } = useAction();
  const lines = (s.deliverables?.length ? s.deliverables : [{ kind: "post" as const, count: 1, due_on: null }]).map((d) => ({
    kind: d.kind,
    count: d.count,
    fee: { amount_minor: 0, currency },
    due_on: d.due_on ?? s.ends_on,
  }));
  return (
    <form
      class="card form"
      aria-label={`Invite ${m.handle}`}
      onSubmit={async (e) => {
        e.preventDefault();
        let n: Negotiation | null = null;
        if (await run(async () => (n = await api<Negotiation>("POST", `/v1/campaigns/${c.id}/invitations`, { profile_id: m.id, message, terms }))) && n) onSent(n);
      }}
    >
      <h2>Your offer to @{m.handle}</h2>
      {error && <Alert>{error}</Alert>}
      <label>
        Message
        <textarea rows={3} maxLength={5000} value={message} onInput={(e) => setMessage(e.currentTarget.value)} />
      </label>
      <TermsEditor initial={lines} currency={currency} onChange={setTerms} />
      <div class="toolbar">
        <button class="primary" type="submit" disabled={busy || !terms}>
          Send invitation
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </form>
  );
}

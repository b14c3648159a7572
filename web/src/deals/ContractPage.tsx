// A contract: terms and their hash, signatures, milestones (submit, approve, ask for a
// revision), and the reviews once it is complete; live as the other side acts.
import { useEffect, useState } from "preact/hooks";
import { api, send, type Contract, type Milestone, type Review, type User } from "../api";
import { onNotification } from "../app/live";
import { Alert } from "../ui/Alert";
import { PageHead, Pending } from "../ui/PageHead";
import { useAction, useLoaded } from "../ui/hooks";
import { date, exactMoney, money, parseAmount, title } from "../ui/format";
import { onLinkClick } from "../app/router";
import { TermsTable } from "./terms";

export function ContractPage({ id, user }: { id: number; user: User }) {
  const { data: k, error: loadError, reload } = useLoaded(`/v1/contracts/${id}`, (r: Contract) => r);
  const reviews = useLoaded(`/v1/contracts/${id}/reviews`, (r: { reviews: Review[] }) => r.reviews);
  const { busy, error, done, run } = useAction();
  useEffect(
    () =>
      onNotification((n) => {
        if (n.contract_id === id) {
          reload();
          reviews.reload();
        }
      }),
    [id],
  );
  if (!k) return <Pending error={loadError} />;
  const side = user.role === "influencer" ? "creator" : "brand";
  const signed = k.signatures.some((s) => s.side === side);
  const act = (what: () => Promise<unknown>, notice?: string) => run(what, notice).then((ok) => void (ok && reload()));
  const mine = reviews.data?.find((r) => r.by === side);
  return (
    <section class="page">
      <PageHead back="/deals" backLabel="Deals" heading={`Contract #${k.id}`} status={k.status} />
      <p class="muted">
        Campaign {k.campaign_id} · {money(k.total.amount_minor, k.total.currency)} · terms {k.terms_version}, hash <code>{k.terms_hash.slice(0, 12)}…</code> ·{" "}
        <button
          class="link"
          onClick={() =>
            run(async () => {
              const res = await send("GET", `/v1/contracts/${k.id}/terms.txt`);
              const url = URL.createObjectURL(await res.blob());
              window.open(url, "_blank", "noopener");
              setTimeout(() => URL.revokeObjectURL(url), 60_000);
            })
          }
        >
          read the terms
        </button>{" "}
        ·{" "}
        <button
          class="link"
          onClick={() =>
            run(async () => {
              const res = await send("GET", `/v1/contracts/${k.id}/contract.pdf`);
              const url = URL.createObjectURL(await res.blob());
              const a = document.createElement("a");
              a.href = url;
              a.download = `scout-contract-${k.id}.pdf`;
              a.click();
              setTimeout(() => URL.revokeObjectURL(url), 60_000);
            })
          }
        >
          download as PDF
        </button>
      </p>
      {error && <Alert>{error}</Alert>}
      {done && <Alert kind="success">{done}</Alert>}
      {k.money.message && (
        <Alert kind="info">
          {k.money.message}{" "}
          {side === "brand" && (
            <a href="/wallet" onClick={onLinkClick}>
              Add money to the wallet
            </a>
          )}
        </Alert>
      )}
      <MoneyCard k={k} side={side} />
      <div class="grid-2">
        <div class="card">
          <h2>Signatures</h2>
          <ul>
            {(["brand", "creator"] as const).map((s) => {
              const sig = k.signatures.find((x) => x.side === s);
              return <li key={s}>{sig ? `${title(s)}: signed by ${sig.name} on ${date(sig.signed_at)}` : `${title(s)}: not signed yet`}</li>;
            })}
          </ul>
          {k.status === "awaiting_signatures" && !signed && (
            <button class="primary" disabled={busy} onClick={() => act(() => api("POST", `/v1/contracts/${k.id}/sign`), "Signed")}>
              Sign the contract
            </button>
          )}
        </div>
        <div class="card">
          <h2>Terms</h2>
          <TermsTable terms={k.terms} caption="Contract terms" />
        </div>
      </div>
      <h2>Milestones</h2>
      <ol class="milestones">
        {k.milestones.map((m) => (
          <MilestoneRow key={m.index} contract={k} m={m} side={side} admin={user.role === "admin"} busy={busy} act={act} />
        ))}
      </ol>
      {k.status === "completed" && (
        <div class="card">
          <h2>Reviews</h2>
          {reviews.data?.map((r) => (
            <p key={r.id}>
              <strong>{"★".repeat(r.rating)}{"☆".repeat(5 - r.rating)}</strong> by the {r.by}
              {r.on_time != null && ` · ${r.on_time ? "on time" : "late"}`}: {r.text || <span class="muted">no text</span>}
            </p>
          ))}
          {!mine && <ReviewForm contract={k.id} onDone={() => reviews.reload()} />}
        </div>
      )}
    </section>
  );
}

/** Where the contract's money is: escrow, released, refunded, and Scout's fee as signed. */
function MoneyCard({ k, side }: { k: Contract; side: string }) {
  const m = k.money;
  const c = k.total.currency;
  return (
    <div class="card">
      <h2>Money</h2>
      <dl class="figures">
        <div>
          <dt>In escrow</dt>
          <dd data-testid="in-escrow">{exactMoney(m.in_escrow.amount_minor, c)}</dd>
        </div>
        <div>
          <dt>Released</dt>
          <dd>{exactMoney(m.released.amount_minor, c)}</dd>
        </div>
        <div>
          <dt>Refunded</dt>
          <dd>{exactMoney(m.refunded.amount_minor, c)}</dd>
        </div>
        <div>
          <dt>Scout's fee ({m.fee_percent})</dt>
          <dd>{exactMoney(m.fee_total.amount_minor, c)}</dd>
        </div>
        <div>
          <dt>{side === "creator" ? "You receive" : "The creator receives"}</dt>
          <dd>{exactMoney(m.creator_receives.amount_minor, c)}</dd>
        </div>
      </dl>
    </div>
  );
}

type Act = (w: () => Promise<unknown>, notice?: string) => Promise<unknown>;

function MilestoneRow({ contract: k, m, side, admin, busy, act }: { contract: Contract; m: Milestone; side: string; admin: boolean; busy: boolean; act: Act }) {
  const [links, setLinks] = useState("");
  const [note, setNote] = useState("");
  const [reason, setReason] = useState("");
  const base = `/v1/contracts/${k.id}/milestones/${m.index}`;
  const active = k.status === "active";
  const running = active || k.status === "disputed";
  const open = m.status === "pending" || m.status === "submitted" || m.status === "revision_requested";
  return (
    <li class="card milestone">
      <div class="title-row">
        <h3>{m.title}</h3>
        <span class={`badge status-${m.status}`}>{title(m.status)}</span>
        {m.overdue && <span class="badge overdue">Overdue</span>}
      </div>
      <p class="muted">
        {money(m.amount.amount_minor, m.amount.currency)} · due {date(m.due_on)}
        {m.auto_approves_at && ` · approved automatically on ${date(m.auto_approves_at)}`}
      </p>
      {m.links.length > 0 && (
        <ul>
          {m.links.map((l) => (
            <li>
              <a href={l} rel="noopener noreferrer" target="_blank">
                {l}
              </a>
            </li>
          ))}
        </ul>
      )}
      {m.note && <p>{m.note}</p>}
      {m.status === "disputed" && <p class="alert">Disputed: this milestone's money stays in escrow until Scout's team settles it.</p>}
      {m.status === "resolved" && <p class="muted">{resolutionText(m)}</p>}
      {active && side === "creator" && (m.status === "pending" || m.status === "revision_requested") && (
        <form
          class="form"
          onSubmit={(e) => {
            e.preventDefault();
            void act(() => api("POST", `${base}/submit`, { links: links.split(/\s+/).filter(Boolean), note }), "Submitted");
          }}
        >
          <label>
            Links to the content (one per line)
            <textarea rows={2} value={links} onInput={(e) => setLinks(e.currentTarget.value)} />
          </label>
          <label>
            Note
            <input value={note} maxLength={5000} onInput={(e) => setNote(e.currentTarget.value)} />
          </label>
          <button class="primary" type="submit" disabled={busy || !links.trim()}>
            Submit milestone
          </button>
        </form>
      )}
      {active && side === "brand" && m.status === "submitted" && (
        <div class="toolbar">
          <button class="primary" disabled={busy} onClick={() => act(() => api("POST", `${base}/approve`), "Approved")}>
            Approve
          </button>
          <button disabled={busy} onClick={() => act(() => api("POST", `${base}/request-revision`, { note: "Please revise" }), "Revision requested")}>
            Request a revision
          </button>
        </div>
      )}
      {running && open && !admin && (
        <details class="dispute">
          <summary>Open a dispute</summary>
          <form
            class="form"
            onSubmit={(e) => {
              e.preventDefault();
              void act(() => api("POST", `${base}/dispute`, { reason: reason.trim() }), "Dispute opened: the milestone's money waits in escrow");
            }}
          >
            <label>
              What is wrong
              <textarea rows={2} maxLength={5000} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
            </label>
            <button type="submit" disabled={busy || !reason.trim()}>
              Dispute this milestone
            </button>
          </form>
        </details>
      )}
      {admin && m.status === "disputed" && <ResolveForm k={k} m={m} base={base} busy={busy} act={act} />}
    </li>
  );
}

function resolutionText(m: Milestone): string {
  const c = m.amount.currency;
  switch (m.resolution) {
    case "release":
      return "Dispute settled: released to the creator.";
    case "refund":
      return "Dispute settled: refunded to the brand.";
    case "split":
      return `Dispute settled: ${exactMoney(m.creator_share_minor ?? 0, c)} to the creator, ${exactMoney(m.amount.amount_minor - (m.creator_share_minor ?? 0), c)} back to the brand.`;
    default:
      return "Dispute settled.";
  }
}

/** A platform administrator settles a disputed milestone: all to the creator, all back, or a split. */
function ResolveForm({ k, m, base, busy, act }: { k: Contract; m: Milestone; base: string; busy: boolean; act: Act }) {
  const [how, setHow] = useState<"release" | "refund" | "split">("release");
  const [share, setShare] = useState("");
  const c = m.amount.currency;
  const shareMinor = parseAmount(share, c);
  const validShare = shareMinor !== null && shareMinor > 0 && shareMinor < m.amount.amount_minor;
  return (
    <form
      class="form"
      onSubmit={(e) => {
        e.preventDefault();
        const body = how === "split" ? { resolution: how, to_creator_minor: shareMinor } : { resolution: how };
        void act(() => api("POST", `${base}/resolve`, body), `Contract ${k.id}: dispute settled`);
      }}
    >
      <fieldset>
        <legend>Settle the dispute</legend>
        {(["release", "refund", "split"] as const).map((h) => (
          <label class="check" key={h}>
            <input type="radio" name={`resolve-${m.index}`} checked={how === h} onChange={() => setHow(h)} />{" "}
            {h === "release" ? "Release to the creator" : h === "refund" ? "Refund the brand" : "Split"}
          </label>
        ))}
      </fieldset>
      {how === "split" && (
        <label>
          To the creator ({c}, less than {exactMoney(m.amount.amount_minor, c)})
          <input inputMode="decimal" value={share} onInput={(e) => setShare(e.currentTarget.value)} />
        </label>
      )}
      <button class="primary" type="submit" disabled={busy || (how === "split" && !validShare)}>
        Settle
      </button>
    </form>
  );
}

function ReviewForm({ contract, onDone }: { contract: number; onDone: () => void }) {
  const [rating, setRating] = useState(5);
  const [text, setText] = useState("");
  const { busy, error, run } = useAction();
  return (
    <form
      class="form"
      onSubmit={async (e) => {
        e.preventDefault();
        if (await run(() => api("POST", `/v1/contracts/${contract}/reviews`, { rating, text }))) onDone();
      }}
    >
      {error && <Alert>{error}</Alert>}
      <fieldset>
        <legend>Your rating</legend>
        {[1, 2, 3, 4, 5].map((r) => (
          <label class="check" key={r}>
            <input type="radio" name="rating" checked={rating === r} onChange={() => setRating(r)} /> {r} ★
          </label>
        ))}
      </fieldset>
      <label>
        Review
        <textarea rows={3} maxLength={2000} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </label>
      <button class="primary" type="submit" disabled={busy}>
        Post review
      </button>
    </form>
  );
}

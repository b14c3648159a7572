// Negotiation: the list of one's threads, and a thread: offers (each an immutable
// version), messages arriving live over the thread's WebSocket, and the answers.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, type Negotiation, type Terms, type ThreadEntry, type User } from "../api";
import { navigate, onLinkClick } from "../app/router";
import { onNotification, threadSocket } from "../app/live";
import { Alert } from "../ui/Alert";
import { PageHead, Pending } from "../ui/PageHead";
import { useAction, useLoaded } from "../ui/hooks";
import { date, money, title } from "../ui/format";
import { TermsEditor, TermsTable } from "./terms";
import { TableRegion } from "../ui/TableRegion";

export function ThreadsPage() {
  const threads = useLoaded("/v1/negotiations?limit=100", (r: { negotiations: Negotiation[] }) => r.negotiations);
  const contracts = useLoaded("/v1/contracts?limit=100", (r: { contracts: import("../api").Contract[] }) => r.contracts);
  useEffect(() => onNotification(() => void (threads.reload(), contracts.reload())), []);
  return (
    <section class="page">
      <h1 tabIndex={-1}>Deals</h1>
      {(threads.error || contracts.error) && <Alert>{threads.error || contracts.error}</Alert>}
      <h2>Contracts</h2>
      {contracts.data?.length === 0 && <p class="muted">No contracts yet: an accepted offer becomes one.</p>}
      {!!contracts.data?.length && (
        <TableRegion label="Contracts">
          <table>
            <thead>
              <tr>
                <th scope="col">Contract</th>
                <th scope="col">Status</th>
                <th scope="col">Total</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {contracts.data.map((k) => (
                <tr key={k.id}>
                  <td>
                    <a href={`/contracts/${k.id}`} onClick={onLinkClick}>
                      Contract #{k.id} · campaign {k.campaign_id}
                    </a>
                  </td>
                  <td>{title(k.status)}</td>
                  <td>{money(k.total.amount_minor, k.total.currency)}</td>
                  <td>{date(k.updated_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
      <h2>Threads</h2>
      {threads.data?.length === 0 && <p class="muted">No threads yet: apply to a campaign or invite a creator.</p>}
      {!!threads.data?.length && (
        <TableRegion label="Threads">
          <table>
            <thead>
              <tr>
                <th scope="col">Thread</th>
                <th scope="col">Status</th>
                <th scope="col">Latest offer</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {threads.data.map((n) => {
                const latest = n.offers[n.offers.length - 1];
                return (
                  <tr key={n.id}>
                    <td>
                      <a href={`/threads/${n.id}`} onClick={onLinkClick}>
                        #{n.id} · campaign {n.campaign_id} · {n.origin}
                      </a>
                    </td>
                    <td>{title(n.status)}</td>
                    <td>{latest ? `${money(latest.total.amount_minor, latest.total.currency)} by ${latest.by}` : "–"}</td>
                    <td>{date(n.updated_at)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableRegion>
      )}
    </section>
  );
}

export function ThreadPage({ id, user }: { id: number; user: User }) {
  const { data: n, error: loadError, reload } = useLoaded(`/v1/negotiations/${id}`, (r: Negotiation) => r);
  const [entries, setEntries] = useState<ThreadEntry[]>([]);
  const [message, setMessage] = useState("");
  const [countering, setCountering] = useState(false);
  const [terms, setTerms] = useState<Terms | null>(null);
  const [live, setLive] = useState(false);
  const socket = useRef<Awaited<ReturnType<typeof threadSocket>> | null>(null);
  const { busy, error, run, setError } = useAction();

  useEffect(() => {
    let closed = false;
    void threadSocket(
      id,
      (e) => {
        setEntries((old) => (old.some((o) => o.id === e.id) ? old : [...old, e]));
        // An offer or an answer changes the negotiation itself.
        if (e.kind !== "message") reload();
      },
      (detail) => setError(detail),
    ).then((s) => {
      if (closed) return s.close();
      socket.current = s;
      s.socket.onopen = () => setLive(true);
      s.socket.onclose = () => setLive(false);
    });
    return () => {
      closed = true;
      socket.current?.close();
    };
  }, [id]);

  if (!n) return <Pending error={loadError} />;
  const mySide = user.role === "influencer" ? "creator" : "brand";
  const latest = n.offers[n.offers.length - 1];
  const open = n.status === "open";
  const theirs = latest && latest.by !== mySide;
  const act = (what: () => Promise<unknown>) => run(what).then((ok) => void (ok && reload()));

  return (
    <section class="page">
      <PageHead back="/deals" backLabel="Deals" heading={`Thread #${n.id}`} status={n.status} />
      <p class="muted">
        Campaign {n.campaign_id} · opened by {n.origin === "application" ? "the creator's application" : "the brand's invitation"} · {live ? "live" : "connecting…"}
      </p>
      {error && <Alert>{error}</Alert>}
      {n.contract_id && (
        <Alert kind="success">
          Accepted: <a href={`/contracts/${n.contract_id}`} onClick={onLinkClick}>open the contract</a> to sign it.
        </Alert>
      )}
      {latest && (
        <div class="card">
          <h2>
            Offer v{latest.version} by {latest.by} · {money(latest.total.amount_minor, latest.total.currency)}
          </h2>
          <TermsTable terms={latest.terms} caption={`Offer version ${latest.version}`} />
          {open && (
            <div class="toolbar">
              {theirs && (
                <button class="primary" disabled={busy} onClick={() => act(async () => {
                  const done = await api<Negotiation>("POST", `/v1/negotiations/${id}/accept`, { version: latest.version });
                  if (done.contract_id) navigate(`/contracts/${done.contract_id}`);
                })}>
                  Accept offer
                </button>
              )}
              <button disabled={busy} onClick={() => setCountering(!countering)} aria-expanded={countering}>
                Counter
              </button>
              {theirs && (
                <button disabled={busy} onClick={() => act(() => api("POST", `/v1/negotiations/${id}/reject`, { version: latest.version }))}>
                  Reject
                </button>
              )}
              <button class="danger" disabled={busy} onClick={() => act(() => api("POST", `/v1/negotiations/${id}/withdraw`, {}))}>
                Withdraw
              </button>
            </div>
          )}
          {countering && open && (
            <form
              class="form"
              onSubmit={async (e) => {
                e.preventDefault();
                if (await run(() => api("POST", `/v1/negotiations/${id}/offers`, { terms: { ...latest.terms, ...terms } }))) {
                  setCountering(false);
                  reload();
                }
              }}
            >
              <TermsEditor initial={latest.terms.lines} currency={latest.total.currency} onChange={setTerms} />
              <button class="primary" type="submit" disabled={busy || !terms}>
                Send counter-offer
              </button>
            </form>
          )}
        </div>
      )}
      <h2>Conversation</h2>
      <ol class="thread" aria-live="polite">
        {entries.map((e) => (
          <li key={e.id} class={`entry ${e.side === mySide ? "mine" : "theirs"} kind-${e.kind}`}>
            <small class="muted">
              {e.side} · {e.kind === "message" ? "" : `${e.kind}${e.version ? ` v${e.version}` : ""} · `}
              {new Date(e.at).toLocaleString("en")}
            </small>
            {e.body ? <p>{e.body}</p> : e.kind === "offer" ? <p class="muted">Sent offer version {e.version}.</p> : null}
          </li>
        ))}
      </ol>
      <form
        class="inline"
        onSubmit={async (e) => {
          e.preventDefault();
          const body = message.trim();
          if (!body) return;
          // Over the socket when it is open, else over HTTP.
          if (socket.current?.socket.readyState === WebSocket.OPEN) socket.current.send(body);
          else await run(() => api("POST", `/v1/negotiations/${id}/messages`, { body }));
          setMessage("");
        }}
      >
        <label>
          Message
          <input maxLength={5000} value={message} onInput={(e) => setMessage(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={!message.trim()}>
          Send
        </button>
      </form>
    </section>
  );
}

// A brand's wallet: what it holds in each currency, adding money by card or bank transfer
// through the payment provider (the sandbox bank's test cards in the embedded setup), and
// every funding with where it stands. Contracts waiting for money start by themselves
// once a funding settles.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, ApiError, type Balances, type BrandSpend, type Funding, type FundingList } from "../api";
import { MoneyBars } from "../ui/Charts";
import { onNotification } from "../app/live";
import { Alert } from "../ui/Alert";
import { useAction, useLoaded } from "../ui/hooks";
import { date, exactMoney, parseAmount, title } from "../ui/format";
import { TableRegion } from "../ui/TableRegion";
import { Invoices } from "./Invoices";

const CURRENCIES = ["EUR", "USD", "GBP", "CHF", "SEK", "PLN", "JPY"];

function newKey(): string {
  return typeof crypto !== "undefined" && "randomUUID" in crypto ? crypto.randomUUID() : `k-${Date.now()}-${Math.random()}`;
}

export function WalletPage() {
  const balances = useLoaded("/v1/wallet", (r: Balances) => r.balances);
  const fundings = useLoaded("/v1/wallet/fundings?limit=50", (r: FundingList) => r.fundings);
  const spend = useLoaded("/v1/wallet/spend", (r: BrandSpend) => r);
  const reload = () => {
    balances.reload();
    fundings.reload();
    spend.reload();
  };
  useEffect(() => onNotification((n) => void (n.link === "/wallet" && reload())), []);
  // While a funding is with the provider, look again every second until it settles.
  const waiting = fundings.data?.some((f) => f.status === "processing" || f.status === "created");
  const wasWaiting = useRef(false);
  useEffect(() => {
    if (!waiting) {
      // Once settled, one more look: the balance and the list are read apart.
      if (!wasWaiting.current) return;
      wasWaiting.current = false;
      const t = setTimeout(reload, 700);
      return () => clearTimeout(t);
    }
    wasWaiting.current = true;
    const t = setInterval(reload, 1000);
    return () => clearInterval(t);
  }, [waiting]);
  const wallets = (balances.data ?? []).filter((b) => b.kind === "brand_wallet");
  return (
    <section class="page">
      <h1 tabIndex={-1}>Wallet</h1>
      {balances.error && <Alert>{balances.error}</Alert>}
      <div class="grid-2">
        <div class="card">
          <h2>Balance</h2>
          {wallets.length === 0 ? (
            <p class="muted">Nothing yet. Add money to fund your contracts: a signed contract starts as soon as its total is in escrow.</p>
          ) : (
            <dl class="figures">
              {wallets.map((b) => (
                <div key={b.balance.currency}>
                  <dt>{b.balance.currency}</dt>
                  <dd data-testid={`wallet-${b.balance.currency}`}>{exactMoney(b.balance.amount_minor, b.balance.currency)}</dd>
                </div>
              ))}
            </dl>
          )}
        </div>
        <FundingForm onDone={reload} />
      </div>
      {spend.data && spend.data.totals.length > 0 && (
        <div class="grid-2">
          <div class="card">
            <h2>Spend</h2>
            <TableRegion label="Spend by currency">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Currency</th>
                    <th scope="col">Paid in</th>
                    <th scope="col">In escrow</th>
                    <th scope="col">Released</th>
                    <th scope="col">Refunded</th>
                  </tr>
                </thead>
                <tbody>
                  {spend.data.totals.map((t) => (
                    <tr key={t.currency}>
                      <th scope="row">{t.currency}</th>
                      <td>{exactMoney(t.funded, t.currency)}</td>
                      <td>{exactMoney(t.in_escrow, t.currency)}</td>
                      <td>{exactMoney(t.released, t.currency)}</td>
                      <td>{exactMoney(t.refunded, t.currency)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableRegion>
            <MoneyBars
              title="Released to creators by month"
              bars={spend.data.released_by_month.map((b) => ({ label: b.key, minor: b.amount.amount_minor, currency: b.amount.currency }))}
              format={exactMoney}
            />
          </div>
          <div class="card">
            <MoneyBars
              title="Released by campaign"
              sort
              bars={spend.data.released_by_campaign.map((b) => ({ label: b.key, minor: b.amount.amount_minor, currency: b.amount.currency }))}
              format={exactMoney}
            />
          </div>
        </div>
      )}
      <h2>Payments in</h2>
      {fundings.error && <Alert>{fundings.error}</Alert>}
      {fundings.data && fundings.data.length === 0 && <p class="muted">No payments yet.</p>}
      {fundings.data && fundings.data.length > 0 && (
        <TableRegion label="Payments into the wallet">
          <table>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Amount</th>
                <th scope="col">Method</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {fundings.data.map((f) => (
                <FundingRow key={f.id} f={f} />
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
      <Invoices />
    </section>
  );
}

function FundingRow({ f }: { f: Funding }) {
  return (
    <tr>
      <td>{date(f.created_at)}</td>
      <td>{exactMoney(f.amount.amount_minor, f.amount.currency)}</td>
      <td>{f.method_summary}</td>
      <td>
        <span class={`badge status-${f.status}`}>{title(f.status)}</span>
        {f.failure_message && <span class="muted"> {f.failure_message}</span>}
      </td>
    </tr>
  );
}

function FundingForm({ onDone }: { onDone: () => void }) {
  const [amount, setAmount] = useState("");
  const [currency, setCurrency] = useState("EUR");
  const [method, setMethod] = useState<"card" | "bank_transfer">("card");
  const [number, setNumber] = useState("");
  const [expiry, setExpiry] = useState("");
  const [cvc, setCvc] = useState("");
  // One key per payment being filled in: sending it twice (a double click, a retry after
  // a network error) is one payment.
  const [key, setKey] = useState(newKey);
  const { busy, error, done, run, setError } = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    const minor = parseAmount(amount, currency);
    if (minor === null || minor <= 0) return setError(`Enter an amount in ${currency}, like 1250.00`);
    let payment: Record<string, unknown> = { type: "bank_transfer" };
    if (method === "card") {
      const m = /^(\d{1,2})\s*\/\s*(\d{2}|\d{4})$/.exec(expiry.trim());
      if (!m) return setError("Enter the card's expiry as MM/YY");
      const year = m[2].length === 2 ? 2000 + Number(m[2]) : Number(m[2]);
      payment = { type: "card", number: number.trim(), exp_month: Number(m[1]), exp_year: year, cvc: cvc.trim() };
    }
    run(async () => {
      try {
        await api("POST", "/v1/wallet/fundings", { amount_minor: minor, currency, method: payment }, { idempotencyKey: key });
      } catch (e) {
        // Answered (declined, refused): the next try is a new payment. Unanswered (the
        // network): the same key again, so a retry cannot charge twice.
        if (!(e instanceof ApiError && e.status === 0)) setKey(newKey());
        throw e;
      }
      setKey(newKey());
      setAmount("");
      setNumber("");
      setCvc("");
      onDone();
    }, method === "card" ? "Payment sent: the bank is confirming it" : "Transfer announced: it arrives in a few seconds in the sandbox").then((ok) => void (ok || onDone()));
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="add-money">
      <h2 id="add-money">Add money</h2>
      <div class="inline">
        <label>
          Amount
          <input inputMode="decimal" required value={amount} onInput={(e) => setAmount(e.currentTarget.value)} placeholder="1000.00" />
        </label>
        <label>
          Currency
          <select value={currency} onChange={(e) => setCurrency(e.currentTarget.value)}>
            {CURRENCIES.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
      </div>
      <fieldset>
        <legend>Pay by</legend>
        <label class="check">
          <input type="radio" name="method" checked={method === "card"} onChange={() => setMethod("card")} /> Card
        </label>
        <label class="check">
          <input type="radio" name="method" checked={method === "bank_transfer"} onChange={() => setMethod("bank_transfer")} /> Bank transfer
        </label>
      </fieldset>
      {method === "card" && (
        <>
          <label>
            Card number
            <input inputMode="numeric" autoComplete="cc-number" required value={number} onInput={(e) => setNumber(e.currentTarget.value)} placeholder="4242 4242 4242 4242" />
          </label>
          <div class="inline">
            <label>
              Expiry (MM/YY)
              <input autoComplete="cc-exp" required value={expiry} onInput={(e) => setExpiry(e.currentTarget.value)} placeholder="12/29" />
            </label>
            <label>
              CVC
              <input inputMode="numeric" autoComplete="cc-csc" required value={cvc} onInput={(e) => setCvc(e.currentTarget.value)} placeholder="123" />
            </label>
          </div>
          <p class="muted small">Sandbox bank: 4242 4242 4242 4242 is accepted, 4000 0000 0000 0002 is declined, 4000 0000 0000 9995 has insufficient funds.</p>
        </>
      )}
      {error && <Alert>{error}</Alert>}
      {done && <Alert kind="success">{done}</Alert>}
      <button class="primary" type="submit" disabled={busy}>
        {busy ? "Paying…" : "Add money"}
      </button>
    </form>
  );
}

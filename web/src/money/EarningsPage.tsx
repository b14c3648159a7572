// A creator's earnings: what is pending (in the hold period), available and on its way;
// where and when they are paid (bank account, PayPal or Stripe; currency; schedule); paying
// out now; and every payout with its conversion rate, spread and outcome.
import { useEffect, useState } from "preact/hooks";
import { api, type Balances, type CreatorEarnings, type Payout, type PayoutList, type PayoutSettings } from "../api";
import { MoneyBars } from "../ui/Charts";
import { onNotification } from "../app/live";
import { Alert } from "../ui/Alert";
import { useAction, useLoaded } from "../ui/hooks";
import { date, exactMoney, parseAmount, title } from "../ui/format";
import { TableRegion } from "../ui/TableRegion";
import { Invoices } from "./Invoices";

const KINDS: [string, string][] = [
  ["creator_pending", "Pending"],
  ["creator_available", "Available"],
  ["payouts_in_transit", "On its way"],
];

export function EarningsPage() {
  const balances = useLoaded("/v1/me/balances", (r: Balances) => r.balances);
  const payouts = useLoaded("/v1/me/payouts?limit=50", (r: PayoutList) => r.payouts);
  const settings = useLoaded("/v1/me/payout-settings", (r: PayoutSettings | null) => r);
  const report = useLoaded("/v1/me/earnings", (r: CreatorEarnings) => r);
  const { busy, error, done, run } = useAction();
  const reload = () => {
    balances.reload();
    payouts.reload();
    report.reload();
  };
  useEffect(() => onNotification((n) => void (n.link === "/earnings" && reload())), []);
  const waiting = payouts.data?.some((p) => ["created", "in_transit", "submitted"].includes(p.status));
  useEffect(() => {
    if (!waiting) return;
    const t = setInterval(reload, 1000);
    return () => clearInterval(t);
  }, [waiting]);
  const currencies = [...new Set((balances.data ?? []).map((b) => b.balance.currency))].sort();
  const of = (kind: string, c: string) => balances.data?.find((b) => b.kind === kind && b.balance.currency === c)?.balance.amount_minor ?? 0;
  const available = currencies.some((c) => of("creator_available", c) > 0);
  return (
    <section class="page">
      <h1 tabIndex={-1}>Earnings</h1>
      {balances.error && <Alert>{balances.error}</Alert>}
      <div class="card">
        <h2>Balances</h2>
        {currencies.length === 0 ? (
          <p class="muted">No earnings yet. An approved milestone's amount, less Scout's fee, shows here as pending, then becomes available after the hold period.</p>
        ) : (
          <TableRegion label="Balances by currency">
            <table>
              <thead>
                <tr>
                  <th scope="col">Currency</th>
                  {KINDS.map(([, label]) => (
                    <th scope="col" key={label}>
                      {label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {currencies.map((c) => (
                  <tr key={c}>
                    <th scope="row">{c}</th>
                    {KINDS.map(([kind]) => (
                      <td key={kind} data-testid={`${kind}-${c}`}>
                        {exactMoney(of(kind, c), c)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </TableRegion>
        )}
        {error && <Alert>{error}</Alert>}
        {done && <Alert kind="success">{done}</Alert>}
        <button
          class="primary"
          disabled={busy || !available || !settings.data}
          onClick={() => run(() => api("POST", "/v1/me/payouts"), "Payout sent").then(reload)}
        >
          Pay out now
        </button>
        {!settings.data && <p class="muted small">Set where to be paid first.</p>}
      </div>
      {report.data && (
        <div class="grid-2">
          <div class="card">
            <MoneyBars
              title="Earned by month (after Scout's fee)"
              bars={report.data.earned_by_month.map((b) => ({ label: b.key, minor: b.amount.amount_minor, currency: b.amount.currency }))}
              format={exactMoney}
            />
            <MoneyBars
              title="Paid out by month"
              bars={report.data.paid_by_month.map((b) => ({ label: b.key, minor: b.amount.amount_minor, currency: b.amount.currency }))}
              format={exactMoney}
            />
          </div>
          <div class="card">
            <MoneyBars
              title="Earned by brand"
              sort
              bars={report.data.earned_by_brand.map((b) => ({ label: b.key, minor: b.amount.amount_minor, currency: b.amount.currency }))}
              format={exactMoney}
            />
          </div>
        </div>
      )}
      <SettingsForm current={settings.data} onDone={() => settings.reload()} />
      <h2>Payouts</h2>
      {payouts.data && payouts.data.length === 0 && <p class="muted">No payouts yet.</p>}
      {payouts.data && payouts.data.length > 0 && (
        <TableRegion label="Payouts">
          <table>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">From your balance</th>
                <th scope="col">Paid</th>
                <th scope="col">Rate</th>
                <th scope="col">To</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {payouts.data.map((p) => (
                <PayoutRow key={p.id} p={p} />
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
      <Invoices />
    </section>
  );
}

function PayoutRow({ p }: { p: Payout }) {
  const converted = p.source.currency !== p.amount.currency;
  return (
    <tr>
      <td>{date(p.created_at)}</td>
      <td>{exactMoney(p.source.amount_minor, p.source.currency)}</td>
      <td>{exactMoney(p.amount.amount_minor, p.amount.currency)}</td>
      <td>{converted ? `${p.rate} (${p.rate_source}; spread ${(p.spread_bps / 100).toFixed(2)}%)` : "–"}</td>
      <td>{p.destination}</td>
      <td>
        <span class={`badge status-${p.status}`}>{title(p.status.replace("_", " "))}</span>
        {p.failure_message && <span class="muted"> {p.failure_message}</span>}
      </td>
    </tr>
  );
}

type Kind = "iban" | "us_bank" | "paypal" | "stripe_account";

function SettingsForm({ current, onDone }: { current: PayoutSettings | null; onDone: () => void }) {
  const [kind, setKind] = useState<Kind>("iban");
  const [fields, setFields] = useState<Record<string, string>>({});
  const [currency, setCurrency] = useState(current?.currency ?? "EUR");
  const [schedule, setSchedule] = useState(current?.schedule ?? "manual");
  const [threshold, setThreshold] = useState("");
  const { busy, error, done, run, setError } = useAction();
  const field = (name: string, label: string, hint?: string) => (
    <label key={name}>
      {label}
      <input required value={fields[name] ?? ""} placeholder={hint} onInput={(e) => setFields({ ...fields, [name]: e.currentTarget.value })} />
    </label>
  );
  const submit = (e: Event) => {
    e.preventDefault();
    let threshold_minor = 0;
    if (schedule === "threshold") {
      const t = parseAmount(threshold, currency);
      if (t === null || t <= 0) return setError(`Enter the threshold in ${currency}`);
      threshold_minor = t;
    }
    run(async () => {
      await api("PUT", "/v1/me/payout-settings", { destination: { type: kind, ...fields }, currency, schedule, threshold_minor });
      onDone();
    }, "Payout settings saved");
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="payout-settings">
      <h2 id="payout-settings">Where you are paid</h2>
      {current && (
        <p>
          Now: {current.destination}, in {current.currency}, {current.schedule === "threshold" ? `once ${exactMoney(current.threshold_minor, current.currency)} is available` : current.schedule}.
        </p>
      )}
      <label>
        Method
        <select value={kind} onChange={(e) => { setKind(e.currentTarget.value as Kind); setFields({}); }}>
          <option value="iban">Bank account (IBAN)</option>
          <option value="us_bank">US bank account</option>
          <option value="paypal">PayPal</option>
          <option value="stripe_account">Stripe account</option>
        </select>
      </label>
      {kind === "iban" && [field("iban", "IBAN", "DE89 3704 0044 0532 0130 00"), field("bic", "BIC", "COBADEFFXXX"), field("holder", "Account holder")]}
      {kind === "us_bank" && [field("routing", "Routing number", "110000000"), field("account", "Account number"), field("holder", "Account holder")]}
      {kind === "paypal" && field("email", "PayPal email")}
      {kind === "stripe_account" && field("account", "Stripe account", "acct_…")}
      <div class="inline">
        <label>
          Paid in
          <select value={currency} onChange={(e) => setCurrency(e.currentTarget.value)}>
            {["EUR", "USD", "GBP", "CHF", "SEK", "PLN", "JPY"].map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
        <label>
          When
          <select value={schedule} onChange={(e) => setSchedule(e.currentTarget.value)}>
            <option value="manual">When I ask</option>
            <option value="weekly">Weekly</option>
            <option value="monthly">Monthly</option>
            <option value="threshold">Above an amount</option>
          </select>
        </label>
        {schedule === "threshold" && (
          <label>
            Amount
            <input inputMode="decimal" value={threshold} onInput={(e) => setThreshold(e.currentTarget.value)} placeholder="100.00" />
          </label>
        )}
      </div>
      <p class="muted small">Earnings in another currency are converted at the day's reference rate, less a 0.5% spread; the rate is shown on each payout.</p>
      {error && <Alert>{error}</Alert>}
      {done && <Alert kind="success">{done}</Alert>}
      <button type="submit" disabled={busy}>
        Save
      </button>
    </form>
  );
}

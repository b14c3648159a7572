// One's referral code and link, who signed up with it, and the rewards earned.
import { useState } from "preact/hooks";
import type { Referrals } from "../api";
import { Alert } from "../ui/Alert";
import { useLoaded } from "../ui/hooks";
import { date, money, title } from "../ui/format";
import { TableRegion } from "../ui/TableRegion";

export function ReferralsPage() {
  const { data, error } = useLoaded("/v1/me/referrals", (r: Referrals) => r);
  const [copied, setCopied] = useState(false);
  return (
    <section class="page narrow">
      <h1 tabIndex={-1}>Referrals</h1>
      {error && <Alert>{error}</Alert>}
      {data && (
        <>
          <div class="card">
            <p>
              Your code is <code>{data.code}</code>. Whoever signs up with your link earns you a reward when they complete their first contract.
            </p>
            <div class="inline">
              <label>
                Your link
                <input readOnly value={data.link} onFocus={(e) => e.currentTarget.select()} />
              </label>
              <button
                onClick={() =>
                  navigator.clipboard?.writeText(data.link).then(
                    () => setCopied(true),
                    () => setCopied(false),
                  )
                }
              >
                Copy
              </button>
            </div>
            {copied && <Alert kind="success">Copied</Alert>}
          </div>
          <p>
            Earned: {data.earned.length ? data.earned.map((m) => money(m.amount_minor, m.currency)).join(" + ") : "nothing yet"}
          </p>
          {data.referrals.length === 0 ? (
            <p class="muted">Nobody has signed up with your link yet.</p>
          ) : (
            <TableRegion label="Your referrals">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Who</th>
                    <th scope="col">Signed up</th>
                    <th scope="col">Status</th>
                    <th scope="col">Reward</th>
                  </tr>
                </thead>
                <tbody>
                  {data.referrals.map((r) => (
                    <tr key={r.id}>
                      <td>{r.name}</td>
                      <td>{date(r.signed_up_at)}</td>
                      <td>{title(r.status.replace("_", " "))}</td>
                      <td>{r.reward ? money(r.reward.amount_minor, r.reward.currency) : "–"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableRegion>
          )}
        </>
      )}
    </section>
  );
}

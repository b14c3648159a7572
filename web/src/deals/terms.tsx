// Terms of an offer: shown as a table, edited as lines (kind, count, fee, due date).
import { useState } from "preact/hooks";
import type { DeliverableKind, Money, TermLine, Terms } from "../api";
import { date, minorUnitExponent, money } from "../ui/format";
import { TableRegion } from "../ui/TableRegion";

export const KINDS: DeliverableKind[] = ["post", "story", "reel", "video", "short", "live_stream"];
export const kindName = (k: string) => k.replace("_", " ");

export function total(terms: Terms): number {
  return terms.lines.reduce((s, l) => s + l.count * l.fee.amount_minor, 0);
}

export function TermsTable({ terms, caption }: { terms: Terms; caption: string }) {
  const currency = terms.lines[0]?.fee.currency ?? "EUR";
  return (
    <TableRegion label={caption}>
      <table>
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Deliverable</th>
            <th scope="col">Count</th>
            <th scope="col">Fee each</th>
            <th scope="col">Due</th>
          </tr>
        </thead>
        <tbody>
          {terms.lines.map((l, i) => (
            <tr key={i}>
              <td>
                {kindName(l.kind)}
                {l.platform ? ` · ${l.platform}` : ""}
              </td>
              <td>{l.count}</td>
              <td>{money(l.fee.amount_minor, l.fee.currency)}</td>
              <td>{date(l.due_on)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={2}>
              Total
            </th>
            <td colSpan={2}>{money(total(terms), currency)}</td>
          </tr>
        </tfoot>
      </table>
    </TableRegion>
  );
}

/** Whole units as typed ("1250", "1,250.50") to minor units, or null. */
export function toMinor(text: string, currency: string): number | null {
  const clean = text.replace(/[\s,]/g, "");
  if (!/^\d+(\.\d+)?$/.test(clean)) return null;
  return Math.round(Number(clean) * 10 ** minorUnitExponent(currency));
}

export function fromMinor(minor: number, currency: string): string {
  return String(minor / 10 ** minorUnitExponent(currency));
}

/** Edits the lines of an offer; `onChange` gets valid terms or null while a field is wrong. */
export function TermsEditor({ initial, currency, onChange }: { initial: TermLine[]; currency: string; onChange: (t: Terms | null) => void }) {
  const [rows, setRows] = useState(initial.map((l) => ({ kind: l.kind, count: String(l.count), fee: l.fee.amount_minor ? fromMinor(l.fee.amount_minor, currency) : "", due: l.due_on, platform: l.platform })));
  const update = (next: typeof rows) => {
    setRows(next);
    const lines: TermLine[] = [];
    for (const r of next) {
      const fee = toMinor(r.fee, currency);
      const count = Number(r.count);
      if (fee === null || !Number.isInteger(count) || count < 1 || !r.due) return onChange(null);
      lines.push({ kind: r.kind, count, fee: { amount_minor: fee, currency: currency as Money["currency"] }, due_on: r.due, ...(r.platform ? { platform: r.platform } : {}) });
    }
    onChange(lines.length ? { lines } : null);
  };
  const set = (i: number, k: keyof (typeof rows)[number], v: string) => update(rows.map((r, j) => (j === i ? { ...r, [k]: v } : r)));
  return (
    <fieldset class="terms-editor">
      <legend>Deliverables and fees ({currency})</legend>
      {rows.map((r, i) => (
        <div class="term-row" key={i}>
          <label>
            Kind
            <select value={r.kind} onChange={(e) => set(i, "kind", e.currentTarget.value)}>
              {KINDS.map((k) => (
                <option value={k}>{kindName(k)}</option>
              ))}
            </select>
          </label>
          <label>
            Count
            <input type="number" min={1} max={100} value={r.count} onInput={(e) => set(i, "count", e.currentTarget.value)} />
          </label>
          <label>
            Fee each
            <input inputMode="decimal" value={r.fee} onInput={(e) => set(i, "fee", e.currentTarget.value)} />
          </label>
          <label>
            Due
            <input type="date" value={r.due} onInput={(e) => set(i, "due", e.currentTarget.value)} />
          </label>
          {rows.length > 1 && (
            <button type="button" class="link" onClick={() => update(rows.filter((_, j) => j !== i))}>
              Remove
            </button>
          )}
        </div>
      ))}
      <button type="button" onClick={() => update([...rows, { kind: "post", count: "1", fee: "", due: rows[rows.length - 1]?.due ?? "", platform: null }])}>
        Add a line
      </button>
    </fieldset>
  );
}

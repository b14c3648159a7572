// Charts drawn as plain SVG and HTML: no charting library, readable by screen readers
// (every chart carries its figures as text), and they print.
import { count, countWithin, percent } from "./format";

export interface Share {
  label: string;
  value: number;
}

/** Shares as horizontal bars, largest first; the figures are in the text too. */
export function ShareBars({ title, shares, limit = 6 }: { title: string; shares: Share[]; limit?: number }) {
  const top = [...shares].sort((a, b) => b.value - a.value).slice(0, limit);
  const max = Math.max(...top.map((s) => s.value), 0.0001);
  if (!top.length) {
    return (
      <figure class="chart">
        <figcaption>{title}</figcaption>
        <p class="muted">Not reported by the source.</p>
      </figure>
    );
  }
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <ul class="bars">
        {top.map((s) => (
          <li key={s.label}>
            <span class="bar-label">{s.label}</span>
            <span class="bar-track" aria-hidden="true">
              <span class="bar-fill" style={{ width: `${(s.value / max) * 100}%` }} />
            </span>
            <span class="bar-value">{percent(s.value, 0)}</span>
          </li>
        ))}
      </ul>
    </figure>
  );
}

export interface Point {
  date: string;
  value: number;
}

/** A line over time with its first and last figures labelled (follower growth). */
export function LineChart({ title, points, width = 560, height = 180 }: { title: string; points: Point[]; width?: number; height?: number }) {
  const sorted = [...points].filter((p) => !Number.isNaN(Date.parse(p.date))).sort((a, b) => Date.parse(a.date) - Date.parse(b.date));
  if (sorted.length < 2) {
    return (
      <figure class="chart">
        <figcaption>{title}</figcaption>
        <p class="muted">Not enough history reported yet.</p>
      </figure>
    );
  }
  const pad = { l: 52, r: 12, t: 12, b: 28 };
  const t0 = Date.parse(sorted[0].date);
  const t1 = Date.parse(sorted[sorted.length - 1].date);
  const values = sorted.map((p) => p.value);
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (hi === lo) {
    hi += 1;
    lo -= 1;
  }
  const x = (d: string) => pad.l + ((Date.parse(d) - t0) / Math.max(1, t1 - t0)) * (width - pad.l - pad.r);
  const y = (v: number) => pad.t + (1 - (v - lo) / (hi - lo)) * (height - pad.t - pad.b);
  const path = sorted.map((p, i) => `${i ? "L" : "M"}${x(p.date).toFixed(1)},${y(p.value).toFixed(1)}`).join(" ");
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  const change = first.value ? (last.value - first.value) / first.value : 0;
  const label = `${title}: from ${count(first.value)} on ${first.date} to ${count(last.value)} on ${last.date} (${change >= 0 ? "+" : ""}${percent(change)})`;
  const ticks = [lo, (lo + hi) / 2, hi];
  return (
    <figure class="chart">
      <figcaption>
        {title} <span class="muted">{change >= 0 ? "+" : ""}{percent(change)} over the period</span>
      </figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label} class="line-chart">
        {ticks.map((t) => (
          <g key={t}>
            <line x1={pad.l} x2={width - pad.r} y1={y(t)} y2={y(t)} class="grid" />
            <text x={pad.l - 6} y={y(t) + 4} text-anchor="end" class="axis">
              {countWithin(t, lo, hi)}
            </text>
          </g>
        ))}
        <path d={path} class="line" />
        <text x={pad.l} y={height - 8} class="axis">
          {first.date}
        </text>
        <text x={width - pad.r} y={height - 8} text-anchor="end" class="axis">
          {last.date}
        </text>
      </svg>
    </figure>
  );
}

/** A value against a reference on one scale (asking price against the fair estimate). */
export function RangeMarker({ value, low, high, label }: { value: number; low: number; high: number; label: string }) {
  const lo = Math.min(value, low) * 0.8;
  const hi = Math.max(value, high) * 1.2 || 1;
  const pos = (v: number) => `${((v - lo) / (hi - lo)) * 100}%`;
  return (
    <div class="range" role="img" aria-label={label}>
      <span class="range-band" style={{ left: pos(low), width: `calc(${pos(high)} - ${pos(low)})` }} />
      <span class="range-mark" style={{ left: pos(value) }} />
    </div>
  );
}

export interface MoneyBar {
  label: string;
  minor: number;
  currency: string;
}

/** Amounts of money as horizontal bars in their order (months) or largest first; one scale per currency. */
export function MoneyBars({ title, bars, sort = false, format }: { title: string; bars: MoneyBar[]; sort?: boolean; format: (minor: number, currency: string) => string }) {
  const shown = sort ? [...bars].sort((a, b) => b.minor - a.minor).slice(0, 8) : bars.slice(-12);
  if (!shown.length) {
    return (
      <figure class="chart">
        <figcaption>{title}</figcaption>
        <p class="muted">Nothing yet.</p>
      </figure>
    );
  }
  const max = (c: string) => Math.max(...shown.filter((b) => b.currency === c).map((b) => b.minor), 1);
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <ul class="bars">
        {shown.map((b) => (
          <li key={`${b.label}-${b.currency}`}>
            <span class="bar-label">{b.label}</span>
            <span class="bar-track" aria-hidden="true">
              <span class="bar-fill" style={{ width: `${(b.minor / max(b.currency)) * 100}%` }} />
            </span>
            <span class="bar-value">{format(b.minor, b.currency)}</span>
          </li>
        ))}
      </ul>
    </figure>
  );
}

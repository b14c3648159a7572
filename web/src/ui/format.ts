import type { PriceCurrency } from "../api";
// How figures read in the app: compact counts, percentages, money in its own currency.

const compact = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 });

export function count(n: number | undefined | null): string {
  if (n == null) return "–";
  return Math.abs(n) < 1000 ? Math.round(n).toLocaleString("en") : compact.format(n);
}

/** A count with its noun, singular for one: "1 comment", "2.3K comments", "– comments" when unknown. */
export function counted(n: number | undefined | null, noun: string, plural = noun + "s"): string {
  return `${count(n)} ${n != null && Math.round(n) === 1 ? noun : plural}`;
}

/** A count exact enough to tell apart figures that differ by a little (chart axes). */
export function countWithin(n: number, lo: number, hi: number): string {
  return hi - lo < Math.abs(hi) * 0.2 ? Math.round(n).toLocaleString("en") : count(n);
}

export function percent(fraction: number | undefined | null, digits = 1): string {
  return fraction == null ? "–" : `${(fraction * 100).toFixed(digits)}%`;
}

/** Decimal places of a currency's minor unit: the same table as `scout_domain::money::minor_unit_exponent`. */
export function minorUnitExponent(currency: string): number {
  if (["JPY", "KRW", "CLP", "VND", "ISK", "IDR", "COP", "HUF", "PYG", "UGX"].includes(currency)) return 0;
  if (["BHD", "KWD", "OMR", "JOD", "TND"].includes(currency)) return 3;
  return 2;
}

/** Minor units of a currency, formatted in it without cents ("€1,250"). */
export function money(minor: number | undefined | null, currency: string | undefined | null): string {
  if (minor == null || !currency) return "–";
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency, maximumFractionDigits: 0 }).format(minor / 10 ** minorUnitExponent(currency));
  } catch {
    return `${(minor / 10 ** minorUnitExponent(currency)).toFixed(0)} ${currency}`;
  }
}

/** Minor units to the cent, for money that must read exactly ("€1,250.05"). */
export function exactMoney(minor: number | undefined | null, currency: string | undefined | null): string {
  if (minor == null || !currency) return "–";
  const e = minorUnitExponent(currency);
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency, minimumFractionDigits: e, maximumFractionDigits: e }).format(minor / 10 ** e);
  } catch {
    return `${(minor / 10 ** e).toFixed(e)} ${currency}`;
  }
}

/**
 * A decimal typed by a person ("1,250.5") as minor units of `currency`, read as text (no
 * float arithmetic): null when it is not an amount or has more decimals than the currency.
 */
export function parseAmount(text: string, currency: string): number | null {
  const e = minorUnitExponent(currency);
  const t = text.replace(/[\s,]/g, "");
  const m = /^(\d+)(?:\.(\d*))?$/.exec(t);
  if (!m) return null;
  const frac = m[2] ?? "";
  if (frac.length > e) return null;
  const minor = Number(m[1] + frac.padEnd(e, "0"));
  return Number.isSafeInteger(minor) ? minor : null;
}

const regionNames = typeof Intl.DisplayNames === "function" ? new Intl.DisplayNames(["en"], { type: "region" }) : null;
const languageNames = typeof Intl.DisplayNames === "function" ? new Intl.DisplayNames(["en"], { type: "language" }) : null;

export function country(code: string | undefined | null): string {
  if (!code) return "–";
  try {
    return regionNames?.of(code.toUpperCase()) ?? code;
  } catch {
    return code;
  }
}

export function language(code: string | undefined | null): string {
  if (!code) return "–";
  try {
    return languageNames?.of(code) ?? code;
  } catch {
    return code;
  }
}

/** "3 days ago", "5 months ago": how fresh a figure is. */
export function ago(iso: string | undefined | null): string {
  if (!iso) return "unknown";
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return "unknown";
  const days = Math.round((Date.now() - t) / 86_400_000);
  if (days < 1) return "today";
  if (days < 2) return "yesterday";
  if (days < 60) return `${days} days ago`;
  if (days < 730) return `${Math.round(days / 30)} months ago`;
  return `${Math.round(days / 365)} years ago`;
}

export function date(iso: string | undefined | null): string {
  if (!iso) return "–";
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? "–" : t.toLocaleDateString("en", { year: "numeric", month: "short", day: "numeric" });
}

export function title(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1).replace(/_/g, " ") : s;
}

/** Platforms as their owners write them ("TikTok", "YouTube", "LinkedIn"). */
const PLATFORM_NAMES: Record<string, string> = {
  instagram: "Instagram",
  tiktok: "TikTok",
  youtube: "YouTube",
  twitch: "Twitch",
  x: "X",
  facebook: "Facebook",
  pinterest: "Pinterest",
  snapchat: "Snapchat",
  linkedin: "LinkedIn",
  threads: "Threads",
};

export function platformName(p: string | undefined | null): string {
  return p ? (PLATFORM_NAMES[p] ?? title(p)) : "–";
}

export const PLATFORMS = ["instagram", "tiktok", "youtube", "twitch", "x", "facebook", "pinterest", "snapchat", "linkedin", "threads"];
export const TIERS: [string, string][] = [
  ["nano", "Nano (<10k)"],
  ["micro", "Micro (10k–100k)"],
  ["mid", "Mid (100k–500k)"],
  ["macro", "Macro (500k–1M)"],
  ["mega", "Mega (1M+)"],
];
/** Currencies the price filter compares in (the API's reference table). */
export const PRICE_CURRENCIES: PriceCurrency[] = ["USD", "EUR", "GBP", "CAD", "AUD", "CHF", "SEK", "NOK", "DKK", "PLN", "BRL", "MXN", "INR", "JPY", "KRW", "SGD", "AED", "ZAR"];

/** The currency named by `code`, when prices can be filtered in it. */
export function priceCurrency(code: string): PriceCurrency | undefined {
  return (PRICE_CURRENCIES as string[]).includes(code) ? (code as PriceCurrency) : undefined;
}

/** Quality floors offered by the filter, as fractions, with the badge's words. */
export const QUALITY_FLOORS: [number, string][] = [
  [0.6, "Fair or better (60%+)"],
  [0.8, "High (80%+)"],
  [0.9, "Very high (90%+)"],
];

export const AGE_BANDS = ["13-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"];

/** What the audience shares were measured on, never more followers than the account has. */
export function sampleLine(sample: number | null | undefined, followers: number): string {
  if (!sample) return "Sample size not reported";
  if (sample > followers) return `Measured on a sample of ${counted(sample, "account")} (the source's own; more than the ${counted(followers, "follower")})`;
  return `Measured on ${counted(sample, "follower")}`;
}

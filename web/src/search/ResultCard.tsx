import type { Profile, SearchResult } from "../api";
import { count, country, money, percent, platformName } from "../ui/format";
import { onLinkClick } from "../app/router";
import { Avatar } from "../ui/Avatar";
import { AddToShortlist } from "../shortlists/AddToShortlist";
import { InviteLink } from "../campaigns/Invite";

/** One creator in the results: who, how big, how engaged, whose audience, what it costs, and why it ranked. */
export function ResultCard({ result, query }: { result: SearchResult; query: string }) {
  const p = result.profile;
  const e = result.explanation;
  const quality = e.contributions.find((c) => c.feature === "audience_quality")?.value ?? p.audience?.credibility;
  const href = `/profiles/${p.id}`;
  return (
    <article class="card result" aria-labelledby={`r-${p.id}`}>
      <Avatar handle={p.handle} name={p.display_name} />
      <div class="result-main">
        <h2 id={`r-${p.id}`}>
          <a href={href} onClick={onLinkClick}>
            {p.display_name || p.handle}
          </a>
          {p.verified && (
            <span class="verified" title="Verified account" aria-label="verified">
              ✓
            </span>
          )}
        </h2>
        <p class="handle">
          @{p.handle} · {platformName(p.platform)}
          {p.city || p.country ? ` · ${[p.city, country(p.country)].filter(Boolean).join(", ")}` : ""}
        </p>
        <dl class="stats">
          <div>
            <dt>Followers</dt>
            <dd>{count(p.followers)}</dd>
          </div>
          <div>
            <dt>Engagement</dt>
            <dd>
              {percent(p.engagement_rate)} <span class={e.engagement_vs_tier >= 1 ? "good" : "weak"}>{e.engagement_vs_tier.toFixed(1)}× tier</span>
            </dd>
          </div>
          <div>
            <dt>Audience</dt>
            <dd>{audienceSummary(p)}</dd>
          </div>
          <div>
            <dt>Price</dt>
            <dd class="price">{priceSummary(p)}</dd>
          </div>
        </dl>
        <p class="why">
          <span class="visually-hidden">Why it ranked: </span>
          {e.summary}
        </p>
      </div>
      <div class="result-side">
        {quality != null && <QualityBadge quality={quality} />}
        <AddToShortlist profileId={p.id} query={query} compact />
        <InviteLink profileId={p.id} />
      </div>
    </article>
  );
}

export function QualityBadge({ quality }: { quality: number }) {
  const [kind, label] = quality >= 0.8 ? ["good", "High"] : quality >= 0.6 ? ["ok", "Fair"] : ["bad", "Low"];
  return (
    <span class={`badge quality-${kind}`} title="Estimated share of real, active followers">
      {label} audience quality · {percent(quality, 0)}
    </span>
  );
}

function top(shares: Record<string, number> | undefined | null): [string, number] | null {
  const entries = Object.entries(shares ?? {});
  if (!entries.length) return null;
  return entries.reduce((a, b) => (b[1] > a[1] ? b : a));
}

export function audienceSummary(p: Profile): string {
  const parts: string[] = [];
  const c = top(p.audience?.countries);
  if (c) parts.push(`${percent(c[1], 0)} ${country(c[0])}`);
  const g = top(p.audience?.gender);
  if (g) parts.push(`${percent(g[1], 0)} ${g[0]}`);
  const a = top(p.audience?.age);
  if (a) parts.push(`mostly ${a[0]}`);
  return parts.length ? parts.join(" · ") : "not reported";
}

export function priceSummary(p: Profile): string {
  const r = p.rates;
  if (!r) return "on request";
  const offers = (["post", "reel", "video", "story"] as const).filter((k) => r[k] != null);
  if (!offers.length) return "on request";
  const k = offers[0];
  return `${money(r[k], r.currency)} / ${k}`;
}

import { useEffect, useState } from "preact/hooks";
import { api, ApiError, type Profile, type SearchResult, type User } from "../api";
import { ago, count, counted, country, sampleLine, date, language, money, percent, platformName, title } from "../ui/format";
import { onLinkClick } from "../app/router";
import { Alert } from "../ui/Alert";
import { TableRegion } from "../ui/TableRegion";
import { Avatar } from "../ui/Avatar";
import { LineChart, RangeMarker, ShareBars } from "../ui/Charts";
import { AddToShortlist } from "../shortlists/AddToShortlist";
import { InviteLink } from "../campaigns/Invite";
import { audienceSummary, priceSummary, QualityBadge } from "../search/ResultCard";

interface Money {
  amount_minor: number;
  currency: string;
}

interface PriceEstimate {
  deliverable: string;
  fair: Money;
  likely_low: Money;
  likely_high: Money;
  asking: Money | null;
  asking_vs_fair: number | null;
  verdict: string | null;
}

interface QualityScore {
  p_bought: number;
  quality: number;
  evidence: { feature: string; contribution: number; text: string }[];
  model_version: string;
}

interface Shares {
  count: number;
  positive: number;
  neutral: number;
  negative: number;
  mean: number;
}

interface Sentiment {
  comments: Shares;
  captions: Shares;
  trend: number | null;
  scorer: string;
}

/** A model's answer, or why there is none (a model not trained yet is not an error of the page). */
type Loaded<T> = { ok: T } | { missing: string } | null;

function load<T>(path: string, set: (v: Loaded<T>) => void) {
  api<T>("GET", path)
    .then((ok) => set({ ok }))
    .catch((e) => set({ missing: e instanceof ApiError ? e.message : String(e) }));
}

export function ProfilePage({ id, user }: { id: number; user: User }) {
  const [profile, setProfile] = useState<Profile | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [quality, setQuality] = useState<Loaded<QualityScore>>(null);
  const [price, setPrice] = useState<Loaded<{ deliverables: PriceEstimate[]; model_version: string }>>(null);
  const [sentiment, setSentiment] = useState<Loaded<Sentiment>>(null);
  const [similar, setSimilar] = useState<SearchResult[] | null>(null);

  useEffect(() => {
    setProfile(null);
    setError(null);
    if (!Number.isInteger(id) || id <= 0) {
      setError("This is not a profile address.");
      return;
    }
    let current = true;
    // The sections are asked for once the profile itself is there: a profile that is not
    // (deleted, erased, never existed) costs one request, not five.
    api<Profile>("GET", `/v1/profiles/${id}`)
      .then((p) => {
        if (!current) return;
        setProfile(p);
        document.title = `${p.display_name || p.handle} · Scout`;
        const mine = <T,>(set: (v: T) => void) => (v: T) => current && set(v);
        load(`/v1/profiles/${id}/quality`, mine(setQuality));
        load(`/v1/profiles/${id}/price`, mine(setPrice));
        load(`/v1/profiles/${id}/sentiment`, mine(setSentiment));
        api<{ results: SearchResult[] }>("GET", `/v1/profiles/${id}/similar?limit=6`)
          .then((r) => mine(setSimilar)(r.results))
          .catch(() => mine(setSimilar)([]));
      })
      .catch((e) => current && setError(e.message));
    return () => {
      current = false;
      document.title = "Scout";
    };
  }, [id]);

  if (error) {
    return (
      <section class="page narrow">
        <h1 tabIndex={-1}>Profile not available</h1>
        <Alert>{error}</Alert>
        <p>
          <a href="/search" onClick={onLinkClick}>
            Back to search
          </a>
        </p>
      </section>
    );
  }
  if (!profile) return <p role="status" class="page">Loading profile…</p>;
  const p = profile;
  const a = p.audience ?? {};
  const shares = (m: Record<string, number> | undefined | null, label: (k: string) => string = (k) => k) =>
    Object.entries(m ?? {}).map(([k, v]) => ({ label: label(k), value: v }));
  const measured = `${p.source ? `from ${p.source}` : "source not given"}, measured ${ago(p.updated_at)}`;

  return (
    <article class="page profile">
      <header class="profile-head card">
        <Avatar handle={p.handle} name={p.display_name} size={72} />
        <div class="profile-title">
          <h1 tabIndex={-1}>
            {p.display_name || p.handle}
            {p.verified && (
              <span class="verified" title="Verified account" aria-label="verified">
                ✓
              </span>
            )}
          </h1>
          <p class="handle">
            @{p.handle} on {platformName(p.platform)}
            {p.city || p.country ? ` · ${[p.city, country(p.country)].filter(Boolean).join(", ")}` : ""}
            {p.languages?.length ? ` · ${p.languages.map(language).join(", ")}` : ""}
          </p>
          {p.bio && <p class="bio">{p.bio}</p>}
          {p.categories?.length ? (
            <ul class="tags" aria-label="Niches">
              {p.categories.map((c) => (
                <li key={c}>{c}</li>
              ))}
            </ul>
          ) : null}
        </div>
        <div class="profile-actions">
          {quality && "ok" in quality && <QualityBadge quality={quality.ok.quality} />}
          <AddToShortlist profileId={p.id} />
          {user.role !== "influencer" && <InviteLink profileId={p.id} />}
        </div>
      </header>

      <section class="card" aria-labelledby="h-figures">
        <h2 id="h-figures">Key figures</h2>
        <dl class="figures">
          <Figure label="Followers" value={count(p.followers)} />
          <Figure label="Engagement rate" value={percent(p.engagement_rate, 2)} />
          <Figure label="Average likes" value={count(p.avg_likes)} />
          <Figure label="Average comments" value={count(p.avg_comments)} />
          <Figure label="Average views" value={count(p.avg_views)} />
          <Figure label="Posts a week" value={p.posts_per_week != null ? p.posts_per_week.toFixed(1) : "–"} />
          <Figure label="Last post" value={date(p.last_post_at)} />
          <Figure label="Audience" value={audienceSummary(p)} />
        </dl>
        <p class="source">Figures {measured}.</p>
      </section>

      <div class="grid-2">
        <section class="card" aria-labelledby="h-audience">
          <h2 id="h-audience">Audience</h2>
          <ShareBars title="Countries" shares={shares(a.countries, country)} />
          <ShareBars title="Age" shares={shares(a.age)} limit={7} />
          <ShareBars title="Gender" shares={shares(a.gender, title)} limit={3} />
          <p class="source">
            {sampleLine(a.sample_size, p.followers)}, {measured}.
          </p>
        </section>

        <section class="card" aria-labelledby="h-growth">
          <h2 id="h-growth">Growth</h2>
          <LineChart title="Followers over time" points={(p.follower_history ?? []).map((h) => ({ date: h.date, value: h.followers }))} />
          <p class="source">Follower history {measured}.</p>
          <h2 id="h-quality">Audience quality</h2>
          {quality === null && <p class="muted">Assessing…</p>}
          {quality && "missing" in quality && <p class="muted">{quality.missing}</p>}
          {quality && "ok" in quality && (
            <>
              <p>
                <QualityBadge quality={quality.ok.quality} /> Chance of bought followers: {percent(quality.ok.p_bought, 0)}
              </p>
              <ul class="evidence">
                {quality.ok.evidence.slice(0, 4).map((e) => (
                  <li key={e.feature}>{e.text}</li>
                ))}
              </ul>
              <p class="source">Scout's audience-quality model {quality.ok.model_version}.</p>
            </>
          )}
        </section>
      </div>

      <div class="grid-2">
        <section class="card" aria-labelledby="h-sentiment">
          <h2 id="h-sentiment">Engagement and sentiment</h2>
          {sentiment === null && <p class="muted">Scoring comments…</p>}
          {sentiment && "missing" in sentiment && <p class="muted">{sentiment.missing}</p>}
          {sentiment && "ok" in sentiment && <SentimentView s={sentiment.ok} />}
        </section>

        <section class="card" aria-labelledby="h-rates">
          <h2 id="h-rates">Rates</h2>
          <p>Asks {priceSummary(p)}.</p>
          {price === null && <p class="muted">Estimating fair prices…</p>}
          {price && "missing" in price && <p class="muted">{price.missing}</p>}
          {price && "ok" in price && (
            <TableRegion label="Asking prices against fair estimates (table)">
              <table class="rates stack">
              <caption class="visually-hidden">Asking price against Scout's fair-price estimate</caption>
              <thead>
                <tr>
                  <th scope="col">Deliverable</th>
                  <th scope="col">Asking</th>
                  <th scope="col">Fair estimate</th>
                  <th scope="col">Verdict</th>
                </tr>
              </thead>
              <tbody>
                {price.ok.deliverables.map((d) => (
                  <tr key={d.deliverable}>
                    <th scope="row">{title(d.deliverable)}</th>
                    <td data-label="Asking">{d.asking ? money(d.asking.amount_minor, d.asking.currency) : "–"}</td>
                    <td data-label="Fair estimate">
                      {money(d.fair.amount_minor, d.fair.currency)}
                      <small class="muted">
                        {" "}
                        ({money(d.likely_low.amount_minor, d.likely_low.currency)}–{money(d.likely_high.amount_minor, d.likely_high.currency)})
                      </small>
                      {d.asking && (
                        <RangeMarker
                          value={d.asking.amount_minor}
                          low={d.likely_low.amount_minor}
                          high={d.likely_high.amount_minor}
                          label={`asking ${money(d.asking.amount_minor, d.asking.currency)} against a likely range of ${money(d.likely_low.amount_minor, d.likely_low.currency)} to ${money(d.likely_high.amount_minor, d.likely_high.currency)}`}
                        />
                      )}
                    </td>
                    <td data-label="Verdict">{d.verdict ? title(d.verdict) : "–"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            </TableRegion>
          )}
          {price && "ok" in price && (
            <p class="source">
              <span class="legend-band" aria-hidden="true" /> likely fair range, <span class="legend-mark" aria-hidden="true" /> asking price.
            </p>
          )}
          {price && "ok" in price && <p class="source">Scout's fair-price model {price.ok.model_version}; asking prices {measured}.</p>}
        </section>
      </div>

      <section class="card" aria-labelledby="h-posts">
        <h2 id="h-posts">Recent posts</h2>
        {p.recent_posts?.length ? (
          <ul class="posts">
            {[...p.recent_posts]
              .sort((x, y) => Date.parse(y.posted_at) - Date.parse(x.posted_at))
              .slice(0, 6)
              .map((post, i) => (
                <li key={post.external_id ?? i} class="post">
                  <p class="post-meta">
                    {date(post.posted_at)} · {title(post.kind ?? "post")}
                    {post.sponsored && <span class="badge">Sponsored</span>}
                  </p>
                  <p class="caption">{post.caption || <span class="muted">No caption</span>}</p>
                  <p class="post-stats">
                    {counted(post.likes, "like")} · {counted(post.comments, "comment")}{post.views ? ` · ${counted(post.views, "view")}` : ""}
                  </p>
                </li>
              ))}
          </ul>
        ) : (
          <p class="muted">No recent posts reported.</p>
        )}
      </section>

      <section class="card" aria-labelledby="h-similar">
        <h2 id="h-similar">Creators like this one</h2>
        {similar === null && <p class="muted">Finding lookalikes…</p>}
        {similar?.length === 0 && <p class="muted">No lookalikes found.</p>}
        <ul class="lookalikes">
          {similar?.map((r) => (
            <li key={r.profile.id}>
              <Avatar handle={r.profile.handle} name={r.profile.display_name} size={36} />
              <span>
                <a href={`/profiles/${r.profile.id}`} onClick={onLinkClick}>
                  {r.profile.display_name || r.profile.handle}
                </a>
                <small class="muted">
                  {" "}
                  {count(r.profile.followers)} · {percent(r.profile.engagement_rate)} · {platformName(r.profile.platform)}
                </small>
              </span>
            </li>
          ))}
        </ul>
      </section>
    </article>
  );
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

function SentimentView({ s }: { s: Sentiment }) {
  if (!s.comments.count && !s.captions.count) return <p class="muted">No comments or captions to score.</p>;
  const row = (label: string, x: Shares) => (
    <tr>
      <th scope="row">{label}</th>
      <td data-label="Positive">{percent(x.positive, 0)}</td>
      <td data-label="Neutral">{percent(x.neutral, 0)}</td>
      <td data-label="Negative">{percent(x.negative, 0)}</td>
      <td data-label="Texts">{x.count}</td>
    </tr>
  );
  return (
    <>
      <TableRegion label="Sentiment of comments and captions (table)">
      <table class="rates stack">
        <caption class="visually-hidden">Sentiment of comments and captions</caption>
        <thead>
          <tr>
            <th scope="col">Scored</th>
            <th scope="col">Positive</th>
            <th scope="col">Neutral</th>
            <th scope="col">Negative</th>
            <th scope="col">Texts</th>
          </tr>
        </thead>
        <tbody>
          {row("Audience comments", s.comments)}
          {row("Captions", s.captions)}
        </tbody>
      </table>
      </TableRegion>
      {s.trend != null && (
        <p>
          Comment mood lately: {Math.abs(s.trend) < 0.05 ? "steady" : s.trend > 0 ? "improving" : "worsening"} ({s.trend >= 0 ? "+" : ""}
          {s.trend.toFixed(2)} on a −1 to +1 scale).
        </p>
      )}
      <p class="source">Scored by {s.scorer}.</p>
    </>
  );
}

import { useEffect, useState } from "preact/hooks";
import { useAction, useLoaded } from "../ui/hooks";
import { api, type Profile } from "../api";
import { minorUnitExponent, platformName, PLATFORMS } from "../ui/format";
import { onLinkClick } from "../app/router";
import { Alert } from "../ui/Alert";

interface Claim {
  profile_id: number;
  code: string;
  verified: boolean;
  consent: "granted" | "withdrawn";
}

/** A creator claims an imported profile (by putting a code in its bio), then edits its public fields. */
export function ClaimSection() {
  const { data: claims, error: loadError, reload } = useLoaded("/v1/me/claims", (r: { claims: Claim[] }) => r.claims);
  const [platform, setPlatform] = useState("instagram");
  const [handle, setHandle] = useState("");
  const { error, run } = useAction();
  return (
    <section class="card" aria-labelledby="h-claims">
      <h2 id="h-claims">Your creator profiles</h2>
      <p class="muted">Scout lists public creator accounts. Claim yours to correct it, set your rates and decide whether brands see it.</p>
      {(error || loadError) && <Alert>{error || loadError}</Alert>}
      {claims?.map((c) => (
        <ClaimCard key={c.profile_id} claim={c} onChange={reload} />
      ))}
      <form
        class="inline"
        onSubmit={async (e) => {
          e.preventDefault();
          if (!(await run(() => api("POST", "/v1/me/claims", { platform, handle: handle.trim().replace(/^@/, "") })))) return;
          setHandle("");
          await reload();
        }}
      >
        <label>
          Platform
          <select value={platform} onChange={(e) => setPlatform(e.currentTarget.value)}>
            {PLATFORMS.map((p) => (
              <option key={p} value={p}>
                {platformName(p)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Your handle
          <input required maxLength={100} value={handle} placeholder="@yourhandle" onInput={(e) => setHandle(e.currentTarget.value)} />
        </label>
        <button type="submit" class="primary">
          Claim profile
        </button>
      </form>
    </section>
  );
}

function ClaimCard({ claim, onChange }: { claim: Claim; onChange: () => void }) {
  const [profile, setProfile] = useState<Profile | null>(null);
  const { error, done: notice, run } = useAction();
  useEffect(() => {
    run(async () => setProfile(await api<Profile>("GET", `/v1/profiles/${claim.profile_id}`)));
  }, [claim.profile_id]);
  const act = async (f: () => Promise<unknown>, done: string) => (await run(f, done)) && onChange();
  const name = profile ? `@${profile.handle} on ${platformName(profile.platform)}` : `Profile ${claim.profile_id}`;
  return (
    <div class="claim">
      <h3>
        {claim.verified ? (
          <a href={`/profiles/${claim.profile_id}`} onClick={onLinkClick}>
            {name}
          </a>
        ) : (
          name
        )}{" "}
        <span class={`badge ${claim.verified ? "quality-good" : "quality-ok"}`}>{claim.verified ? "Verified" : "Waiting for the code"}</span>
      </h3>
      {error && <Alert>{error}</Alert>}
      {notice && <Alert kind="success">{notice}</Alert>}
      {!claim.verified && (
        <>
          <p>
            Put <code class="secret">{claim.code}</code> anywhere in your bio on {profile ? platformName(profile.platform) : "the platform"}; once Scout's copy of the profile shows it, verify.
          </p>
          <button onClick={() => act(() => api("POST", `/v1/profiles/${claim.profile_id}/claim/verify`), "Verified: the profile is yours")}>Verify</button>
        </>
      )}
      {claim.verified && profile && <PublicFields profile={profile} onSave={(body) => act(() => api("PUT", `/v1/profiles/${claim.profile_id}/public`, body), "Saved; searchable within a second")} />}
      {claim.verified && (
        <label class="check">
          <input
            type="checkbox"
            checked={claim.consent === "granted"}
            onChange={(e) => {
              const consent = e.currentTarget.checked ? "granted" : "withdrawn";
              act(() => api("PUT", `/v1/profiles/${claim.profile_id}/consent`, { consent }), consent === "granted" ? "Brands can find you" : "Hidden from brands");
            }}
          />
          Brands may find this profile in Scout
        </label>
      )}
    </div>
  );
}

function PublicFields({ profile, onSave }: { profile: Profile; onSave: (body: object) => void }) {
  const currency = profile.rates?.currency ?? "EUR";
  const unit = 10 ** minorUnitExponent(currency);
  const [displayName, setDisplayName] = useState(profile.display_name ?? "");
  const [bio, setBio] = useState(profile.bio ?? "");
  const [categories, setCategories] = useState((profile.categories ?? []).join(", "));
  const [cur, setCur] = useState(currency);
  const [post, setPost] = useState(profile.rates?.post != null ? String(profile.rates.post / unit) : "");
  const [reel, setReel] = useState(profile.rates?.reel != null ? String(profile.rates.reel / unit) : "");
  const [story, setStory] = useState(profile.rates?.story != null ? String(profile.rates.story / unit) : "");
  const minor = (s: string) => (s.trim() === "" ? undefined : Math.round(Number(s) * 10 ** minorUnitExponent(cur)));
  return (
    <form
      class="form public-fields"
      onSubmit={(e) => {
        e.preventDefault();
        const rates: Record<string, unknown> = { currency: cur.trim().toUpperCase() };
        for (const [k, v] of [["post", post], ["reel", reel], ["story", story]] as const) {
          const m = minor(v);
          if (m !== undefined) rates[k] = m;
        }
        onSave({ display_name: displayName, bio, categories: categories.split(",").map((c) => c.trim()).filter(Boolean), rates });
      }}
    >
      <label>
        Display name
        <input value={displayName} maxLength={200} onInput={(e) => setDisplayName(e.currentTarget.value)} />
      </label>
      <label>
        Bio
        <textarea rows={3} maxLength={2000} value={bio} onInput={(e) => setBio(e.currentTarget.value)} />
      </label>
      <label>
        Niches (comma-separated)
        <input value={categories} onInput={(e) => setCategories(e.currentTarget.value)} />
      </label>
      <fieldset class="pair">
        <legend>Rates</legend>
        <label>
          Currency
          <input value={cur} maxLength={3} onInput={(e) => setCur(e.currentTarget.value)} />
        </label>
        <label>
          Post
          <input inputMode="decimal" value={post} onInput={(e) => setPost(e.currentTarget.value)} />
        </label>
        <label>
          Reel
          <input inputMode="decimal" value={reel} onInput={(e) => setReel(e.currentTarget.value)} />
        </label>
        <label>
          Story
          <input inputMode="decimal" value={story} onInput={(e) => setStory(e.currentTarget.value)} />
        </label>
      </fieldset>
      <button type="submit" class="primary">
        Save profile
      </button>
    </form>
  );
}

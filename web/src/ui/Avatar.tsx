// Initials on a colour drawn from the handle: the app loads no third-party images
// (profile pictures live on the platforms' CDNs, which Scout does not call).
export function Avatar({ handle, name, size = 48 }: { handle: string; name?: string | null; size?: number }) {
  const text = (name || handle).replace(/[^\p{L}\p{N} ]/gu, "").trim();
  const parts = text.split(/\s+/).filter(Boolean);
  const initials = ((parts[0]?.[0] ?? "?") + (parts.length > 1 ? parts[parts.length - 1][0] : (parts[0]?.[1] ?? ""))).toUpperCase();
  let h = 0;
  for (const c of handle) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  // Dark enough for white text at 5:1 contrast or more, whatever the hue (worst: yellow).
  const background = `hsl(${h % 360} 50% 30%)`;
  return (
    <span class="avatar" style={{ width: size, height: size, background, fontSize: size * 0.38 }} aria-hidden="true">
      {initials}
    </span>
  );
}

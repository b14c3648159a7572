// The notification bell: unread count, the latest notices, live from the event stream.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, type Notification } from "../api";
import { onNotification } from "../app/live";
import { navigate } from "../app/router";
import { ago } from "../ui/format";

interface Page {
  notifications: Notification[];
  unread: number;
}

export function Bell() {
  const [page, setPage] = useState<Page>({ notifications: [], unread: 0 });
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const load = () =>
    api<Page>("GET", "/v1/notifications?limit=15")
      .then(setPage)
      .catch(() => undefined);
  useEffect(() => {
    load();
    return onNotification(() => load());
  }, []);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) setOpen(false);
    };
    const esc = (e: KeyboardEvent) => e.key === "Escape" && setOpen(false);
    document.addEventListener("click", close);
    document.addEventListener("keydown", esc);
    return () => {
      document.removeEventListener("click", close);
      document.removeEventListener("keydown", esc);
    };
  }, [open]);

  const readAll = async () => {
    await api("POST", "/v1/notifications/read", {}).catch(() => undefined);
    load();
  };
  const label = page.unread ? `Notifications, ${page.unread} unread` : "Notifications";
  return (
    <div class="bell" ref={box}>
      <button class="bell-button" aria-expanded={open} aria-controls="bell-list" aria-label={label} onClick={() => setOpen(!open)}>
        <svg aria-hidden="true" width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
          <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
          <path d="M13.7 21a2 2 0 0 1-3.4 0" />
        </svg>
        {page.unread > 0 && (
          <span class="bell-count" aria-hidden="true" data-testid="unread">
            {page.unread > 99 ? "99+" : page.unread}
          </span>
        )}
      </button>
      {open && (
        <div class="popover bell-list" id="bell-list">
          <div class="title-row">
            <h2>Notifications</h2>
            {page.unread > 0 && (
              <button class="link" onClick={readAll}>
                Mark all read
              </button>
            )}
          </div>
          {page.notifications.length === 0 && <p class="muted">Nothing yet: applications, offers, messages and signatures appear here.</p>}
          <ul>
            {page.notifications.map((n) => (
              <li key={n.id} class={n.read ? "" : "unread"}>
                <a
                  href={n.link}
                  onClick={(e) => {
                    e.preventDefault();
                    setOpen(false);
                    if (!n.read) void api("POST", "/v1/notifications/read", { up_to: n.id }).then(load, load);
                    navigate(n.link);
                  }}
                >
                  {n.title}
                </a>
                <small class="muted"> · {ago(n.at)}</small>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

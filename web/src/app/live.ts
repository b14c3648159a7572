// What happens elsewhere, as it happens: the account's `/v1/events` stream (read with
// fetch, which can carry the access token, unlike EventSource) fans out to the pages
// that listen, and a thread's WebSocket carries its messages.
import { session } from "../api";
import type { Notification, ThreadEntry } from "../api";

type Listener = (n: Notification) => void;
const listeners = new Set<Listener>();
let running: AbortController | null = null;

/** Calls `l` with every deal notification while subscribed; starts the stream on first use. */
export function onNotification(l: Listener): () => void {
  listeners.add(l);
  if (!running) start();
  return () => {
    listeners.delete(l);
  };
}

function start() {
  const stop = new AbortController();
  running = stop;
  const off = session.subscribe((u) => {
    if (!u) {
      stop.abort();
      off();
      running = null;
    }
  });
  void (async () => {
    let wait = 1000;
    while (!stop.signal.aborted) {
      try {
        await read(stop.signal);
        wait = 1000;
      } catch {
        // Dropped (a restart, a network change): try again, waiting longer each time.
      }
      if (stop.signal.aborted) return;
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(30_000, wait * 2);
    }
  })();
}

async function read(signal: AbortSignal) {
  const token = await session.bearer();
  if (!token) throw new Error("signed out");
  const headers: Record<string, string> = { Authorization: `Bearer ${token}`, Accept: "text/event-stream" };
  if (session.actingOrg !== null) headers["X-Scout-Org"] = String(session.actingOrg);
  const res = await fetch("/v1/events", { headers, signal });
  if (!res.ok || !res.body) throw new Error(`stream refused (${res.status})`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      dispatch(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
    }
  }
}

/** One event block of the stream: `event:` and `data:` lines. */
function dispatch(block: string) {
  let event = "message";
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) event = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
  }
  if (event !== "notification" || !data.length) return;
  try {
    const n = JSON.parse(data.join("\n")) as Notification;
    listeners.forEach((l) => l(n));
  } catch {
    // A malformed event is skipped.
  }
}

/**
 * Opens a thread's WebSocket: `onEntry` receives its entries (the history first); the
 * returned `send` posts a message, `close` ends it. Browsers cannot set headers on a
 * socket, so the access token travels as the `bearer.<token>` subprotocol.
 */
export async function threadSocket(id: number, onEntry: (e: ThreadEntry) => void, onError: (detail: string) => void) {
  const token = await session.bearer();
  const protocols = ["scout.v1", `bearer.${token}`];
  if (session.actingOrg !== null) protocols.push(`org.${session.actingOrg}`);
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${scheme}://${location.host}/v1/negotiations/${id}/socket`, protocols);
  ws.onmessage = (m) => {
    try {
      const frame = JSON.parse(String(m.data));
      if (frame.type === "entry") onEntry(frame.entry as ThreadEntry);
      else if (frame.type === "error") onError(frame.detail ?? frame.code);
    } catch {
      // Not JSON: ignored.
    }
  };
  return {
    send: (body: string) => ws.send(JSON.stringify({ body })),
    close: () => ws.close(),
    socket: ws,
  };
}

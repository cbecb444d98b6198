// The live view: one Server-Sent Events stream per page (GET /api/v1/live, authenticated by
// the session cookie), shared by every screen that listens. Each event names a topic ("yard",
// "gate", "alerts") and carries a small JSON payload; a screen reloads what it shows. The
// browser reconnects by itself after a network break; when the server ends the stream for
// good (the session ended), the next API call leads to the login.
type Listener = { topics: string[]; fn: (topic: string, data: unknown) => void };

const listeners = new Set<Listener>();
const topics = ['yard', 'gate', 'alerts'];
let source: EventSource | null = null;
let retry = 0;

function dispatch(topic: string, raw: string): void {
  let data: unknown = null;
  try {
    data = JSON.parse(raw);
  } catch {
    data = raw;
  }
  for (const l of listeners) if (l.topics.includes(topic)) l.fn(topic, data);
}

function open(): void {
  if (source || listeners.size === 0) return;
  const s = new EventSource('/api/v1/live');
  source = s;
  for (const topic of topics) s.addEventListener(topic, (e) => dispatch(topic, (e as MessageEvent<string>).data));
  // Said on the page, so that one can tell (and the end-to-end tests wait until) it is live.
  s.addEventListener('open', () => (document.documentElement.dataset.live = 'open'));
  s.addEventListener('error', () => {
    delete document.documentElement.dataset.live;
    if (s.readyState !== EventSource.CLOSED) return; // reconnecting by itself
    source = null;
    window.clearTimeout(retry);
    retry = window.setTimeout(open, 15_000);
  });
}

function close(): void {
  delete document.documentElement.dataset.live;
  source?.close();
  source = null;
  window.clearTimeout(retry);
}

// Calls `fn` for every event of `wanted` topics until the returned function is called.
export function onLive(wanted: string[], fn: (topic: string, data: unknown) => void): () => void {
  const l = { topics: wanted, fn };
  listeners.add(l);
  open();
  return () => {
    listeners.delete(l);
    if (listeners.size === 0) close();
  };
}

export function liveConnected(): boolean {
  return source?.readyState === EventSource.OPEN;
}

// Yubin's service worker: keeps the app shell (page, script, wasm, styles) so the app opens
// without a network, and shows what the browser has stored (POP3 mail, drafts, the outbox).
// Mail never passes through here: the WebSocket is not cached and neither are downloads.
const CACHE = "yubin-shell-v1";

// The page and everything it names (script, wasm, styles, icon), so the next start works offline.
async function cacheShell() {
  const cache = await caches.open(CACHE);
  const page = await fetch("/", { cache: "no-store" });
  const html = await page.clone().text();
  const assets = [...html.matchAll(/(?:href|src)="(\/[^"]+)"/g)].map((m) => m[1]);
  await cache.put("/", page);
  await cache.addAll([...new Set(assets)]);
}

self.addEventListener("install", (event) => {
  event.waitUntil(cacheShell().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/ws") || url.pathname.startsWith("/download/") || url.pathname === "/healthz") return;
  if (request.mode === "navigate") {
    // The page: fresh when online (a new build brings new asset names), cached when not.
    event.respondWith(
      fetch(request)
        .then((response) => {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put("/", copy));
          return response;
        })
        .catch(() => caches.match("/")),
    );
    return;
  }
  // Assets have content hashes in their names: the cached copy is always right.
  event.respondWith(
    caches.match(request).then((cached) =>
      cached ||
      fetch(request).then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      })),
  );
});

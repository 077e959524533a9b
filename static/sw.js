// The service worker: keeps each page a device opened, and the files it loaded, so a
// reload with no network still shows the app (CONTRACT: nothing from the internet; the
// venue's Wi-Fi drops). Served at /sw.js with this release's version filled in.
//
// - Pages (navigations): the kept copy at once when there is one (a returning phone on a
//   slow Wi-Fi waits for no round trip), refreshed from the network behind it; the
//   network when there is none yet. If that refresh brings a new release, the new worker
//   takes over and the page reloads itself once (client.js): no stale shell stays.
// - Files under hashed URLs (/static/client.3f9a1c2b7d.js): they never change, so the
//   kept copy first.
// - A new release installs at once, takes over open pages, and deletes the old copies:
//   no stale shell after an upgrade.
// - Everything else (Socket.IO, exports, QR codes, health) goes to the network untouched.

const VERSION = "__VERSION__";
const CACHE = `townhall-${VERSION}`;
const HASHED = /^\/(static|console|vendor)\/.+\.[0-9a-f]{10}\.[a-z]+$/;
const PAGE = /^\/(j|screen|lead|board|facilitator|organiser)\//;
const NETWORK_WAIT_MS = 4000; // a hanging venue Wi-Fi falls back to the kept page

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("townhall-") && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

// A page says which page it is and which files it loaded: keep them.
self.addEventListener("message", (event) => {
  const data = event.data;
  if (data?.type !== "keep" || typeof data.page !== "string") return;
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    const page = new URL(data.page);
    page.hash = "";
    if (PAGE.test(page.pathname) && !(await cache.match(page.href))) await keep(cache, page.href);
    for (const file of data.files ?? []) {
      const url = new URL(file, self.location.origin);
      if (url.origin === self.location.origin && HASHED.test(url.pathname) && !(await cache.match(url.href))) {
        await keep(cache, url.href);
      }
    }
  })());
});

async function keep(cache, url) {
  try {
    const response = await fetch(url, { credentials: "same-origin" });
    if (response.ok) await cache.put(url, response);
  } catch { /* offline now: kept next time */ }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && PAGE.test(url.pathname)) {
    event.respondWith(keptThenRefreshed(event, request));
  } else if (HASHED.test(url.pathname)) {
    event.respondWith(keptFirst(request));
  }
});

async function keptThenRefreshed(event, request) {
  const cache = await caches.open(CACHE);
  const key = request.url.split("#")[0];
  const fresh = fetch(request).then((response) => {
    if (response.ok) cache.put(key, response.clone());
    return response;
  });
  const kept = await cache.match(key);
  if (kept) {
    event.waitUntil(fresh.catch(() => null)); // refresh the copy behind it
    return kept;
  }
  try {
    return await withTimeout(fresh, NETWORK_WAIT_MS);
  } catch {
    return new Response(OFFLINE_PAGE, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
  }
}

async function keptFirst(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request.url);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) cache.put(request.url, response.clone());
  return response;
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then((v) => { clearTimeout(timer); resolve(v); }, (e) => { clearTimeout(timer); reject(e); });
  });
}

const OFFLINE_PAGE = `<!doctype html><html lang="en"><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>Offline · townhall</title>
<main style="font:1.1rem/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem">
<h1>No connection</h1><p>This page was not opened on this device while the network was up,
so there is no copy to show. Reconnect to the venue Wi-Fi and try again.</p></main></html>`;

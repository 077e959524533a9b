#!/usr/bin/env python
"""Front-end benchmark: what a phone downloads, how long it waits, and how far apart the
countdowns are. Not a test: it prints figures (and a Markdown table) and exits 0.

    .venv/bin/python bench/frontend.py

It starts a real `townhall serve` (the demo assembly, SQLite in a temporary directory) on
a free loopback port and drives Debian's Chromium (/usr/bin/chromium) through Playwright,
reading the network through a CDP session per page. Three parts:

1. first-load bytes of the participant app and of the plenary screen (cold cache);
2. navigation start -> connected on DevTools' "Slow 3G" profile, for a new participant
   (name filled in right after DOMContentLoaded) and a returning one (token in
   localStorage): 3 runs each, the returning one with the cache the first visit left,
   plus 1 run with localStorage but an empty cache;
3. countdown spread across five pages (screen + four participants, two of them throttled,
   their socket also through a delaying proxy since CDP does not delay WebSocket frames)
   sampled at the same instants, with each page's clock offset estimate and when each
   page's displayed second actually changed.

Every figure comes from one machine, which other work may share: run it twice.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
import zlib
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from conftest import CHROMIUM, CHROMIUM_ARGS, Client, Server, cid  # noqa: E402

# -- network profiles: Chrome DevTools' presets (front_end/core/sdk/NetworkManager.ts) ----
# DevTools' latency is applied once per request (not per packet or per TCP handshake), so
# it multiplies the target round trip: Slow 3G targets 400 ms RTT and applies 400 * 5;
# "Fast 3G" (renamed "Slow 4G" in DevTools in 2024) targets 150 ms and applies 150 * 3.75.
SLOW_3G = {"name": "Slow 3G", "latency_ms": 400 * 5,
           "download_Bps": 500 * 1000 / 8 * 0.8, "upload_Bps": 500 * 1000 / 8 * 0.8}
FAST_3G = {"name": "Fast 3G", "latency_ms": 150 * 3.75,
           "download_Bps": 1.6 * 1000 * 1000 / 8 * 0.9, "upload_Bps": 750 * 1000 / 8 * 0.9}

# CDP's throttling delays each HTTP request and the WebSocket handshake, but not the
# WebSocket frames (the client's own clock samples show a few ms of round trip on a "Slow
# 3G" page). For the countdown, the throttled pages' socket goes through a loopback proxy
# that delays every chunk by the profile's target one-way delay (half its RTT) plus a
# uniform jitter, in each direction independently, keeping order.
SOCKET_DELAY = {"Slow 3G": {"one_way_ms": 200, "jitter_ms": 100},
                "Fast 3G": {"one_way_ms": 75, "jitter_ms": 40}}

PHONE = {"width": 360, "height": 740}
PROJECTOR = {"width": 1280, "height": 720}
RUNS = 3
COLD_RUNS = 1
SAMPLES = 10
SAMPLE_EVERY_S = 0.5
SEED_NOTES = 12

# Put into every page before its own scripts: marks (performance.now(), ms since navigation
# start) for DOMContentLoaded, the name submitted, `connected` (a listener on the client's
# status events, hooked as the page assigns window.townhall) and the first rendered note.
INSTRUMENT = r"""
(() => {
  if (window.__bench) return;
  const marks = (window.__bench = { flips: [] });
  let client;
  Object.defineProperty(window, "townhall", {
    configurable: true,
    get() { return client; },
    set(v) {
      client = v;
      if (v && typeof v.on === "function") {
        v.on("status", (s) => {
          if (s.state === "connected" && marks.connected == null) marks.connected = performance.now();
        });
      }
    },
  });
  // A new participant types a name the moment the join form shows (the app shows it
  // once its modules and its language have loaded, after DOMContentLoaded).
  const autoJoin = () => {
    const name = window.__benchAutoJoin;
    const join = document.getElementById("join");
    if (!name || marks.submitted != null || !join || join.hidden) return;
    marks.joinShown = performance.now();
    document.getElementById("name").value = name;
    document.getElementById("join-form").requestSubmit();
    marks.submitted = performance.now();
  };
  new MutationObserver(() => {
    if (marks.notes == null && document.querySelector("#notes li.note:not(.pending)")) {
      marks.notes = performance.now();
    }
    autoJoin();
  }).observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ["hidden"] });
  document.addEventListener("DOMContentLoaded", () => {
    marks.dcl = performance.now();
    autoJoin();
  });
})();
"""

# Records every change of the displayed countdown with the wall clock (Date.now()).
WATCH_COUNTDOWN = r"""
() => {
  const node = document.getElementById("countdown");
  const flips = window.__bench.flips;
  const note = () => flips.push([Date.now(), node.textContent]);
  note();
  new MutationObserver(note).observe(node, { childList: true, subtree: true, characterData: true });
}
"""

SAMPLE = r"""
() => {
  const t = window.townhall;
  return [t.model.timer.ends_at - t.now(), Date.now(), t.offset, t.rtt];
}
"""


def kb(n: float) -> str:
    return f"{n / 1000:.1f}"


# -- network accounting through CDP ----------------------------------------------------

def ws_frame_bytes(payload: str, opcode: int, sent: bool) -> int:
    """Bytes of one WebSocket frame on the wire (RFC 6455 header, masked if sent),
    from the payload CDP reports (the text, or base64 for binary frames)."""
    n = len(base64.b64decode(payload)) if opcode == 2 else len(payload.encode())
    header = 2 + (2 if 126 <= n < 65536 else 8 if n >= 65536 else 0) + (4 if sent else 0)
    return n + header


def deflate_sizes():
    """Per-direction permessage-deflate estimate, as negotiated with uvicorn's websockets
    (context takeover, 12 window bits, memLevel 5): CDP shows payloads decompressed."""
    def make():
        c = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -12, 5)

        def size(data: bytes) -> int:
            return len(c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH)) - 4
        return size
    return {True: make(), False: make()}


def header_bytes(first_line: str, headers: dict) -> int:
    return len(first_line) + 2 + sum(len(k) + len(str(v)) + 4 for k, v in headers.items()) + 2


class NetLog:
    """Bytes a page received, per request (Network.loadingFinished encodedDataLength:
    headers + body as they came over the wire), plus WebSocket handshake and frames."""

    def __init__(self, cdp) -> None:
        self.requests: dict[str, dict] = {}
        self.ws = {"handshake": 0, "sent": 0, "received": 0, "frames_sent": 0,
                   "frames_received": 0, "deflated_sent": 0, "deflated_received": 0,
                   "extensions": ""}
        self._deflate = deflate_sizes()
        self._ws_request: dict[str, dict] = {}
        cdp.on("Network.requestWillBeSent", self._will_send)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.requestServedFromCache", self._from_cache)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.webSocketCreated", self._ws_created)
        cdp.on("Network.webSocketWillSendHandshakeRequest", self._ws_request_headers)
        cdp.on("Network.webSocketHandshakeResponseReceived", self._ws_response)
        cdp.on("Network.webSocketFrameSent", lambda p: self._ws_frame(p, True))
        cdp.on("Network.webSocketFrameReceived", lambda p: self._ws_frame(p, False))

    def _req(self, rid: str) -> dict:
        return self.requests.setdefault(rid, {"url": "", "type": "", "bytes": 0, "done": False,
                                              "cached": False, "status": None})

    def _will_send(self, p: dict) -> None:
        r = self._req(p["requestId"])
        r["url"] = p["request"]["url"]
        r["type"] = p.get("type", "")

    def _response(self, p: dict) -> None:
        r = self._req(p["requestId"])
        r["status"] = p["response"].get("status")
        if p["response"].get("fromDiskCache") or p["response"].get("fromPrefetchCache"):
            r["cached"] = True

    def _from_cache(self, p: dict) -> None:
        self._req(p["requestId"])["cached"] = True

    def _finished(self, p: dict) -> None:
        r = self._req(p["requestId"])
        r["bytes"] = int(p.get("encodedDataLength", 0))
        r["done"] = True

    def _ws_created(self, p: dict) -> None:
        self._ws_request[p["requestId"]] = {"url": p["url"]}

    def _ws_request_headers(self, p: dict) -> None:
        url = urlparse(self._ws_request.get(p["requestId"], {}).get("url", "/"))
        line = f"GET {url.path}?{url.query} HTTP/1.1"
        self.ws["handshake"] += header_bytes(line, p["request"].get("headers", {}))

    def _ws_response(self, p: dict) -> None:
        resp = p["response"]
        text = resp.get("headersText")
        headers = resp.get("headers", {})
        self.ws["handshake"] += len(text) if text else header_bytes(
            f"HTTP/1.1 {resp.get('status', 101)} {resp.get('statusText', 'Switching Protocols')}", headers)
        ext = {k.lower(): v for k, v in headers.items()}.get("sec-websocket-extensions", "")
        self.ws["extensions"] = ext or self.ws["extensions"]

    def _ws_frame(self, p: dict, sent: bool) -> None:
        frame = p["response"]
        opcode = int(frame.get("opcode", 1))
        payload = frame.get("payloadData", "")
        size = ws_frame_bytes(payload, opcode, sent)
        key = "sent" if sent else "received"
        self.ws[key] += size
        self.ws[f"frames_{key}"] += 1
        data = base64.b64decode(payload) if opcode == 2 else payload.encode()
        packed = self._deflate[sent](data)
        n = len(data)
        self.ws[f"deflated_{key}"] += size - n + packed

    def categorise(self, r: dict) -> str:
        path = urlparse(r["url"]).path
        if r["type"] == "Document":
            return "html"
        if path.startswith("/socket.io/"):
            return "socket.io polling"
        if path.startswith("/vendor/"):
            return "socket.io client"
        if path.endswith(".css"):
            return "css"
        if path.endswith(".js"):
            return "js modules"
        return "other"

    def snapshot(self) -> dict:
        per: dict[str, int] = {}
        resources = []
        for r in self.requests.values():
            if not r["url"].startswith("http"):
                continue
            cat = self.categorise(r)
            per[cat] = per.get(cat, 0) + r["bytes"]
            resources.append((urlparse(r["url"]).path, cat, r["bytes"], r["cached"], r["status"]))
        per["ws handshake (est.)"] = self.ws["handshake"]
        per["ws frames"] = self.ws["sent"] + self.ws["received"]
        deflated = self.ws["deflated_sent"] + self.ws["deflated_received"]
        total = sum(per.values())
        return {"total": total, "by_category": per, "resources": resources,
                "ws": dict(self.ws), "total_deflated": total - per["ws frames"] + deflated}


# -- a delaying proxy for the socket ------------------------------------------------------

class SocketDelay:
    """A loopback TCP proxy in front of the server. Connections whose first request is for
    /socket.io/ get `one_way_ms` + uniform(0, `jitter_ms`) on every chunk, each direction
    on its own, never reordered; other connections pass straight through."""

    def __init__(self, target_port: int, one_way_ms: float, jitter_ms: float) -> None:
        self.target_port = target_port
        self.one_way = one_way_ms / 1000
        self.jitter = jitter_ms / 1000
        self.tasks: set[asyncio.Task] = set()
        self.server = None
        self.port = 0

    async def start(self) -> "SocketDelay":
        self.server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        self.server.close()
        for t in list(self.tasks):
            t.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    async def _connection(self, reader, writer) -> None:
        self.tasks.add(asyncio.current_task())
        try:
            first = await reader.read(65536)
            if not first:
                return
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
            delayed = first.startswith(b"GET /socket.io/")
            await asyncio.gather(self._pump(first, reader, up_writer, delayed),
                                 self._pump(b"", up_reader, writer, delayed))
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()
            self.tasks.discard(asyncio.current_task())

    async def _pump(self, first: bytes, src, dst, delayed: bool) -> None:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue = asyncio.Queue()

        async def deliver() -> None:
            while True:
                at, data = await queue.get()
                if data is None:
                    break
                if at > loop.time():
                    await asyncio.sleep(at - loop.time())
                dst.write(data)
                await dst.drain()

        sender = asyncio.create_task(deliver())
        release = 0.0
        chunk = first
        try:
            while True:
                if chunk:
                    delay = self.one_way + random.uniform(0, self.jitter) if delayed else 0.0
                    release = max(release, loop.time() + delay)
                    queue.put_nowait((release, chunk))
                chunk = await src.read(65536)
                if not chunk:
                    break
        except ConnectionError:
            pass
        queue.put_nowait((release, None))
        try:
            await sender
        except ConnectionError:
            pass
        finally:
            dst.close()


# -- pages ---------------------------------------------------------------------------

async def open_page(browser, viewport, profile=None, *, context=None, storage_state=None,
                    auto_join: str | None = None):
    """A page (in a new context unless one is given) with the instrument, a NetLog and,
    if a profile is given, its throttling applied before anything loads."""
    ctx = context
    if ctx is None:
        ctx = await browser.new_context(viewport=viewport, storage_state=storage_state)
        await ctx.add_init_script(INSTRUMENT)
    page = await ctx.new_page()
    if auto_join:
        await page.add_init_script(f"window.__benchAutoJoin = {json.dumps(auto_join)};")
    cdp = await ctx.new_cdp_session(page)
    net = NetLog(cdp)
    await cdp.send("Network.enable")
    if profile:
        await cdp.send("Network.emulateNetworkConditions", {
            "offline": False, "latency": profile["latency_ms"],
            "downloadThroughput": profile["download_Bps"],
            "uploadThroughput": profile["upload_Bps"]})
    return ctx, page, net


async def marks(page) -> dict:
    return await page.evaluate("""() => ({...window.__bench, flips: undefined,
        fcp: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? null})""")


async def wait_mark(page, name: str, timeout_ms: int = 60000) -> None:
    await page.wait_for_function(f"() => window.__bench && window.__bench.{name} != null",
                                 timeout=timeout_ms, polling=20)


async def settle(page) -> None:
    """After `connected` the client syncs and takes five clock samples: let it finish."""
    await page.wait_for_function("() => window.townhall && window.townhall.rtt != null",
                                 timeout=60000, polling=20)
    await page.wait_for_timeout(500)


WATERFALL = r"""
() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const rows = [[location.pathname, "navigation", 0, nav.responseEnd, nav.transferSize]];
  for (const e of performance.getEntriesByType("resource")) {
    rows.push([new URL(e.name).pathname, e.initiatorType, e.startTime, e.responseEnd, e.transferSize]);
  }
  return rows;
}
"""


# -- part 1: first-load bytes -----------------------------------------------------------

async def first_load(browser, url: str, viewport, auto_join: str | None) -> dict:
    ctx, page, net = await open_page(browser, viewport, auto_join=auto_join)
    try:
        await page.goto(url, wait_until="commit")
        await wait_mark(page, "connected", 20000)
        at_connected = net.snapshot()
        await settle(page)
        settled = net.snapshot()
    finally:
        await ctx.close()
    return {"connected": at_connected, "settled": settled}


def print_load(title: str, result: dict) -> None:
    c, s = result["connected"], result["settled"]
    print(f"\n{title}: {kb(c['total'])} kB at `connected`, {kb(s['total'])} kB once the "
          f"client has synced and sampled the clock (kB = 1000 bytes, compressed, on the wire)")
    print(f"  {'resource':<40} {'kind':<20} {'bytes':>8}")
    for path, cat, n, cached, status in sorted(s["resources"], key=lambda r: -r[2]):
        print(f"  {path[:40]:<40} {cat:<20} {n:>8}{'  (cache)' if cached else ''}")
    ws = s["ws"]
    print(f"  {'websocket handshake (estimated)':<61} {ws['handshake']:>8}")
    print(f"  {'websocket frames received (%d)' % ws['frames_received']:<61} {ws['received']:>8}"
          f"  (~{ws['deflated_received']} with permessage-deflate)")
    print(f"  {'websocket frames sent (%d)' % ws['frames_sent']:<61} {ws['sent']:>8}"
          f"  (~{ws['deflated_sent']} with permessage-deflate)")
    print("  by kind: " + ", ".join(f"{k} {kb(v)} kB" for k, v in s["by_category"].items()))
    ext = ws["extensions"] or "none"
    print(f"  websocket extensions negotiated: {ext}"
          + ("" if ws["extensions"] else " (frames travel uncompressed)"))
    if ws["extensions"]:
        print(f"  total with frames as deflated on the wire (estimate): {kb(s['total_deflated'])} kB")


# -- part 2: slow 3G, navigation start -> connected ----------------------------------------

async def slow_runs(browser, srv: Server, group: str, returning_identity: dict) -> dict:
    url = srv.links()["join"][group]
    code = url.rsplit("/", 1)[1]
    origin = srv.url
    out = {"new": [], "warm": [], "cold": []}
    waterfall = None
    for i in range(RUNS):
        # (a) new participant, cold cache; then (b, warm) the same phone comes back.
        ctx, page, net = await open_page(browser, PHONE, SLOW_3G, auto_join=f"Slow {i + 1}")
        await page.goto(url, wait_until="commit")
        await wait_mark(page, "connected")
        m = await marks(page)
        if waterfall is None:
            waterfall = await page.evaluate(WATERFALL)
        out["new"].append(m)
        await settle(page)  # the token is in localStorage once the welcome arrived
        # A phone that stayed a second keeps what it saw (client.js saves it 1 s after a
        # change): the returning visit shows that at once, before it is connected.
        await page.wait_for_function(
            "() => Object.keys(localStorage).some((k) => k.startsWith('townhall:saved:'))", timeout=10000)
        out["new"][-1]["socket_rtt"] = await page.evaluate("() => window.townhall.rtt")
        await page.close()
        _, page, net = await open_page(browser, PHONE, SLOW_3G, context=ctx)
        await page.goto(url, wait_until="commit")
        await wait_mark(page, "connected")
        await wait_mark(page, "notes")
        m = await marks(page)
        snap = net.snapshot()
        m["cached"] = sum(1 for r in snap["resources"] if r[3])
        m["requests"] = len(snap["resources"])
        out["warm"].append(m)
        await ctx.close()

    # (b, cold) a returning participant whose browser kept localStorage but no HTTP cache.
    # Its chain is the new participant's without the name, so COLD_RUNS (1) keeps the whole
    # benchmark within two minutes; loading several at once skews them (about +1 s each on
    # a 2-CPU machine), so they run one after another.
    state = {"cookies": [], "origins": [{"origin": origin, "localStorage": [
        {"name": f"townhall:participant:{code}", "value": json.dumps(returning_identity)}]}]}

    async def cold() -> dict:
        ctx, page, _ = await open_page(browser, PHONE, SLOW_3G, storage_state=state)
        try:
            await page.goto(url, wait_until="commit")
            await wait_mark(page, "connected")
            await wait_mark(page, "notes")
            return await marks(page)
        finally:
            await ctx.close()

    out["cold"] = [await cold() for _ in range(COLD_RUNS)]
    out["waterfall"] = waterfall
    return out


def med_max(values: list[float]) -> tuple[float, float]:
    return statistics.median(values), max(values)


# -- part 3: countdown spread -------------------------------------------------------------

SECONDS = re.compile(r"(\d+):(\d{2})(?::(\d{2}))?")


def shown_seconds(text: str) -> int | None:
    if "over" in text or "paused" in text.lower():
        return None
    m = SECONDS.search(text)
    if not m:
        return None
    a, b, c = m.groups()
    return int(a) * 3600 + int(b) * 60 + int(c) if c else int(a) * 60 + int(b)


async def countdown_spread(browser, srv: Server, ends_at: int) -> dict:
    links = srv.links()
    proxies = {name: await SocketDelay(srv.port, **d).start() for name, d in SOCKET_DELAY.items()}
    via = lambda url, profile: url.replace(srv.url, f"http://127.0.0.1:{proxies[profile['name']].port}")
    plan = [("screen", links["screen"], PROJECTOR, None, None),
            ("access (Slow 3G)", via(links["join"]["access"], SLOW_3G), PHONE, SLOW_3G, "Tam"),
            ("mental-health (Fast 3G)", via(links["join"]["mental-health"], FAST_3G), PHONE,
             FAST_3G, "Ola"),
            ("young-people", links["join"]["young-people"], PHONE, None, "Kit"),
            ("gender-identity", links["join"]["gender-identity"], PHONE, None, "Bea")]
    pages = []
    try:
        for label, url, viewport, profile, name in plan:
            ctx, page, _ = await open_page(browser, viewport, profile, auto_join=name)
            pages.append((label, ctx, page))
        t_open = time.monotonic()
        await asyncio.gather(*(p.goto(u, wait_until="commit")
                               for (_, _, p), (_, u, *_rest) in zip(pages, plan)))
        await asyncio.gather(*(wait_mark(p, "connected") for _, _, p in pages))
        connect_s = time.monotonic() - t_open
        # Calibrated: at least one timed clock sample on every page, and ~3 s to settle.
        await asyncio.gather(*(p.wait_for_function(
            "() => window.townhall.rtt != null", timeout=30000, polling=50) for _, _, p in pages))
        await asyncio.sleep(3)
        await asyncio.gather(*(p.evaluate(WATCH_COUNTDOWN) for _, _, p in pages))
        rounds = []
        for _ in range(SAMPLES):
            got = await asyncio.gather(*(p.evaluate(SAMPLE) for _, _, p in pages))
            t0 = min(g[1] for g in got)
            norm = [g[0] + (g[1] - t0) for g in got]
            rounds.append({"spread": max(norm) - min(norm), "norm": norm,
                           "skew": max(g[1] for g in got) - t0,
                           "offset": [g[2] for g in got], "rtt": [g[3] for g in got]})
            await asyncio.sleep(SAMPLE_EVERY_S)
        flips = await asyncio.gather(*(p.evaluate("() => window.__bench.flips") for _, _, p in pages))
    finally:
        for _, ctx, _ in pages:
            await ctx.close()
        for proxy in proxies.values():
            await proxy.stop()

    # When each page's displayed second changed, against when it should have (the true
    # remaining time crossing the whole second: ceil(ms / 1000) changes).
    lags: list[dict[int, float]] = []
    for page_flips in flips:
        per: dict[int, float] = {}
        prev = None
        for t, text in page_flips:
            s = shown_seconds(text)
            if prev is not None and s is not None and s == prev - 1:
                per[s] = t - (ends_at - s * 1000)
            if s is not None:
                prev = s
        lags.append(per)
    common = set.intersection(*(set(p) for p in lags)) if lags else set()
    flip_spreads = [max(p[s] for p in lags) - min(p[s] for p in lags) for s in sorted(common)]
    last = rounds[-1]
    return {"labels": [label for label, *_ in plan], "rounds": rounds, "connect_s": connect_s,
            "offset": last["offset"], "rtt": last["rtt"], "lags": lags,
            "flip_spreads": flip_spreads}


# -- the run ---------------------------------------------------------------------------

def machine() -> dict:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"nproc": nproc, "cpu": model, "load": os.getloadavg()}


async def seed(srv: Server, lead_token: str) -> tuple[int, dict]:
    """A group mid-morning: SEED_NOTES notes in `access`; a slot running; and one
    participant whose identity a returning phone keeps. Returns (ends_at, identity)."""
    writers = []
    for name in ("Amira", "Ben", "Chloe"):
        c = await Client().connect(srv.url, {"join_code": srv.token("join", "access"), "name": name})
        writers.append(c)
    for i in range(SEED_NOTES):
        text = (f"Note {i + 1}: evening and weekend GP appointments would help people who "
                f"work shifts; interpreters should be booked with the appointment.")
        ack = await writers[i % len(writers)].call("note.add", {"client_id": cid(), "text": text})
        assert ack["ok"], ack
    back = writers[0].welcome
    identity = {"name": "Amira", "token": back["token"], "participantId": back["participant_id"]}
    for c in writers:
        await c.close()

    lead = await Client().connect(srv.url, {"token": lead_token})
    slot = next(s for s in lead.welcome["snapshot"]["agenda"] if s["id"] == "issue-groups")
    ack = await lead.call("agenda.start", {"slot_id": slot["id"]})
    assert ack["ok"], ack
    started = await lead.wait_event("agenda.started")
    await lead.close()
    return started["data"]["ends_at"], identity


async def main() -> int:
    if not Path(CHROMIUM).exists():
        print(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
        return 1
    from playwright.async_api import async_playwright

    began = time.monotonic()
    host = machine()
    with tempfile.TemporaryDirectory(prefix="townhall-bench-") as tmp:
        srv = Server(Path(tmp) / "townhall").start()
        try:
            links = srv.links()
            ends_at, identity = await seed(srv, srv.token("lead"))
            async with async_playwright() as pw:
                browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    return await run(browser, srv, links, ends_at, identity, host, began)
                finally:
                    await browser.close()
        finally:
            srv.stop()


async def run(browser, srv, links, ends_at, identity, host, began) -> int:
    print("# townhall front-end benchmark\n")
    print(f"machine: {host['nproc']} CPUs, {host['cpu']}, load average "
          f"{' '.join(f'{x:.2f}' for x in host['load'])}; Chromium {browser.version}")
    print(f"day: demo assembly, {SEED_NOTES} notes in group `access`, slot `issue-groups` running")
    for p in (SLOW_3G, FAST_3G):
        print(f"throttling {p['name']}: latency_ms={p['latency_ms']:g}, "
              f"download={p['download_Bps']:g} B/s ({p['download_Bps'] * 8 / 1000:g} kbit/s), "
              f"upload={p['upload_Bps']:g} B/s ({p['upload_Bps'] * 8 / 1000:g} kbit/s)"
              f"; countdown part adds a socket delay of {SOCKET_DELAY[p['name']]['one_way_ms']} ms "
              f"+ U(0, {SOCKET_DELAY[p['name']]['jitter_ms']}) ms each way")

    phases = {}
    t = time.monotonic()
    # 1
    part = await first_load(browser, links["join"]["access"], PHONE, "Dana")
    print_load("## participant app, first load (/j/CODE, join, connected)", part)
    screen = await first_load(browser, links["screen"], PROJECTOR, None)
    print_load("## plenary screen, first load (/screen/TOKEN, connected)", screen)

    phases["first load"] = time.monotonic() - t
    t = time.monotonic()
    # 2
    slow = await slow_runs(browser, srv, "access", identity)
    print(f"\n## Slow 3G: navigation start -> connected ({RUNS} runs, ms)")
    print("first run's waterfall (new participant; ms since navigation start):")
    for path, kind, start, end, size in slow["waterfall"]:
        print(f"  {path[:34]:<34} {kind:<10} {start:>7.0f} -> {end:>7.0f}  {size:>6} B")
    rtts = [m["socket_rtt"] for m in slow["new"]]
    print(f"socket round trip the client measured on these CDP-throttled pages: "
          f"{', '.join(f'{r:.0f}' for r in rtts)} ms (CDP delays the handshake, not the frames)")
    for key, title in (("new", "new participant"), ("warm", "returning, warm cache"),
                       ("cold", f"returning, cold cache ({COLD_RUNS} run)")):
        rows = slow[key]
        print(f"{title}:")
        for m in rows:
            extra = f" notes={m['notes']:.0f}" if m.get("notes") is not None and key != "new" else ""
            sub = f" submitted={m['submitted']:.0f}" if m.get("submitted") is not None else ""
            cache = f" ({m['cached']}/{m['requests']} from cache)" if "cached" in m else ""
            fcp = f" fcp={m['fcp']:.0f}" if m.get("fcp") is not None else " fcp=-"
            print(f"  dcl={m['dcl']:.0f}{fcp}{sub} connected={m['connected']:.0f}{extra}{cache}")

    phases["slow 3G"] = time.monotonic() - t
    t = time.monotonic()
    # 3
    spread = await countdown_spread(browser, srv, ends_at)
    phases["countdown"] = time.monotonic() - t
    print(f"\n## countdown spread across five pages ({SAMPLES} samples, {SAMPLE_EVERY_S} s apart; "
          f"all five connected {spread['connect_s']:.1f} s after navigation)")
    print(f"  {'page':<26} {'offset ms':>9} {'rtt ms':>8} {'flip lag ms (median/max)':>26}")
    for i, label in enumerate(spread["labels"]):
        lags = list(spread["lags"][i].values())
        lag = f"{statistics.median(lags):.0f} / {max(lags):.0f}" if lags else "-"
        rtt = spread["rtt"][i]
        print(f"  {label:<26} {round(spread['offset'][i]) + 0:>9} "
              f"{(f'{rtt:.1f}' if rtt is not None else '-'):>8} {lag:>26}")
    print("  spread per sample (ms): " + ", ".join(f"{r['spread']:.0f}" for r in spread["rounds"]))
    print("  time between the first and last page's Date.now() in a sample (ms): "
          + ", ".join(f"{r['skew']:.0f}" for r in spread["rounds"]))
    if spread["flip_spreads"]:
        print("  displayed-second flip spread across the five pages (ms): "
              + ", ".join(f"{x:.0f}" for x in spread["flip_spreads"]))

    # the table
    pc, ps = part["connected"], part["settled"]
    ss = screen["settled"]
    cat = ps["by_category"]
    rows = [
        ("participant first load, total at connected", f"{kb(pc['total'])} kB", "< 100 kB"),
        ("participant first load, total after sync + clock", f"{kb(ps['total'])} kB", "< 100 kB"),
    ]
    if ps["ws"]["extensions"]:
        rows.append(("… same, ws frames deflated (estimate)", f"{kb(ps['total_deflated'])} kB", ""))
    for k in ("html", "css", "js modules", "socket.io client", "socket.io polling",
              "ws handshake (est.)", "ws frames"):
        if k in cat:
            rows.append((f"… {k}", f"{kb(cat[k])} kB", ""))
    rows += [
        # (not "at connected" for the screen: its QR codes load just after the welcome, so
        # how many are counted by then is a race)
        ("screen first load, total after sync + clock", f"{kb(ss['total'])} kB", ""),
        ("… of which ws frames", f"{kb(ss['by_category']['ws frames'])} kB", ""),
        ("… of which QR codes (/j/CODE/qr.svg)", f"{kb(ss['by_category'].get('other', 0))} kB", ""),
    ]
    for key, title in (("new", "Slow 3G new participant: nav -> connected"),
                       ("warm", "Slow 3G returning (warm cache): nav -> connected"),
                       ("cold", f"Slow 3G returning (cold cache, {COLD_RUNS} run): nav -> connected")):
        if key == "new" and all(m.get("fcp") is not None for m in slow[key]):
            md, mx = med_max([m["fcp"] for m in slow[key]])
            rows.append(("Slow 3G new participant: nav -> first contentful paint (median / max)",
                         f"{md:.0f} / {mx:.0f} ms", ""))
        md, mx = med_max([m["connected"] for m in slow[key]])
        rows.append((f"{title} (median / max)", f"{md:.0f} / {mx:.0f} ms", ""))
        if key != "new":
            md, mx = med_max([m["notes"] for m in slow[key]])
            rows.append((f"{title.split(':')[0]}: nav -> notes rendered (median / max)",
                         f"{md:.0f} / {mx:.0f} ms", ""))
    spreads = [r["spread"] for r in spread["rounds"]]
    rows.append(("socket RTT seen by the client on a CDP Slow 3G page (median)",
                 f"{statistics.median(rtts):.0f} ms", ""))
    rows += [
        ("countdown spread, 5 pages (median / max of 10)",
         f"{statistics.median(spreads):.0f} / {max(spreads):.0f} ms", "≤ 100 ms"),
        ("clock offset |error|, worst page",
         f"{max(abs(round(o)) for o in spread['offset'])} ms", ""),
    ]
    if spread["flip_spreads"]:
        rows.append(("displayed-second flip spread (max)", f"{max(spread['flip_spreads']):.0f} ms", ""))
    print("\n## summary\n")
    print("| figure | value | goal |")
    print("|---|---|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} |")
    print(f"\nmachine: nproc {host['nproc']}, CPU {host['cpu']}, Chromium {browser.version}, "
          f"load average at start {host['load'][0]:.2f}, at end {os.getloadavg()[0]:.2f}; "
          f"Slow 3G = latency {SLOW_3G['latency_ms']:g} ms, {SLOW_3G['download_Bps']:g} B/s down, "
          f"{SLOW_3G['upload_Bps']:g} B/s up; Fast 3G = latency {FAST_3G['latency_ms']:g} ms, "
          f"{FAST_3G['download_Bps']:g} B/s down, {FAST_3G['upload_Bps']:g} B/s up; "
          f"countdown socket delay (each way) Slow 3G {SOCKET_DELAY['Slow 3G']['one_way_ms']}"
          f"+U(0,{SOCKET_DELAY['Slow 3G']['jitter_ms']}) ms, Fast 3G "
          f"{SOCKET_DELAY['Fast 3G']['one_way_ms']}+U(0,{SOCKET_DELAY['Fast 3G']['jitter_ms']}) ms; "
          f"run took {time.monotonic() - began:.0f} s ("
          + ", ".join(f"{k} {v:.0f} s" for k, v in phases.items()) + ")")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

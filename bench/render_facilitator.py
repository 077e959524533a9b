#!/usr/bin/env python
"""How long the facilitator's console blocks while a busy group writes. Not a test: it
prints figures (and a Markdown table) and exits 0.

    .venv/bin/python bench/render_facilitator.py                 # the console as it is
    .venv/bin/python bench/render_facilitator.py --root /tmp/old  # another copy of the pages

It starts a real `townhall serve` (demo assembly, SQLite in a temporary directory) on a
free loopback port; 40 python-socketio participants fill group `access` with NOTES notes
(and some supports), the lead adds 8 key points of about 140 characters (3 published);
then Debian's Chromium (/usr/bin/chromium, driven by Playwright) opens the facilitator
link at 1024x768. Two rounds, each a BURST_S burst of ~100 new notes and ~100 supports
from the participants, evenly spread:

1. the CPU as it is;
2. the CPU slowed 4x (CDP Emulation.setCPUThrottlingRate 4), as on a cheap tablet.

Measured in the page (an init script, before the page's own code):
- long tasks (PerformanceObserver "longtask", > 50 ms) from the first write of the burst
  until the console shows its last note: count, longest, total blocking time (the sum of
  each long task's time over 50 ms);
- the page's work on each change: every call of a "change" listener on the client (where
  the old console redrew everything) and every requestAnimationFrame / timer callback (where
  a console that draws once a frame does it), timed with performance.now();
- taps during the burst: a click every 100 ms on the group's name in the top bar (outside
  the lists, so a tap changes nothing) through CDP; the delay
  is the time from the browser receiving the tap (event.timeStamp) to its handler running;
- long animation frames (PerformanceObserver "long-animation-frame"), and the main thread's
  busy time, style and layout from CDP Performance.getMetrics.

`--root DIR` serves the pages from DIR (TOWNHALL_ROOT: DIR/static, DIR/facilitator_ui and
DIR/node_modules), to measure a copy of the console from before a change beside the
current one on the same server code. The figures come from one machine that other work
may share: run it twice.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from conftest import CHROMIUM, CHROMIUM_ARGS, Client, Server, cid  # noqa: E402

GROUP = "access"
PARTICIPANTS = 40
NOTES = 500
SUPPORTS = 300
KEYPOINTS = 8
BURST_NOTES = 100
BURST_SUPPORTS = 100
BURST_S = 2.0
TAP_EVERY_S = 0.1
VIEWPORT = {"width": 1024, "height": 768}

WORDS = ("evening weekend appointments interpreters letters parking pharmacy waiting list "
         "referral transport carers young people surgery phone online prescriptions clinic "
         "nurse discharge mental health support records access booking").split()

# Runs before the page's own scripts.
INSTRUMENT = r"""
(() => {
  const b = (window.__bench = { longtasks: [], work: [], taps: [], notesShown: [] });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) b.longtasks.push([e.startTime, e.duration]);
  }).observe({ type: "longtask", buffered: true });
  // Long animation frames (> 50 ms): how much of each was script, and how much style
  // and layout (the rest is the browser's rendering: paint, compositing).
  b.frames = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const script = e.scripts.reduce((sum, s) => sum + s.duration, 0);
        const layout = e.styleAndLayoutStart ? e.startTime + e.duration - e.styleAndLayoutStart : 0;
        b.frames.push([e.startTime, e.duration, script, layout, e.blockingDuration]);
      }
    }).observe({ type: "long-animation-frame", buffered: true });
  } catch { /* not in this browser */ }
  const timed = (kind, fn) => function (...args) {
    const t = performance.now();
    try { return fn.apply(this, args); } finally { b.work.push([kind, t, performance.now() - t]); }
  };
  const raf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (fn) => raf(timed("frame", fn));
  const st = window.setTimeout.bind(window);
  window.setTimeout = (fn, ms, ...rest) => st(typeof fn === "function" ? timed("timer", fn) : fn, ms, ...rest);
  let client;
  Object.defineProperty(window, "townhall", {
    configurable: true,
    get() { return client; },
    set(v) {
      client = v;
      if (v && typeof v.on === "function") {
        const on = v.on.bind(v);
        v.on = (kind, fn) => on(kind, kind === "change" ? timed("change", fn) : fn);
      }
    },
  });
  document.addEventListener("pointerdown", (e) => {
    if (e.target.closest?.("#group-name")) b.taps.push(performance.now() - e.timeStamp);
  }, true);
})();
"""

COUNT_NOTES = "() => document.querySelectorAll('#notes li.note').length"


def note_text(rng: random.Random, i: int) -> str:
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20)))
    return f"{words.capitalize()} ({i})"


async def fill(srv: Server, rng: random.Random):
    join = srv.token("join", GROUP)
    people = []
    for i in range(PARTICIPANTS):
        people.append(await Client().connect(srv.url, {"join_code": join, "name": f"Participant {i + 1}"}))

    async def write(p: Client, texts: list[str]) -> list[str]:
        ids = []
        for t in texts:
            ack = await p.call("note.add", {"client_id": cid(), "text": t})
            assert ack["ok"], ack
            ids.append(ack["note_id"])
        return ids

    per = [[] for _ in people]
    for i in range(NOTES):
        per[i % PARTICIPANTS].append(note_text(rng, i + 1))
    note_ids = [n for chunk in await asyncio.gather(*(write(p, t) for p, t in zip(people, per))) for n in chunk]
    for _ in range(SUPPORTS):
        p = rng.choice(people)
        await p.call("note.support", {"note_id": rng.choice(note_ids)})

    lead = await Client().connect(srv.url, {"token": srv.token("lead")})
    for k in range(KEYPOINTS):
        text = (f"Key point {k + 1}: " + " ".join(rng.choice(WORDS) for _ in range(30)))[:140]
        ack = await lead.call("keypoint.add", {"client_id": cid(), "group_id": GROUP, "text": text,
                                               "note_ids": rng.sample(note_ids, 3)})
        assert ack["ok"], ack
        if k < 3:
            await lead.call("keypoint.publish", {"keypoint_id": ack["keypoint_id"]})
    await lead.call("agenda.start", {"slot_id": "issue-groups"})
    await lead.close()
    return people, note_ids


async def burst(people, note_ids, rng: random.Random, first: int) -> list[str]:
    """BURST_NOTES notes and BURST_SUPPORTS supports, evenly spread over BURST_S."""
    actions = ["note"] * BURST_NOTES + ["support"] * BURST_SUPPORTS
    rng.shuffle(actions)
    step = BURST_S / len(actions)
    start = time.monotonic()
    tasks = []
    for i, kind in enumerate(actions):
        delay = start + i * step - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        p = people[i % len(people)]
        if kind == "note":
            first += 1
            tasks.append(asyncio.create_task(p.call("note.add", {"client_id": cid(), "text": note_text(rng, first)})))
        else:
            tasks.append(asyncio.create_task(p.call("note.support", {"note_id": rng.choice(note_ids)})))
    acks = await asyncio.gather(*tasks)
    return [a["note_id"] for a in acks if a.get("ok") and "note_id" in a]


async def tapper(page, stop: asyncio.Event, x: float, y: float) -> int:
    n = 0
    while not stop.is_set():
        await page.mouse.click(x, y)
        n += 1
        try:
            await asyncio.wait_for(stop.wait(), TAP_EVERY_S)
        except asyncio.TimeoutError:
            pass
    return n


def pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


METRICS = ("TaskDuration", "RecalcStyleDuration", "LayoutDuration", "LayoutCount", "RecalcStyleCount")


async def metrics(cdp) -> dict:
    got = (await cdp.send("Performance.getMetrics"))["metrics"]
    return {m["name"]: m["value"] for m in got if m["name"] in METRICS}


async def round_(page, cdp, people, note_ids, rng, first: int, label: str) -> dict:
    before = await page.evaluate(COUNT_NOTES)
    m0 = await metrics(cdp)
    t0 = await page.evaluate("() => { const b = window.__bench; b.work.length = 0; b.taps.length = 0; return performance.now(); }")
    box = await page.locator("#group-name").bounding_box()
    stop = asyncio.Event()
    taps = asyncio.create_task(tapper(page, stop, box["x"] + 20, box["y"] + box["height"] / 2))
    new_ids = await burst(people, note_ids, rng, first)
    # Until the console shows every note of the burst.
    want = before + len(new_ids)
    await page.wait_for_function(f"() => document.querySelectorAll('#notes li.note').length >= {want}", timeout=120000)
    t1 = await page.evaluate("() => performance.now()")
    m1 = await metrics(cdp)
    stop.set()
    await taps
    await page.wait_for_timeout(300)
    data = await page.evaluate("() => window.__bench")
    long = [(s, d) for s, d in data["longtasks"] if s + d >= t0 and s <= t1]
    work = [(k, s, d) for k, s, d in data["work"] if s >= t0 and s <= t1]
    frames_long = [f for f in data["frames"] if f[0] + f[1] >= t0 and f[0] <= t1]
    change = [d for k, _s, d in work if k == "change"]
    frames = [d for k, _s, d in work if k in ("frame", "timer")]
    heavy = [d for d in change + frames if d >= 1]  # a redraw, not a countdown tick or a schedule()
    return {
        "label": label, "notes_before": before, "notes_after": want, "new_notes": len(new_ids),
        "window_ms": t1 - t0,
        "long_count": len(long), "long_max": max((d for _s, d in long), default=0.0),
        "tbt": sum(max(0.0, d - 50) for _s, d in long),
        "blocked": sum(d for _s, d in long),
        "change_calls": len(change), "change_total": sum(change),
        "frame_calls": len(frames), "frame_total": sum(frames),
        "redraws": len(heavy), "redraw_median": statistics.median(heavy) if heavy else 0.0,
        "redraw_p95": pct(heavy, 95), "redraw_max": max(heavy, default=0.0),
        "work_total": sum(change) + sum(frames),
        **{f"cdp_{k}": m1.get(k, 0) - m0.get(k, 0) for k in METRICS},
        "loaf_count": len(frames_long), "loaf_total": sum(f[1] for f in frames_long),
        "loaf_script": sum(f[2] for f in frames_long), "loaf_layout": sum(f[3] for f in frames_long),
        "taps": len(data["taps"]), "tap_median": statistics.median(data["taps"]) if data["taps"] else 0.0,
        "tap_max": max(data["taps"], default=0.0),
    }


def table(results: list[dict]) -> str:
    rows = [
        ("notes shown (before → after the burst)", lambda r: f"{r['notes_before']} → {r['notes_after']}"),
        ("burst until the last note is shown", lambda r: f"{r['window_ms']:.0f} ms"),
        ("long tasks (> 50 ms)", lambda r: f"{r['long_count']}"),
        ("longest task", lambda r: f"{r['long_max']:.0f} ms"),
        ("total blocking time", lambda r: f"{r['tbt']:.0f} ms"),
        ("time in long tasks", lambda r: f"{r['blocked']:.0f} ms"),
        ("'change' listener calls / their time", lambda r: f"{r['change_calls']} / {r['change_total']:.0f} ms"),
        ("frame + timer callbacks / their time", lambda r: f"{r['frame_calls']} / {r['frame_total']:.0f} ms"),
        ("redraws (callbacks ≥ 1 ms)", lambda r: f"{r['redraws']}"),
        ("time per redraw, median / p95 / max", lambda r: f"{r['redraw_median']:.1f} / {r['redraw_p95']:.1f} / {r['redraw_max']:.1f} ms"),
        ("page script work in the burst, total", lambda r: f"{r['work_total']:.0f} ms"),
        ("main thread busy (CDP TaskDuration)", lambda r: f"{r['cdp_TaskDuration'] * 1000:.0f} ms"),
        ("style recalc / layout: count, time (CDP)",
         lambda r: f"{r['cdp_RecalcStyleCount']:.0f}, {r['cdp_RecalcStyleDuration'] * 1000:.0f} ms / "
                   f"{r['cdp_LayoutCount']:.0f}, {r['cdp_LayoutDuration'] * 1000:.0f} ms"),
        ("long animation frames: count / total", lambda r: f"{r['loaf_count']} / {r['loaf_total']:.0f} ms"),
        ("… of which scripts / rendering after them¹", lambda r: f"{r['loaf_script']:.0f} / {r['loaf_layout']:.0f} ms"),
        ("taps during the burst / input delay median / max", lambda r: f"{r['taps']} / {r['tap_median']:.0f} / {r['tap_max']:.0f} ms"),
    ]
    head = "| figure | " + " | ".join(r["label"] for r in results) + " |"
    sep = "|---|" + "---|" * len(results)
    body = ["| " + name + " | " + " | ".join(fmt(r) for r in results) + " |" for name, fmt in rows]
    return "\n".join([head, sep, *body])


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", help="serve the pages from this copy (TOWNHALL_ROOT)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
        return 1
    from playwright.async_api import async_playwright

    rng = random.Random(args.seed)
    env = {"TOWNHALL_ROOT": str(Path(args.root).resolve())} if args.root else {}
    began = time.monotonic()
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="townhall-render-") as tmp:
        srv = Server(Path(tmp) / "townhall", env=env).start()
        people = []
        try:
            people, note_ids = await fill(srv, rng)
            async with async_playwright() as pw:
                browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    context = await browser.new_context(viewport=VIEWPORT)
                    await context.add_init_script(INSTRUMENT)
                    page = await context.new_page()
                    await page.goto(srv.links()["facilitators"][GROUP])
                    await page.wait_for_function(f"() => document.querySelectorAll('#notes li.note').length >= {NOTES}",
                                                 timeout=120000)
                    cdp = await context.new_cdp_session(page)
                    await cdp.send("Performance.enable")
                    await page.wait_for_timeout(1000)
                    results = [await round_(page, cdp, people, note_ids, rng, NOTES, "CPU as is")]
                    await cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
                    await page.wait_for_timeout(1000)
                    results.append(await round_(page, cdp, people, note_ids, rng, NOTES + BURST_NOTES, "CPU 4× slower"))
                    await cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
                    version = browser.version
                finally:
                    await browser.close()
        finally:
            for p in people:
                await p.close()
            srv.stop()

    print("# facilitator console under a burst of notes\n")
    print(f"pages: {args.root or ROOT}; Chromium {version}; {len(os.sched_getaffinity(0))} CPUs, "
          f"load average {load[0]:.2f} at start, {os.getloadavg()[0]:.2f} at end; "
          f"{NOTES} notes, {SUPPORTS} supports, {KEYPOINTS} key points before; each burst "
          f"{BURST_NOTES} notes + {BURST_SUPPORTS} supports over {BURST_S:g} s from {PARTICIPANTS} "
          f"participants; viewport {VIEWPORT['width']}x{VIEWPORT['height']}; run took "
          f"{time.monotonic() - began:.0f} s\n")
    print(table(results))
    print("\n¹ LoAF: time in scripts, and from the frame's style and layout start to its end (style,"
          " layout, paint). Layout a script forces (by reading geometry) counts as script.")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

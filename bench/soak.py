"""A compressed day under trouble (issue 15): phones that sleep, wake, reload and lose
the Wi-Fi at random, two server restarts, and for the Redis store a Redis restart.

    .venv/bin/python bench/soak.py --minutes 60 --phones 300 --store sqlite
    .venv/bin/python bench/soak.py --minutes 60 --phones 300 --store redis

Checks, printed with the figures and written to bench/results/soak-<store>.md:
- memory: the server's RSS every 30 s; flat after warm-up (the last third against the
  middle third);
- no acknowledged write lost: every note whose `note.add` was acknowledged is in the
  final log exactly once;
- every phone's view equals the server's: at the end each phone reconnects with its
  token, catches up by `sync` from what it last saw, and its notes (ids, texts, supports,
  hidden) equal a fresh welcome's.
Not a test (it takes an hour); the figures go in the closing note.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import socketio

ROOT = Path(__file__).resolve().parents[1]
GROUPS = ["access", "mental-health", "young-people", "gender-identity", "self-care"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Redis:
    """A redis-server of our own with the append-only file, so it can be restarted."""

    def __init__(self, work: Path) -> None:
        self.port = free_port()
        self.dir = work / "redis"
        self.dir.mkdir()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                      "--dir", str(self.dir), "--appendonly", "yes",
                                      "--appendfsync", "always", "--save", ""],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            if subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True).stdout.strip() == b"PONG":
                return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc:
            self.proc.terminate()
            self.proc.wait(10)


class Server:
    def __init__(self, work: Path, store: str, redis: Redis | None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.work = work
        self.args = ["serve", "--host", "127.0.0.1", "--port", str(self.port)]
        self.args += ["--redis-url", redis.url] if redis else ["--data-dir", str(work / "data")]
        self.env = {**os.environ, "TOWNHALL_REDIS_PREFIX": "soak:"}
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        log = open(self.work / "server.log", "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "townhall", *self.args], stdout=log,
                                     stderr=subprocess.STDOUT, env=self.env)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("townhall did not start")

    def stop(self) -> None:
        if self.proc:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(20)

    def links(self) -> dict:
        store = self.args[self.args.index("--redis-url"):][:2] if "--redis-url" in self.args \
            else ["--data-dir", str(self.work / "data")]
        out = subprocess.run([sys.executable, "-m", "townhall", "links", *store, "--base-url", self.url,
                              "--json"], capture_output=True, text=True, env=self.env, check=True)
        return json.loads(out.stdout)


class Phone:
    """One participant: writes and supports notes, and keeps a view of its group the way
    the app does (welcome, events, events lists, sync after a reconnect)."""

    def __init__(self, n: int, url: str, code: str, stats: dict) -> None:
        self.n, self.url, self.code, self.stats = n, url, code, stats
        self.token: str | None = None
        self.last = 0
        self.notes: dict[str, dict] = {}
        self.acked: set[str] = set()       # note ids the server acknowledged
        self.sio: socketio.AsyncClient | None = None
        self.held: list[dict] | None = None  # live events that arrived before the catch-up

    def _fold(self, events: list[dict]) -> None:
        for e in events:
            if e["seq"] <= self.last:
                continue
            d = e["data"]
            if e["type"] == "note.added":
                self.notes[d["note_id"]] = {"text": d["text"], "supporters": set(), "hidden": False}
            elif e["type"] == "note.supported" and d["note_id"] in self.notes:
                self.notes[d["note_id"]]["supporters"].add(e["actor"]["id"])
            elif e["type"] == "note.hidden" and d["note_id"] in self.notes:
                self.notes[d["note_id"]]["hidden"] = True
            elif e["type"] == "note.restored" and d["note_id"] in self.notes:
                self.notes[d["note_id"]]["hidden"] = False
            self.last = e["seq"]

    async def connect(self) -> None:
        await self.discard()
        self.sio = socketio.AsyncClient(reconnection=False)
        welcomed = asyncio.get_running_loop().create_future()

        def welcome(w: dict) -> None:
            self.token = w.get("token") or self.token
            if not self.notes or w["last_seq"] < self.last:  # a reload: start from the snapshot
                self.notes = {n["id"]: {"text": n["text"], "supporters": set(n["supporters"]),
                                        "hidden": n["hidden"]} for n in w["snapshot"]["notes"]}
                self.last = w["last_seq"]
            # Otherwise the phone keeps what it saw and asks `sync` for what it missed while
            # away; live events wait until then, or the first would move `last` past the gap.
            self.held = []
            if not welcomed.done():
                welcomed.set_result(w)

        def live(events: list[dict]) -> None:
            if self.held is not None:
                self.held.extend(events)
            else:
                self._fold(events)

        self.held = None
        self.sio.on("welcome", welcome)
        self.sio.on("event", lambda e: live([e]))
        self.sio.on("events", live)
        auth = {"token": self.token} if self.token else {"join_code": self.code, "name": f"Soak {self.n}"}
        await self.sio.connect(self.url, auth=auth, transports=["websocket"], wait_timeout=20)
        await asyncio.wait_for(welcomed, 20)
        await self.sync()
        held, self.held = self.held or [], None
        self._fold(held)

    async def discard(self) -> None:
        """Let go of the last client and its HTTP session (a dropped one keeps both open,
        and the harness, not the server, would grow by a session a drop)."""
        old, self.sio = self.sio, None
        if old is None:
            return
        try:
            await old.disconnect()
        except Exception:
            pass
        http = getattr(old.eio, "http", None)
        if http is not None and not http.closed:
            await http.close()

    async def sync(self) -> None:
        more = True
        while more:
            page = await self.sio.call("sync", {"since": self.last}, timeout=20)
            self._fold(page["events"])
            self.last = max(self.last, page["until"])
            more = page["more"]

    async def note(self) -> None:
        cid = str(uuid.uuid4())
        text = f"note {self.n}-{cid[:8]}"
        for _ in range(5):  # resend with the same client_id until an answer comes
            try:
                ack = await self.sio.call("note.add", {"client_id": cid, "text": text}, timeout=10)
            except Exception:
                self.stats["note_retries"] += 1
                await self.ensure()
                continue
            if ack.get("ok"):
                self.acked.add(ack["note_id"])
                self.stats["notes_acked"] += 1
            else:
                self.stats["refused"][ack["error"]["code"]] = self.stats["refused"].get(ack["error"]["code"], 0) + 1
            return

    async def support(self) -> None:
        mine = [nid for nid, n in self.notes.items() if not n["hidden"]]
        if mine:
            try:
                await self.sio.call("note.support", {"note_id": random.choice(mine)}, timeout=10)
            except Exception:
                await self.ensure()

    async def ensure(self) -> None:
        """Back in, the way the app does after any drop: connect with the token, sync."""
        for attempt in range(60):
            try:
                if self.sio and self.sio.connected:
                    return
                await self.connect()
                return
            except Exception:
                self.stats["reconnect_failures"] += 1
                await asyncio.sleep(min(10, 0.5 * 2 ** min(attempt, 4)))

    async def drop(self, kind: str) -> None:
        """sleep: the screen goes off (a clean disconnect); wifi: the transport dies;
        reload: the page starts again with only its token."""
        self.stats[kind] += 1
        if kind == "wifi" and self.sio and self.sio.eio.ws is not None:
            await self.sio.eio.ws.close()  # no goodbye: like a dropped Wi-Fi
        elif self.sio:
            await self.sio.disconnect()
        if kind == "reload":
            self.notes, self.last = {}, 0
        await asyncio.sleep(random.uniform(2, 30) if kind == "sleep" else random.uniform(0.5, 5))
        await self.ensure()

    async def live(self, until: float) -> None:
        await self.ensure()
        while time.monotonic() < until:
            await asyncio.sleep(random.uniform(5, 25))
            roll = random.random()
            if roll < 0.55:
                await self.ensure()
                await self.note()
            elif roll < 0.75:
                await self.ensure()
                await self.support()
            elif roll < 0.87:
                await self.drop("sleep")
            elif roll < 0.95:
                await self.drop("wifi")
            else:
                await self.drop("reload")


async def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--phones", type=int, default=300)
    ap.add_argument("--store", choices=("sqlite", "redis"), default="sqlite")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="soak-"))
    redis = Redis(work) if args.store == "redis" else None
    if redis:
        redis.start()
    server = Server(work, args.store, redis)
    server.start()
    links = server.links()
    stats = {"notes_acked": 0, "note_retries": 0, "reconnect_failures": 0, "sleep": 0, "wifi": 0,
             "reload": 0, "refused": {}, "restarts": 0, "redis_restarts": 0}
    phones = [Phone(i, server.url, links["join"][GROUPS[i % len(GROUPS)]].rsplit("/", 1)[1], stats)
              for i in range(args.phones)]
    started = time.monotonic()
    until = started + args.minutes * 60
    memory: list[tuple[float, int]] = []

    async def watch_memory() -> None:
        while time.monotonic() < until:
            if server.proc and server.proc.poll() is None:
                memory.append((time.monotonic() - started, rss_kb(server.proc.pid)))
            await asyncio.sleep(30)

    async def trouble() -> None:
        plan = [(1 / 3, "restart"), (0.5, "redis") if redis else None, (2 / 3, "restart")]
        for share, what in filter(None, plan):
            await asyncio.sleep(max(0, started + share * args.minutes * 60 - time.monotonic()))
            if what == "restart":
                server.stop()
                await asyncio.sleep(3)
                server.start()
                stats["restarts"] += 1
            else:
                redis.stop()
                await asyncio.sleep(5)
                redis.start()
                stats["redis_restarts"] += 1
            print(f"[soak {time.monotonic() - started:6.0f} s] {what} done", flush=True)

    async def stagger(p: Phone, i: int) -> None:
        await asyncio.sleep(i * 0.05)
        await p.live(until)

    await asyncio.gather(watch_memory(), trouble(), *[stagger(p, i) for i, p in enumerate(phones)])

    # The end: every phone back in, caught up; compare with what the server holds.
    await asyncio.gather(*[p.ensure() for p in phones])
    await asyncio.gather(*[p.sync() for p in phones])
    out = subprocess.run([sys.executable, "-m", "townhall", "export", "--format", "jsonl",
                          *(["--redis-url", redis.url] if redis else ["--data-dir", str(work / "data")])],
                         capture_output=True, text=True, env=server.env, check=True)
    log = [json.loads(line) for line in out.stdout.splitlines()]
    in_log: dict[str, int] = {}
    for e in log:
        if e["type"] == "note.added":
            in_log[e["data"]["note_id"]] = in_log.get(e["data"]["note_id"], 0) + 1
    acked = set().union(*(p.acked for p in phones))
    lost = [n for n in acked if n not in in_log]
    doubled = [n for n, c in in_log.items() if c > 1]
    mismatched = 0
    for p in phones:
        fresh = socketio.AsyncClient(reconnection=False)
        got: dict = {}
        fresh.on("welcome", lambda w, got=got: got.update(w))
        await fresh.connect(server.url, auth={"token": p.token}, transports=["websocket"], wait_timeout=20)
        for _ in range(100):
            if got:
                break
            await asyncio.sleep(0.05)
        truth = {n["id"]: (n["text"], frozenset(n["supporters"])) for n in got["snapshot"]["notes"]}
        view = {nid: (n["text"], frozenset(n["supporters"])) for nid, n in p.notes.items() if not n["hidden"]}
        mismatched += view != truth
        await fresh.disconnect()
        await p.sio.disconnect()
    server.stop()
    if redis:
        redis.stop()

    third = len(memory) // 3
    middle = [kb for _, kb in memory[third:2 * third]] or [0]
    last = [kb for _, kb in memory[2 * third:]] or [0]
    result = {
        "store": args.store, "minutes": args.minutes, "phones": args.phones, **stats,
        "events_in_log": len(log), "acked_notes": len(acked), "lost": len(lost), "doubled": len(doubled),
        "phones_whose_view_differs": mismatched,
        "rss_mb_middle_third_median": round(statistics.median(middle) / 1024, 1),
        "rss_mb_last_third_median": round(statistics.median(last) / 1024, 1),
        "rss_mb_samples": [(round(t), round(kb / 1024, 1)) for t, kb in memory],
    }
    print(json.dumps(result, indent=1))
    report = ROOT / "bench" / "results" / f"soak-{args.store}.md"
    report.write_text(
        f"# Soak: {args.minutes:g} minutes, {args.phones} phones, {args.store}\n\n"
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `bench/soak.py`.\n\n"
        "| figure | value |\n|---|---|\n"
        + "".join(f"| {k} | {v} |\n" for k, v in result.items() if k != "rss_mb_samples")
        + "\nRSS (MB) every 30 s: " + ", ".join(f"{t}s {mb}" for t, mb in result["rss_mb_samples"]) + "\n")
    shutil.rmtree(work, ignore_errors=True)
    ok = not lost and not doubled and not mismatched
    print("soak:", "ok" if ok else "FAILED", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

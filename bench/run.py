"""Run the benchmark: every system under the same load generator, interleaved.

    python bench/run.py --quick        # make bench-quick: < 1 minute
    python bench/run.py                # make bench: the full set, < 10 minutes on 2 cores
    python bench/run.py --scenarios nhs --systems townhall-sqlite,relay-node
    python bench/run.py --scenarios storms --rounds 3 --baseline-src /tmp/townhall-base
    python bench/run.py --scenarios storm-1000 --rounds 0 --profile storm-1000
    python bench/run.py --scenarios vote-1000 --rounds 3   # the votes (townhall only)

Each round runs every scenario on every system once, in turn (the order of the systems
reversed every other round); `--rounds N` repeats it and the report gives the median of
the rounds. For each run: start the system on a free port, drive it with
bench/loadgen.mjs (one or more Node processes), sample the server's CPU and RSS from
/proc at every phase boundary, stop it. Writes bench/results/latest.md,
bench/results/latency.svg and the raw JSON (bench/results/latest.json).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import statistics
import os
import platform
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
TMP = RESULTS / "tmp"
PY = sys.executable
NODE = shutil.which("node") or "node"
REDIS_URL = os.environ.get("TOWNHALL_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
CLK = os.sysconf("SC_CLK_TCK")

PYSPY = str(Path(PY).with_name("py-spy"))
BASE = "townhall-base-"  # --baseline-src: the same systems on another checkout

SYSTEMS = {
    # name: (kind, processes, store)
    "townhall-sqlite": ("townhall", 1, "sqlite"),
    "townhall-redis-1": ("townhall", 1, "redis"),
    "townhall-redis-2": ("townhall", 2, "redis"),
    "townhall-redis-4": ("townhall", 4, "redis"),
    # The bare relays send uncompressed frames, as `townhall serve` does.
    "relay-py": ("relay_py", 1, None),
    "relay-node": ("relay_node", 1, None),
    # Not in the default set: relay-py with uvicorn's permessage-deflate on (what
    # townhall did before it turned it off), to price the compression per connection.
    "relay-py-deflate": ("relay_py", 1, None),
    # Not in the default set: relay-py sending what was emitted while its loop was busy
    # as one `events` list per room (CONTRACT §7), the library's ceiling with batching.
    "relay-py-batched": ("relay_py", 1, None),
}
DEFAULT_SYSTEMS = [s for s in SYSTEMS if s not in ("relay-py-deflate", "relay-py-batched")]
# The storms: one process on SQLite, one and two on Redis (the documented deployment on a
# 2-core box), and the two ceilings.
STORM_SYSTEMS = ["townhall-sqlite", "townhall-redis-1", "townhall-redis-2", "relay-py", "relay-node"]
BASELINE_SRC: Path | None = None  # set by --baseline-src


def spec(name: str) -> tuple[str, int, str | None]:
    """(kind, processes, store) of a system; townhall-base-X is townhall-X elsewhere."""
    if name.startswith(BASE):
        name = "townhall-" + name[len(BASE):]
    return SYSTEMS.get(name, ("?", 1, None))


def with_baseline(systems: list[str]) -> list[str]:
    """Each townhall system followed by its baseline twin (same load, other checkout)."""
    out = []
    for s in systems:
        out.append(s)
        if BASELINE_SRC and s.startswith("townhall-") and not s.startswith(BASE):
            out.append(BASE + s[len("townhall-"):])
    return list(dict.fromkeys(out))

# Each scenario: assembly, load, and the phases the generator runs on one set of
# connections. The reconnect and ramp rows are phases of the nhs / town-1000 runs.
FULL = {
    "nhs": dict(groups=None, per_group=40, work_s=5, rate=None, keypoint_groups=5,
                keypoints_per_group=2, phases=["join", "work", "keypoints", "plenary", "reconnect"]),
    "town-1000": dict(groups=100, per_group=10, work_s=5, rate=100, keypoint_groups=10,
                      phases=["join", "work", "keypoints", "plenary", "ramp"],
                      ramp=dict(start=25, factor=2, step_s=3, drain_ms=2000, max_steps=6, refine=1)),
    # 5,000 on the configurations meant for it (one process, four on Redis) and the
    # two ceilings; add the others with --systems.
    "town-5000": dict(groups=500, per_group=10, work_s=6, rate=None, keypoint_groups=10,
                      phases=["join", "work", "keypoints", "plenary"],
                      systems=["townhall-sqlite", "townhall-redis-4", "relay-py", "relay-node"]),
}
# Join storms (issue 13). Staff are in first; then the participants open their
# connections within `window_s`; whoever has no welcome `deadline_s` after the first
# attempt gives up. `burst` notes follow, evenly over `over_s` seconds, chained to the
# storm (no barrier: they start the moment the last participant is in) unless there is
# more than one generator process.
STORMS = {
    # the demo assembly: 5 groups of 40, as on the day
    "storm-200": dict(groups=None, per_group=40, phases=["storm", "burst"], chain=["burst"],
                      storm=dict(window_s=0.2, deadline_s=20),
                      burst=dict(notes=600, over_s=10, early_ms=500, drain_s=15),
                      systems=STORM_SYSTEMS),
    # 25 tables of 40 (the demo's group size, so a join fans out as on the day)
    "storm-1000": dict(groups=25, per_group=40, phases=["storm", "burst"], chain=["burst"],
                       storm=dict(window_s=0.2, deadline_s=20),
                       burst=dict(notes=200, over_s=1, early_ms=500, drain_s=15),
                       systems=STORM_SYSTEMS),
    # 500 tables of 10 (as town-5000); two generator processes, lined up by a barrier
    "storm-5000": dict(groups=500, per_group=10, phases=["storm", "burst"],
                       storm=dict(window_s=5, deadline_s=20),
                       burst=dict(notes=100, over_s=1, early_ms=500, drain_s=15),
                       systems=STORM_SYSTEMS),
}
FULL.update(STORMS)
# Votes (issue 11): everyone in (spread over `join_window_s`), then for each poll of
# `polls.rounds`: `quiet_s` of notes only, the lead opens a hall poll, every participant
# votes once at a uniformly random moment of `vote_s` and `change_share` of them vote
# again later within it, the screen records every `poll.results`, the lead closes it.
# Notes go on at `rate` (no supports) throughout. Townhall only: the relays have no polls.
VOTE_SYSTEMS = ["townhall-sqlite", "townhall-redis-1", "townhall-redis-2"]
VOTES = {
    # 25 tables of 40, as storm-1000; a choice poll of 4 options, then the hall ranks 8
    # key points (~140 characters each)
    "vote-1000": dict(groups=25, per_group=40, phases=["join", "polls"], join_window_s=5, rate=20,
                      supports_per_note=0, townhall_only=True, timeout_s=300,
                      polls=dict(rounds=[dict(label="choice", kind="choice", options=4),
                                         dict(label="rank", kind="rank", options=8)],
                                 quiet_s=10, vote_s=10, change_share=0.2, settle_s=5),
                      systems=VOTE_SYSTEMS),
}
for _sc in VOTES.values():  # the windows inside the polls phase, sampled like phases
    _sc["windows"] = [f"{w}-{k}" for k in range(1, len(_sc["polls"]["rounds"]) + 1)
                      for w in ("quiet", "vote", "settle")]
FULL.update(VOTES)
DEFAULT_SCENARIOS = ["nhs", "town-1000", "town-5000"]  # make bench; storms and votes on request
ALIASES = {"storms": list(STORMS), "votes": list(VOTES), "all": list(FULL)}

QUICK = {
    "nhs": dict(groups=None, per_group=40, work_s=3, rate=None, keypoint_groups=5, join_window_s=2,
                keypoint_window_s=1, plenary_wait_ms=600, phases=["join", "work", "keypoints", "plenary", "ramp"],
                ramp=dict(start=20, factor=2, step_s=2, drain_ms=1000, max_steps=2, refine=0)),
}
QUICK_SYSTEMS = ["townhall-sqlite", "relay-py", "relay-node"]
NATURAL_GAP_S = 30  # a participant posts every 20-40 s: 30 s on average


# -- helpers -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime (fields 14 and 15)
    except (OSError, IndexError, ValueError):
        return 0


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def redis_client():
    import redis

    return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)


def redis_pid() -> int | None:
    try:
        return int(redis_client().info("server")["process_id"])
    except Exception:
        return None


def cpu_pressure() -> float | None:
    """Share of the last 10 s in which some runnable task waited for a CPU (PSI)."""
    try:
        return float(Path("/proc/pressure/cpu").read_text().split()[1].split("=")[1])
    except (OSError, IndexError, ValueError):
        return None


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    return round(s[min(len(s) - 1, max(0, math.ceil(p / 100 * len(s)) - 1))], 1)


def summary(values: list[float]) -> dict:
    return {"n": len(values), "p50": pct(values, 50), "p99": pct(values, 99),
            "max": round(max(values), 1) if values else None}


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


# -- assemblies ------------------------------------------------------------------------


def town_assembly(path: Path, groups: int) -> list[str]:
    ids = [f"t{i:03d}" for i in range(1, groups + 1)]
    lines = [f'title = "Town meeting benchmark ({groups} tables)"', 'date = "2026-03-14"', ""]
    for i, gid in enumerate(ids, 1):
        lines += ["[[groups]]", f'id = "{gid}"', f'name = "Table {i}"', ""]
    for sid, title, minutes, kind in [("welcome", "Welcome", 10, "welcome"),
                                      ("tables", "Table discussions", 60, "group_work"),
                                      ("plenary-1", "Plenary: first tables report", 20, "plenary"),
                                      ("plenary-2", "Plenary: more tables report", 20, "plenary"),
                                      ("close", "Close", 5, "close")]:
        lines += ["[[agenda]]", f'id = "{sid}"', f'title = "{title}"', f"minutes = {minutes}",
                  f'kind = "{kind}"', ""]
    path.write_text("\n".join(lines))
    return ids


# -- systems -----------------------------------------------------------------------------


class System:
    def __init__(self, name: str, workdir: Path, assembly: Path | None):
        self.name = name
        self.kind, self.nproc, self.store = spec(name)
        # townhall-base-*: `python -m townhall` from another checkout (--baseline-src)
        self.src = BASELINE_SRC if name.startswith(BASE) else None
        self.workdir = workdir
        self.assembly = assembly
        self.procs: list[subprocess.Popen] = []
        self.ports: list[int] = []
        self.prefix = f"bench-{uuid.uuid4().hex[:10]}:"
        self.data_dir = workdir / "data"

    @property
    def env(self) -> dict:
        env = {**os.environ, "TOWNHALL_LOG_LEVEL": "warning"}
        if self.store == "redis":
            env["TOWNHALL_REDIS_PREFIX"] = self.prefix
        if self.src:
            # Ahead of the venv's editable install of this checkout; TOWNHALL_ROOT points
            # its pages (static/, facilitator_ui/) at the other checkout too.
            env["PYTHONPATH"] = os.pathsep.join(
                [str(self.src / "server")] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
            env["TOWNHALL_ROOT"] = str(self.src)
        return env

    @property
    def cwd(self) -> Path:
        return self.src or ROOT

    def store_args(self) -> list[str]:
        return ["--redis-url", REDIS_URL] if self.store == "redis" else ["--data-dir", str(self.data_dir)]

    def _spawn(self) -> subprocess.Popen:
        port = free_port()
        logf = open(self.workdir / f"server-{port}.log", "ab")
        if self.kind == "townhall":
            cmd = [PY, "-m", "townhall", "serve", *self.store_args(), "--host", "127.0.0.1",
                   "--port", str(port)]
            if self.assembly:
                cmd += ["--assembly", str(self.assembly)]
        elif self.kind == "relay_py":
            cmd = [PY, str(BENCH / "relay_py.py"), "--port", str(port)]
            if self.name.endswith("-deflate"):
                cmd.append("--deflate")
            if self.name.endswith("-batched"):
                cmd.append("--batched")
        else:
            cmd = [NODE, str(BENCH / "relay_node.mjs"), "--port", str(port)]
        p = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT, env=self.env,
                             cwd=self.cwd if self.kind == "townhall" else ROOT)
        self.procs.append(p)
        self.ports.append(port)
        return p

    def _wait(self, p: subprocess.Popen, port: int) -> None:
        path = "/healthz" if self.kind != "relay_py" else "/socket.io/?EIO=4&transport=polling"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if p.poll() is not None:
                raise RuntimeError(f"{self.name} exited: "
                                   + (self.workdir / f"server-{port}.log").read_text()[-2000:])
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not answer on port {port} within 30 s")

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        first = self._spawn()  # the first process loads the assembly into the store
        self._wait(first, self.ports[0])
        rest = [self._spawn() for _ in range(self.nproc - 1)]
        for p, port in zip(rest, self.ports[1:]):
            self._wait(p, port)

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{p}" for p in self.ports]

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.procs]

    def links(self) -> dict:
        out = subprocess.run([PY, "-m", "townhall", "links", *self.store_args(), "--json"],
                             capture_output=True, text=True, env=self.env, timeout=30, cwd=self.cwd)
        if out.returncode:
            raise RuntimeError(f"townhall links failed: {out.stderr}")
        return json.loads(out.stdout)

    def stop(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(4)  # the figures are taken; do not wait for thousands of sockets to close
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)
        if self.store == "redis":
            try:
                r = redis_client()
                keys = list(r.scan_iter(match=f"{self.prefix}*", count=1000))
                if keys:
                    r.delete(*keys)
            except Exception as exc:
                log(f"could not clean Redis keys {self.prefix}*: {exc}")

    def sample(self) -> dict:
        return {"t": time.monotonic(), "ticks": sum(cpu_ticks(p) for p in self.pids),
                "rss_kb": sum(rss_kb(p) for p in self.pids)}


# -- one run ------------------------------------------------------------------------------


def secret(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


def loadgen_configs(sysm: System, sc_name: str, sc: dict, group_ids: list[str], links: dict | None,
                    quick: bool, workdir: Path) -> list[dict]:
    n = len(group_ids) * sc["per_group"]
    # the polls are opened by the lead and checked on one screen: one process
    nprocs = 1 if n <= 2500 or sc.get("polls") else 2
    rate = sc.get("rate") or n / NATURAL_GAP_S
    burst_left = (sc.get("burst") or {}).get("notes", 0)
    cfgs = []
    for i in range(nprocs):
        mine = group_ids[i::nprocs]
        groups = []
        for gid in mine:
            if links:
                groups.append({"id": gid, "join_code": secret(links["join"][gid]),
                               "facilitator_token": secret(links["facilitators"][gid]),
                               "participants": sc["per_group"]})
            else:
                groups.append({"id": gid, "join_code": gid, "facilitator_token": f"facilitator:{gid}",
                               "participants": sc["per_group"]})
        share = len(mine) * sc["per_group"] / n
        burst = None
        if sc.get("burst"):  # split the notes between the processes, by their share
            burst = dict(sc["burst"])
            burst["notes"] = burst_left if i == nprocs - 1 else round(sc["burst"]["notes"] * share)
            burst_left -= burst["notes"]
        cfgs.append({
            "system": "townhall" if sysm.kind == "townhall" else "relay",
            "label": f"{sysm.name}/{sc_name}", "proc_index": i, "proc_count": nprocs,
            "urls": sysm.urls, "groups": groups,
            "lead_token": (secret(links["lead"]) if links else "lead") if i == 0 else None,
            "screen_token": secret(links["screen"]) if links else "screen",
            "join_window_s": sc.get("join_window_s", 5), "work_s": sc.get("work_s", 5),
            "notes_per_s": rate * share, "supports_per_note": sc.get("supports_per_note", 0.5),
            "keypoint_groups": max(1, round(sc.get("keypoint_groups", 1) * share)),
            "keypoints_per_group": sc.get("keypoints_per_group", 1),
            "keypoint_window_s": sc.get("keypoint_window_s", 2),
            "plenary_wait_ms": sc.get("plenary_wait_ms", 1500),
            "focus_groups": group_ids[:3], "phases": sc["phases"], "ramp": sc.get("ramp"),
            "storm": sc.get("storm"), "burst": burst, "polls": sc.get("polls"),
            # chained phases start without a barrier; with several processes they would
            # not start together, so they get one
            "chain": sc.get("chain", []) if nprocs == 1 else [],
            "resync_timeout_s": 20, "after_reconnect_s": 2, "join_timeout_ms": 15000,
            "out": str(workdir / f"loadgen-{i}.json"),
        })
    return cfgs


def drive(sysm: System, cfgs: list[dict], rpid: int | None, timeout_s: float) -> tuple[list[dict], list[dict]]:
    """Run the generator processes, answer their barriers, sample the servers meanwhile."""
    marks: list[dict] = []

    def mark(name: str) -> None:
        m = {"name": name, **sysm.sample()}
        if rpid:
            m["redis_ticks"] = cpu_ticks(rpid)
        marks.append(m)

    procs = []
    for c in cfgs:
        path = Path(c["out"]).with_suffix(".config.json")
        path.write_text(json.dumps(c))
        procs.append(subprocess.Popen([NODE, str(BENCH / "loadgen.mjs"), str(path)], cwd=ROOT,
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                      bufsize=1))
    mark("start")
    lines: list[dict] = []
    pending: dict[str, set] = {}
    pending_marks: dict[str, set] = {}
    lock = threading.Lock()

    def reader(i: int, p: subprocess.Popen) -> None:
        for raw in p.stdout:
            try:
                msg = json.loads(raw)
            except ValueError:
                continue
            with lock:
                lines.append(msg)
                if msg.get("type") == "barrier":
                    name = msg["name"]
                    pending.setdefault(name, set()).add(i)
                    if len(pending[name]) == len(procs):
                        mark(name)
                        if name == "after:join":
                            time.sleep(0.5)
                            mark("settled:join")
                        for q in procs:
                            try:
                                q.stdin.write("go\n")
                                q.stdin.flush()
                            except OSError:
                                pass
                elif msg.get("type") == "mark":  # a boundary nobody waits for: sample, go on
                    name = msg["name"]
                    pending_marks.setdefault(name, set()).add(i)
                    if len(pending_marks[name]) == len(procs):
                        mark(name)
                elif msg.get("type") == "poll":
                    brief = {k: v for k, v in msg.items() if k not in ("type", "proc", "vote_ack", "quiet", "vote")}
                    for k in ("vote_ack", "quiet", "vote"):
                        if isinstance(msg.get(k), dict):
                            brief[k] = f"p50 {msg[k]['p50']} p99 {msg[k]['p99']} n {msg[k]['n']}"
                    log(f"  {sysm.name} poll: {brief}")
                elif msg.get("type") in ("phase", "ramp_step"):
                    brief = {k: v for k, v in msg.items() if k in (
                        "phase", "rate", "clients", "failed", "notes_per_s", "ok", "why", "all_resynced_ms",
                        "all_in_ms", "open_ms", "notes_sent", "notes_acked", "undelivered", "send_ms")}
                    for k in ("join", "deliver", "deliver_early", "kp_screen", "broadcast", "rewelcome", "resync"):
                        if isinstance(msg.get(k), dict):
                            brief[k] = f"p50 {msg[k]['p50']} p99 {msg[k]['p99']} n {msg[k]['n']}"
                    log(f"  {sysm.name} proc {msg.get('proc')}: {brief}")

    threads = [threading.Thread(target=reader, args=(i, p), daemon=True) for i, p in enumerate(procs)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + timeout_s
    for p in procs:
        try:
            p.wait(max(1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log(f"  {sysm.name}: load generator timed out; killing it")
            p.kill()
            p.wait()
    for t in threads:
        t.join(2)
    mark("end")
    results = []
    for c in cfgs:
        try:
            results.append(json.loads(Path(c["out"]).read_text()))
        except (OSError, ValueError):
            pass
    return results, marks


def merge(results: list[dict]) -> dict:
    """Merge the generator processes' raw samples into one result."""
    phases: dict[str, dict] = {}
    tally: dict = {}
    lost: dict = {}
    for r in results:
        for k, v in r["tally"].items():
            if isinstance(v, dict):
                tally.setdefault(k, {})
                for kk, vv in v.items():
                    tally[k][kk] = tally[k].get(kk, 0) + vv
            else:
                tally[k] = tally.get(k, 0) + v
        for k, v in r["lost"].items():
            if v is not None:
                lost[k] = lost.get(k, 0) + v
        for name, st in r["phases"].items():
            m = phases.setdefault(name, {"errors": {}, "cpu": [], "loop_p99": [], "work_ms": 0})
            for k, v in st.items():
                if isinstance(v, list) and k != "steps":
                    m.setdefault(k, []).extend(v)
                elif k in ("notes_sent", "notes_acked", "writes_acked", "supports_sent",
                           "skipped_offline", "connect_errors", "not_resynced", "participants_tried",
                           "welcomed", "notes_planned", "undelivered", "unacked"):
                    m[k] = m.get(k, 0) + v
                elif k in ("open_ms", "send_ms", "burst_ms") and v is not None:
                    m[k] = round(max(m.get(k, 0), v), 1)
                elif k == "errors":
                    for kk, vv in v.items():
                        m["errors"][kk] = m["errors"].get(kk, 0) + vv
                elif k == "cpu" and v is not None:
                    m["cpu"].append(v)
                elif k == "loop" and v:
                    m["loop_p99"].append(v["p99_ms"])
                elif k == "work_ms" and v:
                    m["work_ms"] = max(m["work_ms"], v)
                elif k in ("all_resynced_ms", "all_in_ms"):  # the last process's; none if one never got there
                    m[k] = None if v is None or m.get(k, 0) is None else round(max(m.get(k, 0), v), 1)
                elif k == "poll_rounds" and v:  # one generator process runs the polls
                    m[k] = v
                elif k in ("steps", "best", "fail_at", "capped", "planned_rate"):
                    m[k] = v if k != "planned_rate" else m.get(k, 0) + v
    out = {"phases": {}, "tally": tally, "lost": lost,
           "clients": sum(r["clients"] for r in results),
           "participants": sum(r["participants"] for r in results),
           "gen_cpu_pct": round(sum(r["gen_cpu_pct"] for r in results), 1),
           "gen_rss_mb": round(sum(r["gen_rss_mb"] for r in results), 1),
           "gen_procs": len(results)}
    for name, m in phases.items():
        s = {k: v for k, v in m.items() if not isinstance(v, list) or k == "steps"}
        for k in ("join", "note_ack", "write_ack", "deliver", "kp_screen", "broadcast", "rewelcome", "resync",
                  "deliver_early", "deliver_late", "staff_join", "in_at"):
            if m.get(k):
                s[k] = summary(m[k])
        s["gen_cpu"] = round(sum(m["cpu"]), 1)
        s["gen_loop_p99_ms"] = max(m["loop_p99"]) if m["loop_p99"] else None
        out["phases"][name] = s
    return out


def phase_cpu(marks: list[dict], phase: str, key: str = "ticks") -> float | None:
    by = {m["name"]: m for m in marks}
    a = by.get(f"before:{phase}") or (by.get("start") if phase == "join" else None)
    b = by.get(f"after:{phase}")
    if not a or not b or key not in a or b["t"] <= a["t"]:
        return None
    return round((b[key] - a[key]) / CLK / (b["t"] - a["t"]) * 100, 1)


def phase_cpu_ms(marks: list[dict], phase: str, key: str = "ticks") -> float | None:
    """CPU milliseconds the servers spent in a phase (what it cost, whatever the machine's load)."""
    by = {m["name"]: m for m in marks}
    a = by.get(f"before:{phase}") or (by.get("start") if phase == "join" else None)
    b = by.get(f"after:{phase}")
    if not a or not b or key not in a:
        return None
    return round((b[key] - a[key]) / CLK * 1000)


def machine_busy_ticks() -> int:
    """CPU time the whole machine spent busy (all cores), in clock ticks (/proc/stat)."""
    try:
        f = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] if len(f) > 7 else 0)  # user nice system irq softirq steal
    except (OSError, ValueError, IndexError):
        return 0


def own_ticks() -> int:
    """CPU time of this process and of every child it has waited for (servers, generators)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return round((me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime) * CLK)


def pressure_total() -> int | None:
    """/proc/pressure/cpu `some` total: microseconds in which some task waited for a CPU."""
    try:
        return int(Path("/proc/pressure/cpu").read_text().split()[4].split("=")[1])
    except (OSError, IndexError, ValueError):
        return None


def wait_quiet(limit_pct: float, max_s: float) -> tuple[float, float]:
    """Between runs (nothing of ours running): wait until the rest of the machine uses
    less than `limit_pct` % of a core over a second, at most `max_s`. (waited s, last %)"""
    t0 = time.monotonic()
    while True:
        a = machine_busy_ticks()
        time.sleep(1)
        busy = (machine_busy_ticks() - a) / CLK * 100
        if busy < limit_pct or time.monotonic() - t0 >= max_s:
            return round(time.monotonic() - t0, 1), round(busy, 1)


def run_one(sc_name: str, sc: dict, sys_name: str, quick: bool, run_dir: Path,
            profile: dict | None = None) -> dict:
    workdir = run_dir / f"{sc_name}-{sys_name}"
    workdir.mkdir(parents=True, exist_ok=True)
    if sc["groups"]:
        assembly = workdir / "assembly.toml"
        group_ids = town_assembly(assembly, sc["groups"])
    else:
        assembly = None  # the built-in demo: the NHS Citizen assembly, five groups
        group_ids = ["access", "mental-health", "young-people", "gender-identity", "self-care"]
    sysm = System(sys_name, workdir, assembly)
    t0 = time.monotonic()
    rpid0 = redis_pid()
    acct0 = (machine_busy_ticks(), own_ticks(), cpu_ticks(rpid0) if rpid0 else 0, pressure_total())
    rec: dict = {"system": sys_name, "scenario": sc_name, "ok": False,
                 "loadavg": float(Path("/proc/loadavg").read_text().split()[0]), "cpu_pressure": cpu_pressure()}
    spies: list[tuple[subprocess.Popen, Path]] = []
    try:
        sysm.start()
        links = sysm.links() if sysm.kind == "townhall" else None
        time.sleep(0.5)
        idle = sysm.sample()
        rpid = redis_pid() if sysm.store == "redis" else None
        cfgs = loadgen_configs(sysm, sc_name, sc, group_ids, links, quick, workdir)
        if profile is not None:
            spies = start_profile(sysm, workdir, profile.get("rate", 100))
        results, marks = drive(sysm, cfgs, rpid, timeout_s=sc.get("timeout_s", 150) if not quick else 60)
        if spies:
            profile["raw"] = stop_profile(spies)
        if not results:
            raise RuntimeError("the load generator produced no result")
        rec.update(merge(results))
        by = {m["name"]: m for m in marks}
        connected = max(1, rec["clients"] - rec["tally"].get("failed_joins", 0))
        # Memory per client: once everyone is in (0.5 s after the join phase). Storms: when
        # the last participant is in (before the notes); when some gave up, after the notes
        # (their connections gone by then), every client still connected.
        stormed = by.get("after:storm")
        joined = by.get("settled:join") or by.get("after:join") or (
            stormed if stormed and not rec["tally"].get("failed_joins") else by.get(f"after:{sc['phases'][-1]}"))
        rec["server"] = {
            "processes": sysm.nproc,
            "rss_idle_mb": round(idle["rss_kb"] / 1024, 1),
            "rss_joined_mb": round(joined["rss_kb"] / 1024, 1) if joined else None,
            "rss_storm_mb": round(stormed["rss_kb"] / 1024, 1) if stormed else None,
            "rss_after_mb": round(by[f"after:{sc['phases'][-1]}"]["rss_kb"] / 1024, 1)
            if f"after:{sc['phases'][-1]}" in by else None,
            "rss_end_mb": round(by["end"]["rss_kb"] / 1024, 1),
            "connected": connected,
            "kb_per_client": round((joined["rss_kb"] - idle["rss_kb"]) / connected, 1) if joined else None,
            "cpu_pct": {p: phase_cpu(marks, p) for p in sc["phases"] + sc.get("windows", [])},
            "cpu_ms": {p: phase_cpu_ms(marks, p) for p in sc["phases"] + sc.get("windows", [])},
            "redis_cpu_pct": {p: phase_cpu(marks, p, "redis_ticks") for p in sc["phases"] + sc.get("windows", [])}
            if rpid else None,
        }
        for fig in ((rec["phases"].get("polls") or {}).get("poll_rounds") or {}).values():
            # server CPU per ballot above what the notes alone cost (the quiet window's rate)
            k = fig.get("round")
            srv, b, a = rec["server"], by.get(f"before:vote-{k}"), by.get(f"after:vote-{k}")
            quiet = srv["cpu_pct"].get(f"quiet-{k}")
            if b and a and quiet is not None and fig.get("ballots_sent"):
                extra = (a["ticks"] - b["ticks"]) / CLK * 1000 - quiet / 100 * (a["t"] - b["t"]) * 1000
                fig["cpu_ms_per_ballot"] = round(extra / fig["ballots_sent"], 3)
        if sc.get("windows"):  # how long each window inside a phase lasted (s)
            rec["server"]["window_s"] = {
                p: round(by[f"after:{p}"]["t"] - by[f"before:{p}"]["t"], 2)
                for p in sc["windows"] if f"before:{p}" in by and f"after:{p}" in by}
        rec["planned_rate"] = round(sum(c["notes_per_s"] for c in cfgs), 1)
        rec["ok"] = True
    except Exception as exc:
        rec["error"] = str(exc)[:500]
        log(f"  {sys_name}/{sc_name} FAILED: {exc}")
    finally:
        if spies:
            stop_profile(spies)
        sysm.stop()
        rec["seconds"] = round(time.monotonic() - t0, 1)
        rec["cpu_pressure_end"] = cpu_pressure()
        # What else the machine did meanwhile: its busy CPU time less ours (this script,
        # the servers, the generators, py-spy) and Redis's; 100 % = one core.
        wall = time.monotonic() - t0
        busy = machine_busy_ticks() - acct0[0]
        ours = own_ticks() - acct0[1] + ((cpu_ticks(rpid0) - acct0[2]) if rpid0 else 0)
        rec["others_cpu_pct"] = round(max(0.0, (busy - ours) / CLK / wall * 100), 1) if wall > 0 else None
        pt = pressure_total()
        rec["cpu_pressure_run"] = round((pt - acct0[3]) / 1e6 / wall * 100, 1) \
            if pt is not None and acct0[3] is not None and wall > 0 else None
        shutil.rmtree(sysm.data_dir, ignore_errors=True)
    return rec


# -- profiles (py-spy) -----------------------------------------------------------------------


def start_profile(sysm: System, workdir: Path, rate: int) -> list[tuple[subprocess.Popen, Path]]:
    """py-spy on every server process of the system, from now until stop_profile."""
    if not Path(PYSPY).exists():
        raise RuntimeError(f"{PYSPY} missing: .venv/bin/pip install py-spy")
    spies = []
    for pid in sysm.pids:
        out = workdir / f"py-spy-{pid}.txt"
        logf = open(workdir / f"py-spy-{pid}.log", "ab")
        p = subprocess.Popen([PYSPY, "record", "--pid", str(pid), "--rate", str(rate), "--format", "raw",
                              "--threads", "--output", str(out)], stdout=logf, stderr=subprocess.STDOUT)
        spies.append((p, out))
    time.sleep(1)  # py-spy attaches
    for p, _ in spies:
        if p.poll() is not None:
            raise RuntimeError(f"py-spy could not attach (see {workdir}/py-spy-*.log)")
    return spies


def stop_profile(spies: list[tuple[subprocess.Popen, Path]]) -> list[str]:
    """SIGINT makes py-spy write what it sampled; returns the collapsed stacks."""
    for p, _ in spies:
        if p.poll() is None:
            p.send_signal(signal.SIGINT)
    lines: list[str] = []
    for p, out in spies:
        try:
            p.wait(20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(5)
        try:
            lines += out.read_text().splitlines()
        except OSError:
            pass
    spies.clear()
    return lines


FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")


def frame_key(frame: str) -> tuple[str, str]:
    """('function (short/path.py)', area) for one frame of py-spy's raw output."""
    m = FRAME.match(frame.strip())
    func, file = (m["func"], m["file"]) if m else (frame.strip(), "")
    short = file
    for marker in ("site-packages/", "lib/python3", "/server/"):
        if marker in file:
            short = file.split(marker, 1)[1]
            if marker == "lib/python3":
                short = "stdlib:" + short.split("/", 1)[-1]
            break
    return f"{func} ({short})", area_of(file)


AREAS = [("townhall/", "townhall"), ("socketio/", "python-socketio"), ("engineio/", "python-engineio"),
         ("uvicorn/", "uvicorn"), ("websockets/", "websockets"), ("starlette/", "starlette"),
         ("redis/", "redis-py"), ("msgpack/", "msgpack"), ("sqlite3/", "sqlite3"), ("asyncio/", "asyncio"),
         ("json/", "json"), ("concurrent/", "threads"), ("threading", "threads")]


# Innermost Python frames that stand for work outside Python.
LEAF_AREAS = {
    # uvicorn runs on uvloop: its C event loop (sockets, timers, scheduling) shows as
    # time in the frame that started it
    "Runner.run (asyncio/runners.py)": "uvloop (C event loop: sockets, scheduling)",
    "_worker (concurrent/futures/thread.py)": "thread pool worker between jobs (in C: its queue)",
}


def area_of(file: str) -> str:
    for marker, name in AREAS:
        if marker in file:
            return name
    return "python (other)" if file.endswith(".py") else "native / other"


def profile_summary(lines: list[str], title: str, top: int = 30) -> str:
    self_s: dict[str, int] = {}
    total_s: dict[str, int] = {}
    area_s: dict[str, int] = {}
    thread_s: dict[str, int] = {}
    stacks: dict[str, int] = {}
    n = 0
    for line in lines:
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        c = int(count)
        frames = [f for f in stack.split(";") if f]
        thread = "?"
        if frames and frames[0].startswith("thread ("):  # py-spy --threads: "thread (TID): NAME"
            thread = re.sub(r"_\d+$", "_N", frames.pop(0).partition(": ")[2] or "unnamed")
        if not frames:
            continue
        n += c
        thread_s[thread] = thread_s.get(thread, 0) + c
        keys = [frame_key(f) for f in frames]
        leaf, area = keys[-1]
        area = LEAF_AREAS.get(leaf, area)
        self_s[leaf] = self_s.get(leaf, 0) + c
        area_s[area] = area_s.get(area, 0) + c
        for k in {k for k, _ in keys}:
            total_s[k] = total_s.get(k, 0) + c
        tail = " ← ".join(k.split(" (")[0] for k, _ in reversed(keys[-6:]))
        stacks[tail] = stacks.get(tail, 0) + c
    if not n:
        return f"# Profile: {title}\n\nNo samples (did py-spy attach? see its log in bench/results/tmp/).\n"

    def pc(v: int) -> str:
        return f"{v / n * 100:.1f} %"

    L = [f"# Profile: {title}\n",
         f"py-spy `record --format raw` on every server process, {n:,} samples of busy threads (idle "
         "ones not sampled). *Self*: the function was the innermost frame; *total*: it was anywhere "
         "on the stack. Generated by `bench/run.py --profile`.\n",
         "## By thread\n", "| thread | samples | share |", "|---|---|---|"]
    for k, v in sorted(thread_s.items(), key=lambda kv: -kv[1]):
        L.append(f"| {k} | {v:,} | {pc(v)} |")
    L += ["", "## By area (self samples, by the innermost frame's package)\n", "| area | samples | share |",
          "|---|---|---|"]
    for k, v in sorted(area_s.items(), key=lambda kv: -kv[1]):
        L.append(f"| {k} | {v:,} | {pc(v)} |")
    L += ["", f"## Top {top} functions by self samples\n", "| function | self | share | total |", "|---|---|---|---|"]
    for k, v in sorted(self_s.items(), key=lambda kv: -kv[1])[:top]:
        L.append(f"| `{k}` | {v:,} | {pc(v)} | {pc(total_s.get(k, 0))} |")
    L += ["", f"## Top {top} functions by total samples\n", "| function | total | share | self |", "|---|---|---|---|"]
    for k, v in sorted(total_s.items(), key=lambda kv: -kv[1])[:top]:
        L.append(f"| `{k}` | {v:,} | {pc(v)} | {pc(self_s.get(k, 0))} |")
    L += ["", "## Top 20 stacks (innermost 6 frames, innermost first)\n", "| stack | samples | share |", "|---|---|---|"]
    for k, v in sorted(stacks.items(), key=lambda kv: -kv[1])[:20]:
        L.append(f"| {k.replace('|', '/')} | {v:,} | {pc(v)} |")
    return "\n".join(L) + "\n"


# -- rounds ---------------------------------------------------------------------------------

# Counts where one bad round must show: the worst round is reported, not the median.
WORST = {"lost", "errors", "doubled", "doubled_client_id", "out_of_order", "overlap", "resend_changed_id",
         "bad_events_msgs", "undelivered", "unacked", "not_resynced", "connect_errors",
         # the votes: refusals, timeouts, a wrong tally, the busiest second of poll.results
         "refused", "vote_timeouts", "closed_wrong", "screen_last_wrong", "max_results_per_1s",
         "results_after_close", "acks_without_seq"}


def _num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def combine(objs: list, worst: bool = False):
    """One record from several rounds' records: the median of every figure (the worst
    round for the counts in WORST), the first round's value for anything else."""
    objs = [o for o in objs if o is not None]
    if not objs:
        return None
    first = objs[0]
    if isinstance(first, dict):
        keys = list(dict.fromkeys(k for o in objs if isinstance(o, dict) for k in o))
        return {k: combine([o.get(k) for o in objs if isinstance(o, dict)], worst or k in WORST) for k in keys}
    if _num(first):
        nums = [o for o in objs if _num(o)]
        if worst:
            return max(nums)
        m = statistics.median(nums)
        if all(isinstance(o, int) for o in nums) and m == int(m):
            return int(m)
        return round(m, 1) if isinstance(m, float) else m
    return first


def longest_gap(f: dict) -> float | None:
    """The longest wait between two `poll.results` at the screen while the ballots land
    (from the first until the one after the last ack): how stale the screen got."""
    t = f.get("results_at_ms") or []
    end = f.get("last_ack_ms")
    if end is None or len(t) < 2:
        return None
    upto = next((i for i, x in enumerate(t) if x >= end), len(t) - 1)
    gaps = [b - a for a, b in zip(t[:upto + 1], t[1:upto + 1])]
    return round(max(gaps), 1) if gaps else None


def aggregate(runs: list[dict]) -> list[dict]:
    """One record per (scenario, system), in the order first run, from its good rounds."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in runs:
        for f in ((r.get("phases") or {}).get("polls") or {}).get("poll_rounds", {}).values():
            f.setdefault("longest_gap_ms", longest_gap(f))
        groups.setdefault((r["scenario"], r["system"]), []).append(r)
    out = []
    for (sc, sysname), recs in groups.items():
        good = [r for r in recs if r.get("ok")]
        if not good:
            out.append({**recs[-1], "rounds": 0, "rounds_failed": len(recs)})
            continue
        agg = combine(good)
        polls = [((r["phases"].get("polls") or {}).get("poll_rounds") or {}) for r in good]
        if any(polls):  # the votes: the worst round beside the median
            agg["vote_worst"] = {}
            for label in dict.fromkeys(k for pr in polls for k in pr):
                cur = [(pr.get(label) or {}).get("current_ms") for pr in polls]
                agg["vote_worst"][label] = {
                    "current_ms": None if None in cur else max(cur), "never_current": cur.count(None),
                    "longest_gap_ms": max([(pr.get(label) or {}).get("longest_gap_ms") or 0 for pr in polls]) or None,
                    "rounds_exact": sum(1 for pr in polls if (pr.get(label) or {}).get("closed_wrong") == 0),
                    "rounds": len(polls)}
        agg["ok"] = True
        agg["rounds"] = len(good)
        agg["rounds_failed"] = len(recs) - len(good)
        if agg["rounds_failed"]:
            agg["round_errors"] = [r.get("error") for r in recs if not r.get("ok")]
        out.append(agg)
    return out


# -- report ---------------------------------------------------------------------------------


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = 0
    try:
        mem = int(Path("/proc/meminfo").read_text().split()[1]) // 1024
    except OSError:
        pass

    def ver(cmd: list[str]) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.strip()
        except OSError:
            return "?"

    def pkg(name: str) -> str:
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version(name)
        except PackageNotFoundError:
            return "?"

    def npm(name: str) -> str:
        try:
            return json.loads((ROOT / "node_modules" / name / "package.json").read_text())["version"]
        except OSError:
            return "?"

    redis_v = "?"
    try:
        redis_v = redis_client().info("server")["redis_version"]
    except Exception:
        pass
    return {"nproc": os.cpu_count(), "cpu": model, "ram_mb": mem, "kernel": platform.release(),
            "python": platform.python_version(), "node": ver([NODE, "--version"]),
            "python-socketio": pkg("python-socketio"), "python-engineio": pkg("python-engineio"),
            "uvicorn": pkg("uvicorn"), "websockets": pkg("websockets"), "redis-py": pkg("redis"),
            "redis-server": redis_v, "socket.io (node)": npm("socket.io"),
            "socket.io-client": npm("socket.io-client"),
            "loadavg_at_start": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
            "cpu_pressure_at_start": cpu_pressure(),
            "townhall": git_state()}


def git_state(root: Path = ROOT) -> str:
    """The commit measured, and whether server code differs from it (the work tree)."""
    try:
        head = subprocess.run(["git", "--no-optional-locks", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=root, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "--no-optional-locks", "status", "--porcelain", "--", "server"], capture_output=True,
                               text=True, cwd=root, timeout=10).stdout.split("\n")
        dirty = [line[3:] for line in dirty if line.strip()]
        return f"{head}" + (f" + uncommitted changes in {', '.join(dirty)}" if dirty else "")
    except OSError:
        return "?"


def fmt(*vals, sep=" / ") -> str:
    return sep.join("–" if v is None else (f"{v:g}" if isinstance(v, (int, float)) else str(v)) for v in vals)


def lat(s: dict | None, keys=("p50", "p99", "max")) -> str:
    if not s:
        return "–"
    return fmt(*[s.get(k) for k in keys])


def lost_of(r: dict) -> int:
    L = r.get("lost", {})
    return L.get("facilitator_missing", 0) + L.get("participant_missing", 0) + L.get("keypoints_missing_on_screen", 0)


def errors_of(r: dict, phases=None) -> int:
    n = 0
    for name, ph in r.get("phases", {}).items():
        if phases is None or name in phases:
            n += sum(ph.get("errors", {}).values())
    return n


def write_report(raw_runs: list[dict], info: dict, quick: bool, elapsed: float) -> str:
    runs = aggregate(raw_runs)
    nrounds = max([r.get("round", 1) for r in raw_runs] or [1])
    L: list[str] = []
    L.append(f"# townhall benchmark ({'quick' if quick else 'full'})\n")
    L.append(f"Run {info['when']}, {elapsed:.0f} s in all. Generated by `bench/run.py`; "
             "what each figure means: `bench/README.md`. Latencies in ms.\n")
    if nrounds > 1:
        L.append(f"{nrounds} rounds, each running every system once in turn (the order reversed every other "
                 "round). Every figure below is the **median of the rounds** (a p99 is the median of the "
                 "rounds' p99s); lost, doubled, out of order, errors and notes not delivered are the **worst "
                 "round's**. Each round's figures: *Rounds* below.\n")
    if info.get("baseline"):
        L.append(f"Baseline (`townhall-base-*`): {info['baseline']}; townhall (`townhall-*`): "
                 f"{info['machine'].get('townhall')}.\n")
    storm_runs = [r for r in runs if "storm" in (r.get("phases") or {}) or r["scenario"] in STORMS]
    vote_runs = [r for r in runs if r["scenario"] in VOTES]
    runs = [r for r in runs if r not in storm_runs and r not in vote_runs]
    if storm_runs:
        L.append(storm_report(storm_runs))
    if vote_runs:
        L.append(vote_report(vote_runs))
    if storm_runs or vote_runs:
        pairs = before_after(storm_runs + vote_runs + runs)
        if pairs:
            L.append(pairs)
    if runs:
        L.append("## Scenarios\n")
        L.append("| scenario | system | clients (joined) | notes/s planned → acked | writes/s acked | join p50 / p99 / max "
                 "| note ack p50 / p99 | note→facilitator p50 / p99 / max | key point→screen p50 / p99 "
                 "| broadcast p99 | lost (whole run) | doubled | errors | server CPU % (work) | RSS idle → joined MB "
                 "| KB / client | generator CPU % / loop lag p99 ms (work) | machine load / CPU pressure % |")
        L.append("|" + "---|" * 19)
        for r in runs:
            if not r.get("ok"):
                L.append(f"| {r['scenario']} | {r['system']} | failed: {r.get('error', '?')[:120]} |" + " |" * 16)
                continue
            ph = r["phases"]
            w = ph.get("work", {})
            work_s = (w.get("work_ms") or 1) / 1000
            kp, pl = ph.get("keypoints", {}), ph.get("plenary", {})
            bc = (kp.get("broadcast") or {}).get("p99"), (pl.get("broadcast") or {}).get("p99")
            bc = max([b for b in bc if b is not None], default=None)
            srv = r["server"]
            cpu = srv["cpu_pct"].get("work")
            if srv.get("redis_cpu_pct"):
                cpu = f"{cpu} (+Redis {srv['redis_cpu_pct'].get('work')})"
            doubled = r["tally"].get("doubled", 0) + r["tally"].get("doubled_client_id", 0)
            failed = r["tally"].get("failed_joins", 0)
            clients = r["clients"] if not failed else \
                f"{r['clients']}: {r['participants'] - failed} of {r['participants']} participants in"
            L.append(f"| {r['scenario']} | {sysname(r)} | {clients} | "
                     f"{r.get('planned_rate')} → {round(w.get('notes_acked', 0) / work_s, 1)} | "
                     f"{round(w.get('writes_acked', 0) / work_s, 1)} | {lat(ph['join'].get('join'))} | "
                     f"{lat(w.get('note_ack'), ('p50', 'p99'))} | {lat(w.get('deliver'))} | "
                     f"{lat(kp.get('kp_screen'), ('p50', 'p99'))} | {fmt(bc)} | {lost_of(r)} | {doubled} | "
                     f"{errors_of(r, ('join', 'work', 'keypoints', 'plenary')) + r['tally'].get('failed_joins', 0)} | "
                     f"{cpu} | {srv['rss_idle_mb']} → {srv['rss_joined_mb']} | {srv['kb_per_client']} | "
                     f"{w.get('gen_cpu')} / {w.get('gen_loop_p99_ms')} | {r.get('loadavg')} / {fmt(r.get('cpu_pressure'))} |")
        L.append("")
    ramps = [r for r in runs if r.get("ok") and "ramp" in r["phases"]]
    if ramps:
        L.append("## Ramp: highest sustained note rate (p99 note→facilitator ≤ 250 ms, nothing lost, no errors)\n")
        L.append("| system | scenario | clients | highest sustained notes/s | first failing step | steps (notes/s: acked/s, p99 ms) "
                 "| generator CPU % at the last step |")
        L.append("|---|---|---|---|---|---|---|")
        for r in ramps:
            rp = r["phases"]["ramp"]
            steps = rp.get("steps") or []
            fail = next((s for s in steps if not s["ok"]), None)
            cap = f" (townhall's 30 notes/min per participant caps {r['participants']} at {rp['capped']})" \
                if rp.get("capped") else ""
            L.append(f"| {r['system']} | {r['scenario']} | {r['clients']} | {fmt(rp.get('best'))}{cap} | "
                     f"{(str(fail['rate']) + ': ' + fail['why']) if fail else '–'} | "
                     + "; ".join(f"{s['rate']}: {s['acked_per_s']}/s, {s['deliver']['p99']}{'' if s['ok'] else ' ✗'}"
                                 for s in steps)
                     + f" | {steps[-1]['gen_cpu'] if steps else '–'} |")
        L.append("")
    recs = [r for r in runs if r.get("ok") and "reconnect" in r["phases"]]
    if recs:
        L.append("## Reconnect: every connection drops at once\n")
        L.append("Notes keep flowing; every client reconnects (participants with their token) and calls "
                 "`sync` from the last seq it saw.\n")
        L.append("| system | scenario | clients | all resynced after (ms) | per client resync p50 / p99 / max "
                 "| not back | notes lost | doubled | resent after the drop | errors |")
        L.append("|---|---|---|---|---|---|---|---|---|---|")
        for r in recs:
            rc = r["phases"]["reconnect"]
            doubled = r["tally"].get("doubled", 0) + r["tally"].get("doubled_client_id", 0)
            L.append(f"| {r['system']} | {r['scenario']} | {r['clients']} | {fmt(rc.get('all_resynced_ms'))} | "
                     f"{lat(rc.get('resync'))} | {rc.get('not_resynced', 0)} | {lost_of(r)} | {doubled} | "
                     f"{r['tally'].get('resent', 0)} | {sum(rc.get('errors', {}).values())} |")
        L.append("")
    i6 = [r for r in runs if r.get("ok") and r["scenario"] == "town-1000" and r["system"].startswith("townhall")]
    if i6:
        L.append("## Issue 6: one process on SQLite, one/two/four on Redis, same load "
                 "(town-1000: 1,000 participants, 100 notes/s + supports)\n")
        L.append("| store | processes | acked writes/s | note ack p50 / p99 | note→facilitator (screen) p50 / p99 "
                 "| server CPU % (sum) | Redis CPU % | highest sustained notes/s (ramp) |")
        L.append("|---|---|---|---|---|---|---|---|")
        for r in i6:
            w = r["phases"]["work"]
            work_s = (w.get("work_ms") or 1) / 1000
            srv = r["server"]
            L.append(f"| {spec(r['system'])[2]}{' (baseline)' if r['system'].startswith(BASE) else ''} | "
                     f"{spec(r['system'])[1]} | "
                     f"{round(w.get('writes_acked', 0) / work_s, 1)} | {lat(w.get('note_ack'), ('p50', 'p99'))} | "
                     f"{lat(w.get('deliver'), ('p50', 'p99'))} | {srv['cpu_pct'].get('work')} | "
                     f"{(srv.get('redis_cpu_pct') or {}).get('work', '–')} | "
                     f"{fmt(r['phases'].get('ramp', {}).get('best'))} |")
        L.append("")
    if nrounds > 1:
        L.append(rounds_report(raw_runs))
    L.append("## Goals\n")
    L.append(goals(runs + storm_runs + vote_runs))
    L.append("## Machine\n")
    for k, v in info["machine"].items():
        L.append(f"- {k}: {v}")
    L.append("\nThe machine is shared (other engineers run tests on it): the load average at the start "
             "is above; repeat a run before trusting a small difference. Redis runs without "
             "persistence here (`appendonly no`), so the Redis rows do not pay an fsync per write.\n")
    return "\n".join(L) + "\n"


def sysname(r: dict) -> str:
    return r["system"] + (f" ({r['rounds_failed']} of {r['rounds'] + r['rounds_failed']} rounds failed)"
                          if r.get("rounds_failed") else "")


def storm_figs(r: dict) -> dict:
    """The figures of one storm record that the tables, goals and comparisons use."""
    st, b = r["phases"].get("storm", {}), r["phases"].get("burst", {})
    cpu_ms = r["server"].get("cpu_ms") or {}
    tried = st.get("participants_tried") or r.get("participants")
    welcomed = st.get("welcomed", tried - r["tally"].get("failed_joins", 0) if tried else None)
    return {"tried": tried, "welcomed": welcomed, "all_in": st.get("all_in_ms"), "join": st.get("join"),
            "in_at": st.get("in_at"), "open": st.get("open_ms"),
            "sent": b.get("notes_sent"), "acked": b.get("notes_acked"), "deliver": b.get("deliver"),
            "early": b.get("deliver_early"), "late": b.get("deliver_late"), "undelivered": b.get("undelivered"),
            "p99": (b.get("deliver") or {}).get("p99"), "early_p99": (b.get("deliver_early") or {}).get("p99"),
            "kb": r["server"].get("kb_per_client"), "lost": lost_of(r),
            # CPU cost: server CPU time (all its processes) over the storm per participant
            # welcomed, over the notes per note; little affected by a busy machine
            "cpu_join": per(cpu_ms.get("storm"), st.get("welcomed")),
            "cpu_note": per(cpu_ms.get("burst"), b.get("notes_sent"))}


def per(cpu_ms: float | None, n: int | None) -> float | None:
    """CPU milliseconds per item."""
    return round(cpu_ms / n, 2) if cpu_ms is not None and n else None


def vote_polls(r: dict) -> list[tuple[str, dict]]:
    """(label, figures) of each poll of a vote record, in the order they ran."""
    rounds = ((r.get("phases") or {}).get("polls") or {}).get("poll_rounds") or {}
    return sorted(rounds.items(), key=lambda kv: kv[1].get("round") or 0)


def vote_figs(r: dict, f: dict) -> dict:
    """One poll's figures, with the notes and the server around it (its windows)."""
    k, ph, srv = f.get("round"), r["phases"], r["server"]
    q, v = ph.get(f"quiet-{k}", {}), ph.get(f"vote-{k}", {})
    redis = srv.get("redis_cpu_pct") or {}
    participants = r.get("participants")
    return {"in": participants - r["tally"].get("failed_joins", 0) if participants else None,
            "participants": participants,
            "quiet": q.get("deliver"), "vote": v.get("deliver"), "quiet_p99": (q.get("deliver") or {}).get("p99"),
            "vote_p99": (v.get("deliver") or {}).get("p99"),
            "cpu_quiet": srv["cpu_pct"].get(f"quiet-{k}"), "cpu_vote": srv["cpu_pct"].get(f"vote-{k}"),
            "redis_quiet": redis.get(f"quiet-{k}"), "redis_vote": redis.get(f"vote-{k}"),
            "gen_cpu": v.get("gen_cpu"), "gen_loop": v.get("gen_loop_p99_ms"),
            # poll.closed's voters and counts (scores) equal the tally of the acked ballots
            "exact": f.get("closed_wrong") == 0,
            "all_voted": f.get("voters_final") is not None and f.get("voters_final") == participants,
            "worst": (r.get("vote_worst") or {}).get(f.get("label")) or {}}


def secs(ms: float | None) -> str:
    return "–" if ms is None else f"{ms / 1000:.1f}"


def vote_report(runs: list[dict]) -> str:
    L = ["## Votes (issue 11)\n",
         "Everyone joins (spread over 5 s); notes flow at the scenario's rate (no supports) throughout. For "
         "each poll: a *quiet* window of notes only, then the lead opens a hall poll (`poll.open`), every "
         "participant votes once at a uniformly random moment of the 10 s window, and 20 % of them vote "
         "again (another choice) at least 1 s later, still within it (sent whether or not the first ack "
         "is back: two taps); the screen records every "
         "`poll.results`; then the lead closes it (`poll.close`) and the screen gets `poll.closed`. *Counted "
         "exactly once*: `poll.closed`'s results equal the tally of each participant's last acknowledged "
         "ballot (the later of two when both were acked; choice: counts; rank: Borda scores), voters included. *Screen current*: from the last "
         "vote's ack to the first `poll.results` (after the last vote went out) equal to that tally. "
         "*Busiest second*: the most `poll.results` of the poll the screen received within any 1 s (arrival "
         "times). The vote window runs from the open to the last ack. Townhall only: the bare relays have "
         "no polls.\n",
         "| scenario | system | poll | participants in | ballots acked / sent (changes) | refused (by code) / "
         "timed out | last vote sent / acked (s after the open) | final voters / counted exactly once | screen current after the last ack (ms) | "
         "poll.results: messages, busiest second, shortest gap, longest gap while the votes land (ms) | vote ack p50 / p99 / max | "
         "note→facilitator p50 / p99, quiet → votes | server CPU %, quiet → votes | server CPU ms per ballot "
         "(above the notes) | generator CPU % / loop lag p99 ms (votes) | others' CPU % / CPU pressure % "
         "(during the run) | machine load at start |",
         "|" + "---|" * 17]
    for r in runs:
        if not r.get("ok"):
            L.append(f"| {r['scenario']} | {r['system']} | failed: {(r.get('error') or '?')[:120]} |" + " |" * 14)
            continue
        polls = vote_polls(r)
        if not polls:
            L.append(f"| {r['scenario']} | {sysname(r)} | no poll ran |" + " |" * 14)
        for label, f in polls:
            if f.get("error"):
                L.append(f"| {r['scenario']} | {sysname(r)} | {label}: {f['error'][:100]} |" + " |" * 14)
                continue
            v = vote_figs(r, f)
            refused = ", ".join(f"{k} {n}" for k, n in (f.get("refused") or {}).items() if n) or "0"
            exact = "✓" if v["exact"] else f"✗ (got {f.get('final')}, want {f.get('expected')})"
            w = v["worst"]
            cur = fmt(f.get("current_ms")) + (f" (worst {fmt(w['current_ms'])})" if w.get("current_ms") is not None
                                              and r.get("rounds", 1) > 1 else "")
            if w.get("never_current"):
                cur += f" (never current in {w['never_current']} round(s))"
            cpu = f"{fmt(v['cpu_quiet'])} → {fmt(v['cpu_vote'])}"
            if v["redis_vote"] is not None:
                cpu += f" (+Redis {fmt(v['redis_quiet'])} → {fmt(v['redis_vote'])})"
            L.append(f"| {r['scenario']} | {sysname(r)} | {label} ({f.get('options')} options) | {fmt(v['in'])} | "
                     f"{fmt(f.get('ballots_acked'))} / {fmt(f.get('ballots_sent'))} ({fmt(f.get('changes_sent'))}) | "
                     f"{refused} / {fmt(f.get('vote_timeouts'))} | {secs(f.get('last_sent_ms'))} / "
                     f"{secs(f.get('last_ack_ms'))} | {fmt(f.get('voters_final'))} of "
                     f"{fmt(v['participants'])} / {exact} | {cur} | {fmt(f.get('results_msgs'))}, "
                     f"{fmt(f.get('max_results_per_1s'))}, {fmt(f.get('min_results_gap_ms'))}, "
                     f"{fmt(f.get('longest_gap_ms'))}" + (f" (worst {fmt(w['longest_gap_ms'])})" if w.get("longest_gap_ms")
                                                          and r.get("rounds", 1) > 1 else "") + " | "
                     f"{lat(f.get('vote_ack'))} | "
                     f"{lat(v['quiet'], ('p50', 'p99'))} → {lat(v['vote'], ('p50', 'p99'))} | {cpu} | "
                     f"{fmt(f.get('cpu_ms_per_ballot'))} | {fmt(v['gen_cpu'])} / {fmt(v['gen_loop'])} | "
                     f"{fmt(r.get('others_cpu_pct'))} / {fmt(r.get('cpu_pressure_run'))} | {fmt(r.get('loadavg'))} |")
    L.append("")
    return "\n".join(L) + "\n"


def vote_goals(ok: list[dict]) -> list[str]:
    runs = [r for r in ok if r["scenario"] in VOTES]
    if not runs:
        return []
    mark = lambda good: "✓" if good else "✗"
    exact, current, rate = [], [], []
    for r in runs:
        for label, f in vote_polls(r):
            v = vote_figs(r, f)
            w = v["worst"]
            n = w.get("rounds") or 1
            good = v["exact"] and v["all_voted"] and w.get("rounds_exact", 1 if v["exact"] else 0) == n
            exact.append(f"{r['system']} {label}: {fmt(f.get('voters_final'))} voters of {fmt(v['participants'])}, "
                         f"exact in {fmt(w.get('rounds_exact'))} of {n} rounds {mark(good)}")
            cur, worst = f.get("current_ms"), w.get("current_ms")
            good = cur is not None and cur < 1000 and not w.get("never_current")
            current.append(f"{r['system']} {label}: {fmt(cur)} ms" + (f" (worst round {fmt(worst)})" if n > 1 else "")
                           + f" {mark(good)}")
            rate.append(f"{r['system']} {label}: {fmt(f.get('max_results_per_1s'))} {mark((f.get('max_results_per_1s') or 0) <= 2)}")
    return ["| votes: every ballot counted exactly once (`poll.closed` = the tally of each participant's last "
            "acked ballot; final voters = participants) | " + "; ".join(exact) + " |",
            "| votes: the screen's result current within 1 s of the last vote (median of rounds) | "
            + "; ".join(current) + " |",
            "| votes: `poll.results` at most twice a second per poll (busiest 1 s at the screen, worst round) | "
            + "; ".join(rate) + " |"]


def storm_report(runs: list[dict]) -> str:
    L = ["## Join storms (issue 13)\n",
         "Staff in first; then every participant opens its connection within the window (storm-200, "
         "storm-1000: 0.2 s; storm-5000: 5 s); whoever has no welcome 20 s after the first attempt gives "
         "up. The notes follow at once (storm-200: 600 evenly over 10 s; storm-1000: 200 over 1 s; "
         "storm-5000: 100 over 1 s, after both generators' storms). *First 0.5 s*: notes sent in the "
         "first 0.5 s of the notes, i.e. right after the last welcome.\n",
         "| scenario | system | participants welcomed (of) | time until all in | join p50 / p99 / max | generator "
         "opened all connections in | notes sent → acked | note→facilitator p50 / p99 / max | first 0.5 s: n, "
         "p50 / p99 / max | after: p50 / p99 | not at the facilitator after 15 s | lost | doubled / out of order "
         "| errors | server CPU % storm / notes | server CPU ms per join / per note | RSS idle → storm → end MB | KB / connected client | generator "
         "CPU % / loop lag p99 ms (storm) | others' CPU % / CPU pressure % (during the run) | machine load at start |",
         "|" + "---|" * 21]
    for r in runs:
        if not r.get("ok"):
            L.append(f"| {r['scenario']} | {r['system']} | failed: {r.get('error', '?')[:120]} |" + " |" * 18)
            continue
        f = storm_figs(r)
        st = r["phases"].get("storm", {})
        srv = r["server"]
        cpu = f"{srv['cpu_pct'].get('storm')} / {srv['cpu_pct'].get('burst')}"
        if srv.get("redis_cpu_pct"):
            cpu += f" (+Redis {srv['redis_cpu_pct'].get('storm')} / {srv['redis_cpu_pct'].get('burst')})"
        doubled = r["tally"].get("doubled", 0) + r["tally"].get("doubled_client_id", 0)
        early = f"{f['early']['n']}: {lat(f['early'])}" if f["early"] else "–"
        L.append(f"| {r['scenario']} | {sysname(r)} | {fmt(f['welcomed'])} of {fmt(f['tried'])} | "
                 f"{fmt(f['all_in']) if f['all_in'] is not None else 'not all in'} | {lat(f['join'])} | "
                 f"{fmt(f['open'])} | {fmt(f['sent'])} → {fmt(f['acked'])} | {lat(f['deliver'])} | {early} | "
                 f"{lat(f['late'], ('p50', 'p99'))} | {fmt(f['undelivered'])} | {f['lost']} | "
                 f"{doubled} / {r['tally'].get('out_of_order', 0)} | {errors_of(r)} | {cpu} | "
                 f"{fmt(f['cpu_join'])} / {fmt(f['cpu_note'])} | "
                 f"{srv['rss_idle_mb']} → {srv.get('rss_storm_mb')} → {srv.get('rss_after_mb')} | {srv['kb_per_client']} | "
                 f"{st.get('gen_cpu')} / {st.get('gen_loop_p99_ms')} | {fmt(r.get('others_cpu_pct'))} / "
                 f"{fmt(r.get('cpu_pressure_run'))} | {fmt(r.get('loadavg'))} |")
    L.append("")
    return "\n".join(L) + "\n"


def before_after(runs: list[dict]) -> str:
    """townhall-base-X (the other checkout) against townhall-X, same run, same rounds."""
    by = {(r["scenario"], r["system"]): r for r in runs if r.get("ok")}
    rows = []
    for (sc, name), base in by.items():
        if not name.startswith(BASE):
            continue
        new = by.get((sc, "townhall-" + name[len(BASE):]))
        relay = by.get((sc, "relay-py"))
        if not new:
            continue
        if sc in VOTES:
            figs = []
            for label, _ in vote_polls(new):
                def one(key, label=label, sub=None):
                    def get(r):
                        f = dict(vote_polls(r)).get(label) or {}
                        return (f.get(key) or {}).get(sub) if sub else f.get(key)
                    return get
                def note(key, label=label):
                    def get(r):
                        f = dict(vote_polls(r)).get(label)
                        return vote_figs(r, f)[key] if f else None
                    return get
                figs += [(f"{label}: screen current after the last ack (ms)", one("current_ms")),
                         (f"{label}: counted exactly once", lambda r, label=label: (
                             lambda f: None if not f else ("yes" if vote_figs(r, f)["exact"] else "NO"))(
                             dict(vote_polls(r)).get(label))),
                         (f"{label}: poll.results in the busiest second", one("max_results_per_1s")),
                         (f"{label}: vote ack p99 (ms)", one("vote_ack", sub="p99")),
                         (f"{label}: note→facilitator p99 during the votes (ms)", note("vote_p99")),
                         (f"{label}: server CPU % during the votes", note("cpu_vote")),
                         (f"{label}: server CPU ms per ballot", one("cpu_ms_per_ballot"))]
        elif "storm" in base["phases"]:
            figs = [("participants welcomed", lambda r: storm_figs(r)["welcomed"]),
                    ("time until all in (ms)", lambda r: storm_figs(r)["all_in"]),
                    ("join p99 (ms)", lambda r: (storm_figs(r)["join"] or {}).get("p99")),
                    ("note→facilitator p99 (ms)", lambda r: storm_figs(r)["p99"]),
                    ("note→facilitator p99, first 0.5 s (ms)", lambda r: storm_figs(r)["early_p99"]),
                    ("notes not at the facilitator / lost", lambda r: f"{fmt(storm_figs(r)['undelivered'])} / {lost_of(r)}"),
                    ("KB / connected client", lambda r: r["server"].get("kb_per_client")),
                    ("server CPU ms per join (storm)", lambda r: storm_figs(r)["cpu_join"]),
                    ("server CPU ms per note (notes after it)", lambda r: storm_figs(r)["cpu_note"])]
        else:
            figs = [("join p99 (ms)", lambda r: (r["phases"].get("join", {}).get("join") or {}).get("p99")),
                    ("note→facilitator p99 (ms)", lambda r: (r["phases"].get("work", {}).get("deliver") or {}).get("p99")),
                    ("key point→screen p99 (ms)", lambda r: (r["phases"].get("keypoints", {}).get("kp_screen") or {}).get("p99")),
                    ("lost / doubled", lambda r: f"{lost_of(r)} / {r['tally'].get('doubled', 0) + r['tally'].get('doubled_client_id', 0)}"),
                    ("KB / client", lambda r: r["server"].get("kb_per_client")),
                    ("server CPU % (work)", lambda r: r["server"]["cpu_pct"].get("work"))]
        for label, get in figs:
            rows.append(f"| {sc} | {name[len(BASE):]} | {label} | {fmt(get(base))} | {fmt(get(new))} | "
                        f"{fmt(get(relay)) if relay else '–'} |")
    if not rows:
        return ""
    return ("## Before and after (`--baseline-src`: the same systems on the other checkout, same run)\n\n"
            "| scenario | store / processes | figure | before (townhall-base-…) | after (townhall-…) | relay-py |\n"
            "|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n")


def rounds_report(raw_runs: list[dict]) -> str:
    L = ["## Rounds (each round's key figures; the tables above give their medians)\n",
         "| scenario | system | round | key figures | lost / doubled / errors | others' CPU % / CPU pressure % "
         "(during the run) | load at start |", "|---|---|---|---|---|---|---|"]
    order = {k: i for i, k in enumerate(dict.fromkeys((r["scenario"], r["system"]) for r in raw_runs))}
    for r in sorted(raw_runs, key=lambda r: (order[(r["scenario"], r["system"])], r.get("round", 1))):
        if not r.get("ok"):
            L.append(f"| {r['scenario']} | {r['system']} | {r.get('round', 1)} | failed: "
                     f"{(r.get('error') or '?')[:100]} | | | |")
            continue
        if r["scenario"] in VOTES:
            parts = []
            for label, f in vote_polls(r):
                v = vote_figs(r, f)
                parts.append(f"{label}: {fmt(f.get('ballots_acked'))}/{fmt(f.get('ballots_sent'))} acked (last at "
                             f"{secs(f.get('last_ack_ms'))} s), "
                             f"{fmt(f.get('voters_final'))} voters {'exact' if v['exact'] else 'WRONG'}, current "
                             f"{fmt(f.get('current_ms'))}, busiest 1 s {fmt(f.get('max_results_per_1s'))}, longest gap "
                             f"{fmt(f.get('longest_gap_ms'))}, vote ack "
                             f"p99 {fmt((f.get('vote_ack') or {}).get('p99'))}, note p99 {fmt(v['quiet_p99'])} → "
                             f"{fmt(v['vote_p99'])}, CPU % {fmt(v['cpu_quiet'])} → {fmt(v['cpu_vote'])}")
            key = "; ".join(parts) or "no poll ran"
        elif "storm" in r["phases"]:
            f = storm_figs(r)
            key = (f"in {fmt(f['welcomed'])}/{fmt(f['tried'])}, all in {fmt(f['all_in'])}, join p99 "
                   f"{fmt((f['join'] or {}).get('p99'))}, note p99 {fmt(f['p99'])} (first 0.5 s {fmt(f['early_p99'])}), "
                   f"{fmt(r['server'].get('kb_per_client'))} KB/client, CPU ms/join {fmt(f['cpu_join'])}, "
                   f"/note {fmt(f['cpu_note'])}")
        else:
            w = r["phases"].get("work", {})
            key = (f"join p99 {fmt((r['phases'].get('join', {}).get('join') or {}).get('p99'))}, note p99 "
                   f"{fmt((w.get('deliver') or {}).get('p99'))}, {fmt(r['server'].get('kb_per_client'))} KB/client")
        doubled = r["tally"].get("doubled", 0) + r["tally"].get("doubled_client_id", 0)
        quiet = (f" (before: {fmt(r['others_cpu_before_pct'])} after waiting {fmt(r['quiet_wait_s'])} s)"
                 if r.get("quiet_wait_s") is not None else "")
        L.append(f"| {r['scenario']} | {r['system']} | {r.get('round', 1)} | {key} | {lost_of(r)} / {doubled} / "
                 f"{errors_of(r)} | {fmt(r.get('others_cpu_pct'))} / {fmt(r.get('cpu_pressure_run'))}{quiet} | "
                 f"{fmt(r.get('loadavg'))} |")
    L.append("")
    return "\n".join(L) + "\n"


def storm_goals(ok: list[dict]) -> list[str]:
    out = []
    by = {(r["scenario"], r["system"]): r for r in ok if "storm" in r.get("phases", {})}
    th = lambda sc: [r for (s, n), r in by.items() if s == sc and n.startswith("townhall")]
    relay = lambda sc: by.get((sc, "relay-py"))
    mark = lambda good: "✓" if good else "✗"
    # storm-200: note→facilitator p99 within 1.3x relay-py
    rp = relay("storm-200")
    if rp and th("storm-200") and storm_figs(rp)["p99"]:
        b = storm_figs(rp)["p99"]
        cells = []
        for r in th("storm-200"):
            f = storm_figs(r)
            if f["p99"] is None:
                cells.append(f"{r['system']}: no note delivered ✗")
                continue
            good = f["p99"] / b <= 1.3 and not f["undelivered"]
            cells.append(f"{r['system']}: {f['p99']} / {b} = {f['p99'] / b:.2f}x"
                         f"{' (' + str(f['undelivered']) + ' not delivered)' if f['undelivered'] else ''} {mark(good)}")
        out.append("| storm-200 (200 join, then 600 notes in 10 s): note→facilitator p99 ≤ 1.3× relay-py | "
                   + "; ".join(cells) + " |")
    rp = relay("storm-1000")
    if rp and th("storm-1000") and storm_figs(rp)["all_in"]:
        b = storm_figs(rp)["all_in"]
        cells = []
        for r in th("storm-1000"):
            a = storm_figs(r)["all_in"]
            cells.append(f"{r['system']}: " + (f"{a} / {b} = {a / b:.2f}x {mark(a / b <= 1.5)}" if a is not None
                                               else f"not all in ({storm_figs(r)['welcomed']}) ✗"))
        out.append("| storm-1000: time until all are in ≤ 1.5× relay-py | " + "; ".join(cells) + " |")
    if th("storm-1000"):
        cells = []
        for r in th("storm-1000"):
            f = storm_figs(r)
            good = f["p99"] is not None and f["p99"] < 250 and not f["undelivered"]
            cells.append(f"{r['system']}: {fmt(f['p99'])} ms"
                         f"{' (' + str(f['undelivered']) + ' not delivered)' if f['undelivered'] else ''} {mark(good)}")
        out.append("| storm-1000: first notes after the storm, note→facilitator p99 < 250 ms | " + "; ".join(cells) + " |")
    big = [r for r in th("storm-5000") if spec(r["system"])[1] <= 2]
    if big:
        out.append("| storm-5000: ≥ 4,750 welcomed within 20 s (one or two processes) | " + "; ".join(
            f"{r['system']}: {fmt(storm_figs(r)['welcomed'])} of {fmt(storm_figs(r)['tried'])} "
            f"{mark((storm_figs(r)['welcomed'] or 0) >= 4750)}" for r in big) + " |")
        cells = []
        for r in big:
            f = storm_figs(r)
            good = f["p99"] is not None and f["p99"] < 500 and not f["undelivered"] and not f["lost"] \
                and f["acked"] == f["sent"]
            cells.append(f"{r['system']}: p99 {fmt(f['p99'])} ms, {fmt(f['acked'])} of {fmt(f['sent'])} acked, "
                         f"{fmt(f['undelivered'])} not delivered, {f['lost']} lost {mark(good)}")
        out.append("| storm-5000: notes right after, note→facilitator p99 < 500 ms, 0 lost | " + "; ".join(cells) + " |")
    # two serve processes on Redis must beat one
    for prefix in ("townhall-", BASE):
        cells = []
        for sc in STORMS:
            one, two = by.get((sc, prefix + "redis-1")), by.get((sc, prefix + "redis-2"))
            if not one or not two:
                continue
            f1, f2 = storm_figs(one), storm_figs(two)
            if sc == "storm-200":
                a, b, what = f1["p99"], f2["p99"], "note p99"
            elif (f1["welcomed"] or 0) < (f1["tried"] or 0) or (f2["welcomed"] or 0) < (f2["tried"] or 0):
                a, b, what = -(f1["welcomed"] or 0), -(f2["welcomed"] or 0), "welcomed"
            else:
                a, b, what = f1["all_in"], f2["all_in"], "all in (ms)"
            good = a is not None and b is not None and b < a
            shown = (lambda v: fmt(-v if what == "welcomed" and v is not None else v))
            cells.append(f"{sc} {what}: 1 process {shown(a)}, 2 processes {shown(b)} {mark(good)}")
        if cells:
            out.append(f"| two `serve` processes on Redis beat one ({prefix.rstrip('-')}) | " + "; ".join(cells) + " |")
    return out


def goals(runs: list[dict]) -> str:
    ok = [r for r in runs if r.get("ok")]
    out = ["| goal | result |", "|---|---|"]
    out += storm_goals(ok)
    out += vote_goals(ok)

    def find(sys_prefix: str, scenario: str):
        return [r for r in ok if r["system"].startswith(sys_prefix) and r["scenario"] == scenario]

    big = find("townhall", "town-5000")
    if big:
        out.append("| 5,000 participants on one 2-core machine | " + "; ".join(
            f"{r['system']}: {r['participants'] - r['tally'].get('failed_joins', 0)} of {r['participants']} "
            f"participants joined, join p99 {r['phases']['join'].get('join', {}).get('p99')} ms, "
            + (f"note→facilitator p99 {r['phases']['work']['deliver']['p99']} ms"
               if r["phases"].get("work", {}).get("deliver") else "no note delivered in the work phase")
            + (" ✓" if not r["tally"].get("failed_joins") else " ✗") for r in big) + " |")
    t1k = find("townhall", "town-1000")
    if t1k:
        out.append("| note→facilitator p99 < 250 ms at 100 notes/s | " + "; ".join(
            f"{r['system']}: {r['phases']['work'].get('deliver', {}).get('p99')} ms "
            f"{'✓' if (r['phases']['work'].get('deliver', {}).get('p99') or 1e9) < 250 else '✗'}" for r in t1k) + " |")
    ratio = []
    for sc in ("nhs", "town-1000", "town-5000"):
        base = find("relay-py", sc)
        th = [r for r in find("townhall-sqlite", sc)] + [r for r in find("townhall-redis-1", sc)]
        if base and base[0]["phases"]["work"].get("deliver"):
            b = base[0]["phases"]["work"]["deliver"]["p99"]
            for r in th:
                d = r["phases"]["work"].get("deliver", {}).get("p99")
                if d is not None and b:
                    ratio.append(f"{sc} {r['system']}: {d} / {b} = {d / b:.2f}x {'✓' if d / b <= 1.3 else '✗'}")
    if ratio:
        out.append("| townhall p99 within 1.3x the bare python-socketio relay (note→facilitator) | "
                   + "; ".join(ratio) + " |")
    mem = [f"{r['scenario']} {r['system']}: {r['server']['kb_per_client']} KB "
           f"{'✓' if (r['server']['kb_per_client'] or 1e9) < 40 else '✗'}"
           for r in ok if r["system"].startswith("townhall")]
    if mem:
        out.append("| < 40 KB server memory per connected client | " + "; ".join(mem) + " |")
    lost = [f"{r['scenario']} {r['system']}: {lost_of(r)} lost of {r['lost'].get('notes_acked_total', 0)} acked notes, "
            f"{r['tally'].get('doubled', 0) + r['tally'].get('doubled_client_id', 0)} doubled"
            for r in ok if r["system"].startswith("townhall")]
    if lost:
        all_zero = all(lost_of(r) == 0 and r["tally"].get("doubled", 0) + r["tally"].get("doubled_client_id", 0) == 0
                       for r in ok if r["system"].startswith("townhall"))
        out.append(f"| nothing lost (townhall) | {'✓ ' if all_zero else '✗ '}" + "; ".join(lost) + " |")
    return "\n".join(out) + "\n"


PLOTTED = ("nhs", "town-1000", "town-5000")  # latency.svg: note→facilitator p99 of these


def plotted(runs: list[dict]) -> bool:
    return any(r.get("scenario") in PLOTTED for r in runs)


def write_svg(runs: list[dict], path: Path) -> None:
    """Note→facilitator p99 against clients, one line per system (log-log)."""
    series: dict[str, list[tuple[int, float]]] = {}
    partial: set[tuple[str, int]] = set()  # runs where some participants never got in
    nothing: list[tuple[str, int]] = []     # runs where no note was delivered at all
    for r in runs:
        if r.get("ok") and r["scenario"] in PLOTTED:
            d = r["phases"].get("work", {}).get("deliver", {}).get("p99")
            if r["tally"].get("failed_joins"):
                partial.add((r["system"], r["clients"]))
            if d is not None:
                series.setdefault(r["system"], []).append((r["clients"], max(d, 0.1)))
            else:
                nothing.append((r["system"], r["clients"]))
    W, H, ml, mr, mt, mb = 760, 440, 70, 190, 40, 60
    pw, ph = W - ml - mr, H - mt - mb
    xs = [x for s in series.values() for x, _ in s] + [x for _, x in nothing] or [100, 1000]
    ys = [y for s in series.values() for _, y in s] or [1, 1000]
    x0, x1 = math.log10(min(xs) / 1.5), math.log10(max(xs) * 1.5)
    y0 = math.floor(math.log10(min(min(ys), 250)))
    y1 = math.ceil(math.log10(max(max(ys), 250) * 1.05))
    if x1 - x0 < 0.5:
        x0, x1 = x0 - 0.5, x1 + 0.5
    X = lambda x: ml + (math.log10(x) - x0) / (x1 - x0) * pw
    Y = lambda y: mt + ph - (math.log10(y) - y0) / (y1 - y0) * ph
    colors = {"townhall-sqlite": "#1f77b4", "townhall-redis-1": "#ff7f0e", "townhall-redis-2": "#2ca02c",
              "townhall-redis-4": "#d62728", "relay-py": "#9467bd", "relay-node": "#8c564b",
              "relay-py-deflate": "#e377c2", "relay-py-batched": "#17becf"}
    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
         'font-family="sans-serif" font-size="12">',
         f'<rect width="{W}" height="{H}" fill="white"/>',
         f'<text x="{W / 2 - mr / 2}" y="22" text-anchor="middle" font-size="15">'
         'Note → facilitator delivery p99 against connected clients</text>']
    for e in range(y0, y1 + 1):
        y = Y(10 ** e)
        o.append(f'<line x1="{ml}" y1="{y:.1f}" x2="{ml + pw}" y2="{y:.1f}" stroke="#ddd"/>')
        o.append(f'<text x="{ml - 6}" y="{y + 4:.1f}" text-anchor="end">{10 ** e:g} ms</text>')
    for x in sorted(set(xs)):
        o.append(f'<line x1="{X(x):.1f}" y1="{mt}" x2="{X(x):.1f}" y2="{mt + ph}" stroke="#eee"/>')
        o.append(f'<text x="{X(x):.1f}" y="{mt + ph + 18}" text-anchor="middle">{x:,}</text>')
    o.append(f'<text x="{ml + pw / 2}" y="{H - 15}" text-anchor="middle">connected clients (log scale)</text>')
    o.append(f'<text transform="translate(16 {mt + ph / 2}) rotate(-90)" text-anchor="middle">'
             'p99 latency (log scale)</text>')
    o.append(f'<rect x="{ml}" y="{mt}" width="{pw}" height="{ph}" fill="none" stroke="#888"/>')
    gy = Y(250)
    o.append(f'<line x1="{ml}" y1="{gy:.1f}" x2="{ml + pw}" y2="{gy:.1f}" stroke="#c00" stroke-dasharray="6 4"/>')
    o.append(f'<text x="{ml + pw - 4}" y="{gy - 5:.1f}" text-anchor="end" fill="#c00">goal: 250 ms</text>')
    for i, (name, pts) in enumerate(sorted(series.items())):
        pts.sort()
        c = colors.get(name.replace(BASE, "townhall-"), "#333")
        dash = ' stroke-dasharray="5 3"' if name.startswith(BASE) else ""  # the baseline: dashed
        d = " ".join(f"{'M' if j == 0 else 'L'}{X(x):.1f},{Y(y):.1f}" for j, (x, y) in enumerate(pts))
        o.append(f'<path d="{d}" fill="none" stroke="{c}" stroke-width="2"{dash}/>')
        for x, y in pts:
            hollow = (name, x) in partial
            o.append(f'<circle cx="{X(x):.1f}" cy="{Y(y):.1f}" r="{4.5 if hollow else 3.5}" '
                     f'fill="{"white" if hollow else c}" stroke="{c}" stroke-width="2"><title>{name}: '
                     f'{x} clients, p99 {y:g} ms{" (not everyone got in)" if hollow else ""}</title></circle>')
        ly = mt + 10 + i * 20
        o.append(f'<line x1="{ml + pw + 15}" y1="{ly}" x2="{ml + pw + 40}" y2="{ly}" stroke="{c}" stroke-width="2"{dash}/>')
        o.append(f'<text x="{ml + pw + 46}" y="{ly + 4}">{name}</text>')
    for name, x in nothing:
        c = colors.get(name.replace(BASE, "townhall-"), "#333")
        o.append(f'<text x="{X(x):.1f}" y="{mt + 14}" text-anchor="middle" fill="{c}" font-size="16" '
                 f'font-weight="bold">×<title>{name}: {x} clients, no note delivered</title></text>')
    o.append(f'<text x="{ml}" y="{H - 2}" font-size="10" fill="#555">hollow: not every participant '
             'got in within 20 s; × at the top: no note delivered at all</text>')
    o.append("</svg>")
    path.write_text("\n".join(o) + "\n")


# -- main ---------------------------------------------------------------------------------


def main() -> int:
    global BASELINE_SRC
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="the nhs scenario, short, three systems, tiny ramp")
    ap.add_argument("--scenarios", help="comma-separated subset of " + ", ".join(FULL)
                    + " (`storms` = every storm-*, `all` = everything)")
    ap.add_argument("--systems", help="comma-separated subset of " + ", ".join(SYSTEMS)
                    + " (with --baseline-src, also townhall-base-*)")
    ap.add_argument("--rounds", type=int, default=1,
                    help="run every scenario on every system this many times, rounds alternating; the report "
                         "gives medians (0: only the --profile runs)")
    ap.add_argument("--baseline-src", metavar="CHECKOUT",
                    help="another checkout of townhall (e.g. `git worktree add /tmp/townhall-base HEAD`): every "
                         "townhall-X system gets a twin townhall-base-X running that checkout's server, "
                         "in the same rounds")
    ap.add_argument("--profile", metavar="SCENARIO[:SYSTEM],...",
                    help="after the rounds, run SCENARIO once more on SYSTEM (default townhall-sqlite) under "
                         "py-spy and write results/profile-SCENARIO-SYSTEM.md (not counted in the figures)")
    ap.add_argument("--profile-rate", type=int, default=100, help="py-spy samples per second")
    ap.add_argument("--wait-quiet", type=float, metavar="PCT",
                    help="before each run, wait (at most --wait-quiet-max s) until the rest of the machine "
                         "uses less than PCT %% of one core; the wait and the load are in the report")
    ap.add_argument("--wait-quiet-max", type=float, default=60)
    ap.add_argument("--work-s", type=float, help="override the group-work duration (s)")
    ap.add_argument("--nice", type=int, default=int(os.environ.get("BENCH_NICE", "0")),
                    help="run servers and generators at this nice value (negative needs root; "
                         "on a shared machine, ask first)")
    ap.add_argument("--phases", help="override the generator's phases (comma-separated), for development")
    ap.add_argument("--out", default=str(RESULTS), help="where to write latest.md etc.")
    ap.add_argument("--report-only", metavar="RAW.json",
                    help="rewrite latest.md and latency.svg from a raw JSON file; run nothing")
    args = ap.parse_args()
    if args.report_only:
        raw = json.loads(Path(args.report_only).read_text())
        out_dir = Path(args.out)
        out_dir.mkdir(parents=True, exist_ok=True)
        md = write_report(raw["runs"], raw["info"], raw["info"]["quick"], raw["elapsed_s"])
        (out_dir / "latest.md").write_text(md)
        if plotted(raw["runs"]):
            write_svg(aggregate(raw["runs"]), out_dir / "latency.svg")
        print(md)
        return 0
    if args.baseline_src:
        BASELINE_SRC = Path(args.baseline_src).resolve()
        if not (BASELINE_SRC / "server" / "townhall" / "__main__.py").exists():
            print(f"bench: {BASELINE_SRC} is not a townhall checkout (no server/townhall/)", file=sys.stderr)
            return 1

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))  # children inherit it
    if resource.getrlimit(resource.RLIMIT_NOFILE)[0] < 12000:
        log(f"warning: open-file limit {resource.getrlimit(resource.RLIMIT_NOFILE)[0]}: "
            "5,000 clients need more than 10,000 (raise the hard limit: ulimit -Hn)")
    if args.nice:
        os.nice(args.nice)  # children inherit it
    scenarios = QUICK if args.quick else {k: FULL[k] for k in DEFAULT_SCENARIOS}
    systems = QUICK_SYSTEMS if args.quick else DEFAULT_SYSTEMS
    known = {**FULL, **({} if not args.quick else QUICK)}
    if args.scenarios:
        wanted = [n for w in args.scenarios.split(",") for n in ALIASES.get(w, [w])]
        unknown = [w for w in wanted if w not in known]
        if unknown:
            print(f"bench: unknown scenario(s) {', '.join(unknown)}; known: {', '.join(known)}", file=sys.stderr)
            return 1
        scenarios = {k: known[k] for k in dict.fromkeys(wanted)}
    if args.systems:
        systems = args.systems.split(",")
        unknown = [s for s in systems if spec(s)[0] == "?" or (s.startswith(BASE) and not BASELINE_SRC)]
        if unknown:
            print(f"bench: unknown system(s) {', '.join(unknown)} (townhall-base-* needs --baseline-src)",
                  file=sys.stderr)
            return 1
    profiles = []
    for item in (args.profile or "").split(","):
        if item.strip():
            sc_name, _, sys_name = item.strip().partition(":")
            if sc_name not in known:
                print(f"bench: --profile: unknown scenario {sc_name}", file=sys.stderr)
                return 1
            sys_name = sys_name or "townhall-sqlite"
            if spec(sys_name)[0] != "townhall" or (sys_name.startswith(BASE) and not BASELINE_SRC):
                print(f"bench: --profile: {sys_name} is not a townhall system", file=sys.stderr)
                return 1
            profiles.append((sc_name, sys_name))
    redis_ok = redis_pid() is not None
    if not redis_ok:
        log(f"no Redis answers at {REDIS_URL}: skipping the Redis systems")
    if not (ROOT / "node_modules" / "socket.io").exists():
        print("bench: node_modules/socket.io missing: run npm ci", file=sys.stderr)
        return 1

    def chosen_for(sc: dict) -> list[str]:
        pick = systems if (args.systems or "systems" not in sc) else sc["systems"]
        pick = with_baseline(pick)
        if sc.get("townhall_only"):  # the bare relays have no polls
            pick = [s for s in pick if spec(s)[0] == "townhall"]
        return [s for s in pick if redis_ok or spec(s)[2] != "redis"]

    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(TMP, ignore_errors=True)  # the previous run's logs and configs
    run_dir = TMP / time.strftime("%Y%m%d-%H%M%S")
    info = {"when": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "quick": args.quick, "machine": machine(),
            "rounds": args.rounds}
    info["machine"]["nice"] = args.nice
    if BASELINE_SRC:
        info["baseline"] = f"{BASELINE_SRC}: {git_state(BASELINE_SRC)}"
    t0 = time.monotonic()
    runs = []
    prepared = {}
    for sc_name, sc in scenarios.items():
        sc = dict(sc)
        if args.work_s:
            sc["work_s"] = args.work_s
        if args.phases:
            sc["phases"] = args.phases.split(",")
        prepared[sc_name] = sc
    for rnd in range(1, args.rounds + 1):
        for sc_name, sc in prepared.items():
            chosen = chosen_for(sc)
            if rnd % 2 == 0:
                chosen = chosen[::-1]  # ABC, CBA, ABC: a drift in the machine's load hits all alike
            for sys_name in chosen:
                quiet = wait_quiet(args.wait_quiet, args.wait_quiet_max) if args.wait_quiet else None
                log(f"round {rnd}/{args.rounds}: {sc_name} on {sys_name}"
                    + (f" (waited {quiet[0]} s for a quiet machine: others at {quiet[1]} %)" if quiet else ""))
                rec = run_one(sc_name, sc, sys_name, args.quick, run_dir / f"round-{rnd}")
                rec["round"] = rnd
                if quiet:
                    rec["quiet_wait_s"], rec["others_cpu_before_pct"] = quiet
                log(f"  {sys_name}/{sc_name}: {rec['seconds']} s")
                runs.append(rec)
    prof_runs = []
    for sc_name, sys_name in profiles:
        sc = prepared.get(sc_name) or dict(known[sc_name])
        log(f"profile: {sc_name} on {sys_name} under py-spy")
        prof: dict = {"rate": args.profile_rate}
        rec = run_one(sc_name, sc, sys_name, args.quick, run_dir / "profile", profile=prof)
        rec["profiled"] = True
        prof_runs.append(rec)
        path = out_dir / f"profile-{sc_name}-{sys_name}.md"
        title = f"{sc_name} on {sys_name}"
        md = profile_summary(prof.get("raw") or [], title)
        head = (f"Run {time.strftime('%Y-%m-%d %H:%M')}, townhall "
                f"{git_state(BASELINE_SRC) if sys_name.startswith(BASE) else info['machine']['townhall']}; "
                f"machine load at start {rec.get('loadavg')}, others' CPU during the run "
                f"{fmt(rec.get('others_cpu_pct'))} %. The profiled run's own figures (slowed by the sampling; "
                f"not in latest.md): {profile_figures(rec)}\n")
        md = md.replace("\n", "\n" + head + "\n", 1)
        path.write_text(md)
        raw_path = run_dir / "profile" / f"profile-{sc_name}-{sys_name}.collapsed.txt"
        raw_path.write_text("\n".join(prof.get("raw") or []) + "\n")
        log(f"  wrote {path} (collapsed stacks for a flame graph: {raw_path})")
    elapsed = time.monotonic() - t0
    if not runs:
        log(f"done in {elapsed:.0f} s (profiles only)")
        return 0
    raw = {"info": info, "elapsed_s": round(elapsed, 1), "runs": runs, "profiled_runs": prof_runs}
    (out_dir / "latest.json").write_text(json.dumps(raw, indent=1))
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out_dir / f"raw-{'quick' if args.quick else 'full'}-{stamp}.json").write_text(json.dumps(raw))
    md = write_report(runs, info, args.quick, elapsed)
    (out_dir / "latest.md").write_text(md)
    if plotted(runs):  # storms and votes alone leave the last plot as it was
        write_svg(aggregate(runs), out_dir / "latency.svg")
    print(md)
    log(f"done in {elapsed:.0f} s: {out_dir / 'latest.md'}, "
        + (f"{out_dir / 'latency.svg'}, " if plotted(runs) else "") + f"{out_dir / 'latest.json'}")
    return 0


def profile_figures(r: dict) -> str:
    if not r.get("ok"):
        return f"failed: {r.get('error')}"
    if r["scenario"] in VOTES:
        return "; ".join(f"{label}: screen current {fmt(f.get('current_ms'))} ms after the last ack, vote ack p99 "
                         f"{fmt((f.get('vote_ack') or {}).get('p99'))} ms, note→facilitator p99 during the votes "
                         f"{fmt(vote_figs(r, f)['vote_p99'])} ms" for label, f in vote_polls(r)) + "."
    if "storm" in r["phases"]:
        f = storm_figs(r)
        return (f"{fmt(f['welcomed'])} of {fmt(f['tried'])} in, all in after {fmt(f['all_in'])} ms, join p99 "
                f"{fmt((f['join'] or {}).get('p99'))} ms, note→facilitator p99 {fmt(f['p99'])} ms.")
    w = r["phases"].get("work", {})
    return (f"join p99 {fmt((r['phases'].get('join', {}).get('join') or {}).get('p99'))} ms, note→facilitator "
            f"p99 {fmt((w.get('deliver') or {}).get('p99'))} ms.")


if __name__ == "__main__":
    sys.exit(main())

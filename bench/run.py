"""Run the benchmark: every system under the same load generator, interleaved.

    python bench/run.py --quick        # make bench-quick: < 1 minute
    python bench/run.py                # make bench: the full set, < 10 minutes on 2 cores
    python bench/run.py --scenarios nhs --systems townhall-sqlite,relay-node

For each scenario, each system in turn: start it on a free port, drive it with
bench/loadgen.mjs (one or more Node processes), sample the server's CPU and RSS from
/proc at every phase boundary, stop it. Writes bench/results/latest.md,
bench/results/latency.svg and the raw JSON (bench/results/latest.json).
"""

from __future__ import annotations

import argparse
import json
import math
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

SYSTEMS = {
    # name: (kind, processes, store)
    "townhall-sqlite": ("townhall", 1, "sqlite"),
    "townhall-redis-1": ("townhall", 1, "redis"),
    "townhall-redis-2": ("townhall", 2, "redis"),
    "townhall-redis-4": ("townhall", 4, "redis"),
    "relay-py": ("relay_py", 1, None),
    "relay-node": ("relay_node", 1, None),
    # Not in the default set: relay-py with uvicorn's permessage-deflate off (what the
    # Node relay does by default), to price the compression per connection.
    "relay-py-nodeflate": ("relay_py", 1, None),
}
DEFAULT_SYSTEMS = [s for s in SYSTEMS if s != "relay-py-nodeflate"]

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
        self.kind, self.nproc, self.store = SYSTEMS[name]
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
        return env

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
            if self.name.endswith("nodeflate"):
                cmd.append("--no-deflate")
        else:
            cmd = [NODE, str(BENCH / "relay_node.mjs"), "--port", str(port)]
        p = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT, env=self.env, cwd=ROOT)
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
                             capture_output=True, text=True, env=self.env, timeout=30, cwd=ROOT)
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
    nprocs = 1 if n <= 2500 else 2
    rate = sc["rate"] or n / NATURAL_GAP_S
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
        cfgs.append({
            "system": "townhall" if sysm.kind == "townhall" else "relay",
            "label": f"{sysm.name}/{sc_name}", "proc_index": i, "proc_count": nprocs,
            "urls": sysm.urls, "groups": groups,
            "lead_token": (secret(links["lead"]) if links else "lead") if i == 0 else None,
            "screen_token": secret(links["screen"]) if links else "screen",
            "join_window_s": sc.get("join_window_s", 5), "work_s": sc["work_s"],
            "notes_per_s": rate * share, "supports_per_note": 0.5,
            "keypoint_groups": max(1, round(sc["keypoint_groups"] * share)),
            "keypoints_per_group": sc.get("keypoints_per_group", 1),
            "keypoint_window_s": sc.get("keypoint_window_s", 2),
            "plenary_wait_ms": sc.get("plenary_wait_ms", 1500),
            "focus_groups": group_ids[:3], "phases": sc["phases"], "ramp": sc.get("ramp"),
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
                elif msg.get("type") in ("phase", "ramp_step"):
                    brief = {k: v for k, v in msg.items() if k in (
                        "phase", "rate", "clients", "failed", "notes_per_s", "ok", "why", "all_resynced_ms")}
                    for k in ("join", "deliver", "kp_screen", "broadcast", "rewelcome", "resync"):
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
                           "skipped_offline", "connect_errors", "not_resynced"):
                    m[k] = m.get(k, 0) + v
                elif k == "errors":
                    for kk, vv in v.items():
                        m["errors"][kk] = m["errors"].get(kk, 0) + vv
                elif k == "cpu" and v is not None:
                    m["cpu"].append(v)
                elif k == "loop" and v:
                    m["loop_p99"].append(v["p99_ms"])
                elif k == "work_ms" and v:
                    m["work_ms"] = max(m["work_ms"], v)
                elif k == "all_resynced_ms":
                    m[k] = None if v is None or m.get(k, 0) is None else max(m.get(k, 0), v)
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
        for k in ("join", "note_ack", "write_ack", "deliver", "kp_screen", "broadcast", "rewelcome", "resync"):
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


def run_one(sc_name: str, sc: dict, sys_name: str, quick: bool, run_dir: Path) -> dict:
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
    rec: dict = {"system": sys_name, "scenario": sc_name, "ok": False,
                 "loadavg": Path("/proc/loadavg").read_text().split()[0], "cpu_pressure": cpu_pressure()}
    try:
        sysm.start()
        links = sysm.links() if sysm.kind == "townhall" else None
        time.sleep(0.5)
        idle = sysm.sample()
        rpid = redis_pid() if sysm.store == "redis" else None
        cfgs = loadgen_configs(sysm, sc_name, sc, group_ids, links, quick, workdir)
        results, marks = drive(sysm, cfgs, rpid, timeout_s=150 if not quick else 60)
        if not results:
            raise RuntimeError("the load generator produced no result")
        rec.update(merge(results))
        by = {m["name"]: m for m in marks}
        joined = by.get("settled:join") or by.get("after:join")
        rec["server"] = {
            "processes": sysm.nproc,
            "rss_idle_mb": round(idle["rss_kb"] / 1024, 1),
            "rss_joined_mb": round(joined["rss_kb"] / 1024, 1) if joined else None,
            "rss_end_mb": round(by["end"]["rss_kb"] / 1024, 1),
            "kb_per_client": round((joined["rss_kb"] - idle["rss_kb"]) / max(1, rec["clients"]), 1)
            if joined else None,
            "cpu_pct": {p: phase_cpu(marks, p) for p in sc["phases"]},
            "redis_cpu_pct": {p: phase_cpu(marks, p, "redis_ticks") for p in sc["phases"]} if rpid else None,
        }
        rec["planned_rate"] = round(sum(c["notes_per_s"] for c in cfgs), 1)
        rec["ok"] = True
    except Exception as exc:
        rec["error"] = str(exc)[:500]
        log(f"  {sys_name}/{sc_name} FAILED: {exc}")
    finally:
        sysm.stop()
        rec["seconds"] = round(time.monotonic() - t0, 1)
        rec["cpu_pressure_end"] = cpu_pressure()
        shutil.rmtree(sysm.data_dir, ignore_errors=True)
    return rec


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


def git_state() -> str:
    """The commit measured, and whether server code differs from it (the work tree)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=ROOT, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "server"], capture_output=True,
                               text=True, cwd=ROOT, timeout=10).stdout.split("\n")
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


def write_report(runs: list[dict], info: dict, quick: bool, elapsed: float) -> str:
    L: list[str] = []
    L.append(f"# townhall benchmark ({'quick' if quick else 'full'})\n")
    L.append(f"Run {info['when']}, {elapsed:.0f} s in all. Generated by `bench/run.py`; "
             "what each figure means: `bench/README.md`. Latencies in ms.\n")
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
        L.append(f"| {r['scenario']} | {r['system']} | {clients} | "
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
            L.append(f"| {SYSTEMS[r['system']][2]} | {SYSTEMS[r['system']][1]} | "
                     f"{round(w.get('writes_acked', 0) / work_s, 1)} | {lat(w.get('note_ack'), ('p50', 'p99'))} | "
                     f"{lat(w.get('deliver'), ('p50', 'p99'))} | {srv['cpu_pct'].get('work')} | "
                     f"{(srv.get('redis_cpu_pct') or {}).get('work', '–')} | "
                     f"{fmt(r['phases'].get('ramp', {}).get('best'))} |")
        L.append("")
    L.append("## Goals\n")
    L.append(goals(runs))
    L.append("## Machine\n")
    for k, v in info["machine"].items():
        L.append(f"- {k}: {v}")
    L.append("\nThe machine is shared (other engineers run tests on it): the load average at the start "
             "is above; repeat a run before trusting a small difference. Redis runs without "
             "persistence here (`appendonly no`), so the Redis rows do not pay an fsync per write.\n")
    return "\n".join(L) + "\n"


def goals(runs: list[dict]) -> str:
    ok = [r for r in runs if r.get("ok")]
    out = ["| goal | result |", "|---|---|"]

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


def write_svg(runs: list[dict], path: Path) -> None:
    """Note→facilitator p99 against clients, one line per system (log-log)."""
    series: dict[str, list[tuple[int, float]]] = {}
    partial: set[tuple[str, int]] = set()  # runs where some participants never got in
    nothing: list[tuple[str, int]] = []     # runs where no note was delivered at all
    for r in runs:
        if r.get("ok") and r["scenario"] in ("nhs", "town-1000", "town-5000"):
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
              "relay-py-nodeflate": "#e377c2"}
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
        c = colors.get(name, "#333")
        d = " ".join(f"{'M' if j == 0 else 'L'}{X(x):.1f},{Y(y):.1f}" for j, (x, y) in enumerate(pts))
        o.append(f'<path d="{d}" fill="none" stroke="{c}" stroke-width="2"/>')
        for x, y in pts:
            hollow = (name, x) in partial
            o.append(f'<circle cx="{X(x):.1f}" cy="{Y(y):.1f}" r="{4.5 if hollow else 3.5}" '
                     f'fill="{"white" if hollow else c}" stroke="{c}" stroke-width="2"><title>{name}: '
                     f'{x} clients, p99 {y:g} ms{" (not everyone got in)" if hollow else ""}</title></circle>')
        ly = mt + 10 + i * 20
        o.append(f'<line x1="{ml + pw + 15}" y1="{ly}" x2="{ml + pw + 40}" y2="{ly}" stroke="{c}" stroke-width="2"/>')
        o.append(f'<text x="{ml + pw + 46}" y="{ly + 4}">{name}</text>')
    for name, x in nothing:
        c = colors.get(name, "#333")
        o.append(f'<text x="{X(x):.1f}" y="{mt + 14}" text-anchor="middle" fill="{c}" font-size="16" '
                 f'font-weight="bold">×<title>{name}: {x} clients, no note delivered</title></text>')
    o.append(f'<text x="{ml}" y="{H - 2}" font-size="10" fill="#555">hollow: not every participant '
             'got in within 20 s; × at the top: no note delivered at all</text>')
    o.append("</svg>")
    path.write_text("\n".join(o) + "\n")


# -- main ---------------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="the nhs scenario, short, three systems, tiny ramp")
    ap.add_argument("--scenarios", help="comma-separated subset of " + ", ".join(FULL))
    ap.add_argument("--systems", help="comma-separated subset of " + ", ".join(SYSTEMS))
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
        md = write_report(raw["runs"], raw["info"], raw["info"]["quick"], raw["elapsed_s"])
        (out_dir / "latest.md").write_text(md)
        write_svg(raw["runs"], out_dir / "latency.svg")
        print(md)
        return 0

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))  # children inherit it
    if resource.getrlimit(resource.RLIMIT_NOFILE)[0] < 12000:
        log(f"warning: open-file limit {resource.getrlimit(resource.RLIMIT_NOFILE)[0]}: "
            "5,000 clients need more than 10,000 (raise the hard limit: ulimit -Hn)")
    if args.nice:
        os.nice(args.nice)  # children inherit it
    scenarios = QUICK if args.quick else FULL
    systems = QUICK_SYSTEMS if args.quick else DEFAULT_SYSTEMS
    if args.scenarios:
        scenarios = {k: v for k, v in {**FULL, **({} if not args.quick else QUICK)}.items()
                     if k in args.scenarios.split(",")}
    if args.systems:
        systems = [s for s in args.systems.split(",") if s in SYSTEMS]
    if any(SYSTEMS[s][2] == "redis" for s in systems) and redis_pid() is None:
        log(f"no Redis answers at {REDIS_URL}: skipping the Redis systems")
        systems = [s for s in systems if SYSTEMS[s][2] != "redis"]
    if not (ROOT / "node_modules" / "socket.io").exists():
        print("bench: node_modules/socket.io missing: run npm ci", file=sys.stderr)
        return 1

    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(TMP, ignore_errors=True)  # the previous run's logs and configs
    run_dir = TMP / time.strftime("%Y%m%d-%H%M%S")
    info = {"when": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "quick": args.quick, "machine": machine()}
    info["machine"]["nice"] = args.nice
    t0 = time.monotonic()
    runs = []
    for sc_name, sc in scenarios.items():
        sc = dict(sc)
        if args.work_s:
            sc["work_s"] = args.work_s
        if args.phases:
            sc["phases"] = args.phases.split(",")
        chosen = systems if (args.systems or "systems" not in sc) else [s for s in sc["systems"] if s in systems]
        for sys_name in chosen:  # interleaved: each scenario on every system in turn
            log(f"{sc_name} on {sys_name}")
            rec = run_one(sc_name, sc, sys_name, args.quick, run_dir)
            log(f"  {sys_name}/{sc_name}: {rec['seconds']} s")
            runs.append(rec)
    elapsed = time.monotonic() - t0
    raw = {"info": info, "elapsed_s": round(elapsed, 1), "runs": runs}
    (out_dir / "latest.json").write_text(json.dumps(raw, indent=1))
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out_dir / f"raw-{'quick' if args.quick else 'full'}-{stamp}.json").write_text(json.dumps(raw))
    md = write_report(runs, info, args.quick, elapsed)
    (out_dir / "latest.md").write_text(md)
    write_svg(runs, out_dir / "latency.svg")
    print(md)
    log(f"done in {elapsed:.0f} s: {out_dir / 'latest.md'}, {out_dir / 'latency.svg'}, {out_dir / 'latest.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

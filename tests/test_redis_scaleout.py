"""Several server processes on one assembly through a real Redis."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time

import httpx
import pytest

from conftest import Client, Server, cid, free_port, need_redis, townhall

pytestmark = pytest.mark.usefixtures("redis_required")


@pytest.fixture
def redis_required():
    need_redis()


@pytest.fixture
def pair(tmp_path):
    a = Server(tmp_path / "a", store="redis").start()
    b = a.twin().start()
    yield a, b
    a.stop()
    b.stop()


class OwnRedis:
    """A redis-server of the test's own on a free port, with AOF, so it can be
    stopped and started under the servers without touching the machine's Redis."""

    def __init__(self, tmp_path):
        self.port = free_port()
        self.dir = tmp_path / "redis"
        self.dir.mkdir()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = None

    def start(self) -> "OwnRedis":
        exe = shutil.which("redis-server")
        assert exe, "redis-server is not installed"
        self.proc = subprocess.Popen(
            [exe, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
             "--appendonly", "yes", "--appendfsync", "always", "--save", ""],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import redis

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis(port=self.port, socket_connect_timeout=0.2).ping():
                    return self
            except Exception:
                time.sleep(0.05)
        raise RuntimeError("own redis-server did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)


async def connect_to(srv: Server, auth: dict) -> Client:
    return await Client().connect(srv.url, auth)


async def test_participant_on_one_process_facilitator_and_screen_on_the_other(pair):
    a, b = pair
    p = await connect_to(a, {"join_code": a.token("join", "access"), "name": "Ann"})
    fac = await connect_to(b, {"token": b.token("facilitator", "access")})
    screen = await connect_to(b, {"token": b.token("screen")})
    try:
        ack = await p.call("note.add", {"client_id": cid(), "text": "across processes"})
        ev = await fac.wait_event("note.added", note_id=ack["note_id"])
        assert ev["seq"] == ack["seq"]
        kp = await fac.call("keypoint.add", {"client_id": cid(), "text": "a point",
                                             "note_ids": [ack["note_id"]]})
        await fac.call("keypoint.publish", {"keypoint_id": kp["keypoint_id"]})
        await screen.wait_event("keypoint.published", keypoint_id=kp["keypoint_id"])
        await p.wait_event("keypoint.published", keypoint_id=kp["keypoint_id"])
        # A participant token issued by A is good on B (no sticky sessions needed).
        again = await connect_to(b, {"token": p.welcome["token"]})
        assert again.welcome["participant_id"] == p.welcome["participant_id"]
        await again.close()
    finally:
        for c in (p, fac, screen):
            await c.close()


async def test_concurrent_writers_on_both_processes_share_one_order(pair):
    a, b = pair
    watchers = [await connect_to(s, {"token": s.token("lead")}) for s in (a, b)]
    writers = [await connect_to(s, {"join_code": s.token("join", "self-care"), "name": f"W{i}"})
               for i, s in enumerate((a, b, a, b))]
    try:
        start = watchers[0].welcome["last_seq"]

        async def burst(c: Client) -> list[int]:
            acks = await asyncio.gather(*[c.call("note.add", {"client_id": cid(), "text": "x"})
                                          for _ in range(25)])
            assert all(x["ok"] for x in acks), acks
            return [x["seq"] for x in acks]

        seqs = sorted(s for batch in await asyncio.gather(*map(burst, writers)) for s in batch)
        assert seqs == list(range(seqs[0], seqs[0] + 100))
        for w in watchers:
            await w.wait(lambda w=w: len(w.seen("note.added")) >= 100)
            got = [e["seq"] for e in w.events if e["seq"] > start]
            assert got == list(range(start + 1, start + 1 + len(got))), "gap or disorder"
        assert [e["seq"] for e in watchers[0].events] == [e["seq"] for e in watchers[1].events]
    finally:
        for c in (*watchers, *writers):
            await c.close()


async def test_idempotency_holds_across_processes(pair):
    a, b = pair
    la = await connect_to(a, {"token": a.token("lead")})
    lb = await connect_to(b, {"token": b.token("lead")})
    try:
        body = {"client_id": cid(), "group_id": "access", "member": "M", "text": "T",
                "stance": "commit"}
        first, second = await asyncio.gather(la.call("response.log", body),
                                             lb.call("response.log", body))
        assert first == second and first["ok"]
    finally:
        await la.close()
        await lb.close()


async def test_killed_process_clients_continue_on_the_other(pair):
    a, b = pair
    p = await connect_to(a, {"join_code": a.token("join", "access"), "name": "Mover"})
    watcher = await connect_to(b, {"token": b.token("lead")})
    try:
        acked = [await p.call("note.add", {"client_id": cid(), "text": f"n{i}"}) for i in range(5)]
        a.kill()
        await p.wait(lambda: not p.sio.connected)
        moved = await connect_to(b, {"token": p.welcome["token"]})
        try:
            sync = await moved.call("sync", {"since": 0})
            ids = {e["data"]["note_id"] for e in sync["events"] if e["type"] == "note.added"}
            assert {x["note_id"] for x in acked} <= ids, "an acknowledged note was lost"
            assert (await moved.call("note.add", {"client_id": cid(), "text": "on B"}))["ok"]
            await watcher.wait_event("note.added", text="on B")
        finally:
            await moved.close()
    finally:
        await p.close()
        await watcher.close()


async def test_redis_restart_under_the_servers(tmp_path):
    r = OwnRedis(tmp_path).start()
    a = Server(tmp_path / "a", store="redis", redis_url=r.url).start()
    b = a.twin().start()
    lead_a = lead_b = None
    try:
        lead_a = await connect_to(a, {"token": a.token("lead")})
        lead_b = await connect_to(b, {"token": b.token("lead")})
        before = await lead_a.call("note.add", {"client_id": cid(), "group_id": "access",
                                                "text": "before"})
        assert before["ok"]
        r.stop()
        down = await lead_a.call("note.add", {"client_id": cid(), "group_id": "access",
                                              "text": "while down"})
        assert down["ok"] is False and down["error"]["code"] == "unavailable"
        sync = await lead_b.call("sync", {"since": 0})  # reads keep serving from memory
        assert sync["ok"] and sync["last_seq"] >= before["seq"]
        assert httpx.get(f"{a.url}/healthz").status_code == 503
        r.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            after = await lead_a.call("note.add", {"client_id": "after-restart",
                                                   "group_id": "access", "text": "after"})
            if after["ok"]:
                break
            await asyncio.sleep(0.3)
        assert after["ok"], after
        assert after["seq"] == before["seq"] + 1, "nothing lost, nothing doubled"
        await lead_b.wait_event("note.added", text="after")  # B's follower resumed
        assert httpx.get(f"{a.url}/healthz").status_code == 200
    finally:
        for c in (lead_a, lead_b):
            if c:
                await c.close()
        a.stop()
        b.stop()
        r.stop()


def test_persistence_warning_and_unreachable_redis(tmp_path):
    port = free_port()
    out = townhall("links", "--redis-url", f"redis://127.0.0.1:{port}/0")
    assert out.returncode != 0 and len(out.stderr.strip().splitlines()) == 1
    assert f"127.0.0.1:{port}" in out.stderr and "Traceback" not in out.stderr
    bad = townhall("serve", "--redis-url", f"redis://127.0.0.1:{port}/0", "--port", str(free_port()))
    assert bad.returncode != 0 and "cannot reach Redis" in bad.stderr

    srv = Server(tmp_path / "w", store="redis").start()  # the machine's Redis: no AOF
    try:
        log = (tmp_path / f"server-{srv.port}.log").read_text()
        assert "appendonly" in log and "warning" in log
    finally:
        srv.stop()
    r = OwnRedis(tmp_path).start()
    try:
        srv = Server(tmp_path / "x", store="redis", redis_url=r.url).start()
        srv.stop()
        assert "warning" not in (tmp_path / f"server-{srv.port}.log").read_text()
    finally:
        r.stop()

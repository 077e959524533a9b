"""Test harness: a real `townhall serve` process on a free loopback port, and real
python-socketio clients that talk to it."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Callable

import httpx
import pytest
import socketio

ROOT = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def townhall(*args: str, env: dict | None = None, timeout: float = 30) -> subprocess.CompletedProcess:
    """Run the command line as a user would."""
    return subprocess.run([sys.executable, "-m", "townhall", *args], capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})})


REDIS_URL = os.environ.get("TOWNHALL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_answers(url: str = REDIS_URL) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


def need_redis(url: str = REDIS_URL) -> None:
    """Tests that need Redis fail under CI=true when it is missing, and skip elsewhere."""
    if not redis_answers(url):
        message = f"no Redis answers at {url}: start redis-server (CI starts one)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


class Server:
    """One `townhall serve` process; can be killed and restarted on the same store.

    `store` is "sqlite" (a data dir) or "redis" (a key prefix of its own in the test
    Redis, so tests never see each other's days)."""

    def __init__(self, data_dir: Path, assembly: str | None = None, extra: list[str] | None = None,
                 env: dict | None = None, store: str = "sqlite", redis_url: str = REDIS_URL,
                 prefix: str | None = None):
        self.data_dir = data_dir
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        self.store = store
        self.redis_url = redis_url
        self.prefix = prefix or f"test-{uuid.uuid4().hex[:12]}:"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.assembly = assembly
        self.extra = extra or []
        self.env = env or {}
        self.proc: subprocess.Popen | None = None
        self._links: dict | None = None

    @property
    def store_args(self) -> list[str]:
        """How `links` and `export` reach this server's store."""
        if self.store == "redis":
            return ["--redis-url", self.redis_url]
        return ["--data-dir", str(self.data_dir)]

    @property
    def store_env(self) -> dict:
        return {"TOWNHALL_REDIS_PREFIX": self.prefix} if self.store == "redis" else {}

    def cli(self, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
        """Run `townhall <args>` against this server's store."""
        return townhall(*args, *self.store_args, env={**self.store_env, **(env or {})})

    def twin(self) -> "Server":
        """Another process on the same store (the scale-out: Redis only)."""
        assert self.store == "redis"
        return Server(self.data_dir.parent / f"twin-{free_port()}", store="redis",
                      redis_url=self.redis_url, prefix=self.prefix, env=self.env)

    @property
    def args(self) -> list[str]:
        args = ["serve", *self.store_args, "--host", "127.0.0.1",
                "--port", str(self.port), *self.extra]
        if self.assembly:
            args += ["--assembly", self.assembly]
        return args

    def start(self) -> "Server":
        log = open(self.data_dir.parent / f"server-{self.port}.log", "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "townhall", *self.args],
                                     stdout=log, stderr=subprocess.STDOUT,
                                     env={**os.environ, **self.store_env, **self.env})
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}: "
                                   + (self.data_dir.parent / f"server-{self.port}.log").read_text())
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError("server did not answer /healthz within 20 s")

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, as in a crash or a pulled plug."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def links(self) -> dict:
        if self._links is None:
            out = self.cli("links", "--base-url", self.url, "--json")
            assert out.returncode == 0, out.stderr
            self._links = json.loads(out.stdout)
        return self._links

    def token(self, role: str, group: str | None = None) -> str:
        links = self.links()
        url = links["facilitators"][group] if role == "facilitator" else \
            links["join"][group] if role == "join" else links[role]
        return url.rsplit("/", 1)[1]


STORES = ["sqlite", "redis"]


def make_server(base: Path, store: str) -> Server:
    if store == "redis":
        need_redis()
    return Server(base / "townhall", store=store)


@pytest.fixture(scope="module", params=STORES)
def server(request, tmp_path_factory) -> Server:
    """One server per test module and store (the demo assembly); tests share its day.
    Every test that uses it runs once on SQLite and once on Redis."""
    srv = make_server(tmp_path_factory.mktemp("data"), request.param).start()
    yield srv
    srv.stop()


@pytest.fixture(params=STORES)
def fresh_server(request, tmp_path) -> Server:
    srv = make_server(tmp_path, request.param).start()
    yield srv
    srv.stop()


@pytest.fixture
def sqlite_server(tmp_path) -> Server:
    """For what only the embedded store has (a data dir on disk)."""
    srv = Server(tmp_path / "townhall").start()
    yield srv
    srv.stop()


class Client:
    """A python-socketio client that keeps what the server sent it."""

    def __init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.welcome: dict | None = None
        self.events: list[dict] = []
        self.connect_error: Any = None
        self._changed = asyncio.Event()
        self.sio.on("welcome", self._on_welcome)
        self.sio.on("event", self._on_event)
        self.sio.on("events", self._on_events)
        self.messages: list[str] = []  # "event" / "events", in the order they came
        self.sio.on("connect_error", self._on_connect_error)

    async def _on_welcome(self, data: dict) -> None:
        self.welcome = data
        self._changed.set()

    async def _on_event(self, data: dict) -> None:
        self.messages.append("event")
        self.events.append(data)
        self._changed.set()

    async def _on_events(self, data: list) -> None:
        """CONTRACT §7: several log events in one message, in seq order."""
        self.messages.append("events")
        self.events.extend(data)
        self._changed.set()

    async def _on_connect_error(self, data: Any) -> None:
        self.connect_error = data

    async def connect(self, url: str, auth: dict, transport: str = "websocket") -> "Client":
        await self.sio.connect(url, auth=auth, transports=[transport], wait_timeout=10)
        await self.wait(lambda: self.welcome is not None)
        return self

    async def call(self, event: str, payload: Any = None) -> dict:
        return await self.sio.call(event, payload, timeout=10)

    async def wait(self, predicate: Callable[[], bool], timeout: float = 10) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while not predicate():
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise AssertionError("timed out waiting for the server")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    def seen(self, type_: str, **data: Any) -> list[dict]:
        return [e for e in self.events if e["type"] == type_
                and all(e["data"].get(k) == v for k, v in data.items())]

    async def wait_event(self, type_: str, timeout: float = 10, **data: Any) -> dict:
        await self.wait(lambda: bool(self.seen(type_, **data)), timeout)
        return self.seen(type_, **data)[0]

    async def close(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()


@pytest.fixture
async def connect():
    """connect(server, role, group=None, name=...) -> a connected Client."""
    clients: list[Client] = []

    async def _connect(srv: Server, role: str, group: str | None = None,
                       name: str | None = None, transport: str = "websocket") -> Client:
        if role == "participant":
            auth = {"join_code": srv.token("join", group), "name": name or "Ann"}
        else:
            auth = {"token": srv.token(role, group)}
        c = await Client().connect(srv.url, auth, transport)
        clients.append(c)
        return c

    yield _connect
    for c in clients:
        await c.close()


def cid() -> str:
    return str(uuid.uuid4())


# -- real Chromium (Debian's), driven by Playwright; never a downloaded browser ----------

def pytest_configure(config):
    config.addinivalue_line("markers", "slow: waits for real time to pass (a minute); runs first")


def pytest_collection_modifyitems(config, items):
    """The tests that wait a real minute go first, so that with one worker per core
    (make test) they overlap the rest instead of running alone at the end."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


CHROMIUM = os.environ.get("TOWNHALL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture
async def browser():
    """A headless Chromium. Missing Chromium fails under CI=true and skips elsewhere."""
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}: apt-get install chromium"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        b = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        await b.close()


class PageWatch:
    """What a page did: every request's host, console errors, uncaught exceptions."""

    def __init__(self, page) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))

    def off_loopback(self) -> list[str]:
        from urllib.parse import urlparse

        return [u for u in self.requests
                if urlparse(u).scheme not in ("data", "blob", "about")
                and urlparse(u).hostname not in ("127.0.0.1", "localhost", "::1")]


async def new_page(browser, width: int, height: int, **kw):
    context = await browser.new_context(viewport={"width": width, "height": height}, **kw)
    page = await context.new_page()
    return page, PageWatch(page)


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


async def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core (from the npm registry) in the page; the page's context must have
    been created with bypass_csp=True so the script can be injected."""
    assert AXE.exists(), "axe-core missing: run make test (npm ci) first"
    await page.add_script_tag(path=str(AXE))
    result = await page.evaluate("async () => await axe.run(document)")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in impacts]

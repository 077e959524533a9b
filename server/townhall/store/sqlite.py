"""The embedded store: one SQLite file in the data dir, nothing to install or run.

All SQLite work happens on one dedicated thread, so the event loop never waits on a
disk flush and the connection is never shared between threads. WAL with
`synchronous=FULL` means an acknowledged append survives a killed process and a power cut.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, AsyncIterator, Callable


from .. import events as ev
from ..events import Event
from . import DuplicateClientKey, StaleLog, StoreError, StoreUnavailable, decode_event, pack, unpack

FILENAME = "townhall.db"
FOLLOW_EVERY_S = 1.0
SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    client_key TEXT UNIQUE,
    body BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS credentials (secret TEXT PRIMARY KEY, record BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
"""


class SqliteStore:
    def __init__(self, data_dir: str | os.PathLike, create: bool = True):
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / FILENAME
        self.create = create
        self.description = f"SQLite at {self.path}"
        self._db: sqlite3.Connection | None = None
        self._pool: ThreadPoolExecutor | None = None

    # -- plumbing --------------------------------------------------------------

    async def _run(self, fn: Callable, *args) -> Any:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._pool, fn, *args)
        except sqlite3.OperationalError as exc:
            raise StoreUnavailable(f"{self.path}: {exc}") from None
        except sqlite3.DatabaseError as exc:  # e.g. "database disk image is malformed"
            raise StoreError(f"{self.path} is damaged: {exc}") from None

    def _open(self) -> None:
        if not self.create and not self.path.exists():
            raise StoreError(f"no assembly in {self.data_dir}: run 'townhall serve --data-dir "
                             f"{self.data_dir}' first, or pass the right --data-dir")
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                 timeout=10)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.executescript(SCHEMA)
        except (OSError, sqlite3.DatabaseError) as exc:
            raise StoreError(f"cannot open the data dir {self.data_dir}: {exc}") from None
        self._db = db

    async def open(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite")
        await self._run(self._open)

    async def close(self) -> None:
        def _close():
            if self._db is not None:
                self._db.close()
                self._db = None

        if self._pool is not None:
            await self._run(_close)
            self._pool.shutdown(wait=True)
            self._pool = None

    async def ping(self) -> bool:
        try:
            await self._run(lambda: self._db.execute("SELECT 1").fetchone())
            return True
        except Exception:
            return False

    # -- the log ---------------------------------------------------------------

    def _last_seq(self) -> int:
        return self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0]

    async def last_seq(self) -> int:
        return await self._run(self._last_seq)

    def _append(self, drafts: list[Event], expect: int, client_key: str | None,
                credentials: dict[str, dict] | None) -> list[Event]:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            if credentials:
                db.executemany("INSERT OR REPLACE INTO credentials (secret, record) VALUES (?, ?)",
                               [(s, pack(r)) for s, r in credentials.items()])
            if client_key is not None:
                row = db.execute("SELECT seq FROM events WHERE client_key = ?",
                                 (client_key,)).fetchone()
                if row:
                    raise DuplicateClientKey(row[0])
            if self._last_seq() != expect:
                raise StaleLog(f"log is past seq {expect}")
            out = []
            for i, d in enumerate(drafts):
                e = {"seq": expect + 1 + i, **d}
                key = client_key if i == len(drafts) - 1 else None
                db.execute("INSERT INTO events (seq, client_key, body) VALUES (?, ?, ?)",
                           (e["seq"], key, ev.encode(e)))
                out.append(e)
            db.execute("COMMIT")
            return out
        except BaseException:
            db.execute("ROLLBACK")
            raise

    async def append(self, drafts: list[Event], expect_last_seq: int,
                     client_key: str | None = None,
                     credentials: dict[str, dict] | None = None) -> list[Event]:
        return await self._run(self._append, drafts, expect_last_seq, client_key, credentials)

    async def follow(self, since: int) -> AsyncIterator[list[Event]]:
        """Batches of events after `since`, forever: what another process wrote to this
        file (the command line replacing the organiser's link, forgetting names). It
        polls: the server itself writes everything else and has it already."""
        last = since
        while True:
            await asyncio.sleep(FOLLOW_EVERY_S)
            try:
                if await self.last_seq() <= last:
                    continue
                batch = await self.read(last)
            except StoreError:
                continue
            if batch:
                last = batch[-1]["seq"]
                yield batch

    def _read(self, since: int, limit: int | None) -> list[Event]:
        sql = "SELECT seq, body FROM events WHERE seq > ? ORDER BY seq"
        args: tuple = (since,)
        if limit is not None:
            sql += " LIMIT ?"
            args = (since, limit)
        return [decode_event(body, seq, str(self.path)) for seq, body in self._db.execute(sql, args)]

    async def read(self, since: int = 0, limit: int | None = None) -> list[Event]:
        return await self._run(self._read, since, limit)

    def _initialise(self, credentials: dict[str, dict], first: Event) -> bool:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            if self._last_seq() != 0:
                db.execute("ROLLBACK")
                return False
            db.executemany("INSERT INTO credentials (secret, record) VALUES (?, ?)",
                           [(s, pack(r)) for s, r in credentials.items()])
            db.execute("INSERT INTO events (seq, body) VALUES (1, ?)",
                       (ev.encode({"seq": 1, **first}),))
            db.execute("COMMIT")
            return True
        except BaseException:
            db.execute("ROLLBACK")
            raise

    async def initialise(self, credentials: dict[str, dict], first: Event) -> bool:
        return await self._run(self._initialise, credentials, first)

    # -- secrets and settings ----------------------------------------------------

    async def credentials(self) -> dict[str, dict]:
        rows = await self._run(
            lambda: self._db.execute("SELECT secret, record FROM credentials").fetchall())
        return {s: unpack(r) for s, r in rows}

    async def credential(self, secret: str) -> dict | None:
        row = await self._run(lambda: self._db.execute(
            "SELECT record FROM credentials WHERE secret = ?", (secret,)).fetchone())
        return unpack(row[0]) if row else None

    async def put_credential(self, secret: str, record: dict) -> None:
        await self._run(lambda: self._db.execute(
            "INSERT OR REPLACE INTO credentials (secret, record) VALUES (?, ?)",
            (secret, pack(record))))

    async def delete_credential(self, secret: str) -> None:
        await self._run(lambda: self._db.execute(
            "DELETE FROM credentials WHERE secret = ?", (secret,)))

    async def rewrite(self, events: list[Event], delete_secrets: list[str]) -> None:
        def run() -> None:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany("UPDATE events SET body = ? WHERE seq = ?",
                               [(ev.encode(e), e["seq"]) for e in events])
                db.executemany("DELETE FROM credentials WHERE secret = ?", [(s,) for s in delete_secrets])
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

        await self._run(run)

    async def get_meta(self, key: str) -> Any:
        row = await self._run(lambda: self._db.execute(
            "SELECT value FROM meta WHERE key = ?", (key,)).fetchone())
        return unpack(row[0]) if row else None

    async def set_meta(self, key: str, value: Any) -> None:
        await self._run(lambda: self._db.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, pack(value))))

    async def meta_default(self, key: str, value: Any) -> Any:
        def run():
            self._db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (key, pack(value)))
            return unpack(self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()[0])

        return await self._run(run)

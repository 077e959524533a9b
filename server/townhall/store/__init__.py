"""Where the log and the secrets live. One small interface, two adapters.

- `sqlite.SqliteStore`: the embedded default, a file in the data dir.
- a Redis store (shared by several server processes) implements the same methods.

A shared store may also offer `append_any` (see RedisStore): append at whatever seq is
next, without the `expect_last_seq` check, for writes whose validity does not depend on
the exact prior state (a note, a support, a join). Several processes then never retry.

The engine relies on three guarantees from every store:
1. `append` gives strict, gap-free `seq` numbers, and refuses (`StaleLog`) when the log
   has moved past `expect_last_seq`, so a writer never appends on a stale view;
2. a `client_key` is accepted once: a repeat raises `DuplicateClientKey` with the seq
   of the first event, so a resent call never logs twice;
3. `append` returns only once the events are durable.
"""

from __future__ import annotations

from typing import Any, Protocol

import msgpack

from ..events import Event


def pack(value: Any) -> bytes:
    """msgpack for secrets and settings (events have their own codec in events.py)."""
    return msgpack.packb(value, use_bin_type=True)


def unpack(blob: bytes) -> Any:
    return msgpack.unpackb(blob, raw=False)


class StoreError(Exception):
    """The store could not do what was asked; the message says what to check."""


class StoreUnavailable(StoreError):
    """The store did not answer (disk, lock, network): nothing was written."""


class StaleLog(StoreError):
    """The log has events this writer has not seen; catch up and try again."""


class DuplicateClientKey(StoreError):
    def __init__(self, seq: int):
        super().__init__(f"client key already used by event {seq}")
        self.seq = seq


def decode_event(blob: bytes, seq: int, where: str) -> Event:
    """An event read back from a store, or a StoreError that names the damage."""
    from .. import events as ev

    try:
        e = ev.decode(blob)
    except Exception as exc:
        raise StoreError(f"{where} is damaged: event {seq} cannot be read "
                         f"({type(exc).__name__})") from None
    if not isinstance(e, dict):
        raise StoreError(f"{where} is damaged: event {seq} is not an event")
    if "seq" not in e:  # numbered by the store as it appended it (RedisStore.append_any)
        e = {"seq": seq, **e}
    elif e["seq"] != seq:
        raise StoreError(f"{where} is damaged: event {seq} is not an event")
    return e


class Store(Protocol):
    description: str

    async def open(self) -> None: ...
    async def close(self) -> None: ...
    async def ping(self) -> bool: ...

    async def initialise(self, credentials: dict[str, dict], first: Event) -> bool:
        """Write the secrets and the `assembly.loaded` event as seq 1, atomically.
        False (and nothing written) when the store already holds an assembly."""

    async def append(self, drafts: list[Event], expect_last_seq: int,
                     client_key: str | None = None,
                     credentials: dict[str, dict] | None = None) -> list[Event]:
        """`credentials` (secrets issued with these events) are stored with them, in
        the same transaction where the store has one, else just before."""
    async def read(self, since: int = 0, limit: int | None = None) -> list[Event]: ...
    async def last_seq(self) -> int: ...

    async def credentials(self) -> dict[str, dict]: ...
    async def credential(self, secret: str) -> dict | None: ...
    async def put_credential(self, secret: str, record: dict) -> None: ...
    async def delete_credential(self, secret: str) -> None: ...

    async def rewrite(self, events: list[Event], delete_secrets: list[str]) -> None:
        """Replace these events (same seq, new content) and delete these secrets, in one
        step where the store allows: `townhall forget` after the day, nothing else."""

    async def get_meta(self, key: str) -> Any: ...
    async def set_meta(self, key: str, value: Any) -> None: ...
    async def meta_default(self, key: str, value: Any) -> Any:
        """Set `key` to `value` unless it is set already; the value that holds (so two
        processes starting at once agree)."""


def open_store(data_dir: str, redis_url: str | None = None) -> Store:
    """The store a command line names: Redis when a URL is given, else SQLite."""
    if redis_url:
        from .redis import RedisStore

        return RedisStore(redis_url)
    from .sqlite import SqliteStore

    return SqliteStore(data_dir)

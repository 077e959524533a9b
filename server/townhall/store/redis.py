"""The shared store: the log in a Redis Stream, secrets and settings in hashes.

Several `townhall serve` processes share one assembly through it. A small Lua script
assigns `seq` atomically (Redis runs scripts one at a time), so the whole assembly has
one gap-free order whatever process writes; the same script enforces `client_key`
uniqueness. Each process follows the stream (`follow`) to learn what the others wrote.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any, AsyncIterator

import redis.asyncio as aioredis
from redis.asyncio import BlockingConnectionPool
from redis.backoff import ExponentialBackoff
from redis.asyncio.retry import Retry
from redis.exceptions import RedisError

from .. import events as ev
from ..events import Event
from . import DuplicateClientKey, StaleLog, StoreError, StoreUnavailable, decode_event, pack, unpack

log = logging.getLogger("townhall.store.redis")
POOL_SIZE = 32  # connections to Redis per process

# Append drafts whose seq the caller numbered from expect+1, only if the log is still
# at expect and the client key is new. Returns {0, last} | {-1, last} | {-2, seq}.
APPEND = """
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local key = ARGV[2]
if key ~= '' then
  local seen = redis.call('HGET', KEYS[3], key)
  if seen then return {-2, tonumber(seen)} end
end
if last ~= tonumber(ARGV[1]) then return {-1, last} end
local n = #ARGV - 2
for i = 1, n do
  redis.call('XADD', KEYS[2], (last + i) .. '-1', 'e', ARGV[2 + i])
end
redis.call('SET', KEYS[1], last + n)
if key ~= '' then redis.call('HSET', KEYS[3], key, last + n) end
return {0, last + n}
"""

# Append drafts (encoded without seq) at whatever seq is next: for order-free writes,
# which several processes may append at once without retrying. The stream entry id is
# the seq. Returns {0, first seq} | {-2, seq of the client key's event}.
APPEND_ANY = """
local key = ARGV[1]
if key ~= '' then
  local seen = redis.call('HGET', KEYS[3], key)
  if seen then return {-2, tonumber(seen)} end
end
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local n = #ARGV - 1
for i = 1, n do
  redis.call('XADD', KEYS[2], (last + i) .. '-1', 'e', ARGV[1 + i])
end
redis.call('SET', KEYS[1], last + n)
if key ~= '' then redis.call('HSET', KEYS[3], key, last + n) end
return {0, last + 1}
"""

# Seq 1 and every secret in one step, only into an empty store.
INITIALISE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
for i = 2, #ARGV, 2 do
  redis.call('HSET', KEYS[4], ARGV[i], ARGV[i + 1])
end
redis.call('XADD', KEYS[2], '1-1', 'e', ARGV[1])
redis.call('SET', KEYS[1], 1)
return 1
"""


class RedisStore:
    def __init__(self, url: str, prefix: str | None = None):
        self.url = url
        self.prefix = prefix if prefix is not None else os.environ.get(
            "TOWNHALL_REDIS_PREFIX", "townhall:")
        self.description = f"Redis at {_safe(url)} (keys {self.prefix}*)"
        p = self.prefix
        self.k_seq, self.k_log = f"{p}seq", f"{p}log"
        self.k_keys, self.k_creds, self.k_meta = f"{p}clientkeys", f"{p}creds", f"{p}meta"
        self.r: aioredis.Redis | None = None
        self.persistence_warning: str | None = None

    # -- plumbing --------------------------------------------------------------

    def _client(self, **kw) -> aioredis.Redis:
        return aioredis.Redis.from_url(
            self.url, socket_connect_timeout=2, health_check_interval=15,
            retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 2), **kw)

    async def open(self) -> None:
        # Order-free writes are not serialised by the engine: a storm may have hundreds
        # in flight. They wait for one of POOL_SIZE connections rather than fail.
        pool = BlockingConnectionPool.from_url(
            self.url, max_connections=POOL_SIZE, timeout=5, socket_timeout=5,
            socket_connect_timeout=2, health_check_interval=15,
            retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 2))
        self.r = aioredis.Redis.from_pool(pool)
        self._append = self.r.register_script(APPEND)
        self._append_any = self.r.register_script(APPEND_ANY)
        self._init = self.r.register_script(INITIALISE)
        try:
            await self.r.ping()
        except (RedisError, OSError) as exc:
            await self.r.aclose()
            raise StoreError(f"cannot reach Redis at {_safe(self.url)}: {exc}") from None
        self.persistence_warning = await self._check_persistence()

    async def _check_persistence(self) -> str | None:
        """An acknowledged write must survive a Redis restart: that needs AOF."""
        try:
            conf = await self.r.config_get("append*")
        except RedisError:
            return ("cannot read Redis's persistence settings (CONFIG is disabled): make "
                    "sure appendonly is on, or acknowledged writes may be lost")
        aof = _s(conf.get(b"appendonly", conf.get("appendonly", b"")))
        fsync = _s(conf.get(b"appendfsync", conf.get("appendfsync", b"")))
        if aof != "yes":
            return ("Redis has appendonly off: a Redis crash or restart loses the day. "
                    "Run it with --appendonly yes --appendfsync always (docs/deploy.md)")
        if fsync != "always":
            return (f"Redis appendfsync is {fsync}: a Redis crash can lose up to a second "
                    "of acknowledged writes; use --appendfsync always (docs/deploy.md)")
        return None

    async def close(self) -> None:
        if self.r is not None:
            await self.r.aclose()
            self.r = None

    async def ping(self) -> bool:
        try:
            return bool(await self.r.ping())
        except (RedisError, OSError):
            return False

    # -- the log ---------------------------------------------------------------

    async def last_seq(self) -> int:
        return int(await self._call(self.r.get(self.k_seq)) or 0)

    async def append(self, drafts: list[Event], expect_last_seq: int,
                     client_key: str | None = None,
                     credentials: dict[str, dict] | None = None) -> list[Event]:
        if credentials:  # before the events: a token may exist unused, never missing
            await self._call(self.r.hset(self.k_creds, mapping={
                s: pack(r) for s, r in credentials.items()}))
        out = [{"seq": expect_last_seq + 1 + i, **d} for i, d in enumerate(drafts)]
        args = [expect_last_seq, client_key or "", *[ev.encode(e) for e in out]]
        status, value = await self._call(self._append(
            keys=[self.k_seq, self.k_log, self.k_keys], args=args))
        if status == -2:
            raise DuplicateClientKey(int(value))
        if status == -1:
            raise StaleLog(f"log is at seq {value}, not {expect_last_seq}")
        return out

    async def append_any(self, drafts: list[Event], client_key: str | None = None,
                         credentials: dict[str, dict] | None = None) -> list[Event]:
        """Append at the next seq, whatever it is (no StaleLog): Redis runs the script
        alone, so the order is still one and gap-free. Durable on return, as `append`."""
        if credentials:
            await self._call(self.r.hset(self.k_creds, mapping={
                s: pack(r) for s, r in credentials.items()}))
        args = [client_key or "", *[ev.encode(d) for d in drafts]]
        status, value = await self._call(self._append_any(
            keys=[self.k_seq, self.k_log, self.k_keys], args=args))
        if status == -2:
            raise DuplicateClientKey(int(value))
        return [{"seq": int(value) + i, **d} for i, d in enumerate(drafts)]

    async def read(self, since: int = 0, limit: int | None = None) -> list[Event]:
        rows = await self._call(self.r.xrange(self.k_log, min=f"{since + 1}-0", max="+",
                                              count=limit))
        return [decode_event(fields[b"e"], _seq(i), self.description) for i, fields in rows]

    async def follow(self, since: int) -> AsyncIterator[list[Event]]:
        """Batches of events after `since`, forever; reconnects by itself. Blocking
        reads get their own connection without a read timeout (redis-py 8 has one)."""
        last = since
        delay = 0.2
        while True:
            reader = self._client(socket_timeout=None)
            try:
                while True:
                    rows = await reader.xread({self.k_log: f"{last}-1"}, block=5000, count=1000)
                    delay = 0.2
                    for _, entries in rows or []:
                        batch = [decode_event(fields[b"e"], _seq(i), self.description)
                                 for i, fields in entries]
                        if batch:
                            last = batch[-1]["seq"]
                            yield batch
            except (RedisError, OSError) as exc:
                log.warning("following the Redis log failed (%s): retrying in %.1f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5)
            finally:
                await reader.aclose()

    async def initialise(self, credentials: dict[str, dict], first: Event) -> bool:
        args: list[Any] = [ev.encode({"seq": 1, **first})]
        for secret, record in credentials.items():
            args += [secret, pack(record)]
        done = await self._call(self._init(
            keys=[self.k_seq, self.k_log, self.k_keys, self.k_creds], args=args))
        return bool(done)

    # -- secrets and settings ----------------------------------------------------

    async def credentials(self) -> dict[str, dict]:
        rows = await self._call(self.r.hgetall(self.k_creds))
        return {_s(k): unpack(v) for k, v in rows.items()}

    async def credential(self, secret: str) -> dict | None:
        raw = await self._call(self.r.hget(self.k_creds, secret))
        return unpack(raw) if raw is not None else None

    async def put_credential(self, secret: str, record: dict) -> None:
        await self._call(self.r.hset(self.k_creds, secret, pack(record)))

    async def delete_credential(self, secret: str) -> None:
        await self._call(self.r.hdel(self.k_creds, secret))

    async def rewrite(self, events: list[Event], delete_secrets: list[str]) -> None:
        """A stream entry cannot be edited: the whole stream is rebuilt, with the same
        ids, in one MULTI/EXEC."""
        changed = {e["seq"]: e for e in events}
        everything = [changed.get(e["seq"], e) for e in await self.read(0)]
        pipe = self.r.pipeline(transaction=True)
        pipe.delete(self.k_log)
        for e in everything:
            pipe.xadd(self.k_log, {"e": ev.encode(e)}, id=f"{e['seq']}-1")
        if delete_secrets:
            pipe.hdel(self.k_creds, *delete_secrets)
        await self._call(pipe.execute())

    async def get_meta(self, key: str) -> Any:
        raw = await self._call(self.r.hget(self.k_meta, key))
        return unpack(raw) if raw is not None else None

    async def set_meta(self, key: str, value: Any) -> None:
        await self._call(self.r.hset(self.k_meta, key, pack(value)))

    async def meta_default(self, key: str, value: Any) -> Any:
        await self._call(self.r.hsetnx(self.k_meta, key, pack(value)))
        return await self.get_meta(key)

    async def _call(self, awaitable):
        try:
            return await awaitable
        except (RedisError, OSError) as exc:
            raise StoreUnavailable(f"Redis did not answer: {exc}") from None


def _seq(entry_id: bytes) -> int:
    """Stream entry ids are "<seq>-1"."""
    return int(entry_id.split(b"-", 1)[0])


def _safe(url: str) -> str:
    """The URL without a password, for messages and logs."""
    if "@" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://…@{rest.split('@', 1)[1]}"
    return url


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


"""Where commands meet the store: the state in memory, the log, and the outbox.

The engine runs a command against the current state, appends what it produced to the
store, folds the durable events into the state, and queues them (in seq order) for the
transport to fan out. It knows the store only through its interface and nothing of
sockets.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import secrets
from typing import Any

from . import auth, commands
from . import events as ev
from .commands import CommandError, ack_for
from .events import Event
from .state import State, Viewer, can_see
from .store import DuplicateClientKey, StaleLog, Store, StoreError

SYNC_PAGE = 500
MAX_STALE_RETRIES = 20
FOLLOW_WAIT_S = 5.0  # how long a write appended by `append_any` waits for the follower


class NotInitialised(StoreError):
    pass


class Engine:
    def __init__(self, store: Store):
        self.store = store
        self.state = State()
        self.log: list[Event] = []  # log[i] has seq i + 1
        self.credentials: dict[str, dict] = {}
        self.outbox: asyncio.Queue[Event] = asyncio.Queue()
        self._lock = asyncio.Lock()
        self._joining: list[tuple] = []  # joins waiting for the next group commit
        self._join_task: asyncio.Task | None = None
        # A shared store's append at the next seq, for order-free writes (store/__init__).
        self._append_any = getattr(store, "append_any", None)
        self._waiters: list[tuple[int, int, asyncio.Future]] = []  # (seq, n, future), a heap
        self._waiter_n = itertools.count()

    # -- start -----------------------------------------------------------------

    async def start(self) -> None:
        """Rebuild the state from the whole log: a restart never resets the day."""
        self.credentials = await self.store.credentials()
        # Anonymous ballots are cast under pseudonyms made with this key (polls.py); it
        # lives beside the secrets, never in the log.
        self.state.ballot_key = bytes.fromhex(
            await self.store.meta_default("ballot_key", secrets.token_hex(32)))
        await self._catch_up(publish=False)
        if self.state.definition is None:
            raise NotInitialised(f"{self.store.description} holds no assembly")

    async def _catch_up(self, publish: bool = True) -> None:
        while True:
            batch = await self.store.read(self.state.last_seq, 5000)
            if not batch:
                return
            for e in batch:
                self._apply(e, publish)

    async def _catch_up_or_fail(self) -> None:
        """The log moved on without us: read what we missed. A store whose log is
        *behind* ours lost events (Redis restarted without persistence): refuse writes
        rather than fork the day."""
        seen = self.state.last_seq  # read before the await: the follower may move it
        if await self.store.last_seq() < seen:
            raise StoreError(f"{self.store.description} has fewer events than this server "
                             "has seen: it lost data. Restore it before accepting writes.")
        await self._catch_up()

    def _apply(self, e: Event, publish: bool = True) -> None:
        """Fold one durable event in. With a shared store the same event can arrive both
        from our own append and from following the log: the second is ignored."""
        if e["seq"] <= self.state.last_seq:
            return
        self.state.apply(e)
        self.log.append(e)
        if publish:
            self.outbox.put_nowait(e)
        while self._waiters and self._waiters[0][0] <= e["seq"]:
            done = heapq.heappop(self._waiters)[2]
            if not done.done():
                done.set_result(None)

    async def _until_applied(self, seq: int) -> None:
        """Read your own writes: an event appended with `append_any` is folded in by the
        follower, in log order; wait for it so the next command sees it. A stuck follower
        (Redis reconnecting) is bypassed by reading the log directly."""
        if self.state.last_seq >= seq:
            return
        done = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (seq, next(self._waiter_n), done))
        try:
            await asyncio.wait_for(asyncio.shield(done), FOLLOW_WAIT_S)
        except asyncio.TimeoutError:
            await self._catch_up()
            if self.state.last_seq < seq:
                raise StoreError(f"event {seq} was written but cannot be read back yet") from None

    async def follow(self) -> None:
        """Apply what other processes append to a shared store, in seq order; after any
        interruption the store resumes from our last seq. Runs until cancelled."""
        follow = getattr(self.store, "follow", None)
        if follow is None:
            return
        async for batch in follow(self.state.last_seq):
            if batch[0]["seq"] > self.state.last_seq + 1:
                await self._catch_up()
            for e in batch:
                self._apply(e)

    # -- who is this -------------------------------------------------------------

    async def credential(self, secret: str) -> dict | None:
        # Join codes are answered from memory: a rotation here swaps them at once, one in
        # another process arrives as `joincode.rotated` (refresh_credentials).
        cred = self.credentials.get(secret)
        if cred is None:
            # Another process may have issued it (a participant who joined there).
            cred = await self.store.credential(secret)
            if cred is not None:
                self.credentials[secret] = cred
        return cred

    async def refresh_credentials(self) -> None:
        """After a rotation or a new group (perhaps in another process), take the secrets
        from the store: codes that stopped working go, new links arrive."""
        try:
            self.credentials = await self.store.credentials()
        except StoreError:
            return

    def join_codes(self) -> dict[str, str]:
        """group id -> its current join code."""
        return {c["group_id"]: secret for secret, c in self.credentials.items()
                if c["kind"] == "join"}

    async def join(self, group_id: str, name: Any) -> tuple[Viewer, str]:
        """A new participant: log `participant.joined` and issue a token for it. The
        token is written with the event (in the same transaction, or just before it), so
        a crash leaves at worst an unused token that nobody ever received."""
        draft, pid = commands.join(self.state, group_id, name)
        token = auth.new_token()
        cred = auth.participant_credential(pid, draft["data"]["name"], group_id)
        done = asyncio.get_running_loop().create_future()
        self._joining.append((draft, token, cred, done))
        if len(self._joining) == 1:
            self._join_task = asyncio.create_task(self._commit_joins())
        await done
        return auth.viewer_for(cred), token

    async def _commit_joins(self) -> None:
        """Group commit for a join storm: every join that queued while the previous
        write was on disk goes in the next one, token and event in one transaction.
        A join is order-free: on a shared store it goes in at the next seq, unlocked."""
        if self._append_any is not None:
            batch, self._joining = self._joining, []
            error = await self._append_joins_any(batch)
        else:
            async with self._lock:
                batch, self._joining = self._joining, []
                error = await self._append_joins(batch)
        for *_, done in batch:
            if done.done():
                continue  # its connection went away meanwhile
            if error is None:
                done.set_result(None)
            else:
                done.set_exception(error)
        if self._joining:
            self._join_task = asyncio.create_task(self._commit_joins())

    async def _append_joins(self, batch: list[tuple]) -> BaseException | None:
        if not batch:
            return None  # an earlier task took them
        creds = {token: cred for _, token, cred, _ in batch}
        for _ in range(MAX_STALE_RETRIES):
            try:
                await self._append([d for d, _, _, _ in batch], credentials=creds)
                self.credentials.update(creds)
                return None
            except StaleLog:
                await self._catch_up_or_fail()
            except BaseException as exc:  # the store failed: every waiter hears it
                return exc
        return CommandError("conflict", "the log is too busy: try again")

    async def _append_joins_any(self, batch: list[tuple]) -> BaseException | None:
        if not batch:
            return None
        creds = {token: cred for _, token, cred, _ in batch}
        now = ev.now_ms()
        for d, *_ in batch:
            d.setdefault("ts", now)
        try:
            appended = await self._append_any([d for d, _, _, _ in batch], None, creds)
            self.credentials.update(creds)
            await self._until_applied(appended[-1]["seq"])
            return None
        except BaseException as exc:
            return exc

    # -- commands ----------------------------------------------------------------

    async def execute(self, name: str, who: Viewer, payload: Any) -> dict[str, Any]:
        """Run one client command and return its ack (CONTRACT §4)."""
        command = commands.COMMANDS.get(name)
        if command is None:
            raise CommandError("invalid", f"unknown event {name!r}")
        client_key = self._client_key(name, who, payload)
        if client_key and (seq := self.state.client_calls.get(client_key)):
            return ack_for(self.log[seq - 1])
        if self._append_any is not None and name in commands.ORDER_FREE:
            return await self._execute_any(command, who, payload, client_key)
        async with self._lock:
            for _ in range(MAX_STALE_RETRIES):
                if client_key and (seq := self.state.client_calls.get(client_key)):
                    return ack_for(self.log[seq - 1])
                now = ev.now_ms()
                plan = command(self.state, who, payload, now)
                if plan.settled_seq is not None:
                    return ack_for(self.log[plan.settled_seq - 1])
                for d in plan.drafts:
                    d["ts"] = now
                creds = auth.issued_with(plan.drafts)
                swap = auth.replacement(plan.drafts[0], self.credentials, self.state.group) \
                    if plan.drafts else None
                try:
                    if swap is not None:
                        appended = await self._rotate(plan.drafts, *swap)
                    else:
                        appended = await self._append(plan.drafts, client_key, creds or None)
                except (StaleLog, DuplicateClientKey) as exc:
                    await self._forget(creds)
                    if isinstance(exc, StaleLog):
                        await self._catch_up_or_fail()
                    else:
                        await self._catch_up()
                    continue
                except BaseException:
                    await self._forget(creds)
                    raise
                self.credentials.update(creds)
                ack = ack_for(appended[-1])
                if swap is not None:
                    ack["secret"] = swap[0]  # the transport makes it a link (token.rotate)
                return ack
        raise CommandError("conflict", "the log is too busy: try again")

    async def _execute_any(self, command: commands.Command, who: Viewer, payload: Any,
                           client_key: tuple | None) -> dict[str, Any]:
        """An order-free write on a shared store: checked against the state as this
        process knows it, appended at the next seq without a lock or a retry, acked once
        durable and folded in (so the writer's next command sees it)."""
        now = ev.now_ms()
        plan = command(self.state, who, payload, now)
        if plan.settled_seq is not None:
            return ack_for(self.log[plan.settled_seq - 1])
        for d in plan.drafts:
            d["ts"] = now
        key = f"{client_key[0]}\x1f{client_key[1]}" if client_key else None
        try:
            appended = await self._append_any(plan.drafts, key)
        except DuplicateClientKey as exc:  # the same call, sent again meanwhile
            await self._until_applied(exc.seq)
            return ack_for(self.log[exc.seq - 1])
        await self._until_applied(appended[-1]["seq"])
        return ack_for(appended[-1])

    @staticmethod
    def _client_key(name: str, who: Viewer, payload: Any) -> tuple[str, str] | None:
        if name not in commands.IDEMPOTENT_BY_CLIENT_ID or not isinstance(payload, dict):
            return None
        cid = payload.get("client_id")
        return (who.id, cid) if isinstance(cid, str) and cid else None

    async def _forget(self, creds: dict[str, dict]) -> None:
        """Secrets issued for events that were not appended: a store without transactions
        (Redis) wrote them first; take them back so no link points at nothing."""
        for secret in creds:
            try:
                await self.store.delete_credential(secret)
            except StoreError:
                pass  # unknown to anyone; harmless if it stays

    async def _rotate(self, drafts: list[Event], secret: str, cred: dict,
                      old: list[str]) -> list[Event]:
        """Swap a secret, then log that it happened (never the secret itself). The new one
        is stored before the old one goes, so a crash in between never leaves a group
        without a code or a role without a link."""
        await self.store.put_credential(secret, cred)
        for gone in old:
            await self.store.delete_credential(gone)
            self.credentials.pop(gone, None)
        self.credentials[secret] = cred
        return await self._append(drafts)

    async def _append(self, drafts: list[Event], client_key: tuple | None = None,
                      credentials: dict[str, dict] | None = None) -> list[Event]:
        for d in drafts:
            d.setdefault("ts", ev.now_ms())
        key = f"{client_key[0]}\x1f{client_key[1]}" if client_key else None
        appended = await self.store.append(drafts, self.state.last_seq, key, credentials)
        for e in appended:
            self._apply(e)
        return appended

    # -- reading -----------------------------------------------------------------

    def events_since(self, who: Viewer, since: int, limit: int = SYNC_PAGE) -> tuple[list[Event], int]:
        """Events `who` may see with seq > since, at most `limit`; and the seq the
        answer covers up to (the client's next `since`)."""
        out: list[Event] = []
        until = since
        for e in self.log[max(since, 0):]:
            until = e["seq"]
            if can_see(who, e):
                out.append(e)
                if len(out) >= limit:
                    break
        return out, max(until, since)

    def snapshot(self, who: Viewer) -> dict[str, Any]:
        return self.state.snapshot(who)

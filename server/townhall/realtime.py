"""Socket.IO transport: authenticate a connection, dispatch its events to the engine,
and fan the log out to every client that may see each event, in seq order.

Rooms mirror the visibility rule of CONTRACT §2: each client is in one view room (see
`view_room`), and `deliveries` decides which view gets which events of a batch.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import socketio
from socketio import packet

from . import events as ev
from .auth import links, viewer_for
from .budget import FailureBudget
from .timeouts import AUTH_TIMEOUT_S
from .commands import CommandError
from .engine import Engine
from .state import STAFF_ALL_GROUPS, Viewer
from .store import StoreError

log = logging.getLogger("townhall.realtime")

# A 50,000-character information pack (§8) in any script fits, even from a client whose
# JSON escapes every non-ASCII character (\uXXXX: 6 bytes each); a note many times over.
MAX_PACKET_BYTES = 512 * 1024
# Events the transport answers itself (reads); everything else goes to the engine.
TRANSPORT_EVENTS = {"sync": "_sync", "time": "_time"}
SCREENS = "screens"
ORGANISERS = "organisers"
PRESENCE_EVERY_S = 0.5  # a phone's "N people in your group" follows joins this closely
RESULTS_EVERY_S = 0.5   # a poll's tally goes out at most twice a second (CONTRACT §9)
# Events after which staff need secrets the log never holds.
NEW_SECRETS = frozenset({ev.JOINCODE_ROTATED, ev.GROUP_ADDED, ev.TOKEN_ROTATED})


# Every client is in exactly one *view* room: the log events it may see follow from it,
# so one pass of the fan-out sends each client one message (CONTRACT §7).
VIEW_ALL = "v:all"          # lead, organiser: every event
VIEW_PUBLIC = "v:public"    # board, screen: public events


def members_room(group_id: str) -> str:
    """A group's participants: public events and the group's own."""
    return f"v:members:{group_id}"


def staff_room(group_id: str) -> str:
    """A group's facilitator: what its members see, and who joined."""
    return f"v:staff:{group_id}"


def view_room(who: Viewer) -> str:
    if who.role in STAFF_ALL_GROUPS:
        return VIEW_ALL
    if who.role == "facilitator" and who.group_id:
        return staff_room(who.group_id)
    if who.role == "participant" and who.group_id:
        return members_room(who.group_id)
    return VIEW_PUBLIC


def rooms_of(who: Viewer) -> list[str]:
    rooms = [view_room(who)]
    if who.role == "screen":
        rooms.append(SCREENS)
    if who.role == "organiser":
        rooms.append(ORGANISERS)
    return rooms


def deliveries(batch: list[ev.Event], group_ids: list[str]) -> list[tuple[list[str], list[ev.Event]]]:
    """Which rooms get which events of `batch` (in seq order): one list per view, so a
    client in any room gets everything it may see from this pass in one message."""
    public = [e for e in batch if ev.audience(e) == ev.PUBLIC]
    private: dict[str, list[ev.Event]] = {}
    for e in batch:
        if ev.audience(e) in (ev.GROUP, ev.GROUP_STAFF):
            private.setdefault(e["group_id"], []).append(e)
    out: list[tuple[list[str], list[ev.Event]]] = []
    everything = [e for e in batch if ev.audience(e) != ev.NOBODY]
    if everything:
        out.append(([VIEW_ALL], everything))
    for gid, own in private.items():
        mine = {e["seq"] for e in own}
        staff = [e for e in batch if e["seq"] in mine or ev.audience(e) == ev.PUBLIC]
        members = [e for e in staff if ev.audience(e) != ev.GROUP_STAFF]
        if len(members) == len(staff):
            out.append(([members_room(gid), staff_room(gid)], staff))
        else:
            out.append(([staff_room(gid)], staff))
            if members:
                out.append(([members_room(gid)], members))
    if public:
        quiet = [gid for gid in group_ids if gid not in private]
        out.append(([VIEW_PUBLIC, *map(members_room, quiet), *map(staff_room, quiet)], public))
    # Views that get the same list share one message: one encoding, one pass over the
    # rooms (a lone note goes to its group, its facilitator and the lead in one emit).
    merged: dict[tuple[int, ...], tuple[list[str], list[ev.Event]]] = {}
    for rooms, events in out:
        key = tuple(e["seq"] for e in events)
        if key in merged:
            merged[key][0].extend(rooms)
        else:
            merged[key] = (list(rooms), events)
    return list(merged.values())


AUTH_HELP = ("send auth: {token} for staff and returning participants, "
             "or {join_code, name} to join a group")


def refuse(code: str, message: str) -> socketio.exceptions.ConnectionRefusedError:
    return socketio.exceptions.ConnectionRefusedError(message, {"code": code})


def error_ack(code: str, message: str) -> dict[str, Any]:
    return {"ok": False, "error": {"code": code, "message": message}}


class Server(socketio.AsyncServer):
    """python-socketio with two guards it lacks: a client event named `connect`,
    `disconnect` or `*` is answered as an unknown event (the library would dispatch it to
    the server's own handlers), and a transport that never authenticates is closed
    after AUTH_TIMEOUT_S (the library keeps it as long as it answers pings)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._opened: dict[str, float] = {}  # engine.io sid -> when its transport opened
        self._sweeping: asyncio.Task | None = None

    async def _handle_eio_connect(self, eio_sid, environ):
        self._opened[eio_sid] = asyncio.get_running_loop().time()
        if self._sweeping is None or self._sweeping.done():
            self._sweeping = asyncio.create_task(self._sweep())
        return await super()._handle_eio_connect(eio_sid, environ)

    async def _handle_eio_disconnect(self, eio_sid, *args):
        self._opened.pop(eio_sid, None)
        return await super()._handle_eio_disconnect(eio_sid, *args)

    async def _sweep(self) -> None:
        """Close transports that have not authenticated in time; ends when none wait."""
        loop = asyncio.get_running_loop()
        while self._opened:
            await asyncio.sleep(min(5.0, AUTH_TIMEOUT_S))
            now = loop.time()
            for eio_sid, opened in list(self._opened.items()):
                if self.manager.sid_from_eio_sid(eio_sid, "/") is not None:
                    del self._opened[eio_sid]  # in: no longer our concern
                elif now - opened > AUTH_TIMEOUT_S:
                    del self._opened[eio_sid]
                    await self._drop(eio_sid)

    async def _drop(self, eio_sid: str) -> None:
        """Close a transport now. engine.io sends its close packet and then waits for the
        client to hang up (up to ping_interval + ping_timeout); a client that ignores the
        packet would keep the slot that long, so the socket's writer is woken to close
        the websocket itself."""
        sock = self.eio.sockets.get(eio_sid)
        try:
            await self.eio.disconnect(eio_sid)
        except Exception:  # already gone
            pass
        if sock is not None:
            sock.queue.put_nowait(None)

    async def _handle_event(self, eio_sid, namespace, id, data):
        name = data[0] if data else None
        if name in self.reserved_events or name == "*" or not isinstance(name, str):
            if id is not None:
                ack = error_ack("invalid", f"unknown event {name!r}")
                await self._send_packet(eio_sid, self.packet_class(
                    packet.ACK, namespace=namespace, id=id, data=[ack]))
            return
        await super()._handle_event(eio_sid, namespace, id, data)


class Realtime:
    """The Socket.IO server bound to one engine."""

    def __init__(self, engine: Engine, base_url: str | None = None,
                 cors_allowed_origins: Any = None):
        self.engine = engine
        self.base_url = base_url
        self.viewers: dict[str, Viewer] = {}
        self.secrets: dict[str, str] = {}  # sid -> the staff token it came in with
        self.failures = FailureBudget()
        self.sio = Server(
            async_mode="asgi",
            max_http_buffer_size=MAX_PACKET_BYTES,
            cors_allowed_origins=cors_allowed_origins,
            ping_interval=20,
            ping_timeout=25,  # phones on a crowded Wi-Fi stall for seconds at a time
        )
        self.sio.on("connect", self.on_connect)
        self.sio.on("disconnect", self.on_disconnect)
        self.sio.on("*", self.on_event)
        self._fanout: asyncio.Task | None = None
        self._presence: asyncio.Task | None = None
        self._presence_due: set[str] = set()
        self._results: asyncio.Task | None = None
        self._results_due: set[str] = set()

    # -- lifecycle ---------------------------------------------------------------

    def start(self) -> None:
        self._fanout = asyncio.create_task(self._fan_out(), name="townhall-fanout")

    async def stop(self) -> None:
        for task in (self._presence, self._results):
            if task:
                task.cancel()
        if self._fanout:
            self._fanout.cancel()
            try:
                await self._fanout
            except asyncio.CancelledError:
                pass

    async def _fan_out(self) -> None:
        """One task sends the log out in seq order. Each pass takes every event queued
        since the last one and sends each view one message: `event` for one, `events`
        for several (CONTRACT §7). A storm of joins or notes then costs a message per
        client per pass, not per client per event."""
        outbox = self.engine.outbox
        while True:
            batch = [await outbox.get()]
            while not outbox.empty():
                batch.append(outbox.get_nowait())
            try:
                groups = [g["id"] for g in self.engine.state.groups]
                for rooms, events in deliveries(batch, groups):
                    if len(events) == 1:
                        await self.sio.emit("event", events[0], to=rooms)
                    else:
                        await self.sio.emit("events", events, to=rooms)
                for e in batch:
                    if e["type"] in NEW_SECRETS:
                        await self._send_secrets(e["data"]["group_id"])
                        await self._close_replaced()
                    elif e["type"] == ev.PARTICIPANT_JOINED:
                        self._count_later(e["group_id"])
                    elif e["type"] == ev.VOTE_CAST:
                        self._tally_later(e["data"]["poll_id"])
            except Exception:  # a broken socket must not stop the fan-out
                log.exception("fan-out of events %s..%s failed", batch[0].get("seq"),
                              batch[-1].get("seq"))

    def _count_later(self, group_id: str) -> None:
        """Members learn their group's size (`presence`), at most every PRESENCE_EVERY_S."""
        self._presence_due.add(group_id)
        if self._presence is None or self._presence.done():
            self._presence = asyncio.create_task(self._send_presence())

    def _tally_later(self, poll_id: str) -> None:
        """Ballots are never sent; tallies are (`poll.results`), at most every
        RESULTS_EVERY_S per poll, so a thousand votes cost a few messages a client."""
        self._results_due.add(poll_id)
        if self._results is None or self._results.done():
            self._results = asyncio.create_task(self._send_results())

    async def _send_results(self) -> None:
        await asyncio.sleep(RESULTS_EVERY_S)
        due, self._results_due = self._results_due, set()
        groups = [g["id"] for g in self.engine.state.groups]
        for pid in due:
            poll = self.engine.state.polls.get(pid)
            if poll is None or poll["closed_at"] is not None:
                continue  # `poll.closed` carries the final results
            results = poll["results"]
            full = {"poll_id": pid, "voters": results["voters"], "results": results}
            gid = poll["group_id"]
            staff = [VIEW_ALL, *([staff_room(gid)] if gid else [])]
            if poll["public"]:
                others = [VIEW_PUBLIC, *map(members_room, groups),
                          *(staff_room(g) for g in groups if g != gid)]
            else:
                others = [members_room(gid)]
            if poll["hide_results"]:  # until the close, only those who run it see counts
                await self.sio.emit("poll.results", full, to=staff)
                await self.sio.emit("poll.results", {"poll_id": pid, "voters": results["voters"]},
                                    to=others)
            else:
                await self.sio.emit("poll.results", full, to=staff + others)

    async def _send_presence(self) -> None:
        await asyncio.sleep(PRESENCE_EVERY_S)
        due, self._presence_due = self._presence_due, set()
        for gid in due:
            joined = len(self.engine.state.members.get(gid, ()))
            await self.sio.emit("presence", {"group_id": gid, "joined": joined},
                                to=members_room(gid))

    async def _send_secrets(self, group_id: str) -> None:
        """A code rotated or a group added: secrets never enter the log, so staff get the
        current join codes (`join`) and the organiser every link (`links`) here."""
        await self.engine.refresh_credentials()
        codes = self.engine.join_codes()
        await self.sio.emit("join", codes, to=[VIEW_ALL, SCREENS])
        if group_id in codes:
            await self.sio.emit("join", {group_id: codes[group_id]}, to=staff_room(group_id))
        await self.sio.emit("links", links(self.engine.credentials, self.base_url or ""),
                            to=ORGANISERS)

    # -- connections -------------------------------------------------------------

    async def on_connect(self, sid: str, environ: dict, auth: Any = None) -> bool:
        try:
            return await self._welcome(sid, auth, environ.get("REMOTE_ADDR") or "unknown")
        except socketio.exceptions.ConnectionRefusedError:
            raise
        except Exception:
            log.exception("connect failed")
            raise refuse("unavailable", "the server could not let you in just now: "
                                        "trying again") from None

    async def _welcome(self, sid: str, auth: Any, address: str) -> bool:
        who, token = await self._authenticate(auth, address)
        if who.role != "participant":
            self.secrets[sid] = token  # closed at once if its link is replaced
        # Enter the rooms before taking the snapshot: any event after the snapshot's
        # last_seq is then sure to reach this client (it ignores any at or before it).
        for room in rooms_of(who):
            await self.sio.enter_room(sid, room)
        self.viewers[sid] = who
        welcome = {
            "role": who.role,
            "group_id": who.group_id,
            "name": who.name,
            "server_time": ev.now_ms(),
            "last_seq": self.engine.state.last_seq,
            "snapshot": self.engine.snapshot(who),
        }
        if who.role == "participant":
            welcome["participant_id"] = who.id
            welcome["token"] = token
        elif who.role != "board":
            # Staff and the screen show join codes to late arrivals (QR on the screen).
            welcome["join"] = {g: c for g, c in self.engine.join_codes().items()
                               if who.group_id in (None, g)}
            welcome["base_url"] = self.base_url
        if who.role == "organiser":
            welcome["links"] = links(self.engine.credentials, self.base_url or "")
        await self.sio.emit("welcome", welcome, to=sid)
        return True

    def _failed(self, address: str, code: str, message: str) -> socketio.exceptions.ConnectionRefusedError:
        """A failed attempt, counted against its address (budget.py): past the budget the
        answer is `rate_limited`, whatever the secret was."""
        now = ev.now_ms()
        if self.failures.spent(address, now):
            self.failures.fail(address, now)
            return refuse("rate_limited", "too many failed attempts from this network: wait a "
                                          "minute, then scan the QR code again")
        self.failures.fail(address, now)
        return refuse(code, message)

    async def _authenticate(self, auth: Any, address: str) -> tuple[Viewer, str | None]:
        """Who this connection is. A refusal carries a message for people and a code
        for the client: `bad_auth`, `bad_token`, `bad_join_code`, `bad_name`,
        `rate_limited`, `unavailable` (only the last is worth retrying as is). A valid
        token or join code gets in whatever its address has spent (a venue's Wi-Fi puts
        every phone behind one address)."""
        if not isinstance(auth, dict):
            raise self._failed(address, "bad_auth", AUTH_HELP)
        token, code = auth.get("token"), auth.get("join_code")
        if isinstance(token, str) and token:
            cred = await self.engine.credential(token)
            if cred is None or cred["kind"] == "join":
                raise self._failed(address, "bad_token", "this link is not valid (any more): "
                                                         "ask the organiser for a new one")
            return viewer_for(cred), token
        if isinstance(code, str) and code:
            cred = await self.engine.credential(code)
            if cred is None or cred["kind"] != "join":
                raise self._failed(address, "bad_join_code", "this join code is not valid "
                                   "(any more): scan the QR code on your table again")
            try:
                who, new_token = await self.engine.join(cred["group_id"], auth.get("name"))
            except CommandError as exc:
                raise refuse("bad_name", exc.message) from None
            except StoreError as exc:
                log.warning("join failed: %s", exc)
                raise refuse("unavailable", "the server could not record your joining: "
                                            "trying again") from None
            return who, new_token
        raise self._failed(address, "bad_auth", AUTH_HELP)

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        self.viewers.pop(sid, None)
        self.secrets.pop(sid, None)

    async def _close_replaced(self) -> None:
        """A staff link was replaced: its open sessions end now, saying why."""
        for sid, secret in list(self.secrets.items()):
            if secret not in self.engine.credentials:
                await self.sio.emit("revoked", {"code": "bad_token", "message": (
                    "this link was replaced by the organiser: ask the organiser for the new "
                    "one")}, to=sid)
                await self.sio.disconnect(sid)

    # -- events ------------------------------------------------------------------

    async def on_event(self, name: str, sid: str, *args: Any) -> dict[str, Any]:
        """Every client→server event: answer with an ack, whatever happens."""
        who = self.viewers.get(sid)
        if who is None:
            return error_ack("forbidden", "connect first")
        payload = args[0] if args else None
        try:
            if name in TRANSPORT_EVENTS:
                return getattr(self, TRANSPORT_EVENTS[name])(who, payload)
            ack = await self.engine.execute(name, who, payload)
            secret = ack.pop("secret", None)  # a replaced secret: the organiser gets a link
            if secret and name == "token.rotate":
                every = links(self.engine.credentials, self.base_url or "")
                role, gid = payload["role"], payload.get("group_id")
                ack["url"] = every["facilitators"][gid] if role == "facilitator" else every[role]
            return ack
        except CommandError as exc:
            return exc.as_ack()
        except StoreError as exc:
            log.warning("%s refused, store unavailable: %s", name, exc)
            return error_ack("unavailable", "the server could not save this: nothing was "
                                            "recorded, send it again in a moment")
        except Exception:
            log.exception("handler for %s failed", name)
            return error_ack("unavailable", "the server could not carry this out: "
                                            "send it again in a moment")

    def _sync(self, who: Viewer, payload: Any) -> dict[str, Any]:
        since = payload.get("since") if isinstance(payload, dict) else None
        if isinstance(since, bool) or not isinstance(since, int) or since < 0:
            raise CommandError("invalid", "'since' must be the last seq you saw (0 for all)")
        events, until = self.engine.events_since(who, since)
        last = self.engine.state.last_seq
        return {"ok": True, "events": events, "last_seq": last, "until": until,
                "more": until < last, "server_time": ev.now_ms()}

    def _time(self, who: Viewer, payload: Any) -> dict[str, Any]:
        return {"ok": True, "server_time": ev.now_ms()}

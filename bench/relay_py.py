"""The ceiling of our library: a bare python-socketio relay under uvicorn.

No auth, no log, no validation, no batching: the library doing the naive thing. A
client joins the room of its group (from `auth`), `note.add` goes to that room and is
acknowledged at once. A fake `seq` counter makes the load generator's ordering, loss
and duplicate checks work unchanged.

    python bench/relay_py.py --port 8000             # uncompressed frames, as townhall
    python bench/relay_py.py --port 8000 --deflate   # uvicorn's permessage-deflate on
    python bench/relay_py.py --port 8000 --batched   # relay-py-batched (not the default)

The fan-out has townhall's shape (server/townhall/realtime.py) where it costs:
- frames go out uncompressed (`townhall serve` turns permessage-deflate off);
- a group's participants are in `members:G`, its facilitator in `staff:G`, the lead in
  `all`; everyone is also in `public`;
- `note.add` / `note.support` / `keypoint.add` go to members + staff of the group + lead,
  one `event` each; `keypoint.publish`, `agenda.start`, `plenary.focus` go to everyone;
- a participant's arrival is announced as one `participant.joined` event to the group's
  facilitator and the lead (not to the other participants; `--no-join-events` drops it).

`--batched` (the `relay-py-batched` system, an extra, never the default comparison) is
what the library can do with CONTRACT §7's batching: each client is in exactly one
room (members:G, staff:G, all, public), and the events emitted while the loop is busy
go out together, each room getting one `event` or one `events` list per pass.

Auth as townhall's (bench/loadgen.mjs sends the same payloads):
  {"join_code": GROUP, "name": ...}  a participant of GROUP (the generator uses the
                                     group id as the join code for the bare relays)
  {"token": "facilitator:GROUP"}     that group's facilitator
  {"token": "lead"}                  every group's events
  {"token": "screen"} / anything else public only
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import time

import socketio
import uvicorn

sio = socketio.AsyncServer(async_mode="asgi", ping_interval=20, ping_timeout=25,
                           max_http_buffer_size=64 * 1024)
app = socketio.ASGIApp(sio)
seq = itertools.count(1)
last = 0
who: dict[str, tuple[str, str | None]] = {}  # sid -> (role, group)

PUBLIC, ALL = "public", "all"
JOIN_EVENTS = True  # --no-join-events turns the participant.joined announcement off
BATCHED = False     # --batched
views: set[str] = {PUBLIC}  # batched: the rooms, one per client
pending: list[tuple[dict, list[str] | None]] = []  # batched: (event, rooms or None = everyone)
flusher: asyncio.Task | None = None


def members(group: str) -> str:
    return f"members:{group}"


def staff(group: str) -> str:
    return f"staff:{group}"


async def send(event: dict, rooms: list[str] | None) -> None:
    """One log event to `rooms` (None: everyone)."""
    global flusher
    if not BATCHED:
        await sio.emit("event", event, to=PUBLIC if rooms is None else rooms)
        return
    pending.append((event, rooms))
    if flusher is None:
        flusher = asyncio.get_running_loop().create_task(flush())


async def flush() -> None:
    """Batched: one pass sends each room what was emitted since the last, in seq order."""
    global flusher
    try:
        while pending:
            await asyncio.sleep(0)  # let the handlers that are ready add theirs
            batch = pending[:]
            pending.clear()
            per_room: dict[str, list[dict]] = {}
            for event, rooms in batch:
                for r in (views if rooms is None else rooms):
                    per_room.setdefault(r, []).append(event)
            for r, evs in per_room.items():
                if len(evs) == 1:
                    await sio.emit("event", evs[0], to=r)
                else:
                    await sio.emit("events", evs, to=r)
    finally:
        flusher = None


def now_ms() -> int:
    return int(time.time() * 1000)


def next_seq() -> int:
    global last
    last = next(seq)
    return last


@sio.event
async def connect(sid, environ, auth=None):
    auth = auth if isinstance(auth, dict) else {}
    token, code = auth.get("token"), auth.get("join_code")
    if code:
        role, group = "participant", str(code)
    elif isinstance(token, str) and token.startswith("facilitator:"):
        role, group = "facilitator", token.split(":", 1)[1]
    elif isinstance(token, str) and token.startswith("p:"):
        role, group = "participant", token.split(":", 2)[1]  # a returning participant
    else:
        role, group = (token if token in ("lead", "screen") else "screen"), None
    who[sid] = (role, group)
    if group:
        room = members(group) if role == "participant" else staff(group)
    else:
        room = ALL if role == "lead" else PUBLIC
    if BATCHED:  # one room per client: a pass sends it one message
        views.add(room)
        await sio.enter_room(sid, room)
    else:
        await sio.enter_room(sid, PUBLIC)
        if room != PUBLIC:
            await sio.enter_room(sid, room)
    welcome = {"role": role, "group_id": group, "server_time": now_ms(), "last_seq": last,
               "snapshot": {}}
    if role == "participant":
        welcome["token"] = f"p:{group}:{sid}"
    await sio.emit("welcome", welcome, to=sid)
    if role == "participant" and code and JOIN_EVENTS:  # a new participant, not a return
        s = next_seq()
        await send({"seq": s, "ts": now_ms(), "type": "participant.joined", "actor": {"role": role},
                    "group_id": group, "data": {"participant_id": sid, "name": auth.get("name")}},
                   [staff(group), ALL])


@sio.event
async def disconnect(sid, reason=None):
    who.pop(sid, None)


async def relay(sid, typ, payload, public=False, id_key=None):
    role, group = who.get(sid, ("screen", None))
    payload = payload if isinstance(payload, dict) else {}
    group = payload.get("group_id") or group
    s = next_seq()
    data = dict(payload)
    ack = {"ok": True, "seq": s}
    if id_key:
        data[id_key] = ack[id_key] = f"{id_key[0]}{s}"
    event = {"seq": s, "ts": now_ms(), "type": typ, "actor": {"role": role},
             "group_id": None if public else group, "data": data}
    await send(event, None if public else [members(group), staff(group), ALL])
    return ack


@sio.on("note.add")
async def note_add(sid, payload=None):
    return await relay(sid, "note.added", payload, id_key="note_id")


@sio.on("note.support")
async def note_support(sid, payload=None):
    return await relay(sid, "note.supported", payload)


@sio.on("keypoint.add")
async def keypoint_add(sid, payload=None):
    return await relay(sid, "keypoint.added", payload, id_key="keypoint_id")


@sio.on("keypoint.publish")
async def keypoint_publish(sid, payload=None):
    return await relay(sid, "keypoint.published", payload, public=True)


@sio.on("agenda.start")
async def agenda_start(sid, payload=None):
    return await relay(sid, "agenda.started", payload, public=True)


@sio.on("plenary.focus")
async def plenary_focus(sid, payload=None):
    return await relay(sid, "plenary.focused", payload, public=True)


@sio.on("sync")
async def sync(sid, payload=None):
    # No log: nothing to replay (what a client missed while away stays missed).
    return {"ok": True, "events": [], "last_seq": last, "until": last, "more": False,
            "server_time": now_ms()}


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--deflate", action="store_true",
                    help="turn uvicorn's websocket permessage-deflate on (off by default, as "
                         "`townhall serve` has it)")
    ap.add_argument("--no-deflate", action="store_true", help=argparse.SUPPRESS)  # the default now
    ap.add_argument("--no-join-events", action="store_true",
                    help="do not announce a participant's arrival to its facilitator and the lead")
    ap.add_argument("--batched", action="store_true",
                    help="send what was emitted while the loop was busy as one `events` list per room")
    a = ap.parse_args()
    JOIN_EVENTS = not a.no_join_events
    BATCHED = a.batched
    uvicorn.run(app, host=a.host, port=a.port, log_level="warning", ws_max_size=64 * 1024,
                ws_per_message_deflate=a.deflate)

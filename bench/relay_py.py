"""The ceiling of our library: a bare python-socketio relay under uvicorn.

No auth, no log, no validation. A client joins the room of its group (from `auth`),
`note.add` goes to that room and is acknowledged at once. A fake `seq` counter makes
the load generator's ordering, loss and duplicate checks work unchanged.

    python bench/relay_py.py --port 8000

Auth as townhall's (bench/loadgen.mjs sends the same payloads):
  {"join_code": GROUP, "name": ...}  a participant of GROUP (the generator uses the
                                     group id as the join code for the bare relays)
  {"token": "facilitator:GROUP"}     that group's facilitator
  {"token": "lead"} / {"token": "screen"} / anything else: public only
"""

from __future__ import annotations

import argparse
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

PUBLIC, STAFF = "public", "all-groups"


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
    await sio.enter_room(sid, PUBLIC)
    await sio.enter_room(sid, f"group:{group}" if group else STAFF)
    welcome = {"role": role, "group_id": group, "server_time": now_ms(), "last_seq": last,
               "snapshot": {}}
    if role == "participant":
        welcome["token"] = f"p:{group}:{sid}"
    await sio.emit("welcome", welcome, to=sid)


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
    await sio.emit("event", event, to=PUBLIC if public else [f"group:{group}", STAFF])
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
    ap.add_argument("--no-deflate", action="store_true",
                    help="turn uvicorn's websocket permessage-deflate off (townhall leaves it on)")
    a = ap.parse_args()
    uvicorn.run(app, host=a.host, port=a.port, log_level="warning", ws_max_size=64 * 1024,
                ws_per_message_deflate=not a.no_deflate)

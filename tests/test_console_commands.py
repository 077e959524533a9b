"""The commands the consoles add to the contract: restore, edit, order, rotate."""

from __future__ import annotations

import httpx
import pytest
import socketio

from conftest import Client, cid


async def test_hide_then_restore_then_hide_again(server, connect):
    fac = await connect(server, "facilitator", "access")
    p = await connect(server, "participant", "access", name="Hid")
    note = (await p.call("note.add", {"client_id": cid(), "text": "off topic?"}))["note_id"]
    hide = await fac.call("note.hide", {"note_id": note})
    assert hide["ok"]
    restore = await fac.call("note.restore", {"note_id": note})
    assert restore["ok"] and restore["seq"] > hide["seq"]
    assert await fac.call("note.restore", {"note_id": note}) == restore  # idempotent
    await p.wait_event("note.restored", note_id=note)
    again = await fac.call("note.hide", {"note_id": note})
    assert again["ok"] and again["seq"] > restore["seq"]
    fresh = (await p.call("note.add", {"client_id": cid(), "text": "fine"}))["note_id"]
    ack = await fac.call("note.restore", {"note_id": fresh})
    assert ack["error"]["code"] == "conflict"


async def test_editing_a_published_key_point_reaches_the_screen(server, connect):
    fac = await connect(server, "facilitator", "access")
    screen = await connect(server, "screen")
    kp = (await fac.call("keypoint.add", {"client_id": cid(), "text": "draft"}))["keypoint_id"]
    assert (await fac.call("keypoint.edit", {"keypoint_id": kp, "text": "draft 2"}))["ok"]
    await fac.wait_event("keypoint.edited", keypoint_id=kp, text="draft 2")
    await fac.call("keypoint.publish", {"keypoint_id": kp})
    pub = await screen.wait_event("keypoint.published", keypoint_id=kp)
    assert pub["data"]["text"] == "draft 2"
    assert not screen.seen("keypoint.edited"), "a draft's edit is private to the group"
    await fac.call("keypoint.edit", {"keypoint_id": kp, "text": "final wording"})
    ev = await screen.wait_event("keypoint.edited", keypoint_id=kp)
    assert ev["data"]["text"] == "final wording"


async def test_ordering_key_points(fresh_server, connect):
    fac = await connect(fresh_server, "facilitator", "access")
    screen = await connect(fresh_server, "screen")
    ids = [(await fac.call("keypoint.add", {"client_id": cid(), "text": t}))["keypoint_id"]
           for t in ("one", "two", "three")]
    ack = await fac.call("keypoint.order", {"keypoint_ids": ids[::-1]})
    assert ack["ok"]
    ev = await screen.wait_event("keypoint.ordered")
    assert ev["data"] == {"keypoint_ids": ids[::-1]}
    ack = await fac.call("keypoint.order", {"keypoint_ids": ids[:2]})
    assert ack["error"]["code"] == "conflict"
    lead = await connect(fresh_server, "lead")
    kps = {k["id"]: k["order"] for k in lead.welcome["snapshot"]["keypoints"]}
    assert sorted(kps, key=kps.get) == ids[::-1]


async def test_rotating_a_join_code(fresh_server, connect):
    srv = fresh_server
    old = srv.token("join", "gender-identity")
    member = await connect(srv, "participant", "gender-identity", name="Early")
    screen = await connect(srv, "screen")
    got = []
    screen.sio.on("join", lambda codes: got.append(codes))
    organiser = await connect(srv, "organiser")
    assert organiser.welcome["links"]["join"]["gender-identity"].endswith("/j/" + old)

    ack = await organiser.call("joincode.rotate", {"group_id": "gender-identity"})
    assert ack["ok"]
    await screen.wait(lambda: bool(got))
    new = got[-1]["gender-identity"]
    assert new != old and len(new) >= 16

    page = httpx.get(f"{srv.url}/j/{old}")
    assert page.status_code == 404 and "not valid" in page.text
    assert httpx.get(f"{srv.url}/j/{new}/qr.svg").status_code == 200
    late = Client()
    with pytest.raises(socketio.exceptions.ConnectionError):
        await late.sio.connect(srv.url, auth={"join_code": old, "name": "Late"},
                               transports=["websocket"], wait_timeout=5)
    newcomer = await Client().connect(srv.url, {"join_code": new, "name": "Late"})
    assert newcomer.welcome["group_id"] == "gender-identity"
    await newcomer.close()
    # Who joined with the old code keeps their place, and the log holds no code.
    assert (await member.call("note.add", {"client_id": cid(), "text": "still here"}))["ok"]
    log = (await organiser.call("sync", {"since": 0}))["events"]
    assert new not in str(log) and old not in str(log)
    srv._links = None
    assert srv.token("join", "gender-identity") == new

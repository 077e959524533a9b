"""The same client_id from the same client returns the first result and logs nothing."""

from __future__ import annotations

import asyncio

import pytest

from conftest import cid

CALLS = [
    ("participant", "note.add", lambda ids: {"text": "Same note"}),
    ("facilitator", "keypoint.add", lambda ids: {"text": "Same point"}),
    ("board", "response.log", lambda ids: {"group_id": "access", "member": "M", "text": "R",
                                           "stance": "consider"}),
    ("participant", "correction.submit", lambda ids: {"response_id": ids["response"],
                                                      "text": "Not quite"}),
]


@pytest.mark.parametrize("role,event,payload", CALLS, ids=[c[1] for c in CALLS])
async def test_resend_returns_the_first_ack(server, connect, role, event, payload):
    board = await connect(server, "board")
    rid = (await board.call("response.log", {"client_id": cid(), "group_id": "access",
                                             "member": "M", "text": "R",
                                             "stance": "commit"}))["response_id"]
    c = await connect(server, role, "access")
    body = {"client_id": cid(), **payload({"response": rid})}
    first, *repeats = await asyncio.gather(*[c.call(event, body) for _ in range(5)])
    assert first["ok"]
    assert all(r == first for r in repeats)
    lead = await connect(server, "lead")  # the lead sees every event, private ones too
    log = (await lead.call("sync", {"since": first["seq"] - 1}))["events"]
    assert [e["seq"] for e in log if e["data"].get("client_id") == body["client_id"]] == [first["seq"]]


async def test_same_client_id_from_another_client_is_a_new_call(server, connect):
    a = await connect(server, "participant", "access", name="A")
    b = await connect(server, "participant", "access", name="B")
    key = cid()
    ra = await a.call("note.add", {"client_id": key, "text": "mine"})
    rb = await b.call("note.add", {"client_id": key, "text": "mine too"})
    assert ra["ok"] and rb["ok"] and ra["note_id"] != rb["note_id"]


async def test_naturally_idempotent_commands_answer_the_first_seq(server, connect):
    fac = await connect(server, "facilitator", "access")
    note = await fac.call("note.add", {"client_id": cid(), "text": "n"})
    s1 = await fac.call("note.support", {"note_id": note["note_id"]})
    s2 = await fac.call("note.support", {"note_id": note["note_id"]})
    assert s1 == s2 and s1["ok"]
    h1 = await fac.call("note.hide", {"note_id": note["note_id"]})
    h2 = await fac.call("note.hide", {"note_id": note["note_id"]})
    assert h1 == h2 and h1["ok"]

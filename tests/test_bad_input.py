"""Bad input gets a clear error ack with the contract's code, and never hurts the server
or the connection (CONTRACT §4), through a real server and real clients."""

from __future__ import annotations

import asyncio
from typing import Any, Callable

import httpx
import pytest
import socketio

from conftest import cid

GROUP = "access"
CODES = {"invalid", "forbidden", "not_found", "too_large", "rate_limited", "conflict"}
UUID = "0b6f3c9e-6d2a-4f51-9a57-2d1e7d3f8a10"


def note(**over: Any) -> Callable[[dict], dict]:
    return lambda ids: {"client_id": cid(), "text": "A fair note"} | over


def response(**over: Any) -> Callable[[dict], dict]:
    return lambda ids: {"client_id": cid(), "group_id": GROUP, "member": "Dr Jones",
                        "text": "We will see", "stance": "consider"} | over


def fixed(value: Any) -> Callable[[dict], Any]:
    return lambda ids: value


# (case id, role, event, payload(ids), expected code or None for ok)
TABLE: list[tuple[str, str, str, Callable[[dict], Any], str | None]] = [
    ("payload-is-a-list", "participant", "note.add", fixed(["client_id", "text"]), "invalid"),
    ("payload-is-a-string", "participant", "note.add", fixed("hello"), "invalid"),
    ("payload-is-a-number", "participant", "note.add", fixed(42), "invalid"),
    ("no-payload-at-all", "participant", "note.add", fixed(None), "invalid"),
    ("client_id-missing", "participant", "note.add", fixed({"text": "A note"}), "invalid"),
    ("client_id-65-chars", "participant", "note.add", note(client_id="c" * 65), "invalid"),
    ("client_id-with-spaces", "participant", "note.add", note(client_id="my id"), "invalid"),
    ("client_id-not-a-string", "participant", "note.add", note(client_id=7), "invalid"),
    ("client_id-64-chars", "participant", "note.add", lambda ids: {
        "client_id": cid().replace("-", "") * 2, "text": "ok"}, None),
    ("text-missing", "participant", "note.add", lambda ids: {"client_id": cid()}, "invalid"),
    ("text-not-a-string", "participant", "note.add", note(text=123), "invalid"),
    ("text-a-list", "participant", "note.add", note(text=["a"]), "invalid"),
    ("text-empty", "participant", "note.add", note(text=""), "invalid"),
    ("text-whitespace-only", "participant", "note.add", note(text=" \t\n "), "invalid"),
    ("text-1001-chars", "participant", "note.add", note(text="x" * 1001), "too_large"),
    ("text-1000-chars", "participant", "note.add", note(text="x" * 1000), None),
    ("text-1000-chars-and-padding", "participant", "note.add",
     note(text="  " + "x" * 1000 + "  "), None),
    ("note_ids-not-a-list", "facilitator", "keypoint.add",
     lambda ids: {"client_id": cid(), "text": "A point", "note_ids": ids["note_id"]}, "invalid"),
    ("note_ids-of-numbers", "facilitator", "keypoint.add",
     lambda ids: {"client_id": cid(), "text": "A point", "note_ids": [1, 2]}, "invalid"),
    ("note_ids-unknown-note", "facilitator", "keypoint.add",
     lambda ids: {"client_id": cid(), "text": "A point", "note_ids": ["n_nope"]}, "not_found"),
    ("support-unknown-note", "participant", "note.support", fixed({"note_id": "n_nope"}),
     "not_found"),
    ("support-note_id-missing", "participant", "note.support", fixed({}), "invalid"),
    ("hide-unknown-note", "facilitator", "note.hide", fixed({"note_id": "n_nope"}), "not_found"),
    ("publish-unknown-keypoint", "facilitator", "keypoint.publish",
     fixed({"keypoint_id": "k_nope"}), "not_found"),
    ("agenda-unknown-slot", "lead", "agenda.start", fixed({"slot_id": "lunch"}), "not_found"),
    ("agenda-slot_id-not-a-string", "lead", "agenda.start", fixed({"slot_id": 3}), "invalid"),
    ("extend-0", "lead", "timer.extend", fixed({"seconds": 0}), "invalid"),
    ("extend-3601", "lead", "timer.extend", fixed({"seconds": 3601}), "invalid"),
    ("extend-minus-5", "lead", "timer.extend", fixed({"seconds": -5}), "invalid"),
    ("extend-1.5", "lead", "timer.extend", fixed({"seconds": 1.5}), "invalid"),
    ("extend-string-60", "lead", "timer.extend", fixed({"seconds": "60"}), "invalid"),
    ("extend-true", "lead", "timer.extend", fixed({"seconds": True}), "invalid"),
    ("extend-missing", "lead", "timer.extend", fixed({}), "invalid"),
    ("focus-without-group_id", "lead", "plenary.focus", fixed({}), "invalid"),
    ("focus-unknown-group", "lead", "plenary.focus", fixed({"group_id": "dentistry"}),
     "not_found"),
    ("focus-group_id-a-number", "lead", "plenary.focus", fixed({"group_id": 5}), "invalid"),
    ("response-bad-stance", "board", "response.log", response(stance="maybe"), "invalid"),
    ("response-stance-missing", "board", "response.log",
     lambda ids: {"client_id": cid(), "group_id": GROUP, "member": "Dr Jones",
                  "text": "We will see"}, "invalid"),
    ("response-decline-without-reason", "board", "response.log", response(stance="decline"),
     "invalid"),
    ("response-decline-blank-reason", "board", "response.log",
     response(stance="decline", reason="   "), "invalid"),
    ("response-member-61-chars", "board", "response.log", response(member="m" * 61),
     "too_large"),
    ("response-member-empty", "board", "response.log", response(member=""), "invalid"),
    ("response-unknown-group", "board", "response.log", response(group_id="dentistry"),
     "not_found"),
    ("response-text-1001-chars", "board", "response.log", response(text="x" * 1001),
     "too_large"),
    ("correction-unknown-response", "participant", "correction.submit",
     fixed({"client_id": UUID, "response_id": "r_nope", "text": "No"}), "not_found"),
    ("correction-bad-outcome", "board", "correction.resolve",
     lambda ids: {"correction_id": ids["correction_id"], "outcome": "rejected"}, "invalid"),
    ("correction-outcome-missing", "board", "correction.resolve",
     lambda ids: {"correction_id": ids["correction_id"]}, "invalid"),
    ("resolve-unknown-correction", "board", "correction.resolve",
     fixed({"correction_id": "c_nope", "outcome": "noted"}), "not_found"),
    ("sync-since-minus-1", "participant", "sync", fixed({"since": -1}), "invalid"),
    ("sync-since-x", "participant", "sync", fixed({"since": "x"}), "invalid"),
    ("sync-since-missing", "participant", "sync", fixed({}), "invalid"),
    ("sync-payload-a-list", "participant", "sync", fixed([0]), "invalid"),
    ("unknown-event", "participant", "note.delete", fixed({"note_id": "n_1"}), "invalid"),
    ("unknown-event-from-staff", "lead", "assembly.reset", fixed({}), "invalid"),
    ("server-to-client-event-name", "participant", "welcome", fixed({}), "invalid"),
]


def assert_error_ack(ack: Any, code: str) -> None:
    """Exactly {"ok": False, "error": {"code": code, "message": non-empty text}}."""
    assert isinstance(ack, dict) and set(ack) == {"ok", "error"}, ack
    assert ack["ok"] is False, ack
    err = ack["error"]
    assert isinstance(err, dict) and set(err) == {"code", "message"}, ack
    assert err["code"] in CODES, ack
    assert err["code"] == code, ack
    assert isinstance(err["message"], str) and err["message"].strip(), ack


class Actors:
    """One client per role, and things to act on; shared by a whole run of the table."""

    def __init__(self, clients: dict, ids: dict):
        self.clients = clients
        self.ids = ids

    @classmethod
    async def make(cls, server, connect) -> "Actors":
        clients = {
            "participant": await connect(server, "participant", GROUP, name="Ann"),
            "facilitator": await connect(server, "facilitator", GROUP),
            "lead": await connect(server, "lead"),
            "board": await connect(server, "board"),
        }
        lead = clients["lead"]
        ack = await clients["participant"].call("note.add", {"client_id": cid(), "text": "Note"})
        rid = (await lead.call("response.log", {
            "client_id": cid(), "group_id": GROUP, "member": "Dr Jones",
            "text": "We will", "stance": "commit"}))["response_id"]
        corr = await clients["participant"].call("correction.submit", {
            "client_id": cid(), "response_id": rid, "text": "Not quite"})
        # A slot runs, so a bad timer.extend is refused for its value, not its timing.
        for slot in ("welcome", "close"):
            if (await lead.call("agenda.start", {"slot_id": slot}))["ok"]:
                break
        return cls(clients, {"note_id": ack["note_id"], "response_id": rid,
                             "correction_id": corr["correction_id"]})

    async def run(self, role: str, event: str, make_payload: Callable[[dict], Any]) -> Any:
        return await self.clients[role].call(event, make_payload(self.ids))


def check(ack: Any, code: str | None) -> None:
    if code is None:
        assert isinstance(ack, dict) and ack.get("ok") is True, ack
    else:
        assert_error_ack(ack, code)


@pytest.mark.parametrize("case,role,event,make_payload,code", TABLE,
                         ids=[f"{row[0]}-{row[4] or 'ok'}" for row in TABLE])
async def test_bad_input_gets_its_error_code(server, connect, case, role, event, make_payload,
                                             code):
    actors = await Actors.make(server, connect)
    check(await actors.run(role, event, make_payload), code)


LONE_SURROGATE = "\ud800"  # valid JSON ("\\ud800"), but no Unicode text: it cannot be stored


@pytest.mark.parametrize("role,event,make_payload", [
    ("participant", "note.add", note(text="Broken emoji " + LONE_SURROGATE)),
    ("board", "response.log", response(member="Dr " + LONE_SURROGATE)),
], ids=["note-text", "response-member"])
async def test_text_that_is_not_unicode_is_invalid(server, connect, role, event, make_payload):
    actors = await Actors.make(server, connect)
    assert_error_ack(await actors.run(role, event, make_payload), "invalid")


@pytest.mark.parametrize("name", ["disconnect", "connect", "*"])
async def test_an_event_named_like_a_reserved_handler_is_an_unknown_event(server, connect, name):
    p = await connect(server, "participant", GROUP, name="Ann")
    try:
        ack = await p.sio.call(name, {}, timeout=3)
    except socketio.exceptions.TimeoutError:
        ack = None
    assert_error_ack(ack, "invalid")
    ack = await p.call("note.add", {"client_id": cid(), "text": "Still me"})
    assert ack["ok"] is True, ack


async def test_the_connection_and_server_survive_the_whole_table(server, connect):
    actors = await Actors.make(server, connect)
    for case, role, event, make_payload, code in TABLE:
        ack = await actors.run(role, event, make_payload)
        try:
            check(ack, code)
        except AssertionError as exc:
            raise AssertionError(f"case {case}: {exc}") from None
    for role, client in actors.clients.items():
        assert client.sio.connected, role
        sync = await client.call("sync", {"since": 0})
        assert sync["ok"] is True and isinstance(sync["last_seq"], int), (role, sync)
    assert httpx.get(f"{server.url}/healthz", timeout=5).status_code == 200


async def test_a_refused_write_logs_nothing(server, connect):
    actors = await Actors.make(server, connect)
    lead = actors.clients["lead"]
    before = (await lead.call("sync", {"since": 0}))["last_seq"]
    for case, role, event, make_payload, code in TABLE:
        if code is not None:
            await actors.run(role, event, make_payload)
    assert (await lead.call("sync", {"since": 0}))["last_seq"] == before


async def test_text_is_stored_trimmed_but_otherwise_as_given(server, connect):
    p = await connect(server, "participant", GROUP, name="Ann")
    text = "<b>bold</b> & \"quoted\"  twice"
    ack = await p.call("note.add", {"client_id": cid(), "text": f"  {text}\n"})
    assert ack["ok"] is True, ack
    ev = await p.wait_event("note.added", note_id=ack["note_id"])
    assert ev["data"]["text"] == text


# -- rate limits ---------------------------------------------------------------------


async def test_the_31st_note_in_a_minute_is_rate_limited_per_participant(server, connect):
    ann = await connect(server, "participant", GROUP, name="Ann")
    bob = await connect(server, "participant", GROUP, name="Bob")  # same group, same IP
    for i in range(30):
        ack = await ann.call("note.add", {"client_id": cid(), "text": f"Note {i}"})
        assert ack["ok"] is True, (i, ack)
    ack = await ann.call("note.add", {"client_id": cid(), "text": "One too many"})
    assert_error_ack(ack, "rate_limited")
    # Another participant behind the same Wi-Fi (same IP) is not held back.
    ack = await bob.call("note.add", {"client_id": cid(), "text": "My first note"})
    assert ack["ok"] is True, ack
    # And Ann's other work is not blocked: only new notes are.
    assert (await ann.call("sync", {"since": 0}))["ok"] is True


async def test_a_resent_note_does_not_count_against_the_rate_limit(server, connect):
    ann = await connect(server, "participant", GROUP, name="Ann")
    key = cid()
    first = await ann.call("note.add", {"client_id": key, "text": "Resent"})
    assert first["ok"] is True, first
    for _ in range(35):
        assert await ann.call("note.add", {"client_id": key, "text": "Resent"}) == first
    ack = await ann.call("note.add", {"client_id": cid(), "text": "A new one"})
    assert ack["ok"] is True, ack


async def test_staff_are_not_rate_limited_like_participants(server, connect):
    fac = await connect(server, "facilitator", GROUP)
    for i in range(31):
        ack = await fac.call("note.add", {"client_id": cid(), "text": f"Summary {i}"})
        assert ack["ok"] is True, (i, ack)


# -- oversized packets ---------------------------------------------------------------


@pytest.mark.parametrize("transport", ["websocket", "polling"])
async def test_a_packet_over_the_buffer_limit_does_not_hurt_the_server(fresh_server, connect,
                                                                      transport):
    big = await connect(fresh_server, "participant", GROUP, name="Big", transport=transport)
    answered: asyncio.Future = asyncio.get_running_loop().create_future()

    def settle(outcome: Any) -> None:
        if not answered.done():
            answered.set_result(outcome)

    big.sio.on("disconnect", lambda *reason: settle("disconnected"))
    await big.sio.emit("note.add", {"client_id": cid(), "text": "x" * 600_000},
                       callback=lambda ack=None: settle(ack))
    outcome = await asyncio.wait_for(answered, 15)
    # The server drops a client that sends too much, or refuses the note: never stores it.
    if outcome != "disconnected":
        assert outcome["ok"] is False and outcome["error"]["code"] in ("too_large", "invalid"), \
            outcome
    assert httpx.get(f"{fresh_server.url}/healthz", timeout=5).status_code == 200
    other = await connect(fresh_server, "participant", GROUP, name="Next")
    ack = await other.call("note.add", {"client_id": cid(), "text": "Still here"})
    assert ack["ok"] is True, ack
    sync = await other.call("sync", {"since": 0})
    assert sync["ok"] is True
    assert all(len(e["data"].get("text") or "") <= 1000 for e in sync["events"])

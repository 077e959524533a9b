"""Generated hostile payloads (Hypothesis) against the real server, a smaller run than
test_hostile_domain.py: every call gets a well-formed ack with a contract code, the
server logs no traceback, and a fold of its exported log equals what it serves."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import Client, Server
from test_hostile_domain import FIELDS, HOSTILE, PLAIN
from townhall import commands, report
from townhall.state import Viewer

CODES = {*commands.CODES, "unavailable"}
ROLES = ("participant", "facilitator", "lead", "organiser", "board")


class Drive:
    """A real server and one client per role, on an event loop of their own, so that
    Hypothesis (which calls the test synchronously) can send through them."""

    def __init__(self, tmp) -> None:
        self.srv = Server(tmp / "hostile").start()
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        self.clients: dict[str, Client] = {}
        for role in ROLES:
            auth = ({"join_code": self.srv.token("join", "access"), "name": "Pat"} if role == "participant"
                    else {"token": self.srv.token(role, "access" if role == "facilitator" else None)})
            self.clients[role] = self.run(Client().connect(self.srv.url, auth))
        lead = self.clients["lead"]
        note = self.run(lead.call("note.add", {"client_id": "seed-n", "group_id": "access", "text": "seed"}))
        self.ids = {"note_id": [note["note_id"]], "group_id": ["access", "self-care"],
                    "slot_id": ["welcome", "issue-groups"]}

    def run(self, coro, timeout: float = 30):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        for c in self.clients.values():
            self.run(c.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.srv.stop()


@pytest.fixture(scope="module")
def drive(tmp_path_factory):
    d = Drive(tmp_path_factory.mktemp("hostile"))
    yield d
    d.close()


@st.composite
def calls(draw, ids):
    name = draw(st.sampled_from(sorted(commands.COMMANDS)))
    role = draw(st.sampled_from(ROLES))
    if draw(st.booleans()):
        payload = draw(HOSTILE)
    else:
        payload = {}
        for key in FIELDS[name]:
            real = ids.get(key)
            payload[key] = draw(st.one_of(st.sampled_from(real) if real else PLAIN.get(key, HOSTILE), HOSTILE))
    return name, role, payload


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(data=st.data())
def test_hostile_calls_get_well_formed_acks(drive, data):
    name, role, payload = data.draw(calls(drive.ids))
    try:
        size = len(json.dumps(payload, allow_nan=False))
    except ValueError:
        payload, size = None, 4  # NaN is not JSON: no client can send it
    # A packet over the server's limit closes its connection (test_bad_input.py covers it).
    assume(size < 200_000)
    ack = drive.run(drive.clients[role].call(name, payload))
    assert isinstance(ack, dict) and isinstance(ack.get("ok"), bool), ack
    if not ack["ok"]:
        assert set(ack) == {"ok", "error"} and ack["error"]["code"] in CODES, ack
        assert isinstance(ack["error"]["message"], str) and ack["error"]["message"].strip()
    else:
        assert isinstance(ack.get("seq"), int), ack


def test_the_server_survived_and_its_state_is_a_fold_of_its_log(drive):
    """Runs after the generated calls (pytest keeps file order)."""
    lead = drive.clients["lead"]
    assert drive.run(lead.call("time"))["ok"]
    log_text = (drive.srv.data_dir.parent / f"server-{drive.srv.port}.log").read_text()
    assert "Traceback" not in log_text, log_text[-3000:]
    served = drive.run(Client().connect(drive.srv.url, {"token": drive.srv.token("lead")})).welcome
    exported = [json.loads(line) for line in drive.srv.cli("export", "--format", "jsonl").stdout.splitlines()]
    for e in exported:
        e.pop("time")
    state = report.fold(exported)
    assert state.last_seq == served["last_seq"]
    folded = state.snapshot(Viewer("lead", "lead", "Lead facilitator"))
    assert json.loads(json.dumps(folded)) == served["snapshot"]

"""CONTRACT §11 through the real server: staff links that can be replaced, a budget for
failed connection attempts per address, names that stay in the room (pseudonymised
exports, a record that names no one, `forget`), and connections that hold a slot
without using it."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import socket
import subprocess
import sys
import time

import httpx
import pytest
import socketio

from conftest import Client, Server, cid, townhall


def code_of(client: Client):
    """The code a refused connection was given (connect error data)."""
    err = client.connect_error
    if not isinstance(err, dict):
        return None
    data = err.get("data") if isinstance(err.get("data"), dict) else err
    return data.get("code")


async def test_rotating_a_staff_link(fresh_server, connect):
    srv = fresh_server
    organiser = await connect(srv, "organiser")
    lead = await connect(srv, "lead")
    revoked = []
    lead.sio.on("revoked", revoked.append)
    old = srv.token("lead")
    ack = await organiser.call("token.rotate", {"role": "lead"})
    assert ack["ok"] and ack["url"].rsplit("/", 1)[1] != old and "/lead/" in ack["url"]
    new = ack["url"].rsplit("/", 1)[1]
    await lead.wait(lambda: bool(revoked) and not lead.sio.connected, timeout=10)
    assert "replaced" in revoked[0]["message"]
    e = await organiser.wait_event("token.rotated")
    assert e["data"] == {"role": "lead", "group_id": None}
    assert httpx.get(f"{srv.url}/lead/{old}").status_code == 404
    assert httpx.get(f"{srv.url}/lead/{new}").status_code == 200
    again = Client()
    with pytest.raises(socketio.exceptions.ConnectionError):
        await again.sio.connect(srv.url, auth={"token": old}, transports=["websocket"], wait_timeout=5)
    back = await Client().connect(srv.url, {"token": new})
    assert back.welcome["role"] == "lead"
    await back.close()
    # A facilitator's link, per group; the other groups' links stay.
    keep = srv.token("facilitator", "self-care")
    fac_ack = await organiser.call("token.rotate", {"role": "facilitator", "group_id": "access"})
    assert fac_ack["ok"] and "/facilitator/" in fac_ack["url"]
    assert httpx.get(f"{srv.url}/facilitator/{keep}").status_code == 200
    # The secrets never enter the log.
    log = srv.cli("export", "--format", "jsonl").stdout
    assert new not in log and fac_ack["url"].rsplit("/", 1)[1] not in log
    for bad, code in (({"role": "organiser"}, "invalid"), ({"role": "king"}, "invalid"),
                      ({"role": "facilitator"}, "invalid"), ({"role": "facilitator", "group_id": "nope"}, "not_found"),
                      ({"role": "lead", "group_id": "access"}, "invalid")):
        assert (await organiser.call("token.rotate", bad))["error"]["code"] == code, bad
    new_lead = await Client().connect(srv.url, {"token": new})
    assert (await new_lead.call("token.rotate", {"role": "board"}))["error"]["code"] == "forbidden"
    await new_lead.close()


async def test_a_lost_organiser_link_replaced_from_the_command_line(fresh_server, connect):
    srv = fresh_server
    organiser = await connect(srv, "organiser")
    revoked = []
    organiser.sio.on("revoked", revoked.append)
    old = srv.token("organiser")
    out = srv.cli("links", "--rotate", "organiser", "--base-url", srv.url, "--json")
    assert out.returncode == 0, out.stderr
    new = json.loads(out.stdout)["organiser"].rsplit("/", 1)[1]
    assert new != old
    await organiser.wait(lambda: bool(revoked) and not organiser.sio.connected, timeout=10)
    assert httpx.get(f"{srv.url}/organiser/{old}").status_code == 404
    assert httpx.get(f"{srv.url}/organiser/{new}").status_code == 200
    assert httpx.get(f"{srv.url}/export/events.jsonl",
                     headers={"Authorization": f"Bearer {old}"}).status_code == 403


async def test_guessing_is_refused_but_valid_codes_get_in(fresh_server):
    srv = fresh_server
    codes = []
    for i in range(34):
        c = Client()
        with pytest.raises(socketio.exceptions.ConnectionError):
            await c.sio.connect(srv.url, auth={"join_code": f"guess-{i:04d}-xxxxxxxx", "name": "G"},
                                transports=["websocket"], wait_timeout=5)
        codes.append(code_of(c))
        await c.close()
    assert codes[:30] == ["bad_join_code"] * 30
    assert set(codes[30:]) == {"rate_limited"}, codes[28:]
    # The same address (a venue's Wi-Fi): valid codes and tokens still get in.
    phone = await Client().connect(srv.url, {"join_code": srv.token("join", "access"), "name": "Real"})
    lead = await Client().connect(srv.url, {"token": srv.token("lead")})
    again = await Client().connect(srv.url, {"token": phone.welcome["token"]})
    for c in (phone, lead, again):
        assert c.welcome is not None
        await c.close()
    bad_token = Client()
    with pytest.raises(socketio.exceptions.ConnectionError):
        await bad_token.sio.connect(srv.url, auth={"token": "x" * 22}, transports=["websocket"], wait_timeout=5)
    assert code_of(bad_token) == "rate_limited"


async def _day_with_names(srv, connect):
    ann = await connect(srv, "participant", "access", name="Annabel Quist")
    bob = await connect(srv, "participant", "access", name="Bob Marchetti")
    board = await connect(srv, "board")
    note = (await ann.call("note.add", {"client_id": cid(), "text": "Evening clinics"}))["note_id"]
    await bob.call("note.support", {"note_id": note})
    await bob.call("note.add", {"client_id": cid(), "text": "Phone lines"})
    r = (await board.call("response.log", {"client_id": cid(), "group_id": "access", "member": "Dame Anne",
                                           "text": "We will look", "stance": "consider"}))["response_id"]
    await ann.call("correction.submit", {"client_id": cid(), "response_id": r, "text": "We said evenings"})
    return ann, bob


async def test_exports_keep_names_in_the_room(sqlite_server, connect):
    srv = sqlite_server
    ann, bob = await _day_with_names(srv, connect)
    names = ("Annabel", "Quist", "Bob", "Marchetti")
    jsonl = srv.cli("export", "--format", "jsonl", "--pseudonymise").stdout
    csv_text = srv.cli("export", "--format", "csv", "--pseudonymise").stdout
    for text in (jsonl, csv_text):
        assert not any(n in text for n in names)
    events = [json.loads(line) for line in jsonl.splitlines()]
    label = {e["data"]["participant_id"]: e["data"]["name"] for e in events if e["type"] == "participant.joined"}
    assert label[ann.welcome["participant_id"]] != label[bob.welcome["participant_id"]]
    for e in events:  # one person, one label, everywhere
        if e["actor"].get("role") == "participant" and e["actor"].get("name"):
            assert e["actor"]["name"] == label[e["actor"]["id"]]
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert {r["actor_name"] for r in rows if r["actor_role"] == "participant"} == set(label.values())
    # The published record names no participant unless asked.
    html = srv.cli("export", "--format", "html").stdout
    assert not any(n in html for n in names) and "Participant 1" in html
    assert "Annabel Quist" in srv.cli("export", "--format", "html", "--names").stdout
    assert "Annabel Quist" in srv.cli("export", "--format", "jsonl").stdout, "the raw log is the organiser's"
    auth = {"Authorization": f"Bearer {srv.token('organiser')}"}
    assert "Annabel" not in httpx.get(f"{srv.url}/export/report.html", headers=auth).text
    assert "Annabel" in httpx.get(f"{srv.url}/export/report.html?names=1", headers=auth).text
    assert "Annabel" not in httpx.get(f"{srv.url}/export/events.csv?pseudonymise=1", headers=auth).text
    assert srv.cli("export", "--format", "csv", "--names").returncode != 0


async def test_forget_after_the_day(tmp_path, connect):
    srv = Server(tmp_path / "d").start()
    ann, _ = await _day_with_names(srv, connect)
    token = ann.welcome["token"]
    before = [json.loads(line) for line in srv.cli("export", "--format", "jsonl").stdout.splitlines()]
    await ann.close()
    srv.stop()
    no = subprocess.run([sys.executable, "-m", "townhall", "forget", "--data-dir", str(srv.data_dir)],
                        input="no\n", capture_output=True, text=True, timeout=30)
    assert no.returncode != 0 and "nothing was changed" in no.stderr
    assert "Annabel" in srv.cli("export", "--format", "jsonl").stdout
    out = townhall("forget", "--data-dir", str(srv.data_dir), "--yes")
    assert out.returncode == 0, out.stderr
    after = [json.loads(line) for line in srv.cli("export", "--format", "jsonl").stdout.splitlines()]
    assert len(after) == len(before) and [e["type"] for e in after] == [e["type"] for e in before]
    assert "Annabel" not in json.dumps(after) and "Marchetti" not in json.dumps(after)
    assert "Evening clinics" in json.dumps(after), "the record is kept"
    srv.start()
    gone = Client()
    with pytest.raises(socketio.exceptions.ConnectionError):
        await gone.sio.connect(srv.url, auth={"token": token}, transports=["websocket"], wait_timeout=5)
    lead = await connect(srv, "lead")
    assert "Annabel" not in json.dumps(lead.welcome["snapshot"])
    srv.stop()


async def test_silent_and_slow_connections_are_dropped(tmp_path, connect):
    srv = Server(tmp_path / "d", env={"TOWNHALL_AUTH_TIMEOUT_S": "2", "TOWNHALL_HEADER_TIMEOUT_S": "2"}).start()
    try:
        # A socket that sends half a request and then nothing.
        slow = socket.create_connection(("127.0.0.1", srv.port))
        slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        # A transport that opens but never authenticates (engine.io only).
        import websockets
        ws = await websockets.connect(f"ws://127.0.0.1:{srv.port}/socket.io/?EIO=4&transport=websocket")
        opened = await ws.recv()
        assert opened.startswith("0{")
        # Meanwhile a real phone is served at once.
        phone = await connect(srv, "participant", "access", name="Real")
        assert (await phone.call("note.add", {"client_id": cid(), "text": "still here"}))["ok"]
        started = time.monotonic()
        slow.settimeout(10)
        assert slow.recv(100) == b"", "the half-sent request is closed"
        assert time.monotonic() - started < 8
        with pytest.raises(websockets.ConnectionClosed):
            while True:  # pings are answered by nobody here; the server closes it first
                await asyncio.wait_for(ws.recv(), 8)
        assert phone.sio.connected, "the real phone stays"
    finally:
        slow.close()
        srv.stop()

"""An acknowledged write survives a killed server; a restart never resets the day."""

from __future__ import annotations

import json

from conftest import Client, cid, townhall


async def test_acked_event_survives_sigkill_and_links_stay(fresh_server, connect):
    srv = fresh_server
    links_before = srv.links()
    p = await connect(srv, "participant", "young-people", name="Kai")
    token = p.welcome["token"]
    ack = await p.call("note.add", {"client_id": cid(), "text": "School nurses matter"})
    assert ack["ok"]
    srv.kill()  # right after the ack: no shutdown hook runs

    out = srv.cli("links", "--base-url", srv.url, "--json")
    assert json.loads(out.stdout) == links_before
    srv.start()
    back = await Client().connect(srv.url, {"token": token})
    try:
        notes = back.welcome["snapshot"]["notes"]
        assert [n["id"] for n in notes] == [ack["note_id"]]
        assert notes[0]["seq"] == ack["seq"]
        # The same client_id after the restart still returns the first result.
        again = await back.call("note.add", {"client_id": "x", "text": "new"})
        assert again["ok"] and again["seq"] == ack["seq"] + 1
    finally:
        await back.close()


async def test_restart_with_another_assembly_keeps_the_day(fresh_server, tmp_path):
    srv = fresh_server
    srv.stop()
    other = tmp_path / "other.toml"
    other.write_text('title = "Other"\n[[groups]]\nid = "a"\nname = "A"\n'
                     '[[agenda]]\nid = "s"\ntitle = "S"\nminutes = 5\nkind = "welcome"\n')
    srv.assembly = str(other)
    srv.start()
    c = await Client().connect(srv.url, {"token": srv.token("lead")})
    try:
        assert c.welcome["snapshot"]["assembly"]["title"].startswith("NHS Citizen")
    finally:
        await c.close()


async def test_idempotent_client_id_survives_restart(fresh_server, connect):
    srv = fresh_server
    lead = await connect(srv, "lead")
    key = cid()
    first = await lead.call("response.log", {"client_id": key, "group_id": "access",
                                             "member": "Chair", "text": "Yes",
                                             "stance": "commit"})
    srv.kill()
    srv.start()
    lead2 = await connect(srv, "lead")
    again = await lead2.call("response.log", {"client_id": key, "group_id": "access",
                                              "member": "Chair", "text": "Yes",
                                              "stance": "commit"})
    assert again == first
    sync = await lead2.call("sync", {"since": 0})
    assert len([e for e in sync["events"] if e["type"] == "response.logged"]) == 1

"""CONTRACT §8, shaping the day while it runs, through the real server: every event, who
may send it, bad payloads, live delivery, restarts, `--title` and the TOML round trip."""

from __future__ import annotations

import json
import tomllib

import httpx
import pytest

from conftest import Client, Server, cid, townhall

PACK = """# Access to services

1. Same-day appointments
2. Evening clinics

| Service | Wait |
|---|---|
| GP | 2 weeks |

> Patients said: "we cannot get through on the phone".
"""


def links_of(srv: Server) -> dict:
    out = srv.cli("links", "--base-url", srv.url, "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


async def test_assembly_update(server, connect):
    organiser = await connect(server, "organiser")
    screen = await connect(server, "screen")
    ack = await organiser.call("assembly.update", {"title": "  NHS Citizen Assembly, day two ",
                                                   "date": "2014-09-18"})
    assert ack["ok"]
    e = await screen.wait_event("assembly.updated")
    assert e["data"] == {"title": "NHS Citizen Assembly, day two", "date": "2014-09-18"}
    assert (await organiser.call("assembly.update", {"date": None}))["ok"]
    late = await connect(server, "screen")
    got = late.welcome["snapshot"]["assembly"]
    assert (got["title"], got["date"]) == ("NHS Citizen Assembly, day two", None)
    for bad, code in (({}, "invalid"), ({"title": ""}, "invalid"), ({"title": "x" * 201}, "too_large"),
                      ({"date": "2014-02-30"}, "invalid"), ({"date": "18 Sept"}, "invalid"),
                      ({"title": 5}, "invalid"), (["title"], "invalid")):
        ack = await organiser.call("assembly.update", bad)
        assert ack["error"]["code"] == code, (bad, ack)


async def test_group_add_gives_links_at_once(fresh_server, connect):
    srv = fresh_server
    organiser = await connect(srv, "organiser")
    screen = await connect(srv, "screen")
    lead = await connect(srv, "lead")
    member = await connect(srv, "participant", "access", name="Ann")
    codes, links = [], []
    screen.sio.on("join", codes.append)
    organiser.sio.on("links", links.append)

    request = {"client_id": cid(), "name": "Carers' health", "info_pack": PACK}
    ack = await organiser.call("group.add", request)
    assert ack["ok"] and ack["group_id"] == "carers-health"
    assert await organiser.call("group.add", request) == ack  # idempotent by client_id
    gid = ack["group_id"]

    added = await screen.wait_event("group.added", group_id=gid)
    assert added["data"]["name"] == "Carers' health" and "info_pack" not in added["data"]
    await member.wait_event("group.added", group_id=gid)
    # The pack goes to the group's viewers (lead, organiser), not to every phone.
    pack = await lead.wait_event("group.updated", group_id=gid)
    assert pack["data"]["info_pack"] == PACK
    await screen.wait(lambda: bool(codes) and gid in codes[-1])
    await organiser.wait(lambda: bool(links) and gid in links[-1]["facilitators"])
    assert not screen.seen("group.updated") and not member.seen("group.updated")

    # The new links work at once: the QR page, a participant joining, the facilitator.
    printed = links_of(srv)
    assert gid in printed["join"] and gid in printed["facilitators"]
    assert printed["join"][gid].endswith(codes[-1][gid])
    assert httpx.get(printed["join"][gid]).status_code == 200
    assert httpx.get(printed["join"][gid] + "/qr.svg").status_code == 200
    assert httpx.get(printed["facilitators"][gid]).status_code == 200
    newcomer = await Client().connect(srv.url, {"join_code": printed["join"][gid].rsplit("/", 1)[1],
                                                "name": "Bea"})
    try:
        snap = newcomer.welcome["snapshot"]
        assert newcomer.welcome["group_id"] == gid
        assert {"id": gid, "name": "Carers' health", "info_pack": PACK, "joined": 1} in snap["groups"]
        assert (await newcomer.call("note.add", {"client_id": cid(), "text": "respite care"}))["ok"]
    finally:
        await newcomer.close()
    fac = await Client().connect(srv.url, {"token": printed["facilitators"][gid].rsplit("/", 1)[1]})
    try:
        assert fac.welcome["role"] == "facilitator" and fac.welcome["group_id"] == gid
        assert [n["text"] for n in fac.welcome["snapshot"]["notes"]] == ["respite care"]
    finally:
        await fac.close()
    # Without a pack, one event; a second group of the same name gets its own id.
    again = await organiser.call("group.add", {"client_id": cid(), "name": "Carers’ health"})
    assert again["ok"] and again["group_id"] == "carers-health-2"
    arabic = await organiser.call("group.add", {"client_id": cid(), "name": "صحة مقدمي الرعاية"})
    assert arabic["ok"] and arabic["group_id"].startswith("group-")


async def test_group_update(server, connect):
    organiser = await connect(server, "organiser")
    screen = await connect(server, "screen")
    member = await connect(server, "participant", "young-people", name="Kit")
    outsider = await connect(server, "participant", "access", name="Out")
    ack = await organiser.call("group.update", {"group_id": "young-people",
                                                "name": "Young people's health", "info_pack": PACK})
    assert ack["ok"]
    renamed = await screen.wait_event("group.updated", group_id="young-people")
    assert renamed["data"]["name"] == "Young people's health" and "info_pack" not in renamed["data"]
    await outsider.wait_event("group.updated", group_id="young-people")
    await member.wait(lambda: any("info_pack" in e["data"] for e in member.seen("group.updated")))
    packed = [e for e in member.seen("group.updated") if "info_pack" in e["data"]]
    assert packed[0]["data"]["info_pack"] == PACK
    assert not [e for e in screen.seen("group.updated") if "info_pack" in e["data"]]
    assert not [e for e in outsider.seen("group.updated") if "info_pack" in e["data"]]
    # A pack can be emptied; a restarted phone sees it all in its snapshot.
    assert (await organiser.call("group.update", {"group_id": "young-people", "info_pack": ""}))["ok"]
    late = await connect(server, "participant", "young-people", name="Lou")
    g = next(g for g in late.welcome["snapshot"]["groups"] if g["id"] == "young-people")
    assert g["name"] == "Young people's health" and g["info_pack"] is None
    for bad, code in (({"group_id": "young-people"}, "invalid"),
                      ({"group_id": "nope", "name": "x"}, "not_found"),
                      ({"group_id": "young-people", "name": "x" * 121}, "too_large"),
                      ({"group_id": "young-people", "name": "  "}, "invalid"),
                      ({"group_id": "young-people", "info_pack": "x" * 50_001}, "too_large"),
                      ({"group_id": "young-people", "info_pack": 7}, "invalid")):
        assert (await organiser.call("group.update", bad))["error"]["code"] == code, bad
    big = await organiser.call("group.update", {"group_id": "young-people", "info_pack": "é" * 50_000})
    assert big["ok"], "a pack of 50,000 characters fits, whatever the script"


async def test_slots_add_update_move_remove(fresh_server, connect):
    srv = fresh_server
    lead = await connect(srv, "lead")
    screen = await connect(srv, "screen")
    phone = await connect(srv, "participant", "access", name="Ann")
    ids = lambda c: [s["id"] for s in c.welcome["snapshot"]["agenda"]]  # noqa: E731
    before = ids(lead)

    first = await lead.call("slot.add", {"client_id": cid(), "title": "Coffee on arrival",
                                         "minutes": 15, "kind": "break", "after": None})
    assert first["ok"] and first["slot_id"] == "coffee-on-arrival"
    mid = await lead.call("slot.add", {"client_id": cid(), "title": "Plenary: Access, again",
                                       "minutes": 20, "kind": "plenary", "group_id": "access",
                                       "after": before[1]})
    last = await lead.call("slot.add", {"client_id": cid(), "title": "Evaluation",
                                        "minutes": 10, "kind": "close"})
    e = await phone.wait_event("slot.added", slot_id=mid["slot_id"])
    assert e["data"]["group_id"] == "access" and e["data"]["after"] == before[1]

    agenda = [first["slot_id"], before[0], before[1], mid["slot_id"], *before[2:], last["slot_id"]]
    late = await connect(srv, "screen")
    assert ids(late) == agenda

    assert (await lead.call("slot.move", {"slot_id": last["slot_id"], "after": None}))["ok"]
    assert (await lead.call("slot.move", {"slot_id": first["slot_id"], "after": before[-1]}))["ok"]
    assert (await lead.call("slot.update", {"slot_id": mid["slot_id"], "title": "Access: the reply",
                                            "kind": "group_work"}))["ok"]
    upd = await screen.wait_event("slot.updated", slot_id=mid["slot_id"])
    assert upd["data"]["group_id"] is None, "no longer a plenary: it presents no group"
    assert (await lead.call("slot.remove", {"slot_id": mid["slot_id"]}))["ok"]
    await screen.wait_event("slot.removed", slot_id=mid["slot_id"])
    late = await connect(srv, "participant", "access", name="Bo")
    want = [last["slot_id"], *before, first["slot_id"]]
    assert ids(late) == want
    slot = {s["id"]: s for s in late.welcome["snapshot"]["agenda"]}[last["slot_id"]]
    assert slot == {"id": last["slot_id"], "title": "Evaluation", "minutes": 10, "kind": "close",
                    "group_id": None}

    # A started slot stays: the record needs it.
    assert (await lead.call("agenda.start", {"slot_id": last["slot_id"]}))["ok"]
    refused = await lead.call("slot.remove", {"slot_id": last["slot_id"]})
    assert refused["error"]["code"] == "conflict"
    await lead.call("agenda.start", {"slot_id": first["slot_id"]})
    assert (await lead.call("slot.remove", {"slot_id": last["slot_id"]}))["error"]["code"] == "conflict"

    # Restarted, the day keeps its shape.
    srv.stop()
    srv.start()
    again = await connect(srv, "lead")
    assert ids(again) == want


async def test_lengthening_the_running_slot_moves_its_end_everywhere(server, connect):
    lead = await connect(server, "lead")
    screen = await connect(server, "screen")
    slot = lead.welcome["snapshot"]["agenda"][0]
    start = await lead.call("agenda.start", {"slot_id": slot["id"]})
    started = await screen.wait_event("agenda.started", slot_id=slot["id"])
    assert (await lead.call("slot.update", {"slot_id": slot["id"], "minutes": slot["minutes"] + 10}))["ok"]
    e = await screen.wait_event("slot.updated", slot_id=slot["id"])
    assert e["data"]["ends_at"] == started["data"]["ends_at"] + 600_000
    late = await connect(server, "screen")
    snap = late.welcome["snapshot"]
    assert snap["timer"]["ends_at"] == started["data"]["ends_at"] + 600_000
    assert snap["runs"][-1]["planned_ms"] == (slot["minutes"] + 10) * 60_000
    # Paused: the time left changes instead.
    await lead.call("timer.pause")
    paused = (await connect(server, "lead")).welcome["snapshot"]["timer"]["remaining_ms"]
    assert (await lead.call("slot.update", {"slot_id": slot["id"], "minutes": 1}))["ok"]
    await screen.wait(lambda: any("remaining_ms" in x["data"] for x in screen.seen("slot.updated")))
    e = [x for x in screen.seen("slot.updated") if "remaining_ms" in x["data"]][0]
    assert e["data"]["remaining_ms"] == paused - (slot["minutes"] + 10 - 1) * 60_000
    await lead.call("timer.resume")
    assert start["ok"]


async def test_who_may_shape_the_day(server, connect):
    organiser = await connect(server, "organiser")
    lead = await connect(server, "lead")
    board = await connect(server, "board")
    screen = await connect(server, "screen")
    fac = await connect(server, "facilitator", "access")
    member = await connect(server, "participant", "access", name="Pip")
    slot_id = organiser.welcome["snapshot"]["agenda"][-1]["id"]
    calls = {
        "assembly.update": {"title": "T"},
        "group.add": {"client_id": cid(), "name": "New"},
        "group.update": {"group_id": "access", "name": "Access"},
        "slot.add": {"client_id": cid(), "title": "S", "minutes": 5, "kind": "break"},
        "slot.update": {"slot_id": slot_id, "title": "Close and thanks"},
        "slot.move": {"slot_id": slot_id, "after": None},
    }
    lead_may = {"slot.add", "slot.update", "slot.move"}
    for name, payload in calls.items():
        for who in (board, screen, fac, member):
            ack = await who.call(name, payload)
            assert ack["error"]["code"] == "forbidden", (name, who.welcome["role"])
        ack = await lead.call(name, {**payload, **({"client_id": cid()} if "client_id" in payload else {})})
        assert ack["ok"] if name in lead_may else ack["error"]["code"] == "forbidden", (name, ack)
        ack = await organiser.call(name, {**payload, **({"client_id": cid()} if "client_id" in payload else {})})
        assert ack["ok"], (name, ack)


@pytest.mark.parametrize("payload, code", [
    ({"title": "S", "minutes": 5, "kind": "break"}, "invalid"),  # no client_id
    ({"client_id": "c", "title": "", "minutes": 5, "kind": "break"}, "invalid"),
    ({"client_id": "c", "title": "x" * 121, "minutes": 5, "kind": "break"}, "too_large"),
    ({"client_id": "c", "title": "S", "minutes": 0, "kind": "break"}, "invalid"),
    ({"client_id": "c", "title": "S", "minutes": 601, "kind": "break"}, "invalid"),
    ({"client_id": "c", "title": "S", "minutes": "5", "kind": "break"}, "invalid"),
    ({"client_id": "c", "title": "S", "minutes": True, "kind": "break"}, "invalid"),
    ({"client_id": "c", "title": "S", "minutes": 5, "kind": "lunch"}, "invalid"),
    ({"client_id": "c", "title": "S", "minutes": 5, "kind": "break", "group_id": "access"}, "invalid"),
    ({"client_id": "c", "title": "S", "minutes": 5, "kind": "plenary", "group_id": "nope"}, "not_found"),
    ({"client_id": "c", "title": "S", "minutes": 5, "kind": "break", "after": "nope"}, "not_found"),
    ({"client_id": "c", "title": "S", "minutes": 5, "kind": "break", "after": 3}, "invalid"),
])
async def test_bad_slot_payloads(server, connect, payload, code):
    lead = await connect(server, "lead")
    ack = await lead.call("slot.add", payload)
    assert ack["error"]["code"] == code, ack
    assert ack["error"]["message"]


async def test_bad_slot_changes(server, connect):
    lead = await connect(server, "lead")
    agenda = lead.welcome["snapshot"]["agenda"]
    sid = agenda[1]["id"]
    for name, payload, code in (
            ("slot.update", {"slot_id": sid}, "invalid"),
            ("slot.update", {"slot_id": "nope", "title": "x"}, "not_found"),
            ("slot.update", {"slot_id": sid, "minutes": 0}, "invalid"),
            ("slot.move", {"slot_id": sid}, "invalid"),
            ("slot.move", {"slot_id": sid, "after": sid}, "invalid"),
            ("slot.move", {"slot_id": sid, "after": "nope"}, "not_found"),
            ("slot.remove", {"slot_id": "nope"}, "not_found"),
            ("slot.remove", {}, "invalid")):
        ack = await lead.call(name, payload)
        assert ack["error"]["code"] == code, (name, payload, ack)


async def test_blank_assembly_with_title_then_toml_round_trip(tmp_path, connect):
    srv = Server(tmp_path / "blank", extra=["--title", "Citizens' jury on  the river"]).start()
    try:
        organiser = await connect(srv, "organiser")
        snap = organiser.welcome["snapshot"]
        assert snap["assembly"]["title"] == "Citizens' jury on  the river"
        assert snap["groups"] == [] and snap["agenda"] == [] and links_of(srv)["join"] == {}
        await organiser.call("assembly.update", {"date": "2027-05-01"})
        g1 = (await organiser.call("group.add", {"client_id": cid(), "name": "Flooding",
                                                 "info_pack": PACK + '\n"""triple""" and \\ slash\n'}))["group_id"]
        g2 = (await organiser.call("group.add", {"client_id": cid(), "name": "Wildlife"}))["group_id"]
        s1 = (await organiser.call("slot.add", {"client_id": cid(), "title": "Welcome", "minutes": 10,
                                                "kind": "welcome"}))["slot_id"]
        s2 = (await organiser.call("slot.add", {"client_id": cid(), "title": "Plenary: Wildlife",
                                                "minutes": 25, "kind": "plenary", "group_id": g2}))["slot_id"]
        await organiser.call("slot.add", {"client_id": cid(), "title": "Tables", "minutes": 60,
                                          "kind": "group_work", "after": s1})
        await organiser.call("slot.move", {"slot_id": s2, "after": None})
        expected = (await Client().connect(srv.url, {"token": srv.token("organiser")})).welcome["snapshot"]
        out = srv.cli("export", "--format", "toml", "-o", str(tmp_path / "day.toml"))
        assert out.returncode == 0, out.stderr
        text = (tmp_path / "day.toml").read_text()
        doc = tomllib.loads(text)
        assert doc["groups"][0]["info_pack_text"].startswith("# Access to services")
    finally:
        srv.stop()

    again = Server(tmp_path / "next-year", assembly=str(tmp_path / "day.toml")).start()
    try:
        got = (await connect(again, "organiser")).welcome["snapshot"]
        assert got["assembly"] == expected["assembly"]
        assert (got["assembly"]["title"], got["assembly"]["date"]) == ("Citizens' jury on  the river",
                                                                       "2027-05-01")
        strip = lambda gs: [{k: g[k] for k in ("id", "name", "info_pack")} for g in gs]  # noqa: E731
        assert strip(got["groups"]) == strip(expected["groups"])
        assert got["agenda"] == expected["agenda"]
        assert [s["id"] for s in got["agenda"]] == [s2, s1, "tables"]
        assert got["agenda"][0]["group_id"] == g2
        assert g1 == "flooding"
    finally:
        again.stop()


def test_title_and_assembly_together_is_an_error(tmp_path):
    out = townhall("serve", "--data-dir", str(tmp_path / "d"), "--title", "T", "--assembly", "x.toml")
    assert out.returncode != 0 and len(out.stderr.strip().splitlines()) == 1
    assert "--title" in out.stderr and "--assembly" in out.stderr
    out = townhall("serve", "--data-dir", str(tmp_path / "d"), "--title", "   ")
    assert out.returncode != 0 and "--title" in out.stderr and len(out.stderr.strip().splitlines()) == 1


async def test_the_record_shows_the_agenda_as_planned_and_as_changed(sqlite_server, connect):
    srv = sqlite_server
    lead = await connect(srv, "lead")
    organiser = await connect(srv, "organiser")
    await organiser.call("slot.add", {"client_id": cid(), "title": "Prepared before the day",
                                      "minutes": 5, "kind": "break"})
    agenda = lead.welcome["snapshot"]["agenda"]
    first = agenda[0]
    await lead.call("agenda.start", {"slot_id": first["id"]})
    await lead.call("slot.update", {"slot_id": first["id"], "minutes": first["minutes"] + 10})
    await lead.call("slot.add", {"client_id": cid(), "title": "Extra plenary round", "minutes": 15,
                                 "kind": "plenary", "group_id": "access", "after": first["id"]})
    await organiser.call("group.update", {"group_id": "access", "name": "Access to care"})
    html = srv.cli("export", "--format", "html").stdout
    section = html.split("The agenda as planned when the day began", 1)[1]
    planned, changed = section.split("Changed on the day", 1)
    changed = changed.split("</ul>", 1)[0]
    assert "Prepared before the day" in planned and "Extra plenary round" not in planned
    assert (f"Lead: changed \u201c{first['title']}\u201d: lengthened it from "
            f"{first['minutes']} to {first['minutes'] + 10} min") in changed
    assert "Lead: added \u201cExtra plenary round\u201d (15 min), after" in changed
    assert "Organiser: renamed the group \u201cAccess to services\u201d to \u201cAccess to care\u201d" in changed
    assert "Prepared before the day" not in changed, "changes before the day began are preparation"

"""CONTRACT §7, batched delivery: under a storm of joins then notes every client sees
every event it may see exactly once, in seq order, whether it came as `event` or in an
`events` list; and who joined stays with those who run the group."""

from __future__ import annotations

import asyncio

from conftest import Client, cid
from townhall.realtime import VIEW_ALL, VIEW_PUBLIC, deliveries, members_room, staff_room

GROUPS = ["access", "mental-health", "young-people"]


def e(seq: int, type_: str, group: str | None = None, **data) -> dict:
    return {"seq": seq, "ts": seq, "type": type_, "actor": {"role": "x", "id": "x", "name": "x"},
            "group_id": group, "data": data}


def test_each_view_gets_one_list_of_what_it_may_see():
    batch = [e(10, "participant.joined", "access", participant_id="p1", name="Ann"),
             e(11, "note.added", "access", note_id="n1", text="hi"),
             e(12, "keypoint.published", "mental-health", keypoint_id="k", text="t"),
             e(13, "note.added", "mental-health", note_id="n2", text="yo")]
    plan = {tuple(rooms): [x["seq"] for x in events] for rooms, events in
            deliveries(batch, GROUPS)}
    assert plan[(VIEW_ALL,)] == [10, 11, 12, 13]
    assert plan[(staff_room("access"),)] == [10, 11, 12]
    assert plan[(members_room("access"),)] == [11, 12], "members do not see who joined"
    assert plan[(members_room("mental-health"), staff_room("mental-health"))] == [12, 13]
    quiet = (VIEW_PUBLIC, members_room("young-people"), staff_room("young-people"))
    assert plan[quiet] == [12]
    # Every room appears once: a client is in exactly one view room.
    rooms = [r for rs in plan for r in rs]
    assert len(rooms) == len(set(rooms))


def test_views_that_get_the_same_list_share_one_message():
    joined = e(5, "participant.joined", "access", participant_id="p", name="A")
    assert deliveries([joined], GROUPS) == [([VIEW_ALL, staff_room("access")], [joined])]
    note = e(6, "note.added", "access", note_id="n", text="t")
    assert deliveries([note], GROUPS) == [
        ([VIEW_ALL, members_room("access"), staff_room("access")], [note])]
    focus = e(7, "plenary.focused", None, group_id="access")
    [(rooms, events)] = deliveries([focus], GROUPS)
    assert events == [focus] and len(rooms) == len(set(rooms)) == 2 + 2 * len(GROUPS)


async def everything_visible(client: Client, since: int) -> list[int]:
    seqs, more = [], True
    while more:
        page = await client.call("sync", {"since": since})
        seqs += [x["seq"] for x in page["events"]]
        since, more = page["until"], page["more"]
    return seqs


async def test_a_storm_of_joins_then_notes(fresh_server, connect):
    srv = fresh_server
    lead = await connect(srv, "lead")
    screen = await connect(srv, "screen")
    facs = {g: await connect(srv, "facilitator", g) for g in GROUPS}
    watchers = [lead, screen, *facs.values()]
    # 60 phones at once into three groups.
    phones = await asyncio.gather(*[
        Client().connect(srv.url, {"join_code": srv.token("join", GROUPS[i % 3]),
                                   "name": f"Phone {i}"}) for i in range(60)])
    try:
        presence: dict[int, list] = {i: [] for i in range(len(phones))}
        for i, p in enumerate(phones):
            p.sio.on("presence", lambda msg, i=i: presence[i].append(msg))
        # Every phone writes three notes at once, right after the storm.
        acks = await asyncio.gather(*[p.call("note.add", {"client_id": cid(), "text": f"note {k}"})
                                      for p in phones for k in range(3)])
        assert all(a["ok"] for a in acks), [a for a in acks if not a["ok"]][:3]
        # Supports across the group, then a public event everyone must see once.
        notes_by_group: dict[str, list[str]] = {}
        for idx, a in enumerate(acks):
            notes_by_group.setdefault(phones[idx // 3].welcome["group_id"], []).append(a["note_id"])
        await asyncio.gather(*[p.call("note.support", {"note_id": notes_by_group[p.welcome["group_id"]][0]})
                               for p in phones])
        last = (await lead.call("plenary.focus", {"group_id": "access"}))["seq"]
        everyone = [*watchers, *phones]
        for c in everyone:
            await c.wait(lambda c=c: bool(c.events) and c.events[-1]["seq"] >= last, timeout=20)

        batched = 0
        for c in everyone:
            since = c.welcome["last_seq"]
            wire = [x["seq"] for x in c.events if x["seq"] > since]
            assert wire == sorted(set(wire)), "in seq order, each once"
            assert wire == await everything_visible(c, since), c.welcome["role"]
            batched += c.messages.count("events")
            if c.welcome["role"] == "participant":
                others = [x for x in c.events if x["type"] == "participant.joined"]
                assert not others, "a phone learns how many joined, not who"
        assert batched > 0, "the storm was delivered in batches"
        assert any("event" in c.messages for c in everyone), "a lone event still goes as `event`"

        # Members learn the group's size, coalesced: far fewer messages than arrivals.
        for i, p in enumerate(phones):
            await p.wait(lambda i=i: bool(presence[i]) and presence[i][-1]["joined"] == 20, timeout=5)
        assert sum(len(v) for v in presence.values()) < 60 * 20 / 4
        fac_names = {x["data"]["name"] for x in facs["access"].events if x["type"] == "participant.joined"}
        assert fac_names == {f"Phone {i}" for i in range(0, 60, 3)}
        # A phone coming back sees the count in its snapshot.
        again = await Client().connect(srv.url, {"token": phones[0].welcome["token"]})
        try:
            own = [g for g in again.welcome["snapshot"]["groups"] if g["id"] == GROUPS[0]][0]
            assert own["joined"] == 20 and again.welcome["snapshot"]["participants"] == []
        finally:
            await again.close()
    finally:
        await asyncio.gather(*[p.close() for p in phones])

"""One strict order for the log, seen identically by every client; nothing missed."""

from __future__ import annotations

import asyncio

from conftest import Client, cid


async def test_concurrent_writers_get_one_gapless_order(fresh_server, connect):
    srv = fresh_server
    writers = [await connect(srv, "participant", "access", name=f"W{i}") for i in range(6)]
    fac = await connect(srv, "facilitator", "access")
    lead = await connect(srv, "lead")
    start = lead.welcome["last_seq"]

    async def burst(c: Client, n: int) -> list[int]:
        acks = await asyncio.gather(*[
            c.call("note.add", {"client_id": cid(), "text": f"note {k}"}) for k in range(n)])
        assert all(a["ok"] for a in acks), acks
        return [a["seq"] for a in acks]

    seqs = sorted(s for batch in await asyncio.gather(*[burst(w, 20) for w in writers])
                  for s in batch)
    assert seqs == list(range(seqs[0], seqs[0] + 120)), "acked seqs have gaps or repeats"

    for c in (fac, lead, *writers):
        await c.wait(lambda c=c: len(c.seen("note.added")) >= 120)
        got = [e["seq"] for e in c.events if e["seq"] > start]
        assert got == sorted(set(got)), "events arrived out of order or twice"
        assert [e["seq"] for e in c.seen("note.added")] == seqs
    # The lead sees every event; its stream is the whole log with no gaps.
    lead_seqs = [e["seq"] for e in lead.events]
    assert lead_seqs == list(range(start + 1, start + 1 + len(lead_seqs)))


async def test_sync_returns_what_a_client_missed(server, connect):
    fac = await connect(server, "facilitator", "self-care")
    p = await connect(server, "participant", "self-care", name="Sleepy")
    token, last = p.welcome["token"], p.welcome["last_seq"]
    await p.close()  # the phone's screen sleeps

    ids = []
    for i in range(5):
        ack = await fac.call("note.add", {"client_id": cid(), "text": f"while away {i}"})
        ids.append(ack["note_id"])
    other = await connect(server, "participant", "access", name="Elsewhere")
    await other.call("note.add", {"client_id": cid(), "text": "not for self-care"})

    back = await Client().connect(server.url, {"token": token})
    try:
        assert back.welcome["participant_id"] == p.welcome["participant_id"]
        sync = await back.call("sync", {"since": last})
        got = [e["data"]["note_id"] for e in sync["events"] if e["type"] == "note.added"]
        assert got == ids, "missed notes of the own group, in order, and nothing else"
        assert all(e["group_id"] in (None, "self-care") or e["type"] not in
                   ("note.added", "participant.joined") for e in sync["events"])
        assert sync["until"] == sync["last_seq"] and sync["more"] is False
    finally:
        await back.close()


async def test_sync_pages_a_long_log(fresh_server, connect):
    lead = await connect(fresh_server, "lead")
    for i in range(30):
        await lead.call("note.add", {"client_id": cid(), "text": f"n{i}", "group_id": "access"})
    # A page is 500 events; ask from 0 and follow `until` until `more` is false.
    since, seen = 0, []
    while True:
        page = await lead.call("sync", {"since": since})
        seen += [e["seq"] for e in page["events"]]
        since = page["until"]
        if not page["more"]:
            break
    assert seen == list(range(1, page["last_seq"] + 1))


async def test_welcome_snapshot_and_events_meet_without_a_gap(fresh_server, connect):
    """Connecting while others write: the snapshot plus later events miss nothing."""
    srv = fresh_server
    writer = await connect(srv, "facilitator", "access")
    stop = asyncio.Event()

    async def keep_writing():
        while not stop.is_set():
            await writer.call("note.add", {"client_id": cid(), "text": "busy"})

    task = asyncio.create_task(keep_writing())
    try:
        late = [await connect(srv, "lead") for _ in range(5)]
        await asyncio.sleep(0.3)
    finally:
        stop.set()
        await task
    final = (await writer.call("sync", {"since": 0}))["last_seq"]
    for c in late:
        await c.wait(lambda c=c: any(e["seq"] == final for e in c.events)
                     or c.welcome["last_seq"] >= final)
        known = {n["seq"] for n in c.welcome["snapshot"]["notes"]}
        known |= {e["seq"] for e in c.events if e["type"] == "note.added"}
        expected = {e["seq"] for e in (await c.call("sync", {"since": 0}))["events"]
                    if e["type"] == "note.added"}
        assert expected <= known

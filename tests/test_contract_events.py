"""Every client→server event of CONTRACT §4, through a real server and real clients."""

from __future__ import annotations

from conftest import cid

WELCOME_KEYS = {"role", "group_id", "server_time", "last_seq", "snapshot"}
SNAPSHOT_KEYS = {"assembly", "groups", "agenda", "timer", "notes", "keypoints", "responses",
                 "corrections"}


async def test_welcome_has_the_contract_keys(server, connect):
    p = await connect(server, "participant", "access", name="Ann")
    w = p.welcome
    assert WELCOME_KEYS <= set(w)
    assert w["role"] == "participant" and w["group_id"] == "access"
    assert w["participant_id"].startswith("p_") and len(w["token"]) >= 16
    assert SNAPSHOT_KEYS <= set(w["snapshot"])
    snap = w["snapshot"]
    assert snap["assembly"]["title"].startswith("NHS Citizen")
    assert [g["id"] for g in snap["groups"]] == [
        "access", "mental-health", "young-people", "gender-identity", "self-care"]
    slot = snap["agenda"][0]
    assert set(slot) >= {"id", "title", "minutes", "kind", "group_id"}
    lead = await connect(server, "lead")
    assert lead.welcome["role"] == "lead" and lead.welcome["group_id"] is None
    assert "token" not in lead.welcome


async def test_a_whole_round_of_every_event(server, connect):
    screen = await connect(server, "screen")
    lead = await connect(server, "lead")
    board = await connect(server, "board")
    fac = await connect(server, "facilitator", "mental-health")
    p = await connect(server, "participant", "mental-health", name="Bea")

    ack = await p.call("note.add", {"client_id": cid(), "text": "Crisis care at night"})
    assert ack["ok"] and isinstance(ack["seq"], int) and ack["note_id"].startswith("n_")
    note_id = ack["note_id"]
    ev = await fac.wait_event("note.added", note_id=note_id)
    assert ev["seq"] == ack["seq"] and ev["group_id"] == "mental-health"
    assert ev["actor"] == {"role": "participant", "id": p.welcome["participant_id"], "name": "Bea"}

    assert (await fac.call("note.support", {"note_id": note_id}))["ok"]
    ack = await fac.call("keypoint.add", {"client_id": cid(), "text": "24/7 crisis lines",
                                          "note_ids": [note_id]})
    assert ack["ok"] and ack["keypoint_id"].startswith("k_")
    kp = ack["keypoint_id"]
    ack = await fac.call("keypoint.publish", {"keypoint_id": kp})
    assert ack["ok"]
    pub = await screen.wait_event("keypoint.published", keypoint_id=kp)
    assert pub["data"]["text"] == "24/7 crisis lines"

    ack = await lead.call("agenda.start", {"slot_id": "plenary-mental-health"})
    started = await screen.wait_event("agenda.started", slot_id="plenary-mental-health")
    assert started["data"]["ends_at"] - started["ts"] == 12 * 60_000
    assert (await lead.call("timer.pause"))["ok"]
    paused = await screen.wait_event("timer.paused")
    assert paused["data"]["remaining_ms"] <= 12 * 60_000
    assert (await lead.call("timer.extend", {"seconds": 60}))["ok"]
    assert (await lead.call("timer.resume"))["ok"]
    resumed = await screen.wait_event("timer.resumed")
    assert resumed["data"]["ends_at"] - resumed["ts"] == paused["data"]["remaining_ms"] + 60_000
    assert (await lead.call("plenary.focus", {"group_id": "mental-health"}))["ok"]
    await screen.wait_event("plenary.focused", group_id="mental-health")

    ack = await board.call("response.log", {
        "client_id": cid(), "group_id": "mental-health", "member": "Dr Jones",
        "text": "We will fund round-the-clock lines", "stance": "commit"})
    assert ack["ok"] and ack["response_id"].startswith("r_")
    rid = ack["response_id"]
    ack = await p.call("correction.submit", {"client_id": cid(), "response_id": rid,
                                             "text": "We asked for text lines too"})
    assert ack["ok"] and ack["correction_id"].startswith("c_")
    ack = await board.call("correction.resolve", {"correction_id": ack["correction_id"],
                                                  "outcome": "accepted"})
    assert ack["ok"]
    resolved = await screen.wait_event("correction.resolved")
    assert resolved["data"]["outcome"] == "accepted"
    assert (await fac.call("note.hide", {"note_id": note_id}))["ok"]
    await p.wait_event("note.hidden", note_id=note_id)

    sync = await p.call("sync", {"since": 0})
    assert sync["ok"] and sync["last_seq"] >= resolved["seq"]
    seqs = [e["seq"] for e in sync["events"]]
    assert seqs == sorted(seqs)
    assert isinstance(sync["server_time"], int)

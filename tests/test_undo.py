"""CONTRACT §12, undoing the day's mistakes, through the real server on both stores:
unpublish and remove a key point, edit with `expect_seq`, withdraw a Board response, end
the running slot; and the rule that a participant corrects its own group's responses."""

from __future__ import annotations

from conftest import cid


async def _published(fac, text="Same-day appointments for carers"):
    kp = (await fac.call("keypoint.add", {"client_id": cid(), "text": text}))["keypoint_id"]
    pub = await fac.call("keypoint.publish", {"keypoint_id": kp})
    assert pub["ok"], pub
    return kp, pub


async def test_unpublish_takes_a_key_point_off_every_public_view(server, connect):
    fac = await connect(server, "facilitator", "access")
    screen = await connect(server, "screen")
    member = await connect(server, "participant", "access", name="Mo")
    other = await connect(server, "participant", "self-care", name="Oz")
    kp, pub = await _published(fac)
    await screen.wait_event("keypoint.published", keypoint_id=kp)

    ack = await fac.call("keypoint.unpublish", {"keypoint_id": kp})
    assert ack["ok"] and ack["seq"] > pub["seq"]
    assert await fac.call("keypoint.unpublish", {"keypoint_id": kp}) == ack  # idempotent
    for c in (screen, member, other):
        e = await c.wait_event("keypoint.unpublished", keypoint_id=kp)
        assert e["seq"] == ack["seq"] and e["group_id"] == "access"

    # New viewers: gone from public snapshots, a draft again for the group.
    late_screen = await connect(server, "screen")
    assert kp not in {k["id"] for k in late_screen.welcome["snapshot"]["keypoints"]}
    late_other = await connect(server, "participant", "self-care", name="Pat")
    assert kp not in {k["id"] for k in late_other.welcome["snapshot"]["keypoints"]}
    late_member = await connect(server, "participant", "access", name="Lu")
    mine = {k["id"]: k for k in late_member.welcome["snapshot"]["keypoints"]}
    assert mine[kp]["published"] is False and mine[kp]["published_at"] is None
    assert mine[kp]["seq"] == ack["seq"]

    # It can go back up, and only a published point can come down.
    again = await fac.call("keypoint.publish", {"keypoint_id": kp})
    assert again["ok"] and again["seq"] > ack["seq"]
    draft = (await fac.call("keypoint.add", {"client_id": cid(), "text": "a draft"}))["keypoint_id"]
    assert (await fac.call("keypoint.unpublish", {"keypoint_id": draft}))["error"]["code"] == "conflict"


async def test_who_may_unpublish(server, connect):
    fac = await connect(server, "facilitator", "access")
    kp, _ = await _published(fac, "Clinics open on Saturdays")
    member = await connect(server, "participant", "access", name="Ann")
    board = await connect(server, "board")
    other_fac = await connect(server, "facilitator", "young-people")
    lead = await connect(server, "lead")
    assert (await member.call("keypoint.unpublish", {"keypoint_id": kp}))["error"]["code"] == "forbidden"
    assert (await board.call("keypoint.unpublish", {"keypoint_id": kp}))["error"]["code"] == "forbidden"
    assert (await other_fac.call("keypoint.unpublish", {"keypoint_id": kp}))["error"]["code"] == "not_found"
    assert (await lead.call("keypoint.unpublish", {"keypoint_id": kp}))["ok"]
    assert (await lead.call("keypoint.unpublish", {"keypoint_id": "k_nope"}))["error"]["code"] == "not_found"
    assert (await lead.call("keypoint.unpublish", {}))["error"]["code"] == "invalid"


async def test_remove_deletes_a_draft_and_refuses_a_published_point(server, connect):
    fac = await connect(server, "facilitator", "mental-health")
    screen = await connect(server, "screen")
    member = await connect(server, "participant", "mental-health", name="Di")
    draft = (await fac.call("keypoint.add", {"client_id": cid(), "text": "typo'd draft"}))["keypoint_id"]
    keep = (await fac.call("keypoint.add", {"client_id": cid(), "text": "kept draft"}))["keypoint_id"]
    published, _ = await _published(fac, "Crisis lines answered within a minute")

    refused = await fac.call("keypoint.remove", {"keypoint_id": published})
    assert refused["error"]["code"] == "conflict" and "unpublish" in refused["error"]["message"]
    ack = await fac.call("keypoint.remove", {"keypoint_id": draft})
    assert ack["ok"]
    assert await fac.call("keypoint.remove", {"keypoint_id": draft}) == ack  # idempotent
    await member.wait_event("keypoint.removed", keypoint_id=draft)
    await screen.wait_event("keypoint.published", keypoint_id=published)
    assert not screen.seen("keypoint.removed"), "a draft's removal is private to the group"

    late = await connect(server, "facilitator", "mental-health")
    ids = {k["id"] for k in late.welcome["snapshot"]["keypoints"] if k["group_id"] == "mental-health"}
    assert draft not in ids and {keep, published} <= ids
    # Ordering names the key points that are left, and only those.
    rest = [k for k in ids]
    assert (await fac.call("keypoint.order", {"keypoint_ids": rest}))["ok"]
    assert (await fac.call("keypoint.order", {"keypoint_ids": [*rest, draft]}))["error"]["code"] == "conflict"
    # Unpublished, it may then go.
    await fac.call("keypoint.unpublish", {"keypoint_id": published})
    assert (await fac.call("keypoint.remove", {"keypoint_id": published}))["ok"]
    assert (await member.call("keypoint.remove", {"keypoint_id": keep}))["error"]["code"] == "forbidden"


async def test_two_tablets_edit_with_expect_seq(server, connect):
    tablet_a = await connect(server, "facilitator", "self-care")
    tablet_b = await connect(server, "facilitator", "self-care")
    add = await tablet_a.call("keypoint.add", {"client_id": cid(), "text": "first wording"})
    kp = add["keypoint_id"]
    await tablet_b.wait_event("keypoint.added", keypoint_id=kp)
    seen_by_b = add["seq"]  # both opened the editor on this version

    a = await tablet_a.call("keypoint.edit", {"keypoint_id": kp, "text": "A's wording", "expect_seq": add["seq"]})
    assert a["ok"]
    b = await tablet_b.call("keypoint.edit", {"keypoint_id": kp, "text": "B's wording", "expect_seq": seen_by_b})
    assert b["error"]["code"] == "conflict" and "another tablet" in b["error"]["message"]
    viewer = await connect(server, "facilitator", "self-care")
    texts = {k["id"]: k for k in viewer.welcome["snapshot"]["keypoints"]}
    assert texts[kp]["text"] == "A's wording" and texts[kp]["seq"] == a["seq"]

    # B looks again and saves against what it now saw.
    b2 = await tablet_b.call("keypoint.edit", {"keypoint_id": kp, "text": "B's wording", "expect_seq": a["seq"]})
    assert b2["ok"]
    # A publish is a change too: an editor opened before it must look again.
    pub = await tablet_a.call("keypoint.publish", {"keypoint_id": kp})
    late = await tablet_b.call("keypoint.edit", {"keypoint_id": kp, "text": "C", "expect_seq": b2["seq"]})
    assert late["error"]["code"] == "conflict"
    assert (await tablet_b.call("keypoint.edit", {"keypoint_id": kp, "text": "C", "expect_seq": pub["seq"]}))["ok"]
    # Without expect_seq an edit is as before; a bad expect_seq is refused.
    assert (await tablet_a.call("keypoint.edit", {"keypoint_id": kp, "text": "D"}))["ok"]
    for bad in ("12", -1, True, 1.5, [1]):
        ack = await tablet_a.call("keypoint.edit", {"keypoint_id": kp, "text": "E", "expect_seq": bad})
        assert ack["error"]["code"] == "invalid", bad


async def test_withdraw_a_board_response(server, connect):
    board = await connect(server, "board")
    screen = await connect(server, "screen")
    member = await connect(server, "participant", "young-people", name="Kit")
    logged = await board.call("response.log", {
        "client_id": cid(), "group_id": "young-people", "member": "Dame Anne",
        "text": "We will fund youth councils in every region", "stance": "commit"})
    rid = logged["response_id"]

    assert (await board.call("response.withdraw", {"response_id": rid}))["error"]["code"] == "invalid"
    assert (await board.call("response.withdraw", {"response_id": rid, "reason": "   "}))["error"]["code"] == "invalid"
    assert (await member.call("response.withdraw", {"response_id": rid, "reason": "x"}))["error"]["code"] == "forbidden"
    assert (await screen.call("response.withdraw", {"response_id": rid, "reason": "x"}))["error"]["code"] == "forbidden"
    assert (await board.call("response.withdraw", {"response_id": "r_nope", "reason": "x"}))["error"]["code"] == "not_found"

    reason = "Logged against the wrong group: it answers Access"
    ack = await board.call("response.withdraw", {"response_id": rid, "reason": reason})
    assert ack["ok"]
    assert await board.call("response.withdraw", {"response_id": rid, "reason": "again"}) == ack
    for c in (screen, member):
        e = await c.wait_event("response.withdrawn", response_id=rid)
        assert e["data"]["reason"] == reason and e["group_id"] == "young-people"

    late = await connect(server, "screen")
    r = {x["id"]: x for x in late.welcome["snapshot"]["responses"]}[rid]
    assert r["withdrawn"]["reason"] == reason and r["text"].startswith("We will fund")
    refused = await member.call("correction.submit", {"client_id": cid(), "response_id": rid, "text": "no"})
    assert refused["error"]["code"] == "conflict"
    lead = await connect(server, "lead")
    assert (await lead.call("response.withdraw", {"response_id": (await board.call("response.log", {
        "client_id": cid(), "group_id": "access", "member": "Sir M", "text": "t",
        "stance": "consider"}))["response_id"], "reason": "duplicate"}))["ok"]


async def test_end_the_running_slot(fresh_server, connect):
    srv = fresh_server
    lead = await connect(srv, "lead")
    screen = await connect(srv, "screen")
    board = await connect(srv, "board")
    assert (await lead.call("agenda.end"))["error"]["code"] == "conflict"  # nothing runs
    start = await lead.call("agenda.start", {"slot_id": "close"})
    assert start["ok"]
    assert (await board.call("agenda.end"))["error"]["code"] == "forbidden"
    member = await connect(srv, "participant", "access", name="Jo")
    assert (await member.call("agenda.end"))["error"]["code"] == "forbidden"

    ack = await lead.call("agenda.end", {})
    assert ack["ok"]
    e = await screen.wait_event("agenda.ended")
    assert e["data"] == {"slot_id": "close"}
    assert (await lead.call("agenda.end"))["error"]["code"] == "conflict"
    late = await connect(srv, "screen")
    snap = late.welcome["snapshot"]
    assert snap["timer"]["status"] == "idle" and snap["timer"]["slot_id"] is None
    assert snap["timer"]["ended_slot_id"] == "close"
    run = snap["runs"][-1]
    assert run["slot_id"] == "close" and run["ended_at"] == e["ts"]
    assert (await lead.call("timer.pause"))["error"]["code"] == "conflict"
    assert (await lead.call("timer.extend", {"seconds": 60}))["error"]["code"] == "conflict"

    # Paused slots end too, and the day goes on with the next start.
    assert (await lead.call("agenda.start", {"slot_id": "welcome"}))["ok"]
    assert (await lead.call("timer.pause"))["ok"]
    assert (await lead.call("agenda.end"))["ok"]
    late = await connect(srv, "lead")
    runs = late.welcome["snapshot"]["runs"]
    assert runs[-1]["slot_id"] == "welcome" and runs[-1]["ended_at"] is not None
    assert runs[-1]["paused_at"] is None and runs[-1]["paused_ms"] >= 0


async def test_participants_correct_their_own_groups_responses_only(server, connect):
    board = await connect(server, "board")
    theirs = (await board.call("response.log", {
        "client_id": cid(), "group_id": "gender-identity", "member": "Prof. Lee",
        "text": "We will review the forms", "stance": "consider"}))["response_id"]
    stranger = await connect(server, "participant", "access", name="Sam")
    ack = await stranger.call("correction.submit", {"client_id": cid(), "response_id": theirs,
                                                    "text": "That is not what they said"})
    assert ack["error"]["code"] == "forbidden"
    other_fac = await connect(server, "facilitator", "access")
    assert (await other_fac.call("correction.submit", {"client_id": cid(), "response_id": theirs,
                                                       "text": "no"}))["error"]["code"] == "forbidden"
    member = await connect(server, "participant", "gender-identity", name="Ray")
    assert (await member.call("correction.submit", {"client_id": cid(), "response_id": theirs,
                                                    "text": "We asked for new forms"}))["ok"]
    lead = await connect(server, "lead")
    assert (await lead.call("correction.submit", {"client_id": cid(), "response_id": theirs,
                                                  "text": "Noted by the lead"}))["ok"]


async def test_the_record_says_what_was_undone(sqlite_server, connect):
    srv = sqlite_server
    fac = await connect(srv, "facilitator", "access")
    board = await connect(srv, "board")
    kp, _ = await _published(fac, "A point published by mistake")
    await fac.call("keypoint.unpublish", {"keypoint_id": kp})
    stays, _ = await _published(fac, "Evening GP appointments for working carers")
    r = (await board.call("response.log", {
        "client_id": cid(), "group_id": "access", "member": "Dame Anne",
        "text": "We commit to evening clinics by spring", "stance": "commit"}))["response_id"]
    await board.call("response.withdraw", {"response_id": r, "reason": "Said in error: not agreed yet"})
    html = srv.cli("export", "--format", "html").stdout
    assert "A point published by mistake" not in html
    assert "Evening GP appointments" in html
    commitments = html.split("id=commitments", 1)[1].split("</section>", 1)[0]
    assert "evening clinics" not in commitments, "a withdrawn commitment is no commitment"
    withdrawn = html.split("id=withdrawn", 1)[1].split("</section>", 1)[0]
    assert "evening clinics" in withdrawn and "Said in error: not agreed yet" in withdrawn
    csv = srv.cli("export", "--format", "csv").stdout
    assert "response.withdrawn" in csv and "Said in error" in csv
    assert "keypoint.unpublished" in csv

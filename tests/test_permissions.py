"""Who may do what (CONTRACT §2 and the "who" column of §4), through a real server.

Every role is tried against every command. A role that may do it gets an ok ack (the
state is arranged so the command can succeed); a role that may not gets `forbidden`,
and a facilitator of another group acting on a group's note or key point gets the code
the server gives for it (`not_found`: it is not told the thing exists)."""

from __future__ import annotations

from typing import Any

import pytest
import socketio

from conftest import Client, cid

GROUP = "access"
OTHER = "mental-health"

# Role names used below: a facilitator is named by the group it holds.
PARTICIPANT = "participant"
FAC = "facilitator:access"
FAC_OTHER = "facilitator:mental-health"
LEAD = "lead"
BOARD = "board"
SCREEN = "screen"
ORGANISER = "organiser"
ROLES = [PARTICIPANT, FAC, FAC_OTHER, LEAD, BOARD, SCREEN, ORGANISER]

# CONTRACT §2/§4: command -> the roles that may carry it out. The organiser may do
# everything. A facilitator of another group is a facilitator: it may write in its own
# group (note.add, keypoint.add) and submit corrections, but it is no member of the
# access group, whose notes and key points the commands below act on.
ALLOWED: dict[str, set[str]] = {
    "note.add": {PARTICIPANT, FAC, FAC_OTHER, LEAD, ORGANISER},
    "note.support": {PARTICIPANT, FAC, LEAD, ORGANISER},
    "note.hide": {FAC, LEAD, ORGANISER},
    "keypoint.add": {FAC, FAC_OTHER, LEAD, ORGANISER},
    "keypoint.publish": {FAC, LEAD, ORGANISER},
    "agenda.start": {LEAD, ORGANISER},
    "timer.pause": {LEAD, ORGANISER},
    "timer.resume": {LEAD, ORGANISER},
    "timer.extend": {LEAD, ORGANISER},
    "plenary.focus": {LEAD, ORGANISER},
    "response.log": {BOARD, LEAD, ORGANISER},
    # §12: a participant or facilitator corrects its own group's responses only
    "correction.submit": {PARTICIPANT, FAC, LEAD, ORGANISER},
    "correction.resolve": {BOARD, LEAD, ORGANISER},
    "note.restore": {FAC, LEAD, ORGANISER},
    "keypoint.edit": {FAC, LEAD, ORGANISER},
    "keypoint.order": {FAC, FAC_OTHER, LEAD, ORGANISER},
    "joincode.rotate": {ORGANISER},
    # §12: undoing mistakes
    "keypoint.unpublish": {FAC, LEAD, ORGANISER},
    "keypoint.remove": {FAC, LEAD, ORGANISER},
    "response.withdraw": {BOARD, LEAD, ORGANISER},
    "agenda.end": {LEAD, ORGANISER},
    # §8: shaping the day (the agenda by the lead too: it sees the day run long)
    "assembly.update": {ORGANISER},
    "group.add": {ORGANISER},
    "group.update": {ORGANISER},
    "slot.add": {LEAD, ORGANISER},
    "slot.update": {LEAD, ORGANISER},
    "slot.move": {LEAD, ORGANISER},
    "slot.remove": {LEAD, ORGANISER},
    # §9: polls (a facilitator for its own group; the access group's poll here)
    "poll.open": {FAC, LEAD, ORGANISER},
    "vote.cast": {PARTICIPANT},
    "poll.close": {LEAD, ORGANISER},  # and the facilitator who opened it (test_polls.py)
    # §11: keys
    "token.rotate": {ORGANISER},
    "sync": set(ROLES),
}

# A facilitator of another group acting on the access group's note or key point: the
# server answers as if there were no such thing (it may not even see it).
CROSS_GROUP_CODE: dict[tuple[str, str], str] = {
    ("note.support", FAC_OTHER): "not_found",
    ("note.hide", FAC_OTHER): "not_found",
    ("keypoint.publish", FAC_OTHER): "not_found",
    ("note.restore", FAC_OTHER): "not_found",
    ("keypoint.edit", FAC_OTHER): "not_found",
    ("keypoint.unpublish", FAC_OTHER): "not_found",
    ("keypoint.remove", FAC_OTHER): "not_found",
    # the access group's poll is not the other facilitator's to see
    ("poll.close", FAC_OTHER): "not_found",
    ("poll.close", FAC): "forbidden",  # the lead opened this one
}
ROTATED_GROUP = "young-people"  # no test here joins it, so its code may change


def test_the_table_covers_every_command_of_the_contract():
    from townhall.commands import COMMANDS

    assert set(ALLOWED) == set(COMMANDS) | {"sync"}
    # The organiser may do everything, except vote: ballots are the participants' (§9).
    assert all(ORGANISER in roles for name, roles in ALLOWED.items() if name != "vote.cast")
    assert ALLOWED["sync"] == set(ROLES)


async def connect_as(connect, server, role: str) -> Client:
    if role.startswith("facilitator:"):
        return await connect(server, "facilitator", role.split(":", 1)[1])
    if role == PARTICIPANT:
        return await connect(server, "participant", GROUP, name="Pat")
    return await connect(server, role)


def ok(ack: dict) -> dict:
    assert ack.get("ok") is True, ack
    return ack


async def setup_ids(lead: Client) -> dict[str, str]:
    """Fresh things of the access group to act on: a note, a draft key point, a Board
    response and an open correction."""
    note = ok(await lead.call("note.add", {"client_id": cid(), "group_id": GROUP,
                                           "text": "Evening GP appointments"}))["note_id"]
    kp = ok(await lead.call("keypoint.add", {"client_id": cid(), "group_id": GROUP,
                                             "text": "Open surgeries later"}))["keypoint_id"]
    rid = ok(await lead.call("response.log", {
        "client_id": cid(), "group_id": GROUP, "member": "Ms Board",
        "text": "We will look at opening hours", "stance": "consider"}))["response_id"]
    corr = ok(await lead.call("correction.submit", {"client_id": cid(), "response_id": rid,
                                                    "text": "We said evenings, not hours"})
              )["correction_id"]
    return {"note_id": note, "keypoint_id": kp, "response_id": rid, "correction_id": corr}


async def start_some_slot(lead: Client) -> str:
    """Make a slot run (status running) whatever ran before; returns its id."""
    for slot in ("welcome", "close"):
        ack = await lead.call("agenda.start", {"slot_id": slot})
        if ack["ok"]:
            return slot
        assert ack["error"]["code"] == "conflict", ack
    raise AssertionError("could not start a slot")


async def group_keypoints(lead: Client, group: str) -> list[str]:
    log, since, more = [], 0, True
    while more:  # sync answers in pages of 500
        page = ok(await lead.call("sync", {"since": since}))
        log += page["events"]
        since, more = page["until"], page["more"]
    return [e["data"]["keypoint_id"] for e in log
            if e["type"] == "keypoint.added" and e["group_id"] == group]


async def arrange(command: str, lead: Client, ids: dict) -> None:
    """The state each command needs to succeed."""
    if command == "note.restore":
        ok(await lead.call("note.hide", {"note_id": ids["note_id"]}))
    elif command == "keypoint.order":
        ok(await lead.call("keypoint.add", {"client_id": cid(), "group_id": OTHER,
                                            "text": "A point of the other group"}))
        ids["order:" + GROUP] = (await group_keypoints(lead, GROUP))[::-1]
        ids["order:" + OTHER] = (await group_keypoints(lead, OTHER))[::-1]
    elif command == "keypoint.unpublish":
        ok(await lead.call("keypoint.publish", {"keypoint_id": ids["keypoint_id"]}))
    elif command in ("vote.cast", "poll.close"):
        ids["poll_id"] = ok(await lead.call("poll.open", {
            "client_id": cid(), "question": "Which first?", "kind": "choice",
            "options": ["Evenings", "Weekends"], "group_id": GROUP}))["poll_id"]
    elif command.startswith("slot."):
        ids["slot_id"] = ok(await lead.call("slot.add", {
            "client_id": cid(), "title": "A slot to change", "minutes": 5, "kind": "break"}))["slot_id"]
    if command in ("timer.pause", "timer.extend", "agenda.start", "agenda.end"):
        await start_some_slot(lead)
    elif command == "timer.resume":
        await start_some_slot(lead)
        ok(await lead.call("timer.pause"))


def payload(command: str, role: str, ids: dict[str, str]) -> Any:
    staff_all = role in (LEAD, ORGANISER)
    if command == "note.add":
        p = {"client_id": cid(), "text": f"A note by {role}"}
        return p | {"group_id": GROUP} if staff_all else p
    if command in ("note.support", "note.hide"):
        return {"note_id": ids["note_id"]}
    if command == "keypoint.add":
        p = {"client_id": cid(), "text": f"A key point by {role}"}
        if staff_all:
            p["group_id"] = GROUP
        if role != FAC_OTHER:  # it may only cite notes of its own group
            p["note_ids"] = [ids["note_id"]]
        return p
    if command == "keypoint.publish":
        return {"keypoint_id": ids["keypoint_id"]}
    if command == "agenda.start":
        # start_some_slot left "welcome" or "close" running: this one is free.
        return {"slot_id": "issue-groups"}
    if command in ("timer.pause", "timer.resume"):
        return None
    if command == "timer.extend":
        return {"seconds": 30}
    if command == "plenary.focus":
        return {"group_id": GROUP}
    if command == "response.log":
        return {"client_id": cid(), "group_id": GROUP, "member": "Mr Board",
                "text": "We commit to a pilot", "stance": "commit"}
    if command == "correction.submit":
        return {"client_id": cid(), "response_id": ids["response_id"],
                "text": "That is not what we asked"}
    if command == "correction.resolve":
        return {"correction_id": ids["correction_id"], "outcome": "noted"}
    if command == "note.restore":
        return {"note_id": ids["note_id"]}
    if command == "keypoint.edit":
        return {"keypoint_id": ids["keypoint_id"], "text": f"Edited by {role}"}
    if command == "keypoint.order":
        group = OTHER if role == FAC_OTHER else GROUP
        ordered = ids.get("order:" + group, [ids["keypoint_id"]])
        return {"keypoint_ids": ordered} | ({"group_id": group} if staff_all else {})
    if command == "joincode.rotate":
        return {"group_id": ROTATED_GROUP}
    if command in ("keypoint.unpublish", "keypoint.remove"):
        return {"keypoint_id": ids["keypoint_id"]}
    if command == "response.withdraw":
        return {"response_id": ids["response_id"], "reason": "Logged twice by mistake"}
    if command == "agenda.end":
        return None
    if command == "assembly.update":
        return {"date": "2014-09-17"}
    if command == "group.add":
        return {"client_id": cid(), "name": f"A group added by {role}"}
    if command == "group.update":
        return {"group_id": ROTATED_GROUP, "info_pack": f"# Updated by {role}"}
    if command == "slot.add":
        return {"client_id": cid(), "title": f"Added by {role}", "minutes": 5, "kind": "break"}
    if command == "slot.update":
        return {"slot_id": ids["slot_id"], "minutes": 7}
    if command == "slot.move":
        return {"slot_id": ids["slot_id"], "after": None}
    if command == "slot.remove":
        return {"slot_id": ids["slot_id"]}
    if command == "poll.open":
        group = {"group_id": GROUP} if role in (FAC, LEAD, ORGANISER) else {}
        return {"client_id": cid(), "question": f"Asked by {role}?", "kind": "rating", **group}
    if command == "vote.cast":
        return {"poll_id": ids["poll_id"], "choice": 1}
    if command == "poll.close":
        return {"poll_id": ids["poll_id"]}
    if command == "token.rotate":
        return {"role": "facilitator", "group_id": ROTATED_GROUP}  # nobody here uses that link
    if command == "sync":
        return {"since": 0}
    raise AssertionError(command)


CASES = [(command, role) for command in ALLOWED for role in ROLES]


def expected(command: str, role: str) -> str:
    if role in ALLOWED[command]:
        return "ok"
    return CROSS_GROUP_CODE.get((command, role), "forbidden")


@pytest.mark.parametrize(
    "command,role", CASES,
    ids=[f"{c}-{r}-{expected(c, r)}" for c, r in CASES])
async def test_each_role_against_each_command(server, connect, command, role):
    lead = await connect(server, "lead")
    ids = await setup_ids(lead)
    await arrange(command, lead, ids)
    actor = lead if role == LEAD else await connect_as(connect, server, role)

    ack = await actor.call(command, payload(command, role, ids))

    want = expected(command, role)
    if want == "ok":
        assert ack.get("ok") is True, ack
        assert isinstance(ack.get("seq" if command != "sync" else "last_seq"), int), ack
    else:
        assert ack["ok"] is False, ack
        assert ack["error"]["code"] == want, ack
        assert isinstance(ack["error"]["message"], str) and ack["error"]["message"].strip()


async def test_a_refused_command_logs_nothing(server, connect):
    lead = await connect(server, "lead")
    ids = await setup_ids(lead)
    screen = await connect(server, "screen")
    ids["slot_id"] = ok(await lead.call("slot.add", {
        "client_id": cid(), "title": "Screen may not touch it", "minutes": 5, "kind": "break"}))["slot_id"]
    ids["poll_id"] = ok(await lead.call("poll.open", {
        "client_id": cid(), "question": "Screen may not vote?", "kind": "rating"}))["poll_id"]
    before = ok(await lead.call("sync", {"since": 0}))["last_seq"]
    for command in ALLOWED:
        if command != "sync":
            await screen.call(command, payload(command, SCREEN, ids))
    assert ok(await lead.call("sync", {"since": 0}))["last_seq"] == before


async def test_a_participant_may_not_write_into_another_group(server, connect):
    p = await connect(server, "participant", GROUP, name="Pat")
    ack = await p.call("note.add", {"client_id": cid(), "group_id": OTHER, "text": "Hello"})
    assert ack["ok"] is False and ack["error"]["code"] == "forbidden", ack


async def test_a_participant_naming_its_own_group_may_write(server, connect):
    p = await connect(server, "participant", GROUP, name="Pat")
    ok(await p.call("note.add", {"client_id": cid(), "group_id": GROUP, "text": "Hello"}))


async def test_a_facilitator_may_not_write_into_another_group(server, connect):
    fac = await connect(server, "facilitator", OTHER)
    ack = await fac.call("note.add", {"client_id": cid(), "group_id": GROUP, "text": "Hi"})
    assert ack["ok"] is False and ack["error"]["code"] == "forbidden", ack
    ack = await fac.call("keypoint.add", {"client_id": cid(), "group_id": GROUP, "text": "Hi"})
    assert ack["ok"] is False and ack["error"]["code"] == "forbidden", ack


async def test_a_facilitator_may_not_cite_another_groups_note(server, connect):
    lead = await connect(server, "lead")
    ids = await setup_ids(lead)
    fac = await connect(server, "facilitator", OTHER)
    ack = await fac.call("keypoint.add", {"client_id": cid(), "text": "Borrowed",
                                          "note_ids": [ids["note_id"]]})
    assert ack["ok"] is False and ack["error"]["code"] == "not_found", ack


async def test_a_participant_of_another_group_may_not_support_the_note(server, connect):
    lead = await connect(server, "lead")
    ids = await setup_ids(lead)
    p = await connect(server, "participant", OTHER, name="Oli")
    ack = await p.call("note.support", {"note_id": ids["note_id"]})
    assert ack["ok"] is False and ack["error"]["code"] == "not_found", ack


async def test_lead_writing_without_a_group_is_told_to_name_one(server, connect):
    lead = await connect(server, "lead")
    ack = await lead.call("note.add", {"client_id": cid(), "text": "Where does this go?"})
    assert ack["ok"] is False and ack["error"]["code"] == "invalid", ack


# -- connections that are refused ------------------------------------------------


async def refused(server, auth: Any) -> tuple[str, str]:
    """Try to connect; return (the exception text, the server's connect_error message)."""
    c = Client()
    with pytest.raises(socketio.exceptions.ConnectionError) as info:
        if auth is None:
            await c.sio.connect(server.url, transports=["websocket"], wait_timeout=5)
        else:
            await c.sio.connect(server.url, auth=auth, transports=["websocket"], wait_timeout=5)
    await c.close()
    assert c.welcome is None
    err = c.connect_error
    message = err.get("message") if isinstance(err, dict) else err
    assert isinstance(message, str), err
    return str(info.value), message


REFUSALS = {
    "bad-token": ({"token": "not-a-real-token-at-all"}, "not valid"),
    "bad-join-code": ({"join_code": "nope-nope-nope", "name": "Ann"}, "join code"),
    "empty-name": ("join:", "name"),
    "blank-name": ("join:   ", "name"),
    "name-of-61-chars": ("join:" + "n" * 61, "60"),
    "no-auth": (None, "auth"),
    "empty-auth": ({}, "auth"),
    "join-code-used-as-token": ("join-as-token", "not valid"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
async def test_a_refused_connection_says_why(server, case):
    auth, hint = REFUSALS[case]
    join = server.token("join", GROUP)
    if isinstance(auth, str) and auth.startswith("join:"):
        auth = {"join_code": join, "name": auth[len("join:"):]}
    elif auth == "join-as-token":
        auth = {"token": join}
    _, message = await refused(server, auth)
    assert len(message.strip()) >= 10, message
    assert hint in message, message


async def test_a_name_that_is_not_unicode_is_refused_with_a_reason(server):
    _, message = await refused(server, {"join_code": server.token("join", GROUP),
                                        "name": "Ann \udc80"})
    assert len(message.strip()) >= 10, message


async def test_a_name_of_60_chars_may_join(server, connect):
    p = await connect(server, "participant", GROUP, name="n" * 60)
    assert p.welcome["role"] == "participant" and p.welcome["name"] == "n" * 60

"""The domain as plain function calls: the fold (state.py), who sees what, and every
command of CONTRACT §4 (commands.py). No server, no store, no clock: `now` is given."""

from __future__ import annotations

import pytest

from townhall import commands
from townhall import events as ev
from townhall.assembly import load_demo
from townhall.commands import COMMANDS, CommandError, Plan
from townhall.state import State, Viewer, can_see

T0 = 1_411_380_000_000  # 2014-09-22, any fixed ms will do
MIN = 60_000

ORGANISER = Viewer("organiser", "organiser", "Organiser")
LEAD = Viewer("lead", "lead", "Lead facilitator")
BOARD = Viewer("board", "board", "Board")
SCREEN = Viewer("screen", "screen", "Plenary screen")
FAC_A = Viewer("facilitator", "f:access", "Facilitator, Access", "access")
FAC_B = Viewer("facilitator", "f:mental-health", "Facilitator, Mental health", "mental-health")

_counter = 0


def cid() -> str:
    global _counter
    _counter += 1
    return f"c-{_counter}"


class Day:
    """A State built by applying events; `now` is the server time of the next event."""

    def __init__(self) -> None:
        self.state = State()
        self.log: list[dict] = []
        self.now = T0
        self.emit(ev.draft(ev.ASSEMBLY_LOADED, ORGANISER.actor(), None,
                           {"definition": load_demo(), "source": "test"}))

    def emit(self, draft: dict) -> dict:
        e = {**draft, "seq": self.state.last_seq + 1, "ts": self.now}
        self.state.apply(e)
        self.log.append(e)
        return e

    def plan(self, name: str, who: Viewer, payload=None) -> Plan:
        return COMMANDS[name](self.state, who, payload, self.now)

    def run(self, name: str, who: Viewer, payload=None) -> dict:
        """Run a command that must produce one event; apply it and return it."""
        plan = self.plan(name, who, payload)
        assert plan.settled_seq is None and len(plan.drafts) == 1, plan
        return self.emit(plan.drafts[0])

    def refuse(self, name: str, who: Viewer, payload=None) -> str:
        """Run a command that must be refused; return the error code."""
        with pytest.raises(CommandError) as info:
            self.plan(name, who, payload)
        assert info.value.message
        return info.value.code

    def join(self, group_id: str, name: str = "Ann") -> Viewer:
        draft, pid = commands.join(self.state, group_id, name)
        self.emit(draft)
        return Viewer("participant", pid, draft["data"]["name"], group_id)

    # shortcuts that return the new id
    def note(self, who: Viewer, text: str = "A note", **extra) -> str:
        return self.run("note.add", who, {"client_id": cid(), "text": text, **extra})["data"]["note_id"]

    def keypoint(self, who: Viewer, text: str = "A key point", **extra) -> str:
        e = self.run("keypoint.add", who, {"client_id": cid(), "text": text, **extra})
        return e["data"]["keypoint_id"]

    def response(self, group_id: str = "access", stance: str = "commit", **extra) -> str:
        payload = {"client_id": cid(), "group_id": group_id, "member": "Sir Malcolm",
                   "text": "We will look at it", "stance": stance, **extra}
        return self.run("response.log", BOARD, payload)["data"]["response_id"]

    def correction(self, who: Viewer, response_id: str, text: str = "Not what we said") -> str:
        e = self.run("correction.submit", who,
                     {"client_id": cid(), "response_id": response_id, "text": text})
        return e["data"]["correction_id"]


@pytest.fixture
def day() -> Day:
    return Day()


def ids(items: list[dict]) -> set[str]:
    return {i["id"] for i in items}


# -- the fold ------------------------------------------------------------------


def test_assembly_loaded_sets_the_definition(day):
    assert day.state.last_seq == 1
    assert [g["id"] for g in day.state.groups] == [
        "access", "mental-health", "young-people", "gender-identity", "self-care"]
    assert day.state.slot("issue-groups")["minutes"] == 90


def test_apply_refuses_a_gap_in_seq(day):
    draft = ev.draft(ev.PLENARY_FOCUSED, LEAD.actor(), None, {"group_id": "access"})
    with pytest.raises(ValueError):
        day.state.apply({**draft, "seq": 3, "ts": T0})
    assert day.state.last_seq == 1 and day.state.focus is None


def test_apply_refuses_a_repeated_seq(day):
    draft = ev.draft(ev.PLENARY_FOCUSED, LEAD.actor(), None, {"group_id": "access"})
    with pytest.raises(ValueError):
        day.state.apply({**draft, "seq": 1, "ts": T0})
    assert day.state.last_seq == 1 and day.state.focus is None


def test_apply_on_an_empty_state_needs_seq_1():
    draft = ev.draft(ev.ASSEMBLY_LOADED, ORGANISER.actor(), None,
                     {"definition": load_demo(), "source": "test"})
    with pytest.raises(ValueError):
        State().apply({**draft, "seq": 2, "ts": T0})


def _busy_day() -> Day:
    d = Day()
    ann = d.join("access", "Ann")
    bob = d.join("mental-health", "Bob")
    n1 = d.note(ann, "Waiting lists")
    d.note(bob, "Crisis care")
    d.run("note.support", FAC_A, {"note_id": n1})
    n3 = d.note(ann, "spam")
    d.run("note.hide", FAC_A, {"note_id": n3})
    k = d.keypoint(FAC_A, "Shorter waits", note_ids=[n1])
    d.keypoint(FAC_B, "Draft only")
    d.run("keypoint.publish", FAC_A, {"keypoint_id": k})
    d.run("agenda.start", LEAD, {"slot_id": "issue-groups"})
    d.now += 5 * MIN
    d.run("timer.pause", LEAD)
    d.now += MIN
    d.run("timer.extend", LEAD, {"seconds": 120})
    d.run("timer.resume", LEAD)
    d.run("plenary.focus", LEAD, {"group_id": "access"})
    r = d.response("access", "decline", reason="No money")
    c = d.correction(ann, r)
    d.run("correction.resolve", BOARD, {"correction_id": c, "outcome": "noted"})
    return d


def test_replaying_the_log_gives_the_same_snapshot():
    d = _busy_day()
    again = State()
    for e in d.log:
        again.apply(e)
    assert again.last_seq == d.state.last_seq == len(d.log)
    ann = next(p for p in d.state.participants.values() if p["name"] == "Ann")
    viewers = [ORGANISER, LEAD, BOARD, SCREEN, FAC_A, FAC_B,
               Viewer("participant", ann["id"], "Ann", "access")]
    for v in viewers:
        assert again.snapshot(v) == d.state.snapshot(v), v.role
    assert again.settled == d.state.settled
    assert again.client_calls == d.state.client_calls


def test_events_with_a_client_id_are_remembered_by_actor_and_client_id(day):
    ann = day.join("access")
    e = day.run("note.add", ann, {"client_id": "same-id", "text": "hi"})
    assert day.state.client_calls[(ann.id, "same-id")] == e["seq"]


def test_group_activity_is_the_ts_of_its_last_event(day):
    ann = day.join("access")
    day.now = T0 + 7_000
    day.note(ann)
    assert day.state.last_activity["access"] == T0 + 7_000
    assert "mental-health" not in day.state.last_activity


# -- visibility: can_see ---------------------------------------------------------


def test_group_private_events_are_for_the_group_and_lead_and_organiser(day):
    ann = day.join("access", "Ann")
    bob = day.join("mental-health", "Bob")
    n = day.note(ann)
    added = day.log[-1]
    day.run("note.support", ann, {"note_id": n})
    supported = day.log[-1]
    day.run("note.hide", FAC_A, {"note_id": n})
    hidden = day.log[-1]
    day.keypoint(FAC_A)
    kp = day.log[-1]
    for e in (added, supported, hidden, kp):
        assert ev.audience(e) == ev.GROUP, e["type"]
        assert can_see(ann, e) and can_see(FAC_A, e)
        assert can_see(LEAD, e) and can_see(ORGANISER, e)
        assert not can_see(bob, e) and not can_see(FAC_B, e)
        assert not can_see(BOARD, e) and not can_see(SCREEN, e)


def test_who_joined_is_for_those_who_run_the_group(day):
    """Names stay with the facilitator, lead and organiser: members get a count."""
    ann = day.join("access", "Ann")
    ava = day.join("access", "Ava")
    joined = day.log[-1]
    assert ev.audience(joined) == ev.GROUP_STAFF and ev.is_group_private(joined)
    for v in (FAC_A, LEAD, ORGANISER):
        assert can_see(v, joined), v.role
    for v in (ann, ava, FAC_B, BOARD, SCREEN, day.join("mental-health", "Bob")):
        assert not can_see(v, joined), v.role


def test_public_events_are_seen_by_everyone(day):
    ann = day.join("access", "Ann")
    bob = day.join("mental-health", "Bob")
    k = day.keypoint(FAC_A)
    day.run("keypoint.publish", FAC_A, {"keypoint_id": k})
    published = day.log[-1]
    started = day.run("agenda.start", LEAD, {"slot_id": "welcome"})
    focused = day.run("plenary.focus", LEAD, {"group_id": "access"})
    r = day.response("access")
    logged = day.log[-1]
    c = day.correction(ann, r)
    submitted = day.log[-1]
    resolved = day.run("correction.resolve", BOARD, {"correction_id": c, "outcome": "accepted"})
    for e in (day.log[0], published, started, focused, logged, submitted, resolved):
        assert not ev.is_group_private(e), e["type"]
        for v in (ann, bob, FAC_A, FAC_B, LEAD, ORGANISER, BOARD, SCREEN):
            assert can_see(v, e), (v.role, e["type"])


def test_published_keypoint_event_carries_its_text_for_public_viewers(day):
    k = day.keypoint(FAC_A, "Shorter waits")
    e = day.run("keypoint.publish", FAC_A, {"keypoint_id": k})
    assert e["data"] == {"keypoint_id": k, "text": "Shorter waits"}
    assert can_see(SCREEN, e)


# -- visibility: snapshot --------------------------------------------------------


def test_participant_sees_own_group_notes_not_another_groups(day):
    ann = day.join("access", "Ann")
    bob = day.join("mental-health", "Bob")
    na = day.note(ann, "A's note")
    nb = day.note(bob, "B's note")
    assert ids(day.state.snapshot(ann)["notes"]) == {na}
    assert ids(day.state.snapshot(bob)["notes"]) == {nb}
    assert ids(day.state.snapshot(FAC_A)["notes"]) == {na}
    assert ids(day.state.snapshot(LEAD)["notes"]) == {na, nb}
    assert ids(day.state.snapshot(ORGANISER)["notes"]) == {na, nb}
    assert day.state.snapshot(BOARD)["notes"] == []
    assert day.state.snapshot(SCREEN)["notes"] == []


def test_hidden_notes_are_gone_for_participants_but_marked_for_staff(day):
    ann = day.join("access", "Ann")
    keep = day.note(ann, "keep")
    gone = day.note(ann, "gone")
    day.run("note.hide", FAC_A, {"note_id": gone})
    assert ids(day.state.snapshot(ann)["notes"]) == {keep}
    for staff in (FAC_A, LEAD, ORGANISER):
        notes = {n["id"]: n for n in day.state.snapshot(staff)["notes"]}
        assert set(notes) == {keep, gone}
        assert notes[gone]["hidden"] is True and notes[keep]["hidden"] is False


def test_unpublished_keypoints_are_for_the_groups_side_and_lead_and_organiser(day):
    ann = day.join("access", "Ann")
    bob = day.join("mental-health", "Bob")
    k = day.keypoint(FAC_A)
    for v in (ann, FAC_A, LEAD, ORGANISER):
        kps = day.state.snapshot(v)["keypoints"]
        assert ids(kps) == {k} and kps[0]["published"] is False, v.role
    for v in (bob, FAC_B, BOARD, SCREEN):
        assert day.state.snapshot(v)["keypoints"] == [], v.role


def test_published_keypoints_are_seen_by_everyone(day):
    bob = day.join("mental-health", "Bob")
    k = day.keypoint(FAC_A, "Shorter waits")
    day.now = T0 + 1234
    day.run("keypoint.publish", FAC_A, {"keypoint_id": k})
    for v in (bob, FAC_B, BOARD, SCREEN, LEAD):
        kps = day.state.snapshot(v)["keypoints"]
        assert [(x["id"], x["text"], x["published"], x["published_at"]) for x in kps] == [
            (k, "Shorter waits", True, T0 + 1234)], v.role


def test_responses_and_corrections_are_seen_by_screen_and_board(day):
    ann = day.join("access", "Ann")
    bob = day.join("mental-health", "Bob")
    r = day.response("access", "decline", reason="Out of our hands")
    c = day.correction(ann, r, "We asked for evenings")
    for v in (SCREEN, BOARD, bob, FAC_B):
        snap = day.state.snapshot(v)
        assert ids(snap["responses"]) == {r}, v.role
        assert snap["responses"][0]["reason"] == "Out of our hands"
        assert ids(snap["corrections"]) == {c}, v.role
        assert snap["corrections"][0]["text"] == "We asked for evenings"


def test_participants_are_listed_for_those_who_run_the_group(day):
    ann = day.join("access", "Ann")
    ann2 = day.join("access", "Ava")
    bob = day.join("mental-health", "Bob")
    assert day.state.snapshot(ann)["participants"] == []
    assert day.state.snapshot(bob)["participants"] == []
    assert ids(day.state.snapshot(FAC_A)["participants"]) == {ann.id, ann2.id}
    own = [g for g in day.state.snapshot(ann)["groups"] if g["id"] == "access"]
    assert own[0]["joined"] == 2, "members learn how many, not who"
    assert ids(day.state.snapshot(LEAD)["participants"]) == {ann.id, ann2.id, bob.id}
    assert ids(day.state.snapshot(ORGANISER)["participants"]) == {ann.id, ann2.id, bob.id}
    assert day.state.snapshot(BOARD)["participants"] == []
    assert day.state.snapshot(SCREEN)["participants"] == []


def test_snapshot_has_the_contract_keys_for_every_role(day):
    ann = day.join("access")
    for v in (ann, FAC_A, LEAD, ORGANISER, BOARD, SCREEN):
        snap = day.state.snapshot(v)
        assert {"assembly", "groups", "agenda", "timer", "notes", "keypoints", "responses",
                "corrections"} <= set(snap)
        assert snap["assembly"]["title"].startswith("NHS Citizen")
        assert snap["assembly"]["date"] == "2014-09-17"
        assert set(snap["agenda"][0]) == {"id", "title", "minutes", "kind", "group_id"}
        assert snap["timer"]["status"] == "idle"


def test_snapshot_info_packs_and_join_counts_by_role(day):
    ann = day.join("access")
    own = {g["id"]: g for g in day.state.snapshot(ann)["groups"]}
    assert own["access"]["info_pack"] and own["access"]["joined"] == 1
    assert "info_pack" not in own["mental-health"] and "joined" not in own["mental-health"]
    lead = {g["id"]: g for g in day.state.snapshot(LEAD)["groups"]}
    assert lead["access"]["joined"] == 1 and lead["mental-health"]["joined"] == 0
    screen = {g["id"]: g for g in day.state.snapshot(SCREEN)["groups"]}
    assert screen["mental-health"]["info_pack"] and "joined" not in screen["access"]


def test_notes_in_a_snapshot_are_copies_of_supporters(day):
    ann = day.join("access")
    n = day.note(ann)
    snap = day.state.snapshot(ann)
    snap["notes"][0]["supporters"].append("intruder")
    assert day.state.notes[n]["supporters"] == []


# -- the command table -------------------------------------------------------------


CONTRACT_COMMANDS = {
    # §4
    "note.add", "note.support", "note.hide", "keypoint.add", "keypoint.publish",
    "agenda.start", "timer.pause", "timer.resume", "timer.extend", "plenary.focus",
    "response.log", "correction.submit", "correction.resolve",
    # §8
    "assembly.update", "group.add", "group.update", "slot.add", "slot.update", "slot.move",
    "slot.remove",
    # §9
    "poll.open", "vote.cast", "poll.close",
    # §11
    "token.rotate",
    # §12
    "keypoint.unpublish", "keypoint.remove", "keypoint.edit", "response.withdraw", "agenda.end",
}
OUR_COMMANDS = {"note.restore", "keypoint.order", "joincode.rotate"}


def test_commands_are_the_contract_client_events_and_the_consoles():
    assert set(COMMANDS) == CONTRACT_COMMANDS | OUR_COMMANDS


@pytest.mark.parametrize("name, who", [
    ("note.add", LEAD), ("note.support", LEAD), ("note.hide", LEAD),
    ("keypoint.add", LEAD), ("keypoint.publish", LEAD), ("agenda.start", LEAD),
    ("timer.extend", LEAD), ("plenary.focus", LEAD), ("response.log", BOARD),
    ("correction.submit", LEAD), ("correction.resolve", BOARD)])
@pytest.mark.parametrize("payload", [["x"], "text", 5])
def test_a_payload_that_is_not_an_object_is_invalid(day, name, who, payload):
    assert day.refuse(name, who, payload) == "invalid"


def test_command_error_as_ack():
    err = CommandError("conflict", "nope")
    assert err.as_ack() == {"ok": False, "error": {"code": "conflict", "message": "nope"}}


# -- joining -----------------------------------------------------------------------


def test_join_produces_participant_joined(day):
    draft, pid = commands.join(day.state, "access", "  Ann   Lee ")
    assert pid.startswith("p_")
    assert draft["type"] == ev.PARTICIPANT_JOINED and draft["group_id"] == "access"
    assert draft["data"] == {"participant_id": pid, "name": "Ann Lee"}
    assert draft["actor"] == {"role": "participant", "id": pid, "name": "Ann Lee"}


def test_join_an_unknown_group_is_not_found(day):
    with pytest.raises(CommandError) as info:
        commands.join(day.state, "no-such-group", "Ann")
    assert info.value.code == "not_found"


@pytest.mark.parametrize("name", ["x" * 60, "  " + "x" * 60 + "  ", "a"])
def test_display_names_up_to_60_are_accepted(day, name):
    assert commands.clean_name(name) == name.strip()
    draft, _ = commands.join(day.state, "access", name)
    assert draft["data"]["name"] == name.strip()


@pytest.mark.parametrize("name, code", [
    ("x" * 61, "too_large"), ("", "invalid"), ("   \n\t", "invalid"), (None, "invalid"),
    (42, "invalid")])
def test_bad_display_names_are_refused(day, name, code):
    with pytest.raises(CommandError) as info:
        commands.clean_name(name)
    assert info.value.code == code
    with pytest.raises(CommandError) as info:
        commands.join(day.state, "access", name)
    assert info.value.code == code


# -- note.add ------------------------------------------------------------------------


def test_note_add_by_a_participant(day):
    ann = day.join("access", "Ann")
    e = day.run("note.add", ann, {"client_id": "c1", "text": "  Evening GP slots \n"})
    assert e["type"] == ev.NOTE_ADDED and e["group_id"] == "access"
    assert e["actor"] == {"role": "participant", "id": ann.id, "name": "Ann"}
    assert e["data"]["text"] == "Evening GP slots"
    assert e["data"]["client_id"] == "c1" and e["data"]["note_id"].startswith("n_")
    note = day.state.notes[e["data"]["note_id"]]
    assert note["text"] == "Evening GP slots" and note["supporters"] == [] and not note["hidden"]


def test_note_text_is_stored_as_given_not_escaped(day):
    ann = day.join("access")
    n = day.note(ann, "<b>bold</b> & co")
    assert day.state.notes[n]["text"] == "<b>bold</b> & co"


def test_note_of_1000_characters_is_accepted(day):
    ann = day.join("access")
    n = day.note(ann, " " + "x" * 1000 + " ")
    assert day.state.notes[n]["text"] == "x" * 1000


def test_note_of_1001_characters_is_too_large(day):
    ann = day.join("access")
    assert day.refuse("note.add", ann, {"client_id": cid(), "text": "x" * 1001}) == "too_large"


@pytest.mark.parametrize("text", ["", "   ", "\n\t ", None, 5, ["a"]])
def test_note_without_text_is_invalid(day, text):
    ann = day.join("access")
    assert day.refuse("note.add", ann, {"client_id": cid(), "text": text}) == "invalid"


@pytest.mark.parametrize("client_id", [None, "", "x" * 65, "has space", 5, "ä"])
def test_note_with_a_bad_client_id_is_invalid(day, client_id):
    ann = day.join("access")
    assert day.refuse("note.add", ann, {"client_id": client_id, "text": "hi"}) == "invalid"


def test_note_add_by_a_facilitator_goes_to_its_group(day):
    e = day.run("note.add", FAC_A, {"client_id": cid(), "text": "hi"})
    assert e["group_id"] == "access"


def test_participant_may_not_write_in_another_group(day):
    ann = day.join("access")
    payload = {"client_id": cid(), "text": "hi", "group_id": "mental-health"}
    assert day.refuse("note.add", ann, payload) == "forbidden"
    assert day.refuse("note.add", FAC_A, payload) == "forbidden"


def test_participant_naming_its_own_group_is_fine(day):
    ann = day.join("access")
    e = day.run("note.add", ann, {"client_id": cid(), "text": "hi", "group_id": "access"})
    assert e["group_id"] == "access"


def test_lead_note_add_needs_an_existing_group_id(day):
    assert day.refuse("note.add", LEAD, {"client_id": cid(), "text": "hi"}) == "invalid"
    assert day.refuse("note.add", LEAD,
                      {"client_id": cid(), "text": "hi", "group_id": "nope"}) == "not_found"
    e = day.run("note.add", LEAD, {"client_id": cid(), "text": "hi", "group_id": "self-care"})
    assert e["group_id"] == "self-care"


@pytest.mark.parametrize("who", [BOARD, SCREEN])
def test_board_and_screen_may_not_add_notes(day, who):
    payload = {"client_id": cid(), "text": "hi", "group_id": "access"}
    assert day.refuse("note.add", who, payload) == "forbidden"


def test_the_31st_note_in_a_minute_by_a_participant_is_rate_limited(day):
    ann = day.join("access")
    for i in range(30):
        day.now = T0 + i * 1000
        day.note(ann, f"note {i}")
    day.now = T0 + 30_000
    assert day.refuse("note.add", ann, {"client_id": cid(), "text": "one more"}) == "rate_limited"


def test_rate_limit_is_per_participant(day):
    ann = day.join("access", "Ann")
    ava = day.join("access", "Ava")
    for i in range(30):
        day.note(ann, f"note {i}")
    assert day.refuse("note.add", ann, {"client_id": cid(), "text": "more"}) == "rate_limited"
    day.note(ava, "mine")


def test_a_facilitator_is_not_rate_limited(day):
    for i in range(40):
        day.note(FAC_A, f"note {i}")
    assert len(day.state.notes) == 40


def test_rate_limit_lets_a_participant_write_again_after_60_seconds(day):
    ann = day.join("access")
    for i in range(30):
        day.note(ann, f"note {i}")  # all at T0
    day.now = T0 + 59_999
    assert day.refuse("note.add", ann, {"client_id": cid(), "text": "early"}) == "rate_limited"
    day.now = T0 + 60_000
    n = day.note(ann, "allowed again")
    assert day.state.notes[n]["ts"] == T0 + 60_000


def test_rate_limit_window_slides(day):
    ann = day.join("access")
    for i in range(30):
        day.now = T0 + i * 1000  # one a second
        day.note(ann, f"note {i}")
    day.now = T0 + 60_000  # the first note (T0) has left the window, 29 remain
    day.note(ann, "31st overall, 30th in the window")
    assert day.refuse("note.add", ann, {"client_id": cid(), "text": "no"}) == "rate_limited"
    day.now = T0 + 61_000  # the second note has left too
    day.note(ann, "fine again")


# -- note.support ---------------------------------------------------------------------


def test_note_support(day):
    ann = day.join("access", "Ann")
    ava = day.join("access", "Ava")
    n = day.note(ann)
    e = day.run("note.support", ava, {"note_id": n})
    assert e["type"] == ev.NOTE_SUPPORTED and e["group_id"] == "access"
    assert e["data"] == {"note_id": n}
    assert day.state.notes[n]["supporters"] == [ava.id]


def test_supporting_twice_is_settled_by_the_first_event(day):
    ann = day.join("access")
    n = day.note(ann)
    first = day.run("note.support", ann, {"note_id": n})
    plan = day.plan("note.support", ann, {"note_id": n})
    assert plan.drafts == [] and plan.settled_seq == first["seq"]
    assert day.state.notes[n]["supporters"] == [ann.id]


def test_support_from_another_groups_member_is_not_found(day):
    ann = day.join("access")
    bob = day.join("mental-health")
    n = day.note(ann)
    assert day.refuse("note.support", bob, {"note_id": n}) == "not_found"
    assert day.refuse("note.support", FAC_B, {"note_id": n}) == "not_found"


def test_support_of_an_unknown_note_is_not_found(day):
    ann = day.join("access")
    assert day.refuse("note.support", ann, {"note_id": "n_missing"}) == "not_found"


@pytest.mark.parametrize("payload", [{}, {"note_id": 5}, {"note_id": ""}, {"note_id": "x" * 101}])
def test_support_without_a_note_id_is_invalid(day, payload):
    ann = day.join("access")
    assert day.refuse("note.support", ann, payload) == "invalid"


def test_support_of_a_hidden_note_is_a_conflict(day):
    ann = day.join("access")
    n = day.note(ann)
    day.run("note.hide", FAC_A, {"note_id": n})
    assert day.refuse("note.support", ann, {"note_id": n}) == "conflict"


@pytest.mark.parametrize("who", [BOARD, SCREEN])
def test_board_and_screen_may_not_support(day, who):
    ann = day.join("access")
    n = day.note(ann)
    assert day.refuse("note.support", who, {"note_id": n}) == "forbidden"


# -- note.hide -------------------------------------------------------------------------


@pytest.mark.parametrize("who", [FAC_A, LEAD, ORGANISER])
def test_note_hide(day, who):
    ann = day.join("access")
    n = day.note(ann)
    e = day.run("note.hide", who, {"note_id": n})
    assert e["type"] == ev.NOTE_HIDDEN and e["group_id"] == "access" and e["data"] == {"note_id": n}
    assert day.state.notes[n]["hidden"] is True


def test_hiding_twice_is_settled(day):
    ann = day.join("access")
    n = day.note(ann)
    first = day.run("note.hide", FAC_A, {"note_id": n})
    plan = day.plan("note.hide", LEAD, {"note_id": n})
    assert plan.drafts == [] and plan.settled_seq == first["seq"]


@pytest.mark.parametrize("who", ["participant", BOARD, SCREEN])
def test_only_staff_may_hide(day, who):
    ann = day.join("access")
    n = day.note(ann)
    who = ann if who == "participant" else who
    assert day.refuse("note.hide", who, {"note_id": n}) == "forbidden"


def test_another_groups_facilitator_cannot_hide(day):
    ann = day.join("access")
    n = day.note(ann)
    assert day.refuse("note.hide", FAC_B, {"note_id": n}) == "not_found"
    assert day.refuse("note.hide", FAC_A, {"note_id": "n_missing"}) == "not_found"
    assert day.refuse("note.hide", FAC_A, {}) == "invalid"


# -- keypoint.add -----------------------------------------------------------------------


def test_keypoint_add_by_a_facilitator(day):
    ann = day.join("access")
    n1, n2 = day.note(ann, "one"), day.note(ann, "two")
    e = day.run("keypoint.add", FAC_A, {"client_id": "k1", "text": "  Shorter waits ",
                                        "note_ids": [n1, n2, n1]})
    assert e["type"] == ev.KEYPOINT_ADDED and e["group_id"] == "access"
    d = e["data"]
    assert d["text"] == "Shorter waits" and d["client_id"] == "k1"
    assert d["keypoint_id"].startswith("k_") and d["note_ids"] == [n1, n2]
    kp = day.state.keypoints[d["keypoint_id"]]
    assert kp["published"] is False and kp["note_ids"] == [n1, n2]


def test_keypoint_note_ids_are_optional(day):
    k = day.keypoint(FAC_A)
    assert day.state.keypoints[k]["note_ids"] == []


def test_keypoint_add_by_the_lead_names_the_group(day):
    assert day.refuse("keypoint.add", LEAD, {"client_id": cid(), "text": "x"}) == "invalid"
    assert day.refuse("keypoint.add", LEAD,
                      {"client_id": cid(), "text": "x", "group_id": "nope"}) == "not_found"
    e = day.run("keypoint.add", LEAD, {"client_id": cid(), "text": "x", "group_id": "self-care"})
    assert e["group_id"] == "self-care"


def test_keypoint_citing_another_groups_note_is_not_found(day):
    bob = day.join("mental-health")
    nb = day.note(bob)
    payload = {"client_id": cid(), "text": "x", "note_ids": [nb]}
    assert day.refuse("keypoint.add", FAC_A, payload) == "not_found"
    assert day.refuse("keypoint.add", LEAD, {**payload, "group_id": "access"}) == "not_found"


def test_keypoint_citing_an_unknown_note_is_not_found(day):
    payload = {"client_id": cid(), "text": "x", "note_ids": ["n_missing"]}
    assert day.refuse("keypoint.add", FAC_A, payload) == "not_found"


@pytest.mark.parametrize("note_ids", ["n_1", [1, 2], {"a": 1}, [None]])
def test_keypoint_note_ids_must_be_a_list_of_ids(day, note_ids):
    payload = {"client_id": cid(), "text": "x", "note_ids": note_ids}
    assert day.refuse("keypoint.add", FAC_A, payload) == "invalid"


def test_keypoint_citing_more_than_50_notes_is_too_large(day):
    payload = {"client_id": cid(), "text": "x", "note_ids": [f"n_{i}" for i in range(51)]}
    assert day.refuse("keypoint.add", FAC_A, payload) == "too_large"


def test_keypoint_text_limits(day):
    assert day.refuse("keypoint.add", FAC_A, {"client_id": cid(), "text": "y" * 1001}) == "too_large"
    assert day.refuse("keypoint.add", FAC_A, {"client_id": cid(), "text": "  "}) == "invalid"
    assert day.refuse("keypoint.add", FAC_A, {"text": "hello"}) == "invalid"
    k = day.keypoint(FAC_A, "y" * 1000)
    assert len(day.state.keypoints[k]["text"]) == 1000


@pytest.mark.parametrize("who", ["participant", BOARD, SCREEN])
def test_only_facilitators_lead_and_organiser_add_keypoints(day, who):
    who = day.join("access") if who == "participant" else who
    payload = {"client_id": cid(), "text": "x", "group_id": "access"}
    assert day.refuse("keypoint.add", who, payload) == "forbidden"


def test_facilitator_may_not_add_a_keypoint_to_another_group(day):
    payload = {"client_id": cid(), "text": "x", "group_id": "mental-health"}
    assert day.refuse("keypoint.add", FAC_A, payload) == "forbidden"


# -- keypoint.publish ----------------------------------------------------------------------


@pytest.mark.parametrize("who", [FAC_A, LEAD, ORGANISER])
def test_keypoint_publish(day, who):
    k = day.keypoint(FAC_A, "Shorter waits")
    day.now = T0 + 500
    e = day.run("keypoint.publish", who, {"keypoint_id": k})
    assert e["type"] == ev.KEYPOINT_PUBLISHED and e["group_id"] == "access"
    assert e["data"] == {"keypoint_id": k, "text": "Shorter waits"}
    kp = day.state.keypoints[k]
    assert kp["published"] is True and kp["published_at"] == T0 + 500


def test_publishing_twice_is_settled(day):
    k = day.keypoint(FAC_A)
    first = day.run("keypoint.publish", FAC_A, {"keypoint_id": k})
    plan = day.plan("keypoint.publish", LEAD, {"keypoint_id": k})
    assert plan.drafts == [] and plan.settled_seq == first["seq"]


def test_publish_refusals(day):
    k = day.keypoint(FAC_A)
    ann = day.join("access")
    assert day.refuse("keypoint.publish", ann, {"keypoint_id": k}) == "forbidden"
    assert day.refuse("keypoint.publish", BOARD, {"keypoint_id": k}) == "forbidden"
    assert day.refuse("keypoint.publish", FAC_B, {"keypoint_id": k}) == "not_found"
    assert day.refuse("keypoint.publish", FAC_A, {"keypoint_id": "k_missing"}) == "not_found"
    assert day.refuse("keypoint.publish", FAC_A, {}) == "invalid"


# -- agenda.start and the timer --------------------------------------------------------------


def test_agenda_start_sets_ends_at_from_minutes(day):
    day.now = T0 + 42
    e = day.run("agenda.start", LEAD, {"slot_id": "issue-groups"})
    assert e["type"] == ev.AGENDA_STARTED and e["group_id"] is None
    assert e["data"]["slot_id"] == "issue-groups"
    assert e["data"]["ends_at"] == T0 + 42 + 90 * 60_000
    t = day.state.timer
    assert t["slot_id"] == "issue-groups" and t["status"] == "running"
    assert t["ends_at"] == T0 + 42 + 90 * 60_000 and t["started_at"] == T0 + 42


def test_agenda_start_refusals(day):
    assert day.refuse("agenda.start", FAC_A, {"slot_id": "welcome"}) == "forbidden"
    assert day.refuse("agenda.start", BOARD, {"slot_id": "welcome"}) == "forbidden"
    assert day.refuse("agenda.start", LEAD, {"slot_id": "nope"}) == "not_found"
    assert day.refuse("agenda.start", LEAD, {}) == "invalid"
    assert day.refuse("agenda.start", LEAD, None) == "invalid"


def test_starting_the_running_slot_again_is_a_conflict(day):
    day.run("agenda.start", LEAD, {"slot_id": "welcome"})
    assert day.refuse("agenda.start", LEAD, {"slot_id": "welcome"}) == "conflict"
    day.run("timer.pause", LEAD)
    assert day.refuse("agenda.start", LEAD, {"slot_id": "welcome"}) == "conflict"


def test_starting_the_next_slot_ends_the_previous_run(day):
    day.run("agenda.start", LEAD, {"slot_id": "welcome"})
    day.now = T0 + 17 * MIN
    day.run("agenda.start", ORGANISER, {"slot_id": "issue-groups"})
    first, second = day.state.runs
    assert first == {"slot_id": "welcome", "started_at": T0, "ended_at": T0 + 17 * MIN,
                     "planned_ms": 15 * MIN, "extended_ms": 0, "paused_ms": 0,
                     "paused_at": None}
    assert second["slot_id"] == "issue-groups" and second["started_at"] == T0 + 17 * MIN
    assert second["ended_at"] is None and second["planned_ms"] == 90 * MIN


def test_pause_keeps_the_remaining_time(day):
    day.run("agenda.start", LEAD, {"slot_id": "welcome"})  # ends at T0 + 15 min
    day.now = T0 + 5 * MIN
    e = day.run("timer.pause", LEAD)
    assert e["type"] == ev.TIMER_PAUSED
    assert e["data"] == {"slot_id": "welcome", "remaining_ms": 10 * MIN}
    t = day.state.timer
    assert t["status"] == "paused" and t["remaining_ms"] == 10 * MIN and t["ends_at"] is None


def test_pause_of_an_overrun_slot_keeps_a_negative_remaining(day):
    day.run("agenda.start", LEAD, {"slot_id": "welcome"})
    day.now = T0 + 15 * MIN + 90_000  # 90 s over
    e = day.run("timer.pause", LEAD)
    assert e["data"]["remaining_ms"] == -90_000
    assert day.state.timer["remaining_ms"] == -90_000
    day.now += 10_000
    r = day.run("timer.resume", LEAD)
    assert r["data"]["ends_at"] == day.now - 90_000  # still overrun by 90 s


def test_resume_sets_ends_at_from_remaining(day):
    day.run("agenda.start", LEAD, {"slot_id": "welcome"})
    day.now = T0 + 5 * MIN
    day.run("timer.pause", LEAD)
    day.now = T0 + 8 * MIN
    e = day.run("timer.resume", LEAD)
    assert e["type"] == ev.TIMER_RESUMED
    assert e["data"] == {"slot_id": "welcome", "ends_at": T0 + 18 * MIN}
    t = day.state.timer
    assert t["status"] == "running" and t["ends_at"] == T0 + 18 * MIN and t["remaining_ms"] is None
    assert day.state.runs[-1]["paused_ms"] == 3 * MIN
    assert day.state.runs[-1]["paused_at"] is None


def test_paused_time_adds_up_over_several_pauses(day):
    day.run("agenda.start", LEAD, {"slot_id": "welcome"})
    for pause_start, pause_len in ((MIN, 20_000), (3 * MIN, 40_000)):
        day.now = T0 + pause_start
        day.run("timer.pause", LEAD)
        day.now += pause_len
        day.run("timer.resume", LEAD)
    assert day.state.runs[-1]["paused_ms"] == 60_000


def test_pause_when_idle_is_a_conflict(day):
    assert day.refuse("timer.pause", LEAD) == "conflict"


def test_pause_when_already_paused_is_a_conflict(day):
    day.run("agenda.start", LEAD, {"slot_id": "welcome"})
    day.run("timer.pause", LEAD)
    assert day.refuse("timer.pause", LEAD) == "conflict"


def test_resume_when_running_is_a_conflict(day):
    day.run("agenda.start", LEAD, {"slot_id": "welcome"})
    assert day.refuse("timer.resume", LEAD) == "conflict"


def test_resume_when_idle_is_a_conflict(day):
    assert day.refuse("timer.resume", LEAD) == "conflict"


@pytest.mark.parametrize("name", ["timer.pause", "timer.resume", "timer.extend"])
@pytest.mark.parametrize("who", [FAC_A, BOARD, SCREEN])
def test_only_lead_and_organiser_drive_the_timer(day, name, who):
    day.run("agenda.start", LEAD, {"slot_id": "welcome"})
    assert day.refuse(name, who, {"seconds": 60}) == "forbidden"


def test_extend_while_running_moves_ends_at(day):
    day.run("agenda.start", LEAD, {"slot_id": "welcome"})
    day.now = T0 + MIN
    e = day.run("timer.extend", LEAD, {"seconds": 120})
    assert e["type"] == ev.TIMER_EXTENDED
    assert e["data"] == {"slot_id": "welcome", "seconds": 120, "ends_at": T0 + 17 * MIN}
    assert day.state.timer["ends_at"] == T0 + 17 * MIN
    assert day.state.timer["status"] == "running"
    assert day.state.runs[-1]["extended_ms"] == 120_000


def test_extend_while_paused_moves_remaining(day):
    day.run("agenda.start", LEAD, {"slot_id": "welcome"})
    day.now = T0 + 5 * MIN
    day.run("timer.pause", LEAD)
    e = day.run("timer.extend", LEAD, {"seconds": 60})
    assert e["data"] == {"slot_id": "welcome", "seconds": 60, "remaining_ms": 11 * MIN}
    assert day.state.timer["remaining_ms"] == 11 * MIN
    assert day.state.timer["ends_at"] is None and day.state.timer["status"] == "paused"
    day.now = T0 + 6 * MIN
    r = day.run("timer.resume", LEAD)
    assert r["data"]["ends_at"] == T0 + 17 * MIN


def test_extended_ms_adds_up(day):
    day.run("agenda.start", LEAD, {"slot_id": "welcome"})
    day.run("timer.extend", LEAD, {"seconds": 60})
    day.run("timer.pause", LEAD)
    day.run("timer.extend", LEAD, {"seconds": 30})
    assert day.state.runs[-1]["extended_ms"] == 90_000


@pytest.mark.parametrize("seconds", [1, 3600])
def test_extend_accepts_1_to_3600_seconds(day, seconds):
    day.run("agenda.start", LEAD, {"slot_id": "welcome"})
    e = day.run("timer.extend", LEAD, {"seconds": seconds})
    assert e["data"]["ends_at"] == T0 + 15 * MIN + seconds * 1000


@pytest.mark.parametrize("seconds", [0, -5, 3601, True, False, "5", 5.0, None])
def test_extend_with_bad_seconds_is_invalid(day, seconds):
    day.run("agenda.start", LEAD, {"slot_id": "welcome"})
    assert day.refuse("timer.extend", LEAD, {"seconds": seconds}) == "invalid"


def test_extend_without_seconds_is_invalid(day):
    day.run("agenda.start", LEAD, {"slot_id": "welcome"})
    assert day.refuse("timer.extend", LEAD, {}) == "invalid"
    assert day.refuse("timer.extend", LEAD, None) == "invalid"


def test_extend_when_idle_is_a_conflict(day):
    assert day.refuse("timer.extend", LEAD, {"seconds": 60}) == "conflict"


def test_runs_record_a_whole_slot(day):
    day.run("agenda.start", LEAD, {"slot_id": "break"})      # planned 15 min
    day.now = T0 + 2 * MIN
    day.run("timer.extend", LEAD, {"seconds": 300})
    day.now = T0 + 4 * MIN
    day.run("timer.pause", LEAD)
    day.now = T0 + 6 * MIN
    day.run("timer.resume", LEAD)
    day.now = T0 + 25 * MIN
    day.run("agenda.start", LEAD, {"slot_id": "plenary-access"})
    run = day.state.runs[0]
    assert run == {"slot_id": "break", "started_at": T0, "ended_at": T0 + 25 * MIN,
                   "planned_ms": 15 * MIN, "extended_ms": 5 * MIN, "paused_ms": 2 * MIN,
                   "paused_at": None}
    assert day.state.snapshot(SCREEN)["runs"][0] == run


def test_a_slot_may_be_started_again_after_another(day):
    day.run("agenda.start", LEAD, {"slot_id": "welcome"})
    day.run("agenda.start", LEAD, {"slot_id": "break"})
    day.run("agenda.start", LEAD, {"slot_id": "welcome"})
    assert [r["slot_id"] for r in day.state.runs] == ["welcome", "break", "welcome"]
    assert [r["ended_at"] is None for r in day.state.runs] == [False, False, True]


def test_a_pause_that_lasts_until_the_next_slot_is_counted(day):
    day.run("agenda.start", LEAD, {"slot_id": "welcome"})
    day.now = T0 + 5 * MIN
    day.run("timer.pause", LEAD)
    day.now = T0 + 8 * MIN
    day.run("agenda.start", LEAD, {"slot_id": "issue-groups"})
    first = day.state.runs[0]
    assert first["ended_at"] == T0 + 8 * MIN
    assert first["paused_at"] is None and first["paused_ms"] == 3 * MIN


# -- plenary.focus --------------------------------------------------------------------


def test_plenary_focus_and_clear(day):
    e = day.run("plenary.focus", LEAD, {"group_id": "young-people"})
    assert e["type"] == ev.PLENARY_FOCUSED and e["group_id"] is None
    assert e["data"] == {"group_id": "young-people"}
    assert day.state.focus == "young-people"
    assert day.state.snapshot(SCREEN)["focus"] == "young-people"
    day.run("plenary.focus", ORGANISER, {"group_id": None})
    assert day.state.focus is None


def test_plenary_focus_refusals(day):
    assert day.refuse("plenary.focus", LEAD, {}) == "invalid"
    assert day.refuse("plenary.focus", LEAD, None) == "invalid"
    assert day.refuse("plenary.focus", LEAD, {"group_id": 5}) == "invalid"
    assert day.refuse("plenary.focus", LEAD, {"group_id": "nope"}) == "not_found"
    assert day.refuse("plenary.focus", FAC_A, {"group_id": "access"}) == "forbidden"
    assert day.refuse("plenary.focus", BOARD, {"group_id": "access"}) == "forbidden"
    assert day.refuse("plenary.focus", SCREEN, {"group_id": "access"}) == "forbidden"


# -- response.log ---------------------------------------------------------------------


def _response(**over):
    return {"client_id": cid(), "group_id": "access", "member": " Sir Malcolm ",
            "text": " We will publish waiting times ", "stance": "commit", **over}


@pytest.mark.parametrize("who", [BOARD, LEAD, ORGANISER])
def test_response_log(day, who):
    e = day.run("response.log", who, _response(client_id="r1"))
    assert e["type"] == ev.RESPONSE_LOGGED and e["group_id"] == "access"
    d = e["data"]
    assert d["response_id"].startswith("r_") and d["client_id"] == "r1"
    assert d["member"] == "Sir Malcolm" and d["text"] == "We will publish waiting times"
    assert d["stance"] == "commit" and d["reason"] is None
    r = day.state.responses[d["response_id"]]
    assert r["group_id"] == "access" and r["stance"] == "commit"


@pytest.mark.parametrize("stance", ["commit", "consider", "decline"])
def test_every_stance_is_accepted(day, stance):
    e = day.run("response.log", BOARD, _response(stance=stance, reason="Because"))
    assert e["data"]["stance"] == stance and e["data"]["reason"] == "Because"


def test_decline_without_reason_is_invalid(day):
    assert day.refuse("response.log", BOARD, _response(stance="decline")) == "invalid"
    assert day.refuse("response.log", BOARD, _response(stance="decline", reason="  ")) == "invalid"
    assert day.refuse("response.log", BOARD, _response(stance="decline", reason=None)) == "invalid"


def test_decline_with_a_reason_is_logged(day):
    e = day.run("response.log", BOARD, _response(stance="decline", reason=" No budget "))
    assert e["data"]["reason"] == "No budget"


@pytest.mark.parametrize("over, code", [
    ({"stance": "maybe"}, "invalid"),
    ({"stance": None}, "invalid"),
    ({"group_id": "nope"}, "not_found"),
    ({"group_id": None}, "invalid"),
    ({"member": "m" * 61}, "too_large"),
    ({"member": "  "}, "invalid"),
    ({"text": "t" * 1001}, "too_large"),
    ({"text": ""}, "invalid"),
    ({"reason": "r" * 1001}, "too_large"),
    ({"client_id": None}, "invalid"),
])
def test_response_log_refusals(day, over, code):
    assert day.refuse("response.log", BOARD, _response(**over)) == code


@pytest.mark.parametrize("who", ["participant", FAC_A, SCREEN])
def test_only_board_lead_and_organiser_log_responses(day, who):
    who = day.join("access") if who == "participant" else who
    assert day.refuse("response.log", who, _response()) == "forbidden"


# -- correction.submit -----------------------------------------------------------------


def test_correction_submit_by_a_participant(day):
    ann = day.join("access", "Ann")
    r = day.response("access")
    e = day.run("correction.submit", ann, {"client_id": "c1", "response_id": r,
                                           "text": " We said evenings "})
    assert e["type"] == ev.CORRECTION_SUBMITTED
    assert e["group_id"] == "access"  # the group the response answers
    d = e["data"]
    assert d["correction_id"].startswith("c_") and d["response_id"] == r
    assert d["text"] == "We said evenings" and d["client_id"] == "c1"
    c = day.state.corrections[d["correction_id"]]
    assert c["outcome"] is None and c["author"]["name"] == "Ann"


@pytest.mark.parametrize("who", [FAC_A, LEAD, ORGANISER])
def test_staff_may_submit_corrections(day, who):
    r = day.response("access")
    day.correction(who, r)


def test_correction_submit_refusals(day):
    ann = day.join("access")
    r = day.response("access")
    ok = {"client_id": cid(), "response_id": r, "text": "x"}
    assert day.refuse("correction.submit", BOARD, ok) == "forbidden"
    assert day.refuse("correction.submit", SCREEN, ok) == "forbidden"
    assert day.refuse("correction.submit", ann, {**ok, "response_id": "r_missing"}) == "not_found"
    assert day.refuse("correction.submit", ann, {**ok, "response_id": None}) == "invalid"
    assert day.refuse("correction.submit", ann, {**ok, "text": " "}) == "invalid"
    assert day.refuse("correction.submit", ann, {**ok, "text": "x" * 1001}) == "too_large"
    assert day.refuse("correction.submit", ann, {**ok, "client_id": ""}) == "invalid"


# -- correction.resolve ------------------------------------------------------------------


@pytest.mark.parametrize("who", [BOARD, LEAD, ORGANISER])
@pytest.mark.parametrize("outcome", ["accepted", "noted"])
def test_correction_resolve(day, who, outcome):
    ann = day.join("access")
    r = day.response("access")
    c = day.correction(ann, r)
    day.now = T0 + 999
    e = day.run("correction.resolve", who, {"correction_id": c, "outcome": outcome})
    assert e["type"] == ev.CORRECTION_RESOLVED and e["group_id"] == "access"
    assert e["data"] == {"correction_id": c, "response_id": r, "outcome": outcome}
    got = day.state.corrections[c]
    assert got["outcome"] == outcome and got["resolved_at"] == T0 + 999
    assert got["resolved_by"] == who.actor()


def test_resolving_twice_with_the_same_outcome_is_settled(day):
    ann = day.join("access")
    c = day.correction(ann, day.response("access"))
    first = day.run("correction.resolve", BOARD, {"correction_id": c, "outcome": "accepted"})
    plan = day.plan("correction.resolve", LEAD, {"correction_id": c, "outcome": "accepted"})
    assert plan.drafts == [] and plan.settled_seq == first["seq"]


def test_resolving_again_with_another_outcome_is_a_conflict(day):
    ann = day.join("access")
    c = day.correction(ann, day.response("access"))
    day.run("correction.resolve", BOARD, {"correction_id": c, "outcome": "accepted"})
    assert day.refuse("correction.resolve", BOARD,
                      {"correction_id": c, "outcome": "noted"}) == "conflict"
    assert day.state.corrections[c]["outcome"] == "accepted"


def test_correction_resolve_refusals(day):
    ann = day.join("access")
    c = day.correction(ann, day.response("access"))
    assert day.refuse("correction.resolve", ann, {"correction_id": c, "outcome": "noted"}) == "forbidden"
    assert day.refuse("correction.resolve", FAC_A, {"correction_id": c, "outcome": "noted"}) == "forbidden"
    assert day.refuse("correction.resolve", SCREEN, {"correction_id": c, "outcome": "noted"}) == "forbidden"
    assert day.refuse("correction.resolve", BOARD,
                      {"correction_id": "c_missing", "outcome": "noted"}) == "not_found"
    assert day.refuse("correction.resolve", BOARD, {"outcome": "noted"}) == "invalid"
    assert day.refuse("correction.resolve", BOARD, {"correction_id": c, "outcome": "yes"}) == "invalid"
    assert day.refuse("correction.resolve", BOARD, {"correction_id": c}) == "invalid"


# -- ack_for ---------------------------------------------------------------------------


def test_ack_for_a_note_names_seq_and_note_id(day):
    ann = day.join("access")
    e = day.run("note.add", ann, {"client_id": cid(), "text": "hi"})
    assert commands.ack_for(e) == {"ok": True, "seq": e["seq"], "note_id": e["data"]["note_id"]}


def test_ack_for_each_id_key(day):
    ann = day.join("access")
    k = day.run("keypoint.add", FAC_A, {"client_id": cid(), "text": "x"})
    assert commands.ack_for(k) == {"ok": True, "seq": k["seq"],
                                   "keypoint_id": k["data"]["keypoint_id"]}
    r = day.run("response.log", BOARD, _response())
    assert commands.ack_for(r) == {"ok": True, "seq": r["seq"],
                                   "response_id": r["data"]["response_id"]}
    c = day.run("correction.submit", ann, {"client_id": cid(), "text": "x",
                                           "response_id": r["data"]["response_id"]})
    ack = commands.ack_for(c)
    assert ack["seq"] == c["seq"] and ack["correction_id"] == c["data"]["correction_id"]


def test_ack_for_an_event_without_a_new_id_is_ok_and_seq(day):
    e = day.run("agenda.start", LEAD, {"slot_id": "welcome"})
    assert commands.ack_for(e) == {"ok": True, "seq": e["seq"]}

"""Every client→server command against the domain with generated hostile payloads
(Hypothesis, shrinking on): wrong types, sizes, nesting, unicode edge cases, extra and
missing keys, ids that exist and ids that do not. Whatever arrives, a command answers
with a plan or a CommandError carrying a contract code, never another exception; and
after any sequence the state equals a fresh fold of the log it produced."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from townhall import commands
from townhall import events as ev
from townhall.assembly import load_demo
from townhall.commands import COMMANDS, CommandError
from townhall.state import State, Viewer

T0 = 1_411_380_000_000
KEY = bytes(range(32))
LEAD = Viewer("lead", "lead", "Lead facilitator")
ORGANISER = Viewer("organiser", "organiser", "Organiser")
BOARD = Viewer("board", "board", "Board")
SCREEN = Viewer("screen", "screen", "Plenary screen")
FAC = Viewer("facilitator", "f:access", "Facilitator, Access", "access")
FAC_OTHER = Viewer("facilitator", "f:self-care", "Facilitator, Self-care", "self-care")


class World:
    """A day with something of everything, run through commands like the engine does."""

    def __init__(self) -> None:
        self.state = State(ballot_key=KEY)
        self.log: list[dict] = []
        self.now = T0
        self.append([ev.draft(ev.ASSEMBLY_LOADED, ORGANISER.actor(), None,
                              {"definition": load_demo(), "source": "test"})])
        self.ann = self.join("access", "Ann")
        self.bo = self.join("self-care", "Bo")
        self.ids: dict[str, list[str]] = {}
        note = self.must("note.add", self.ann, {"client_id": "n1", "text": "Evening clinics"})
        kp = self.must("keypoint.add", FAC, {"client_id": "k1", "text": "Later opening", "note_ids": [note]})
        self.must("keypoint.publish", FAC, {"keypoint_id": kp})
        draft = self.must("keypoint.add", FAC, {"client_id": "k2", "text": "A draft"})
        resp = self.must("response.log", BOARD, {"client_id": "r1", "group_id": "access", "member": "Dame Anne",
                                                 "text": "We will look at it", "stance": "consider"})
        corr = self.must("correction.submit", self.ann, {"client_id": "c1", "response_id": resp, "text": "Evenings"})
        poll = self.must("poll.open", LEAD, {"client_id": "p1", "question": "Which?", "kind": "rank",
                                             "options": ["A", "B", "C"]})
        self.must("vote.cast", self.ann, {"poll_id": poll, "choice": [2, 0]})
        self.must("agenda.start", LEAD, {"slot_id": "issue-groups"})
        self.ids = {"note_id": [note], "keypoint_id": [kp, draft], "response_id": [resp],
                    "keypoint_ids": [kp, draft], "note_ids": [note],
                    "correction_id": [corr], "poll_id": [poll],
                    "slot_id": [s["id"] for s in self.state.definition["agenda"]],
                    "group_id": [g["id"] for g in self.state.groups]}

    def append(self, drafts: list[dict]) -> None:
        for d in drafts:
            e = {"seq": self.state.last_seq + 1, "ts": self.now, **d}
            self.state.apply(e)
            self.log.append(e)

    def join(self, group: str, name: str) -> Viewer:
        draft, pid = commands.join(self.state, group, name)
        self.append([draft])
        return Viewer("participant", pid, name, group)

    def run(self, name: str, who: Viewer, payload) -> str | None:
        """The engine's part: idempotency by client_id, then the command. The error code,
        or None when it went through."""
        self.now += 1000
        if name in commands.IDEMPOTENT_BY_CLIENT_ID and isinstance(payload, dict):
            cid = payload.get("client_id")
            if isinstance(cid, str) and (who.id, cid) in self.state.client_calls:
                return None
        try:
            plan = COMMANDS[name](self.state, who, payload, self.now)
        except CommandError as exc:
            assert exc.code in commands.CODES and exc.message.strip()
            return exc.code
        self.append(plan.drafts)
        return None

    def must(self, name: str, who: Viewer, payload) -> str:
        before = len(self.log)
        assert self.run(name, who, payload) is None
        e = self.log[before:][-1] if len(self.log) > before else None
        created = commands.CREATED_ID.get(e["type"]) if e else None
        return e["data"][created] if created else ""


# -- hostile values ------------------------------------------------------------------

UNICODE = st.sampled_from([
    "", " ", "\u200b", "\u202e\u202d", "\ufeff", "\x00", "\ud800", "\udc80 x", "a\u0301" * 300,
    "🏳️‍🌈" * 100, "مرحبا", "\n\t\r", "x" * 1001, "x" * 1000, "é" * 50_001, "<script>", "null",
])
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=-1, max_value=20),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=40), UNICODE,
)
HOSTILE = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=14), st.dictionaries(st.text(max_size=12), inner, max_size=6)),
    max_leaves=30)
KEYS = ["role", "client_id", "text", "note_id", "note_ids", "keypoint_id", "keypoint_ids", "group_id",
        "slot_id", "response_id", "correction_id", "poll_id", "seconds", "member", "stance", "reason",
        "outcome", "expect_seq", "title", "date", "name", "info_pack", "minutes", "kind", "after",
        "question", "options", "choice", "anonymous", "hide_results", "purpose"]
ROLES = ["ann", "bo", "fac", "fac_other", "lead", "organiser", "board", "screen"]


# The fields each command reads, so a payload often gets far into a command before a
# hostile value meets the check that must stop it.
FIELDS = {
    "note.add": ["client_id", "text", "group_id"], "note.support": ["note_id"],
    "note.hide": ["note_id"], "note.restore": ["note_id"],
    "keypoint.add": ["client_id", "text", "note_ids", "group_id"],
    "keypoint.publish": ["keypoint_id"], "keypoint.unpublish": ["keypoint_id"],
    "keypoint.remove": ["keypoint_id"], "keypoint.edit": ["keypoint_id", "text", "expect_seq"],
    "keypoint.order": ["keypoint_ids", "group_id"], "agenda.start": ["slot_id"], "agenda.end": [],
    "timer.pause": [], "timer.resume": [], "timer.extend": ["seconds"], "plenary.focus": ["group_id"],
    "response.log": ["client_id", "group_id", "member", "text", "stance", "reason"],
    "response.withdraw": ["response_id", "reason"],
    "correction.submit": ["client_id", "response_id", "text"],
    "correction.resolve": ["correction_id", "outcome"], "joincode.rotate": ["group_id"],
    "token.rotate": ["role", "group_id"],
    "assembly.update": ["title", "date"], "group.add": ["client_id", "name", "info_pack"],
    "group.update": ["group_id", "name", "info_pack"],
    "slot.add": ["client_id", "title", "minutes", "kind", "group_id", "after"],
    "slot.update": ["slot_id", "title", "minutes", "kind", "group_id"],
    "slot.move": ["slot_id", "after"], "slot.remove": ["slot_id"],
    "poll.open": ["client_id", "question", "kind", "options", "group_id", "anonymous",
                  "hide_results", "purpose", "response_id"],
    "vote.cast": ["poll_id", "choice"], "poll.close": ["poll_id"],
}
PLAIN = {"client_id": st.sampled_from(["c-1", "c-2", "c-3"]), "text": st.just("A fine text"),
         "member": st.just("Dame Anne"), "stance": st.sampled_from(["commit", "consider", "decline"]),
         "reason": st.just("Because"), "outcome": st.sampled_from(["accepted", "noted"]),
         "seconds": st.integers(1, 3600), "expect_seq": st.integers(0, 30), "title": st.just("A title"),
         "date": st.just("2026-03-14"), "name": st.just("A name"), "info_pack": st.just("# Pack"),
         "minutes": st.integers(1, 600), "kind": st.sampled_from(["break", "plenary", "choice", "rank"]),
         "question": st.just("Which?"), "options": st.just(["Yes", "No", "Maybe"]),
         "choice": st.sampled_from([0, 1, [0, 1], [2], 3, 5]), "anonymous": st.booleans(),
         "hide_results": st.booleans(), "purpose": st.sampled_from([None, "evaluation"]),
         "note_ids": st.just([]), "keypoint_ids": st.just([]), "after": st.none(),
         "role": st.sampled_from(["lead", "board", "screen", "facilitator", "organiser"])}


@st.composite
def command_payload(draw, name: str, world_ids: dict[str, list[str]]):
    """The command's own fields, each mostly plausible (real ids from the day), some
    hostile; sometimes one missing, sometimes an extra key."""
    out = {}
    for key in FIELDS[name]:
        if draw(st.integers(0, 9)) == 0:
            continue  # missing
        real = world_ids.get(key) or world_ids.get(key.rstrip("s") if key.endswith("ids") else key)
        plausible = st.sampled_from(real) if real else PLAIN.get(key, HOSTILE)
        if key in ("note_ids", "keypoint_ids") and real:
            plausible = st.lists(st.sampled_from(real), max_size=3)
        if key == "after" and world_ids.get("slot_id"):
            plausible = st.one_of(st.none(), st.sampled_from(world_ids["slot_id"]))
        out[key] = draw(plausible)
    if draw(st.integers(0, 4)) == 0:
        out[draw(st.text(max_size=8))] = draw(HOSTILE)
    return out


@st.composite
def payloads(draw, world_ids: dict[str, list[str]]):
    """A mix: anything at all, or a dict of plausible keys with plausible or hostile
    values (real ids from the day included, so commands get past the first check)."""
    if draw(st.booleans()):
        return draw(HOSTILE)
    out = {}
    for key in draw(st.lists(st.sampled_from(KEYS), max_size=8, unique=True)):
        real = world_ids.get(key)
        value = draw(st.one_of(
            st.sampled_from(real) if real else HOSTILE,
            HOSTILE,
            st.just(f"c-{draw(st.integers(0, 3))}") if key == "client_id" else HOSTILE,
        ))
        out[key] = value
    if draw(st.booleans()):
        out[draw(st.text(max_size=8))] = draw(HOSTILE)
    return out


def _who(world: World, role: str) -> Viewer:
    return {"ann": world.ann, "bo": world.bo, "fac": FAC, "fac_other": FAC_OTHER, "lead": LEAD,
            "organiser": ORGANISER, "board": BOARD, "screen": SCREEN}[role]


def _comparable(state: State) -> str:
    """What a fold must reproduce: the state's maps and every role's view of it."""
    core = {k: getattr(state, k) for k in ("definition", "last_seq", "participants", "notes",
                                            "keypoints", "responses", "corrections", "timer",
                                            "runs", "focus", "members", "group_notes", "polls",
                                            "ballots", "last_activity")}
    views = {v.role + (v.group_id or ""): state.snapshot(v)
             for v in (LEAD, ORGANISER, BOARD, SCREEN, FAC, FAC_OTHER)}
    return json.dumps({"core": core, "views": views, "settled": sorted(map(str, state.settled.items())),
                       "calls": sorted(map(str, state.client_calls.items()))},
                      sort_keys=True, default=str)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_sequence_of_hostile_commands(data):
    world = World()
    for _ in range(data.draw(st.integers(1, 12), label="length")):
        name = data.draw(st.sampled_from(sorted(COMMANDS)), label="command")
        who = _who(world, data.draw(st.sampled_from(ROLES), label="role"))
        payload = data.draw(st.one_of(command_payload(name, world.ids), payloads(world.ids)),
                            label="payload")
        world.run(name, who, payload)
        json.dumps(world.log[-1], allow_nan=False)  # every event can go on the wire
    fresh = State(ballot_key=KEY)
    for e in world.log:
        fresh.apply(e)
    assert _comparable(fresh) == _comparable(world.state)


@pytest.mark.parametrize("name", sorted(COMMANDS))
@settings(max_examples=60, deadline=None)
@given(payload=HOSTILE)
def test_each_command_with_anything(name, payload):
    world = World()
    for who in (world.ann, FAC, LEAD, ORGANISER, BOARD, SCREEN):
        code = world.run(name, who, payload)
        assert code is None or code in commands.CODES


@pytest.mark.parametrize("name", sorted(n for n in COMMANDS if FIELDS[n]))
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_each_field_of_each_command_turned_hostile(name, data):
    """Every other field plausible, one hostile: each check is reached and must hold."""
    world = World()
    payload = data.draw(command_payload(name, world.ids), label="plausible")
    field = data.draw(st.sampled_from(FIELDS[name]), label="field")
    payload[field] = data.draw(st.one_of(SCALARS, SCALARS, HOSTILE), label="hostile")
    for who in (world.ann, FAC, LEAD, ORGANISER, BOARD):
        code = world.run(name, who, dict(payload))
        assert code is None or code in commands.CODES
    fresh = State(ballot_key=KEY)
    for e in world.log:
        fresh.apply(e)
    assert _comparable(fresh) == _comparable(world.state)


def test_floats_never_reach_the_log():
    """NaN and infinities are not JSON: no command may log one."""
    world = World()
    for name in COMMANDS:
        for bad in (math.nan, math.inf, -math.inf, 1e308):
            world.run(name, LEAD, {k: bad for k in KEYS})
    assert "NaN" not in json.dumps(world.log) and "Infinity" not in json.dumps(world.log)

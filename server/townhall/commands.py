"""One function per client command: check the payload, authorise, produce events.

Each command takes the current state, who is asking, the payload and the server time,
and returns a `Plan`: the event drafts to append, or the seq of the event that already
settled it (a repeat of a naturally idempotent call). Problems raise `CommandError`
with one of the contract's error codes. No I/O happens here.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any, Callable

from . import events as ev
from .events import Event
from .state import STAFF_ALL_GROUPS, State, Viewer

MAX_TEXT = 1000
MAX_NAME = 60
MAX_NOTE_IDS = 50
NOTES_PER_MINUTE = 30
MAX_EXTEND_SECONDS = 3600
CLIENT_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
STANCES = ("commit", "consider", "decline")
OUTCOMES = ("accepted", "noted")
CODES = ("invalid", "forbidden", "not_found", "too_large", "rate_limited", "conflict")

# The ack of a write that creates something names its id (CONTRACT §4).
CREATED_ID = {
    ev.NOTE_ADDED: "note_id",
    ev.KEYPOINT_ADDED: "keypoint_id",
    ev.RESPONSE_LOGGED: "response_id",
    ev.CORRECTION_SUBMITTED: "correction_id",
}


class CommandError(Exception):
    """A refused command; `code` is one of CODES, `message` tells the user what to do."""

    def __init__(self, code: str, message: str):
        assert code in CODES, code
        super().__init__(message)
        self.code = code
        self.message = message

    def as_ack(self) -> dict[str, Any]:
        return {"ok": False, "error": {"code": self.code, "message": self.message}}


@dataclass
class Plan:
    drafts: list[Event] = field(default_factory=list)
    settled_seq: int | None = None  # set when the command was already carried out


def ack_for(event: Event) -> dict[str, Any]:
    """The ack a write gets, derived from the event it produced (so repeats match)."""
    ack = {"ok": True, "seq": event["seq"]}
    if key := CREATED_ID.get(event["type"]):
        ack[key] = event["data"][key]
    return ack


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(6)}"


# -- payload checks ------------------------------------------------------------


def _payload(p: Any) -> dict:
    if p is None:
        return {}
    if not isinstance(p, dict):
        raise CommandError("invalid", "the payload must be an object")
    return p


def _text(p: dict, key: str = "text", limit: int = MAX_TEXT, required: bool = True) -> str | None:
    value = p.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise CommandError("invalid", f"'{key}' must be text")
    value = value.strip()
    if not value:
        if not required:
            return None
        raise CommandError("invalid", f"'{key}' is empty: write something first")
    _unicode(value, key)
    if len(value) > limit:
        raise CommandError("too_large", f"'{key}' is {len(value)} characters; the limit is {limit}")
    return value


def _unicode(value: str, key: str) -> None:
    """JSON can carry lone surrogates, which are not text and cannot be stored."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise CommandError("invalid", f"'{key}' holds characters that are not valid text") from None


def _client_id(p: dict) -> str:
    value = p.get("client_id")
    if not isinstance(value, str) or not CLIENT_ID.match(value):
        raise CommandError(
            "invalid", "'client_id' must be 1 to 64 letters, digits or - _ . : (use a UUID)"
        )
    return value


def _ref(p: dict, key: str) -> str:
    value = p.get(key)
    if not isinstance(value, str) or not 1 <= len(value) <= 100:
        raise CommandError("invalid", f"'{key}' must be an id")
    return value


def _roles(who: Viewer, *allowed: str) -> None:
    if who.role not in allowed:
        raise CommandError("forbidden", f"a {who.role} may not do this")


def _group_for_write(state: State, who: Viewer, p: dict) -> str:
    """The group a write goes to: a member's own, or the one lead/organiser names."""
    if who.role in STAFF_ALL_GROUPS:
        gid = p.get("group_id")
        if not isinstance(gid, str):
            raise CommandError("invalid", "'group_id' is required: name the group to write to")
        if state.group(gid) is None:
            raise CommandError("not_found", f"there is no group {gid!r}")
        return gid
    gid = p.get("group_id")
    if gid is not None and gid != who.group_id:
        raise CommandError("forbidden", "you may only write in your own group")
    return who.group_id


def _note(state: State, who: Viewer, note_id: str) -> dict:
    note = state.notes.get(note_id)
    if note is None or not who.sees_group(note["group_id"]):
        raise CommandError("not_found", f"there is no note {note_id!r} in your group")
    return note


def _settled(state: State, key: tuple) -> Plan | None:
    seq = state.settled.get(key)
    return Plan(settled_seq=seq) if seq is not None else None


# -- joining -------------------------------------------------------------------


def clean_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise CommandError("invalid", "a display name is required")
    name = " ".join(name.split())
    _unicode(name, "name")
    if len(name) > MAX_NAME:
        raise CommandError("too_large", f"the display name is longer than {MAX_NAME} characters")
    return name


def join(state: State, group_id: str, name: Any) -> tuple[Event, str]:
    """A new participant in `group_id`: the event and the new participant id."""
    if state.group(group_id) is None:
        raise CommandError("not_found", "this group no longer exists")
    name = clean_name(name)
    pid = new_id("p")
    actor = {"role": "participant", "id": pid, "name": name}
    return ev.draft(ev.PARTICIPANT_JOINED, actor, group_id,
                    {"participant_id": pid, "name": name}), pid


# -- the commands of CONTRACT §4 -------------------------------------------------


def note_add(state: State, who: Viewer, p: Any, now: int) -> Plan:
    _roles(who, "participant", "facilitator", "lead", "organiser")
    p = _payload(p)
    client_id = _client_id(p)
    text = _text(p)
    gid = _group_for_write(state, who, p)
    if who.role == "participant" and state.notes_in_window(who.id, now) >= NOTES_PER_MINUTE:
        raise CommandError(
            "rate_limited", f"at most {NOTES_PER_MINUTE} notes a minute: wait a moment and send again"
        )
    data = {"note_id": new_id("n"), "text": text, "client_id": client_id}
    return Plan([ev.draft(ev.NOTE_ADDED, who.actor(), gid, data)])


def note_support(state: State, who: Viewer, p: Any, now: int) -> Plan:
    _roles(who, "participant", "facilitator", "lead", "organiser")
    p = _payload(p)
    note = _note(state, who, _ref(p, "note_id"))
    done = _settled(state, ("support", note["id"], who.id))
    if done:
        return done
    if note["hidden"]:
        raise CommandError("conflict", "this note was hidden by the facilitator")
    return Plan([ev.draft(ev.NOTE_SUPPORTED, who.actor(), note["group_id"],
                          {"note_id": note["id"]})])


def note_hide(state: State, who: Viewer, p: Any, now: int) -> Plan:
    _roles(who, "facilitator", "lead", "organiser")
    p = _payload(p)
    note = _note(state, who, _ref(p, "note_id"))
    done = _settled(state, ("hide", note["id"]))
    if done:
        return done
    return Plan([ev.draft(ev.NOTE_HIDDEN, who.actor(), note["group_id"], {"note_id": note["id"]})])


def note_restore(state: State, who: Viewer, p: Any, now: int) -> Plan:
    _roles(who, "facilitator", "lead", "organiser")
    p = _payload(p)
    note = _note(state, who, _ref(p, "note_id"))
    done = _settled(state, ("restore", note["id"]))
    if done:
        return done
    if not note["hidden"]:
        raise CommandError("conflict", "this note is not hidden")
    # Participants who joined while it was hidden never saw it: the event brings it back.
    data = {"note_id": note["id"], "text": note["text"], "author": note["author"],
            "ts": note["ts"], "seq": note["seq"]}
    return Plan([ev.draft(ev.NOTE_RESTORED, who.actor(), note["group_id"], data)])


def _keypoint(state: State, who: Viewer, p: dict) -> dict:
    kid = _ref(p, "keypoint_id")
    kp = state.keypoints.get(kid)
    if kp is None or not who.sees_group(kp["group_id"]):
        raise CommandError("not_found", f"there is no key point {kid!r} in your group")
    return kp


def _seq_arg(p: dict, key: str) -> int | None:
    value = p.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise CommandError("invalid", f"'{key}' must be a seq (a whole number) or left out")
    return value


def keypoint_edit(state: State, who: Viewer, p: Any, now: int) -> Plan:
    _roles(who, "facilitator", "lead", "organiser")
    p = _payload(p)
    kp = _keypoint(state, who, p)
    text = _text(p)
    expect = _seq_arg(p, "expect_seq")
    if expect is not None and expect != kp["seq"]:
        # Two tablets on one console: never overwrite what the other one saved.
        raise CommandError("conflict", "this key point was changed on another tablet since "
                                       "you opened it: look at the new text, then edit again")
    data = {"keypoint_id": kp["id"], "text": text}
    if kp["published"]:
        data["public"] = True  # the plenary already shows it: the edit shows there too
    return Plan([ev.draft(ev.KEYPOINT_EDITED, who.actor(), kp["group_id"], data)])


def keypoint_order(state: State, who: Viewer, p: Any, now: int) -> Plan:
    _roles(who, "facilitator", "lead", "organiser")
    p = _payload(p)
    ids = p.get("keypoint_ids")
    if not isinstance(ids, list) or not ids or not all(isinstance(k, str) for k in ids):
        raise CommandError("invalid", "'keypoint_ids' must list the group's key points in order")
    gid = _group_for_write(state, who, p)
    mine = {k["id"] for k in state.keypoints.values() if k["group_id"] == gid}
    if set(ids) != mine or len(ids) != len(mine):
        raise CommandError("conflict", "list every key point of the group exactly once "
                                       "(another may have been added: reload and try again)")
    # Only ids: the order is public, the text of drafts is not.
    return Plan([ev.draft(ev.KEYPOINT_ORDERED, who.actor(), gid, {"keypoint_ids": ids})])


def keypoint_add(state: State, who: Viewer, p: Any, now: int) -> Plan:
    _roles(who, "facilitator", "lead", "organiser")
    p = _payload(p)
    client_id = _client_id(p)
    text = _text(p)
    gid = _group_for_write(state, who, p)
    note_ids = p.get("note_ids") or []
    if not isinstance(note_ids, list) or not all(isinstance(n, str) for n in note_ids):
        raise CommandError("invalid", "'note_ids' must be a list of note ids")
    if len(note_ids) > MAX_NOTE_IDS:
        raise CommandError("too_large", f"a key point may cite at most {MAX_NOTE_IDS} notes")
    for nid in note_ids:
        note = state.notes.get(nid)
        if note is None or note["group_id"] != gid:
            raise CommandError("not_found", f"there is no note {nid!r} in group {gid!r}")
    data = {"keypoint_id": new_id("k"), "text": text, "note_ids": list(dict.fromkeys(note_ids)),
            "client_id": client_id}
    return Plan([ev.draft(ev.KEYPOINT_ADDED, who.actor(), gid, data)])


def keypoint_publish(state: State, who: Viewer, p: Any, now: int) -> Plan:
    _roles(who, "facilitator", "lead", "organiser")
    p = _payload(p)
    kp = _keypoint(state, who, p)
    kid = kp["id"]
    done = _settled(state, ("publish", kid))
    if done:
        return done
    # Public viewers never saw the draft, so the published event carries its text.
    return Plan([ev.draft(ev.KEYPOINT_PUBLISHED, who.actor(), kp["group_id"],
                          {"keypoint_id": kid, "text": kp["text"]})])


def keypoint_unpublish(state: State, who: Viewer, p: Any, now: int) -> Plan:
    """Take a key point off the projector and every phone; it stays as a draft."""
    _roles(who, "facilitator", "lead", "organiser")
    p = _payload(p)
    kp = _keypoint(state, who, p)
    done = _settled(state, ("unpublish", kp["id"]))
    if done:
        return done
    if not kp["published"]:
        raise CommandError("conflict", "this key point is not published")
    return Plan([ev.draft(ev.KEYPOINT_UNPUBLISHED, who.actor(), kp["group_id"],
                          {"keypoint_id": kp["id"]})])


def keypoint_remove(state: State, who: Viewer, p: Any, now: int) -> Plan:
    """Delete a draft. A published key point must be unpublished first, so nothing the
    hall saw disappears from the record without an event that says so."""
    _roles(who, "facilitator", "lead", "organiser")
    p = _payload(p)
    done = _settled(state, ("remove", _ref(p, "keypoint_id")))
    if done:
        return done
    kp = _keypoint(state, who, p)
    if kp["published"]:
        raise CommandError("conflict", "this key point is published: unpublish it first")
    return Plan([ev.draft(ev.KEYPOINT_REMOVED, who.actor(), kp["group_id"],
                          {"keypoint_id": kp["id"]})])


def agenda_start(state: State, who: Viewer, p: Any, now: int) -> Plan:
    _roles(who, "lead", "organiser")
    p = _payload(p)
    slot = state.slot(_ref(p, "slot_id"))
    if slot is None:
        raise CommandError("not_found", f"there is no agenda slot {p['slot_id']!r}")
    if state.timer.get("slot_id") == slot["id"] and state.timer["status"] != "idle":
        raise CommandError("conflict", f"{slot['title']!r} is already under way: pause, "
                                       "resume or extend it instead")
    data = {"slot_id": slot["id"], "ends_at": now + slot["minutes"] * 60_000,
            "minutes": slot["minutes"]}
    return Plan([ev.draft(ev.AGENDA_STARTED, who.actor(), None, data)])


def agenda_end(state: State, who: Viewer, p: Any, now: int) -> Plan:
    """End the running (or paused) slot now: no countdown anywhere until the next start."""
    _roles(who, "lead", "organiser")
    t = state.timer
    if t["status"] == "idle":
        raise CommandError("conflict", "no part of the day is under way: nothing to end")
    return Plan([ev.draft(ev.AGENDA_ENDED, who.actor(), None, {"slot_id": t["slot_id"]})])


def timer_pause(state: State, who: Viewer, p: Any, now: int) -> Plan:
    _roles(who, "lead", "organiser")
    t = state.timer
    if t["status"] != "running":
        raise CommandError("conflict", "no slot is running: start one first")
    data = {"slot_id": t["slot_id"], "remaining_ms": t["ends_at"] - now}
    return Plan([ev.draft(ev.TIMER_PAUSED, who.actor(), None, data)])


def timer_resume(state: State, who: Viewer, p: Any, now: int) -> Plan:
    _roles(who, "lead", "organiser")
    t = state.timer
    if t["status"] != "paused":
        raise CommandError("conflict", "the timer is not paused")
    data = {"slot_id": t["slot_id"], "ends_at": now + t["remaining_ms"]}
    return Plan([ev.draft(ev.TIMER_RESUMED, who.actor(), None, data)])


def timer_extend(state: State, who: Viewer, p: Any, now: int) -> Plan:
    _roles(who, "lead", "organiser")
    p = _payload(p)
    seconds = p.get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int) \
            or not 1 <= seconds <= MAX_EXTEND_SECONDS:
        raise CommandError("invalid", f"'seconds' must be a whole number from 1 to {MAX_EXTEND_SECONDS}")
    t = state.timer
    if t["status"] == "idle":
        raise CommandError("conflict", "no slot is under way: start one first")
    data = {"slot_id": t["slot_id"], "seconds": seconds}
    if t["status"] == "running":
        data["ends_at"] = t["ends_at"] + seconds * 1000
    else:
        data["remaining_ms"] = t["remaining_ms"] + seconds * 1000
    return Plan([ev.draft(ev.TIMER_EXTENDED, who.actor(), None, data)])


def plenary_focus(state: State, who: Viewer, p: Any, now: int) -> Plan:
    _roles(who, "lead", "organiser")
    p = _payload(p)
    if "group_id" not in p:
        raise CommandError("invalid", "'group_id' is required (null to clear the focus)")
    gid = p["group_id"]
    if gid is not None:
        if not isinstance(gid, str):
            raise CommandError("invalid", "'group_id' must be a group id or null")
        if state.group(gid) is None:
            raise CommandError("not_found", f"there is no group {gid!r}")
    return Plan([ev.draft(ev.PLENARY_FOCUSED, who.actor(), None, {"group_id": gid})])


def response_log(state: State, who: Viewer, p: Any, now: int) -> Plan:
    _roles(who, "board", "lead", "organiser")
    p = _payload(p)
    client_id = _client_id(p)
    gid = _ref(p, "group_id")
    if state.group(gid) is None:
        raise CommandError("not_found", f"there is no group {gid!r}")
    member = _text(p, "member", MAX_NAME)
    text = _text(p)
    stance = p.get("stance")
    if stance not in STANCES:
        raise CommandError("invalid", "'stance' must be commit, consider or decline")
    reason = _text(p, "reason", required=False)
    if stance == "decline" and reason is None:
        raise CommandError("invalid", "a 'reason' is required to decline: say why it will not be done")
    data = {"response_id": new_id("r"), "member": member, "text": text, "stance": stance,
            "reason": reason, "client_id": client_id}
    # Group-scoped but public: the event names the group it answers.
    return Plan([ev.draft(ev.RESPONSE_LOGGED, who.actor(), gid, data)])


def correction_submit(state: State, who: Viewer, p: Any, now: int) -> Plan:
    _roles(who, "participant", "facilitator", "lead", "organiser")
    p = _payload(p)
    client_id = _client_id(p)
    rid = _ref(p, "response_id")
    response = state.responses.get(rid)
    if response is None:
        raise CommandError("not_found", f"there is no Board response {rid!r}")
    if who.role in ("participant", "facilitator") and response["group_id"] != who.group_id:
        raise CommandError("forbidden", "you may only correct the Board's response to your "
                                        "own group")
    if response["withdrawn"]:
        raise CommandError("conflict", "the Board withdrew this response: there is nothing "
                                       "to correct")
    text = _text(p)
    data = {"correction_id": new_id("c"), "response_id": rid, "text": text, "client_id": client_id}
    return Plan([ev.draft(ev.CORRECTION_SUBMITTED, who.actor(), response["group_id"], data)])


def response_withdraw(state: State, who: Viewer, p: Any, now: int) -> Plan:
    _roles(who, "board", "lead", "organiser")
    p = _payload(p)
    rid = _ref(p, "response_id")
    response = state.responses.get(rid)
    if response is None:
        raise CommandError("not_found", f"there is no Board response {rid!r}")
    done = _settled(state, ("withdraw", rid))
    if done:
        return done
    reason = _text(p, "reason", required=False)
    if reason is None:
        raise CommandError("invalid", "a 'reason' is required to withdraw a response: the "
                                      "hall saw it, so say why it is taken back")
    return Plan([ev.draft(ev.RESPONSE_WITHDRAWN, who.actor(), response["group_id"],
                          {"response_id": rid, "reason": reason})])


def correction_resolve(state: State, who: Viewer, p: Any, now: int) -> Plan:
    _roles(who, "board", "lead", "organiser")
    p = _payload(p)
    cid = _ref(p, "correction_id")
    correction = state.corrections.get(cid)
    if correction is None:
        raise CommandError("not_found", f"there is no correction {cid!r}")
    outcome = p.get("outcome")
    if outcome not in OUTCOMES:
        raise CommandError("invalid", "'outcome' must be accepted or noted")
    if correction["outcome"] is not None:
        if correction["outcome"] == outcome:
            return Plan(settled_seq=state.settled[("resolve", cid)])
        raise CommandError("conflict", f"this correction was already resolved as {correction['outcome']}")
    return Plan([ev.draft(ev.CORRECTION_RESOLVED, who.actor(), correction["group_id"],
                          {"correction_id": cid, "response_id": correction["response_id"],
                           "outcome": outcome})])


def joincode_rotate(state: State, who: Viewer, p: Any, now: int) -> Plan:
    """Replace a group's join code (a photo of the QR went round). The engine swaps the
    secret; the log records only that it happened."""
    _roles(who, "organiser")
    p = _payload(p)
    gid = _ref(p, "group_id")
    if state.group(gid) is None:
        raise CommandError("not_found", f"there is no group {gid!r}")
    return Plan([ev.draft(ev.JOINCODE_ROTATED, who.actor(), None, {"group_id": gid})])


Command = Callable[[State, Viewer, Any, int], Plan]

COMMANDS: dict[str, Command] = {
    "note.add": note_add,
    "note.support": note_support,
    "note.hide": note_hide,
    "note.restore": note_restore,
    "keypoint.add": keypoint_add,
    "keypoint.publish": keypoint_publish,
    "keypoint.edit": keypoint_edit,
    "keypoint.order": keypoint_order,
    "agenda.start": agenda_start,
    "timer.pause": timer_pause,
    "timer.resume": timer_resume,
    "timer.extend": timer_extend,
    "plenary.focus": plenary_focus,
    "response.log": response_log,
    "correction.submit": correction_submit,
    "correction.resolve": correction_resolve,
    "joincode.rotate": joincode_rotate,
    "keypoint.unpublish": keypoint_unpublish,
    "keypoint.remove": keypoint_remove,
    "response.withdraw": response_withdraw,
    "agenda.end": agenda_end,
}

# Commands whose repeat with the same client_id must return the first result.
IDEMPOTENT_BY_CLIENT_ID = frozenset({"note.add", "keypoint.add", "response.log", "correction.submit"})

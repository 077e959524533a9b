"""What every command shares: the error and plan types, ids, and payload checks.

A command takes the current state, who is asking, the payload and the server time, and
returns a `Plan`: the event drafts to append, or the seq of the event that already
settled it (a repeat of a naturally idempotent call). Problems raise `CommandError`
with one of the contract's error codes. No I/O happens here.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from .. import events as ev
from ..events import Event
from ..state import STAFF_ALL_GROUPS, State, Viewer

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
    ev.GROUP_ADDED: "group_id",
    ev.GROUP_UPDATED: "group_id",  # group.add with a pack ends with the pack's event
    ev.SLOT_ADDED: "slot_id",
    ev.POLL_OPENED: "poll_id",
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


def as_payload(p: Any) -> dict:
    if p is None:
        return {}
    if not isinstance(p, dict):
        raise CommandError("invalid", "the payload must be an object")
    return p


def text_field(p: dict, key: str = "text", limit: int = MAX_TEXT, required: bool = True) -> str | None:
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
    check_unicode(value, key)
    if len(value) > limit:
        raise CommandError("too_large", f"'{key}' is {len(value)} characters; the limit is {limit}")
    return value


def check_unicode(value: str, key: str) -> None:
    """JSON can carry lone surrogates, which are not text and cannot be stored."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise CommandError("invalid", f"'{key}' holds characters that are not valid text") from None


def client_id_field(p: dict) -> str:
    value = p.get("client_id")
    if not isinstance(value, str) or not CLIENT_ID.match(value):
        raise CommandError(
            "invalid", "'client_id' must be 1 to 64 letters, digits or - _ . : (use a UUID)"
        )
    return value


def ref_field(p: dict, key: str) -> str:
    value = p.get(key)
    if not isinstance(value, str) or not 1 <= len(value) <= 100:
        raise CommandError("invalid", f"'{key}' must be an id")
    return value


def require_role(who: Viewer, *allowed: str) -> None:
    if who.role not in allowed:
        raise CommandError("forbidden", f"a {who.role} may not do this")


def group_for_write(state: State, who: Viewer, p: dict) -> str:
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


def find_note(state: State, who: Viewer, note_id: str) -> dict:
    note = state.notes.get(note_id)
    if note is None or not who.sees_group(note["group_id"]):
        raise CommandError("not_found", f"there is no note {note_id!r} in your group")
    return note


def settled(state: State, key: tuple) -> Plan | None:
    seq = state.settled.get(key)
    return Plan(settled_seq=seq) if seq is not None else None


def find_keypoint(state: State, who: Viewer, p: dict) -> dict:
    kid = ref_field(p, "keypoint_id")
    kp = state.keypoints.get(kid)
    if kp is None or not who.sees_group(kp["group_id"]):
        raise CommandError("not_found", f"there is no key point {kid!r} in your group")
    return kp


def seq_field(p: dict, key: str) -> int | None:
    value = p.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise CommandError("invalid", f"'{key}' must be a seq (a whole number) or left out")
    return value

"""The event record: the one shape every change of state takes (CONTRACT §5).

An event is a plain dict so it can go straight onto the wire as JSON and into the
store as msgpack without a translation layer in between.
"""

from __future__ import annotations

import time
from typing import Any

import msgpack

Event = dict[str, Any]
Actor = dict[str, Any]

ASSEMBLY_LOADED = "assembly.loaded"
PARTICIPANT_JOINED = "participant.joined"
NOTE_ADDED = "note.added"
NOTE_SUPPORTED = "note.supported"
NOTE_HIDDEN = "note.hidden"
KEYPOINT_ADDED = "keypoint.added"
KEYPOINT_PUBLISHED = "keypoint.published"
AGENDA_STARTED = "agenda.started"
TIMER_PAUSED = "timer.paused"
TIMER_RESUMED = "timer.resumed"
TIMER_EXTENDED = "timer.extended"
PLENARY_FOCUSED = "plenary.focused"
RESPONSE_LOGGED = "response.logged"
CORRECTION_SUBMITTED = "correction.submitted"
CORRECTION_RESOLVED = "correction.resolved"
# Beyond the contract's list (docs/protocol.md): what the consoles need.
NOTE_RESTORED = "note.restored"
KEYPOINT_EDITED = "keypoint.edited"
KEYPOINT_ORDERED = "keypoint.ordered"
JOINCODE_ROTATED = "joincode.rotated"
# CONTRACT §12: undoing the day's mistakes.
KEYPOINT_UNPUBLISHED = "keypoint.unpublished"
KEYPOINT_REMOVED = "keypoint.removed"
RESPONSE_WITHDRAWN = "response.withdrawn"
AGENDA_ENDED = "agenda.ended"
# CONTRACT §11: keys.
TOKEN_ROTATED = "token.rotated"
# CONTRACT §9: polls and votes.
POLL_OPENED = "poll.opened"
VOTE_CAST = "vote.cast"
POLL_CLOSED = "poll.closed"
# CONTRACT §8: shaping the day while it runs.
ASSEMBLY_UPDATED = "assembly.updated"
GROUP_ADDED = "group.added"
GROUP_UPDATED = "group.updated"
SLOT_ADDED = "slot.added"
SLOT_UPDATED = "slot.updated"
SLOT_MOVED = "slot.moved"
SLOT_REMOVED = "slot.removed"

TYPES = frozenset(
    {
        ASSEMBLY_LOADED,
        PARTICIPANT_JOINED,
        NOTE_ADDED,
        NOTE_SUPPORTED,
        NOTE_HIDDEN,
        KEYPOINT_ADDED,
        KEYPOINT_PUBLISHED,
        AGENDA_STARTED,
        TIMER_PAUSED,
        TIMER_RESUMED,
        TIMER_EXTENDED,
        PLENARY_FOCUSED,
        RESPONSE_LOGGED,
        CORRECTION_SUBMITTED,
        CORRECTION_RESOLVED,
        NOTE_RESTORED,
        KEYPOINT_EDITED,
        KEYPOINT_ORDERED,
        JOINCODE_ROTATED,
        KEYPOINT_UNPUBLISHED,
        KEYPOINT_REMOVED,
        RESPONSE_WITHDRAWN,
        AGENDA_ENDED,
        ASSEMBLY_UPDATED,
        GROUP_ADDED,
        GROUP_UPDATED,
        SLOT_ADDED,
        SLOT_UPDATED,
        SLOT_MOVED,
        SLOT_REMOVED,
        POLL_OPENED,
        VOTE_CAST,
        POLL_CLOSED,
        TOKEN_ROTATED,
    }
)

# Who may see an event (CONTRACT §2), from the widest audience to none:
PUBLIC = "public"            # everyone
GROUP = "group"              # the group's members and facilitator, the lead, the organiser
GROUP_STAFF = "group-staff"  # the group's facilitator, the lead, the organiser
NOBODY = "nobody"            # kept in the log for the record, sent to no client

# Events for the group itself. An event of these types that carries `"public": true` in
# its data is public: the edit of a key point already published; a group's new name (its
# information pack, up to 50,000 characters, goes to the group alone, not to every phone
# in the hall).
GROUP_PRIVATE_TYPES = frozenset(
    {NOTE_ADDED, NOTE_SUPPORTED, NOTE_HIDDEN, NOTE_RESTORED,
     KEYPOINT_ADDED, KEYPOINT_EDITED, KEYPOINT_REMOVED, GROUP_UPDATED,
     POLL_OPENED, POLL_CLOSED}  # a group's poll; a hall poll has no group, a check-back is public
)
# Names stay with those who run the room: a phone learns how many are in its group (the
# `presence` message), not who arrived; and a join storm costs one message per member
# instead of one per member per arrival.
GROUP_STAFF_TYPES = frozenset({PARTICIPANT_JOINED})
# Ballots are logged for the record and counted, never sent: clients get tallies.
NOBODY_TYPES = frozenset({VOTE_CAST})


def now_ms() -> int:
    """The server's UTC wall clock in milliseconds: the only clock events carry."""
    return time.time_ns() // 1_000_000


def draft(type_: str, actor: Actor, group_id: str | None, data: dict[str, Any]) -> Event:
    """An event without `seq` and `ts`: those are given when the store appends it."""
    if type_ not in TYPES:
        raise ValueError(f"unknown event type {type_!r}")
    return {"type": type_, "actor": actor, "group_id": group_id, "data": data}


def audience(event: Event) -> str:
    """PUBLIC, GROUP, GROUP_STAFF or NOBODY: who may see this event."""
    t = event["type"]
    if t in NOBODY_TYPES:
        return NOBODY
    if event.get("group_id") is None or event["data"].get("public"):
        return PUBLIC
    if t in GROUP_STAFF_TYPES:
        return GROUP_STAFF
    return GROUP if t in GROUP_PRIVATE_TYPES else PUBLIC


def is_group_private(event: Event) -> bool:
    return audience(event) in (GROUP, GROUP_STAFF)


def encode(event: Event) -> bytes:
    """msgpack bytes for the store and the bus between processes."""
    return msgpack.packb(event, use_bin_type=True)


def decode(blob: bytes) -> Event:
    return msgpack.unpackb(blob, raw=False)

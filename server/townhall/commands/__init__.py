"""One function per client command: check the payload, authorise, produce events.

Each module holds the commands of one part of the day; this table is the one place
the transport looks a command up. See base.py for the shape every command has.
"""

from __future__ import annotations

from typing import Any, Callable

from ..state import State, Viewer
from .access import clean_name, join, joincode_rotate, token_rotate
from .base import CODES, CREATED_ID, MAX_NAME, MAX_TEXT, CommandError, Plan, ack_for, new_id
from .contributions import (keypoint_add, keypoint_edit, keypoint_order, keypoint_publish,
                            keypoint_remove, keypoint_unpublish, note_add, note_hide,
                            note_restore, note_support)
from .polling import poll_close, poll_open, vote_cast
from .plenary import (correction_resolve, correction_submit, plenary_focus, response_log,
                      response_withdraw)
from .shape import (assembly_update, group_add, group_update, slot_add, slot_move, slot_remove,
                    slot_update)
from .timing import agenda_end, agenda_start, timer_extend, timer_pause, timer_resume

__all__ = ["CODES", "COMMANDS", "ORDER_FREE", "Command", "CREATED_ID", "CommandError", "IDEMPOTENT_BY_CLIENT_ID",
           "MAX_NAME", "MAX_TEXT", "Plan", "ack_for", "clean_name", "join", "new_id"]

Command = Callable[[State, Viewer, Any, int], Plan]

COMMANDS: dict[str, Command] = {
    # CONTRACT §4
    "note.add": note_add,
    "note.support": note_support,
    "note.hide": note_hide,
    "keypoint.add": keypoint_add,
    "keypoint.publish": keypoint_publish,
    "agenda.start": agenda_start,
    "timer.pause": timer_pause,
    "timer.resume": timer_resume,
    "timer.extend": timer_extend,
    "plenary.focus": plenary_focus,
    "response.log": response_log,
    "correction.submit": correction_submit,
    "correction.resolve": correction_resolve,
    # §12: undoing mistakes
    "keypoint.unpublish": keypoint_unpublish,
    "keypoint.remove": keypoint_remove,
    "keypoint.edit": keypoint_edit,
    "response.withdraw": response_withdraw,
    "agenda.end": agenda_end,
    # §8: shaping the day
    "assembly.update": assembly_update,
    "group.add": group_add,
    "group.update": group_update,
    "slot.add": slot_add,
    "slot.update": slot_update,
    "slot.move": slot_move,
    "slot.remove": slot_remove,
    # §9: polls and votes
    "poll.open": poll_open,
    "vote.cast": vote_cast,
    "poll.close": poll_close,
    # §11: keys
    "token.rotate": token_rotate,
    # the consoles' own (docs/protocol.md)
    "note.restore": note_restore,
    "keypoint.order": keypoint_order,
    "joincode.rotate": joincode_rotate,
}

# Commands whose validity does not depend on the exact prior state: a shared store may
# append them at whatever seq is next (no optimistic check, no retry), so processes do
# not collide on them. A join is one too (engine.join).
ORDER_FREE = frozenset({"note.add", "note.support"})

# Commands whose repeat with the same client_id must return the first result.
IDEMPOTENT_BY_CLIENT_ID = frozenset({"note.add", "keypoint.add", "response.log", "correction.submit",
                                     "group.add", "slot.add", "poll.open"})

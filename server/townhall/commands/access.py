"""Joining a group, and the secrets that let people in: join codes."""

from __future__ import annotations

from typing import Any

from .. import events as ev
from ..events import Event
from ..state import State, Viewer
from .base import (
    CommandError, MAX_NAME, Plan, as_payload, check_unicode, new_id, ref_field,
    require_role
)


def clean_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise CommandError("invalid", "a display name is required")
    name = " ".join(name.split())
    check_unicode(name, "name")
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


ROTATABLE = ("lead", "board", "screen", "facilitator")


def token_rotate(state: State, who: Viewer, p: Any, now: int) -> Plan:
    """Replace a staff link that went astray (CONTRACT §11). The engine swaps the secret
    and closes the old link's open sessions; the log records only which link changed.
    The organiser's own link is replaced from the command line (`links --rotate`)."""
    require_role(who, "organiser")
    p = as_payload(p)
    role = p.get("role")
    if role not in ROTATABLE:
        raise CommandError("invalid", "'role' must be lead, board, screen or facilitator (the "
                                      "organiser's own link: townhall links --rotate organiser)")
    gid = None
    if role == "facilitator":
        gid = ref_field(p, "group_id")
        if state.group(gid) is None:
            raise CommandError("not_found", f"there is no group {gid!r}")
    elif p.get("group_id") is not None:
        raise CommandError("invalid", f"a {role} link belongs to no group: leave out 'group_id'")
    return Plan([ev.draft(ev.TOKEN_ROTATED, who.actor(), None, {"role": role, "group_id": gid})])


def joincode_rotate(state: State, who: Viewer, p: Any, now: int) -> Plan:
    """Replace a group's join code (a photo of the QR went round). The engine swaps the
    secret; the log records only that it happened."""
    require_role(who, "organiser")
    p = as_payload(p)
    gid = ref_field(p, "group_id")
    if state.group(gid) is None:
        raise CommandError("not_found", f"there is no group {gid!r}")
    return Plan([ev.draft(ev.JOINCODE_ROTATED, who.actor(), None, {"group_id": gid})])

"""The agenda's clock: start and end a slot, pause, resume and extend its timer."""

from __future__ import annotations

from typing import Any

from .. import events as ev
from ..state import State, Viewer
from .base import CommandError, MAX_EXTEND_SECONDS, Plan, as_payload, ref_field, require_role


def agenda_start(state: State, who: Viewer, p: Any, now: int) -> Plan:
    require_role(who, "lead", "organiser")
    p = as_payload(p)
    slot = state.slot(ref_field(p, "slot_id"))
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
    require_role(who, "lead", "organiser")
    t = state.timer
    if t["status"] == "idle":
        raise CommandError("conflict", "no part of the day is under way: nothing to end")
    return Plan([ev.draft(ev.AGENDA_ENDED, who.actor(), None, {"slot_id": t["slot_id"]})])


def timer_pause(state: State, who: Viewer, p: Any, now: int) -> Plan:
    require_role(who, "lead", "organiser")
    t = state.timer
    if t["status"] != "running":
        raise CommandError("conflict", "no slot is running: start one first")
    data = {"slot_id": t["slot_id"], "remaining_ms": t["ends_at"] - now}
    return Plan([ev.draft(ev.TIMER_PAUSED, who.actor(), None, data)])


def timer_resume(state: State, who: Viewer, p: Any, now: int) -> Plan:
    require_role(who, "lead", "organiser")
    t = state.timer
    if t["status"] != "paused":
        raise CommandError("conflict", "the timer is not paused")
    data = {"slot_id": t["slot_id"], "ends_at": now + t["remaining_ms"]}
    return Plan([ev.draft(ev.TIMER_RESUMED, who.actor(), None, data)])


def timer_extend(state: State, who: Viewer, p: Any, now: int) -> Plan:
    require_role(who, "lead", "organiser")
    p = as_payload(p)
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

"""What groups produce: notes, and the key points facilitators curate from them."""

from __future__ import annotations

from typing import Any

from .. import events as ev
from ..state import State, Viewer
from .base import (
    CommandError, MAX_NOTE_IDS, NOTES_PER_MINUTE, Plan, as_payload, client_id_field,
    find_keypoint, find_note, group_for_write, new_id, ref_field, require_role,
    seq_field, settled, text_field
)


def note_add(state: State, who: Viewer, p: Any, now: int) -> Plan:
    require_role(who, "participant", "facilitator", "lead", "organiser")
    p = as_payload(p)
    client_id = client_id_field(p)
    text = text_field(p)
    gid = group_for_write(state, who, p)
    if who.role == "participant" and state.notes_in_window(who.id, now) >= NOTES_PER_MINUTE:
        raise CommandError(
            "rate_limited", f"at most {NOTES_PER_MINUTE} notes a minute: wait a moment and send again"
        )
    data = {"note_id": new_id("n"), "text": text, "client_id": client_id}
    return Plan([ev.draft(ev.NOTE_ADDED, who.actor(), gid, data)])


def note_support(state: State, who: Viewer, p: Any, now: int) -> Plan:
    require_role(who, "participant", "facilitator", "lead", "organiser")
    p = as_payload(p)
    note = find_note(state, who, ref_field(p, "note_id"))
    done = settled(state, ("support", note["id"], who.id))
    if done:
        return done
    if note["hidden"]:
        raise CommandError("conflict", "this note was hidden by the facilitator")
    return Plan([ev.draft(ev.NOTE_SUPPORTED, who.actor(), note["group_id"],
                          {"note_id": note["id"]})])


def note_hide(state: State, who: Viewer, p: Any, now: int) -> Plan:
    require_role(who, "facilitator", "lead", "organiser")
    p = as_payload(p)
    note = find_note(state, who, ref_field(p, "note_id"))
    done = settled(state, ("hide", note["id"]))
    if done:
        return done
    return Plan([ev.draft(ev.NOTE_HIDDEN, who.actor(), note["group_id"], {"note_id": note["id"]})])


def note_restore(state: State, who: Viewer, p: Any, now: int) -> Plan:
    require_role(who, "facilitator", "lead", "organiser")
    p = as_payload(p)
    note = find_note(state, who, ref_field(p, "note_id"))
    done = settled(state, ("restore", note["id"]))
    if done:
        return done
    if not note["hidden"]:
        raise CommandError("conflict", "this note is not hidden")
    # Participants who joined while it was hidden never saw it: the event brings it back.
    data = {"note_id": note["id"], "text": note["text"], "author": note["author"],
            "ts": note["ts"], "seq": note["seq"]}
    return Plan([ev.draft(ev.NOTE_RESTORED, who.actor(), note["group_id"], data)])


def keypoint_edit(state: State, who: Viewer, p: Any, now: int) -> Plan:
    require_role(who, "facilitator", "lead", "organiser")
    p = as_payload(p)
    kp = find_keypoint(state, who, p)
    text = text_field(p)
    expect = seq_field(p, "expect_seq")
    if expect is not None and expect != kp["seq"]:
        # Two tablets on one console: never overwrite what the other one saved.
        raise CommandError("conflict", "this key point was changed on another tablet since "
                                       "you opened it: look at the new text, then edit again")
    data = {"keypoint_id": kp["id"], "text": text}
    if kp["published"]:
        data["public"] = True  # the plenary already shows it: the edit shows there too
    return Plan([ev.draft(ev.KEYPOINT_EDITED, who.actor(), kp["group_id"], data)])


def keypoint_order(state: State, who: Viewer, p: Any, now: int) -> Plan:
    require_role(who, "facilitator", "lead", "organiser")
    p = as_payload(p)
    ids = p.get("keypoint_ids")
    if not isinstance(ids, list) or not ids or not all(isinstance(k, str) for k in ids):
        raise CommandError("invalid", "'keypoint_ids' must list the group's key points in order")
    gid = group_for_write(state, who, p)
    mine = {k["id"] for k in state.keypoints.values() if k["group_id"] == gid}
    if set(ids) != mine or len(ids) != len(mine):
        raise CommandError("conflict", "list every key point of the group exactly once "
                                       "(another may have been added: reload and try again)")
    # Only ids: the order is public, the text of drafts is not.
    return Plan([ev.draft(ev.KEYPOINT_ORDERED, who.actor(), gid, {"keypoint_ids": ids})])


def keypoint_add(state: State, who: Viewer, p: Any, now: int) -> Plan:
    require_role(who, "facilitator", "lead", "organiser")
    p = as_payload(p)
    client_id = client_id_field(p)
    text = text_field(p)
    gid = group_for_write(state, who, p)
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
    require_role(who, "facilitator", "lead", "organiser")
    p = as_payload(p)
    kp = find_keypoint(state, who, p)
    kid = kp["id"]
    done = settled(state, ("publish", kid))
    if done:
        return done
    # Public viewers never saw the draft, so the published event carries its text.
    return Plan([ev.draft(ev.KEYPOINT_PUBLISHED, who.actor(), kp["group_id"],
                          {"keypoint_id": kid, "text": kp["text"]})])


def keypoint_unpublish(state: State, who: Viewer, p: Any, now: int) -> Plan:
    """Take a key point off the projector and every phone; it stays as a draft."""
    require_role(who, "facilitator", "lead", "organiser")
    p = as_payload(p)
    kp = find_keypoint(state, who, p)
    done = settled(state, ("unpublish", kp["id"]))
    if done:
        return done
    if not kp["published"]:
        raise CommandError("conflict", "this key point is not published")
    return Plan([ev.draft(ev.KEYPOINT_UNPUBLISHED, who.actor(), kp["group_id"],
                          {"keypoint_id": kp["id"]})])


def keypoint_remove(state: State, who: Viewer, p: Any, now: int) -> Plan:
    """Delete a draft. A published key point must be unpublished first, so nothing the
    hall saw disappears from the record without an event that says so."""
    require_role(who, "facilitator", "lead", "organiser")
    p = as_payload(p)
    done = settled(state, ("remove", ref_field(p, "keypoint_id")))
    if done:
        return done
    kp = find_keypoint(state, who, p)
    if kp["published"]:
        raise CommandError("conflict", "this key point is published: unpublish it first")
    return Plan([ev.draft(ev.KEYPOINT_REMOVED, who.actor(), kp["group_id"],
                          {"keypoint_id": kp["id"]})])

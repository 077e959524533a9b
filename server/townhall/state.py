"""The day's state as a fold over the event log, and what each role may see of it.

Nothing here reads a clock, a socket or a disk: `apply` takes one event and changes
the state, so replaying the log on start gives back exactly the state that was lost.
"""

from __future__ import annotations

import copy
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from . import events as ev
from . import polls
from .events import Event

STAFF_ALL_GROUPS = frozenset({"lead", "organiser"})
RATE_WINDOW_MS = 60_000


@dataclass(frozen=True)
class Viewer:
    """Who is asking: a role, the group it belongs to (if any) and its id in the log."""

    role: str
    id: str
    name: str
    group_id: str | None = None

    def actor(self) -> dict[str, Any]:
        return {"role": self.role, "id": self.id, "name": self.name}

    def runs_group(self, group_id: str | None) -> bool:
        """Is this viewer one of those who run `group_id` (its facilitator, lead,
        organiser)? They see who joined it."""
        if self.role in STAFF_ALL_GROUPS:
            return True
        return group_id is not None and self.role == "facilitator" and self.group_id == group_id

    def sees_group(self, group_id: str | None) -> bool:
        """May this viewer see the private side (notes, drafts) of `group_id`?"""
        if self.role in STAFF_ALL_GROUPS:
            return True
        return group_id is not None and self.group_id == group_id and self.role in (
            "participant",
            "facilitator",
        )


def can_see(viewer: Viewer, event: Event) -> bool:
    """CONTRACT §2: a group's notes and drafts are for that group, who joined it for
    those who run it; the rest is public."""
    who = ev.audience(event)
    if who == ev.PUBLIC:
        return True
    if who == ev.GROUP:
        return viewer.sees_group(event["group_id"])
    if who == ev.GROUP_STAFF:
        return viewer.runs_group(event["group_id"])
    return False


@dataclass
class State:
    definition: dict[str, Any] | None = None
    last_seq: int = 0
    participants: dict[str, dict] = field(default_factory=dict)
    notes: dict[str, dict] = field(default_factory=dict)
    keypoints: dict[str, dict] = field(default_factory=dict)
    responses: dict[str, dict] = field(default_factory=dict)
    corrections: dict[str, dict] = field(default_factory=dict)
    timer: dict[str, Any] = field(default_factory=lambda: {"slot_id": None, "status": "idle"})
    runs: list[dict] = field(default_factory=list)  # every start of a slot, in order
    focus: str | None = None
    # (actor id, client_id) -> seq of the event that client call produced
    client_calls: dict[tuple[str, str], int] = field(default_factory=dict)
    # actor id -> timestamps of that actor's recent notes, for the rate limit
    recent_notes: dict[str, deque] = field(default_factory=dict)
    last_activity: dict[str, int] = field(default_factory=dict)  # group id -> ts
    # group id -> its participants' ids / its notes' ids, so a welcome reads one group
    # instead of scanning the whole hall (a join storm would grow with its square)
    members: dict[str, list[str]] = field(default_factory=dict)
    group_notes: dict[str, list[str]] = field(default_factory=dict)
    # commands that are naturally idempotent (support, hide, publish, resolve) remember
    # the seq that settled them, so a repeat answers with the first result
    settled: dict[tuple, int] = field(default_factory=dict)
    # §9: poll id -> the poll with its running results; poll id -> {voter id: choice}
    polls: dict[str, dict] = field(default_factory=dict)
    ballots: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The one secret the domain holds (never in the log): anonymous ballots are cast under
    # polls.ballot_id(ballot_key, ...). Set by the engine from the store; a fold of an
    # exported log has none and needs none.
    ballot_key: bytes | None = None

    # -- reading ---------------------------------------------------------------

    @property
    def groups(self) -> list[dict]:
        return self.definition["groups"] if self.definition else []

    def group(self, group_id: str) -> dict | None:
        return next((g for g in self.groups if g["id"] == group_id), None)

    def slot(self, slot_id: str) -> dict | None:
        agenda = self.definition["agenda"] if self.definition else []
        return next((s for s in agenda if s["id"] == slot_id), None)

    def notes_in_window(self, actor_id: str, now: int) -> int:
        recent = self.recent_notes.get(actor_id)
        if not recent:
            return 0
        while recent and recent[0] <= now - RATE_WINDOW_MS:
            recent.popleft()
        return len(recent)

    # -- folding ---------------------------------------------------------------

    def apply(self, e: Event) -> None:
        if e["seq"] != self.last_seq + 1:
            raise ValueError(f"event seq {e['seq']} does not follow {self.last_seq}")
        handler = _APPLY.get(e["type"])
        if handler is not None:
            handler(self, e, e["data"])
        self.last_seq = e["seq"]
        client_id = e["data"].get("client_id")
        if client_id:
            self.client_calls[(e["actor"]["id"], client_id)] = e["seq"]
        if e.get("group_id"):
            self.last_activity[e["group_id"]] = e["ts"]

    # -- views -----------------------------------------------------------------

    def _groups_seen_by(self, viewer: Viewer) -> list[str]:
        if viewer.role in STAFF_ALL_GROUPS:
            return [g["id"] for g in self.groups]
        return [viewer.group_id] if viewer.sees_group(viewer.group_id) else []

    def sees_poll(self, viewer: Viewer, poll: dict) -> bool:
        """A hall poll and a check-back are for everyone; a group's poll as its notes."""
        return poll["public"] or viewer.sees_group(poll["group_id"])

    def may_vote(self, viewer: Viewer, poll: dict) -> bool:
        return viewer.role == "participant" and poll["group_id"] in (None, viewer.group_id)

    def voter_id(self, viewer: Viewer, poll: dict) -> str:
        """Whom a ballot is logged under: a per-poll pseudonym, or the person."""
        if not poll["anonymous"]:
            return viewer.id
        if self.ballot_key is None:
            raise RuntimeError("no ballot key: the engine sets one before any vote")
        return polls.ballot_id(self.ballot_key, poll["id"], viewer.id)

    def poll_view(self, viewer: Viewer, poll: dict) -> dict:
        """A poll as `viewer` may see it: results hidden until the close (when the poll
        says so) from all but those who run it; a participant's own ballot."""
        view = {k: v for k, v in poll.items() if k != "results"}
        if not poll["hide_results"] or poll["closed_at"] is not None or self.runs_poll(viewer, poll):
            view["results"] = copy.deepcopy(poll["results"])
        else:
            view["results"] = {"voters": poll["results"]["voters"]}
        if self.may_vote(viewer, poll) and (self.ballot_key or not poll["anonymous"]):
            view["my_choice"] = self.ballots[poll["id"]].get(self.voter_id(viewer, poll))
        return view

    @staticmethod
    def runs_poll(viewer: Viewer, poll: dict) -> bool:
        return viewer.role in STAFF_ALL_GROUPS or (
            viewer.role == "facilitator" and viewer.group_id == poll["group_id"])

    def _translations_seen_by(self, viewer: Viewer) -> dict[str, Any]:
        """The assembly's translated texts, packs only for the groups whose pack this
        viewer gets (as the packs themselves)."""
        out = {}
        for lang, t in ((self.definition or {}).get("translations") or {}).items():
            item = {k: v for k, v in t.items() if k != "groups"}
            groups = {}
            for gid, g in (t.get("groups") or {}).items():
                sees_pack = viewer.sees_group(gid) or viewer.role in ("board", "screen")
                shown = {k: v for k, v in g.items() if k != "info_pack" or sees_pack}
                if shown:
                    groups[gid] = shown
            if groups:
                item["groups"] = groups
            out[lang] = item
        return out

    def snapshot(self, viewer: Viewer) -> dict[str, Any]:
        """Everything `viewer` may see, as of `last_seq` (the `welcome` snapshot)."""
        d = self.definition or {"title": "", "date": None, "groups": [], "agenda": []}
        staff = viewer.role in STAFF_ALL_GROUPS or viewer.role == "facilitator"

        def note_view(n: dict) -> dict:
            return {**n, "supporters": list(n["supporters"])}

        groups = []
        for g in d["groups"]:
            item = {"id": g["id"], "name": g["name"]}
            if viewer.sees_group(g["id"]) or viewer.role in ("board", "screen"):
                item["info_pack"] = g.get("info_pack")
            if viewer.role in STAFF_ALL_GROUPS or viewer.group_id == g["id"]:
                item["joined"] = len(self.members.get(g["id"], ()))
            if viewer.role in STAFF_ALL_GROUPS:
                item["last_activity"] = self.last_activity.get(g["id"])
            groups.append(item)
        return {
            "assembly": {"title": d["title"], "date": d["date"], "timezone": d.get("timezone"),
                         "second_language": d.get("second_language"),
                         "translations": self._translations_seen_by(viewer)},
            "groups": groups,
            "agenda": d["agenda"],
            "timer": dict(self.timer),
            "runs": [dict(r) for r in self.runs],
            "focus": self.focus,
            "participants": [self.participants[pid] for gid in self._groups_seen_by(viewer)
                             if viewer.runs_group(gid) for pid in self.members.get(gid, ())],
            "notes": [note_view(n) for gid in self._groups_seen_by(viewer)
                      for n in (self.notes[nid] for nid in self.group_notes.get(gid, ()))
                      if staff or not n["hidden"]],
            "keypoints": [dict(k) for k in self.keypoints.values()
                          if k["published"] or viewer.sees_group(k["group_id"])],
            "responses": list(self.responses.values()),
            "corrections": list(self.corrections.values()),
            "polls": [self.poll_view(viewer, p) for p in self.polls.values()
                      if self.sees_poll(viewer, p)],
        }


# -- one fold step per event type ---------------------------------------------


def _assembly_loaded(s: State, e: Event, d: dict) -> None:
    # A copy: §8 events change the day's definition, never the logged one.
    s.definition = copy.deepcopy(d["definition"])


# -- §9: polls -----------------------------------------------------------------------


def _poll_opened(s: State, e: Event, d: dict) -> None:
    poll = {"id": d["poll_id"], "question": d["question"], "kind": d["kind"],
            "options": list(d.get("options") or []), "group_id": d.get("group_id"),
            "response_id": d.get("response_id"), "purpose": d.get("purpose"),
            "anonymous": d["anonymous"], "hide_results": d["hide_results"],
            "public": e.get("group_id") is None or bool(d.get("public")),
            "opened_by": e["actor"], "opened_at": e["ts"], "closed_at": None, "seq": e["seq"]}
    poll["results"] = polls.empty_results(poll)
    s.polls[poll["id"]] = poll
    s.ballots[poll["id"]] = {}


def _vote_cast(s: State, e: Event, d: dict) -> None:
    poll, ballots = s.polls[d["poll_id"]], s.ballots[d["poll_id"]]
    voter = e["actor"]["id"]
    polls.record(poll, poll["results"], ballots.get(voter), d["choice"])
    ballots[voter] = d["choice"]
    s.settled[("vote", poll["id"], voter)] = e["seq"]


def _poll_closed(s: State, e: Event, d: dict) -> None:
    poll = s.polls[d["poll_id"]]
    poll["closed_at"] = e["ts"]
    poll["results"] = d["results"]  # as logged: the record's figures are the event's
    s.settled[("close", poll["id"])] = e["seq"]


# -- §8: the day's shape changes while it runs -------------------------------------


def _assembly_updated(s: State, e: Event, d: dict) -> None:
    for key in ("title", "date", "timezone", "second_language"):
        if key in d:
            s.definition[key] = d[key]
    for lang, fields in d.get("translations", {}).items():
        _translate(s.definition.setdefault("translations", {}).setdefault(lang, {}), fields)


def _translate(target: dict, fields: dict) -> None:
    """Set the given translated texts; null removes one (the own text shows again)."""
    for key, text in fields.items():
        if text is None:
            target.pop(key, None)
        else:
            target[key] = text


def _group_added(s: State, e: Event, d: dict) -> None:
    s.definition["groups"].append({"id": d["group_id"], "name": d["name"], "info_pack": None})


def _group_updated(s: State, e: Event, d: dict) -> None:
    g = s.group(d["group_id"])
    for key in ("name", "info_pack"):
        if key in d:
            g[key] = d[key]
    for lang, fields in d.get("translations", {}).items():
        texts = s.definition.setdefault("translations", {}).setdefault(lang, {})
        _translate(texts.setdefault("groups", {}).setdefault(g["id"], {}), fields)


def _insert_slot(agenda: list[dict], slot: dict, after: str | None) -> None:
    at = 0 if after is None else next(i for i, x in enumerate(agenda) if x["id"] == after) + 1
    agenda.insert(at, slot)


def _slot_added(s: State, e: Event, d: dict) -> None:
    slot = {k: d[k] for k in ("title", "minutes", "kind", "group_id")}
    _insert_slot(s.definition["agenda"], {"id": d["slot_id"], **slot}, d["after"])


def _slot_updated(s: State, e: Event, d: dict) -> None:
    slot = s.slot(d["slot_id"])
    for key in ("title", "minutes", "kind", "group_id"):
        if key in d:
            slot[key] = d[key]
    # A running slot's new length moves its end on every screen (like an extension).
    if "ends_at" in d:
        s.timer["ends_at"] = d["ends_at"]
    if "remaining_ms" in d:
        s.timer["remaining_ms"] = d["remaining_ms"]
    if "minutes" in d and s.runs and s.runs[-1]["slot_id"] == d["slot_id"] \
            and s.runs[-1]["ended_at"] is None:
        s.runs[-1]["planned_ms"] = d["minutes"] * 60_000


def _slot_moved(s: State, e: Event, d: dict) -> None:
    agenda = s.definition["agenda"]
    slot = s.slot(d["slot_id"])
    agenda.remove(slot)
    _insert_slot(agenda, slot, d["after"])


def _slot_removed(s: State, e: Event, d: dict) -> None:
    s.definition["agenda"].remove(s.slot(d["slot_id"]))


def _participant_joined(s: State, e: Event, d: dict) -> None:
    s.members.setdefault(e["group_id"], []).append(d["participant_id"])
    s.participants[d["participant_id"]] = {
        "id": d["participant_id"], "name": d["name"], "group_id": e["group_id"], "ts": e["ts"],
    }


def _note_added(s: State, e: Event, d: dict) -> None:
    s.group_notes.setdefault(e["group_id"], []).append(d["note_id"])
    s.notes[d["note_id"]] = {
        "id": d["note_id"], "group_id": e["group_id"], "text": d["text"],
        "author": e["actor"], "ts": e["ts"], "seq": e["seq"],
        "supporters": [], "hidden": False,
    }
    s.recent_notes.setdefault(e["actor"]["id"], deque()).append(e["ts"])


def _note_supported(s: State, e: Event, d: dict) -> None:
    # A support is order-free (two taps may both be logged): count each person once.
    supporters = s.notes[d["note_id"]]["supporters"]
    if e["actor"]["id"] not in supporters:
        supporters.append(e["actor"]["id"])
    s.settled[("support", d["note_id"], e["actor"]["id"])] = e["seq"]


def _note_hidden(s: State, e: Event, d: dict) -> None:
    s.notes[d["note_id"]]["hidden"] = True
    s.settled[("hide", d["note_id"])] = e["seq"]
    s.settled.pop(("restore", d["note_id"]), None)


def _note_restored(s: State, e: Event, d: dict) -> None:
    s.notes[d["note_id"]]["hidden"] = False
    s.settled[("restore", d["note_id"])] = e["seq"]
    s.settled.pop(("hide", d["note_id"]), None)


def _keypoint_added(s: State, e: Event, d: dict) -> None:
    s.keypoints[d["keypoint_id"]] = {
        "id": d["keypoint_id"], "group_id": e["group_id"], "text": d["text"],
        "note_ids": list(d.get("note_ids") or []), "author": e["actor"], "ts": e["ts"],
        "published": False, "published_at": None, "order": len(s.keypoints),
        "seq": e["seq"],  # the key point's last change: `keypoint.edit`'s expect_seq
    }


def _keypoint_edited(s: State, e: Event, d: dict) -> None:
    k = s.keypoints[d["keypoint_id"]]
    k["text"] = d["text"]
    k["seq"] = e["seq"]


def _keypoint_ordered(s: State, e: Event, d: dict) -> None:
    for i, kid in enumerate(d["keypoint_ids"]):
        s.keypoints[kid]["order"] = i


def _joincode_rotated(s: State, e: Event, d: dict) -> None:
    pass  # the codes live with the secrets, not in the log; this marks when it happened


def _keypoint_published(s: State, e: Event, d: dict) -> None:
    k = s.keypoints[d["keypoint_id"]]
    k["published"] = True
    k["published_at"] = e["ts"]
    k["seq"] = e["seq"]
    s.settled[("publish", d["keypoint_id"])] = e["seq"]
    s.settled.pop(("unpublish", d["keypoint_id"]), None)


def _keypoint_unpublished(s: State, e: Event, d: dict) -> None:
    k = s.keypoints[d["keypoint_id"]]
    k.update(published=False, published_at=None, seq=e["seq"])
    s.settled[("unpublish", d["keypoint_id"])] = e["seq"]
    s.settled.pop(("publish", d["keypoint_id"]), None)


def _keypoint_removed(s: State, e: Event, d: dict) -> None:
    del s.keypoints[d["keypoint_id"]]
    s.settled[("remove", d["keypoint_id"])] = e["seq"]


def _end_run(s: State, ts: int) -> None:
    if s.runs and s.runs[-1]["ended_at"] is None:
        _end_pause(s.runs[-1], ts)
        s.runs[-1]["ended_at"] = ts


def _agenda_started(s: State, e: Event, d: dict) -> None:
    _end_run(s, e["ts"])
    slot = s.slot(d["slot_id"]) or {}
    s.timer = {"slot_id": d["slot_id"], "status": "running", "ends_at": d["ends_at"],
               "remaining_ms": None, "started_at": e["ts"]}
    s.runs.append({"slot_id": d["slot_id"], "started_at": e["ts"], "ended_at": None,
                   "planned_ms": slot.get("minutes", 0) * 60_000, "extended_ms": 0,
                   "paused_ms": 0, "paused_at": None})


def _agenda_ended(s: State, e: Event, d: dict) -> None:
    """No countdown anywhere until the next start; the run keeps when it ended."""
    _end_run(s, e["ts"])
    s.timer = {"slot_id": None, "status": "idle", "ends_at": None, "remaining_ms": None,
               "ended_slot_id": d["slot_id"], "ended_at": e["ts"]}


def _timer_paused(s: State, e: Event, d: dict) -> None:
    s.timer.update(status="paused", ends_at=None, remaining_ms=d["remaining_ms"])
    s.runs[-1]["paused_at"] = e["ts"]


def _timer_resumed(s: State, e: Event, d: dict) -> None:
    s.timer.update(status="running", ends_at=d["ends_at"], remaining_ms=None)
    _end_pause(s.runs[-1], e["ts"])


def _end_pause(run: dict, ts: int) -> None:
    """A pause ends on resume, or when the next slot starts while still paused."""
    if run["paused_at"] is not None:
        run["paused_ms"] += ts - run["paused_at"]
        run["paused_at"] = None


def _timer_extended(s: State, e: Event, d: dict) -> None:
    if s.timer["status"] == "running":
        s.timer["ends_at"] = d["ends_at"]
    else:
        s.timer["remaining_ms"] = d["remaining_ms"]
    s.runs[-1]["extended_ms"] += d["seconds"] * 1000


def _plenary_focused(s: State, e: Event, d: dict) -> None:
    s.focus = d["group_id"]


def _response_logged(s: State, e: Event, d: dict) -> None:
    s.responses[d["response_id"]] = {
        "id": d["response_id"], "group_id": e["group_id"], "member": d["member"],
        "text": d["text"], "stance": d["stance"], "reason": d.get("reason"),
        "actor": e["actor"], "ts": e["ts"], "seq": e["seq"], "withdrawn": None,
    }


def _response_withdrawn(s: State, e: Event, d: dict) -> None:
    """Withdrawn, not deleted: the hall saw it, so the record says it was taken back."""
    s.responses[d["response_id"]]["withdrawn"] = {
        "reason": d["reason"], "ts": e["ts"], "actor": e["actor"]}
    s.settled[("withdraw", d["response_id"])] = e["seq"]


def _correction_submitted(s: State, e: Event, d: dict) -> None:
    s.corrections[d["correction_id"]] = {
        "id": d["correction_id"], "response_id": d["response_id"], "group_id": e["group_id"],
        "text": d["text"], "author": e["actor"], "ts": e["ts"], "seq": e["seq"],
        "outcome": None, "resolved_at": None, "resolved_by": None,
    }


def _correction_resolved(s: State, e: Event, d: dict) -> None:
    c = s.corrections[d["correction_id"]]
    c.update(outcome=d["outcome"], resolved_at=e["ts"], resolved_by=e["actor"])
    s.settled[("resolve", d["correction_id"])] = e["seq"]


_APPLY = {
    ev.ASSEMBLY_LOADED: _assembly_loaded,
    ev.PARTICIPANT_JOINED: _participant_joined,
    ev.NOTE_ADDED: _note_added,
    ev.NOTE_SUPPORTED: _note_supported,
    ev.NOTE_HIDDEN: _note_hidden,
    ev.KEYPOINT_ADDED: _keypoint_added,
    ev.KEYPOINT_PUBLISHED: _keypoint_published,
    ev.AGENDA_STARTED: _agenda_started,
    ev.TIMER_PAUSED: _timer_paused,
    ev.TIMER_RESUMED: _timer_resumed,
    ev.TIMER_EXTENDED: _timer_extended,
    ev.PLENARY_FOCUSED: _plenary_focused,
    ev.RESPONSE_LOGGED: _response_logged,
    ev.CORRECTION_SUBMITTED: _correction_submitted,
    ev.CORRECTION_RESOLVED: _correction_resolved,
    ev.NOTE_RESTORED: _note_restored,
    ev.KEYPOINT_EDITED: _keypoint_edited,
    ev.KEYPOINT_ORDERED: _keypoint_ordered,
    ev.JOINCODE_ROTATED: _joincode_rotated,
    ev.KEYPOINT_UNPUBLISHED: _keypoint_unpublished,
    ev.KEYPOINT_REMOVED: _keypoint_removed,
    ev.RESPONSE_WITHDRAWN: _response_withdrawn,
    ev.AGENDA_ENDED: _agenda_ended,
    ev.ASSEMBLY_UPDATED: _assembly_updated,
    ev.GROUP_ADDED: _group_added,
    ev.GROUP_UPDATED: _group_updated,
    ev.SLOT_ADDED: _slot_added,
    ev.SLOT_UPDATED: _slot_updated,
    ev.SLOT_MOVED: _slot_moved,
    ev.SLOT_REMOVED: _slot_removed,
    ev.POLL_OPENED: _poll_opened,
    ev.VOTE_CAST: _vote_cast,
    ev.POLL_CLOSED: _poll_closed,
}

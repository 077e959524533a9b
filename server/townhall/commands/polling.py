"""Polls and votes (CONTRACT §9): open a poll for the hall, a group, or a group's check
of the Board's response; cast and replace a ballot; close with the final tally."""

from __future__ import annotations

from typing import Any

from .. import events as ev
from .. import polls
from ..state import STAFF_ALL_GROUPS, State, Viewer
from .base import (
    MAX_TEXT, CommandError, Plan, as_payload, client_id_field, new_id, ref_field, require_role,
    settled, text_field
)

MAX_QUESTION = 300
PURPOSES = ("evaluation",)  # "checkback" comes with a response_id


def _poll(state: State, who: Viewer, p: dict) -> dict:
    pid = ref_field(p, "poll_id")
    poll = state.polls.get(pid)
    if poll is None or not state.sees_poll(who, poll):
        raise CommandError("not_found", f"there is no poll {pid!r}")
    return poll


def _options(p: dict, kind: str) -> list[str]:
    raw = p.get("options")
    if kind == "rating":
        if raw not in (None, []):
            raise CommandError("invalid", "a rating poll has no options: it is 1 to 5")
        return []
    if not isinstance(raw, list) or not polls.MIN_OPTIONS <= len(raw) <= polls.MAX_OPTIONS:
        raise CommandError("invalid", f"'options' must list {polls.MIN_OPTIONS} to "
                                      f"{polls.MAX_OPTIONS} answers")
    options = [text_field({"option": o}, "option", MAX_TEXT) for o in raw]
    if len({o.casefold() for o in options}) != len(options):
        raise CommandError("invalid", "two options say the same: make each one different")
    return options


def _flag(p: dict, key: str, default: bool) -> bool:
    value = p.get(key, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise CommandError("invalid", f"'{key}' must be true or false")
    return value


def poll_open(state: State, who: Viewer, p: Any, now: int) -> Plan:
    """The lead and organiser open polls for the hall or any group, and the check-back
    of a Board response; a facilitator for its own group."""
    require_role(who, "lead", "organiser", "facilitator")
    p = as_payload(p)
    client_id = client_id_field(p)
    response = None
    if p.get("response_id") is not None:
        if who.role not in STAFF_ALL_GROUPS:
            raise CommandError("forbidden", "the lead opens the check of a Board response")
        rid = ref_field(p, "response_id")
        response = state.responses.get(rid)
        if response is None:
            raise CommandError("not_found", f"there is no Board response {rid!r}")
        if response["withdrawn"]:
            raise CommandError("conflict", "this response was withdrawn: there is nothing to check")
    question = text_field(p, "question", MAX_QUESTION) if response is None or "question" in p \
        else polls.CHECKBACK_QUESTION
    kind = p.get("kind", "choice" if response else None)
    if kind not in polls.KINDS:
        raise CommandError("invalid", f"'kind' must be one of {', '.join(polls.KINDS)}")
    options = _options(p, kind) if response is None or "options" in p \
        else list(polls.CHECKBACK_OPTIONS)
    gid = p.get("group_id")
    if response is not None:
        gid = response["group_id"]  # the group the response answers votes on it
    elif gid is not None:
        if not isinstance(gid, str) or state.group(gid) is None:
            raise CommandError("not_found", f"there is no group {gid!r}")
    if who.role == "facilitator" and gid != who.group_id:
        raise CommandError("forbidden", "a facilitator opens polls for its own group only")
    purpose = "checkback" if response else p.get("purpose")
    if purpose is not None and purpose not in (*PURPOSES, "checkback"):
        raise CommandError("invalid", "'purpose' must be evaluation, or left out")
    if purpose == "evaluation" and kind != "rating":
        raise CommandError("invalid", "an evaluation question is a rating (1 to 5)")
    data = {"poll_id": new_id("poll"), "question": question, "kind": kind, "options": options,
            "group_id": gid, "response_id": response["id"] if response else None,
            "purpose": purpose, "anonymous": _flag(p, "anonymous", True),
            "hide_results": _flag(p, "hide_results", False), "client_id": client_id}
    if response is not None:
        data["public"] = True  # its result sits beside the response, on every page
    return Plan([ev.draft(ev.POLL_OPENED, who.actor(), gid, data)])


def vote_cast(state: State, who: Viewer, p: Any, now: int) -> Plan:
    if who.role != "participant":
        raise CommandError("forbidden", "only participants vote: ballots are the hall's")
    p = as_payload(p)
    pid = ref_field(p, "poll_id")
    poll = state.polls.get(pid)
    if poll is None:
        raise CommandError("not_found", f"there is no poll {pid!r}")
    if not state.may_vote(who, poll):
        raise CommandError("forbidden", "this poll is for the participants of another group")
    if poll["closed_at"] is not None:
        raise CommandError("conflict", "this poll has closed: your vote can no longer change")
    if "choice" not in p:
        raise CommandError("invalid", "'choice' is required")
    try:
        choice = polls.check_choice(poll, p["choice"])
    except polls.BadChoice as exc:
        raise CommandError("invalid", str(exc)) from None
    voter = state.voter_id(who, poll)
    if state.ballots[poll["id"]].get(voter) == choice:
        done = settled(state, ("vote", poll["id"], voter))
        if done:
            return done  # the same vote again (a resend): counted once
    actor = who.actor() if not poll["anonymous"] else \
        {"role": "participant", "id": voter, "name": None}
    return Plan([ev.draft(ev.VOTE_CAST, actor, poll["group_id"],
                          {"poll_id": poll["id"], "choice": choice})])


def poll_close(state: State, who: Viewer, p: Any, now: int) -> Plan:
    require_role(who, "lead", "organiser", "facilitator")
    p = as_payload(p)
    poll = _poll(state, who, p)
    done = settled(state, ("close", poll["id"]))
    if done:
        return done
    if who.role == "facilitator" and poll["opened_by"]["id"] != who.id:
        raise CommandError("forbidden", "a facilitator closes the polls it opened")
    final = {k: list(v) if isinstance(v, list) else v for k, v in poll["results"].items()}
    data = {"poll_id": poll["id"], "results": final}
    if poll["response_id"]:
        data["public"] = True
    return Plan([ev.draft(ev.POLL_CLOSED, who.actor(), poll["group_id"] if not poll["public"]
                          or poll["response_id"] else None, data)])

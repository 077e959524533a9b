"""The plenary: which group presents, the Board's responses and the hall's corrections."""

from __future__ import annotations

from typing import Any

from .. import events as ev
from ..state import State, Viewer
from .base import (
    CommandError, MAX_NAME, OUTCOMES, Plan, STANCES, as_payload, client_id_field,
    new_id, ref_field, require_role, settled, text_field
)


def plenary_focus(state: State, who: Viewer, p: Any, now: int) -> Plan:
    require_role(who, "lead", "organiser")
    p = as_payload(p)
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
    require_role(who, "board", "lead", "organiser")
    p = as_payload(p)
    client_id = client_id_field(p)
    gid = ref_field(p, "group_id")
    if state.group(gid) is None:
        raise CommandError("not_found", f"there is no group {gid!r}")
    member = text_field(p, "member", MAX_NAME)
    text = text_field(p)
    stance = p.get("stance")
    if stance not in STANCES:
        raise CommandError("invalid", "'stance' must be commit, consider or decline")
    reason = text_field(p, "reason", required=False)
    if stance == "decline" and reason is None:
        raise CommandError("invalid", "a 'reason' is required to decline: say why it will not be done")
    data = {"response_id": new_id("r"), "member": member, "text": text, "stance": stance,
            "reason": reason, "client_id": client_id}
    # Group-scoped but public: the event names the group it answers.
    return Plan([ev.draft(ev.RESPONSE_LOGGED, who.actor(), gid, data)])


def correction_submit(state: State, who: Viewer, p: Any, now: int) -> Plan:
    require_role(who, "participant", "facilitator", "lead", "organiser")
    p = as_payload(p)
    client_id = client_id_field(p)
    rid = ref_field(p, "response_id")
    response = state.responses.get(rid)
    if response is None:
        raise CommandError("not_found", f"there is no Board response {rid!r}")
    if who.role in ("participant", "facilitator") and response["group_id"] != who.group_id:
        raise CommandError("forbidden", "you may only correct the Board's response to your "
                                        "own group")
    if response["withdrawn"]:
        raise CommandError("conflict", "the Board withdrew this response: there is nothing "
                                       "to correct")
    text = text_field(p)
    data = {"correction_id": new_id("c"), "response_id": rid, "text": text, "client_id": client_id}
    return Plan([ev.draft(ev.CORRECTION_SUBMITTED, who.actor(), response["group_id"], data)])


def response_withdraw(state: State, who: Viewer, p: Any, now: int) -> Plan:
    require_role(who, "board", "lead", "organiser")
    p = as_payload(p)
    rid = ref_field(p, "response_id")
    response = state.responses.get(rid)
    if response is None:
        raise CommandError("not_found", f"there is no Board response {rid!r}")
    done = settled(state, ("withdraw", rid))
    if done:
        return done
    reason = text_field(p, "reason", required=False)
    if reason is None:
        raise CommandError("invalid", "a 'reason' is required to withdraw a response: the "
                                      "hall saw it, so say why it is taken back")
    return Plan([ev.draft(ev.RESPONSE_WITHDRAWN, who.actor(), response["group_id"],
                          {"response_id": rid, "reason": reason})])


def correction_resolve(state: State, who: Viewer, p: Any, now: int) -> Plan:
    require_role(who, "board", "lead", "organiser")
    p = as_payload(p)
    cid = ref_field(p, "correction_id")
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

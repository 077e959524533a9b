"""Shaping the day while it runs (CONTRACT §8): the assembly's title and date, its groups
and their information packs, the agenda's slots. Each change is an event, so every page
follows it at once and the record shows the agenda as planned and as changed."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from .. import events as ev
from ..assembly import (KINDS, MAX_GROUPS, MAX_NAME_CHARS, MAX_PACK_CHARS, MAX_SLOTS,
                        MAX_TITLE_CHARS, timezone_name)
from ..languages import LANGUAGES, SOURCE
from ..state import State, Viewer
from .base import (
    CommandError, Plan, as_payload, check_unicode, client_id_field, new_id, ref_field,
    require_role, text_field
)

MAX_MINUTES = 600
SHAPERS = ("organiser", "lead")  # who may change the agenda: the lead sees the day run long


# -- fields ------------------------------------------------------------------------------


def _date(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise CommandError("invalid", "'date' must be a date like 2026-03-14, or null")
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError("invalid", f"{value!r} is not a real date") from None
    return value


def _pack(p: dict) -> str | None:
    """An information pack: Markdown up to 50,000 characters; empty means none."""
    value = p.get("info_pack")
    if value is None:
        return None
    if not isinstance(value, str):
        raise CommandError("invalid", "'info_pack' must be Markdown text")
    check_unicode(value, "info_pack")
    if len(value) > MAX_PACK_CHARS:
        raise CommandError("too_large", f"the information pack is {len(value):,} characters; "
                                        f"the limit is {MAX_PACK_CHARS:,}")
    return value if value.strip() else None


def _minutes(p: dict) -> int:
    value = p.get("minutes")
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_MINUTES:
        raise CommandError("invalid", f"'minutes' must be a whole number from 1 to {MAX_MINUTES}")
    return value


def _kind(p: dict) -> str:
    value = p.get("kind")
    if value not in KINDS:
        raise CommandError("invalid", f"'kind' must be one of {', '.join(KINDS)}")
    return value


def _presenting(state: State, p: dict, kind: str) -> str | None:
    """The group a plenary slot presents; other kinds present none."""
    gid = p.get("group_id")
    if gid is None:
        return None
    if not isinstance(gid, str):
        raise CommandError("invalid", "'group_id' must be a group id or null")
    if kind != "plenary":
        raise CommandError("invalid", "only a plenary slot names a presenting group")
    if state.group(gid) is None:
        raise CommandError("not_found", f"there is no group {gid!r}")
    return gid


def _after(state: State, p: dict, moving: str | None = None) -> str | None:
    """Where a slot goes: after this slot id, or first (null)."""
    after = p.get("after")
    if after is None:
        return None
    if not isinstance(after, str):
        raise CommandError("invalid", "'after' must be a slot id, or null for first")
    if after == moving:
        raise CommandError("invalid", "a slot cannot go after itself")
    if state.slot(after) is None:
        raise CommandError("not_found", f"there is no agenda slot {after!r} to go after")
    return after


def _slot(state: State, p: dict) -> dict:
    sid = ref_field(p, "slot_id")
    slot = state.slot(sid)
    if slot is None:
        raise CommandError("not_found", f"there is no agenda slot {sid!r}")
    return slot


def slug_for(text: str, taken: set[str], fallback: str) -> str:
    """A readable id (CONTRACT §6 slug: a-z, 0-9, '-', at most 40) made from a name,
    unique among `taken`; names in other scripts get `fallback-<random>`."""
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")[:32].strip("-")
    if not base:
        base = new_id(fallback).replace("_", "-")
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


# -- the assembly ------------------------------------------------------------------------


def _translation_table(p: dict, limits: dict[str, int | None]) -> dict[str, dict]:
    """`translations`: {lang: {field: text, or null/"" to drop it}} for the languages
    townhall speaks and the fields given in `limits` (a length; None for a pack)."""
    raw = p.get("translations")
    if not isinstance(raw, dict) or not raw:
        raise CommandError("invalid", "'translations' must be an object like {\"fr\": {...}}")
    out: dict[str, dict] = {}
    for lang, table in raw.items():
        if lang not in LANGUAGES or lang == SOURCE:
            others = ", ".join(code for code in LANGUAGES if code != SOURCE)
            raise CommandError("invalid", f"translations are for {others}")
        if not isinstance(table, dict) or not table or set(table) - set(limits):
            raise CommandError("invalid", f"translations.{lang} may give {', '.join(limits)}")
        out[lang] = {}
        for field, value in table.items():
            key = f"translations.{lang}.{field}"
            if value in (None, ""):
                out[lang][field] = None
            elif limits[field] is None:
                out[lang][field] = _pack({"info_pack": value})
            else:
                out[lang][field] = text_field({key: value}, key, limits[field])
    return out


def assembly_update(state: State, who: Viewer, p: Any, now: int) -> Plan:
    require_role(who, "organiser")
    p = as_payload(p)
    data: dict[str, Any] = {}
    if "title" in p:
        data["title"] = text_field(p, "title", MAX_TITLE_CHARS)
    if "date" in p:
        data["date"] = _date(p["date"])
    if "timezone" in p:
        try:
            data["timezone"] = None if p["timezone"] in (None, "") else timezone_name(p["timezone"])
        except ValueError as exc:
            raise CommandError("invalid", f"'timezone' {exc}") from None
    if "second_language" in p:
        second = p["second_language"]
        if second not in (None, *LANGUAGES):
            raise CommandError("invalid", f"'second_language' must be one of {', '.join(LANGUAGES)}, or null")
        data["second_language"] = second
    if "translations" in p:
        data["translations"] = _translation_table(p, {"title": MAX_TITLE_CHARS})
    if not data:
        raise CommandError("invalid", "send a 'title', 'date', 'timezone', 'second_language' "
                                      "or 'translations' to change")
    return Plan([ev.draft(ev.ASSEMBLY_UPDATED, who.actor(), None, data)])


# -- groups ------------------------------------------------------------------------------


def group_add(state: State, who: Viewer, p: Any, now: int) -> Plan:
    """A new group. The engine issues its facilitator link and join code with the event."""
    require_role(who, "organiser")
    p = as_payload(p)
    client_id = client_id_field(p)
    name = text_field(p, "name", MAX_NAME_CHARS)
    pack = _pack(p)
    if len(state.groups) >= MAX_GROUPS:
        raise CommandError("conflict", f"an assembly has at most {MAX_GROUPS} groups")
    gid = slug_for(name, {g["id"] for g in state.groups}, "group")
    drafts = [ev.draft(ev.GROUP_ADDED, who.actor(), gid,
                       {"group_id": gid, "name": name, "client_id": client_id})]
    if pack is not None:
        # The pack goes to the group's own viewers, not to every phone in the hall.
        drafts.append(ev.draft(ev.GROUP_UPDATED, who.actor(), gid,
                               {"group_id": gid, "info_pack": pack, "client_id": client_id}))
    return Plan(drafts)


def group_update(state: State, who: Viewer, p: Any, now: int) -> Plan:
    require_role(who, "organiser")
    p = as_payload(p)
    gid = ref_field(p, "group_id")
    group = state.group(gid)
    if group is None:
        raise CommandError("not_found", f"there is no group {gid!r}")
    names = {"group_id": gid, "public": True}  # seen by every phone
    packs = {"group_id": gid}                  # seen by the group's own viewers
    if "name" in p:
        names["name"] = text_field(p, "name", MAX_NAME_CHARS)
    if "info_pack" in p:
        packs["info_pack"] = _pack(p)
    if "translations" in p:
        given = _translation_table(p, {"name": MAX_NAME_CHARS, "info_pack": None})
        for lang, fields in given.items():
            if "name" in fields:
                names.setdefault("translations", {})[lang] = {"name": fields["name"]}
            if "info_pack" in fields:
                packs.setdefault("translations", {})[lang] = {"info_pack": fields["info_pack"]}
    drafts = [ev.draft(ev.GROUP_UPDATED, who.actor(), gid, data)
              for data in (names, packs) if len(data) > (2 if data is names else 1)]
    if not drafts:
        raise CommandError("invalid", "send a 'name', an 'info_pack' or 'translations' to change")
    return Plan(drafts)


# -- the agenda --------------------------------------------------------------------------


def slot_add(state: State, who: Viewer, p: Any, now: int) -> Plan:
    require_role(who, *SHAPERS)
    p = as_payload(p)
    client_id = client_id_field(p)
    title = text_field(p, "title", MAX_NAME_CHARS)
    minutes = _minutes(p)
    kind = _kind(p)
    gid = _presenting(state, p, kind)
    agenda = state.definition["agenda"] if state.definition else []
    # `after` left out: at the end (the usual way a day grows).
    after = _after(state, p) if "after" in p else (agenda[-1]["id"] if agenda else None)
    if len(agenda) >= MAX_SLOTS:
        raise CommandError("conflict", f"an agenda has at most {MAX_SLOTS} slots")
    sid = slug_for(title, {s["id"] for s in agenda}, "slot")
    data = {"slot_id": sid, "title": title, "minutes": minutes, "kind": kind,
            "group_id": gid, "after": after, "client_id": client_id}
    return Plan([ev.draft(ev.SLOT_ADDED, who.actor(), None, data)])


def slot_update(state: State, who: Viewer, p: Any, now: int) -> Plan:
    require_role(who, *SHAPERS)
    p = as_payload(p)
    slot = _slot(state, p)
    data: dict[str, Any] = {"slot_id": slot["id"]}
    if "title" in p:
        data["title"] = text_field(p, "title", MAX_NAME_CHARS)
    if "minutes" in p:
        data["minutes"] = _minutes(p)
    kind = _kind(p) if "kind" in p else slot["kind"]
    if "kind" in p:
        data["kind"] = kind
    if "group_id" in p:
        data["group_id"] = _presenting(state, p, kind)
    elif kind != "plenary" and slot.get("group_id"):
        data["group_id"] = None  # no longer a plenary: it presents no group
    if len(data) == 1:
        raise CommandError("invalid", "send a 'title', 'minutes', 'kind' or 'group_id' to change")
    t = state.timer
    if "minutes" in data and t.get("slot_id") == slot["id"] and t["status"] != "idle":
        delta = (data["minutes"] - slot["minutes"]) * 60_000
        if t["status"] == "running":
            data["ends_at"] = t["ends_at"] + delta
        else:
            data["remaining_ms"] = t["remaining_ms"] + delta
    return Plan([ev.draft(ev.SLOT_UPDATED, who.actor(), None, data)])


def slot_move(state: State, who: Viewer, p: Any, now: int) -> Plan:
    require_role(who, *SHAPERS)
    p = as_payload(p)
    slot = _slot(state, p)
    if "after" not in p:
        raise CommandError("invalid", "'after' is required: a slot id, or null for first")
    after = _after(state, p, moving=slot["id"])
    return Plan([ev.draft(ev.SLOT_MOVED, who.actor(), None,
                          {"slot_id": slot["id"], "after": after})])


def slot_remove(state: State, who: Viewer, p: Any, now: int) -> Plan:
    require_role(who, *SHAPERS)
    p = as_payload(p)
    slot = _slot(state, p)
    if state.timer.get("slot_id") == slot["id"] or any(r["slot_id"] == slot["id"] for r in state.runs):
        raise CommandError("conflict", f"{slot['title']!r} has been started: it stays in the "
                                       "record (shorten it, or end it, instead)")
    return Plan([ev.draft(ev.SLOT_REMOVED, who.actor(), None, {"slot_id": slot["id"]})])

"""The assembly file (CONTRACT §6): parse, validate, and resolve information packs.

The result is a plain dict (the *definition*) that goes into the `assembly.loaded`
event, so the log alone tells what the day was planned to be.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import zoneinfo
from importlib import resources
from pathlib import Path
from typing import Any

from .languages import LANGUAGES

KINDS = ("welcome", "group_work", "break", "plenary", "close")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
MAX_GROUPS = 1000
MAX_SLOTS = 200
MAX_PACK_CHARS = 50_000
MAX_TITLE_CHARS = 200
MAX_NAME_CHARS = 120  # group names and slot titles
TOP_KEYS = {"title", "date", "timezone", "second_language", "groups", "agenda", "translations"}

Definition = dict[str, Any]


class AssemblyError(ValueError):
    """An assembly file that cannot be used; the message names the file and the field."""


def load_file(path: str | Path) -> Definition:
    """Read and validate an assembly file; info packs are read relative to it."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise AssemblyError(f"{path}: cannot read the assembly file ({exc.strerror})") from None
    return parse(raw, source=str(path), base=path.parent)


def load_demo() -> Definition:
    """The built-in demo: the NHS Citizen assembly of September 2014."""
    demo = resources.files("townhall") / "demo"
    raw = (demo / "assembly.toml").read_bytes()

    def read_pack(rel: str) -> str:
        return (demo / rel).read_text(encoding="utf-8")

    return parse(raw, source="built-in demo", reader=read_pack)


def parse(raw: bytes, source: str, base: Path | None = None, reader=None) -> Definition:
    """Validate TOML bytes into a definition. `reader` (or `base`) resolves info packs."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise AssemblyError(f"{source}: the file is not UTF-8 text") from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = "" if "line" in str(exc) else f" (it starts at line {_first_bad_line(text)})"
        raise AssemblyError(f"{source}: invalid TOML: {exc}{where}") from None

    def fail(where: str, problem: str) -> AssemblyError:
        return AssemblyError(f"{source}: {where}: {problem}")

    if reader is None:
        root = base or Path(".")

        def reader(rel: str) -> str:
            return (root / rel).read_text(encoding="utf-8")

    unknown = set(doc) - TOP_KEYS
    if unknown:
        raise fail(sorted(unknown)[0], f"unknown key (expected {', '.join(sorted(TOP_KEYS))})")
    title = _text(doc.get("title"), 1, MAX_TITLE_CHARS, "title", fail)
    date = doc.get("date")
    if isinstance(date, dt.date):
        date = date.isoformat()
    if date is not None:
        if not isinstance(date, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
            raise fail("date", "must be a date like 2026-03-14")
        try:
            dt.date.fromisoformat(date)
        except ValueError:
            raise fail("date", f"{date!r} is not a real date") from None

    # A day may start with no groups or no agenda: the organiser adds them in the browser.
    groups_raw = doc.get("groups", [])
    if not isinstance(groups_raw, list):
        raise fail("groups", "must be [[groups]] tables")
    if len(groups_raw) > MAX_GROUPS:
        raise fail("groups", f"at most {MAX_GROUPS} groups")
    groups = []
    for i, g in enumerate(groups_raw):
        where = f"groups[{i}]"
        if not isinstance(g, dict):
            raise fail(where, "must be a table")
        extra = set(g) - {"id", "name", "info_pack", "info_pack_text"}
        if extra:
            raise fail(f"{where}.{sorted(extra)[0]}",
                       "unknown key (expected id, name, info_pack, info_pack_text)")
        gid = _slug(g.get("id"), f"{where}.id", fail)
        if any(x["id"] == gid for x in groups):
            raise fail(f"{where}.id", f"duplicate group id {gid!r}")
        name = _text(g.get("name"), 1, MAX_NAME_CHARS, f"{where}.name", fail)
        groups.append({"id": gid, "name": name, "info_pack": _pack(g, where, reader, fail)})

    agenda_raw = doc.get("agenda", [])
    if not isinstance(agenda_raw, list):
        raise fail("agenda", "must be [[agenda]] tables")
    if len(agenda_raw) > MAX_SLOTS:
        raise fail("agenda", f"at most {MAX_SLOTS} slots")
    group_ids = {g["id"] for g in groups}
    agenda = []
    for i, s in enumerate(agenda_raw):
        where = f"agenda[{i}]"
        if not isinstance(s, dict):
            raise fail(where, "must be a table")
        extra = set(s) - {"id", "title", "minutes", "kind", "group_id"}
        if extra:
            raise fail(f"{where}.{sorted(extra)[0]}",
                       "unknown key (expected id, title, minutes, kind, group_id)")
        sid = _slug(s.get("id"), f"{where}.id", fail)
        if any(x["id"] == sid for x in agenda):
            raise fail(f"{where}.id", f"duplicate slot id {sid!r}")
        stitle = _text(s.get("title"), 1, MAX_NAME_CHARS, f"{where}.title", fail)
        minutes = s.get("minutes")
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 600:
            raise fail(f"{where}.minutes", "must be a whole number of minutes from 1 to 600")
        kind = s.get("kind")
        if kind not in KINDS:
            raise fail(f"{where}.kind", f"must be one of {', '.join(KINDS)}")
        gid = s.get("group_id")
        if gid is not None:
            if kind != "plenary":
                raise fail(f"{where}.group_id", "only plenary slots name a presenting group")
            if gid not in group_ids:
                raise fail(f"{where}.group_id", f"no group has id {gid!r}")
        agenda.append({"id": sid, "title": stitle, "minutes": minutes, "kind": kind,
                       "group_id": gid})
    timezone = doc.get("timezone")
    if timezone is not None:
        try:
            timezone = timezone_name(timezone)
        except ValueError as exc:
            raise fail("timezone", str(exc)) from None
    second = doc.get("second_language")
    if second is not None and second not in LANGUAGES:
        raise fail("second_language", f"must be one of {', '.join(LANGUAGES)}")
    translations = _translations(doc.get("translations"), {g["id"] for g in groups}, reader, fail)
    return {"title": title, "date": date, "timezone": timezone, "second_language": second,
            "groups": groups, "agenda": agenda, "translations": translations}


def timezone_name(value: Any) -> str:
    """An IANA time zone name ("Europe/London"), checked with zoneinfo."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be an IANA time zone name like Europe/London")
    try:
        zoneinfo.ZoneInfo(value.strip())
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value!r} is not a time zone this machine knows "
                         "(an IANA name like Europe/London)") from None
    return value.strip()


def _pack(table: dict, where: str, reader, fail) -> str | None:
    """An information pack: a Markdown file (`info_pack`, relative to the assembly file)
    or the text inline (`info_pack_text`, what `export --format toml` writes)."""
    if table.get("info_pack_text") is not None:
        if table.get("info_pack") is not None:
            raise fail(f"{where}.info_pack_text", "give info_pack or info_pack_text, not both")
        pack = table["info_pack_text"]
        if not isinstance(pack, str):
            raise fail(f"{where}.info_pack_text", "must be Markdown text")
        if len(pack) > MAX_PACK_CHARS:
            raise fail(f"{where}.info_pack_text", f"is longer than {MAX_PACK_CHARS:,} characters")
        return pack if pack.strip() else None
    if table.get("info_pack") is None:
        return None
    rel = table["info_pack"]
    if not isinstance(rel, str) or not rel.strip():
        raise fail(f"{where}.info_pack", "must be a relative path to a Markdown file")
    try:
        pack = reader(rel)
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"{where}.info_pack", f"cannot read {rel!r} ({exc})") from None
    if len(pack) > MAX_PACK_CHARS:
        raise fail(f"{where}.info_pack", f"{rel!r} is longer than {MAX_PACK_CHARS:,} characters")
    return pack


def _translations(raw: Any, group_ids: set[str], reader, fail) -> dict:
    """`[translations.fr]` with `title`, and `[translations.fr.groups.<id>]` with `name`
    and `info_pack` / `info_pack_text` (CONTRACT §10): kept as given, beside the
    assembly's own texts."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise fail("translations", "must be tables like [translations.fr]")
    out: dict[str, dict] = {}
    for lang, table in raw.items():
        where = f"translations.{lang}"
        if lang not in LANGUAGES:
            raise fail(where, f"townhall speaks {', '.join(LANGUAGES)}")
        if not isinstance(table, dict):
            raise fail(where, "must be a table")
        extra = set(table) - {"title", "groups"}
        if extra:
            raise fail(f"{where}.{sorted(extra)[0]}", "unknown key (expected title, groups)")
        item: dict[str, Any] = {}
        if "title" in table:
            item["title"] = _text(table["title"], 1, MAX_TITLE_CHARS, f"{where}.title", fail)
        groups = table.get("groups", {})
        if not isinstance(groups, dict):
            raise fail(f"{where}.groups", "must be tables like [translations.fr.groups.access]")
        for gid, g in groups.items():
            gwhere = f"{where}.groups.{gid}"
            if gid not in group_ids:
                raise fail(gwhere, f"no group has id {gid!r}")
            if not isinstance(g, dict) or set(g) - {"name", "info_pack", "info_pack_text"}:
                raise fail(gwhere, "must be a table with name, info_pack or info_pack_text")
            text = {}
            if "name" in g:
                text["name"] = _text(g["name"], 1, MAX_NAME_CHARS, f"{gwhere}.name", fail)
            if (pack := _pack(g, gwhere, reader, fail)) is not None:
                text["info_pack"] = pack
            if text:
                item.setdefault("groups", {})[gid] = text
        out[lang] = item
    return out


def blank(title: str) -> Definition:
    """`townhall serve --title`: a day with a title and nothing else yet (CONTRACT §8)."""
    title = title.strip()
    if not 1 <= len(title) <= MAX_TITLE_CHARS:
        raise AssemblyError(f"--title must be 1 to {MAX_TITLE_CHARS} characters")
    return {"title": title, "date": None, "timezone": None, "second_language": None,
            "groups": [], "agenda": [], "translations": {}}


def to_toml(definition: Definition) -> str:
    """The day as it stands, in the assembly file's own format with packs inline, so
    next year's day can start from this year's (`townhall export --format toml`)."""
    import tomli_w

    doc: dict[str, Any] = {"title": definition["title"]}
    if definition.get("date"):
        doc["date"] = dt.date.fromisoformat(definition["date"])
    for key in ("timezone", "second_language"):
        if definition.get(key):
            doc[key] = definition[key]
    doc["groups"] = [{"id": g["id"], "name": g["name"],
                      **({"info_pack_text": g["info_pack"]} if g.get("info_pack") else {})}
                     for g in definition["groups"]]
    doc["agenda"] = [{k: v for k, v in s.items() if v is not None} for s in definition["agenda"]]
    if translations := definition.get("translations"):
        doc["translations"] = {lang: _toml_translation(t) for lang, t in translations.items()}
    head = "# The assembly as it stood when exported from townhall: serve it with --assembly.\n"
    return head + tomli_w.dumps(doc, multiline_strings=True)


def _toml_translation(t: dict) -> dict:
    out: dict[str, Any] = {"title": t["title"]} if t.get("title") else {}
    if t.get("groups"):
        out["groups"] = {gid: {("info_pack_text" if k == "info_pack" else k): v for k, v in g.items()}
                         for gid, g in t["groups"].items()}
    return out


def _first_bad_line(text: str) -> int:
    """Where an unterminated string or array starts: tomllib only says "end of
    document", but the shortest prefix of whole lines that fails to parse ends there."""
    lines = text.splitlines(keepends=True)
    for k in range(1, len(lines) + 1):
        try:
            tomllib.loads("".join(lines[:k]))
        except tomllib.TOMLDecodeError:
            return k
    return len(lines)


def _text(value: Any, lo: int, hi: int, where: str, fail) -> str:
    if not isinstance(value, str) or not lo <= len(value.strip()) <= hi:
        raise fail(where, f"must be text of {lo} to {hi} characters")
    return value.strip()


def _slug(value: Any, where: str, fail) -> str:
    if not isinstance(value, str) or not SLUG.match(value):
        raise fail(where, "must be a slug: lowercase letters, digits and '-', at most 40")
    return value

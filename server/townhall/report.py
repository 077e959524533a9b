"""The record of the day, from the log alone: JSON lines, CSV, and an HTML report.

Every export is a pure function of the event log, so the organiser's download over
HTTP and `townhall export` give the same bytes for the same log. Nothing here reads a
clock: "now" in the report is the time of the last event.

The HTML record is made in two steps. `build` folds the log into a `Record`: what the
day produced, what is missing from it (`Gap`), how long each slot ran (`Run`), each
closed poll's `Tally`, and the charts' geometry. Then Jinja2 templates in
`townhall/templates/` render it, escaping every value, with every sentence marked for
translation. The model speaks no language: the sentences it makes are `Say` values (an
English msgid marked with `N_` and its values), translated only when the record is
rendered by a `Voice`, which also writes numbers, dates and times for the reader's
locale with Babel. A catalog's template comes from `pybabel extract -k N_` over this file
(python) and templates/*.html (jinja2, extensions=jinja2.ext.i18n, trimmed=true).
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import functools
import io
import json
import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator
from zoneinfo import ZoneInfo

import babel
import babel.dates
import babel.numbers
from babel.support import NullTranslations
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from . import i18n
from .events import Event
from .state import State

# -- JSON lines ------------------------------------------------------------------------


def iso(ts: int) -> str:
    return dt.datetime.fromtimestamp(ts / 1000, dt.timezone.utc).isoformat(timespec="milliseconds")


def jsonl_lines(log: Iterable[Event]) -> Iterator[str]:
    """Every event as logged, one a line, with its time in ISO 8601 beside `ts`."""
    for e in log:
        yield json.dumps({**e, "time": iso(e["ts"])}, ensure_ascii=False, separators=(",", ":")) + "\n"


# -- CSV ---------------------------------------------------------------------------------

CSV_COLUMNS = ("seq", "time", "local_time", "type", "group_id", "actor_role", "actor_id", "actor_name",
               "text", "stance", "reason", "outcome", "member", "slot_id", "ids", "detail")

# A spreadsheet runs a cell that starts with one of these as a formula; participants'
# text must never do that (CSV injection). The JSON lines keep the text exactly as given.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv_detail(e: Event) -> str:
    d, t = e["data"], e["type"]
    if t == "assembly.loaded":
        return f"source: {d.get('source', '')}"
    if t == "agenda.started":
        return f"planned {d.get('minutes')} min, ends {iso(d['ends_at'])}" if "ends_at" in d else ""
    if t == "timer.paused":
        return f"{round(d.get('remaining_ms', 0) / 1000)} s left"
    if t == "timer.resumed":
        return f"ends {iso(d['ends_at'])}" if "ends_at" in d else ""
    if t == "timer.extended":
        return f"+{d.get('seconds')} s"
    if t == "plenary.focused" and d.get("group_id") is None:
        return "focus cleared"
    if t == "note.restored" and isinstance(d.get("author"), dict):
        return f"note written by {d['author'].get('name', '')} (event {d.get('seq', '')})"
    if t == "keypoint.edited" and d.get("public"):
        return "edit of a published key point"
    if t == "keypoint.unpublished":
        return "taken off the plenary: a draft again"
    if t == "keypoint.removed":
        return "draft deleted"
    if t == "agenda.ended":
        return "slot ended; no countdown until the next start"
    if t == "joincode.rotated":
        return "new join code issued (the code itself is never logged)"
    return ""


def local_time(ts: int, zone: str | None) -> str:
    """A time people read: in the venue's zone, with the zone named, never bare UTC."""
    name = zone or "UTC"
    moment = dt.datetime.fromtimestamp(ts / 1000, ZoneInfo(name))
    return f"{moment:%Y-%m-%d %H:%M:%S} {moment.tzname() or ''} ({name})".replace("  ", " ")


def csv_text(log: Iterable[Event]) -> str:
    """One row per event, flat columns a spreadsheet opens: `time` in UTC for
    machines, `local_time` in the venue's zone for people."""
    log = list(log)
    zone = (fold(log).definition or {}).get("timezone")
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_COLUMNS)
    for e in log:
        d = e["data"]
        # Events that name a group in their data rather than as theirs (focus, rotation).
        group = e.get("group_id") or (d.get("group_id") if isinstance(d.get("group_id"), str) else "")
        ids = {k: v for k, v in d.items()
               if k.endswith("_id") and k not in ("slot_id", "client_id", "group_id")
               and isinstance(v, str) and v}
        for key in ("note_ids", "keypoint_ids"):
            if d.get(key):
                ids[key] = " ".join(d[key])
        text = d.get("text")
        if e["type"] == "assembly.loaded":
            text = d["definition"]["title"]
        elif e["type"] == "participant.joined":
            text = d.get("name")
        actor = e.get("actor") or {}
        w.writerow([e["seq"], iso(e["ts"]), local_time(e["ts"], zone), e["type"], group or "",
                    actor.get("role", ""), actor.get("id", ""), _cell(actor.get("name")),
                    _cell(text), d.get("stance") or "", _cell(d.get("reason")),
                    d.get("outcome") or "", _cell(d.get("member")), d.get("slot_id") or "",
                    " ".join(f"{k}={v}" for k, v in ids.items()), _csv_detail(e)])
    return buf.getvalue()


def pseudonymise(log: Iterable[Event], label: str = "Participant {n}") -> list[Event]:
    """The log with every participant's name replaced by a stable "Participant N" (N in
    the order they joined), wherever a name appears: the join, each actor, a restored
    note's author (CONTRACT §11). Staff and Board members keep their role names."""
    names: dict[str, str] = {}

    def alias(pid: str) -> str:
        return names.setdefault(pid, label.format(n=len(names) + 1))

    out = []
    for e in log:
        e = copy.deepcopy(e)
        d = e["data"]
        if e["type"] == "participant.joined":
            d["name"] = alias(d["participant_id"])
        actor = e.get("actor") or {}
        if actor.get("role") == "participant" and actor.get("name") is not None:
            actor["name"] = alias(actor["id"])
        author = d.get("author") if isinstance(d.get("author"), dict) else None
        if author and author.get("role") == "participant":
            author["name"] = alias(author["id"])
        out.append(e)
    return out


def fold(log: Iterable[Event]) -> State:
    state = State()
    for e in log:
        state.apply(e)
    return state


# -- sentences the model hands the templates, translated when the record is rendered -----


def N_(msgid: str) -> str:
    """Marks an English sentence for the translators' catalog (`pybabel extract -k N_`)
    without translating it: the `Voice` that renders the record does that."""
    return msgid


@dataclass(frozen=True)
class Say:
    """A sentence in the reader's language: `msgid`, with `%(name)s` placeholders, and
    the values that fill them. A value may itself be Words; the Voice writes each."""

    msgid: str
    values: dict = field(default_factory=dict)

    @classmethod
    def of(cls, msgid: str, **values: Any) -> "Say":
        return cls(msgid, values)


@dataclass(frozen=True)
class Duration:
    """A length of time, written as people say it in the reader's language."""

    ms: int


@dataclass(frozen=True)
class Join:
    """Several parts of one sentence, one after the other ("lengthened it…; renamed it…")."""

    parts: tuple


# What the model hands the templates to say: a sentence, or people's own text and numbers.
Words = Say | Join | Duration | str | int


# -- the report's model: what the day produced, and what is missing from the record ------

STANCES = ("commit", "consider", "decline")
STANCE_LABEL = {"commit": N_("Commitment"), "consider": N_("Under consideration"), "decline": N_("Declined")}
# The same, in the middle of a sentence
STANCE_WORD = {"commit": N_("commitment"), "consider": N_("under consideration"), "decline": N_("declined")}
STANCE_MARK = {"commit": "\u2713", "consider": "?", "decline": "\u2717"}  # ✓ ? ✗
# Who did something, in the middle of a sentence ("Logged at 10:02 by the lead.")
ROLE_WORD = {"lead": N_("lead"), "organiser": N_("organiser"), "board": N_("Board"),
             "facilitator": N_("facilitator"), "participant": N_("participant"), "screen": N_("screen")}
OUTCOME_LABEL = {"accepted": N_("Accepted"), "noted": N_("Noted")}
# What goes between the translated pieces of one line: languages space and write these
# differently (French " ; " and " : ", Arabic "؛ " and "، ").
SEPARATOR = {"clauses": N_("; "), "list": N_(", "), "label": N_(": ")}
KIND_WORD = {"welcome": N_("welcome"), "group_work": N_("group work"), "break": N_("break"),
             "plenary": N_("plenary"), "close": N_("close")}
OVERRUN_GRACE_MS = 60_000  # a slot that ends within a minute of its plan is on time
MINUTE = 60_000


@dataclass
class Run:
    slot_id: str
    title: str
    nth: int              # 1 for a slot's first start, 2 when it was started again, ...
    start: int
    end: int
    running: bool         # still under way at the last event
    planned: int
    extended: int
    paused: int

    @property
    def actual(self) -> int:
        return self.end - self.start

    @property
    def over(self) -> int:
        return self.actual - self.planned

    @property
    def overran(self) -> bool:
        return self.over >= OVERRUN_GRACE_MS

    @property
    def name(self) -> Words:
        """The slot's title, and which run of it this was when it ran more than once."""
        return Say.of(N_("%(title)s (run %(n)s)"), title=self.title, n=self.nth) if self.nth > 1 \
            else self.title


@dataclass
class Gap:
    anchor: str  # the id of the place in the report that shows it
    text: Words


@dataclass
class Record:
    state: State
    log: list[Event]
    title: Words
    date: str | None
    groups: list[dict]
    first_ts: int
    last_ts: int
    planned_agenda: list[dict] | None = None  # as it stood when the first slot started
    changes: list["Change"] = field(default_factory=list)  # §8 changes after that
    runs: list[Run] = field(default_factory=list)
    not_run: list[dict] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)

    def group_name(self, gid: str | None) -> Words:
        return next((g["name"] for g in self.groups if g["id"] == gid), gid or Say.of(N_("(no group)")))

    def keypoints(self, gid: str) -> list[dict]:
        kps = [k for k in self.state.keypoints.values() if k["group_id"] == gid and k["published"]]
        return sorted(kps, key=lambda k: (k["order"], k["ts"]))

    def drafts(self, gid: str) -> list[dict]:
        return [k for k in self.state.keypoints.values() if k["group_id"] == gid and not k["published"]]

    def responses(self, gid: str | None = None, stance: str | None = None,
                  withdrawn: bool | None = False) -> list[dict]:
        """The Board's responses; by default those that stand (not withdrawn)."""
        return sorted((r for r in self.state.responses.values()
                       if (gid is None or r["group_id"] == gid)
                       and (stance is None or r["stance"] == stance)
                       and (withdrawn is None or bool(r.get("withdrawn")) == withdrawn)),
                      key=lambda r: r["seq"])

    def corrections(self, response_id: str) -> list[dict]:
        return sorted((c for c in self.state.corrections.values()
                       if c["response_id"] == response_id), key=lambda c: c["seq"])

    def participants(self, gid: str) -> int:
        return sum(1 for p in self.state.participants.values() if p["group_id"] == gid)

    def notes(self, gid: str) -> list[dict]:
        return [n for n in self.state.notes.values() if n["group_id"] == gid]

    # §9: where each poll shows. A check-back sits beside the response it checks, an
    # evaluation question in the evaluation; the others in the hall's or their group's.
    def polls(self, gid: str | None = None) -> list[dict]:
        """The polls put to the whole hall (gid None) or to one group."""
        return self._polls(lambda p: p["purpose"] is None and p["group_id"] == gid)

    def checkbacks(self, response_id: str) -> list[dict]:
        return self._polls(lambda p: p["purpose"] == "checkback" and p["response_id"] == response_id)

    def evaluation(self) -> list[dict]:
        return self._polls(lambda p: p["purpose"] == "evaluation")

    def _polls(self, keep) -> list[dict]:
        return sorted((p for p in self.state.polls.values() if keep(p)), key=lambda p: p["seq"])

    def tally(self, poll: dict) -> "Tally | None":
        """A closed poll's final result; None while it is open."""
        return tally(poll) if poll["closed_at"] is not None else None


def group_anchor(gid: str) -> str:
    return f"group-{gid}"


def response_anchor(rid: str) -> str:
    return f"response-{rid}"


def poll_anchor(pid: str) -> str:
    return f"poll-{pid}"


SHAPE_TYPES = frozenset({"assembly.updated", "group.added", "group.updated", "slot.added",
                         "slot.updated", "slot.moved", "slot.removed"})


@dataclass
class Change:
    """One change to the day's shape after it began (CONTRACT §8)."""
    ts: int
    who: str  # the role (ROLE_WORD)
    what: Words


def describe_change(before: State, e: Event) -> Words:
    """What a §8 event changed, in words, against the state just before it."""
    d = e["data"]
    slot = before.slot(d.get("slot_id", "")) or {}
    title = slot.get("title") or d.get("title") or d.get("slot_id", "")
    after = before.slot(d["after"]) if d.get("after") else None
    t = e["type"]
    if t == "slot.added":
        if after:
            return Say.of(N_("added “%(title)s” (%(minutes)s min), after “%(after)s”"),
                          title=d["title"], minutes=d["minutes"], after=after["title"])
        return Say.of(N_("added “%(title)s” (%(minutes)s min), first"), title=d["title"], minutes=d["minutes"])
    if t == "slot.moved":
        if after:
            return Say.of(N_("moved “%(title)s” after “%(after)s”"), title=title, after=after["title"])
        return Say.of(N_("moved “%(title)s” first"), title=title)
    if t == "slot.removed":
        return Say.of(N_("removed “%(title)s” (planned %(minutes)s min)"),
                      title=title, minutes=slot.get("minutes", "?"))
    if t == "slot.updated":
        parts: list[Say] = []
        if "minutes" in d and d["minutes"] != slot.get("minutes"):
            verb = N_("lengthened it from %(old)s to %(new)s min") if d["minutes"] > slot.get("minutes", 0) \
                else N_("shortened it from %(old)s to %(new)s min")
            parts.append(Say.of(verb, old=slot.get("minutes"), new=d["minutes"]))
        if "title" in d and d["title"] != slot.get("title"):
            parts.append(Say.of(N_("renamed it “%(title)s”"), title=d["title"]))
        if "kind" in d and d["kind"] != slot.get("kind"):
            kind = KIND_WORD.get(d["kind"])
            parts.append(Say.of(N_("made it a %(kind)s slot"),
                                kind=Say.of(kind) if kind else d["kind"].replace("_", " ")))
        if "group_id" in d and d["group_id"] != slot.get("group_id"):
            g = before.group(d["group_id"]) if d["group_id"] else None
            parts.append(Say.of(N_("presenting: %(group)s"), group=g["name"]) if g
                         else Say.of(N_("no presenting group")))
        return Say.of(N_("changed “%(title)s”: %(changes)s"), title=title,
                      changes=Join(tuple(parts)) if parts else Say.of(N_("no visible change")))
    if t == "group.added":
        return Say.of(N_("added the group “%(name)s”"), name=d["name"])
    if t == "group.updated":
        g = before.group(d["group_id"]) or {"name": d["group_id"]}
        if "name" in d:
            return Say.of(N_("renamed the group “%(old)s” to “%(new)s”"), old=g["name"], new=d["name"])
        return Say.of(N_("changed the information pack of “%(name)s”"), name=g["name"])
    if t == "assembly.updated":
        said = {("title", True): N_("set the title to “%(value)s”"), ("title", False): N_("cleared the title"),
                ("date", True): N_("set the date to “%(value)s”"), ("date", False): N_("cleared the date")}
        return Join(tuple(Say.of(said[k, bool(d[k])], value=d[k]) for k in ("title", "date") if k in d))
    return t


def build(log: list[Event]) -> Record:
    s = State()
    planned: list[dict] | None = None
    changes: list[Change] = []
    for e in log:
        if planned is None and e["type"] == "agenda.started":
            planned = [dict(x) for x in s.definition["agenda"]]
        if planned is not None and e["type"] in SHAPE_TYPES:
            # Named by role, in the reader's language: staff names are English labels.
            changes.append(Change(e["ts"], e["actor"].get("role", ""), describe_change(s, e)))
        s.apply(e)
    d = s.definition or {"title": Say.of(N_("(no assembly loaded)")), "date": None, "groups": [], "agenda": []}
    rec = Record(state=s, log=log, title=d.get("title") or Say.of(N_("(untitled assembly)")),
                 date=d.get("date"), groups=list(d.get("groups") or []),
                 first_ts=log[0]["ts"] if log else 0, last_ts=log[-1]["ts"] if log else 0,
                 planned_agenda=planned, changes=changes)

    seen: dict[str, int] = {}
    for r in s.runs:
        seen[r["slot_id"]] = seen.get(r["slot_id"], 0) + 1
        running = r["ended_at"] is None
        end = max(r["started_at"], rec.last_ts if running else r["ended_at"])
        paused = r["paused_ms"] + (end - r["paused_at"] if r.get("paused_at") is not None else 0)
        slot = s.slot(r["slot_id"]) or {"title": r["slot_id"]}
        rec.runs.append(Run(slot_id=r["slot_id"], title=slot["title"], nth=seen[r["slot_id"]],
                            start=r["started_at"], end=end, running=running,
                            planned=r["planned_ms"], extended=r["extended_ms"], paused=paused))
    rec.not_run = [slot for slot in d.get("agenda") or [] if slot["id"] not in seen]
    rec.gaps = find_gaps(rec)
    return rec


def find_gaps(rec: Record) -> list[Gap]:
    """What the record lacks, in the order the report shows it: each group (key points,
    responses and their checks, polls), the hall's polls, the evaluation, the timing."""
    gaps: list[Gap] = []

    def add(anchor: str, msgid: str, **values: Any) -> None:
        gaps.append(Gap(anchor, Say.of(msgid, **values)))

    for g in rec.groups:
        gid, name = g["id"], g["name"]
        if not rec.keypoints(gid):
            add(group_anchor(gid), N_("%(group)s: no key points were published."), group=name)
        rs = rec.responses(gid)
        if not rs:
            add(group_anchor(gid), N_("%(group)s: no Board response was logged (every one logged was withdrawn).")
                if rec.responses(gid, withdrawn=True) else N_("%(group)s: no Board response was logged."),
                group=name)
        for r in rs:
            who = {"group": name, "member": r["member"], "stance": Say.of(STANCE_WORD[r["stance"]])}
            if r["stance"] == "decline" and not r.get("reason"):
                add(response_anchor(r["id"]), N_("%(group)s: the response from %(member)s (%(stance)s) "
                                                 "gives no reason."), **who)
            cs = rec.corrections(r["id"])
            if not cs:
                add(response_anchor(r["id"]), N_("%(group)s: the response from %(member)s (%(stance)s) was not "
                                                 "checked by any participant (no correction round)."), **who)
            for c in cs:
                if c["outcome"] is None:
                    add(response_anchor(r["id"]), N_("%(group)s: the response from %(member)s (%(stance)s): "
                                                     "a correction by %(author)s was never resolved."),
                        author=c["author"].get("name") or Say.of(N_("a participant")), **who)
        for r in rec.responses(gid, withdrawn=None):
            for p in rec.checkbacks(r["id"]):
                if p["closed_at"] is None:
                    add(poll_anchor(p["id"]), N_("%(group)s: the room's check of the response from %(member)s "
                                                 "was still open when the record ends; it has no final result."),
                        group=name, member=r["member"])
        for p in rec.polls(gid):
            if p["closed_at"] is None:
                add(poll_anchor(p["id"]), N_("%(group)s: the poll “%(question)s” was still open when the record "
                                             "ends; it has no final result."), group=name, question=p["question"])
    for p in rec.polls(None):
        if p["closed_at"] is None:
            add(poll_anchor(p["id"]), N_("The hall's poll “%(question)s” was still open when the record ends; "
                                         "it has no final result."), question=p["question"])
    for p in rec.evaluation():
        if p["closed_at"] is None:
            add(poll_anchor(p["id"]), N_("The evaluation question “%(question)s” was still open when the record "
                                         "ends; it has no final result."), question=p["question"])
    for run in rec.runs:
        if run.overran:
            add("timing", N_("%(slot)s overran by %(over)s (planned %(planned)s, took %(took)s)."),
                slot=run.name, over=Duration(run.over), planned=Duration(run.planned), took=Duration(run.actual))
        if run.running:
            add("timing", N_("%(slot)s was still running when the record ends; its end is not recorded."),
                slot=run.name)
    for slot in rec.not_run:
        add("timing", N_("%(slot)s: this agenda slot never ran."), slot=slot["title"])
    return gaps


# -- §9: a closed poll's result, as the record shows it ------------------------------------


@dataclass
class TallyRow:
    option: str | int     # the option's text; the rating 1..5 for a rating poll
    value: int            # ballots that chose it; points for a ranking
    share: float | None   # of the voters (choice, multi, rating); None for a ranking
    bar: float            # the bar's length, 0..1
    place: int = 0        # a ranking's place, 1 for the most points (ties share one)


@dataclass
class Tally:
    poll: dict
    voters: int
    rows: list[TallyRow]
    mean: float | None = None
    most_points: int = 0  # a ranking: an option's points had every voter put it first


def tally(poll: dict) -> Tally:
    """Rows with bars from a poll's results ({voters, counts} or {voters, scores},
    with mean for a rating). A ranking's rows go best first."""
    res, kind = poll["results"], poll["kind"]
    voters = res.get("voters") or 0
    if kind == "rank":
        scores = res.get("scores") or [0] * len(poll["options"])
        most = voters * (len(scores) - 1)
        rows = [TallyRow(o, v, None, v / most if most else 0.0) for o, v in zip(poll["options"], scores)]
        rows.sort(key=lambda r: -r.value)  # stable: ties keep the options' order
        for i, row in enumerate(rows):
            row.place = rows[i - 1].place if i and rows[i - 1].value == row.value else i + 1
        return Tally(poll, voters, rows, most_points=most)
    counts = res.get("counts") or []
    options: list[str | int] = list(range(1, len(counts) + 1)) if kind == "rating" else list(poll["options"])
    rows = [TallyRow(o, c, c / voters if voters else None, c / voters if voters else 0.0)
            for o, c in zip(options, counts)]
    return Tally(poll, voters, rows, mean=res.get("mean") if kind == "rating" else None)


# -- charts' geometry: inline SVG scaled by viewBox; the templates draw it ------------------

CHART_W = 360
SERIES_COLOURS = ("#1f5f99", "#b3261e", "#1b7340", "#6b3fa0", "#8a5300", "#00707a", "#a0307a", "#444444")
SERIES_DASHES = ("", "6 3", "2 2", "8 3 2 3")
SERIES_MARKS = ("circle", "square", "triangle", "diamond", "cross", "down", "plus", "bar")


def nice_step(span: float, ticks: int, steps: Iterable[float]) -> float:
    for step in steps:
        if span / step <= ticks:
            return step
    return span / ticks


def marker(kind: str, x: float, y: float, colour: str, r: float = 3.6) -> Markup:
    """A series' point: a shape as well as a colour, so no one needs the colour."""
    f = f"fill='{colour}'"
    if kind == "circle":
        return Markup(f"<circle cx='{x:.1f}' cy='{y:.1f}' r='{r:.1f}' {f}/>")
    if kind == "square":
        return Markup(f"<rect x='{x - r:.1f}' y='{y - r:.1f}' width='{2 * r:.1f}' height='{2 * r:.1f}' {f}/>")
    pts = {
        "triangle": [(0, -r * 1.2), (r * 1.1, r * .8), (-r * 1.1, r * .8)],
        "down": [(0, r * 1.2), (r * 1.1, -r * .8), (-r * 1.1, -r * .8)],
        "diamond": [(0, -r * 1.3), (r * 1.1, 0), (0, r * 1.3), (-r * 1.1, 0)],
    }.get(kind)
    if pts:
        return Markup(f"<polygon points='{' '.join(f'{x + a:.1f},{y + b:.1f}' for a, b in pts)}' {f}/>")
    if kind == "cross":
        return Markup(f"<path d='M{x - r:.1f} {y - r:.1f}L{x + r:.1f} {y + r:.1f}M{x - r:.1f} {y + r:.1f}"
                      f"L{x + r:.1f} {y - r:.1f}' stroke='{colour}' stroke-width='2.2'/>")
    if kind == "plus":
        return Markup(f"<path d='M{x - r:.1f} {y:.1f}H{x + r:.1f}M{x:.1f} {y - r:.1f}V{y + r:.1f}' "
                      f"stroke='{colour}' stroke-width='2.2'/>")
    return Markup(f"<rect x='{x - r / 2:.1f}' y='{y - r * 1.2:.1f}' width='{r:.1f}' height='{r * 2.4:.1f}' {f}/>")


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


@dataclass
class TimingBar:
    """One slot's run: planned (and time the lead added) above, actual below."""
    run: Run
    y: int
    planned_w: float
    added: tuple[float, float] | None   # x, width
    actual_w: float
    over: tuple[float, float] | None    # x, width: the part past the plan
    end_x: float                        # where the difference is written


@dataclass
class TimingChart:
    width: int
    height: int
    left: int
    top: int
    base: int
    ticks: list[tuple[float, float]]    # x, minutes
    middle: float
    bars: list[TimingBar]


def timing_chart(runs: list[Run]) -> TimingChart:
    W, left, right, top, row = CHART_W, 6, 66, 40, 44
    longest = max(max(r.actual, r.planned + r.extended) for r in runs)
    span_min = max(longest / MINUTE, 1)
    step = nice_step(span_min, 6, (1, 2, 5, 10, 15, 20, 30, 60, 120, 240, 480))
    axis_max = math.ceil(span_min / step) * step
    plot_w = W - left - right
    x = lambda ms: left + plot_w * (ms / MINUTE) / axis_max  # noqa: E731
    ticks, t = [], 0.0
    while t <= axis_max + 1e-9:
        ticks.append((left + plot_w * t / axis_max, t))
        t += step
    bars = []
    for i, r in enumerate(runs):
        bars.append(TimingBar(
            run=r, y=top + row * i, planned_w=x(r.planned) - left,
            added=(x(r.planned), x(r.planned + r.extended) - x(r.planned)) if r.extended else None,
            actual_w=max(x(min(r.actual, r.planned)) - left, 0.5),
            over=(x(r.planned), x(r.actual) - x(r.planned)) if r.actual > r.planned else None,
            end_x=max(x(r.actual), x(r.planned + r.extended)) + 4))
    base = top + row * len(runs)
    return TimingChart(width=W, height=base + 34, left=left, top=top, base=base, ticks=ticks,
                       middle=left + plot_w / 2, bars=bars)


@dataclass
class Series:
    """One group's notes per interval: a line (or stems), a colour, a dash and a mark."""
    group: dict
    colour: str
    dash: str
    mark: str
    counts: list[int]
    points: list[tuple[float, float]]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class ParticipationChart:
    width: int
    height: int
    left: int
    right: int
    top: int
    plot_w: int
    plot_h: int
    start: int                           # the first interval's start (ts)
    bin_ms: int
    nbins: int
    stems: bool                          # few intervals: stems from the axis, like bars
    y_ticks: list[tuple[float, float]]   # y, notes
    x_ticks: list[tuple[float, int]]     # x, ts
    series: list[Series]

    @property
    def end(self) -> int:
        return self.start + self.nbins * self.bin_ms

    @property
    def bin_minutes(self) -> int:
        return self.bin_ms // MINUTE

    def intervals(self) -> Iterator[tuple[int, int, list[int]]]:
        """Each interval's start, end, and notes per group: the table under the chart."""
        for b in range(self.nbins):
            t0 = self.start + b * self.bin_ms
            yield t0, t0 + self.bin_ms, [s.counts[b] for s in self.series]


def participation_chart(rec: Record) -> ParticipationChart | None:
    """Notes per interval on the clock, per group; None when no one wrote a note."""
    notes = sorted(rec.state.notes.values(), key=lambda n: n["seq"])
    if not notes:
        return None
    first = min([notes[0]["ts"]] + [r.start for r in rec.runs])
    last = max(notes[-1]["ts"], rec.last_ts)
    # Ten-minute bins on the clock; a long record gets wider bins so the chart stays legible.
    bin_ms = 10 * MINUTE
    for wider in (10, 20, 30, 60, 120, 240, 720, 1440):
        bin_ms = wider * MINUTE
        if (last // bin_ms - first // bin_ms) + 1 <= 72:
            break
    start = first // bin_ms * bin_ms
    nbins = (last - start) // bin_ms + 1
    groups = rec.groups
    counts = {g["id"]: [0] * nbins for g in groups}
    for n in notes:
        if n["group_id"] in counts:
            counts[n["group_id"]][(n["ts"] - start) // bin_ms] += 1

    W, H, left, right, top, bottom = CHART_W, 230, 40, 22, 12, 46
    plot_w, plot_h = W - left - right, H - top - bottom
    peak = max([max(c) for c in counts.values()] + [1])
    step = nice_step(peak, 5, (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000))
    y_max = math.ceil(peak / step) * step
    # A point per group and interval; the groups sit side by side within an interval so
    # equal counts never hide each other.
    slot_w = plot_w / nbins
    dodge = min(slot_w * 0.7 / max(len(groups), 1), 14)
    xb = lambda b, i: left + slot_w * (b + 0.5) + dodge * (i - (len(groups) - 1) / 2)  # noqa: E731
    yv = lambda v: top + plot_h * (1 - v / y_max)  # noqa: E731
    y_ticks, v = [], 0
    while v <= y_max:
        y_ticks.append((yv(v), v))
        v += step
    every = next((k for k in (1, 2, 3, 6, 12, 18, 24, 36, 72) if nbins / k <= 6), math.ceil(nbins / 6))
    x_ticks = [(left + slot_w * b, start + b * bin_ms) for b in range(0, nbins + 1, every)]
    series = []
    for i, g in enumerate(groups):
        c = counts[g["id"]]
        series.append(Series(group=g, colour=SERIES_COLOURS[i % len(SERIES_COLOURS)],
                             dash=SERIES_DASHES[i % len(SERIES_DASHES)] if nbins > 8 else "",
                             mark=SERIES_MARKS[i % len(SERIES_MARKS)], counts=c,
                             points=[(xb(b, i), yv(n)) for b, n in enumerate(c)]))
    return ParticipationChart(width=W, height=H, left=left, right=right, top=top, plot_w=plot_w,
                              plot_h=plot_h, start=start, bin_ms=bin_ms, nbins=nbins,
                              stems=nbins <= 8, y_ticks=y_ticks, x_ticks=x_ticks, series=series)


# -- the HTML record: a Voice for the reader's language, Jinja2 templates that render -----

# Babel's locale for a record language's dates and numbers, where it is not the language
# itself: the record's English is British (17 September 2014, not September 17).
FORMAT_LOCALE = {"en": "en_GB"}


class Voice:
    """How the record speaks: its language's translations, and Babel's locale for
    numbers, dates and times, which are shown in `zone`. The templates reach it through
    `say` and the filters; the model never does."""

    def __init__(self, lang: str = "en", translations: NullTranslations | None = None,
                 zone: str = "UTC") -> None:
        self.lang = lang
        self.locale = babel.Locale.parse(FORMAT_LOCALE.get(lang, lang).replace("-", "_"))
        # The catalog the pages use too (locale/<lang>/LC_MESSAGES/townhall.po).
        self.translations = translations if translations is not None else i18n.translations(lang)
        self.zone = ZoneInfo(zone)
        self.zone_name = zone
        self.rtl = self.locale.character_order == "right-to-left"

    # sentences the model made
    def say(self, value: Words) -> str:
        """Words from the model as plain text in the reader's language (the template
        escapes it)."""
        if isinstance(value, Say):
            return self.translations.gettext(value.msgid) % {k: self.say(v) for k, v in value.values.items()}
        if isinstance(value, Duration):
            return self.minutes(value.ms)
        if isinstance(value, Join):  # the separator of a sentence's parts, "; " in English
            return self.translations.gettext(N_("; ")).join(self.say(p) for p in value.parts)
        return str(value)

    # numbers, times and lengths
    def moment(self, ts: int) -> dt.datetime:
        return dt.datetime.fromtimestamp(ts / 1000, self.zone)

    def hm(self, ts: int) -> str:
        """A time of day on the 24-hour clock, as the locale writes it: 09:05."""
        return babel.dates.format_skeleton("Hm", self.moment(ts), locale=self.locale)

    def day(self, ts: int) -> str:
        return babel.dates.format_date(self.moment(ts).date(), "long", locale=self.locale)

    def minutes(self, ms: int) -> str:
        """A length as people say it: '45 s', '7 min', '1 h 05 min'."""
        ms, say = abs(ms), self.translations.gettext
        if ms < MINUTE:
            return say(N_("%(seconds)s\u00a0s")) % {"seconds": round(ms / 1000)}
        hours, mins = divmod(round(ms / MINUTE), 60)
        if hours:
            return say(N_("%(hours)s\u00a0h %(minutes)s\u00a0min")) % {"hours": hours, "minutes": f"{mins:02d}"}
        return say(N_("%(minutes)s\u00a0min")) % {"minutes": mins}

    def signed(self, ms: int) -> str:
        return ("+" if ms >= 0 else "\u2212") + self.minutes(ms)

    def decimal(self, value: float) -> str:
        """A mean: one or two decimals (3.0, 3.25)."""
        return babel.numbers.format_decimal(value, "#,##0.0#", locale=self.locale)

    def percent(self, value: float) -> str:
        return babel.numbers.format_percent(value, locale=self.locale)


def environment(voice: Voice) -> Environment:
    """The record's templates, autoescaped, strict about missing values, and speaking
    `voice`'s language through Jinja2's i18n extension (`{% trans %}`, `_()`)."""
    env = Environment(loader=PackageLoader("townhall", "templates"),
                      autoescape=select_autoescape(("html", "svg")), undefined=StrictUndefined,
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True)
    env.policies["ext.i18n.trimmed"] = True  # translators see one line per sentence
    env.install_gettext_translations(voice.translations, newstyle=True)
    env.globals.update(
        voice=voice, say=voice.say, marker=marker,
        STANCES=STANCES, STANCE_LABEL=STANCE_LABEL, STANCE_WORD=STANCE_WORD, STANCE_MARK=STANCE_MARK,
        ROLE_WORD=ROLE_WORD, OUTCOME_LABEL=OUTCOME_LABEL, SEP=SEPARATOR, OVERRUN_GRACE_MS=OVERRUN_GRACE_MS,
        group_anchor=group_anchor, response_anchor=response_anchor, poll_anchor=poll_anchor)
    env.filters.update(hm=voice.hm, day=voice.day, minutes=voice.minutes, signed=voice.signed,
                       decimal=voice.decimal, percent=voice.percent, clip=truncate,
                       px=lambda v: f"{v:.1f}")
    return env


@functools.lru_cache(maxsize=16)
def _environment(lang: str, zone: str) -> Environment:
    return environment(Voice(lang, zone=zone))


def in_language(rec: Record, lang: str) -> None:
    """The assembly's own texts (title, group names) as the organiser translated them
    into `lang`, where it did (CONTRACT §10)."""
    texts = ((rec.state.definition or {}).get("translations") or {}).get(lang) or {}
    rec.title = texts.get("title") or rec.title
    named = texts.get("groups") or {}
    rec.groups = [{**g, "name": named.get(g["id"], {}).get("name") or g["name"]} for g in rec.groups]


def html_report(log: list[Event], lang: str = "en", translations: NullTranslations | None = None,
                names: bool = False) -> str:
    """One self-contained page: no scripts, no external requests; prints to A4, reads on a
    phone. The day's commitments, considerations and refusals come first.

    `lang` picks the catalog (townhall/locale/<lang>) and Babel's locale for numbers and
    dates, shown in the venue's time zone (the assembly's `timezone`, else UTC);
    `translations` (any gettext-style object) overrides the catalog. The record is
    published: it names no participant ("Participant 3") unless `names` (CONTRACT §11)."""
    zone = (fold(log).definition or {}).get("timezone") or "UTC"
    env = _environment(lang, zone) if translations is None else \
        environment(Voice(lang, translations, zone=zone))
    if not names:
        log = pseudonymise(log, env.globals["voice"].translations.gettext(N_("Participant {n}")))
    rec = build(list(log))
    in_language(rec, lang)
    return env.get_template("record.html").render(
        rec=rec, timing=timing_chart(rec.runs) if rec.runs else None,
        participation=participation_chart(rec))

"""The record of the day, from the log alone: JSON lines, CSV, and an HTML report.

Every export is a pure function of the event log, so the organiser's download over
HTTP and `townhall export` give the same bytes for the same log. Nothing here reads a
clock: "now" in the report is the time of the last event.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

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

CSV_COLUMNS = ("seq", "time", "type", "group_id", "actor_role", "actor_id", "actor_name",
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


def csv_text(log: Iterable[Event]) -> str:
    """One row per event, flat columns a spreadsheet opens."""
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
        w.writerow([e["seq"], iso(e["ts"]), e["type"], group or "",
                    actor.get("role", ""), actor.get("id", ""), _cell(actor.get("name")),
                    _cell(text), d.get("stance") or "", _cell(d.get("reason")),
                    d.get("outcome") or "", _cell(d.get("member")), d.get("slot_id") or "",
                    " ".join(f"{k}={v}" for k, v in ids.items()), _csv_detail(e)])
    return buf.getvalue()


def fold(log: Iterable[Event]) -> State:
    state = State()
    for e in log:
        state.apply(e)
    return state


# -- the report's model: what the day produced, and what is missing from the record ------

STANCES = ("commit", "consider", "decline")
STANCE_LABEL = {"commit": "Commitment", "consider": "Under consideration", "decline": "Declined"}
STANCE_MARK = {"commit": "\u2713", "consider": "?", "decline": "\u2717"}  # ✓ ? ✗
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


@dataclass
class Gap:
    anchor: str  # the id of the place in the report that shows it
    text: str


@dataclass
class Record:
    state: State
    log: list[Event]
    title: str
    date: str | None
    groups: list[dict]
    first_ts: int
    last_ts: int
    planned_agenda: list[dict] | None = None  # as it stood when the first slot started
    changes: list["Change"] = field(default_factory=list)  # §8 changes after that
    runs: list[Run] = field(default_factory=list)
    not_run: list[dict] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)

    def group_name(self, gid: str | None) -> str:
        return next((g["name"] for g in self.groups if g["id"] == gid), gid or "(no group)")

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


def group_anchor(gid: str) -> str:
    return html.escape(f"group-{gid}")


def response_anchor(rid: str) -> str:
    return html.escape(f"response-{rid}")


SHAPE_TYPES = frozenset({"assembly.updated", "group.added", "group.updated", "slot.added",
                         "slot.updated", "slot.moved", "slot.removed"})


@dataclass
class Change:
    """One change to the day's shape after it began (CONTRACT §8)."""
    ts: int
    who: str
    what: str


def describe_change(before: State, e: Event) -> str:
    """What a §8 event changed, in words, against the state just before it."""
    d = e["data"]
    slot = before.slot(d.get("slot_id", "")) or {}
    title = slot.get("title") or d.get("title") or d.get("slot_id", "")
    after = before.slot(d["after"]) if d.get("after") else None
    where = f"after “{after['title']}”" if after else "first"
    t = e["type"]
    if t == "slot.added":
        return f"added “{d['title']}” ({d['minutes']} min), {where}"
    if t == "slot.moved":
        return f"moved “{title}” {where}"
    if t == "slot.removed":
        return f"removed “{title}” (planned {slot.get('minutes', '?')} min)"
    if t == "slot.updated":
        parts = []
        if "minutes" in d and d["minutes"] != slot.get("minutes"):
            verb = "lengthened" if d["minutes"] > slot.get("minutes", 0) else "shortened"
            parts.append(f"{verb} it from {slot.get('minutes')} to {d['minutes']} min")
        if "title" in d and d["title"] != slot.get("title"):
            parts.append(f"renamed it “{d['title']}”")
        if "kind" in d and d["kind"] != slot.get("kind"):
            parts.append(f"made it a {d['kind'].replace('_', ' ')} slot")
        if "group_id" in d and d["group_id"] != slot.get("group_id"):
            g = before.group(d["group_id"]) if d["group_id"] else None
            parts.append(f"presenting: {g['name']}" if g else "no presenting group")
        return f"changed “{title}”: " + ("; ".join(parts) or "no visible change")
    if t == "group.added":
        return f"added the group “{d['name']}”"
    if t == "group.updated":
        g = before.group(d["group_id"]) or {"name": d["group_id"]}
        if "name" in d:
            return f"renamed the group “{g['name']}” to “{d['name']}”"
        return f"changed the information pack of “{g['name']}”"
    if t == "assembly.updated":
        return "; ".join(f"set the {k} to “{d[k]}”" if d[k] else f"cleared the {k}"
                         for k in ("title", "date") if k in d)
    return t


def build(log: list[Event]) -> Record:
    s = State()
    planned: list[dict] | None = None
    changes: list[Change] = []
    for e in log:
        if planned is None and e["type"] == "agenda.started":
            planned = [dict(x) for x in s.definition["agenda"]]
        if planned is not None and e["type"] in SHAPE_TYPES:
            changes.append(Change(e["ts"], e["actor"].get("name") or e["actor"].get("role", ""),
                                  describe_change(s, e)))
        s.apply(e)
    d = s.definition or {"title": "(no assembly loaded)", "date": None, "groups": [], "agenda": []}
    rec = Record(state=s, log=log, title=d.get("title") or "(untitled assembly)",
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

    # Gaps in the record, in the order the report shows the groups, then the timing.
    for g in rec.groups:
        gid, name = g["id"], g["name"]
        if not rec.keypoints(gid):
            rec.gaps.append(Gap(group_anchor(gid), f"{name}: no key points were published."))
        rs = rec.responses(gid)
        if not rs:
            taken_back = " (every one logged was withdrawn)" if rec.responses(gid, withdrawn=True) else ""
            rec.gaps.append(Gap(group_anchor(gid), f"{name}: no Board response was logged{taken_back}."))
        for r in rs:
            who = f"{name}: the response from {r['member']} ({STANCE_LABEL[r['stance']].lower()})"
            if r["stance"] == "decline" and not r.get("reason"):
                rec.gaps.append(Gap(response_anchor(r["id"]), f"{who} gives no reason."))
            cs = rec.corrections(r["id"])
            if not cs:
                rec.gaps.append(Gap(response_anchor(r["id"]),
                                    f"{who} was not checked by any participant (no correction round)."))
            for c in cs:
                if c["outcome"] is None:
                    rec.gaps.append(Gap(response_anchor(r["id"]),
                                        f"{who}: a correction by {c['author'].get('name', 'a participant')} "
                                        f"was never resolved."))
    for run in rec.runs:
        if run.overran:
            rec.gaps.append(Gap("timing", f"{run_title(run)} overran by {minutes(run.over)}"
                                          f" (planned {minutes(run.planned)}, took {minutes(run.actual)})."))
        if run.running:
            rec.gaps.append(Gap("timing", f"{run_title(run)} was still running when the record "
                                          f"ends; its end is not recorded."))
    for slot in rec.not_run:
        rec.gaps.append(Gap("timing", f"{slot['title']}: this agenda slot never ran."))
    return rec


# -- formatting --------------------------------------------------------------------------

esc = html.escape


def hm(ts: int) -> str:
    return dt.datetime.fromtimestamp(ts / 1000, dt.timezone.utc).strftime("%H:%M")


def day(ts: int) -> str:
    d = dt.datetime.fromtimestamp(ts / 1000, dt.timezone.utc)
    return f"{d.day} {d:%B %Y}"


def minutes(ms: int) -> str:
    """A length as people say it: '45 s', '7 min', '1 h 05 min'."""
    ms = abs(ms)
    if ms < MINUTE:
        return f"{round(ms / 1000)}\u00a0s"
    total = round(ms / MINUTE)
    h, m = divmod(total, 60)
    return f"{h}\u00a0h {m:02d}\u00a0min" if h else f"{m}\u00a0min"


def signed(ms: int) -> str:
    return ("+" if ms >= 0 else "\u2212") + minutes(ms)


def run_title(run: Run) -> str:
    return run.title + (f" (run {run.nth})" if run.nth > 1 else "")


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def gap(text: str) -> str:
    return f"<p class=gap><strong>Not recorded:</strong> {esc(text)}</p>"


def stance_badge(stance: str) -> str:
    return (f"<span class='stance {stance}'><span aria-hidden=true>{STANCE_MARK[stance]} </span>"
            f"{STANCE_LABEL[stance]}</span>")


# -- the HTML report ---------------------------------------------------------------------


def html_report(log: list[Event]) -> str:
    """One self-contained page: no scripts, no external requests; prints to A4, reads on a
    phone. The day's commitments, considerations and refusals come first."""
    rec = build(list(log))
    s = rec.state
    published = sum(1 for k in s.keypoints.values() if k["published"])
    withdrawn = rec.responses(withdrawn=True)
    span = ""
    if rec.log:
        span = f"{day(rec.first_ts)}, {hm(rec.first_ts)}\u2013{hm(rec.last_ts)} UTC"
    out = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        "<meta name=viewport content='width=device-width,initial-scale=1'>",
        f"<title>{esc(rec.title)}: the record of the day</title>",
        f"<style>{REPORT_CSS}</style></head><body><header>",
        "<p class=kicker>The record of the day</p>",
        f"<h1>{esc(rec.title)}</h1>",
        "<dl class=facts>",
        f"<dt>Date</dt><dd>{esc(rec.date) if rec.date else 'not given in the assembly file'}</dd>",
        f"<dt>Recorded</dt><dd>{span or 'nothing'}</dd>",
        f"<dt>Groups</dt><dd>{len(rec.groups)}</dd>",
        f"<dt>Participants</dt><dd>{len(s.participants)}</dd>",
        f"<dt>Notes</dt><dd>{len(s.notes)}</dd>",
        f"<dt>Key points</dt><dd>{published} published</dd>",
        f"<dt>Board responses</dt><dd>{len(rec.responses())}: "
        + ", ".join(f"{len(rec.responses(stance=st))} {STANCE_LABEL[st].lower()}" for st in STANCES)
        + (f"; {len(withdrawn)} more withdrawn" if withdrawn else "")
        + "</dd></dl>",
        "<nav aria-label=Contents><ul>"
        "<li><a href='#commitments'>Commitments</a><li><a href='#consider'>Under consideration</a>"
        "<li><a href='#declined'>Declined</a><li><a href='#gaps'>Gaps in the record</a>"
        "<li><a href='#groups'>Groups</a><li><a href='#timing'>Timing</a>"
        "<li><a href='#participation'>Participation</a></ul></nav>",
        "</header><main>",
    ]
    out += stance_sections(rec)
    out += withdrawn_section(withdrawn, rec)
    out += gaps_section(rec)
    out += groups_overview(rec)
    for g in rec.groups:
        out += group_section(rec, g)
    out += timing_section(rec)
    out += participation_section(rec)
    out.append(f"</main><footer><p>Made from the event log alone: {plural(len(rec.log), 'event')}"
               + (f", seq {rec.log[0]['seq']}\u2013{rec.log[-1]['seq']}" if rec.log else "")
               + ". Times are UTC. The full log is in the JSON lines and CSV exports.</p>"
               "</footer></body></html>\n")
    return "".join(out)


def stance_sections(rec: Record) -> list[str]:
    out = []
    for stance, sid, heading, empty in (
            ("commit", "commitments", "Commitments", "The Board made no commitments."),
            ("consider", "consider", "Under consideration", "Nothing was taken under consideration."),
            ("decline", "declined", "Declined, with the reason for each", "The Board declined nothing.")):
        rs = rec.responses(stance=stance)
        out.append(f"<section id={sid} class=stance-list><h2>{heading} "
                   f"<span class=count>({len(rs)})</span></h2>")
        if not rs:
            out.append(f"<p class=none>{empty}</p>")
        else:
            out.append(f"<ol class='items {stance}'>")
            for r in rs:
                out.append(f"<li class=item><p class=said>{esc(r['text'])}</p>")
                if stance == "decline":
                    out.append(f"<p class=reason><strong>Reason:</strong> {esc(r['reason'])}</p>"
                               if r.get("reason") else gap("no reason was given for declining."))
                out.append(f"<p class=who>{stance_badge(stance)} {esc(r['member'])}, to "
                           f"<a href='#{group_anchor(r['group_id'])}'>{esc(rec.group_name(r['group_id']))}</a>"
                           f", {hm(r['ts'])}. {correction_summary(rec, r)}</p></li>")
            out.append("</ol>")
        out.append("</section>")
    return out


def withdrawn_section(rs: list[dict], rec: Record) -> list[str]:
    """Responses the Board took back: the hall saw them, so the record keeps them."""
    if not rs:
        return []
    out = [f"<section id=withdrawn class=stance-list><h2>Withdrawn by the Board "
           f"<span class=count>({len(rs)})</span></h2><ol class='items withdrawn'>"]
    for r in rs:
        w = r["withdrawn"]
        out.append(f"<li class=item><p class=said><s>{esc(r['text'])}</s></p>"
                   f"<p class=reason><strong>Withdrawn at {hm(w['ts'])}, because:</strong> "
                   f"{esc(w['reason'])}</p>"
                   f"<p class=who>Was: {esc(STANCE_LABEL[r['stance']].lower())}, "
                   f"{esc(r['member'])}, to <a href='#{group_anchor(r['group_id'])}'>"
                   f"{esc(rec.group_name(r['group_id']))}</a>, {hm(r['ts'])}.</p></li>")
    out.append("</ol></section>")
    return out


def correction_summary(rec: Record, r: dict) -> str:
    cs = rec.corrections(r["id"])
    if not cs:
        return "Not checked by the room."
    counts = {o: sum(1 for c in cs if c["outcome"] == o) for o in ("accepted", "noted", None)}
    parts = [f"{counts['accepted']} accepted"] if counts["accepted"] else []
    parts += [f"{counts['noted']} noted"] if counts["noted"] else []
    parts += [f"{counts[None]} never resolved"] if counts[None] else []
    return (f"Checked by the room: {plural(len(cs), 'correction')} "
            f"(<a href='#{response_anchor(r['id'])}'>{', '.join(parts)}</a>).")


def gaps_section(rec: Record) -> list[str]:
    out = ["<section id=gaps><h2>Where the record is incomplete</h2>"]
    if not rec.gaps:
        out.append("<p class=none>Nothing is missing: every group published key points and "
                   "had a Board response, every response was checked and every correction "
                   "resolved, and every slot kept to time.</p>")
    else:
        out.append("<p>Said here so that a missing part is not mistaken for a silent one.</p><ul class=gaps>")
        out += [f"<li><a href='#{gp.anchor}'>{esc(gp.text)}</a></li>" for gp in rec.gaps]
        out.append("</ul>")
    out.append("</section>")
    return out


def groups_overview(rec: Record) -> list[str]:
    out = ["<section id=groups><h2>Groups</h2>"]
    if not rec.groups:
        out.append("<p class=none>The assembly has no groups.</p></section>")
        return out
    out.append("<div class=table-wrap><table><caption>Each group on the day</caption><thead><tr>"
               "<th scope=col>Group</th><th scope=col class=num>People</th>"
               "<th scope=col class=num>Notes</th><th scope=col class=num>Key points</th>"
               "<th scope=col class=num>Board replies</th></tr></thead><tbody>")
    for g in rec.groups:
        gid = g["id"]
        out.append(f"<tr><th scope=row><a href='#{group_anchor(gid)}'>{esc(g['name'])}</a></th>"
                   f"<td class=num>{rec.participants(gid)}</td><td class=num>{len(rec.notes(gid))}</td>"
                   f"<td class=num>{len(rec.keypoints(gid))}</td>"
                   f"<td class=num>{len(rec.responses(gid))}</td></tr>")
    out.append("</tbody></table></div></section>")
    return out


def group_section(rec: Record, g: dict) -> list[str]:
    s, gid = rec.state, g["id"]
    notes = rec.notes(gid)
    supports = sum(len(n["supporters"]) for n in notes)
    out = [f"<section class=group id='{group_anchor(gid)}'><h2>{esc(g['name'])}</h2>",
           f"<p class=meta>{plural(rec.participants(gid), 'participant')} \u00b7 "
           f"{plural(len(notes), 'note')} \u00b7 {plural(supports, 'support')}</p>",
           "<h3>Key points</h3>"]
    kps = rec.keypoints(gid)
    if not kps:
        out.append(gap("no key points were published for this group."))
    else:
        out.append("<ol class=keypoints>")
        for k in kps:
            out.append(f"<li><p class=kp>{esc(k['text'])}</p>")
            cited = k["note_ids"]
            if not cited:
                out.append("<p class=from>Not linked to any participant's note.</p>")
            else:
                out.append(f"<p class=from>From {plural(len(cited), 'note')}:</p><ul class=notes>")
                for nid in cited:
                    n = s.notes.get(nid)
                    if n is None:
                        out.append("<li class=missing>A note that is not in the record.</li>")
                    elif n["hidden"]:
                        out.append("<li class=missing>A note the facilitator hid (not shown).</li>")
                    else:
                        out.append(f"<li>{esc(n['text'])} <span class=support>"
                                   f"{plural(len(n['supporters']), 'supporter')}</span></li>")
                out.append("</ul>")
            out.append("</li>")
        out.append("</ol>")
    drafts = rec.drafts(gid)
    if drafts:
        out.append(f"<p class=from>{len(drafts)} draft key "
                   + ("point was never published and is" if len(drafts) == 1
                      else "points were never published and are") + " not shown.</p>")

    rs = rec.responses(gid, withdrawn=None)
    out.append("<h3>Board response" + ("s" if len(rs) > 1 else "") + "</h3>")
    if not rs:
        out.append(gap("no Board response was logged for this group."))
    for r in rs:
        st = r["stance"]
        w = r.get("withdrawn")
        said = f"<s>{esc(r['text'])}</s>" if w else esc(r["text"])
        out.append(f"<article class='response {st}' id='{response_anchor(r['id'])}'>"
                   f"<h4>{stance_badge(st)} <span class=member>{esc(r['member'])}</span>"
                   + (" <span class=withdrawn-tag>Withdrawn</span>" if w else "") + "</h4>"
                   f"<p class=said>{said}</p>")
        if w:
            out.append(f"<p class=reason><strong>Withdrawn at {hm(w['ts'])}, because:</strong> "
                       f"{esc(w['reason'])}</p>")
        if st == "decline":
            out.append(f"<p class=reason><strong>Reason:</strong> {esc(r['reason'])}</p>"
                       if r.get("reason") else gap("no reason was given for declining."))
        out.append(f"<p class=when>Logged at {hm(r['ts'])}"
                   + (f" by the {esc(r['actor'].get('role', ''))}" if r["actor"].get("role") != "board" else "")
                   + ".</p>")
        cs = rec.corrections(r["id"])
        if not cs:
            if not w:
                out.append(gap("no participant checked this response (no correction round)."))
        else:
            out.append("<p class=label>Checked by the room:</p><ul class=corrections>")
            for c in cs:
                author = c["author"]
                by = esc(author.get("name") or "a participant")
                if author.get("role") not in (None, "participant"):
                    by += f" ({esc(author['role'])})"
                if c["outcome"] is None:
                    result = "<strong class=unresolved>Never resolved.</strong>"
                else:
                    res_by = c.get("resolved_by") or {}
                    result = (f"<strong class=resolved>{esc(c['outcome'].capitalize())}</strong>"
                              f" by {esc(res_by.get('name') or res_by.get('role') or 'the Board')}"
                              f" at {hm(c['resolved_at'])}.")
                out.append(f"<li><q>{esc(c['text'])}</q> \u2014 {by}, {hm(c['ts'])}. {result}</li>")
            out.append("</ul>")
        out.append("</article>")
    out.append("</section>")
    return out


# -- charts: inline SVG, scaled by viewBox, each with a title, a description and a table --

CHART_W = 360
SERIES_COLOURS = ("#1f5f99", "#b3261e", "#1b7340", "#6b3fa0", "#8a5300", "#00707a", "#a0307a", "#444444")
SERIES_DASHES = ("", "6 3", "2 2", "8 3 2 3")
SERIES_MARKS = ("circle", "square", "triangle", "diamond", "cross", "down", "plus", "bar")


def nice_step(span: float, ticks: int, steps: Iterable[float]) -> float:
    for step in steps:
        if span / step <= ticks:
            return step
    return span / ticks


def marker(kind: str, x: float, y: float, colour: str, r: float = 3.6) -> str:
    f = f"fill='{colour}'"
    if kind == "circle":
        return f"<circle cx='{x:.1f}' cy='{y:.1f}' r='{r:.1f}' {f}/>"
    if kind == "square":
        return f"<rect x='{x - r:.1f}' y='{y - r:.1f}' width='{2 * r:.1f}' height='{2 * r:.1f}' {f}/>"
    pts = {
        "triangle": [(0, -r * 1.2), (r * 1.1, r * .8), (-r * 1.1, r * .8)],
        "down": [(0, r * 1.2), (r * 1.1, -r * .8), (-r * 1.1, -r * .8)],
        "diamond": [(0, -r * 1.3), (r * 1.1, 0), (0, r * 1.3), (-r * 1.1, 0)],
    }.get(kind)
    if pts:
        return f"<polygon points='{' '.join(f'{x + a:.1f},{y + b:.1f}' for a, b in pts)}' {f}/>"
    if kind == "cross":
        return (f"<path d='M{x - r:.1f} {y - r:.1f}L{x + r:.1f} {y + r:.1f}M{x - r:.1f} {y + r:.1f}"
                f"L{x + r:.1f} {y - r:.1f}' stroke='{colour}' stroke-width='2.2'/>")
    if kind == "plus":
        return (f"<path d='M{x - r:.1f} {y:.1f}H{x + r:.1f}M{x:.1f} {y - r:.1f}V{y + r:.1f}' "
                f"stroke='{colour}' stroke-width='2.2'/>")
    return f"<rect x='{x - r / 2:.1f}' y='{y - r * 1.2:.1f}' width='{r:.1f}' height='{r * 2.4:.1f}' {f}/>"


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def timing_section(rec: Record) -> list[str]:
    out = ["<section id=timing><div class=keep><h2>The timing of the day</h2>"]
    runs = rec.runs
    if not runs:
        out.append(gap("no agenda slot was started, so the timing of the day is unknown."))
    else:
        over = [r for r in runs if r.overran]
        desc = (f"{plural(len(runs), 'slot')} ran: " + "; ".join(
            f"{run_title(r)}, planned {minutes(r.planned)}, took {minutes(r.actual)}"
            + (f", overran by {minutes(r.over)}" if r.overran else "")
            + (", still running" if r.running else "") for r in runs) + ".")
        worst = max(runs, key=lambda r: r.over)
        summary = (f"{len(over)} of the {len(runs)} slots run overran by a minute or more; the most, "
                   f"{run_title(worst)}, by {minutes(worst.over)}." if over
                   else f"None of the {len(runs)} slots run overran by a minute or more.")
        out.append(f"<p>Planned against actual length of every slot that ran, in the order they "
                   f"ran. {esc(summary)} A slot ends when the next one starts.</p>")
        out.append(timing_chart(runs, desc))
    out.append("</div>")
    if runs:
        out.append(timing_table(runs))
    out += agenda_changes(rec)
    if rec.not_run:
        out.append("<h3>Not run</h3><ul class=not-run>")
        out += [f"<li>{esc(slot['title'])} <span class=support>(planned {slot.get('minutes', 0)} min)"
                f"</span> \u2014 never started.</li>" for slot in rec.not_run]
        out.append("</ul>")
    out.append("</section>")
    return out


def agenda_changes(rec: Record) -> list[str]:
    """The agenda as planned when the day began, and each change made to it after."""
    if rec.planned_agenda is None:
        return []
    out = ["<h3>The agenda as planned when the day began</h3><ol class=planned>"]
    out += [f"<li>{esc(x['title'])} <span class=support>({x['minutes']} min)</span></li>"
            for x in rec.planned_agenda]
    out.append("</ol><h3>Changed on the day</h3>")
    if not rec.changes:
        out.append("<p class=none>The day's shape was not changed after it began.</p>")
        return out
    out.append("<ul class=changes>")
    out += [f"<li><time>{hm(c.ts)}</time> {esc(c.who)}: {esc(c.what)}.</li>" for c in rec.changes]
    out.append("</ul>")
    return out


def timing_chart(runs: list[Run], desc: str) -> str:
    W, left, right, top, row = CHART_W, 6, 66, 40, 44
    H = top + row * len(runs) + 34
    longest = max(max(r.actual, r.planned + r.extended) for r in runs)
    span_min = max(longest / MINUTE, 1)
    step = nice_step(span_min, 6, (1, 2, 5, 10, 15, 20, 30, 60, 120, 240, 480))
    axis_max = math.ceil(span_min / step) * step
    plot_w = W - left - right
    x = lambda ms: left + plot_w * (ms / MINUTE) / axis_max  # noqa: E731
    g = [f"<svg class=chart viewBox='0 0 {W} {H}' role=img aria-labelledby='timing-title timing-desc'>",
         "<title id=timing-title>The timing of the day: planned against actual length of each slot</title>",
         f"<desc id=timing-desc>{esc(desc)}</desc>",
         "<defs><pattern id=hatch width='6' height='6' patternUnits='userSpaceOnUse' "
         "patternTransform='rotate(45)'><rect width='6' height='6' fill='#b3261e'/>"
         "<rect width='2' height='6' fill='#ffffff' opacity='.55'/></pattern></defs>",
         # the legend: shapes and words, never colour alone
         "<g class=legend font-size='12'>"
         "<rect x='6' y='6' width='18' height='7' fill='#ececec' stroke='#333' stroke-width='1'/>"
         "<text x='28' y='13'>planned</text>"
         "<rect x='96' y='6' width='18' height='7' fill='none' stroke='#333' stroke-dasharray='3 2'/>"
         "<text x='118' y='13'>time added by the lead</text>"
         "<rect x='6' y='20' width='18' height='9' fill='#2b5d8a'/><text x='28' y='28'>actual</text>"
         "<rect x='96' y='20' width='18' height='9' fill='url(#hatch)'/>"
         "<text x='118' y='28'>over the plan (+ minutes)</text></g>"]
    # grid and axis
    base = top + row * len(runs)
    t = 0.0
    while t <= axis_max + 1e-9:
        xx = left + plot_w * t / axis_max
        g.append(f"<line x1='{xx:.1f}' y1='{top - 4}' x2='{xx:.1f}' y2='{base}' stroke='#d0d0d0'/>"
                 f"<text x='{xx:.1f}' y='{base + 14}' font-size='12' text-anchor='middle'>{t:g}</text>")
        t += step
    g.append(f"<text x='{left + plot_w / 2:.1f}' y='{base + 29}' font-size='12' text-anchor='middle'>"
             "minutes from the start of the slot</text>")
    for i, r in enumerate(runs):
        y = top + row * i
        label = (truncate(run_title(r), 32) + " \u2014 still running") if r.running \
            else truncate(run_title(r), 48)
        g.append(f"<g><title>{esc(run_title(r))}: planned {minutes(r.planned)}, took {minutes(r.actual)}"
                 f"{', still running' if r.running else ''}</title>")
        italic = " font-style='italic'" if r.running else ""
        g.append(f"<text x='{left}' y='{y + 11}' font-size='12'{italic}>{esc(label)}</text>")
        # planned (and time the lead added) above, actual below
        g.append(f"<rect x='{left}' y='{y + 16}' width='{x(r.planned) - left:.1f}' height='8' "
                 "fill='#ececec' stroke='#333' stroke-width='1'/>")
        if r.extended:
            g.append(f"<rect x='{x(r.planned):.1f}' y='{y + 16}' width='{x(r.planned + r.extended) - x(r.planned):.1f}'"
                     " height='8' fill='none' stroke='#333' stroke-dasharray='3 2'/>")
        on_time = min(r.actual, r.planned)
        g.append(f"<rect x='{left}' y='{y + 26}' width='{max(x(on_time) - left, 0.5):.1f}' height='11' "
                 "fill='#2b5d8a'/>")
        if r.actual > r.planned:
            g.append(f"<rect x='{x(r.planned):.1f}' y='{y + 26}' width='{x(r.actual) - x(r.planned):.1f}' "
                     "height='11' fill='url(#hatch)'/>")
        end_x = max(x(r.actual), x(r.planned + r.extended)) + 4
        if r.overran:
            g.append(f"<text x='{end_x:.1f}' y='{y + 36}' font-size='12' font-weight='700' "
                     f"fill='#8f1d14'>{esc(signed(r.over))}</text>")
        elif r.over <= -OVERRUN_GRACE_MS:
            g.append(f"<text x='{end_x:.1f}' y='{y + 36}' font-size='12' fill='#444'>"
                     f"{esc(signed(r.over))}</text>")
        g.append("</g>")
    g.append("</svg>")
    return "".join(g)


def timing_table(runs: list[Run]) -> str:
    rows = []
    for r in runs:
        notes = [f"started {hm(r.start)}"]
        if r.extended:
            notes.append(f"{minutes(r.extended)} added")
        if r.paused >= 1000:
            notes.append(f"paused {minutes(r.paused)}")
        if r.running:
            notes.append("still running at the end of the record")
        diff = signed(r.over) if abs(r.over) >= OVERRUN_GRACE_MS else "on time"
        cls = " class='num over'" if r.overran else " class=num"
        verdict = f"<strong>{esc(diff)} over</strong>" if r.overran else esc(diff)
        rows.append(f"<tr><th scope=row>{esc(run_title(r))}"
                    f"<br><span class=small>{esc(', '.join(notes))}</span></th>"
                    f"<td class=num>{esc(minutes(r.planned))}</td>"
                    f"<td class=num>{esc(minutes(r.actual))}</td><td{cls}>{verdict}</td></tr>")
    return ("<div class=table-wrap><table class=timing><caption>The timing in numbers</caption><thead><tr>"
            "<th scope=col>Slot</th><th scope=col class=num>Planned</th>"
            "<th scope=col class=num>Took</th><th scope=col class=num>Difference</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table></div>")


def participation_section(rec: Record) -> list[str]:
    out = ["<section id=participation><div class=keep><h2>Participation</h2>"]
    notes = sorted(rec.state.notes.values(), key=lambda n: n["seq"])
    if not notes:
        out.append(gap("no participant wrote a note, so there is no participation to show."))
        out.append("</div></section>")
        return out
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
    per = f"{bin_ms // MINUTE} minutes"
    out.append(f"<p>Notes written in each group, per {per} (including notes a facilitator "
               f"later hid). {plural(len(notes), 'note')} in all.</p>")
    out.append(participation_chart(rec, start, bin_ms, nbins, counts, per))
    out.append("<ul class=legend aria-label='Legend'>")
    for i, g in enumerate(groups):
        colour, dash = SERIES_COLOURS[i % len(SERIES_COLOURS)], SERIES_DASHES[i % len(SERIES_DASHES)]
        dash = dash if nbins > 8 else ""
        out.append(f"<li><svg class=swatch viewBox='0 0 30 12' width='30' height='12' aria-hidden=true>"
                   f"<line x1='1' y1='6' x2='29' y2='6' stroke='{colour}' stroke-width='2.2'"
                   + (f" stroke-dasharray='{dash}'" if dash else "") + "/>"
                   + marker(SERIES_MARKS[i % len(SERIES_MARKS)], 15, 6, colour, 3.4)
                   + f"</svg> {esc(g['name'])} <span class=support>({sum(counts[g['id']])})</span></li>")
    out.append("</ul></div>")
    head = "".join(f"<th scope=col class='num g'>{esc(g['name'])}</th>" for g in groups)
    rows = []
    for b in range(nbins):
        t0 = start + b * bin_ms
        cells = "".join(f"<td class=num>{counts[g['id']][b]}</td>" for g in groups)
        rows.append(f"<tr><th scope=row class=t>{hm(t0)}\u2013{hm(t0 + bin_ms)}</th>{cells}"
                    f"<td class=num>{sum(counts[g['id']][b] for g in groups)}</td></tr>")
    out.append("<details><summary>The numbers behind the chart</summary><div class=table-wrap>"
               f"<table class=participation><caption>Notes per {per}, by group (UTC)</caption>"
               f"<thead><tr><th scope=col>Time</th>{head}<th scope=col class=num>All</th></tr></thead>"
               f"<tbody>{''.join(rows)}</tbody></table></div></details>")
    out.append("</section>")
    return out


def participation_chart(rec: Record, start: int, bin_ms: int, nbins: int,
                        counts: dict[str, list[int]], per: str) -> str:
    W, H, left, right, top, bottom = CHART_W, 230, 40, 22, 12, 46
    plot_w, plot_h = W - left - right, H - top - bottom
    peak = max([max(c) for c in counts.values()] + [1])
    step = nice_step(peak, 5, (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000))
    y_max = math.ceil(peak / step) * step
    groups = rec.groups
    # A point per group and interval; the groups sit side by side within an interval so
    # equal counts never hide each other. Few intervals: stems from the axis (like bars).
    slot_w = plot_w / nbins
    dodge = min(slot_w * 0.7 / max(len(groups), 1), 14)
    stems = nbins <= 8
    xb = lambda b, i: left + slot_w * (b + 0.5) + dodge * (i - (len(groups) - 1) / 2)  # noqa: E731
    yv = lambda v: top + plot_h * (1 - v / y_max)  # noqa: E731
    desc = "; ".join(f"{g['name']}: {sum(counts[g['id']])} notes, at most "
                     f"{max(counts[g['id']]) if counts[g['id']] else 0} in one interval" for g in groups)
    s = [f"<svg class=chart viewBox='0 0 {W} {H}' role=img aria-labelledby='participation-title participation-desc'>",
         f"<title id=participation-title>Notes per {esc(per)} in each group over the day</title>",
         f"<desc id=participation-desc>From {hm(start)} to {hm(start + nbins * bin_ms)} UTC. {esc(desc)}.</desc>"]
    v = 0
    while v <= y_max:
        yy = yv(v)
        s.append(f"<line x1='{left}' y1='{yy:.1f}' x2='{W - right}' y2='{yy:.1f}' stroke='#d0d0d0'/>"
                 f"<text x='{left - 5}' y='{yy + 4:.1f}' font-size='12' text-anchor='end'>{v:g}</text>")
        v += step
    s.append(f"<line x1='{left}' y1='{top + plot_h}' x2='{W - right}' y2='{top + plot_h}' stroke='#333'/>")
    every = next((k for k in (1, 2, 3, 6, 12, 18, 24, 36, 72) if nbins / k <= 6), math.ceil(nbins / 6))
    for b in range(0, nbins + 1, every):  # marks at the start of each interval
        xx = left + slot_w * b
        s.append(f"<line x1='{xx:.1f}' y1='{top + plot_h}' x2='{xx:.1f}' y2='{top + plot_h + 4}' stroke='#333'/>"
                 f"<text x='{xx:.1f}' y='{top + plot_h + 16}' font-size='12' text-anchor='middle'>"
                 f"{hm(start + b * bin_ms)}</text>")
    s.append(f"<text x='{left + plot_w / 2:.1f}' y='{H - 6}' font-size='12' text-anchor='middle'>"
             f"time (UTC), notes per {esc(per)}</text>")
    s.append(f"<text transform='translate(12 {top + plot_h / 2:.1f}) rotate(-90)' font-size='12' "
             "text-anchor='middle'>notes</text>")
    for i, g in enumerate(groups):
        colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        dash = SERIES_DASHES[i % len(SERIES_DASHES)]
        pts = [(xb(b, i), yv(c)) for b, c in enumerate(counts[g["id"]])]
        s.append(f"<g><title>{esc(g['name'])}</title>")
        if stems:
            s += [f"<line x1='{a:.1f}' y1='{top + plot_h}' x2='{a:.1f}' y2='{b:.1f}' stroke='{colour}' "
                  "stroke-width='2.4'/>" for a, b in pts]
        else:
            s.append(f"<polyline points='{' '.join(f'{a:.1f},{b:.1f}' for a, b in pts)}' fill='none' "
                     f"stroke='{colour}' stroke-width='2'" + (f" stroke-dasharray='{dash}'" if dash else "") + "/>")
        s += [marker(SERIES_MARKS[i % len(SERIES_MARKS)], a, b, colour) for a, b in pts]
        s.append("</g>")
    s.append("</svg>")
    return "".join(s)


REPORT_CSS = """
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#111;
 background:#fff;max-width:48rem;margin:0 auto;padding:1rem;overflow-wrap:break-word}
h1{font-size:1.75rem;line-height:1.2;margin:.1rem 0 .8rem}
h2{font-size:1.35rem;line-height:1.25;border-bottom:2px solid #333;padding-bottom:.15rem;margin:2rem 0 .7rem}
h3{font-size:1.1rem;margin:1.3rem 0 .4rem}h4{font-size:1rem;margin:0 0 .3rem}
h2,h3,h4{break-after:avoid-page}
p{margin:.35rem 0}a{color:#0b4f8a}
.kicker{text-transform:uppercase;letter-spacing:.06em;font-size:.8rem;color:#444;margin:0}
.facts{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.1rem .8rem;margin:0 0 1rem}
.facts dt{font-weight:700}.facts dd{margin:0}
nav ul{list-style:none;padding:0;margin:0;display:flex;flex-wrap:wrap;gap:.2rem 1rem;font-size:.95rem}
.count{font-weight:400;color:#444}
.none{color:#444;font-style:italic}
.gap{color:#6e3500;background:#fff4e5;border-left:4px solid #b35900;padding:.25rem .6rem;margin:.4rem 0}
ul.gaps li{margin:.2rem 0}ul.gaps a{color:#6e3500}
.items{padding-left:1.4rem}.items>li{margin:0 0 .9rem}
.said{font-size:1.05rem;margin:.1rem 0}.who,.when,.from,.meta{color:#444;font-size:.92rem}
.reason{border-left:3px double #8f1d14;padding-left:.5rem}
.withdrawn-tag{font-size:.8em;font-weight:700;border:1px solid currentColor;border-radius:4px;padding:0 .3em}
.stance{display:inline-block;font-weight:700;font-size:.85rem;padding:0 .35rem;border:2px solid;
 border-radius:3px;white-space:nowrap;line-height:1.4}
.stance.commit{color:#0f5132;background:#e6f4ea}
.stance.consider{color:#6b4e00;background:#fff8db;border-style:dashed}
.stance.decline{color:#8f1d14;background:#fdecea;border-style:double;border-width:3px}
.member{font-weight:700}
.response{border:1px solid #bbb;border-left:6px solid #444;padding:.5rem .7rem;margin:.6rem 0;break-inside:avoid}
.response.commit{border-left-color:#0f5132}.response.consider{border-left-color:#6b4e00}
.response.decline{border-left-color:#8f1d14}
.keypoints>li{margin:0 0 .7rem;break-inside:avoid}.kp{font-weight:700;margin:0}
.notes{margin:.1rem 0;padding-left:1.2rem;font-size:.93rem}.notes li{margin:.1rem 0}
.missing{font-style:italic;color:#444}
.support{color:#444;font-size:.85rem;white-space:nowrap}
.label{font-weight:700;margin-top:.5rem}
.corrections{padding-left:1.2rem;margin:.2rem 0}.corrections li{margin:.2rem 0}
.unresolved{color:#6e3500}.resolved{color:#0f5132}
.table-wrap{max-width:100%;overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.9rem;margin:.6rem 0}
caption{text-align:left;font-weight:700;padding:.2rem 0}
th,td{text-align:left;padding:.25rem .35rem;border-bottom:1px solid #bbb;vertical-align:top;overflow-wrap:anywhere}
thead th{border-bottom:2px solid #333;overflow-wrap:normal}tbody th{font-weight:400}
.participation thead th.g{overflow-wrap:anywhere}.participation .t{white-space:nowrap}
.num{text-align:right;font-variant-numeric:tabular-nums;overflow-wrap:normal;width:1%;padding-left:.15rem}td.over{color:#8f1d14}
.small{color:#444;font-size:.85rem}
svg.chart{display:block;width:100%;height:auto;max-width:34rem;margin:.6rem 0;font-family:inherit}
svg.chart text{fill:#111}svg.chart .legend text{fill:#111}
ul.legend{list-style:none;padding:0;margin:.2rem 0 .6rem;display:flex;flex-wrap:wrap;gap:.2rem 1.1rem;font-size:.92rem}
ul.legend li{min-width:0}svg.swatch{vertical-align:middle}
details{margin:.4rem 0}summary{cursor:pointer;color:#0b4f8a}
footer{margin-top:2rem;border-top:1px solid #bbb;color:#444;font-size:.85rem}
@media (min-width:30rem){td.num{white-space:nowrap}}
@media (max-width:30rem){body{padding:.7rem}h1{font-size:1.45rem}table{font-size:.8rem}th,td{padding:.25rem .25rem}}
@page{size:A4;margin:15mm 14mm 16mm}
@media print{
 body{max-width:none;padding:0;font-size:10.5pt}
 nav,summary{display:none}
 .table-wrap{overflow:visible}
 a{color:inherit;text-decoration:none}
 section.group{break-inside:avoid-page;break-before:auto}
 .items>li,.response,svg.chart,.gap,tr,.keep{break-inside:avoid}
 details::details-content{content-visibility:visible;display:block}
 svg.chart{max-width:12.5cm}
}
"""

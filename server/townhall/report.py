"""The record of the day, from the log alone: JSON lines, CSV, and an HTML report."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
from typing import Iterable, Iterator

from .events import Event
from .state import State

CSV_COLUMNS = ("seq", "time", "type", "group_id", "actor_role", "actor_id", "actor_name",
               "text", "stance", "reason", "outcome", "member", "slot_id", "ids")


def iso(ts: int) -> str:
    return dt.datetime.fromtimestamp(ts / 1000, dt.timezone.utc).isoformat(timespec="milliseconds")


def jsonl_lines(log: Iterable[Event]) -> Iterator[str]:
    """Every event as logged, one a line, with its time in ISO 8601 beside `ts`."""
    for e in log:
        yield json.dumps({**e, "time": iso(e["ts"])}, ensure_ascii=False, separators=(",", ":")) + "\n"


def csv_text(log: Iterable[Event]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_COLUMNS)
    for e in log:
        d = e["data"]
        ids = {k: v for k, v in d.items() if k.endswith("_id") and k != "slot_id" and v}
        if d.get("note_ids"):
            ids["note_ids"] = " ".join(d["note_ids"])
        text = d.get("text")
        if e["type"] == "assembly.loaded":
            text = d["definition"]["title"]
        elif e["type"] == "participant.joined":
            text = d.get("name")
        w.writerow([e["seq"], iso(e["ts"]), e["type"], e.get("group_id") or "",
                    e["actor"].get("role", ""), e["actor"].get("id", ""), e["actor"].get("name", ""),
                    text or "", d.get("stance") or "", d.get("reason") or "", d.get("outcome") or "",
                    d.get("member") or "", d.get("slot_id") or "",
                    " ".join(f"{k}={v}" for k, v in ids.items())])
    return buf.getvalue()


def fold(log: Iterable[Event]) -> State:
    state = State()
    for e in log:
        state.apply(e)
    return state


STANCE_LABEL = {"commit": "Commitment", "consider": "Under consideration", "decline": "Declined"}


def html_report(log: list[Event]) -> str:
    """One self-contained page: no scripts, no external requests, prints to A4."""
    s = fold(log)
    d = s.definition or {"title": "(no assembly)", "date": None, "groups": [], "agenda": []}
    esc = html.escape
    out = [
        "<!doctype html><html lang=en><meta charset=utf-8>",
        "<meta name=viewport content='width=device-width,initial-scale=1'>",
        f"<title>{esc(d['title'])}: the record of the day</title>",
        f"<style>{REPORT_CSS}</style>",
        f"<h1>{esc(d['title'])}</h1>",
        f"<p class=meta>{esc(d['date'] or '')} · {len(d['groups'])} groups · "
        f"{len(s.participants)} participants · {len(s.notes)} notes · {s.last_seq} events</p>",
    ]

    def responses_with(stance: str) -> list[dict]:
        return [r for r in s.responses.values() if r["stance"] == stance]

    group_name = {g["id"]: g["name"] for g in d["groups"]}
    for stance, heading in (("commit", "Commitments"), ("consider", "Under consideration"),
                            ("decline", "Declined, with reasons")):
        rs = responses_with(stance)
        out.append(f"<section><h2>{heading}</h2>")
        if not rs:
            out.append("<p class=gap>None recorded.</p>")
        out.append("<ul>")
        for r in rs:
            reason = f"<br><strong>Reason:</strong> {esc(r['reason'])}" if r.get("reason") else ""
            out.append(f"<li><strong>{esc(group_name.get(r['group_id'], r['group_id']))}</strong>: "
                       f"{esc(r['text'])} <em>({esc(r['member'])})</em>{reason}</li>")
        out.append("</ul></section>")

    for g in d["groups"]:
        out.append(f"<section><h2>{esc(g['name'])}</h2>")
        kps = [k for k in s.keypoints.values() if k["group_id"] == g["id"] and k["published"]]
        out.append("<h3>Key points</h3>")
        if not kps:
            out.append("<p class=gap>No key points were published for this group.</p>")
        out.append("<ol>")
        for k in kps:
            cited = [s.notes[n]["text"] for n in k["note_ids"] if n in s.notes]
            notes = "".join(f"<li>{esc(t)}</li>" for t in cited)
            out.append(f"<li>{esc(k['text'])}" + (f"<ul class=notes>{notes}</ul>" if notes else "")
                       + "</li>")
        out.append("</ol><h3>Board response</h3>")
        rs = [r for r in s.responses.values() if r["group_id"] == g["id"]]
        if not rs:
            out.append("<p class=gap>No Board response was logged for this group.</p>")
        for r in rs:
            out.append(f"<div class='response {r['stance']}'><p><strong>"
                       f"{STANCE_LABEL[r['stance']]}</strong> · {esc(r['member'])}</p>"
                       f"<p>{esc(r['text'])}</p>")
            if r.get("reason"):
                out.append(f"<p><strong>Reason:</strong> {esc(r['reason'])}</p>")
            cs = [c for c in s.corrections.values() if c["response_id"] == r["id"]]
            if not cs:
                out.append("<p class=gap>No participant checked this response for accuracy.</p>")
            for c in cs:
                outcome = c["outcome"] or "not resolved"
                out.append(f"<p class=correction>Correction by {esc(c['author']['name'])}: "
                           f"{esc(c['text'])} <em>({esc(outcome)})</em></p>")
            out.append("</div>")
        out.append("</section>")

    out.append("<section><h2>Timing of the day</h2><table><tr><th>Slot<th>Planned<th>Actual</tr>")
    for run in s.runs:
        slot = s.slot(run["slot_id"]) or {"title": run["slot_id"]}
        actual = "under way" if run["ended_at"] is None else \
            f"{round((run['ended_at'] - run['started_at']) / 60000)} min"
        out.append(f"<tr><td>{esc(slot['title'])}<td>{run['planned_ms'] // 60000} min<td>{actual}</tr>")
    out.append("</table></section>")
    return "".join(out) + "</html>\n"


REPORT_CSS = """
body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:1rem auto;padding:0 1rem;color:#111}
h1{font-size:1.8rem}h2{border-bottom:2px solid #333;margin-top:2rem}
.meta{color:#444}.gap{color:#8a4b00;font-style:italic}
.response{border-left:4px solid #666;padding-left:.8rem;margin:.8rem 0}
.response.commit{border-color:#16734a}.response.decline{border-color:#a3261b}
.response.consider{border-color:#8a6d00}.notes{color:#444;font-size:.9rem}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ccc;padding:.3rem;text-align:left}
@media print{body{margin:0;max-width:none}section{break-inside:avoid-page}}
"""

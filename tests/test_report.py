"""The record of the day (issue 5): JSON lines, CSV and the HTML report a room takes home.

A whole demo day is played through the socket API of a real `townhall serve`, then
every export is checked: against `sync`, as a spreadsheet would read it, section by
section, over HTTP against the command line, and in real Chromium (A4 PDF, 360 px phone).
The overrun marking is checked on a hand-built log, where the clock can be controlled.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import sqlite3
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from conftest import Client, Server, cid, new_page, townhall
from townhall import report

LONG_WORD = "Wheelchair" + "accessible" * 18  # 190 characters and no space to break at
XSS = "<img src=x onerror=alert(1)> & <b>bold</b>"
DECLINE_REASONS = {
    "young-people": "Commissioning of school nurses is decided locally, not by the Board",
    "self-care": "Personal health budgets need an Act of Parliament to widen",
}


class Tags(HTMLParser):
    """Every element name, and every address an attribute points at."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.refs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.names.add(tag)
        self.refs += [v or "" for k, v in attrs if k in ("src", "href", "xlink:href", "action", "data")]


def section(body: str, sid: str) -> str:
    m = re.search(rf"<section [^>]*id='?{re.escape(sid)}['> ].*?</section>", body, re.S)
    assert m, f"no section {sid!r} in the report"
    return m.group(0)


def one_line_error(out: subprocess.CompletedProcess) -> str:
    assert out.returncode != 0
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in out.stderr, out.stderr
    return lines[0]


# -- a whole demo day, played once for the module through the real server -----------------


async def play_day(srv: Server) -> dict:
    clients: list[Client] = []

    async def connect(auth: dict) -> Client:
        c = await Client().connect(srv.url, auth)
        clients.append(c)
        return c

    async def ok(c: Client, event: str, payload=None) -> dict:
        ack = await c.call(event, payload)
        assert ack["ok"], (event, payload, ack)
        return ack

    try:
        lead = await connect({"token": srv.token("lead")})
        board = await connect({"token": srv.token("board")})
        organiser = await connect({"token": srv.token("organiser")})
        await ok(lead, "agenda.start", {"slot_id": "welcome"})
        await ok(lead, "agenda.start", {"slot_id": "issue-groups"})
        await ok(lead, "timer.extend", {"seconds": 300})
        await ok(lead, "timer.pause")
        await ok(lead, "timer.resume")

        people: dict[str, list[Client]] = {}
        notes: dict[str, list[str]] = {}
        keypoints: dict[str, list[str]] = {}
        names = ("Ann", "Bilal", "Chloë")
        for gid in srv.links()["join"]:
            group = [await connect({"join_code": srv.token("join", gid), "name": f"{n} {gid[:3]}"})
                     for n in names]
            people[gid] = group
            texts = [f"{gid}: waiting lists are too long", f"{gid}: nobody explains the options",
                     f"{gid}: evening clinics", f"{gid}: transport to appointments",
                     f"{gid}: one named contact", f"{gid}: plain-English letters"]
            if gid == "access":
                texts[1], texts[2] = XSS, LONG_WORD
            ids = []
            for i, text in enumerate(texts):
                ack = await ok(group[i % 3], "note.add", {"client_id": cid(), "text": text})
                ids.append(ack["note_id"])
            notes[gid] = ids
            await ok(group[1], "note.support", {"note_id": ids[0]})
            await ok(group[2], "note.support", {"note_id": ids[0]})
            await ok(group[0], "note.support", {"note_id": ids[1]})
            fac = await connect({"token": srv.token("facilitator", gid)})
            kp = await ok(fac, "keypoint.add", {"client_id": cid(), "text": f"{gid}: shorter waits, said plainly",
                                                "note_ids": [ids[0], ids[1]]})
            keypoints[gid] = [kp["keypoint_id"]]
            if gid == "self-care":
                continue  # a draft never published: the report says there are no key points
            await ok(fac, "keypoint.publish", {"keypoint_id": kp["keypoint_id"]})
            if gid == "access":
                kp2 = await ok(fac, "keypoint.add", {"client_id": cid(), "text": "access: clinics after work",
                                                     "note_ids": [ids[2], ids[3]]})
                await ok(fac, "keypoint.publish", {"keypoint_id": kp2["keypoint_id"]})
                keypoints[gid].append(kp2["keypoint_id"])
                # the facilitator puts the second one first
                await ok(fac, "keypoint.order", {"keypoint_ids": keypoints[gid][::-1]})
            if gid == "mental-health":
                await ok(fac, "note.hide", {"note_id": ids[5]})
                await ok(fac, "note.restore", {"note_id": ids[5]})
            if gid == "young-people":
                await ok(fac, "keypoint.edit", {"keypoint_id": kp["keypoint_id"],
                                                "text": "young-people: school nurses in every school"})

        await ok(lead, "agenda.start", {"slot_id": "break"})
        responses: dict[str, list[str]] = {"commit": [], "consider": [], "decline": []}
        corrections: dict[str, str] = {}

        async def respond(gid: str, member: str, text: str, stance: str, reason=None) -> str:
            ack = await ok(board, "response.log", {"client_id": cid(), "group_id": gid, "member": member,
                                                   "text": text, "stance": stance,
                                                   **({"reason": reason} if reason else {})})
            responses[stance].append(text)
            return ack["response_id"]

        async def correct(gid: str, rid: str, text: str) -> str:
            ack = await ok(people[gid][1], "correction.submit",
                           {"client_id": cid(), "response_id": rid, "text": text})
            corrections[text] = ack["correction_id"]
            return ack["correction_id"]

        await ok(lead, "agenda.start", {"slot_id": "plenary-access"})
        await ok(lead, "plenary.focus", {"group_id": "access"})
        r = await respond("access", "Sir Malcolm", "We will publish waiting times for every practice by March",
                          "commit")
        c = await correct("access", r, "We asked for evening clinics too, not only waiting times")
        await ok(board, "correction.resolve", {"correction_id": c, "outcome": "accepted"})

        await ok(lead, "agenda.start", {"slot_id": "plenary-mental-health"})
        r = await respond("mental-health", "Dame <Anne>", "We will look at crisis lines open all night",
                          "consider")
        c = await correct("mental-health", r, "The group said crisis cafés, not phone lines")
        await ok(lead, "correction.resolve", {"correction_id": c, "outcome": "noted"})

        await ok(lead, "agenda.start", {"slot_id": "plenary-young-people"})
        r = await respond("young-people", "Prof. Keogh", "We will not fund a school nurse in every school",
                          "decline", DECLINE_REASONS["young-people"])
        await correct("young-people", r, "We asked for a named nurse per area, not per school")  # never resolved

        await respond("self-care", "Sir Malcolm", "We commit to a plain-English letters standard", "commit")
        await respond("self-care", "Sir Malcolm", "We will not widen personal health budgets this year",
                      "decline", DECLINE_REASONS["self-care"])
        # gender-identity gets no Board response; its plenary, self-care's and the close never run
        await ok(organiser, "joincode.rotate", {"group_id": "gender-identity"})

        sync, since = [], 0
        while True:
            page = await ok(lead, "sync", {"since": since})
            sync += page["events"]
            since = page["until"]
            if not page["more"]:
                break
        return {"sync": sync, "responses": responses, "corrections": corrections,
                "keypoints": keypoints, "notes": notes}
    finally:
        for c in clients:
            await c.close()


@pytest.fixture(scope="module")
def day(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("report") / "townhall").start()
    try:
        played = asyncio.run(play_day(srv))
        out = tmp_path_factory.mktemp("exports")
        for fmt in ("jsonl", "csv", "html"):
            res = srv.cli("export", "--format", fmt, "-o", str(out / f"export.{fmt}"))
            assert res.returncode == 0, res.stderr
        played["cli"] = {fmt: (out / f"export.{fmt}").read_bytes() for fmt in ("jsonl", "csv", "html")}
        played["html"] = played["cli"]["html"].decode()
        played["text"] = played["html"].replace("\u00a0", " ")
        yield srv, played
    finally:
        srv.stop()


def test_jsonl_round_trip_is_what_sync_gives_the_lead(day):
    _, played = day
    lines = played["cli"]["jsonl"].decode().splitlines()
    events = [json.loads(line) for line in lines]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    for e in events:
        assert e.pop("time") == report.iso(e["ts"])
    assert events == played["sync"]
    types = {e["type"] for e in events}
    assert {"note.restored", "keypoint.edited", "keypoint.ordered", "joincode.rotated",
            "timer.extended", "timer.paused", "correction.resolved"} <= types


def test_csv_has_a_row_per_event_with_the_right_columns(day):
    _, played = day
    rows = list(csv.DictReader(io.StringIO(played["cli"]["csv"].decode(), newline="")))
    assert [int(r["seq"]) for r in rows] == [e["seq"] for e in played["sync"]]
    assert [r["type"] for r in rows] == [e["type"] for e in played["sync"]]
    assert {"time", "type", "group_id", "actor_name", "text", "stance", "reason", "outcome",
            "ids"} <= set(rows[0])
    logged = [r for r in rows if r["type"] == "response.logged"]
    for stance, texts in played["responses"].items():
        assert sorted(r["text"] for r in logged if r["stance"] == stance) == sorted(texts)
    assert sorted(r["reason"] for r in logged if r["stance"] == "decline") == sorted(DECLINE_REASONS.values())
    assert all(r["reason"] == "" for r in logged if r["stance"] != "decline")
    resolved = {r["ids"]: r["outcome"] for r in rows if r["type"] == "correction.resolved"}
    assert sorted(resolved.values()) == ["accepted", "noted"]
    cids = played["corrections"]
    assert any(f"correction_id={cids['We asked for evening clinics too, not only waiting times']}" in k
               and v == "accepted" for k, v in resolved.items())
    # the newer event types
    ordered = next(r for r in rows if r["type"] == "keypoint.ordered")
    assert ordered["group_id"] == "access"
    assert ordered["ids"] == "keypoint_ids=" + " ".join(played["keypoints"]["access"][::-1])
    restored = next(r for r in rows if r["type"] == "note.restored")
    assert restored["group_id"] == "mental-health" and restored["text"] == "mental-health: plain-English letters"
    assert f"note_id={played['notes']['mental-health'][5]}" in restored["ids"]
    edited = next(r for r in rows if r["type"] == "keypoint.edited")
    assert edited["text"] == "young-people: school nurses in every school"
    assert edited["ids"] == f"keypoint_id={played['keypoints']['young-people'][0]}"
    rotated = next(r for r in rows if r["type"] == "joincode.rotated")
    assert rotated["group_id"] == "gender-identity" and rotated["actor_role"] == "organiser"
    cited = next(r for r in rows if r["type"] == "keypoint.added" and r["group_id"] == "access")
    assert cited["ids"].endswith("note_ids=" + " ".join(played["notes"]["access"][:2]))
    assert all("client_id" not in r["ids"] for r in rows)
    assert any(r["text"] == XSS for r in rows)


def test_csv_never_hands_a_spreadsheet_a_formula():
    log = hand_built_day()
    log.append(ev(len(log) + 1, log[-1]["ts"] + 1, "note.added", "a",
                  {"note_id": "n_f", "text": "=HYPERLINK(\"x\")", "client_id": "f"}))
    rows = list(csv.DictReader(io.StringIO(report.csv_text(log))))
    assert rows[-1]["text"] == "'=HYPERLINK(\"x\")"


def test_report_sections(day):
    _, played = day
    body = played["text"]
    assert body.startswith("<!doctype html>")
    assert "<script" not in body.lower()
    assert "http://" not in body and "https://" not in body
    tags = Tags()
    tags.feed(body)
    assert not {"script", "img", "link", "iframe", "object", "embed", "image", "use"} & tags.names
    assert all(v.startswith("#") for v in tags.refs), tags.refs  # only in-page links
    assert all(p.lstrip().startswith("url(#") for p in re.findall(r"url\([^)]*\)", body))
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in body
    assert "Dame &lt;Anne&gt;" in body and "Dame <Anne>" not in body

    # headings in order, the day's outcomes before the groups
    levels = [int(h) for h in re.findall(r"<h([1-6])\b", body)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), levels
    order = [re.search(rf"<section [^>]*id='?{s}['> ]", body).start()
             for s in ("commitments", "consider", "declined", "gaps", "groups", "group-access", "timing",
                       "participation")]
    assert order == sorted(order)

    head = body[:body.index("<main>")]
    assert "NHS Citizen Assembly with the NHS England Board" in head and "2014-09-17" in head
    groups = section(body, "groups")
    for name in ("Access to services", "Mental health", "Young people and healthcare", "Gender identity",
                 "Self-care and personalisation"):
        assert name in groups
    assert re.search(r"Access to services</a></th><td class=num>3</td><td class=num>6</td>", groups)

    commitments = section(body, "commitments")
    assert commitments.count("<li class=item>") == len(played["responses"]["commit"]) == 2
    for text in played["responses"]["commit"]:
        assert text in commitments
    for text in played["responses"]["consider"] + played["responses"]["decline"]:
        assert text not in commitments
    consider = section(body, "consider")
    assert consider.count("<li class=item>") == 1 and "crisis lines" in consider
    declined = section(body, "declined")
    assert declined.count("<li class=item>") == 2
    for reason in DECLINE_REASONS.values():
        assert f"<strong>Reason:</strong> {reason}" in declined

    gaps = section(body, "gaps")
    assert "Self-care and personalisation: no key points were published." in gaps
    assert "Gender identity: no Board response was logged." in gaps
    assert "Access to services: no Board response" not in gaps
    assert gaps.count("was not checked by any participant") == 2  # self-care's two responses
    # The record names nobody by default (docs/privacy.md): the author is a pseudonym.
    assert gaps.count("was never resolved") == 1 and "a correction by Participant " in gaps
    assert "Bilal" not in gaps
    assert "still running when the record ends" in gaps
    for slot in ("Plenary: Gender identity", "Plenary: Self-care", "Board commitments and reasons"):
        assert slot in gaps

    access = section(body, "group-access")
    first, second = access.index("access: clinics after work"), access.index("access: shorter waits")
    assert first < second, "key points in the facilitator's order"
    assert "waiting lists are too long <span class=support>2 supporters</span>" in access
    assert "<span class=support>1 supporter</span>" in access
    assert "Commitment</span> <span class=member>Sir Malcolm</span>" in access
    assert "Accepted</strong> by Board" in access
    mental = section(body, "group-mental-health")
    assert "Noted</strong>" in mental and "Under consideration" in mental
    young = section(body, "group-young-people")
    assert "young-people: school nurses in every school" in young, "the edited text"
    assert "Never resolved." in young and DECLINE_REASONS["young-people"] in young
    gender = section(body, "group-gender-identity")
    assert "no Board response was logged" in gender and "gender-identity: shorter waits" in gender
    selfcare = section(body, "group-self-care")
    assert "no key points were published" in selfcare and "1 draft key point was never published" in selfcare
    assert selfcare.count("no participant checked this response") == 2

    timing = section(body, "timing")
    assert "<svg class=chart" in timing and "<title id=timing-title>" in timing and "<desc" in timing
    for slot in ("Welcome and purpose of the day", "Break", "Plenary: Young people"):
        assert slot in timing
    assert "still running" in timing and "5 min added" in timing  # the pause lasted under a second
    not_run = timing[timing.index("<h3>Not run</h3>"):]
    assert not_run.count("<li>") == 3 and "Board commitments and reasons" in not_run
    participation = section(body, "participation")
    assert "<title id=participation-title>" in participation and "<details>" in participation
    assert participation.count("<polyline") + participation.count("<circle") >= 1
    for name in ("Access to services", "Self-care and personalisation"):
        assert f"{name} <span class=support>(6)</span>" in participation


def test_http_downloads_match_the_command_line(day):
    srv, played = day
    auth = {"Authorization": f"Bearer {srv.token('organiser')}"}
    for path, fmt in (("events.jsonl", "jsonl"), ("events.csv", "csv"), ("report.html", "html")):
        r = httpx.get(f"{srv.url}/export/{path}", headers=auth)
        assert r.status_code == 200
        assert r.content == played["cli"][fmt], path
    stdout = srv.cli("export", "--format", "html")
    assert stdout.returncode == 0 and stdout.stdout == played["html"]


WIDER_THAN_THE_PAGE = """() => {
    const limit = document.documentElement.clientWidth + 1;
    return [...document.querySelectorAll('body *')]
        .filter(el => el.getBoundingClientRect().right > limit)
        .map(el => el.tagName + '.' + el.className + ' ' + Math.round(el.getBoundingClientRect().right));
}"""


async def open_on_phone(browser, body: str, path: Path):
    path.write_text(body, encoding="utf-8")
    page, watch = await new_page(browser, 360, 740)
    await page.goto(path.as_uri())
    assert not await page.evaluate(WIDER_THAN_THE_PAGE)
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360
    # the charts scale to the screen
    for chart in ("#timing svg.chart", "#participation svg.chart"):
        width = await page.evaluate(f"document.querySelector('{chart}').getBoundingClientRect().width")
        assert 300 <= width <= 360, (chart, width)
    assert not watch.errors and all(u.startswith("file:") for u in watch.requests), watch.requests
    return page


async def test_report_prints_to_a4_and_fits_a_phone(day, browser):
    _, played = day
    page = await open_on_phone(browser, played["html"], Path("/tmp/report.html"))
    shot = await page.screenshot(full_page=True, path="/tmp/report-phone.png")
    assert shot[:8] == b"\x89PNG\r\n\x1a\n"
    pdf = await page.pdf(format="A4", print_background=True, path="/tmp/report.pdf")
    assert pdf.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert boxes and all(abs(float(w) - 595.3) < 1.5 and abs(float(h) - 841.9) < 1.5 for w, h in boxes)
    assert 2 <= len(boxes) <= 15, f"{len(boxes)} pages"


async def test_a_long_day_fits_a_phone_and_passes_axe(browser, tmp_path):
    page = await open_on_phone(browser, report.html_report(long_day()), tmp_path / "long.html")
    assert await page.locator("#participation polyline").count() == 5  # one line per group
    # AA contrast and the rest of axe's serious rules (axe-core from the npm registry)
    from conftest import AXE

    if not AXE.exists():
        pytest.skip("axe-core missing: run make test (npm ci) first")
    await page.add_script_tag(path=str(AXE))
    result = await page.evaluate("async () => await axe.run(document)")
    bad = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
           if v["impact"] in ("serious", "critical")]
    assert not bad, bad


# -- the same on both stores (SQLite and Redis) ------------------------------------------


async def test_exports_agree_on_every_store(fresh_server, connect, tmp_path):
    srv = fresh_server
    p = await connect(srv, "participant", "access", name="Ann")
    board = await connect(srv, "board")
    note = await p.call("note.add", {"client_id": cid(), "text": "Evening clinics"})
    r = await board.call("response.log", {"client_id": cid(), "group_id": "access", "member": "Sir Malcolm",
                                          "text": "We will pilot evening clinics", "stance": "commit"})
    c = await p.call("correction.submit", {"client_id": cid(), "response_id": r["response_id"],
                                           "text": "Weekends too"})
    assert note["ok"] and r["ok"] and c["ok"]
    auth = {"Authorization": f"Bearer {srv.token('organiser')}"}
    for path, fmt in (("events.jsonl", "jsonl"), ("events.csv", "csv"), ("report.html", "html")):
        target = tmp_path / f"out.{fmt}"
        out = srv.cli("export", "--format", fmt, "-o", str(target))
        assert out.returncode == 0, out.stderr
        assert httpx.get(f"{srv.url}/export/{path}", headers=auth).content == target.read_bytes()
    body = (tmp_path / "out.html").read_text()
    assert "We will pilot evening clinics" in section(body, "commitments")
    assert re.search(r"a correction by Participant \d+ was never resolved", section(body, "gaps"))
    assert "Ann" not in body  # names only with --names


# -- a hand-built day, with the clock under control ---------------------------------------

T0 = 1410944400000  # 2014-09-17 09:00:00 UTC
MIN = 60_000
PERSON = {"role": "participant", "id": "p_1", "name": "Ann"}
LEAD = {"role": "lead", "id": "lead", "name": "Lead"}


def ev(seq: int, ts: int, type_: str, group_id, data: dict, actor=None) -> dict:
    return {"seq": seq, "ts": ts, "type": type_, "actor": actor or LEAD, "group_id": group_id, "data": data}


def hand_built_day() -> list[dict]:
    definition = {
        "title": "Test <assembly> & co", "date": "2014-09-17",
        "groups": [{"id": "a", "name": "Alpha <group>"}, {"id": "b", "name": "Beta"}],
        "agenda": [{"id": "w", "title": "Welcome", "minutes": 10, "kind": "welcome"},
                   {"id": "g", "title": "Groups", "minutes": 30, "kind": "group_work"},
                   {"id": "p", "title": "Plenary", "minutes": 5, "kind": "plenary"},
                   {"id": "c", "title": "Close", "minutes": 10, "kind": "close"},
                   {"id": "x", "title": "Extra slot", "minutes": 5, "kind": "break"}],
    }
    steps = [
        (0, "assembly.loaded", None, {"definition": definition, "source": "test"}),
        (0, "participant.joined", "a", {"participant_id": "p_1", "name": "Ann"}),
        (0, "participant.joined", "b", {"participant_id": "p_2", "name": "Bob"}),
        (1 * MIN, "agenda.started", None, {"slot_id": "w", "ends_at": T0 + 11 * MIN, "minutes": 10}),
        (2 * MIN, "note.added", "a", {"note_id": "n1", "text": "one", "client_id": "1"}),
        (3 * MIN, "note.added", "a", {"note_id": "n2", "text": "two", "client_id": "2"}),
        (8 * MIN, "timer.extended", None, {"slot_id": "w", "seconds": 120, "ends_at": T0 + 13 * MIN}),
        (12 * MIN, "note.added", "b", {"note_id": "n3", "text": "three", "client_id": "3"}),
        (18 * MIN, "agenda.started", None, {"slot_id": "g", "ends_at": T0 + 48 * MIN, "minutes": 30}),
        (20 * MIN, "timer.paused", None, {"slot_id": "g", "remaining_ms": 28 * MIN}),
        (22 * MIN, "timer.resumed", None, {"slot_id": "g", "ends_at": T0 + 50 * MIN}),
        (23 * MIN, "keypoint.added", "a", {"keypoint_id": "k1", "text": "kp", "note_ids": ["n1", "n2"],
                                           "client_id": "4"}),
        (23 * MIN, "keypoint.published", "a", {"keypoint_id": "k1", "text": "kp"}),
        (45 * MIN, "agenda.started", None, {"slot_id": "p", "ends_at": T0 + 50 * MIN, "minutes": 5}),
        (46 * MIN, "response.logged", "a", {"response_id": "r1", "member": "M", "text": "We commit",
                                            "stance": "commit", "reason": None, "client_id": "5"}),
        (47 * MIN, "correction.submitted", "a", {"correction_id": "c1", "response_id": "r1",
                                                 "text": "fix", "client_id": "6"}),
        (50 * MIN, "agenda.started", None, {"slot_id": "c", "ends_at": T0 + 60 * MIN, "minutes": 10}),
        (63 * MIN, "note.added", "b", {"note_id": "n4", "text": "late", "client_id": "7"}),
    ]
    return [ev(i + 1, T0 + dt_, t, g, d, PERSON if t.startswith(("note", "participant", "correction.submitted")) else None)
            for i, (dt_, t, g, d) in enumerate(steps)]


def long_day() -> list[dict]:
    """The demo assembly over a realistic morning: notes spread over the issue groups,
    slots that overrun, a close still running when the record ends."""
    import random

    from townhall.assembly import load_demo

    rnd = random.Random(2014)
    definition = load_demo()
    steps: list[tuple] = [(0, "assembly.loaded", None, {"definition": definition, "source": "demo"}, LEAD)]
    gids = [g["id"] for g in definition["groups"]]
    people = {gid: [{"role": "participant", "id": f"p_{gid}_{i}", "name": f"Person {i} of {gid}"}
                    for i in range(6)] for gid in gids}
    for gid in gids:
        for p in people[gid]:
            steps.append((rnd.randint(0, 10 * MIN), "participant.joined", gid,
                          {"participant_id": p["id"], "name": p["name"]}, p))
    plan = [("welcome", 5), ("issue-groups", 24), ("break", 125), ("plenary-access", 140),
            ("plenary-mental-health", 155), ("plenary-young-people", 166),
            ("plenary-gender-identity", 180), ("plenary-self-care", 194), ("close", 208)]
    for slot, at in plan:
        steps.append((at * MIN, "agenda.started", None, {"slot_id": slot, "ends_at": 0, "minutes": 0}, LEAD))
    steps += [(60 * MIN, "timer.paused", None, {"slot_id": "issue-groups", "remaining_ms": 0}, LEAD),
              (65 * MIN, "timer.resumed", None, {"slot_id": "issue-groups", "ends_at": 0}, LEAD),
              (100 * MIN, "timer.extended", None, {"slot_id": "issue-groups", "seconds": 600, "ends_at": 0}, LEAD)]
    notes: dict[str, list[str]] = {gid: [] for gid in gids}
    for gi, gid in enumerate(gids):
        for k in range(12 + 4 * gi):
            at = rnd.randint(25 * MIN, 115 * MIN)
            nid = f"n_{gid}_{k}"
            notes[gid].append(nid)
            steps.append((at, "note.added", gid, {"note_id": nid, "text": f"A thought from {gid}, number {k}",
                                                  "client_id": nid}, rnd.choice(people[gid])))
            for p in rnd.sample(people[gid], rnd.randint(0, 3)):
                steps.append((at + MIN, "note.supported", gid, {"note_id": nid}, p))
        fac = {"role": "facilitator", "id": f"f_{gid}", "name": "Facilitator"}
        for k in range(2):
            kid = f"k_{gid}_{k}"
            steps.append((118 * MIN, "keypoint.added", gid, {"keypoint_id": kid, "note_ids": notes[gid][k::5][:3],
                                                             "text": f"Key point {k + 1} of {gid}",
                                                             "client_id": kid}, fac))
            steps.append((119 * MIN, "keypoint.published", gid, {"keypoint_id": kid, "text": ""}, fac))
    board = {"role": "board", "id": "board", "name": "Board"}
    stances = ["commit", "consider", "decline", "commit", "decline"]
    for gi, gid in enumerate(gids):
        rid = f"r_{gid}"
        steps.append(((146 + 14 * gi) * MIN, "response.logged", gid,
                      {"response_id": rid, "member": "Sir Malcolm", "text": f"Our answer to {gid}",
                       "stance": stances[gi], "reason": "Not in this year's budget" if stances[gi] == "decline" else None,
                       "client_id": rid}, board))
        if gi < 4:
            cid_ = f"c_{gid}"
            steps.append(((148 + 14 * gi) * MIN, "correction.submitted", gid,
                          {"correction_id": cid_, "response_id": rid, "text": "Not quite what we said",
                           "client_id": cid_}, people[gid][0]))
            if gi < 3:
                steps.append(((150 + 14 * gi) * MIN, "correction.resolved", gid,
                              {"correction_id": cid_, "response_id": rid, "outcome": ["accepted", "noted"][gi % 2]},
                              board))
    steps.append((235 * MIN, "plenary.focused", None, {"group_id": None}, LEAD))
    steps.sort(key=lambda st: st[0])
    return [ev(i + 1, T0 + at, t, g, d, a) for i, (at, t, g, d, a) in enumerate(steps)]


def test_overruns_and_still_running_are_marked():
    log = hand_built_day()
    rec = report.build(log)
    runs = {r.slot_id: r for r in rec.runs}
    assert runs["w"].actual == 17 * MIN and runs["w"].over == 7 * MIN and runs["w"].overran
    assert runs["w"].extended == 2 * MIN
    assert runs["g"].actual == 27 * MIN and not runs["g"].overran and runs["g"].paused == 2 * MIN
    assert runs["p"].actual == 5 * MIN and not runs["p"].overran
    assert runs["c"].running and runs["c"].actual == 13 * MIN and runs["c"].overran
    assert [s["id"] for s in rec.not_run] == ["x"]

    body = report.html_report(log).replace("\u00a0", " ")
    timing = section(body, "timing")
    assert "fill='#8f1d14'>+7 min</text>" in timing  # coloured and labelled in the chart
    assert "fill='#8f1d14'>+3 min</text>" in timing
    assert "<strong>+7 min over</strong>" in timing and "<strong>+3 min over</strong>" in timing  # and in numbers
    assert "\u22123 min" in timing and "paused 2 min" in timing and "2 min added" in timing
    assert "Close \u2014 still running" in timing
    assert "Extra slot" in timing[timing.index("Not run"):]
    gaps = section(body, "gaps")
    assert "Welcome overran by 7 min (planned 10 min, took 17 min)." in gaps
    assert "Close overran by 3 min" in gaps and "Close was still running" in gaps
    assert "Groups overran" not in gaps and "Plenary overran" not in gaps
    assert "Extra slot: this agenda slot never ran." in gaps
    assert "Beta: no key points were published." in gaps and "Beta: no Board response was logged." in gaps
    assert "a correction by Participant 1 was never resolved" in gaps and "Ann" not in body
    named = section(report.html_report(log, names=True), "gaps")
    assert "a correction by Ann was never resolved" in named
    assert "Test &lt;assembly&gt; &amp; co" in body and "Alpha &lt;group&gt;" in body
    assert "<group>" not in body

    # participation: notes per 10 minutes on the clock, from 09:00
    part = section(body, "participation")
    row = "<tr><th scope=row class=t>{}</th>" + "<td class=num>{}</td>" * 3 + "</tr>"
    assert row.format("09:00\u201309:10", 2, 0, 2) in part
    assert row.format("09:10\u201309:20", 0, 1, 1) in part
    assert row.format("09:20\u201309:30", 0, 0, 0) in part
    assert row.format("10:00\u201310:10", 0, 1, 1) in part and "10:10\u201310:20" not in part
    chart = re.search(r"<svg class=chart.*?</svg>", part, re.S).group(0)
    assert chart.count("<polyline") == 0 and chart.count("<circle") == 7  # few intervals: stems
    assert "Alpha &lt;group&gt; <span class=support>(2)</span>" in part


def test_a_day_with_nothing_in_it_says_so():
    body = report.html_report(hand_built_day()[:1])
    assert "The Board made no commitments." in body and "The Board declined nothing." in body
    assert "no agenda slot was started" in body and "no participant wrote a note" in body
    assert "Alpha &lt;group&gt;: no key points were published." in section(body, "gaps")


def test_report_is_deterministic():
    log = hand_built_day()
    assert report.html_report(log) == report.html_report(list(log))


# -- a data dir that cannot be read: one line, never a traceback ---------------------------


def test_garbage_database_gives_one_line(tmp_path):
    data = tmp_path / "garbage"
    data.mkdir()
    (data / "townhall.db").write_bytes(bytes(range(256)) * 40)
    for fmt in ("jsonl", "csv", "html"):
        msg = one_line_error(townhall("export", "--data-dir", str(data), "--format", fmt))
        assert str(data) in msg


def test_damaged_event_gives_one_line(tmp_path):
    data = tmp_path / "damaged"
    data.mkdir()
    db = sqlite3.connect(data / "townhall.db")
    db.executescript("CREATE TABLE events (seq INTEGER PRIMARY KEY, client_key TEXT UNIQUE, body BLOB NOT NULL);"
                     "CREATE TABLE credentials (secret TEXT PRIMARY KEY, record BLOB NOT NULL);"
                     "CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);")
    db.execute("INSERT INTO events VALUES (1, NULL, ?)", (b"\xc1 not msgpack",))
    db.commit()
    db.close()
    msg = one_line_error(townhall("export", "--data-dir", str(data), "--format", "html"))
    assert "event 1" in msg and "townhall.db" in msg


def test_empty_data_dir_gives_one_line(tmp_path):
    (tmp_path / "empty").mkdir()
    msg = one_line_error(townhall("export", "--data-dir", str(tmp_path / "empty"), "--format", "csv"))
    assert "townhall serve" in msg

"""Polls in the record of the day (CONTRACT §9): every closed poll with its question and
its result as a bar chart with the numbers beside it, in its place (the hall's, its
group's, the Board check-back beside the response it checks, the evaluation), open polls
named as gaps, and never a ballot or who cast it.

A day with polls of every kind is played through a real `townhall serve` over Socket.IO,
exported with `townhall export --format html` and read section by section; then printed
to A4 and laid out on a phone in real Chromium. Hand-built logs check what needs exact
control: ties in a ranking, and the record in another language (a catalog made here)."""

from __future__ import annotations

import asyncio
import html
import io
import json
import re

import httpx
import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.support import Translations
from markupsafe import escape

from conftest import Client, Server, cid, new_page
from test_report import MIN, T0, WIDER_THAN_THE_PAGE, ev, hand_built_day, section
from townhall import report

HOSTILE_QUESTION = 'Which first? <script>alert("q")</script> & more'
HOSTILE_OPTION = "<img src=x onerror=alert(1)>"
CHECK = "Did the Board's response reflect what we said?"


def text(fragment: str) -> str:
    """What a reader sees: tags gone, entities read, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def poll_block(body: str, question: str) -> str:
    """The poll whose question heads a block, up to the next poll or the section's end."""
    head = re.search(r"<div class='poll [a-z]+' id='poll-[^']+'><h[34] class=question dir=auto>"
                     + re.escape(str(escape(question))) + r"</h[34]>", body)
    assert head, f"no poll {question!r} in the record"
    ends = [i for i in (body.find("<div class='poll ", head.end()), body.find("</section>", head.end()))
            if i >= 0]
    return body[head.start():min(ends)]


def item_with(body: str, sid: str, said: str) -> str:
    """The list item of section `sid` that shows the response `said`."""
    items = re.findall(r"<li class=item>.*?</li>\n(?=<li class=item>|</ol>)", section(body, sid), re.S)
    found = [i for i in items if said in i]
    assert len(found) == 1, (sid, said)
    return found[0]


async def phones(srv, group: str, names: list[str]) -> list[Client]:
    return list(await asyncio.gather(*[
        Client().connect(srv.url, {"join_code": srv.token("join", group), "name": n}) for n in names]))


async def play_polls(srv: Server) -> dict:
    """Polls of every kind and place, voted and closed; two left open."""
    lead, board, fac = await asyncio.gather(*[
        Client().connect(srv.url, {"token": srv.token(role, group)})
        for role, group in (("lead", None), ("board", None), ("facilitator", "access"))])

    async def ok(c: Client, event: str, payload: dict) -> dict:
        ack = await c.call(event, payload)
        assert ack["ok"], (event, payload, ack)
        return ack

    async def poll(c: Client, **p) -> str:
        return (await ok(c, "poll.open", {"client_id": cid(), **p}))["poll_id"]

    async def votes(pid: str, voters: list[Client], choices: list) -> None:
        for v, choice in zip(voters, choices):
            await ok(v, "vote.cast", {"poll_id": pid, "choice": choice})

    await ok(lead, "agenda.start", {"slot_id": "welcome"})
    access = await phones(srv, "access", [f"Zed Voter A{i}" for i in range(4)])
    selfcare = await phones(srv, "self-care", [f"Zed Voter S{i}" for i in range(2)])
    young = await phones(srv, "young-people", [f"Zed Voter Y{i}" for i in range(3)])
    everyone = access + selfcare + young
    try:
        # The hall: a choice (one vote changed on the way), a ranking, a named show of hands.
        hall = await poll(lead, question=HOSTILE_QUESTION, kind="choice",
                          options=["Evenings", HOSTILE_OPTION, "Phones & <b>apps</b>"])
        await votes(hall, access + selfcare[:1], [0, 0, 1, 2, 0])
        await votes(hall, access[:1], [2])  # replaces its 0: Evenings 2, img 1, Phones 2
        rank = await poll(lead, question="Rank the points", kind="rank", options=["W", "X", "Y", "Z"])
        await votes(rank, access, [[0, 1, 2, 3], [1, 0], [3], [1, 0, 3, 2]])  # W 7, X 8, Y 1, Z 4
        named = await poll(lead, question="Show of hands: tea or coffee?", kind="choice",
                           options=["Tea", "Coffee"], anonymous=False)
        await votes(named, selfcare, [0, 0])
        # A group's own poll, opened by its facilitator.
        multi = await poll(fac, question="Which matter most to us?", kind="multi",
                           options=["Waiting times", "Letters", "Transport"], group_id="access")
        await votes(multi, access[:3], [[0, 2], [0], [0, 1, 2]])  # 3, 1, 2 of 3 voters
        # The Board answers young people and the room checks the answer; self-care's check
        # is still open when the record ends.
        rid = (await ok(board, "response.log", {
            "client_id": cid(), "group_id": "young-people", "member": "Prof. Keogh",
            "text": "We will fund youth councils in every area", "stance": "commit"}))["response_id"]
        check = await poll(lead, response_id=rid)
        await votes(check, young, [0, 1, 1])
        rid2 = (await ok(board, "response.log", {
            "client_id": cid(), "group_id": "self-care", "member": "Sir Malcolm",
            "text": "We will not widen personal health budgets this year", "stance": "decline",
            "reason": "It needs an Act of Parliament"}))["response_id"]
        await poll(lead, response_id=rid2)
        # The evaluation: two rating questions.
        fair = await poll(lead, question="How fair was the day?", kind="rating", purpose="evaluation")
        await votes(fair, access, [5, 4, 4, 1])  # mean 3.5
        heard = await poll(lead, question="Were you heard?", kind="rating", purpose="evaluation")
        await votes(heard, young, [5, 5, 3])  # mean 4.33
        for pid in (hall, rank, named, check, fair, heard):
            await ok(lead, "poll.close", {"poll_id": pid})
        await ok(fac, "poll.close", {"poll_id": multi})
        await poll(lead, question="Still open question?", kind="choice", options=["Yes", "No"])
        return {"people": [v.welcome["participant_id"] for v in everyone],
                "names": [f"Zed Voter {g}{i}" for g, n in (("A", 4), ("S", 2), ("Y", 3)) for i in range(n)]}
    finally:
        await asyncio.gather(*[c.close() for c in (*everyone, lead, board, fac)])


@pytest.fixture(scope="module")
def polls_day(tmp_path_factory):
    """The day played once for the module, on the embedded store."""
    srv = Server(tmp_path_factory.mktemp("polls") / "townhall").start()
    try:
        played = asyncio.run(play_polls(srv))
        out = srv.cli("export", "--format", "html")
        assert out.returncode == 0, out.stderr
        played["html"] = out.stdout
        played["log"] = [json.loads(line) for line in srv.cli("export", "--format", "jsonl").stdout.splitlines()]
        yield srv, played
    finally:
        srv.stop()


async def test_polls_in_the_record(polls_day):
    srv, played = polls_day
    body = played["html"]

    # Where each poll is: the hall's and the evaluation after the groups, before the timing.
    order = [re.search(rf"<section [^>]*id='?{s}['> ]", body).start()
             for s in ("gaps", "groups", "group-access", "group-self-care", "polls", "evaluation", "timing")]
    assert order == sorted(order)
    levels = [int(h) for h in re.findall(r"<h([1-6])\b", body)]
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), levels
    facts = text(body[:body.index("</dl>")])
    assert "Polls 7 closed; 2 still open when the record ends" in facts
    nav = body[body.index("<nav"):body.index("</nav>")]
    assert "href='#polls'" in nav and "href='#evaluation'" in nav

    # The hall's choice poll: question and options escaped, every count and share.
    hall = section(body, "polls")
    assert "<script" not in body.lower() and "<img" not in body.lower() and "<b>apps" not in body
    block = poll_block(hall, HOSTILE_QUESTION)
    assert "Which first? &lt;script&gt;alert(&#34;q&#34;)&lt;/script&gt; &amp; more" in block
    assert "&lt;img src=x onerror=alert(1)&gt;" in block and "Phones &amp; &lt;b&gt;apps&lt;/b&gt;" in block
    words = text(block)
    assert "One answer each · 5 voters" in words
    assert "Evenings 2 40%" in words and f"{HOSTILE_OPTION} 1 20%" in words
    assert "Phones & <b>apps</b> 2 40%" in words
    assert block.count("<svg class=bar") == 3  # a bar per option beside its numbers
    assert "<rect width='40.0' height='6' fill='#2b5d8a'/>" in block

    # The ranking, best first with its Borda points; the named show of hands, counts only.
    words = text(poll_block(hall, "Rank the points"))
    assert "Place Answer Points 1 X 8 2 W 7 3 Z 4 4 Y 1" in words
    assert "4 voters" in words and "The most any option could earn: 12." in words
    assert "Tea 2 100% Coffee 0 0%" in text(poll_block(hall, "Show of hands: tea or coffee?"))

    # A group's poll in its group's section, not the hall's.
    access = section(body, "group-access")
    assert "Which matter most to us?" not in hall
    words = text(poll_block(access, "Which matter most to us?"))
    assert "Any number of answers each · 3 voters" in words and "Of the voters" in words
    assert "Waiting times 3 100% Letters 1 33% Transport 2 67%" in words

    # The check-back beside the response it checks: in the list of commitments and in
    # the group's section; an open one says so there and in the gaps.
    said = "We will fund youth councils in every area"
    line = f"{CHECK} Yes 1 · Partly 2 · No 0 (3 voters)"
    assert line in text(item_with(body, "commitments", said))
    young = section(body, "group-young-people")
    article = re.search(r"<article class='response commit'.*?</article>", young, re.S).group(0)
    assert said in article and line in text(article)
    assert "Yes 1 33% Partly 2 67% No 0 0%" in text(article)
    assert CHECK not in text(section(body, "group-access")) and CHECK not in text(hall)
    declined = text(item_with(body, "declined", "We will not widen personal health budgets"))
    assert f"{CHECK} Still open when the record ends: no final result." in declined

    # The evaluation: each rating's mean and distribution.
    evaluation = section(body, "evaluation")
    words = text(poll_block(evaluation, "How fair was the day?"))
    assert "Mean rating 3.5 out of 5, from 4 voters." in words
    assert "Rating Votes Share 1 1 25% 2 0 0% 3 0 0% 4 2 50% 5 1 25%" in words
    words = text(poll_block(evaluation, "Were you heard?"))
    assert "Mean rating 4.33 out of 5, from 3 voters." in words and "3 1 33% 4 0 0% 5 2 67%" in words
    assert "How fair was the day?" not in hall

    # Open polls are gaps, linked to where they are shown.
    gaps = text(section(body, "gaps"))
    assert "The hall's poll “Still open question?” was still open when the record ends" in gaps
    assert ("Self-care and personalisation: the room's check of the response from Sir Malcolm was "
            "still open when the record ends") in gaps
    open_block = poll_block(hall, "Still open question?")
    assert "no final result" in open_block and "<table" not in open_block
    for pid in re.findall(r"<li><a href='#(poll-[^']+)'>", section(body, "gaps")):
        assert f"id='{pid}'" in body

    # Only tallies: no ballot, no voter's name, id or ballot pseudonym.
    ballots = [e for e in played["log"] if e["type"] == "vote.cast"]
    assert len(ballots) == 25
    pseudonyms = {e["actor"]["id"] for e in ballots}
    assert any(p.startswith("b_") for p in pseudonyms) and any(not p.startswith("b_") for p in pseudonyms)
    for who in pseudonyms | set(played["people"]):
        assert who not in body
    assert not re.search(r"\bb_[0-9a-f]{6,}", body)
    for name in played["names"]:
        assert name not in body
    assert "Zed Voter" not in body


async def test_the_download_is_the_same_record(polls_day):
    srv, played = polls_day
    auth = {"Authorization": f"Bearer {srv.token('organiser')}"}
    r = httpx.get(f"{srv.url}/export/report.html", headers=auth)
    assert r.status_code == 200 and r.content == played["html"].encode()


async def test_polls_print_to_a4_and_fit_a_phone(polls_day, browser, tmp_path):
    _, played = polls_day
    path = tmp_path / "polls.html"
    path.write_text(played["html"], encoding="utf-8")
    page, watch = await new_page(browser, 360, 740)
    await page.goto(path.as_uri())
    assert not await page.evaluate(WIDER_THAN_THE_PAGE)
    # Every bar is drawn, as long as its share of the row, and no wider than the screen.
    bars = await page.evaluate("""() => [...document.querySelectorAll('svg.bar')].map(s => {
        const box = s.getBoundingClientRect();
        return [box.width, box.height, s.lastElementChild.getBoundingClientRect().width];
    })""")
    assert len(bars) == 3 + 4 + 2 + 3 + 3 + 5 + 5
    for width, height, filled in bars:
        assert 100 <= width <= 330 and 4 <= height <= 12 and 0 <= filled <= width + 0.5
    pdf = await page.pdf(format="A4", print_background=True, path=str(tmp_path / "polls.pdf"))
    assert pdf.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert boxes and all(abs(float(w) - 595.3) < 1.5 and abs(float(h) - 841.9) < 1.5 for w, h in boxes)
    assert 2 <= len(boxes) <= 15, f"{len(boxes)} pages"
    assert not watch.errors and all(u.startswith("file:") for u in watch.requests), watch.requests

    from conftest import AXE

    if not AXE.exists():
        pytest.skip("axe-core missing: run make test (npm ci) first")
    await page.add_script_tag(path=str(AXE))
    result = await page.evaluate("async () => await axe.run(document)")
    bad = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
           if v["impact"] in ("serious", "critical")]
    assert not bad, bad


# -- hand-built logs: ties, nobody voting, and the record in another language -------------

def with_polls(polls: list[tuple]) -> list[dict]:
    """hand_built_day() then each (poll_id, kind, question, options, results, purpose):
    opened at 64 min, closed at 66 min (results None: left open)."""
    log = hand_built_day()
    for pid, kind, question, options, results, purpose in polls:
        log.append(ev(len(log) + 1, T0 + 64 * MIN, "poll.opened", None, {
            "poll_id": pid, "question": question, "kind": kind, "options": options, "group_id": None,
            "response_id": None, "purpose": purpose, "anonymous": True, "hide_results": False,
            "client_id": pid}))
        if results is not None:
            log.append(ev(len(log) + 1, T0 + 66 * MIN, "poll.closed", None, {"poll_id": pid, "results": results}))
    return log


def test_a_ranking_shares_places_on_a_tie_and_an_empty_poll_says_so():
    log = with_polls([
        ("poll_r", "rank", "Rank them", ["A", "B", "C", "D"], {"voters": 3, "scores": [5, 6, 5, 2]}, None),
        ("poll_e", "choice", "Anyone?", ["Yes", "No"], {"voters": 0, "counts": [0, 0]}, None)])
    t = report.tally(report.build(log).state.polls["poll_r"])
    assert [(r.option, r.value, r.place) for r in t.rows] == [("B", 6, 1), ("A", 5, 2), ("C", 5, 2), ("D", 2, 4)]
    assert t.most_points == 9 and t.rows[0].bar == pytest.approx(6 / 9)
    body = report.html_report(log)
    assert "1 B 6 2 A 5 2 C 5 4 D 2" in text(poll_block(body, "Rank them"))
    empty = poll_block(body, "Anyone?")
    assert "No one voted." in empty and "<table" not in empty and "0 voters" in text(empty)


def french() -> Translations:
    """A few sentences of a French catalog, compiled as `pybabel compile` would."""
    catalog = Catalog(locale="fr", domain="townhall")
    for en, fr in (("Commitments", "Engagements"), ("Evaluation", "Évaluation"),
                   ("%(group)s: no key points were published.", "%(group)s : aucun point clé publié."),
                   ("%(minutes)s\u00a0min", "%(minutes)s\u00a0mn")):
        catalog.add(en, fr)
    catalog.add(("Mean rating %(mean)s out of 5, from %(n)s voter.",
                 "Mean rating %(mean)s out of 5, from %(n)s voters."),
                ("Note moyenne %(mean)s sur 5, de %(n)s votant.",  # Babel's French has three forms
                 "Note moyenne %(mean)s sur 5, de %(n)s de votants.", "Note moyenne %(mean)s sur 5, de %(n)s votants."))
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf, domain="townhall")


def test_the_record_is_ready_for_other_languages():
    """The i18n step adds catalogs: sentences, plurals, numbers and dates already follow
    the language given."""
    log = with_polls([("poll_f", "rating", "Juste ?", [], {"voters": 4, "counts": [1, 0, 0, 2, 1], "mean": 3.5},
                       "evaluation")])
    body = report.html_report(log, lang="fr", translations=french())
    assert body.startswith("<!doctype html><html lang=fr>")
    assert "<h2>Engagements <span class=count>" in body and "<h2>Évaluation</h2>" in body
    assert "Note moyenne 3,5 sur 5, de 4 votants." in body  # plural and decimal comma
    assert "Beta : aucun point clé publié." in body
    assert "17 septembre 2014" in body and "7\u00a0mn" in body
    assert "25\u00a0%" in body  # Babel's French percent
    english = report.html_report(log)
    assert "Mean rating 3.5 out of 5, from 4 voters." in english and "17 September 2014" in english
    rtl = report.html_report(log, lang="ar", translations=french())
    assert rtl.startswith("<!doctype html><html lang=ar dir=rtl>")
    with pytest.raises(LookupError, match="no catalog for 'de'"):
        report.html_report(log, lang="de")

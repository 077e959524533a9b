"""Polls and votes (CONTRACT §9) on the phone and the plenary screen, in real Chromium
against a real server: a poll reaches the phone by itself, one tap votes and the screen's
bars move, a vote changes, a vote made offline is counted once, hidden results stay
hidden, a ranking by taps gives the Borda points, a check-back sits beside its response,
twelve long options fit a 720p projector whole, and the phone passes axe at 360 px.

Other ballots are cast by python-socketio participants, as in tests/test_polls.py; the
tallies are checked against the lead's snapshot (ballots never reach a client)."""

from __future__ import annotations

import asyncio
import json
import re

import pytest

from conftest import Client, Server, axe_violations, cid, new_page
from test_browser_screen_paging import ACCESS, group_points

PHONE = (360, 740)
FULL_HD = (1920, 1080)
HD = (1280, 720)
OPTIONS = ["Evening appointments", "Weekend surgeries", "Phone consultations"]


# -- helpers ----------------------------------------------------------------------------


async def phone(browser, **kw):
    """A phone of its own (its own localStorage), touch, 360 px wide."""
    context = await browser.new_context(viewport={"width": PHONE[0], "height": PHONE[1]},
                                        is_mobile=True, has_touch=True, **kw)
    page = await context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    return context, page


async def join(page, srv: Server, group: str, name: str):
    await page.goto(srv.links()["join"][group])
    await page.fill("#name", name)
    await page.click("#join-form button[type=submit]")
    await page.wait_for_function("() => window.townhall?.model != null")
    await page.wait_for_selector("#status[data-state=connected]")


async def screen(browser, srv: Server, size=FULL_HD):
    page, watch = await new_page(browser, *size)
    await page.goto(srv.links()["screen"])
    await page.wait_for_function("() => window.townhall?.model != null")
    return page, watch


async def voters(srv: Server, group: str, n: int, name: str) -> list[Client]:
    return list(await asyncio.gather(*[
        Client().connect(srv.url, {"join_code": srv.token("join", group), "name": f"{name}{i}"})
        for i in range(n)]))


async def close_all(clients) -> None:
    await asyncio.gather(*[c.close() for c in clients])


async def open_poll(lead, **payload) -> str:
    ack = await lead.call("poll.open", {"client_id": cid(), **payload})
    assert ack["ok"], ack
    return ack["poll_id"]


async def tally(srv: Server, pid: str) -> dict:
    """The results the server holds now, from a fresh lead snapshot."""
    lead = await Client().connect(srv.url, {"token": srv.token("lead")})
    try:
        return {p["id"]: p for p in lead.welcome["snapshot"]["polls"]}[pid]["results"]
    finally:
        await lead.close()


def ballots(srv: Server, pid: str) -> list[dict]:
    log = [json.loads(line) for line in srv.cli("export", "--format", "jsonl").stdout.splitlines()]
    return [e for e in log if e["type"] == "vote.cast" and e["data"]["poll_id"] == pid]


def card(page, pid: str, where: str = "#open-polls"):
    return page.locator(f"{where} .poll-block[data-poll-id='{pid}']")


async def wait_screen_counts(page, counts, timeout=15000):
    await page.wait_for_function(
        """(want) => JSON.stringify([...document.querySelectorAll('#poll:not([hidden]) #poll-chart li.poll-bar')]
             .map((li) => Number(li.dataset.count))) === JSON.stringify(want)""", arg=counts, timeout=timeout)


async def screen_rows(page) -> list[dict]:
    return await page.eval_on_selector_all("#poll-chart li.poll-bar", """lis => lis.map((li) => ({
        label: li.querySelector('.bar-label').textContent,
        value: li.querySelector('.bar-value')?.textContent ?? null,
        count: li.dataset.count ?? null, percent: li.dataset.percent ?? null, score: li.dataset.score ?? null,
        place: li.querySelector('.bar-place')?.textContent ?? null }))""")


async def without_dir_auto(page, selectors) -> list[str]:
    return await page.evaluate("""(sels) => sels.flatMap((sel) => [...document.querySelectorAll(sel)]
        .filter((n) => n.getAttribute('dir') !== 'auto').map((n) => sel + ': ' + n.textContent.slice(0, 40)))""",
                               list(selectors))


# Whole on screen: inside the viewport and every ancestor that clips (as the paging tests).
WHOLE = r"""
(sel) => [...document.querySelectorAll(sel)].flatMap((node) => {
  const r = node.getBoundingClientRect();
  const inside = (b) => r.top >= b.top - 0.5 && r.bottom <= b.bottom + 0.5 && r.left >= b.left - 0.5 && r.right <= b.right + 0.5;
  const name = node.textContent.replace(/\s+/g, ' ').trim().slice(0, 50);
  if (!node.checkVisibility() || r.width < 1 || r.height < 1) return [`${sel} not shown: ${name}`];
  if (!inside({ top: 0, left: 0, bottom: innerHeight, right: innerWidth })) return [`${sel} off screen: ${name}`];
  for (let a = node.parentElement; a && a !== document.documentElement; a = a.parentElement) {
    const cs = getComputedStyle(a);
    if (cs.overflowX === 'visible' && cs.overflowY === 'visible') continue;
    const b = a.getBoundingClientRect();
    const top = b.top + a.clientTop, left = b.left + a.clientLeft;
    if (!inside({ top, left, bottom: top + a.clientHeight, right: left + a.clientWidth })) {
      return [`${sel} clipped by ${a.id || a.className}: ${name}`];
    }
  }
  const own = getComputedStyle(node);
  const clips = own.overflowX !== 'visible' || own.overflowY !== 'visible' || own.webkitLineClamp !== 'none';
  if (clips && (node.scrollWidth > node.clientWidth + 1 || node.scrollHeight > node.clientHeight + 1)) return [`${sel} cut: ${name}`];
  return [];
})
"""


# -- one tap, the screen moves, the vote changes ------------------------------------------


async def test_one_tap_votes_the_screen_follows_and_the_vote_can_change(browser, sqlite_server, connect):
    srv = sqlite_server
    lead = await connect(srv, "lead")
    ctx, page = await phone(browser)
    await join(page, srv, "access", "Tapper")
    big, watch = await screen(browser, srv)
    others = await voters(srv, "self-care", 3, "Other")
    try:
        pid = await open_poll(lead, question="Which first?", kind="choice", options=OPTIONS)
        # The poll comes to the phone by itself, at the top of the page.
        poll = card(page, pid)
        await poll.locator(".poll-question", has_text="Which first?").wait_for()
        assert await page.locator("#polls").is_visible()
        await big.locator("#poll-question", has_text="Which first?").wait_for()
        await wait_screen_counts(big, [0, 0, 0])
        for v, c in zip(others, (0, 0, 2)):
            assert (await v.call("vote.cast", {"poll_id": pid, "choice": c}))["ok"]
        await wait_screen_counts(big, [2, 0, 1])
        # Before voting the phone shows no tally (it would sway the vote), only how many voted.
        await poll.locator(".results-wait", has_text="Results appear once you have voted").wait_for()

        await poll.get_by_role("button", name="Weekend surgeries").click()  # one tap
        await poll.locator(".poll-status", has_text="Your vote counted").wait_for()
        assert await poll.get_by_role("button", name="Weekend surgeries").get_attribute("aria-pressed") == "true"
        await wait_screen_counts(big, [2, 1, 1])
        rows = await screen_rows(big)
        assert [r["percent"] for r in rows] == ["50", "25", "25"]
        assert [r["value"] for r in rows] == ["2 · 50%", "1 · 25%", "1 · 25%"]
        assert await big.text_content("#poll-voters") == "4 voters"
        # Live results on the phone once it has voted.
        await poll.locator("li.result[data-count='1'] .result-label", has_text="Weekend surgeries").wait_for()
        assert await tally(srv, pid) == {"voters": 4, "counts": [2, 1, 1]}

        # A change of mind until the close: the old ballot is taken back, never counted twice.
        await poll.get_by_role("button", name="Phone consultations").click()
        await wait_screen_counts(big, [2, 0, 2])
        assert await poll.get_by_role("button", name="Weekend surgeries").get_attribute("aria-pressed") == "false"
        assert await poll.get_by_role("button", name="Phone consultations").get_attribute("aria-pressed") == "true"
        await poll.locator(".poll-status", has_text="Your vote counted").wait_for()
        assert await tally(srv, pid) == {"voters": 4, "counts": [2, 0, 2]}
        # A reload keeps the phone's choice (its own ballot comes back in the snapshot).
        await page.reload()
        await page.wait_for_function("() => window.townhall?.model != null")
        await card(page, pid).get_by_role("button", name="Phone consultations", pressed=True).wait_for()

        # Closed: final results on both; the phone keeps the poll, folded, under "Closed polls".
        await card(page, pid).get_by_role("button", name="Phone consultations").focus()
        assert (await lead.call("poll.close", {"poll_id": pid}))["ok"]
        await big.locator("#poll[data-state=closed] #poll-state", has_text="Final results").wait_for()
        await wait_screen_counts(big, [2, 0, 2])
        closed = card(page, pid, "#closed-polls-list")
        await closed.wait_for(state="attached")
        assert await page.locator("#closed-polls").get_attribute("open") is None
        assert await card(page, pid).count() == 0
        # Focus on its answers does not fall to the top of the page: it stays by the polls.
        assert await page.evaluate("document.activeElement.id") == "polls-heading"
        await page.click("#closed-polls > summary")
        await closed.locator(".results-title", has_text="Final results").wait_for()
        assert await closed.locator("button.vote-option").count() == 0
        assert await closed.locator(".poll-status").text_content() == "Your vote counted: Phone consultations"

        # Question and options read in their own direction; no voter is ever named.
        assert await without_dir_auto(page, [".poll-question", ".option-text", ".result-label"]) == []
        assert await without_dir_auto(big, ["#poll-question", ".bar-label"]) == []
        assert "Tapper" not in await big.locator("#poll").inner_text()
        assert "Other0" not in await big.locator("#poll").inner_text()
        assert not page.errors and not watch.errors, (page.errors, watch.errors)
    finally:
        await close_all(others)


# -- offline ------------------------------------------------------------------------------


async def test_a_vote_made_offline_is_sent_once_and_counted_once(browser, sqlite_server, connect):
    srv = sqlite_server
    lead = await connect(srv, "lead")
    ctx, page = await phone(browser)
    await join(page, srv, "access", "Offline")
    pid = await open_poll(lead, question="Which first?", kind="choice", options=OPTIONS)
    poll = card(page, pid)
    await poll.wait_for()

    await ctx.set_offline(True)
    await page.wait_for_selector("#status[data-state=reconnecting]")
    await poll.get_by_role("button", name="Evening appointments").click()
    await poll.locator(".poll-status", has_text="Saved, will be sent").wait_for()
    assert await poll.get_by_role("button", name="Evening appointments").get_attribute("aria-pressed") == "true"
    assert await page.evaluate("townhall.pending().filter((i) => i.name === 'vote.cast').length") == 1
    await page.wait_for_timeout(1000)
    assert (await tally(srv, pid))["voters"] == 0

    await ctx.set_offline(False)
    # The client retries with backoff (at most 5 s apart): allow it a few rounds.
    await poll.locator(".poll-status", has_text="Your vote counted").wait_for(timeout=30000)
    await page.wait_for_function("() => townhall.pending().length === 0")
    await page.wait_for_timeout(1500)  # room for a second send, were there one
    assert await tally(srv, pid) == {"voters": 1, "counts": [1, 0, 0]}
    assert len(ballots(srv, pid)) == 1, "sent once"
    # Live results follow once the server's tally arrives.
    await poll.locator("li.result[data-count='1'] .result-label", has_text="Evening appointments").wait_for()
    errors = [e for e in page.errors if "ERR_INTERNET_DISCONNECTED" not in e]  # the browser's own, offline
    assert not errors, errors


async def test_a_queued_vote_that_arrives_after_the_close_says_it_was_not_counted(browser, sqlite_server, connect):
    srv = sqlite_server
    lead = await connect(srv, "lead")
    ctx, page = await phone(browser)
    await join(page, srv, "access", "Late")
    pid = await open_poll(lead, question="Quick one?", kind="rating")
    poll = card(page, pid)
    await poll.wait_for()
    # Everything said in the live region, kept: a later announcement (reconnected, the
    # poll's close) may replace the one looked for before it is read.
    await page.evaluate("""() => { window.__announced = [];
        new MutationObserver(() => window.__announced.push(document.querySelector('#announce').textContent))
          .observe(document.querySelector('#announce'), { childList: true, characterData: true, subtree: true }); }""")
    await ctx.set_offline(True)
    await page.wait_for_selector("#status[data-state=reconnecting]")
    await poll.get_by_role("button", name="4").click()
    await poll.locator(".poll-status", has_text="Saved, will be sent").wait_for()
    assert (await lead.call("poll.close", {"poll_id": pid}))["ok"]
    await ctx.set_offline(False)
    closed = card(page, pid, "#closed-polls-list")
    await closed.locator(".poll-status[data-state=refused]", has_text="The poll closed before your vote arrived").wait_for(
        state="attached", timeout=30000)
    await page.wait_for_function("() => window.__announced.some((text) => text.includes('not counted'))")
    assert await page.text_content("#note-error") == "", "a refused vote is not a note's error"
    assert await tally(srv, pid) == {"voters": 0, "counts": [0, 0, 0, 0, 0], "mean": None}
    errors = [e for e in page.errors if "ERR_INTERNET_DISCONNECTED" not in e]
    assert not errors, errors


# -- hidden results ------------------------------------------------------------------------


async def test_hidden_results_show_no_counts_until_the_close(browser, sqlite_server, connect):
    srv = sqlite_server
    lead = await connect(srv, "lead")
    ctx, page = await phone(browser)
    await join(page, srv, "access", "Blind")
    big, watch = await screen(browser, srv, HD)
    others = await voters(srv, "access", 2, "H")
    try:
        pid = await open_poll(lead, question="Keep it blind?", kind="choice", options=OPTIONS, hide_results=True)
        poll = card(page, pid)
        await poll.get_by_role("button", name="Weekend surgeries").click()
        await poll.locator(".poll-status", has_text="Your vote counted").wait_for()
        for v in others:
            assert (await v.call("vote.cast", {"poll_id": pid, "choice": 1}))["ok"]
        await big.wait_for_function("() => document.querySelector('#poll-voters')?.textContent === '3 voters'")
        await poll.locator(".results-wait", has_text="3 people have voted so far").wait_for()

        for where, shows in ((page, poll), (big, big.locator("#poll"))):
            assert "Results when the poll closes" in await shows.inner_text()
            assert await shows.locator("[data-count], [data-percent], .result-value, .bar-value, .bar-fill").count() == 0
            assert "%" not in await shows.inner_text()
        # The screen still lists the options, so the hall knows what it is voting on.
        assert [r["label"] for r in await screen_rows(big)] == OPTIONS

        assert (await lead.call("poll.close", {"poll_id": pid}))["ok"]
        await wait_screen_counts(big, [0, 3, 0])
        assert "Results when the poll closes" not in await big.locator("#poll").inner_text()
        closed = card(page, pid, "#closed-polls-list")
        await closed.locator("li.result[data-count='3'] .result-label", has_text="Weekend surgeries").wait_for(
            state="attached")
        assert not page.errors and not watch.errors, (page.errors, watch.errors)
    finally:
        await close_all(others)


# -- rank by taps ----------------------------------------------------------------------------


async def test_a_ranking_by_taps_gives_the_borda_points(browser, sqlite_server, connect):
    srv = sqlite_server
    lead = await connect(srv, "lead")
    ctx, page = await phone(browser)
    await join(page, srv, "access", "Ranker")
    big, _ = await screen(browser, srv)
    other = (await voters(srv, "young-people", 1, "R"))[0]
    try:
        options = ["Weekends", "Evenings", "Phones", "Interpreters"]
        pid = await open_poll(lead, question="Put these in order", kind="rank", options=options)
        poll = card(page, pid)
        send = poll.locator("button.vote-send")
        await send.wait_for()
        assert await send.get_attribute("aria-disabled") == "true", "nothing ranked yet"
        # Tap in order of preference: each tap numbers the next place.
        for name in ("Phones", "Weekends", "Evenings"):
            await poll.locator("button.vote-option", has_text=name).click()
        await poll.get_by_role("button", name=re.compile(r"^Evenings\s*, your number 3$")).wait_for()
        nums = await poll.locator("button.vote-option").evaluate_all("bs => bs.map(b => [b.querySelector('.option-text').firstChild.textContent, b.querySelector('.rank-num').textContent])")
        assert nums == [["Weekends", "2"], ["Evenings", "3"], ["Phones", "1"], ["Interpreters", ""]]
        assert await poll.get_by_role("button", name=re.compile(r"^Phones\s*, your number 1$")).count() == 1
        # Clear starts over; tapping a numbered option takes it out again.
        await poll.get_by_role("button", name="Clear").click()
        await poll.locator("button.vote-option[aria-pressed=true]").first.wait_for(state="detached")
        assert await send.get_attribute("aria-disabled") == "true"
        for name in ("Interpreters", "Phones", "Weekends", "Evenings"):
            await poll.locator("button.vote-option", has_text=name).click()
        await poll.locator("button.vote-option", has_text="Evenings").click()  # out again
        await send.click()
        await poll.locator(".poll-status", has_text="Your vote counted").wait_for()
        # Another participant ranks two of the four (a partial ranking: the rest get none).
        assert (await other.call("vote.cast", {"poll_id": pid, "choice": [2, 1]}))["ok"]
        # Borda, 3 points for first of four: the phone [Interpreters, Phones, Weekends] gives
        # 3, 2, 1; the other [Phones, Evenings] gives 3, 2.
        want = {"voters": 2, "scores": [1, 2, 2 + 3, 3]}
        for _ in range(40):
            if await tally(srv, pid) == want:
                break
            await asyncio.sleep(0.25)
        assert await tally(srv, pid) == want
        await big.wait_for_function("""() => [...document.querySelectorAll('#poll-chart li.poll-bar')]
            .map(li => li.dataset.score).join() === '5,3,2,1'""", timeout=10000)
        rows = await screen_rows(big)
        assert [(r["place"], r["label"], r["value"]) for r in rows] == [
            ("1", "Phones", "5 points"), ("2", "Interpreters", "3 points"),
            ("3", "Evenings", "2 points"), ("4", "Weekends", "1 point")]
        # The phone, having voted, shows the same order.
        await poll.locator("li.result[data-score='5'] .result-label", has_text="Phones").wait_for()
        assert await poll.locator("li.result .result-label").evaluate_all("ns => ns.map(n => n.textContent)") == [
            "Phones", "Interpreters", "Evenings", "Weekends"]
        assert not page.errors, page.errors
    finally:
        await other.close()


async def test_a_ranking_on_the_screen_is_in_order_of_points(browser, sqlite_server, connect):
    srv = sqlite_server
    lead = await connect(srv, "lead")
    big, _ = await screen(browser, srv, HD)
    vs = await voters(srv, "access", 3, "Rk")
    try:
        pid = await open_poll(lead, question="Rank", kind="rank", options=["W", "X", "Y", "Z"])
        for v, k in zip(vs, ([1, 0, 3, 2], [1, 3], [3])):
            assert (await v.call("vote.cast", {"poll_id": pid, "choice": k}))["ok"]
        # X 3+3 = 6, Z 1+2+3 = 6, W 2, Y 0: X and Z share first place, then W, then Y.
        await big.wait_for_function("""() => [...document.querySelectorAll('#poll-chart li.poll-bar')]
            .map(li => li.dataset.score).join() === '6,6,2,0'""", timeout=10000)
        rows = await screen_rows(big)
        assert [(r["place"], r["label"], r["value"]) for r in rows] == [
            ("1", "X", "6 points"), ("1", "Z", "6 points"), ("3", "W", "2 points"), ("4", "Y", "0 points")]
        assert "a first place earns 3" in await big.text_content("#poll-note")
    finally:
        await close_all(vs)


# -- the check-back beside its response ---------------------------------------------------------


async def test_a_check_back_result_sits_beside_its_response(browser, sqlite_server, connect):
    srv = sqlite_server
    lead = await connect(srv, "lead")
    board = await connect(srv, "board")
    rid = (await board.call("response.log", {
        "client_id": cid(), "group_id": "access", "member": "Dame Anne",
        "text": "We will pilot evening appointments in three areas", "stance": "commit"}))["response_id"]
    await lead.call("plenary.focus", {"group_id": "access"})
    ctx, page = await phone(browser)
    await join(page, srv, "access", "Checker")
    octx, outsider = await phone(browser)
    await join(outsider, srv, "mental-health", "Outsider")
    big, watch = await screen(browser, srv)
    group = await voters(srv, "access", 2, "G")
    try:
        pid = await open_poll(lead, response_id=rid)  # the lead's one tap
        beside = page.locator(f"#responses li.response[data-response-id='{rid}'] .poll-block[data-poll-id='{pid}']")
        prompt = card(page, pid)
        await prompt.locator(".poll-question", has_text="Did the Board's response reflect what we said?").wait_for()
        assert "We will pilot evening appointments" in await prompt.locator(".poll-about").inner_text()
        await beside.wait_for()
        # The screen gives the check-back the main area, the response it asks about above the bars.
        await big.locator("#poll-kicker", has_text="Check-back").wait_for()
        assert "We will pilot evening appointments" in await big.text_content("#poll-about-text")

        await beside.get_by_role("button", name="Partly").click()  # voting beside the response
        await beside.locator(".poll-status", has_text="Your vote counted").wait_for()
        assert await prompt.get_by_role("button", name="Partly").get_attribute("aria-pressed") == "true"
        for v, c in zip(group, (0, 1)):
            assert (await v.call("vote.cast", {"poll_id": pid, "choice": c}))["ok"]
        await wait_screen_counts(big, [1, 2, 0])
        # Another group's phone reads the result beside the response, with nothing to tap.
        other = outsider.locator(f"#responses li.response[data-response-id='{rid}'] .poll-block")
        await other.locator("li.result[data-count='2'] .result-label", has_text="Partly").wait_for(state="attached")
        assert await other.locator("button").count() == 0
        assert await card(outsider, pid).count() == 0, "only its group is asked"

        assert (await lead.call("poll.close", {"poll_id": pid}))["ok"]
        await big.locator("#poll[data-state=closed]").wait_for()   # the final result stays a while
        await lead.call("plenary.focus", {"group_id": "access"})     # ...until the lead moves on
        item = big.locator(f"#focus-responses li.response[data-response-id='{rid}']")
        await item.locator(".checkback .cb-label", has_text="final result").wait_for()
        counts = await item.locator(".checkback li.cb-row").evaluate_all("lis => lis.map(li => [li.querySelector('.cb-opt').textContent, li.dataset.count, li.dataset.percent])")
        assert counts == [["Yes", "1", "33"], ["Partly", "2", "67"], ["No", "0", "0"]]
        assert await big.locator("#poll").is_hidden()
        # Beside the response on every phone, after the close too.
        for p in (page, outsider):
            block = p.locator(f"#responses li.response[data-response-id='{rid}'] .poll-block")
            await block.locator(".results-title", has_text="Final results").wait_for(state="attached")
            assert await block.locator("li.result").evaluate_all("lis => lis.map(li => li.dataset.count)") == ["1", "2", "0"]
        assert await without_dir_auto(big, [".cb-question", ".cb-opt"]) == []
        assert not page.errors and not outsider.errors and not watch.errors
    finally:
        await close_all(group)


# -- 720p: twelve long options whole -----------------------------------------------------------


@pytest.mark.parametrize("size", [HD, FULL_HD], ids=["720p", "1080p"])
async def test_twelve_long_options_fit_the_screen_whole(browser, sqlite_server, connect, size):
    srv = sqlite_server
    lead = await connect(srv, "lead")
    options = ACCESS + group_points("mental-health")[:4]   # twelve key points, ~140 characters
    assert len(options) == 12 and min(len(o) for o in options) > 120
    await lead.call("agenda.start", {"slot_id": "plenary-access"})
    await lead.call("timer.pause")   # the tallest header: "Paused" beside the countdown
    pid = await open_poll(lead, question="Which of these key points should the Board answer first this afternoon?",
                          kind="choice", options=options)
    vs = await voters(srv, "access", 4, "L")
    try:
        for i, v in enumerate(vs):
            assert (await v.call("vote.cast", {"poll_id": pid, "choice": i * 3}))["ok"]
        big, watch = await screen(browser, srv, size)
        await wait_screen_counts(big, [1, 0, 0] * 4)
        await big.wait_for_timeout(300)
        rows = await screen_rows(big)
        assert [r["label"] for r in rows] == options, "every option, whole, in its order"
        problems = []
        for sel in ("#poll-question", "#poll-voters", "#poll-chart li.poll-bar", ".bar-label", ".bar-value", "#countdown"):
            problems += await big.evaluate(WHOLE, sel)
        assert problems == [], problems
        # Still legible: no option smaller than 2.2vh.
        smallest = await big.evaluate("() => Math.min(...[...document.querySelectorAll('.bar-label')].map(n => parseFloat(getComputedStyle(n).fontSize)))")
        assert smallest >= 0.022 * size[1] - 0.5, smallest
        assert not watch.errors, watch.errors
    finally:
        await close_all(vs)


# -- arrival: by itself, without taking the focus -------------------------------------------------


async def test_a_poll_arrives_by_itself_without_taking_the_focus(browser, sqlite_server, connect):
    srv = sqlite_server
    lead = await connect(srv, "lead")
    ctx, page = await phone(browser)
    await join(page, srv, "access", "Writer")
    await page.click("#note-text")
    await page.keyboard.type("Half a thought about ")
    top = await page.evaluate("document.querySelector('#note-text').getBoundingClientRect().top")
    multi = await open_poll(lead, question="Which matter to you?", kind="multi", options=OPTIONS)
    await card(page, multi).wait_for(state="attached")
    await page.keyboard.type("evening clinics")
    assert await page.input_value("#note-text") == "Half a thought about evening clinics"
    assert await page.evaluate("document.activeElement.id") == "note-text"
    moved = await page.evaluate("document.querySelector('#note-text').getBoundingClientRect().top")
    assert abs(moved - top) < 2, "the field being typed in stays where it was"
    # The card arrived above, out of sight: a banner says so, and the screen reader is told.
    await page.locator("#poll-alert", has_text="Which matter to you?").wait_for()
    await page.wait_for_function("() => document.querySelector('#announce').textContent.includes('New poll: Which matter to you?')")

    choice = await open_poll(lead, question="Which first?", kind="choice", options=OPTIONS)
    await page.locator("#poll-alert", has_text="Which first?").wait_for()
    await page.click("#poll-alert-go")
    await page.locator("#poll-alert").wait_for(state="hidden")
    await page.wait_for_function("() => document.activeElement.textContent === 'Which first?'")
    # Newest first, and a count of the others.
    order = await page.eval_on_selector_all("#open-polls > .poll-block", "ns => ns.map(n => n.dataset.pollId)")
    assert order == [choice, multi]
    assert await page.text_content("#polls-more") == "Newest first, and 1 more open poll below it."
    assert await page.text_content("#polls-heading") == "Open polls (2)"

    # Multi: tap to toggle, then Send.
    m = card(page, multi)
    await m.get_by_role("button", name="Phone consultations").click()
    await m.get_by_role("button", name="Evening appointments").click()
    await m.get_by_role("button", name="Phone consultations").click()   # off again
    await m.get_by_role("button", name="Weekend surgeries").click()
    assert await tally(srv, multi) == {"voters": 0, "counts": [0, 0, 0]}, "nothing goes before Send"
    await m.get_by_role("button", name="Send my answers").click()
    await m.locator(".poll-status", has_text="Your vote counted").wait_for()
    assert await tally(srv, multi) == {"voters": 1, "counts": [1, 1, 0]}
    assert await m.locator("button.vote-send").text_content() == "Answers sent"
    # Each answer is a big target.
    sizes = await page.eval_on_selector_all(".poll-block button", "bs => bs.map(b => [b.getBoundingClientRect().width, b.getBoundingClientRect().height])")
    assert all(w >= 44 and h >= 44 for w, h in sizes), sizes
    assert await page.input_value("#note-text") == "Half a thought about evening clinics"
    assert not page.errors, page.errors


# -- accessibility ----------------------------------------------------------------------------------


async def test_no_serious_accessibility_violations_with_open_polls(browser, sqlite_server, connect):
    srv = sqlite_server
    lead = await connect(srv, "lead")
    board = await connect(srv, "board")
    ctx, page = await phone(browser, bypass_csp=True)
    await join(page, srv, "access", "Axe")
    rid = (await board.call("response.log", {"client_id": cid(), "group_id": "access", "member": "Dr Lee",
                                             "text": "We will review weekend opening", "stance": "consider"}))["response_id"]
    closed = await open_poll(lead, question="A closed one", kind="choice", options=OPTIONS)
    await lead.call("poll.close", {"poll_id": closed})
    await open_poll(lead, question="How fair was it?", kind="rating", purpose="evaluation")
    await open_poll(lead, question="Put them in order", kind="rank", options=OPTIONS)
    await open_poll(lead, question="Which matter?", kind="multi", options=OPTIONS, hide_results=True)
    await open_poll(lead, response_id=rid)
    pid = await open_poll(lead, question="Which first?", kind="choice", options=OPTIONS)
    poll = card(page, pid)
    await poll.get_by_role("button", name="Weekend surgeries").click()
    await poll.locator("li.result").first.wait_for()
    await card(page, closed, "#closed-polls-list").wait_for(state="attached")
    await page.click("#closed-polls > summary")
    rank = page.locator("#open-polls .poll-block[data-kind=rank]")
    await rank.locator("button.vote-option").first.click()
    await page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    await page.wait_for_timeout(400)
    found = await axe_violations(page)
    assert found == [], found
    # The banner, too.
    await open_poll(lead, question="One more", kind="choice", options=OPTIONS)
    await page.locator("#poll-alert").wait_for()
    await page.wait_for_timeout(600)  # the card and the banner have slid in
    found = await axe_violations(page)
    assert found == [], found
    assert not page.errors, page.errors

"""Polls (CONTRACT §9) on the staff consoles, in real Chromium against a real server: the
lead builds a ranking from the published key points in one tap and the results come in
Borda order, a check-back opened in one tap from a response sits beside it on the lead's
and the Board's tablets, the end-of-day evaluation opens three ratings at once, a
facilitator opens and closes a poll for its group, a second tap opens nothing more, and
every console passes axe and fits a portrait tablet.

Ballots are cast by python-socketio participants (real phones are tests/test_browser_polls.py)."""

from __future__ import annotations

import asyncio

from conftest import axe_violations, cid, new_page
from test_browser_consoles import LANDSCAPE, PORTRAIT, SlowUplink, clean, open_console, open_organiser, tap
from test_browser_screen_paging import ACCESS, group_points

EVALUATION = [
    "How fair was the process today? (1 = not fair at all, 5 = completely fair)",
    "How well were you heard today, in your group and in the plenary? (1 = not at all, 5 = fully)",
    "How well was the day run: the timing, the facilitation and the organisation? (1 = very badly, 5 = very well)",
]
CHECKBACK_QUESTION = "Did the Board's response reflect what we said?"


# -- helpers ------------------------------------------------------------------------------------


async def publish(lead, group: str, texts: list[str]) -> list[str]:
    """Key points added and published for `group`, in that order."""
    ids = []
    for text in texts:
        ack = await lead.call("keypoint.add", {"client_id": cid(), "group_id": group, "text": text})
        assert ack["ok"], ack
        assert (await lead.call("keypoint.publish", {"keypoint_id": ack["keypoint_id"]}))["ok"]
        ids.append(ack["keypoint_id"])
    return ids


async def log_response(lead, member: str, text: str, stance: str = "commit", group: str = "access") -> str:
    ack = await lead.call("response.log", {"client_id": cid(), "group_id": group, "member": member,
                                           "text": text, "stance": stance})
    assert ack["ok"], ack
    return ack["response_id"]


PILOT = "We will pilot same-day appointments in three areas"
INTERPRETERS = "We will look at interpreters with the CCGs"


async def phones(connect, srv, group: str, n: int, name: str = "P") -> list:
    return list(await asyncio.gather(*[connect(srv, "participant", group, name=f"{name}{i}") for i in range(n)]))


async def vote(voters, poll_id: str, choices) -> None:
    acks = await asyncio.gather(*[v.call("vote.cast", {"poll_id": poll_id, "choice": c})
                                  for v, c in zip(voters, choices)])
    assert all(a["ok"] for a in acks), acks


def borda(n: int, ballots) -> list[int]:
    scores = [0] * n
    for ballot in ballots:
        for place, i in enumerate(ballot):
            scores[i] += n - 1 - place
    return scores


async def rows(card) -> list[dict]:
    """The result rows of a poll card as drawn, in the order shown."""
    return await card.locator(".poll-row").evaluate_all("""(rows) => rows.map((r) => ({
        option: Number(r.dataset.option), count: r.dataset.count == null ? null : Number(r.dataset.count),
        percent: r.dataset.percent == null ? null : Number(r.dataset.percent),
        score: r.dataset.score == null ? null : Number(r.dataset.score),
        text: r.querySelector('.poll-opt-text').textContent}))""")


async def wait_rows(page, card, test, what: str, timeout: float = 8) -> list[dict]:
    """Until the card's rows pass `test` (results arrive at most twice a second)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        got = await rows(card)
        if test(got):
            return got
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{what}: {got}")
        await page.wait_for_timeout(100)


async def confirm(page, button_name: str) -> None:
    dialog = page.locator("dialog.confirm[open]")
    await dialog.wait_for()
    await dialog.get_by_role("button", name=button_name, exact=True).click()
    await dialog.wait_for(state="detached")


async def sideways(page) -> list:
    """The page's width beyond the viewport, and anything in main that sticks out."""
    return await page.evaluate("""() => {
        const w = document.documentElement.clientWidth;
        const out = [...document.querySelectorAll('main *')]
          .filter((n) => n.getClientRects().length && !n.closest('[hidden], .table-wrap, .link-input'))
          .filter((n) => n.getBoundingClientRect().right > w + 1)
          .map((n) => n.tagName + '.' + n.className).slice(0, 5);
        return document.documentElement.scrollWidth > w ? ['page', ...out] : out;
    }""")


# -- the lead: a ranking of the key points, and the check-back of a response ---------------------------


async def test_the_lead_ranks_the_key_points_in_one_tap_and_sees_the_borda_order(browser, sqlite_server, connect):
    srv = sqlite_server
    screen = await connect(srv, "screen")
    lead = await connect(srv, "lead")
    await publish(lead, "access", ACCESS)
    page, watch = await open_console(browser, srv.links()["lead"], LANDSCAPE)
    await page.click("#lead-poll-toggle")
    await page.click("label[for=lead-poll-kind-rank]")
    assert await page.input_value("#lead-poll-audience") == ""  # the whole hall
    await page.locator("#lead-poll-build-hint", has_text="8 key points").wait_for()
    await page.click("#lead-poll-build")  # one tap: the eight published points, in their order
    texts = await page.locator("#lead-poll-options textarea").evaluate_all("(ns) => ns.map((n) => n.value)")
    assert texts == ACCESS
    assert await page.locator("#lead-poll-pick").is_hidden()
    await page.click("#lead-poll-open")
    opened = await screen.wait_event("poll.opened", kind="rank")
    assert opened["data"]["options"] == ACCESS and opened["group_id"] is None
    assert opened["data"]["question"] == "Which of these matter most? Put them in order, the most important first."
    pid = opened["data"]["poll_id"]
    card = page.locator(f"#lead-polls-open li.poll-card[data-poll-id='{pid}']")
    await card.wait_for()

    # The hall ranks them, some only in part: the lead sees the options by Borda points.
    ballots = [[2, 0, 1], [2, 5, 0, 7], [5, 2], [0, 1, 2, 3, 4, 5, 6, 7], [7], [2, 6]]
    voters = await phones(connect, srv, "access", 3, "A") + await phones(connect, srv, "self-care", 3, "S")
    await vote(voters, pid, ballots)
    scores = borda(len(ACCESS), ballots)
    order = sorted(range(len(ACCESS)), key=lambda i: (-scores[i], i))
    got = await wait_rows(page, card, lambda r: [x["score"] for x in r] == [scores[i] for i in order], "Borda order")
    assert [x["option"] for x in got] == order
    assert [x["text"] for x in got] == [ACCESS[i] for i in order]
    assert await card.locator(".poll-row").first.locator(".poll-num").text_content() == f"{scores[order[0]]} points"
    assert await card.get_attribute("data-voters") == "6"

    # With more published than a poll takes (8 + 6), the lead chooses which twelve.
    await publish(lead, "self-care", group_points("self-care")[:6])
    await page.click("#lead-poll-toggle")
    await page.locator("#lead-poll-build-hint", has_text="14 key points").wait_for()
    await page.click("#lead-poll-build")
    picker = page.locator("#lead-poll-pick")
    await picker.wait_for()
    boxes = picker.locator("input[type=checkbox]")
    assert await boxes.count() == 14
    assert [await boxes.nth(i).is_checked() for i in range(14)] == [True] * 12 + [False] * 2
    await boxes.nth(13).click()  # a 13th: refused, next to the list
    await page.locator("#lead-poll-pick-error", has_text="at most 12").wait_for()
    assert not await boxes.nth(13).is_checked()
    await boxes.nth(1).click()  # untick one: the message is no longer true
    await page.locator("#lead-poll-pick-error").wait_for(state="hidden")
    await boxes.nth(13).click()
    texts = await page.locator("#lead-poll-options textarea").evaluate_all("(ns) => ns.map((n) => n.value)")
    self_care = group_points("self-care")
    assert texts == [ACCESS[0], *ACCESS[2:], *self_care[:4], self_care[5]]
    clean(watch)


async def test_a_check_back_in_one_tap_sits_beside_its_response_on_lead_and_board(browser, sqlite_server, connect):
    srv = sqlite_server
    screen = await connect(srv, "screen")
    lead = await connect(srv, "lead")
    await lead.call("plenary.focus", {"group_id": "access"})
    rid = await log_response(lead, "Dame Anne", PILOT)
    page, watch = await open_console(browser, srv.links()["lead"], LANDSCAPE)
    board, board_watch = await open_console(browser, srv.links()["board"], LANDSCAPE)
    await page.click("#responses-logged summary")
    item = page.locator(f"#responses li.response[data-response-id='{rid}']")
    ask = item.locator("button.checkback-open")
    assert (await ask.text_content()).strip() == "Check with the group"
    await tap(page, f"#responses li.response[data-response-id='{rid}'] button.checkback-open")
    opened = await screen.wait_event("poll.opened", response_id=rid)
    d = opened["data"]
    assert d["purpose"] == "checkback" and d["group_id"] == "access" and d["kind"] == "choice"
    assert d["question"] == CHECKBACK_QUESTION and d["options"] == ["Yes", "Partly", "No"]
    pid = d["poll_id"]
    on_lead = item.locator(f".checkback[data-poll-id='{pid}']")
    on_board = board.locator(f"#responses li.response[data-response-id='{rid}'] .checkback[data-poll-id='{pid}']")
    await on_lead.wait_for()
    await on_board.wait_for()
    # The button gives way to the result; the keyboard goes to Close.
    await ask.wait_for(state="hidden")
    await page.wait_for_function("() => document.activeElement?.classList.contains('checkback-close')")

    voters = await phones(connect, srv, "access", 3, "A")
    await vote(voters, pid, [0, 0, 1])
    for where, p in ((on_lead, page), (on_board, board)):
        got = await wait_rows(p, where, lambda x: [y["count"] for y in x] == [2, 1, 0], "check-back result")
        assert [y["text"] for y in got] == ["Yes", "Partly", "No"] and [y["percent"] for y in got] == [67, 33, 0]
        assert "3 voters" in await where.locator(".cb-voters").text_content()

    await item.locator("button.checkback-close").click()
    await confirm(page, "Close check-back")
    closed = await screen.wait_event("poll.closed", poll_id=pid)
    assert closed["data"]["results"] == {"voters": 3, "counts": [2, 1, 0]}
    await item.locator(".checkback[data-state=closed]").wait_for()
    await board.locator(f"#responses .checkback[data-poll-id='{pid}'][data-state=closed]").wait_for()
    await ask.wait_for()
    assert "again" in await ask.text_content()

    # Checked again (after a correction, say): a double tap opens one more, not two.
    await tap(page, f"#responses li.response[data-response-id='{rid}'] button.checkback-open", times=2)
    await screen.wait(lambda: len(screen.seen("poll.opened", response_id=rid)) == 2)
    again = screen.seen("poll.opened", response_id=rid)[1]["data"]["poll_id"]
    await item.locator(f".checkback[data-poll-id='{again}'][data-state=open]").wait_for()
    await board.locator(f"#responses .checkback[data-poll-id='{again}'] .cb-voters", has_text="No votes yet").wait_for()
    await page.wait_for_timeout(800)
    assert len(screen.seen("poll.opened", response_id=rid)) == 2, "a double tap opened two check-backs"
    assert not await page.locator("dialog[open]").count(), "the second tap landed on Close"
    clean(watch)
    clean(board_watch)


# -- a facilitator's poll for its group -------------------------------------------------------------


async def test_a_facilitator_opens_a_poll_for_its_group_and_closes_it(browser, sqlite_server, connect):
    srv = sqlite_server
    lead = await connect(srv, "lead")
    elsewhere = await connect(srv, "facilitator", "self-care")
    page, watch = await open_console(browser, srv.links()["facilitators"]["access"], LANDSCAPE)
    await page.click("#fac-poll-toggle")
    assert await page.locator("#fac-poll-question").evaluate("n => n === document.activeElement")
    assert "Access to services" in await page.text_content(".poll-audience-fixed")

    # Refused here first, each problem next to its field; fixed ones go at once.
    await page.click("#fac-poll-open")
    await page.locator("#fac-poll-question-error", has_text="Write the question").wait_for()
    assert await page.get_attribute("#fac-poll-question", "aria-invalid") == "true"
    assert await page.locator("#fac-poll-question").evaluate("n => n === document.activeElement")
    options = page.locator("#fac-poll-options li.poll-option")
    await options.nth(1).locator(".poll-error", has_text="Option 2 is empty").wait_for()
    await page.fill("#fac-poll-question", "Which of these should we put to the Board first?")
    await page.locator("#fac-poll-question-error").wait_for(state="hidden")
    assert await page.get_attribute("#fac-poll-question", "aria-invalid") is None
    await options.nth(0).locator("textarea").fill("Evening surgeries")
    await options.nth(1).locator("textarea").fill("evening surgeries ")
    await options.nth(1).locator(".poll-error", has_text="says the same as option 1").wait_for()
    await options.nth(1).locator("textarea").fill("Interpreters booked with the appointment")
    await options.nth(1).locator(".poll-error").wait_for(state="hidden")
    # Rows come and go; labels follow.
    await page.click("#fac-poll-add")
    await page.click("#fac-poll-add")
    assert await options.count() == 4
    assert await options.nth(3).locator("textarea").evaluate("n => n === document.activeElement")
    await options.nth(2).locator("textarea").fill("Transport from the villages")
    await options.nth(3).locator("textarea").fill("Parking")
    await options.nth(3).get_by_role("button", name="Remove option 4").click()
    assert await options.count() == 3
    assert await page.get_attribute("#fac-poll-options li.poll-option:nth-child(2) .poll-option-remove",
                                     "aria-disabled") is None
    await page.click("#fac-poll-open")
    opened = await lead.wait_event("poll.opened", question="Which of these should we put to the Board first?")
    d = opened["data"]
    assert opened["group_id"] == "access" and d["group_id"] == "access"
    assert d["kind"] == "choice" and d["anonymous"] is True and d["hide_results"] is False
    assert d["options"] == ["Evening surgeries", "Interpreters booked with the appointment",
                            "Transport from the villages"]
    pid = d["poll_id"]
    card = page.locator(f"#fac-polls-open li.poll-card[data-poll-id='{pid}']")
    await card.wait_for()
    # The keyboard lands on the new poll's Close button; the form is folded away.
    await page.wait_for_function("() => document.activeElement?.classList.contains('poll-close')")
    assert await page.get_attribute("#fac-poll-toggle", "aria-expanded") == "false"

    # The group votes; the results come in live, with counts and shares.
    voters = await phones(connect, srv, "access", 3, "A")
    await vote(voters, pid, [0, 1, 0])
    got = await wait_rows(page, card, lambda r: [x["count"] for x in r] == [2, 1, 0], "live counts")
    assert [x["percent"] for x in got] == [67, 33, 0]
    assert await card.get_attribute("data-voters") == "3"
    assert "3 voters" in await card.locator(".poll-meta").text_content()

    # A hall poll of the lead's shows too, read-only; its hidden results stay hidden here.
    hall = await lead.call("poll.open", {"client_id": cid(), "question": "Shall we take a break now?",
                                         "kind": "choice", "options": ["Yes", "No"], "hide_results": True})
    hall_card = page.locator(f"#fac-polls-open li.poll-card[data-poll-id='{hall['poll_id']}']")
    await hall_card.locator(".poll-hidden-note").wait_for()
    assert await hall_card.locator("button.poll-close").is_hidden()
    assert "Whole hall" in await hall_card.locator(".poll-kicker").text_content()

    # Close: asked first, then the final results move to the closed polls.
    await card.locator("button.poll-close").click()
    await confirm(page, "Close poll")
    closed = await lead.wait_event("poll.closed", poll_id=pid)
    assert closed["data"]["results"] == {"voters": 3, "counts": [2, 1, 0]}
    final = page.locator(f"#fac-polls-closed li.poll-card[data-poll-id='{pid}']")
    await final.wait_for()
    assert [x["count"] for x in await rows(final)] == [2, 1, 0]
    assert "Closed at" in await final.locator(".poll-state").text_content()
    await page.wait_for_function(f"() => document.activeElement?.dataset.pollId === '{pid}'")
    await page.wait_for_timeout(300)
    assert not elsewhere.seen("poll.opened", poll_id=pid), "another group's facilitator saw the poll"
    clean(watch)


async def test_a_facilitator_builds_a_ranking_from_its_published_key_points(browser, sqlite_server, connect):
    srv = sqlite_server
    lead = await connect(srv, "lead")
    await publish(lead, "access", ACCESS[:5])
    draft = await lead.call("keypoint.add", {"client_id": cid(), "group_id": "access",
                                             "text": "A draft, never published"})
    assert draft["ok"]
    await publish(lead, "self-care", group_points("self-care")[:2])  # another group's: not in it
    page, watch = await open_console(browser, srv.links()["facilitators"]["access"], LANDSCAPE)
    await page.click("#fac-poll-toggle")
    await page.click("label[for=fac-poll-kind-rank]")
    await page.locator("#fac-poll-build-hint", has_text="5 key points").wait_for()
    await page.click("#fac-poll-build")
    texts = await page.locator("#fac-poll-options textarea").evaluate_all("(ns) => ns.map((n) => n.value)")
    assert texts == ACCESS[:5]
    assert await page.input_value("#fac-poll-question") != ""
    await page.click("#fac-poll-open")
    opened = await lead.wait_event("poll.opened", kind="rank")
    assert opened["data"]["options"] == ACCESS[:5] and opened["group_id"] == "access"
    clean(watch)


# -- the end-of-day evaluation -------------------------------------------------------------------------


async def test_the_evaluation_opens_three_ratings_together_in_one_tap(browser, sqlite_server, connect):
    srv = sqlite_server
    screen = await connect(srv, "screen")
    page, watch = await open_console(browser, srv.links()["lead"], LANDSCAPE)
    await tap(page, "#lead-evaluation-button")
    await screen.wait(lambda: len(screen.seen("poll.opened", purpose="evaluation")) == 3)
    opened = screen.seen("poll.opened", purpose="evaluation")
    assert [e["data"]["question"] for e in opened] == EVALUATION
    assert all(e["data"]["kind"] == "rating" and e["group_id"] is None and e["data"]["anonymous"]
               for e in opened)
    ids = [e["data"]["poll_id"] for e in opened]
    # Shown together, in one card, in the order asked.
    card = page.locator("#lead-polls-open li.poll-card.poll-set")
    await card.wait_for()
    assert await page.locator("#lead-polls-open li.poll-card").count() == 1
    assert await card.locator(".poll-set-item").evaluate_all("(ns) => ns.map((n) => n.dataset.pollId)") == ids
    # A second set would ask the hall twice: the button waits until this one is closed.
    await page.locator("#lead-evaluation-button[aria-disabled=true]").wait_for()
    await tap(page, "#lead-evaluation-button")

    people = await phones(connect, srv, "access", 3, "A") + await phones(connect, srv, "self-care", 2, "S")
    await vote(people, ids[0], [5, 4, 4, 3, 5])
    await vote(people[:2], ids[1], [2, 3])
    first = card.locator(f".poll-set-item[data-poll-id='{ids[0]}']")
    await first.locator(".poll-mean", has_text="Mean 4.2 out of 5").wait_for()
    assert [x["count"] for x in await rows(first)] == [0, 0, 1, 2, 2]
    await card.locator(f".poll-set-item[data-poll-id='{ids[1]}'] .poll-mean", has_text="Mean 2.5").wait_for()

    await card.locator("button.poll-close").click()
    await confirm(page, "Close the evaluation")
    for pid in ids:
        await screen.wait_event("poll.closed", poll_id=pid)
    await page.locator("#lead-polls-closed li.poll-card.poll-set").wait_for()
    await page.locator("#lead-evaluation-button:not([aria-disabled])").wait_for()
    assert len(screen.seen("poll.opened", purpose="evaluation")) == 3
    clean(watch)


# -- one poll per intent --------------------------------------------------------------------------------


async def test_a_poll_tapped_again_while_its_answer_is_slow_opens_once(browser, sqlite_server, connect):
    srv = sqlite_server
    observer = await connect(srv, "lead")
    uplink = SlowUplink("poll.open")
    page, watch = await new_page(browser, *LANDSCAPE)
    await uplink.install(page)
    await page.goto(srv.links()["facilitators"]["access"])
    await page.locator("#status[data-state=connected]").wait_for()
    await page.click("#fac-poll-toggle")
    await page.fill("#fac-poll-question", "Coffee now or at eleven?")
    await page.locator("#fac-poll-options textarea").nth(0).fill("Now")
    await page.locator("#fac-poll-options textarea").nth(1).fill("At eleven")
    await tap(page, "#fac-poll-open")
    # The hall goes on meanwhile: the console redraws, the button stays busy.
    await observer.call("keypoint.add", {"client_id": cid(), "group_id": "access", "text": "Meanwhile"})
    await page.locator("#keypoints li.keypoint", has_text="Meanwhile").wait_for()
    await tap(page, "#fac-poll-open", times=2)
    await page.wait_for_timeout(300)
    assert len(uplink.held) == 1, "the page sent the same poll more than once"
    assert await page.get_attribute("#fac-poll-open", "aria-busy") == "true"
    uplink.release()
    await observer.wait_event("poll.opened", question="Coffee now or at eleven?")
    await page.locator("#fac-polls-open li.poll-card", has_text="Coffee now or at eleven?").wait_for()
    await page.wait_for_timeout(800)
    assert len(observer.seen("poll.opened")) == 1, "the same poll was opened twice"
    clean(watch)

    # The evaluation: three polls for one tap, however many taps.
    uplink = SlowUplink("poll.open")
    org, org_watch = await new_page(browser, *LANDSCAPE)
    await uplink.install(org)
    await org.goto(srv.links()["organiser"])
    await org.locator("#status[data-state=connected]").wait_for()
    await tap(org, "#org-evaluation-button")
    await tap(org, "#org-evaluation-button", times=2)
    await org.wait_for_timeout(300)
    assert len(uplink.held) == 1
    uplink.release()
    await observer.wait(lambda: len(observer.seen("poll.opened", purpose="evaluation")) == 3)
    await org.wait_for_timeout(800)
    assert len(observer.seen("poll.opened", purpose="evaluation")) == 3
    clean(org_watch)


# -- the Board sees whether the group thinks it heard right ------------------------------------------------


async def test_the_board_sees_each_check_back_beside_its_response(browser, sqlite_server, connect):
    srv = sqlite_server
    lead = await connect(srv, "lead")
    await lead.call("plenary.focus", {"group_id": "access"})
    first = await log_response(lead, "Dame Anne", PILOT)
    second = await log_response(lead, "Sir Malcolm", INTERPRETERS, "consider")
    board, watch = await open_console(browser, srv.links()["board"], LANDSCAPE)
    item = board.locator(f"#responses li.response[data-response-id='{first}']")
    await item.wait_for()
    assert await item.locator(".checkback").is_hidden()
    cb = await lead.call("poll.open", {"client_id": cid(), "response_id": first})
    box = item.locator(f".checkback[data-poll-id='{cb['poll_id']}']")
    await box.wait_for()
    assert await box.get_attribute("data-state") == "open"
    assert CHECKBACK_QUESTION in await box.text_content()
    assert await item.locator("button.checkback-open").count() == 0, "the Board only reads it"
    voters = await phones(connect, srv, "access", 4, "A")
    await vote(voters, cb["poll_id"], [0, 1, 1, 2])
    got = await wait_rows(board, box, lambda r: [x["count"] for x in r] == [1, 2, 1], "check-back counts")
    assert [x["text"] for x in got] == ["Yes", "Partly", "No"]
    assert [x["percent"] for x in got] == [25, 50, 25]
    assert await board.locator(f"#responses li[data-response-id='{second}'] .checkback").is_hidden()
    await lead.call("poll.close", {"poll_id": cb["poll_id"]})
    await item.locator(".checkback[data-state=closed] .cb-label", has_text="final result").wait_for()
    clean(watch)


# -- accessibility and a portrait tablet ---------------------------------------------------------------------


async def busy_polls(srv, connect) -> dict:
    """A day with polls in every state: key points, a response with its check-back, a
    hall ranking and a group choice with votes, one closed."""
    lead = await connect(srv, "lead")
    await publish(lead, "access", ACCESS)
    await publish(lead, "self-care", group_points("self-care")[:6])
    rid = await log_response(lead, "Dame Anne", PILOT)
    await lead.call("plenary.focus", {"group_id": "access"})
    cb = (await lead.call("poll.open", {"client_id": cid(), "response_id": rid}))["poll_id"]
    await log_response(lead, "Sir Malcolm", INTERPRETERS, "consider")  # not checked yet
    rank = (await lead.call("poll.open", {"client_id": cid(), "question": "Which matter most?", "kind": "rank",
                                          "options": ACCESS[:6]}))["poll_id"]
    group = (await lead.call("poll.open", {"client_id": cid(), "question": "Which first?", "kind": "multi",
                                           "group_id": "access",
                                           "options": ["Evenings", "Interpreters", "Transport"]}))["poll_id"]
    voters = await phones(connect, srv, "access", 3, "A")
    await vote(voters, cb, [0, 1, 1])
    await vote(voters, rank, [[0, 1, 2], [2, 1], [5]])
    await vote(voters, group, [[0, 1], [1], [2, 0]])
    await lead.call("poll.close", {"poll_id": group})
    return {"lead": lead, "response": rid, "checkback": cb, "rank": rank, "group": group}


async def test_poll_controls_pass_axe_and_fit_a_portrait_tablet(browser, sqlite_server, connect):
    srv = sqlite_server
    day = await busy_polls(srv, connect)
    found = {}
    wide = {}

    fac, fac_watch = await open_console(browser, srv.links()["facilitators"]["access"], PORTRAIT, bypass_csp=True)
    await fac.locator(f"#fac-polls-closed li.poll-card[data-poll-id='{day['group']}']").wait_for()
    await fac.click("#fac-poll-toggle")
    await fac.click("label[for=fac-poll-kind-rank]")
    await fac.click("#fac-poll-build")
    await fac.click("#fac-poll-add")
    await fac.click("#fac-poll-open")  # the empty option is refused next to it
    await fac.locator("#fac-poll-options .poll-error", has_text="is empty").wait_for()
    found["facilitator: composer"] = await axe_violations(fac)
    wide["facilitator"] = await sideways(fac)

    org, org_watch = await open_organiser(browser, srv, PORTRAIT, bypass_csp=True)
    await org.locator(f"#org-polls-open li.poll-card[data-poll-id='{day['rank']}'] .poll-row[data-score]").first.wait_for()
    await org.click("#org-poll-toggle")
    await org.click("label[for=org-poll-kind-choice]")
    await org.click("#org-poll-build")  # the whole hall: 14 published, 12 at most
    await org.locator("#org-poll-pick:not([hidden])").wait_for()
    await org.locator("#org-poll-pick input:not(:checked)").first.click()
    await org.locator("#org-poll-pick-error", has_text="at most 12").wait_for()
    found["organiser: composer"] = await axe_violations(org)
    wide["organiser"] = await sideways(org)
    await org.locator(f"#org-polls-open li.poll-card[data-poll-id='{day['rank']}'] button.poll-close").click()
    await org.locator("dialog.confirm[open]").wait_for()
    found["organiser: close dialog"] = await axe_violations(org)

    lead, lead_watch = await open_console(browser, srv.links()["lead"], PORTRAIT, bypass_csp=True)
    await lead.click("#responses-logged summary")
    await lead.locator(f"#responses .checkback[data-poll-id='{day['checkback']}'] .poll-row").first.wait_for()
    ask = lead.locator("#responses button.checkback-open").first  # the response not checked yet
    await ask.wait_for()
    await ask.scroll_into_view_if_needed()  # (axe checks a button's words where they show)
    found["lead: responses with check-backs"] = await axe_violations(lead)
    await lead.click("#lead-poll-toggle")
    await lead.select_option("#lead-poll-audience", "access")
    await lead.click("label[for=lead-poll-kind-rank]")
    await lead.click("#lead-poll-build")
    await lead.click("label[for=lead-poll-kind-rating]")
    await lead.fill("#lead-poll-question", "")
    await lead.click("#lead-poll-open")
    await lead.locator("#lead-poll-question-error:not(:empty)").wait_for()
    found["lead: composer and check-back"] = await axe_violations(lead)
    wide["lead"] = await sideways(lead)

    board, board_watch = await open_console(browser, srv.links()["board"], PORTRAIT, bypass_csp=True)
    await board.locator(f"#responses .checkback[data-poll-id='{day['checkback']}']").wait_for()
    found["board: check-back"] = await axe_violations(board)
    wide["board"] = await sideways(board)

    assert {k: v for k, v in found.items() if v} == {}
    assert {k: v for k, v in wide.items() if v} == {}
    # People's words in their own direction: questions, options, key points to pick.
    for page in (fac, org, lead, board):
        missing = await page.evaluate("""() => [...document.querySelectorAll(
            '.poll-question, .poll-opt-text, .poll-option-text, .poll-question-input, .cb-question, .poll-pick-item .user-text')]
            .filter((n) => n.getAttribute('dir') !== 'auto').map((n) => n.className)""")
        assert missing == []
    for w in (fac_watch, org_watch, lead_watch, board_watch):
        clean(w)

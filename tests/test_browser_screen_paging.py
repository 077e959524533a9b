"""The plenary screen on a real day's amounts, in real Chromium: nothing is dropped to make
room. Every key point and every Board response (with its corrections) is whole on the
screen at some moment of a page cycle, never cut; what does not fit pages, and says so.

The screen reads `?page_ms=` so these tests turn pages every PAGE_MS instead of the calm
default. Visibility is checked in the page itself, every 100 ms, against the viewport and
every ancestor that clips (see WATCH)."""

from __future__ import annotations

import asyncio
import re

import pytest

from conftest import cid, new_page

FULL_HD = (1920, 1080)
HD = (1280, 720)
PAGE_MS = 1500

# Eight key points of one group, ~140 characters each, as a facilitator would write them.
ACCESS = [
    "Same-day GP appointments for anyone who calls before ten in the morning, with a call back from a named clinician within the hour",
    "Interpreters booked automatically when the records show a first language other than English, so nobody has to bring a relative along",
    "Evening and weekend surgeries shared between neighbouring practices, so people who work shifts can be seen without losing a day's pay",
    "Step-free access and hearing loops checked every year at every surgery and pharmacy, with the results published on the practice website",
    "Letters and text reminders written in plain language, with the date, the place and what to bring in the first two lines of the message",
    "A single phone number for out-of-hours care that answers within three minutes and can book a face-to-face appointment the same night",
    "Transport to hospital appointments for people without a car in rural areas, booked together with the appointment, not by a separate call",
    "Receptionists trained to recognise urgent needs and to explain the options calmly, instead of telling people to ring back tomorrow at eight",
]

# The other four groups of the demo assembly: eight points each, built from what each
# group talked about, every one different and ~140 characters long.
TOPICS = {
    "mental-health": ("mental health", ["crisis teams", "talking therapies", "peer support workers", "school counsellors"]),
    "young-people": ("young people", ["youth clinics", "sexual health services", "transition to adult care", "online booking"]),
    "gender-identity": ("trans and non-binary patients", ["gender clinics", "GP records", "waiting lists", "staff training"]),
    "self-care": ("people managing long-term conditions", ["personal budgets", "care plans", "self-management courses", "home monitoring"]),
}
PHRASES = [
    "{what} for {who} within two weeks of referral, with a named contact who rings back when the appointment is moved or cancelled",
    "Clear information about {what} in every waiting room and online, written with {who} and checked by them again every year",
]


def group_points(group_id: str) -> list[str]:
    who, things = TOPICS[group_id]
    return [phrase.format(what=thing.capitalize(), who=who) for thing in things for phrase in PHRASES]


COMMIT = ("We commit to piloting same-day appointments with a named clinician in three areas from "
          "April, and to publishing what we learn from the pilot every quarter.")
CORRECTIONS = [
    "The group asked for this everywhere, not only in three pilot areas chosen by the Board.",
    "The call back within the hour is missing from the commitment as it was read out.",
]
CONSIDER = ("We will consider how interpreters can be booked from the records, with the "
            "clinical commissioning groups, and report back at the next assembly.")
DECLINE = "We will not fund hospital transport centrally."
REASON = ("Transport is commissioned locally; we will write to every clinical commissioning "
          "group asking them to review it against what this group found.")

# Installed in the page: every 100 ms, each element matching a watched selector is either
# not rendered, fully visible, or clipped (rendered but not wholly inside the viewport
# and every ancestor whose overflow clips). Whole-visible texts and clips are recorded,
# with the page indicators' state whenever a list shows only some of its items.
WATCH = r"""
({ selectors, lists }) => {
  const w = window.__watch = { seen: {}, clipped: [], paging: [], unlabelled: [] };
  const inside = (r, b) => r.top >= b.top - 0.5 && r.bottom <= b.bottom + 0.5
    && r.left >= b.left - 0.5 && r.right <= b.right + 0.5;
  w.state = (node) => {
    if (!node.checkVisibility({ opacityProperty: true, visibilityProperty: true })) return "hidden";
    const r = node.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) return "hidden";
    if (!inside(r, { top: 0, left: 0, bottom: innerHeight, right: innerWidth })) return "clipped by the viewport";
    for (let a = node.parentElement; a && a !== document.documentElement; a = a.parentElement) {
      const cs = getComputedStyle(a);
      if (cs.maskImage && cs.maskImage !== "none") return "clipped by a mask";
      if (cs.overflowX === "visible" && cs.overflowY === "visible") continue;
      const ar = a.getBoundingClientRect();
      const top = ar.top + a.clientTop, left = ar.left + a.clientLeft;
      if (!inside(r, { top, left, bottom: top + a.clientHeight, right: left + a.clientWidth })) {
        return `clipped by ${a.id ? "#" + a.id : a.className || a.tagName} (${Math.round(r.bottom - top - a.clientHeight)} px)`;
      }
    }
    return "visible";
  };
  const text = (node) => node.textContent.replace(/\s+/g, " ").trim();
  const sample = () => {
    for (const sel of selectors) {
      const seen = (w.seen[sel] ??= []);
      for (const node of document.querySelectorAll(sel)) {
        const s = w.state(node);
        if (s === "visible" && !seen.includes(text(node))) seen.push(text(node));
        if (s.startsWith("clipped")) w.clipped.push(`${sel}: ${text(node).slice(0, 60)}: ${s}`);
      }
    }
    // A list that shows only some of its items must say which page is up.
    for (const [items, indicator] of lists) {
      const all = [...document.querySelectorAll(items)];
      const up = all.filter((n) => w.state(n) === "visible").length;
      const ind = document.querySelector(indicator);
      if (up > 0 && up < all.length) {
        const label = ind && w.state(ind) === "visible" ? text(ind) : null;
        if (label && !w.paging.includes(label)) w.paging.push(label);
        if (!label) w.unlabelled.push(`${items}: ${up} of ${all.length} shown, no page indicator`);
      }
    }
  };
  sample();
  setInterval(sample, 100);
}
"""


async def open_screen(browser, srv, size, page_ms=PAGE_MS):
    page, watch = await new_page(browser, *size)
    await page.goto(f"{srv.links()['screen']}?page_ms={page_ms}")
    await page.wait_for_function("() => window.townhall?.model != null")
    return page, watch


async def start_watching(page, selectors, lists=()):
    await page.evaluate(WATCH, {"selectors": list(selectors), "lists": [list(x) for x in lists]})


async def seen(page, selector) -> list[str]:
    return await page.evaluate("(sel) => window.__watch.seen[sel] ?? []", selector)


async def wait_all_seen(page, selector, texts, timeout_s):
    """Every text has been whole on the screen (inside some `selector` element) at some
    moment within `timeout_s`."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        shown = await seen(page, selector)
        missing = [t for t in texts if not any(t in s for s in shown)]
        if not missing:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"never fully visible ({selector}): {[m[:50] for m in missing]}")
        await asyncio.sleep(0.25)


async def problems(page) -> dict:
    return await page.evaluate("() => ({ clipped: [...new Set(window.__watch.clipped)].slice(0, 10),"
                               " unlabelled: [...new Set(window.__watch.unlabelled)].slice(0, 10),"
                               " paging: window.__watch.paging })")


def cycle_s(pages: int) -> float:
    """One full turn of `pages` pages, with room for a busy machine."""
    return 2 * (pages + 1) * PAGE_MS / 1000 + 15


async def publish(client, group_id, texts) -> list[str]:
    ids = []
    for text in texts:
        kp = await client.call("keypoint.add", {"client_id": cid(), "group_id": group_id, "text": text})
        assert kp["ok"], kp
        pub = await client.call("keypoint.publish", {"keypoint_id": kp["keypoint_id"]})
        assert pub["ok"], pub
        ids.append(kp["keypoint_id"])
    return ids


async def log_board_responses(lead, board, group_id="access"):
    commit = await board.call("response.log", {"client_id": cid(), "group_id": group_id, "member": "Dame Anne",
                                               "text": COMMIT, "stance": "commit"})
    for text in CORRECTIONS:
        ack = await lead.call("correction.submit", {"client_id": cid(), "response_id": commit["response_id"],
                                                    "text": text})
        assert ack["ok"], ack
    await board.call("response.log", {"client_id": cid(), "group_id": group_id, "member": "Ian Dalton",
                                      "text": CONSIDER, "stance": "consider"})
    decline = await board.call("response.log", {"client_id": cid(), "group_id": group_id, "member": "Sir Malcolm",
                                                "text": DECLINE, "stance": "decline", "reason": REASON})
    assert decline["ok"], decline
    return commit["response_id"]


def pages_of(label: str) -> int:
    m = re.search(r"page (\d+) of (\d+)", label)
    assert m, f"page indicator reads {label!r}, not 'page N of M'"
    return int(m.group(2))


async def user_text_without_dir_auto(page, selectors) -> list[str]:
    return await page.evaluate("""(sels) => sels.flatMap((sel) => [...document.querySelectorAll(sel)]
        .filter((n) => n.getAttribute('dir') !== 'auto').map((n) => sel + ': ' + n.textContent.slice(0, 40)))""",
                               list(selectors))


# -- the presenting group: every point and every response, whole, by pages --------------

@pytest.mark.parametrize("size", [FULL_HD, HD], ids=["1080p", "720p"])
async def test_focus_shows_every_key_point_and_response_whole(browser, sqlite_server, connect, size):
    srv = sqlite_server
    lead = await connect(srv, "lead")
    board = await connect(srv, "board")
    await publish(lead, "access", ACCESS)
    await log_board_responses(lead, board)
    await lead.call("agenda.start", {"slot_id": "plenary-access"})
    await lead.call("plenary.focus", {"group_id": "access"})

    page, watch = await open_screen(browser, srv, size)
    await page.locator("#focus-group", has_text="Access to services").wait_for()
    await page.locator("#focus-keypoints li.keypoint").first.wait_for()
    parts = ["#focus-responses .response-main", "#focus-responses .reason", "#focus-responses li.correction"]
    await start_watching(page, ["#focus-keypoints li.keypoint", *parts, "#points-pager", "#board-pager"],
                         lists=[("#focus-keypoints li.keypoint", "#points-pager"),
                                *[(part, "#board-pager") for part in parts]])

    # Eight long points do not fit at a legible size beside the Board's column: they page.
    pages = pages_of(await page.locator("#points-pager").text_content())
    assert pages >= 2
    await wait_all_seen(page, "#focus-keypoints li.keypoint", ACCESS, cycle_s(pages))
    await wait_all_seen(page, "#focus-responses .response-main", [COMMIT, CONSIDER, DECLINE], cycle_s(pages))
    await wait_all_seen(page, "#focus-responses .reason", [REASON], cycle_s(pages))
    # The commitment's corrections were not pushed off by the decline logged after them.
    await wait_all_seen(page, "#focus-responses li.correction", CORRECTIONS, cycle_s(pages))

    found = await problems(page)
    assert found["clipped"] == [], found["clipped"]
    assert found["unlabelled"] == [], found["unlabelled"]
    assert any(re.fullmatch(r"page \d+ of \d+", label) for label in found["paging"]), found["paging"]
    body = await page.locator("body").inner_text()
    assert "earlier" not in body, "the old '(+N earlier)' hiding is back"
    # Numbers follow the facilitator's order, 1..8, on whichever page each point is.
    numbers = await page.eval_on_selector_all("#focus-keypoints .kp-num", "ns => ns.map(n => n.textContent)")
    assert numbers == [str(n) for n in range(1, 9)]

    # Organisers' and people's text reads in its own direction.
    assert await user_text_without_dir_auto(page, [
        "#focus-group", "#slot-title", ".kp-text", ".response-text", ".reason-text", ".correction-text",
        ".response-head .member", "#slot-next span"]) == []
    assert not watch.errors, watch.errors


async def test_a_newly_published_point_comes_into_view_at_once(browser, sqlite_server, connect):
    """With a slow page turn, a point published while another page is up is shown now."""
    srv = sqlite_server
    lead = await connect(srv, "lead")
    await publish(lead, "access", ACCESS)
    await lead.call("plenary.focus", {"group_id": "access"})
    page, _ = await open_screen(browser, srv, FULL_HD, page_ms=120_000)
    await page.locator("#points-pager", has_text="page 1 of").wait_for()
    await start_watching(page, ["#focus-keypoints li.keypoint"])
    late = "Pharmacists able to prescribe for minor illnesses after a short consultation, so a GP appointment is kept for those who really need one"
    await publish(lead, "access", [late])
    await wait_all_seen(page, "#focus-keypoints li.keypoint", [late], 20)
    assert "page 1 of" not in await page.locator("#points-pager").text_content()


LONG_DECLINE = (
    "We will not commit to a national standard for evening and weekend opening this year. "
    "The Board heard clearly that people who work shifts, carers and parents cannot reach "
    "their surgery in working hours, and that losing a day's pay to see a doctor is a real "
    "barrier. But opening hours are agreed with each practice under its own contract, and "
    "a national standard would need a change to that contract which we cannot make alone. "
    "What we can do is publish, for every practice, when it is open and how many "
    "appointments it offers outside working hours, so that local commissioners and "
    "patients can compare them, and ask each clinical commissioning group to tell us by "
    "the spring what it will do where the figures are worst. We will report those answers "
    "to the next assembly, group by group, and say where nothing has changed and why. "
    "We know this is less than the group asked for, and we will say so in the record of "
    "the day, and again in our reply to the next assembly.")
LONG_REASON = (
    "The contract for general practice is negotiated nationally with the profession and "
    "runs until the end of next year; changing opening hours inside it needs agreement "
    "that the Board cannot give on its own, and extra hours need money that is already "
    "allocated to other priorities this year. A standard we cannot enforce would promise "
    "something that people would not find when they rang their surgery, which would do "
    "more harm to trust than saying plainly what we can and cannot do now. We will "
    "raise the group's findings in the next round of negotiations and publish what we "
    "argued for, and we will ask commissioners to use the powers they already have where "
    "a practice offers no appointments at all outside working hours. The group's "
    "evidence about shift workers and carers will be part of that case, in its own words, "
    "and we will show the group what we put forward before it goes, so that it can tell "
    "us where we have not understood it.")


async def test_a_long_response_pages_between_its_parts_never_cut(browser, sqlite_server, connect):
    """A 1000-character decline with a 1000-character reason, after a commitment with its
    corrections, at 720p: each part is whole on the screen at some moment."""
    assert 900 < len(LONG_DECLINE) <= 1000 and 900 < len(LONG_REASON) <= 1000
    srv = sqlite_server
    lead = await connect(srv, "lead")
    board = await connect(srv, "board")
    await publish(lead, "access", ACCESS)
    await log_board_responses(lead, board)
    ack = await board.call("response.log", {"client_id": cid(), "group_id": "access", "member": "Sir Malcolm",
                                            "text": LONG_DECLINE, "stance": "decline", "reason": LONG_REASON})
    assert ack["ok"], ack
    await lead.call("plenary.focus", {"group_id": "access"})
    page, watch = await open_screen(browser, srv, HD)
    parts = ["#focus-responses .response-main", "#focus-responses .reason", "#focus-responses li.correction"]
    await page.locator("#board-pager").wait_for()
    await start_watching(page, ["#focus-keypoints li.keypoint", *parts],
                         lists=[("#focus-keypoints li.keypoint", "#points-pager"),
                                *[(part, "#board-pager") for part in parts]])
    pages = pages_of(await page.locator("#board-pager").text_content())
    await wait_all_seen(page, "#focus-responses .response-main", [COMMIT, CONSIDER, DECLINE, LONG_DECLINE],
                        cycle_s(pages))
    await wait_all_seen(page, "#focus-responses .reason", [REASON, LONG_REASON], cycle_s(pages))
    await wait_all_seen(page, "#focus-responses li.correction", CORRECTIONS, cycle_s(pages))
    await wait_all_seen(page, "#focus-keypoints li.keypoint", ACCESS, cycle_s(pages))
    found = await problems(page)
    assert found["clipped"] == [], found["clipped"]
    assert found["unlabelled"] == [], found["unlabelled"]
    assert not watch.errors, watch.errors


# -- the overview: every group's points, whole, by pages -----------------------------------

async def test_overview_pages_every_groups_points_without_cutting_any(browser, sqlite_server, connect):
    srv = sqlite_server
    lead = await connect(srv, "lead")
    texts = {"access": ACCESS, **{g: group_points(g) for g in TOPICS}}
    for group_id, points in texts.items():
        await publish(lead, group_id, points)
    await lead.call("agenda.start", {"slot_id": "issue-groups"})

    page, watch = await open_screen(browser, srv, HD)
    await page.locator("#all-keypoints li.keypoint").first.wait_for()
    await page.locator("#join img").first.wait_for()
    await start_watching(page, ["#all-keypoints li.keypoint", ".join-item", "#wall-pager"],
                         lists=[("#all-keypoints li.keypoint", "#wall-pager"), (".join-item", "#join-pager")])

    pages = pages_of(await page.locator("#wall-pager").text_content())
    every = [t for points in texts.values() for t in points]
    assert len(every) == 40
    await wait_all_seen(page, "#all-keypoints li.keypoint", every, cycle_s(pages))
    await wait_all_seen(page, ".join-item", ["Access to services", "Mental health", "Young people",
                                             "Gender identity", "Self-care"], cycle_s(pages))

    found = await problems(page)
    assert found["clipped"] == [], found["clipped"]
    assert found["unlabelled"] == [], found["unlabelled"]
    assert "earlier" not in await page.locator("body").inner_text()
    assert await user_text_without_dir_auto(page, [".kp-text", ".group-name span:first-child", ".join-name"]) == []
    assert not watch.errors, watch.errors


async def test_in_a_plenary_the_header_shrinks_and_the_wall_gains_the_room(browser, sqlite_server, connect):
    """Between presentations the hall reads every group's points from the back: the
    header keeps to one row, as while a group presents, and the wall needs fewer pages."""
    srv = sqlite_server
    lead = await connect(srv, "lead")
    texts = {"access": ACCESS, **{g: group_points(g) for g in TOPICS}}
    for group_id, points in texts.items():
        await publish(lead, group_id, points)
    assert (await lead.call("agenda.start", {"slot_id": "issue-groups"}))["ok"]
    page, watch = await open_screen(browser, srv, HD)
    await page.locator("#all-keypoints li.keypoint").first.wait_for()
    header = "() => document.querySelector('header').getBoundingClientRect().height"
    group_work = (await page.evaluate(header), pages_of(await page.locator("#wall-pager").text_content()))
    assert await page.locator(".assembly").is_visible()

    assert (await lead.call("agenda.start", {"slot_id": "plenary-access"}))["ok"]
    await page.wait_for_function("() => document.body.classList.contains('compact')")
    await page.locator("#slot-title", has_text="Plenary: Access").wait_for()
    await page.wait_for_timeout(300)
    plenary = (await page.evaluate(header), pages_of(await page.locator("#wall-pager").text_content()))
    assert plenary[0] < 0.75 * group_work[0], (group_work, plenary)
    assert plenary[1] < group_work[1], (group_work, plenary)
    # Still every point, none cut, the countdown as readable as before.
    await start_watching(page, ["#all-keypoints li.keypoint"], lists=[("#all-keypoints li.keypoint", "#wall-pager")])
    await wait_all_seen(page, "#all-keypoints li.keypoint", [t for ps in texts.values() for t in ps], cycle_s(plenary[1]))
    found = await problems(page)
    assert found["clipped"] == [] and found["unlabelled"] == [], found
    digits = await page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('#countdown')).fontSize)")
    assert digits >= 0.1 * HD[1], digits
    assert not watch.errors, watch.errors
    print(f"720p header {group_work[0]:.0f} -> {plenary[0]:.0f} px, wall {group_work[1]} -> {plenary[1]} pages")


async def test_a_card_with_many_points_uses_the_room_of_empty_ones(browser, sqlite_server, connect):
    """One group has published eight points, the others none yet: the full card is not
    squeezed into a fifth of the wall beside four empty ones."""
    srv = sqlite_server
    lead = await connect(srv, "lead")
    await publish(lead, "access", ACCESS)
    page, watch = await open_screen(browser, srv, FULL_HD)
    await page.locator("#all-keypoints li.keypoint").first.wait_for()
    await start_watching(page, ["#all-keypoints li.keypoint", "#all-keypoints li.empty"],
                         lists=[("#all-keypoints li.keypoint", "#wall-pager")])
    await wait_all_seen(page, "#all-keypoints li.keypoint", ACCESS, cycle_s(3))
    await wait_all_seen(page, "#all-keypoints li.empty", ["No key points yet"], cycle_s(3))
    found = await problems(page)
    assert not watch.errors, watch.errors
    assert found["clipped"] == [] and found["unlabelled"] == [], found
    # At least half of the eight points share the screen at once.
    most = await page.evaluate("""async () => {
        let most = 0;
        for (let i = 0; i < 40; i++) {
          most = Math.max(most, [...document.querySelectorAll('#all-keypoints li.keypoint')]
            .filter((n) => window.__watch.state(n) === 'visible').length);
          await new Promise((r) => setTimeout(r, 100));
        }
        return most;
    }""")
    assert most >= 4, most


# -- the join panel keeps paging when the header grows ------------------------------------

@pytest.mark.slow  # a one-minute slot overruns for real
async def test_join_panel_keeps_paging_when_the_header_grows_and_the_end_shows_no_time(
        browser, sqlite_server, connect):
    srv = sqlite_server
    lead = await connect(srv, "lead")
    # Not a plenary: there the header keeps to one compact row and would not grow.
    short = await lead.call("slot.add", {"client_id": cid(), "title": "Quick show of hands", "minutes": 1,
                                         "kind": "group_work", "after": None})
    assert short["ok"], short
    await lead.call("agenda.start", {"slot_id": short["slot_id"]})
    page, watch = await open_screen(browser, srv, HD)
    await page.locator("#join img").first.wait_for()
    await start_watching(page, [".join-item"], lists=[(".join-item", "#join-pager")])
    header = await page.locator("header.bar").bounding_box()

    # Let the one-minute slot overrun, then pause it: "PAUSED" appears above "+0:0x OVER".
    await page.locator("#countdown.over").wait_for(timeout=90_000)
    await lead.call("timer.pause")
    await page.locator("#countdown .cd-paused").wait_for()
    grown = await page.locator("header.bar").bounding_box()
    assert grown["height"] > header["height"] + 10, (header, grown)

    # Start afresh: since the header grew, every entry is whole when shown, and the pages
    # keep turning.
    await page.evaluate("() => { window.__watch.seen = {}; window.__watch.clipped = []; }")
    names = ["Access to services", "Mental health", "Young people", "Gender identity", "Self-care"]
    await wait_all_seen(page, ".join-item", names, cycle_s(5))
    found = await problems(page)
    assert found["clipped"] == [], found["clipped"]
    assert found["unlabelled"] == [], found["unlabelled"]
    pager = page.locator("#join-pager")
    if await pager.is_visible():
        first = await pager.text_content()
        await page.wait_for_function("(was) => document.querySelector('#join-pager').textContent !== was",
                                     arg=first, timeout=4 * PAGE_MS + 10_000)

    # agenda.end: no countdown at all, not a growing overrun.
    await lead.call("agenda.end", {})
    countdown = page.locator("#countdown")
    await page.locator("#countdown[data-state=ended]").wait_for()
    await asyncio.sleep(2.2)
    text = (await countdown.text_content()).strip()
    assert text == "Ended", text
    assert not re.search(r"\d", text)
    assert not watch.errors, watch.errors


# -- header: what is next, and the end of a slot ---------------------------------------

async def test_next_is_what_is_left_not_agenda_order(browser, sqlite_server, connect):
    srv = sqlite_server
    lead = await connect(srv, "lead")
    page, _ = await open_screen(browser, srv, FULL_HD)
    await page.locator("#slot-next", has_text="First: Welcome").wait_for()
    # Mental health presents first, then Access: Mental health must not come "next".
    await lead.call("agenda.start", {"slot_id": "plenary-mental-health"})
    await lead.call("agenda.start", {"slot_id": "plenary-access"})
    await page.locator("#slot-title", has_text="Access to services").wait_for()
    nxt = page.locator("#slot-next")
    await page.wait_for_function("() => /Young people/.test(document.querySelector('#slot-next').textContent)")
    assert "Mental health" not in await nxt.text_content()

    await lead.call("agenda.end", {})
    await page.locator("#countdown[data-state=ended]").wait_for()
    assert (await page.locator("#countdown").text_content()).strip() == "Ended"
    assert "Young people" in await nxt.text_content()


# -- §12: withdrawn responses stay, marked; unpublished points leave -------------------

async def test_withdrawn_response_stays_on_screen_marked_with_its_reason(browser, sqlite_server, connect):
    srv = sqlite_server
    lead = await connect(srv, "lead")
    board = await connect(srv, "board")
    await lead.call("plenary.focus", {"group_id": "access"})
    page, _ = await open_screen(browser, srv, FULL_HD)
    commit = await log_board_responses(lead, board)
    reason = "Logged against the wrong group: this commitment answers Mental health"
    ack = await board.call("response.withdraw", {"response_id": commit, "reason": reason})
    assert ack["ok"], ack

    item = page.locator(f"li.response[data-response-id='{commit}']")
    await item.locator(".withdrawn-badge", has_text="Withdrawn").wait_for()
    await start_watching(page, ["#focus-responses .response-main", "#focus-responses .withdrawn-note",
                                "#focus-responses li.correction"])
    await wait_all_seen(page, "#focus-responses .response-main", [COMMIT, DECLINE], cycle_s(3))
    await wait_all_seen(page, "#focus-responses .withdrawn-note", [reason], cycle_s(3))
    await wait_all_seen(page, "#focus-responses li.correction", CORRECTIONS, cycle_s(3))
    assert await item.get_attribute("class") and "withdrawn" in await item.get_attribute("class")
    struck = await item.locator(".response-text").evaluate("n => getComputedStyle(n).textDecorationLine")
    assert "line-through" in struck
    assert await item.locator(".withdrawn-reason").get_attribute("dir") == "auto"
    # The other responses are not marked.
    assert await page.locator("li.response.withdrawn").count() == 1


async def test_unpublished_points_leave_and_pages_and_numbers_follow(browser, sqlite_server, connect):
    srv = sqlite_server
    lead = await connect(srv, "lead")
    ids = await publish(lead, "access", ACCESS)
    page, _ = await open_screen(browser, srv, FULL_HD)
    await page.locator("#wall-pager").wait_for()
    await lead.call("plenary.focus", {"group_id": "access"})
    pager = page.locator("#points-pager")
    await pager.wait_for()
    assert pages_of(await pager.text_content()) >= 2
    assert not await page.locator("#wall-pager").is_visible(), "the overview's pages do not show in focus"

    # Take back five, the one shown first among them.
    first_shown = await page.evaluate("""() => [...document.querySelectorAll('#focus-keypoints li.keypoint')]
        .find((n) => !n.hidden).dataset.keypointId""")
    gone = [first_shown] + [k for k in ids if k != first_shown][:4]
    for kp in gone:
        ack = await lead.call("keypoint.unpublish", {"keypoint_id": kp})
        assert ack["ok"], ack
    for kp in gone:
        await page.locator(f"[data-keypoint-id='{kp}']").wait_for(state="detached", timeout=5000)

    left = [t for k, t in zip(ids, ACCESS) if k not in gone]
    await pager.wait_for(state="hidden")
    await start_watching(page, ["#focus-keypoints li.keypoint"])
    await wait_all_seen(page, "#focus-keypoints li.keypoint", left, 5)
    numbers = await page.eval_on_selector_all("#focus-keypoints .kp-num", "ns => ns.map(n => n.textContent)")
    assert numbers == ["1", "2", "3"]
    visible = await page.evaluate("""() => [...document.querySelectorAll('#focus-keypoints li.keypoint')]
        .filter((n) => window.__watch.state(n) === 'visible').length""")
    assert visible == 3, "three points fit on one page: all at once, no paging"

"""The participant app on real phones' screens, in real Chromium: what broke when the day
was used for real (rotated links, a paused overrun on a narrow screen, right-to-left text,
numbering, withdrawn responses, long pastes, long unbroken words).

Phones: 320×568 (small), 360×740, 414×896 and a phone on its side, 740×360."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from conftest import Server, axe_violations, cid

PHONES = {"320": (320, 568), "360": (360, 740), "414": (414, 896), "landscape": (740, 360)}
OVER_COLOUR = "rgb(179, 38, 30)"  # base.css --over


async def phone(browser, size="360", **kw):
    """A new phone (its own localStorage): a mobile, touch viewport of that size."""
    width, height = PHONES[size]
    context = await browser.new_context(viewport={"width": width, "height": height},
                                        is_mobile=True, has_touch=True, **kw)
    errors: list[str] = []

    async def open_page(url=None):
        page = await context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        if url:
            await page.goto(url)
        return page

    context.open_page = open_page
    context.errors = errors
    return context


async def connected(page):
    await page.wait_for_function("() => window.townhall?.model != null")


async def join(page, url, name):
    await page.goto(url)
    await page.fill("#name", name)
    await page.click("#join-form button[type=submit]")
    await connected(page)


def current_links(srv: Server) -> dict:
    """`townhall links --json` now (srv.links() keeps the first answer: stale after a rotation)."""
    out = srv.cli("links", "--base-url", srv.url, "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


async def no_sideways_scroll(page, width):
    sizes = await page.evaluate(
        "() => [document.scrollingElement.scrollWidth, window.innerWidth, document.documentElement.clientWidth]")
    wide = await page.evaluate("""(width) => [...document.querySelectorAll('body *')]
        .filter((n) => n.getBoundingClientRect().right > width + 0.5 && n.getClientRects().length)
        .slice(0, 5).map((n) => n.tagName + '.' + n.getAttribute('class') + ' ' + Math.round(n.getBoundingClientRect().right))""",
                               width)
    assert sizes[0] <= sizes[1] and sizes[0] <= width, f"page is {sizes[0]} px wide on a {width} px phone: {wide}"


# -- 1. a rotated join code ------------------------------------------------------------------


async def test_rotated_link_resumes_the_same_person_with_drafts_and_queued_notes(
        browser, sqlite_server, connect):
    srv = sqlite_server
    organiser = await connect(srv, "organiser")
    old_url = srv.links()["join"]["access"]
    ctx = await phone(browser)
    page = await ctx.open_page()
    await join(page, old_url, "Amal")
    pid = await page.evaluate("townhall.model.participantId")

    ack = await organiser.call("joincode.rotate", {"group_id": "access"})
    assert ack["ok"], ack
    new_url = current_links(srv)["join"]["access"]
    assert new_url != old_url

    # The venue's server goes down; the phone queues a note and keeps a half-written one.
    srv.kill()
    await page.wait_for_selector("#status[data-state=reconnecting]")
    await page.fill("#note-text", "Queued while the server was down")
    await page.click("#note-form button[type=submit]")
    await page.wait_for_function(
        "() => document.querySelector('#status').textContent.includes('saved and will be sent')")
    await page.fill("#note-text", "Half-written, not sent yet")
    await page.wait_for_timeout(600)  # the draft is kept a moment after typing stops
    await page.close()

    srv.start()
    lead = await connect(srv, "lead")
    page = await ctx.open_page()
    await page.goto(old_url)  # the phone's browser reopens the old link (its kept copy)
    assert httpx.get(old_url).status_code == 404  # a stranger is told it is not valid
    await connected(page)
    assert await page.evaluate("townhall.model.participantId") == pid
    assert await page.locator("#join").is_hidden()
    assert await page.locator("#unknown-link").is_hidden()
    assert await page.input_value("#note-text") == "Half-written, not sent yet"
    await lead.wait_event("note.added", text="Queued while the server was down", timeout=20)
    await page.locator("#notes li.note .note-text", has_text="Queued while the server was down").wait_for()
    await page.wait_for_function("() => townhall.pending().length === 0")

    # The same phone scans the table's new QR code: still Amal, not a second Amal.
    page2 = await ctx.open_page(new_url)
    await connected(page2)
    assert await page2.evaluate("townhall.model.participantId") == pid
    assert await page2.locator("#join").is_hidden()
    assert await page2.input_value("#note-text") == "Half-written, not sent yet"
    await page2.reload()
    await connected(page2)
    assert await page2.evaluate("townhall.model.participantId") == pid

    log = (await lead.call("sync", {"since": 0}))["events"]
    assert [e["type"] for e in log if e["type"] == "note.added"
            and e["data"]["text"] == "Queued while the server was down"] == ["note.added"]
    assert len([e for e in log if e["type"] == "participant.joined"
                and e["data"]["name"] == "Amal"]) == 1
    assert not ctx.errors, ctx.errors


async def test_a_stranger_on_a_replaced_link_cannot_join(browser, sqlite_server, connect):
    srv = sqlite_server
    organiser = await connect(srv, "organiser")
    old_url = srv.links()["join"]["access"]
    await organiser.call("joincode.rotate", {"group_id": "access"})

    ctx = await phone(browser, "320")
    page = await ctx.open_page()
    response = await page.goto(old_url)
    assert response.status == 404
    await page.locator("#unknown-link h1", has_text="This join link is not valid").wait_for()
    await page.wait_for_timeout(500)  # the module has run
    assert await page.locator("#join").is_hidden()
    assert await page.locator("#name").is_hidden()
    assert await page.locator("#topbar").is_hidden()
    assert await page.evaluate("window.townhall ?? null") is None

    # The new code names its group on the join page.
    await page.goto(current_links(srv)["join"]["access"])
    await page.locator("#join-form").wait_for()
    assert (await page.text_content("#join-group")).strip() == "Access to services"
    assert await page.locator("#unknown-link").is_hidden()
    assert not ctx.errors, ctx.errors


async def test_a_refused_token_on_a_replaced_link_says_the_link_is_not_valid(
        browser, sqlite_server, connect):
    """The phone holds a token the server no longer knows (say, a new day in the data
    dir) for a code that was replaced: there is no group to join from this link."""
    srv = sqlite_server
    organiser = await connect(srv, "organiser")
    old_url = srv.links()["join"]["access"]
    old_code = old_url.rsplit("/", 1)[1]
    ctx = await phone(browser)
    page = await ctx.open_page()
    await join(page, old_url, "Noor")
    await organiser.call("joincode.rotate", {"group_id": "access"})

    for keep_name in (True, False):
        await page.evaluate("""([code, keepName]) => {
            for (const key of [`townhall:participant:${code}`, 'townhall:group:access']) {
                const id = JSON.parse(localStorage.getItem(key) ?? '{}');
                id.token = 'no-longer-known-' + 'x'.repeat(24);
                if (!keepName) delete id.name;
                localStorage.setItem(key, JSON.stringify(id));
            }
        }""", [old_code, keep_name])
        await page.reload()
        await page.locator("#unknown-link h1", has_text="This join link is not valid").wait_for(timeout=15000)
        assert await page.locator("#join").is_hidden()
        assert await page.locator("#name").is_hidden()
        assert await page.locator("#refused").is_hidden()
        assert await page.locator("#sec-notes").is_hidden()
    assert not ctx.errors, ctx.errors


# -- 2 and 6. the top bar and long text on narrow screens --------------------------------------

LONG_GROUP = ("Improving access to general practice and community services for people "
              "who work shifts or nights")
LONG_SLOT = ("Issue groups, second round: agree the key points your representatives will "
             "present to the Board in the plenary session")

ASSEMBLY = f'''
title = "Assembly with long names"
[[groups]]
id = "long"
name = "{LONG_GROUP}"
[[groups]]
id = "other"
name = "Mental health"
[[agenda]]
id = "short"
title = "{LONG_SLOT}"
minutes = 1
kind = "group_work"
[[agenda]]
id = "later"
title = "Plenary"
minutes = 30
kind = "plenary"
group_id = "long"
'''


async def top_bar_figures(page):
    return await page.evaluate("""() => {
        const bar = document.querySelector('#topbar').getBoundingClientRect();
        const tabs = document.querySelector('#tabbar').getBoundingClientRect();
        const rect = (sel) => document.querySelector(sel).getBoundingClientRect();
        const apart = (a, b) => a.right <= b.left + 0.5 || b.right <= a.left + 0.5
            || a.bottom <= b.top + 0.5 || b.bottom <= a.top + 0.5;
        const inside = (r) => r.left >= bar.left - 0.5 && r.right <= bar.right + 0.5
            && r.top >= bar.top - 0.5 && r.bottom <= bar.bottom + 0.5;
        const parts = ['#group-name', '.topbar .slot-title', '#countdown', '#status'];  // the boxes that clip
        const paused = document.querySelector('#paused');
        if (paused && !paused.hidden) parts.push('#paused');
        const rects = parts.map(rect);
        const overlaps = [];
        for (let i = 0; i < parts.length; i++) for (let j = i + 1; j < parts.length; j++) {
            if (!apart(rects[i], rects[j])) overlaps.push(parts[i] + ' / ' + parts[j]);
        }
        return {bar: bar.height, tabs: tabs.height, height: innerHeight, overlaps,
                outside: parts.filter((p, i) => !inside(rects[i])),
                countdown: document.querySelector('#countdown').textContent,
                pausedShown: Boolean(paused && !paused.hidden && paused.offsetParent)};
    }""")


@pytest.mark.slow  # a one-minute slot overruns for real
async def test_top_bar_stays_compact_with_long_names_and_a_paused_overrun(browser, tmp_path, connect):
    (tmp_path / "assembly.toml").write_text(ASSEMBLY, encoding="utf-8")
    srv = Server(tmp_path / "data", assembly=str(tmp_path / "assembly.toml")).start()
    try:
        lead = await connect(srv, "lead")
        assert (await lead.call("agenda.start", {"slot_id": "short"}))["ok"]
        url = srv.links()["join"]["long"]
        pages = {}
        for size, (width, height) in PHONES.items():
            ctx = await phone(browser, size)
            page = await ctx.open_page(url)
            # The join page names the long group and fits the screen.
            await page.locator("#join-form").wait_for()
            assert (await page.text_content("#join-group")).strip() == LONG_GROUP
            await no_sideways_scroll(page, width)
            await page.fill("#name", f"Ola {size}")
            await page.click("#join-form button[type=submit]")
            await connected(page)
            await page.wait_for_selector("#status[data-state=connected]")
            pages[size] = page

        async def check(state):
            for size, page in pages.items():
                width, height = PHONES[size]
                f = await top_bar_figures(page)
                where = f"{state} at {width}×{height}: {f}"
                print(f"{state} at {width}×{height}: top bar {f['bar']:.0f} px, jump links {f['tabs']:.0f} px, "
                      f"{height - f['bar'] - f['tabs']:.0f} px between")
                assert f["overlaps"] == [] and f["outside"] == [], where
                limit = 0.25 if height > width else 0.2
                assert f["bar"] <= limit * height, where
                # What is left between the bars for reading and writing.
                assert height - f["bar"] - f["tabs"] >= (0.6 if height > width else 0.55) * height, where
                await no_sideways_scroll(page, width)
                assert await page.evaluate("document.querySelector('#group-name').textContent") == LONG_GROUP

        await check("running")
        # Let the one-minute slot overrun for real, then pause it.
        await pages["360"].locator("#countdown.over").wait_for(timeout=75000)
        await pages["360"].wait_for_timeout(2500)
        assert (await lead.call("timer.pause"))["ok"]
        for page in pages.values():
            await page.wait_for_function("() => townhall.model.timer.status === 'paused'")
            await page.wait_for_timeout(150)
            text = await page.text_content("#countdown")
            assert text.startswith("+0:") and text.endswith("over"), text
            assert await page.locator("#paused").is_visible()
            assert "Paused" in await page.text_content("#paused")
        await check("paused over time")
        # The connection drops with a note waiting: the status says so in full, on a line
        # of its own, and the bar still fits.
        srv.kill()
        for page in pages.values():
            await page.wait_for_selector("#status[data-state=reconnecting]")
            await page.fill("#note-text", "Written while the Wi-Fi was down")
            await page.click("#note-form button[type=submit]")
            await page.locator("#status", has_text="saved and will be sent").wait_for()
        await check("reconnecting with a note waiting")
    finally:
        srv.stop()


LONG_URL = "https://www.example.org/" + "consultation/" * 12 + "?ref=" + "a1b2c3" * 20
LONG_WORD = "Rechtsschutzversicherungsgesellschaften" * 4
LONG_NAME = "X" * 60


async def test_nothing_scrolls_sideways_with_long_unbroken_text(browser, sqlite_server, connect):
    srv = sqlite_server
    fac = await connect(srv, "facilitator", "access")
    board = await connect(srv, "board")
    ctx = await phone(browser, "320")
    page = await ctx.open_page()
    await join(page, srv.links()["join"]["access"], LONG_NAME)
    await page.fill("#note-text", f"See {LONG_URL}")
    await page.click("#note-form button[type=submit]")
    await fac.call("note.add", {"client_id": cid(), "text": LONG_WORD})
    kp = await fac.call("keypoint.add", {"client_id": cid(), "text": LONG_URL})
    await fac.call("keypoint.publish", {"keypoint_id": kp["keypoint_id"]})
    r = await board.call("response.log", {"client_id": cid(), "group_id": "access", "member": LONG_NAME,
                                          "text": LONG_URL, "stance": "decline", "reason": LONG_WORD})
    await fac.call("correction.submit", {"client_id": cid(), "response_id": r["response_id"],
                                         "text": LONG_WORD})
    await page.locator("#notes .note-text", has_text=LONG_WORD).wait_for()
    await page.locator("#notes .note-text", has_text=LONG_URL).wait_for()
    await page.locator("#keypoints li", has_text="consultation").wait_for()
    await page.locator("#responses .correction-text", has_text=LONG_WORD).wait_for()
    await no_sideways_scroll(page, 320)
    await page.locator("#responses button.suggest").click()
    await page.locator("#responses textarea").fill(LONG_URL)
    await no_sideways_scroll(page, 320)
    assert not ctx.errors, ctx.errors


# -- 3. right-to-left text ----------------------------------------------------------------------

ARABIC_NOTE = "نحتاج إلى مواعيد مسائية في العيادة"
HEBREW_RESPONSE = "נשקול הרחבה של שעות הפעילות"


async def test_peoples_text_takes_its_own_direction(browser, sqlite_server, connect):
    srv = sqlite_server
    fac = await connect(srv, "facilitator", "access")
    board = await connect(srv, "board")
    ctx = await phone(browser)
    page = await ctx.open_page(srv.links()["join"]["access"])
    await page.locator("#join-form").wait_for()
    assert await page.get_attribute("#name", "dir") == "auto"
    assert await page.get_attribute("#join-group", "dir") == "auto"
    await page.fill("#name", "سلمى")
    await page.click("#join-form button[type=submit]")
    await connected(page)

    await page.fill("#note-text", ARABIC_NOTE)
    await page.click("#note-form button[type=submit]")
    await fac.call("note.add", {"client_id": cid(), "text": "Evening appointments, please"})
    kp = await fac.call("keypoint.add", {"client_id": cid(), "text": "مواعيد مسائية"})
    await fac.call("keypoint.publish", {"keypoint_id": kp["keypoint_id"]})
    declined = await board.call("response.log", {
        "client_id": cid(), "group_id": "access", "member": "דנה", "text": HEBREW_RESPONSE,
        "stance": "decline", "reason": "אין תקציב"})
    withdrawn = await board.call("response.log", {
        "client_id": cid(), "group_id": "access", "member": "Sam", "text": "We will open on Sundays",
        "stance": "commit"})
    await board.call("response.withdraw", {"response_id": withdrawn["response_id"],
                                           "reason": "נרשם בטעות"})
    await fac.call("correction.submit", {"client_id": cid(), "response_id": declined["response_id"],
                                         "text": "لم نقل ذلك"})
    await page.locator("#notes .note-text", has_text=ARABIC_NOTE).wait_for()
    await page.locator("#responses .correction-text").wait_for()
    await page.locator("#responses li.withdrawn .withdrawn-reason").wait_for()
    await page.locator("#responses li.response:not(.withdrawn) button.suggest").click()

    selectors = ["#group-name", "#note-text", "#notes .note-text", "#notes .note-author",
                 "#keypoints .keypoint-text", "#responses .response-text", "#responses .member",
                 "#responses .reason-text", "#responses .withdrawn-reason", "#responses .correction-text",
                 "#responses .correction-form textarea", "#slot-title", "#info-pack > *"]
    missing = await page.evaluate("""(selectors) => selectors.flatMap((sel) => {
        const found = [...document.querySelectorAll(sel)];
        if (!found.length) return [sel + ': none on the page'];
        return found.filter((n) => n.getAttribute('dir') !== 'auto').map((n) => sel + ': ' + n.outerHTML.slice(0, 80));
    })""", selectors)
    assert missing == []

    direction = "(sel) => getComputedStyle(document.querySelector(sel)).direction"
    arabic = page.locator("#notes .note-text", has_text=ARABIC_NOTE)
    assert await arabic.evaluate("(n) => getComputedStyle(n).direction") == "rtl"
    english = page.locator("#notes .note-text", has_text="Evening appointments")
    assert await english.evaluate("(n) => getComputedStyle(n).direction") == "ltr"
    hebrew = page.locator("#responses .response-text", has_text=HEBREW_RESPONSE)
    assert await hebrew.evaluate("(n) => getComputedStyle(n).direction") == "rtl"
    # The Arabic note starts at the right edge of its card, as Arabic is read.
    box = await arabic.evaluate("""(n) => { const r = document.createRange(); r.selectNodeContents(n);
        const t = r.getBoundingClientRect(), p = n.getBoundingClientRect();
        return [p.right - t.right, t.left - p.left]; }""")
    assert box[0] < 2 and box[1] > 20, box
    # The text boxes too: Arabic typed into them runs right to left.
    await page.fill("#note-text", ARABIC_NOTE)
    assert await page.evaluate(direction, "#note-text") == "rtl"
    await page.fill("#note-text", "")
    assert not ctx.errors, ctx.errors


# -- 4. the join page, numbered key points, outcomes explained, over-long text ---------------------


async def test_join_page_names_the_group_plainly(browser, sqlite_server):
    ctx = await phone(browser, "320")
    page = await ctx.open_page(sqlite_server.links()["join"]["mental-health"])
    await page.locator("#join-form").wait_for()
    group = page.locator("#join-group")
    assert await group.is_visible()
    assert (await group.text_content()).strip() == "Mental health"
    style = await group.evaluate("""(n) => { const s = getComputedStyle(n), b = getComputedStyle(document.body);
        return [Number(s.fontWeight), parseFloat(s.fontSize), parseFloat(b.fontSize)]; }""")
    assert style[0] >= 600 and style[1] > style[2], style   # it stands out, not body text
    # The name goes where the group will be: said before the name is asked.
    order = await page.evaluate("""() => document.querySelector('#join-group')
        .compareDocumentPosition(document.querySelector('#name')) & Node.DOCUMENT_POSITION_FOLLOWING""")
    assert order
    # The form is named for the group it joins.
    await page.get_by_role("form", name=re.compile("Mental health")).wait_for()
    assert not ctx.errors, ctx.errors


async def numbered(page, scope):
    return await page.evaluate("""(scope) => [...document.querySelectorAll(scope)].map((li) =>
        [li.querySelector('.kp-num').textContent.trim(), (li.querySelector('.keypoint-text, .kp-text')).textContent])""",
                               scope)


async def test_key_points_are_numbered_as_on_the_screen(browser, sqlite_server, connect):
    srv = sqlite_server
    fac = await connect(srv, "facilitator", "access")
    other = await connect(srv, "facilitator", "mental-health")
    lead = await connect(srv, "lead")
    ids = {}
    for text in ("Evening appointments", "Interpreters on request", "A draft not yet agreed",
                 "Step-free entrances"):
        ids[text] = (await fac.call("keypoint.add", {"client_id": cid(), "text": text}))["keypoint_id"]
    for text in ("Evening appointments", "Interpreters on request", "Step-free entrances"):
        assert (await fac.call("keypoint.publish", {"keypoint_id": ids[text]}))["ok"]
    order = [ids[t] for t in ("Step-free entrances", "A draft not yet agreed", "Interpreters on request",
                              "Evening appointments")]
    assert (await fac.call("keypoint.order", {"keypoint_ids": order}))["ok"]
    mh = []
    for text in ("Crisis care at night", "Peer support groups"):
        mh.append((await other.call("keypoint.add", {"client_id": cid(), "text": text}))["keypoint_id"])
        await other.call("keypoint.publish", {"keypoint_id": mh[-1]})

    ctx = await phone(browser)
    page = await ctx.open_page()
    await join(page, srv.links()["join"]["access"], "Kofi")
    screen = await (await browser.new_context(viewport={"width": 1920, "height": 1080})).new_page()
    await screen.goto(srv.links()["screen"])
    await connected(screen)

    access = [["1", "Step-free entrances"], ["2", "Interpreters on request"], ["3", "Evening appointments"]]
    await page.locator("#keypoints li.keypoint", has_text="Peer support").wait_for()
    await screen.locator("#all-keypoints [data-group-id='access'] li.keypoint").nth(2).wait_for()
    phone_access = await numbered(page, "#keypoints [data-group-id='access'] li.keypoint")
    assert phone_access == access
    assert phone_access == await numbered(screen, "#all-keypoints [data-group-id='access'] li.keypoint")
    assert await numbered(page, "#keypoints [data-group-id='mental-health'] li.keypoint") == \
        [["1", "Crisis care at night"], ["2", "Peer support groups"]]
    # Each group's list says which group it is.
    assert "Mental health" in await page.text_content("#keypoints [data-group-id='mental-health']")

    await lead.call("plenary.focus", {"group_id": "access"})
    await page.locator("#keypoints-heading", has_text="Access to services").wait_for()
    await page.locator("#keypoints li.keypoint", has_text="Peer support").wait_for(state="detached")
    assert await numbered(page, "#keypoints li.keypoint") == access

    # Unpublished on the facilitator's tablet: off the phone, and the numbers close up.
    assert (await fac.call("keypoint.unpublish", {"keypoint_id": ids["Interpreters on request"]}))["ok"]
    await page.locator("#keypoints li.keypoint", has_text="Interpreters").wait_for(state="detached", timeout=5000)
    assert await numbered(page, "#keypoints li.keypoint") == [["1", "Step-free entrances"],
                                                              ["2", "Evening appointments"]]
    await screen.wait_for_function("() => document.querySelectorAll('#focus-keypoints li.keypoint').length === 2")
    assert await numbered(screen, "#focus-keypoints li.keypoint") == \
        await numbered(page, "#keypoints li.keypoint")
    # Another group's too.
    await lead.call("plenary.focus", {"group_id": None})
    await page.locator("#keypoints li.keypoint", has_text="Peer support").wait_for()
    await other.call("keypoint.unpublish", {"keypoint_id": mh[0]})
    await page.locator("#keypoints li.keypoint", has_text="Crisis care").wait_for(state="detached", timeout=5000)
    assert await numbered(page, "#keypoints [data-group-id='mental-health'] li.keypoint") == \
        [["1", "Peer support groups"]]
    assert not ctx.errors, ctx.errors


async def test_withdrawn_responses_and_corrections_for_the_own_group_only(browser, sqlite_server, connect):
    srv = sqlite_server
    board = await connect(srv, "board")
    ctx = await phone(browser)
    page = await ctx.open_page()
    await join(page, srv.links()["join"]["access"], "Ines")

    async def log(group, text, stance="consider", **extra):
        ack = await board.call("response.log", {"client_id": cid(), "group_id": group, "member": "Dr Lee",
                                                "text": text, "stance": stance, **extra})
        assert ack["ok"], ack
        return ack["response_id"]

    own = await log("access", "We will look at evening opening")
    other = await log("mental-health", "We commit to a crisis line", "commit")
    gone = await log("access", "We will open every Sunday", "commit")
    await board.call("response.withdraw", {"response_id": gone, "reason": "Logged by mistake: not agreed"})
    item = lambda rid: page.locator(f"#responses li.response[data-response-id='{rid}']")  # noqa: E731
    for rid in (own, other, gone):
        await item(rid).wait_for()
    await item(gone).locator(".withdrawn-reason", has_text="Logged by mistake").wait_for()
    assert "Withdrawn" in await item(gone).text_content()
    assert await item(gone).locator("button.suggest").is_hidden()
    assert await item(other).locator("button.suggest").is_hidden()
    assert await item(own).locator("button.suggest").is_visible()

    # Outcomes, said in plain words.
    for text, outcome in (("We asked for weekends, not evenings", "accepted"),
                          ("Also mention interpreters", "noted")):
        await item(own).locator("button.suggest").click()
        await item(own).locator("textarea").fill(text)
        await item(own).get_by_role("button", name="Send correction").click()
        sub = await board.wait_event("correction.submitted", text=text)
        await board.call("correction.resolve", {"correction_id": sub["data"]["correction_id"], "outcome": outcome})
    corrections = item(own).locator("li.correction")
    await corrections.locator(".outcome", has_text="noted").wait_for()
    accepted = corrections.filter(has_text="We asked for weekends")
    noted = corrections.filter(has_text="Also mention interpreters")
    assert "the Board agrees its response missed this and will take it into account" in \
        await accepted.text_content()
    assert "the Board has recorded it" in await noted.text_content()

    # Withdrawn while someone is writing a correction to it: the form goes, with word why.
    await item(own).locator("button.suggest").click()
    await item(own).locator("textarea").fill("Half a correction")
    await board.call("response.withdraw", {"response_id": own, "reason": "Superseded by a new response"})
    await item(own).locator(".withdrawn-reason", has_text="Superseded").wait_for()
    assert await item(own).locator("form.correction-form").is_hidden()
    assert await item(own).locator("button.suggest").is_hidden()
    # Earlier corrections stay readable under a withdrawn response.
    assert await item(own).locator("li.correction").count() == 2
    assert not ctx.errors, ctx.errors


PASTE = ("Evening and weekend appointments would help carers and people who work shifts. " * 20)[:1249] + "."


async def test_an_over_long_paste_is_kept_counted_and_held_back(browser, sqlite_server, connect):
    srv = sqlite_server
    lead = await connect(srv, "lead")
    board = await connect(srv, "board")
    ctx = await phone(browser, "320")
    page = await ctx.open_page()
    await join(page, srv.links()["join"]["access"], "Bo")

    await page.focus("#note-text")
    await page.keyboard.insert_text(PASTE)  # as a paste or a keyboard's insert does
    assert len(await page.input_value("#note-text")) == 1250
    message = "Your note is 1,250 characters; the limit is 1,000. Shorten it to send."
    await page.locator("#note-length", has_text=message).wait_for()
    count = page.locator("#note-count")
    assert "1,250" in await count.text_content()
    assert await count.evaluate("(n) => getComputedStyle(n).color") == OVER_COLOUR
    # The button says it is unavailable (aria-disabled); a tap on it anyway sends nothing.
    assert await page.get_attribute("#note-send", "aria-disabled") == "true"
    await page.click("#note-form button[type=submit]", force=True)
    await page.wait_for_timeout(500)
    assert await page.evaluate("townhall.pending().length") == 0
    assert await page.input_value("#note-text") == PASTE
    assert await page.text_content("#note-length") == message
    # Said to screen readers too: the message describes the text box, which is invalid.
    assert "note-length" in await page.get_attribute("#note-text", "aria-describedby")
    assert await page.get_attribute("#note-text", "aria-invalid") == "true"
    await no_sideways_scroll(page, 320)

    await page.fill("#note-text", PASTE[:1000])
    await page.wait_for_function("() => document.querySelector('#note-length').textContent === ''")
    assert await page.get_attribute("#note-text", "aria-invalid") == "false"
    assert await count.evaluate("(n) => getComputedStyle(n).color") != OVER_COLOUR
    await page.click("#note-form button[type=submit]")
    await lead.wait_event("note.added", text=PASTE[:1000])
    log = (await lead.call("sync", {"since": 0}))["events"]
    assert [e["data"]["text"] for e in log if e["type"] == "note.added"] == [PASTE[:1000]]

    # The same for a correction.
    rid = (await board.call("response.log", {"client_id": cid(), "group_id": "access", "member": "Dr Lee",
                                             "text": "We will think about it", "stance": "consider"}))["response_id"]
    item = page.locator(f"#responses li.response[data-response-id='{rid}']")
    await item.locator("button.suggest").click()
    area = item.locator("textarea")
    await area.focus()
    await page.keyboard.insert_text(PASTE[:1100])
    assert len(await area.input_value()) == 1100
    await item.locator(".length-error",
                       has_text="Your correction is 1,100 characters; the limit is 1,000. Shorten it to send.").wait_for()
    assert await item.locator(".count").evaluate("(n) => getComputedStyle(n).color") == OVER_COLOUR
    await item.get_by_role("button", name="Send correction").click(force=True)
    await page.wait_for_timeout(500)
    assert await page.evaluate("townhall.pending().length") == 0
    assert await item.locator("form.correction-form").is_visible()
    await area.fill(PASTE[:990])
    assert await item.locator(".length-error").text_content() == ""
    await item.get_by_role("button", name="Send correction").click()
    await board.wait_event("correction.submitted", text=PASTE[:990])
    assert not ctx.errors, ctx.errors


# -- 5. §12 on the phone: an ended slot --------------------------------------------------------------


async def test_an_ended_slot_shows_no_running_countdown(browser, sqlite_server, connect):
    srv = sqlite_server
    lead = await connect(srv, "lead")
    ctx = await phone(browser, "414")
    page = await ctx.open_page()
    await join(page, srv.links()["join"]["access"], "Tam")
    await lead.call("agenda.start", {"slot_id": "issue-groups"})
    await page.wait_for_function(
        "() => /^(1:)?[0-9]{1,2}:[0-9]{2}$/.test(document.querySelector('#countdown').textContent.trim())")
    assert (await lead.call("agenda.end"))["ok"]
    for attempt in range(2):
        await page.wait_for_function("() => townhall.model?.timer.status === 'idle'")
        await page.locator("#slot-title", has_text="ended").wait_for()
        assert "Issue groups" in await page.text_content("#slot-title")
        before = await page.text_content("#countdown")
        await page.wait_for_timeout(2200)
        after = await page.text_content("#countdown")
        assert before == after, (before, after)
        assert not any(ch.isdigit() for ch in after), after
        assert await page.locator("#paused").is_hidden()
        await page.reload()  # the same from a fresh snapshot
        await connected(page)
    assert not ctx.errors, ctx.errors


# -- accessibility at 360 px with all of it on the page ------------------------------------------


async def test_no_serious_accessibility_violations_in_a_busy_plenary(browser, sqlite_server, connect):
    srv = sqlite_server
    lead = await connect(srv, "lead")
    board = await connect(srv, "board")
    fac = await connect(srv, "facilitator", "access")
    ctx = await phone(browser, "360", bypass_csp=True)
    page = await ctx.open_page()
    await join(page, srv.links()["join"]["access"], "Axe")
    await lead.call("agenda.start", {"slot_id": "issue-groups"})
    await lead.call("timer.pause")
    kp = await fac.call("keypoint.add", {"client_id": cid(), "text": "Evening appointments"})
    await fac.call("keypoint.publish", {"keypoint_id": kp["keypoint_id"]})
    rid = (await board.call("response.log", {"client_id": cid(), "group_id": "access", "member": "Dr Lee",
                                             "text": "Not this year", "stance": "decline",
                                             "reason": "No budget"}))["response_id"]
    gone = (await board.call("response.log", {"client_id": cid(), "group_id": "access", "member": "Dr Lee",
                                              "text": "Sundays", "stance": "commit"}))["response_id"]
    await board.call("response.withdraw", {"response_id": gone, "reason": "Logged by mistake"})
    await board.call("response.log", {"client_id": cid(), "group_id": "mental-health", "member": "Dr Lee",
                                      "text": "A crisis line", "stance": "commit"})
    sub = await fac.call("correction.submit", {"client_id": cid(), "response_id": rid, "text": "We said weekends"})
    await board.call("correction.resolve", {"correction_id": sub["correction_id"], "outcome": "accepted"})
    await page.locator("#responses .correction .outcome", has_text="accepted").wait_for()
    await page.locator("#responses li.withdrawn .withdrawn-reason").wait_for()
    await page.locator("#paused").wait_for()
    await page.focus("#note-text")
    await page.keyboard.insert_text(PASTE)
    await page.locator("#note-length", has_text="Shorten it").wait_for()
    await page.locator(f"#responses li.response[data-response-id='{rid}'] button.suggest").click()
    assert await axe_violations(page) == []
    # What a stranger sees on a link that is not valid.
    ctx = await phone(browser, "360", bypass_csp=True)
    page = await ctx.open_page(f"{srv.url}/j/not-a-join-code")
    await page.locator("#unknown-link").wait_for()
    assert await axe_violations(page) == []

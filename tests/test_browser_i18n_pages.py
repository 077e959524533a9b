"""The participant app and the plenary screen in the visitor's language (CONTRACT §10), in
real Chromium against a real server: <html lang dir> follow the browser's languages, the
phone's language picker switches and is remembered on the device, Arabic mirrors the
phone without any sideways scroll, the screen follows `?lang=` for itself only, times and
dates come from Intl in the venue's time zone (named on the phone), and the assembly's
second language shows on the screen as a second, smaller line.

The words a page should show in a language are read from that language's catalog (the
translators' .po file), never written here; tests/test_browser_languages.py checks that
no English is left on any page. Where a test needs translations of its own (the screen's
second line of labels), the real server's French catalog is taken as served and a few
translations are put over it on the way to the page (Playwright's route)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from zoneinfo import ZoneInfo

from babel.messages.pofile import read_po

from conftest import ROOT, axe_violations, cid

PHONE = (360, 740)
PROJECTOR = (1920, 1080)
LONG_WORD = "Rechtsschutzversicherungsgesellschaften" * 3
ARABIC = "نحتاج إلى مواعيد مسائية في العيادة قريبة من محطة الحافلات"


def said(lang: str, message: str) -> str:
    """How the catalog of `lang` says an English message (English itself for "en")."""
    if lang == "en":
        return message
    with open(ROOT / "server" / "townhall" / "locale" / lang / "LC_MESSAGES" / "townhall.po", "rb") as f:
        entry = read_po(f).get(message)
    assert entry is not None and entry.string and not entry.fuzzy, f"{lang}: {message!r} is not translated"
    return entry.string


async def phone(browser, locale="en-GB", **kw):
    context = await browser.new_context(viewport={"width": PHONE[0], "height": PHONE[1]},
                                        is_mobile=True, has_touch=True, locale=locale, **kw)
    page = await context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    return context, page


async def projector(browser, locale="en-GB", **kw):
    context = await browser.new_context(viewport={"width": PROJECTOR[0], "height": PROJECTOR[1]},
                                        locale=locale, **kw)
    page = await context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return context, page


async def connected(page):
    await page.wait_for_function("() => window.townhall?.model != null")


async def join(page, url, name):
    await page.goto(url)
    await page.fill("#name", name)
    await page.click("#join-form button[type=submit]")
    await connected(page)
    await page.wait_for_selector("#status[data-state=connected]")


async def html_lang_dir(page):
    return await page.evaluate("() => [document.documentElement.lang, document.documentElement.dir]")


async def no_sideways_scroll(page, width):
    sizes = await page.evaluate("() => [document.scrollingElement.scrollWidth, innerWidth]")
    wide = await page.evaluate("""(width) => [...document.querySelectorAll('body *')]
        .filter((n) => n.getClientRects().length && (n.getBoundingClientRect().right > width + 0.5
                                                     || n.getBoundingClientRect().left < -0.5))
        .filter((n) => !n.closest('.visually-hidden, .skip-link'))
        .slice(0, 5).map((n) => n.tagName + '.' + n.getAttribute('class') + ' '
                         + Math.round(n.getBoundingClientRect().left) + '..' + Math.round(n.getBoundingClientRect().right))""",
                               width)
    assert sizes[0] <= width and not wide, f"page is {sizes[0]} px wide on a {width} px phone: {wide}"


# -- <html lang dir> from the browser's languages -------------------------------------------


async def test_pages_take_the_browsers_language_and_direction(browser, sqlite_server):
    srv = sqlite_server
    for locale, want in (("ar-EG", ["ar", "rtl"]), ("fr-FR", ["fr", "ltr"]), ("es-MX", ["es", "ltr"]),
                         ("de-DE", ["en", "ltr"]), ("en-GB", ["en", "ltr"])):
        ctx, page = await phone(browser, locale)
        await page.goto(srv.links()["join"]["access"])
        await page.locator("#join-form").wait_for()
        assert await html_lang_dir(page) == want, locale
        # The page's own text reads in that language (English where townhall has no catalog).
        assert (await page.text_content("#join-heading")).strip() == said(want[0], "Join your group")
        assert await page.evaluate("getComputedStyle(document.body).direction") == want[1]
        await ctx.close()
        ctx, screen = await projector(browser, locale)
        await screen.goto(srv.links()["screen"])
        await connected(screen)
        assert await html_lang_dir(screen) == want, locale
        assert not screen.errors, screen.errors
        await ctx.close()


# -- the phone's language picker --------------------------------------------------------------


async def test_the_phone_picker_switches_the_language_and_the_device_keeps_it(browser, sqlite_server):
    srv = sqlite_server
    ctx, page = await phone(browser, "en-GB")
    url = srv.links()["join"]["access"]
    await page.goto(url)
    await page.locator("#join-form").wait_for()
    # Small, labelled, at the foot of the page; every language by its own name.
    picker = page.get_by_label("Language")
    assert await picker.is_visible()
    options = await picker.evaluate("(s) => [...s.options].map((o) => [o.value, o.textContent, o.lang])")
    assert [o[0] for o in options] == ["en", "fr", "es", "ar"]
    assert dict((o[0], o[1]) for o in options)["ar"] == "العربية"
    assert all(o[0] == o[2] for o in options)
    assert await picker.input_value() == "en"

    async with page.expect_navigation():
        await picker.select_option("ar")
    await page.locator("#join-form").wait_for()
    assert await html_lang_dir(page) == ["ar", "rtl"]
    assert await page.evaluate("localStorage.getItem('townhall:lang')") == "ar"
    assert await page.get_by_label(said("ar", "Language")).input_value() == "ar"

    # Remembered: a reload, the joined app and a new tab on the same phone keep Arabic
    # although the browser asks for English.
    await join(page, url, "Lina")
    assert await html_lang_dir(page) == ["ar", "rtl"]
    await page.reload()
    await connected(page)
    assert await html_lang_dir(page) == ["ar", "rtl"]
    other = await ctx.new_page()
    await other.goto(srv.links()["join"]["mental-health"])
    await other.locator("#join-form").wait_for()
    assert await html_lang_dir(other) == ["ar", "rtl"]

    # And back again from the joined app's foot.
    async with page.expect_navigation():
        await page.get_by_label(said("ar", "Language")).select_option("fr")
    await connected(page)
    assert await html_lang_dir(page) == ["fr", "ltr"]
    assert await page.evaluate("localStorage.getItem('townhall:lang')") == "fr"
    assert not page.errors, page.errors


# -- Arabic on a 360 px phone: mirrored, nothing sideways -------------------------------------


async def test_arabic_mirrors_the_phone_with_nothing_scrolling_sideways(browser, sqlite_server, connect):
    srv = sqlite_server
    lead = await connect(srv, "lead")
    fac = await connect(srv, "facilitator", "access")
    board = await connect(srv, "board")
    ctx, page = await phone(browser, "ar-EG", bypass_csp=True)
    await page.goto(srv.links()["join"]["access"])
    await page.locator("#join-form").wait_for()
    await no_sideways_scroll(page, PHONE[0])
    assert await axe_violations(page) == []
    await join(page, srv.links()["join"]["access"], "سلمى")
    assert await html_lang_dir(page) == ["ar", "rtl"]

    await lead.call("agenda.start", {"slot_id": "issue-groups"})
    await page.fill("#note-text", ARABIC)
    await page.click("#note-form button[type=submit]")
    for text in (LONG_WORD, "Evening appointments near the bus station, please", ARABIC):
        await fac.call("note.add", {"client_id": cid(), "text": text})
    for text in ("مواعيد مسائية", "Interpreters on request at every surgery", LONG_WORD):
        kp = await fac.call("keypoint.add", {"client_id": cid(), "text": text})
        await fac.call("keypoint.publish", {"keypoint_id": kp["keypoint_id"]})
    declined = await board.call("response.log", {
        "client_id": cid(), "group_id": "access", "member": "د. ليلى", "text": "لن نمدد ساعات العمل هذا العام",
        "stance": "decline", "reason": "لا توجد ميزانية حتى أبريل"})
    gone = await board.call("response.log", {"client_id": cid(), "group_id": "access", "member": "Sam",
                                             "text": "We will open on Sundays", "stance": "commit"})
    await board.call("response.withdraw", {"response_id": gone["response_id"], "reason": "Logged by mistake"})
    sub = await fac.call("correction.submit", {"client_id": cid(), "response_id": declined["response_id"],
                                               "text": "قلنا عطلة نهاية الأسبوع"})
    await board.call("correction.resolve", {"correction_id": sub["correction_id"], "outcome": "accepted"})
    choice = await lead.call("poll.open", {"client_id": cid(), "question": "أي خيار أولاً؟", "kind": "choice",
                                           "options": ["مواعيد مسائية", "Weekend surgeries", LONG_WORD]})
    await lead.call("poll.open", {"client_id": cid(), "question": "Rank these", "kind": "rank",
                                  "options": ["Phones", "مترجمون", "Evenings"]})
    assert choice["ok"], choice

    await page.locator("#notes .note-text", has_text="bus station").wait_for()
    await page.locator("#responses .correction .outcome.accepted").wait_for()
    await page.locator("#responses li.withdrawn .withdrawn-reason").wait_for()
    await page.locator("#open-polls .poll-block").nth(1).wait_for()
    await page.locator(f"#open-polls [data-poll-id='{choice['poll_id']}'] button.vote-option").first.click()
    await page.locator(f"#open-polls [data-poll-id='{choice['poll_id']}'] .poll-status[data-state=counted]").wait_for()
    standing = page.locator(f"#responses li.response[data-response-id='{declined['response_id']}']")
    await standing.locator("button.suggest").click()
    await standing.locator(".correction-form textarea").fill(LONG_WORD)
    await page.wait_for_function("() => /\\d|[٠-٩]/.test(document.querySelector('#countdown').textContent)")
    await page.wait_for_timeout(300)
    await no_sideways_scroll(page, PHONE[0])

    figures = await page.evaluate("""(pid) => {
        const r = (sel) => document.querySelector(sel).getBoundingClientRect().toJSON();
        const cs = (sel) => getComputedStyle(document.querySelector(sel));
        // One vote for the first answer: the last answer's bar is empty, and starts at the right.
        const fill = [...document.querySelectorAll(`#open-polls [data-poll-id="${pid}"] .result-fill`)].at(-1);
        const bar = fill.parentElement.getBoundingClientRect(), f = fill.getBoundingClientRect();
        return {
          group: r('#group-name'), countdown: r('#countdown'), slot: r('#slot-title'),
          digitsDir: document.querySelector('#countdown .cd-time')?.getAttribute('dir'),
          digits: document.querySelector('#countdown').textContent.trim(),
          mineRight: cs('#notes li.note.mine').borderRightWidth, mineLeft: cs('#notes li.note.mine').borderLeftWidth,
          tabs: [...document.querySelectorAll('#tabbar a')].map((a) => a.getBoundingClientRect().left),
          fillFromRight: Math.abs(bar.right - f.right), fillFromLeft: Math.abs(f.left - bar.left),
          fillWidth: f.width, barWidth: bar.width,
          noteTime: document.querySelector('#notes time.when').getAttribute('dir'),
        };
    }""", choice["poll_id"])
    # Mirrored: the countdown at the left end of the top bar, the group's name at the right;
    # a note of one's own marked on its right edge; the jump links run right to left; the
    # result bars grow from the right.
    assert figures["countdown"]["x"] < figures["slot"]["x"], figures
    assert figures["group"]["x"] + figures["group"]["width"] > PHONE[0] - 40, figures
    assert figures["mineRight"] == "4px" and figures["mineLeft"] == "1px", figures
    assert figures["tabs"] == sorted(figures["tabs"], reverse=True), figures
    assert figures["fillWidth"] < figures["barWidth"] and figures["fillFromRight"] < 1 < figures["fillFromLeft"], figures
    # The countdown's digits read left to right, in the digits Intl gives Arabic (CLDR's).
    assert figures["digitsDir"] == "ltr" and figures["noteTime"] == "ltr", figures
    assert re.fullmatch(r"(?:\d:)?\d{1,2}:\d{2}", figures["digits"]), figures["digits"]
    assert figures["digits"][-1] == await page.evaluate(
        "(n) => new Intl.NumberFormat('ar').format(n)", int(unicodedata.digit(figures["digits"][-1])))
    # People's text keeps its own direction inside the mirrored page.
    english = page.locator("#notes .note-text", has_text="bus station")
    assert await english.evaluate("(n) => getComputedStyle(n).direction") == "ltr"
    # The language picker and the zone at the foot, and all of it, pass axe mirrored too.
    await page.get_by_label(said("ar", "Language")).scroll_into_view_if_needed()
    assert await axe_violations(page) == []
    assert not page.errors, page.errors


# -- the screen: ?lang= for that screen only --------------------------------------------------


async def test_the_screen_follows_lang_in_its_link_and_changes_no_other_page(browser, sqlite_server, connect):
    srv = sqlite_server
    lead = await connect(srv, "lead")
    await lead.call("agenda.start", {"slot_id": "issue-groups"})
    ctx, screen = await projector(browser, "en-GB")
    # A choice made earlier on a phone page on this device stays that page's.
    await screen.goto(srv.links()["join"]["access"])
    await screen.evaluate("localStorage.setItem('townhall:lang', 'fr')")
    await screen.goto(srv.links()["screen"] + "?lang=ar")
    await connected(screen)
    assert await html_lang_dir(screen) == ["ar", "rtl"]
    assert await screen.evaluate("localStorage.getItem('townhall:lang')") == "fr"
    await screen.wait_for_function(
        "() => /^([0-9٠-٩]:)?[0-9٠-٩]{1,2}:[0-9٠-٩]{2}$/.test(document.querySelector('#countdown .cd-digits')?.textContent ?? '')")
    assert await screen.get_attribute("#countdown .cd-digits", "dir") == "ltr"
    # Mirrored: the countdown at the left, the slot at the right; the status at the left foot.
    boxes = await screen.evaluate("""() => ['#countdown', '#slot-title', '#status'].map(
        (s) => document.querySelector(s).getBoundingClientRect().x)""")
    assert boxes[0] < boxes[1] and boxes[2] < 960, boxes
    sideways = await screen.evaluate("() => document.scrollingElement.scrollWidth - innerWidth")
    assert sideways <= 0

    # Another page on the same device still speaks the language chosen there.
    phone_page = await ctx.new_page()
    await phone_page.goto(srv.links()["join"]["access"])
    await phone_page.locator("#join-form").wait_for()
    assert await html_lang_dir(phone_page) == ["fr", "ltr"]

    # Without ?lang the screen follows the browser's languages, not a page's stored choice.
    await screen.goto(srv.links()["screen"])
    await connected(screen)
    assert await html_lang_dir(screen) == ["en", "ltr"]
    assert await screen.evaluate("localStorage.getItem('townhall:lang')") == "fr"
    # A language townhall does not speak: the browser's again.
    await screen.goto(srv.links()["screen"] + "?lang=xx")
    await connected(screen)
    assert await html_lang_dir(screen) == ["en", "ltr"]
    assert not screen.errors, screen.errors


# -- times and dates: Intl, in the venue's time zone ---------------------------------------------


async def test_times_and_dates_are_the_venues_by_intl(browser, sqlite_server, connect):
    srv = sqlite_server
    organiser = await connect(srv, "organiser")
    fac = await connect(srv, "facilitator", "access")
    assert (await organiser.call("assembly.update", {"timezone": "Asia/Tokyo"}))["ok"]
    # The phone is in California, the venue in Tokyo: the venue's clock is the one shown.
    ctx, page = await phone(browser, "fr-FR", timezone_id="America/Los_Angeles")
    await join(page, srv.links()["join"]["access"], "Aiko")
    ack = await fac.call("note.add", {"client_id": cid(), "text": "Une note du facilitateur"})
    added = await fac.wait_event("note.added", note_id=ack["note_id"])
    when = page.locator(f"#notes li.note[data-note-id='{ack['note_id']}'] time.when")
    await when.wait_for()
    stamp = dt.datetime.fromtimestamp(added["ts"] / 1000, ZoneInfo("Asia/Tokyo"))
    elsewhere = dt.datetime.fromtimestamp(added["ts"] / 1000, ZoneInfo("America/Los_Angeles"))
    assert (await when.text_content()).strip() == stamp.strftime("%H:%M")
    assert stamp.strftime("%H:%M") != elsewhere.strftime("%H:%M")
    # The zone is named once, in the visitor's language, at the page's foot.
    await page.locator("#zone-note", has_text="Japon").wait_for()

    # The screen says the day in its language (the demo's 2014-09-17, a Wednesday).
    _, screen = await projector(browser, "fr-FR")
    await screen.goto(srv.links()["screen"])
    await connected(screen)
    await screen.locator("#assembly-title", has_text="2014").wait_for()
    assert (await screen.text_content("#assembly-title")).strip() == "mercredi 17 septembre 2014"
    _, screen_en = await projector(browser, "en-GB")
    await screen_en.goto(srv.links()["screen"] + "?lang=es")
    await connected(screen_en)
    await screen_en.locator("#assembly-title", has_text="2014").wait_for()
    assert (await screen_en.text_content("#assembly-title")).strip() == "miércoles, 17 de septiembre de 2014"
    assert not page.errors and not screen.errors, (page.errors, screen.errors)


# -- the screen's second language ----------------------------------------------------------------

FRENCH = {
    "Next: {title} ({minutes} min)": "Ensuite : {title} ({minutes} min)",
    "First: {title} ({minutes} min)": "D’abord : {title} ({minutes} min)",
    "Paused": "En pause",
    "over": "dépassé",
    "Not started": "Pas commencé",
}


async def with_french_translations(page):
    """The server's French catalog as served, with the translators' work on a few labels."""
    async def add(route):
        response = await route.fetch()
        catalog = await response.json()
        assert catalog["lang"] == "fr" and "messages" in catalog
        catalog["messages"].update(FRENCH)
        await route.fulfill(response=response, json=catalog)
    await page.route(re.compile(r".*/static/i18n/fr\.[0-9a-f]+\.json$"), add)


async def test_the_screen_shows_the_second_language_below_its_own(browser, sqlite_server, connect):
    srv = sqlite_server
    organiser = await connect(srv, "organiser")
    lead = await connect(srv, "lead")
    # (No service worker: the French catalog must come through this page's route.)
    ctx, screen = await projector(browser, "en-GB", service_workers="block")
    await with_french_translations(screen)
    await screen.goto(srv.links()["screen"])
    await connected(screen)
    await screen.locator("#slot-next", has_text="First: Welcome").wait_for()
    assert await screen.locator(".l2").count() == 0  # no second language yet

    assert (await organiser.call("assembly.update", {
        "second_language": "fr",
        "translations": {"fr": {"title": "Assemblée citoyenne avec le conseil du NHS"}}}))["ok"]
    second = screen.locator("#slot-title .duo .l2")
    await second.wait_for()
    assert await second.get_attribute("lang") == "fr"
    assert (await second.text_content()) == "Assemblée citoyenne avec le conseil du NHS"
    assert (await screen.text_content("#slot-title .duo .l1")).startswith("NHS Citizen Assembly")
    # The labels: the screen's language, then French below, smaller.
    nxt = screen.locator("#slot-next .duo")
    await nxt.locator(".l2", has_text="D’abord : Welcome").wait_for()
    assert (await nxt.locator(".l1").text_content()).startswith("First: Welcome")
    await screen.locator("#countdown .cd-word .l2", has_text="Pas commencé").wait_for()
    sizes = await screen.evaluate("""() => ['#slot-next .l1', '#slot-next .l2', '#slot-title .l1', '#slot-title .l2']
        .map((s) => parseFloat(getComputedStyle(document.querySelector(s)).fontSize))""")
    assert sizes[1] < sizes[0] and sizes[3] < sizes[2], sizes
    lines = await screen.evaluate("""() => { const a = document.querySelector('#slot-next .l1').getBoundingClientRect(),
        b = document.querySelector('#slot-next .l2').getBoundingClientRect(); return [a.bottom, b.top]; }""")
    assert lines[1] >= lines[0] - 1, lines  # two lines, the second below

    # A running slot: its title is the slot's own; "Paused" and "over" in both languages.
    await lead.call("agenda.start", {"slot_id": "welcome"})
    await screen.locator("#slot-title", has_text="Welcome and purpose").wait_for()
    await screen.locator("#assembly-title .l2", has_text="Assemblée citoyenne").wait_for()
    await lead.call("timer.pause")
    await screen.locator("#countdown .cd-paused .l2", has_text="En pause").wait_for()
    assert "Paused" in await screen.text_content("#countdown .cd-paused .l1")
    await lead.call("timer.resume")
    await screen.evaluate("() => { const real = townhall.now; townhall.now = () => real() + 16 * 60 * 1000; }")
    await screen.locator("#countdown.over .cd-over .l2", has_text="dépassé").wait_for()
    digits = (await screen.text_content("#countdown .cd-digits")).strip()
    assert digits.startswith("+") and "over" in await screen.text_content("#countdown .cd-over .l1")
    # Nothing of the header spills: the countdown still fits beside the title.
    spill = await screen.evaluate("() => document.querySelector('#countdown').scrollWidth - innerWidth")
    assert spill < 0

    # The second language taken back: one language again.
    assert (await organiser.call("assembly.update", {"second_language": None}))["ok"]
    await screen.locator(".l2").first.wait_for(state="detached")
    # The screen's own language as second language adds nothing.
    assert (await organiser.call("assembly.update", {"second_language": "en"}))["ok"]
    await screen.wait_for_function("() => townhall.model.assembly.second_language === 'en'")
    await screen.wait_for_timeout(500)
    assert await screen.locator(".l2").count() == 0
    assert not screen.errors, screen.errors

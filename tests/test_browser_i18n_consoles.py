"""The facilitator, lead and Board consoles in the visitor's language (CONTRACT §10), in
real Chromium against a real server, with a realistic day on them: a browser set to
Arabic gets every console right to left (<html lang=ar dir=rtl>, mirrored, digits and the
countdown still readable, nothing wider than a portrait tablet, no serious axe finding);
the language picker in each top bar switches the language and the choice stays after a
reload; the times people read are the venue's (the assembly's `timezone`), not the
tablet's. That the words themselves are translated, with no English left, is
tests/test_browser_languages.py's job, with the catalogs as the reference."""

from __future__ import annotations

import asyncio

import pytest

from conftest import axe_violations, cid, new_page
from test_browser_consoles import PORTRAIT, clean, fill_notes
from test_browser_screen_paging import ACCESS, group_points

CONSOLES = ("facilitator", "lead", "board")
# The tablets' own zone: far from the venue's, so a time shown in the wrong zone is seen.
TABLET_ZONE = "Europe/London"
VENUE_ZONE = "Asia/Tokyo"


def console_url(srv, name: str) -> str:
    links = srv.links()
    return links["facilitators"]["access"] if name == "facilitator" else links[name]


async def open_console(browser, srv, name: str, size=PORTRAIT, **context_kw):
    """A console, connected, once it shows the seeded day."""
    page, watch = await new_page(browser, *size, timezone_id=TABLET_ZONE, **context_kw)
    await page.goto(console_url(srv, name))
    await page.wait_for_function("() => window.townhall?.model != null")
    await page.locator("#status[data-state=connected]").wait_for()
    return page, watch


async def seed_day(srv, connect) -> dict:
    """A day as it is: 60 notes (one in Arabic), eight ~140-character key points per group
    (half of Access's published), a plenary running, Board responses (one declined with
    its reason, one withdrawn), corrections, an open poll."""
    lead = await connect(srv, "lead")
    board = await connect(srv, "board")
    await fill_notes(srv, connect, "access", 60)
    phone = await connect(srv, "participant", "access", name="سارة")
    arabic = await phone.call("note.add", {"client_id": cid(), "text": "مواعيد مسائية في العيادة بعد ساعات العمل"})
    assert arabic["ok"], arabic
    for group in ("access", "mental-health", "young-people", "gender-identity", "self-care"):
        texts = ACCESS if group == "access" else group_points(group)
        for i, text in enumerate(texts[:8]):
            kp = await lead.call("keypoint.add", {"client_id": cid(), "group_id": group, "text": text})
            assert kp["ok"], kp
            if group != "access" or i % 2 == 0:
                assert (await lead.call("keypoint.publish", {"keypoint_id": kp["keypoint_id"]}))["ok"]
    assert (await lead.call("agenda.start", {"slot_id": "plenary-access"}))["ok"]
    assert (await lead.call("plenary.focus", {"group_id": "access"}))["ok"]
    responses = []
    for stance, text, reason in [
        ("commit", "We commit to piloting same-day appointments with a named clinician in three areas from April.", None),
        ("consider", "We will consider how interpreters can be booked from the records and report back.", None),
        ("decline", "We will not fund transport to hospital this year.", "The transport budget is set by the county until 2027."),
    ]:
        payload = {"client_id": cid(), "group_id": "access", "member": "Dame Anne Okafor", "text": text, "stance": stance}
        if reason:
            payload["reason"] = reason
        ack = await board.call("response.log", payload)
        assert ack["ok"], ack
        responses.append(ack["response_id"])
    for text in ("The group asked for this everywhere, not only in three pilot areas.",
                 "الاتصال خلال ساعة غير موجود في الالتزام"):
        c = await phone.call("correction.submit", {"client_id": cid(), "response_id": responses[0], "text": text})
        assert c["ok"], c
    w = await board.call("response.withdraw", {"response_id": responses[1],
                                               "reason": "Logged for the wrong group: it answers Mental health"})
    assert w["ok"], w
    poll = await lead.call("poll.open", {"client_id": cid(), "question": "Which of these matters most to you?",
                                         "kind": "choice", "options": ACCESS[:4], "group_id": "access"})
    assert poll["ok"], poll
    return {"lead": lead, "board": board, "phone": phone, "arabic_note": arabic["note_id"], "responses": responses}


# What spills out sideways: a scrolling box wider than itself (the page, a panel), or a
# visible element outside the window (mirrored, it would be cut off on the left, which no
# scroll bar shows). Tables scroll inside their own frame by design.
SIDEWAYS = """() => {
  const out = [];
  const name = (n) => n.id ? `#${n.id}` : `${n.tagName.toLowerCase()}.${[...n.classList].join('.')}`;
  for (const box of [document.documentElement, document.body, ...document.querySelectorAll('main, .panel, .card')]) {
    const style = getComputedStyle(box);
    if (box.scrollWidth > box.clientWidth + 1 && !['hidden', 'clip'].includes(style.overflowX)) {
      out.push(`${name(box)} scrolls sideways: ${box.scrollWidth} > ${box.clientWidth}`);
    }
  }
  const width = document.documentElement.clientWidth;
  for (const n of document.body.querySelectorAll('*')) {
    if (n.closest('.visually-hidden, .skip-link, .table-wrap, [hidden], dialog:not([open]), .toasts, option')) continue;
    const r = n.getBoundingClientRect();
    if (!r.width || !r.height) continue;
    if (r.left < -1 || r.right > width + 1) out.push(`${name(n)} at ${Math.round(r.left)}..${Math.round(r.right)} of ${width}`);
  }
  return out.slice(0, 10);
}"""


async def test_a_browser_in_arabic_gets_every_console_right_to_left(browser, sqlite_server, connect):
    srv = sqlite_server
    await seed_day(srv, connect)
    opened = dict(zip(CONSOLES, await asyncio.gather(*(
        open_console(browser, srv, name, locale="ar", bypass_csp=True) for name in CONSOLES))))
    fac, lead, board = (opened[n][0] for n in CONSOLES)
    await fac.locator("#notes li.note").nth(60).wait_for()
    await fac.locator("#keypoints li.keypoint").nth(7).wait_for()
    await lead.locator("#correction-list li.correction").nth(1).wait_for()
    await lead.locator("#lead-polls-open li.poll-card").first.wait_for()
    await board.locator("#responses li.response").nth(2).wait_for()

    for name, (page, _watch) in opened.items():
        html = await page.evaluate("() => [document.documentElement.lang, document.documentElement.dir]")
        assert html == ["ar", "rtl"], (name, html)
        # Mirrored: the page's title block starts on the right.
        assert await page.locator("header").first.evaluate("n => getComputedStyle(n).direction") == "rtl", name
        box = await page.locator("h1").first.bounding_box()
        assert box["x"] + box["width"] > PORTRAIT[0] * 0.6, (name, box)
        # The picker is in the top bar, labelled, and says which language this is.
        picker = page.locator("header #language")
        assert await picker.input_value() == "ar", name
        assert await page.locator("header label[for=language]").count() == 1, name

    # Digits and the countdown read left to right inside the right-to-left page.
    for page in (fac, lead):
        assert await page.get_attribute("#countdown", "dir") == "ltr"
        await page.wait_for_function("() => /\\d:\\d\\d/.test(document.querySelector('#countdown').textContent)")
    assert await fac.locator("#keypoint-count").evaluate("n => getComputedStyle(n).direction") == "ltr"
    assert await board.locator("#text-count").evaluate("n => getComputedStyle(n).direction") == "ltr"
    # Lead in portrait: the countdown sits at the left end, where the text ends.
    clock = await lead.locator("#countdown").bounding_box()
    slot_title = await lead.locator("#slot-title").bounding_box()
    assert clock["x"] < slot_title["x"], (clock, slot_title)
    # A published key point's bar is on its right, where the reading starts.
    bar = await fac.locator("#keypoints li.keypoint.published").first.evaluate(
        "n => [getComputedStyle(n).borderRightWidth, getComputedStyle(n).borderLeftWidth]")
    assert bar == ["5px", "1px"], bar

    # People's text keeps its own direction (an English note is still left to right).
    note = fac.locator("#notes li.note .note-text").filter(has_text="GP appointments").first
    assert await note.evaluate("n => getComputedStyle(n).direction") == "ltr"

    # Nothing wider than a portrait tablet, including what the dialogs and editors open.
    await fac.locator("#keypoints li.keypoint:not(.published) button.kp-edit").first.click()
    await fac.locator("#poll-composer button.poll-new").click()
    await lead.locator("#agenda-edit").click()
    await lead.locator("#slot-add:not([hidden])").wait_for()
    await board.locator("#stance-decline + label").click()
    await board.locator("#submit").click()
    await board.locator("#form-error:not(:empty)").wait_for()
    for name, (page, _watch) in opened.items():
        assert await page.evaluate(SIDEWAYS) == [], name

    # No serious or critical accessibility finding in Arabic, a dialog open too.
    found = {name: await axe_violations(page) for name, (page, _watch) in opened.items()}
    await board.locator("#responses button.withdraw").first.click()
    await board.locator("dialog.reason-dialog[open]").wait_for()
    found["board: withdraw dialog"] = await axe_violations(board)
    assert {k: v for k, v in found.items() if v} == {}
    for _name, (_page, watch) in opened.items():
        clean(watch)


@pytest.mark.parametrize("name", CONSOLES)
async def test_the_language_picker_switches_the_console_and_is_remembered(browser, sqlite_server, connect, name):
    srv = sqlite_server
    page, watch = await open_console(browser, srv, name, locale="en-GB")
    assert await page.evaluate("() => [document.documentElement.lang, document.documentElement.dir]") == ["en", "ltr"]
    picker = page.locator("header #language")
    assert (await page.locator("header label[for=language]").text_content()).strip().startswith("Language")
    options = await picker.locator("option").evaluate_all("os => os.map((o) => [o.value, o.lang, o.textContent])")
    assert [o[0] for o in options] == ["en", "fr", "es", "ar"]
    assert all(value == lang for value, lang, _ in options)
    assert dict((o[0], o[2]) for o in options)["ar"] == "العربية"

    # Picking Arabic: the console comes back in Arabic, right to left, connected.
    async with page.expect_navigation():
        await picker.select_option("ar")
    await page.locator("#status[data-state=connected]").wait_for()
    assert await page.evaluate("() => [document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"]
    assert await page.evaluate("() => localStorage.getItem('townhall:lang')") == "ar"
    # Kept on this tablet: a reload (or the next visit) stays in Arabic, whatever the browser says.
    await page.reload()
    await page.locator("#status[data-state=connected]").wait_for()
    assert await page.evaluate("() => [document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"]
    assert await page.locator("header #language").input_value() == "ar"
    # And back to English.
    async with page.expect_navigation():
        await page.locator("header #language").select_option("en")
    await page.locator("#status[data-state=connected]").wait_for()
    assert await page.evaluate("() => [document.documentElement.lang, document.documentElement.dir]") == ["en", "ltr"]
    clean(watch)


# The time of day `ts` as Intl writes it in this page's language and `zone`.
IN_ZONE = """([ts, zone]) => new Intl.DateTimeFormat(document.documentElement.lang,
    {hour: '2-digit', minute: '2-digit', timeZone: zone}).format(new Date(ts))"""
ZONE_NAME = """(zone) => new Intl.DateTimeFormat(document.documentElement.lang, {timeZone: zone, timeZoneName: 'short'})
    .formatToParts(new Date()).find((p) => p.type === 'timeZoneName').value"""


async def test_times_are_the_venues_whatever_the_tablets_zone(browser, sqlite_server, connect):
    srv = sqlite_server
    organiser = await connect(srv, "organiser")
    observer = await connect(srv, "lead")
    phone = await connect(srv, "participant", "access", name="Ann")
    note = await phone.call("note.add", {"client_id": cid(), "text": "Evening appointments for shift workers"})
    assert note["ok"], note
    board_client = await connect(srv, "board")
    response = await board_client.call("response.log", {
        "client_id": cid(), "group_id": "access", "member": "Dame Anne", "stance": "commit",
        "text": "We commit to a pilot of evening opening"})
    assert response["ok"], response
    correction = await phone.call("correction.submit", {"client_id": cid(), "response_id": response["response_id"],
                                                        "text": "We asked for weekends too"})
    assert correction["ok"], correction
    log = (await observer.call("sync", {"since": 0}))["events"]
    note_ts = next(e["ts"] for e in log if e["type"] == "note.added")
    response_ts = next(e["ts"] for e in log if e["type"] == "response.logged")
    correction_ts = next(e["ts"] for e in log if e["type"] == "correction.submitted")

    opened = dict(zip(CONSOLES, await asyncio.gather(*(open_console(browser, srv, name, locale="ar") for name in CONSOLES))))
    fac, lead, board = (opened[n][0] for n in CONSOLES)
    note_time = fac.locator(f"#notes li.note[data-note-id='{note['note_id']}'] .note-time")
    await note_time.wait_for()

    # The venue's zone is set while the consoles are open: every time shown follows at once.
    ack = await organiser.call("assembly.update", {"timezone": VENUE_ZONE})
    assert ack["ok"], ack
    want_note = await fac.evaluate(IN_ZONE, [note_ts, VENUE_ZONE])
    assert want_note != await fac.evaluate(IN_ZONE, [note_ts, TABLET_ZONE])
    await fac.wait_for_function("([sel, want]) => document.querySelector(sel)?.textContent === want",
                                arg=[f"#notes li.note[data-note-id='{note['note_id']}'] .note-time", want_note])
    want_response = await board.evaluate(IN_ZONE, [response_ts, VENUE_ZONE])
    when = board.locator(f"#responses li.response[data-response-id='{response['response_id']}'] .when")
    await board.wait_for_function("([sel, want]) => document.querySelector(sel)?.textContent.includes(want)",
                                  arg=[f"#responses li.response[data-response-id='{response['response_id']}'] .when",
                                       want_response])
    assert want_response in await when.text_content()
    want_correction = await lead.evaluate(IN_ZONE, [correction_ts, VENUE_ZONE])
    await lead.wait_for_function("([sel, want]) => document.querySelector(sel)?.textContent.includes(want)",
                                 arg=[f"li.correction[data-correction-id='{correction['correction_id']}'] .corr-meta",
                                      want_correction])

    # Each console says once which zone its times are in.
    for name, (page, _watch) in opened.items():
        zone = await page.evaluate(ZONE_NAME, VENUE_ZONE)
        await page.locator("header .venue-clock", has_text=zone).wait_for()
    for _name, (_page, watch) in opened.items():
        clean(watch)

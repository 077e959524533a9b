"""The staff consoles (facilitator, lead, Board, organiser, QR sheet) in real Chromium at
tablet sizes, driven by clicks and typing only; python-socketio clients stand in for the
phones and for the projected screen, which record what the hall would see."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess

import httpx

from conftest import axe_violations, cid, new_page

LANDSCAPE = (1024, 768)  # a tablet on its side
PORTRAIT = (768, 1024)   # a tablet held upright
GROUPS = ["access", "mental-health", "young-people", "gender-identity", "self-care"]


async def open_console(browser, url: str, size=LANDSCAPE, **context_kw):
    """A console page, connected and rendered from its first snapshot."""
    page, watch = await new_page(browser, *size, **context_kw)
    await page.goto(url)
    await page.wait_for_function("() => window.townhall?.model != null")
    await page.locator("#status[data-state=connected]").wait_for()
    return page, watch


def qr_sheet_url(srv) -> str:
    return f"{srv.url}/organiser/{srv.token('organiser')}/qr-sheet"


async def open_qr_sheet(browser, srv, size=PORTRAIT, **context_kw):
    page, watch = await new_page(browser, *size, **context_kw)
    await page.goto(qr_sheet_url(srv))
    await page.locator("body[data-ready=true]").wait_for()
    return page, watch


async def open_organiser(browser, srv, size=LANDSCAPE, **context_kw):
    page, watch = await open_console(browser, srv.links()["organiser"], size, **context_kw)
    # Ready once every group's card shows its join code and the staff links are filled.
    await page.locator("#group-cards li.group-card:not([data-code=''])").nth(len(GROUPS) - 1).wait_for()
    await page.wait_for_function("() => document.querySelector('#link-lead')?.value.includes('/lead/')")
    return page, watch


def clean(watch) -> None:
    assert watch.errors == [], watch.errors
    assert watch.off_loopback() == [], watch.off_loopback()


# -- 1. a whole plenary round, through the consoles -----------------------------------------

async def test_plenary_round_driven_from_the_consoles_reaches_the_screen(browser, sqlite_server, connect):
    srv = sqlite_server
    screen = await connect(srv, "screen")
    observer = await connect(srv, "lead")  # sees the group's unpublished events too
    phone = await connect(srv, "participant", "access", name="Priya")

    # The facilitator's tablet, on its side: notes arrive live from a phone.
    fac, fac_watch = await open_console(browser, srv.links()["facilitators"]["access"], LANDSCAPE)
    assert (await fac.text_content("#group-name")).strip() == "Access to services"
    n1 = await phone.call("note.add", {"client_id": cid(), "text": "GP appointments in the evening"})
    n2 = await phone.call("note.add", {"client_id": cid(), "text": "Saturday surgeries"})
    n3 = await phone.call("note.add", {"client_id": cid(), "text": "Parking at the hospital"})
    assert n1["ok"] and n2["ok"] and n3["ok"]
    for n in (n1, n2, n3):
        await fac.locator(f"#notes li.note[data-note-id='{n['note_id']}']").wait_for()
    assert "GP appointments in the evening" in await fac.text_content(
        f"#notes li.note[data-note-id='{n1['note_id']}'] .note-text")
    assert (await fac.text_content("#notes-count")).strip() == "3"

    # Tick two notes and make a key point of them; the facilitator rewrites the text.
    await fac.locator(f"#notes input.pick[data-note-id='{n1['note_id']}']").check()
    await fac.locator(f"#notes input.pick[data-note-id='{n2['note_id']}']").check()
    await fac.locator("#selection-count", has_text="2 notes selected").wait_for()
    await fac.click("#make-keypoint")
    await fac.locator("#keypoint-source", has_text="2 selected notes").wait_for()
    prefilled = await fac.input_value("#keypoint-text")
    assert "GP appointments in the evening" in prefilled and "Saturday surgeries" in prefilled
    assert "Parking" not in prefilled
    await fac.fill("#keypoint-text", "Open GP surgeries in evenings and on Saturdays")
    await fac.click("#keypoint-add")
    added = await observer.wait_event("keypoint.added", text="Open GP surgeries in evenings and on Saturdays")
    assert sorted(added["data"]["note_ids"]) == sorted([n1["note_id"], n2["note_id"]])
    assert added["group_id"] == "access"
    kp_id = added["data"]["keypoint_id"]
    kp = fac.locator(f"#keypoints li.keypoint[data-keypoint-id='{kp_id}']")
    await kp.locator(".kp-source", has_text="from 2 notes").wait_for()
    assert not screen.seen("keypoint.added"), "an unpublished key point reached the screen"

    # Publish: a confirmation first, then the screen has it.
    await kp.locator("button.kp-publish").click()
    dialog = fac.locator("dialog.confirm[open]")
    await dialog.wait_for()
    assert "Open GP surgeries" in await dialog.text_content()
    await dialog.get_by_role("button", name="Publish").click()
    published = await screen.wait_event("keypoint.published", keypoint_id=kp_id)
    assert published["data"]["text"] == "Open GP surgeries in evenings and on Saturdays"
    await kp.locator(".published-badge").wait_for()

    # The lead's tablet, upright: start a slot, add a minute, pause, set the focus.
    lead, lead_watch = await open_console(browser, srv.links()["lead"], PORTRAIT)
    await lead.locator("#agenda li.slot[data-slot-id='issue-groups'] button.slot-start").click()
    await screen.wait_event("agenda.started", slot_id="issue-groups")
    await lead.locator("#slot-title", has_text="ssue").wait_for()
    await lead.locator("#timer[data-state=running]").wait_for()
    await lead.click("#extend-1")
    extended = await screen.wait_event("timer.extended")
    assert extended["data"]["seconds"] == 60 and extended["data"]["slot_id"] == "issue-groups"
    await lead.click("#pause")
    paused = await screen.wait_event("timer.paused")
    assert paused["data"]["slot_id"] == "issue-groups"
    await lead.locator("#timer[data-state=paused]").wait_for()
    await lead.locator("#countdown.paused").wait_for()
    await lead.wait_for_function("""() => {
        const on = (id) => { const b = document.getElementById(id);
                             return !b.disabled && b.getAttribute('aria-disabled') !== 'true'; };
        return on('resume') && !on('pause'); }""")
    # 90 planned minutes + 1 added, a moment ago (whole seconds, rounded up): 1:31:00 or 1:30:5x.
    shown = (await lead.text_content("#countdown")).strip()
    assert re.fullmatch(r"1:31:00|1:30:[0-5][0-9]", shown), shown

    focus_btn = lead.locator("#focus-buttons button.focus-btn[data-group-id='access']")
    assert await focus_btn.get_attribute("aria-pressed") == "false"
    await focus_btn.click()
    await screen.wait_event("plenary.focused", group_id="access")
    await lead.locator("#focus-buttons button.focus-btn[data-group-id='access'][aria-pressed=true]").wait_for()

    # The Board's tablet follows the focus to the group presenting, with its key point.
    board, board_watch = await open_console(browser, srv.links()["board"], LANDSCAPE)
    await board.locator("#group-heading", has_text="Access to services").wait_for()
    await board.locator("#keypoints li.keypoint", has_text="Open GP surgeries").wait_for()
    assert await board.get_attribute("#tab-access", "aria-selected") == "true"

    async def log(stance: str, text: str, reason: str = "") -> None:
        await board.fill("#member", "Dame Anne")
        await board.fill("#response-text", text)
        await board.click(f"label[for=stance-{stance}]")
        await board.fill("#reason", reason)
        await board.click("#submit")

    await log("commit", "We will pilot evening opening in two practices")
    await screen.wait_event("response.logged", stance="commit")
    # Each submit clears the last "Logged…"; the tablet resets the form on the ack.
    await board.locator("#form-done", has_text="Logged").wait_for()
    await log("consider", "We will look at Saturday surgeries with the CCGs")
    await screen.wait_event("response.logged", stance="consider")
    await board.locator("#form-done", has_text="Logged").wait_for()
    assert await board.input_value("#response-text") == ""

    # A decline with no reason is refused on the tablet and marked; nothing is logged.
    await log("decline", "We will not fund hospital parking")
    await board.locator("#form-error", has_text="A decline needs a reason").wait_for()
    assert await board.get_attribute("#reason", "aria-invalid") == "true"
    assert await board.evaluate("() => document.activeElement?.id") == "reason"
    assert await board.input_value("#response-text") == "We will not fund hospital parking"
    await board.wait_for_timeout(300)
    assert not screen.seen("response.logged", stance="decline")
    # With the reason it goes through.
    await board.fill("#reason", "Parking is run by the trust, not the Board")
    await board.click("#submit")
    declined = await screen.wait_event("response.logged", stance="decline")
    assert declined["data"]["reason"] == "Parking is run by the trust, not the Board"
    assert declined["group_id"] == "access" and declined["data"]["member"] == "Dame Anne"
    await board.locator("#form-done", has_text="Logged").wait_for()
    assert await board.get_attribute("#reason", "aria-invalid") is None
    responses = board.locator("#responses li.response")
    await responses.nth(2).wait_for()
    assert await responses.count() == 3
    assert "Parking is run by the trust" in await board.text_content(
        f"#responses li.response[data-response-id='{declined['data']['response_id']}'] .reason")

    # A participant corrects the decline; the Board resolves it from its tablet.
    corr = await phone.call("correction.submit", {
        "client_id": cid(), "response_id": declined["data"]["response_id"],
        "text": "We asked about disabled parking only"})
    assert corr["ok"], corr
    item = board.locator(f"li.correction[data-correction-id='{corr['correction_id']}']")
    await item.locator(".correction-text", has_text="disabled parking only").wait_for()
    await board.locator("#tab-access .badge.waiting", has_text="1 to resolve").wait_for()
    await item.locator("button.resolve-accepted").click()
    resolved = await screen.wait_event("correction.resolved", correction_id=corr["correction_id"])
    assert resolved["data"]["outcome"] == "accepted"
    await board.locator(f"li.correction[data-correction-id='{corr['correction_id']}'][data-outcome=accepted]").wait_for()

    # Exactly one of each stance in the log: the refused decline left nothing behind.
    log_events = (await observer.call("sync", {"since": 0}))["events"]
    stances = sorted(e["data"]["stance"] for e in log_events if e["type"] == "response.logged")
    assert stances == ["commit", "consider", "decline"]
    for w in (fac_watch, lead_watch, board_watch):
        clean(w)


# -- 2. the QR sheet prints ------------------------------------------------------------------

async def test_qr_sheet_prints_to_pdf_with_a_code_for_every_group(browser, sqlite_server, tmp_path):
    srv = sqlite_server
    page, watch = await open_qr_sheet(browser, srv, PORTRAIT)
    cards = page.locator("#cards section.qr-card")
    assert await cards.count() == len(GROUPS)
    for gid in GROUPS:
        code = srv.token("join", gid)
        card = page.locator(f"#cards section.qr-card[data-group='{gid}']")
        img = card.locator("img.qr")
        assert await img.count() == 1
        assert await img.get_attribute("src") == f"/j/{code}/qr.svg"
        assert await img.evaluate("i => i.complete && i.naturalWidth > 0")
        assert code in await card.locator(".address").text_content()
        assert (await img.get_attribute("alt")).startswith("QR code to join")
    assert await page.is_enabled("#print")

    pdf = await page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF-") and len(pdf) > 5000
    path = tmp_path / "qr-sheet.pdf"
    path.write_bytes(pdf)
    if shutil.which("pdftoppm"):
        out = subprocess.run(["pdftoppm", "-r", "30", "-png", str(path), str(tmp_path / "p")],
                             capture_output=True, timeout=30)
        assert out.returncode == 0, out.stderr
        pngs = sorted(tmp_path.glob("p*.png"))
        # Two cards to an A4 page: five groups take three pages.
        assert len(pngs) == 3, pngs
        assert all(p.stat().st_size > 500 for p in pngs)
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                              timeout=30).stdout
        for gid in GROUPS:  # every card, with the address to type by hand, made it to paper
            assert f"/j/{srv.token('join', gid)}" in text, gid
        assert "QR codes for the tables" not in text  # the on-screen controls do not print
    clean(watch)


# -- 3. a join code replaced from the organiser console --------------------------------------

async def test_organiser_replaces_a_join_code_and_the_old_link_stops_working(browser, sqlite_server):
    srv = sqlite_server
    old = srv.token("join", "access")
    page, watch = await open_organiser(browser, srv, LANDSCAPE)
    sheet, sheet_watch = await open_qr_sheet(browser, srv, PORTRAIT)  # open in another tab
    card = page.locator("#group-cards li.group-card[data-group='access']")
    assert await card.get_attribute("data-code") == old
    assert (await page.input_value("#join-access")).endswith(f"/j/{old}")
    assert await card.locator("img.qr").get_attribute("src") == f"/j/{old}/qr.svg"

    # Cancel changes nothing.
    dialog = page.locator("#rotate-dialog")
    await card.locator("button.rotate").click()
    await page.locator("#rotate-dialog[open]").wait_for()
    assert "Access to services" in await dialog.text_content()
    await page.click("#rotate-cancel")
    await page.wait_for_function("() => !document.querySelector('#rotate-dialog').open")
    await page.wait_for_timeout(300)
    assert await card.get_attribute("data-code") == old
    assert httpx.get(f"{srv.url}/j/{old}").status_code == 200

    # Confirm replaces it.
    await card.locator("button.rotate").click()
    await page.locator("#rotate-dialog[open]").wait_for()
    await page.click("#rotate-confirm")
    await page.locator(f"#group-cards li.group-card[data-group='access']:not([data-code='{old}'])").wait_for()
    new = await card.get_attribute("data-code")
    assert new and new != old
    await page.locator("#rotate-done", has_text="new join code").wait_for()
    await card.locator("p.renewed").wait_for()
    assert (await page.input_value("#join-access")).endswith(f"/j/{new}")
    img = card.locator("img.qr")
    assert await img.get_attribute("src") == f"/j/{new}/qr.svg"
    await page.wait_for_function(
        "() => { const i = document.querySelector(\"li.group-card[data-group='access'] img.qr\");"
        " return i.complete && i.naturalWidth > 0; }")

    gone = httpx.get(f"{srv.url}/j/{old}")
    assert gone.status_code == 404 and "not valid" in gone.text
    assert httpx.get(f"{srv.url}/j/{old}/qr.svg").status_code == 404
    assert httpx.get(f"{srv.url}/j/{new}").status_code == 200
    # The other groups keep theirs.
    other = srv.token("join", "self-care")
    assert await page.get_attribute("#group-cards li.group-card[data-group='self-care']", "data-code") == other
    assert httpx.get(f"{srv.url}/j/{other}").status_code == 200

    # The QR sheet open meanwhile redraws the card with the new code, ready to print again.
    await sheet.locator(f"section.qr-card[data-group='access'] img.qr[src='/j/{new}/qr.svg']").wait_for()
    await sheet.locator("body[data-ready=true]").wait_for()
    assert new in await sheet.text_content("section.qr-card[data-group='access'] .address")
    assert old not in await sheet.text_content("#cards")
    clean(watch)
    clean(sheet_watch)


# -- 3b. a staff link replaced from the organiser console (CONTRACT §11) ---------------------

async def link_qr_is(page, srv, box: str, link: str) -> None:
    """The QR code shown in `box` is the server's QR code of `link` (and has loaded)."""
    from townhall.web import qr_svg
    img = page.locator(f"{box} img.link-qr")
    await img.wait_for()
    await page.wait_for_function(
        "(sel) => { const i = document.querySelector(sel); return i.complete && i.naturalWidth > 0; }",
        arg=f"{box} img.link-qr")
    src = await img.get_attribute("src")
    assert httpx.get(f"{srv.url}{src}").content == qr_svg(link)


async def test_organiser_replaces_a_staff_link_and_the_tablet_holding_it_stops(browser, sqlite_server):
    srv = sqlite_server
    old_lead, old_fac = srv.links()["lead"], srv.links()["facilitators"]["access"]
    page, watch = await open_organiser(browser, srv, LANDSCAPE, bypass_csp=True)
    lead, lead_watch = await open_console(browser, old_lead, PORTRAIT)
    tablet, tablet_watch = await open_console(browser, old_fac, PORTRAIT)
    row = page.locator("#staff-links li[data-role=lead]")
    card = page.locator("#group-cards li.group-card[data-group='access']")

    # Every staff link can be shown as a QR code, to open it on a tablet by scanning.
    await row.locator("button.show-qr").click()
    assert await row.locator("button.show-qr").get_attribute("aria-expanded") == "true"
    await link_qr_is(page, srv, "#staff-links li[data-role=lead]", old_lead)
    # The organiser's own link has no Replace button here: it is replaced on the server.
    organiser_row = page.locator("#staff-links li[data-role=organiser]")
    assert await organiser_row.locator("button.replace-link").count() == 0
    assert "townhall links --rotate organiser" in await organiser_row.text_content()
    assert await axe_violations(page) == []

    # Cancel changes nothing.
    await row.locator("button.replace-link").click()
    await page.locator("#replace-dialog[open]").wait_for()
    assert "Lead facilitator link" in await page.text_content("#replace-title")
    await page.click("#replace-cancel")
    await page.wait_for_function("() => !document.querySelector('#replace-dialog').open")
    assert await page.evaluate("() => document.activeElement.classList.contains('replace-link')")
    await page.wait_for_timeout(300)
    assert await page.input_value("#link-lead") == old_lead
    await lead.locator("#status[data-state=connected]").wait_for()

    # Confirm: the old link stops everywhere at once; the console shows the new one.
    await row.locator("button.replace-link").click()
    await page.click("#replace-confirm")
    await page.wait_for_function(
        "(old) => { const v = document.querySelector('#link-lead').value; return v && v !== old; }", arg=old_lead)
    new_lead = await page.input_value("#link-lead")
    assert "/lead/" in new_lead
    await page.locator("#staff-status", has_text="replaced").wait_for()
    await link_qr_is(page, srv, "#staff-links li[data-role=lead]", new_lead)
    await lead.locator("#status[data-state=refused]").wait_for()
    assert "replaced this link" in await lead.text_content("#status")
    assert httpx.get(old_lead).status_code == 404
    assert httpx.get(new_lead).status_code == 200
    # The page that held the old link does not keep knocking.
    await lead.wait_for_timeout(2500)
    assert await lead.get_attribute("#status", "data-state") == "refused"
    # The facilitator's tablet was not touched.
    assert await tablet.get_attribute("#status", "data-state") == "connected"
    relead, relead_watch = await open_console(browser, new_lead, PORTRAIT)

    # A facilitator's link, from its group's card.
    await card.locator("button.replace-link").click()
    await page.locator("#replace-dialog[open]").wait_for()
    assert "Access to services" in await page.text_content("#replace-title")
    await page.click("#replace-confirm")
    await page.wait_for_function(
        "(old) => { const v = document.querySelector('#facilitator-access').value; return v && v !== old; }",
        arg=old_fac)
    new_fac = await page.input_value("#facilitator-access")
    await link_qr_is(page, srv, "#group-cards li.group-card[data-group='access']", new_fac)
    await tablet.locator("#status[data-state=refused]").wait_for()
    assert httpx.get(old_fac).status_code == 404
    # Other groups' tablets keep theirs; the join code was not touched.
    assert await page.input_value("#facilitator-self-care") == srv.links()["facilitators"]["self-care"]
    assert (await page.input_value("#join-access")) == srv.links()["join"]["access"]
    await open_console(browser, new_fac, PORTRAIT)
    # Only the organiser may ask for a QR code of a staff link.
    assert httpx.get(f"{srv.url}/organiser/{srv.token('lead')}/links/lead.svg").status_code == 404
    assert httpx.get(f"{srv.url}/organiser/{srv.token('organiser')}/links/nobody.svg").status_code == 404
    clean(watch)
    clean(relead_watch)


# -- 4. nothing leaves the venue; no console errors ------------------------------------------

async def seed(srv, connect) -> None:
    """Something on every console: notes, key points, a running slot, responses, a correction."""
    phone = await connect(srv, "participant", "access", name="Ann")
    lead = await connect(srv, "lead")
    board = await connect(srv, "board")
    notes = [await phone.call("note.add", {"client_id": cid(), "text": t})
             for t in ("Evening appointments", "Clearer letters")]
    await phone.call("note.support", {"note_id": notes[0]["note_id"]})
    kp = await lead.call("keypoint.add", {"client_id": cid(), "group_id": "access",
                                          "text": "Evening appointments",
                                          "note_ids": [notes[0]["note_id"]]})
    await lead.call("keypoint.publish", {"keypoint_id": kp["keypoint_id"]})
    await lead.call("keypoint.add", {"client_id": cid(), "group_id": "access", "text": "A draft point"})
    await lead.call("agenda.start", {"slot_id": "plenary-access"})
    await lead.call("plenary.focus", {"group_id": "access"})
    await board.call("response.log", {"client_id": cid(), "group_id": "access", "member": "Sir Malcolm",
                                      "text": "We commit to a pilot", "stance": "commit"})
    r = await board.call("response.log", {"client_id": cid(), "group_id": "access", "member": "Sir Malcolm",
                                          "text": "Not this year", "stance": "decline",
                                          "reason": "No budget until April"})
    c = await phone.call("correction.submit", {"client_id": cid(), "response_id": r["response_id"],
                                               "text": "We asked for weekends"})
    assert c["ok"], c


async def open_each_console(browser, srv, **context_kw):
    """{name: (page, watch)} for every console, alternating the two tablet sizes, once each
    shows the seeded state."""
    links = srv.links()

    async def facilitator():
        page, watch = await open_console(browser, links["facilitators"]["access"], LANDSCAPE, **context_kw)
        await page.locator("#notes li.note").first.wait_for()
        return page, watch

    async def lead():
        page, watch = await open_console(browser, links["lead"], PORTRAIT, **context_kw)
        await page.locator("#correction-list li.correction").first.wait_for()
        return page, watch

    async def board():
        page, watch = await open_console(browser, links["board"], LANDSCAPE, **context_kw)
        await page.locator("#responses li.response").first.wait_for()
        return page, watch

    names = ["facilitator", "lead", "board", "organiser", "qr-sheet"]
    opened = await asyncio.gather(facilitator(), lead(), board(),
                                  open_organiser(browser, srv, PORTRAIT, **context_kw),
                                  open_qr_sheet(browser, srv, LANDSCAPE, **context_kw))
    return dict(zip(names, opened))


async def test_no_console_fetches_off_loopback_or_logs_errors(browser, sqlite_server, connect):
    srv = sqlite_server
    await seed(srv, connect)
    opened = await open_each_console(browser, srv)
    # A little use on each: the pages keep working and still fetch nothing from outside.
    fac, lead, board, organiser = (opened[n][0] for n in ("facilitator", "lead", "board", "organiser"))
    await fac.click("#sort-support")
    await fac.locator("#sort-support[aria-pressed=true]").wait_for()
    await lead.click("#extend-1")
    await lead.locator(".toast", has_text="Added 1 min").wait_for()
    await board.click("#tab-self-care")
    await board.locator("#group-heading", has_text="Self-care").wait_for()
    await organiser.locator("#health-store[data-state=ok]").wait_for()
    for name, (_page, watch) in opened.items():
        assert watch.requests, name
        assert watch.off_loopback() == [], (name, watch.off_loopback())
        assert watch.errors == [], (name, watch.errors)


# -- 5. accessibility ------------------------------------------------------------------------

async def test_no_console_has_serious_accessibility_violations(browser, sqlite_server, connect):
    srv = sqlite_server
    await seed(srv, connect)
    opened = await open_each_console(browser, srv, bypass_csp=True)
    pages = {name: page for name, (page, _watch) in opened.items()}

    # The states a page is in besides its first render: the dialogs that ask before
    # something cannot be undone, and a form that refused what was typed.
    async def publish_dialog(page):
        await page.locator("#keypoints li.keypoint:not(.published) button.kp-publish").click()
        await page.locator("dialog.confirm[open]").wait_for()

    async def rotate_dialog(page):
        await page.locator("li.group-card[data-group='access'] button.rotate").click()
        await page.locator("#rotate-dialog[open]").wait_for()

    async def refused_decline(page):
        await page.click("label[for=stance-decline]")
        await page.click("#submit")
        await page.locator("#form-error", has_text="A decline needs a reason").wait_for()

    async def audit(name, then=None):
        page = pages[name]
        found = {name: await axe_violations(page)}
        if then:
            await then(page)
            found[f"{name}: {then.__name__.replace('_', ' ')}"] = await axe_violations(page)
        return found

    results = await asyncio.gather(
        audit("facilitator", publish_dialog), audit("lead"), audit("board", refused_decline),
        audit("organiser", rotate_dialog), audit("qr-sheet"))
    found = {k: v for r in results for k, v in r.items()}
    assert len(found) == 8
    assert {k: v for k, v in found.items() if v} == {}


# -- helpers for the day as it is really used ------------------------------------------------

FAC_NOTE_TEXTS = [
    "Evening and weekend GP appointments for people who work shifts",
    "Letters from the hospital are hard to read and arrive after the appointment",
    "Parking at the hospital costs more than the bus fare for most of us",
    "Interpreters should be booked with the appointment, not on the day",
    "Repeat prescriptions online would save a trip to the surgery",
    "Phone lines open at 8 and every slot is gone by 8.05",
]


async def fill_notes(srv, connect, group: str, count: int, per_person: int = 25) -> list[str]:
    """`count` notes in `group` from several phones (a participant may add 30 a minute)."""
    people = [await connect(srv, "participant", group, name=f"P{i}") for i in range(-(-count // per_person))]

    async def write(phone, start: int, n: int) -> list[str]:
        ids = []
        for i in range(start, start + n):
            ack = await phone.call("note.add", {"client_id": cid(),
                                                "text": f"{FAC_NOTE_TEXTS[i % len(FAC_NOTE_TEXTS)]} ({i + 1})"})
            assert ack["ok"], ack
            ids.append(ack["note_id"])
        return ids

    chunks = await asyncio.gather(*(write(p, i * per_person, min(per_person, count - i * per_person))
                                    for i, p in enumerate(people)))
    return [nid for chunk in chunks for nid in chunk]


async def add_keypoints(lead, group: str, texts: list[str]) -> list[str]:
    ids = []
    for t in texts:
        ack = await lead.call("keypoint.add", {"client_id": cid(), "group_id": group, "text": t})
        assert ack["ok"], ack
        ids.append(ack["keypoint_id"])
    return ids


KEYPOINTS = [
    "Open GP surgeries in the evening and on Saturdays, starting with the practices that serve shift workers",
    "Write hospital letters in plain English and send them at least two weeks before the appointment",
    "Book interpreters together with the appointment so nobody has to explain their illness through a child",
]


async def tap(page, selector: str, times: int = 1) -> None:
    """Tap where the control is on the screen, as a finger does, whatever state it is in."""
    target = page.locator(selector)
    await target.scroll_into_view_if_needed()
    box = await target.bounding_box()
    for _ in range(times):
        await page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        await page.wait_for_timeout(150)


class SlowUplink:
    """The page's socket through Playwright's WebSocket routing: frames the page sends for
    the events named wait until release() (the venue Wi-Fi holds the uplink, so the
    answer is late); everything else passes both ways at once. `held` counts what the
    page sent."""

    def __init__(self, *events: str) -> None:
        self.events = events
        self.held: list[tuple] = []
        self.released = False

    async def install(self, page) -> None:
        await page.route_web_socket(re.compile(r".*/socket\.io/.*"), self._route)

    def _route(self, ws) -> None:
        server = ws.connect_to_server()

        def from_page(message):
            if (not self.released and isinstance(message, str)
                    and any(f'["{name}"' in message for name in self.events)):
                self.held.append((server, message))
            else:
                server.send(message)

        ws.on_message(from_page)
        server.on_message(lambda message: ws.send(message))

    def release(self) -> None:
        self.released = True
        for server, message in self.held:
            server.send(message)


def offline_noise(watch) -> list[str]:
    """Console errors other than the browser saying the network is gone."""
    return [e for e in watch.errors if "ERR_INTERNET_DISCONNECTED" not in e]


# -- 6. every write control sends once per intent ----------------------------------------------

async def test_a_key_point_tapped_again_while_its_answer_is_slow_is_added_once(browser, sqlite_server, connect):
    srv = sqlite_server
    observer = await connect(srv, "lead")
    phone = await connect(srv, "participant", "access", name="Priya")
    uplink = SlowUplink("keypoint.add")
    page, watch = await new_page(browser, *LANDSCAPE)
    await uplink.install(page)
    await page.goto(srv.links()["facilitators"]["access"])
    await page.locator("#status[data-state=connected]").wait_for()

    await page.fill("#keypoint-text", "Evening GP appointments")
    await tap(page, "#keypoint-add")
    # The hall goes on meanwhile: a note arrives and the console redraws.
    n = await phone.call("note.add", {"client_id": cid(), "text": "One more from table 3"})
    await page.locator(f"#notes li.note[data-note-id='{n['note_id']}']").wait_for()
    await tap(page, "#keypoint-add", times=2)
    await page.wait_for_timeout(300)
    assert len(uplink.held) == 1, "the page sent the same key point more than once"
    assert await page.get_attribute("#keypoint-add", "aria-busy") == "true"

    uplink.release()
    await observer.wait_event("keypoint.added", text="Evening GP appointments")
    await page.wait_for_timeout(1000)  # (the tablet sends its queue in order: a second would follow)
    assert len(observer.seen("keypoint.added")) == 1, "the same key point was added twice"
    await page.locator("#keypoints li.keypoint", has_text="Evening GP appointments").wait_for()
    await page.wait_for_function("() => document.querySelector('#keypoint-text').value === ''")
    clean(watch)


async def test_a_key_point_tapped_three_times_offline_arrives_once(browser, sqlite_server, connect):
    srv = sqlite_server
    observer = await connect(srv, "lead")
    page, watch = await open_console(browser, srv.links()["facilitators"]["access"], LANDSCAPE)
    await page.context.set_offline(True)
    await page.locator("#status:not([data-state=connected])").wait_for()

    await page.fill("#keypoint-text", "Clearer hospital letters")
    await tap(page, "#keypoint-add", times=3)
    # Kept on the tablet: the form says so and is ready for the next key point.
    await page.locator("#keypoint-status", has_text="Saved on this tablet").wait_for()
    assert await page.input_value("#keypoint-text") == ""
    waiting = page.locator("#keypoints-pending li")
    await waiting.filter(has_text="Clearer hospital letters").wait_for()
    assert await waiting.count() == 1

    await page.context.set_offline(False)
    await observer.wait_event("keypoint.added", text="Clearer hospital letters")
    await page.locator("#keypoints li.keypoint", has_text="Clearer hospital letters").wait_for()
    await page.locator("#keypoints-pending").wait_for(state="hidden")
    await page.locator("#keypoint-status", has_text="has been added").wait_for()
    await page.wait_for_timeout(800)
    assert len(observer.seen("keypoint.added")) == 1
    assert offline_noise(watch) == []


async def board_log(board, text: str, stance: str = "commit", times: int = 1) -> None:
    await board.fill("#member", "Dame Anne")
    await board.fill("#response-text", text)
    await board.click(f"label[for=stance-{stance}]")
    await tap(board, "#submit", times=times)


async def test_a_board_response_tapped_again_is_logged_once(browser, sqlite_server, connect):
    srv = sqlite_server
    observer = await connect(srv, "screen")
    # A slow answer: the tablet waits, then keeps the response and clears the form.
    uplink = SlowUplink("response.log")
    board, watch = await new_page(browser, *LANDSCAPE)
    await uplink.install(board)
    await board.goto(srv.links()["board"])
    await board.locator("#status[data-state=connected]").wait_for()
    await board_log(board, "We will pilot evening opening", times=3)
    await board.wait_for_timeout(300)
    assert len(uplink.held) == 1, "the Board's tablet sent the same response more than once"
    uplink.release()
    await observer.wait_event("response.logged", text="We will pilot evening opening")
    await board.locator("#form-done", has_text="Logged").wait_for()

    clean(watch)

    # Offline (a tablet without routing: the browser's own socket): three taps, one
    # response, once the connection is back.
    board, watch = await open_console(browser, srv.links()["board"], LANDSCAPE)
    await board.context.set_offline(True)
    await board.locator("#status:not([data-state=connected])").wait_for()
    await board_log(board, "We will look at Saturday surgeries", stance="consider", times=3)
    await board.locator("#form-done", has_text="Saved on this tablet").wait_for()
    assert await board.input_value("#response-text") == ""
    await board.locator("#pending-responses li", has_text="Saturday surgeries").wait_for()
    await board.context.set_offline(False)
    await observer.wait_event("response.logged", text="We will look at Saturday surgeries")
    await board.locator("#responses li.response", has_text="Saturday surgeries").wait_for()
    await board.wait_for_timeout(800)
    texts = [e["data"]["text"] for e in observer.seen("response.logged")]
    assert texts == ["We will pilot evening opening", "We will look at Saturday surgeries"]
    assert offline_noise(watch) == []


# -- 7. an error says only what is still true, and covers no control ----------------------------

COVERED = """() => {
  const alerts = document.querySelector('#alerts');
  const out = [];
  for (const c of document.querySelectorAll('button, input, textarea, select, a[href], summary')) {
    if (alerts.contains(c)) continue;
    const r = c.getBoundingClientRect();
    if (!r.width || !r.height) continue;
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) continue;
    const hit = document.elementFromPoint(x, y);
    if (hit && alerts.contains(hit)) out.push(c.id || c.className || c.tagName);
  }
  return out;
}"""


async def test_an_error_goes_once_it_is_no_longer_true_and_covers_no_control(browser, sqlite_server, connect):
    srv = sqlite_server
    lead = await connect(srv, "lead")
    await fill_notes(srv, connect, "access", 40)
    ids = await add_keypoints(lead, "access", KEYPOINTS)
    page, watch = await open_console(browser, srv.links()["facilitators"]["access"], LANDSCAPE)
    await page.locator("#notes li.note").nth(39).wait_for()
    await page.locator("#keypoints li.keypoint").nth(2).wait_for()

    # Offline, a move cannot be made: the console says so...
    await page.context.set_offline(True)
    await page.locator("#status:not([data-state=connected])").wait_for()
    await page.locator(f"#keypoints li.keypoint[data-keypoint-id='{ids[0]}'] button.kp-down").click()
    alert = page.locator("#alerts", has_text="Not connected")
    await alert.wait_for()
    assert await page.evaluate(COVERED) == []
    # ...and stops saying it once the connection is back.
    await page.context.set_offline(False)
    await page.locator("#status[data-state=connected]").wait_for()
    await alert.wait_for(state="hidden")

    # A refusal about a field goes as soon as the field is edited.
    item = page.locator(f"#keypoints li.keypoint[data-keypoint-id='{ids[1]}']")
    await item.get_by_role("button", name="Edit key point 2").click()
    await item.locator("textarea").fill("   ")
    await item.get_by_role("button", name="Save", exact=True).click()
    empty = page.locator("#alerts", has_text="cannot be empty")
    await empty.wait_for()
    assert await page.evaluate(COVERED) == []
    await item.locator("textarea").type("Plain English letters")
    await empty.wait_for(state="hidden")
    assert offline_noise(watch) == []


# -- 8. the keyboard stays where the work is ---------------------------------------------------

ACTIVE = """() => {
  const a = document.activeElement;
  return {id: a?.id ?? '', cls: a?.className ?? '',
          note: a?.closest('li.note')?.dataset.noteId ?? null,
          kp: a?.closest('li.keypoint')?.dataset.keypointId ?? null};
}"""


async def wait_active(page, **want) -> None:
    """Until document.activeElement matches: cls (a class it has), kp / note (its item), id."""
    cls = want.pop("cls", None)
    checks = [f"a.{k} === {v!r}" for k, v in want.items()]
    if cls:
        checks.append(f"a.cls.split(' ').includes({cls!r})")
    await page.wait_for_function(f"() => {{ const a = ({ACTIVE})(); return {' && '.join(checks)}; }}")


async def test_keyboard_stays_on_the_control_acted_on_past_150_notes(browser, sqlite_server, connect):
    srv = sqlite_server
    lead = await connect(srv, "lead")
    await fill_notes(srv, connect, "access", 160)
    ids = await add_keypoints(lead, "access", KEYPOINTS)
    page, watch = await open_console(browser, srv.links()["facilitators"]["access"], LANDSCAPE)
    await page.locator("#notes li.note").nth(159).wait_for()
    await page.locator("#keypoints li.keypoint").nth(2).wait_for()

    # From the top of the page, "Write a key point" is a few Tab presses away...
    presses = 0
    for presses in range(1, 41):
        await page.keyboard.press("Tab")
        if presses == 1:  # the first stop is a link straight to it
            first_stop = await page.evaluate("() => document.activeElement.textContent")
        if await page.evaluate("() => document.activeElement?.id") == "keypoint-text":
            break
    assert presses <= 10, f"{presses} Tab presses to reach 'Write a key point'"
    # ...or one, and Enter, with the skip link that comes first.
    assert "Write a key point" in first_stop
    await page.locator("a.skip-link").first.focus()
    await page.keyboard.press("Enter")
    await wait_active(page, id="keypoint-text")

    # The notes list is one Tab stop; the arrow keys move from note to note.
    notes = page.locator("#notes li.note")
    first, second = await notes.nth(0).get_attribute("data-note-id"), await notes.nth(1).get_attribute("data-note-id")
    await notes.nth(0).locator("input.pick").focus()
    await page.keyboard.press("ArrowDown")
    await wait_active(page, note=second, cls="pick")
    await page.keyboard.press("ArrowUp")
    await wait_active(page, note=first, cls="pick")

    # Hide a note: the keyboard lands on the next note's Hide button.
    third, fourth = await notes.nth(2).get_attribute("data-note-id"), await notes.nth(3).get_attribute("data-note-id")
    await notes.nth(2).locator("button.hide-note").focus()
    await page.keyboard.press("Enter")
    await lead.wait_event("note.hidden", note_id=third)
    await wait_active(page, note=fourth, cls="hide-note")

    # Move a key point down, twice: the keyboard stays on its arrow, even at the end.
    await page.locator(f"li.keypoint[data-keypoint-id='{ids[0]}'] button.kp-down").focus()
    await page.keyboard.press("Enter")
    await page.locator(f"#keypoints li.keypoint:nth-child(2)[data-keypoint-id='{ids[0]}']").wait_for()
    await wait_active(page, kp=ids[0], cls="kp-down")
    await page.keyboard.press("Enter")
    await page.locator(f"#keypoints li.keypoint:nth-child(3)[data-keypoint-id='{ids[0]}']").wait_for()
    await wait_active(page, kp=ids[0], cls="kp-down")

    # Publish from the keyboard: then it is on the Unpublish button in its place.
    await page.locator(f"li.keypoint[data-keypoint-id='{ids[1]}'] button.kp-publish").focus()
    await page.keyboard.press("Enter")
    await page.locator("dialog.confirm[open]").wait_for()
    await page.keyboard.press("Tab")  # Cancel has focus first; then Publish
    await page.keyboard.press("Enter")
    await lead.wait_event("keypoint.published", keypoint_id=ids[1])
    await wait_active(page, kp=ids[1], cls="kp-unpublish")

    # Edit and save: back on the Edit button.
    await page.locator(f"li.keypoint[data-keypoint-id='{ids[2]}'] button.kp-edit").focus()
    await page.keyboard.press("Enter")
    await wait_active(page, kp=ids[2], cls="kp-edit-text")
    await page.keyboard.press("End")
    await page.keyboard.type(", on request")
    await page.keyboard.press("Tab")  # Cancel
    await page.keyboard.press("Tab")  # Save
    await page.keyboard.press("Enter")
    await lead.wait_event("keypoint.edited", keypoint_id=ids[2])
    await wait_active(page, kp=ids[2], cls="kp-edit")
    clean(watch)


async def test_keyboard_moves_on_to_the_next_correction_once_one_is_resolved(browser, sqlite_server, connect):
    srv = sqlite_server
    await seed(srv, connect)
    phone = await connect(srv, "participant", "access", name="Bea")
    lead_client = await connect(srv, "lead")
    responses = [e for e in (await lead_client.call("sync", {"since": 0}))["events"] if e["type"] == "response.logged"]
    for text in ("It was evenings we asked for", "And the reason given is not the one we heard"):
        ack = await phone.call("correction.submit", {"client_id": cid(), "response_id": responses[-1]["data"]["response_id"],
                                                     "text": text})
        assert ack["ok"], ack
    links = srv.links()
    (lead, lead_watch), (board, board_watch) = await asyncio.gather(
        open_console(browser, links["lead"], PORTRAIT), open_console(browser, links["board"], LANDSCAPE))

    # Lead: three open corrections; resolving the first puts the keyboard on the second.
    items = lead.locator("#correction-list li.correction")
    await items.nth(2).wait_for()
    ids = [await items.nth(i).get_attribute("data-correction-id") for i in range(3)]
    await items.nth(0).locator("button.accepted").focus()
    await lead.keyboard.press("Enter")
    await lead_client.wait_event("correction.resolved", correction_id=ids[0])
    await lead.wait_for_function(
        f"() => document.activeElement?.closest('li.correction')?.dataset.correctionId === {ids[1]!r}"
        " && document.activeElement.classList.contains('accepted')")
    # Pause from the keyboard: it lands on Resume, which now makes sense.
    await lead.locator("#pause").focus()
    await lead.keyboard.press("Enter")
    await lead_client.wait_event("timer.paused")
    await lead.wait_for_function("() => document.activeElement?.id === 'resume'")

    # Board: the same for the corrections under a response.
    open_items = board.locator("#responses li.correction[data-outcome=open]")
    await open_items.nth(1).wait_for()
    first = await open_items.nth(0).get_attribute("data-correction-id")
    second = await open_items.nth(1).get_attribute("data-correction-id")
    await open_items.nth(0).locator("button.resolve-noted").focus()
    await board.keyboard.press("Enter")
    await lead_client.wait_event("correction.resolved", correction_id=first)
    await board.wait_for_function(
        f"() => document.activeElement?.closest('li.correction')?.dataset.correctionId === {second!r}"
        " && document.activeElement.dataset.outcome === 'noted'")
    clean(lead_watch)
    clean(board_watch)


# -- 9. the notes list holds still under the finger ------------------------------------------------

async def test_new_notes_do_not_move_the_note_being_read(browser, sqlite_server, connect):
    srv = sqlite_server
    await fill_notes(srv, connect, "access", 60)
    phone = await connect(srv, "participant", "access", name="Late")
    page, watch = await open_console(browser, srv.links()["facilitators"]["access"], LANDSCAPE)
    notes = page.locator("#notes li.note")
    await notes.nth(59).wait_for()
    reading = notes.nth(20)
    reading_id = await reading.get_attribute("data-note-id")
    await reading.evaluate("n => n.scrollIntoView({block: 'center'})")
    await page.wait_for_timeout(200)
    y0 = await reading.evaluate("n => n.getBoundingClientRect().top")

    for i in range(3):
        assert (await phone.call("note.add", {"client_id": cid(), "text": f"Arrived while reading ({i})"}))["ok"]
    button = page.locator("#new-notes", has_text="3 new notes")
    await button.wait_for()
    await page.locator("#notes li.note", has_text="Arrived while reading (2)").wait_for()
    y1 = await page.locator(f"#notes li.note[data-note-id='{reading_id}']").evaluate("n => n.getBoundingClientRect().top")
    assert abs(y1 - y0) < 2, (y0, y1)

    # The button takes the facilitator to them, and goes.
    await button.click()
    assert await page.evaluate("() => document.querySelector('#notes-panel').scrollTop") == 0
    await page.locator("#new-notes").wait_for(state="hidden")
    assert "Arrived while reading (2)" in await notes.nth(0).text_content()
    await wait_active(page, note=await notes.nth(0).get_attribute("data-note-id"), cls="pick")
    clean(watch)


# -- 10. a change redraws only what changed ----------------------------------------------------

async def test_a_new_note_or_support_touches_no_other_note(browser, sqlite_server, connect):
    srv = sqlite_server
    ids = await fill_notes(srv, connect, "access", 40)
    phone = await connect(srv, "participant", "access", name="Sam")
    page, watch = await open_console(browser, srv.links()["facilitators"]["access"], LANDSCAPE)
    await page.locator("#notes li.note").nth(39).wait_for()
    await page.wait_for_timeout(300)
    await page.evaluate("""() => {
      window.__touched = [];
      new MutationObserver((records) => {
        for (const r of records) {
          const li = (r.target.nodeType === 1 ? r.target : r.target.parentElement)?.closest('li.note');
          const added = [...r.addedNodes].map((n) => n.dataset?.noteId ?? '#text');
          window.__touched.push({note: li?.dataset.noteId ?? null, type: r.type, attr: r.attributeName, added});
        }
      }).observe(document.querySelector('#notes'), {subtree: true, childList: true, attributes: true, characterData: true});
    }""")
    new = await phone.call("note.add", {"client_id": cid(), "text": "Pharmacists could do more"})
    await page.locator(f"#notes li.note[data-note-id='{new['note_id']}']").wait_for()
    assert (await phone.call("note.support", {"note_id": ids[5]}))["ok"]
    await page.locator(f"#notes li.note[data-note-id='{ids[5]}'] .note-support", has_text="1 support").wait_for()
    await page.wait_for_timeout(300)
    touched = await page.evaluate("() => window.__touched")
    others = [t for t in touched if t["note"] not in (new["note_id"], ids[5])
              and not (t["note"] is None and t["added"] == [new["note_id"]])]
    assert others == [], others[:5]
    clean(watch)


# -- 11. people's text, in any script, shown in its own direction --------------------------------

async def test_peoples_text_is_shown_with_dir_auto_on_every_console(browser, sqlite_server, connect):
    srv = sqlite_server
    await seed(srv, connect)
    phone = await connect(srv, "participant", "access", name="سارة")
    arabic = await phone.call("note.add", {"client_id": cid(), "text": "مواعيد مسائية في العيادة"})
    assert arabic["ok"]
    opened = await open_each_console(browser, srv)
    fac = opened["facilitator"][0]
    await fac.locator(f"#notes li.note[data-note-id='{arabic['note_id']}']").wait_for()
    await fac.click(f"#keypoints li.keypoint:not(.published) button.kp-edit")  # an open editor too
    missing = {}
    for name in ("facilitator", "lead", "board"):
        page = opened[name][0]
        missing[name] = await page.evaluate("""() => [...document.querySelectorAll(
            '.user-text, textarea, input[type=text], .note-author, .corr-author, .corr-member, .member, .response-member')]
            .filter((n) => n.getAttribute('dir') !== 'auto' && !n.closest('[dir=auto]'))
            .map((n) => n.id || n.className)""")
    assert missing == {"facilitator": [], "lead": [], "board": []}
    note = fac.locator(f"#notes li.note[data-note-id='{arabic['note_id']}']")
    assert await note.locator(".note-text").evaluate("n => getComputedStyle(n).direction") == "rtl"
    assert await note.locator(".note-author").evaluate("n => getComputedStyle(n).direction") == "rtl"
    for _name, (_page, w) in opened.items():
        clean(w)


async def test_a_response_logged_three_times_offline_on_the_lead_tablet_arrives_once(browser, sqlite_server, connect):
    srv = sqlite_server
    screen = await connect(srv, "screen")
    lead, watch = await open_console(browser, srv.links()["lead"], PORTRAIT)
    await lead.context.set_offline(True)
    await lead.locator("#status:not([data-state=connected])").wait_for()
    await lead.select_option("#response-group", "access")
    await lead.fill("#response-member", "Dame Anne")
    await lead.fill("#response-text", "We will write to every practice about evening opening")
    await lead.click("label[for=stance-commit]")
    await tap(lead, "#response-submit", times=3)
    await lead.locator("#response-status", has_text="Saved on this tablet").wait_for()
    assert await lead.input_value("#response-text") == ""
    await lead.context.set_offline(False)
    await screen.wait_event("response.logged", text="We will write to every practice about evening opening")
    await lead.locator("#response-status", has_text="Logged").wait_for()
    await lead.wait_for_timeout(800)
    assert len(screen.seen("response.logged")) == 1
    assert offline_noise(watch) == []

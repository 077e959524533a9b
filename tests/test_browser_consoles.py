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
    assert await lead.is_enabled("#resume") and not await lead.is_enabled("#pause")
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

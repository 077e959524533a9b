"""The participant app in real Chromium at phone size."""

from __future__ import annotations

import asyncio

import pytest

from conftest import axe_violations, cid, new_page

PHONE = (360, 740)


async def join(page, srv, group="access", name="Ann"):
    await page.goto(srv.links()["join"][group])
    await page.fill("#name", name)
    await page.click("#join-form button[type=submit]")
    await page.wait_for_function("() => window.townhall?.model != null")


async def add_note(page, text):
    await page.fill("#note-text", text)
    await page.click("#note-form button[type=submit]")


async def test_join_and_add_a_note_the_facilitator_receives(browser, sqlite_server, connect):
    fac = await connect(sqlite_server, "facilitator", "access")
    page, watch = await new_page(browser, *PHONE)
    await join(page, sqlite_server, name="Priya")
    # The page draws on the next frame after the welcome: wait for it, then check it exactly.
    await page.locator("#group-name", has_text="Access to services").wait_for()
    assert await page.text_content("#group-name") == "Access to services"
    await add_note(page, "Evening GP appointments")
    ev = await fac.wait_event("note.added", text="Evening GP appointments")
    assert ev["actor"]["name"] == "Priya"
    await page.wait_for_selector(f"#notes li.note[data-note-id='{ev['data']['note_id']}']")
    assert not watch.errors, watch.errors
    assert not watch.off_loopback(), watch.off_loopback()


async def test_a_script_bearing_note_is_only_text(browser, sqlite_server, connect):
    page, watch = await new_page(browser, *PHONE)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    await join(page, sqlite_server)
    evil = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    await add_note(page, evil)
    note = page.locator("#notes li.note .note-text", has_text="<img src=x")
    await note.wait_for()
    assert await note.text_content() == evil
    assert await page.locator("#notes img").count() == 0
    # Someone else's note arrives over the socket and is rendered the same way.
    fac = await connect(sqlite_server, "facilitator", "access")
    await fac.call("note.add", {"client_id": cid(), "text": "<b>bold?</b>"})
    await page.locator("#notes .note-text", has_text="<b>bold?</b>").wait_for()
    assert await page.locator("#notes b").count() == 0
    await page.wait_for_timeout(300)
    assert dialogs == []


async def test_device_is_remembered_across_reloads(browser, sqlite_server):
    page, _ = await new_page(browser, *PHONE)
    await join(page, sqlite_server, name="Rosa")
    pid = await page.evaluate("townhall.model.participantId")
    await page.reload()
    await page.wait_for_function("() => window.townhall?.model != null")
    assert await page.locator("#join-form").is_hidden()
    assert await page.evaluate("townhall.model.participantId") == pid


async def test_note_typed_while_server_is_down_arrives_exactly_once(browser, sqlite_server, connect):
    srv = sqlite_server
    page, watch = await new_page(browser, *PHONE)
    await join(page, srv, name="Offline")
    srv.kill()
    await page.wait_for_selector("#status[data-state=reconnecting]")
    await add_note(page, "Typed in a dead zone")
    await page.wait_for_function("() => document.querySelector('#status').textContent.includes('saved and will be sent')")
    srv.start()
    lead = await connect(srv, "lead")

    async def copies() -> int:
        log = (await lead.call("sync", {"since": 0}))["events"]
        return len([e for e in log if e["type"] == "note.added" and e["data"]["text"] == "Typed in a dead zone"])

    # The page retries with backoff (at most 5 s apart): allow it a few rounds. The note
    # may land before the lead is in (then it is in the log, not a live event): read the log.
    for _ in range(60):
        if await copies():
            break
        await asyncio.sleep(0.5)
    await page.wait_for_selector("#status[data-state=connected]", timeout=20000)
    await page.wait_for_timeout(500)
    assert await copies() == 1
    shown = page.locator("#notes li.note .note-text", has_text="Typed in a dead zone")
    assert await shown.count() == 1
    assert not watch.off_loopback()


async def test_plenary_response_and_correction(browser, sqlite_server, connect):
    srv = sqlite_server
    board = await connect(srv, "board")
    lead = await connect(srv, "lead")
    page, _ = await new_page(browser, *PHONE)
    await join(page, srv, group="access", name="Checker")
    await lead.call("plenary.focus", {"group_id": "access"})
    ack = await board.call("response.log", {
        "client_id": cid(), "group_id": "access", "member": "Sir Malcolm",
        "text": "We will not extend opening hours this year", "stance": "decline",
        "reason": "No budget until April"})
    item = page.locator(f"#responses li.response[data-response-id='{ack['response_id']}']")
    await item.wait_for()
    assert "No budget until April" in await item.locator(".reason").text_content()
    await item.get_by_role("button", name="Suggest a correction").click()
    await item.locator("textarea").fill("We asked for weekends, not evenings")
    await item.get_by_role("button", name="Send correction").click()
    sub = await board.wait_event("correction.submitted")
    assert sub["data"]["text"] == "We asked for weekends, not evenings"
    await board.call("correction.resolve", {"correction_id": sub["data"]["correction_id"],
                                            "outcome": "accepted"})
    await item.locator(".correction .outcome", has_text="accepted").wait_for()


async def test_no_serious_accessibility_violations(browser, sqlite_server, connect):
    page, _ = await new_page(browser, *PHONE, bypass_csp=True)
    await page.goto(sqlite_server.links()["join"]["access"])
    await page.wait_for_selector("#join-form")
    assert await axe_violations(page) == []
    await page.fill("#name", "Axe")
    await page.click("#join-form button[type=submit]")
    await page.wait_for_function("() => window.townhall?.model != null")
    await add_note(page, "A note for the audit")
    await page.locator("#notes li.note").first.wait_for()
    assert await axe_violations(page) == []

"""The lead shapes the day from the lead console (CONTRACT §8), in real Chromium on a tablet:
the running part lengthened or shortened in one tap (its plan: slot.update minutes, not
timer.extend), parts added, edited, moved and removed in "Change the agenda" mode. The
projector and a phone are real pages too, and follow without a reload; python-socketio
clients record what the server logged."""

from __future__ import annotations

import asyncio

from conftest import axe_violations, new_page
from test_browser_consoles import LANDSCAPE, PORTRAIT, SlowUplink, clean, offline_noise, open_console, tap
from test_browser_phone import join

PROJECTOR = (1280, 720)
PHONE = (360, 740)

# The countdown as seconds ("1:29:58" or "12:05"), or null when it shows no time.
SECONDS = """(sel) => {
  const m = /(?:(\\d+):)?(\\d+):(\\d\\d)/.exec(document.querySelector(sel)?.textContent ?? '');
  return m ? (+(m[1] || 0)) * 3600 + (+m[2]) * 60 + (+m[3]) : null;
}"""

ACTIVE = """() => {
  const a = document.activeElement;
  return {id: a?.id ?? '', cls: a?.className ?? '', slot: a?.closest('li.slot')?.dataset.slotId ?? null};
}"""


async def open_screen(browser, srv, **kw):
    page, watch = await new_page(browser, *PROJECTOR, **kw)
    await page.goto(srv.links()["screen"])
    await page.wait_for_function("() => window.townhall?.model != null")
    return page, watch


async def countdown(page) -> int | None:
    return await page.evaluate(SECONDS, "#countdown")


async def wait_countdown(page, lo: int, hi: int) -> int:
    """Until the page's countdown shows between lo and hi seconds (a generous wait)."""
    await page.wait_for_function(f"() => {{ const s = ({SECONDS})('#countdown'); return s != null && s >= {lo} && s <= {hi}; }}",
                                 timeout=5000)
    return await countdown(page)


async def wait_active(page, **want) -> None:
    """Until document.activeElement matches: id, cls (a class it has), slot (its part)."""
    cls = want.pop("cls", None)
    try:
        await page.wait_for_function(
            """([want, cls]) => { const a = document.activeElement;
                 const slot = a?.closest('li.slot')?.dataset.slotId ?? null;
                 return Object.entries(want).every(([k, v]) => (k === 'slot' ? slot : a?.[k]) === v)
                   && (!cls || a?.classList.contains(cls)); }""", arg=[want, cls], timeout=5000)
    except Exception:
        raise AssertionError(f"focus is on {await page.evaluate(ACTIVE)}, not {want} {cls or ''}") from None


async def lead_order(page) -> list[str]:
    return await page.evaluate("() => [...document.querySelectorAll('#agenda li.slot')].map((li) => li.dataset.slotId)")


async def wait_model_agenda(page, ids: list[str]) -> None:
    """Until the page's model (what it renders from) holds the agenda in this order."""
    await page.wait_for_function(
        "(want) => JSON.stringify(window.townhall?.model?.agenda.map((s) => s.id)) === JSON.stringify(want)",
        arg=ids, timeout=5000)


def slot(page, sid: str):
    return page.locator(f"#agenda li.slot[data-slot-id='{sid}']")


async def fill_new_slot(page, title: str, minutes, kind: str = "break", group: str | None = None) -> None:
    await page.fill("#new-slot-title", title)
    await page.fill("#new-slot-minutes", str(minutes))
    await page.select_option("#new-slot-kind", kind)
    if group:
        await page.select_option("#new-slot-group", group)


# -- 1. the running part, longer or shorter, in one tap -------------------------------------------

async def test_the_lead_lengthens_the_running_part_and_the_projector_countdown_moves(browser, sqlite_server, connect):
    srv = sqlite_server
    observer = await connect(srv, "lead")
    (screen, screen_watch), (lead, watch) = await asyncio.gather(
        open_screen(browser, srv), open_console(browser, srv.links()["lead"], PORTRAIT))
    assert await lead.locator("#plan").is_hidden(), "nothing runs: there is no plan to change"

    await slot(lead, "issue-groups").locator("button.slot-start").click()
    started = await observer.wait_event("agenda.started", slot_id="issue-groups")
    await lead.locator("#plan:not([hidden])").wait_for()
    assert (await lead.text_content("#plan-now")).strip() == "90 min"
    assert await lead.input_value("#plan-minutes") == "90"
    before = await wait_countdown(screen, 88 * 60, 90 * 60)

    # "+5 min" to the plan: the slot is 95 minutes long now, and every countdown ends 5 min later.
    await lead.click("#plan-plus-5")
    upd = await observer.wait_event("slot.updated", slot_id="issue-groups")
    assert upd["data"]["minutes"] == 95
    assert upd["data"]["ends_at"] == started["data"]["ends_at"] + 5 * 60_000
    after = await wait_countdown(screen, before + 300 - 15, before + 300 + 1)
    assert 300 - 15 <= after - before <= 301, (before, after)
    await lead.locator("#plan-now", has_text="95 min").wait_for()
    await slot(lead, "issue-groups").locator(".slot-minutes", has_text="95 min planned").wait_for()
    await lead.locator(".toast", has_text="end moved 5 min later").wait_for()
    await wait_active(lead, id="plan-plus-5")
    assert not observer.seen("timer.extended"), "a new plan is not extra time"

    # Set the plan to a number: shorter, so the end comes 15 minutes earlier everywhere.
    before = await countdown(screen)
    await lead.fill("#plan-minutes", "80")
    await lead.press("#plan-minutes", "Enter")
    await observer.wait_event("slot.updated", minutes=80)
    after = await wait_countdown(screen, before - 900 - 15, before - 900 + 1)
    assert -900 - 15 <= after - before <= -899, (before, after)
    await lead.locator("#plan-now", has_text="80 min").wait_for()

    # Checked before anything is sent, next to the field; the message goes once it is fixed.
    sent = len(observer.seen("slot.updated"))
    await lead.fill("#plan-minutes", "0")
    await lead.press("#plan-minutes", "Enter")
    await lead.locator("#plan-error", has_text="whole number from 1 to 600").wait_for()
    assert await lead.get_attribute("#plan-minutes", "aria-invalid") == "true"
    await lead.fill("#plan-minutes", "601")
    await lead.click("#plan-set")
    await lead.locator("#plan-error", has_text="1 to 600").wait_for()
    await lead.fill("#plan-minutes", "85")
    assert await lead.text_content("#plan-error") == ""
    assert await lead.get_attribute("#plan-minutes", "aria-invalid") is None
    await lead.press("#plan-minutes", "Escape")  # never mind: back to the plan as it stands
    assert await lead.input_value("#plan-minutes") == "80"
    await lead.wait_for_timeout(300)
    assert len(observer.seen("slot.updated")) == sent, "nothing invalid went to the server"

    # Extra time is the other control, labelled so: the countdown gets longer, the plan stays.
    extra = lead.locator("#extend-5")
    assert await extra.evaluate("(b) => b.closest('[role=group]').getAttribute('aria-labelledby')") == "extra-label"
    assert await lead.text_content("#extra-label") == "Extra time"
    assert "the plan stays" in await lead.text_content("#" + await extra.get_attribute("aria-describedby"))
    assert "plan" in (await lead.get_attribute("#plan-plus-5", "aria-label"))
    await lead.click("#extend-5")
    extended = await observer.wait_event("timer.extended")
    assert extended["data"]["seconds"] == 300
    await lead.locator(".toast", has_text="the plan stays").wait_for()
    assert (await lead.text_content("#plan-now")).strip() == "80 min"
    assert len(observer.seen("slot.updated")) == sent

    # A paused part: the plan still changes, and the time left with it.
    await lead.click("#pause")
    await lead.locator("#timer[data-state=paused]").wait_for()
    paused = await wait_countdown(screen, 0, 24 * 3600)
    await lead.click("#plan-plus-10")
    upd = await observer.wait_event("slot.updated", minutes=90)
    assert "remaining_ms" in upd["data"]
    await wait_countdown(screen, paused + 600 - 2, paused + 600 + 2)
    clean(watch)
    clean(screen_watch)


async def test_the_plan_and_a_new_part_are_sent_once_however_often_tapped(browser, sqlite_server, connect):
    srv = sqlite_server
    observer = await connect(srv, "lead")
    assert (await observer.call("agenda.start", {"slot_id": "issue-groups"}))["ok"]
    # The venue Wi-Fi holds the tablet's uplink: answers are late.
    uplink = SlowUplink("slot.update", "slot.add")
    page, watch = await new_page(browser, *PORTRAIT)
    await uplink.install(page)
    await page.goto(srv.links()["lead"])
    await page.locator("#status[data-state=connected]").wait_for()
    await page.locator("#plan:not([hidden])").wait_for()

    await tap(page, "#plan-plus-10", times=3)
    assert len(uplink.held) == 1, "the tablet sent the same change of plan more than once"
    assert await page.get_attribute("#plan-plus-10", "aria-busy") == "true"
    assert await page.get_attribute("#plan-plus-5", "aria-disabled") == "true"
    uplink.release()
    await observer.wait_event("slot.updated", minutes=100)
    await page.locator("#plan-now", has_text="100 min").wait_for()
    await page.wait_for_timeout(500)
    assert [e["data"]["minutes"] for e in observer.seen("slot.updated")] == [100]
    assert await page.get_attribute("#plan-plus-10", "aria-busy") is None

    # A new part: three taps while the answer is late, one slot.add on the wire...
    uplink.released = False
    uplink.held.clear()
    await page.click("#agenda-edit")
    await fill_new_slot(page, "Table feedback round", 20, "group_work")
    await tap(page, "#slot-add-submit", times=3)
    assert len(uplink.held) == 1, "the tablet sent the same new part more than once"
    assert await page.get_attribute("#slot-add-submit", "aria-busy") == "true"
    # ...no answer at all: the console says so next to the form and keeps what was typed...
    await page.locator("#slot-add-error", has_text="No answer").wait_for(timeout=20_000)
    assert await page.input_value("#new-slot-title") == "Table feedback round"
    # ...the server did get it after all, and the retry is the same write (its client_id).
    uplink.release()
    added = await observer.wait_event("slot.added", title="Table feedback round")
    await page.click("#slot-add-submit")
    await page.locator("#agenda-status", has_text="Added “Table feedback round”").wait_for()
    await page.locator("#slot-add-error:empty").wait_for(state="attached")
    await page.wait_for_timeout(500)
    assert [e["data"]["slot_id"] for e in observer.seen("slot.added")] == [added["data"]["slot_id"]]
    assert added["data"]["after"] == "issue-groups", "right after the part under way"
    # The next one goes after it, so parts added in a row keep the order they were typed in.
    assert await page.input_value("#new-slot-position") == f"after:{added['data']['slot_id']}"
    await fill_new_slot(page, "Short break", 10)
    await page.click("#slot-add-submit")
    second = await observer.wait_event("slot.added", title="Short break")
    assert second["data"]["after"] == added["data"]["slot_id"]
    await page.locator("#agenda-status", has_text="Added “Short break”").wait_for()
    order = await lead_order(page)
    assert order[order.index("issue-groups") + 1:order.index("issue-groups") + 3] == [
        added["data"]["slot_id"], second["data"]["slot_id"]]
    assert offline_noise(watch) == []


async def test_a_part_added_twice_while_offline_is_added_once(browser, sqlite_server, connect):
    srv = sqlite_server
    observer = await connect(srv, "lead")
    page, watch = await open_console(browser, srv.links()["lead"], PORTRAIT)
    await page.click("#agenda-edit")
    await page.context.set_offline(True)
    await page.locator("#status:not([data-state=connected])").wait_for()
    await fill_new_slot(page, "Lunch", 45)
    await tap(page, "#slot-add-submit", times=2)
    # Not connected: nothing is added, the console says so next to the form and keeps it.
    await page.locator("#slot-add-error", has_text="Not connected").wait_for()
    assert await page.input_value("#new-slot-title") == "Lunch"
    assert await page.locator("#alerts").is_hidden(), "said next to the form, not at the top"
    await page.context.set_offline(False)
    await page.locator("#status[data-state=connected]").wait_for()
    # The connection is back: "not connected" is no longer true, so it goes.
    await page.locator("#slot-add-error:empty").wait_for(state="attached")
    await tap(page, "#slot-add-submit", times=2)
    await observer.wait_event("slot.added", title="Lunch")
    await page.locator("#agenda-status", has_text="Added “Lunch”").wait_for()
    await page.wait_for_timeout(800)
    assert [e["data"]["title"] for e in observer.seen("slot.added")] == ["Lunch"]
    assert (await lead_order(page))[-1] == "lunch"
    assert offline_noise(watch) == []


# -- 2. parts added, edited, moved and removed; the projector and a phone follow -------------------

async def test_the_lead_adds_edits_moves_and_removes_parts_and_every_page_follows(browser, sqlite_server, connect):
    srv = sqlite_server
    observer = await connect(srv, "lead")
    assert (await observer.call("agenda.start", {"slot_id": "welcome"}))["ok"]
    assert (await observer.call("agenda.start", {"slot_id": "issue-groups"}))["ok"]
    agenda = [s["id"] for s in observer.welcome["snapshot"]["agenda"]]

    phone, phone_watch = await new_page(browser, *PHONE)
    await join(phone, srv.links()["join"]["access"], "Priya")
    (screen, screen_watch), (lead, watch) = await asyncio.gather(
        open_screen(browser, srv), open_console(browser, srv.links()["lead"], PORTRAIT))
    await screen.locator("#slot-next", has_text="Break").wait_for()

    # Out of the way until asked for.
    assert await lead.locator("#slot-add").is_hidden()
    assert await slot(lead, "break").locator("button.remove-slot").is_hidden()
    await lead.click("#agenda-edit")
    assert await lead.get_attribute("#agenda-edit", "aria-pressed") == "true"
    await lead.locator("#slot-add").wait_for()

    # Add a plenary right after the part running now (the form offers that first).
    assert await lead.input_value("#new-slot-position") == "after:issue-groups"
    await fill_new_slot(lead, "Extra round: what we heard", 15, "plenary", group="access")
    await lead.click("#slot-add-submit")
    added = await observer.wait_event("slot.added", title="Extra round: what we heard")
    new = added["data"]["slot_id"]
    assert (added["data"]["after"], added["data"]["group_id"], added["data"]["minutes"]) == ("issue-groups", "access", 15)
    agenda.insert(agenda.index("issue-groups") + 1, new)
    await lead.locator("#agenda-status", has_text=f"Added “Extra round: what we heard” (15 min): 3 of {len(agenda)}").wait_for()
    await screen.locator("#slot-next", has_text="Extra round: what we heard").wait_for()
    await wait_model_agenda(phone, agenda)
    assert await lead_order(lead) == agenda
    await wait_active(lead, id="new-slot-title")
    assert await lead.input_value("#new-slot-title") == ""
    assert "presenting" not in (await slot(lead, new).text_content()).lower()
    assert "Access to services" in await slot(lead, new).locator(".slot-group-name").text_content()

    # Edit a part: a new title and length, shown on the projector's Next line later on.
    await slot(lead, "break").locator("button.edit-slot").click()
    await wait_active(lead, id="edit-break-title")
    assert await lead.input_value("#edit-break-minutes") == "15"
    await lead.fill("#edit-break-title", "Coffee break")
    await lead.fill("#edit-break-minutes", "20")
    await lead.press("#edit-break-title", "Enter")
    upd = await observer.wait_event("slot.updated", slot_id="break")
    assert (upd["data"]["title"], upd["data"]["minutes"]) == ("Coffee break", 20)
    await lead.locator("#agenda-status", has_text="Saved “Coffee break”").wait_for()
    await wait_active(lead, slot="break", cls="edit-slot")
    assert await lead.locator("#agenda-break-form").is_hidden()

    # Move the new part down with the keyboard: after the break, on every page; the keyboard
    # stays on the same control of the part it moved.
    await slot(lead, new).locator("button.move-down").focus()
    await lead.keyboard.press("Enter")
    moved = await observer.wait_event("slot.moved", slot_id=new)
    assert moved["data"]["after"] == "break"
    agenda.remove(new)
    agenda.insert(agenda.index("break") + 1, new)
    await wait_model_agenda(lead, agenda)
    await wait_active(lead, slot=new, cls="move-down")
    await lead.locator("#agenda-status", has_text="down: now 4 of").wait_for()
    await screen.locator("#slot-next", has_text="Coffee break (20 min)").wait_for()
    await wait_model_agenda(phone, agenda)
    assert await lead_order(lead) == agenda
    # And back up with a tap, the Up button keeping the keyboard.
    await slot(lead, new).locator("button.move-up").click()
    await observer.wait_event("slot.moved", slot_id=new, after="issue-groups")
    agenda.remove(new)
    agenda.insert(agenda.index("issue-groups") + 1, new)
    await wait_model_agenda(phone, agenda)
    await wait_active(lead, slot=new, cls="move-up")
    # The first part cannot go up: said so, and the control keeps the keyboard.
    assert await slot(lead, "welcome").locator("button.move-up").get_attribute("aria-disabled") == "true"

    # Remove a part that has not run: asked first; Cancel does nothing.
    remove = slot(lead, new).locator("button.remove-slot")
    await remove.click()
    dialog = lead.locator("dialog.confirm[open]")
    await dialog.wait_for()
    assert "Extra round: what we heard" in await dialog.locator(".confirm-quote").text_content()
    await dialog.get_by_role("button", name="Cancel", exact=True).click()
    await dialog.wait_for(state="detached")
    await lead.wait_for_timeout(300)
    assert not observer.seen("slot.removed")
    await remove.click()
    await lead.locator("dialog.confirm[open]").get_by_role("button", name="Remove", exact=True).click()
    await observer.wait_event("slot.removed", slot_id=new)
    agenda.remove(new)
    await wait_model_agenda(phone, agenda)
    await wait_model_agenda(screen, agenda)
    await lead.locator("#agenda-status", has_text="Removed “Extra round: what we heard”").wait_for()
    await wait_active(lead, slot="break", cls="remove-slot")  # the part that came next
    await screen.locator("#slot-next", has_text="Coffee break").wait_for()

    # Parts that ran or run cannot be removed: the button says why and does nothing.
    for sid, why in (("welcome", "has run"), ("issue-groups", "under way")):
        button = slot(lead, sid).locator("button.remove-slot")
        assert await button.get_attribute("aria-disabled") == "true"
        assert why in await lead.text_content(f"#agenda-{sid}-why")
        assert await button.get_attribute("aria-describedby") == f"agenda-{sid}-why"
        await button.click(force=True)
        await lead.wait_for_timeout(200)
        assert not await lead.locator("dialog.confirm[open]").count()

    # A part started while the lead is confirming its removal: the server refuses, and the
    # console says why next to that part.
    await slot(lead, "break").locator("button.remove-slot").click()
    await lead.locator("dialog.confirm[open]").wait_for()
    assert (await observer.call("agenda.start", {"slot_id": "break"}))["ok"]
    await lead.locator("#agenda li.slot.current[data-slot-id='break']").wait_for()
    await lead.locator("dialog.confirm[open]").get_by_role("button", name="Remove", exact=True).click()
    error = slot(lead, "break").locator(".slot-error")
    await error.filter(has_text="has been started").wait_for()
    assert await error.get_attribute("role") == "alert"
    assert await slot(lead, "break").locator("button.remove-slot").get_attribute("aria-disabled") == "true"
    assert not observer.seen("slot.removed", slot_id="break")
    assert await lead_order(lead) == agenda

    # The phone follows the running part by its new name, without a reload.
    await phone.locator("#slot-title", has_text="Coffee break").wait_for()
    await screen.locator("#slot-title", has_text="Coffee break").wait_for()
    for w in (watch, screen_watch, phone_watch):
        clean(w)


# -- 3. accessible, checked first, and no sideways scroll on a tablet -------------------------------

NO_SIDEWAYS = """(width) => {
  const main = document.querySelector('main');
  const wide = [...document.querySelectorAll('body *')]
    .filter((n) => n.getClientRects().length && n.getBoundingClientRect().right > width + 0.5
                   && !n.closest('.visually-hidden'))
    .slice(0, 5).map((n) => n.tagName + '.' + n.className + ' ' + Math.round(n.getBoundingClientRect().right));
  return {page: document.scrollingElement.scrollWidth, main: main.scrollWidth - main.clientWidth, wide};
}"""


async def test_changing_the_agenda_is_checked_first_accessible_and_fits_a_tablet(browser, sqlite_server, connect):
    srv = sqlite_server
    observer = await connect(srv, "lead")
    assert (await observer.call("agenda.start", {"slot_id": "issue-groups"}))["ok"]
    assert (await observer.call("slot.update", {"slot_id": "break",
                                                "title": "استراحة قصيرة مع القهوة والشاي للجميع"}))["ok"]
    page, watch = await open_console(browser, srv.links()["lead"], PORTRAIT, bypass_csp=True)
    await page.locator("#plan:not([hidden])").wait_for()
    await page.click("#agenda-edit")

    # Checked before anything is sent, in words next to the field; fixed, the words go.
    await page.click("#slot-add-submit")
    assert await page.text_content("#new-slot-title-error") == "Write a title first."
    await wait_active(page, id="new-slot-title")
    await page.fill("#new-slot-title", "x" * 121)
    await page.fill("#new-slot-minutes", "0")
    await page.click("#slot-add-submit")
    await page.locator("#new-slot-title-error", has_text="121 characters long: the limit is 120").wait_for()
    assert "121 / 120" in await page.text_content("#new-slot-title-count")
    assert await page.text_content("#new-slot-minutes-error") == "Minutes: a whole number from 1 to 600."
    await page.fill("#new-slot-title", "Votes on the key points")
    assert await page.text_content("#new-slot-title-error") == ""
    assert await page.get_attribute("#new-slot-title", "aria-invalid") is None
    await page.select_option("#new-slot-kind", "plenary")
    await page.locator("#new-slot-group").wait_for()
    await slot(page, "break").locator("button.edit-slot").click()
    await page.fill("#edit-break-minutes", "601")
    await page.press("#edit-break-minutes", "Enter")
    await page.locator("#edit-break-minutes-error", has_text="1 to 600").wait_for()
    await page.wait_for_timeout(300)
    assert not observer.seen("slot.added"), "nothing invalid went to the server"
    assert len(observer.seen("slot.updated")) == 1, "(only the rename made above)"

    # People's text (titles, in any script) and every field read in their own direction.
    missing = await page.evaluate("""() => [...document.querySelectorAll(
        '#agenda .slot-title, #slot-title, #plan input, #slot-add input, #agenda input, #new-slot-position')]
        .filter((n) => n.getAttribute('dir') !== 'auto').map((n) => n.id || n.className)""")
    assert missing == []
    title = slot(page, "break").locator(".slot-title")
    assert await title.evaluate("n => getComputedStyle(n).direction") == "rtl"

    for width, height in (PORTRAIT, LANDSCAPE):
        await page.set_viewport_size({"width": width, "height": height})
        await page.wait_for_timeout(200)
        fit = await page.evaluate(NO_SIDEWAYS, width)
        assert fit == {"page": width, "main": 0, "wide": []}, (width, fit)
    await page.set_viewport_size({"width": PORTRAIT[0], "height": PORTRAIT[1]})

    found = {"agenda being changed": await axe_violations(page)}
    await slot(page, "plenary-access").locator("button.remove-slot").click()
    await page.locator("dialog.confirm[open]").wait_for()
    found["remove dialog"] = await axe_violations(page)
    assert {k: v for k, v in found.items() if v} == {}
    clean(watch)

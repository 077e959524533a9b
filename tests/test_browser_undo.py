"""Undoing the day's mistakes from the staff consoles (CONTRACT §12), in real Chromium at
tablet sizes: a key point taken off the projector or a draft deleted, a Board response
withdrawn with its reason, a slot ended early, and two tablets on one facilitator link
editing the same key point. python-socketio clients stand in for the projector and the
phones, and record what the hall would see."""

from __future__ import annotations

import asyncio

from conftest import axe_violations, cid
from test_browser_consoles import (
    KEYPOINTS, LANDSCAPE, PORTRAIT, add_keypoints, clean, open_console,
)

ACTIVE = """() => {
  const a = document.activeElement;
  return {cls: a?.className ?? "", id: a?.id ?? "",
          item: a?.closest("[data-keypoint-id], [data-response-id]")?.getAttribute("data-keypoint-id")
                ?? a?.closest("[data-response-id]")?.getAttribute("data-response-id") ?? null};
}"""


async def dialog_answer(page, button: str) -> None:
    dialog = page.locator("dialog[open]")
    await dialog.wait_for()
    await dialog.get_by_role("button", name=button, exact=True).click()
    await page.locator("dialog[open]").wait_for(state="detached")


# -- a key point taken back: off the projector, or deleted while still a draft ----------------

async def test_facilitator_unpublishes_a_key_point_and_deletes_a_draft(browser, sqlite_server, connect):
    srv = sqlite_server
    screen = await connect(srv, "screen")
    lead = await connect(srv, "lead")
    phone = await connect(srv, "participant", "access", name="Ann")
    ids = await add_keypoints(lead, "access", KEYPOINTS)
    assert (await lead.call("keypoint.publish", {"keypoint_id": ids[0]}))["ok"]
    await screen.wait_event("keypoint.published", keypoint_id=ids[0])

    page, watch = await open_console(browser, srv.links()["facilitators"]["access"], LANDSCAPE)
    published = page.locator(f"#keypoints li.keypoint[data-keypoint-id='{ids[0]}']")
    draft = page.locator(f"#keypoints li.keypoint[data-keypoint-id='{ids[1]}']")
    await published.locator(".published-badge").wait_for()
    # A published key point can be taken back, not deleted; a draft can be deleted.
    assert await published.locator("button.kp-remove").is_hidden()
    assert await draft.locator("button.kp-unpublish").is_hidden()

    # Unpublish asks first, saying where it disappears from; Cancel changes nothing.
    await published.locator("button.kp-unpublish").click()
    dialog = page.locator("dialog.confirm[open]")
    await dialog.wait_for()
    text = await dialog.text_content()
    assert "projector" in text and "every phone" in text and KEYPOINTS[0] in text
    await dialog_answer(page, "Cancel")
    await page.wait_for_timeout(300)
    assert not screen.seen("keypoint.unpublished")

    await published.locator("button.kp-unpublish").click()
    await dialog_answer(page, "Unpublish")
    await screen.wait_event("keypoint.unpublished", keypoint_id=ids[0])
    await phone.wait_event("keypoint.unpublished", keypoint_id=ids[0])
    # It stays here as a draft, and the keyboard is on its Publish button.
    await published.locator("button.kp-publish").wait_for()
    assert await published.locator(".published-badge").is_hidden()
    await page.wait_for_function(f"() => ({ACTIVE})().item === '{ids[0]}' && ({ACTIVE})().cls.includes('kp-publish')")

    # Deleting a draft asks too; then it is gone here and for the lead.
    await draft.locator("button.kp-remove").click()
    dialog = page.locator("dialog.confirm[open]")
    await dialog.wait_for()
    assert KEYPOINTS[1] in await dialog.text_content()
    await dialog_answer(page, "Delete")
    await lead.wait_event("keypoint.removed", keypoint_id=ids[1])
    await draft.wait_for(state="detached")
    # The keyboard goes to the next key point's Edit button.
    await page.wait_for_function(f"() => ({ACTIVE})().item === '{ids[2]}' && ({ACTIVE})().cls.includes('kp-edit')")
    assert not screen.seen("keypoint.removed"), "a draft's removal reached the projector"
    assert await page.locator("#keypoints li.keypoint").count() == 2
    clean(watch)


# -- a Board response withdrawn, with its reason, on every console ----------------------------

async def seed_responses(srv, connect):
    board = await connect(srv, "board")
    lead = await connect(srv, "lead")
    await lead.call("plenary.focus", {"group_id": "access"})
    ids = []
    for member, text, stance, reason in [
        ("Sir Malcolm", "We commit to a pilot of evening opening in two practices", "commit", None),
        ("Dame Anne", "Interpreters will be booked with the appointment from April", "commit", None),
        ("Sir Malcolm", "Not this year", "decline", "No budget until April"),
    ]:
        payload = {"client_id": cid(), "group_id": "access", "member": member, "text": text, "stance": stance}
        if reason:
            payload["reason"] = reason
        ack = await board.call("response.log", payload)
        assert ack["ok"], ack
        ids.append(ack["response_id"])
    return ids


async def test_board_withdraws_a_response_with_a_reason_shown_everywhere(browser, sqlite_server, connect):
    srv = sqlite_server
    screen = await connect(srv, "screen")
    ids = await seed_responses(srv, connect)
    phone = await connect(srv, "participant", "access", name="Ann")
    corr = await phone.call("correction.submit", {"client_id": cid(), "response_id": ids[0],
                                                  "text": "We asked for weekends too"})
    assert corr["ok"], corr

    board, board_watch = await open_console(browser, srv.links()["board"], LANDSCAPE)
    lead, lead_watch = await open_console(browser, srv.links()["lead"], PORTRAIT)
    item = board.locator(f"#responses li.response[data-response-id='{ids[0]}']")
    await item.wait_for()

    await item.locator("button.withdraw").click()
    dialog = board.locator("dialog.reason-dialog[open]")
    await dialog.wait_for()
    assert "pilot of evening opening" in await dialog.text_content()
    field = dialog.get_by_label("Why is it withdrawn?")
    assert await field.evaluate("n => n === document.activeElement")
    assert await field.get_attribute("dir") == "auto"
    # The reason is required: an empty one is refused in the dialog, nothing is sent.
    await dialog.get_by_role("button", name="Withdraw", exact=True).click()
    await dialog.locator(".reason-error", has_text="Write why").wait_for()
    assert await field.get_attribute("aria-invalid") == "true"
    assert await dialog.is_visible()
    await board.wait_for_timeout(300)
    assert not screen.seen("response.withdrawn")
    await field.fill("Logged for the wrong group: it answers Mental health")
    await dialog.get_by_role("button", name="Withdraw", exact=True).click()
    withdrawn = await screen.wait_event("response.withdrawn", response_id=ids[0])
    assert withdrawn["data"]["reason"] == "Logged for the wrong group: it answers Mental health"

    # Shown as withdrawn, with its reason, on the Board's tablet and the lead's.
    await item.locator(".withdrawn-badge").wait_for()
    assert "Logged for the wrong group" in await item.locator(".withdrawn-reason").text_content()
    assert await item.locator("button.withdraw").count() == 0
    assert "pilot of evening opening" in await item.locator(".response-text").text_content()
    await board.wait_for_function(f"() => document.activeElement?.dataset.responseId === '{ids[0]}'")
    await lead.click("#responses-logged summary")
    lead_item = lead.locator(f"#responses li.response[data-response-id='{ids[0]}']")
    await lead_item.locator(".withdrawn-badge").wait_for()
    assert "Logged for the wrong group" in await lead_item.locator(".withdrawn-reason").text_content()
    # The open correction to it says the response was withdrawn, and why.
    card = lead.locator(f"#correction-list li[data-correction-id='{corr['correction_id']}']")
    await card.locator(".withdrawn-badge").wait_for()
    assert "Logged for the wrong group" in await card.locator(".withdrawn-reason").text_content()

    # The lead withdraws another from its own list, with a reason too.
    other = lead.locator(f"#responses li.response[data-response-id='{ids[1]}']")
    await other.locator("button.withdraw").click()
    dialog = lead.locator("dialog.reason-dialog[open]")
    await dialog.get_by_label("Why is it withdrawn?").fill("Dame Anne corrected it: from June, not April")
    await dialog.get_by_role("button", name="Withdraw", exact=True).click()
    again = await screen.wait_event("response.withdrawn", response_id=ids[1])
    assert again["data"]["reason"] == "Dame Anne corrected it: from June, not April"
    await other.locator(".withdrawn-badge").wait_for()
    await board.locator(f"#responses li.response[data-response-id='{ids[1]}'] .withdrawn-reason",
                        has_text="from June, not April").wait_for()
    # The third stands.
    assert await board.locator(f"#responses li.response[data-response-id='{ids[2]}'] .withdrawn-badge").count() == 0
    clean(board_watch)
    clean(lead_watch)


# -- the lead ends a slot early -----------------------------------------------------------------

async def test_lead_ends_the_running_part_and_next_follows_what_is_left(browser, sqlite_server, connect):
    srv = sqlite_server
    screen = await connect(srv, "screen")
    lead_client = await connect(srv, "lead")
    # Out of agenda order: Mental health presented before Access.
    assert (await lead_client.call("agenda.start", {"slot_id": "plenary-mental-health"}))["ok"]
    assert (await lead_client.call("agenda.start", {"slot_id": "plenary-access"}))["ok"]

    page, watch = await open_console(browser, srv.links()["lead"], PORTRAIT)
    await page.locator("#timer[data-state=running]").wait_for()
    # Next is what is left to run, not the next in agenda order (which already ran).
    nxt = await page.text_content("#slot-next")
    assert "Young people" in nxt or "young" in nxt.lower(), nxt
    assert "ental" not in nxt, nxt

    await page.click("#end-slot")
    dialog = page.locator("dialog.confirm[open]")
    await dialog.wait_for()
    assert "countdown" in (await dialog.text_content()).lower()
    await dialog_answer(page, "Cancel")
    await page.wait_for_timeout(300)
    assert not screen.seen("agenda.ended")

    await page.click("#end-slot")
    await dialog_answer(page, "End it now")
    ended = await screen.wait_event("agenda.ended")
    assert ended["data"]["slot_id"] == "plenary-access"
    await page.locator("#timer[data-state=idle]").wait_for()
    await page.locator("#countdown.idle").wait_for()
    # No countdown runs after it.
    first = await page.text_content("#countdown")
    await page.wait_for_timeout(1500)
    assert first == await page.text_content("#countdown") == "--:--"
    assert "ended" in (await page.text_content("#timer-state")).lower()
    assert await page.locator("#end-slot").is_hidden()
    assert "young" in (await page.text_content("#slot-next")).lower()
    start_next = page.locator("#start-next")
    assert "young" in (await start_next.text_content()).lower()
    # The keyboard is on "Start" for what comes next.
    await page.wait_for_function("() => document.activeElement?.id === 'start-next'")
    await start_next.click()
    started = await screen.wait_event("agenda.started", slot_id="plenary-young-people")
    assert started
    await page.locator("#timer[data-state=running]").wait_for()
    clean(watch)


# -- two tablets on one facilitator link edit the same key point ----------------------------------

async def test_an_edit_saved_on_another_tablet_is_never_overwritten_silently(browser, sqlite_server, connect):
    srv = sqlite_server
    lead = await connect(srv, "lead")
    [kp] = await add_keypoints(lead, "access", KEYPOINTS[:1])
    url = srv.links()["facilitators"]["access"]
    (a, a_watch), (b, b_watch) = await asyncio.gather(open_console(browser, url, LANDSCAPE),
                                                      open_console(browser, url, PORTRAIT))
    item_a = a.locator(f"#keypoints li.keypoint[data-keypoint-id='{kp}']")
    item_b = b.locator(f"#keypoints li.keypoint[data-keypoint-id='{kp}']")
    mine = "Open GP surgeries on weekday evenings, starting with practices that serve shift workers"
    theirs = "Open GP surgeries on Saturdays first, then weekday evenings"

    # Both open the editor; B saves first.
    await item_a.locator("button.kp-edit").click()
    await item_b.locator("button.kp-edit").click()
    await item_a.locator("textarea").fill(mine)
    await item_b.locator("textarea").fill(theirs)
    await item_b.get_by_role("button", name="Save", exact=True).click()
    await lead.wait_event("keypoint.edited", text=theirs)
    await item_b.locator(".keypoint-text", has_text=theirs).wait_for()

    # A is told at once, with the new text, and keeps what it wrote.
    conflict = item_a.locator(".kp-conflict")
    await conflict.locator("text=Changed on another tablet").wait_for()
    assert theirs in await conflict.locator(".kp-theirs").text_content()
    assert await item_a.locator("textarea").input_value() == mine
    # Saving anyway is refused by the server: nothing overwritten, the text still there.
    await item_a.get_by_role("button", name="Save", exact=True).click()
    await conflict.locator("text=Not saved").wait_for()
    assert await item_a.locator("textarea").input_value() == mine
    await a.wait_for_timeout(300)
    assert [e["data"]["text"] for e in lead.seen("keypoint.edited")] == [theirs]

    # "Use mine": saved over theirs, on purpose.
    await conflict.get_by_role("button", name="Use mine").click()
    await lead.wait_event("keypoint.edited", text=mine)
    await item_a.locator(".keypoint-text", has_text=mine).wait_for()
    await item_b.locator(".keypoint-text", has_text=mine).wait_for()
    await a.wait_for_function(f"() => document.activeElement?.closest('[data-keypoint-id]')?.dataset.keypointId === '{kp}'"
                              " && document.activeElement.classList.contains('kp-edit')")

    # Next round: A chooses to keep theirs; nothing more is sent from A.
    await item_a.locator("button.kp-edit").click()
    await item_a.locator("textarea").fill("A third version nobody will see")
    await item_b.locator("button.kp-edit").click()
    final = "Open GP surgeries in the evening and on Saturdays"
    await item_b.locator("textarea").fill(final)
    await item_b.get_by_role("button", name="Save", exact=True).click()
    await lead.wait_event("keypoint.edited", text=final)
    await conflict.locator("text=Changed on another tablet").wait_for()
    await conflict.get_by_role("button", name="Keep theirs").click()
    await item_a.locator(".keypoint-text", has_text=final).wait_for()
    assert await item_a.locator("form.kp-edit-form").is_hidden()
    await a.wait_for_timeout(500)
    assert [e["data"]["text"] for e in lead.seen("keypoint.edited")] == [theirs, mine, final]
    clean(a_watch)
    clean(b_watch)


# -- the new controls and dialogs pass axe -------------------------------------------------------

async def test_undo_controls_and_dialogs_have_no_serious_accessibility_violations(browser, sqlite_server, connect):
    srv = sqlite_server
    lead_client = await connect(srv, "lead")
    kps = await add_keypoints(lead_client, "access", KEYPOINTS)
    await lead_client.call("keypoint.publish", {"keypoint_id": kps[0]})
    await lead_client.call("agenda.start", {"slot_id": "issue-groups"})
    ids = await seed_responses(srv, connect)
    await lead_client.call("response.withdraw", {"response_id": ids[0], "reason": "Logged for the wrong group"})
    links = srv.links()
    (fac, _), (lead, _), (board, _) = await asyncio.gather(
        open_console(browser, links["facilitators"]["access"], LANDSCAPE, bypass_csp=True),
        open_console(browser, links["lead"], PORTRAIT, bypass_csp=True),
        open_console(browser, links["board"], LANDSCAPE, bypass_csp=True))
    found = {}

    # Facilitator: the unpublish question, then an editor told of another tablet's edit.
    await fac.locator(f"li.keypoint[data-keypoint-id='{kps[0]}'] button.kp-unpublish").click()
    await fac.locator("dialog.confirm[open]").wait_for()
    found["facilitator: unpublish dialog"] = await axe_violations(fac)
    await dialog_answer(fac, "Cancel")
    item = fac.locator(f"li.keypoint[data-keypoint-id='{kps[1]}']")
    await item.locator("button.kp-edit").click()
    await item.locator("textarea").fill("Mine")
    await lead_client.call("keypoint.edit", {"keypoint_id": kps[1], "text": "Theirs"})
    await item.locator(".kp-conflict .kp-theirs").wait_for()
    found["facilitator: conflict"] = await axe_violations(fac)

    # Lead: a withdrawn response in its list, and the question before ending a slot.
    await lead.click("#responses-logged summary")
    await lead.locator(f"#responses li[data-response-id='{ids[0]}'] .withdrawn-badge").wait_for()
    found["lead: withdrawn response"] = await axe_violations(lead)
    await lead.click("#end-slot")
    await lead.locator("dialog.confirm[open]").wait_for()
    found["lead: end dialog"] = await axe_violations(lead)

    # Board: a withdrawn response, and the reason dialog refusing an empty reason.
    await board.locator(f"#responses li[data-response-id='{ids[0]}'] .withdrawn-reason").wait_for()
    found["board: withdrawn response"] = await axe_violations(board)
    await board.locator(f"#responses li[data-response-id='{ids[1]}'] button.withdraw").click()
    dialog = board.locator("dialog.reason-dialog[open]")
    await dialog.get_by_role("button", name="Withdraw", exact=True).click()
    await dialog.locator(".reason-error", has_text="Write why").wait_for()
    found["board: reason dialog"] = await axe_violations(board)
    assert {k: v for k, v in found.items() if v} == {}

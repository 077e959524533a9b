"""The organiser shapes the day in the browser (CONTRACT §8): from a blank assembly
(`serve --title`), with only the organiser console, real Chromium, a real server. A phone
joins the group the console made, the projector follows every change, the lead (a
Socket.IO client) runs and lengthens a slot, and the console shows what the server
refuses next to the control that asked."""

from __future__ import annotations

import re

import httpx

from conftest import Client, Server, axe_violations, cid, new_page

LANDSCAPE = (1024, 768)  # a tablet on its side: editor and preview side by side
PORTRAIT = (768, 1024)   # a tablet held upright: a Preview toggle
PHONE = (390, 844)

PACK = """# Flood risk on the Wye

What the Environment Agency told us before the day.

1. Homes at risk in the valley
2. Insurance after a flood
3. Who pays for the defences

| Place | Homes at risk |
|---|---|
| Hereford | 1,200 |
| Ross-on-Wye | 340 |
"""


def blank(tmp_path, title="Citizens' jury on the river") -> Server:
    return Server(tmp_path / "townhall", extra=["--title", title]).start()


async def open_organiser(browser, srv, size=LANDSCAPE, **kw):
    page, watch = await new_page(browser, *size, **kw)
    await page.goto(srv.links()["organiser"])
    await page.wait_for_function("() => window.townhall?.model != null")
    await page.locator("#status[data-state=connected]").wait_for()
    return page, watch


def clean(watch) -> None:
    assert watch.errors == [], watch.errors
    assert watch.off_loopback() == [], watch.off_loopback()


async def add_group(page, name, pack=""):
    await page.fill("#new-group-name", name)
    await page.fill("#new-group-pack", pack)
    await page.click("#group-add-submit")
    await page.locator("#group-add-done", has_text=name).wait_for()
    card = page.locator("#group-cards li.group-card", has=page.locator("h3.group-name", has_text=name))
    await card.wait_for()
    return card


async def add_slot(page, title, minutes, kind, group=None, where=None):
    await page.fill("#new-slot-title", title)
    await page.fill("#new-slot-minutes", str(minutes))
    await page.select_option("#new-slot-kind", kind)
    if group:
        await page.select_option("#new-slot-group", group)
    if where:
        await page.select_option("#new-slot-position", where)
    await page.click("#slot-add-submit")
    await page.locator("#agenda-status", has_text=f"Added “{title}”").wait_for()


async def agenda_titles(page) -> list[str]:
    return [t.strip() for t in await page.locator("#agenda li.slot .slot-title").all_text_contents()]


async def snapshot(srv) -> dict:
    """The day as the server holds it now, from a new organiser connection."""
    c = await Client().connect(srv.url, {"token": srv.token("organiser")})
    try:
        return c.welcome["snapshot"]
    finally:
        await c.close()


def seconds(text: str) -> int:
    """'1:09:58' or '59:58' (possibly with words around it) -> seconds."""
    m = re.search(r"(?:(\d+):)?(\d+):(\d\d)", text)
    assert m, text
    h, mm, ss = (int(x) if x else 0 for x in m.groups())
    return h * 3600 + mm * 60 + ss


# -- 1. a whole day made in the console, and every page follows --------------------------------

async def test_organiser_builds_a_day_from_blank_and_every_page_follows(browser, tmp_path, connect):
    srv = blank(tmp_path)
    try:
        page, watch = await open_organiser(browser, srv, LANDSCAPE)
        assert await page.input_value("#day-title") == "Citizens' jury on the river"
        assert await page.locator("#groups-empty").is_visible()
        assert await page.locator("#agenda-empty").is_visible()

        # The day: title and date.
        await page.fill("#day-title", "Citizens' jury on the River Wye")
        await page.fill("#day-date", "2027-05-01")
        await page.click("#day-save")
        await page.locator("#day-done", has_text="Saved").wait_for()
        day = (await snapshot(srv))["assembly"]
        assert (day["title"], day["date"]) == ("Citizens' jury on the River Wye", "2027-05-01")
        await page.locator("#assembly-title", has_text="River Wye").wait_for()

        # A group with a pack: the preview renders the numbered list and the table as typed.
        await page.fill("#new-group-name", "Flooding")
        await page.fill("#new-group-pack", PACK)
        preview = page.locator("#new-group-preview")
        await preview.locator("ol > li").nth(2).wait_for()
        assert await preview.is_visible(), "side by side on a wide screen"
        assert [t.strip() for t in await preview.locator("ol > li").all_text_contents()] == [
            "Homes at risk in the valley", "Insurance after a flood", "Who pays for the defences"]
        assert await preview.locator("table th").all_text_contents() == ["Place", "Homes at risk"]
        assert await preview.locator("table td").all_text_contents() == ["Hereford", "1,200", "Ross-on-Wye", "340"]
        assert await preview.locator("h4", has_text="Flood risk on the Wye").count() == 1
        await page.click("#group-add-submit")
        await page.locator("#group-add-done", has_text="Flooding").wait_for()
        assert await page.input_value("#new-group-name") == ""
        flooding = page.locator("#group-cards li.group-card[data-group='flooding']")
        await flooding.wait_for()

        wildlife = await add_group(page, "Wildlife")
        assert await wildlife.get_attribute("data-group") == "wildlife"
        await page.locator("#groups-empty").wait_for(state="hidden")

        # Each new group has its join link, QR code and facilitator link at once.
        await page.locator("#group-cards li.group-card[data-group='flooding']:not([data-code=''])").wait_for()
        code = await flooding.get_attribute("data-code")
        join_url = await page.input_value("#join-flooding")
        assert join_url == f"{srv.url}/j/{code}"
        assert await flooding.locator("img.qr").get_attribute("src") == f"/j/{code}/qr.svg"
        await page.wait_for_function(
            "() => { const i = document.querySelector(\"li.group-card[data-group='flooding'] img.qr\");"
            " return i.complete && i.naturalWidth > 0; }")
        fac_url = await page.input_value("#facilitator-flooding")
        assert "/facilitator/" in fac_url and httpx.get(fac_url).status_code == 200
        assert "characters" in await flooding.locator(".pack-line").text_content()
        assert await wildlife.locator(".pack-line").text_content() == "No information pack yet."

        # The agenda: four slots, one a plenary presenting Wildlife; then reorder, then remove.
        await add_slot(page, "Welcome", 10, "welcome")
        await add_slot(page, "Tables", 60, "group_work")
        await add_slot(page, "Coffee", 15, "break")
        await page.select_option("#new-slot-kind", "plenary")
        assert await page.locator("#new-slot-group").is_visible()
        await add_slot(page, "Plenary: Wildlife", 25, "plenary", group="wildlife")
        assert await agenda_titles(page) == ["Welcome", "Tables", "Coffee", "Plenary: Wildlife"]
        plenary = page.locator("#agenda li.slot[data-slot-id='plenary-wildlife']")
        assert "presenting: Wildlife" in await plenary.locator(".slot-meta").text_content()

        # Move the plenary up with the keyboard: focus stays on its Up button.
        up = plenary.locator("button.move-up")
        await up.focus()
        await page.keyboard.press("Enter")
        await page.locator("#agenda-status", has_text="now 3 of 4").wait_for()
        assert await agenda_titles(page) == ["Welcome", "Tables", "Plenary: Wildlife", "Coffee"]
        assert await up.evaluate("b => b === document.activeElement")
        await page.keyboard.press("Enter")
        await page.locator("#agenda-status", has_text="now 2 of 4").wait_for()
        assert await up.evaluate("b => b === document.activeElement")
        # Back down, by the keyboard again: Tab to its Down button.
        await page.keyboard.press("Tab")
        await page.keyboard.press("Enter")
        await page.locator("#agenda-status", has_text="down: now 3 of 4").wait_for()
        down = plenary.locator("button.move-down")
        assert await down.evaluate("b => b === document.activeElement")
        # Moved from elsewhere (the lead's tablet) while the keyboard is on it: focus stays.
        lead = await connect(srv, "lead")
        assert (await lead.call("slot.move", {"slot_id": "plenary-wildlife", "after": None}))["ok"]
        await page.wait_for_function(
            "() => document.querySelector('#agenda li.slot')?.dataset.slotId === 'plenary-wildlife'")
        assert await down.evaluate("b => b === document.activeElement")
        assert (await lead.call("slot.move", {"slot_id": "plenary-wildlife", "after": "tables"}))["ok"]
        await page.wait_for_function(
            "() => document.querySelectorAll('#agenda li.slot')[2]?.dataset.slotId === 'plenary-wildlife'")
        assert await down.evaluate("b => b === document.activeElement")

        # Remove the coffee, after a confirmation; Cancel first changes nothing.
        coffee = page.locator("#agenda li.slot[data-slot-id='coffee']")
        await coffee.locator("button.remove-slot").click()
        await page.locator("#remove-dialog[open]").wait_for()
        assert "Coffee" in await page.text_content("#remove-dialog")
        await page.click("#remove-cancel")
        await page.wait_for_timeout(200)
        assert await coffee.count() == 1
        await coffee.locator("button.remove-slot").click()
        await page.click("#remove-confirm")
        await page.locator("#agenda-status", has_text="Removed “Coffee”").wait_for()
        await coffee.wait_for(state="detached")
        assert await agenda_titles(page) == ["Welcome", "Tables", "Plenary: Wildlife"]

        snap = await snapshot(srv)
        assert [(g["id"], g["name"], g["info_pack"]) for g in snap["groups"]] == [
            ("flooding", "Flooding", PACK), ("wildlife", "Wildlife", None)]
        assert [{k: s[k] for k in ("id", "title", "minutes", "kind", "group_id")} for s in snap["agenda"]] == [
            {"id": "welcome", "title": "Welcome", "minutes": 10, "kind": "welcome", "group_id": None},
            {"id": "tables", "title": "Tables", "minutes": 60, "kind": "group_work", "group_id": None},
            {"id": "plenary-wildlife", "title": "Plenary: Wildlife", "minutes": 25, "kind": "plenary",
             "group_id": "wildlife"}]

        # A participant opens the join link the console shows, joins by name, sees the pack.
        phone, phone_watch = await new_page(browser, *PHONE, is_mobile=True, has_touch=True)
        await phone.goto(join_url)
        await phone.fill("#name", "Ffion")
        await phone.click("#join-form button[type=submit]")
        await phone.wait_for_function("() => window.townhall?.model != null")
        await phone.locator("#group-name", has_text="Flooding").wait_for()
        await phone.locator("#info-pack ol > li", has_text="Insurance after a flood").wait_for()
        assert await phone.locator("#info-pack table td").all_text_contents() == [
            "Hereford", "1,200", "Ross-on-Wye", "340"]
        await flooding.locator(".joined", has_text="1 joined").wait_for()

        # The projector, and the lead starting a slot.
        screen, screen_watch = await new_page(browser, 1280, 720)
        await screen.goto(srv.links()["screen"])
        await screen.wait_for_function("() => window.townhall?.model != null")
        assert (await lead.call("agenda.start", {"slot_id": "tables"}))["ok"]
        await screen.locator("#slot-title", has_text="Tables").wait_for()
        await phone.locator("#slot-title", has_text="Tables").wait_for()
        tables = page.locator("#agenda li.slot[data-slot-id='tables']")
        await page.locator("#agenda li.slot[data-slot-id='tables'][data-state=running]").wait_for()
        assert await tables.locator(".state-badge").text_content() == "Running"
        assert "planned 1 h ·" in await tables.locator(".slot-times").text_content()
        # A started slot stays in the record: its Remove says so and does nothing.
        remove = tables.locator("button.remove-slot")
        assert await remove.get_attribute("aria-disabled") == "true"
        assert "stays in the record" in await page.text_content("#slot-tables-why")
        await remove.click(force=True)  # a tap on it, whatever Playwright thinks of its state
        await page.wait_for_timeout(200)
        assert not await page.locator("#remove-dialog[open]").count()

        # The lead lengthens the running slot by 10 minutes: the countdown moves by 10 minutes.
        await screen.wait_for_function(
            "() => /\\d:\\d\\d/.test(document.querySelector('#countdown').textContent)")
        before = seconds(await screen.text_content("#countdown"))
        assert 3500 <= before <= 3600, before
        assert (await lead.call("slot.update", {"slot_id": "tables", "minutes": 70}))["ok"]
        await screen.wait_for_function(
            "() => { const m = /(?:(\\d+):)?(\\d+):(\\d\\d)/.exec(document.querySelector('#countdown').textContent);"
            " return m && (+(m[1] || 0)) * 3600 + (+m[2]) * 60 + (+m[3]) > 3900; }")
        after = seconds(await screen.text_content("#countdown"))
        assert 600 - 15 <= after - before <= 600 + 2, (before, after)
        await page.locator("#agenda li.slot[data-slot-id='tables'] .slot-meta", has_text="70 min").wait_for()
        assert "planned 1 h 10 min" in await tables.locator(".slot-times").text_content()

        # A rename in the console shows on the open phone and the projector without a reload.
        await flooding.locator("button.edit-group").click()
        name_field = page.locator("#g-flooding-name")
        assert await name_field.input_value() == "Flooding"
        assert await page.input_value("#g-flooding-pack") == PACK
        await page.locator("#g-flooding-preview table td", has_text="Hereford").wait_for()
        await name_field.fill("Flooding and drains")
        await flooding.locator("button.close-editor", has_text="Discard changes").wait_for()
        await flooding.locator("form button[type=submit]").click()
        await flooding.locator(".group-editor .done", has_text="Saved").wait_for()
        await flooding.locator("h3.group-name", has_text="Flooding and drains").wait_for()
        await phone.locator("#group-name", has_text="Flooding and drains").wait_for()
        assert (await lead.call("plenary.focus", {"group_id": "flooding"}))["ok"]
        await screen.locator("#focus-group", has_text="Flooding and drains").wait_for()

        # A new slot added in the console is next on the projector; the running slot renamed
        # in the console shows on the phone and the projector.
        await add_slot(page, "Short break", 10, "break", where="after:tables")
        assert await agenda_titles(page) == ["Welcome", "Tables", "Short break", "Plenary: Wildlife"]
        await screen.locator("#slot-next", has_text="Short break").wait_for()
        await tables.locator("button.edit-slot").click()
        await page.fill("#edit-tables-title", "Table discussions")
        assert await page.input_value("#edit-tables-minutes") == "70"
        await page.press("#edit-tables-title", "Enter")
        await page.locator("#agenda-status", has_text="Saved “Table discussions”").wait_for()
        await phone.locator("#slot-title", has_text="Table discussions").wait_for()
        await screen.locator("#slot-title", has_text="Table discussions").wait_for()
        assert await tables.locator("button.edit-slot").evaluate("b => b === document.activeElement")

        # Removing a slot that starts while the organiser is confirming: the server refuses,
        # and the console says why next to that slot.
        brk = page.locator("#agenda li.slot[data-slot-id='short-break']")
        await brk.locator("button.remove-slot").click()
        await page.locator("#remove-dialog[open]").wait_for()
        assert (await lead.call("agenda.start", {"slot_id": "short-break"}))["ok"]
        await page.locator("#agenda li.slot[data-slot-id='short-break'][data-state=running]").wait_for()
        await page.click("#remove-confirm")
        await brk.locator(".slot-error", has_text="has been started").wait_for()
        assert await brk.locator(".slot-error").get_attribute("role") == "alert"
        assert await agenda_titles(page) == ["Welcome", "Table discussions", "Short break", "Plenary: Wildlife"]
        assert [s["id"] for s in (await snapshot(srv))["agenda"]] == [
            "welcome", "tables", "short-break", "plenary-wildlife"]

        for w in (watch, phone_watch, screen_watch):
            clean(w)
    finally:
        srv.stop()


# -- 2. once per intent; clear messages before sending; the server's refusals in place ---------

class HeldUplink:
    """The page's socket through Playwright's WebSocket routing: frames it sends for the
    named events wait until release() (a slow venue uplink); the rest pass at once."""

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


async def tap(page, selector: str, times: int = 1) -> None:
    """Tap where the control is, as a finger does, whatever state it is in (a click by
    selector would wait for a busy control to be enabled again)."""
    target = page.locator(selector)
    await target.scroll_into_view_if_needed()
    box = await target.bounding_box()
    for _ in range(times):
        await page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        await page.wait_for_timeout(100)


async def test_organiser_sends_each_change_once_and_checks_it_first(browser, tmp_path, connect):
    srv = blank(tmp_path)
    try:
        observer = await connect(srv, "organiser")
        uplink = HeldUplink("group.add", "slot.add", "slot.move")
        page, watch = await new_page(browser, *PORTRAIT)
        await uplink.install(page)
        await page.goto(srv.links()["organiser"])
        await page.locator("#status[data-state=connected]").wait_for()

        # Checked before anything is sent, in words next to the field; fixed, the words go.
        await page.click("#group-add-submit")
        error = page.locator("#new-group-name-error")
        assert await error.text_content() == "Write a name first."
        assert await page.get_attribute("#new-group-name", "aria-invalid") == "true"
        assert await page.evaluate("() => document.activeElement.id") == "new-group-name"
        await page.fill("#new-group-name", "x" * 121)
        await page.click("#group-add-submit")
        await error.filter(has_text="121 characters long: the limit is 120").wait_for()
        assert "121 / 120" in await page.text_content("#new-group-name-count")
        await page.fill("#new-group-name", "River wildlife")
        assert await error.text_content() == ""
        assert await page.get_attribute("#new-group-name", "aria-invalid") is None
        # A pack over the limit says so as it is typed (a paste), before any send.
        await page.fill("#new-group-pack", "é" * 50_001)
        await page.locator("#new-group-pack-error", has_text="1 too many").wait_for()
        await page.click("#group-add-submit")
        await page.fill("#new-group-pack", "é" * 50_000)  # the limit counts characters, not bytes
        await page.locator("#new-group-pack-error:empty").wait_for(state="attached")
        await page.fill("#new-group-pack", "## Habitats\n\n1. Otters\n2. Salmon\n")
        assert uplink.held == [], "nothing invalid went to the server"

        # On a narrow screen the preview is behind a toggle.
        preview = page.locator("#new-group-preview")
        assert not await preview.is_visible()
        await page.click("#group-add .preview-toggle")
        await preview.locator("ol > li", has_text="Salmon").wait_for()
        assert await page.get_attribute("#group-add .preview-toggle", "aria-pressed") == "true"
        assert not await page.locator("#new-group-pack").is_visible()
        await page.click("#group-add .preview-toggle")
        assert await page.locator("#new-group-pack").is_visible()

        # Three taps while the answer is slow: one group.add on the wire, one group.
        await tap(page, "#group-add-submit", times=3)
        assert len(uplink.held) == 1
        assert await page.get_attribute("#group-add-submit", "aria-busy") == "true"
        uplink.release()
        await page.locator("#group-add-done", has_text="River wildlife").wait_for()
        await page.wait_for_timeout(500)
        assert [e["data"]["name"] for e in observer.seen("group.added")] == ["River wildlife"]
        assert await page.get_attribute("#group-add-submit", "aria-busy") is None

        # Slots: minutes and titles checked first.
        uplink.released = False
        uplink.held.clear()
        await page.fill("#new-slot-title", "Welcome")
        await page.fill("#new-slot-minutes", "0")
        await page.click("#slot-add-submit")
        await page.locator("#new-slot-minutes-error", has_text="whole number from 1 to 600").wait_for()
        await page.fill("#new-slot-minutes", "601")
        await page.locator("#new-slot-minutes-error", has_text="1 to 600").wait_for()
        await page.fill("#new-slot-minutes", "15")
        assert await page.text_content("#new-slot-minutes-error") == ""
        await page.fill("#new-slot-title", "   ")
        await page.click("#slot-add-submit")
        await page.locator("#new-slot-title-error", has_text="Write a title first.").wait_for()
        await page.fill("#new-slot-title", "Welcome")
        assert uplink.held == []
        await tap(page, "#slot-add-submit", times=3)
        assert len(uplink.held) == 1
        uplink.release()
        await page.locator("#agenda-status", has_text="Added “Welcome”").wait_for()
        await page.wait_for_timeout(300)
        assert [e["data"]["title"] for e in observer.seen("slot.added")] == ["Welcome"]

        # A change made elsewhere meanwhile (another organiser tab) does not wipe what is
        # being typed: the form says so instead.
        await page.locator("#agenda li.slot[data-slot-id='welcome'] button.edit-slot").click()
        await page.fill("#edit-welcome-title", "Welcome and coffee")
        await observer.call("slot.update", {"slot_id": "welcome", "minutes": 20})
        await page.locator("#agenda li.slot[data-slot-id='welcome'] .elsewhere",
                           has_text="Changed on another page").wait_for()
        assert await page.input_value("#edit-welcome-title") == "Welcome and coffee"
        await page.press("#edit-welcome-title", "Escape")
        assert await page.locator("#slot-welcome-form").is_hidden()

        assert [e for e in watch.errors if "ERR_INTERNET_DISCONNECTED" not in e] == []

        # A refusal shows next to the control that caused it, and goes when it is no longer
        # true: here the day's title, refused while the tablet was offline (a page of its
        # own: the browser's own socket, not a routed one).
        page, watch = await open_organiser(browser, srv, PORTRAIT)
        await page.context.set_offline(True)
        await page.locator("#status:not([data-state=connected])").wait_for()
        await page.fill("#day-title", "River Wye jury")
        await page.click("#day-save")
        await page.locator("#day-error", has_text="Not connected").wait_for()
        await page.context.set_offline(False)
        await page.locator("#status[data-state=connected]").wait_for()
        await page.locator("#day-error:empty").wait_for(state="attached")
        await page.click("#day-save")
        await page.locator("#day-done", has_text="Saved").wait_for()
        await observer.wait_event("assembly.updated")
        assert len(observer.seen("assembly.updated")) == 1
        assert [e for e in watch.errors if "ERR_INTERNET_DISCONNECTED" not in e] == []
    finally:
        srv.stop()


# -- 3. the QR sheet follows the groups added during the day -----------------------------------

async def test_qr_sheet_shows_groups_added_and_renamed_while_it_is_open(browser, tmp_path, connect):
    srv = blank(tmp_path)
    try:
        sheet, watch = await new_page(browser, *PORTRAIT)
        await sheet.goto(f"{srv.url}/organiser/{srv.token('organiser')}/qr-sheet")
        await sheet.locator("body[data-ready=true]").wait_for()
        assert "No groups yet" in await sheet.text_content("#cards")

        organiser = await connect(srv, "organiser")
        ack = await organiser.call("group.add", {"client_id": cid(), "name": "Flooding"})
        gid = ack["group_id"]
        card = sheet.locator(f"#cards section.qr-card[data-group='{gid}']")
        await card.locator("img.qr").wait_for()
        await sheet.locator("body[data-ready=true]").wait_for()
        code = (await card.locator("img.qr").get_attribute("src")).split("/")[2]
        assert code in await card.locator(".address").text_content()
        assert httpx.get(f"{srv.url}/j/{code}").status_code == 200
        assert await card.locator("h2.group").text_content() == "Flooding"

        await organiser.call("group.update", {"group_id": gid, "name": "Flooding and drains"})
        await card.locator("h2.group", has_text="Flooding and drains").wait_for()
        await organiser.call("group.add", {"client_id": cid(), "name": "Wildlife"})
        await sheet.locator("#cards section.qr-card[data-group='wildlife'] img.qr").wait_for()
        await sheet.locator("body[data-ready=true]").wait_for()
        assert await sheet.locator("#cards section.qr-card").count() == 2
        pdf = await sheet.pdf(format="A4", print_background=True)
        assert pdf.startswith(b"%PDF-")
        clean(watch)
    finally:
        srv.stop()


# -- 4. accessibility and layout ----------------------------------------------------------------

LONG = "Accès aux services de santé mentale pour les jeunes des zones rurales et côtières"
UNBROKEN = "Gesundheitsversorgungsverbesserungsvorschlagsausarbeitungskommission"


async def busy_day(srv, connect) -> None:
    """A day with something in every part of the console: long names in two scripts,
    packs, a plenary, a slot that ran and one that runs."""
    organiser = await connect(srv, "organiser")
    lead = await connect(srv, "lead")
    gids = []
    for name in (LONG, "صحة مقدمي الرعاية", UNBROKEN, "Flooding", "Wildlife"):
        ack = await organiser.call("group.add", {"client_id": cid(), "name": name, "info_pack": PACK})
        assert ack["ok"], ack
        gids.append(ack["group_id"])
    slots = [("Welcome", 10, "welcome", None), (LONG[:120], 60, "group_work", None),
             ("Plenary: " + UNBROKEN, 25, "plenary", gids[2]), ("استراحة", 15, "break", None),
             ("Close", 10, "close", None)]
    ids = []
    for title, minutes, kind, gid in slots:
        payload = {"client_id": cid(), "title": title, "minutes": minutes, "kind": kind}
        if gid:
            payload["group_id"] = gid
        ack = await lead.call("slot.add", payload)
        assert ack["ok"], ack
        ids.append(ack["slot_id"])
    await lead.call("agenda.start", {"slot_id": ids[0]})
    await lead.call("agenda.start", {"slot_id": ids[1]})


async def test_organiser_console_has_no_serious_accessibility_violations(browser, tmp_path, connect):
    srv = blank(tmp_path)
    try:
        await busy_day(srv, connect)
        page, watch = await open_organiser(browser, srv, PORTRAIT, bypass_csp=True)
        await page.locator("#agenda li.slot[data-state=running]").wait_for()
        await page.locator("#group-cards li.group-card:not([data-code=''])").nth(4).wait_for()
        found = {"first render": await axe_violations(page)}

        # Editing: a group's name and pack with its preview, a slot's form, refused input.
        card = page.locator("#group-cards li.group-card[data-group='flooding']")
        await card.locator("button.edit-group").click()
        await page.click("#g-flooding-editor .pack-fields .preview-toggle[aria-controls='g-flooding-preview']")
        await page.locator("#g-flooding-preview table").wait_for()
        # Its French translation, folded open, with a pack of its own.
        await card.locator("details.translation[data-lang=fr] summary").click()
        await page.fill("#g-flooding-fr-pack", "## Risques\n\n1. Maisons\n")
        await page.locator("#agenda li.slot").nth(2).locator("button.edit-slot").click()
        await page.fill("#new-slot-minutes", "0")
        await page.click("#slot-add-submit")
        await page.locator("#new-slot-minutes-error:not(:empty)").wait_for()
        found["editing"] = await axe_violations(page)

        await page.locator("#agenda li.slot").nth(3).locator("button.remove-slot").click()
        await page.locator("#remove-dialog[open]").wait_for()
        found["remove dialog"] = await axe_violations(page)
        assert {k: v for k, v in found.items() if v} == {}
        clean(watch)
    finally:
        srv.stop()


async def test_organiser_console_fits_a_portrait_tablet_and_a_phone(browser, tmp_path, connect):
    srv = blank(tmp_path)
    try:
        await busy_day(srv, connect)
        for width, height in (PORTRAIT, PHONE):
            page, watch = await open_organiser(browser, srv, (width, height))
            await page.locator("#agenda li.slot[data-state=running]").wait_for()
            await page.locator("#group-cards li.group-card:not([data-code=''])").nth(4).wait_for()
            # Every editor open, as an organiser would have it while preparing.
            for i in range(5):
                await page.locator("#group-cards li.group-card").nth(i).locator("button.edit-group").click()
            for i in range(5):
                await page.locator("#agenda li.slot").nth(i).locator("button.edit-slot").click()
            await page.wait_for_timeout(300)
            wide = await page.evaluate("() => document.documentElement.scrollWidth")
            assert wide <= width, (width, wide)
            # Nothing sticks out of its own box either (a long name, a link, a table).
            out = await page.evaluate("""(w) => [...document.querySelectorAll('main *')]
                .filter((n) => n.getClientRects().length && !n.closest('.table-scroll, .link-input, [hidden]'))
                .filter((n) => n.getBoundingClientRect().right > w + 1)
                .map((n) => n.tagName + '.' + n.className).slice(0, 5)""", width)
            assert out == [], (width, out)
            # Buttons stay big enough to tap.
            small = await page.evaluate("""() => [...document.querySelectorAll('main button')]
                .filter((b) => b.getClientRects().length && b.getBoundingClientRect().height < 44)
                .map((b) => b.textContent).slice(0, 5)""")
            assert small == [], (width, small)
            # A right-to-left name reads right to left.
            rtl = page.locator("#group-cards h3.group-name", has_text="صحة")
            assert await rtl.evaluate("n => getComputedStyle(n).direction") == "rtl"
            clean(watch)
            await page.context.close()
    finally:
        srv.stop()


async def test_organiser_fields_say_their_direction_and_are_labelled(browser, tmp_path, connect):
    srv = blank(tmp_path)
    try:
        await busy_day(srv, connect)
        page, watch = await open_organiser(browser, srv, LANDSCAPE)
        await page.locator("#group-cards li.group-card").nth(4).wait_for()
        await page.locator("#group-cards li.group-card").first.locator("button.edit-group").click()
        await page.locator("#agenda li.slot").first.locator("button.edit-slot").click()
        missing = await page.evaluate("""() => {
            const fields = [...document.querySelectorAll('main input[type=text], main textarea, main select')]
              .filter((f) => !f.classList.contains('link-input'));
            return {
              dir: fields.filter((f) => f.getAttribute('dir') !== 'auto').map((f) => f.id),
              label: fields.filter((f) => !f.labels || !f.labels.length).map((f) => f.id),
              text: [...document.querySelectorAll('.group-name, .slot-title, #assembly-title')]
                .filter((n) => n.getAttribute('dir') !== 'auto').map((n) => n.className),
            };
        }""")
        assert missing == {"dir": [], "label": [], "text": []}, missing
        clean(watch)
    finally:
        srv.stop()

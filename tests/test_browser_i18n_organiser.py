"""The organiser console, the QR sheet and the server's own message pages in the visitor's
language (CONTRACT §10), and the §10 settings made on the day in the console: the venue's
time zone, the projector's second language, the assembly's own texts translated. Real
Chromium, a real server. What is checked here is what the code does with a language:
<html lang dir>, which texts it picks, the zone its times are in, and that every sentence
is marked for the translators; tests/test_browser_languages.py checks the words."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from babel.messages.extract import extract_from_file
from starlette.requests import Request

from conftest import Server, axe_violations, cid, new_page
from test_browser_organiser import (LANDSCAPE, PACK, PHONE, PORTRAIT, HeldUplink, add_group, blank, busy_day,
                                    clean, open_organiser, snapshot, tap)
from townhall import web

ROOT = Path(__file__).resolve().parents[1]
KEYWORDS = {"t": None, "nt": (1, 2), "N_": None, "_": None, "gettext": None, "ngettext": (1, 2)}
FR_PACK = "# Risque d'inondation\n\nCe que l'Agence nous a dit.\n\n1. Maisons en danger\n2. Assurance\n"


def venue_times(zone: str) -> set[str]:
    """"14:05" (or "02:05", English writing 12-hour times) in `zone`, for the minute
    before, this one and the next (a page ticking over)."""
    now = dt.datetime.now(dt.timezone.utc)
    moments = [(now + dt.timedelta(minutes=d)).astimezone(ZoneInfo(zone)) for d in (-1, 0, 1)]
    return {m.strftime(f) for m in moments for f in ("%H:%M", "%I:%M")}


# -- 1. the §10 settings, made in the console, reach the phones and the projector ---------------

async def test_the_organiser_translates_the_day_and_phones_and_the_projector_follow(browser, tmp_path, connect):
    srv = blank(tmp_path)
    try:
        observer = await connect(srv, "organiser")
        uplink = HeldUplink("assembly.update")
        # The device's own clock is in New York: the console must show the venue's, not it.
        page, watch = await new_page(browser, *LANDSCAPE, timezone_id="America/New_York")
        await uplink.install(page)
        await page.goto(srv.links()["organiser"])
        await page.wait_for_function("() => window.townhall?.model != null")
        await page.locator("#status[data-state=connected]").wait_for()
        assert await page.get_attribute("html", "lang") == "en"
        assert await page.get_attribute("html", "dir") == "ltr"
        assert await page.input_value("#language") == "en"
        assert "this device's (America/New_York)" in await page.text_content("#zone-note")

        # Checked before anything is sent: a zone nobody knows, a title over the limit.
        await page.fill("#day-timezone", "Mars/Olympus")
        await page.fill("#title-fr", "é" * 201)
        await page.click("#lang-save")
        await page.locator("#day-timezone-error", has_text="Mars/Olympus").wait_for()
        assert await page.get_attribute("#day-timezone", "aria-invalid") == "true"
        assert await page.evaluate("() => document.activeElement.id") == "day-timezone"
        assert "201 characters long: the limit is 200" in await page.text_content("#title-fr-error")
        assert uplink.held == []

        # The zone from the list (typed in lower case), the projector's second language, a
        # French title: three taps while the uplink is slow, one assembly.update.
        await page.fill("#day-timezone", "europe/paris")
        await page.locator("#day-timezone-hint", has_text="It is").wait_for()
        await page.locator("#day-timezone-error:empty").wait_for(state="attached")
        options = await page.eval_on_selector_all("#timezones option", "os => os.map((o) => o.value)")
        assert "Europe/Paris" in options and "Asia/Tokyo" in options and len(options) > 300
        assert await page.eval_on_selector_all("#second-language option", "os => os.map((o) => o.value)") == [
            "", "fr", "es", "ar"]
        await page.select_option("#second-language", "fr")
        await page.fill("#title-fr", "  Jury citoyen sur la rivière  ")
        assert await page.text_content("#title-fr-error") == ""
        await tap(page, "#lang-save", times=3)
        assert len(uplink.held) == 1
        assert await page.get_attribute("#lang-save", "aria-busy") == "true"
        uplink.release()
        await page.locator("#lang-done", has_text="Saved").wait_for()
        saved_at = await page.text_content("#lang-done")  # said in the venue's time
        assert any(hm in saved_at for hm in venue_times("Europe/Paris")), saved_at
        await observer.wait_event("assembly.updated")
        await page.wait_for_timeout(300)
        assert len(observer.seen("assembly.updated")) == 1
        assert observer.seen("assembly.updated")[0]["data"] == {
            "timezone": "Europe/Paris", "second_language": "fr",
            "translations": {"fr": {"title": "Jury citoyen sur la rivière"}}}
        assert await page.input_value("#day-timezone") == "Europe/Paris"
        assert await page.input_value("#title-fr") == "Jury citoyen sur la rivière"
        # Saved again unchanged: nothing to send.
        await page.click("#lang-save")
        await page.locator("#lang-done", has_text="Nothing to save").wait_for()
        assert len(observer.seen("assembly.updated")) == 1

        # Times on the page are now the venue's, and the page says which zone they are in.
        await page.locator("#zone-note", has_text="Europe/Paris").wait_for()
        await page.evaluate("() => document.querySelector('#health-checked').textContent = ''")
        await page.locator("#health-checked:not(:empty)").wait_for(timeout=15000)
        checked = await page.text_content("#health-checked")
        assert any(hm in checked for hm in venue_times("Europe/Paris")), checked

        # A group with a pack, then its French name and pack with their preview.
        flooding = await add_group(page, "Flooding", PACK)
        await flooding.locator("button.edit-group").click()
        assert await page.input_value("#g-flooding-name") == "Flooding"
        french = flooding.locator("details.translation[data-lang=fr]")
        assert "not translated" in await french.locator("summary").text_content()
        await french.locator("summary").click()
        assert await page.get_attribute("#g-flooding-fr-name", "lang") == "fr"
        await page.fill("#g-flooding-fr-name", "Inondations")
        await page.fill("#g-flooding-fr-pack", FR_PACK)
        preview = page.locator("#g-flooding-fr-preview")
        await preview.locator("ol > li", has_text="Maisons en danger").wait_for()
        assert await preview.locator("h4", has_text="Risque d'inondation").count() == 1
        # Over the limit in French: said beside the French pack, nothing sent.
        await page.fill("#g-flooding-fr-pack", "x" * 50_001)
        await page.locator("#g-flooding-fr-pack-error", has_text="1 too many").wait_for()
        await flooding.locator("form.group-edit-form button[type=submit]").click()
        assert await page.evaluate("() => document.activeElement.id") == "g-flooding-fr-pack"
        await page.fill("#g-flooding-fr-pack", FR_PACK)
        await flooding.locator("form.group-edit-form button[type=submit]").click()
        await flooding.locator(".group-editor .done", has_text="Saved").wait_for()
        await flooding.locator(".translated-line", has_text="Français").wait_for()
        day = (await snapshot(srv))["assembly"]
        assert day["translations"]["fr"]["groups"]["flooding"] == {"name": "Inondations", "info_pack": FR_PACK}
        assert (await snapshot(srv))["groups"][0]["name"] == "Flooding"  # its own name stays

        # A phone in French: the French name and pack. The projector: French as its second
        # language, the French title beside the English one.
        phone, phone_watch = await new_page(browser, *PHONE, is_mobile=True, has_touch=True, locale="fr-FR")
        await phone.goto(await page.input_value("#join-flooding"))
        await phone.fill("#name", "Ffion")
        await phone.click("#join-form button[type=submit]")
        await phone.wait_for_function("() => window.townhall?.model != null")
        assert await phone.get_attribute("html", "lang") == "fr"
        await phone.locator("#group-name", has_text="Inondations").wait_for()
        await phone.locator("#info-pack li", has_text="Maisons en danger").wait_for()
        screen, screen_watch = await new_page(browser, 1280, 720)
        await screen.goto(srv.links()["screen"])
        await screen.wait_for_function("() => window.townhall?.model?.assembly?.second_language === 'fr'")
        assert await screen.evaluate("() => window.townhall.model.assembly.translations.fr.title") == \
            "Jury citoyen sur la rivière"

        # An empty field takes a translation back (null), once.
        await page.fill("#g-flooding-fr-pack", "   ")
        await flooding.locator("form.group-edit-form button[type=submit]").click()
        await observer.wait(lambda: any(e["data"].get("translations", {}).get("fr", {}).get("info_pack", 0) is None
                                        for e in observer.seen("group.updated")))
        await phone.locator("#info-pack li", has_text="Homes at risk in the valley").wait_for()
        await page.fill("#title-fr", "")
        await page.click("#lang-save")
        await observer.wait(lambda: len(observer.seen("assembly.updated")) == 2)
        assert observer.seen("assembly.updated")[1]["data"] == {"translations": {"fr": {"title": None}}}
        assert "title" not in (await snapshot(srv))["assembly"]["translations"].get("fr", {})

        # The console in French shows the translated name as display text, and the group's
        # own text in its edit field.
        fr, fr_watch = await open_organiser(browser, srv, PORTRAIT, locale="fr")
        assert await fr.get_attribute("html", "lang") == "fr"
        card = fr.locator("#group-cards li.group-card[data-group='flooding']")
        await card.locator("h3.group-name", has_text="Inondations").wait_for()
        await card.locator("button.edit-group").click()
        assert await fr.input_value("#g-flooding-name") == "Flooding"
        assert await fr.input_value("#g-flooding-fr-name") == "Inondations"
        for w in (watch, phone_watch, screen_watch, fr_watch):
            clean(w)
    finally:
        srv.stop()


# -- 2. right to left, at a portrait tablet's width ------------------------------------------

async def test_the_console_in_arabic_is_mirrored_fits_and_is_accessible(browser, tmp_path, connect):
    srv = blank(tmp_path)
    try:
        await busy_day(srv, connect)
        organiser = await connect(srv, "organiser")
        ack = await organiser.call("group.update", {"group_id": "flooding", "translations": {
            "ar": {"name": "الفيضانات", "info_pack": "# الفيضانات\n\n1. المنازل"}}})
        assert ack["ok"], ack
        page, watch = await open_organiser(browser, srv, PORTRAIT, locale="ar", bypass_csp=True)
        assert await page.get_attribute("html", "dir") == "rtl"
        assert await page.get_attribute("html", "lang") == "ar"
        assert await page.input_value("#language") == "ar"
        await page.locator("#agenda li.slot[data-state=running]").wait_for()
        await page.locator("#group-cards li.group-card:not([data-code=''])").nth(4).wait_for()
        await page.locator("#group-cards h3.group-name", has_text="الفيضانات").wait_for()
        # The health notices the page knows are said in the page's language, not as English.
        await page.locator("#health-notices li").first.wait_for()
        assert await page.locator("#health-notices li[lang=en]").count() == 0
        assert "127.0.0.1" in await page.text_content("#health-notices")
        found = {"first render": await axe_violations(page)}

        # Every editor open, the Arabic translation too: nothing scrolls sideways, either way.
        for i in range(5):
            await page.locator("#group-cards li.group-card").nth(i).locator("button.edit-group").click()
        await page.locator("li.group-card[data-group='flooding'] details.translation[data-lang=ar] summary").click()
        await page.locator("#g-flooding-ar-preview li", has_text="المنازل").wait_for(state="attached")
        for i in range(5):
            await page.locator("#agenda li.slot").nth(i).locator("button.edit-slot").click()
        await page.wait_for_timeout(300)
        width = PORTRAIT[0]
        assert await page.evaluate("() => document.documentElement.scrollWidth") <= width
        out = await page.evaluate("""(w) => [...document.querySelectorAll('body *')]
            .filter((n) => n.getClientRects().length && !n.closest('.table-scroll, .link-input, [hidden], dialog:not([open])'))
            .filter((n) => { const r = n.getBoundingClientRect(); return r.right > w + 1 || r.left < -1; })
            .map((n) => n.tagName + '.' + n.className).slice(0, 5)""", width)
        assert out == [], out
        # Mirrored: the page's start is on the right (a heading's words sit there).
        words = await page.evaluate("""() => { const r = document.createRange();
            r.selectNodeContents(document.querySelector('#day-heading'));
            const b = r.getBoundingClientRect(); return [b.left, b.right]; }""")
        assert words[0] > width / 2 and words[1] <= width, words
        found["editing"] = await axe_violations(page)
        assert {k: v for k, v in found.items() if v} == {}

        # The picker changes the language, kept on this device.
        async with page.expect_navigation():
            await page.select_option("#language", "fr")
        await page.wait_for_function("() => document.documentElement.lang === 'fr'")
        assert await page.get_attribute("html", "dir") == "ltr"
        clean(watch)
    finally:
        srv.stop()


# -- 3. health: what the organiser should know before the day ------------------------------------

async def test_the_health_panel_says_what_the_server_notices(browser, tmp_path):
    srv = blank(tmp_path)
    try:
        health = httpx.get(f"{srv.url}/healthz").json()
        assert len(health["notices"]) == 2  # loopback, and plain http
        page, watch = await open_organiser(browser, srv, LANDSCAPE)
        notices = page.locator("#health-notices li")
        await notices.first.wait_for()
        assert [n.strip() for n in await notices.all_text_contents()] == [n["message"] for n in health["notices"]]
        assert [n["code"] for n in health["notices"]] == ["qr_loopback", "plain_http"]
        assert await page.text_content("#health-base") == health["base_url"]
        assert await page.locator("#health-notices-box").is_visible()
        clean(watch)
    finally:
        srv.stop()


# -- 4. the QR sheet will not be printed pointing at this computer --------------------------------

async def test_the_qr_sheet_warns_when_its_codes_point_at_this_computer(browser, tmp_path, connect):
    srv = blank(tmp_path)  # serves on 127.0.0.1: its QR codes carry a loopback address
    try:
        organiser = await connect(srv, "organiser")
        assert (await organiser.call("group.add", {"client_id": cid(), "name": "Flooding"}))["ok"]
        sheet, watch = await new_page(browser, *PORTRAIT)
        await sheet.goto(f"{srv.url}/organiser/{srv.token('organiser')}/qr-sheet")
        await sheet.locator("body[data-ready=true]").wait_for()
        warning = sheet.locator("#loopback-warning")
        assert await warning.is_visible()
        assert await warning.get_attribute("role") == "alert"
        assert "127.0.0.1" in await warning.text_content()
        assert "TOWNHALL_BASE_URL" in await warning.text_content()
        assert "127.0.0.1" in await sheet.text_content("section.qr-card .void-stamp")
        # Print asks first, and the safe answer is the one in focus.
        await sheet.click("#print")
        await sheet.locator("#print-dialog[open]").wait_for()
        assert await sheet.evaluate("() => document.activeElement.id") == "print-cancel"
        await sheet.keyboard.press("Enter")
        await sheet.wait_for_function("() => !document.querySelector('#print-dialog').open")
        # On paper (print media) the warning box goes; each card still says it cannot work.
        await sheet.emulate_media(media="print")
        assert not await warning.is_visible()
        assert await sheet.locator("section.qr-card .void-stamp").is_visible()
        clean(watch)
    finally:
        srv.stop()

    hall = Server(tmp_path / "hall", extra=["--title", "Hall"], env={"TOWNHALL_BASE_URL": "http://192.168.1.20:8000"}).start()
    try:
        organiser = await connect(hall, "organiser")
        assert (await organiser.call("group.add", {"client_id": cid(), "name": "Flooding"}))["ok"]
        sheet, watch = await new_page(browser, *PORTRAIT, locale="ar")
        await sheet.goto(f"{hall.url}/organiser/{hall.token('organiser')}/qr-sheet")
        await sheet.locator("body[data-ready=true]").wait_for()
        assert await sheet.get_attribute("html", "dir") == "rtl"
        assert not await sheet.locator("#loopback-warning").is_visible()
        assert await sheet.locator(".void-stamp").count() == 0
        address = await sheet.text_content("section.qr-card .address")
        assert address.startswith("http://192.168.1.20:8000/j/")
        assert await sheet.evaluate("() => document.documentElement.scrollWidth") <= PORTRAIT[0]
        clean(watch)

        # The console's health panel: only the plain-http notice is left.
        page, page_watch = await open_organiser(browser, hall, LANDSCAPE)
        notices = page.locator("#health-notices li")
        await notices.first.wait_for()
        assert await notices.count() == 1 and "Plain http" in await notices.first.text_content()
        assert await page.text_content("#health-base") == "http://192.168.1.20:8000"
        clean(page_watch)
    finally:
        hall.stop()


# -- 5. the server's own pages, and every sentence marked for the translators ---------------------

def test_message_pages_speak_the_visitors_language(sqlite_server):
    srv = sqlite_server
    for url in (f"{srv.url}/lead/not-a-token", f"{srv.url}/organiser/not-a-token/qr-sheet"):
        r = httpx.get(url)
        assert r.status_code == 404 and '<html lang="en" dir="ltr">' in r.text and "not valid" in r.text
        assert r.headers["vary"] == "Accept-Language"
        r = httpx.get(url, headers={"Accept-Language": "ar-EG,ar;q=0.9,en;q=0.5"})
        assert r.status_code == 404 and '<html lang="ar" dir="rtl">' in r.text
        assert r.headers["content-language"] == "ar"
        r = httpx.get(url, headers={"Accept-Language": "fr-CH, fr;q=0.9"})
        assert '<html lang="fr" dir="ltr">' in r.text


class Marked:
    """A catalog that marks every message it translates."""

    def gettext(self, s):
        return f"«{s}»"

    def ngettext(self, s, p, n):
        return f"«{s if n == 1 else p}»"

    def pgettext(self, c, s):
        return f"«{s}»"

    def npgettext(self, c, s, p, n):
        return f"«{s if n == 1 else p}»"


def test_every_sentence_of_the_message_pages_comes_from_the_catalog(monkeypatch):
    monkeypatch.setattr(web.i18n, "translations", lambda lang: Marked())
    web._messages.cache_clear()
    try:
        request = Request({"type": "http", "method": "GET", "path": "/", "headers": [(b"accept-language", b"es")]})
        body = web.message_page(request, "staff_link", 404).body.decode()
        assert "<h1>«This link is not valid»</h1>" in body and "<p>«Check that the whole link" in body
        assert '<html lang="es" dir="ltr">' in body
        body = web.message_page(request, "not_built", 500, path="/static/<x>.html").body.decode()
        assert "«/static/&lt;x&gt;.html is missing from this install.»" in body
    finally:
        web._messages.cache_clear()
    ids = {m[1] for m in extract_from_file("jinja2", ROOT / "server/townhall/templates/message.html", keywords=KEYWORDS,
                                            options={"extensions": "jinja2.ext.i18n", "trimmed": "true"})}
    assert {"This link is not valid", "Not built yet", "%(path)s is missing from this install."} <= ids


class Unmarked(HTMLParser):
    """Words in a page's HTML that applyDocument() would not translate: text outside any
    data-i18n element, and aria-label/title/placeholder/alt not named in data-i18n-attr."""

    VOID = {"meta", "link", "input", "br", "img", "wbr", "hr", "source"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        named = (a.get("data-i18n-attr") or "").split()
        self.found += [f"{tag}[{k}]={a[k]}" for k in ("aria-label", "title", "placeholder", "alt")
                       if a.get(k) and k not in named]
        if tag not in self.VOID:
            self.stack.append((tag, "data-i18n" in a or any(m for _, m in self.stack[-1:])))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        inside = {tag for tag, _ in self.stack}
        words = re.search(r"[^\W\d_]", data)  # letters: "–" in an empty cell is no word
        if words and not any(m for _, m in self.stack[-1:]) and not {"script", "style"} & inside:
            self.found.append(data.strip())


def test_the_console_and_the_sheet_mark_every_word_for_the_translators():
    for page in ("organiser.html", "qr-sheet.html"):
        parser = Unmarked()
        parser.feed((ROOT / "facilitator_ui" / page).read_text(encoding="utf-8"))
        assert parser.found == [], (page, parser.found)
    ids = set()
    for page in ("organiser.js", "qr-sheet.js"):
        ids |= {m[1] if isinstance(m[1], str) else m[1][0]
                for m in extract_from_file("javascript", ROOT / "facilitator_ui" / page, keywords=KEYWORDS)}
    assert {"Title in {language}", "QR code to join {group}", "Not for use: phones cannot reach {host}"} <= ids
    assert {"Time zone of the venue", "Print QR codes that phones cannot reach?", "Before the day"} <= {
        m[1] for page in ("organiser.html", "qr-sheet.html")
        for m in extract_from_file("townhall.i18n:extract_html", ROOT / "facilitator_ui" / page, keywords=KEYWORDS)}
    assert "Its QR codes point at {host}, this computer itself: phones cannot reach that address, so nobody " \
           "could join from these cards." in ids

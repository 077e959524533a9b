"""Every page reads in the visitor's language, with no English left over (CONTRACT §10),
for every language townhall has a catalog for: real Chromium, a real server, a realistic
day on it (five groups, notes and supports, key points drafted and published, a running
plenary, Board responses of every outcome, corrections, a poll open in the hall and one
closed with its results).

Each page is read as a person reads it: every visible text (what people wrote and the
assembly's own texts left out: the elements with dir="auto"), every aria-label,
placeholder, title and alt, and the document's title. A text that is one of the English
messages of server/townhall/locale/townhall.pot (a message with {placeholders} matched
as a pattern, so "Withdraw the response by Sam" is "Withdraw the response by {name}") is
English left over, unless the language's catalog translates that message to the same
words ("Notes" is "Notes" in French too). Nothing here names an expected text: the
catalogs are the reference, so the test fails on a message the translators have not
done yet (or left fuzzy: the pages skip fuzzy messages) and on a text a page shows
without passing it through t() / data-i18n although the catalog translates it.

Also per language: <html lang dir>, the phone without a sideways scroll at 360 px (the
right-to-left one matters most), and no serious axe finding on the phone and one console.

One test per language, its id the language's code: a new language (docs/translating.md)
is checked with `pytest tests/test_browser_languages.py -k cy`."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from conftest import axe_violations, cid
from test_browser_consoles import GROUPS, FAC_NOTE_TEXTS, open_console, open_organiser, open_qr_sheet
from test_browser_screen_paging import ACCESS, group_points
from townhall.languages import LANGUAGES, SOURCE

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "server" / "townhall" / "locale"
KEYWORDS = {"t": None, "nt": (1, 2), "N_": None, "_": None, "gettext": None, "ngettext": (1, 2)}
TRANSLATED = [code for code in LANGUAGES if code != SOURCE]
PHONE = (390, 844)
SMALL_PHONE = (360, 740)
SCREEN = (1280, 720)
CONSOLE = (1024, 768)
# The console each language is audited with axe on (the phone is audited in every one):
# a console per language, every console over the languages.
AXE_CONSOLE = {"fr": "lead", "es": "board", "ar": "organiser"}
AXE_CONSOLES = ("facilitator", "lead", "board", "organiser", "qr-sheet")

# -- the catalogs: which English texts there are, and how each language says them ------------

PLACEHOLDER = re.compile(r"(\{\w+\}|%\(\w+\)[sd])")
LETTER = re.compile(r"[^\W\d_]")
# Placeholders that are always a number (in the page's digits, maybe with a sign, a
# separator, "%"): "3 points" is "{n} points", "Up: … key points" is not.
NUMBERS = {"n", "count", "total", "max", "min", "limit", "m", "h", "at", "percent", "low", "high", "size",
           "length", "other", "done", "ticked", "num", "runs", "most", "seconds", "hours"}
NUMBER = r"[\W\d_]*?\d[\W\d_]*?"


def norm(text: str) -> str:
    return " ".join(text.split())


def pattern(text: str) -> re.Pattern | None:
    """A message as the page writes it: each placeholder any text. None for a message with
    no letter of its own ("{n}.", "{message} ({action})"): nothing tells it apart."""
    text = norm(text.replace("%%", "%"))
    parts = PLACEHOLDER.split(text)
    literal, holes = parts[::2], parts[1::2]
    if not any(LETTER.search(p) for p in literal):
        return None
    out = re.escape(literal[0])
    for hole, after in zip(holes, literal[1:]):
        out += (NUMBER if re.search(r"\w+", hole)[0] in NUMBERS else ".*?") + re.escape(after)
    return re.compile(out, re.S)


@dataclass
class Message:
    english: list[str]                 # the msgid (and its plural)
    where: list[str]                   # file:line where the code marks it
    patterns: list[re.Pattern]         # the English forms as patterns
    said: list[re.Pattern] = field(default_factory=list)  # the language's forms, as the pages get them
    state: str = "untranslated"        # or "fuzzy", "translated"
    shown: str = ""                    # the translation, to quote in a failure
    forms: list[str] = field(default_factory=list)


@dataclass
class Catalog:
    lang: str
    exact: dict[str, list[Message]]    # English text without placeholders -> its messages
    patterned: list[Message]           # messages with placeholders

    def english(self, text: str) -> list[Message]:
        """The messages `text` is the English of."""
        found = list(self.exact.get(text, ()))
        found += [m for m in self.patterned if any(p.fullmatch(text) for p in m.patterns)]
        return found

    def leftover(self, text: str) -> list[Message]:
        """The messages `text` is left-over English of: [] when it is no English message,
        or when one of those the language says with these same words."""
        found = self.english(text)
        if any(any(p.fullmatch(text) for p in m.said) for m in found):
            return []
        return found

    def translated(self, text: str) -> bool:
        """Whether `text` is one of this language's translations (not its English too)."""
        if text in self.own:
            return True
        return any(p.fullmatch(text) for p in self.own_patterns) and not self.english(text)

    own: set[str] = field(default_factory=set)                    # translations without placeholders
    own_patterns: list[re.Pattern] = field(default_factory=list)  # and with


def english_messages() -> dict:
    """Every English message: the template's, and any the code marks that `make messages`
    has not put in the template yet (English a page shows all the same). msgid (a tuple
    for a plural) -> where the code marks it."""
    found: dict = {}
    with (LOCALE / "townhall.pot").open("rb") as f:
        for m in read_po(f):
            if m.id:
                found.setdefault(tuple(m.id) if isinstance(m.id, (list, tuple)) else m.id, []).extend(
                    f"{f}:{n}" for f, n in m.locations)
    with (LOCALE / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    for filename, line, msgid, _, _ in extract_from_dir(str(ROOT), method_map, options_map, keywords=KEYWORDS):
        where = found.setdefault(tuple(msgid) if isinstance(msgid, (list, tuple)) else msgid, [])
        if f"{filename}:{line}" not in where:
            where.append(f"{filename}:{line}")
    return found


def load_catalog(lang: str) -> Catalog:
    with (LOCALE / lang / "LC_MESSAGES" / "townhall.po").open("rb") as f:
        po = read_po(f, locale=lang)
    exact: dict[str, list[Message]] = {}
    patterned: list[Message] = []
    for msgid, where in english_messages().items():
        english = [norm(s) for s in (msgid if isinstance(msgid, tuple) else [msgid])]
        patterns = [p for p in (pattern(s) for s in english) if p]
        if not patterns:
            continue
        msg = Message(english, where, patterns)
        there = po.get(msgid[0] if isinstance(msgid, tuple) else msgid)
        if there is None:
            msg.state = "missing"
        forms = [s for s in ((there.string if isinstance(there.string, (list, tuple)) else [there.string])
                             if there else []) if s]
        if there is not None and forms:
            msg.shown = forms[0]
            msg.forms = forms
            if there.fuzzy:
                msg.state = "fuzzy"   # the pages and the record skip fuzzy messages: English shows
            else:
                msg.state = "translated"
                # A form of only placeholders says nothing: it may be written as any text.
                msg.said = [pattern(s) or re.compile(".*", re.S) for s in forms]
        if any(PLACEHOLDER.search(s) for s in english):
            patterned.append(msg)
        else:
            for s in english:
                exact.setdefault(s, []).append(msg)
    out = Catalog(lang, exact, patterned)
    for msg in [m for ms in exact.values() for m in ms] + patterned:
        if msg.state != "translated":
            continue
        for form, said in zip(msg.forms, msg.said):
            if norm(form) in msg.english:
                continue  # the same words as the English
            if PLACEHOLDER.search(form):
                if pattern(form):
                    out.own_patterns.append(said)
            else:
                out.own.add(norm(form))
    return out


def untranslated_count(lang: str) -> int:
    with (LOCALE / lang / "LC_MESSAGES" / "townhall.po").open("rb") as f:
        po = read_po(f, locale=lang)
    return sum(1 for m in po if m.id and (m.fuzzy or not all(
        (m.string if isinstance(m.string, (list, tuple)) else [m.string]))))


# -- what a person reads on a page -----------------------------------------------------------

# [kind, text, where] for every text a person reads: text nodes and the text of whole
# elements (so "From {name}" is seen when the name is an element of its own), both left
# out inside dir="auto" (what people wrote, the assembly's own names and packs); the
# attributes people hear or see; the document's title. Hidden things are not read.
READ = """() => {
  const out = [], seen = new Set();
  const where = (n) => {
    const parts = [];
    for (let e = n; e && e !== document.body && parts.length < 3; e = e.parentElement) {
      parts.unshift(e.id ? `#${e.id}` : e.tagName.toLowerCase() + (e.classList.length ? `.${[...e.classList].join('.')}` : ''));
      if (e.id) break;
    }
    return parts.join(' > ');
  };
  const add = (kind, text, node) => {
    text = (text ?? '').replace(/\\s+/g, ' ').trim();
    if (!/\\p{L}/u.test(text)) return;
    const key = `${kind}\\u0000${text}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push([kind, text, where(node)]);
  };
  const visible = new Map();
  const shown = (el) => {
    if (visible.has(el)) return visible.get(el);
    const box = el.closest('select') ?? el;   // an option is read with its list
    const yes = !el.closest('template, script, style, noscript')
      && box.checkVisibility({ visibilityProperty: true, checkVisibilityCSS: true });
    visible.set(el, yes);
    return yes;
  };
  // People's text (and the assembly's own) has dir=auto; one marked data-i18n is the
  // page's own words until the page puts such a text in it.
  const people = (el) => { const a = el.closest('[dir=auto]'); return a != null && !a.hasAttribute('data-i18n'); };
  const whole = new Map();   // element -> {parts, own}
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n; (n = walker.nextNode());) {
    const el = n.parentElement;
    if (!el || !shown(el)) continue;
    const mine = !people(el);
    if (mine) add('text', n.data, el);
    for (let e = el; e && e !== document.body; e = e.parentElement) {
      let w = whole.get(e);
      if (!w) whole.set(e, (w = { parts: [], size: 0, own: false }));
      w.size += n.data.length;
      if (w.size <= 600) w.parts.push(n.data);
      w.own ||= mine;
    }
  }
  // (A whole element is read as one message only when it is short enough to be one.)
  for (const [e, w] of whole) {
    if (w.own && !people(e) && e.childElementCount && w.size <= 600) add('text', w.parts.join(''), e);
  }
  const names = ['aria-label', 'placeholder', 'title', 'alt', 'aria-roledescription', 'aria-valuetext',
                 'aria-description', 'aria-placeholder'];
  for (const e of document.body.querySelectorAll(names.map((a) => `[${a}]`).join(',') + ', input[value]')) {
    if (!shown(e)) continue;
    for (const a of names) if (e.hasAttribute(a)) add(a, e.getAttribute(a), e);
    if (['submit', 'button', 'reset'].includes(e.type) && e.tagName === 'INPUT') add('value', e.value, e);
  }
  add('document title', document.title, document.documentElement);
  return out;
}"""


class Reading:
    """What was read on every page, checked against one language's catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.found: dict[str, list] = {}
        self.translated: dict[str, int] = {}

    async def read(self, name: str, page) -> None:
        seen = self.found.setdefault(name, [])
        self.translated.setdefault(name, 0)
        known = {(k, t) for k, t, _ in seen}
        for kind, text, where in await page.evaluate(READ):
            if (kind, text) in known:
                continue
            known.add((kind, text))
            seen.append((kind, text, where))
            if self.catalog.translated(text):
                self.translated[name] += 1

    def leftovers(self) -> list[str]:
        """One line per page and message shown in English: where it was seen, and why."""
        seen_as: dict[tuple, list] = {}
        for name, read in self.found.items():
            for kind, text, where in read:
                messages = self.catalog.leftover(text)
                if messages:
                    seen_as.setdefault((name, tuple(id(m) for m in messages[:2])), [messages[:2]]).append(
                        f"{kind} «{text}» at {where}")
        out = []
        for (name, _), (messages, first, *more) in seen_as.items():
            why = "; ".join(
                f"msgid «{m.english[0]}» ({', '.join(m.where[:2])}) is "
                + {"missing": "not in the catalog yet: run make messages, then translate it",
                   "untranslated": "not translated in the catalog",
                   "fuzzy": f"fuzzy in the catalog («{m.shown}»): the pages skip fuzzy messages",
                   "translated": f"translated «{m.shown}» but the page shows the English: "
                                 "the text does not go through t()/data-i18n"}[m.state]
                for m in messages)
            out.append(f"{name}: {first}{f' (and {len(more)} more like it)' if more else ''} — {why}")
        return out


# -- a day on the server -------------------------------------------------------------------

PEOPLE = ["Amira", "Ben", "Chloé", "Dev", "Ewa", "Farid", "Grace", "Hamza"]
RESPONSES = [
    ("commit", "We commit to piloting same-day appointments with a named clinician in three areas from April.", None),
    ("consider", "We will consider how interpreters can be booked from the records and report back in June.", None),
    ("decline", "We will not fund transport to hospital appointments this year.",
     "The transport budget is set by the county council until 2027."),
]


async def seed_day(srv, connect) -> dict:
    lead = await connect(srv, "lead")
    board = await connect(srv, "board")
    phones: dict[str, list] = {}
    for g, group in enumerate(GROUPS):
        people = phones[group] = [await connect(srv, "participant", group, name=PEOPLE[(g + i) % len(PEOPLE)])
                                  for i in range(3)]
        notes = []
        for i, phone in enumerate(people * 2):
            ack = await phone.call("note.add", {"client_id": cid(),
                                                "text": FAC_NOTE_TEXTS[(g + i) % len(FAC_NOTE_TEXTS)]})
            assert ack["ok"], ack
            notes.append(ack["note_id"])
        for phone in people[1:]:
            for note in notes[:2]:
                assert (await phone.call("note.support", {"note_id": note}))["ok"]
        texts = ACCESS if group == "access" else group_points(group)
        for i, text in enumerate(texts[:8]):
            kp = await lead.call("keypoint.add", {"client_id": cid(), "group_id": group, "text": text,
                                                  **({"note_ids": notes[:2]} if i == 0 else {})})
            assert kp["ok"], kp
            if i < 5:
                assert (await lead.call("keypoint.publish", {"keypoint_id": kp["keypoint_id"]}))["ok"]
    # A poll the access group answered earlier, closed with its results.
    closed = await lead.call("poll.open", {"client_id": cid(), "question": "How easy is it to see a GP today?",
                                           "kind": "rating", "group_id": "access"})
    assert closed["ok"], closed
    for v, phone in enumerate(phones["access"]):
        assert (await phone.call("vote.cast", {"poll_id": closed["poll_id"], "choice": 2 + v}))["ok"]
    assert (await lead.call("poll.close", {"poll_id": closed["poll_id"]}))["ok"]
    assert (await lead.call("agenda.start", {"slot_id": "plenary-access"}))["ok"]
    assert (await lead.call("plenary.focus", {"group_id": "access"}))["ok"]
    responses = []
    for stance, text, reason in RESPONSES:
        ack = await board.call("response.log", {"client_id": cid(), "group_id": "access", "member": "Dame Anne Okafor",
                                                "text": text, "stance": stance, **({"reason": reason} if reason else {})})
        assert ack["ok"], ack
        responses.append(ack["response_id"])
    gone = await board.call("response.log", {"client_id": cid(), "group_id": "access", "member": "Sir Malcolm Grant",
                                             "text": "We will open every surgery on Sundays.", "stance": "commit"})
    assert (await board.call("response.withdraw", {"response_id": gone["response_id"],
                                                   "reason": "Logged for the wrong group"}))["ok"]
    other = await board.call("response.log", {"client_id": cid(), "group_id": "mental-health", "member": "Sir Malcolm Grant",
                                              "text": "We commit to a crisis line answered within five minutes.",
                                              "stance": "commit"})
    assert other["ok"], other
    first = await phones["access"][0].call("correction.submit", {
        "client_id": cid(), "response_id": responses[0],
        "text": "The group asked for this everywhere, not only in three pilot areas."})
    assert first["ok"], first
    assert (await board.call("correction.resolve", {"correction_id": first["correction_id"],
                                                    "outcome": "accepted"}))["ok"]
    pending = await phones["access"][1].call("correction.submit", {
        "client_id": cid(), "response_id": responses[2], "text": "We asked about buses, not hospital cars."})
    assert pending["ok"], pending
    return {"lead": lead, "board": board, "phones": phones}


# -- the pages -------------------------------------------------------------------------------


async def context_page(browser, size, **kw):
    context = await browser.new_context(viewport={"width": size[0], "height": size[1]}, **kw)
    page = await context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return page


async def html_lang_dir(page) -> list[str]:
    return await page.evaluate("() => [document.documentElement.lang, document.documentElement.dir]")


@pytest.mark.parametrize("lang", TRANSLATED)
async def test_no_english_left_on_any_page(browser, sqlite_server, connect, lang):
    srv = sqlite_server
    catalog = load_catalog(lang)
    want = [lang, "rtl" if lang == "ar" else "ltr"]
    reading = Reading(catalog)
    day = await seed_day(srv, connect)
    links = srv.links()
    lead_client = day["lead"]

    # Every page at once, as on the day: the consoles on tablets, the projector, a phone.
    phone = await context_page(browser, PHONE, locale=lang, is_mobile=True, has_touch=True, bypass_csp=True)
    screen = await context_page(browser, SCREEN, locale="en-GB")
    console_kw = {name: {"locale": lang, **({"bypass_csp": True} if name == AXE_CONSOLE.get(lang, "lead") else {})}
                  for name in AXE_CONSOLES}

    async def facilitator():
        page, _ = await open_console(browser, links["facilitators"]["access"], CONSOLE, **console_kw["facilitator"])
        await page.locator("#notes li.note").nth(5).wait_for()
        await page.locator("#keypoints li.keypoint").nth(7).wait_for()
        return page

    async def lead():
        page, _ = await open_console(browser, links["lead"], CONSOLE, **console_kw["lead"])
        await page.locator("#correction-list li.correction").first.wait_for()
        return page

    async def board():
        page, _ = await open_console(browser, links["board"], CONSOLE, **console_kw["board"])
        await page.locator("#responses li.response").nth(3).wait_for()
        return page

    async def organiser():
        return (await open_organiser(browser, srv, CONSOLE, **console_kw["organiser"]))[0]

    async def qr_sheet():
        return (await open_qr_sheet(browser, srv, CONSOLE, **console_kw["qr-sheet"]))[0]

    async def plenary_screen():
        await screen.goto(links["screen"] + f"?lang={lang}")
        await screen.wait_for_function("() => window.townhall?.model != null")
        await screen.locator("#focus-keypoints li").first.wait_for()
        await screen.locator("#focus-responses li").first.wait_for()
        return screen

    async def join_page():
        await phone.goto(links["join"]["access"])
        await phone.locator("#join-form").wait_for()
        return phone

    pages = dict(zip(("facilitator", "lead", "board", "organiser", "QR sheet", "plenary screen", "join page"),
                     await asyncio.gather(facilitator(), lead(), board(), organiser(), qr_sheet(),
                                          plenary_screen(), join_page())))
    for name, page in pages.items():
        assert await html_lang_dir(page) == want, (name, await html_lang_dir(page))
    await reading.read("plenary screen", screen)
    await reading.read("join page", phone)
    spot = catalog.exact.get("Join your group", [None])[0]
    if spot and spot.state == "translated":
        assert norm(await phone.text_content("#join-heading")) == spot.shown

    # The phone joins, the hall gets a poll: the phone votes, the projector shows it.
    await phone.fill("#name", "Nadia")
    await phone.click("#join-form button[type=submit]")
    await phone.locator("#status[data-state=connected]").wait_for()
    assert await html_lang_dir(phone) == want
    hall = await lead_client.call("poll.open", {"client_id": cid(), "question": "Which should the Board act on first?",
                                                "kind": "choice", "options": ACCESS[:3]})
    assert hall["ok"], hall
    await phone.locator("#notes li.note").nth(5).wait_for()
    await phone.locator("#responses li.response").nth(3).wait_for()
    ballot = phone.locator(f"#open-polls [data-poll-id='{hall['poll_id']}']")
    await ballot.locator("button.vote-option").first.wait_for()
    await reading.read("phone", phone)
    await ballot.locator("button.vote-option").first.click()
    await ballot.locator(".poll-status[data-state=counted]").wait_for()
    await phone.locator("#closed-polls summary").click()
    await phone.locator("#closed-polls-list li").first.wait_for()
    await reading.read("phone", phone)
    await screen.locator("#poll-question", has_text="Board act on first").wait_for()
    await reading.read("plenary screen", screen)

    # The consoles with the hall poll open, then a dialog and a refused form on two of them.
    fac, lead_page, board_page = pages["facilitator"], pages["lead"], pages["board"]
    await lead_page.locator(f"[data-poll-id='{hall['poll_id']}']").first.wait_for()
    for name in ("facilitator", "lead", "board", "organiser", "QR sheet"):
        await reading.read(name, pages[name])
    await fac.locator("#keypoints li.keypoint:not(.published) button.kp-publish").first.click()
    await fac.locator("dialog.confirm[open]").wait_for()
    await reading.read("facilitator", fac)
    await board_page.click("label[for=stance-decline]")
    await board_page.click("#submit")
    await board_page.locator("#form-error:not(:empty)").wait_for()
    await reading.read("board", board_page)

    # A join link that is no longer valid, and a staff link that never was: what a
    # stranger reads, in the page and from the server's own message template.
    await phone.goto(f"{srv.url}/j/not-a-code")
    await phone.locator("#unknown-heading").wait_for()
    await reading.read("join page: link not valid", phone)
    await phone.goto(links["lead"].rsplit("/", 1)[0] + "/not-a-token")
    assert await html_lang_dir(phone) == want
    await reading.read("staff link not valid", phone)

    problems = reading.leftovers()
    import json, os  # DEBUG-DUMP
    if os.environ.get("DUMP"):  # DEBUG-DUMP
        Path(os.environ["DUMP"] + f".{lang}.json").write_text(json.dumps(reading.found, ensure_ascii=False, indent=0))  # DEBUG-DUMP
    # The reading itself works: every page says something in this language (the
    # catalog's own translations, found on the page).
    silent = [name for name, n in reading.translated.items() if n == 0]
    assert not problems and not silent, (
        f"{lang}: English left over on the pages ({len(problems)})"
        + (f"; pages with hardly a word of {lang}: {silent}" if silent else "")
        + f" ({untranslated_count(lang)} messages of the catalog not translated or fuzzy)\n"
        + "\n".join(problems))

    # The phone, held small, has nothing past its right (or left) edge; no serious axe finding.
    await phone.goto(links["join"]["access"])
    await phone.locator("#status[data-state=connected]").wait_for()
    await phone.set_viewport_size({"width": SMALL_PHONE[0], "height": SMALL_PHONE[1]})
    await phone.locator("#responses li.response").nth(3).wait_for()
    await phone.wait_for_timeout(200)
    wide = await phone.evaluate("() => [document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]")
    assert wide[0] <= wide[1] + 1, f"{lang}: the phone scrolls sideways: {wide[0]} px on a {wide[1]} px screen"
    audited = AXE_CONSOLE.get(lang, "lead")
    found = {"phone": await axe_violations(phone),
             audited: await axe_violations(pages[audited.replace("qr-sheet", "QR sheet")])}
    assert {k: v for k, v in found.items() if v} == {}, (lang, found)
    errors = [e for p in (phone, screen) for e in p.errors]
    assert errors == [], errors

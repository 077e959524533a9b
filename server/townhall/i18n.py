"""Languages (CONTRACT §10): one gettext catalog per language, shared by the pages and
the record of the day, and which language a visitor gets.

The catalogs are `locale/<lang>/LC_MESSAGES/townhall.po`, their msgids the English text.
The record (Jinja2 with Babel's i18n extension) reads them as gettext translations; the
pages get the same messages as JSON (`browser_catalog`), with the plural forms mapped to
CLDR categories by Babel so the browser picks a form with `Intl.PluralRules`: no plural
rule is written by hand on either side. `make messages` extracts and updates them.
"""

from __future__ import annotations

import gettext
import io
import json
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Iterator

from babel import Locale, negotiate_locale
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from .languages import LANGUAGES, SOURCE

DOMAIN = "townhall"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
# Where the pages' own messages live: the browser catalog carries only these.
PAGE_SOURCES = ("static/", "facilitator_ui/")


def direction(lang: str) -> str:
    """"rtl" for a language written right to left (Arabic), else "ltr" (CLDR, by Babel)."""
    return "rtl" if Locale.parse(lang).character_order == "right-to-left" else "ltr"


def negotiate(accept_language: str | None) -> str:
    """The language of an Accept-Language header that townhall speaks, else English."""
    wanted = []
    for part in (accept_language or "").split(","):
        tag = part.split(";", 1)[0].strip()
        if tag and tag != "*":
            wanted.append(tag.replace("-", "_"))
    return negotiate_locale(wanted, list(LANGUAGES), sep="_") or \
        negotiate_locale([w.split("_")[0] for w in wanted], list(LANGUAGES)) or SOURCE


@lru_cache(maxsize=None)
def catalog(lang: str) -> Catalog:
    """The .po catalog of `lang` (an empty one for the source language)."""
    if lang not in LANGUAGES:
        raise LookupError(f"townhall has no catalog for {lang!r}: it speaks "
                          f"{', '.join(LANGUAGES)}")
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if lang == SOURCE or not path.exists():
        return Catalog(locale=lang, domain=DOMAIN)
    with path.open("rb") as f:
        return read_po(f, locale=lang, domain=DOMAIN)


@lru_cache(maxsize=None)
def translations(lang: str) -> gettext.NullTranslations:
    """gettext translations of `lang`, for Jinja2's i18n extension."""
    if lang == SOURCE:
        return gettext.NullTranslations()
    buf = io.BytesIO()
    write_mo(buf, catalog(lang), use_fuzzy=False)
    buf.seek(0)
    return Translations(fp=buf, domain=DOMAIN)


def plural_map(lang: str) -> dict[str, int]:
    """CLDR plural category -> index of the gettext plural form, for `lang`: the bridge
    between the .po catalog and the browser's Intl.PluralRules. Both sides come from
    CLDR (Babel); this only lines them up."""
    locale = Locale.parse(lang)
    pick = gettext.c2py(catalog(lang).plural_expr)
    out: dict[str, int] = {}
    for n in [*range(0, 1200), 1_000_000]:
        out.setdefault(locale.plural_form(n), pick(n))
    return out


def browser_catalog(lang: str) -> dict[str, Any]:
    """The pages' messages of `lang`, as the browser reads them (static/i18n.js)."""
    messages: dict[str, Any] = {}
    for m in catalog(lang):
        if not m.id or m.fuzzy or not any(f.startswith(PAGE_SOURCES) for f, _ in m.locations):
            continue
        if m.pluralizable:
            forms = list(m.string) if any(m.string) else []
            if forms:
                messages[m.id[0]] = forms
        elif m.string:
            messages[m.id] = m.string
    return {"lang": lang, "dir": direction(lang), "plural": plural_map(lang), "messages": messages}


def browser_catalogs() -> dict[str, bytes]:
    """Every language's browser catalog as JSON bytes, by URL (for assets.py)."""
    return {f"/static/i18n/{lang}.json": json.dumps(browser_catalog(lang), ensure_ascii=False,
                                                   separators=(",", ":"), sort_keys=True).encode()
            for lang in LANGUAGES}


# -- extraction from the pages' HTML (make messages) --------------------------------------


class _PageText(HTMLParser):
    """Collects the English text of elements marked `data-i18n` (text only: a sentence
    with markup inside is a t() call with placeholders instead), and the attributes an
    element names in `data-i18n-attr`, with their line numbers."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._open: list[list] = []  # [tag, line, text parts]

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        line = self.getpos()[0]
        for name in (a.get("data-i18n-attr") or "").split():
            if a.get(name):
                self.found.append((line, " ".join(a[name].split())))
        if "data-i18n" in a:
            self._open.append([tag, line, []])

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1][0] == tag:
            _, line, parts = self._open.pop()
            text = " ".join("".join(parts).split())
            if text:
                self.found.append((line, text))

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1][2].append(data)


def extract_html(fileobj, keywords, comment_tags, options) -> Iterator[tuple]:
    """A Babel extraction method for the pages' HTML (see locale/babel.cfg)."""
    parser = _PageText()
    parser.feed(fileobj.read().decode("utf-8"))
    for line, text in parser.found:
        yield line, None, text, []

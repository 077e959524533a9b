"""The language catalogs (docs/translating.md): the template holds every message the
pages and the record use, and every language's catalog holds exactly those, each
translated, with its placeholders and plural forms intact. `make messages` updates them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from townhall import i18n

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "server" / "townhall" / "locale"
KEYWORDS = {"t": None, "nt": (1, 2), "N_": None, "_": None, "gettext": None, "ngettext": (1, 2)}
TRANSLATED = [lang for lang in i18n.LANGUAGES if lang != i18n.SOURCE]
PLACEHOLDER = re.compile(r"\{\w+\}|%\(\w+\)[sd]")


def extracted() -> set[str]:
    """Every msgid in the code now, as `make messages` would find it."""
    with (LOCALE / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    return {msg if isinstance(msg, str) else msg[0]
            for _, _, msg, _, _ in extract_from_dir(str(ROOT), method_map, options_map, keywords=KEYWORDS)}


def template() -> set[str]:
    with (LOCALE / "townhall.pot").open("rb") as f:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}


def test_the_template_holds_every_message_in_the_code():
    missing, stale = extracted() - template(), template() - extracted()
    assert not missing, f"run make messages: not in townhall.pot yet: {sorted(missing)[:10]}"
    assert not stale, f"run make messages: no longer in the code: {sorted(stale)[:10]}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_each_catalog_has_exactly_the_messages_english_has(lang):
    catalog = i18n.catalog(lang)
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    assert not template() - ids, f"{lang}: run make messages, then translate: {sorted(template() - ids)[:10]}"
    assert not ids - template(), f"{lang}: messages English no longer has: {sorted(ids - template())[:10]}"
    obsolete = list(catalog.obsolete)
    assert not obsolete, f"{lang}: remove the obsolete (#~) entries: {obsolete[:5]}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_each_message_is_translated_with_its_placeholders(lang):
    catalog = i18n.catalog(lang)
    nplurals = catalog.num_plurals
    problems = []
    for m in catalog:
        if not m.id:
            continue
        if m.fuzzy:
            problems.append(f"fuzzy (check it, then remove the fuzzy flag): {m.id!r}")
            continue
        sources = [m.id] if isinstance(m.id, str) else list(m.id)
        strings = [m.string] if isinstance(m.string, str) else list(m.string)
        if isinstance(m.id, tuple) and len(strings) != nplurals:
            problems.append(f"{m.id[0]!r}: {len(strings)} plural forms, {lang} has {nplurals}")
        given = set(PLACEHOLDER.findall(" ".join(sources)))
        needed = set(PLACEHOLDER.findall(sources[0])) - {"{n}", "%(n)s"}  # "one note" may drop n
        for s in strings:
            found = set(PLACEHOLDER.findall(s))
            if not s.strip():
                problems.append(f"not translated: {sources[0]!r}")
            elif found - given:
                problems.append(f"unknown placeholder {sorted(found - given)} in {s!r}")
            elif needed - found:
                problems.append(f"placeholder {sorted(needed - found)} lost in {s!r}")
    assert not problems, f"{lang}: " + "\n".join(problems[:20])


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_the_browser_gets_plural_forms_by_cldr_category(lang):
    catalog = i18n.browser_catalog(lang)
    assert catalog["dir"] == ("rtl" if lang == "ar" else "ltr")
    assert set(catalog["plural"].values()) <= set(range(i18n.catalog(lang).num_plurals))
    assert "other" in catalog["plural"]

"""The assembly file (CONTRACT §6): townhall.assembly.parse / load_file / load_demo."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from townhall.assembly import AssemblyError, load_demo, load_file, parse

VALID = '''\
title = "Citizens' assembly on local health services"
date = "2026-03-14"

[[groups]]
id = "access"
name = "Access to services"

[[groups]]
id = "care"
name = "Care at home"

[[agenda]]
id = "groups-1"
title = "Issue groups"
minutes = 90
kind = "group_work"

[[agenda]]
id = "plenary-1"
title = "Plenary"
minutes = 10
kind = "plenary"
group_id = "access"
'''


def write(tmp_path: Path, text: str, name: str = "assembly.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refused(tmp_path: Path, text: str) -> str:
    """load_file must refuse `text`; the message must name the file. Returns it."""
    path = write(tmp_path, text)
    with pytest.raises(AssemblyError) as info:
        load_file(path)
    message = str(info.value)
    assert str(path) in message
    return message.replace(str(path), "<path>")  # the tmp path holds the test's name


def change(old: str, new: str, text: str = VALID) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


# -- what loads ------------------------------------------------------------------


def test_the_demo_loads_with_five_groups_and_their_info_packs():
    d = load_demo()
    assert d["title"].startswith("NHS Citizen")
    assert d["date"] == "2014-09-17"
    assert [g["id"] for g in d["groups"]] == [
        "access", "mental-health", "young-people", "gender-identity", "self-care"]
    for g in d["groups"]:
        assert isinstance(g["info_pack"], str) and g["info_pack"].strip(), g["id"]
    assert all(set(s) == {"id", "title", "minutes", "kind", "group_id"} for s in d["agenda"])
    plenaries = [s for s in d["agenda"] if s["kind"] == "plenary"]
    assert {s["group_id"] for s in plenaries} == {g["id"] for g in d["groups"]}


def test_a_valid_file_loads(tmp_path):
    d = load_file(write(tmp_path, VALID))
    assert d["title"] == "Citizens' assembly on local health services"
    assert d["date"] == "2026-03-14"
    assert d["groups"] == [{"id": "access", "name": "Access to services", "info_pack": None},
                           {"id": "care", "name": "Care at home", "info_pack": None}]
    assert d["agenda"] == [
        {"id": "groups-1", "title": "Issue groups", "minutes": 90, "kind": "group_work",
         "group_id": None},
        {"id": "plenary-1", "title": "Plenary", "minutes": 10, "kind": "plenary",
         "group_id": "access"}]


def test_date_is_optional(tmp_path):
    d = load_file(write(tmp_path, change('date = "2026-03-14"\n', "")))
    assert d["date"] is None


def test_a_toml_date_value_is_accepted_as_iso_text(tmp_path):
    d = load_file(write(tmp_path, change('date = "2026-03-14"', "date = 2026-03-14")))
    assert d["date"] == "2026-03-14"


def test_info_pack_is_read_relative_to_the_file(tmp_path):
    (tmp_path / "packs").mkdir()
    (tmp_path / "packs" / "access.md").write_text("# Access\n\nFacts.", encoding="utf-8")
    text = change('name = "Access to services"\n',
                  'name = "Access to services"\ninfo_pack = "packs/access.md"\n')
    d = load_file(write(tmp_path, text))
    assert d["groups"][0]["info_pack"] == "# Access\n\nFacts."
    assert d["groups"][1]["info_pack"] is None


@pytest.mark.parametrize("minutes", [1, 600])
def test_minutes_from_1_to_600_are_accepted(tmp_path, minutes):
    d = load_file(write(tmp_path, change("minutes = 90", f"minutes = {minutes}")))
    assert d["agenda"][0]["minutes"] == minutes


@pytest.mark.parametrize("kind", ["welcome", "group_work", "break", "plenary", "close"])
def test_every_kind_is_accepted(tmp_path, kind):
    d = load_file(write(tmp_path, change('kind = "group_work"', f'kind = "{kind}"')))
    assert d["agenda"][0]["kind"] == kind


def test_parse_takes_bytes_and_a_source_name():
    d = parse(VALID.encode(), source="inline.toml")
    assert len(d["groups"]) == 2


# -- what is refused, and the message names the file and the fault ---------------------


def test_bad_toml_syntax_names_the_line(tmp_path):
    message = refused(tmp_path, change('name = "Care at home"', 'name = "Care at home'))
    assert re.search(r"line \d+", message), message


def test_parse_error_names_the_source():
    with pytest.raises(AssemblyError) as info:
        parse(b"title = \n", source="my-day.toml")
    assert "my-day.toml" in str(info.value) and "line 1" in str(info.value)


def test_an_unterminated_multiline_string_names_a_line(tmp_path):
    message = refused(tmp_path, change('name = "Care at home"', 'name = """Care at home'))
    assert re.search(r"line \d+", message), message


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "assembly.toml"
    path.write_bytes(b'title = "\xff\xfe"\n')
    with pytest.raises(AssemblyError) as info:
        load_file(path)
    assert str(path) in str(info.value)


def test_unknown_top_level_key(tmp_path):
    assert "venue" in refused(tmp_path, 'venue = "Leeds"\n' + VALID)


def test_missing_title(tmp_path):
    message = refused(tmp_path, change('title = "Citizens\' assembly on local health services"\n', ""))
    assert "title" in message


def test_empty_title(tmp_path):
    message = refused(tmp_path, change("title = \"Citizens' assembly on local health services\"",
                                       'title = "   "'))
    assert "title" in message


@pytest.mark.parametrize("gid", ["Access", "access group", "-access", "acc_ess", "x" * 41, ""])
def test_group_id_must_be_a_slug(tmp_path, gid):
    message = refused(tmp_path, change('id = "access"', f'id = "{gid}"'))
    assert "groups[0].id" in message


def test_duplicate_group_id(tmp_path):
    message = refused(tmp_path, change('id = "care"', 'id = "access"'))
    assert "groups[1].id" in message and "duplicate" in message


def test_missing_group_name(tmp_path):
    message = refused(tmp_path, change('name = "Care at home"\n', ""))
    assert "groups[1].name" in message


def test_unknown_group_key(tmp_path):
    message = refused(tmp_path, change('name = "Care at home"', 'name = "Care at home"\ncolour = "red"'))
    assert "groups[1].colour" in message


def test_no_groups_or_agenda_yet(tmp_path):
    """A day may be started from a file with a title alone; the organiser adds the rest
    in the browser (CONTRACT §8)."""
    d = load_file(write(tmp_path, 'title = "Planning day"\n'))
    assert d == {"title": "Planning day", "date": None, "timezone": None, "second_language": None,
                 "groups": [], "agenda": [], "translations": {}}
    only_groups = VALID.split("[[agenda]]")[0]
    assert load_file(write(tmp_path, only_groups))["agenda"] == []


@pytest.mark.parametrize("text", ['groups = "access"', "groups = 3", 'agenda = "all day"',
                                  "agenda = [1, 2]"])
def test_groups_and_agenda_must_be_tables(tmp_path, text):
    message = refused(tmp_path, f'title = "T"\n{text}\n')
    assert message.split(": ")[1].startswith(("groups", "agenda"))


def test_duplicate_slot_id(tmp_path):
    message = refused(tmp_path, change('id = "plenary-1"', 'id = "groups-1"'))
    assert "agenda[1].id" in message and "duplicate" in message


def test_slot_id_must_be_a_slug(tmp_path):
    message = refused(tmp_path, change('id = "groups-1"', 'id = "Groups 1"'))
    assert "agenda[0].id" in message


@pytest.mark.parametrize("minutes", ["0", "601", '"ten"', "true", "-5", "10.5"])
def test_bad_minutes(tmp_path, minutes):
    message = refused(tmp_path, change("minutes = 90", f"minutes = {minutes}"))
    assert "agenda[0].minutes" in message


def test_missing_minutes(tmp_path):
    assert "agenda[0].minutes" in refused(tmp_path, change("minutes = 90\n", ""))


@pytest.mark.parametrize("kind", ['"workshop"', '"Plenary"', "1"])
def test_unknown_kind(tmp_path, kind):
    message = refused(tmp_path, change('kind = "group_work"', f"kind = {kind}"))
    assert "agenda[0].kind" in message


def test_missing_kind(tmp_path):
    assert "agenda[0].kind" in refused(tmp_path, change('kind = "group_work"\n', ""))


def test_group_id_on_a_non_plenary_slot(tmp_path):
    message = refused(tmp_path, change('kind = "group_work"',
                                       'kind = "group_work"\ngroup_id = "access"'))
    assert "agenda[0].group_id" in message


def test_plenary_group_id_naming_an_unknown_group(tmp_path):
    message = refused(tmp_path, change('group_id = "access"', 'group_id = "housing"'))
    assert "agenda[1].group_id" in message and "housing" in message


def test_unknown_slot_key(tmp_path):
    message = refused(tmp_path, change("minutes = 90", "minutes = 90\nroom = 4"))
    assert "agenda[0].room" in message


def test_info_pack_file_missing(tmp_path):
    text = change('name = "Access to services"\n',
                  'name = "Access to services"\ninfo_pack = "packs/missing.md"\n')
    message = refused(tmp_path, text)
    assert "groups[0].info_pack" in message and "packs/missing.md" in message


def test_info_pack_that_is_not_text(tmp_path):
    text = change('name = "Access to services"\n',
                  'name = "Access to services"\ninfo_pack = 5\n')
    assert "groups[0].info_pack" in refused(tmp_path, text)


def test_info_pack_too_long(tmp_path):
    (tmp_path / "big.md").write_text("x" * 50_001, encoding="utf-8")
    text = change('name = "Access to services"\n',
                  'name = "Access to services"\ninfo_pack = "big.md"\n')
    assert "groups[0].info_pack" in refused(tmp_path, text)


@pytest.mark.parametrize("date", ['"2026-02-30"', '"2026-13-01"', '"14 March 2026"', '"2026-3-14"',
                                  "20260314", "2026-03-14T10:00:00"])
def test_bad_date(tmp_path, date):
    assert "date" in refused(tmp_path, change('date = "2026-03-14"', f"date = {date}"))


def test_load_file_on_a_missing_path(tmp_path):
    path = tmp_path / "nowhere" / "assembly.toml"
    with pytest.raises(AssemblyError) as info:
        load_file(path)
    assert str(path) in str(info.value)


def test_assembly_error_is_a_value_error():
    assert issubclass(AssemblyError, ValueError)


# -- languages and the venue's time zone (CONTRACT §10) ------------------------------------

LANGUAGE_DAY = """title = "Assemblée citoyenne"
timezone = "Europe/Paris"
second_language = "ar"
[[groups]]
id = "access"
name = "Access"
info_pack = "pack.md"
[translations.fr]
title = "L'assemblée des citoyens"
[translations.fr.groups.access]
name = "Accès aux soins"
info_pack_text = "# Le dossier"
[translations.ar.groups.access]
name = "الوصول إلى الرعاية"
"""


def test_translations_and_time_zone(tmp_path):
    (tmp_path / "pack.md").write_text("# The pack", encoding="utf-8")
    d = load_file(write(tmp_path, LANGUAGE_DAY))
    assert d["timezone"] == "Europe/Paris" and d["second_language"] == "ar"
    assert d["groups"][0]["info_pack"] == "# The pack"
    assert d["translations"] == {
        "fr": {"title": "L'assemblée des citoyens",
               "groups": {"access": {"name": "Accès aux soins", "info_pack": "# Le dossier"}}},
        "ar": {"groups": {"access": {"name": "الوصول إلى الرعاية"}}}}
    from townhall.assembly import to_toml
    assert parse(to_toml(d).encode(), source="again") == d


@pytest.mark.parametrize("change, where", [
    ('timezone = "Europe/Paris"', 'timezone = "Mars/Olympus"'),
    ('second_language = "ar"', 'second_language = "de"'),
    ("[translations.fr]", "[translations.de]"),
    ("[translations.fr.groups.access]", "[translations.fr.groups.nope]"),
])
def test_bad_languages_and_zones_are_named(tmp_path, change, where):
    (tmp_path / "pack.md").write_text("# The pack", encoding="utf-8")
    message = refused(tmp_path, LANGUAGE_DAY.replace(*(change, where)))
    field = where.split(" =")[0].strip("[]")
    assert field.split(".")[0] in message, message

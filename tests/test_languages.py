"""CONTRACT §10 on the server: the assembly's own texts translated (file and console),
the venue's time zone, the projector's second language, the record in a language, and
pages that name every catalog for static/i18n.js."""

from __future__ import annotations

import csv
import io
import json
import re

import httpx

from conftest import Server

DAY = """title = "Citizens' assembly on local health"
timezone = "Europe/London"
[[groups]]
id = "access"
name = "Access to services"
info_pack_text = "# Access"
[[groups]]
id = "care"
name = "Care at home"
[[agenda]]
id = "tables"
title = "Tables"
minutes = 60
kind = "group_work"
[translations.fr]
title = "Assemblée citoyenne sur la santé locale"
[translations.fr.groups.access]
name = "Accès aux services"
info_pack_text = "# Accès"
[translations.ar.groups.care]
name = "الرعاية في المنزل"
"""


def serve_day(tmp_path) -> Server:
    (tmp_path / "day.toml").write_text(DAY, encoding="utf-8")
    return Server(tmp_path / "data", assembly=str(tmp_path / "day.toml")).start()


async def test_translations_from_the_file_reach_the_snapshot(tmp_path, connect):
    srv = serve_day(tmp_path)
    try:
        member = await connect(srv, "participant", "care", name="Ann")
        a = member.welcome["snapshot"]["assembly"]
        assert a["timezone"] == "Europe/London"
        assert a["translations"]["fr"]["title"] == "Assemblée citoyenne sur la santé locale"
        assert a["translations"]["ar"]["groups"]["care"] == {"name": "الرعاية في المنزل"}
        # A pack's translation goes where the pack goes: not to another group's phone.
        assert a["translations"]["fr"]["groups"]["access"] == {"name": "Accès aux services"}
        staff = (await connect(srv, "lead")).welcome["snapshot"]["assembly"]
        assert staff["translations"]["fr"]["groups"]["access"]["info_pack"] == "# Accès"
        # The record in French: the organiser's French texts, the zone named.
        out = srv.cli("export", "--format", "html", "--lang", "fr")
        assert out.returncode == 0, out.stderr
        assert out.stdout.startswith("<!doctype html><html lang=fr")
        assert "Assemblée citoyenne sur la santé locale" in out.stdout
        assert "Accès aux services" in out.stdout and "Europe/London" in out.stdout
        arabic = srv.cli("export", "--format", "html", "--lang", "ar").stdout
        assert "dir=rtl" in arabic[:80] and "الرعاية في المنزل" in arabic
        assert srv.cli("export", "--format", "html", "--lang", "de").returncode != 0
        auth = {"Authorization": f"Bearer {srv.token('organiser')}"}
        download = httpx.get(f"{srv.url}/export/report.html?lang=fr", headers=auth)
        assert download.status_code == 200 and download.text == out.stdout
        assert httpx.get(f"{srv.url}/export/report.html?lang=xx", headers=auth).status_code == 400
        # CSV: a time for machines (UTC) and one for people (the venue's zone, named).
        rows = list(csv.DictReader(io.StringIO(srv.cli("export", "--format", "csv").stdout)))
        assert rows[0]["time"].endswith("+00:00")
        assert re.search(r" (GMT|BST) \(Europe/London\)$", rows[0]["local_time"]), rows[0]["local_time"]
    finally:
        srv.stop()


async def test_the_organiser_translates_and_sets_the_zone_on_the_day(server, connect):
    organiser = await connect(server, "organiser")
    screen = await connect(server, "screen")
    member = await connect(server, "participant", "access", name="Mo")
    outsider = await connect(server, "participant", "self-care", name="Sy")
    ack = await organiser.call("assembly.update", {
        "timezone": "Europe/Madrid", "second_language": "es",
        "translations": {"es": {"title": "Asamblea ciudadana del NHS"}, "ar": {"title": "جمعية المواطنين"}}})
    assert ack["ok"], ack
    e = await screen.wait_event("assembly.updated")
    assert e["data"]["translations"]["es"]["title"] == "Asamblea ciudadana del NHS"
    ack = await organiser.call("group.update", {"group_id": "access", "translations": {
        "es": {"name": "Acceso a los servicios", "info_pack": "# Acceso"}}})
    assert ack["ok"], ack
    named = await outsider.wait_event("group.updated", group_id="access")
    assert named["data"]["translations"] == {"es": {"name": "Acceso a los servicios"}}
    await member.wait(lambda: any("info_pack" in str(x["data"].get("translations"))
                                  for x in member.seen("group.updated")))
    assert not [x for x in outsider.seen("group.updated") if "info_pack" in str(x["data"])]
    late = (await connect(server, "participant", "access", name="La")).welcome["snapshot"]["assembly"]
    assert late["timezone"] == "Europe/Madrid" and late["second_language"] == "es"
    assert late["translations"]["es"]["groups"]["access"] == {"name": "Acceso a los servicios",
                                                             "info_pack": "# Acceso"}
    # null takes a translation back; bad ones are refused with the field named.
    assert (await organiser.call("assembly.update", {"translations": {"ar": {"title": None}}}))["ok"]
    again = (await connect(server, "screen")).welcome["snapshot"]["assembly"]["translations"]
    assert "title" not in again.get("ar", {})
    for bad, code in (({"timezone": "Mars/Olympus"}, "invalid"), ({"second_language": "de"}, "invalid"),
                      ({"translations": {"de": {"title": "x"}}}, "invalid"),
                      ({"translations": {"en": {"title": "x"}}}, "invalid"),
                      ({"translations": {"fr": {"name": "x"}}}, "invalid"),
                      ({"translations": {"fr": {"title": "x" * 201}}}, "too_large"),
                      ({"translations": "fr"}, "invalid")):
        ack = await organiser.call("assembly.update", bad)
        assert ack["error"]["code"] == code, (bad, ack)
    ack = await organiser.call("group.update", {"group_id": "access",
                                                "translations": {"fr": {"info_pack": "x" * 50_001}}})
    assert ack["error"]["code"] == "too_large"


async def test_the_day_exported_as_toml_keeps_its_languages(tmp_path, connect):
    srv = serve_day(tmp_path)
    try:
        organiser = await connect(srv, "organiser")
        await organiser.call("assembly.update", {"second_language": "ar"})
        await organiser.call("group.update", {"group_id": "care", "translations": {"fr": {"name": "Soins à domicile"}}})
        before = (await connect(srv, "lead")).welcome["snapshot"]["assembly"]
        srv.cli("export", "--format", "toml", "-o", str(tmp_path / "again.toml"))
    finally:
        srv.stop()
    again = Server(tmp_path / "again", assembly=str(tmp_path / "again.toml")).start()
    try:
        after = (await connect(again, "lead")).welcome["snapshot"]["assembly"]
        assert after == before
    finally:
        again.stop()


def test_every_page_names_the_catalogs(server):
    for url in (server.links()["join"]["access"], server.links()["screen"], server.links()["lead"],
                server.links()["organiser"] + "/qr-sheet"):
        r = httpx.get(url, headers={"Accept-Language": "ar-EG,ar;q=0.9,en;q=0.5"})
        meta = json.loads(re.search(r'<meta name="townhall-i18n" content="([^"]+)"', r.text)
                          .group(1).replace("&quot;", '"'))
        assert set(meta["catalogs"]) == {"en", "fr", "es", "ar"} and meta["default"] == "ar"
        assert f'<link rel="preload" as="fetch" crossorigin href="{meta["catalogs"]["ar"]}">' in r.text
        catalog = httpx.get(server.url + meta["catalogs"]["ar"]).json()
        assert catalog["dir"] == "rtl" and catalog["plural"] == {
            "zero": 0, "one": 1, "two": 2, "few": 3, "many": 4, "other": 5}
        assert "Accept-Language" in r.headers["vary"]

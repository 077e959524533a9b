"""Scripts and styles under content-hashed URLs cached for a year; pages revalidated;
gzip made once; references between modules follow the hashes (assets.py)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from townhall.assets import IMMUTABLE, Assets

HASHED = re.compile(r"""["'](/(?:static|console|vendor)/[\w.\-/]+\.[0-9a-f]{10}\.(?:js|css))["']""")


def test_pages_name_hashed_files_and_are_revalidated(server):
    for url in (server.links()["screen"], server.links()["lead"], server.links()["join"]["access"],
                server.links()["organiser"], server.links()["facilitators"]["access"]):
        r = httpx.get(url)
        assert r.status_code == 200
        assert r.headers["cache-control"] == "no-cache"
        refs = HASHED.findall(r.text)
        assert refs, url
        assert not re.search(r"""["']/(static|console)/[\w\-]+\.(js|css)["']""", r.text), \
            "every script and style sheet a page names is hashed"
        for ref in refs:
            a = httpx.get(server.url + ref, headers={"Accept-Encoding": "gzip"})
            assert a.status_code == 200, ref
            assert a.headers["cache-control"] == IMMUTABLE


def test_modules_import_each_other_by_hashed_url(server):
    page = httpx.get(server.links()["join"]["access"]).text
    client = next(u for u in HASHED.findall(page) if "/static/client." in u)
    body = httpx.get(server.url + client).text
    assert re.search(r'from "/vendor/socket\.io\.esm\.min\.[0-9a-f]{10}\.js"', body)
    assert re.search(r'from "/static/model\.[0-9a-f]{10}\.js"', body)


def test_gzip_etag_and_plain_urls(server):
    page = httpx.get(server.links()["screen"]).text
    script = next(u for u in HASHED.findall(page) if u.endswith(".js") and "/static/screen." in u)
    zipped = httpx.get(server.url + script, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["content-type"].startswith("text/javascript")
    raw = httpx.get(server.url + script, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers
    assert zipped.content == raw.content  # httpx undoes the gzip
    assert int(zipped.headers["content-length"]) < len(raw.content) / 2
    etag = raw.headers["etag"]
    again = httpx.get(server.url + script, headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.content
    # The plain URL still works (an old page, a bookmark) but is revalidated.
    plain = httpx.get(server.url + "/static/screen.js")
    assert plain.status_code == 200 and plain.headers["cache-control"] == "no-cache"
    assert plain.content == raw.content
    assert httpx.get(server.url + "/static/nope.js").status_code == 404
    assert httpx.get(server.url + "/static/screen.0000000000.js").status_code == 404


def test_a_changed_file_changes_its_url_and_its_importers(tmp_path: Path):
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "a.js").write_text('import { b } from "/static/b.js";\nexport const a = b;\n')
    (tmp_path / "static" / "b.js").write_text("export const b = 1;\n")
    (tmp_path / "static" / "c.js").write_text("export const c = 1;\n")
    (tmp_path / "static" / "page.html").write_text('<script type="module" src="/static/a.js"></script>')
    before = Assets({"/static": tmp_path / "static"})
    (tmp_path / "static" / "b.js").write_text("export const b = 2;\n")
    after = Assets({"/static": tmp_path / "static"})
    for url in ("/static/a.js", "/static/b.js", "/static/page.html"):
        assert before.hashed(url) != after.hashed(url), url
    assert before.hashed("/static/c.js") == after.hashed("/static/c.js")
    page = after.find("/static/page.html")[0].body.decode()
    assert after.hashed("/static/a.js") in page
    assert before.version != after.version


def test_an_import_cycle_keeps_plain_urls_instead_of_looping(tmp_path: Path):
    (tmp_path / "x.js").write_text('import "/static/y.js";\n')
    (tmp_path / "y.js").write_text('import "/static/x.js";\n')
    assets = Assets({"/static": tmp_path})
    assert {a.url for a in assets.all()} == {"/static/x.js", "/static/y.js"}


def test_a_page_asks_for_everything_it_needs_at_once(server):
    """One style sheet a page, and a modulepreload for every module its script imports,
    so a slow link pays one round trip for the files, not one per level of imports."""
    from townhall.web import load_assets

    assets = load_assets()
    for url in (server.links()["join"]["access"], server.links()["screen"], server.links()["lead"]):
        html = httpx.get(url).text
        sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
        assert len(sheets) == 1 and "/static/combined/" in sheets[0], sheets
        entry = re.search(r'<script type="module" src="([^"]+)"', html).group(1)
        preloaded = set(re.findall(r'<link rel="modulepreload" href="([^"]+)"', html))
        plain = re.sub(r"\.[0-9a-f]{10}\.js$", ".js", entry)
        for dep in assets.imports(plain):
            assert assets.hashed(dep) in preloaded, (url, dep)
        css = httpx.get(server.url + sheets[0])
        assert css.status_code == 200 and ":root" in css.text  # base.css comes first

"""The wheel is all a venue laptop needs (issue 14): built from this tree, installed
into a fresh venv in a directory with no source tree and no Node on PATH, `townhall
serve` answers every page, and a phone joins and writes a note in Chromium."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from conftest import ROOT, Client, free_port, new_page


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv with the wheel (and its dependencies) and nothing from this tree."""
    work = tmp_path_factory.mktemp("wheel")
    dist = work / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist),
                    str(ROOT)], check=True, capture_output=True, cwd=work)
    wheel = next(dist.glob("townhall-*.whl"))
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", str(wheel)], check=True,
                   capture_output=True, cwd=work)
    return venv


def run(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {"PATH": str(venv / "bin"), "HOME": str(cwd), "LANG": "C.UTF-8"}
    return subprocess.run([str(venv / "bin" / "townhall"), *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=60)


def test_the_installed_package_has_no_source_tree_behind_it(installed, tmp_path):
    where = subprocess.run([str(installed / "bin" / "python"), "-c",
                            "import townhall, pathlib; print(pathlib.Path(townhall.__file__).parent)"],
                           capture_output=True, text=True, cwd=tmp_path, env={"PATH": ""}, check=True)
    package = Path(where.stdout.strip())
    assert str(package).startswith(str(installed)), package
    for part in ("static/participant.html", "static/sw.js", "static/vendor/socket.io.esm.min.js",
                 "static/vendor/markdown-it.min.js", "facilitator_ui/lead.js", "templates",
                 "demo/assembly.toml"):
        assert (package / part).exists(), part


async def test_serve_from_the_wheel_with_no_node(installed, tmp_path, browser):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {"PATH": str(installed / "bin"), "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    assert subprocess.run(["/bin/sh", "-c", "command -v node"], env=env, capture_output=True).returncode != 0
    log = open(tmp_path / "serve.log", "wb")
    proc = subprocess.Popen([str(installed / "bin" / "townhall"), "serve", "--data-dir", "data",
                             "--host", "127.0.0.1", "--port", str(port)],
                            cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.1)
        out = run(installed, "links", "--data-dir", "data", "--base-url", url, "--json", cwd=tmp_path)
        links = json.loads(out.stdout)
        pages = [links[r] for r in ("organiser", "lead", "board", "screen")]
        pages += [*links["facilitators"].values(), *links["join"].values(),
                  links["organiser"] + "/qr-sheet"]
        for page_url in pages:
            r = httpx.get(page_url)
            assert r.status_code == 200, (page_url, r.text[:200])
            for ref in re.findall(r"""["'](/(?:static|console|vendor)/[^"']+)["']""", r.text):
                assert httpx.get(url + ref).status_code == 200, ref
        assert httpx.get(f"{url}/sw.js").status_code == 200

        lead = await Client().connect(url, {"token": links["lead"].rsplit("/", 1)[1]})
        try:
            page, watch = await new_page(browser, 360, 740)
            await page.goto(links["join"]["access"])
            await page.fill("#name", "Ann")
            await page.click("#join-form button[type=submit]")
            await page.locator("#status[data-state=connected]").wait_for()
            await page.fill("#note-text", "Written on a phone served from the wheel")
            await page.click("#note-form button[type=submit]")
            await lead.wait(lambda: bool(lead.seen("note.added", text="Written on a phone served from the wheel")))
            assert not watch.errors, watch.errors
        finally:
            await lead.close()
        export = run(installed, "export", "--data-dir", "data", "--format", "html", cwd=tmp_path)
        assert export.returncode == 0, export.stderr
        assert export.stdout.startswith("<!doctype html>") and "NHS Citizen Assembly" in export.stdout
    finally:
        proc.terminate()
        proc.wait(10)

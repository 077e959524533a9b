"""The browser files copied from npm (static/vendor/, made by `make vendor`) are exactly
the versions package-lock.json pins, byte for byte: never edited by hand."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "static" / "vendor"
RECORD = json.loads((VENDOR / "VENDOR.json").read_text())
LOCK = json.loads((ROOT / "package-lock.json").read_text())


def test_every_vendored_file_is_recorded_and_back():
    on_disk = {p.name for p in VENDOR.iterdir() if p.name != "VENDOR.json"}
    assert on_disk == set(RECORD)


@pytest.mark.parametrize("name", sorted(RECORD))
def test_vendored_file_matches_package_lock(name):
    entry = RECORD[name]
    locked = LOCK["packages"][f"node_modules/{entry['package']}"]
    assert entry["version"] == locked["version"], \
        f"{name} is from {entry['package']} {entry['version']}, package-lock.json pins " \
        f"{locked['version']}: run make vendor"
    data = (VENDOR / name).read_bytes()
    assert hashlib.sha256(data).hexdigest() == entry["sha256"], f"{name} was edited: run make vendor"
    installed = ROOT / "node_modules" / entry["package"]
    if installed.exists():  # make test runs npm ci first, so CI always compares bytes
        assert json.loads((installed / "package.json").read_text())["version"] == entry["version"]
        assert (installed / entry["path"]).read_bytes() == data, f"{name} differs from npm's copy"


def test_served_from_vendor(server):
    import httpx

    for name in RECORD:
        r = httpx.get(f"{server.url}/vendor/{name}")
        assert r.status_code == 200 and r.content == (VENDOR / name).read_bytes()

"""HTTP routes of CONTRACT §3."""

from __future__ import annotations

import json

import httpx

from conftest import Server
from townhall.web import qr_svg


def test_healthz(server):
    r = httpx.get(f"{server.url}/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok"
    assert r.json()["last_seq"] >= 1


def test_join_page_and_unknown_code(server):
    r = httpx.get(server.links()["join"]["access"])
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert r.headers["referrer-policy"] == "no-referrer"
    r = httpx.get(f"{server.url}/j/not-a-real-code")
    assert r.status_code == 404 and "not valid" in r.text


def test_qr_svg_encodes_the_join_url(server):
    join = server.links()["join"]["self-care"]
    r = httpx.get(f"{join}/qr.svg")
    assert r.status_code == 200 and r.headers["content-type"] == "image/svg+xml"
    assert r.text.lstrip().startswith("<?xml") or r.text.lstrip().startswith("<svg")
    assert "<path" in r.text
    assert httpx.get(f"{server.url}/j/nope/qr.svg").status_code == 404


def test_qr_uses_the_base_url(tmp_path):
    base = "http://hall.local:9000"
    srv = Server(tmp_path / "d", env={"TOWNHALL_BASE_URL": base}).start()
    try:
        code = srv.token("join", "access")
        svg = httpx.get(f"{srv.url}/j/{code}/qr.svg").content
        assert svg == qr_svg(f"{base}/j/{code}")
        assert svg != qr_svg(f"{srv.url}/j/{code}")
    finally:
        srv.stop()


def test_qr_without_base_url_uses_the_request_host(server):
    code = server.token("join", "access")
    svg = httpx.get(f"{server.url}/j/{code}/qr.svg").content
    assert svg == qr_svg(f"{server.url}/j/{code}")


def test_export_needs_the_organiser_token(server):
    url = f"{server.url}/export/events.jsonl"
    assert httpx.get(url).status_code == 401
    lead = server.token("lead")
    assert httpx.get(url, headers={"Authorization": f"Bearer {lead}"}).status_code == 403
    r = httpx.get(url, headers={"Authorization": f"Bearer {server.token('organiser')}"})
    assert r.status_code == 200
    lines = [json.loads(x) for x in r.text.splitlines()]
    assert lines[0]["seq"] == 1 and lines[0]["type"] == "assembly.loaded"


def test_staff_pages_check_their_token(server):
    for role in ("organiser", "lead", "board", "screen"):
        token = server.token(role)
        assert httpx.get(f"{server.url}/{role}/{token}").status_code == 200
        assert httpx.get(f"{server.url}/{role}/wrong-token").status_code == 404
    # a lead token on the board's path is not the board's link
    assert httpx.get(f"{server.url}/board/{server.token('lead')}").status_code == 404

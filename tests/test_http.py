"""HTTP routes of CONTRACT §3."""

from __future__ import annotations

import csv
import io
import json
import re
import uuid

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


def test_csv_and_report_exports_need_the_organiser_token(server):
    lead = server.token("lead")
    for path in ("/export/events.csv", "/export/report.html"):
        url = f"{server.url}{path}"
        assert httpx.get(url).status_code == 401
        assert httpx.get(url, headers={"Authorization": "Bearer not-a-token"}).status_code == 403
        assert httpx.get(url, headers={"Authorization": f"Bearer {lead}"}).status_code == 403
        join = server.token("join", "access")
        assert httpx.get(url, headers={"Authorization": f"Bearer {join}"}).status_code == 403


def test_csv_export_is_a_download_of_every_event(server):
    auth = {"Authorization": f"Bearer {server.token('organiser')}"}
    r = httpx.get(f"{server.url}/export/events.csv", headers=auth)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"] == 'attachment; filename="events.csv"'
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0][:4] == ["seq", "time", "local_time", "type"]
    assert rows[1][0] == "1" and rows[1][3] == "assembly.loaded"
    last_seq = httpx.get(f"{server.url}/healthz").json()["last_seq"]
    assert [int(row[0]) for row in rows[1:]] == list(range(1, last_seq + 1))


async def test_report_export_is_a_self_contained_html_download(server, connect):
    board = await connect(server, "board")
    ack = await board.call("response.log", {
        "client_id": str(uuid.uuid4()), "group_id": "mental-health", "member": "Dame <Anne>",
        "text": "We will not <script>fund</script> this yet", "stance": "decline",
        "reason": "Budget set until April"})
    assert ack["ok"], ack
    auth = {"Authorization": f"Bearer {server.token('organiser')}"}
    r = httpx.get(f"{server.url}/export/report.html", headers=auth)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert r.headers["content-disposition"] == 'attachment; filename="report.html"'
    assert "script-src" not in r.headers["content-security-policy"]
    body = r.text
    assert body.startswith("<!doctype html>") and "Budget set until April" in body
    assert "<script>" not in body and "&lt;script&gt;fund" in body and "Dame &lt;Anne&gt;" in body
    assert "http://" not in body and "https://" not in body  # nothing fetched from elsewhere


def test_qr_sheet_is_the_organisers_alone(server):
    r = httpx.get(f"{server.url}/organiser/{server.token('organiser')}/qr-sheet")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert r.headers["referrer-policy"] == "no-referrer"
    assert re.search(r"/console/qr-sheet\.[0-9a-f]{10}\.js", r.text), "the sheet's script, hashed"
    for wrong in (server.token("lead"), server.token("board"), "wrong-token"):
        r = httpx.get(f"{server.url}/organiser/{wrong}/qr-sheet")
        assert r.status_code == 404 and "not valid" in r.text

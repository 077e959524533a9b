"""The command line as a user meets it: one line per problem, non-zero exits."""

from __future__ import annotations

import csv
import io
import json

import pytest

from conftest import free_port, townhall


def one_line_error(out) -> str:
    assert out.returncode != 0
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert "Traceback" not in out.stderr
    return lines[0]


@pytest.mark.parametrize("args,needle", [
    (["serve", "--bogus"], "--bogus"),
    (["frobnicate"], "frobnicate"),
    ([], "required"),
    (["serve", "--port", "http"], "--port"),
    (["serve", "--port", "70000"], "--port"),
    (["export", "--format", "pdf"], "pdf"),
    (["export"], "--format"),
])
def test_bad_arguments(args, needle):
    assert needle in one_line_error(townhall(*args))


def test_unreadable_assembly_file(tmp_path):
    msg = one_line_error(townhall("serve", "--data-dir", str(tmp_path / "d"),
                                  "--assembly", str(tmp_path / "missing.toml")))
    assert "missing.toml" in msg


def test_invalid_assembly_names_the_field(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('title = "T"\n[[groups]]\nid = "Not A Slug"\nname = "x"\n'
                   '[[agenda]]\nid = "a"\ntitle = "A"\nminutes = 5\nkind = "welcome"\n')
    msg = one_line_error(townhall("serve", "--data-dir", str(tmp_path / "d"), "--assembly", str(bad)))
    assert "bad.toml" in msg and "groups[0].id" in msg


def test_broken_toml_names_the_line(tmp_path):
    bad = tmp_path / "broken.toml"
    bad.write_text('title = "T"\n[[groups]\n')
    msg = one_line_error(townhall("serve", "--data-dir", str(tmp_path / "d"), "--assembly", str(bad)))
    assert "broken.toml" in msg and "line 2" in msg


def test_links_and_export_on_an_empty_data_dir(tmp_path):
    for args in (["links"], ["export", "--format", "jsonl"]):
        msg = one_line_error(townhall(*args, "--data-dir", str(tmp_path / "nothing")))
        assert "townhall serve" in msg
    assert not (tmp_path / "nothing").exists(), "reading must not create a data dir"


def test_unwritable_data_dir(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    msg = one_line_error(townhall("serve", "--data-dir", str(blocker / "sub"),
                                  "--port", str(free_port())))
    assert "data dir" in msg


def test_links_json_shape_and_secrets(server):
    out = server.cli("links", "--json")
    assert out.returncode == 0, out.stderr
    links = json.loads(out.stdout)
    assert set(links) == {"organiser", "lead", "board", "screen", "facilitators", "join"}
    groups = {"access", "mental-health", "young-people", "gender-identity", "self-care"}
    assert set(links["facilitators"]) == groups == set(links["join"])
    urls = [links[r] for r in ("organiser", "lead", "board", "screen")] + \
        list(links["facilitators"].values()) + list(links["join"].values())
    secrets = [u.rsplit("/", 1)[1] for u in urls]
    assert len(set(secrets)) == len(secrets)
    for s in secrets:  # at least 96 bits of URL-safe base64
        assert len(s) >= 16 and all(c.isalnum() or c in "-_" for c in s)
    assert links["join"]["access"].startswith(server.url + "/j/")


def test_links_base_url_flag_and_env(server):
    out = server.cli("links", "--json", "--base-url", "https://hall.example.org")
    assert json.loads(out.stdout)["lead"].startswith("https://hall.example.org/lead/")
    out = server.cli("links", "--json", env={"TOWNHALL_BASE_URL": "http://10.0.0.5:8000"})
    assert json.loads(out.stdout)["screen"].startswith("http://10.0.0.5:8000/screen/")


def test_links_from_env_data_dir(sqlite_server):
    out = townhall("links", "--json", env={"TOWNHALL_DATA_DIR": str(sqlite_server.data_dir)})
    assert out.returncode == 0 and "organiser" in json.loads(out.stdout)


async def test_export_formats_without_a_server(server, connect, tmp_path):
    p = await connect(server, "participant", "access", name="Exporter")
    await p.call("note.add", {"client_id": "e1", "text": 'A "quoted", comma note'})
    out = server.cli("export", "--format", "jsonl")
    events = [json.loads(line) for line in out.stdout.splitlines()]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert events[0]["type"] == "assembly.loaded" and events[0]["time"].endswith("+00:00")
    out = server.cli("export", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert any(r["text"] == 'A "quoted", comma note' and r["type"] == "note.added" for r in rows)
    target = tmp_path / "report.html"
    out = server.cli("export", "--format", "html", "-o", str(target))
    assert out.returncode == 0 and "Commitments" in target.read_text()

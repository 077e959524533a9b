"""docs/protocol.md and the server agree: every handled event is documented, and
every documented event is handled."""

from __future__ import annotations

import re
from pathlib import Path

from townhall import commands, events
from townhall.realtime import TRANSPORT_EVENTS

DOC = (Path(__file__).resolve().parents[1] / "docs" / "protocol.md").read_text()


def documented_events() -> set[str]:
    table = DOC.split("<!-- events:", 1)[1].split("<!-- /events -->", 1)[0]
    return set(re.findall(r"^\| `([a-z.]+)` \|", table, flags=re.M))


def test_every_handled_event_is_documented_and_back():
    assert documented_events() == set(commands.COMMANDS) | set(TRANSPORT_EVENTS)


def test_every_event_type_is_documented():
    section = DOC.split("## The event log", 1)[1]
    assert set(re.findall(r"^\| `([a-z.]+)` \|", section, flags=re.M)) == set(events.TYPES)


def test_every_error_code_is_documented():
    for code in (*commands.CODES, "unavailable"):
        assert f"| `{code}` |" in DOC, code

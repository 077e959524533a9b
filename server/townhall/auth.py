"""Tokens, join codes and roles: who a secret stands for, and the links that carry them.

Secrets are kept beside the log in the store (never in the log: the log is exported),
each mapped to a *credential* record: {"kind", "role", "group_id", "id", "name"}.
"""

from __future__ import annotations

import secrets
from typing import Any, Callable

from .state import Viewer

STAFF_ROLES = ("organiser", "lead", "board", "screen")
ROLES = ("participant", "facilitator", "lead", "board", "screen", "organiser")
STAFF_NAMES = {
    "organiser": "Organiser",
    "lead": "Lead facilitator",
    "board": "Board",
    "screen": "Plenary screen",
}
# Where each role's page lives; the last path segment is always the secret.
PAGE_PREFIX = {
    "organiser": "organiser",
    "lead": "lead",
    "board": "board",
    "screen": "screen",
    "facilitator": "facilitator",
    "join": "j",
}

Credential = dict[str, Any]


def new_token() -> str:
    """128 random bits, URL-safe: a staff or participant token."""
    return secrets.token_urlsafe(16)


def new_join_code() -> str:
    """96 random bits, URL-safe (16 characters): short enough for a QR code."""
    return secrets.token_urlsafe(12)


def staff_credential(role: str) -> Credential:
    return {"kind": "staff", "role": role, "group_id": None, "id": role, "name": STAFF_NAMES[role]}


def replacement(draft: dict, creds: dict[str, Credential],
                group: Callable[[str], dict | None]) -> tuple[str, Credential, list[str]] | None:
    """For an event that replaces a secret (a group's join code, a staff link): the new
    secret, its credential, and the secrets it replaces; None for any other event."""
    d = draft["data"]
    if draft["type"] == "joincode.rotated":
        old = [s for s, c in creds.items() if c["kind"] == "join" and c["group_id"] == d["group_id"]]
        return new_join_code(), join_credential(d["group_id"]), old
    if draft["type"] == "token.rotated":
        old = [s for s, c in creds.items() if c["kind"] == "staff" and c["role"] == d["role"]
               and c["group_id"] == d["group_id"]]
        if old:
            cred = dict(creds[old[0]])
        elif d["role"] == "facilitator":
            cred = facilitator_credential(group(d["group_id"]) or {"id": d["group_id"], "name": d["group_id"]})
        else:
            cred = staff_credential(d["role"])
        return new_token(), cred, old
    return None


def issue_credentials(definition: dict) -> dict[str, Credential]:
    """Fresh secrets for one assembly: four staff tokens, and a facilitator token and a
    join code for every group."""
    creds: dict[str, Credential] = {}
    for role in STAFF_ROLES:
        creds[new_token()] = staff_credential(role)
    for g in definition["groups"]:
        creds[new_token()] = facilitator_credential(g)
        creds[new_join_code()] = join_credential(g["id"])
    return creds


def issued_with(drafts: list[dict]) -> dict[str, Credential]:
    """The secrets some events bring with them: a new group's facilitator link and join
    code (CONTRACT §8: a group added during the day has them at once)."""
    creds: dict[str, Credential] = {}
    for d in drafts:
        if d["type"] == "group.added":
            group = {"id": d["data"]["group_id"], "name": d["data"]["name"]}
            creds[new_token()] = facilitator_credential(group)
            creds[new_join_code()] = join_credential(group["id"])
    return creds


def join_credential(group_id: str) -> Credential:
    return {"kind": "join", "role": "participant", "group_id": group_id, "id": None, "name": None}


def facilitator_credential(group: dict) -> Credential:
    return {"kind": "staff", "role": "facilitator", "group_id": group["id"],
            "id": f"f:{group['id']}", "name": f"Facilitator, {group['name']}"}


def participant_credential(participant_id: str, name: str, group_id: str) -> Credential:
    return {"kind": "participant", "role": "participant", "group_id": group_id,
            "id": participant_id, "name": name}


def viewer_for(cred: Credential) -> Viewer:
    return Viewer(role=cred["role"], id=cred["id"], name=cred["name"], group_id=cred["group_id"])


def links(creds: dict[str, Credential], base_url: str) -> dict[str, Any]:
    """The `townhall links --json` object (CONTRACT §1)."""
    base = base_url.rstrip("/")
    out: dict[str, Any] = {r: None for r in STAFF_ROLES} | {"facilitators": {}, "join": {}}
    for secret, c in creds.items():
        if c["kind"] == "staff" and c["role"] in STAFF_ROLES:
            out[c["role"]] = f"{base}/{PAGE_PREFIX[c['role']]}/{secret}"
        elif c["kind"] == "staff" and c["role"] == "facilitator":
            out["facilitators"][c["group_id"]] = f"{base}/facilitator/{secret}"
        elif c["kind"] == "join":
            out["join"][c["group_id"]] = f"{base}/j/{secret}"
    return out


def staff_token(creds: dict[str, Credential], role: str) -> str | None:
    return next((s for s, c in creds.items() if c["kind"] == "staff" and c["role"] == role), None)

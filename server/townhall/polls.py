"""Polls (CONTRACT §9) as plain data: what a valid choice is, how ballots add up, and the
pseudonym an anonymous ballot is cast under. No I/O; state.py folds, commands check.

A poll's results are kept as running totals, so a thousand votes in ten seconds cost a
thousand small updates, not a thousand recounts.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

KINDS = ("choice", "multi", "rating", "rank")
RATING = (1, 2, 3, 4, 5)
MIN_OPTIONS, MAX_OPTIONS = 2, 12
CHECKBACK_QUESTION = "Did the Board's response reflect what we said?"
CHECKBACK_OPTIONS = ("Yes", "Partly", "No")

Choice = int | list[int]


class BadChoice(ValueError):
    """The choice does not fit the poll; the message says what would."""


def option_count(poll: dict) -> int:
    return len(RATING) if poll["kind"] == "rating" else len(poll["options"])


def check_choice(poll: dict, choice: Any) -> Choice:
    """The choice in its one canonical form, or BadChoice."""
    kind, n = poll["kind"], option_count(poll)

    def index(x: Any) -> int:
        if isinstance(x, bool) or not isinstance(x, int) or not 0 <= x < n:
            raise BadChoice(f"a choice is an option's number, from 0 to {n - 1}")
        return x

    if kind == "choice":
        return index(choice)
    if kind == "rating":
        if isinstance(choice, bool) or choice not in RATING:
            raise BadChoice("a rating is a whole number from 1 to 5")
        return choice
    if not isinstance(choice, list) or not choice:
        raise BadChoice("choose at least one option: send a list of option numbers")
    picked = [index(x) for x in choice]
    if len(set(picked)) != len(picked):
        raise BadChoice("name each option at most once")
    return sorted(picked) if kind == "multi" else picked  # a ranking keeps its order


def empty_results(poll: dict) -> dict:
    n = option_count(poll)
    if poll["kind"] == "rank":
        return {"voters": 0, "scores": [0] * n}
    results = {"voters": 0, "counts": [0] * n}
    if poll["kind"] == "rating":
        results["mean"] = None
    return results


def _add(poll: dict, results: dict, choice: Choice, sign: int) -> None:
    kind, n = poll["kind"], option_count(poll)
    results["voters"] += sign
    if kind == "choice":
        results["counts"][choice] += sign
    elif kind == "multi":
        for i in choice:
            results["counts"][i] += sign
    elif kind == "rating":
        results["counts"][choice - 1] += sign
        total = sum((i + 1) * c for i, c in enumerate(results["counts"]))
        results["mean"] = round(total / results["voters"], 2) if results["voters"] else None
    else:  # Borda: n-1 points for first of n options, n-2 for second... unranked get none
        for place, i in enumerate(choice):
            results["scores"][i] += sign * (n - 1 - place)


def record(poll: dict, results: dict, old: Choice | None, new: Choice) -> None:
    """Count a ballot, taking back the one it replaces."""
    if old is not None:
        _add(poll, results, old, -1)
    _add(poll, results, new, +1)


def ballot_id(key: bytes, poll_id: str, participant_id: str) -> str:
    """The pseudonym an anonymous ballot is cast under: stable for one person in one
    poll (so a new vote replaces the old), unlinkable across polls or to the person
    without the assembly's ballot key, which never enters the log or an export."""
    mac = hmac.new(key, f"{poll_id}\x1f{participant_id}".encode(), hashlib.sha256)
    return "b_" + mac.hexdigest()[:20]

"""CONTRACT §9, polls and votes, through the real server on both stores: every kind with
exact tallies (changed votes, votes after the close, bad choices, the wrong group),
anonymity, a phone's own ballot restored on reconnect, the Board check-back, hidden
results, and the throttled `poll.results`."""

from __future__ import annotations

import asyncio
import json

from conftest import Client, cid


async def phones(srv, group: str, n: int, name: str = "P") -> list[Client]:
    return list(await asyncio.gather(*[
        Client().connect(srv.url, {"join_code": srv.token("join", group), "name": f"{name}{i}"})
        for i in range(n)]))


async def close_all(clients) -> None:
    await asyncio.gather(*[c.close() for c in clients])


def results_seen(client: Client) -> list[dict]:
    return client.__dict__.setdefault("results", [])


def listen(client: Client) -> Client:
    client.sio.on("poll.results", lambda msg: (results_seen(client).append(msg),
                                               client._changed.set()))
    return client


async def test_a_choice_poll_for_the_hall(server, connect):
    lead = await connect(server, "lead")
    screen = listen(await connect(server, "screen"))
    ack = await lead.call("poll.open", {"client_id": cid(), "question": "Which first?",
                                        "kind": "choice", "options": ["Evenings", "Weekends", "Phones"]})
    assert ack["ok"] and ack["poll_id"].startswith("poll_")
    pid = ack["poll_id"]
    opened = await screen.wait_event("poll.opened", poll_id=pid)
    assert opened["group_id"] is None and opened["data"]["options"] == ["Evenings", "Weekends", "Phones"]
    voters = await phones(server, "access", 3, "A") + await phones(server, "self-care", 2, "S")
    try:
        choices = [0, 0, 1, 2, 0]
        acks = await asyncio.gather(*[v.call("vote.cast", {"poll_id": pid, "choice": c})
                                      for v, c in zip(voters, choices)])
        assert all(a["ok"] for a in acks), acks
        # Voting again replaces; the same vote again is one vote (a resend after a drop).
        assert (await voters[0].call("vote.cast", {"poll_id": pid, "choice": 2}))["ok"]
        same = await voters[1].call("vote.cast", {"poll_id": pid, "choice": 0})
        assert same == acks[1]
        want = {"voters": 5, "counts": [2, 1, 2]}
        await screen.wait(lambda: bool(results_seen(screen))
                          and results_seen(screen)[-1]["results"] == want)
        assert results_seen(screen)[-1]["voters"] == 5
        # Wrong choices are refused and change nothing.
        for bad in (3, -1, "0", True, [0], None, 1.0):
            ack = await voters[2].call("vote.cast", {"poll_id": pid, "choice": bad})
            assert ack["error"]["code"] == "invalid", bad
        assert (await voters[2].call("vote.cast", {"poll_id": pid}))["error"]["code"] == "invalid"
        assert (await voters[2].call("vote.cast", {"poll_id": "poll_nope", "choice": 0}))["error"]["code"] == "not_found"
        for staff in (lead, screen):
            assert (await staff.call("vote.cast", {"poll_id": pid, "choice": 0}))["error"]["code"] == "forbidden"

        close = await lead.call("poll.close", {"poll_id": pid})
        assert close["ok"] and await lead.call("poll.close", {"poll_id": pid}) == close
        closed = await screen.wait_event("poll.closed", poll_id=pid)
        assert closed["data"]["results"] == want
        late = await voters[3].call("vote.cast", {"poll_id": pid, "choice": 1})
        assert late["error"]["code"] == "conflict"
        # Nobody ever receives a ballot.
        for c in (screen, lead, *voters):
            assert not c.seen("vote.cast")
            page = await c.call("sync", {"since": 0})
            assert not [e for e in page["events"] if e["type"] == "vote.cast"]
    finally:
        await close_all(voters)


async def test_multi_rating_and_rank_tallies(fresh_server, connect):
    srv = fresh_server
    lead = await connect(srv, "lead")
    multi = (await lead.call("poll.open", {"client_id": cid(), "question": "Which matter?",
                                           "kind": "multi", "options": ["A", "B", "C", "D"]}))["poll_id"]
    rating = (await lead.call("poll.open", {"client_id": cid(), "question": "How fair was it?",
                                            "kind": "rating"}))["poll_id"]
    rank = (await lead.call("poll.open", {"client_id": cid(), "question": "Rank the points",
                                          "kind": "rank", "options": ["W", "X", "Y", "Z"]}))["poll_id"]
    vs = await phones(srv, "access", 4)
    try:
        for v, m, r, k in zip(vs, ([0, 2], [2], [3, 0, 1], [1]), (5, 4, 4, 1),
                              ([0, 1, 2, 3], [1, 0], [2], [1, 0, 3, 2])):
            assert (await v.call("vote.cast", {"poll_id": multi, "choice": m}))["ok"]
            assert (await v.call("vote.cast", {"poll_id": rating, "choice": r}))["ok"]
            assert (await v.call("vote.cast", {"poll_id": rank, "choice": k}))["ok"]
        # A changed ranking takes its old points back.
        assert (await vs[2].call("vote.cast", {"poll_id": rank, "choice": [3]}))["ok"]
        for bad in ([], [0, 0], [4], 2, [True]):
            assert (await vs[0].call("vote.cast", {"poll_id": multi, "choice": bad}))["error"]["code"] == "invalid"
        for bad in (0, 6, True, "5", [3], 2.5):
            assert (await vs[0].call("vote.cast", {"poll_id": rating, "choice": bad}))["error"]["code"] == "invalid"
        for bad in ([1, 1], [5], []):
            assert (await vs[0].call("vote.cast", {"poll_id": rank, "choice": bad}))["error"]["code"] == "invalid"
        snap = {p["id"]: p for p in (await connect(srv, "lead")).welcome["snapshot"]["polls"]}
        assert snap[multi]["results"] == {"voters": 4, "counts": [2, 2, 2, 1]}
        assert snap[rating]["results"] == {"voters": 4, "counts": [1, 0, 0, 2, 1], "mean": 3.5}
        # Borda, n-1 = 3 points for first: W 3+2+0+2 = 7, X 2+3+0+3 = 8, Y 1+0+0+0 = 1, Z 0+0+3+1 = 4
        assert snap[rank]["results"] == {"voters": 4, "scores": [7, 8, 1, 4]}
        mine = {p["id"]: p.get("my_choice") for p in (await Client().connect(
            srv.url, {"token": vs[2].welcome["token"]})).welcome["snapshot"]["polls"]}
        assert mine == {multi: [0, 1, 3], rating: 4, rank: [3]}, "a phone's own ballots come back"
    finally:
        await close_all(vs)


async def test_a_group_poll(server, connect):
    fac = await connect(server, "facilitator", "mental-health")
    other_fac = await connect(server, "facilitator", "access")
    screen = await connect(server, "screen")
    assert (await fac.call("poll.open", {"client_id": cid(), "question": "Hall?", "kind": "rating"}
                           ))["error"]["code"] == "forbidden", "a facilitator's poll is for its group"
    assert (await fac.call("poll.open", {"client_id": cid(), "question": "Theirs?", "kind": "rating",
                                         "group_id": "access"}))["error"]["code"] == "forbidden"
    pid = (await fac.call("poll.open", {"client_id": cid(), "question": "Ours?", "kind": "rating",
                                        "group_id": "mental-health"}))["poll_id"]
    members = await phones(server, "mental-health", 2, "M")
    outsider = (await phones(server, "access", 1, "O"))[0]
    try:
        assert pid in {p["id"] for p in members[0].welcome["snapshot"]["polls"]}
        assert pid not in {p["id"] for p in outsider.welcome["snapshot"]["polls"]}
        assert (await outsider.call("vote.cast", {"poll_id": pid, "choice": 3}))["error"]["code"] == "forbidden"
        assert (await members[0].call("vote.cast", {"poll_id": pid, "choice": 3}))["ok"]
        assert (await other_fac.call("poll.close", {"poll_id": pid}))["error"]["code"] == "not_found"
        assert (await fac.call("poll.close", {"poll_id": pid}))["ok"], "its facilitator closes it"
        await members[1].wait_event("poll.closed", poll_id=pid)
        await asyncio.sleep(0.3)
        assert not screen.seen("poll.opened", poll_id=pid) and not screen.seen("poll.closed", poll_id=pid)
    finally:
        await close_all([*members, outsider])


async def test_the_board_check_back(server, connect):
    board = await connect(server, "board")
    lead = await connect(server, "lead")
    screen = listen(await connect(server, "screen"))
    rid = (await board.call("response.log", {
        "client_id": cid(), "group_id": "young-people", "member": "Dame Anne",
        "text": "We will fund youth councils", "stance": "commit"}))["response_id"]
    ack = await lead.call("poll.open", {"client_id": cid(), "response_id": rid})  # one tap
    assert ack["ok"]
    pid = ack["poll_id"]
    opened = await screen.wait_event("poll.opened", poll_id=pid)
    d = opened["data"]
    assert d["question"] == "Did the Board's response reflect what we said?"
    assert d["options"] == ["Yes", "Partly", "No"] and d["purpose"] == "checkback"
    assert d["response_id"] == rid and d["group_id"] == "young-people"
    group = await phones(server, "young-people", 3, "Y")
    stranger = (await phones(server, "access", 1, "X"))[0]
    try:
        assert (await stranger.call("vote.cast", {"poll_id": pid, "choice": 0}))["error"]["code"] == "forbidden"
        for v, c in zip(group, (0, 1, 1)):
            assert (await v.call("vote.cast", {"poll_id": pid, "choice": c}))["ok"]
        await screen.wait(lambda: any(m.get("results", {}).get("counts") == [1, 2, 0]
                                      for m in results_seen(screen)))
        await lead.call("poll.close", {"poll_id": pid})
        closed = await stranger.wait_event("poll.closed", poll_id=pid)
        assert closed["data"]["results"] == {"voters": 3, "counts": [1, 2, 0]}
        assert (await board.call("poll.open", {"client_id": cid(), "response_id": rid}))["error"]["code"] == "forbidden"
    finally:
        await close_all([*group, stranger])


async def test_results_hidden_until_the_close(server, connect):
    lead = listen(await connect(server, "lead"))
    screen = listen(await connect(server, "screen"))
    pid = (await lead.call("poll.open", {"client_id": cid(), "question": "Blind?", "kind": "choice",
                                         "options": ["Yes", "No"], "hide_results": True}))["poll_id"]
    vs = await phones(server, "access", 2, "H")
    try:
        for v in vs:
            await v.call("vote.cast", {"poll_id": pid, "choice": 1})
        await screen.wait(lambda: any(m["poll_id"] == pid and m["voters"] == 2 for m in results_seen(screen)))
        assert all("results" not in m for m in results_seen(screen) if m["poll_id"] == pid)
        await lead.wait(lambda: any(m["poll_id"] == pid and m.get("results", {}).get("counts") == [0, 2]
                                    for m in results_seen(lead)))
        snap = {p["id"]: p for p in (await connect(server, "screen")).welcome["snapshot"]["polls"]}
        assert snap[pid]["results"] == {"voters": 2}
        await lead.call("poll.close", {"poll_id": pid})
        closed = await screen.wait_event("poll.closed", poll_id=pid)
        assert closed["data"]["results"]["counts"] == [0, 2]
    finally:
        await close_all(vs)


async def test_bad_poll_payloads(server, connect):
    lead = await connect(server, "lead")
    base = {"client_id": cid(), "question": "Q?", "kind": "choice", "options": ["a", "b"]}
    for change, code in (
            ({"question": ""}, "invalid"), ({"question": "x" * 301}, "too_large"),
            ({"kind": "poll"}, "invalid"), ({"options": ["a"]}, "invalid"),
            ({"options": [str(i) for i in range(13)]}, "invalid"), ({"options": ["a", "A"]}, "invalid"),
            ({"options": ["a", ""]}, "invalid"), ({"options": "a,b"}, "invalid"),
            ({"kind": "rating"}, "invalid"),  # a rating has no options
            ({"group_id": "nope"}, "not_found"), ({"anonymous": "yes"}, "invalid"),
            ({"response_id": "r_nope"}, "not_found"), ({"purpose": "fun"}, "invalid"),
            ({"purpose": "evaluation"}, "invalid"), ({"client_id": None}, "invalid")):
        ack = await lead.call("poll.open", {**base, **change, "client_id": change.get("client_id", cid())})
        assert ack["error"]["code"] == code, (change, ack)
    ack = await lead.call("poll.open", {"client_id": cid(), "question": "The process", "kind": "rating",
                                        "purpose": "evaluation"})
    assert ack["ok"]


async def test_ballots_are_anonymous_in_every_export(sqlite_server, connect):
    srv = sqlite_server
    lead = await connect(srv, "lead")
    anon = [(await lead.call("poll.open", {"client_id": cid(), "question": f"Q{i}?", "kind": "rating"}
                             ))["poll_id"] for i in range(2)]
    named = (await lead.call("poll.open", {"client_id": cid(), "question": "Show of hands?",
                                           "kind": "rating", "anonymous": False}))["poll_id"]
    vs = await phones(srv, "access", 2, "Anon")
    try:
        for v in vs:
            for pid in (*anon, named):
                assert (await v.call("vote.cast", {"poll_id": pid, "choice": 4}))["ok"]
        people = {v.welcome["participant_id"] for v in vs}
        log = [json.loads(line) for line in srv.cli("export", "--format", "jsonl").stdout.splitlines()]
        ballots = [e for e in log if e["type"] == "vote.cast"]
        anonymous = [e for e in ballots if e["data"]["poll_id"] in anon]
        assert len(anonymous) == 4
        ids = [e["actor"]["id"] for e in anonymous]
        assert not set(ids) & people and all(e["actor"]["name"] is None for e in anonymous)
        assert len(set(ids)) == 4, "one person's pseudonyms differ from poll to poll"
        assert {e["actor"]["id"] for e in ballots if e["data"]["poll_id"] == named} == people
        csv = srv.cli("export", "--format", "csv").stdout
        for row in csv.splitlines():
            if ",vote.cast," in row and any(pid in row for pid in anon):
                assert not any(p in row for p in people) and "Anon" not in row
        # After a restart the same phone still replaces its ballot (the key persists).
        srv.stop()
        srv.start()
        back = await Client().connect(srv.url, {"token": vs[0].welcome["token"]})
        try:
            assert (await back.call("vote.cast", {"poll_id": anon[0], "choice": 1}))["ok"]
            snap = {p["id"]: p for p in (await connect(srv, "lead")).welcome["snapshot"]["polls"]}
            assert snap[anon[0]]["results"]["voters"] == 2
            assert snap[anon[0]]["results"]["counts"] == [1, 0, 0, 1, 0]
        finally:
            await back.close()
    finally:
        await close_all(vs)


async def test_results_go_out_at_most_twice_a_second(fresh_server, connect):
    srv = fresh_server
    lead = await connect(srv, "lead")
    screen = listen(await connect(srv, "screen"))
    pid = (await lead.call("poll.open", {"client_id": cid(), "question": "Busy?", "kind": "rating"}))["poll_id"]
    vs = await phones(srv, "access", 30, "R")
    try:
        started = asyncio.get_running_loop().time()
        for i, v in enumerate(vs):  # 30 votes over about 1.5 s
            await v.call("vote.cast", {"poll_id": pid, "choice": 1 + i % 5})
            await asyncio.sleep(0.05)
        await screen.wait(lambda: any(m["voters"] == 30 for m in results_seen(screen)), timeout=5)
        elapsed = asyncio.get_running_loop().time() - started
        mine = [m for m in results_seen(screen) if m["poll_id"] == pid]
        assert len(mine) <= 2 * elapsed + 2, (len(mine), elapsed)
        assert mine[-1]["results"]["counts"] == [6, 6, 6, 6, 6] and mine[-1]["results"]["mean"] == 3.0
    finally:
        await close_all(vs)

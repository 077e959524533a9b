"""Offline-first (issue 14): a phone that reloads with no network still shows the app,
the group's notes as last seen and the countdown, queues what is typed and sends it once
when the network returns; the screen recovers the same way; a new release replaces the
kept app cleanly. Real Chromium, real server, http://127.0.0.1 (a secure context)."""

from __future__ import annotations

import asyncio
import shutil

from playwright.async_api import Error as PlaywrightError

from conftest import ROOT, Server, cid, new_page

KEPT = """async () => {
  if (!navigator.serviceWorker.controller) return false;
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    if (await cache.match(location.href.split('#')[0])) return true;
  }
  return false;
}"""


async def kept(page) -> None:
    """Wait until the service worker controls the page and keeps it, and the model is saved."""
    await page.wait_for_function(KEPT, polling=200, timeout=20000)
    await page.wait_for_timeout(1500)  # client.js saves the model within a second


async def new_file(page, part: str, old: str, timeout: float = 20) -> str:
    """The URL of the file named like `part` once the page loads another than `old`."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        try:
            files = await page.evaluate("() => performance.getEntriesByType('resource').map(r => r.name)")
            fresh = [u for u in files if part in u and u != old]
            if fresh:
                return fresh[0]
        except PlaywrightError:
            pass  # the page is reloading itself
        await asyncio.sleep(0.3)
    raise AssertionError(f"the page kept {old}")


async def test_a_phone_reloads_offline_and_its_note_goes_out_once(browser, sqlite_server, connect):
    srv = sqlite_server
    lead = await connect(srv, "lead")
    await lead.call("agenda.start", {"slot_id": "issue-groups"})
    other = await connect(srv, "participant", "access", name="Bea")
    await other.call("note.add", {"client_id": cid(), "text": "Evening clinics twice a week"})
    page, watch = await new_page(browser, 360, 740)
    await page.goto(srv.links()["join"]["access"])
    await page.fill("#name", "Ann")
    await page.click("#join-form button[type=submit]")
    await page.locator("#notes li", has_text="Evening clinics").wait_for()
    await kept(page)

    await page.context.set_offline(True)
    await page.reload()
    await page.locator("#notes li", has_text="Evening clinics").wait_for(timeout=10000)
    countdown = (await page.text_content("#countdown")).strip()
    assert countdown[0].isdigit(), f"the countdown runs from the last ends_at: {countdown!r}"
    assert await page.get_attribute("#status", "data-state") != "connected"
    await page.fill("#note-text", "Written with no network")
    await page.click("#note-form button[type=submit]")
    await page.locator("#notes li.pending", has_text="Written with no network").wait_for()

    await page.context.set_offline(False)
    await lead.wait(lambda: bool(lead.seen("note.added", text="Written with no network")), timeout=30)
    await page.locator("#status[data-state=connected]").wait_for(timeout=20000)
    await page.wait_for_timeout(1000)
    assert len(lead.seen("note.added", text="Written with no network")) == 1, "sent once"
    assert not [e for e in watch.errors if "serviceworker" in e.lower()], watch.errors


async def test_the_screen_recovers_offline_too(browser, sqlite_server, connect):
    srv = sqlite_server
    fac = await connect(srv, "facilitator", "access")
    kp = (await fac.call("keypoint.add", {"client_id": cid(), "text": "Same-day appointments"}))["keypoint_id"]
    await fac.call("keypoint.publish", {"keypoint_id": kp})
    page, _ = await new_page(browser, 1280, 720)
    await page.goto(srv.links()["screen"])
    await page.locator("li.keypoint", has_text="Same-day appointments").first.wait_for()
    await kept(page)
    await page.context.set_offline(True)
    await page.reload()
    await page.locator("li.keypoint", has_text="Same-day appointments").first.wait_for(timeout=10000)


async def test_a_new_release_replaces_the_kept_app(browser, tmp_path, connect):
    root = tmp_path / "release"
    for part in ("static", "facilitator_ui"):
        shutil.copytree(ROOT / part, root / part)
    srv = Server(tmp_path / "data", env={"TOWNHALL_ROOT": str(root)}).start()
    try:
        page, _ = await new_page(browser, 360, 740)
        await page.goto(srv.links()["join"]["access"])
        await page.fill("#name", "Ann")
        await page.click("#join-form button[type=submit]")
        await page.wait_for_function("() => window.townhall?.model != null")
        await kept(page)
        old_files = await page.evaluate("() => performance.getEntriesByType('resource').map(r => r.name)")
        old_dom = next(u for u in old_files if "/static/dom." in u)

        srv.stop()
        dom = root / "static" / "dom.js"
        dom.write_text(dom.read_text() + "\n// release 2\n")
        srv.start()
        # The kept page shows at once; the worker finds the new release behind it, takes
        # over, and the page reloads itself once onto the new files.
        await page.reload()
        new_dom = await new_file(page, "/static/dom.", old_dom)
        await page.wait_for_function(
            """async () => { const names = (await caches.keys()).filter(n => n.startsWith('townhall-'));
                              if (names.length !== 1) return false;
                              const c = await caches.open(names[0]);
                              return !(await c.match(%r)) && !!(await c.match(location.href)); }""" % old_dom,
            polling=300, timeout=20000)
        # And the new release works offline.
        await page.context.set_offline(True)
        await page.reload()
        await page.wait_for_function("() => window.townhall?.model != null", timeout=10000)
        files = await page.evaluate("() => performance.getEntriesByType('resource').map(r => r.name)")
        assert new_dom in files, "offline, the kept copy is the new release's"
    finally:
        srv.stop()

"""The projected plenary screen in real Chromium at 1920×1080."""

from __future__ import annotations

from conftest import axe_violations, cid, new_page

PROJECTOR = (1920, 1080)


async def open_screen(browser, srv, **kw):
    page, watch = await new_page(browser, *PROJECTOR, **kw)
    await page.goto(srv.links()["screen"])
    await page.wait_for_function("() => window.townhall?.model != null")
    return page, watch


async def test_key_point_and_countdown_live_and_after_restart(browser, sqlite_server, connect):
    srv = sqlite_server
    page, watch = await open_screen(browser, srv)
    lead = await connect(srv, "lead")
    fac = await connect(srv, "facilitator", "access")
    await lead.call("agenda.start", {"slot_id": "issue-groups"})
    await page.locator("#slot-title", has_text="ssue").wait_for()
    await page.wait_for_function("() => /^(1:)?[0-9]{1,2}:[0-9]{2}$/.test(document.querySelector('#countdown').textContent.trim())")
    kp = await fac.call("keypoint.add", {"client_id": cid(), "text": "Same-day appointments"})
    await fac.call("keypoint.publish", {"keypoint_id": kp["keypoint_id"]})
    await page.locator("li.keypoint", has_text="Same-day appointments").first.wait_for()

    srv.kill()
    await page.wait_for_selector("#status[data-state=reconnecting]")
    srv.start()
    await page.wait_for_selector("#status[data-state=connected]", timeout=20000)
    lead2 = await connect(srv, "lead")
    kp2 = await lead2.call("keypoint.add", {"client_id": cid(), "group_id": "self-care",
                                            "text": "Personal budgets explained plainly"})
    await lead2.call("keypoint.publish", {"keypoint_id": kp2["keypoint_id"]})
    await page.locator("li.keypoint", has_text="Personal budgets explained plainly").first.wait_for()
    assert not watch.off_loopback(), watch.off_loopback()


async def test_focus_fills_the_screen_with_the_group(browser, sqlite_server, connect):
    srv = sqlite_server
    page, _ = await open_screen(browser, srv)
    lead = await connect(srv, "lead")
    board = await connect(srv, "board")
    kp = await lead.call("keypoint.add", {"client_id": cid(), "group_id": "mental-health",
                                          "text": "Crisis care around the clock"})
    await lead.call("keypoint.publish", {"keypoint_id": kp["keypoint_id"]})
    await lead.call("plenary.focus", {"group_id": "mental-health"})
    await page.locator("#focus-group", has_text="Mental health").wait_for()
    await page.locator("#focus-keypoints li.keypoint", has_text="Crisis care").wait_for()
    await board.call("response.log", {"client_id": cid(), "group_id": "mental-health",
                                      "member": "Dame Anne", "text": "We commit to a pilot",
                                      "stance": "commit"})
    await page.locator("#focus-responses li.response", has_text="We commit to a pilot").wait_for()


async def test_overrun_shows_as_over_never_zero(browser, sqlite_server, connect):
    srv = sqlite_server
    page, _ = await open_screen(browser, srv)
    lead = await connect(srv, "lead")
    await lead.call("agenda.start", {"slot_id": "welcome"})
    await lead.call("timer.pause")
    # Force an overrun without waiting: shift this page's idea of server time ahead.
    await page.evaluate("townhall.model.timer.status === 'paused'")
    await lead.call("timer.resume")
    # (Replace now() rather than nudge `offset`: a clock calibration still under way
    # would overwrite the offset.)
    await page.evaluate("() => { const real = townhall.now; townhall.now = () => real() + 16 * 60 * 1000; }")
    cd = page.locator("#countdown.over")
    await cd.wait_for()
    text = (await cd.text_content()).strip()
    assert text.startswith("+") and "over" in text and not text.startswith("0:00")


async def test_join_panel_without_focus(browser, sqlite_server):
    page, watch = await open_screen(browser, sqlite_server)
    imgs = page.locator("#join img")
    await imgs.first.wait_for()
    assert await imgs.count() == 5
    src = await imgs.first.get_attribute("src")
    assert src.startswith("/j/") and src.endswith("/qr.svg")
    assert await page.evaluate(f"fetch('{src}').then(r => r.status)") == 200
    assert not watch.errors, watch.errors


async def test_join_codes_are_fetched_once_however_often_the_screen_redraws(browser, sqlite_server, connect):
    """The codes are never cached (a replaced one must not linger), so the screen keeps
    its images while the codes stay: a busy plenary redraws it many times a minute."""
    srv = sqlite_server
    page, _watch = await new_page(browser, *PROJECTOR)
    fetched: list[str] = []
    page.on("request", lambda r: r.url.endswith("/qr.svg") and fetched.append(r.url))
    await page.goto(srv.links()["screen"])
    await page.wait_for_function("() => window.townhall?.model != null")
    await page.locator("#join img").nth(4).wait_for()
    fac = await connect(srv, "facilitator", "access")
    for i in range(12):
        kp = await fac.call("keypoint.add", {"client_id": cid(), "text": f"Point {i}"})
        assert (await fac.call("keypoint.publish", {"keypoint_id": kp["keypoint_id"]}))["ok"]
    await page.locator("#all-keypoints li.keypoint", has_text="Point 11").wait_for(state="attached")
    await page.wait_for_timeout(300)
    assert len(fetched) == 5 and len(set(fetched)) == 5, fetched
    # A replaced code is a new image at once; the others are not fetched again.
    access = page.locator("#join li[data-group-id=access] img")
    before = await access.get_attribute("src")
    organiser = await connect(srv, "organiser")
    assert (await organiser.call("joincode.rotate", {"group_id": "access"}))["ok"]
    await page.wait_for_function("(old) => { const i = document.querySelector('#join li[data-group-id=access] img');"
                                 " return i && i.getAttribute('src') !== old; }", arg=before)
    await page.wait_for_timeout(300)
    assert len(fetched) == 6, fetched


async def test_screen_has_no_serious_accessibility_violations(browser, sqlite_server):
    page, _ = await open_screen(browser, sqlite_server, bypass_csp=True)
    assert await axe_violations(page) == []

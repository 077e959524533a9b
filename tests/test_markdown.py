"""Information packs are real Markdown (markdown-it, raw HTML off): lists, tables, block
quotes and links render; nothing in a pack runs or loads from elsewhere."""

from __future__ import annotations

from conftest import new_page

HOSTILE_PACK = """# About this group

1. First numbered point
2. Second numbered point

| Service | Wait |
|---|:---:|
| GP | 2 weeks |

> What people told us.

See [the NHS site](https://www.nhs.uk/) or [a trap](javascript:window.__pwned=1).

<script>window.__pwned = 1</script>
<img src=x onerror="window.__pwned=1">
![remote image](https://example.org/tracker.png)
"""


async def test_pack_renders_markdown_and_runs_nothing(browser, sqlite_server, connect):
    srv = sqlite_server
    organiser = await connect(srv, "organiser")
    assert (await organiser.call("group.update", {"group_id": "access", "info_pack": HOSTILE_PACK}))["ok"]
    page, watch = await new_page(browser, 360, 740)
    await page.goto(srv.links()["join"]["access"])
    await page.fill("#name", "Ann")
    await page.click("#join-form button[type=submit]")
    # Plain text at once; rendered once the pack is about to be read (markdown-it loads then).
    await page.locator("#info-pack .markdown-plain", has_text="Second numbered point").wait_for()
    await page.locator("#sec-info").scroll_into_view_if_needed()
    pack = page.locator("#info-pack .markdown")
    await pack.locator("ol > li", has_text="Second numbered point").wait_for()
    assert await pack.locator("h3", has_text="About this group").count() == 1
    assert await pack.locator("table td.align-center", has_text="2 weeks").count() == 1
    assert await pack.locator("blockquote", has_text="What people told us").count() == 1
    link = pack.locator("a", has_text="the NHS site")
    assert await link.get_attribute("rel") == "noopener noreferrer"
    assert await link.get_attribute("target") == "_blank"
    assert await pack.locator("a", has_text="a trap").count() == 0, "javascript: links are refused"
    assert await pack.locator("script, img, iframe").count() == 0
    text = await pack.inner_text()
    assert "<script>" in text, "raw HTML shows as text"
    assert await page.evaluate("() => window.__pwned") is None
    assert not watch.off_loopback(), watch.off_loopback()
    # A new pack reaches the open phone without a reload.
    await organiser.call("group.update", {"group_id": "access", "info_pack": "## Updated\n\n- one"})
    await page.locator("#info-pack .markdown h4", has_text="Updated").wait_for()
    assert not watch.errors, watch.errors

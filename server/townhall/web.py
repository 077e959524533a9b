"""Starlette routes: the pages behind every link, QR codes, health and exports.

Pages are static files; each finds its secret in its own URL and hands it to the shared
client module. The server checks the secret here too, so a wrong link gets a page that
says so instead of an app that cannot connect.
"""

from __future__ import annotations

import html
import io
import json
from functools import lru_cache
from typing import Callable

import qrcode
import qrcode.image.svg
from jinja2 import Environment, PackageLoader
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from . import auth, i18n, pages, report
from .assets import IMMUTABLE, REVALIDATE, Assets, source_dir
from .engine import Engine

STATIC = source_dir("static")
CONSOLES = source_dir("facilitator_ui")

# Tokens travel in URLs: never leak them in a Referer, and load nothing from elsewhere.
SECURITY_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'"
    ),
    "Cache-Control": "no-store",
}
# Pages are revalidated on every load (they name this release's hashed files); a
# service worker may keep a copy for when the network is gone.
PAGE_HEADERS = {**SECURITY_HEADERS, "Cache-Control": REVALIDATE}

ROLE_PAGES = {
    "organiser": "/console/organiser.html",
    "lead": "/console/lead.html",
    "board": "/console/board.html",
    "facilitator": "/console/facilitator.html",
    "screen": "/static/screen.html",
}
JOIN_PAGE = "/static/participant.html"
QR_SHEET = "/console/qr-sheet.html"


def load_assets() -> Assets:
    return Assets({"/static": STATIC, "/console": CONSOLES, "/vendor": STATIC / "vendor"},
                  generated=i18n.browser_catalogs())


def language_head(assets: Assets, accept_language: str | None) -> str:
    """What every page's <head> gets for static/i18n.js: where each language's catalog
    is, and the catalog of the visitor's likely language fetched with the modules."""
    guess = i18n.negotiate(accept_language)
    urls = {lang: assets.hashed(f"/static/i18n/{lang}.json") for lang in i18n.LANGUAGES}
    meta = {"catalogs": urls, "names": i18n.LANGUAGES, "default": guess}
    return (f'<meta name="townhall-i18n" content="{html.escape(json.dumps(meta, ensure_ascii=False))}">\n'
            f'<link rel="preload" as="fetch" crossorigin href="{urls[guess]}">\n')


@lru_cache(maxsize=None)
def _messages(lang: str) -> Environment:
    """templates/message.html speaking `lang` (the catalogs of CONTRACT §10)."""
    env = Environment(loader=PackageLoader("townhall", "templates"), autoescape=True,
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(i18n.translations(lang), newstyle=True)
    return env


def message_page(request: Request | None, what: str, status: int, **values: str) -> HTMLResponse:
    """A page that only says something, in the visitor's language (Accept-Language):
    `what` is "staff_link" or "qr_sheet_link" (a link that is not valid) or
    "not_built" (with `path`). The sentences are in templates/message.html, where
    `make messages` finds them."""
    lang = i18n.negotiate(request.headers.get("accept-language") if request else None)
    body = _messages(lang).get_template("message.html").render(
        what=what, lang=lang, dir=i18n.direction(lang), **values)
    return HTMLResponse(body, status_code=status,
                        headers={**SECURITY_HEADERS, "Vary": "Accept-Language", "Content-Language": lang})


def page(assets: Assets, url: str, request: Request | None = None, status: int = 200,
         **values: str | None) -> Response:
    """A page with its asset URLs hashed, its placeholders filled, and what its scripts
    need to speak the visitor's language."""
    found = assets.find(url)
    if found is None:
        return message_page(request, "not_built", 500, path=url)
    body = pages.fill(found[0].body.decode("utf-8"), **values)
    accept = request.headers.get("accept-language") if request else None
    body = body.replace("</head>", language_head(assets, accept) + "</head>", 1)
    return HTMLResponse(body, status_code=status, headers={**PAGE_HEADERS, "Vary": "Accept-Language"})


def serve_asset(request: Request, assets: Assets) -> Response:
    """A script, style sheet or vendored file: a year in every cache under its hashed
    URL, revalidated under its plain one; gzipped once, on start."""
    found = assets.find(request.url.path)
    if found is None:
        return Response("not found", status_code=404, media_type="text/plain")
    asset, immutable = found
    headers = {"Cache-Control": IMMUTABLE if immutable else REVALIDATE, "ETag": asset.etag,
               "X-Content-Type-Options": "nosniff", "Vary": "Accept-Encoding"}
    if request.headers.get("if-none-match") == asset.etag:
        return Response(status_code=304, headers=headers)
    body = asset.body
    if asset.gzipped and "gzip" in request.headers.get("accept-encoding", ""):
        body = asset.gzipped
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type=asset.media_type, headers=headers)


def qr_svg(data: str) -> bytes:
    img = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    buf = io.BytesIO()
    img.save(buf)
    return buf.getvalue()


def join_url(request: Request, base_url: str | None, code: str) -> str:
    base = (base_url or str(request.base_url)).rstrip("/")
    return f"{base}/j/{code}"


def routes(engine: Engine, base_url: Callable[[], str | None], connections: Callable[[], int],
           assets: Assets, notices: list[dict]):
    async def healthz(request: Request) -> JSONResponse:
        ok = await engine.store.ping()
        body = {"status": "ok" if ok else "unavailable", "store": engine.store.description,
                "last_seq": engine.state.last_seq, "connections": connections(),
                "base_url": base_url(), "notices": notices, "version": assets.version}
        return JSONResponse(body, status_code=200 if ok else 503)

    async def join_cred(code: str) -> dict | None:
        cred = await engine.credential(code)
        return cred if cred and cred["kind"] == "join" else None

    async def join_page(request: Request) -> Response:
        """The participant app, naming the group it joins. An unknown (say, rotated) code
        still gets the app, with a 404 and the "not valid" message showing: a phone that
        joined with that code holds its token and resumes (CONTRACT §12); a stranger
        reads the message and cannot join."""
        cred = await join_cred(request.path_params["code"])
        group = engine.state.group(cred["group_id"]) if cred else None
        return page(assets, JOIN_PAGE, request, status=200 if group else 404,
                    join="open" if group else "unknown",
                    group_id=group["id"] if group else None,
                    group_name=group["name"] if group else None,
                    unknown_hidden=None if group is None else "hidden")

    async def join_qr(request: Request) -> Response:
        code = request.path_params["code"]
        if await join_cred(code) is None:
            return Response("unknown join code", status_code=404, media_type="text/plain")
        svg = qr_svg(join_url(request, base_url(), code))
        return Response(svg, media_type="image/svg+xml",
                        headers={"Cache-Control": "no-store"})

    def role_page(role: str):
        async def endpoint(request: Request) -> Response:
            cred = await engine.credential(request.path_params["token"])
            if cred is None or cred["kind"] != "staff" or cred["role"] != role:
                return message_page(request, "staff_link", 404)
            return page(assets, ROLE_PAGES[role], request)

        return endpoint

    async def organiser_only(request: Request) -> Response | None:
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("bearer "):
            return JSONResponse({"error": "send Authorization: Bearer <organiser token>"},
                                status_code=401, headers={"WWW-Authenticate": "Bearer"})
        cred = await engine.credential(header[7:].strip())
        if cred is None or cred["role"] != "organiser":
            return JSONResponse({"error": "only the organiser token may export the log"},
                                status_code=403)
        return None

    def export(filename: str, media_type: str, render: Callable[..., str], **headers: str):
        async def endpoint(request: Request) -> Response:
            if (refused := await organiser_only(request)) is not None:
                return refused
            query = request.query_params
            extra = {}
            log = list(engine.log)  # a snapshot of the log: sockets keep flowing meanwhile
            if render is report.html_report:  # ?lang=fr: the record in French (CONTRACT §10)
                lang = query.get("lang", "en")
                if lang not in i18n.LANGUAGES:
                    return JSONResponse({"error": f"lang must be one of {', '.join(i18n.LANGUAGES)}"},
                                        status_code=400)
                extra = {"lang": lang, "names": query.get("names") == "1"}
            elif query.get("pseudonymise") == "1":  # CONTRACT §11
                log = report.pseudonymise(log)
            body = await run_in_threadpool(lambda: render(log, **extra))
            return Response(body, media_type=media_type,
                            headers={"Content-Disposition": f'attachment; filename="{filename}"',
                                     "Cache-Control": "no-store", **headers})

        return endpoint

    async def asset(request: Request) -> Response:
        return serve_asset(request, assets)

    async def service_worker(request: Request) -> Response:
        """static/sw.js with this release's version: a new release is a new worker,
        which replaces the old one and its kept files (no stale shell)."""
        found = assets.find("/static/sw.js")
        if found is None:
            return Response("not found", status_code=404, media_type="text/plain")
        body = found[0].body.decode("utf-8").replace("__VERSION__", assets.version)
        return Response(body, media_type="text/javascript; charset=utf-8",
                        headers={"Cache-Control": REVALIDATE, "Service-Worker-Allowed": "/",
                                 "X-Content-Type-Options": "nosniff"})

    async def qr_sheet(request: Request) -> Response:
        """The printable sheet of every group's QR code: the organiser's alone."""
        cred = await engine.credential(request.path_params["token"])
        if cred is None or cred["kind"] != "staff" or cred["role"] != "organiser":
            return message_page(request, "qr_sheet_link", 404)
        return page(assets, QR_SHEET, request)

    async def staff_link_qr(request: Request) -> Response:
        """A QR code of one staff link, for the organiser to open it on a tablet by
        scanning (`?group=` names the facilitator's group). Organiser's alone, like the
        links themselves; always the current link, so a replaced one is never shown."""
        cred = await engine.credential(request.path_params["token"])
        if cred is None or cred["kind"] != "staff" or cred["role"] != "organiser":
            return message_page(request, "staff_link", 404)
        every = auth.links(engine.credentials, base_url() or str(request.base_url))
        role, group = request.path_params["role"], request.query_params.get("group")
        url = every["facilitators"].get(group or "") if role == "facilitator" else every.get(role)
        if role not in (*auth.STAFF_ROLES, "facilitator") or not isinstance(url, str):
            return Response("no such link: use lead, board, screen, organiser, or facilitator?group=<id>",
                            status_code=404, media_type="text/plain")
        return Response(qr_svg(url), media_type="image/svg+xml",
                        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})

    return [
        Route("/healthz", healthz),
        Route("/sw.js", service_worker),
        Route("/j/{code}", join_page),
        Route("/j/{code}/qr.svg", join_qr),
        Route("/export/events.jsonl", export(
            "events.jsonl", "application/x-ndjson", lambda log: "".join(report.jsonl_lines(log)))),
        Route("/export/events.csv", export("events.csv", "text/csv; charset=utf-8", report.csv_text)),
        # The report is a self-contained page with its own <style>: if it is ever opened
        # from here, let that style apply and nothing else run.
        Route("/export/report.html", export(
            "report.html", "text/html; charset=utf-8", report.html_report,
            **{"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
               "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"})),
        Route("/organiser/{token}/qr-sheet", qr_sheet),
        Route("/organiser/{token}/links/{role}.svg", staff_link_qr),
        *[Route(f"/{role}/{{token}}", role_page(role)) for role in ROLE_PAGES],
        *[Route(f"{prefix}/{{path:path}}", asset) for prefix in ("/static", "/console", "/vendor")],
    ]

"""The command line (CONTRACT §1): a thin front over the store and the app.

Every failure a user can cause ends in one line naming the problem and a non-zero exit.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from pathlib import Path

from . import assembly, auth, network, report
from .languages import LANGUAGES
from . import events as ev
from .store import Store, StoreError, open_store

SYSTEM_ACTOR = {"role": "organiser", "id": "townhall", "name": "townhall"}


class CliError(Exception):
    """A problem the user can fix; printed as one line."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not usage plus message
        raise CliError(f"{message} (see '{self.prog} --help')")


def build_parser() -> Parser:
    p = Parser(prog="townhall", description="Real-time facilitation for a citizens' assembly.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)

    def store_args(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--data-dir", default=os.environ.get("TOWNHALL_DATA_DIR", "./townhall-data"),
                        help="where the embedded store lives (default ./townhall-data)")
        sp.add_argument("--redis-url", default=os.environ.get("REDIS_URL"),
                        help="use Redis as the shared store instead of the data dir")

    s = sub.add_parser("serve", help="serve the assembly")
    s.add_argument("--assembly", help="assembly file (TOML); default: the built-in demo")
    s.add_argument("--title", help="start a blank assembly with this title (groups and agenda "
                                   "are then made in the organiser's console)")
    store_args(s)
    s.add_argument("--host", default=os.environ.get("HOST", "0.0.0.0"))
    s.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8000))
    s.add_argument("--ssl-certfile", help="serve https with this certificate (PEM): phones then "
                                          "keep the app for when the Wi-Fi drops")
    s.add_argument("--ssl-keyfile", help="the certificate's private key (PEM)")

    ln = sub.add_parser("links", help="print every role link")
    store_args(ln)
    ln.add_argument("--base-url", default=os.environ.get("TOWNHALL_BASE_URL"),
                    help="the address phones use (default: the one serve last used)")
    ln.add_argument("--json", action="store_true", help="one JSON object")
    ln.add_argument("--rotate", choices=("organiser",),
                    help="replace the organiser's link (lost or seen by others): the old one "
                         "stops at once, its open pages are closed")

    x = sub.add_parser("export", help="write the record of the day")
    store_args(x)
    x.add_argument("--format", required=True, choices=("jsonl", "csv", "html", "toml"),
                   help="toml: the assembly as it stands, to serve again with --assembly")
    x.add_argument("-o", "--output", help="file to write (default: standard output)")
    x.add_argument("--lang", default="en", choices=tuple(LANGUAGES),
                   help="the language of the html record (default: en)")
    x.add_argument("--pseudonymise", action="store_true",
                   help="every participant's name as a stable 'Participant N' (csv, jsonl)")
    x.add_argument("--names", action="store_true",
                   help="name the participants in the html record (it names none by default)")

    f = sub.add_parser("forget", help="after the day: remove participants' names and links "
                                      "from the store, keeping the record")
    store_args(f)
    f.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    return p


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return {"serve": serve, "links": links, "export": export,
                "forget": forget}[args.command](args)
    except CliError as exc:
        print(f"townhall: {exc}", file=sys.stderr)
        return 2
    except StoreError as exc:
        print(f"townhall: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _store(args: argparse.Namespace, create: bool) -> Store:
    if args.redis_url:
        return open_store(args.data_dir, args.redis_url)
    from .store.sqlite import SqliteStore

    return SqliteStore(args.data_dir, create=create)


async def prepare(store: Store, definition: dict, source: str) -> tuple[bool, dict]:
    """Load the assembly into an empty store; a store that has one keeps it."""
    await store.open()
    try:
        if await store.last_seq() == 0:
            first = ev.draft(ev.ASSEMBLY_LOADED, SYSTEM_ACTOR, None,
                             {"definition": definition, "source": source})
            first["ts"] = ev.now_ms()
            created = await store.initialise(auth.issue_credentials(definition), first)
        else:
            created = False
        if warning := getattr(store, "persistence_warning", None):
            print(f"townhall: warning: {warning}", file=sys.stderr)
        return created, await store.credentials()
    finally:
        await store.close()


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import create_app
    from .realtime import MAX_PACKET_BYTES
    from .timeouts import HeaderDeadline

    if args.assembly and args.title is not None:
        raise CliError("give --assembly FILE or --title TEXT, not both: --title starts a blank "
                       "assembly, --assembly loads one")
    try:
        if args.assembly:
            definition, source = assembly.load_file(args.assembly), args.assembly
        elif args.title is not None:
            definition, source = assembly.blank(args.title), "blank (--title)"
        else:
            definition, source = assembly.load_demo(), "built-in demo"
    except assembly.AssemblyError as exc:
        raise CliError(str(exc)) from None
    if not 0 < args.port < 65536:
        raise CliError(f"--port {args.port}: must be 1 to 65535")
    tls = _tls(args)
    store = _store(args, create=True)
    created, creds = asyncio.run(prepare(store, definition, source))
    address = network.base_address(args.host, args.port, "https" if tls else "http",
                                   os.environ.get("TOWNHALL_BASE_URL"))
    base = address.url

    async def remember_base() -> None:
        await store.open()
        try:
            await store.set_meta("base_url", base)
        finally:
            await store.close()

    asyncio.run(remember_base())
    where = store.description
    if created:
        print(f"townhall: loaded {definition['title']!r} ({source}) into {where}")
    else:
        given = f"--assembly {args.assembly}" if args.assembly else \
            "--title" if args.title is not None else None
        note = f" ({given} ignored: restarts never reset the day)" if given else ""
        print(f"townhall: resuming the assembly in {where}{note}")
    organiser = auth.links(creds, base).get("organiser")
    scheme = "https" if tls else "http"
    print(f"townhall: serving on {scheme}://{args.host}:{args.port}")
    print(f"townhall: phones reach this machine at {base} ({address.how}); QR codes use it"
          + (f". Other addresses: {', '.join(address.others)}; set TOWNHALL_BASE_URL to "
             "use one of them" if address.others else ""))
    for warning in address.warnings():
        print(f"townhall: WARNING: {warning['message']}", file=sys.stderr)
    print(f"townhall: organiser link: {organiser}")
    hint = f"--redis-url {args.redis_url}" if args.redis_url else f"--data-dir {args.data_dir}"
    print(f"townhall: every other link (lead, board, screen, facilitators, QR joins): "
          f"townhall links {hint}", flush=True)
    app = create_app(store, base, notices=address.warnings())
    level = os.environ.get("TOWNHALL_LOG_LEVEL", "warning").upper()
    logging.basicConfig(level=level, format="townhall: %(levelname)s %(name)s: %(message)s")
    # log_config=None: uvicorn would otherwise disable the loggers of our own modules.
    # No permessage-deflate: compressing every frame once per recipient cost ~39 KB of
    # memory per connection and most of a broadcast's latency (bench/README.md); the
    # events are small JSON.
    config = uvicorn.Config(app, host=args.host, port=args.port, log_config=None,
                            log_level=level.lower(), lifespan="on", ws_max_size=MAX_PACKET_BYTES,
                            ws_per_message_deflate=False, http=HeaderDeadline, **tls)
    server = uvicorn.Server(config)
    server.run()
    return 0 if server.started else 1


def _tls(args: argparse.Namespace) -> dict[str, str]:
    """uvicorn's TLS settings from --ssl-certfile/--ssl-keyfile, checked before start."""
    if not args.ssl_certfile and not args.ssl_keyfile:
        return {}
    if not (args.ssl_certfile and args.ssl_keyfile):
        raise CliError("give both --ssl-certfile and --ssl-keyfile to serve https")
    import ssl

    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(
            args.ssl_certfile, args.ssl_keyfile)
    except (OSError, ssl.SSLError) as exc:
        raise CliError(f"--ssl-certfile/--ssl-keyfile cannot be used: {exc}") from None
    return {"ssl_certfile": args.ssl_certfile, "ssl_keyfile": args.ssl_keyfile}


async def _read_store(args: argparse.Namespace) -> tuple[dict, list, str | None]:
    store = _store(args, create=False)
    await store.open()
    try:
        creds = await store.credentials()
        log = await store.read(0)
        base = await store.get_meta("base_url")
    finally:
        await store.close()
    if not log:
        raise CliError(f"{store.description} holds no assembly: run 'townhall serve' first")
    return creds, log, base


def links(args: argparse.Namespace) -> int:
    if args.rotate:
        asyncio.run(_rotate_organiser(_store(args, create=False)))
    creds, _, stored_base = asyncio.run(_read_store(args))
    base = args.base_url or stored_base or "http://localhost:8000"
    out = auth.links(creds, base)
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    for role in ("organiser", "lead", "board", "screen"):
        print(f"{role:<12} {out[role]}")
    for gid, url in out["facilitators"].items():
        print(f"{'facilitator':<12} {gid:<20} {url}")
    for gid, url in out["join"].items():
        print(f"{'join':<12} {gid:<20} {url}   (QR: {url}/qr.svg)")
    return 0


async def _rotate_organiser(store: Store) -> None:
    """A new organiser link; the old one stops, and a running server closes its pages
    when it reads the `token.rotated` event (within a second)."""
    from .store import StaleLog

    await store.open()
    try:
        draft = ev.draft(ev.TOKEN_ROTATED, SYSTEM_ACTOR, None, {"role": "organiser", "group_id": None})
        creds = await store.credentials()
        secret, cred, old = auth.replacement(draft, creds, lambda gid: None)
        if not old:
            raise CliError(f"{store.description} has no organiser link to replace")
        await store.put_credential(secret, cred)
        for gone in old:
            await store.delete_credential(gone)
        for _ in range(20):
            try:
                await store.append([{**draft, "ts": ev.now_ms()}], await store.last_seq())
                break
            except StaleLog:
                continue
        print("townhall: the organiser link was replaced; the old one no longer works",
              file=sys.stderr)
    finally:
        await store.close()


def forget(args: argparse.Namespace) -> int:
    """After the day (CONTRACT §11, docs/privacy.md): every participant's name in the log
    becomes "Participant N" and their links are deleted; the record stays whole."""
    store = _store(args, create=False)
    if not args.yes:
        print(f"This replaces every participant's name in {store.description} with "
              "'Participant N' and deletes their links (they can no longer come back in). "
              "It cannot be undone. Stop 'townhall serve' first.", file=sys.stderr)
        try:
            answer = input("Type FORGET to go on: ")
        except EOFError:
            answer = ""
        if answer.strip() != "FORGET":
            raise CliError("nothing was changed")

    async def run() -> tuple[int, int]:
        await store.open()
        try:
            log = await store.read(0)
            if not log:
                raise CliError(f"{store.description} holds no assembly")
            named = report.pseudonymise(log)
            changed = [e for e, old in zip(named, log) if e != old]
            tokens = [s for s, c in (await store.credentials()).items() if c["kind"] == "participant"]
            await store.rewrite(changed, tokens)
            return len(changed), len(tokens)
        finally:
            await store.close()

    events, tokens = asyncio.run(run())
    print(f"townhall: names removed from {events} events, {tokens} participant links deleted; "
          "the record of the day is kept")
    return 0


def export(args: argparse.Namespace) -> int:
    _, log, _ = asyncio.run(_read_store(args))
    if args.names and args.format != "html":
        raise CliError("--names is for the html record; csv and jsonl carry names unless "
                       "--pseudonymise")
    if args.pseudonymise and args.format in ("csv", "jsonl"):
        log = report.pseudonymise(log)
    try:
        if args.format == "jsonl":
            text = "".join(report.jsonl_lines(log))
        elif args.format == "toml":
            text = assembly.to_toml(report.fold(log).definition)
        elif args.format == "csv":
            text = report.csv_text(log)
        else:
            text = report.html_report(log, args.lang, names=args.names and not args.pseudonymise)
    except (KeyError, TypeError, ValueError, IndexError) as exc:  # a damaged log, not a user error
        raise CliError(f"the event log cannot be read as the record of a day "
                       f"({type(exc).__name__}: {exc})") from None
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CliError(f"-o {args.output}: cannot write ({exc.strerror})") from None
    else:
        sys.stdout.write(text)
    return 0

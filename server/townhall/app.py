"""The ASGI application: Starlette routes inside the Socket.IO server, one engine."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import socketio
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware

from . import web
from .engine import Engine
from .realtime import Realtime
from .store import Store

log = logging.getLogger("townhall")


def create_app(store: Store, base_url: str | None = None,
               notices: list[dict] | None = None) -> socketio.ASGIApp:
    """`store` must already hold an assembly; the app opens it and replays the log on
    start-up and closes it on shutdown. `base_url` is the address phones use (QR codes);
    `notices` are what the organiser should know about it (network.Address.warnings)."""
    engine = Engine(store)
    rt = Realtime(engine, base_url)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        await store.open()
        await engine.start()
        rt.start()
        follower = asyncio.create_task(engine.follow(), name="townhall-follow")
        try:
            yield
        finally:
            follower.cancel()
            await rt.stop()
            await store.close()

    starlette = Starlette(
        routes=web.routes(engine, lambda: base_url, lambda: len(rt.viewers), web.load_assets(),
                          notices or []),
        lifespan=lifespan,
        # Phones on a crowded venue Wi-Fi: every byte of the first load counts.
        middleware=[Middleware(GZipMiddleware, minimum_size=512)],
    )
    asgi = socketio.ASGIApp(rt.sio, other_asgi_app=starlette)
    asgi.engine = engine  # handy for tests and tools that embed the app
    asgi.realtime = rt
    return asgi

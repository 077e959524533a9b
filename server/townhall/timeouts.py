"""Connections that hold a slot without using it are closed.

- An HTTP request whose headers do not arrive in full within HEADER_TIMEOUT_S (a
  "slowloris" that trickles them in, or a socket opened and left silent): uvicorn waits
  for it forever, so this protocol gives each request's headers a deadline.
- An engine.io connection that never authenticates (no Socket.IO CONNECT, or only
  refused ones) within AUTH_TIMEOUT_S: realtime.Server sweeps those.

A phone on a crowded Wi-Fi sends its headers in one packet and its CONNECT right after
the transport opens; both limits leave it many round trips of room.
"""

from __future__ import annotations

import os

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# Seconds; the environment may shorten them (tests do).
HEADER_TIMEOUT_S = float(os.environ.get("TOWNHALL_HEADER_TIMEOUT_S", "15"))
AUTH_TIMEOUT_S = float(os.environ.get("TOWNHALL_AUTH_TIMEOUT_S", "20"))


class HeaderDeadline(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline for each request's headers."""

    _deadline = None

    def _arm(self) -> None:
        if self._deadline is None:
            self._deadline = self.loop.call_later(HEADER_TIMEOUT_S, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

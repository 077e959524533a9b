"""A budget of failed connection attempts per client address (CONTRACT §11).

Guessing join codes or tokens means failing, fast and often, from one address. A venue's
Wi-Fi puts every phone behind one address too, so the budget counts failures only: a
valid code or token always gets in, whatever the address spent; past the budget, a
failure is answered `rate_limited` instead of saying which secret was wrong.

The numbers (docs/protocol.md): 30 failures in a rolling minute. A hall of 500 where a
few people scan an old photo of a replaced QR code fails a handful of times a minute;
a script guessing 96-bit codes fails thousands of times.
"""

from __future__ import annotations

from collections import OrderedDict, deque

FAILURES = 30
WINDOW_MS = 60_000
MAX_ADDRESSES = 10_000  # the oldest addresses are forgotten first: memory stays bounded


class FailureBudget:
    def __init__(self, failures: int = FAILURES, window_ms: int = WINDOW_MS,
                 max_addresses: int = MAX_ADDRESSES) -> None:
        self.failures = failures
        self.window_ms = window_ms
        self.max_addresses = max_addresses
        self._seen: OrderedDict[str, deque[int]] = OrderedDict()

    def _recent(self, address: str, now: int) -> deque[int]:
        times = self._seen.get(address)
        if times is None:
            return deque()
        while times and times[0] <= now - self.window_ms:
            times.popleft()
        return times

    def spent(self, address: str, now: int) -> bool:
        """Has `address` failed `failures` times within the window?"""
        return len(self._recent(address, now)) >= self.failures

    def fail(self, address: str, now: int) -> None:
        times = self._recent(address, now)
        times.append(now)
        self._seen[address] = times
        self._seen.move_to_end(address)
        while len(self._seen) > self.max_addresses:
            self._seen.popitem(last=False)

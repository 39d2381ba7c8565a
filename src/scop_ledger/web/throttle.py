"""Failed logins, counted, so that a password cannot be guessed by trying many.

A login fails when its name or password is wrong. Failures count for :attr:`Throttle.window`
seconds: after :attr:`Throttle.per_name` of them for one name from one address, or
:attr:`Throttle.per_address` from one address whatever the names, that address's logins (for
that name, or for any) are refused until the oldest failure counted stops counting, without
the password being checked. A successful login forgets its name's failures from that address
(not the address's: a guesser cannot clear them by logging in as himself). Keyed by address
as well as name, so that a guesser elsewhere does not lock the treasurer out of her own login.

Held in the server's memory (a restart forgets), for at most :attr:`Throttle.keys` keys: the
least recently failed are forgotten first.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

Key = tuple[str, ...]


@dataclass
class Throttle:
    """The failed logins of the last ``window`` seconds, by address and by (address, name)."""

    per_name: int = 5
    per_address: int = 20
    window: float = 900.0
    keys: int = 10_000
    clock: Callable[[], float] = time.monotonic
    _failures: OrderedDict[Key, deque[float]] = field(default_factory=OrderedDict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _keyed(self, address: str, name: str) -> tuple[tuple[Key, int], tuple[Key, int]]:
        return ((address, name.casefold()), self.per_name), ((address,), self.per_address)

    def _counted(self, key: Key, now: float) -> deque[float] | None:
        """The failures of ``key`` still counted at ``now`` (None: none)."""
        found = self._failures.get(key)
        if found is None:
            return None
        while found and found[0] <= now - self.window:
            found.popleft()
        if not found:
            del self._failures[key]
            return None
        return found

    def wait(self, address: str, name: str) -> int:
        """How many seconds before a login of ``name`` from ``address`` is checked again (0:
        it is checked now)."""
        now = self.clock()
        longest = 0.0
        with self._lock:
            for key, limit in self._keyed(address, name):
                found = self._counted(key, now)
                if found is not None and len(found) >= limit:
                    longest = max(longest, found[-limit] + self.window - now)
        return math.ceil(longest)

    def failed(self, address: str, name: str) -> None:
        """Count a failed login of ``name`` from ``address``."""
        now = self.clock()
        with self._lock:
            for key, limit in self._keyed(address, name):
                found = self._counted(key, now)
                if found is None:
                    found = self._failures[key] = deque(maxlen=limit)
                found.append(now)
                self._failures.move_to_end(key)
            while len(self._failures) > self.keys:
                self._failures.popitem(last=False)

    def succeeded(self, address: str, name: str) -> None:
        """Forget the failed logins of ``name`` from ``address``."""
        with self._lock:
            self._failures.pop(self._keyed(address, name)[0][0], None)

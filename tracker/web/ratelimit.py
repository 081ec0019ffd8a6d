"""In-memory sliding-window rate limits (subscribe per IP and per address, staff login).

The window lives in this process's memory: correct for the one uvicorn process ``tracker web``
runs, reset on restart, and not shared between several workers. A multi-process deployment
would need a shared store (the database or Redis); we say so rather than pretend.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class SlidingWindow:
    """Allow at most ``limit`` hits per key within ``window`` seconds."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._hits.setdefault(key, deque())
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def hit(self, key: str) -> bool:
        """Record one attempt; False when the key is over its limit (the attempt is not counted)."""
        now = self.clock()
        with self._lock:
            q = self._recent(key, now)
            if len(q) >= self.limit:
                return False
            q.append(now)
            if len(self._hits) > 50_000:  # bound memory under a flood of distinct keys
                self._prune(now)
            return True

    def full(self, key: str) -> bool:
        """Whether ``key`` has used up its limit, without counting anything.

        Callers check first and ``hit`` only for what should count (an accepted sign-up, a wrong
        password), so a member correcting a typo on the form does not use up the limit.
        """
        now = self.clock()
        with self._lock:
            full = len(self._recent(key, now)) >= self.limit
            if not self._hits[key]:
                del self._hits[key]
            return full

    def forget(self, key: str) -> None:
        """Drop the attempts counted for ``key`` (a staff member who got the password right)."""
        with self._lock:
            self._hits.pop(key, None)

    def _prune(self, now: float) -> None:
        for key in [k for k, q in self._hits.items() if not q or q[-1] <= now - self.window]:
            del self._hits[key]

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()

"""A stop asked for by a signal, honoured at a safe point instead of wherever it lands.

``tracker`` turns SIGTERM into Ctrl-C (``KeyboardInterrupt``) so that work in hand rolls back.
That is right for an import, whose transaction undoes everything, but wrong for a message an
SMTP server has already taken: interrupted while waiting for the server's reply, the sender
never marks it sent, and the next run sends it again. Inside ``graceful_stop`` the first
SIGTERM or Ctrl-C only sets a flag, which the sender reads between messages; a second one
interrupts at once (an operator who insists is not kept waiting on a hung server).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class StopRequest:
    """Set by the first signal; the second raises ``KeyboardInterrupt`` as before."""

    def __init__(self) -> None:
        self.asked = False

    def __call__(self, _signum: int, _frame: FrameType | None) -> None:
        if self.asked:
            raise KeyboardInterrupt
        self.asked = True


@contextmanager
def graceful_stop() -> Iterator[StopRequest]:
    """Hold SIGTERM and SIGINT as a request for the duration (main thread only: signal
    handlers cannot be installed elsewhere, and there no signal is delivered anyway)."""
    stop = StopRequest()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

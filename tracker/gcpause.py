"""Pause Python's cyclic garbage collector for the length of a bulk load.

A full-session import allocates millions of small objects that all stay alive until it ends;
each time the collector runs it re-scans every one of them, which made it a measurable share
of the import. The load creates no reference cycles that need reclaiming before it finishes,
so the collector simply waits; plain reference counting still frees everything as usual.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

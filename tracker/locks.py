"""One process at a time for work that must not overlap (sending mail, polling the sources).

An exclusive ``flock`` on ``<data_dir>/<name>.lock``: the kernel releases it even when the
holder is killed, so a crash never leaves a stale lock behind. Per host, like the SQLite file.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tracker.settings import get_settings


@contextmanager
def exclusive(name: str) -> Iterator[bool]:
    """Yields True while this process holds the lock, False when another process does."""
    folder = Path(get_settings().data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{name}.lock", "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)

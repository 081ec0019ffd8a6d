"""One process at a time for work that must not overlap (sending mail, polling the sources).

An exclusive ``flock`` on ``<data_dir>/<name>.lock``: the kernel releases it even when the
holder is killed, so a crash never leaves a stale lock behind. Per host, like the SQLite file.

The holder writes its process id into the file. Nothing relies on it to decide who holds the
lock (the ``flock`` alone does); it lets the scheduler see when the poll it started stopped
waiting and began to work, so that poll's time limit counts from there (``tracker.polling.child``).
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from tracker.errors import SettingsError
from tracker.settings import get_settings

#: Exit code of a command that waited for the lock and gave up (sysexits' EX_TEMPFAIL): the
#: scheduler logs it as a skipped job, not as a failure of the work itself.
BUSY_EXIT = 75
#: How often a waiting process tries the lock again.
RETRY_EVERY = 0.2


def lock_path(name: str) -> Path:
    return Path(get_settings().data_dir) / f"{name}.lock"


@contextmanager
def exclusive(name: str, wait: float = 0.0) -> Iterator[bool]:
    """Yields True while this process holds the lock, False when another process does.

    ``wait`` is how many seconds to keep trying while another process holds it (0: answer at
    once, what an operator at a terminal wants; the scheduler waits, so polls that fall due
    together run one after the other instead of all but one being dropped).
    """
    path = lock_path(name)
    deadline = time.monotonic() + wait
    with _open_lock(path) as fh:
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                left = deadline - time.monotonic()
                if left <= 0:
                    yield False
                    return
                time.sleep(min(RETRY_EVERY, left))  # a signal here still interrupts the wait
        try:
            fh.truncate(0)  # "a+" appends: the file now holds just our pid
            fh.write(f"{os.getpid()}\n")
            fh.flush()
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _open_lock(path: Path) -> IO[str]:
    """The lock file, opened for appending; a data_dir that cannot hold it (it cannot be
    created, is a file, or is not writable) is a settings error in one line, not a traceback."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return open(path, "a+")
    except OSError as exc:
        raise SettingsError(
            f"invalid setting data_dir [TRACKER_DATA_DIR]: cannot create the lock file {path}: "
            f"{exc.strerror or exc} (got {str(path.parent)!r})"
        ) from None


def holder(name: str) -> int | None:
    """The process id the last holder of the lock wrote (it may have finished since).

    Meaningful for a live process that asked for the lock: if this returns its id, it has taken
    the lock (a pid is written only by the process holding it) and may still hold it.
    """
    try:
        text = lock_path(name).read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None

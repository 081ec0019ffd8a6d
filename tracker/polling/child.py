"""Run one poll (or another tracker command) in a child process with a hard time limit.

Scrapy's reactor cannot restart inside one process, and a hung crawl must not hang the
scheduler: each job is a fresh ``tracker ...`` process in its own session, killed (SIGTERM,
then SIGKILL) after ``crawl_timeout``. Runs it left open, or closed with the wrong reason, are
then closed with the real one, so ``tracker runs`` shows the failure and the next scheduled run
simply tries again.

Its own session keeps a Ctrl-C at the scheduler's terminal from reaching a poll behind the
scheduler's back; in exchange the scheduler must stop its children itself when it stops
(``stop_children``), or they would outlive it holding the poll lock.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from collections.abc import Callable
from typing import IO, Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from tracker.db.base import transaction, utcnow
from tracker.db.models_core import SourceRun
from tracker.ingest.runs import record_source_problem
from tracker.locks import BUSY_EXIT, holder

log = logging.getLogger(__name__)

POLL_LOCK = "poll"
#: How a poll stopped by a signal closes its own runs: during its crawls (``SourcePoll.close``
#: stores the ``crawl.Interrupted`` exception as "<name>: <message>") or during the ingest
#: after them (``tracker poll``). A run closed so by a child we killed for its timeout is
#: relabelled with the real reason.
INTERRUPTED_CRAWL = "Interrupted: stopped by a signal before the crawl finished"
INTERRUPTED = "interrupted before it finished"
#: A run still 'running' while its source's poll lock is free: its process died (SIGKILL, a
#: power cut) before it could close the run.
DEAD = "stopped without finishing"
#: How long a stopping scheduler gives its children to close their runs before killing them.
STOP_GRACE = 30.0
#: The (hidden) option of ``tracker poll`` that makes it poll in its own process: it is the
#: child, and the process that started it keeps the time limit.
WATCHED = "--in-child"
#: prctl(2) option: the signal a process gets when the thread that started it ends.
PR_SET_PDEATHSIG = 1
#: How often the parent looks whether its child has taken the lock yet.
LOOK_EVERY = 0.1


@dataclass
class ChildResult:
    returncode: int | None
    timed_out: bool
    output: str
    #: It ended (or never started) because the scheduler is stopping: not the job's own failure.
    stopped: bool = False
    #: When it started, or with a lock, the last moment it certainly did not hold it yet: any
    #: run it opened started after this.
    began: datetime | None = None
    #: Runs the parent closed or relabelled for it (a timeout, a crash).
    closed: int = 0
    #: The parent was interrupted (Ctrl-C, SIGTERM) while it waited: the child was stopped too.
    interrupted: bool = False

    @property
    def busy(self) -> bool:
        """It waited its whole allowance for another poll and did nothing."""
        return self.returncode == BUSY_EXIT


def tracker_command(*args: str) -> list[str]:
    """``tracker <args>`` with this interpreter (no reliance on PATH)."""
    return [sys.executable, "-c", "from tracker.cli import main; main()", *args]


def _name(args: list[str]) -> str:
    """``tracker poll --source web`` rather than the interpreter's command line."""
    return "tracker " + " ".join(args[3:]) if args[1:3] == tracker_command()[1:3] else " ".join(args)


# The children running now (pid -> process, name), so a stopping scheduler can stop them too.
_children = threading.Condition()
_running: dict[int, tuple[subprocess.Popen[str], str]] = {}
_stopping = False


def _die_with(parent: int) -> Callable[[], None]:
    """For ``preexec_fn``: the child is SIGKILLed when this (main) thread of ours ends, so an
    operator's poll killed by SIGKILL takes its child with it instead of leaving it holding the
    poll lock; the run it leaves open is closed by the next poll (``DEAD``). Linux only."""
    def tie() -> None:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            return
        if os.getppid() != parent:  # it ended before the tie was made
            os._exit(1)
    return tie


def _start(args: list[str], out: IO[str], stdout: IO[str] | None = None,
           die_with_us: bool = False) -> subprocess.Popen[str] | None:
    """Start and register a child, unless the scheduler is stopping (checked under the same
    lock, so no child can start after ``stop_children`` took its list).

    Its output goes to ``out``; with ``stdout`` (an operator's poll) only its stderr does, its
    stdout going straight to ours."""
    with _children:
        if _stopping:
            return None
        proc = subprocess.Popen(args, stdout=out if stdout is None else stdout,
                                stderr=subprocess.STDOUT if stdout is None else out, text=True,
                                start_new_session=True,
                                preexec_fn=_die_with(os.getpid()) if die_with_us else None)
        _running[proc.pid] = (proc, _name(args))
        return proc


def _forget(proc: subprocess.Popen[str]) -> bool:
    """Unregister an ended child; True if it ended because the scheduler is stopping."""
    with _children:
        _running.pop(proc.pid, None)
        _children.notify_all()
        return _stopping


def run_child(args: list[str], timeout: float, grace: float = 10.0, lock: str | None = None,
              lock_wait: float = 0.0, stdout: IO[str] | None = None,
              report_interrupt: bool = False, die_with_us: bool = False) -> ChildResult:
    """Run ``args`` to its end, killing it after ``timeout`` seconds (SIGTERM, ``grace``, SIGKILL).

    Output goes to a temporary file, not a pipe, so nobody has to keep reading it while we
    wait (with ``stdout``, only its stderr; its stdout goes there). With ``lock`` the child may
    first wait up to ``lock_wait`` for another holder of that lock; ``timeout`` counts from the
    moment it holds it, so waiting its turn behind another poll never eats into the time its
    own crawl is allowed. A Ctrl-C or SIGTERM to us while we wait stops the child as the
    scheduler stops its children, then goes on (or, with ``report_interrupt``, the result says
    ``interrupted``, so the caller can close what the child left open). With ``die_with_us``
    (only from the main thread) the child is killed if we are.
    """
    with tempfile.TemporaryFile("w+") as out:
        began = utcnow()
        proc = _start(args, out, stdout, die_with_us)
        if proc is None:
            return ChildResult(None, False, "not started: the scheduler is stopping", stopped=True)
        timed_out = interrupted = False
        try:
            if lock is not None:
                began = _await_lock(proc, lock, lock_wait + grace)
            timed_out = _wait(proc, timeout, grace, args)
        except KeyboardInterrupt:  # only the main thread sees it: an operator's command
            interrupted = True
            _stop(proc, STOP_GRACE)
            if not report_interrupt:
                raise
        finally:
            stopped = _forget(proc)
        out.seek(0)
        return ChildResult(proc.returncode, timed_out, out.read(), stopped=stopped, began=began,
                           interrupted=interrupted)


def _stop(proc: subprocess.Popen[str], grace: float) -> None:
    """SIGTERM to the child's group, up to ``grace`` s for it to close its runs, then SIGKILL
    (at once if we are interrupted again while waiting)."""
    _signal_group(proc, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
        return
    except (subprocess.TimeoutExpired, KeyboardInterrupt):
        pass
    _signal_group(proc, signal.SIGKILL)
    proc.wait()


def _await_lock(proc: subprocess.Popen[str], lock: str, bound: float) -> datetime:
    """Wait until the child holds ``lock`` (or ended, or ``bound`` s passed); returns the last
    moment it was seen not holding it, before which none of its runs can have started."""
    deadline = time.monotonic() + bound
    before = utcnow()
    while proc.poll() is None and time.monotonic() < deadline:
        now = utcnow()
        if holder(lock) == proc.pid:
            return before
        before = now
        time.sleep(LOOK_EVERY)
    return before


def _wait(proc: subprocess.Popen[str], timeout: float, grace: float, args: list[str]) -> bool:
    """Wait for the child's end; True if it had to be stopped for running past ``timeout``."""
    try:
        proc.wait(timeout=timeout)  # a timed wait polls: a stopping scheduler may poll it too
        return False
    except subprocess.TimeoutExpired:
        log.warning("%s ran past %.0f s: stopping it", _name(args), timeout)
        _signal_group(proc, signal.SIGTERM)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)
            proc.wait(timeout=grace)
        return True


def _signal_group(proc: subprocess.Popen[str], sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def stop_children() -> list[str]:
    """No child starts from now on; each running one gets SIGTERM (its whole process group).

    A poll closes its runs as interrupted and exits 130; a poll waiting for the lock just
    exits. Returns the names of the children that were running.
    """
    global _stopping
    with _children:
        _stopping = True
        running = list(_running.values())
    for proc, _name_ in running:
        _signal_group(proc, signal.SIGTERM)
    return [name for _proc, name in running]


def wait_children(grace: float = STOP_GRACE) -> list[str]:
    """Wait up to ``grace`` s for the children to end, SIGKILL any left and wait (briefly) for
    them to be reaped; their job threads then close what they left open before the process
    exits. Returns the names of the children that had to be killed."""
    with _children:
        _children.wait_for(lambda: not _running, timeout=grace)
        left = list(_running.values())
    for proc, _name_ in left:
        _signal_group(proc, signal.SIGKILL)
    with _children:
        _children.wait_for(lambda: not _running, timeout=10.0)
    return [name for _proc, name in left]


def _fail_runs(factory: sessionmaker[Session], where: list[Any], reason: str) -> list[tuple[int, str]]:
    """Close the runs matching ``where`` as failed with ``reason``: (id, source) of each.

    One rule for every way a run is left behind (its process died, was stopped, timed out):
    failed, the reason said, and a finish time and duration when it had none.
    """
    with transaction(factory) as s:
        runs = list(s.execute(select(SourceRun).where(*where)).scalars())
        now = utcnow()
        for run in runs:
            run.status, run.error = "failed", reason
            if run.finished_at is None:
                run.finished_at = now
                run.duration_s = (now - run.started_at).total_seconds()
        return [(run.id, run.source) for run in runs]


def _of(source: str | None, since: datetime | None) -> list[Any]:
    return ([SourceRun.source == source] if source else []) + (
        [SourceRun.started_at >= since] if since is not None else [])


def close_open_runs(factory: sessionmaker[Session], source: str | None, since: datetime | None,
                    reason: str) -> int:
    """Mark runs still 'running' (their process died) as failed; returns how many."""
    return len(_fail_runs(factory, [SourceRun.status == "running", *_of(source, since)], reason))


def mark_timed_out(factory: sessionmaker[Session], source: str | None, since: datetime | None,
                   timeout: float) -> int:
    """The runs of a poll killed for its timeout, relabelled with that reason, and staff told.

    The child answers our SIGTERM by closing its runs as "interrupted", which reads like an
    operator's Ctrl-C; a crawl that hangs for half an hour is a broken source staff should hear
    about (a ``source_problem`` event per run, as for a layout change or a 403).
    """
    reason = f"timed out after {timeout:.0f} s; retried at the next run"
    left = or_(SourceRun.status == "running", SourceRun.error.in_((INTERRUPTED_CRAWL, INTERRUPTED)))
    told = _fail_runs(factory, [left, *_of(source, since)], reason)
    for run_id, run_source in told:
        record_source_problem(factory, run_id, run_source, f"the poll {reason}")
    return len(told)


def close_stale_runs(factory: sessionmaker[Session], older_than_s: float) -> int:
    """At scheduler start: runs 'running' for longer than any crawl may take died with us."""
    cutoff = utcnow() - timedelta(seconds=older_than_s)
    return len(_fail_runs(factory, [SourceRun.status == "running", SourceRun.started_at < cutoff],
                          "process ended without closing the run"))


def poll_in_child(factory: sessionmaker[Session], source: str, timeout: float, *, wait: float | None = None,
                  delta: bool = False, stdout: IO[str] | None = None) -> ChildResult:
    """One ``tracker poll --source X --wait T`` child, T being the crawl timeout (or ``wait``).

    It waits its turn for the poll lock (polls that fall due together, or a manual poll, would
    otherwise make it give up at once), for at most one crawl's length, then has ``timeout`` to
    finish. A timeout, crash or kill has its runs closed or relabelled with the real reason.
    The scheduler's polls and an operator's ``tracker poll`` both run so (``stdout``, given for
    an operator's poll: where the child's own stdout goes; that child dies with its parent).
    """
    wait = timeout if wait is None else wait
    args = tracker_command("poll", "--source", source, "--wait", f"{wait:g}", *(["--delta"] if delta else []),
                           WATCHED)
    result = run_child(args, timeout, lock=POLL_LOCK, lock_wait=wait, stdout=stdout, report_interrupt=True,
                       die_with_us=stdout is not None)
    sources = None if source == "all" else source
    code = result.returncode or 0
    if result.interrupted:
        if code < 0:  # killed before it could close its runs
            result.closed = close_open_runs(factory, sources, result.began, INTERRUPTED)
    elif result.timed_out:
        result.closed = mark_timed_out(factory, sources, result.began, timeout)
    elif result.stopped:
        if code < 0:  # SIGKILLed by a stop that ran out of patience: nothing closed its runs
            result.closed = close_open_runs(factory, sources, result.began,
                                            "interrupted: the scheduler stopped")
    elif code < 0:
        result.closed = close_open_runs(factory, sources, result.began,
                                        f"crawl crashed (signal {-code}); retried at the next run")
    elif code not in (0, 1, BUSY_EXIT):
        result.closed = close_open_runs(factory, sources, result.began, f"poll exited with code {code}")
    return result

"""An import that is stopped, or that meets another writer, ends in one line and loses nothing.

A service manager stops us with SIGTERM; the nightly poll may be running when staff import an
extract by hand. Either way the run must be closed (not left 'running' for ever), nothing may
be half-stored, and the operator gets one line, not a traceback.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.clirun import TRACKER, tracker
from tracker.locks import exclusive

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._synth import build  # noqa: E402


def _runs(db: Path) -> list[tuple[str, str | None]]:
    eng = create_engine(f"sqlite:///{db}")
    with eng.connect() as conn:
        rows = conn.execute(text("select status, error from source_run order by id")).all()
    eng.dispose()
    return [(r[0], r[1]) for r in rows]


def test_sigterm_during_an_import_closes_its_run_and_stores_nothing(tmp_path: Path) -> None:
    extract = tmp_path / "big"
    build(extract, 8000, 24000)
    db = tmp_path / "t.db"
    env = {"TRACKER_DATABASE_URL": f"sqlite:///{db}"}
    tracker("init", env=env)
    proc = subprocess.Popen([TRACKER, "import-pubinfo", str(extract)], env={**os.environ, **env},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not _runs(db) and time.monotonic() < deadline:  # the run is open: the import is under way
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130 and "Traceback" not in err and err.strip() == "tracker: interrupted"
    assert _runs(db) == [("failed", "interrupted before it finished")]
    listed = tracker("export", "bills", "--format", "jsonl", env=env).stdout
    assert listed == ""  # all or nothing


def test_an_import_while_a_poll_holds_the_lock_is_refused_in_one_line(tmp_path: Path, files: Path) -> None:
    env = {"TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 't.db'}"}
    tracker("init", env=env)
    with exclusive("poll") as mine:  # this test process plays the running poll
        assert mine
        proc = tracker("import-pubinfo", str(files / "pubinfo/mini"), env=env, check=False)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert "another import or poll is running" in proc.stderr
    assert tracker("import-pubinfo", str(files / "pubinfo/mini"), env=env).returncode == 0

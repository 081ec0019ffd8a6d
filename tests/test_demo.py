"""``tracker demo`` works with no arguments on embedded defaults (in a scratch directory)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_demo_runs_end_to_end(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_") or k == "TRACKER_TEST_PG_URL"}
    proc = subprocess.run([sys.executable, "-c", "from tracker.cli import main; main()", "demo"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "first poll" in out and "second poll" in out
    assert "[new_action] AB 2052" in out and "[hearing_set] AB 2052" in out
    assert (tmp_path / "var" / "tracker.db").exists()  # the embedded default database


def test_demo_names_committees_not_their_codes(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_") or k == "TRACKER_TEST_PG_URL"}
    proc = subprocess.run([sys.executable, "-c", "from tracker.cli import main; main()", "demo"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    status = next(line for line in proc.stdout.splitlines() if "[status_changed] AB 2052" in line)
    assert status.endswith("In Committee Process, Senate, Appropriations")
    assert "hearing time set: 10 a.m." in proc.stdout
    # the committee's roll call reaches the bulk tables, named by the location table
    assert "[vote_recorded] AB 2052 vote in Senate Health: pass (7 yes, 0 no)" in proc.stdout

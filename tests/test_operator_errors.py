"""Operations: what an operator sees when a setting, a path or a source is wrong.

Each test runs the real ``tracker`` command on a real database and reads what it prints: one
line, no traceback, exit 2 for a bad setting or argument.
"""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.clirun import TRACKER, tracker
from tests.conftest import PG_URL
from tests.test_poll_e2e import Tracker, replica  # noqa: F401  (fixture)
from tracker.replica.server import ReplicaServer

# data_dir that cannot be created -----------------------------------------------------------


def _one_line_error(proc: object) -> str:
    assert proc.returncode == 2, proc.stdout + proc.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in proc.stderr  # type: ignore[attr-defined]
    lines = proc.stderr.splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1, proc.stderr  # type: ignore[attr-defined]
    return lines[0]


@pytest.mark.parametrize("command", [("poll", "--source", "pubinfo"), ("send",)])
def test_a_data_dir_under_a_file_is_one_line_naming_data_dir(command: tuple[str, ...], tmp_path: Path) -> None:
    tracker("init")
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder")
    proc = tracker(*command, env={"TRACKER_DATA_DIR": str(a_file / "d")}, check=False)
    line = _one_line_error(proc)
    assert line.startswith("tracker: error: invalid setting data_dir [TRACKER_DATA_DIR]: ")
    assert str(a_file / "d") in line and "Not a directory" in line


def test_a_data_dir_that_cannot_be_created_is_one_line_naming_data_dir() -> None:
    tracker("init")
    proc = tracker("poll", "--source", "pubinfo", env={"TRACKER_DATA_DIR": "/proc/trk"}, check=False)
    line = _one_line_error(proc)
    assert line.startswith("tracker: error: invalid setting data_dir [TRACKER_DATA_DIR]: ")
    assert "/proc/trk" in line


# digest --out where nothing can be written ---------------------------------------------------


def test_digest_out_where_nothing_can_be_written_says_cannot_write_like_matrix() -> None:
    tracker("init")
    proc = tracker("digest", "--week", "2026-W49", "--out", "/proc/x.html", check=False)
    assert _one_line_error(proc) == "tracker: error: cannot write /proc/x.html: No such file or directory"
    assert proc.stdout == ""


def test_digest_out_under_a_file_says_cannot_write(tmp_path: Path) -> None:
    tracker("init")
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder")
    out = a_file / "digest.html"
    proc = tracker("digest", "--week", "2026-W49", "--out", str(out), check=False)
    assert _one_line_error(proc) == f"tracker: error: cannot write {out}: File exists"
    assert a_file.read_text() == "not a folder"


# database URLs the tracker cannot use ----------------------------------------------------------

UNSUPPORTED = "invalid setting database_url [TRACKER_DATABASE_URL]: Value error, must be a SQLite or PostgreSQL URL, such as sqlite:///var/tracker.db or postgresql://user@host/db"


@pytest.mark.parametrize("command", [("init",), ("config", "show")])
def test_a_mysql_database_url_is_refused_in_one_line_naming_database_url(command: tuple[str, ...]) -> None:
    proc = tracker(*command, env={"TRACKER_DATABASE_URL": "mysql://x"}, check=False)
    assert _one_line_error(proc) == f"tracker: error: {UNSUPPORTED} (got 'mysql://x')"
    assert proc.stdout == ""


def test_a_postgresql_driver_we_do_not_install_is_refused_like_another_database() -> None:
    proc = tracker("init", env={"TRACKER_DATABASE_URL": "postgresql+psycopg2://postgres@127.0.0.1/test"},
                   check=False)
    assert _one_line_error(proc) == (
        f"tracker: error: {UNSUPPORTED} (got 'postgresql+psycopg2://postgres@127.0.0.1/test')")


def test_a_refused_database_url_does_not_show_its_password() -> None:
    proc = tracker("config", "show", env={"TRACKER_DATABASE_URL": "mysql://ana:hunter2@db.example.org/t"},
                   check=False)
    assert _one_line_error(proc) == f"tracker: error: {UNSUPPORTED} (got 'mysql://ana:***@db.example.org/t')"


# a PostgreSQL database that does not exist -------------------------------------------------


@pytest.fixture
def pg(pg_problem: str | None) -> None:
    if pg_problem:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {PG_URL} is unreachable under CI: {pg_problem}")
        pytest.skip(f"PostgreSQL unreachable: {pg_problem}")


def test_init_on_a_missing_postgresql_database_says_to_create_it_with_createdb(pg: None) -> None:
    server = make_url(PG_URL)
    name = f"missing_{uuid.uuid4().hex[:8]}"
    url = server.set(drivername="postgresql", database=name).render_as_string(hide_password=False)
    proc = tracker("init", env={"TRACKER_DATABASE_URL": url}, check=False)
    createdb = " ".join(["createdb", "-h", str(server.host), *(["-p", str(server.port)] if server.port else []),
                         *(["-U", server.username] if server.username else []), name])
    assert _one_line_error(proc) == (
        f"tracker: error: the database '{name}' does not exist on the PostgreSQL server "
        f"{server.host}:{server.port or 5432}: create it first ({createdb}), then run 'tracker init' "
        "to create its tables")


def test_an_unknown_postgresql_role_is_not_told_to_run_tracker_init(pg: None) -> None:
    url = make_url(PG_URL).set(drivername="postgresql", username="nobody_here", password="pw")
    proc = tracker("bills", env={"TRACKER_DATABASE_URL": url.render_as_string(hide_password=False)},
                   check=False)
    line = _one_line_error(proc)
    assert line.startswith(f"tracker: error: database problem: cannot connect to "
                           f"{url.render_as_string(hide_password=True)}: ")
    assert 'role "nobody_here" does not exist' in line
    assert "tracker init" not in line and ":pw@" not in line


# a relative SQLite path, run from another directory ----------------------------------------


def _tracker_in(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``tracker ARGS`` run from ``folder`` with the default, relative database URL."""
    env = {k: v for k, v in os.environ.items() if k != "TRACKER_DATABASE_URL"}
    return subprocess.run([TRACKER, *args], cwd=folder, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("command", [("bills",), ("runs",), ("export", "bills")])
def test_reading_from_another_directory_creates_no_database_and_names_the_file_it_looked_for(
        command: tuple[str, ...], tmp_path: Path) -> None:
    proc = _tracker_in(tmp_path, *command)
    assert _one_line_error(proc) == (
        f"tracker: error: the database {tmp_path / 'var' / 'tracker.db'} does not exist: run 'tracker init' "
        "in the project directory, or set TRACKER_DATABASE_URL to an absolute path")
    assert list(tmp_path.iterdir()) == []  # no empty var/tracker.db (nor var/) left behind
    # `tracker init` there is what creates it, under that working directory
    assert _tracker_in(tmp_path, "init").returncode == 0
    assert (tmp_path / "var" / "tracker.db").is_file()
    assert _tracker_in(tmp_path, *command).returncode == 0


def test_an_absolute_sqlite_path_that_does_not_exist_is_named_and_not_created(tmp_path: Path) -> None:
    db = tmp_path / "elsewhere" / "tracker.db"
    proc = tracker("bills", env={"TRACKER_DATABASE_URL": f"sqlite:///{db}"}, check=False)
    assert _one_line_error(proc) == (
        f"tracker: error: the database {db} does not exist: run 'tracker init' first, or check TRACKER_DATABASE_URL")
    assert not db.parent.exists()


def test_an_empty_sqlite_file_is_named_in_the_advice_to_run_tracker_init(tmp_path: Path) -> None:
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "tracker.db").touch()  # left behind by an older version
    proc = _tracker_in(tmp_path, "bills")
    assert _one_line_error(proc) == (
        f"tracker: error: the database {tmp_path / 'var' / 'tracker.db'} is not initialised or is out of date: "
        "run 'tracker init' first")



# a manual poll keeps sources.crawl_timeout -------------------------------------------------


def test_a_manual_poll_of_a_slow_source_is_stopped_at_crawl_timeout_and_the_next_poll_resumes(
        db_url: str, replica: ReplicaServer) -> None:
    t = Tracker(db_url, replica)
    t("init")
    t.client.fault("/faces/billSearchClient.xhtml", "latency", seconds=40, times=1)
    started = time.monotonic()
    t.env["TRACKER_SOURCES__CRAWL_TIMEOUT"] = "5"
    slow = t("poll", "--source", "web", ok=False)
    del t.env["TRACKER_SOURCES__CRAWL_TIMEOUT"]
    assert time.monotonic() - started < 30  # not the 40 s the listing takes
    assert slow.returncode == 1, slow.stdout + slow.stderr
    assert slow.stderr.splitlines() == [
        "tracker: error: poll web timed out after 5 s (sources.crawl_timeout) and was stopped; 1 run marked "
        "failed and reported to staff; retried at the next run"]
    assert "web: ok" not in slow.stdout
    assert "timed out after 5 s; retried at the next run" in t("runs").stdout
    assert [e.kind for e in t.events()] == ["source_problem"]
    assert t.bills() == {}

    again = t("poll", "--source", "web")  # the lock is free and the source is polled afresh
    assert "web: ok" in again.stdout
    assert set(t.bills()) == set(replica.replica.state.bills)

"""Import speed and memory for a synthetic full session, against a plain csv + executemany floor.

Run: .venv/bin/python benchmarks/ingest.py [--bills 25000] [--history 80000] [--repeat 3]
Prints rows/s, the peak RSS of a process doing only our import, and the ratio of our import
time to a baseline that parses the same .dat files with the csv module and inserts them with
plain executemany into SQLite, in the same process. For scale it also times the rows our import
stored going into our own schema (same indexes and keys) by executemany alone: the part of the
import that is SQLite's work, whatever the Python in front of it does. And it times the nightly
case: the same extract imported again into the now-full database (nothing changed, nothing
written), the run every night of a session makes.
"""

from __future__ import annotations

import argparse
import csv
import resource
import sqlite3
import sys
import tempfile
import time
import subprocess
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._synth import build  # noqa: E402
from sqlalchemy import event  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from tracker.db import make_engine, session_factory  # noqa: E402
from tracker.db.migrate import upgrade  # noqa: E402
from tracker.ingest.runs import start_run  # noqa: E402
from tracker.ingest.service import ingest_snapshot  # noqa: E402
from tracker.pubinfo.datfile import iter_table  # noqa: E402
from tracker.pubinfo.reader import read_snapshot  # noqa: E402
from tracker.pubinfo.tables import TABLES  # noqa: E402
from tracker.relevance import load_matcher  # noqa: E402
from tracker.settings import PROJECT_ROOT  # noqa: E402

PHASES: dict[str, float] = {}
SQLITE = "of that, inside SQLite's execute calls"
FILES = ("BILL_TBL", "BILL_HISTORY_TBL", "BILL_VERSION_TBL", "BILL_VERSION_AUTHORS_TBL")


def baseline(extract: Path, db: Path) -> float:
    """csv module (tab-separated, backtick quote char) + executemany: the floor."""
    start = time.perf_counter()
    con = sqlite3.connect(db)
    for table in FILES:
        cols = TABLES[table]
        con.execute(f"create table {table} ({', '.join(cols)})")
        with (extract / f"{table}.dat").open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh, delimiter="\t", quotechar="`", escapechar="\\")
            con.executemany(f"insert into {table} values ({', '.join('?' * len(cols))})", reader)
    con.commit()
    con.close()
    return time.perf_counter() - start


def csv_parse_only(extract: Path) -> float:
    """The baseline's parse without its inserts: what the csv module (which cannot read the
    format exactly: it drops the backslash of \\n and cannot tell NULL from `NULL`) costs."""
    start = time.perf_counter()
    for table in FILES:
        with (extract / f"{table}.dat").open(encoding="utf-8", newline="") as fh:
            for _ in csv.reader(fh, delimiter="\t", quotechar="`", escapechar="\\"):
                pass
    return time.perf_counter() - start


def read_only(extract: Path) -> float:
    """Our exact .dat reader alone (no validation, no diff, no database). With the storage floor,
    it is what our import costs before any of its own work."""
    start = time.perf_counter()
    for table in FILES:
        with (extract / f"{table}.dat").open("rb") as fh:
            for _ in iter_table(fh, name=table, columns=len(TABLES[table])):
                pass
    return time.perf_counter() - start


def _time_driver(engine: Engine) -> None:
    """Sum the time spent inside the database driver's execute calls (SQLite's own work)."""
    started: list[float] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _before(*_args: object) -> None:
        started.append(time.perf_counter())

    @event.listens_for(engine, "after_cursor_execute")
    def _after(*_args: object) -> None:
        PHASES[SQLITE] = PHASES.get(SQLITE, 0.0) + time.perf_counter() - started.pop()


def ours(extract: Path, db: Path, phases: bool = True) -> float:
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    _time_driver(engine)
    factory = session_factory(engine)
    matcher = load_matcher(PROJECT_ROOT / "config" / "topics.toml")
    saved = dict(PHASES)
    start = time.perf_counter()
    run_id = start_run(factory, "pubinfo", str(extract))  # as `tracker import-pubinfo` does
    snapshot = read_snapshot(extract)
    PHASES["parse + validate"] = time.perf_counter() - start
    PHASES[SQLITE] = 0.0
    ingest_snapshot(factory, snapshot, matcher=matcher, run_id=run_id)
    elapsed = time.perf_counter() - start
    PHASES["diff + store + events + outbox + commit"] = elapsed - PHASES["parse + validate"]
    engine.dispose()
    if not phases:  # keep the first import's breakdown
        PHASES.clear()
        PHASES.update(saved)
    return elapsed


STORED = ("bill", "bill_version", "bill_author", "bill_action", "hearing", "change_event")
SETUP = ("legislative_session", "source_run")  # copied before the clock starts


def storage_floor(imported: Path, db: Path) -> float:
    """The same rows our import stored, into the same schema (indexes, keys, WAL), by nothing but
    ``executemany``: what SQLite itself costs, with no parsing, validation or diff. The rows are
    read back from the import's database before the clock starts."""
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    engine.dispose()
    src = sqlite3.connect(imported)
    tables = {t: src.execute(f"select * from {t}").fetchall() for t in SETUP + STORED}
    src.close()
    con = sqlite3.connect(db)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
        con.execute(f"PRAGMA {pragma}")

    def load(names: tuple[str, ...]) -> None:
        for table in names:
            if tables[table]:
                marks = ", ".join("?" * len(tables[table][0]))
                con.executemany(f"insert into {table} values ({marks})", tables[table])
        con.commit()

    load(SETUP)
    start = time.perf_counter()
    load(STORED)
    elapsed = time.perf_counter() - start
    con.close()
    return elapsed


def _peak_rss_mb() -> float:
    """This process's own peak RSS. ``VmHWM`` starts afresh at exec; ``ru_maxrss`` may not (on
    Linux it can carry the parent's size from before the exec), so it is only the fallback."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_rss_of_import(extract: Path, db: Path) -> float:
    """Peak RSS (MB) of a separate process that only does our import: no baseline in it."""
    out = subprocess.run([sys.executable, __file__, "--memory-only", str(extract), str(db)],
                         capture_output=True, text=True, check=True).stdout
    return float(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bills", type=int, default=25_000)
    ap.add_argument("--history", type=int, default=80_000)
    ap.add_argument("--repeat", type=int, default=3, help="import runs, each with its own baseline; the median ratio is reported")
    ap.add_argument("--memory-only", nargs=2, metavar=("EXTRACT", "DB"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.memory_only:
        ours(Path(args.memory_only[0]), Path(args.memory_only[1]))
        print(_peak_rss_mb())
        return
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        counts = build(work / "extract", args.bills, args.history)
        rows = sum(counts.values())
        print(f"synthetic session: {counts} ({rows} rows)")
        runs = []  # (baseline, first import, nightly) per repeat: the machine's load moves all three
        for i in range(args.repeat):
            base_i = baseline(work / "extract", work / f"baseline{i}.db")
            first_i = ours(work / "extract", work / f"tracker{i}.db", phases=i == 0)
            again_i = ours(work / "extract", work / f"tracker{i}.db", phases=False)
            runs.append((base_i, first_i, again_i))
        ratios = sorted(first / b for b, first, _ in runs)
        nightly = sorted(again / b for b, _, again in runs)
        base, ours_s, again_s = sorted(runs, key=lambda r: r[1] / r[0])[len(runs) // 2]  # the median run
        floor = storage_floor(work / "tracker0.db", work / "floor.db")
        reading = read_only(work / "extract")
        csv_only = csv_parse_only(work / "extract")
        rss_mb = peak_rss_of_import(work / "extract", work / "memory.db")
        print(f"baseline (csv + executemany): {base:.2f} s, {rows / base:,.0f} rows/s")
        print(f"tracker import (validate + diff + events): {ours_s:.2f} s, {rows / ours_s:,.0f} rows/s")
        print(f"  of which (first repeat) parse + validate: {PHASES['parse + validate']:.2f} s; diff + store + "
              f"events + outbox + commit: {PHASES['diff + store + events + outbox + commit']:.2f} s "
              f"({SQLITE}: {PHASES[SQLITE]:.2f} s)")
        print(f"ratio tracker/baseline: {ratios[len(ratios) // 2]:.2f}, median of {len(runs)} "
              f"(each: {', '.join(f'{r:.2f}' for r in ratios)}) (target <= 3)")
        print(f"nightly case, the same extract again (nothing new): {again_s:.2f} s, {rows / again_s:,.0f} rows/s "
              f"(ratio {nightly[len(nightly) // 2]:.2f} to the baseline, median; each: "
              f"{', '.join(f'{r:.2f}' for r in nightly)})")
        print(f"for scale: the rows we stored, into our schema, by executemany alone: {floor:.2f} s "
              f"(ratio {floor / base:.2f} to the baseline; tracker/that: {ours_s / floor:.2f})")
        print(f"our .dat reader alone: {reading:.2f} s; with that floor {reading + floor:.2f} s "
              f"(ratio {(reading + floor) / base:.2f} to the baseline, before any validation, diff or change event)")
        print(f"the csv module's parse alone (inexact for this format): {csv_only:.2f} s; with the floor "
              f"{csv_only + floor:.2f} s (ratio {(csv_only + floor) / base:.2f})")
        print(f"peak memory (RSS) of a process doing only the import: {rss_mb:.0f} MB (target < 300)")


if __name__ == "__main__":
    main()

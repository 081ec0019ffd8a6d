"""Requests and time per website poll cycle against the replica, next to the minimum possible.

    .venv/bin/python benchmarks/poll.py [--bills 500]

Scales the bundled 4-bill session synthetically to ``--bills`` bills, then runs the real CLI
(``tracker poll --source web``) three times: first cycle, a no-change cycle and a cycle after
10 bills changed their listing row. The minimum is what any client needs: the listing, plus
status + history for every bill never read (first cycle) or changed (untracked bills).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tracker.replica.client import ReplicaClient  # noqa: E402
from tracker.replica.server import ReplicaServer  # noqa: E402

SAMPLE = ROOT / "tracker" / "sample_data" / "pubinfo_2025"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bills", type=int, default=500)
    args = parser.parse_args()
    server = ReplicaServer(SAMPLE, scale=args.bills).start()
    client = ReplicaClient(server.url)
    n = len(server.replica.state.bills)
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "TRACKER_DATABASE_URL": f"sqlite:///{tmp}/bench.db",
               "TRACKER_DATA_DIR": f"{tmp}/var", "TRACKER_SOURCES__LEGINFO_URL": server.url,
               "TRACKER_SOURCES__REQUEST_DELAY": "0",
               # every bill in one cycle, to measure what each cycle asks for; with the default
               # cap (sources.max_detail_bills) the first reading spreads over several polls
               "TRACKER_SOURCES__MAX_DETAIL_BILLS": str(max(args.bills, 1))}

        def tracker(*cli: str) -> tuple[float, str]:
            start = time.perf_counter()
            proc = subprocess.run([sys.executable, "-c", "from tracker.cli import main; main()", *cli],
                                  env=env, capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                raise SystemExit(proc.stdout + proc.stderr)
            return time.perf_counter() - start, proc.stdout.strip().splitlines()[0]

        tracker("init")
        rows = []
        for label, minimum, prepare in [
            ("first cycle", 1 + 2 * n, None),
            ("no change", 1, None),
            ("10 bills changed", 1 + 2 * 10, "change"),
        ]:
            if prepare:
                for bill_id in list(server.replica.state.bills)[:10]:
                    client.post("action", bill_id=bill_id, action="Set for hearing.", status="Benchmark status")
            client.reset_stats()
            seconds, summary = tracker("poll", "--source", "web")
            stats = client.stats()
            robots = stats.pop("/robots.txt", 0)
            rows.append((label, sum(stats.values()), robots, minimum, seconds, summary))
    server.stop()
    print(f"web poll on the replica, {n} bills (request delay 0; wall time includes process start)")
    print(f"{'cycle':<18}{'requests':>9}{'robots':>8}{'minimum':>9}{'seconds':>9}")
    for label, req, robots, minimum, seconds, _ in rows:
        print(f"{label:<18}{req:>9}{robots:>8}{minimum:>9}{seconds:>9.2f}")


if __name__ == "__main__":
    main()

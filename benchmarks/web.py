"""Web throughput: requests/s for the bill list and a bill page, against a static file.

Run: .venv/bin/python benchmarks/web.py [--source tracker/sample_data/pubinfo_2025] [--requests 400] [--clients 8]

Imports the full sample session into a fresh SQLite database, starts the app under uvicorn in
a separate process on a free loopback port (one worker, as ``tracker web`` runs), and drives it
with httpx from a few concurrent clients for a bounded number of requests per URL. The floor is
a static file with the same number of bytes as the bill page, served by the same server
(StaticFiles mounted on the same app), so the ratio shows what our rendering and queries cost.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(db_url: str, static_dir: str, port: int) -> None:
    """Child process: the real app plus one extra static mount, under uvicorn."""
    import uvicorn
    from starlette.routing import Mount
    from starlette.staticfiles import StaticFiles

    from tracker.db import make_engine, session_factory
    from tracker.settings import load_settings
    from tracker.web.app import create_app

    settings = load_settings(database_url=db_url)
    app = create_app(settings, session_factory(make_engine(db_url)))
    app.router.routes.insert(0, Mount("/_bench", app=StaticFiles(directory=static_dir)))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


async def load(url: str, total: int, clients: int) -> tuple[float, list[float]]:
    """Send ``total`` GETs from ``clients`` concurrent connections; (req/s, latencies)."""
    latencies: list[float] = []
    remaining = total

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            t0 = time.perf_counter()
            r = await client.get(url)
            latencies.append(time.perf_counter() - t0)
            assert r.status_code == 200, (url, r.status_code)

    async with httpx.AsyncClient(timeout=30) as client:
        await client.get(url)  # warm up
        start = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(clients)))
        elapsed = time.perf_counter() - start
    return total / elapsed, latencies


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", type=Path, default=Path(__file__).resolve().parents[1] / "tracker/sample_data/pubinfo_2025")
    ap.add_argument("--synthetic", type=int, default=0, metavar="BILLS",
                    help="Instead of --source, build a synthetic session of this many bills (benchmarks/_synth.py).")
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--serve", nargs=3, metavar=("DB_URL", "STATIC", "PORT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(args.serve[0], args.serve[1], int(args.serve[2]))
        return

    from sqlalchemy import select

    from tracker.db import make_engine, session_factory
    from tracker.db.migrate import upgrade
    from tracker.db.models_core import Bill
    from tracker.ingest.service import ingest_snapshot
    from tracker.pubinfo.reader import read_snapshot
    from tracker.relevance import load_matcher
    from tracker.settings import PROJECT_ROOT
    from tracker.web.data import measure_slug

    tmp = Path(tempfile.mkdtemp(prefix="cw-bench-web-"))
    if args.synthetic:
        from benchmarks._synth import build

        args.source = tmp / "synth"
        build(args.source, bills=args.synthetic, min_history=args.synthetic * 3)
    db_url = f"sqlite:///{tmp / 'bench.db'}"
    engine = make_engine(db_url)
    upgrade(engine)
    factory = session_factory(engine)
    t0 = time.perf_counter()
    ingest_snapshot(factory, read_snapshot(args.source), matcher=load_matcher(PROJECT_ROOT / "config/topics.toml"))
    with factory() as s:
        bills = list(s.execute(select(Bill).order_by(Bill.history_count.desc())).scalars())
        tracked = sum(1 for b in bills if b.relevant or b.watched)
        slug = measure_slug(bills[0].measure)
    engine.dispose()
    print(f"imported {len(bills)} bills ({tracked} tracked) from {args.source} in {time.perf_counter() - t0:.1f}s")

    port = free_port()
    env = {**os.environ, "TRACKER_DATA_DIR": str(tmp / "var")}
    static = tmp / "static"
    static.mkdir()
    proc = subprocess.Popen([sys.executable, __file__, "--serve", db_url, str(static), str(port)], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                page = httpx.get(f"{base}/bills/{slug}", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise SystemExit("server did not start")
        (static / "page.html").write_bytes(page.content)
        targets = {"bill list /bills?scope=all": f"{base}/bills?scope=all",
                   f"bill page /bills/{slug}": f"{base}/bills/{slug}",
                   f"static file ({len(page.content)} bytes)": f"{base}/_bench/page.html"}
        results = {}
        for name, url in targets.items():
            rps, lat = asyncio.run(load(url, args.requests, args.clients))
            results[name] = rps
            print(f"{name:45s} {rps:8.1f} req/s   p50 {statistics.median(lat) * 1000:6.1f} ms   "
                  f"p95 {sorted(lat)[int(len(lat) * 0.95)] * 1000:6.1f} ms")
        static_rps = list(results.values())[-1]
        for name, rps in list(results.items())[:2]:
            print(f"ratio {name} / static: {rps / static_rps:.2f}")
        print(f"({args.requests} requests per URL, {args.clients} concurrent clients, one uvicorn worker)")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()

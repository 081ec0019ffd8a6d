"""Time a 25-bill Advocacy Day packet PDF against WeasyPrint rendering the same HTML (the floor).

Run: .venv/bin/python benchmarks/packet.py [--bills 25] [--repeat 3]
Builds a temporary SQLite database from the real sample bills (tests/files/pubinfo/mini),
clones them under new bill numbers until there are ``--bills`` bills, then times
``build_packet`` (queries + templates + fit check + PDF) and, as the floor, WeasyPrint turning
the very same final HTML into a PDF directly. Prints seconds and the ratio; targets: <= 10 s and
ratio <= 1.5.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select  # noqa: E402
from weasyprint import HTML  # noqa: E402

from tracker.advocacy.facts import bill_facts  # noqa: E402
from tracker.advocacy.packet import build_packet, render_sheets_html  # noqa: E402
from tracker.advocacy.pdf import LocalOnlyFetcher  # noqa: E402
from tracker.db import make_engine, session_factory  # noqa: E402
from tracker.db.migrate import upgrade  # noqa: E402
from tracker.db.models_core import Bill, BillAction, BillAuthor, BillVersion, Hearing  # noqa: E402
from tracker.ingest.service import ingest_snapshot  # noqa: E402
from tracker.pubinfo.reader import read_snapshot  # noqa: E402
from tracker.relevance import load_matcher  # noqa: E402
from tracker.rendering import TEMPLATES_DIR  # noqa: E402
from tracker.settings import PROJECT_ROOT, load_settings  # noqa: E402

MINI = PROJECT_ROOT / "tests" / "files" / "pubinfo" / "mini"
AS_OF = date(2026, 11, 23)


def _rows(s: Any, model: Any, bill_id: str) -> list[dict[str, Any]]:
    cols = [c.key for c in model.__table__.columns]
    return [{c: getattr(r, c) for c in cols}
            for r in s.execute(select(model).where(model.bill_id == bill_id)).scalars()]


def synthesise(db: Path, bills: int) -> list[str]:
    """Import the samples, then clone them as AB 9000, AB 9001, ... until ``bills`` exist."""
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    factory = session_factory(engine)
    ingest_snapshot(factory, read_snapshot(MINI),
                    matcher=load_matcher(PROJECT_ROOT / "config" / "topics.toml"))
    with factory() as s:
        sources = list(s.execute(select(Bill.bill_id).order_by(Bill.bill_id)).scalars())
        measures: list[str] = [s.get(Bill, b).measure for b in sources]  # type: ignore[union-attr]
        for i in range(bills - len(sources)):
            src = sources[i % len(sources)]
            num = 9000 + i
            new_id = f"202520260AB{num}"
            b = {c.key: getattr(s.get(Bill, src), c.key) for c in Bill.__table__.columns}
            b.update(bill_id=new_id, measure_type="AB", measure_num=num, measure=f"AB {num}")
            s.execute(insert(Bill), [b])
            for model, key in ((BillVersion, "bill_version_id"), (BillAuthor, "id"),
                               (BillAction, "id"), (Hearing, "id")):
                rows = _rows(s, model, src)
                for r in rows:
                    r["bill_id"] = new_id
                    if key == "id":
                        r.pop("id")
                    else:
                        r[key] = r[key].replace(src[9:], f"AB{num}")
                    if model is BillAuthor:
                        r["bill_version_id"] = r["bill_version_id"].replace(src[9:], f"AB{num}")
                if rows:
                    s.execute(insert(model), rows)
            if b["latest_version_id"]:
                s.get(Bill, new_id).latest_version_id = b["latest_version_id"].replace(src[9:], f"AB{num}")  # type: ignore[union-attr]
            measures.append(f"AB {num}")
        s.commit()
    engine.dispose()
    return measures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bills", type=int, default=25)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    settings = load_settings()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        measures = synthesise(db, args.bills)
        factory = session_factory(make_engine(f"sqlite:///{db}"))
        ours, floor = [], []
        with factory() as s:
            build_packet(s, measures[:1], settings=settings, as_of=AS_OF)  # warm fonts and templates
            for _ in range(args.repeat):
                start = time.perf_counter()
                packet = build_packet(s, measures, settings=settings, as_of=AS_OF)
                ours.append(time.perf_counter() - start)
                facts = [bill_facts(s, b, settings, AS_OF) for b in packet.bills]
                html = render_sheets_html(facts, packet.levels, settings=settings)
                start = time.perf_counter()
                HTML(string=html, base_url=str(TEMPLATES_DIR) + "/",
                     url_fetcher=LocalOnlyFetcher()).write_pdf()
                floor.append(time.perf_counter() - start)
        best, base = min(ours), min(floor)
        print(f"packet: {len(packet.bills)} bills, {packet.pages} pages, {len(packet.content) / 1024:.0f} KiB")
        print(f"ours:  {best:.2f} s (best of {args.repeat})")
        print(f"floor: {base:.2f} s (WeasyPrint, same HTML)")
        print(f"ratio: {best / base:.2f}  (targets: <= 10 s, ratio <= 1.5)")


if __name__ == "__main__":
    main()

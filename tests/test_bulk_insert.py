"""The ingest's fast insert stores exactly what SQLAlchemy Core would, on both databases."""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import insert, select

from tracker.db import make_engine, session_factory
from tracker.db.bulk import bulk_insert
from tracker.db.migrate import upgrade
from tracker.db.models_core import Bill, LegislativeSession

WHEN = datetime(2026, 3, 4, 5, 6, 7, 890000, tzinfo=timezone.utc)


def bill(number: int, **extra: object) -> dict[str, object]:
    return {"bill_id": f"202520260AB{number}", "session_year": "20252026", "session_num": "0",
            "measure_type": "AB", "measure_num": number, "measure": f"AB {number}",
            "last_action_date": date(2026, 2, 1), "relevance": None, "topics": ["crisis"],
            "created_at": WHEN, "updated_at": WHEN, **extra}


def store_both_ways(db_url: str) -> tuple[list[dict[str, object]], list[dict[str, object]], list[str]]:
    """AB 1/2 written by ``bulk_insert``, AB 11/12 (same values) by Core; read back as rows."""
    engine = make_engine(db_url)
    upgrade(engine)
    table = Bill.__table__
    with session_factory(engine)() as s:
        s.add(LegislativeSession(session_year="20252026", label="2025–26"))
        s.flush()
        for base, write in ((0, "bulk"), (10, "core")):
            rows = [bill(base + 1, relevance={"matched": ["988"], "watched": False}, title=None),
                    bill(base + 2, title="Crisis")]
            if write == "bulk":
                bulk_insert(s, table, rows)
            else:
                s.execute(insert(table), rows)
        s.commit()
        got = {r.bill_id: dict(r._mapping) for r in s.execute(select(table)).all()}
        sql_null = sorted(s.execute(select(table.c.bill_id).where(table.c.relevance.is_(None))).scalars())
    engine.dispose()

    def same(n: int) -> dict[str, object]:
        row = dict(got[f"202520260AB{n}"])
        return {k: v for k, v in row.items() if k not in ("bill_id", "measure_num", "measure")}

    return [same(1), same(2)], [same(11), same(12)], sql_null


def test_bulk_insert_stores_the_same_values_as_core(db_url: str) -> None:
    bulk, core, sql_null = store_both_ways(db_url)
    assert bulk == core
    assert sql_null == []  # a None in a JSON column is JSON null both ways, not SQL NULL


def test_bulk_insert_fills_python_side_defaults(db_url: str) -> None:
    ab2 = store_both_ways(db_url)[0][1]
    assert (ab2["watched"], ab2["relevant"], ab2["history_count"], ab2["incomplete"]) == (False, False, 0, False)
    assert ab2["created_at"] == WHEN and ab2["last_action_date"] == date(2026, 2, 1)


def test_bulk_insert_stores_keys_that_only_some_rows_have(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    with session_factory(engine)() as s:
        s.add(LegislativeSession(session_year="20252026", label="2025–26"))
        s.flush()
        bulk_insert(s, Bill.__table__, [bill(1), bill(2, title="Crisis", stage="floor")])
        s.commit()
        got = s.execute(select(Bill.measure, Bill.title, Bill.stage).order_by(Bill.measure)).all()
    engine.dispose()
    assert [tuple(r) for r in got] == [("AB 1", None, None), ("AB 2", "Crisis", "floor")]

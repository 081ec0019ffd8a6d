"""Fast multi-row INSERT for the ingest: the driver's own ``executemany``, typed by SQLAlchemy.

A first import writes hundreds of thousands of rows. SQLAlchemy's ORM and Core ``insert`` build
and type-process a parameter dictionary per row in Python, which costs more than the database's
own work; here the statement is compiled once per (table, columns) and each row becomes a plain
tuple, with SQLAlchemy's own bind processors (dates and timestamps on SQLite, JSON everywhere)
applied only to the columns that have one. The SQL and the stored values are exactly what Core
would have produced, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Table, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

Processor = Callable[[Any], Any]


def _memoised(proc: Processor) -> Processor:
    """Dates and timestamps repeat (one ``now`` per batch, a few hundred action dates)."""
    cache: dict[Any, Any] = {}

    def run(value: Any) -> Any:
        try:
            return cache[value]
        except KeyError:
            out = cache[value] = proc(value)
            return out

    return run


@lru_cache(maxsize=64)
def _plan(table: Table, columns: tuple[str, ...], dialect: Dialect) -> tuple[str, tuple[str, ...], tuple[tuple[int, Processor, bool], ...], bool]:
    compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
    positional = bool(compiled.positiontup)
    order = tuple(compiled.positiontup) if positional else tuple(columns)
    processors: list[tuple[int, Processor, bool]] = []
    for pos, name in enumerate(order):
        col_type = table.c[name].type
        proc = col_type.dialect_impl(dialect).bind_processor(dialect)
        if proc is not None:
            processors.append((pos, proc, not isinstance(col_type, JSON)))
    return str(compiled), order, tuple(processors), positional


def _defaults(table: Table, given: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for col in table.columns:
        d = col.default
        if col.name in given or d is None or not (d.is_scalar or d.is_callable):
            continue
        out[col.name] = d.arg if d.is_scalar else d.arg(None)  # type: ignore[union-attr]
    return out


def bulk_insert(s: Session, table: Table, rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None,
                constants: dict[str, Any] | None = None) -> int:
    """Insert ``rows`` (dicts; missing keys are NULL) in one ``executemany``; returns the count.

    Python-side column defaults (``default=``) fill the columns a row leaves out, evaluated once
    per call, as Core would for a multi-row insert; ``constants`` give such columns one value of
    the caller's instead (the import's own time, shared by the rows and events of one transaction).
    """
    if not rows:
        return 0
    given = set(columns) if columns is not None else set().union(*(r.keys() for r in rows))
    defaults = _defaults(table, given) | (constants or {})
    cols = tuple(sorted(given | defaults.keys()))
    if defaults or any(len(r) != len(given) for r in rows):
        base = dict.fromkeys(given) | defaults  # a row that leaves a column out stores NULL
        rows = [base | r for r in rows]
    conn = s.connection()
    sql, order, plan, positional = _plan(table, cols, conn.dialect)
    processors = [(pos, _memoised(proc) if memo else proc) for pos, proc, memo in plan]
    get = itemgetter(*order) if len(order) > 1 else (lambda r, k=order[0]: (r[k],))
    raw = [get(r) for r in rows]
    params: list[Any] = raw
    if processors:  # applied to None too, exactly as Core does (JSON stores null, not NULL)
        params = []
        for values in raw:
            lst = list(values)
            for pos, proc in processors:
                lst[pos] = proc(lst[pos])
            params.append(tuple(lst))
    if not positional:
        params = [dict(zip(order, p)) for p in params]
    conn.exec_driver_sql(sql, params)
    return len(params)

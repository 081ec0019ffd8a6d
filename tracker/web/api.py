"""Read-only JSON API and its OpenAPI 3.1 document (hand-built: four endpoints, no magic).

Everything here is public information from the legislature plus our published positions; no
subscriber data is ever reachable through it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tracker.alerts.notices import public_events
from tracker.db.models_core import ChangeEvent
from tracker.queries import bill_detail, export_bills
from tracker.web import data, integrations
from tracker.web.context import db
from tracker.web.pages import lookup_bill


def jsonable(value: Any) -> Any:
    """Dates to ISO strings, tuples to lists, recursively."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def _json(body: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(jsonable(body), status_code=status, headers={"access-control-allow-origin": "*"})


def _int(request: Request, name: str, default: int, lo: int, hi: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        return min(max(int(raw), lo), hi)
    except ValueError:
        raise HTTPException(400, f"{name} must be a whole number") from None


async def api_bills(request: Request) -> JSONResponse:
    """List bills (tracked ones unless ?all=1); filter with ?topic=, ?stage= and ?position=.

    Tracked means relevant, watched, or with a position: the same rule as the matrix.
    """
    p = request.query_params
    with db(request) as s:
        rows = export_bills(s)
        positions = integrations.positions_for(s, [r["bill_id"] for r in rows])
    if p.get("all") != "1":
        rows = [r for r in rows if r["relevant"] or r["watched"] or r["bill_id"] in positions]
    if p.get("position"):
        rows = [r for r in rows if (positions.get(r["bill_id"]) or {}).get("position") == p["position"]]
    if p.get("topic"):
        rows = [r for r in rows if p["topic"] in r["topics"]]
    if p.get("stage"):
        rows = [r for r in rows if r["stage"] == p["stage"]]
    for r in rows:
        r["position"] = (positions.get(r["bill_id"]) or {}).get("position")
        r["url"] = f"/bills/{data.measure_slug(r['measure'])}"
    return _json({"count": len(rows), "bills": rows})


async def api_bill(request: Request) -> JSONResponse:
    """One bill with versions, history, votes, hearings and our position."""
    with db(request) as s:
        bill_id = lookup_bill(request, s, request.path_params["measure"])
        d = bill_detail(s, bill_id)
        pos = integrations.get_position(s, bill_id)
    d["position"] = None if pos is None else {k: pos.get(k) for k in
                                              ("position", "ask", "summary", "why", "talking_points")}
    return _json(d)


async def api_events(request: Request) -> JSONResponse:
    """Change events, oldest first, after ``since_id`` (for incremental polling)."""
    since = _int(request, "since_id", 0, 0, 2**62)
    limit = _int(request, "limit", 100, 1, 1000)
    with db(request) as s:
        # Delivery notices are about members, for staff only: never in the public API.
        rows = s.execute(select(ChangeEvent).where(ChangeEvent.id > since, public_events())
                         .order_by(ChangeEvent.id).limit(limit)).scalars()
        events = [{"id": e.id, "bill_id": e.bill_id, "kind": e.kind, "summary": e.summary,
                   "created_at": e.created_at} for e in rows]
    return _json({"count": len(events), "events": events,
                  "next_since_id": events[-1]["id"] if events else since})


async def api_hearings(request: Request) -> JSONResponse:
    """Upcoming hearings for tracked bills, including canceled ones (with their status)."""
    with db(request) as s:
        rows = data.upcoming_hearings(s, include_cancelled=True)
    for h in rows:
        h.pop("topics", None)
    return _json({"count": len(rows), "hearings": rows})


def _op(summary: str, params: list[dict[str, Any]], schema: str) -> dict[str, Any]:
    return {"get": {"summary": summary, "parameters": params,
                    "responses": {"200": {"description": "OK", "content": {"application/json": {
                        "schema": {"$ref": f"#/components/schemas/{schema}"}}}},
                                  "404": {"description": "Not found"}}}}


def _q(name: str, typ: str, desc: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": {"type": typ}, "description": desc}


def openapi_document(base_url: str) -> dict[str, Any]:
    obj = {"type": "object", "additionalProperties": True}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Capitol Watch API", "version": "1",
                 "description": "Read-only data on California behavioral-health bills."},
        "servers": [{"url": base_url}],
        "paths": {
            "/api/bills": _op("List tracked bills", [_q("all", "string", "1 = every bill, not only tracked"),
                                                    _q("topic", "string", "topic id"),
                                                    _q("stage", "string", "stage key")], "BillList"),
            "/api/bills/{measure}": {"get": {**_op("One bill", [], "Bill")["get"], "parameters": [
                {"name": "measure", "in": "path", "required": True, "schema": {"type": "string"},
                 "description": "e.g. AB-13"}]}},
            "/api/events": _op("Change events", [_q("since_id", "integer", "only events after this id"),
                                                 _q("limit", "integer", "at most 1000")], "EventList"),
            "/api/hearings": _op("Upcoming hearings", [], "HearingList"),
        },
        "components": {"schemas": {
            "Bill": obj,
            "BillList": {"type": "object", "properties": {"count": {"type": "integer"},
                                                          "bills": {"type": "array", "items": obj}}},
            "EventList": {"type": "object", "properties": {"count": {"type": "integer"},
                                                           "next_since_id": {"type": "integer"},
                                                           "events": {"type": "array", "items": obj}}},
            "HearingList": {"type": "object", "properties": {"count": {"type": "integer"},
                                                             "hearings": {"type": "array", "items": obj}}},
        }},
    }


async def openapi(request: Request) -> JSONResponse:
    return _json(openapi_document(request.app.state.settings.public_base_url))


ROUTES = [
    Route("/api/bills", api_bills),
    Route("/api/bills/{measure}", api_bill),
    Route("/api/events", api_events),
    Route("/api/hearings", api_hearings),
    Route("/api/openapi.json", openapi),
]

"""The replica's HTTP app (Starlette): public pages, bulk zips, calendars, control API.

Every public response carries an ETag (hash of the body) and Last-Modified, and answers
``If-None-Match`` / ``If-Modified-Since`` with 304, like a well-behaved server would; the
tracker's conditional GETs are measured against it. ``GET /_replica/stats`` counts requests
per path so tests can assert exactly what a poll fetched; ``GET /_replica/requests`` lists each
page request in order (when, path, query, and the status of an injected fault that answered it)
so a test can see what followed a 429 and how long after.
"""

from __future__ import annotations

import asyncio
import hashlib
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from tracker.items import BILL_ID_RE, bill_id_of
from tracker.replica import calendars, pages
from tracker.replica.datwriter import write_zip
from tracker.replica.faults import (
    ERROR_PAGE,
    FORBIDDEN_PAGE,
    MAINTENANCE_PAGE,
    Fault,
    FaultTable,
    change_layout,
)
from tracker.replica.state import ReplicaState

BILL_PAGES = {
    "billStatusClient": pages.status_page,
    "billHistoryClient": pages.history_page,
    "billVotesClient": pages.votes_page,
    "billTextClient": pages.text_page,
    "billNavClient": pages.text_page,
}
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class Replica:
    """State + faults + counters, shared by the request handlers."""

    def __init__(self, pubinfo_dir: Path, scale: int = 0) -> None:
        self.state = ReplicaState(pubinfo_dir, scale=scale)
        self.faults = FaultTable()
        self.stats: Counter[str] = Counter()
        self.stats_lock = threading.Lock()
        self.arrivals: list[float] = []  # when each page request (not robots.txt) arrived
        self.requests: list[dict[str, Any]] = []  # the same requests: path, query, fault status
        self.zip_dir = Path(tempfile.mkdtemp(prefix="replica-zips-"))
        self._zips: dict[str, tuple[int, Path]] = {}
        self.instance = uuid.uuid4().hex[:8]  # a restarted replica never matches old ETags

    def bill_id(self, value: str) -> str:
        value = value.strip()
        return value if BILL_ID_RE.match(value) else bill_id_of(value, self.state.session_year)

    def zip_for(self, delta: bool, broken: bool = False) -> Path:
        key = ("delta" if delta else "daily") + ("-broken" if broken else "")
        with self.state.lock:
            cached = self._zips.get(key)
            if cached and cached[0] == self.state.generation and cached[1].exists():
                return cached[1]
            path = self.zip_dir / f"{key}-{self.state.generation}.zip"
            write_zip(self.state, path, only_changed=delta, broken=broken)
            self._zips[key] = (self.state.generation, path)
            return path


def _http_date(dt: datetime) -> str:
    return format_datetime(dt.astimezone(timezone.utc), usegmt=True)


def _not_modified(request: Request, etag: str, modified: datetime) -> bool:
    inm = request.headers.get("if-none-match")
    if inm is not None:
        return etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
    ims = request.headers.get("if-modified-since")
    if ims:
        try:
            return modified.replace(microsecond=0) <= parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
    return False


async def _apply_faults(request: Request, replica: Replica) -> tuple[Response | None, set[str]]:
    """Returns an error response to send instead, and body transformations to apply."""
    transforms: set[str] = set()
    for fault in replica.faults.take(request.url.path):
        if fault.kind == "latency":
            await asyncio.sleep(fault.seconds)
        elif fault.kind == "status":
            return Response(ERROR_PAGE, status_code=fault.status, media_type="text/html"), transforms
        elif fault.kind == "forbidden":
            return Response(FORBIDDEN_PAGE, status_code=403, media_type="text/html"), transforms
        elif fault.kind == "maintenance":
            return Response(MAINTENANCE_PAGE, status_code=fault.status, media_type="text/html"), transforms
        elif fault.kind == "rate_limit":
            headers = {"Retry-After": str(int(fault.retry_after or 1))}
            return PlainTextResponse("Too Many Requests", status_code=429, headers=headers), transforms
        else:
            transforms.add(fault.kind)
    return None, transforms


def _html(request: Request, body: str, modified: datetime, transforms: set[str]) -> Response:
    if "layout" in transforms:
        body = change_layout(body)
    data = body.encode("cp1252", errors="replace") if "mis_encoded" in transforms else body.encode("utf-8")
    if "truncate" in transforms:
        data = data[: len(data) // 2]
    etag = '"' + hashlib.sha1(data).hexdigest()[:20] + '"'
    headers = {"ETag": etag, "Last-Modified": _http_date(modified), "Cache-Control": "no-cache"}
    if _not_modified(request, etag, modified):
        return Response(status_code=304, headers=headers)
    return Response(data, media_type="text/html; charset=UTF-8", headers=headers)


def build_app(replica: Replica) -> Starlette:
    state = replica.state

    async def counted(request: Request) -> tuple[Response | None, set[str]]:
        entry: dict[str, Any] = {"at": time.monotonic(), "path": request.url.path,
                                 "query": request.url.query, "fault_status": None}
        with replica.stats_lock:
            replica.stats[request.url.path] += 1
            replica.arrivals.append(entry["at"])
            replica.requests.append(entry)
        early, transforms = await _apply_faults(request, replica)
        if early is not None:
            entry["fault_status"] = early.status_code
        return early, transforms

    async def faces(request: Request) -> Response:
        early, transforms = await counted(request)
        if early:
            return early
        name = request.path_params["page"]
        with state.lock:
            if name == "billSearchClient":
                return _html(request, pages.search_page(state), state.modified, transforms)
            render = BILL_PAGES.get(name)
            bill = state.bills.get(request.query_params.get("bill_id", ""))
            if render is None or bill is None:
                return Response("<html><body>Not found</body></html>", 404, media_type="text/html")
            return _html(request, render(bill, state), bill.modified, transforms)

    async def pubinfo(request: Request) -> Response:
        early, transforms = await counted(request)
        if early:
            return early
        broken = "bad_extract" in transforms
        name = request.path_params["name"]
        daily = name.startswith("pubinfo_daily_") and name[14:17] in DAYS
        delta = not daily and name.startswith("pubinfo_") and name[8:11] in DAYS[:6]
        if not (daily or delta):
            return PlainTextResponse("not found", 404)
        with state.lock:
            etag = f'"{replica.instance}-{state.generation}-{"daily" if daily else "delta"}{"-broken" if broken else ""}"'
            modified = state.modified
        headers = {"ETag": etag, "Last-Modified": _http_date(modified)}
        if _not_modified(request, etag, modified):
            return Response(status_code=304, headers=headers)
        path = await asyncio.to_thread(replica.zip_for, delta, broken)
        if "no_range" in transforms:  # a server that ignores Range: always the whole file, 200
            return Response(await asyncio.to_thread(path.read_bytes), media_type="application/zip", headers=headers)
        return FileResponse(path, media_type="application/zip", headers=headers)

    async def senate(request: Request) -> Response:
        early, transforms = await counted(request)
        if early:
            return early
        try:
            start = date.fromisoformat(request.query_params.get("startDate", ""))
            end = date.fromisoformat(request.query_params.get("endDate", ""))
        except ValueError:
            start, end = date.today(), date.today() + timedelta(days=30)
        with state.lock:
            page = calendars.senate_calendar(state, start, end, agenda_modal="agenda_modal" in transforms)
            return _html(request, page, state.modified, transforms)

    async def assembly(request: Request) -> Response:
        early, transforms = await counted(request)
        if early:
            return early
        with state.lock:
            return _html(request, calendars.assembly_daily_file(state, date.today()), state.modified, transforms)

    async def agenda(request: Request) -> Response:
        early, transforms = await counted(request)
        if early:
            return early
        hearing = state.hearings.get(int(request.path_params["hid"]))
        if hearing is None:
            return PlainTextResponse("not found", 404)
        body = calendars.assembly_agenda(hearing)
        if "layout" in transforms:
            body = change_layout(body)
        return Response(body, media_type="text/html; charset=UTF-8")

    async def robots(request: Request) -> Response:
        with replica.stats_lock:
            replica.stats[request.url.path] += 1
        failed, _ = await _apply_faults(request, replica)  # robots.txt can be down too
        if failed is not None:
            return failed
        lines = ["User-agent: *"] + [f"Disallow: {p}" for p in replica.faults.disallowed()]
        if len(lines) == 1:
            lines.append("Disallow:")
        delay = replica.faults.crawl_delay()
        if delay is not None:
            lines.append(f"Crawl-delay: {delay:g}")
        return PlainTextResponse("\n".join(lines) + "\n")

    async def control(request: Request) -> Response:
        action = request.path_params["action"]
        try:
            data: dict[str, Any] = await request.json() if await request.body() else {}
            result = _control(replica, action, data)
        except (KeyError, ValueError, TypeError) as exc:
            return JSONResponse({"error": f"{type(exc).__name__}: {exc}"}, status_code=400)
        return JSONResponse({"ok": True, **result})

    async def stats(request: Request) -> Response:
        with replica.stats_lock:
            return JSONResponse(dict(replica.stats))

    async def requests(request: Request) -> Response:
        """Every page request in arrival order (robots.txt not counted)."""
        with replica.stats_lock:
            return JSONResponse([dict(e) for e in replica.requests])

    async def arrivals(request: Request) -> Response:
        """Seconds between consecutive page requests: how polite the crawler was."""
        with replica.stats_lock:
            times = list(replica.arrivals)
        return JSONResponse([round(b - a, 3) for a, b in zip(times, times[1:])])

    return Starlette(routes=[
        Route("/faces/{page}.xhtml", faces),
        Route("/pubinfo/{name}", pubinfo),
        Route("/senate/calendar", senate),
        Route("/assembly/schedules-publications/daily-file", assembly),
        Route("/assembly/api/dailyfile/agenda/{hid:int}", agenda),
        Route("/robots.txt", robots),
        Route("/_replica/stats", stats, methods=["GET"]),
        Route("/_replica/arrivals", arrivals, methods=["GET"]),
        Route("/_replica/requests", requests, methods=["GET"]),
        Route("/_replica/{action:path}", control, methods=["POST"]),
    ])


def _day(data: dict[str, Any], key: str = "date") -> date | None:
    return date.fromisoformat(data[key]) if data.get(key) else None


def _control(replica: Replica, action: str, data: dict[str, Any]) -> dict[str, Any]:
    state = replica.state
    if action == "action":
        state.add_action(replica.bill_id(data["bill_id"]), data["action"], _day(data),
                         status=data.get("status"), location=data.get("location"))
        return {}
    if action == "amend":
        vid = state.amend(replica.bill_id(data["bill_id"]), title=data.get("title"),
                          subject=data.get("subject"), digest=data.get("digest"),
                          text=data.get("text"), action=data.get("action"), when=_day(data))
        return {"version_id": vid}
    if action == "hearing":
        hid = state.set_hearing(data.get("chamber", "senate"), data["committee"], _day(data) or date.today(),
                                [replica.bill_id(b) for b in data["bill_ids"]],
                                time=data.get("time", "1:30 p.m."), room=data.get("room", "1021 O Street, Room 1200"))
        return {"id": hid}
    if action == "hearing/move":
        state.move_hearing(int(data["id"]), _day(data) or date.today())
        return {}
    if action == "hearing/cancel":
        state.cancel_hearing(int(data["id"]), data.get("status", "canceled"))
        return {}
    if action == "hearing/drop":
        state.drop_hearing(int(data["id"]), [replica.bill_id(b) for b in data["bill_ids"]]
                           if data.get("bill_ids") else None)
        return {}
    if action == "vote":
        state.record_vote(replica.bill_id(data["bill_id"]), location=data.get("location", "Committee"),
                          ayes=list(data.get("ayes", [])), noes=list(data.get("noes", [])),
                          nvr=list(data.get("nvr", [])), motion=data.get("motion", "Do pass"),
                          when=_day(data), location_code=data.get("location_code", "CX00"))
        return {}
    if action == "fault":
        replica.faults.add(Fault.from_json(data))
        return {}
    if action == "faults/clear":
        replica.faults.clear()
        return {}
    if action == "stats/reset":
        with replica.stats_lock:
            replica.stats.clear()
            replica.arrivals.clear()
            replica.requests.clear()
        return {}
    if action == "reset":
        state.reset()
        replica.faults.clear()
        with replica.stats_lock:
            replica.stats.clear()
            replica.arrivals.clear()
            replica.requests.clear()
        return {}
    raise KeyError(f"unknown control action {action!r}")

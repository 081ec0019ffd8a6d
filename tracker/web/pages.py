"""Public pages: home, bill list, bill page, topics, legislators and the legislative matrix."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from tracker.db.models_core import Bill, Legislator
from tracker.errors import TrackerError
from tracker.queries import bill_detail, find_bill_id
from tracker.web import data, integrations
from tracker.web.context import db, get_lang, render
from tracker.web.diffing import digest_diff
from tracker.web.stages import progress

LEGINFO = "https://leginfo.legislature.ca.gov/faces/billNavClient.xhtml?bill_id="
POSITIONS = ["support", "support_if_amended", "oppose", "oppose_unless_amended", "neutral", "watch"]


def topic_labels(request: Request) -> dict[str, str]:
    """Topic id → label in the page language (cached per app)."""
    lang = get_lang(request)
    cache = request.app.state.topic_cache
    if lang not in cache:
        key = "label_es" if lang == "es" else "label"
        cache[lang] = {t["id"]: t[key] for t in integrations.topics(request.app.state.settings.topics_path)}
    return dict(cache[lang])


def lookup_bill(request: Request, s: Any, measure: str) -> str:
    try:
        return find_bill_id(s, measure, request.app.state.settings.session_year)
    except TrackerError:
        raise HTTPException(404, "We could not find that bill.") from None


async def home(request: Request) -> HTMLResponse:
    with db(request) as s:
        changes = data.recent_changes(s, limit=8)
        hearings = data.upcoming_hearings(s)[:8]
    return render(request, "web/home.html", changes=changes, hearings=hearings,
                  topics=topic_labels(request))


def _filters(request: Request) -> data.BillFilters:
    p = request.query_params
    try:
        page = max(int(p.get("page", "1")), 1)
    except ValueError:
        page = 1
    return data.BillFilters(q=p.get("q", "")[:100], topic=p.get("topic", ""), stage=p.get("stage", ""),
                            position=p.get("position", ""), house=p.get("house", ""),
                            scope="all" if p.get("scope") == "all" else "tracked", page=page)


async def bill_list(request: Request) -> HTMLResponse:
    f = _filters(request)
    size = request.app.state.settings.web.page_size
    with db(request) as s:
        if f.position:
            ids = list(s.execute(select(Bill.bill_id)).scalars())
            positions = integrations.positions_for(s, ids)
            rows, total = data.list_bills(s, f, size, positions)
        else:
            rows, total = data.list_bills(s, f, size)
            positions = integrations.positions_for(s, [b.bill_id for b in rows])
        stages = data.stages_in_use(s)
    bills = [{"bill": b, "slug": data.measure_slug(b.measure), "house": data.house_of(b),
              "position": (positions.get(b.bill_id) or {}).get("position")} for b in rows]
    pages = max((total + size - 1) // size, 1)
    return render(request, "web/bills.html", bills=bills, total=total, f=f, stages=stages,
                  topics=topic_labels(request), positions=POSITIONS, pages=pages,
                  query_base=_query_without_page(request))


def _query_without_page(request: Request) -> str:
    from urllib.parse import urlencode

    return urlencode([(k, v) for k, v in request.query_params.multi_items() if k not in ("page",)])


async def bill_page(request: Request) -> Response:
    measure = request.path_params["measure"]
    with db(request) as s:
        bill_id = lookup_bill(request, s, measure)
        d = bill_detail(s, bill_id)
        position = integrations.get_position(s, bill_id)
        changes = data.recent_changes(s, limit=10, bill_id=bill_id)
    slug = data.measure_slug(d["measure"])
    if measure != slug:
        return RedirectResponse(f"/bills/{slug}", status_code=301)
    # Oldest first by date; PUBINFO numbers versions downwards, so ties keep the reversed order.
    versions = sorted(reversed(d["versions"]), key=lambda v: v["date"] or date.min)
    diffs = []
    for older, newer in zip(versions, versions[1:]):
        diffs.append({"old": older, "new": newer, "lines": digest_diff(older["digest"], newer["digest"])})
    diffs.reverse()
    latest = versions[-1] if versions else None
    origin = "Assembly" if d["measure"].upper().startswith("A") else "Senate"
    return render(request, "web/bill.html", d=d, slug=slug, position=position, changes=changes,
                  steps=progress(d["stage"], origin, d["current_house"]), diffs=diffs, latest=latest,
                  official_url=LEGINFO + d["bill_id"], topics=topic_labels(request))


async def topic_index(request: Request) -> HTMLResponse:
    with db(request) as s:
        counts = data.topic_counts(s)
    labels = topic_labels(request)
    ids = list(labels) + sorted(t for t in counts if t not in labels)
    return render(request, "web/topics.html", topics=[{"id": t, "label": labels.get(t, t),
                                                      "count": counts.get(t, 0)} for t in ids])


async def topic_page(request: Request) -> HTMLResponse:
    tid = request.path_params["topic"]
    labels = topic_labels(request)
    with db(request) as s:
        rows, total = data.list_bills(s, data.BillFilters(topic=tid), 500)
        changes = data.recent_changes(s, limit=10, topic=tid)
        if tid not in labels and not rows:
            raise HTTPException(404, "We could not find that topic.")
        positions = integrations.positions_for(s, [b.bill_id for b in rows])
    bills = [{"bill": b, "slug": data.measure_slug(b.measure), "house": data.house_of(b),
              "position": (positions.get(b.bill_id) or {}).get("position")} for b in rows]
    return render(request, "web/topic.html", tid=tid, label=labels.get(tid, tid), bills=bills,
                  changes=changes, topics=labels)


async def legislator_index(request: Request) -> HTMLResponse:
    with db(request) as s:
        people = data.legislators(s, request.app.state.settings.session_year)
    return render(request, "web/legislators.html", people=people)


async def legislator_page(request: Request) -> HTMLResponse:
    with db(request) as s:
        person = s.get(Legislator, request.path_params["id"])
        if person is None:
            raise HTTPException(404, "We could not find that legislator.")
        bills = data.legislator_bills(s, person.author_name)
    return render(request, "web/legislator.html", person=person, bills=bills)


MATRIX_COLUMNS = ["measure", "subject", "implications", "status", "introduced", "last_amended", "position"]


def _sort_key(value: Any) -> tuple[int, str]:
    return (1, "") if value in (None, "") else (0, str(value).lower())


async def matrix(request: Request) -> HTMLResponse:
    sort = request.query_params.get("sort", "")
    desc = request.query_params.get("dir") == "desc"
    with db(request) as s:
        rows = integrations.matrix_rows(s)
    columns = [c for c in MATRIX_COLUMNS if not rows or c in rows[0]] or MATRIX_COLUMNS
    if rows:
        columns += [c for c in rows[0] if c not in columns and c not in ("bill_id", "slug", "group")]
    if sort in columns:
        rows = sorted(rows, key=lambda r: _sort_key(r.get(sort)), reverse=desc)
    for r in rows:
        r.setdefault("slug", data.measure_slug(str(r.get("measure") or r.get("bill") or "")))
    return render(request, "web/matrix.html", rows=rows, columns=columns, sort=sort, desc=desc)


ROUTES = [
    Route("/", home),
    Route("/bills", bill_list),
    Route("/bills/{measure}", bill_page),
    Route("/topics", topic_index),
    Route("/topics/{topic}", topic_page),
    Route("/legislators", legislator_index),
    Route("/legislators/{id:int}", legislator_page),
    Route("/matrix", matrix),
]

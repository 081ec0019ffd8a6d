"""Staff area: triage new matches, set positions and talking points, build a packet PDF (with a
legislator's cover page for an Advocacy Day visit).

Every route checks the signed staff session; anonymous GETs go to the login page and
anonymous POSTs are refused outright. Positions are written only through the advocacy module.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from tracker.advocacy.facts import session_label
from tracker.advocacy.positions import MAX_TALKING_POINTS
from tracker.db.models_core import Bill
from tracker.queries import tracked
from tracker.errors import TrackerError
from tracker.web import auth, csrf, data, integrations
from tracker.web.context import db, finish, get_lang, gettext, render
from tracker.web.page_errors import PageError
from tracker.web.pages import POSITIONS, lookup_bill, topic_labels
from tracker.web.subscribe import client_ip
from tracker.clock import local_today


def _require(request: Request, s: Any) -> Any:
    user = auth.current_user(request, s)
    if user is None:
        if request.method == "GET":
            raise HTTPException(303, "login required", headers={"location": "/staff/login"})
        raise PageError(403, "Please log in first.", title="Please log in")
    request.state.staff_user = user.username
    return user


async def login_form(request: Request) -> Response:
    return render(request, "web/staff/login.html", error=None)


def login_key(request: Request, username: str) -> str:
    """What wrong passwords are counted against: this username from this address.

    Counting per address alone let anyone sharing it (a venue's Wi-Fi, or everyone at once
    behind an untrusted proxy) lock staff out with ten wrong guesses; counting per username
    alone would let anyone anywhere do the same. Per pair, a guesser only locks themself out.
    """
    return f"{username.strip().lower()[:80]}\n{client_ip(request)}"


async def login_post(request: Request) -> Response:
    form = await request.form()
    csrf.verify(request, form)
    username = str(form.get("username") or "")
    key = login_key(request, username)
    limiter = request.app.state.login_ip
    if limiter.full(key):
        return render(request, "web/staff/login.html", status_code=429,
                      error=gettext(request, "Too many attempts. Please wait 15 minutes."))
    with db(request) as s:
        user = auth.authenticate(s, username, str(form.get("password") or ""))
        if user is None:
            limiter.hit(key)
            return render(request, "web/staff/login.html", status_code=401,
                          error=gettext(request, "That username and password do not match."))
        s.commit()
        limiter.forget(key)
        response = RedirectResponse("/staff", status_code=303)
        auth.login(request, response, user)
    return finish(request, response)


async def logout(request: Request) -> Response:
    form = await request.form()
    csrf.verify(request, form)
    response = RedirectResponse("/", status_code=303)
    auth.logout(response)
    return response


async def triage(request: Request) -> Response:
    """Relevant bills with no position yet (the decisions waiting), then those decided."""
    with db(request) as s:
        _require(request, s)
        bills = list(s.execute(select(Bill).where(tracked())
                               .order_by(Bill.relevance_score.desc(), Bill.measure_num)).scalars())
        positions = integrations.positions_for(s, [b.bill_id for b in bills])
    undecided = [{"bill": b, "slug": data.measure_slug(b.measure)} for b in bills if b.bill_id not in positions]
    decided = [{"bill": b, "slug": data.measure_slug(b.measure), "position": positions[b.bill_id]["position"]}
               for b in bills if b.bill_id in positions]
    return render(request, "web/staff/triage.html", undecided=undecided, decided=decided,
                  topics=topic_labels(request))


def _lines(text: str) -> list[str]:
    return [line.strip(" -•\t") for line in text.splitlines() if line.strip(" -•\t")]


def _names(text: str) -> list[str]:
    """Supporters or opponents as typed: one per line, or separated by ';' as in the positions
    spreadsheet (a list pasted from it must not become one long name on the sheet)."""
    return [name for line in _lines(text) for name in (part.strip() for part in line.split(";")) if name]


#: The position record's fields the form edits, as the printed sheet uses them.
TEXT_INPUTS = ("ask", "summary", "why", "contact", "story_prompt")


def _typed(form: FormData) -> dict[str, Any]:
    """The position as typed in the form, in the shapes ``set_position`` takes."""
    fields: dict[str, Any] = {"position": str(form.get("position") or "").strip()}
    fields.update({name: str(form.get(name) or "") for name in TEXT_INPUTS})
    fields["talking_points"] = _lines(str(form.get("talking_points") or ""))
    fields["supporters"] = _names(str(form.get("supporters") or ""))
    fields["opponents"] = _names(str(form.get("opponents") or ""))
    return fields


async def position_form(request: Request) -> Response:
    with db(request) as s:
        _require(request, s)
        bill_id = lookup_bill(request, s, request.path_params["measure"])
        bill = s.get(Bill, bill_id)
        pos = integrations.get_position(s, bill_id) or {}
    return render(request, "web/staff/position.html", bill=bill, slug=data.measure_slug(bill.measure),
                  pos=pos, positions=POSITIONS, error=None, saved=False)


def _form_problem(request: Request, fields: dict[str, Any]) -> str | None:
    """What must change before the form can be saved, in the page language, or None.

    An undecided bill's form opens on the empty choice, so a save without choosing is refused
    here rather than stored as whatever the list happened to show first.
    """
    if not fields["position"]:
        return gettext(request, "Please choose our position before saving (or leave the page: "
                                "the bill stays undecided).")
    if len(fields["talking_points"]) > MAX_TALKING_POINTS:
        return gettext(request, "Please keep to %(n)s talking points (one per line): more do not fit "
                                "on the printed sheet.") % {"n": MAX_TALKING_POINTS}
    return None


async def position_post(request: Request) -> Response:
    """Save a position; when it cannot be saved, show the form again with what was typed."""
    form = await request.form()
    with db(request) as s:
        user = _require(request, s)
        csrf.verify(request, form)
        bill_id = lookup_bill(request, s, request.path_params["measure"])
        bill = s.get(Bill, bill_id)
        assert bill is not None
        # Read now: after a rollback the row is expired, and the page renders after the session closes.
        shown = {"measure": bill.measure, "title": bill.title}
        fields = _typed(form)
        error = _form_problem(request, fields)
        if error is None:
            try:
                integrations.set_position(s, bill_id, changed_by=f"web:{user.username}", **fields)
                s.commit()
            except TrackerError as exc:
                s.rollback()
                error = str(exc)
        pos = fields if error else (integrations.get_position(s, bill_id) or fields)
    request.app.state.freshness_cache = None
    return render(request, "web/staff/position.html", status_code=400 if error else 200, bill=shown,
                  slug=data.measure_slug(shown["measure"]), pos=pos,
                  positions=POSITIONS, error=error, saved=error is None)


def packet_builder() -> Callable[..., Any] | None:
    """The advocacy module's ``build_packet`` (None while that module is missing)."""
    try:
        mod = importlib.import_module("tracker.advocacy.packet")
    except ImportError:
        return None
    return getattr(mod, "build_packet", None)


def _packet_rows(request: Request, s: Session, chosen: list[str] | None) -> list[dict[str, Any]]:
    """The bills the packet form offers, with their position and, for a bill of another session
    than the configured one, that session: 'SBX1 1 (Support)' from a 1999 archive is not this
    year's SBX1 1. Pre-checked: ``chosen`` when the form comes back, else this session's bills
    with a position (an old bill is added only on purpose)."""
    current = request.app.state.settings.session_year
    bills = list(s.execute(select(Bill).where(tracked())
                           .order_by(Bill.session_year.desc(), Bill.measure_type, Bill.measure_num)).scalars())
    positions = integrations.positions_for(s, [b.bill_id for b in bills])
    rows = []
    for b in bills:
        position = (positions.get(b.bill_id) or {}).get("position")
        other = b.session_year != current
        checked = b.bill_id in chosen if chosen is not None else bool(position) and not other
        rows.append({"bill": b, "position": position, "checked": checked,
                     "session": session_label(b.session_year) if other else None})
    return rows


async def packet_form(request: Request) -> Response:
    with db(request) as s:
        _require(request, s)
        rows = _packet_rows(request, s, None)
    return render(request, "web/staff/packet.html", rows=rows, available=packet_builder() is not None,
                  legislator="", error=None)


async def packet_post(request: Request) -> Response:
    """The packet PDF; a legislator's name adds their cover page (as ``tracker packet
    --legislator``). A name or choice the builder refuses shows the form again with what was
    chosen and typed, so staff fix one word instead of ticking every bill again."""
    form = await request.form()
    builder = packet_builder()
    legislator = " ".join(str(form.get("legislator") or "").split())
    with db(request) as s:
        _require(request, s)
        csrf.verify(request, form)
        chosen = [b for b in (s.get(Bill, str(x)) for x in form.getlist("bills")) if b is not None]
        if builder is None:
            raise HTTPException(503, "The packet builder is not installed yet.")
        error = None if chosen else gettext(request, "Please choose at least one bill.")
        if error is None:
            try:  # bill ids, not numbers: a checked 1999 SBX1 1 is never swapped for this year's
                packet = builder(s, [b.bill_id for b in chosen], settings=request.app.state.settings,
                                 as_of=local_today(), legislator=legislator or None,
                                 lang=get_lang(request), fmt="pdf")
            except TrackerError as exc:
                error = str(exc)
        if error is not None:
            rows = _packet_rows(request, s, [b.bill_id for b in chosen])
            return render(request, "web/staff/packet.html", status_code=400, rows=rows, available=True,
                          legislator=legislator, error=error)
    return Response(packet.content, media_type="application/pdf",
                    headers={"content-disposition": 'attachment; filename="packet.pdf"',
                             "cache-control": "no-store"})


ROUTES = [
    Route("/staff/login", login_form, methods=["GET"]),
    Route("/staff/login", login_post, methods=["POST"]),
    Route("/staff/logout", logout, methods=["POST"]),
    Route("/staff", triage, methods=["GET"]),
    Route("/staff/bills/{measure}", position_form, methods=["GET"]),
    Route("/staff/bills/{measure}", position_post, methods=["POST"]),
    Route("/staff/packet", packet_form, methods=["GET"]),
    Route("/staff/packet", packet_post, methods=["POST"]),
]

"""Member subscriptions: subscribe, confirm, preferences, unsubscribe, delete my data.

All state changes go through the alerts module (``tracker.alerts.subscriptions``) and its
signed tokens; this module only turns HTTP into those calls. Rules that matter here:

* every form carries a CSRF token, except the RFC 8058 one-click POST from a mail client,
  which cannot carry one: there the signed token in the URL is the authorisation;
* a GET never changes anything (mail scanners follow links): confirm and unsubscribe pages
  ask for a click;
* ``POST /subscribe`` answers exactly the same for new and existing addresses, so nobody can
  learn who subscribes (the alerts module's idempotent ``subscribe`` runs either way).
"""

from __future__ import annotations

import re
from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from tracker.errors import TrackerError
from tracker.queries import find_bill_id
from tracker.web import csrf, integrations
from tracker.web.context import db, finish, get_lang, gettext, render
from tracker.web.pages import topic_labels

EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,}$")
CADENCES = ["immediate", "daily", "weekly"]
ONE_CLICK = "List-Unsubscribe=One-Click"


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _choices(form: FormData) -> dict[str, Any]:
    return {"email": str(form.get("email") or "").strip()[:254],
            "lang": "es" if form.get("lang") == "es" else "en",
            "topics": [str(t) for t in form.getlist("topics")][:50],
            "bills_text": str(form.get("bills") or "")[:500],
            "all_bills": form.get("all_bills") == "1",
            "cadence": str(form.get("cadence") or "immediate"),
            "county": str(form.get("county") or "").strip()[:60] or None}


def _parse_bills(request: Request, s: Any, text: str) -> tuple[list[str], list[str]]:
    """Bill ids for 'AB 13, SB-43'; unknown numbers come back separately for a plain error."""
    ids, unknown = [], []
    for part in re.split(r"[,;\n]+", text):
        if part.strip():
            try:
                ids.append(find_bill_id(s, part, request.app.state.settings.session_year))
            except TrackerError:
                unknown.append(part.strip())
    return ids, unknown


def _form_page(request: Request, values: dict[str, Any], errors: list[str], status: int = 200) -> Response:
    return render(request, "web/subscribe.html", status_code=status, values=values, errors=errors,
                  topics=topic_labels(request), cadences=CADENCES)


async def subscribe_form(request: Request) -> Response:
    values = {"email": "", "lang": get_lang(request), "topics": [], "bills_text": "",
              "all_bills": False, "cadence": "immediate", "county": ""}
    bill = request.query_params.get("bill", "")[:30]
    if bill:
        values["bills_text"] = bill
    topic = request.query_params.get("topic", "")[:60]
    if topic:
        values["topics"] = [topic]
    return _form_page(request, values, [])


async def subscribe_post(request: Request) -> Response:
    form = await request.form()
    csrf.verify(request, form)
    state = request.app.state
    if not state.subscribe_ip.hit(client_ip(request)):
        return render(request, "web/message.html", status_code=429,
                      title=gettext(request, "Please wait a little"),
                      message=gettext(request, "Too many sign-ups from this connection. Please try again in an hour."))
    v = _choices(form)
    errors = []
    if not EMAIL.match(v["email"]):
        errors.append(gettext(request, "Please enter an email address like name@example.org."))
    if v["cadence"] not in CADENCES:
        v["cadence"] = "immediate"
    known = set(topic_labels(request))
    v["topics"] = [t for t in v["topics"] if t in known]
    with db(request) as s:
        bill_ids, unknown = _parse_bills(request, s, v["bills_text"])
        if unknown:
            errors.append(gettext(request, "We could not find these bill numbers:") + " " + ", ".join(unknown))
        if not (v["topics"] or bill_ids or v["all_bills"]):
            errors.append(gettext(request, "Please choose at least one topic or bill."))
        if errors:
            return _form_page(request, v, errors, status=400)
        if not state.subscribe_addr.hit(v["email"].lower()):
            return render(request, "web/message.html", status_code=429,
                          title=gettext(request, "Please wait a little"),
                          message=gettext(request, "Too many sign-ups for this address today. Please try again tomorrow."))
        subs, _tokens = integrations.alerts()
        try:
            subs.subscribe(s, v["email"], lang=v["lang"], topics=tuple(v["topics"]), bills=tuple(bill_ids),
                           all_bills=v["all_bills"], cadence=v["cadence"], county=v["county"], confirmed=False)
        except TrackerError as exc:  # input the alerts module refuses; never depends on existence
            s.rollback()
            return _form_page(request, v, [str(exc)], status=400)
        s.commit()
    return render(request, "web/check_email.html", email=v["email"])


def _subscriber(request: Request, s: Any, purpose: str, max_age: int | None = None) -> Any:
    """The subscriber a signed link points at; 400 for a bad/expired link, None if deleted."""
    subs, tokens = integrations.alerts()
    try:
        token_id = tokens.read_token(purpose, request.path_params["token"], max_age=max_age)
    except TrackerError:
        raise HTTPException(400, "This link is not valid or has expired. You can sign up again.") from None
    return subs.find_by_token(s, token_id)


def _confirm_age(request: Request) -> int:
    return int(request.app.state.settings.web.confirm_link_hours) * 3600


def manage_url(sub: Any) -> str:
    _subs, tokens = integrations.alerts()
    return f"/preferences/{tokens.make_token('manage', sub.token_id)}"


def unsubscribe_url(sub: Any) -> str:
    _subs, tokens = integrations.alerts()
    return f"/unsubscribe/{tokens.make_token('unsubscribe', sub.token_id)}"


async def confirm_page(request: Request) -> Response:
    with db(request) as s:
        sub = _subscriber(request, s, "confirm", _confirm_age(request))
    if sub is None:
        raise HTTPException(400, "This link is not valid or has expired. You can sign up again.")
    return render(request, "web/confirm.html", token=request.path_params["token"])


async def confirm_post(request: Request) -> Response:
    form = await request.form()
    csrf.verify(request, form)
    subs, _tokens = integrations.alerts()
    with db(request) as s:
        sub = _subscriber(request, s, "confirm", _confirm_age(request))
        if sub is None:
            raise HTTPException(400, "This link is not valid or has expired. You can sign up again.")
        subs.confirm(s, sub)
        s.commit()
        url = manage_url(sub)
    return render(request, "web/message.html", title=gettext(request, "You are subscribed"),
                  message=gettext(request, "Thank you. We will email you when something changes."),
                  link=url, link_text=gettext(request, "Change what you get"))


def _prefs_values(sub: Any) -> dict[str, Any]:
    """The subscriber's current choices, read from its subscription rows (kind, target)."""
    rows = list(sub.subscriptions)
    cadences = [r.cadence for r in rows if r.cadence in CADENCES]
    return {"email": sub.email, "lang": sub.lang or "en",
            "topics": [r.target for r in rows if r.kind == "topic"],
            "bills": [r.target for r in rows if r.kind == "bill"],
            "all_bills": any(r.kind == "all" for r in rows),
            "cadence": cadences[0] if cadences else "immediate"}


def _measures(s: Any, bill_ids: list[str]) -> str:
    from tracker.db.models_core import Bill

    out = []
    for b in bill_ids:
        bill = s.get(Bill, b)
        out.append(bill.measure if bill else b)
    return ", ".join(out)


async def preferences(request: Request) -> Response:
    with db(request) as s:
        sub = _subscriber(request, s, "manage")
        if sub is None:
            raise HTTPException(404, "We have no subscription for this link. It may have been deleted.")
        v = _prefs_values(sub)
        v["bills_text"] = _measures(s, v["bills"])
        unsub = unsubscribe_url(sub)
    return render(request, "web/preferences.html", values=v, errors=[], saved=False, unsubscribe=unsub,
                  token=request.path_params["token"], topics=topic_labels(request), cadences=CADENCES)


async def preferences_post(request: Request) -> Response:
    form = await request.form()
    csrf.verify(request, form)
    subs, _tokens = integrations.alerts()
    v = _choices(form)
    known = set(topic_labels(request))
    v["topics"] = [t for t in v["topics"] if t in known]
    v["cadence"] = v["cadence"] if v["cadence"] in CADENCES else "immediate"
    with db(request) as s:
        sub = _subscriber(request, s, "manage")
        if sub is None:
            raise HTTPException(404, "We have no subscription for this link. It may have been deleted.")
        v["email"] = sub.email
        unsub = unsubscribe_url(sub)
        bill_ids, unknown = _parse_bills(request, s, v["bills_text"])
        errors = []
        if unknown:
            errors.append(gettext(request, "We could not find these bill numbers:") + " " + ", ".join(unknown))
        if not (v["topics"] or bill_ids or v["all_bills"]):
            errors.append(gettext(request, "Please choose at least one topic or bill."))
        if not errors:
            try:
                subs.update_preferences(s, sub, lang=v["lang"], topics=tuple(v["topics"]),
                                        bills=tuple(bill_ids), all_bills=v["all_bills"], cadence=v["cadence"])
                s.commit()
            except TrackerError as exc:
                s.rollback()
                errors.append(str(exc))
    if not errors:
        request.state.lang = v["lang"]
        request.state.set_lang_cookie = v["lang"]
    return render(request, "web/preferences.html", status_code=400 if errors else 200, values=v,
                  unsubscribe=unsub,
                  errors=errors, saved=not errors, token=request.path_params["token"],
                  topics=topic_labels(request), cadences=CADENCES)


async def delete_data(request: Request) -> Response:
    form = await request.form()
    csrf.verify(request, form)
    subs, _tokens = integrations.alerts()
    with db(request) as s:
        sub = _subscriber(request, s, "manage")
        if sub is not None:
            subs.delete_subscriber(s, sub)
            s.commit()
    return render(request, "web/message.html", title=gettext(request, "Your data is deleted"),
                  message=gettext(request, "We deleted your email address and your choices. You will get no more email from us."))


async def unsubscribe_page(request: Request) -> Response:
    with db(request) as s:
        _subscriber(request, s, "unsubscribe")  # validates the link; changes nothing
    return render(request, "web/unsubscribe.html", token=request.path_params["token"])


async def unsubscribe_post(request: Request) -> Response:
    """RFC 8058 one-click (no CSRF possible; the signed URL authorises) or the page's button."""
    form = await request.form()
    one_click = form.get("List-Unsubscribe") == "One-Click"
    if not one_click:
        csrf.verify(request, form)
    subs, _tokens = integrations.alerts()
    with db(request) as s:
        sub = _subscriber(request, s, "unsubscribe")
        manage = None
        if sub is not None:
            subs.unsubscribe(s, sub)
            s.commit()
            manage = manage_url(sub)
    if one_click:
        return finish(request, PlainTextResponse("unsubscribed\n"))
    return render(request, "web/message.html", title=gettext(request, "You are unsubscribed"),
                  message=gettext(request, "You will get no more alerts from us."),
                  link=manage, link_text=gettext(request, "Changed your mind? Manage your subscription"))


ROUTES = [
    Route("/subscribe", subscribe_form, methods=["GET"]),
    Route("/subscribe", subscribe_post, methods=["POST"]),
    Route("/confirm/{token}", confirm_page, methods=["GET"]),
    Route("/confirm/{token}", confirm_post, methods=["POST"]),
    Route("/preferences/{token}", preferences, methods=["GET"]),
    Route("/preferences/{token}", preferences_post, methods=["POST"]),
    Route("/preferences/{token}/delete", delete_data, methods=["POST"]),
    Route("/unsubscribe/{token}", unsubscribe_page, methods=["GET"]),
    Route("/unsubscribe/{token}", unsubscribe_post, methods=["POST"]),
]

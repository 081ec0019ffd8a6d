"""Member subscriptions: subscribe, confirm, preferences, unsubscribe, delete my data.

All state changes go through the alerts module (``tracker.alerts.subscriptions``) and its
signed tokens; this module only turns HTTP into those calls. Rules that matter here:

* every form carries a CSRF token, except the RFC 8058 one-click POST from a mail client,
  which cannot carry one: there the signed token in the URL is the authorisation;
* a GET never changes anything (mail scanners follow links): confirm and unsubscribe pages
  ask for a click;
* ``POST /subscribe`` answers exactly the same for new and existing addresses, so nobody can
  learn who subscribes (the alerts module's idempotent ``subscribe`` runs either way); so does
  ``POST /preferences``, which emails a member a fresh link to their choices;
* rate limits count only requests that send an email (a member fixing a typo on the form does
  not use them up), per visitor address and per email address; asking for a new link to one's
  choices is not a sign-up and has its own per-address limit and wording;
* unsubscribing keeps only the address (the suppression record) and the page after it says so
  and offers to delete that too;
* deleting is never one tap: "Delete my data" and "Delete my address too" open a page that says
  what will be deleted and that it cannot be undone, whose "Yes, delete" button deletes.

Form errors are ``{"field", "anchor", "text"}`` dicts so the page can tie each message to its
field (``aria-invalid``, ``aria-describedby``) and link the summary to it.
"""

from __future__ import annotations

import re
from typing import Any, Literal, TypedDict

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from tracker.errors import TrackerError
from tracker.web import csrf, integrations
from tracker.web.context import LinkError, db, finish, get_lang, gettext, render
from tracker.web.page_errors import PageError
from tracker.web.pages import find_measure, topic_labels, topic_notes

CADENCES = ["immediate", "daily", "weekly"]
ONE_CLICK = "List-Unsubscribe=One-Click"


class FormError(TypedDict):
    """One problem with a form: the field it is about (None: the whole form), the id of the
    control the error summary links to, and the message in the page language."""

    field: str | None
    anchor: str
    text: str


def client_ip(request: Request) -> str:
    """The visitor's address as rate limits count it.

    Behind a reverse proxy this is the address the proxy reports, but only when the proxy is
    listed in ``web.trusted_proxies`` (``tracker web`` passes that list to uvicorn); anyone
    else's X-Forwarded-For header is ignored.
    """
    return request.client.host if request.client else "unknown"


def email_address(text: str) -> str | None:
    """The address as the alerts module stores it, or None when it refuses it.

    The alerts module's pattern is the only one: what this form accepts, it can store.
    """
    subs, _tokens = integrations.alerts()
    try:
        return str(subs.normalise_email(text))
    except TrackerError:
        return None


def _error(field: str | None, anchor: str, text: str) -> FormError:
    return {"field": field, "anchor": anchor, "text": text}


def _topics_anchor(request: Request) -> str:
    """The first checkbox of the topics fieldset (where the error summary sends the reader)."""
    first = next(iter(topic_labels(request)), None)
    return f"topic-{first}" if first else "all_bills"


def _choice_errors(request: Request, v: dict[str, Any], bill_ids: list[str], unknown: list[str]) -> list[FormError]:
    """Problems with the topics and bills a member chose (sign-up and preferences forms)."""
    errors: list[FormError] = []
    if unknown:
        errors.append(_error("bills", "bills", gettext(request, "We could not find these bill numbers:")
                             + " " + ", ".join(unknown)))
    if not (v["topics"] or bill_ids or v["all_bills"]):
        errors.append(_error("topics", _topics_anchor(request),
                             gettext(request, "Please choose at least one topic or bill.")))
    return errors


def _refused(request: Request) -> FormError:
    """The alerts module refused the choices (its own message is English and technical)."""
    return _error(None, "", gettext(request, "We could not save your choices. Please check them and try again."))


def _too_many(request: Request, address: str) -> Response | None:
    """A 429 page when this visitor or this address has had too many sign-ups, else None.

    Checked, not counted: the caller counts with ``_count`` once an email will go out. Each
    heading says the same wait as its text (an hour; tomorrow).
    """
    state = request.app.state
    if state.subscribe_ip.full(client_ip(request)):
        return _wait_page(request, "hour", "Too many sign-ups from this connection. Please try again in an hour.")
    if state.subscribe_addr.full(address):
        return _wait_page(request, "day", "Too many sign-ups for this address today. Please try again tomorrow.")
    return None


def _wait_page(request: Request, wait: Literal["hour", "day"], message: str) -> Response:
    """The 429 page: a heading naming the same wait as its message (English msgid)."""
    title = "Please try again in an hour" if wait == "hour" else "Please try again tomorrow"
    return render(request, "web/message.html", status_code=429, title=gettext(request, title),
                  message=gettext(request, message))


def _count(request: Request, address: str) -> None:
    state = request.app.state
    state.subscribe_ip.hit(client_ip(request))
    state.subscribe_addr.hit(address)


#: New links to one's choices one address may ask for per day. Counted apart from sign-ups: a
#: member who tried to sign up three times (and was told they already are) can still get the
#: link, and asking for links uses up no sign-ups.
NEW_LINKS_PER_ADDRESS_PER_DAY = 3


def _too_many_new_links(request: Request, address: str) -> Response | None:
    """A 429 page when this visitor or this address asked for too many new links, else None.

    The per-visitor window is the sign-up one (it bounds the email one connection makes us
    send); the per-address one is the new-link window. Checked, not counted.
    """
    if request.app.state.subscribe_ip.full(client_ip(request)):
        return _wait_page(request, "hour", "Too many requests from this connection. Please try again in an hour.")
    if request.app.state.new_link_addr.full(address):
        return _wait_page(request, "day", "You asked for a new link for this address several times today. "
                                          "Please look for it in your email, and in your spam folder. "
                                          "You can ask again tomorrow.")
    return None


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
            bill_id = find_measure(request, s, part)
            if bill_id is None:
                unknown.append(part.strip())
            else:
                ids.append(bill_id)
    return ids, unknown


def _form_page(request: Request, values: dict[str, Any], errors: list[FormError], status: int = 200) -> Response:
    return render(request, "web/subscribe.html", status_code=status, values=values, errors=errors,
                  topics=topic_labels(request), topic_notes=topic_notes(request), cadences=CADENCES)


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


def _email_error(request: Request) -> FormError:
    return _error("email", "email", gettext(request, "Please enter an email address like name@example.org."))


async def subscribe_post(request: Request) -> Response:
    form = await request.form()
    csrf.verify(request, form)
    v = _choices(form)
    address = email_address(v["email"])
    errors = [] if address else [_email_error(request)]
    if v["cadence"] not in CADENCES:
        v["cadence"] = "immediate"
    known = set(topic_labels(request))
    v["topics"] = [t for t in v["topics"] if t in known]
    with db(request) as s:
        bill_ids, unknown = _parse_bills(request, s, v["bills_text"])
        errors += _choice_errors(request, v, bill_ids, unknown)
        if errors or address is None:
            return _form_page(request, v, errors, status=400)
        refused = _too_many(request, address)
        if refused is not None:
            return refused
        subs, _tokens = integrations.alerts()
        try:
            subs.subscribe(s, address, lang=v["lang"], topics=tuple(v["topics"]), bills=tuple(bill_ids),
                           all_bills=v["all_bills"], cadence=v["cadence"], county=v["county"], confirmed=False)
        except TrackerError:  # input the alerts module refuses; never depends on existence
            s.rollback()
            return _form_page(request, v, [_refused(request)], status=400)
        s.commit()
    _count(request, address)
    return render(request, "web/check_email.html", email=v["email"])


#: What a member whose link is broken should do instead, per kind of link:
#: (message, where to go, what the link says). Translated when the error page is rendered.
BROKEN_LINK: dict[str, tuple[str, str, str]] = {
    "confirm": ("This link is not valid or has expired. You can sign up again.",
                "/subscribe", "Sign up again"),
    "manage": ("This link to your alert choices does not work. Part of it may be missing. "
               "We can email you a new one.", "/preferences", "Get a new link by email"),
    "unsubscribe": ("This link to stop alerts does not work. Part of it may be missing. To stop "
                    "alerts, use the Unsubscribe link at the bottom of our newest email to you, or "
                    "get a new link by email.", "/preferences", "Get a new link by email"),
}


def _no_subscription() -> PageError:
    """A working link to a member we no longer hold (deleted): a page titled for that."""
    return PageError(404, "We have no subscription for this link. It may have been deleted.",
                     title="We could not find your subscription")


def _broken_link(purpose: str) -> LinkError:
    message, link, link_text = BROKEN_LINK[purpose]
    return LinkError(400, message, link=link, link_text=link_text)


def _subscriber(request: Request, s: Any, purpose: str, max_age: int | None = None) -> Any:
    """The subscriber a signed link points at; 400 for a bad/expired link, None if deleted."""
    subs, tokens = integrations.alerts()
    try:
        token_id = tokens.read_token(purpose, request.path_params["token"], max_age=max_age)
    except TrackerError:
        raise _broken_link(purpose) from None
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
        raise _broken_link("confirm")
    return render(request, "web/confirm.html", token=request.path_params["token"])


async def confirm_post(request: Request) -> Response:
    form = await request.form()
    csrf.verify(request, form)
    subs, _tokens = integrations.alerts()
    with db(request) as s:
        sub = _subscriber(request, s, "confirm", _confirm_age(request))
        if sub is None or not subs.confirm(s, sub):  # a link from before an unsubscribe
            raise _broken_link("confirm")
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
            "cadence": cadences[0] if cadences else "immediate", "county": sub.county or ""}


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
            raise _no_subscription()
        v = _prefs_values(sub)
        v["bills_text"] = _measures(s, v["bills"])
        unsub = unsubscribe_url(sub)
        stopped = sub.status == "unsubscribed"
    return render(request, "web/preferences.html", values=v, errors=[], saved=False, unsubscribe=unsub,
                  stopped=stopped, restarted=False,
                  token=request.path_params["token"], topics=topic_labels(request),
                  topic_notes=topic_notes(request), cadences=CADENCES)


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
            raise _no_subscription()
        v["email"] = sub.email
        unsub = unsubscribe_url(sub)
        was_stopped = sub.status == "unsubscribed"
        bill_ids, unknown = _parse_bills(request, s, v["bills_text"])
        errors = _choice_errors(request, v, bill_ids, unknown)
        if not errors:
            try:
                subs.update_preferences(s, sub, lang=v["lang"], topics=tuple(v["topics"]),
                                        bills=tuple(bill_ids), all_bills=v["all_bills"], cadence=v["cadence"])
                sub.county = v["county"]  # optional: an empty field clears it
                s.commit()
            except TrackerError:
                s.rollback()
                errors.append(_refused(request))
    if not errors:
        request.state.lang = v["lang"]
        request.state.set_lang_cookie = v["lang"]
    return render(request, "web/preferences.html", status_code=400 if errors else 200, values=v,
                  unsubscribe=unsub, stopped=was_stopped and bool(errors), restarted=was_stopped and not errors,
                  errors=errors, saved=not errors, token=request.path_params["token"],
                  topics=topic_labels(request), topic_notes=topic_notes(request), cadences=CADENCES)


async def delete_confirm(request: Request) -> Response:
    """Ask before deleting (WCAG 3.3.4): say what goes and that it cannot be undone.

    The "Delete my data" button of the preferences page and "Delete my address too" after
    unsubscribing both lead here; only this page's "Yes, delete" button posts the deletion, so
    one stray tap deletes nothing. A GET, so it changes nothing (mail scanners follow links).
    """
    with db(request) as s:
        sub = _subscriber(request, s, "manage")
        if sub is None:
            raise _no_subscription()
        email, stopped = sub.email, sub.status == "unsubscribed"
    return render(request, "web/delete_confirm.html", email=email, stopped=stopped,
                  token=request.path_params["token"])


async def delete_data(request: Request) -> Response:
    """Delete the member for good: the confirm page's "Yes, delete" (a CSRF-checked form)."""
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


async def new_link_form(request: Request) -> Response:
    """Ask for a fresh link to one's choices (for a member whose emailed link broke)."""
    return render(request, "web/new_link.html", values={"email": ""}, errors=[])


async def new_link_post(request: Request) -> Response:
    """Email a fresh preferences link to an active, confirmed member; the same answer for any
    address, so the form cannot tell anyone who subscribes."""
    form = await request.form()
    csrf.verify(request, form)
    typed = str(form.get("email") or "").strip()[:254]
    address = email_address(typed)
    if address is None:
        return render(request, "web/new_link.html", status_code=400, values={"email": typed},
                      errors=[_email_error(request)])
    refused = _too_many_new_links(request, address)
    if refused is not None:
        return refused
    subs, _tokens = integrations.alerts()
    with db(request) as s:
        sub = subs.find_by_email(s, address)
        if sub is not None and sub.status == "active" and sub.confirmed_at is not None:
            subs.enqueue_manage_link(s, sub, asked_for="new_link")
            s.commit()
    request.app.state.subscribe_ip.hit(client_ip(request))
    request.app.state.new_link_addr.hit(address)
    return render(request, "web/message.html", title=gettext(request, "Check your email"),
                  message=gettext(request, "If this address gets our alerts, we sent it a link to your "
                                           "choices. There you can change them or stop all alerts."))


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
    # Say what we keep (the address, so we never write again) and offer to delete it too.
    return render(request, "web/unsubscribed.html", manage=manage)


ROUTES = [
    Route("/subscribe", subscribe_form, methods=["GET"]),
    Route("/subscribe", subscribe_post, methods=["POST"]),
    Route("/confirm/{token}", confirm_page, methods=["GET"]),
    Route("/confirm/{token}", confirm_post, methods=["POST"]),
    Route("/preferences", new_link_form, methods=["GET"]),
    Route("/preferences", new_link_post, methods=["POST"]),
    Route("/preferences/{token}", preferences, methods=["GET"]),
    Route("/preferences/{token}", preferences_post, methods=["POST"]),
    Route("/preferences/{token}/delete", delete_confirm, methods=["GET"]),
    Route("/preferences/{token}/delete", delete_data, methods=["POST"]),
    Route("/unsubscribe/{token}", unsubscribe_page, methods=["GET"]),
    Route("/unsubscribe/{token}", unsubscribe_post, methods=["POST"]),
]

"""Public pages: home, bill list, bill page, topics, legislators and the legislative matrix."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from babel.support import NullTranslations
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from tracker.advocacy.facts import district_label
from tracker.advocacy.legislators import house_name
from tracker.advocacy.progress import bill_progress
from tracker.advocacy.text import clean_paragraphs
from tracker.committees import committee_name, location_name, room_words, unnamed_committee
from tracker.alerts import phrases
from tracker.db.models_core import Bill, Legislator
from tracker.errors import TrackerError
from tracker.i18n import and_list, translations
from tracker.queries import bill_detail, find_bill_id, stage_actions
from tracker.web import data, integrations
from tracker.web.context import db, get_lang, render
from tracker.web.diffing import digest_diff
from tracker.web.stages import progress_steps, stage_label, step_index
from tracker.clock import local_today
from tracker.stages import governor_decision, kind_of_type, measure_kind, stage_action

Gettext = Callable[[str], str]

LEGINFO = "https://leginfo.legislature.ca.gov/faces/billNavClient.xhtml?bill_id="
POSITIONS = ["support", "support_if_amended", "oppose", "oppose_unless_amended", "neutral", "watch"]
#: Numbers from a URL or a form are bounded before they reach a query: the database refuses a
#: number wider than its integer column (SQLite raises OverflowError, PostgreSQL an error that
#: aborts the transaction), which would be a bare 500 instead of "not found".
MAX_MEASURE_NUMBER = 99_999  # the legislature numbers bills in the low thousands
MAX_ROW_ID = 2**31 - 1  # an INTEGER primary key on every backend
MAX_PAGE = 10_000


def topic_labels(request: Request) -> dict[str, str]:
    """Topic id → label in the page language (cached per app)."""
    lang = get_lang(request)
    cache = request.app.state.topic_cache
    if lang not in cache:
        key = "label_es" if lang == "es" else "label"
        cache[lang] = {t["id"]: t[key] for t in integrations.topics(request.app.state.settings.topics_path)}
    return dict(cache[lang])


def topic_notes(request: Request) -> dict[str, str]:
    """Topic id → its one plain line in the page language (only topics that have one), so a
    label such as "Involuntary treatment (LPS, 5150 holds, CARE Court, AOT)" is explained."""
    lang = get_lang(request)
    cache = request.app.state.topic_cache
    key = f"notes-{lang}"
    if key not in cache:
        field = "description_es" if lang == "es" else "description"
        cache[key] = {t["id"]: t[field] for t in integrations.topics(request.app.state.settings.topics_path)
                      if t[field]}
    return dict(cache[key])


def page_gettext(request: Request) -> Gettext:
    """gettext in the page's language (for sentences built in Python)."""
    return translations(get_lang(request)).gettext


def N_(message: str) -> str:
    """Mark a string for translation; the template translates it."""
    return message


def topic_names(labels: dict[str, str], tr: NullTranslations) -> Callable[[list[str]], str]:
    """Topic ids → 'Housing; Peer support and peer certification' in the page language."""
    def names(ids: list[str]) -> str:  # labels hold "and" themselves: a list, not a sentence
        return "; ".join(labels.get(t) or t.replace("_", " ") for t in ids) or tr.gettext("behavioral health")
    return names


def official_part(c: dict[str, Any]) -> str:
    """The official (English-only) words a change sentence quotes, or ''."""
    a = c.get("after") if isinstance(c.get("after"), dict) else {}
    if c["kind"] == "new_action" and a.get("action"):
        return " ".join(str(a["action"]).split())
    return ""


def sentence_parts(text: str, measure: str, official: str) -> list[tuple[str, str]]:
    """A change sentence cut into ("text" | "bill" | "official", words) pieces.

    The template links the bill number and marks the quoted official text ``lang="en"`` on a
    Spanish page, so a screen reader reads it with English pronunciation.
    """
    before, found, after = text.partition(measure)
    if not found:  # a sentence that does not name the bill: the number goes first
        before, after = "", ": " + text
    parts: list[tuple[str, str]] = [("text", before), ("bill", measure)]
    if official and official in after:
        head, _sep, tail = after.partition(official)
        parts += [("text", head), ("official", official), ("text", tail)]
    else:
        parts.append(("text", after))
    return [(kind, words) for kind, words in parts if words]


def change_sentence(c: dict[str, Any], lang: str, _: Gettext, names: Callable[[list[str]], str]) -> str:
    """One change event as the plain sentence the member emails use, in the page language.

    Official action text is quoted as published (as in the emails' "From the official record").
    The staff summary (English, with stage ids and codes) is shown only for an event kind the
    member wording does not know, and only on English pages.
    """
    kind, after, measure = c["kind"], c.get("after"), c["measure"]
    a = after if isinstance(after, dict) else {}
    if kind == "new_action" and a.get("action"):
        return _("Official record for %(bill)s: %(action)s") % {
            "bill": measure, "action": " ".join(str(a["action"]).split())}
    if kind == "new_bill" and not a.get("topics"):
        return _("%(bill)s is a new bill.") % {"bill": measure}
    text = phrases.describe(kind, c.get("before"), after, measure, lang, _, names, action=c.get("stage_action"))
    if text:
        return text
    if kind not in phrases.ORDER and lang == "en" and c.get("summary"):
        return str(c["summary"])
    return _("Update on %(bill)s") % {"bill": measure}


def plain_changes(request: Request, changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add ``text`` (the sentence members read) to each recent change."""
    lang, _ = get_lang(request), page_gettext(request)
    names = topic_names(topic_labels(request), translations(lang))
    for c in changes:
        c["text"] = change_sentence(c, lang, _, names)
        c["parts"] = sentence_parts(c["text"], c["measure"], official_part(c))
    return changes


def hearing_place(room: str | None, _: Gettext) -> str:
    """Where a hearing is: a bare Capitol room gets "State Capitol"; an address stays as published."""
    text = " ".join((room or "").split())
    if not text:
        return ""
    if data.capitol_room(text):
        number = data.room_number(text)
        return (_("Room %(number)s, State Capitol") % {"number": number} if number
                else _("%(room)s, State Capitol") % {"room": text})
    return room_words(text, _)


def with_places(hearings: list[dict[str, Any]], _: Gettext, lang: str = "en") -> list[dict[str, Any]]:
    """Each hearing's place and committee in the reader's words."""
    for h in hearings:
        h["place"] = hearing_place(h.get("room"), _)
        if h.get("committee"):
            h["committee"] = committee_name(h["committee"], lang)
    return hearings


#: Stages where the bill's current location is the committee it sits in.
COMMITTEE_STAGES = ("in_committee", "passed_committee", "held_in_committee", "amended")


def committee_now(s: Session, session_year: str, code: str | None) -> str:
    """The committee a bill sits in, by name; '' when the location table does not know the code
    (a raw code such as 'CS61' or a floor label such as 'Third Reading' means nothing to readers)."""
    name = location_name(s, session_year, code)
    return name if name and name != code else ""


def vote_place(s: Session, session_year: str, where: str | None, _: Gettext, lang: str = "en") -> str:
    """Where a vote was taken, in words (a floor or a committee name), never a bare code."""
    code = (where or "").strip()
    if code.upper() == "AFLOOR":
        return _("Assembly floor")
    if code.upper() == "SFLOOR":
        return _("Senate floor")
    name = committee_name(location_name(s, session_year, code), lang) or unnamed_committee(code, _)  # never a bare code
    return name[:1].upper() + name[1:]


def vote_result(result: str | None, _: Gettext) -> str:
    low = (result or "").strip("() ").lower()
    if low.startswith("pass"):
        return _("Passed")
    if low.startswith("fail"):
        return _("Failed")
    return result or ""


#: Version names as PUBINFO prints them → plain words (unknown names are shown as published).
VERSION_LABELS: dict[str, str] = {
    "introduced": N_("Introduced"),
    "amended assembly": N_("Amended in the Assembly"),
    "amended senate": N_("Amended in the Senate"),
    "amended": N_("Amended"),
    "enrolled": N_("Passed both houses"),
    "reenrolled": N_("Passed both houses"),
    "chaptered": N_("Signed into law"),
}


def version_label(action: str | None, _: Gettext) -> str:
    text = " ".join((action or "").split())
    msgid = VERSION_LABELS.get(text.lower())
    return _(msgid) if msgid else text


#: Heading of the Governor's message by what the Governor did: the legislature's veto-message
#: table also carries signing messages, so "veto" only when the bill was vetoed.
GOVERNOR_MESSAGE = {"signed": N_("The Governor's signing message"),
                    "vetoed": N_("The Governor's veto message"),
                    None: N_("The Governor's message")}
def find_measure(request: Request, s: Any, text: str) -> str | None:
    """The bill id for 'AB 13', 'AB-13' or a bill id, or None when we hold no such bill.

    A number no bill can have ('AB 16560000000000000000') is unknown before any query runs.
    """
    text = text.strip()
    numbers = re.findall(r"[0-9]+", text)
    if len(text) > 40 or (numbers and int(numbers[-1]) > MAX_MEASURE_NUMBER):
        return None
    try:
        return find_bill_id(s, text, request.app.state.settings.session_year)
    except TrackerError:
        return None


def lookup_bill(request: Request, s: Any, measure: str) -> str:
    bill_id = find_measure(request, s, measure)
    if bill_id is None:
        raise HTTPException(404, "We could not find that bill.")
    return bill_id


def page_number(request: Request) -> int:
    """``?page=`` as a page number from 1 to MAX_PAGE (anything else is page 1 or the last)."""
    raw = request.query_params.get("page", "1").strip()
    if not re.fullmatch(r"[0-9]+", raw):
        return 1
    return MAX_PAGE if len(raw) > 9 else min(max(int(raw), 1), MAX_PAGE)


async def home(request: Request) -> HTMLResponse:
    today = local_today(request.app.state.settings.schedule.timezone)
    with db(request) as s:
        changes = data.recent_changes(s, limit=8)
        hearings = data.upcoming_hearings(s, today=today)[:8]
    return render(request, "web/home.html", changes=plain_changes(request, changes),
                  hearings=with_places(hearings, page_gettext(request), get_lang(request)),
                  topics=topic_labels(request))


def _filters(request: Request) -> data.BillFilters:
    p = request.query_params
    page = page_number(request)
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
        stages = [{"id": st, "label": stage_label(st)} for st in data.stages_in_use(s)]
        set_by = stage_actions(s, rows)
    bills = _cards(rows, positions, set_by)
    pages = max((total + size - 1) // size, 1)
    return render(request, "web/bills.html", bills=bills, total=total, f=f, stages=stages,
                  topics=topic_labels(request), positions=POSITIONS, pages=pages,
                  query_base=_query_without_page(request))


def _cards(rows: list[Bill], positions: dict[str, dict[str, Any]],
           set_by: dict[str, str] | None = None) -> list[dict[str, Any]]:
    return [{"bill": b, "slug": data.measure_slug(b.measure), "house": data.house_of(b),
             "stage_text": stage_label(b.stage, kind_of_type(b.measure_type or ""), b.measure,
                                       (set_by or {}).get(b.bill_id), b.current_house),
             "position": (positions.get(b.bill_id) or {}).get("position")} for b in rows]


def _query_without_page(request: Request) -> str:
    from urllib.parse import urlencode

    return urlencode([(k, v) for k, v in request.query_params.multi_items() if k not in ("page",)])


async def bill_page(request: Request) -> Response:
    measure = request.path_params["measure"]
    lang, _ = get_lang(request), page_gettext(request)
    with db(request) as s:
        bill_id = lookup_bill(request, s, measure)
        d = bill_detail(s, bill_id)
        bill = s.get(Bill, bill_id)
        assert bill is not None
        set_by = stage_action([(a["stage"], a["action"]) for a in d["actions"]], d["stage"])  # set the stage
        where = bill_progress(d["stage"], bill.measure_type, d["current_house"], [a["stage"] for a in d["actions"]],
                              set_by)
        position = integrations.get_position(s, bill_id)
        changes = data.recent_changes(s, limit=10, bill_id=bill_id)
        committee = (committee_name(committee_now(s, d["session"], d["current_location"]), lang)
                     if (d["stage"] or "") in COMMITTEE_STAGES else "")
        for v in d["votes"]:
            v["where"] = vote_place(s, d["session"], v["location"], _, lang)
            v["result_text"] = vote_result(v["result"], _)
    slug = data.measure_slug(d["measure"])
    if measure != slug:
        query = request.url.query  # keep ?lang=es and the like
        return RedirectResponse(f"/bills/{slug}" + (f"?{query}" if query else ""), status_code=301)
    for v in d["versions"]:
        v["label"] = version_label(v["action"], _)
        if where.kind != "bill" and (v["action"] or "").strip().lower() == "chaptered":
            v["label"] = _(stage_label("chaptered", where.kind))  # no Governor signed it
    with_places(d["hearings"], _, lang)
    # Oldest first by date; PUBINFO numbers versions downwards, so ties keep the reversed order.
    versions = sorted(reversed(d["versions"]), key=lambda v: v["date"] or date.min)
    diffs = []
    for older, newer in zip(versions, versions[1:]):
        diffs.append({"old": older, "new": newer, "lines": digest_diff(older["digest"], newer["digest"])})
    diffs.reverse()
    latest = versions[-1] if versions else None
    stage = d["stage"] or ""
    leads = data.lead_authors(d["authors"])
    decision = governor_decision(d["stage"], [a["stage"] for a in d["actions"]], d["current_status"])
    return render(request, "web/bill.html", d=d, slug=slug, position=position,
                  changes=plain_changes(request, changes),
                  # blank line = paragraph, a single line break = a space (as stored by older imports)
                  digest_paragraphs=clean_paragraphs(latest["digest"] if latest else None),
                  lead_count=len(leads), lead_names=and_list(leads, translations(get_lang(request))),
                  governor_heading=GOVERNOR_MESSAGE[decision],
                  steps=progress_steps(where), diffs=diffs, latest=latest,
                  first=versions[0] if versions else None,
                  stage_text=stage_label(stage, where.kind, d["measure"], set_by, d["current_house"]),
                  stage_meaning=("" if where.kind != "bill" and stage == "chaptered"
                                 else phrases.stage_meaning(stage, d["measure"], set_by) or ""),
                  committee=committee,
                  official_url=LEGINFO + d["bill_id"], topics=topic_labels(request),
                  history_votes=any(_VOTE_COUNT.search(a["action"] or "") for a in d["actions"]))


#: A vote count in history text: "(Ayes 79. Noes 0.)".
_VOTE_COUNT = re.compile(r"\(ayes\s+\d+", re.IGNORECASE)


async def topic_index(request: Request) -> HTMLResponse:
    with db(request) as s:
        counts = data.topic_counts(s)
    labels, notes = topic_labels(request), topic_notes(request)
    ids = list(labels) + sorted(t for t in counts if t not in labels)
    return render(request, "web/topics.html", topics=[{"id": t, "label": labels.get(t, t), "note": notes.get(t, ""),
                                                      "count": counts.get(t, 0)} for t in ids])


async def topic_page(request: Request) -> HTMLResponse:
    """One topic's bills, a page at a time (every one reachable), and its recent changes."""
    tid = request.path_params["topic"]
    labels = topic_labels(request)
    size = request.app.state.settings.web.page_size
    page = page_number(request)
    with db(request) as s:
        rows, total = data.list_bills(s, data.BillFilters(topic=tid, page=page), size)
        changes = data.recent_changes(s, limit=10, topic=tid)
        if tid not in labels and not total:
            raise HTTPException(404, "We could not find that topic.")
        positions = integrations.positions_for(s, [b.bill_id for b in rows])
        set_by = stage_actions(s, rows)
    return render(request, "web/topic.html", tid=tid, label=labels.get(tid, tid),
                  note=topic_notes(request).get(tid, ""), bills=_cards(rows, positions, set_by),
                  changes=plain_changes(request, changes), topics=labels, total=total, page=page,
                  pages=max((total + size - 1) // size, 1), query_base=_query_without_page(request))


def person_view(person: Legislator) -> dict[str, Any]:
    """A legislator as pages show one: the house in words whether PUBINFO wrote 'A' or
    'Assembly', and the district as a plain number ('AD67' → '67')."""
    return {"id": person.id, "name": person.full_name or person.author_name,
            "house": house_name(person.house), "district": district_label(person.district),
            "party": person.party or ""}


async def legislator_index(request: Request) -> HTMLResponse:
    with db(request) as s:
        people = [person_view(p) for p in data.legislators(s, request.app.state.settings.session_year)]
    houses = [(h, [p for p in people if p["house"] == h]) for h in ("Assembly", "Senate")]
    return render(request, "web/legislators.html", people=people, houses=[(h, ps) for h, ps in houses if ps])


async def legislator_page(request: Request) -> HTMLResponse:
    person_id = int(request.path_params["id"])
    with db(request) as s:
        person = s.get(Legislator, person_id) if person_id <= MAX_ROW_ID else None
        if person is None:
            raise HTTPException(404, "We could not find that legislator.")
        bills = data.legislator_bills(s, person.author_name)
        view = person_view(person)
    return render(request, "web/legislator.html", person=view, bills=bills)


#: The matrix staff publish (Bill, Subject, Implications, Status, Introduced & last amended,
#: Position), plus the next hearing and the topics: (sort key, column title to translate).
MATRIX_COLUMNS: list[tuple[str, str]] = [
    ("measure", N_("Bill")), ("subject", N_("Subject")), ("implications", N_("Implications")),
    ("status", N_("Status")), ("introduced", N_("Introduced")), ("last_amended", N_("Last amended")),
    ("position", N_("Position")), ("hearing", N_("Next hearing")), ("topics", N_("Topics")),
]
_POSITION_ORDER = {p: i for i, p in enumerate(
    ["support", "support_if_amended", "oppose_unless_amended", "oppose", "watch", "neutral"])}


def _matrix_sort_value(r: dict[str, Any], column: str, _: Gettext) -> Any:
    """What a column sorts by; None sorts last in either direction."""
    if column == "measure":
        return r["order"]
    if column == "status":
        return (step_index(r["stage"]), _(r["stage_text"]).lower())
    if column == "position":
        return _POSITION_ORDER.get(r["position"] or "", len(_POSITION_ORDER))
    if column in ("introduced", "last_amended"):
        return r[column]
    if column == "hearing":
        return r["hearing_date"]
    if column == "topics":
        return r["topic_names"][0].lower() if r["topic_names"] else None
    text = str(r.get(column) or "").strip().lower()
    return text or None


async def matrix(request: Request) -> HTMLResponse:
    """Every bill we follow, in the published matrix's columns, in words a member reads."""
    columns = [c for c, _label in MATRIX_COLUMNS]
    sort = request.query_params.get("sort", "")
    sort = sort if sort in columns else ""
    desc = request.query_params.get("dir") == "desc"
    _, lang = page_gettext(request), get_lang(request)
    labels = topic_labels(request)
    with db(request) as s:
        rows = integrations.matrix_rows(s)
        for i, r in enumerate(rows):
            r["order"] = i
            r["slug"] = data.measure_slug(str(r["measure"]))
            r["stage_text"] = stage_label(r.get("stage"), measure_kind(str(r["measure"])), str(r["measure"]),
                                          r.get("stage_action"), r.get("house"))
            # where the bill sits, told as the bill page tells it ("· Now in: …"), in the reader's
            # language; a name the catalog cannot translate is marked English on a Spanish page
            named = (committee_now(s, str(r["bill_id"])[:8], r.get("location"))
                     if r.get("stage") in COMMITTEE_STAGES else "")
            r["committee"] = committee_name(named, lang)
            r["committee_in_english"] = lang != "en" and bool(named) and r["committee"] == named
            r["hearing_committee"] = committee_name(r.get("hearing_committee"), lang)
            r["topic_names"] = [labels.get(t) or t.replace("_", " ") for t in r.get("topics") or []]
    if sort:
        keyed = [(_matrix_sort_value(r, sort, _), r) for r in rows]
        present = sorted((kr for kr in keyed if kr[0] is not None), key=lambda kr: kr[0], reverse=desc)
        rows = [r for _v, r in present] + [r for v, r in keyed if v is None]
    return render(request, "web/matrix.html", rows=rows, columns=MATRIX_COLUMNS, sort=sort, desc=desc)


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

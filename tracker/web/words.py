"""``/words``: the Legislature's words in plain language, in English and Spanish.

A bill's history and the "Recent changes" quote the Legislature's own record ("Ordered to
engrossing and enrolling.", "Placed on APPR. suspense file."), which is published only in
English and is written for insiders. Members (plain language, 8th-grade level, many reading in
Spanish) need those words explained, so the bill page and the change lists link here, and so do
the member emails (``{public_base_url}/words``, ``/words?lang=es``): keep this path.

Each entry has a stable anchor (``/words#suspense-file``) for links from elsewhere, a heading,
its meaning in a few short paragraphs, and the words as the record prints them (English,
marked ``lang="en"`` on a Spanish page) so a reader can match what they saw. Every string is an
English msgid translated in ``tracker/locale/es/LC_MESSAGES/web.po``.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from tracker.web.context import render

#: The path members' emails and the site link to (the email templates build it from
#: ``public_base_url``); never move it.
PATH = "/words"


def N_(message: str) -> str:
    """Mark a string for translation; the template translates it."""
    return message


@dataclass(frozen=True)
class Word:
    """One explained term: its anchor, heading, meaning (paragraphs) and record wording."""

    anchor: str
    term: str
    meaning: tuple[str, ...]
    record: tuple[str, ...] = ()  # as the Legislature prints it: quoted, never translated


@dataclass(frozen=True)
class Group:
    """A heading over related terms, so a long list is easy to scan on a phone."""

    anchor: str
    title: str
    words: tuple[Word, ...]


GLOSSARY: tuple[Group, ...] = (
    Group("the-legislature", N_("The Legislature and the people in it"), (
        Word("houses", N_("Assembly and Senate (the two houses)"), (
            N_("California's Legislature has two parts, called houses: the Assembly, with 80 members, "
               "and the Senate, with 40 members."),
            N_("A bill starts in one house. It must pass both houses, and then it goes to the Governor."),
        )),
        Word("author", N_("Author and coauthor"), (
            N_("The author is the legislator who brings the bill and leads it through each step."),
            N_("Coauthors are other legislators who sign on to show they support the bill."),
        ), ("Coauthors revised.",)),
        Word("amended", N_("Amended"), (
            N_("The words of the bill were changed. The author or a committee can change a bill many "
               "times. Each new version is printed, and our bill pages show what changed."),
            N_("Sometimes an amendment replaces everything in a bill with a new subject. People call "
               "this a “gut and amend”."),
        ), ("Read second time and amended.", "From committee chair, with author's amendments: Amend, "
            "and re-refer to committee.")),
        Word("urgency", N_("Urgency clause"), (
            N_("Most new laws start on January 1 of the next year. A bill with an urgency clause "
               "becomes law as soon as the Governor signs it."),
            N_("It needs more votes to pass: two-thirds of each house (54 in the Assembly and 27 in "
               "the Senate)."),
        ), ("Urgency clause adopted.",)),
    )),
    Group("committees-and-hearings", N_("Committees and hearings"), (
        Word("committee", N_("Committee"), (
            N_("A small group of legislators who study bills about one subject, such as health or "
               "housing. Most bills must pass one or more committees in each house before the whole "
               "house votes on them."),
        ), ("Referred to Com. on HEALTH.",)),
        Word("fiscal-committee", N_("Policy committee and fiscal committee (Appropriations)"), (
            N_("A policy committee looks at what a bill would do. For example, the Health Committee "
               "looks at health bills."),
            N_("If a bill would cost the state money, it then goes to a fiscal committee. In each house "
               "this is the Appropriations Committee (“APPR.” in the record). It looks at the cost."),
        ), ("Re-referred to Com. on APPR.",)),
        Word("hearing", N_("Hearing"), (
            N_("A public meeting where a committee talks about bills and votes on them. The author "
               "explains the bill. People who support it or oppose it can speak for a short time."),
            N_("Anyone can go, watch online, or send a letter before the hearing."),
        ), ("Set for hearing April 9.", "Hearing canceled at the request of author.")),
        Word("do-pass", N_("Do pass"), (
            N_("A committee voted yes: the bill passes this committee and moves on."),
            N_("“Do pass as amended” means it passes with changes the committee asked for. “Do pass "
               "and re-refer” means it passes and goes to another committee next."),
        ), ("From committee: Do pass and re-refer to Com. on APPR.",
            "From committee: Amend, and do pass as amended.")),
        Word("re-referred", N_("Re-referred"), (
            N_("The bill was sent to another committee, or back to the same one, to study it next. "
               "This often happens after the bill is changed."),
        ), ("Re-referred to Com. on HEALTH.",)),
        Word("suspense-file", N_("Suspense file"), (
            N_("A waiting list for bills that would cost the state a lot of money. The Appropriations "
               "Committee decides on all of them at once, at one hearing in May and one in August. "
               "Nobody speaks for or against the bills at that hearing."),
            N_("A bill can move on, move on with changes, or be “held”. Held usually means the bill "
               "stops for the year."),
        ), ("Placed on APPR. suspense file.",)),
        Word("held-in-committee", N_("Held in committee"), (
            N_("The committee did not pass the bill, or the author chose not to ask for a vote. The "
               "bill stops there. “Held under submission” means the same."),
            N_("Sometimes the bill can come back later in the session, but most do not."),
        ), ("In committee: Held under submission.",)),
        Word("consent-calendar", N_("Consent calendar"), (
            N_("A list of bills that nobody opposed. They all pass together with one vote, without "
               "debate. The “special consent calendar” is such a list for a vote of the whole house."),
        ), ("Ordered to special consent calendar.",)),
    )),
    Group("whole-house", N_("Votes of the whole house"), (
        Word("reading", N_("First, second and third reading"), (
            N_("A bill is “read” three times in each house. These are steps in line. Nobody reads "
               "the whole bill out loud."),
            N_("First reading: the bill is brought in. Second reading: it has passed its committees. "
               "Third reading: it is ready for a vote of the whole house."),
        ), ("Read second time. Ordered to third reading.",)),
        Word("floor-vote", N_("Floor vote"), (
            N_("A vote of the whole Assembly or the whole Senate (“the floor”)."),
            N_("Most bills need more than half of the members: 41 votes in the Assembly and 21 in the "
               "Senate. Some bills need two-thirds: 54 and 27."),
        ), ("Read third time. Passed. Ordered to the Senate.",)),
        Word("desk", N_("At the Desk"), (
            N_("The Desk is the front office of the Assembly or the Senate, where bills arrive. A bill "
               "“held at Desk” has arrived in that house. It waits there to be sent to a committee "
               "or to a vote."),
        ), ("Held at Desk.", "In Senate. Read first time. To Com. on RLS. for assignment.")),
        Word("inactive-file", N_("Inactive file"), (
            N_("A list of bills waiting for a vote of the whole house that the author has set aside "
               "for now. The author can bring the bill back for a vote later in the session."),
        ), ("Ordered to inactive file at the request of Senator …",)),
        Word("stricken-from-file", N_("Stricken from file"), (
            N_("The bill was taken off the list of bills waiting for a vote (the “file”). Often the "
               "author asked for this. It may come back later, or it may stop there."),
        ), ("Stricken from file.",)),
        Word("concurrence", N_("Concurrence"), (
            N_("When the second house changes a bill, the bill goes back to the house where it "
               "started. That house votes on whether it agrees with the changes. This vote is called "
               "concurrence."),
            N_("If the first house agrees, the bill has passed the Legislature and goes to the "
               "Governor. If it does not agree, a small group from both houses (a conference "
               "committee) may try to settle the differences."),
        ), ("Concurrence in Assembly amendments pending.", "Senate amendments concurred in.")),
    )),
    Group("after-the-votes", N_("After both houses vote"), (
        Word("engrossing-and-enrolling", N_("Engrossing and enrolling"), (
            N_("Office steps that make the official copy of a bill. Engrossing: after a bill passes "
               "its first house, staff make a clean copy with every change in it. Enrolling: after "
               "it passes both houses, staff make the final copy for the Governor."),
            N_("“Ordered to engrossing and enrolling” means the bill passed, and its final copy is "
               "being made."),
        ), ("Ordered to engrossing and enrolling.", "Enrolled and presented to the Governor at 3 p.m.")),
        Word("governors-desk", N_("The Governor's desk"), (
            N_("A bill that passed both houses goes to the Governor, who signs it or vetoes it. The "
               "Governor has 12 days to decide, and more time, about a month, for bills passed at "
               "the end of the year."),
            N_("If the Governor does neither, the bill becomes law anyway."),
        ), ("Approved by the Governor.",)),
        Word("chaptered", N_("Chaptered"), (
            N_("The bill became law. The Secretary of State gives each new law a number, called a "
               "chapter. Most new laws start on January 1 of the next year."),
        ), ("Chaptered by Secretary of State - Chapter 123, Statutes of 2025.",)),
        Word("veto", N_("Veto and veto override"), (
            N_("A veto is the Governor saying no. The Governor sends the bill back with a letter that "
               "says why."),
            N_("The Legislature can still make the bill a law if two-thirds of each house vote to "
               "override the veto. This almost never happens."),
            N_("“Consideration of Governor's veto pending” means an override vote could still happen. "
               "“Veto sustained” means the veto stands: the bill does not become law."),
        ), ("Vetoed by Governor.", "Consideration of Governor's veto pending.", "Veto sustained.")),
    )),
    Group("deadlines-and-sessions", N_("Deadlines and the two-year session"), (
        Word("two-year-bill", N_("Two-year bill"), (
            N_("The Legislature meets in two-year sessions, such as 2025–2026. A bill that stopped in "
               "the first year, for example in a committee, can sometimes move again in January of "
               "the second year. People call it a two-year bill."),
        )),
        Word("deadlines", N_("Joint Rule 56 and other deadlines"), (
            N_("The Joint Rules are rules that both houses follow. Joint Rule 61 sets the deadlines of "
               "the year, such as the last day for a bill to pass a committee or to pass its first "
               "house. A bill that misses a deadline usually stops."),
            N_("Joint Rule 56: a bill from the first year that has not passed its first house by the "
               "end of January of the second year stops for good. “Died pursuant to Art. IV, Sec. "
               "10(c)” means a deadline in the state constitution stopped the bill."),
            N_("When a rule is “suspended”, the house voted to set that deadline aside for this bill, "
               "so it can still move. “Without further action” means the deadline passed with no "
               "vote, so the bill stops."),
        ), ("Joint Rule 61(b)(16) suspended.", "Returned to Secretary of Senate pursuant to Joint Rule 56.")),
    )),
)

_ANCHORS = [g.anchor for g in GLOSSARY] + [w.anchor for g in GLOSSARY for w in g.words]
assert len(_ANCHORS) == len(set(_ANCHORS)), "every anchor on /words is an id: keep them unique"


async def words_page(request: Request) -> HTMLResponse:
    """The glossary, in the page language, with the crisis footer as every page."""
    return render(request, "web/words.html", groups=GLOSSARY)


ROUTES = [Route(PATH, words_page, methods=["GET"])]

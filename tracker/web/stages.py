"""The bill's journey as a progress line: which steps are done, which is current.

Stage values come from ``tracker.stages`` (introduced, in_committee, floor, passed_house,
enrolled, chaptered, vetoed...); this maps them onto the few steps a member recognises, using
the current house to tell "first house" from "other house". ``stage_label`` gives the plain
words for one stage (never the raw id).
"""

from __future__ import annotations

from tracker.advocacy.matrix import STAGE_TEXT

STEPS = [
    ("introduced", "Introduced"),
    ("committee", "In committee"),
    ("floor", "Floor vote"),
    ("second_house", "Other house"),
    ("governor", "Governor"),
    ("law", "Became law"),
]

_STEP_OF = {
    "introduced": 0, "in_committee": 1, "passed_committee": 1, "held_in_committee": 1,
    "amended": 1, "two_year": 1, "floor": 2, "failed": 2, "passed_house": 3,
    "enrolled": 4, "to_governor": 4, "vetoed": 4, "chaptered": 5, "withdrawn": 0,
}
STOPPED = {"held_in_committee", "failed", "vetoed", "withdrawn", "two_year"}


def step_index(stage: str | None, in_other_house: bool = False) -> int:
    """Index into STEPS for a stored stage value (unknown stages count as introduced)."""
    i = _STEP_OF.get(stage or "", 0)
    if in_other_house and 1 <= i <= 2:
        return 3
    return i


def progress(stage: str | None, origin_house: str = "", current_house: str | None = None) -> list[dict[str, object]]:
    """Steps with a state: 'done', 'current', 'stopped' (vetoed, held, failed) or 'todo'."""
    other = bool(current_house and origin_house and current_house.lower() != origin_house.lower()
                 and current_house.lower() in ("assembly", "senate"))
    current = step_index(stage, other)
    stopped = (stage or "") in STOPPED
    return [{"key": key, "label": label,
             "state": "done" if i < current else (("stopped" if stopped else "current") if i == current else "todo")}
            for i, (key, label) in enumerate(STEPS)]


def stage_label(stage: str | None) -> str:
    """A stored stage id as the English msgid a template translates ('in_committee' → 'In committee').

    The same words as the printed legislative matrix, so the site and the handouts agree.
    """
    return STAGE_TEXT.get(stage or "", STAGE_TEXT[""])

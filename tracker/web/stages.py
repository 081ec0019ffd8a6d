"""The bill's journey as a progress line: which steps are done, which is current.

Where a bill stands is decided once, by ``tracker.advocacy.progress.bill_progress`` (stage,
house the bill is in now, and its history), so the web page and the printed briefing sheet
always agree; a bill back in its first house to concur in the other house's amendments has
the "Other house" step done, it does not go backwards. The page adds one last step the sheet
folds into "Governor": "Became law". ``stage_label`` gives the plain words for one stage.
"""

from __future__ import annotations

from tracker.advocacy.matrix import stage_text
from tracker.advocacy.progress import STEPS as SHEET_STEPS
from tracker.advocacy.progress import Progress

#: (key, English msgid); the first five are the sheet's steps, in its order.
STEPS: list[tuple[str, str]] = [
    ("introduced", "Introduced"),
    ("committee", "In committee"),
    ("floor", "Floor vote"),
    ("other_house", "Other house"),
    ("governor", "Governor"),
    ("law", "Became law"),
]
assert tuple(key for key, _label in STEPS[:-1]) == SHEET_STEPS, "keep the page's steps in the sheet's order"
LAW = len(STEPS) - 1

_STEP_OF = {
    "introduced": 0, "in_committee": 1, "passed_committee": 1, "held_in_committee": 1,
    "amended": 1, "two_year": 1, "floor": 2, "failed": 2, "passed_house": 3,
    "enrolled": 4, "to_governor": 4, "vetoed": 4, "chaptered": 5, "withdrawn": 0,
}


def step_index(stage: str | None) -> int:
    """A rough order of stages for sorting the matrix by status (unknown stages first)."""
    return _STEP_OF.get(stage or "", 0)


def progress_steps(p: Progress) -> list[dict[str, object]]:
    """Steps with a state: 'done', 'current', 'stopped' (vetoed, held, failed) or 'todo'.

    The same rule as the sheet: steps before the bill's step are done, and so is "Other house"
    once the bill has come back from it (``returned``); a signed bill is at "Became law".
    """
    current = LAW if p.state == "law" else p.step
    stopped = p.state in ("stopped", "vetoed")
    steps: list[dict[str, object]] = []
    for i, (key, label) in enumerate(STEPS):
        if p.state == "unknown":  # marking "Introduced" as where it is now would be a guess
            state = "todo"
        elif i < current or p.done(i, key):
            state = "done"
        elif i == current:
            state = "stopped" if stopped else "current"
        else:
            state = "todo"
        steps.append({"key": key, "label": OTHER_LABELS.get((p.kind, key), label), "state": state})
    return steps


#: Resolutions and constitutional amendments never go to the Governor.
OTHER_LABELS: dict[tuple[str, str], str] = {
    ("resolution", "governor"): "Passed both houses", ("resolution", "law"): "Adopted",
    ("amendment", "governor"): "Passed both houses", ("amendment", "law"): "Goes to the voters",
}


def stage_label(stage: str | None, kind: str = "bill", measure: str = "", action: str | None = None,
                house: str | None = None) -> str:
    """A stored stage id as the English msgid a template translates ('in_committee' → 'In committee').

    The same words as the printed legislative matrix (``tracker.advocacy.matrix.stage_text``),
    so the site and the handouts agree; a chaptered resolution was adopted, a chaptered
    constitutional amendment goes to the voters, and "passed a house" says which situation it is
    ("Passed the Assembly", "Passed the Senate too", "Passed both houses") when ``action``, the
    action that set the stage, tells.
    """
    if stage == "chaptered" and kind != "bill":
        return OTHER_LABELS[(kind, "law")]
    return stage_text(stage, kind, measure, action, house)

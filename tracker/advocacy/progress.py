"""Where a bill stands, as five plain steps a visitor can follow on paper.

The fine-grained stage vocabulary (docs: stages) has fifteen labels; a legislator meeting needs
"introduced → committee → floor → other house → governor" and a word on whether the bill is
still moving. Which house counts as "other" comes from the bill's number (AB starts in the
Assembly, SB in the Senate); where it is now comes from its current house.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from tracker.stages import died_at_deadline, kind_of_type, on_inactive_file, origin_house

STEPS: tuple[str, ...] = ("introduced", "committee", "floor", "other_house", "governor")

_STEP_OF_STAGE: dict[str, int] = {
    "introduced": 0,
    "in_committee": 1,
    "passed_committee": 1,
    "held_in_committee": 1,
    "amended": 1,
    "floor": 2,
    "passed_house": 3,
    "enrolled": 4,
    "to_governor": 4,
    "chaptered": 4,
    "vetoed": 4,
}
_STOPPED = {"held_in_committee", "failed", "two_year", "withdrawn"}


@dataclass(frozen=True)
class Progress:
    """``step`` indexes STEPS; ``state`` is moving, stopped, law, vetoed or unknown.

    ``house`` is where the bill is now ('Assembly', 'Senate', or '' once it has left both);
    ``returned`` says it passed the other house and came back to its first house (to concur in
    the other house's amendments), so the "other house" step is done although ``step`` is lower.
    """

    step: int
    state: str
    stage: str | None
    origin_house: str
    other_house: str
    house: str = ""
    returned: bool = False
    #: 'bill', 'resolution' or 'amendment' (tracker.stages.measure_kind): only bills go to the
    #: Governor; the last steps of the others read "Passed both houses" and "Adopted" / "Goes
    #: to the voters".
    kind: str = "bill"
    #: A ``two_year`` bill that a deadline ended for the session (tracker.stages.died_at_deadline).
    dead: bool = False

    def done(self, index: int, key: str) -> bool:
        """Is step ``index`` (named ``key``) behind the bill? The sheet and the web line agree on
        this: every step before the bill's, and "other house" once the bill came back from it."""
        return index < self.step or (key == "other_house" and self.returned)


def house_name(current_house: str | None) -> str:
    """BILL_TBL's current house ('Assembly', 'ASSEMBLY', 'Senate'...) as 'Assembly' / 'Senate' / ''."""
    low = (current_house or "").strip().lower()
    return "Assembly" if low.startswith("assembly") else "Senate" if low.startswith("senate") else ""


def _passed_house_runs(action_stages: Sequence[str | None]) -> int:
    """How many separate times the history says "passed (or arrived in) a house".

    Passing the first house and arriving in the second are one run ("Passed. Ordered to the
    Senate." then "In Senate. Read first time."); passing the second house is a second run.
    """
    runs, previous = 0, None
    for stage in action_stages:
        if stage in (None, "other"):
            continue
        if stage == "passed_house" and previous != "passed_house":
            runs += 1
        previous = stage
    return runs


def bill_progress(
    stage: str | None,
    measure_type: str,
    current_house: str | None,
    action_stages: Sequence[str | None],
    stage_action: str | None = None,
) -> Progress:
    """Place the bill on the five-step line (see ``_progress``), knowing what kind of measure it is.

    ``stage_action``: the action that set the stage, when known. A ``two_year`` bill on the
    inactive file was set aside on the floor and can be taken up any day: it stands on the floor
    step, not stopped (a bill parked in committee or past a deadline is stopped).
    """
    if stage == "two_year" and on_inactive_file(stage_action):
        stage = "floor"
        p = _progress(stage, measure_type, current_house, action_stages)
        p = replace(p, stage="two_year")
    else:
        p = _progress(stage, measure_type, current_house, action_stages)
        if stage == "two_year" and died_at_deadline(stage_action):
            p = replace(p, dead=True)
    kind = kind_of_type(measure_type.upper())
    return replace(p, kind=kind) if kind != "bill" else p


def _progress(
    stage: str | None,
    measure_type: str,
    current_house: str | None,
    action_stages: Sequence[str | None],
) -> Progress:
    """Place the bill on the five-step line from its stage, its current house and its history.

    The current house decides which house the bill is in: a bill back in its first house for a
    concurrence vote has passed both houses, but it is on its first house's floor, not in the
    other house. Only when the current house is not known (or is the Governor's or the
    Secretary of State's office) does a past ``passed_house`` action place it in the other house.
    """
    origin = origin_house(measure_type)
    other = "Senate" if origin == "Assembly" else "Assembly"
    if stage is None:
        return Progress(0, "unknown", None, origin, other, house_name(current_house))
    house = house_name(current_house)
    passed = _passed_house_runs(action_stages)
    if house:
        in_other = house == other
        # back in the first house after passing the other one (concurrence), or concurred
        returned = house == origin and (passed >= 2 or (passed >= 1 and stage != "passed_house"))
    else:
        in_other = passed >= 1
        returned = False
        house = other if in_other else origin
    if stage in ("chaptered",):
        return Progress(4, "law", stage, origin, other, "")
    if stage == "vetoed":
        return Progress(4, "vetoed", stage, origin, other, "")
    if stage in _STOPPED:
        step = _STEP_OF_STAGE.get(stage)
        if step is None:  # failed / two_year / withdrawn: where was it before it stopped?
            earlier = [s for s in action_stages if s in _STEP_OF_STAGE]
            step = _STEP_OF_STAGE[earlier[-1]] if earlier else 1
        if returned and step == 3:
            step = 2
        if in_other and step < 4:
            step = 3
        return Progress(step, "stopped", stage, origin, other, house, returned)
    step = _STEP_OF_STAGE.get(stage, 1)
    if returned and stage == "passed_house":  # concurred in the other house's amendments
        step = 4
    if in_other and step < 4:
        step = 3
    return Progress(step, "moving", stage, origin, other, house, returned)

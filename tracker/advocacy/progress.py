"""Where a bill stands, as five plain steps a visitor can follow on paper.

The fine-grained stage vocabulary (docs: stages) has fifteen labels; a legislator meeting needs
"introduced → committee → floor → other house → governor" and a word on whether the bill is
still moving. Which house counts as "other" comes from the bill's number (AB starts in the
Assembly, SB in the Senate) and its current house or a past ``passed_house`` action.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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
    """``step`` indexes STEPS; ``state`` is moving, stopped, law, vetoed or unknown."""

    step: int
    state: str
    stage: str | None
    origin_house: str
    other_house: str


def origin_house(measure_type: str) -> str:
    """Assembly measures (AB, ACA, ACR, AJR, HR) start in the Assembly; the rest in the Senate."""
    return "Assembly" if measure_type.upper().startswith("A") or measure_type.upper() == "HR" else "Senate"


def bill_progress(
    stage: str | None,
    measure_type: str,
    current_house: str | None,
    action_stages: Sequence[str | None],
) -> Progress:
    """Place the bill on the five-step line from its stage, its house and its history."""
    origin = origin_house(measure_type)
    other = "Senate" if origin == "Assembly" else "Assembly"
    if stage is None:
        return Progress(0, "unknown", None, origin, other)
    in_other = (current_house or "").strip().lower() == other.lower() or "passed_house" in action_stages
    if stage in ("chaptered",):
        return Progress(4, "law", stage, origin, other)
    if stage == "vetoed":
        return Progress(4, "vetoed", stage, origin, other)
    if stage in _STOPPED:
        step = _STEP_OF_STAGE.get(stage)
        if step is None:  # failed / two_year / withdrawn: where was it before it stopped?
            earlier = [s for s in action_stages if s in _STEP_OF_STAGE]
            step = _STEP_OF_STAGE[earlier[-1]] if earlier else 1
        if in_other and step < 4:
            step = 3
        return Progress(step, "stopped", stage, origin, other)
    step = _STEP_OF_STAGE.get(stage, 1)
    if in_other and step < 4:
        step = 3
    return Progress(step, "moving", stage, origin, other)

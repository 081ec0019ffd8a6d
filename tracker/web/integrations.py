"""The web app's doors into the modules other features own (alerts, advocacy, relevance).

The web app reuses those modules rather than re-implementing them; this module keeps the few
calls it makes in one place, with the shapes the templates want.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

from sqlalchemy.orm import Session

from tracker.advocacy import matrix as _matrix
from tracker.advocacy import positions as _positions
from tracker.alerts import subscriptions as _subscriptions
from tracker.alerts import tokens as _tokens
from tracker.relevance import load_matcher


def topics(topics_path: Path) -> list[dict[str, str]]:
    """Topic ids, labels (Spanish label when the taxonomy has one) and the optional one-line
    descriptions that spell out a label's acronyms, in taxonomy order."""
    return [{"id": t.id, "label": t.label, "label_es": t.label_es or t.label,
             "description": t.description, "description_es": t.description_es}
            for t in load_matcher(topics_path).topics]


def positions_for(s: Session, bill_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Our organisation's position per bill (only bills that have one)."""
    return dict(_positions.positions_for(s, bill_ids))


def get_position(s: Session, bill_id: str) -> dict[str, Any] | None:
    return _positions.get_position(s, bill_id)


def set_position(s: Session, bill_id: str, **fields: Any) -> Any:
    return _positions.set_position(s, bill_id, **fields)


def matrix_rows(s: Session, group_by: str | None = None) -> list[dict[str, Any]]:
    return list(_matrix.matrix_rows(s, group_by=group_by))


def alerts() -> tuple[ModuleType, ModuleType]:
    """(subscriptions module, tokens module): the member sign-up logic lives there."""
    return _subscriptions, _tokens

"""Thin, typed doors into the modules other features own (alerts, advocacy, relevance).

The web app reuses those modules rather than re-implementing them. Imports happen lazily so a
page that does not need, say, the packet builder still renders when that module is missing or
broken, and each door says plainly what it expects.
"""

from __future__ import annotations

import importlib
import tomllib
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session


def _module(name: str) -> Any | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def topics(topics_path: Path) -> list[dict[str, str]]:
    """Topic ids and labels (``label_es`` when the taxonomy has one), in taxonomy order."""
    rel = _module("tracker.relevance")
    out: list[dict[str, str]] = []
    if rel is not None and hasattr(rel, "load_matcher"):
        try:
            matcher = rel.load_matcher(topics_path)
            for t in getattr(matcher, "topics", []) or []:
                tid = getattr(t, "id", None) or (t.get("id") if isinstance(t, dict) else None)
                if not tid:
                    continue
                label = getattr(t, "label", None) or (t.get("label") if isinstance(t, dict) else None)
                label_es = getattr(t, "label_es", None) or (t.get("label_es") if isinstance(t, dict) else None)
                out.append({"id": str(tid), "label": str(label or tid), "label_es": str(label_es or label or tid)})
        except Exception:  # noqa: BLE001 - a broken taxonomy must not take the site down
            out = []
    if not out and topics_path.is_file():
        data = tomllib.loads(topics_path.read_text(encoding="utf-8"))
        raw = data.get("topics", data)
        items = raw.items() if isinstance(raw, dict) else ((t.get("id"), t) for t in raw)
        for tid, t in items:
            if isinstance(t, dict) and tid:
                out.append({"id": str(tid), "label": str(t.get("label", tid)),
                            "label_es": str(t.get("label_es", t.get("label", tid)))})
    return out


def positions_for(s: Session, bill_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Our organisation's position per bill (only bills that have one)."""
    mod = _module("tracker.advocacy.positions")
    if mod is None:
        return {}
    bulk = getattr(mod, "positions_for", None)
    if bulk is not None:
        try:
            return dict(bulk(s, bill_ids))
        except TypeError:
            pass
    out: dict[str, dict[str, Any]] = {}
    for bill_id in bill_ids:
        p = mod.get_position(s, bill_id)
        if p:
            out[bill_id] = p
    return out


def get_position(s: Session, bill_id: str) -> dict[str, Any] | None:
    mod = _module("tracker.advocacy.positions")
    return None if mod is None else mod.get_position(s, bill_id)


def set_position(s: Session, bill_id: str, **fields: Any) -> Any:
    from tracker.advocacy.positions import set_position as _set

    return _set(s, bill_id, **fields)


def matrix_rows(s: Session, group_by: str | None = None) -> list[dict[str, Any]]:
    mod = _module("tracker.advocacy.matrix")
    return [] if mod is None else list(mod.matrix_rows(s, group_by=group_by))


def alerts() -> tuple[Any, Any]:
    """(subscriptions module, tokens module); raises ImportError when alerts is not installed."""
    return (importlib.import_module("tracker.alerts.subscriptions"),
            importlib.import_module("tracker.alerts.tokens"))

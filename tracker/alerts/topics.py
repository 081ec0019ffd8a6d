"""Topic ids and labels from the taxonomy (``config/topics.toml``).

The relevance engineer owns the taxonomy loader (``tracker.relevance.load_matcher``); until it
exists, or if it cannot read the file, we read the topic ids straight from the TOML so that
``tracker subscribers add --topic`` can still refuse an unknown topic.
"""

from __future__ import annotations

import importlib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Topic:
    id: str
    label: str
    label_es: str
    # one plain line saying what the topic covers (spells out LPS, MHSA...); optional
    description: str = ""
    description_es: str = ""

    def label_for(self, lang: str) -> str:
        return self.label_es if lang == "es" and self.label_es else self.label

    def description_for(self, lang: str) -> str:
        """The description in ``lang`` ('' when the taxonomy gives none: never English on a
        Spanish page)."""
        return self.description_es if lang == "es" else self.description


def _field(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def _from_matcher(path: Path) -> list[Topic]:
    try:
        rel = importlib.import_module("tracker.relevance")
        matcher = rel.load_matcher(path)
    except Exception:  # noqa: BLE001 - fall back to reading the TOML ourselves
        return []
    out: list[Topic] = []
    raw = getattr(matcher, "topics", None) or []
    items = raw.values() if isinstance(raw, dict) else raw
    for t in items:
        tid = _field(t, "id")
        if tid:
            label = _field(t, "label") or _field(t, "name") or tid
            out.append(Topic(str(tid), str(label), str(_field(t, "label_es") or label),
                             str(_field(t, "description") or ""), str(_field(t, "description_es") or "")))
    return out


def _from_toml(path: Path) -> list[Topic]:
    if not path.is_file():
        return []
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    raw = data.get("topics", data.get("topic", data))
    items = raw.items() if isinstance(raw, dict) else ((_field(t, "id"), t) for t in raw)
    out = []
    for tid, t in items:
        if isinstance(t, dict) and tid:
            label = t.get("label") or t.get("name") or tid
            out.append(Topic(str(tid), str(label), str(t.get("label_es") or label),
                             str(t.get("description") or ""), str(t.get("description_es") or "")))
    return out


def load_topics(path: Path) -> dict[str, Topic]:
    """Topic id → Topic, in taxonomy order."""
    topics = _from_matcher(path) or _from_toml(path)
    return {t.id: t for t in topics}


def topic_label(topics: dict[str, Topic], topic_id: str, lang: str) -> str:
    """A readable name for a topic, even one removed from the taxonomy since."""
    t = topics.get(topic_id)
    return t.label_for(lang) if t else topic_id.replace("_", " ").replace("-", " ")

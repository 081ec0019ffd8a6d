"""Behavioral-health relevance: the topic taxonomy and the matcher.

``load_matcher(path)`` is what the ingest and the CLI call; it caches the compiled matcher per
(path, modification time), so staff edits to ``config/topics.toml`` take effect on the next run
without a restart and an unchanged file is compiled once.
"""

from __future__ import annotations

import threading
from pathlib import Path

from tracker.errors import TrackerError
from tracker.relevance.matcher import Matcher, MatchInput, MatchResult, normalise
from tracker.relevance.taxonomy import Taxonomy, Topic, check_file, load_taxonomy, normalise_bill

__all__ = ["Matcher", "MatchInput", "MatchResult", "Taxonomy", "Topic", "check_file",
           "load_matcher", "load_taxonomy", "normalise", "normalise_bill"]

_CACHE: dict[tuple[str, int], Matcher] = {}
_LOCK = threading.Lock()


def load_matcher(path: Path) -> Matcher:
    """The compiled matcher for a topics file, cached per (path, mtime)."""
    p = Path(path).resolve()
    try:
        mtime = p.stat().st_mtime_ns
    except OSError as exc:
        raise TrackerError(f"cannot read topics file {path}: {exc.strerror or exc}") from None
    key = (str(p), mtime)
    with _LOCK:
        cached = _CACHE.get(key)
        if cached is not None:
            return cached
    matcher = Matcher.from_path(p)
    with _LOCK:
        for old in [k for k in _CACHE if k[0] == key[0]]:
            del _CACHE[old]
        _CACHE[key] = matcher
    return matcher

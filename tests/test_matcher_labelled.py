"""Relevance recall and precision on the real hand-labelled bills (tests/files/labelled)."""

from __future__ import annotations

import json
from pathlib import Path

from tracker.relevance import Matcher, MatchInput

ROOT = Path(__file__).resolve().parents[1]


def test_recall_at_least_95_and_precision_at_least_90_percent() -> None:
    m = Matcher.from_path(ROOT / "config" / "topics.toml")
    rows = [json.loads(x) for x in (ROOT / "tests/files/labelled/bills.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    tp = fp = fn = 0
    for r in rows:
        got = m.match(MatchInput(title=r["title"], digest=r.get("summary"))).relevant
        tp += got and r["relevant"]
        fp += got and not r["relevant"]
        fn += (not got) and r["relevant"]
    assert tp / (tp + fn) >= 0.95
    assert tp / (tp + fp) >= 0.90

"""Relevance recall/precision and stage accuracy on the labelled real data, with the confusion.

    .venv/bin/python benchmarks/accuracy.py [--topics config/topics.toml]

Reads tests/files/labelled/: bills.jsonl (title + summary → relevant?), actions.jsonl (action →
stage) and histories.jsonl (whole history → final stage; partial histories, complete: false, are
reported separately too), their field-*.jsonl twins (a second real set, see SOURCE.md), and
heldout-bills.jsonl (never used for tuning) and round11-bills.jsonl (an eleventh round, measured
before two general rule changes it prompted; see SOURCE.md), round12-actions/histories.jsonl
(a stage round, measured before the two rule changes it prompted), round14-bills.jsonl (a
fourteenth, 2023-26 bills, measured before the topic additions it prompted) and round13-bills.jsonl (a
thirteenth relevance round, measured before the one term it prompted).
Prints each wrong row and why (score, matched terms, label basis).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tracker.relevance import Matcher, MatchInput  # noqa: E402
from tracker.stages import classify_action, current_stage  # noqa: E402

LABELLED = ROOT / "tests" / "files" / "labelled"


def rows(name: str) -> list[dict]:
    return [json.loads(x) for x in (LABELLED / name).read_text(encoding="utf-8").splitlines() if x.strip()]


def relevance(matcher: Matcher, name: str) -> None:
    tp = fp = fn = tn = 0
    wrong = []
    for r in rows(name):
        res = matcher.match(MatchInput(title=r.get("title"), subject=r.get("subject"),
                                       digest=r.get("summary"), text=r.get("text")))
        if res.relevant and r["relevant"]:
            tp += 1
        elif res.relevant:
            fp += 1
            wrong.append(("false positive", r, res))
        elif r["relevant"]:
            fn += 1
            wrong.append(("false negative", r, res))
        else:
            tn += 1
    recall = tp / (tp + fn) if tp + fn else 1.0
    precision = tp / (tp + fp) if tp + fp else 1.0
    print(f"relevance ({name}): {tp + fp + fn + tn} bills; recall {recall:.3f} (target 0.95), "
          f"precision {precision:.3f} (target 0.90)")
    print(f"  confusion: TP {tp}  FP {fp}  FN {fn}  TN {tn}")
    for kind, r, res in wrong:
        print(f"  {kind}: {r.get('bill')} {r.get('title')!r} score {res.score} matched {res.matched[:6]}"
              f" | label basis: {r.get('label_basis')}")


def stages(prefix: str = "") -> None:
    acts = rows(f"{prefix}actions.jsonl")
    confusion: Counter[tuple[str, str]] = Counter()
    wrong = []
    for r in acts:
        got = classify_action(r["action"])
        confusion[(r["stage"], got)] += 1
        if got != r["stage"]:
            wrong.append((r["action"], r["stage"], got))
    acc = 1 - len(wrong) / len(acts)
    print(f"stages ({prefix}actions.jsonl): {len(acts)} actions; accuracy {acc:.3f} (target 0.97)")
    for action, want, got in wrong:
        print(f"  wrong: {action!r}: labelled {want}, got {got}")
    hist = rows(f"{prefix}histories.jsonl")
    results = {True: [0, 0], False: [0, 0]}
    for r in hist:
        got = current_stage([(date.fromisoformat(a["date"]) if a.get("date") else None, a["action"])
                             for a in r["actions"]])
        ok = got == r["final_stage"]
        results[bool(r.get("complete", True))][0] += ok
        results[bool(r.get("complete", True))][1] += 1
        if not ok:
            print(f"  wrong history: {r['bill']}: labelled {r['final_stage']}, got {got}")
    total_ok = results[True][0] + results[False][0]
    print(f"stages ({prefix}histories.jsonl): {len(hist)} histories; accuracy {total_ok / len(hist):.3f} (target 0.97); "
          f"complete {results[True][0]}/{results[True][1]}, partial {results[False][0]}/{results[False][1]}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--topics", type=Path, default=ROOT / "config" / "topics.toml")
    args = ap.parse_args()
    matcher = Matcher.from_path(args.topics)
    for name in ("bills.jsonl", "field-bills.jsonl", "heldout-bills.jsonl", "round11-bills.jsonl", "round13-bills.jsonl",
                 "round14-bills.jsonl"):
        relevance(matcher, name)
    for prefix in ("", "field-", "round12-"):
        stages(prefix)


if __name__ == "__main__":
    main()

"""Matcher throughput on several MB of synthetic bill text built from real phrasing.

The text is real paragraphs (CAML bill texts and digests in tests/files/caml, labelled bill
titles and digests in tests/files/labelled) shuffled and repeated to ~4 MB, cut into bill-sized
documents. It is matched (1) by the Aho-Corasick matcher, through ``Matcher.match`` exactly as
the ingest calls it, and (2) by a naive baseline that runs one compiled regex per pattern (the
same normalised patterns; their space padding is the word boundary) over the same normalised text, in the same run.

    .venv/bin/python benchmarks/match.py [--mb 8]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tracker.pubinfo.caml import parse_caml  # noqa: E402
from tracker.relevance import Matcher, MatchInput, normalise  # noqa: E402


def paragraphs() -> list[str]:
    out: list[str] = []
    for lob in sorted((ROOT / "tests/files/caml").glob("*.lob")):
        doc = parse_caml(lob.read_bytes())
        for part in (doc.text, doc.digest):
            out += [p for p in (part or "").split("\n\n") if len(p) > 40]
    for line in (ROOT / "tests/files/labelled/bills.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        out += [row["title"], row.get("summary") or ""]
    return [p for p in out if p]


def build_docs(mb: float, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    paras = paragraphs()
    docs, size, target = [], 0, int(mb * 1_000_000)
    while size < target:
        doc = "\n\n".join(rng.choice(paras) for _ in range(rng.randint(20, 60)))
        docs.append(doc)
        size += len(doc.encode("utf-8"))
    return docs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=4.0)
    args = ap.parse_args()
    matcher = Matcher.from_path(ROOT / "config" / "topics.toml")
    docs = build_docs(args.mb)
    total = sum(len(d.encode("utf-8")) for d in docs)

    t0 = time.perf_counter()
    relevant = sum(matcher.match(MatchInput(title="Bill.", text=d)).relevant for d in docs)
    fast = time.perf_counter() - t0

    t0 = time.perf_counter()
    for d in docs:  # the floor: normalisation + one automaton pass, no scoring
        for _ in matcher._body_automaton.iter(normalise(d, fold=False)):
            pass
    scan_only = time.perf_counter() - t0

    # naive: the same normalised text, then one regex per pattern (the space padding is the
    # word boundary), i.e. the loop of patterns the single automaton replaces
    patterns = [re.compile(re.escape(p)) for p in matcher.patterns()]
    t0 = time.perf_counter()
    naive_hits = 0
    for d in docs:
        norm = normalise(d)
        for rx in patterns:
            naive_hits += sum(1 for _ in rx.finditer(norm))
    naive = time.perf_counter() - t0

    mbps, naive_mbps = total / fast / 1e6, total / naive / 1e6
    print(f"text: {total / 1e6:.1f} MB in {len(docs)} documents; {len(patterns)} patterns")
    print(f"matcher:  {fast:.2f} s  {mbps:.1f} MB/s  ({relevant} documents relevant)")
    print(f"  (normalise + automaton pass alone: {total / scan_only / 1e6:.1f} MB/s)")
    print(f"baseline: {naive:.2f} s  {naive_mbps:.1f} MB/s  (one regex per pattern, {naive_hits} hits)")
    print(f"ratio: {naive / fast:.1f}x faster than the baseline")
    print(f"targets: >= 50 MB/s {'OK' if mbps >= 50 else 'MISSED'}; "
          f">= 10x baseline {'OK' if naive / fast >= 10 else 'MISSED'}")


if __name__ == "__main__":
    main()

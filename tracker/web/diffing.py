"""'What changed' between two bill versions: a sentence-level diff of the digest text.

The Legislative Counsel's digest is the plain summary of a bill; comparing it sentence by
sentence (difflib) gives members a readable "this sentence was added / removed" view instead
of a character soup.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[^a-z0-9\s,;])")


def sentences(text: str | None) -> list[str]:
    """Split digest text into sentences, whitespace normalised."""
    if not text:
        return []
    flat = " ".join(text.split())
    return [p.strip() for p in _SENTENCE.split(flat) if p.strip()]


@dataclass(frozen=True)
class DiffLine:
    op: str  # "same", "added" or "removed"
    text: str


def digest_diff(old: str | None, new: str | None, context: int = 1) -> list[DiffLine]:
    """Removed and added sentences with a little unchanged context; [] when nothing changed."""
    a, b = sentences(old), sentences(new)
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    out: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            same = a[i1:i2]
            if len(same) > 2 * context:
                keep = ([] if not out else same[:context]) + ["…"] + same[-context:]
                out += [DiffLine("same", t) for t in keep]
            else:
                out += [DiffLine("same", t) for t in same]
            continue
        out += [DiffLine("removed", t) for t in a[i1:i2]]
        out += [DiffLine("added", t) for t in b[j1:j2]]
    if all(d.op == "same" for d in out):
        return []
    while out and out[-1].op == "same" and out[-1].text == "…":
        out.pop()
    return out

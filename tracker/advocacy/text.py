"""Text helpers for documents: clean the digest, pick sentences, shorten, compare versions,
and keep spreadsheet cells from being read as formulas.

The Legislative Counsel's digest arrives with hard line breaks inside paragraphs and runs to
thousands of characters; a one-page sheet needs a few readable sentences instead. Everything
here is pure (no database), so the summarising and the "what changed" logic are tested alone.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

_ABBREV = re.compile(
    r"(?:\b(?:Sec|Secs|No|Nos|St|Dr|Mr|Ms|Mrs|Jr|Sr|Inc|Co|Com|Coms|Cal|Stats|Ch|Gov|Art|"
    r"seq|et al|e\.g|i\.e|U\.S|vs|approx|Subd|subd|para)|\b[A-Z])\.$"
)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“(]?[A-Z0-9])")
_WORD = re.compile(r"\S+\s*")


def clean_paragraphs(text: str | None) -> list[str]:
    """Paragraphs with the printer's hard line breaks joined and spaces collapsed."""
    if not text:
        return []
    paras = re.split(r"\n\s*\n", text.replace("\r", ""))
    return [" ".join(p.split()) for p in paras if p.strip()]


def sentences(text: str) -> list[str]:
    """Split into sentences, not at 'Sec.' or 'U.S.' (good enough for legislative prose)."""
    out: list[str] = []
    for para in clean_paragraphs(text):
        pieces = _SENTENCE_END.split(para)
        buf = ""
        for piece in pieces:
            buf = f"{buf} {piece}".strip() if buf else piece
            if not _ABBREV.search(buf):
                out.append(buf)
                buf = ""
        if buf:
            out.append(buf)
    return out


def shorten(text: str, max_chars: int) -> tuple[str, bool]:
    """Cut at a word boundary and add an ellipsis; the flag says whether anything was cut."""
    text = " ".join(text.split())
    if len(text) <= max_chars:
        return text, False
    cut = text[: max(1, max_chars - 1)]
    if text[len(cut)] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    cut = cut.rstrip(",;:—- ")
    return cut + "…", True


def first_sentences(text: str, max_chars: int) -> tuple[str, bool]:
    """Whole sentences up to ``max_chars``; a single over-long first sentence is shortened."""
    picked: list[str] = []
    total = 0
    all_sentences = sentences(text)
    for sentence in all_sentences:
        if total + len(sentence) + 1 > max_chars:
            break
        picked.append(sentence)
        total += len(sentence) + 1
    if not picked:
        return shorten(all_sentences[0] if all_sentences else text, max_chars)
    return " ".join(picked), len(picked) < len(all_sentences)


def digest_summary(digest: str | None, max_chars: int) -> tuple[str, bool]:
    """The digest's own account of what the bill does, shortened to fit.

    The digest opens with "Existing law ..." paragraphs; readers need the paragraph that
    starts "This bill would ...", so we start there when it exists.
    """
    paras = clean_paragraphs(digest)
    if not paras:
        return "", False
    start = next((i for i, p in enumerate(paras) if p.startswith("This bill")), 0)
    text, cut = first_sentences("\n\n".join(paras[start:]), max_chars)
    return text, cut


@dataclass
class Segment:
    """A run of words in a reworded sentence: kept, inserted or deleted."""

    kind: str  # "same" | "ins" | "del"
    text: str


@dataclass
class Changes:
    """What the last amendment changed, in sentences, ready to print."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    reworded: list[list[Segment]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.reworded)

    @property
    def count(self) -> int:
        return len(self.added) + len(self.removed) + len(self.reworded)


def _word_diff(old: str, new: str, context: int = 6) -> list[Segment]:
    """Word-level diff of one reworded sentence; long unchanged runs become '…'."""
    a, b = _WORD.findall(old), _WORD.findall(new)
    segs: list[Segment] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            words = a[i1:i2]
            if len(words) > 2 * context:
                first = "".join(words[:context]) if segs else ""
                last = "".join(words[-context:]) if i2 < len(a) else ""
                text = f"{first}… {last}" if first else f"…{' ' + last if last else ''}"
                segs.append(Segment("same", text))
            else:
                segs.append(Segment("same", "".join(words)))
            continue
        if op in ("delete", "replace"):
            segs.append(Segment("del", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            segs.append(Segment("ins", "".join(b[j1:j2])))
    return segs


def compare(old: str | None, new: str | None) -> Changes:
    """Added, removed and reworded sentences between two versions of a text."""
    a, b = sentences(old or ""), sentences(new or "")
    out = Changes()
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        olds, news = a[i1:i2], b[j1:j2]
        if op == "replace":
            for new_s in list(news):
                best = max(olds, key=lambda o: difflib.SequenceMatcher(a=o, b=new_s).ratio(),
                           default=None)
                if best is not None and difflib.SequenceMatcher(a=best, b=new_s).ratio() >= 0.6:
                    out.reworded.append(_word_diff(best, new_s))
                    olds.remove(best)
                    news.remove(new_s)
        out.added += news
        out.removed += olds
    return out


def segments_length(segs: list[Segment]) -> int:
    return sum(len(s.text) for s in segs)


def shorten_segments(segs: list[Segment], max_chars: int) -> list[Segment]:
    """Keep whole segments up to ``max_chars`` so a printed change never runs off the page."""
    out: list[Segment] = []
    used = 0
    for seg in segs:
        if used + len(seg.text) > max_chars:
            room = max_chars - used
            if room > 20:
                out.append(Segment(seg.kind, shorten(seg.text, room)[0]))
            else:
                out.append(Segment("same", "…"))
            break
        out.append(seg)
        used += len(seg.text)
    return out


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def safe_cell(value: str) -> str:
    """Text a spreadsheet will show as text, never run as a formula (CSV/formula injection).

    A cell starting with = + - @ (or a tab or carriage return) is a formula to Excel,
    LibreOffice and Google Sheets; staff text such as '=HYPERLINK(...)' or '-5% funding' gets
    a leading apostrophe, as OWASP advises. Plain numbers ('-5') stay as they are. Text that
    already starts with apostrophes before such a character gets one more, so
    :func:`unsafe_cell` can give the exact text back on import.
    """
    if not value or _PLAIN_NUMBER.fullmatch(value):
        return value
    if value.lstrip("'").startswith(_FORMULA_START):
        return "'" + value
    return value


def unsafe_cell(value: str) -> str:
    """Undo :func:`safe_cell` (reading back a file we wrote, or one Excel saved from it)."""
    if value.startswith("'") and value.lstrip("'").startswith(_FORMULA_START):
        return value[1:]
    return value

"""Behavioral-health relevance: one Aho-Corasick pass per field over normalised text.

Normalisation lower-cases the text, turns every character that is not an ASCII letter or digit
into a space and collapses spaces, then pads both ends; every pattern is `` phrase `` with the
same normalisation, so a hit always falls on word boundaries ("mental" never hits inside
"environmental"). A pattern ending in ``*`` is a prefix (`` psychiatr`` hits "psychiatric").

Scoring: each counted hit adds ``term weight × field factor``; repeated hits in a field add
less (title and subject count once, digest hits decay, body text counts each mention but with a
small factor and a cap), so an incidental mention in a long bill text is not enough. Weak terms
("crisis", "homeless", "school") count only when the bill also has a non-weak hit, and a hit
that lies inside one of its topic's exclusion phrases ("housing crisis", "peer review") is
dropped. A bill is relevant when the score reaches the threshold in ``[scoring]``.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ahocorasick

from tracker.relevance.sections import cited_sections, code_name, collapse
from tracker.relevance.taxonomy import FIELDS, Taxonomy, Term, load_taxonomy

# a-z 0-9 kept, A-Z lowered; whitespace, hyphen, slash, apostrophe, brackets and every byte of a
# non-ASCII character become a space; other punctuation (. , ; : " ! ?) is deleted, so "health."
# and "Assistance, Recovery" leave a single space behind.
_SPACE = set(b" \t\n\r\f\v-/'()[]{}<>|\\_") | set(range(128, 256)) | set(range(0, 32))
_TABLE = bytes(c if 48 <= c <= 57 or 97 <= c <= 122 else c + 32 if 65 <= c <= 90 else 32
               for c in range(256))
_DELETE = bytes(c for c in range(33, 128) if not (48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122)
                and c not in _SPACE)
# the same mapping without lower-casing: positions match ``normalise`` byte for byte
_TABLE_CASED = bytes(c if 48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122 else 32 for c in range(256))
_RUNS = re.compile(r" {2,}")
#: The long title ("An act to amend Section 5150 of the Welfare and Institutions Code, relating
#: to mental health.") as some sources print it: inside the summary, with no subject field.
_LONG_TITLE = re.compile(r"\bAn act (?:to|making|relating)\b.{0,2000}?(?:relating to [^.]{0,200}\.|\.(?:\s|$))",
                         re.IGNORECASE | re.DOTALL)
_SNIPPET = 60
#: Bump when a change to this module decides differently for the same topics file: it is part of
#: ``Matcher.fingerprint``, so the next ingest scores every stored bill again by the new rules.
RULES = 1


def normalise(text: str, fold: bool = True, table: bytes = _TABLE) -> str:
    """`` words separated by spaces `` (ASCII letters and digits only, lower case, padded).

    Bytes-level work only (encode, one ``translate``): this runs over every megabyte of bill
    text. ``fold`` also folds runs of spaces into one; the full text skips it for speed (its
    lines are already whitespace-cleaned by the CAML reader, so a phrase is never split by two).
    """
    if "\u2019" in text:
        text = text.replace("\u2019", "'")
    out = " " + text.encode("utf-8", "replace").translate(table, _DELETE).decode("ascii") + " "
    return _RUNS.sub(" ", out) if fold else out


def _normalise_cased(text: str, fold: bool) -> str:
    """``normalise`` keeping capitals, for terms that must be in capitals (same positions)."""
    return normalise(text, fold, _TABLE_CASED)


def _capital_words(raw: str) -> tuple[tuple[int, str], ...]:
    """(position, word) of the words a phrase writes in capitals ("CARE plan" → ((0, "CARE"),))."""
    words = _normalise_cased(raw.rstrip().rstrip("*"), True).split()
    return tuple((i, w) for i, w in enumerate(words) if len(w) > 1 and w.isupper())


@dataclass(frozen=True)
class MatchInput:
    title: str | None = None
    subject: str | None = None
    digest: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class MatchResult:
    relevant: bool
    score: float
    topics: list[str]
    matched: list[str]
    explanation: list[dict[str, Any]] = field(default_factory=list)  # topic, term, field, snippet, weight


def _plural(word: str) -> list[str]:
    if not word or word[-1].isdigit() or len(word) < 3:
        return []
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return [word + "es"]
    if word.endswith("y") and word[-2] not in "aeiou":
        return [word[:-1] + "ies"]
    return [word + "s"]


def variants(term: Term) -> list[tuple[str, bool]]:
    """(normalised phrase, is_prefix) for a term, its explicit forms and simple plurals."""
    return [(phrase, prefix) for phrase, prefix, _ in _variants(term)]


def _variants(term: Term) -> list[tuple[str, bool, tuple[tuple[int, str], ...]]]:
    """``variants`` with, for a ``capitals`` term, the words each form writes in capitals."""
    out: list[tuple[str, bool, tuple[tuple[int, str], ...]]] = []
    for raw in (term.term, *term.forms):
        prefix = raw.rstrip().endswith("*")
        words = normalise(raw.rstrip().rstrip("*")).split()
        if not words:
            continue
        phrase = " ".join(words)
        caps = _capital_words(raw) if term.capitals else ()
        out.append((phrase, prefix, caps))
        if not prefix:
            for p in _plural(words[-1]):
                out.append((" ".join([*words[:-1], p]), False, caps))
    seen: set[tuple[str, bool]] = set()
    return [v for v in out if not ((v[0], v[1]) in seen or seen.add((v[0], v[1])))]


class Matcher:
    """Compiled taxonomy: ``match()`` decides relevance for one bill (version)."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self.watched: set[str] = set(taxonomy.watched)
        self.topics = taxonomy.topics
        self.scoring = taxonomy.scoring
        # what the stored relevance of a session was computed with (see ``Taxonomy.fingerprint``)
        self.fingerprint: str = hashlib.sha256(f"{RULES}|{taxonomy.fingerprint()}".encode()).hexdigest()
        self._capitals: dict[tuple[int, int, str], tuple[tuple[int, str], ...]] = {}
        full: dict[str, list[tuple[int, int, int, str]]] = defaultdict(list)
        body: dict[str, list[tuple[int, int, int, str]]] = defaultdict(list)
        # payload entries: (kind 0=term 1=exclusion, topic index, term index, phrase)
        for ti, topic in enumerate(self.topics):
            anchor_keys: list[str] = []
            all_keys: list[str] = []
            for ki, term in enumerate(topic.terms):
                for phrase, prefix, caps in _variants(term):
                    key = f" {phrase}" if prefix else f" {phrase} "
                    if caps:
                        self._capitals[(ti, ki, phrase)] = caps
                    full[key].append((0, ti, ki, phrase))
                    all_keys.append(key)
                    if not term.weak:  # body text: weak words are left out (speed, and noise)
                        body[key].append((0, ti, ki, phrase))
                        anchor_keys.append(key)
            for ex in topic.exclude:
                # plurals too: "trauma center" must also keep "trauma" in "trauma centers" out
                for phrase, prefix in variants(Term(term=ex, weight=0.0, weak=False)):
                    key = f" {phrase}" if prefix else f" {phrase} "
                    # an exclusion only matters where it contains one of the topic's terms
                    if any(k in key for k in all_keys):
                        full[key].append((1, ti, -1, phrase))
                    if any(k in key for k in anchor_keys):
                        body[key].append((1, ti, -1, phrase))
        self._automaton = self._build(full)
        self._body_automaton = self._build(body)
        self._field_ok = [set(t.fields) for t in self.topics]
        self._with_sections = [t for t in self.topics if t.sections and "subject" in t.fields]
        self._weak = [[t.weak for t in topic.terms] for topic in self.topics]
        self.pattern_count = len(full)

    @staticmethod
    def _build(payloads: dict[str, list[tuple[int, int, int, str]]]) -> ahocorasick.Automaton:
        automaton = ahocorasick.Automaton()
        for key, entries in payloads.items():
            automaton.add_word(key, (len(key), tuple(entries)))
        if payloads:
            automaton.make_automaton()
        return automaton

    @classmethod
    def from_path(cls, path: Path) -> Matcher:
        return cls(load_taxonomy(path))

    def patterns(self) -> list[str]:
        """Every normalised pattern (used by the benchmark's naive baseline)."""
        return [str(k) for k in self._automaton.keys()]

    def _scan_norm(self, field_name: str, text: str) -> tuple[dict[tuple[int, int], tuple[int, Any]], str]:
        """(topic, term) → (count, first hit), exclusions applied; and the normalised text."""
        is_body = field_name == "text"
        norm = normalise(text, fold=not is_body)
        automaton = self._body_automaton if is_body else self._automaton
        if not len(automaton):
            return {}, norm
        hits: list[tuple[int, int, int, int, str]] = []
        excluded: dict[int, list[tuple[int, int]]] = {}
        field_ok = self._field_ok
        for end, (length, entries) in automaton.iter(norm):
            start = end - length + 1
            for kind, ti, ki, phrase in entries:
                if field_name not in field_ok[ti]:
                    continue
                if kind:
                    excluded.setdefault(ti, []).append((start, end))
                else:
                    hits.append((ti, ki, start, end, phrase))
        weak = self._weak
        if self._capitals and hits:
            hits = self._in_capitals(hits, text, not is_body)
        if excluded:
            hits = [h for h in hits if not (h[0] in excluded and any(
                s <= h[2] + 1 and h[3] - 1 <= e for s, e in excluded[h[0]]))]
        # a weak word inside a longer strong phrase ("court" in "CARE Court") is not a hit of its own
        strong = [(h[2], h[3]) for h in hits if not weak[h[0]][h[1]]] if not is_body else []
        found: dict[tuple[int, int], tuple[int, str]] = {}
        for ti, ki, start, end, phrase in hits:
            if strong and weak[ti][ki] and any(
                    s <= start and end <= e and (s, e) != (start, end) for s, e in strong):
                continue
            count, first = found.get((ti, ki), (0, phrase if not is_body else (phrase, start, end)))
            found[(ti, ki)] = (count + 1, first)
        return found, norm

    def _in_capitals(self, hits: list[tuple[int, int, int, int, str]], text: str,
                     fold: bool) -> list[tuple[int, int, int, int, str]]:
        """Drop hits of ``capitals`` terms whose capital words are not capitals in the text."""
        caps = self._capitals
        if not any((h[0], h[1], h[4]) in caps for h in hits):
            return hits
        cased = _normalise_cased(text, fold)
        kept = []
        for h in hits:
            need = caps.get((h[0], h[1], h[4]))
            if need:
                words = cased[h[2]:h[3] + 1].split()
                # a plural keeps its capitals: "ISTs" is the plural of "IST"
                if any(i >= len(words) or words[i] not in (w, w + "s", w + "es") for i, w in need):
                    continue
            kept.append(h)
        return kept

    def _section_rows(self, long_title: str) -> list[dict[str, Any]]:
        """One row per topic whose code sections the long title says the bill changes."""
        factor = float(self.scoring.field_factor.get("subject", 0.0))
        if not self._with_sections or factor <= 0:
            return []
        text = collapse(long_title)  # the offsets ``cited_sections`` gives are in this text
        cited = cited_sections(text)
        rows = []
        for topic in self._with_sections:
            hit = next((c for c in cited if any(r.covers(c.code, c.section, c.through) for r in topic.sections)), None)
            if hit is None:
                continue
            label = f"{code_name(hit.code)} section {hit.section}" + (f" to {hit.through}" if hit.through else "")
            rows.append({"topic": topic.id, "term": label, "field": "subject",
                         "weight": topic.section_weight * factor, "count": 1, "_phrase": hit.section,
                         "_snippet": _excerpt(text, hit.at, hit.at + len(hit.section))})
        return rows

    def match(self, item: MatchInput) -> MatchResult:
        sc = self.scoring
        fields = {f: getattr(item, f) for f in FIELDS if getattr(item, f)}
        scans, norms = {}, {}
        for f, text in fields.items():
            scans[f], norms[f] = self._scan_norm(f, text)
        long_title = item.subject
        if not long_title and item.digest:
            quoted = _LONG_TITLE.search(item.digest)
            long_title = quoted.group(0) if quoted else None
        rows: list[dict[str, Any]] = self._section_rows(long_title) if long_title else []
        anchored = bool(rows) or any(not self.topics[ti].terms[ki].weak for s in scans.values() for ti, ki in s)
        text_total = 0.0
        for f, found in scans.items():
            factor = float(sc.field_factor.get(f, 0.0))
            cap = int(sc.max_count.get(f, 1))
            for (ti, ki), (count, phrase) in found.items():
                term = self.topics[ti].terms[ki]
                if term.weak and not anchored:
                    continue
                n = min(count, cap)
                mult = n if f == "text" else 1 + 0.5 * (n - 1)
                value = term.weight * factor * mult
                if value <= 0:
                    continue
                if f == "text":
                    text_total += value
                rows.append({"topic": self.topics[ti].id, "term": term.term, "field": f,
                             "weight": value, "count": count, "_phrase": phrase,
                             "_caps": self._capitals.get((ti, ki, phrase if f != "text" else phrase[0]))})
        if text_total > sc.text_cap:  # scale body-text contributions down to the cap
            ratio = sc.text_cap / text_total
            for r in rows:
                if r["field"] == "text":
                    r["weight"] *= ratio
        score = round(sum(r["weight"] for r in rows), 3)
        relevant = score >= sc.threshold
        anchored_topics = {self.topics[ti].id for s in scans.values() for ti, ki in s
                           if not self.topics[ti].terms[ki].weak} | {r["topic"] for r in rows if "_snippet" in r}
        by_topic: dict[str, float] = defaultdict(float)
        by_term: dict[str, float] = defaultdict(float)
        for r in rows:
            by_topic[r["topic"]] += r["weight"]
            by_term[r["term"]] += r["weight"]
        topics: list[str] = []
        if relevant:
            ranked = sorted(by_topic.items(), key=lambda kv: (-kv[1], kv[0]))
            topics = [t for t, v in ranked
                      if v >= (sc.topic_min if t in anchored_topics else 2 * sc.topic_min)]
            topics = topics or [ranked[0][0]]
        matched = [t for t, _ in sorted(by_term.items(), key=lambda kv: (-kv[1], kv[0]))]
        rows.sort(key=lambda r: (-r["weight"], FIELDS.index(r["field"]), r["term"]))
        explanation = []
        lowered: dict[str, str] = {}
        for r in rows[:20]:
            phrase = r.pop("_phrase")
            caps = r.pop("_caps", None)
            f = r["field"]
            if "_snippet" in r:  # a code section: the window was cut where the section is named
                r["weight"] = round(r["weight"], 3)
                r["snippet"] = r.pop("_snippet")
                explanation.append(r)
                continue
            if f == "text":  # body text: a window of the normalised text, no regex over megabytes
                _, start, end = phrase
                r["weight"] = round(r["weight"], 3)
                r["snippet"] = "…" + norms[f][max(0, start - _SNIPPET):end + _SNIPPET].strip() + "…"
                explanation.append(r)
                continue
            if f not in lowered:
                lowered[f] = fields[f][:200_000].lower()
            r["weight"] = round(r["weight"], 3)
            r["snippet"] = (snippet_in_capitals(fields[f], phrase, caps) if caps
                            else snippet(fields[f], phrase, lowered[f]))
            explanation.append(r)
        return MatchResult(relevant, score, topics, matched, explanation)


_SNIPPET_RE: dict[str, re.Pattern[str]] = {}


def snippet_in_capitals(text: str, phrase: str, caps: tuple[tuple[int, str], ...]) -> str:
    """``snippet`` for a ``capitals`` term: the occurrence in capitals ("CARE plan"), not an
    earlier "care plan" the matcher did not count."""
    words = [re.escape(w) for w in phrase.split()]
    pattern = [f"(?i:{w})" for w in words]
    for i, w in caps:
        if i < len(pattern):
            pattern[i] = f"{re.escape(w)}(?:e?s)?"
    m = re.search(r"(?<![A-Za-z0-9])" + r"[^A-Za-z0-9]+".join(pattern), text[:200_000])
    return _excerpt(text, m.start(), m.end()) if m else snippet(text, phrase)


def snippet(text: str, phrase: str, low: str | None = None) -> str:
    """A short excerpt of the original text around the first whole-word occurrence of a phrase."""
    rx = _SNIPPET_RE.get(phrase)
    if rx is None:
        rx = _SNIPPET_RE[phrase] = re.compile(r"[^a-z0-9]+".join(re.escape(w) for w in phrase.split()))
    if low is None:
        low = text[:200_000].lower()
    m = None
    for cand in rx.finditer(low):
        if cand.start() == 0 or not low[cand.start() - 1].isalnum():
            m = cand
            break
    return _excerpt(text, m.start(), m.end()) if m else ""


def _excerpt(text: str, start: int, end: int) -> str:
    """The text around ``start:end``, widened to whole words, on one line, "…" where cut."""
    lo, hi = max(0, start - _SNIPPET), min(len(text), end + _SNIPPET)
    while lo > 0 and text[lo - 1].isalnum():
        lo -= 1
    while hi < len(text) and text[hi].isalnum():
        hi += 1
    out = " ".join(text[lo:hi].split())
    return ("…" if lo > 0 else "") + out + ("…" if hi < len(text) else "")

"""The topic taxonomy (``config/topics.toml``): load it and validate it with line numbers.

Staff edit the file by hand, so every problem is reported as ``path:line: message`` (one per
problem, all of them at once) instead of a traceback. ``tomllib`` parses; line numbers come from
locating the offending table, key or quoted value in the raw text.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tracker.errors import TrackerError
from tracker.relevance.sections import SectionRange, parse_range

FIELDS = ("title", "subject", "digest", "text")
ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
BILL_RE = re.compile(r"^\s*(AB|ACA|ACR|AJR|HR|SB|SCA|SCR|SJR|SR)(X\d)?[\s\-.]*0*(\d{1,5})\s*$", re.I)
TOPIC_KEYS = {"id", "label", "label_es", "description", "description_es", "fields", "weight", "weak_weight",
              "terms", "weak_terms", "exclude", "sections"}
#: A topic's description is one line under its name on the sign-up form: long enough to spell out
#: an acronym, short enough to read on a phone.
DESCRIPTION_MAX = 250
TERM_KEYS = {"term", "weight", "forms", "weak", "capitals"}
TOP_KEYS = {"version", "scoring", "watch", "topic"}
SCORING_KEYS = {"threshold", "topic_min", "text_cap", "field_factor", "max_count"}
WATCH_KEYS = {"bills"}


@dataclass(frozen=True)
class Term:
    term: str  # as written by staff (shown in explanations)
    weight: float
    weak: bool  # counts only when the bill also has a non-weak (anchor) hit
    forms: tuple[str, ...] = ()  # extra spellings/inflections given explicitly
    # words written in CAPITALS must be capitals in the bill too: "CARE plan" (the CARE Act's)
    # is not a "care plan", and "the CARE Act" is not "the Preventive Care Act"
    capitals: bool = False


@dataclass(frozen=True)
class Topic:
    id: str
    label: str
    label_es: str
    fields: tuple[str, ...]
    terms: tuple[Term, ...]
    exclude: tuple[str, ...]
    line: int
    # code sections whose amendment, addition or repeal (named in the long title) is this topic
    sections: tuple[SectionRange, ...] = ()
    section_weight: float = 3.0
    # one plain line under the label for members (optional; English and Spanish come together)
    description: str = ""
    description_es: str = ""

    def description_for(self, lang: str) -> str:
        """The description in ``lang`` ('' when the topic has none)."""
        return self.description_es if lang == "es" else self.description


@dataclass(frozen=True)
class Scoring:
    threshold: float = 3.0
    topic_min: float = 1.0
    text_cap: float = 4.0
    field_factor: dict[str, float] = field(
        default_factory=lambda: {"title": 1.0, "subject": 1.0, "digest": 0.6, "text": 0.15})
    max_count: dict[str, int] = field(
        default_factory=lambda: {"title": 1, "subject": 1, "digest": 3, "text": 6})


@dataclass(frozen=True)
class Taxonomy:
    topics: tuple[Topic, ...]
    watched: frozenset[str]
    scoring: Scoring

    def fingerprint(self) -> str:
        """A hash of everything that decides relevance: topics, their fields, terms, weights,
        exclusions and sections, the scoring and the watch list.

        Stored with the relevance it produced, so an edit of the topics file is noticed and
        every stored bill scored again. Labels, comments, line numbers and the order of the
        watch list decide nothing and are left out: fixing a Spanish label re-scores nothing.
        """
        topics = [{"id": t.id, "fields": list(t.fields), "terms": [asdict(term) for term in t.terms],
                   "exclude": list(t.exclude), "sections": [[r.code, r.text] for r in t.sections],
                   "section_weight": t.section_weight} for t in self.topics]
        payload = {"topics": topics, "watched": sorted(self.watched), "scoring": asdict(self.scoring)}
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def normalise_bill(number: str) -> str | None:
    """``ab13`` / ``AB-13`` / ``AB 013`` → ``AB 13``; None when it is not a bill number."""
    m = BILL_RE.match(number)
    if not m:
        return None
    return f"{m.group(1).upper()}{(m.group(2) or '').upper()} {int(m.group(3))}"


class _Lines:
    """Find where things are in the raw TOML so errors can name a line."""

    def __init__(self, raw: str) -> None:
        self.lines = raw.splitlines()
        self.topic_starts = [i + 1 for i, ln in enumerate(self.lines)
                             if re.match(r"^\s*\[\[\s*topic\s*\]\]", ln)]

    def topic_range(self, index: int) -> tuple[int, int]:
        if index < len(self.topic_starts):
            start = self.topic_starts[index]
            end = self.topic_starts[index + 1] - 1 if index + 1 < len(self.topic_starts) else len(self.lines)
            return start, end
        return 1, len(self.lines)

    def table(self, name: str) -> int:
        for i, ln in enumerate(self.lines):
            if re.match(rf"^\s*\[\s*{re.escape(name)}\s*\]", ln):
                return i + 1
        return 1

    def key(self, key: str, lo: int = 1, hi: int | None = None) -> int:
        hi = hi or len(self.lines)
        pat = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for n in range(lo, hi + 1):
            if pat.match(self.lines[n - 1]):
                return n
        return lo

    def value(self, text: str, lo: int = 1, hi: int | None = None, fallback: int | None = None) -> int:
        hi = hi or len(self.lines)
        for quoted in (f'"{text}"', f"'{text}'", text):
            for n in range(lo, hi + 1):
                if quoted in self.lines[n - 1]:
                    return n
        return fallback or lo


def _num(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def parse_taxonomy(raw: str, path: str = "topics.toml") -> tuple[Taxonomy | None, list[tuple[int, str]]]:
    """Parse and validate; returns the taxonomy (None when unusable) and every (line, error)."""
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        line = int(m.group(1)) if m else 1
        return None, [(line, "TOML syntax: " + re.sub(r"\s*\(at line.*\)$", "", msg))]
    loc = _Lines(raw)
    errors: list[tuple[int, str]] = []
    for key in data:
        if key not in TOP_KEYS:
            errors.append((loc.key(key) if key in raw else loc.table(key),
                           f"unknown top-level key {key!r} (expected one of {', '.join(sorted(TOP_KEYS))})"))
    scoring = _scoring(data.get("scoring", {}), loc, errors)
    watched = _watch(data.get("watch", {}), loc, errors)
    topics: list[Topic] = []
    raw_topics = data.get("topic", [])
    if not isinstance(raw_topics, list) or not raw_topics:
        errors.append((1, "no topics: add at least one [[topic]] table"))
        raw_topics = []
    seen: dict[str, int] = {}
    for index, t in enumerate(raw_topics):
        topic = _topic(index, t, loc, errors)
        if topic is None:
            continue
        if topic.id in seen:
            errors.append((loc.key("id", *loc.topic_range(index)),
                           f"duplicate topic id {topic.id!r} (first defined on line {seen[topic.id]})"))
            continue
        seen[topic.id] = topic.line
        topics.append(topic)
    errors.sort(key=lambda e: e[0])
    if errors:
        return None, errors
    return Taxonomy(tuple(topics), frozenset(watched), scoring), []


def _scoring(s: Any, loc: _Lines, errors: list[tuple[int, str]]) -> Scoring:
    base = Scoring()
    if not isinstance(s, dict):
        errors.append((loc.key("scoring"), "[scoring] must be a table"))
        return base
    lo = loc.table("scoring")
    values: dict[str, Any] = {}
    for key, value in s.items():
        line = loc.key(key, lo)
        if key not in SCORING_KEYS:
            errors.append((line, f"unknown key {key!r} in [scoring]"))
        elif key in ("field_factor", "max_count"):
            if not isinstance(value, dict):
                errors.append((line, f"scoring.{key} must be a table like {{ title = 1.0 }}"))
                continue
            merged = dict(getattr(base, key))
            for f, v in value.items():
                if f not in FIELDS:
                    errors.append((line, f"scoring.{key}: unknown field {f!r} (use {', '.join(FIELDS)})"))
                elif not _num(v) or v < 0 or (key == "max_count" and (not isinstance(v, int) or v < 1)):
                    errors.append((line, f"scoring.{key}.{f} must be a {'whole number >= 1' if key == 'max_count' else 'number >= 0'}"))
                else:
                    merged[f] = v
            values[key] = merged
        elif not _num(value) or value <= 0:
            errors.append((line, f"scoring.{key} must be a number > 0"))
        else:
            values[key] = float(value)
    return Scoring(**{**base.__dict__, **values})


def _watch(w: Any, loc: _Lines, errors: list[tuple[int, str]]) -> set[str]:
    out: set[str] = set()
    if not isinstance(w, dict):
        errors.append((loc.key("watch"), "[watch] must be a table with bills = [\"AB 13\", ...]"))
        return out
    lo = loc.table("watch")
    for key in w:
        if key not in WATCH_KEYS:
            errors.append((loc.key(key, lo), f"unknown key {key!r} in [watch] (expected 'bills')"))
    bills = w.get("bills", [])
    if not isinstance(bills, list):
        errors.append((loc.key("bills", lo), "watch.bills must be a list of bill numbers like \"AB 13\""))
        return out
    for b in bills:
        norm = normalise_bill(b) if isinstance(b, str) else None
        if norm is None:
            errors.append((loc.value(str(b), lo), f"not a bill number: {b!r} (expected like \"AB 13\" or \"SB 43\")"))
        else:
            out.add(norm)
    return out


def _topic(index: int, t: Any, loc: _Lines, errors: list[tuple[int, str]]) -> Topic | None:
    lo, hi = loc.topic_range(index)
    where = f"topic #{index + 1}"
    if not isinstance(t, dict):
        errors.append((lo, f"{where} must be a table"))
        return None
    n_before = len(errors)
    tid = t.get("id")
    if not isinstance(tid, str) or not ID_RE.match(tid):
        errors.append((loc.key("id", lo, hi) if "id" in t else lo,
                       f"{where}: 'id' must be lower-case letters, digits and _ (got {tid!r})"))
    else:
        where = f"topic {tid!r}"
    for key in t:
        if key not in TOPIC_KEYS:
            errors.append((loc.key(key, lo, hi), f"{where}: unknown key {key!r} (expected one of {', '.join(sorted(TOPIC_KEYS))})"))
    for key in ("label", "label_es"):
        if not isinstance(t.get(key), str) or not t[key].strip():
            errors.append((loc.key(key, lo, hi) if key in t else lo, f"{where}: {key!r} is required (a non-empty string)"))
    descriptions = _descriptions(t, where, loc, lo, hi, errors)
    fields = t.get("fields", list(FIELDS))
    if not isinstance(fields, list) or not fields or any(f not in FIELDS for f in fields):
        errors.append((loc.key("fields", lo, hi), f"{where}: 'fields' must list some of {', '.join(FIELDS)} (got {fields!r})"))
        fields = list(FIELDS)
    weights = {}
    for key, default in (("weight", 3.0), ("weak_weight", 1.0)):
        w = t.get(key, default)
        if not _num(w) or w <= 0:
            errors.append((loc.key(key, lo, hi), f"{where}: {key!r} must be a number > 0 (got {w!r})"))
            w = default
        weights[key] = float(w)
    terms: list[Term] = []
    for key, weak in (("terms", False), ("weak_terms", True)):
        items = t.get(key, [])
        if not isinstance(items, list):
            errors.append((loc.key(key, lo, hi), f"{where}: {key!r} must be a list"))
            continue
        for item in items:
            term = _term(item, weak, weights["weak_weight" if weak else "weight"], where, loc, lo, hi, key, errors)
            if term:
                terms.append(term)
    if not terms and "terms" in t:
        errors.append((loc.key("terms", lo, hi), f"{where}: no usable terms"))
    elif "terms" not in t and "weak_terms" not in t:
        errors.append((lo, f"{where}: 'terms' is required (a list of phrases)"))
    exclude = t.get("exclude", [])
    if not isinstance(exclude, list) or any(not isinstance(e, str) or not _has_word(e) for e in exclude):
        errors.append((loc.key("exclude", lo, hi), f"{where}: 'exclude' must be a list of phrases"))
        exclude = []
    sections: list[SectionRange] = []
    raw_sections = t.get("sections", [])
    if not isinstance(raw_sections, list) or any(not isinstance(r, str) for r in raw_sections):
        errors.append((loc.key("sections", lo, hi), f"{where}: 'sections' must be a list like [\"Penal Code 1367-1376\"]"))
        raw_sections = []
    for r in raw_sections:
        try:
            sections.append(parse_range(r))
        except ValueError as exc:
            errors.append((loc.value(r, lo, hi), f"{where}: sections: {exc}"))
    if sections and "subject" not in fields:  # sections are read from the long title only
        errors.append((loc.key("sections", lo, hi), f"{where}: 'sections' needs \"subject\" in 'fields' "
                       "(code sections are read from the bill's long title)"))
    if len(errors) > n_before:
        return None
    return Topic(tid, t["label"].strip(), t["label_es"].strip(), tuple(fields), tuple(terms),
                 tuple(exclude), lo, tuple(sections), weights["weight"], *descriptions)


def _descriptions(t: dict[str, Any], where: str, loc: _Lines, lo: int, hi: int,
                  errors: list[tuple[int, str]]) -> tuple[str, str]:
    """The topic's optional (description, description_es), checked.

    Each is one line of plain text. They come as a pair: a Spanish page must not fall back to
    an English sentence, nor an English page go without what the Spanish one explains.
    """
    out: list[str] = []
    for key in ("description", "description_es"):
        value = t.get(key, "")
        line = loc.key(key, lo, hi) if key in t else lo
        if not isinstance(value, str) or (key in t and not value.strip()):
            errors.append((line, f"{where}: {key!r} must be a non-empty string (or leave it out)"))
            value = ""
        elif "\n" in value.strip():
            errors.append((line, f"{where}: {key!r} must be one line"))
        elif len(value.strip()) > DESCRIPTION_MAX:
            errors.append((line, f"{where}: {key!r} is {len(value.strip())} characters long; "
                                 f"keep it to {DESCRIPTION_MAX} (one line on a phone)"))
        out.append(" ".join(value.split()))
    if ("description" in t) != ("description_es" in t):
        missing = "description" if "description_es" in t else "description_es"
        errors.append((lo, f"{where}: {missing!r} is missing: give the description in English and Spanish"))
    return out[0], out[1]


def _has_word(text: str) -> bool:
    return bool(re.search(r"[A-Za-z0-9]", text))


def _term(item: Any, weak: bool, default_w: float, where: str, loc: _Lines, lo: int, hi: int,
          key: str, errors: list[tuple[int, str]]) -> Term | None:
    if isinstance(item, str):
        if not _has_word(item):
            errors.append((loc.value(item, lo, hi, loc.key(key, lo, hi)), f"{where}: empty term {item!r}"))
            return None
        return Term(item.strip(), default_w, weak)
    if isinstance(item, dict):
        text = item.get("term")
        line = loc.value(str(text), lo, hi, loc.key(key, lo, hi))
        bad = [k for k in item if k not in TERM_KEYS]
        if bad:
            errors.append((line, f"{where}: unknown key(s) {', '.join(map(repr, bad))} in term (use term, weight, forms, weak, capitals)"))
            return None
        if not isinstance(text, str) or not _has_word(text):
            errors.append((line, f"{where}: a term table needs term = \"phrase\""))
            return None
        w = item.get("weight", default_w)
        if not _num(w) or w <= 0:
            errors.append((line, f"{where}: weight of {text!r} must be a number > 0"))
            return None
        forms = item.get("forms", [])
        if not isinstance(forms, list) or any(not isinstance(f, str) or not _has_word(f) for f in forms):
            errors.append((line, f"{where}: forms of {text!r} must be a list of phrases"))
            return None
        is_weak = item.get("weak", weak)
        if not isinstance(is_weak, bool):
            errors.append((line, f"{where}: weak of {text!r} must be true or false"))
            return None
        capitals = item.get("capitals", False)
        if not isinstance(capitals, bool):
            errors.append((line, f"{where}: capitals of {text!r} must be true or false"))
            return None
        if capitals and not any(len(w) > 1 and w.isupper() for w in re.findall(r"[A-Za-z0-9]+", text)):
            errors.append((line, f"{where}: capitals of {text!r}: the phrase has no word in CAPITALS"))
            return None
        return Term(text.strip(), float(w), is_weak, tuple(forms), capitals)
    errors.append((loc.key(key, lo, hi), f"{where}: each term must be a string or {{ term = \"...\", weight = 2 }}"))
    return None


def load_taxonomy(path: Path) -> Taxonomy:
    """Load and validate; raises ``TrackerError`` naming every problem with its line."""
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise TrackerError(f"cannot read topics file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise TrackerError(f"{path}: not UTF-8 text") from None
    taxonomy, errors = parse_taxonomy(raw, str(path))
    if errors or taxonomy is None:
        detail = "; ".join(f"line {ln}: {msg}" for ln, msg in errors)
        raise TrackerError(f"{path}: invalid topics file ({len(errors)} error(s)): {detail}")
    return taxonomy


def check_file(path: Path) -> list[str]:
    """Every problem as ``path:line: message`` (empty when the file is valid)."""
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        return [f"{path}: cannot read: {exc.strerror or exc}"]
    except UnicodeDecodeError:
        return [f"{path}:1: not UTF-8 text"]
    _, errors = parse_taxonomy(raw, str(path))
    return [f"{path}:{ln}: {msg}" for ln, msg in errors]

"""Every fixed string in the document templates has a Spanish translation (documents.po)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

from tracker.advocacy.matrix import NO_TOPIC, POSITION_LABELS, STAGE_TEXT
from tracker.i18n import LOCALE_DIR
from tracker.rendering import TEMPLATES_DIR

PY_STRINGS = ["Briefing sheets", "Advocacy Day packet for %(name)s",
              "QR code: %(bill)s on our website", "QR code: %(bill)s on leginfo.legislature.ca.gov"]


def _template_strings() -> set[str]:
    found: set[str] = set()
    options = {"trim_blocks": "true", "lstrip_blocks": "true", "extensions": "jinja2.ext.i18n"}
    for path in sorted(Path(TEMPLATES_DIR, "docs").glob("*.html")):
        with path.open("rb") as fh:
            for _line, _func, msg, _comments in babel_extract(fh, ("_", "gettext"), [], options):
                if isinstance(msg, str):
                    found.add(msg)
    return found


def test_every_document_string_is_translated() -> None:
    translated: set[str] = set()
    for name in ("documents.po", "common.po"):  # common.po: strings every channel shares
        with (LOCALE_DIR / "es" / "LC_MESSAGES" / name).open("rb") as fh:
            translated |= {m.id for m in read_po(fh, locale="es") if m.id and m.string}
    wanted = (_template_strings() | set(POSITION_LABELS.values()) | set(STAGE_TEXT.values()) | set(PY_STRINGS)
              | {NO_TOPIC})
    missing = sorted(wanted - translated)
    assert not missing, f"untranslated in documents.po / common.po: {missing}"

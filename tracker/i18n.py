"""Translations from the Babel/gettext catalogs kept as ``.po`` files in the repository.

Every ``.po`` file under ``tracker/locale/<lang>/LC_MESSAGES/`` is read and merged, so the
email work and the document work each keep their own catalog file (domain) while sharing one
lookup. Catalogs are compiled in memory, so no build step is needed after editing a ``.po``.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
SUPPORTED = ("en", "es")


def normalise_lang(lang: str | None) -> str:
    """Map 'es-MX', 'ES', None... onto a supported language (English by default)."""
    code = (lang or "en").split("-")[0].split("_")[0].lower()
    return code if code in SUPPORTED else "en"


@lru_cache(maxsize=None)
def translations(lang: str) -> NullTranslations:
    lang = normalise_lang(lang)
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    if lang == "en" or not folder.is_dir():
        return NullTranslations()
    merged: Translations | None = None
    for po_path in sorted(folder.glob("*.po")):
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        buf = io.BytesIO()
        write_mo(buf, catalog)
        buf.seek(0)
        current = Translations(buf)
        if merged is None:
            merged = current
        else:
            merged.merge(current)
    return merged or NullTranslations()

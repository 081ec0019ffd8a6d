"""Translations from the Babel/gettext catalogs kept as ``.po`` files in the repository.

Every ``.po`` file under ``tracker/locale/<lang>/LC_MESSAGES/`` is read and chained, so the
email work and the document work each keep their own catalog file (domain, with its own plural
rule) while sharing one lookup. Catalogs are compiled in memory, so no build step is needed after editing a ``.po``.
"""

from __future__ import annotations

import io
import re
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


def _compile(po_path: Path, lang: str) -> Translations:
    """One ``.po`` file as a gettext catalog with its own plural rule."""
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf)


def catalog_chain(folder: Path, lang: str) -> NullTranslations:
    """Every ``.po`` file in ``folder`` behind one lookup; a later file (by name) wins a shared msgid.

    The catalogs are chained as gettext fallbacks rather than merged into one dictionary:
    each file keeps its own ``Plural-Forms`` rule, so a plural message is looked up with the
    rule of the catalog that translates it. (A merged dictionary judged every plural by the
    first file's rule, and fell back to English wherever that rule had more forms.)
    """
    chain: NullTranslations | None = None
    for po_path in sorted(folder.glob("*.po")):
        current = _compile(po_path, lang)
        if chain is not None:
            current.add_fallback(chain)
        chain = current
    return chain or NullTranslations()


@lru_cache(maxsize=None)
def translations(lang: str) -> NullTranslations:
    lang = normalise_lang(lang)
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    if lang == "en" or not folder.is_dir():
        return NullTranslations()
    return catalog_chain(folder, lang)


#: Words starting with an "i" sound: Spanish writes "e" instead of "y" before them.
_I_SOUND = re.compile(r"h?[ií](?![aeouáéó])", re.IGNORECASE)


def and_list(names: list[str], tr: NullTranslations) -> str:
    """'A', 'A and B', 'A, B and C' in the catalog's language ('A, B y C'; 'Ruiz e Irwin').

    A list read aloud without its "and" ("you follow AB 1656, the topic X") reads as if the
    bill were the topic."""
    if len(names) < 2:
        return "".join(names)
    last = names[-1].lstrip("«“\"'")
    pattern = (tr.pgettext("before a name starting with an i sound", "%(names)s and %(last)s")
               if _I_SOUND.match(last) else tr.gettext("%(names)s and %(last)s"))
    return pattern % {"names": ", ".join(names[:-1]), "last": names[-1]}

"""The one Jinja2 environment factory for emails, documents and web pages.

All templates live in the project's ``templates/`` folder; every environment is autoescaped,
uses ``StrictUndefined`` (a missing variable is an error, never a blank), and carries the
gettext catalogs for its language plus Babel date filters.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any

from babel.dates import format_date, format_datetime
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from tracker.i18n import normalise_lang, translations
from tracker.settings import PROJECT_ROOT

TEMPLATES_DIR = PROJECT_ROOT / "templates"


def _format_date(value: date | datetime | None, lang: str, fmt: str = "long") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return format_date(value, format=fmt, locale=lang)


@lru_cache(maxsize=None)
def environment(lang: str = "en") -> Environment:
    """A cached environment for one language."""
    lang = normalise_lang(lang)
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html", "xml", "htm"], default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.globals["lang"] = lang
    env.filters["date"] = lambda v, fmt="long": _format_date(v, lang, fmt)
    env.filters["datetime"] = lambda v, fmt="medium": (
        format_datetime(v, format=fmt, locale=lang) if v else ""
    )
    return env


def render(template: str, lang: str = "en", **context: Any) -> str:
    return environment(lang).get_template(template).render(**context)

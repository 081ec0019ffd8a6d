"""The one Jinja2 environment factory for emails, documents and web pages.

All templates live in the project's ``templates/`` folder; every environment is autoescaped,
uses ``StrictUndefined`` (a missing variable is an error, never a blank), and carries the
gettext catalogs for its language plus Babel date filters.

Times are stored in UTC (naive values mean UTC). Every date and time shown to people is in the
settings' ``schedule.timezone`` (California): at 9 p.m. in Sacramento it is already tomorrow
in UTC, and a reader's "today" is the Sacramento one.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any

from babel.dates import format_date, format_datetime, format_time
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from tracker.clock import to_local
from tracker.i18n import normalise_lang, translations
from tracker.settings import PROJECT_ROOT

TEMPLATES_DIR = PROJECT_ROOT / "templates"


def _format_date(value: date | datetime | None, lang: str, fmt: str = "long") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return format_date(value, format=fmt, locale=lang)


def _format_datetime(value: datetime | None, lang: str, fmt: str = "medium") -> str:
    return format_datetime(to_local(value), format=fmt, locale=lang) if value else ""


def _format_time(value: datetime | None, lang: str, fmt: str = "short") -> str:
    return format_time(to_local(value), format=fmt, locale=lang) if value else ""


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
    env.filters["datetime"] = lambda v, fmt="medium": _format_datetime(v, lang, fmt)
    env.filters["time"] = lambda v, fmt="short": _format_time(v, lang, fmt)
    return env


def render(template: str, lang: str = "en", **context: Any) -> str:
    return environment(lang).get_template(template).render(**context)

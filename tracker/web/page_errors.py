"""Errors whose page has its own title (no imports from the web app: ``csrf`` raises one).

Every error page is titled for what went wrong (WCAG 2.4.2, 2.4.6); most titles follow from
the status (``tracker.web.app.ERROR_TITLES``), a few need their own words.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException


class PageError(HTTPException):
    """An HTTP error whose page has its own title, when the status's usual one would not say
    what went wrong (a 403 for an expired form is "This form has expired").

    ``detail`` and ``title`` are English msgids; the error page translates them. Without a
    title, the page is titled for its status (``tracker.web.app.ERROR_TITLES``).
    """

    def __init__(self, status_code: int, detail: str, *, title: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(status_code, detail, headers=headers)
        self.title = title

"""Conditional GET for the feeds: an ETag, a 304 when the reader already has this version.

Feed readers and calendar apps poll every few minutes; answering "not modified" saves both
sides the whole document. The ETag is a hash of the body, so it changes exactly when the
content does (a weak one: the gzip layer may send the same content in another encoding).
"""

from __future__ import annotations

import hashlib

from starlette.requests import Request
from starlette.responses import Response

MAX_AGE = "public, max-age=300"


def etag_of(body: bytes) -> str:
    return 'W/"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 weak comparison of an If-None-Match header with our ETag."""
    if not if_none_match:
        return False
    ours = etag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == ours:
            return True
    return False


def conditional(request: Request, body: bytes, media_type: str, *, vary: str | None = None,
                headers: dict[str, str] | None = None) -> Response:
    """``body`` with caching headers, or an empty 304 when If-None-Match already names it.

    ``vary`` lists the request headers the body depends on (the feeds' language comes from
    Accept-Language or the language cookie), so a shared cache never hands a Spanish feed to
    an English reader.
    """
    etag = etag_of(body)
    out = {"cache-control": MAX_AGE, "etag": etag, **(headers or {})}
    if vary:
        out["vary"] = vary
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=out)
    return Response(body, media_type=media_type, headers=out)

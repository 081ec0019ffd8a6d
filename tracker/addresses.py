"""The one email address pattern: for members' addresses and for the contact in the User-Agent.

A local part of the plain ASCII characters RFC 5322 allows unquoted (no spaces, quotes, angle
brackets, parentheses, commas or semicolons, which would make one field hold several addresses
or break the User-Agent's "(+mailto:...)" comment; no accented letters: our mail server speaks
plain SMTP, which cannot carry them), at a domain whose labels start and end with a letter or
digit (no empty label, as in "ana@example..org"), ending in a top-level name of letters or an
xn-- name (".xn--p1ai"; an accented domain is written in that form).
"""

from __future__ import annotations

import re

EMAIL_RE = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}"
                      r"@(?=[A-Za-z0-9.-]{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
                      r"(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$")

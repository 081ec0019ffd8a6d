"""Settings for where data comes from and how politely we fetch it (owned by the polling work)."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tracker.addresses import EMAIL_RE


#: Domains reserved for examples (RFC 2606 / 6761): nobody reads mail sent there.
PLACEHOLDER_DOMAIN_RE = re.compile(r"(^|\.)(example\.(com|org|net)|example|invalid|test|localhost)$", re.I)


def is_loopback(url: str) -> bool:
    """Does the URL point at this machine (the replica), where no one needs to reach us?"""
    return is_loopback_host(urlsplit(url).hostname or "")


def is_loopback_host(host: str) -> bool:
    """'localhost' or a loopback address (127.0.0.0/8, ::1): only this machine can reach it."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SourcesSettings(BaseModel):
    """Base URLs and politeness rules for the legislature's servers.

    The defaults point at the local replica so a fresh clone never touches the real site; an
    operator points them at the real hosts deliberately (see the README).
    """

    model_config = ConfigDict(extra="forbid")  # a misspelt key is an error, not ignored

    leginfo_url: str = Field("http://127.0.0.1:8765", description="Base URL of leginfo (website).")
    pubinfo_url: str = Field(
        "http://127.0.0.1:8765/pubinfo", description="Base URL of the bulk download (PUBINFO)."
    )
    senate_url: str = Field("http://127.0.0.1:8765/senate", description="Senate calendar base URL.")
    assembly_url: str = Field(
        "http://127.0.0.1:8765/assembly", description="Assembly daily file base URL."
    )
    contact: str = Field(
        "capitol-watch-maintainers@example.org",
        description="Contact address put in the User-Agent so site operators can reach us.",
    )
    request_delay: float = Field(2.0, ge=0, description="Seconds between requests to one host.")
    obey_robots: bool = Field(True, description="Obey robots.txt (turn off only with permission).")
    detail_max_age_hours: float = Field(
        24.0, ge=0, description="Refetch a tracked bill's detail pages after this many hours."
    )
    max_detail_bills: int = Field(
        100, ge=1, description="Most bills whose detail pages one web poll reads (4 requests each); "
        "the rest wait for the next poll, most urgent first, so a poll ends inside crawl_timeout."
    )
    download_timeout: float = Field(60.0, gt=0, description="Seconds before a request times out.")
    crawl_timeout: float = Field(1800.0, gt=0, description="Seconds before a crawl is killed.")
    retry_times: int = Field(
        3, ge=0, description="Retries (with growing delay) after a 5xx, 429 or timeout."
    )
    max_retry_after: float = Field(
        300.0, ge=0, description="Longest Retry-After (seconds) we wait for; longer gives up."
    )
    hearing_days_ahead: int = Field(
        30, ge=1, le=120, description="How many days of chamber calendars each hearings poll reads."
    )
    maintenance_window: str = Field(
        "05:30-06:30",
        description=(
            "Daily window (HH:MM-HH:MM, schedule timezone) when the site is known to go down: "
            "failures inside it are warnings, not source problems."
        ),
    )
    @field_validator("contact")
    @classmethod
    def _contact(cls, value: str) -> str:
        value = value.strip()
        if not EMAIL_RE.fullmatch(value):  # an address that can receive mail: the members' rule
            raise ValueError("must be an email address the site's operators can write to "
                             "(it goes into the User-Agent)")
        return value

    def contact_refusal(self, url: str) -> str | None:
        """Why we must not ask ``url`` anything with this contact, or ``None`` if we may.

        The default contact is a placeholder (example.org): fine for the replica on loopback,
        but a real site's operators seeing trouble from us could not reach anyone. Checked
        before the first request to a host, so nothing is sent under it.
        """
        domain = self.contact.rpartition("@")[2]
        if not PLACEHOLDER_DOMAIN_RE.search(domain) or is_loopback(url):
            return None
        host = urlsplit(url).hostname or url
        return (f"sources.contact is the placeholder {self.contact!r}: set TRACKER_SOURCES__CONTACT to an "
                f"address the operators of {host} can write to before polling it")

    @field_validator("maintenance_window")
    @classmethod
    def _window(cls, value: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d\s*-\s*([01]\d|2[0-3]):[0-5]\d", value.strip()):
            raise ValueError("must be two times of day such as 05:30-06:30")
        return value.strip()

    pubinfo_slice_bytes: int = Field(
        8 * 1024 * 1024, ge=1024,
        description="Bulk zips are fetched in HTTP ranges of this size: the most held in memory.",
    )
    pubinfo_keep_files: int = Field(
        3, ge=1, description="How many downloaded PUBINFO zips to keep under data_dir/pubinfo."
    )

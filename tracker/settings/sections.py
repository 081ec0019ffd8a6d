"""Settings sections for alerts, documents and the web app.

Each section is a small typed model; ``tracker.settings.core.Settings`` nests them so the one
settings object stays the only reader of TOML and environment variables.
"""

from __future__ import annotations

import ipaddress
import ssl
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator


class SmtpSettings(BaseModel):
    """Outgoing mail. With no host set, messages are written to ``outbox_dir`` as .eml files."""

    model_config = ConfigDict(extra="forbid")  # a misspelt key is an error, not ignored

    host: str = Field("", description="SMTP server; empty means write .eml files instead.")
    port: int = Field(587, ge=1, le=65535)
    tls: Literal["none", "starttls", "tls"] = "starttls"
    ca_file: str = Field(
        "", description="PEM file of the certificate authorities trusted for the server's "
                        "certificate (an internal CA) instead of the system's; empty: the system's.")
    user: str = ""
    password: SecretStr = Field(SecretStr(""), description="From the environment or a secret file.")
    sender: str = "Capitol Watch <alerts@example.org>"
    reply_to: str = ""
    timeout: float = Field(30.0, gt=0)
    outbox_dir: str = Field("var/outbox", description="Folder for .eml files when host is empty.")
    unsubscribe_mailto: str = Field(
        "", description="Optional address for mailto: List-Unsubscribe (e.g. unsubscribe@example.org)."
    )
    message_id_domain: str = Field(
        "", description="Domain in Message-ID headers; empty means the sender's domain."
    )

    @field_validator("ca_file")
    @classmethod
    def _readable_ca_file(cls, value: str) -> str:
        """A wrong path must not surface as a TLS failure at the first send (or worse, as a
        fallback to the system's authorities): it is refused when settings are read."""
        if value:
            try:
                ssl.create_default_context(cafile=value)
            except FileNotFoundError:
                raise ValueError("no such file") from None
            except ssl.SSLError as exc:
                raise ValueError(f"not a PEM file of CA certificates ({exc.reason or exc})") from None
            except OSError as exc:
                raise ValueError(f"cannot read it ({exc.strerror or exc})") from None
        return value


class CrisisResource(BaseModel):
    """One line of the crisis-resources footer shown to members.

    ``phone`` and ``text`` (optional) are the numbers to call and to text: on the web they become
    links a phone opens in its dialer or messages app (``tel:``, ``sms:``), since a member in
    crisis on a phone should not have to copy a number. Configs without them stay valid.
    """

    model_config = ConfigDict(extra="forbid")  # a misspelt key is an error, not ignored

    name: str
    how: str
    name_es: str = ""
    how_es: str = ""
    phone: str = Field("", description="Number to call, as written for people (\"988\", \"1-800-555-0100\").")
    text: str = Field("", description="Number to text (\"988\", \"741741\").")

    @field_validator("phone", "text")
    @classmethod
    def _dialable(cls, value: str) -> str:
        """A typo here would be a link that dials nothing: refuse it when settings are read."""
        value = " ".join(value.split())
        # as people write a number: digits, spaces, dashes, dots, brackets and a leading +
        body = value[1:] if value.startswith("+") else value
        if value and (not any(ch in "0123456789" for ch in body) or any(ch not in "0123456789 .()-" for ch in body)):
            raise ValueError("must be a phone number: digits, with spaces, dashes, dots, brackets "
                             "or a leading + if you like (such as \"988\" or \"1-800-555-0100\")")
        return value

    @property
    def phone_uri(self) -> str:
        """``tel:`` link target for ``phone`` ('' when there is none): digits and a leading + only."""
        return f"tel:{self._digits(self.phone)}" if self.phone else ""

    @property
    def text_uri(self) -> str:
        """``sms:`` link target for ``text`` ('' when there is none)."""
        return f"sms:{self._digits(self.text)}" if self.text else ""

    @staticmethod
    def _digits(number: str) -> str:
        """'+1 (800) 555-0100' → '+18005550100': what a dialer reads."""
        return ("+" if number.startswith("+") else "") + "".join(ch for ch in number if ch in "0123456789")


def _default_crisis() -> list[CrisisResource]:
    return [
        CrisisResource(
            name="988 Suicide & Crisis Lifeline",
            how="call or text 988 (veterans and military families press 1)",
            name_es="Línea 988 de Prevención del Suicidio y Crisis",
            # 988 answers in Spanish: press 2 on a call, or text the word AYUDA.
            how_es=("llame al 988 y marque 2 para español, o envíe la palabra AYUDA por mensaje de texto "
                    "al 988 (veteranos y familias militares marquen 1)"),
            phone="988",
            text="988",
        )
    ]


class AlertSettings(BaseModel):
    """Who gets told what, and when."""

    model_config = ConfigDict(extra="forbid")  # a misspelt key is an error, not ignored

    @field_validator("crisis_resources")
    @classmethod
    def _keep_988(cls, value: list[CrisisResource]) -> list[CrisisResource]:
        """A deployment adds its county line to 988; it cannot leave members with no line."""
        if not any("988" in f"{r.name} {r.how}" for r in value):
            value = _default_crisis() + value
        return value

    letter_deadline_days: int = Field(
        7, ge=0, description="Position letters are due this many days before a policy hearing."
    )
    max_attempts: int = Field(8, ge=1, description="Delivery attempts before giving up.")
    retry_base_seconds: float = Field(60.0, gt=0, description="First retry delay; doubles each time.")
    bounce_pause_after: int = Field(3, ge=1, description="Hard bounces before pausing an address.")
    crisis_resources: list[CrisisResource] = Field(
        default_factory=_default_crisis,
        description="Footer lines on every member-facing message; 988 is always kept, first.",
    )
    retry_max_seconds: float = Field(
        21600.0, gt=0, description="Longest wait between two delivery attempts (backoff cap)."
    )
    staff_emails: list[str] = Field(
        default_factory=list, description="Who receives the weekly staff digest (tracker digest --send).",
        examples=[["staff@example.org", "director@example.org"]],
    )
    staff_lang: Literal["en", "es"] = Field("en", description="Language of the staff digest.")
    hearing_window_days: int = Field(
        14, ge=1, description="The staff digest lists hearings this many days ahead."
    )
    digest_send_hour: int = Field(
        7, ge=0, le=23, description="Local hour (schedule timezone) when daily/weekly member digests become due."
    )
    immediate_max_bills: int = Field(
        10, ge=1,
        description="When one import matches more bills than this for one subscriber, send one combined message.",
    )
    alert_on_first_import: bool = Field(
        False, description="Alert about new bills found by the very first import (normally the baseline)."
    )
    send_batch: int = Field(200, ge=1, description="Outbox rows claimed per database round trip when sending.")


class AdvocacySettings(BaseModel):
    """Briefing sheets, packets and the matrix."""

    model_config = ConfigDict(extra="forbid")  # a misspelt key is an error, not ignored

    organisation: str = Field("Capitol Watch", description="Name printed on sheets and packets.")
    staff_contact: str = ""


class WebSettings(BaseModel):
    """The public web app (``tracker web``)."""

    model_config = ConfigDict(extra="forbid")  # a misspelt key is an error, not ignored

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    subscribe_rate_per_ip: int = Field(
        100, ge=1,
        description="Accepted sign-ups per IP address per hour (high: a venue's Wi-Fi is one address).",
    )
    subscribe_rate_per_address: int = Field(3, ge=1, description="Per email address per day.")
    confirm_link_hours: int = Field(72, ge=1, description="Confirmation links expire after this.")
    stale_after_hours: int = Field(30, ge=1, description="Warn when a source is older than this.")
    login_rate_per_ip: int = Field(
        10, ge=1, description="Wrong staff passwords per username and IP address per 15 minutes.",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Reverse proxies (IP addresses or networks) whose X-Forwarded-For is believed; "
                    "empty trusts none.",
        examples=[["10.0.0.1", "192.168.10.0/24"]],
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_addresses(cls, value: list[str]) -> list[str]:
        """Refuse a typo at start-up: a misspelt proxy would silently put every visitor on one
        address again (one rate limit for the whole site)."""
        for item in value:
            if item.strip() != "*":
                ipaddress.ip_network(item.strip(), strict=False)  # ValueError names the bad entry
        return [item.strip() for item in value]

    staff_session_hours: int = Field(12, ge=1, description="Staff stay logged in this long.")
    page_size: int = Field(50, ge=5, le=500, description="Bills per page in the bill list.")

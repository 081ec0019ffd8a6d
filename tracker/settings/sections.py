"""Settings sections for alerts, documents and the web app.

Each section is a small typed model; ``tracker.settings.core.Settings`` nests them so the one
settings object stays the only reader of TOML and environment variables.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, SecretStr


class SmtpSettings(BaseModel):
    """Outgoing mail. With no host set, messages are written to ``outbox_dir`` as .eml files."""

    host: str = Field("", description="SMTP server; empty means write .eml files instead.")
    port: int = Field(587, ge=1, le=65535)
    tls: Literal["none", "starttls", "tls"] = "starttls"
    user: str = ""
    password: SecretStr = Field(SecretStr(""), description="From the environment or a secret file.")
    sender: str = "Capitol Watch <alerts@example.org>"
    reply_to: str = ""
    timeout: float = Field(30.0, gt=0)
    outbox_dir: str = Field("var/outbox", description="Folder for .eml files when host is empty.")


class CrisisResource(BaseModel):
    """One line of the crisis-resources footer shown to members."""

    name: str
    how: str
    name_es: str = ""
    how_es: str = ""


def _default_crisis() -> list[CrisisResource]:
    return [
        CrisisResource(
            name="988 Suicide & Crisis Lifeline",
            how="call or text 988 (veterans and military families press 1)",
            name_es="Línea 988 de Prevención del Suicidio y Crisis",
            how_es="llame o envíe un mensaje de texto al 988 (veteranos y familias militares marquen 1)",
        )
    ]


class AlertSettings(BaseModel):
    """Who gets told what, and when."""

    letter_deadline_days: int = Field(
        7, ge=0, description="Position letters are due this many days before a policy hearing."
    )
    max_attempts: int = Field(8, ge=1, description="Delivery attempts before giving up.")
    retry_base_seconds: float = Field(60.0, gt=0, description="First retry delay; doubles each time.")
    bounce_pause_after: int = Field(3, ge=1, description="Hard bounces before pausing an address.")
    crisis_resources: list[CrisisResource] = Field(default_factory=_default_crisis)


class AdvocacySettings(BaseModel):
    """Briefing sheets, packets and the matrix."""

    organisation: str = Field("Capitol Watch", description="Name printed on sheets and packets.")
    staff_contact: str = ""


class WebSettings(BaseModel):
    """The public web app."""

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    subscribe_rate_per_ip: int = Field(5, ge=1, description="Subscribe requests per IP per hour.")
    subscribe_rate_per_address: int = Field(3, ge=1, description="Per email address per day.")
    confirm_link_hours: int = Field(72, ge=1, description="Confirmation links expire after this.")
    stale_after_hours: int = Field(30, ge=1, description="Warn when a source is older than this.")

"""The one typed settings object: the only reader of TOML files and environment variables.

Order of precedence (highest first): ``TRACKER_*`` environment variables (nested keys joined by
``__``), secret files in ``TRACKER_SECRETS_DIR``, the TOML file named by ``TRACKER_CONFIG``
(default: the project's ``config/settings.toml``), then the defaults declared below.
"""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from tracker.errors import SettingsError
from tracker.settings.sections import AdvocacySettings, AlertSettings, SmtpSettings, WebSettings
from tracker.settings.sources import SourcesSettings

PROJECT_ROOT = Path(__file__).resolve().parents[2]
#: The database URLs the tracker runs on (the drivers it installs): SQLite, PostgreSQL via psycopg 3.
SUPPORTED_DRIVERS = ("sqlite", "sqlite+pysqlite", "postgresql", "postgresql+psycopg")
DEFAULT_CONFIG = PROJECT_ROOT / "config" / "settings.toml"


class ScheduleSettings(BaseModel):
    """Crontab lines (day of week: 0 or 7 = Sunday, as in crontab) in the ``timezone`` below."""

    timezone: str = "America/Los_Angeles"
    web: str = Field("15 7-19 * * 1-5", description="Website poll: hourly in session hours.")
    hearings: str = Field("45 7,12,17 * * 1-5", description="Chamber hearing calendars.")
    pubinfo: str = Field("10 22 * * *", description="Bulk download, nightly after posting.")
    send: str = Field("*/5 * * * *", description="Deliver pending emails.")
    digest: str = Field("0 7 * * 1", description="Weekly staff digest.")
    misfire_grace_seconds: int | None = Field(
        None, ge=1, description="How late a missed run may still start; none (the default): after any "
        "downtime, one catch-up run.")

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ValueError, ZoneInfoNotFoundError):
            raise ValueError("must be a time zone name such as America/Los_Angeles") from None
        return value

    @field_validator("web", "hearings", "pubinfo", "send", "digest")
    @classmethod
    def _crontab(cls, value: str) -> str:
        from tracker.polling.crontab import crontab_trigger

        try:
            crontab_trigger(value)
        except ValueError as exc:
            raise ValueError(f"must be a crontab line such as '15 7-19 * * 1-5' ({exc})") from None
        return value


class Settings(BaseSettings):
    """Everything the service can be told; see ``tracker config show``."""

    model_config = SettingsConfigDict(
        env_prefix="TRACKER_",
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    database_url: str = Field(
        "sqlite:///var/tracker.db",
        description="SQLAlchemy URL; relative SQLite paths are under the working directory.",
    )
    session_year: str = Field("20252026", description="The legislative session we track.")
    data_dir: Path = Field(Path("var"), description="Where downloads and state files go.")
    topics_path: Path = Field(
        PROJECT_ROOT / "config" / "topics.toml", description="The topic taxonomy file."
    )
    public_base_url: str = Field(
        "http://127.0.0.1:8000", description="Public URL of the web app, used in email links."
    )
    secret_key: SecretStr = Field(
        SecretStr("dev-only-change-me"),  # DEV_SECRET_KEY: `web` and `send` refuse it where it matters
        description="Signs unsubscribe and confirmation links; set it in production.",
    )
    sources: SourcesSettings = SourcesSettings()  # type: ignore[call-arg]
    schedule: ScheduleSettings = ScheduleSettings()  # type: ignore[call-arg]
    smtp: SmtpSettings = SmtpSettings()  # type: ignore[call-arg]
    alerts: AlertSettings = AlertSettings()  # type: ignore[call-arg]
    advocacy: AdvocacySettings = AdvocacySettings()  # type: ignore[call-arg]
    web: WebSettings = WebSettings()  # type: ignore[call-arg]

    @field_validator("session_year")
    @classmethod
    def _session_year(cls, value: str) -> str:
        if not (len(value) == 8 and value.isdigit() and int(value[4:]) == int(value[:4]) + 1):
            raise ValueError("must be two consecutive years like 20252026")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if "://" not in value:
            raise ValueError("must be a SQLAlchemy URL such as sqlite:///var/tracker.db")
        try:
            driver = make_url(value).drivername
        except (ArgumentError, ValueError):
            driver = None
        if driver not in SUPPORTED_DRIVERS:  # any other needs a driver we do not install
            raise ValueError("must be a SQLite or PostgreSQL URL, such as sqlite:///var/tracker.db or "
                             "postgresql://user@host/db")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        config_path = Path(os.environ.get("TRACKER_CONFIG", str(DEFAULT_CONFIG)))
        toml = TomlConfigSettingsSource(settings_cls, toml_file=config_path)
        return (init_settings, env_settings, file_secret_settings, toml)

    def redacted(self) -> dict[str, Any]:
        """The settings as plain data with every secret replaced by ``***``."""
        return _redact(self.model_dump(mode="json"), self)


def _redact(data: dict[str, Any], model: BaseModel) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        attr = getattr(model, key, None)
        if isinstance(attr, SecretStr):
            secret = attr.get_secret_value()
            out[key] = "(the public development key: set it)" if secret == DEV_SECRET_KEY else "***" if secret else ""
        elif key == "database_url" and isinstance(value, str):
            out[key] = _hide_password(value)
        elif isinstance(attr, BaseModel) and isinstance(value, dict):
            out[key] = _redact(value, attr)
        else:
            out[key] = value
    return out


def _hide_password(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    name = ".".join(str(p) for p in first["loc"]) or "settings"
    env = "TRACKER_" + "__".join(str(p) for p in first["loc"]).upper()
    value = first.get("input")
    if name == "database_url" and isinstance(value, str):
        value = _hide_password(value)  # a mistyped URL may still carry a real password
    shown = "" if isinstance(value, dict) else f" (got {value!r})"
    return f"invalid setting {name} [{env}]: {first['msg']}{shown}"


DEV_SECRET_KEY = "dev-only-change-me"


def _field_model(model: type[BaseModel], name: str) -> type[BaseModel] | None:
    annotation = model.model_fields[name].annotation
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def secret_files(folder: str) -> dict[str, Any]:
    """Settings from one file per setting in ``folder`` (Docker/Kubernetes secrets): the file
    ``secret_key`` or ``smtp__password`` (the environment variable's name without TRACKER_,
    any case) holds the value. An environment variable of the same name wins. Files that name
    no setting (a shared secrets folder) are left alone."""
    path = Path(folder)
    if not path.is_dir():
        raise SettingsError(f"invalid setting secrets folder [TRACKER_SECRETS_DIR]: no such folder {folder!r}")
    out: dict[str, Any] = {}
    for file in sorted(path.iterdir()):
        parts = file.name.lower().removeprefix("tracker_").split("__")
        if not file.is_file() or f"TRACKER_{file.name.upper().removeprefix('TRACKER_')}" in os.environ:
            continue
        model: type[BaseModel] | None = Settings
        target = out
        for depth, part in enumerate(parts):
            if model is None or part not in model.model_fields:
                break
            if depth == len(parts) - 1:
                try:
                    target[part] = file.read_text(encoding="utf-8").rstrip("\r\n")
                except (OSError, UnicodeDecodeError) as exc:
                    raise SettingsError(f"cannot read secret file {file}: {exc}") from None
            else:
                target = target.setdefault(part, {})
                model = _field_model(model, part)
    return out


def load_settings(**overrides: Any) -> Settings:
    """Read and validate settings; a bad value becomes one line naming the setting."""
    secrets_dir = os.environ.get("TRACKER_SECRETS_DIR")
    config = os.environ.get("TRACKER_CONFIG")
    if config and not Path(config).is_file():  # else the built-in defaults would run silently
        raise SettingsError(f"invalid setting config file [TRACKER_CONFIG]: no such file {config!r}")
    try:
        if secrets_dir:
            return Settings(**(secret_files(secrets_dir) | overrides))
        return Settings(**overrides)
    except ValidationError as exc:
        raise SettingsError(_describe(exc)) from None
    except (OSError, ValueError) as exc:  # unreadable or malformed TOML, or an env var not JSON
        env = re.search(r'field "(\w+)" from source "EnvSettingsSource"', str(exc))
        culprit = _not_json(env.group(1)) if env else None
        if culprit:
            name, var, example = culprit
            raise SettingsError(f"invalid setting {name} [{var}]: must be written as JSON, such as "
                                f"{example} (got {os.environ[var]!r})") from None
        if env:
            prefix = f"TRACKER_{env.group(1).upper()}"
            names = sorted(k for k in os.environ if k.upper() == prefix or k.upper().startswith(prefix + "__"))
            raise SettingsError(
                f"invalid setting {env.group(1)} [{', '.join(names) or prefix}]: a list or table value "
                "must be JSON, such as [\"staff@example.org\"]") from None
        raise SettingsError(f"cannot read settings: {exc}") from None


def _not_json(top: str) -> tuple[str, str, str] | None:
    """The ``TRACKER_<TOP>...`` variable holding a list or table that is not JSON, if any:
    (the setting's dotted name, the variable, an example of what it takes)."""
    prefix = f"TRACKER_{top.upper()}"
    for var in sorted(os.environ):
        if var.upper() != prefix and not var.upper().startswith(prefix + "__"):
            continue
        parts = var.upper().removeprefix("TRACKER_").lower().split("__")
        model: type[BaseModel] | None = Settings
        field = None
        for part in parts:
            field = model.model_fields.get(part) if model is not None else None
            if field is None:
                break
            model = _field_model(model, part)  # type: ignore[arg-type]
        if field is None or not _structured(field.annotation):
            continue
        try:
            json.loads(os.environ[var])
        except ValueError:
            return ".".join(parts), var, _example(field)
    return None


def _structured(annotation: Any) -> bool:
    """A list or a table: what an environment variable can only give as JSON."""
    return get_origin(annotation) in (list, dict) or (
        isinstance(annotation, type) and issubclass(annotation, BaseModel))


def _example(field: FieldInfo) -> str:
    """The field's own example (``Field(examples=...)``), else a generic one of its shape."""
    if field.examples:
        return json.dumps(field.examples[0], ensure_ascii=False)
    if get_origin(field.annotation) is list:
        (item,) = get_args(field.annotation) or (str,)
        if isinstance(item, type) and issubclass(item, BaseModel):  # a table's required keys
            keys = [k for k, f in item.model_fields.items() if f.is_required()] or list(item.model_fields)
            return json.dumps([{k: "..." for k in keys}])
        return '["a", "b"]'
    return '{"key": "value"}'


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings, read once (tests call ``get_settings.cache_clear()``)."""
    return load_settings()

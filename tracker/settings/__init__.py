"""Typed settings; import ``get_settings`` or ``load_settings`` from here."""

from tracker.settings.core import PROJECT_ROOT, Settings, get_settings, load_settings

__all__ = ["PROJECT_ROOT", "Settings", "get_settings", "load_settings"]

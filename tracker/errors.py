"""User-facing errors.

Anything raised as a ``TrackerError`` is shown to the operator as one plain line (no traceback)
and makes the command exit non-zero; everything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class TrackerError(Exception):
    """A problem the operator can fix (bad input, bad setting, unreachable server)."""

    exit_code: int = 2


class InputError(TrackerError):
    """A malformed input file; the message names the file and, where known, the line."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line


class SettingsError(TrackerError):
    """An invalid configuration value; the message names the setting."""

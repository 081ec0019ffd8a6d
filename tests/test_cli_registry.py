"""Every command a CLI module defines is reachable, and ``tracker --help`` lists them all."""

from __future__ import annotations

import importlib
import pkgutil

import tracker.cli as cli_pkg
from tests.clirun import tracker


def test_registry_names_exactly_the_commands_the_modules_define() -> None:
    defined: dict[str, str] = {}
    for info in pkgutil.iter_modules(cli_pkg.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"tracker.cli.{info.name}")
        for command in getattr(module, "COMMANDS", []):
            defined[command.name] = info.name
    assert defined == cli_pkg.REGISTRY


def test_help_lists_every_command() -> None:
    out = tracker("--help").stdout
    for name in cli_pkg.REGISTRY:
        assert name in out

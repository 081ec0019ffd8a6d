"""The ``tracker`` command line.

Each module in this package that defines ``COMMANDS`` (a list of click commands or groups)
contributes them; the modules are found automatically, so each feature owns its own module.
Errors the operator can fix are shown as one line without a traceback.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import click
from sqlalchemy.exc import OperationalError, ProgrammingError

from tracker import __version__
from tracker.errors import TrackerError


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="tracker")
def cli() -> None:
    """Capitol Watch: track California behavioral-health bills and tell people what changed."""


def _register() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for command in getattr(module, "COMMANDS", []):
            cli.add_command(command)


_register()


def main(argv: list[str] | None = None) -> None:
    """Console entry point: one line per operator error, exit code 2 (1 for a failed run)."""
    try:
        cli.main(args=argv, prog_name="tracker", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("tracker: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except TrackerError as exc:
        click.echo(f"tracker: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except (OperationalError, ProgrammingError) as exc:
        first = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc).splitlines()[0]
        click.echo(
            f"tracker: error: database problem: {first} (did you run 'tracker init'?)", err=True
        )
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("tracker: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)

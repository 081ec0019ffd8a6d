"""The ``tracker`` command line.

Each feature owns one module in this package that defines ``COMMANDS`` (a list of click
commands or groups). ``REGISTRY`` below names which module holds which command, so running one
command imports only its module (the web app, PDF rendering and Scrapy are heavy to import);
``tests/test_cli_registry.py`` fails when a module's commands and the registry disagree.
Errors the operator can fix are shown as one line without a traceback.
"""

from __future__ import annotations

import importlib
import signal
import sqlite3
import sys

import click
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from tracker import __version__
from tracker.errors import TrackerError

REGISTRY: dict[str, str] = {
    # core: database, bulk import, reading what is stored
    "init": "core", "import-pubinfo": "core", "bills": "core", "show": "core", "runs": "core",
    "export": "core", "config": "core",
    # relevance, stages, taxonomy
    "match": "relevance", "stage": "relevance", "topics": "relevance", "explain": "relevance",
    # polling, scheduler, replica, demo
    "poll": "polling", "run": "polling", "replica": "polling", "demo": "polling",
    # alerts
    "subscribers": "alerts", "send": "alerts", "digest": "alerts",
    # Advocacy Day documents
    "positions": "advocacy", "packet": "advocacy", "sheet": "advocacy", "matrix": "advocacy",
    # web app
    "web": "web",
}


class LazyGroup(click.Group):
    """A group that imports a command's module only when that command is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(REGISTRY)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = REGISTRY.get(cmd_name)
        if module_name is None:
            return None
        module = importlib.import_module(f"{__name__}.{module_name}")
        for command in getattr(module, "COMMANDS", []):
            if command.name == cmd_name:
                return command
        return None


@click.group(cls=LazyGroup,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="tracker")
def cli() -> None:
    """Capitol Watch: track California behavioral-health bills and tell people what changed."""


def _stop(signum: int, _frame: object) -> None:
    """SIGTERM (a service manager stopping us) as Ctrl-C: the work in hand rolls back and its
    run is closed as interrupted, instead of the process vanishing with a run left 'running'."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    """Console entry point: one line per operator error, exit code 2 (1 for a failed run)."""
    signal.signal(signal.SIGTERM, _stop)  # the scheduler and the crawl reactor install their own
    try:
        cli.main(args=argv, prog_name="tracker", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("tracker: interrupted", err=True)
        sys.exit(130)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except TrackerError as exc:
        click.echo(f"tracker: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except sqlite3.OperationalError as exc:  # a raw DB-API connection (the sender's marker)
        click.echo(f"tracker: error: database problem: {str(exc).splitlines()[0]}", err=True)
        sys.exit(2)
    except IntegrityError as exc:  # two writers stored the same row at once
        first = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc).splitlines()[0]
        click.echo(f"tracker: error: database problem: {first} (another process was writing the "
                   "same rows; run the command again)", err=True)
        sys.exit(2)
    except (OperationalError, ProgrammingError) as exc:
        first = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc).splitlines()[0]
        missing = any(w in first.lower() for w in ("no such table", "does not exist", "undefined table"))
        hint = " (did you run 'tracker init'?)" if missing else ""  # not for a locked or full disk
        click.echo(f"tracker: error: database problem: {first}{hint}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("tracker: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)

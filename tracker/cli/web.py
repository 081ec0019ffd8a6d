"""``tracker web``: serve the public web app; ``tracker web create-admin`` adds a staff login."""

from __future__ import annotations

import sys

import click

from tracker.cli._common import check_port, sessions, settings
from tracker.db.base import transaction
from tracker.errors import TrackerError
from tracker.settings.core import DEV_SECRET_KEY
from tracker.settings.sources import is_loopback_host


@click.group(invoke_without_command=True)
@click.option("--host", default=None, help="Interface to listen on (default: settings web.host).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port (default: settings web.port).")
@click.option("--log-level", default="warning", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]))
@click.pass_context
def web(ctx: click.Context, host: str | None, port: int | None, log_level: str) -> None:
    """Serve the web app (pages, alerts sign-up, feeds, API, staff area) with uvicorn."""
    if ctx.invoked_subcommand is not None:
        return
    import uvicorn

    from tracker.web.app import create_app

    conf = settings()
    host = host or conf.web.host
    port = port or conf.web.port
    if conf.secret_key.get_secret_value() == DEV_SECRET_KEY and not is_loopback_host(host):
        raise TrackerError(f"secret_key is the public development key, which lets anyone forge staff "
                           f"sign-ins: set TRACKER_SECRET_KEY before serving on {host}")
    check_port(host, port)
    app = create_app(conf, sessions())
    click.echo(f"serving on http://{host}:{port}", err=True)
    # Rate limits key on the visitor's address. Behind a reverse proxy every request comes from
    # the proxy, so its X-Forwarded-For is read, but only from the proxies the settings name:
    # believing it from anyone would let a visitor pick the address they are counted under.
    trusted = conf.web.trusted_proxies
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False,
                proxy_headers=bool(trusted), forwarded_allow_ips=trusted or None, server_header=False)


@web.command("create-admin")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_admin_cmd(username: str, password_stdin: bool) -> None:
    """Create a staff login (or reset its password). The password is stored as an argon2 hash."""
    from tracker.web.auth import create_admin

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if not password:
        raise TrackerError("an empty password is not allowed")
    with transaction(sessions()) as s:
        create_admin(s, username, password)
    click.echo(f"staff user {username!r} is ready")


COMMANDS = [web]

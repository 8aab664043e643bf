"""The web portal: serve, and the signed links of access."""

from __future__ import annotations

from pathlib import Path

import click

from disclosure_calendar.core.i18n import gettext as _

from .base import (
    Command,
    Context,
    Group,
    PathType,
    clock_now,
    fail,
    ledger_of,
    option,
    pass_context,
    runs_until_stopped,
)
from .options import DB_OPTION, READ_DB_OPTION, SECRET_FILE, set_db


@click.command(cls=Command)
@option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@option(
    "--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
    help="Port to listen on.",
)  # fmt: skip
@option(
    "-o", "--out", "out_dir", type=PathType(path_type=Path, file_okay=False, exists=True),
    default="out", show_default=True, help="The folder `build` wrote.",
)  # fmt: skip
@option(
    "--db",
    "db_path",
    envvar="DISCLOSURE_CALENDAR_DB",
    metavar="PATH|URL",
    callback=set_db,
    help="The ledger the pages read and write: an SQLite file or a postgresql:// URL "
    "[env DISCLOSURE_CALENDAR_DB; default: disclosure-calendar.db beside the schedule].",
)
@option("--workers", type=click.IntRange(1, 64), default=1, show_default=True, help="Processes.")
@option("--base-url", help="Public address of the site (links); default plan.base_url.")
@option("--root-path", default="", help="Path prefix a proxy serves the site under.")
@option("--quiet", is_flag=True, help="No access log (a proxy in front keeps one).")
@option(
    "--trusted-proxy", "trusted_proxies", multiple=True, metavar="ADDRESS",
    help="A proxy whose X-Forwarded-For/-Proto are believed (an address or network; repeat "
    "for more) [default: none].",
)  # fmt: skip
@option(
    "--rebuild/--no-rebuild", default=True, show_default=True,
    help="Rebuild the feeds (as `build` with its default range) when a page records an event date.",
)  # fmt: skip
@SECRET_FILE
@pass_context
def serve(
    ctx: Context, host: str, port: int, out_dir: Path, db_path: str | None, workers: int,
    base_url: str | None, root_path: str, quiet: bool, trusted_proxies: tuple[str, ...],
    rebuild: bool, secret_file: Path | None,
) -> None:  # fmt: skip
    """Serve the feeds, the index and the units' and coordinator's pages until interrupted.

    Without a secret (DISCLOSURE_CALENDAR_SECRET or --secret-file) only the public index and
    the feeds are served.
    """
    import os

    runs_until_stopped()
    from disclosure_calendar.core.tokens import SECRET_ENV, load_secret
    from disclosure_calendar.reminders.clock import clock_from_env
    from disclosure_calendar.web.server import serve_forever
    from disclosure_calendar.web.site import WebConfig

    check_listen(host, port)
    secret = None
    if secret_file is not None or os.environ.get(SECRET_ENV):
        secret = load_secret(os.environ, secret_file, out_dir)
    else:
        click.echo(
            _("no secret ({variable} or --secret-file): unit pages are off").format(
                variable=SECRET_ENV
            ),
            err=True,
        )
    config = WebConfig(
        out_dir=out_dir,
        schedule_path=ctx.schedule_path,
        db_path=ledger_of(ctx, db_path),
        secret=secret,
        base_url=base_url,
        clock=clock_from_env(os.environ, ctx.schedule.plan.timezone),
        rebuild=rebuild,
    )
    serve_forever(
        config, host=host, port=port, workers=workers, root_path=root_path, quiet=quiet,
        trusted_proxies=proxies(trusted_proxies),
        announce=lambda line: click.echo(line, err=True),
    )  # fmt: skip


def proxies(given: tuple[str, ...]) -> list[str]:
    """--trusted-proxy values, each an address or a network, checked before the server starts."""
    import ipaddress

    for value in given:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise click.BadParameter(
                _("{value!r} is not an IP address or network").format(value=value),
                param_hint="--trusted-proxy",
            ) from None
    return list(given)


def check_listen(host: str, port: int) -> None:
    """Bind once before starting the server: a port in use or an unknown host becomes one line
    in the user's language (uvicorn would log its own English line and exit)."""
    import socket

    from disclosure_calendar.core.errors import os_error_message

    try:
        family, kind, proto, _name, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM
        )[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        raise fail(
            _("cannot listen on {host} port {port}: {reason}").format(
                host=host, port=port, reason=os_error_message(exc)
            )
        ) from None


@click.group(cls=Group)
def access() -> None:
    """Signed links that open a unit's page (or the coordinator's dashboard) without accounts."""


@access.command("issue")
@option("--unit", help="The unit the link is for.")
@option("--coordinator", is_flag=True, help="A link to the coordinator's dashboard instead.")
@option("--days", type=click.IntRange(1, 400), default=90, show_default=True, help="Valid for.")
@option("--base-url", help="Where the site is served [default: plan.base_url].")
@SECRET_FILE
@DB_OPTION
@pass_context
def access_issue(
    ctx: Context, unit: str | None, coordinator: bool, days: int, base_url: str | None,
    secret_file: Path | None, db_path: str | None,
) -> None:  # fmt: skip
    """Print a signed, expiring link to a unit's page (--unit) or the dashboard (--coordinator)."""
    import os

    from disclosure_calendar.core.tokens import load_secret
    from disclosure_calendar.web.access import issue_link

    if bool(unit) == coordinator:
        raise click.UsageError(_("give either --unit ID or --coordinator"))
    secret = load_secret(os.environ, secret_file)
    click.echo(
        issue_link(
            ctx.schedule,
            secret,
            ledger_of(ctx, db_path),
            clock_now(ctx),
            unit=unit,
            days=days,
            base_url=base_url,
        )  # fmt: skip
    )


@access.command("revoke")
@click.argument("link_id", required=False)
@option("--unit", help="Revoke every live link of this unit.")
@DB_OPTION
@pass_context
def access_revoke(ctx: Context, link_id: str | None, unit: str | None, db_path: str | None) -> None:
    """Revoke one link (LINK_ID as `access list` shows it) or all of a unit's."""
    from disclosure_calendar.web.access import revoke

    click.echo(revoke(ledger_of(ctx, db_path), clock_now(ctx), token_id=link_id, unit=unit))


@access.command("list")
@option("--unit", help="Only this unit's links.")
@READ_DB_OPTION
@pass_context
def access_list(ctx: Context, unit: str | None, db_path: str | None) -> None:
    """List the links issued, with their state (live, expired, revoked)."""
    from disclosure_calendar.web.access import list_links

    click.echo(list_links(ledger_of(ctx, db_path), clock_now(ctx), unit))


COMMANDS = (
    serve,
    access,
)

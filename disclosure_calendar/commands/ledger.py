"""The ledger itself: ledger status, upgrade, copy."""

from __future__ import annotations

import click

from disclosure_calendar.core.errors import DisclosureError
from disclosure_calendar.core.i18n import gettext as _

from .base import Context, Group, ledger_of, option, pass_context
from .options import DB_OPTION, READ_DB_OPTION


@click.group(cls=Group)
def ledger() -> None:
    """Look after the ledger: its schema version, upgrades, moving it to PostgreSQL."""


@ledger.command("status")
@READ_DB_OPTION
@pass_context
def ledger_status(ctx: Context, db_path: str | None) -> None:
    """Where the ledger is, its schema version and migrations, row counts, claims held."""
    from disclosure_calendar.ledger.admin import status_text

    try:
        # file_schedule: the schedule alone; reading its events would open (and upgrade) the
        # very ledger this command only looks at
        timezone = ctx.file_schedule.plan.timezone
    except DisclosureError:
        timezone = "UTC"  # the ledger can be looked at without its schedule
    click.echo(status_text(ledger_of(ctx, db_path), timezone))


@ledger.command("upgrade")
@DB_OPTION
@pass_context
def ledger_upgrade(ctx: Context, db_path: str | None) -> None:
    """Bring the ledger's schema to this program's version (every command also does on start)."""
    from disclosure_calendar.ledger.admin import upgrade

    click.echo(upgrade(ledger_of(ctx, db_path)))


@ledger.command("copy")
@option("--from", "source", required=True, metavar="PATH|URL", help="The ledger to copy.")
@option("--to", "dest", required=True, metavar="PATH|URL", help="An empty ledger to copy into.")
def ledger_copy(source: str, dest: str) -> None:
    """Copy every row of one ledger into an empty one (sqlite:PATH to postgresql://...)."""
    from disclosure_calendar.ledger import parse_target
    from disclosure_calendar.ledger.admin import copy_ledger, copy_report

    src, dst = parse_target(source), parse_target(dest)
    result = copy_ledger(src, dst)
    click.echo(copy_report(result, src.shown, dst.shown))
    differs = [c.table for c in result if c.source != c.copied]
    if differs:
        raise DisclosureError(
            _("ledger copy: counts differ for {tables}").format(tables=", ".join(differs))
        )
    click.echo(
        _("copied {count} row(s); every count matches").format(count=sum(c.copied for c in result))
    )


COMMANDS = (ledger,)

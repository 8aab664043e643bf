"""Option definitions shared by several command families: output format, the ledger, the
date range, a date argument, the reminder files, an occurrence named by DUTY [PERIOD]."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from disclosure_calendar.core.i18n import gettext as _

from .base import Context, PathType, fail, option


class IsoDate(click.DateTime):
    """A YYYY-MM-DD date, shown as such in help (click shows the strptime format), and a
    mistake said in words: click's 不符合格式 '%Y-%m-%d' means nothing to office staff."""

    def __init__(self) -> None:
        super().__init__(formats=["%Y-%m-%d"])

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            self.fail(
                _("{value!r} is not a date: write year-month-day, like 2026-01-31").format(
                    value=value
                ),
                param,
                ctx,
            )

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return "YYYY-MM-DD"


DATE = IsoDate()

TABLE_FORMAT = option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv", "xlsx"]),
    default="table",
    show_default=True,
    help="Output format (xlsx: a workbook for Excel, written to -o FILE).",
)
SHEET_OUT = option(
    "-o",
    "--out",
    "sheet_path",
    type=PathType(path_type=Path, dir_okay=False),
    help="The .xlsx file to write (with --format xlsx).",
)


def write_sheet(fmt: str, path: Path | None, make: Any) -> bool:
    """With --format xlsx: write the workbook ``make()`` gives to -o FILE; True if written."""
    if fmt != "xlsx":
        if path is not None:
            raise click.UsageError(_("-o FILE goes with --format xlsx"))
        return False
    if path is None:
        raise click.UsageError(_("--format xlsx needs -o FILE (the workbook to write)"))
    from disclosure_calendar.core.sheets import write_xlsx

    write_xlsx(path, make())
    click.echo(_("wrote {path}").format(path=path))
    return True


CADENCE_CHOICES = (
    "daily", "weekly", "monthly", "quarterly", "half-yearly", "yearly", "once", "event", "ongoing",
)  # fmt: skip


def set_db(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from disclosure_calendar.core.files import ledger_file

    path = ledger_file(value) if value is not None else None
    if path is not None:
        folder = path.absolute().parent
        if not folder.is_dir():
            # a mistyped folder would otherwise read as an empty ledger: nothing done, no events
            raise fail(
                _("--db {path}: the folder {folder} does not exist").format(
                    path=value, folder=folder
                )
            )
    # Set before the command body runs, so whatever reads the schedule sees this ledger's events.
    context = ctx.find_object(Context)
    if value is not None and context is not None:
        context.db_path = value
    return value


def set_read_db(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--db`` of a command that only reads: a file named there must exist. A typing error
    would otherwise read as an empty ledger (nothing done, no events), and only a command that
    writes may start a ledger."""
    value = set_db(ctx, param, value)
    ledger_must_exist(value)
    return value


def ledger_must_exist(value: str | None) -> None:
    from disclosure_calendar.core.files import ledger_file

    path = ledger_file(value) if value is not None else None
    if path is not None and not path.exists():
        raise fail(
            _(
                "--db {path}: there is no ledger here. Check the path (or DISCLOSURE_CALENDAR_DB); "
                "a ledger is started by the first command that writes to it: done, event add, "
                "remind, daemon or serve"
            ).format(path=value)
        )


DB_OPTION = option(
    "--db",
    "db_path",
    envvar="DISCLOSURE_CALENDAR_DB",
    metavar="PATH|URL",
    callback=set_db,
    help="The ledger: an SQLite file or a postgresql:// URL "
    "[env DISCLOSURE_CALENDAR_DB; default: disclosure-calendar.db beside the schedule].",
)

# For commands that only read the ledger: as DB_OPTION, and a file named must exist.
READ_DB_OPTION = option(
    "--db",
    "db_path",
    envvar="DISCLOSURE_CALENDAR_DB",
    metavar="PATH|URL",
    callback=set_read_db,
    help="The ledger: an SQLite file or a postgresql:// URL "
    "[env DISCLOSURE_CALENDAR_DB; default: disclosure-calendar.db beside the schedule].",
)

# For commands that only read: the ledger whose recorded event dates they show.
EVENTS_DB_OPTION = option(
    "--db",
    envvar="DISCLOSURE_CALENDAR_DB",
    metavar="PATH|URL",
    callback=set_read_db,
    expose_value=False,
    help="The ledger with recorded event dates [default: disclosure-calendar.db beside the "
    "schedule].",
)

CONTACTS_OPTION = option(
    "--contacts",
    "contacts_path",
    type=PathType(path_type=Path, dir_okay=False),
    help="Recipients and channels [default: contacts.yaml beside the schedule, if present].",
)


SECRET_FILE = option(
    "--secret-file",
    type=PathType(path_type=Path, dir_okay=False),
    help="File holding the secret that signs access links [default: $DISCLOSURE_CALENDAR_SECRET].",
)


def range_options(command: Any) -> Any:
    """--year or --from/--to: the dates a command covers (default this year and the next)."""
    command = option("--to", "end", type=DATE, help="Last due date (YYYY-MM-DD).")(command)
    command = option("--from", "start", type=DATE, help="First due date (YYYY-MM-DD).")(command)
    return option("--year", type=int, help="One calendar year instead of a range.")(command)


def resolve_range(
    ctx: Context, year: int | None, start: Any, end: Any, today: Any = None
) -> tuple[Any, Any]:
    from disclosure_calendar.occurrences import horizon

    today = today or horizon.today_in(ctx.file_schedule.plan.timezone)
    return horizon.resolve(
        today, year=year, start=start.date() if start else None, end=end.date() if end else None
    )


def warn_provisional(years: Any) -> None:
    from disclosure_calendar.occurrences.horizon import provisional_warning

    for line in provisional_warning(years):
        click.echo(line, err=True)


OCCURRENCE_ARGS = (
    click.argument("period", required=False),
    click.argument("ref", metavar="DUTY"),
)


def occurrence_args(command: Any) -> Any:
    command = option("--unit", help="The unit, if the duty reaches several.")(command)
    for decorate in OCCURRENCE_ARGS:
        command = decorate(command)
    return command

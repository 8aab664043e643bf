"""What falls due and how the units stand: agenda, status."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .base import Command, Context, clock_now, ledger_of, option, pass_context
from .options import (
    DATE,
    EVENTS_DB_OPTION,
    READ_DB_OPTION,
    SHEET_OUT,
    TABLE_FORMAT,
    range_options,
    resolve_range,
    warn_provisional,
    write_sheet,
)


@click.command(cls=Command)
@option("--unit", help="Only occurrences reaching this unit (or naming this group).")
@option("--duty", "duty_id", help="Only this duty (id, or a plan ref like 7.4: all its duties).")
@range_options
@option(
    "--as-of", "as_of", is_flag=False, flag_value="today", default=None, metavar="DATE",
    help="Show what is overdue and what falls due in the next weeks, seen from DATE (default today).",
)  # fmt: skip
@option(
    "--weeks", type=click.IntRange(1, 52), default=4, show_default=True, help="Window of --as-of."
)
@TABLE_FORMAT
@SHEET_OUT
@EVENTS_DB_OPTION
@pass_context
def agenda(
    ctx: Context, unit: str | None, duty_id: str | None, year: int | None, start: Any, end: Any,
    as_of: str | None, weeks: int, fmt: str, sheet_path: Path | None,
) -> None:  # fmt: skip
    """List occurrences by due date, for all units or one."""
    from disclosure_calendar.occurrences import agenda as ag
    from disclosure_calendar.occurrences import horizon

    schedule = ctx.schedule
    today = horizon.today_in(schedule.plan.timezone)
    seen_from = None
    if as_of is not None:
        # a date as every DATE argument takes it (2026-04-14, 2026-4-14), and said the same way
        try:
            seen_from = today if as_of == "today" else DATE.convert(as_of, None, None).date()
        except click.BadParameter as error:
            error.param_hint = "--as-of"
            raise
    if seen_from is not None and year is None and start is None and end is None:
        first, last = ag.as_of_range(seen_from, weeks)
    else:
        first, last = resolve_range(ctx, year, start, end, today)
    view = ag.agenda(
        schedule, ctx.calendar, first, last, unit=unit, duty=duty_id, as_of=seen_from, weeks=weeks
    )
    warn_provisional(view.provisional_years)
    if not write_sheet(fmt, sheet_path, lambda: [ag.agenda_sheet(view)]):
        click.echo(ag.format_agenda(view, fmt))


@click.command(cls=Command)
@option("--unit", help="Only this unit (or the units of this group).")
@option("--year", type=int, help="Occurrences due in this year [default: this year].")
@TABLE_FORMAT
@SHEET_OUT
@READ_DB_OPTION
@pass_context
def status(
    ctx: Context, unit: str | None, year: int | None, fmt: str, sheet_path: Path | None,
    db_path: str | None,
) -> None:  # fmt: skip
    """Per unit: done on time, done late, open, overdue, and the on-time rate."""
    from disclosure_calendar.occurrences import status as report

    def sheets() -> list[Any]:
        data = report.status_data(
            ctx.schedule,
            ctx.calendar,
            ledger_of(ctx, db_path),
            clock_now(ctx),
            unit=unit,
            year=year,
        )
        return [report.status_sheet(data.rows)]

    if write_sheet(fmt, sheet_path, sheets):
        return
    text = report.status_report(
        ctx.schedule,
        ctx.calendar,
        ledger_of(ctx, db_path),
        clock_now(ctx),
        unit=unit,
        year=year,
        fmt=fmt,
    )
    click.echo(text, nl=fmt != "csv")


COMMANDS = (
    agenda,
    status,
)

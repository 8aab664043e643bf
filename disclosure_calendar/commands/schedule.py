"""The schedule and its units: validate, units, duties."""

from __future__ import annotations

from pathlib import Path

import click

from disclosure_calendar.core.errors import DisclosureError
from disclosure_calendar.core.i18n import gettext as _

from .base import Command, Context, option, pass_context
from .options import CADENCE_CHOICES, SHEET_OUT, TABLE_FORMAT, write_sheet


@click.command(cls=Command)
@pass_context
def validate(ctx: Context) -> None:
    """Check the schedule file and summarise it; exit 1 listing every problem."""
    from disclosure_calendar.core.errors import InputError
    from disclosure_calendar.printing import fonts
    from disclosure_calendar.schedule.reports import summary

    schedule = ctx.file_schedule
    try:
        faces = fonts.find_fonts()
    except DisclosureError:
        # no print font on this machine: print would say so; the schedule itself is fine
        click.echo(_("note: the print font is not installed; characters not checked"), err=True)
    else:
        text = ctx.schedule_path.read_text(encoding="utf-8-sig")
        problems = fonts.glyph_problems(ctx.schedule_path, text, faces)
        if problems:
            raise InputError(problems)
    click.echo(summary(schedule))


@click.command(cls=Command)
@pass_context
def units(ctx: Context) -> None:
    """List the units and groups with the number of duties reaching each."""
    from disclosure_calendar.schedule.reports import units_table

    click.echo(units_table(ctx.file_schedule))


@click.command(cls=Command)
@option("--unit", help="Only duties reaching this unit (directly or through a group).")
@option("--cadence", type=click.Choice(CADENCE_CHOICES), help="Only duties of this cadence.")
@option("--json", "as_json", is_flag=True, hidden=True, help="Same as --format json.")
@TABLE_FORMAT
@SHEET_OUT
@pass_context
def duties(
    ctx: Context, unit: str | None, cadence: str | None, as_json: bool, fmt: str,
    sheet_path: Path | None,
) -> None:  # fmt: skip
    """List duties with their cadence, due rule and units."""
    from disclosure_calendar.core.sheets import csv_text
    from disclosure_calendar.schedule import reports

    schedule = ctx.file_schedule
    if unit is not None:
        schedule.check_assignee(unit)
    selected = reports.select_duties(schedule, unit, cadence)
    if as_json or fmt == "json":
        click.echo(reports.duties_json(schedule, selected))
    elif fmt == "csv":
        sheet = reports.duties_sheet(schedule, selected)
        click.echo(csv_text(sheet.headers, sheet.rows))
    elif not write_sheet(fmt, sheet_path, lambda: [reports.duties_sheet(schedule, selected)]):
        click.echo(reports.duties_table(schedule, selected))


COMMANDS = (
    validate,
    units,
    duties,
)

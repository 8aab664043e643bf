"""The disclosure-calendar command line: parses arguments and calls the package."""

from __future__ import annotations

import datetime as dt
import sys
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from disclosure_calendar import __version__
from disclosure_calendar.errors import DisclosureError

if TYPE_CHECKING:
    from disclosure_calendar.model import Schedule
    from disclosure_calendar.workdays import ChinaCalendar

CADENCE_CHOICES = (
    "daily", "weekly", "monthly", "quarterly", "half-yearly", "yearly", "once", "event", "ongoing",
)  # fmt: skip


class Context:
    """What every command shares: the schedule file, loaded once and only when needed."""

    def __init__(self, schedule_path: Path):
        self.schedule_path = schedule_path

    @cached_property
    def schedule(self) -> Schedule:
        from disclosure_calendar.schedule import load_schedule

        return load_schedule(self.schedule_path)

    @cached_property
    def calendar(self) -> ChinaCalendar:
        from disclosure_calendar.workdays import ChinaCalendar

        return ChinaCalendar(
            notices=self.schedule.notices, local_days_off=self.schedule.local_days_off
        )


class Group(click.Group):
    """Turns the package's errors into a message and exit 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DisclosureError as exc:
            raise click.ClickException(str(exc)) from None
        except ValueError as exc:
            if type(exc).__name__ == "CalendarRangeError":
                raise click.ClickException(str(exc)) from None
            raise


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-f",
    "--schedule",
    "schedule_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default="schedule.yaml",
    show_default=True,
    help="The schedule file.",
)
@click.version_option(__version__, prog_name="disclosure-calendar")
@click.pass_context
def main(ctx: click.Context, schedule_path: Path) -> None:
    """Keep a government's recurring disclosure duties on time.

    Reads the duties in schedule.yaml and turns them into working-day-exact calendar
    feeds, printable calendars and reminders.
    """
    ctx.obj = Context(schedule_path)


pass_context = click.make_pass_decorator(Context)


@main.command()
@pass_context
def validate(ctx: Context) -> None:
    """Check the schedule file and summarise it; exit 1 listing every problem."""
    from disclosure_calendar.reports import summary

    click.echo(summary(ctx.schedule))


@main.command()
@pass_context
def units(ctx: Context) -> None:
    """List the units and groups with the number of duties reaching each."""
    from disclosure_calendar.reports import units_table

    click.echo(units_table(ctx.schedule))


@main.command()
@click.option("--unit", help="Only duties reaching this unit (directly or through a group).")
@click.option("--cadence", type=click.Choice(CADENCE_CHOICES), help="Only duties of this cadence.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_context
def duties(ctx: Context, unit: str | None, cadence: str | None, as_json: bool) -> None:
    """List duties with their cadence, due rule and units."""
    from disclosure_calendar import reports

    schedule = ctx.schedule
    if unit is not None and unit not in {u.id for u in schedule.units} | {
        g.id for g in schedule.groups
    }:
        raise click.BadParameter(f"unknown unit or group {unit!r}", param_hint="--unit")
    selected = reports.select_duties(schedule, unit, cadence)
    click.echo(
        reports.duties_json(schedule, selected)
        if as_json
        else reports.duties_table(schedule, selected)
    )


# --- workdays commands (issue 3) ---

DATE = click.DateTime(formats=["%Y-%m-%d"])


@main.group()
def workdays() -> None:
    """Check Chinese working days: holidays, make-up days (调休), counting.

    Uses the official State Council notices (2004-2026) plus the schedule's calendar:
    section when the schedule file exists.
    """


def _workday_calendar(ctx: Context) -> ChinaCalendar:
    if ctx.schedule_path.exists():
        return ctx.calendar
    from disclosure_calendar.workdays import ChinaCalendar

    return ChinaCalendar()


@workdays.command("year")
@click.argument("year", type=click.IntRange(2004, 2099))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@pass_context
def workdays_year(ctx: Context, year: int, as_json: bool) -> None:
    """Days off, make-up working days and working days per month of YEAR."""
    from disclosure_calendar import workdays_report as report

    result = report.year_report(_workday_calendar(ctx), year)
    click.echo(_json(result) if as_json else report.format_year_report(result))


@workdays.command("check")
@click.argument("day", metavar="DATE", type=DATE)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@pass_context
def workdays_check(ctx: Context, day: dt.datetime, as_json: bool) -> None:
    """Whether DATE (YYYY-MM-DD) is a working day, and why."""
    from disclosure_calendar import workdays_report as report

    result = report.explain(_workday_calendar(ctx), day.date())
    click.echo(_json(result) if as_json else report.format_explain(result))


@workdays.command("add")
@click.argument("day", metavar="DATE", type=DATE)
@click.argument("n", type=int)
@pass_context
def workdays_add(ctx: Context, day: dt.datetime, n: int) -> None:
    """The N-th working day after DATE (DATE itself not counted); negative N counts back."""
    from disclosure_calendar import workdays_report as report

    click.echo(report.format_add(report.add_report(_workday_calendar(ctx), day.date(), n)))


@workdays.command("between")
@click.argument("start", metavar="A", type=DATE)
@click.argument("end", metavar="B", type=DATE)
@pass_context
def workdays_between(ctx: Context, start: dt.datetime, end: dt.datetime) -> None:
    """Count the working days from A to B, both ends included."""
    from disclosure_calendar import workdays_report as report

    cal = _workday_calendar(ctx)
    click.echo(report.format_between(report.between_report(cal, start.date(), end.date())))


def _json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, indent=2)


# --- feeds commands (issue 4) ---


# --- print command (issue 5) ---


@main.command("print")
@click.option("--year", type=int, help="The calendar year to print.  [default: this year]")
@click.option("--unit", help="One unit's (or group's) edition instead of the city-wide one.")
@click.option("--each-unit", is_flag=True, help="Every unit's edition, plus the city-wide one.")
@click.option(
    "--format", "fmt", type=click.Choice(["pdf", "html"]), default="pdf", show_default=True
)
@click.option(
    "--paper", type=click.Choice(["a4", "a3"]), default="a4", show_default=True, help="Landscape."
)
@click.option(
    "-o",
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default="out/print",
    show_default=True,
    help="Output folder.",
)
@pass_context
def print_(
    ctx: Context,
    year: int | None,
    unit: str | None,
    each_unit: bool,
    fmt: str,
    paper: str,
    out_dir: Path,
) -> None:
    """Write a printable yearly calendar (Y-all.pdf, Y-UNIT.pdf): year page, months, plan text."""
    from disclosure_calendar.horizon import today_in
    from disclosure_calendar.printing import write_calendars

    if unit and each_unit:
        raise click.UsageError("give either --unit or --each-unit, not both")
    schedule = ctx.schedule
    today = today_in(schedule.plan.timezone)
    targets: list[str | None] = [unit] if unit else [None]
    if each_unit:
        targets += [u.id for u in schedule.units]
    written = write_calendars(
        schedule,
        ctx.calendar,
        year or today.year,
        units=targets,
        out_dir=out_dir,
        built=today,
        fmt=fmt,
        paper=paper,
    )
    for path, changed in written:
        click.echo(f"{path}{'' if changed else ' (unchanged)'}")


# --- reminder commands (issue 6) ---


if __name__ == "__main__":
    sys.exit(main())

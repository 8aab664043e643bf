"""The disclosure-calendar command line: parses arguments and calls the package."""

from __future__ import annotations

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


# --- feeds commands (issue 4) ---


# --- print command (issue 5) ---


# --- reminder commands (issue 6) ---


if __name__ == "__main__":
    sys.exit(main())

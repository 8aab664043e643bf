"""The disclosure-calendar command line: parses arguments and calls the package."""

from __future__ import annotations

import datetime as dt
import sys
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from disclosure_calendar import __version__
from disclosure_calendar.core.errors import DisclosureError

if TYPE_CHECKING:
    from disclosure_calendar.schedule.model import Schedule
    from disclosure_calendar.workdays.calendar import ChinaCalendar

_TABLE_FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="Output format.",
)
CADENCE_CHOICES = (
    "daily", "weekly", "monthly", "quarterly", "half-yearly", "yearly", "once", "event", "ongoing",
)  # fmt: skip


def _set_db(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    # Set before the command body runs, so whatever reads the schedule sees this ledger's events.
    context = ctx.find_object(Context)
    if value is not None and context is not None:
        context.db_path = value
    return value


_DB_OPTION = click.option(
    "--db",
    "db_path",
    envvar="DISCLOSURE_CALENDAR_DB",
    metavar="PATH|URL",
    callback=_set_db,
    help="The ledger: an SQLite file or a postgresql:// URL "
    "[env DISCLOSURE_CALENDAR_DB; default: disclosure-calendar.db beside the schedule].",
)

# For commands that only read: the ledger whose recorded event dates they show.
_EVENTS_DB_OPTION = click.option(
    "--db",
    envvar="DISCLOSURE_CALENDAR_DB",
    metavar="PATH|URL",
    callback=_set_db,
    expose_value=False,
    help="The ledger with recorded event dates [default: disclosure-calendar.db beside the "
    "schedule].",
)


class Context:
    """What every command shares: the schedule file, loaded once and only when needed."""

    def __init__(self, schedule_path: Path):
        self.schedule_path = schedule_path
        self.db_path: str | None = None  # a command's --db, set before the schedule is read

    @cached_property
    def file_schedule(self) -> Schedule:
        """The schedule as the file has it."""
        from disclosure_calendar.schedule.loader import load_schedule

        return load_schedule(self.schedule_path)

    @property
    def db(self) -> str | Path:
        from disclosure_calendar.reminders.service import default_db

        return self.db_path or default_db(self.schedule_path)

    @cached_property
    def schedule(self) -> Schedule:
        """The schedule with the event dates recorded in the ledger (`event add`)."""
        from disclosure_calendar.reminders.events import load_recorded

        return load_recorded(self.file_schedule, self.db)

    @cached_property
    def calendar(self) -> ChinaCalendar:
        from disclosure_calendar.workdays.calendar import ChinaCalendar

        plan = self.file_schedule
        return ChinaCalendar(notices=plan.notices, local_days_off=plan.local_days_off)


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
    from disclosure_calendar.schedule.reports import summary

    click.echo(summary(ctx.file_schedule))


@main.command()
@pass_context
def units(ctx: Context) -> None:
    """List the units and groups with the number of duties reaching each."""
    from disclosure_calendar.schedule.reports import units_table

    click.echo(units_table(ctx.file_schedule))


@main.command()
@click.option("--unit", help="Only duties reaching this unit (directly or through a group).")
@click.option("--cadence", type=click.Choice(CADENCE_CHOICES), help="Only duties of this cadence.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_context
def duties(ctx: Context, unit: str | None, cadence: str | None, as_json: bool) -> None:
    """List duties with their cadence, due rule and units."""
    from disclosure_calendar.schedule import reports

    schedule = ctx.file_schedule
    if unit is not None:
        schedule.check_assignee(unit)
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
    from disclosure_calendar.workdays.calendar import ChinaCalendar

    return ChinaCalendar()


@workdays.command("year")
@click.argument("year", type=click.IntRange(2004, 2099))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@pass_context
def workdays_year(ctx: Context, year: int, as_json: bool) -> None:
    """Days off, make-up working days and working days per month of YEAR."""
    from disclosure_calendar.workdays import report

    result = report.year_report(_workday_calendar(ctx), year)
    click.echo(_json(result) if as_json else report.format_year_report(result))


@workdays.command("check")
@click.argument("day", metavar="DATE", type=DATE)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@pass_context
def workdays_check(ctx: Context, day: dt.datetime, as_json: bool) -> None:
    """Whether DATE (YYYY-MM-DD) is a working day, and why."""
    from disclosure_calendar.workdays import report

    result = report.explain(_workday_calendar(ctx), day.date())
    click.echo(_json(result) if as_json else report.format_explain(result))


@workdays.command("add")
@click.argument("day", metavar="DATE", type=DATE)
@click.argument("n", type=int)
@pass_context
def workdays_add(ctx: Context, day: dt.datetime, n: int) -> None:
    """The N-th working day after DATE (DATE itself not counted); negative N counts back."""
    from disclosure_calendar.workdays import report

    click.echo(report.format_add(report.add_report(_workday_calendar(ctx), day.date(), n)))


@workdays.command("between")
@click.argument("start", metavar="A", type=DATE)
@click.argument("end", metavar="B", type=DATE)
@pass_context
def workdays_between(ctx: Context, start: dt.datetime, end: dt.datetime) -> None:
    """Count the working days from A to B, both ends included."""
    from disclosure_calendar.workdays import report

    cal = _workday_calendar(ctx)
    click.echo(report.format_between(report.between_report(cal, start.date(), end.date())))


def _json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, indent=2)


# --- feeds commands (issue 4) ---

_ISO_DATE = click.DateTime(["%Y-%m-%d"])


def _range_options(command: Any) -> Any:
    """--year or --from/--to: the dates a command covers (default this year and the next)."""
    command = click.option("--to", "end", type=_ISO_DATE, help="Last due date (YYYY-MM-DD).")(
        command
    )
    command = click.option("--from", "start", type=_ISO_DATE, help="First due date (YYYY-MM-DD).")(
        command
    )
    return click.option("--year", type=int, help="One calendar year instead of a range.")(command)


def _resolve_range(
    ctx: Context, year: int | None, start: Any, end: Any, today: Any = None
) -> tuple[Any, Any]:
    from disclosure_calendar.occurrences import horizon

    today = today or horizon.today_in(ctx.schedule.plan.timezone)
    return horizon.resolve(
        today, year=year, start=start.date() if start else None, end=end.date() if end else None
    )


def _warn_provisional(years: Any) -> None:
    from disclosure_calendar.occurrences.horizon import provisional_warning

    for line in provisional_warning(years):
        click.echo(line, err=True)


@main.command()
@click.option(
    "-o", "--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default="out",
    show_default=True, help="Folder for the feeds, index.html and the manifest.",
)  # fmt: skip
@_range_options
@click.option(
    "--base-url", help="Where the folder is published (subscribe links); default plan.base_url."
)
@click.option("--dry-run", is_flag=True, help="Print what would change; write nothing.")
@_EVENTS_DB_OPTION
@pass_context
def build(
    ctx: Context, out_dir: Path, year: int | None, start: Any, end: Any, base_url: str | None,
    dry_run: bool,
) -> None:  # fmt: skip
    """Write one .ics feed per unit, all.ics and index.html, and say what changed."""
    import datetime as dt

    from disclosure_calendar import feeds

    first, last = _resolve_range(ctx, year, start, end)
    result = feeds.build_feeds(
        ctx.schedule, ctx.calendar, first, last, out_dir,
        now=dt.datetime.now(dt.UTC), base_url=base_url, dry_run=dry_run,
    )  # fmt: skip
    _warn_provisional(result.provisional_years)
    click.echo(feeds.summary_text(result))


@main.command()
@click.option("--unit", help="Only occurrences reaching this unit (or naming this group).")
@click.option(
    "--duty", "duty_id", help="Only this duty (id, or a plan ref like 7.4: all its duties)."
)
@_range_options
@click.option(
    "--as-of", "as_of", is_flag=False, flag_value="today", default=None, metavar="DATE",
    help="Show what is overdue and what falls due in the next weeks, seen from DATE (default today).",
)  # fmt: skip
@click.option(
    "--weeks", type=click.IntRange(1, 52), default=4, show_default=True, help="Window of --as-of."
)
@_TABLE_FORMAT
@_EVENTS_DB_OPTION
@pass_context
def agenda(
    ctx: Context, unit: str | None, duty_id: str | None, year: int | None, start: Any, end: Any,
    as_of: str | None, weeks: int, fmt: str,
) -> None:  # fmt: skip
    """List occurrences by due date, for all units or one."""
    import datetime as dt

    from disclosure_calendar.occurrences import agenda as ag
    from disclosure_calendar.occurrences import horizon

    schedule = ctx.schedule
    today = horizon.today_in(schedule.plan.timezone)
    seen_from = None
    if as_of is not None:
        try:
            seen_from = today if as_of == "today" else dt.date.fromisoformat(as_of)
        except ValueError:
            raise click.BadParameter(
                f"{as_of!r} is not a date (YYYY-MM-DD)", param_hint="--as-of"
            ) from None
    if seen_from is not None and year is None and start is None and end is None:
        first, last = ag.as_of_range(seen_from, weeks)
    else:
        first, last = _resolve_range(ctx, year, start, end, today)
    view = ag.agenda(
        schedule, ctx.calendar, first, last, unit=unit, duty=duty_id, as_of=seen_from, weeks=weeks
    )
    _warn_provisional(view.provisional_years)
    click.echo(ag.format_agenda(view, fmt))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "-o", "--out", "out_dir", type=click.Path(path_type=Path, file_okay=False, exists=True),
    default="out", show_default=True, help="The folder `build` wrote.",
)  # fmt: skip
def serve(host: str, port: int, out_dir: Path) -> None:
    """Serve the feeds and index over HTTP (ETag, 304, gzip) until interrupted."""
    from disclosure_calendar.web.serve import serve_forever

    serve_forever(out_dir, host=host, port=port, announce=lambda line: click.echo(line, err=True))


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
@_EVENTS_DB_OPTION
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
    from disclosure_calendar.occurrences.horizon import today_in
    from disclosure_calendar.printing.render import write_calendars

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

_CONTACTS_OPTION = click.option(
    "--contacts",
    "contacts_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Recipients and channels [default: contacts.yaml beside the schedule, if present].",
)


def _service(ctx: Context, db_path: str | None, contacts_path: Path | None, **kw: Any) -> Any:
    import os

    from disclosure_calendar.reminders.service import Service

    return Service(
        ctx.schedule_path,
        _db(ctx, db_path),
        contacts_path,
        env=os.environ,
        contacts_required=contacts_path is not None,
        **kw,
    )


def _db(ctx: Context, db_path: str | None) -> str | Path:
    return db_path or ctx.db


def _now(ctx: Context) -> Any:
    """The instant commands act at: the real clock, or the test clock from the environment."""
    import os

    from disclosure_calendar.reminders.clock import clock_from_env

    return clock_from_env(os.environ, ctx.schedule.plan.timezone).now()


@main.command()
@click.option("--once", is_flag=True, help="Send what is due now, then exit (for cron).")
@click.option("--json-logs", is_flag=True, help="Log JSON lines instead of key=value.")
@click.option(
    "--claim-timeout",
    type=click.FloatRange(0, 86400),
    default=120.0,
    show_default=True,
    help="Seconds a message stays claimed by a daemon that stopped answering before another "
    "daemon on the same ledger takes it over; longer than one delivery may take.",
)
@_DB_OPTION
@_CONTACTS_OPTION
@pass_context
def daemon(
    ctx: Context,
    once: bool,
    json_logs: bool,
    claim_timeout: float,
    db_path: str | None,
    contacts_path: Path | None,
) -> None:
    """Send reminders at each send time; reload changed files; SIGTERM stops cleanly."""
    import os

    from disclosure_calendar.reminders.daemon import run_service
    from disclosure_calendar.reminders.logs import setup_logging

    setup_logging(sys.stderr, as_json=json_logs)
    service = _service(ctx, db_path, contacts_path, lease=claim_timeout)
    summary = run_service(service, os.environ, once=once)
    if summary:
        click.echo(summary)


@main.command()
@click.option(
    "--at", "at", required=True, help="The instant, e.g. 2026-04-01T09:00 (plan time zone)."
)
@click.option("--dry-run", is_flag=True, help="Only print what would be sent; touch nothing.")
@_DB_OPTION
@_CONTACTS_OPTION
@pass_context
def remind(
    ctx: Context, at: str, dry_run: bool, db_path: str | None, contacts_path: Path | None
) -> None:
    """Run the reminder decision for one instant and print (or send) the messages."""
    from disclosure_calendar.reminders.clock import parse_instant
    from disclosure_calendar.reminders.daemon import remind_once
    from disclosure_calendar.reminders.logs import setup_logging

    instant = parse_instant(at, ctx.schedule.plan.timezone)
    if not dry_run:
        setup_logging(sys.stderr)
    click.echo(remind_once(_service(ctx, db_path, contacts_path), instant, dry_run=dry_run))


_OCCURRENCE_ARGS = (
    click.argument("period", required=False),
    click.argument("ref", metavar="DUTY"),
)


def _occurrence_args(command: Any) -> Any:
    command = click.option("--unit", help="The unit, if the duty reaches several.")(command)
    for decorate in _OCCURRENCE_ARGS:
        command = decorate(command)
    return command


@main.command()
@_occurrence_args
@click.option("--url", help="Where the publication is.")
@click.option(
    "--on",
    "on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Publication date [default: today].",
)
@_DB_OPTION
@pass_context
def done(
    ctx: Context, ref: str, period: str | None, unit: str | None, url: str | None, on: Any,
    db_path: str | None,
) -> None:  # fmt: skip
    """Record that a unit published an occurrence.

    DUTY is the id or plan ref (1.3), or `self-check`; PERIOD as people write it (2026-03,
    2026Q1, 2026H1, 2026, an event's date). A whole UID as the reminder shows it works too.
    """
    from disclosure_calendar.reminders import tracking

    uid = tracking.occurrence_uid(ctx.schedule, ref, period, unit)
    day = on.date() if on else None
    click.echo(
        tracking.mark_done(ctx.schedule, ctx.calendar, _db(ctx, db_path), uid, url, day, _now(ctx))
    )


@main.command()
@_occurrence_args
@_DB_OPTION
@pass_context
def undone(
    ctx: Context, ref: str, period: str | None, unit: str | None, db_path: str | None
) -> None:
    """Withdraw a done record (DUTY [PERIOD] as for done); reminders resume."""
    from disclosure_calendar.reminders import tracking

    uid = tracking.occurrence_uid(ctx.schedule, ref, period, unit)
    click.echo(tracking.mark_undone(_db(ctx, db_path), uid, _now(ctx)))


# --- event dates (issue 10) ---


@main.group()
def event() -> None:
    """Record the dates of event-triggered duties (5.7 repeals, 22.1 requests) in the ledger.

    build, agenda, print, remind, daemon and status see them beside the events: of
    schedule.yaml.
    """


@event.command("add")
@click.argument("ref", metavar="DUTY")
@click.argument("day", metavar="DATE", type=DATE)
@click.option("--note", default="", help="What happened (shown in the feeds).")
@_DB_OPTION
@pass_context
def event_add(ctx: Context, ref: str, day: dt.datetime, note: str, db_path: str | None) -> None:
    """Record that DUTY's event happened on DATE (YYYY-MM-DD); DUTY is an id or ref like 5.7."""
    from disclosure_calendar.occurrences import horizon
    from disclosure_calendar.reminders import events

    now = _now(ctx)
    _, last = horizon.resolve(horizon.today_in(ctx.schedule.plan.timezone, now))
    duty, due = events.add(
        ctx.file_schedule, ctx.calendar, _db(ctx, db_path), ref, day.date(), note,
        now=now, last=last,
    )  # fmt: skip
    click.echo(f"added: {duty.ref} {duty.id} event {day.date()}, due {due}")


@event.command("remove")
@click.argument("ref", metavar="DUTY")
@click.argument("day", metavar="DATE", type=DATE)
@_DB_OPTION
@pass_context
def event_remove(ctx: Context, ref: str, day: dt.datetime, db_path: str | None) -> None:
    """Remove a recorded event date of DUTY."""
    from disclosure_calendar.reminders import events

    duty = events.remove(ctx.file_schedule, _db(ctx, db_path), ref, day.date())
    click.echo(f"removed: {duty.ref} {duty.id} event {day.date()}")


@event.command("list")
@click.option("--duty", "ref", help="Only this duty (id or ref like 5.7).")
@_DB_OPTION
@pass_context
def event_list(ctx: Context, ref: str | None, db_path: str | None) -> None:
    """Every event date, from schedule.yaml and the ledger, with its due date."""
    from disclosure_calendar.reminders import events

    click.echo(events.listing(ctx.file_schedule, ctx.calendar, _db(ctx, db_path), ref))


@main.command()
@click.option("--unit", help="Only this unit (or the units of this group).")
@click.option("--year", type=int, help="Occurrences due in this year [default: this year].")
@_TABLE_FORMAT
@_DB_OPTION
@pass_context
def status(ctx: Context, unit: str | None, year: int | None, fmt: str, db_path: str | None) -> None:
    """Per unit: done on time, done late, open, overdue, and the on-time rate."""
    from disclosure_calendar.reminders import tracking

    report = tracking.status_report(
        ctx.schedule, ctx.calendar, _db(ctx, db_path), _now(ctx), unit=unit, year=year, fmt=fmt
    )
    click.echo(report, nl=fmt != "csv")


# --- the ledger itself (issue 13) ---


@main.group()
def ledger() -> None:
    """Look after the ledger: its schema version, upgrades, moving it to PostgreSQL."""


@ledger.command("status")
@_DB_OPTION
@pass_context
def ledger_status(ctx: Context, db_path: str | None) -> None:
    """Where the ledger is, its schema version and migrations, row counts, claims held."""
    from disclosure_calendar.reminders.ledger.admin import status_text

    click.echo(status_text(_db(ctx, db_path)))


@ledger.command("upgrade")
@_DB_OPTION
@pass_context
def ledger_upgrade(ctx: Context, db_path: str | None) -> None:
    """Bring the ledger's schema to this program's version (every command also does on start)."""
    from disclosure_calendar.reminders.ledger.admin import upgrade

    click.echo(upgrade(_db(ctx, db_path)))


@ledger.command("copy")
@click.option("--from", "source", required=True, metavar="PATH|URL", help="The ledger to copy.")
@click.option(
    "--to", "dest", required=True, metavar="PATH|URL", help="An empty ledger to copy into."
)
def ledger_copy(source: str, dest: str) -> None:
    """Copy every row of one ledger into an empty one (sqlite:PATH to postgresql://...)."""
    from disclosure_calendar.reminders.ledger import parse_target
    from disclosure_calendar.reminders.ledger.admin import copy_ledger, copy_report

    src, dst = parse_target(source), parse_target(dest)
    result = copy_ledger(src, dst)
    click.echo(copy_report(result, src.shown, dst.shown))
    differs = [c.table for c in result if c.source != c.copied]
    if differs:
        raise DisclosureError(f"ledger copy: counts differ for {', '.join(differs)}")
    click.echo(f"copied {sum(c.copied for c in result)} row(s); every count matches")


if __name__ == "__main__":
    sys.exit(main())

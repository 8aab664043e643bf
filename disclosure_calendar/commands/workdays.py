"""Chinese working days: workdays year, check, add, between, notice."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import click

from disclosure_calendar.core.i18n import gettext as _

from .base import Context, Group, fail, option, pass_context, shown_day
from .options import DATE

if TYPE_CHECKING:
    from disclosure_calendar.workdays import WorkdayCalendar


@click.group(cls=Group)
def workdays() -> None:
    """Check Chinese working days: holidays, make-up days (调休), counting.

    Uses the official State Council notices (2004-2026) plus the schedule's calendar:
    section when the schedule file exists.
    """


def workday_calendar(ctx: Context) -> WorkdayCalendar:
    if ctx.schedule_path.exists():
        return ctx.calendar
    from disclosure_calendar.workdays import WorkdayCalendar

    return WorkdayCalendar()


@workdays.command("year")
@click.argument("year", type=click.IntRange(2004, 2099))
@option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@pass_context
def workdays_year(ctx: Context, year: int, as_json: bool) -> None:
    """Days off, make-up working days and working days per month of YEAR."""
    from disclosure_calendar.workdays import report

    result = report.year_report(workday_calendar(ctx), year)
    click.echo(json_text(result) if as_json else report.format_year_report(result))


@workdays.command("check")
@click.argument("day", metavar="DATE", type=DATE)
@option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@pass_context
def workdays_check(ctx: Context, day: dt.datetime, as_json: bool) -> None:
    """Whether DATE (YYYY-MM-DD) is a working day, and why."""
    from disclosure_calendar.workdays import report

    result = report.explain(workday_calendar(ctx), day.date())
    click.echo(json_text(result) if as_json else report.format_explain(result))


@workdays.command("add", context_settings={"ignore_unknown_options": True})
@click.argument("day", metavar="DATE", type=DATE)
@click.argument("n", type=int)
@pass_context
def workdays_add(ctx: Context, day: dt.datetime, n: int) -> None:
    """The N-th working day after DATE (DATE itself not counted); negative N counts back."""
    from disclosure_calendar.workdays import report

    click.echo(report.format_add(report.add_report(workday_calendar(ctx), day.date(), n)))


@workdays.command("between")
@click.argument("start", metavar="A", type=DATE)
@click.argument("end", metavar="B", type=DATE)
@pass_context
def workdays_between(ctx: Context, start: dt.datetime, end: dt.datetime) -> None:
    """Count the working days from A to B, both ends included."""
    from disclosure_calendar.workdays import report

    if end < start:
        raise fail(
            _("B {end} is before A {start}: give the earlier date first").format(
                end=shown_day(end.date()), start=shown_day(start.date())
            )
        )
    cal = workday_calendar(ctx)
    click.echo(report.format_between(report.between_report(cal, start.date(), end.date())))


@workdays.command("notice")
@click.argument("source", metavar="FILE|-", type=click.File("rb"))
@option("--year", type=click.IntRange(2004, 2099), help="The year, if the text has no title.")
@option("--published", type=DATE, help="Date of issue, if the text has none (YYYY-MM-DD).")
@option("--json", "as_json", is_flag=True, help="Print JSON instead of YAML.")
@option("--write", is_flag=True, help="Add the entry to the schedule file; show the diff.")
@option("--replace", is_flag=True, help="With --write: replace that year's entry.")
@pass_context
def workdays_notice(
    ctx: Context, source: Any, year: int | None, published: dt.datetime | None, as_json: bool,
    write: bool, replace: bool,
) -> None:  # fmt: skip
    """Read a State Council holiday notice (its text, - for stdin) into a calendar: entry."""
    from disclosure_calendar.schedule import notice_entry
    from disclosure_calendar.workdays import notice_file

    name = str(getattr(source, "name", "<stdin>"))
    notice = notice_file.read_notice_file(source.read(notice_file.MAX_BYTES + 1), name, year=year)
    for line in notice_file.warnings_text(notice, name):
        click.echo(line, err=True)
    # the schedule matters only to a separate notice, which changes the year as entered there
    entered = ctx.schedule.notices if notice.supplement and ctx.schedule_path.exists() else ()
    day = published.date() if published else None
    entry = notice_file.notice_entry(notice, name, entered=entered, published=day)
    if not write:
        click.echo(json_text(entry) if as_json else notice_entry.snippet(entry), nl=as_json)
        if entry["published"] is None:
            click.echo(_("warning: no date of issue in the text; give --published"), err=True)
        return
    # a separate notice's entry is the year's entry as changed: it takes that entry's place
    replace = replace or notice.supplement
    old, new = notice_entry.updated_schedule(ctx.schedule_path, entry, replace=replace)
    if new == old:
        click.echo(
            _("{path} already has this entry: nothing written").format(path=ctx.schedule_path)
        )
        return
    click.echo(notice_entry.diff(old, new, str(ctx.schedule_path)), nl=False)
    notice_entry.check_loads(ctx.schedule_path, new)
    notice_entry.save(ctx.schedule_path, new)
    click.echo(
        _("wrote {path}: calendar: notices: {year}").format(
            path=ctx.schedule_path, year=entry["year"]
        )
    )


def json_text(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, indent=2)


COMMANDS = (workdays,)

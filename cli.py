"""The disclosure-calendar command line: parses arguments and calls the package."""

from __future__ import annotations

import copy
import datetime as dt
import inspect
import os
import re
import sys
from collections.abc import Iterable, Sequence
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from disclosure_calendar import __version__
from disclosure_calendar.core import i18n
from disclosure_calendar.core.errors import DisclosureError, NotDelivered
from disclosure_calendar.core.i18n import gettext as _

if TYPE_CHECKING:
    from disclosure_calendar.schedule.model import Schedule
    from disclosure_calendar.workdays import WorkdayCalendar


class Option(click.Option):
    """An option whose help (an English msgid) is shown in the language being spoken."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        if not self.help:
            return super().get_help_record(ctx)
        shown = copy.copy(self)
        shown.help = _(self.help)
        return click.Option.get_help_record(shown, ctx)


option = partial(click.option, cls=Option)


class PathType(click.Path):
    """click.Path naming the file or folder in the language being spoken."""

    @property
    def name(self) -> str:
        return _(self._name)

    @name.setter
    def name(self, value: str) -> None:
        # click sets it once, when the option is declared: keep the msgid
        self._name = value

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return self._name.upper()  # FILE, DIRECTORY: a placeholder, not a word


class _NotDelivered(click.ClickException):
    exit_code = NotDelivered.exit_code


def _fail(message: str) -> click.ClickException:
    """A user mistake found by the CLI: the message and exit 1."""
    return click.ClickException(message)


def _out_folder(path: Path) -> Path:
    """An output folder: refused here when it is a file or a device, before anything is built."""
    if path.exists() and not path.is_dir():
        raise _fail(_("{path} is not a folder").format(path=path))
    return path


_LANG_HELP = "Language of messages and tables: zh (default) or en."


def _lang_option() -> Option:
    # Read before click parses anything (Group.main); declared on every command so that
    # `--lang en` is accepted wherever it is written and appears in every --help.
    return Option(
        ["--lang"], type=click.Choice(i18n.LANGUAGES), expose_value=False, help=_LANG_HELP
    )


# Chinese does not start a line with these: they stay at the end of the line before.
_NO_LINE_START = "，。；：、）》！？”’］】」』〕"
# Nor end one with these: they go to the next line with what they open.
_NO_LINE_END = "（《“‘［【「『〔"


def _wrap(text: str, limit: int = 76) -> str:
    """Chinese text wrapped by terminal columns (click wraps at spaces, which it has none of)."""
    from disclosure_calendar.core.table import width

    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        # a run of ASCII (a name, an option, a date) is never split
        for piece in re.findall(r"[!-~]+|.", paragraph):
            fits = width(line) + width(piece) <= limit
            if not fits and not piece.isspace() and piece[0] not in _NO_LINE_START:
                # the opening marks at the end, and any spaces among them
                kept = line.rstrip(_NO_LINE_END + " ")
                if kept.strip():
                    line, piece = kept, line[len(kept) :] + piece
                lines.append(line.rstrip())
                line = piece.lstrip()
                continue
            line += piece
        lines.append(line)
    return "\n".join(lines)


class HelpFormatter(click.HelpFormatter):
    def write_heading(self, heading: str) -> None:
        colon = ":" if i18n.current_language() == "en" else "："
        self.write(f"{'':>{self.current_indent}}{heading}{colon}\n")

    def write_dl(
        self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        if i18n.current_language() == "en":
            return super().write_dl(rows, col_max, col_spacing)
        table = list(rows)
        # the same columns click computes; the text pre-wrapped by terminal width, marked
        # with click's \b so that click's own wrapping (by characters) leaves it alone
        first_col = min(click.formatting.measure_table(table)[0], col_max) + col_spacing
        width = max(self.width - first_col - 2 - self.current_indent, 10)
        return super().write_dl(
            [
                (first, "\b\n" + _wrap(_full_width_extra(second), width) if second else second)
                for first, second in rows
            ],
            col_max,
            col_spacing,
        )


def _full_width_extra(text: str) -> str:
    """click's own ``[默认：1; 1<=x<=64]`` after a help text, in Chinese brackets and ；."""
    return re.sub(
        r"\[([^\[\]]*)\]$", lambda m: "［" + m.group(1).replace("; ", "；") + "］", text.rstrip()
    )


class HelpContext(click.Context):
    formatter_class = HelpFormatter


class _Translated(click.Command):
    """Help texts are English msgids, shown in the language being spoken."""

    context_class = HelpContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.append(_lang_option())

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if not self.help:
            return
        text = _(inspect.cleandoc(self.help)).partition("\f")[0]
        formatter.write_paragraph()
        with formatter.indentation():
            if i18n.current_language() == "en":
                formatter.write_text(text)
                return
            width = max(formatter.width - formatter.current_indent, 20)
            for i, paragraph in enumerate(text.split("\n\n")):
                if i:
                    formatter.write_paragraph()
                formatter.write_text("\b\n" + _wrap(paragraph, width))

    def get_short_help_str(self, limit: int = 45) -> str:
        if self.short_help or not self.help or i18n.current_language() == "en":
            return super().get_short_help_str(limit)
        first = _(inspect.cleandoc(self.help)).split("\n\n")[0]
        return first.replace("\n", "").split("。")[0].split("；")[0]

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        help_option = super().get_help_option(ctx)
        if help_option is not None:
            # click builds it once and keeps it: say it in the language of this run
            help_option.help = _("Show this message and exit.")
        return help_option


class Command(_Translated):
    pass


def _lang_flag(args: Sequence[str]) -> str | None:
    """The value of --lang in ``args`` (anywhere before ``--``), read before click parses."""
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
    return None


_TABLE_FORMAT = option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv", "xlsx"]),
    default="table",
    show_default=True,
    help="Output format (xlsx: a workbook for Excel, written to -o FILE).",
)
_SHEET_OUT = option(
    "-o",
    "--out",
    "sheet_path",
    type=PathType(path_type=Path, dir_okay=False),
    help="The .xlsx file to write (with --format xlsx).",
)


def _write_sheet(fmt: str, path: Path | None, make: Any) -> bool:
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


def _set_db(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from disclosure_calendar.core.files import ledger_file

    path = ledger_file(value) if value is not None else None
    if path is not None:
        folder = path.absolute().parent
        if not folder.is_dir():
            # a mistyped folder would otherwise read as an empty ledger: nothing done, no events
            raise _fail(
                _("--db {path}: the folder {folder} does not exist").format(
                    path=value, folder=folder
                )
            )
    # Set before the command body runs, so whatever reads the schedule sees this ledger's events.
    context = ctx.find_object(Context)
    if value is not None and context is not None:
        context.db_path = value
    return value


def _set_read_db(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--db`` of a command that only reads: a file named there must exist. A typing error
    would otherwise read as an empty ledger (nothing done, no events), and only a command that
    writes may start a ledger."""
    value = _set_db(ctx, param, value)
    _ledger_must_exist(value)
    return value


def _ledger_must_exist(value: str | None) -> None:
    from disclosure_calendar.core.files import ledger_file

    path = ledger_file(value) if value is not None else None
    if path is not None and not path.exists():
        raise _fail(
            _(
                "--db {path}: there is no ledger here. Check the path (or DISCLOSURE_CALENDAR_DB); "
                "a ledger is started by the first command that writes to it: done, event add, "
                "remind, daemon or serve"
            ).format(path=value)
        )


_DB_OPTION = option(
    "--db",
    "db_path",
    envvar="DISCLOSURE_CALENDAR_DB",
    metavar="PATH|URL",
    callback=_set_db,
    help="The ledger: an SQLite file or a postgresql:// URL "
    "[env DISCLOSURE_CALENDAR_DB; default: disclosure-calendar.db beside the schedule].",
)

# For commands that only read the ledger: as _DB_OPTION, and a file named must exist.
_READ_DB_OPTION = option(
    "--db",
    "db_path",
    envvar="DISCLOSURE_CALENDAR_DB",
    metavar="PATH|URL",
    callback=_set_read_db,
    help="The ledger: an SQLite file or a postgresql:// URL "
    "[env DISCLOSURE_CALENDAR_DB; default: disclosure-calendar.db beside the schedule].",
)

# For commands that only read: the ledger whose recorded event dates they show.
_EVENTS_DB_OPTION = option(
    "--db",
    envvar="DISCLOSURE_CALENDAR_DB",
    metavar="PATH|URL",
    callback=_set_read_db,
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
        from disclosure_calendar.schedule import load_schedule

        return load_schedule(self.schedule_path)

    @property
    def db(self) -> str | Path:
        from disclosure_calendar.reminders.files import default_db

        return self.db_path or default_db(self.schedule_path)

    @cached_property
    def schedule(self) -> Schedule:
        """The schedule with the event dates recorded in the ledger (`event add`)."""
        from disclosure_calendar.reminders.events import load_recorded

        return load_recorded(self.file_schedule, self.db)

    @cached_property
    def calendar(self) -> WorkdayCalendar:
        from disclosure_calendar.workdays import WorkdayCalendar

        plan = self.file_schedule
        return WorkdayCalendar(notices=plan.notices, local_days_off=plan.local_days_off)


class Group(_Translated, click.Group):
    """Speaks the chosen language; turns the package's errors into a message and exit 1."""

    command_class = Command
    group_class = type

    def main(self, args: Sequence[str] | None = None, *rest: Any, **extra: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        with i18n.speaking(i18n.choose_language(_lang_flag(argv), os.environ)):
            return super().main(argv, *rest, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NotDelivered as exc:  # a run that went through, with messages not accepted
            click.echo(exc.report)
            raise _NotDelivered(str(exc)) from None
        except DisclosureError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            # a folder that is a file, read-only or special, a port in use, an unknown host
            from disclosure_calendar.core.errors import os_error_message

            raise click.ClickException(os_error_message(exc)) from None
        except ValueError as exc:
            if type(exc).__name__ == "CalendarRangeError":
                raise click.ClickException(str(exc)) from None
            raise


def _show_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    # click.version_option fixes its message when the option is declared, before a language
    # is chosen; this says it in the language of the run (click's own msgid)
    if value and not ctx.resilient_parsing:
        click.echo(_("%(prog)s, version %(version)s") % {
            "prog": "disclosure-calendar", "version": __version__,
        })  # fmt: skip
        ctx.exit()


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@option(
    "-f",
    "--schedule",
    "schedule_path",
    type=PathType(path_type=Path, dir_okay=False),
    default="schedule.yaml",
    show_default=True,
    help="The schedule file.",
)
@option(
    "--version", is_flag=True, expose_value=False, is_eager=True, callback=_show_version,
    help="Show the version and exit.",
)  # fmt: skip
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


@main.command()
@pass_context
def units(ctx: Context) -> None:
    """List the units and groups with the number of duties reaching each."""
    from disclosure_calendar.schedule.reports import units_table

    click.echo(units_table(ctx.file_schedule))


@main.command()
@option("--unit", help="Only duties reaching this unit (directly or through a group).")
@option("--cadence", type=click.Choice(CADENCE_CHOICES), help="Only duties of this cadence.")
@option("--json", "as_json", is_flag=True, hidden=True, help="Same as --format json.")
@_TABLE_FORMAT
@_SHEET_OUT
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
    elif not _write_sheet(fmt, sheet_path, lambda: [reports.duties_sheet(schedule, selected)]):
        click.echo(reports.duties_table(schedule, selected))


# --- workdays commands (issue 3) ---


class IsoDate(click.DateTime):
    """A YYYY-MM-DD date, shown as such in help (click shows the strptime format)."""

    def __init__(self) -> None:
        super().__init__(formats=["%Y-%m-%d"])

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return "YYYY-MM-DD"


DATE = IsoDate()


@main.group()
def workdays() -> None:
    """Check Chinese working days: holidays, make-up days (调休), counting.

    Uses the official State Council notices (2004-2026) plus the schedule's calendar:
    section when the schedule file exists.
    """


def _workday_calendar(ctx: Context) -> WorkdayCalendar:
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

    result = report.year_report(_workday_calendar(ctx), year)
    click.echo(_json(result) if as_json else report.format_year_report(result))


@workdays.command("check")
@click.argument("day", metavar="DATE", type=DATE)
@option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@pass_context
def workdays_check(ctx: Context, day: dt.datetime, as_json: bool) -> None:
    """Whether DATE (YYYY-MM-DD) is a working day, and why."""
    from disclosure_calendar.workdays import report

    result = report.explain(_workday_calendar(ctx), day.date())
    click.echo(_json(result) if as_json else report.format_explain(result))


@workdays.command("add", context_settings={"ignore_unknown_options": True})
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

    if end < start:
        raise _fail(
            _("B {end} is before A {start}: give the earlier date first").format(
                end=_day(end.date()), start=_day(start.date())
            )
        )
    cal = _workday_calendar(ctx)
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
        click.echo(_json(entry) if as_json else notice_entry.snippet(entry), nl=as_json)
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


def _day(day: dt.date) -> str:
    """A date in prose: 2026年3月16日 in Chinese, ISO in English."""
    from disclosure_calendar.core.i18n import prose_date

    return prose_date(day)


def _json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, indent=2)


# --- feeds commands (issue 4) ---

_ISO_DATE = DATE


def _range_options(command: Any) -> Any:
    """--year or --from/--to: the dates a command covers (default this year and the next)."""
    command = option("--to", "end", type=_ISO_DATE, help="Last due date (YYYY-MM-DD).")(command)
    command = option("--from", "start", type=_ISO_DATE, help="First due date (YYYY-MM-DD).")(
        command
    )
    return option("--year", type=int, help="One calendar year instead of a range.")(command)


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
@option(
    "-o", "--out", "out_dir", type=PathType(path_type=Path), default="out",
    show_default=True, help="Folder for the feeds, index.html and the manifest.",
)  # fmt: skip
@_range_options
@option(
    "--base-url", help="Where the folder is published (subscribe links); default plan.base_url."
)
@option("--dry-run", is_flag=True, help="Print what would change; write nothing.")
@_EVENTS_DB_OPTION
@pass_context
def build(
    ctx: Context, out_dir: Path, year: int | None, start: Any, end: Any, base_url: str | None,
    dry_run: bool,
) -> None:  # fmt: skip
    """Write one .ics feed per unit, all.ics and index.html, and say what changed."""
    import datetime as dt
    import os

    from disclosure_calendar import feeds

    if base_url is not None and not base_url.startswith(("https://", "http://")):
        raise _fail(
            _("--base-url {url!r} is not an http(s) URL (e.g. https://example.gov.cn/calendar/)")
            .format(url=base_url)
        )  # fmt: skip
    from disclosure_calendar.feeds import quick

    out_dir = _out_folder(out_dir)
    taken = quick.take(ctx.schedule_path, ctx.db)  # before the schedule is read: quick.Taken
    result = None if dry_run else quick.unchanged(
        out_dir, taken, base_url, year=year,
        start=start.date() if start else None, end=end.date() if end else None,
    )  # fmt: skip
    if result is None:
        first, last = _resolve_range(ctx, year, start, end)
        key = taken.key(first, last, base_url)
        result = feeds.build_feeds(
            ctx.schedule, ctx.calendar, first, last, out_dir,
            now=feeds.stamp_time(os.environ, dt.datetime.now(dt.UTC)), base_url=base_url,
            dry_run=dry_run, key=key,
        )  # fmt: skip
    _warn_provisional(result.provisional_years)
    click.echo(feeds.summary_text(result))


@main.command()
@option("--unit", help="Only occurrences reaching this unit (or naming this group).")
@option("--duty", "duty_id", help="Only this duty (id, or a plan ref like 7.4: all its duties).")
@_range_options
@option(
    "--as-of", "as_of", is_flag=False, flag_value="today", default=None, metavar="DATE",
    help="Show what is overdue and what falls due in the next weeks, seen from DATE (default today).",
)  # fmt: skip
@option(
    "--weeks", type=click.IntRange(1, 52), default=4, show_default=True, help="Window of --as-of."
)
@_TABLE_FORMAT
@_SHEET_OUT
@_EVENTS_DB_OPTION
@pass_context
def agenda(
    ctx: Context, unit: str | None, duty_id: str | None, year: int | None, start: Any, end: Any,
    as_of: str | None, weeks: int, fmt: str, sheet_path: Path | None,
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
                _("{value!r} is not a date (YYYY-MM-DD)").format(value=as_of), param_hint="--as-of"
            ) from None
    if seen_from is not None and year is None and start is None and end is None:
        first, last = ag.as_of_range(seen_from, weeks)
    else:
        first, last = _resolve_range(ctx, year, start, end, today)
    view = ag.agenda(
        schedule, ctx.calendar, first, last, unit=unit, duty=duty_id, as_of=seen_from, weeks=weeks
    )
    _warn_provisional(view.provisional_years)
    if not _write_sheet(fmt, sheet_path, lambda: [ag.agenda_sheet(view)]):
        click.echo(ag.format_agenda(view, fmt))


# --- print command (issue 5) ---


@main.command("print")
@option("--year", type=int, help="The calendar year to print.  [default: this year]")
@option("--unit", help="One unit's (or group's) edition instead of the city-wide one.")
@option("--each-unit", is_flag=True, help="Every unit's edition, plus the city-wide one.")
@option("--format", "fmt", type=click.Choice(["pdf", "html"]), default="pdf", show_default=True)
@option(
    "--paper", type=click.Choice(["a4", "a3"]), default="a4", show_default=True, help="Landscape."
)
@option(
    "-o",
    "--out",
    "out_dir",
    type=PathType(path_type=Path),
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
        raise click.UsageError(_("give either --unit or --each-unit, not both"))
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
        out_dir=_out_folder(out_dir),
        built=today,
        fmt=fmt,
        paper=paper,
    )
    for path, changed in written:
        click.echo(path if changed else _("{path} (unchanged)").format(path=path))


# --- reminder commands (issue 6) ---

_CONTACTS_OPTION = option(
    "--contacts",
    "contacts_path",
    type=PathType(path_type=Path, dir_okay=False),
    help="Recipients and channels [default: contacts.yaml beside the schedule, if present].",
)


_SECRET_FILE = option(
    "--secret-file",
    type=PathType(path_type=Path, dir_okay=False),
    help="File holding the secret that signs access links [default: $DISCLOSURE_CALENDAR_SECRET].",
)


def _service(
    ctx: Context,
    db_path: str | None,
    contacts_path: Path | None,
    secret_file: Path | None = None,
    **kw: Any,
) -> Any:
    import os

    from disclosure_calendar.core.tokens import load_secret
    from disclosure_calendar.reminders.service import Service

    secret = load_secret(os.environ, secret_file) if secret_file is not None else None
    return Service(
        ctx.schedule_path,
        _db(ctx, db_path),
        contacts_path,
        env=os.environ,
        contacts_required=contacts_path is not None,
        secret=secret,
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
@option("--once", is_flag=True, help="Send what is due now, then exit (for cron).")
@option("--json-logs", is_flag=True, help="Log JSON lines instead of key=value.")
@option(
    "--claim-timeout",
    type=click.FloatRange(0, 86400),
    default=120.0,
    show_default=True,
    help="Seconds a message stays claimed by a daemon that stopped answering before another "
    "daemon on the same ledger takes it over; longer than one delivery may take.",
)
@_DB_OPTION
@_CONTACTS_OPTION
@_SECRET_FILE
@pass_context
def daemon(
    ctx: Context,
    once: bool,
    json_logs: bool,
    claim_timeout: float,
    db_path: str | None,
    contacts_path: Path | None,
    secret_file: Path | None,
) -> None:
    """Send reminders at each send time; reload changed files; SIGTERM stops cleanly."""
    import os

    _runs_until_stopped()
    from disclosure_calendar.reminders.daemon import run_service
    from disclosure_calendar.reminders.logs import setup_logging

    setup_logging(sys.stderr, as_json=json_logs, timezone=ctx.schedule.plan.timezone)
    service = _service(ctx, db_path, contacts_path, secret_file, lease=claim_timeout)
    summary = run_service(service, os.environ, once=once)
    if summary:
        click.echo(summary)


@main.command()
@option(
    "--at", "at", required=True,
    help="The instant, e.g. 2026-04-01T09:00 (plan time zone); a date alone means 09:00 "
    "(defaults.remind_at) that day.",
)  # fmt: skip
@option("--dry-run", is_flag=True, help="Only print what would be sent; touch nothing.")
@option(
    "--retry-failed", is_flag=True,
    help="First resend, once and with their Message-IDs, the reminders of the last 30 days "
    "that failed for good (refused by a server, or not accepted before the grace window "
    "closed), after the cause was fixed.",
)  # fmt: skip
@_DB_OPTION
@_CONTACTS_OPTION
@_SECRET_FILE
@pass_context
def remind(
    ctx: Context, at: str, dry_run: bool, retry_failed: bool, db_path: str | None,
    contacts_path: Path | None, secret_file: Path | None,
) -> None:  # fmt: skip
    """Run the reminder decision for one instant and print (or send) the messages.

    Exit status: 0 every message accepted; 3 some not accepted (retried by the next run) or
    refused for good (the coordinator is told; resend with --retry-failed); 1 an error.
    """
    from disclosure_calendar.occurrences.horizon import YEARS
    from disclosure_calendar.reminders.clock import parse_instant
    from disclosure_calendar.reminders.daemon import remind_once
    from disclosure_calendar.reminders.logs import setup_logging

    instant = parse_instant(
        at, ctx.schedule.plan.timezone, at_time=ctx.file_schedule.defaults.remind_at
    )
    if not YEARS[0] <= instant.year <= YEARS[1]:
        raise _fail(
            _("--at {at}: the working-day calendar covers {low} to {high}").format(
                at=at, low=YEARS[0], high=YEARS[1]
            )
        )
    if dry_run:
        _ledger_must_exist(db_path)  # a dry run only reads the ledger
    else:
        setup_logging(sys.stderr, timezone=ctx.schedule.plan.timezone)
    service = _service(ctx, db_path, contacts_path, secret_file)
    click.echo(remind_once(service, instant, dry_run=dry_run, retry_failed=retry_failed))


_OCCURRENCE_ARGS = (
    click.argument("period", required=False),
    click.argument("ref", metavar="DUTY"),
)


def _occurrence_args(command: Any) -> Any:
    command = option("--unit", help="The unit, if the duty reaches several.")(command)
    for decorate in _OCCURRENCE_ARGS:
        command = decorate(command)
    return command


@main.command()
@_occurrence_args
@option("--url", help="Where the publication is.")
@option(
    "--on",
    "on",
    type=DATE,
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
@option("--note", default="", help="What happened (shown in the feeds).")
@_DB_OPTION
@pass_context
def event_add(ctx: Context, ref: str, day: dt.datetime, note: str, db_path: str | None) -> None:
    """Record that DUTY's event happened on DATE (YYYY-MM-DD); DUTY is an id or ref like 5.7."""
    from disclosure_calendar.occurrences import horizon
    from disclosure_calendar.reminders import events

    now = _now(ctx)
    _first, last = horizon.resolve(horizon.today_in(ctx.schedule.plan.timezone, now))
    duty, due_day = events.add(
        ctx.file_schedule, ctx.calendar, _db(ctx, db_path), ref, day.date(), note,
        now=now, last=last,
    )  # fmt: skip
    click.echo(
        _("added: {ref} {id} event {day}, due {due}").format(
            ref=duty.ref, id=duty.id, day=_day(day.date()), due=_day(due_day)
        )
    )


@event.command("remove")
@click.argument("ref", metavar="DUTY")
@click.argument("day", metavar="DATE", type=DATE)
@_DB_OPTION
@pass_context
def event_remove(ctx: Context, ref: str, day: dt.datetime, db_path: str | None) -> None:
    """Remove a recorded event date of DUTY."""
    from disclosure_calendar.reminders import events

    duty = events.remove(ctx.file_schedule, _db(ctx, db_path), ref, day.date())
    click.echo(
        _("removed: {ref} {id} event {day}").format(ref=duty.ref, id=duty.id, day=_day(day.date()))
    )


@event.command("list")
@option("--duty", "ref", help="Only this duty (id or ref like 5.7).")
@_READ_DB_OPTION
@pass_context
def event_list(ctx: Context, ref: str | None, db_path: str | None) -> None:
    """Every event date, from schedule.yaml and the ledger, with its due date."""
    from disclosure_calendar.reminders import events

    click.echo(events.listing(ctx.file_schedule, ctx.calendar, _db(ctx, db_path), ref))


@main.command()
@option("--unit", help="Only this unit (or the units of this group).")
@option("--year", type=int, help="Occurrences due in this year [default: this year].")
@_TABLE_FORMAT
@_SHEET_OUT
@_READ_DB_OPTION
@pass_context
def status(
    ctx: Context, unit: str | None, year: int | None, fmt: str, sheet_path: Path | None,
    db_path: str | None,
) -> None:  # fmt: skip
    """Per unit: done on time, done late, open, overdue, and the on-time rate."""
    from disclosure_calendar.reminders import tracking

    def sheets() -> list[Any]:
        data = tracking.status_data(
            ctx.schedule, ctx.calendar, _db(ctx, db_path), _now(ctx), unit=unit, year=year
        )
        return [tracking.status_sheet(data.rows)]

    if _write_sheet(fmt, sheet_path, sheets):
        return
    report = tracking.status_report(
        ctx.schedule, ctx.calendar, _db(ctx, db_path), _now(ctx), unit=unit, year=year, fmt=fmt
    )
    click.echo(report, nl=fmt != "csv")


# --- web portal (issue 12) ---


@main.command()
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
    callback=_set_db,
    help="The ledger the pages read and write: an SQLite file or a postgresql:// URL "
    "[env DISCLOSURE_CALENDAR_DB; default: disclosure-calendar.db beside the schedule].",
)
@option("--workers", type=click.IntRange(1, 64), default=1, show_default=True, help="Processes.")
@option("--base-url", help="Public address of the site (links); default plan.base_url.")
@option("--root-path", default="", help="Path prefix a proxy serves the site under.")
@option("--quiet", is_flag=True, help="No access log (a proxy in front keeps one).")
@option(
    "--rebuild/--no-rebuild", default=True, show_default=True,
    help="Rebuild the feeds (as `build` with its default range) when a page records an event date.",
)  # fmt: skip
@_SECRET_FILE
@pass_context
def serve(
    ctx: Context, host: str, port: int, out_dir: Path, db_path: str | None, workers: int,
    base_url: str | None, root_path: str, quiet: bool, rebuild: bool, secret_file: Path | None,
) -> None:  # fmt: skip
    """Serve the feeds, the index and the units' and coordinator's pages until interrupted.

    Without a secret (DISCLOSURE_CALENDAR_SECRET or --secret-file) only the public index and
    the feeds are served.
    """
    import os

    _runs_until_stopped()
    from disclosure_calendar.core.tokens import SECRET_ENV, load_secret
    from disclosure_calendar.reminders.clock import clock_from_env
    from disclosure_calendar.web.server import serve_forever
    from disclosure_calendar.web.site import WebConfig

    _check_listen(host, port)
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
        db_path=_db(ctx, db_path),
        secret=secret,
        base_url=base_url,
        clock=clock_from_env(os.environ, ctx.schedule.plan.timezone),
        rebuild=rebuild,
    )
    serve_forever(
        config, host=host, port=port, workers=workers, root_path=root_path, quiet=quiet,
        announce=lambda line: click.echo(line, err=True),
    )  # fmt: skip


def _runs_until_stopped() -> None:
    """A command that runs until stopped frees its garbage cycles as it goes (``run`` turns
    the cyclic collector off for the commands that end when their work is done)."""
    import gc

    gc.enable()


def _check_listen(host: str, port: int) -> None:
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
        raise _fail(
            _("cannot listen on {host} port {port}: {reason}").format(
                host=host, port=port, reason=os_error_message(exc)
            )
        ) from None


@main.group()
def access() -> None:
    """Signed links that open a unit's page (or the coordinator's dashboard) without accounts."""


@access.command("issue")
@option("--unit", help="The unit the link is for.")
@option("--coordinator", is_flag=True, help="A link to the coordinator's dashboard instead.")
@option("--days", type=click.IntRange(1, 400), default=90, show_default=True, help="Valid for.")
@option("--base-url", help="Where the site is served [default: plan.base_url].")
@_SECRET_FILE
@_DB_OPTION
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
            _db(ctx, db_path),
            _now(ctx),
            unit=unit,
            days=days,
            base_url=base_url,
        )  # fmt: skip
    )


@access.command("revoke")
@click.argument("link_id", required=False)
@option("--unit", help="Revoke every live link of this unit.")
@_DB_OPTION
@pass_context
def access_revoke(ctx: Context, link_id: str | None, unit: str | None, db_path: str | None) -> None:
    """Revoke one link (LINK_ID as `access list` shows it) or all of a unit's."""
    from disclosure_calendar.web.access import revoke

    click.echo(revoke(_db(ctx, db_path), _now(ctx), token_id=link_id, unit=unit))


@access.command("list")
@option("--unit", help="Only this unit's links.")
@_READ_DB_OPTION
@pass_context
def access_list(ctx: Context, unit: str | None, db_path: str | None) -> None:
    """List the links issued, with their state (live, expired, revoked)."""
    from disclosure_calendar.web.access import list_links

    click.echo(list_links(_db(ctx, db_path), _now(ctx), unit))


# --- the ledger itself (issue 13) ---


@main.group()
def ledger() -> None:
    """Look after the ledger: its schema version, upgrades, moving it to PostgreSQL."""


@ledger.command("status")
@_READ_DB_OPTION
@pass_context
def ledger_status(ctx: Context, db_path: str | None) -> None:
    """Where the ledger is, its schema version and migrations, row counts, claims held."""
    from disclosure_calendar.reminders.ledger.admin import status_text

    try:
        # file_schedule: the schedule alone; reading its events would open (and upgrade) the
        # very ledger this command only looks at
        timezone = ctx.file_schedule.plan.timezone
    except DisclosureError:
        timezone = "UTC"  # the ledger can be looked at without its schedule
    click.echo(status_text(_db(ctx, db_path), timezone))


@ledger.command("upgrade")
@_DB_OPTION
@pass_context
def ledger_upgrade(ctx: Context, db_path: str | None) -> None:
    """Bring the ledger's schema to this program's version (every command also does on start)."""
    from disclosure_calendar.reminders.ledger.admin import upgrade

    click.echo(upgrade(_db(ctx, db_path)))


@ledger.command("copy")
@option("--from", "source", required=True, metavar="PATH|URL", help="The ledger to copy.")
@option("--to", "dest", required=True, metavar="PATH|URL", help="An empty ledger to copy into.")
def ledger_copy(source: str, dest: str) -> None:
    """Copy every row of one ledger into an empty one (sqlite:PATH to postgresql://...)."""
    from disclosure_calendar.reminders.ledger import parse_target
    from disclosure_calendar.reminders.ledger.admin import copy_ledger, copy_report

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


def run() -> None:
    """The console script: ``main``, then an exit that leaves the freeing to the kernel.

    Python's own exit frees every module and object one by one: 0.03 s of a 0.2 s
    ``validate`` and 0.1 s of a province's ``build``. The process has nothing left to do
    by then: its files are closed, and exit handlers (logging's flush) run here, as do the
    flushes of stdout and stderr. While another thread lives (the daemon's scheduler, the
    web server's) the exit is Python's, which waits for it.
    """
    import gc

    # The command's objects live until the exit below, which leaves them to the kernel: the
    # cyclic collector would only walk them again and again (a sixth of a bundled build, a
    # twelfth of a province's). daemon and serve, which run until stopped, turn it back on.
    gc.disable()
    try:
        main()
        code: str | int | None = 0
    except SystemExit as exc:
        code = exc.code
    import atexit
    import threading
    from contextlib import suppress

    if threading.active_count() > 1:
        sys.exit(code)
    if code is None:
        code = 0
    elif not isinstance(code, int):  # sys.exit("message"): said on stderr, status 1
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError):  # a reader gone (`| head`): nothing more to say to it
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    run()

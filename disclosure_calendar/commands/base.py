"""What every command is built from: the Context they share, the Command and Group classes
that speak the chosen language, and small helpers of the command bodies."""

from __future__ import annotations

import copy
import datetime as dt
import inspect
import os
import sys
from collections.abc import Sequence
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from disclosure_calendar.core import i18n
from disclosure_calendar.core.errors import DisclosureError, NotDelivered
from disclosure_calendar.core.helptext import HelpFormatter, wrap
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


def fail(message: str) -> click.ClickException:
    """A user mistake found by the CLI: the message and exit 1."""
    return click.ClickException(message)


def out_folder(path: Path) -> Path:
    """An output folder: refused here when it is a file or a device, before anything is built."""
    if path.exists() and not path.is_dir():
        raise fail(_("{path} is not a folder").format(path=path))
    return path


LANG_HELP = "Language of messages and tables: zh (default) or en."


def lang_option() -> Option:
    # Read before click parses anything (Group.main); declared on every command so that
    # `--lang en` is accepted wherever it is written and appears in every --help.
    return Option(["--lang"], type=click.Choice(i18n.LANGUAGES), expose_value=False, help=LANG_HELP)


class HelpContext(click.Context):
    formatter_class = HelpFormatter


class _Translated(click.Command):
    """Help texts are English msgids, shown in the language being spoken."""

    context_class = HelpContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.append(lang_option())

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
                formatter.write_text("\b\n" + wrap(paragraph, width))

    def get_short_help_str(self, limit: int = 45) -> str:
        if self.short_help or not self.help or i18n.current_language() == "en":
            return super().get_short_help_str(limit)
        first = _(inspect.cleandoc(self.help)).split("\n\n")[0]
        sentence = first.replace("\n", "").split("。")[0]
        clause = sentence.split("；")[0]
        # not inside brackets: 把国务院放假通知（正文；- 表示标准输入）… stays whole
        return clause if clause.count("（") == clause.count("）") else sentence

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        # click writes these placeholders as plain strings, out of its catalog's reach
        words = {"[OPTIONS]": _("[OPTIONS]"), "COMMAND [ARGS]...": _("COMMAND [ARGS]...")}
        return [words.get(piece, piece) for piece in super().collect_usage_pieces(ctx)]

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        help_option = super().get_help_option(ctx)
        if help_option is not None:
            # click builds it once and keeps it: say it in the language of this run
            help_option.help = _("Show this message and exit.")
        return help_option


class Command(_Translated):
    pass


def lang_flag(args: Sequence[str]) -> str | None:
    """The value of --lang in ``args`` (anywhere before ``--``), read before click parses."""
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
    return None


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
        from disclosure_calendar.ledger.files import default_db

        return self.db_path or default_db(self.schedule_path)

    @cached_property
    def schedule(self) -> Schedule:
        """The schedule with the event dates recorded in the ledger (`event add`)."""
        from disclosure_calendar.ledger.events import load_recorded

        return load_recorded(self.file_schedule, self.db)

    def schedule_for_feeds(self) -> Schedule:
        """``schedule``, with an SQLite ledger's event dates read the quickest way: for
        build, which reads nothing else of the ledger."""
        if "schedule" in self.__dict__:
            return self.schedule
        from disclosure_calendar.ledger.events import load_recorded

        return load_recorded(self.file_schedule, self.db, quick=True)

    @cached_property
    def calendar(self) -> WorkdayCalendar:
        from disclosure_calendar.workdays import WorkdayCalendar

        plan = self.file_schedule
        return WorkdayCalendar(notices=plan.notices, local_days_off=plan.local_days_off)


class _NotDelivered(click.ClickException):
    """Exit 3 (README: exit status), the message as any error's."""

    exit_code = NotDelivered.exit_code


class Group(_Translated, click.Group):
    """Speaks the chosen language; turns the package's errors into a message and exit 1."""

    command_class = Command
    group_class = type

    def main(self, args: Sequence[str] | None = None, *rest: Any, **extra: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        with i18n.speaking(i18n.choose_language(lang_flag(argv), os.environ)):
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


pass_context = click.make_pass_decorator(Context)


def ledger_of(ctx: Context, db_path: str | None) -> str | Path:
    return db_path or ctx.db


def clock_now(ctx: Context) -> Any:
    """The instant commands act at: the real clock, or the test clock from the environment."""
    import os

    from disclosure_calendar.reminders.clock import clock_from_env

    return clock_from_env(os.environ, ctx.schedule.plan.timezone).now()


def shown_day(day: dt.date) -> str:
    """A date in prose: 2026年3月16日 in Chinese, ISO in English."""
    from disclosure_calendar.core.i18n import prose_date

    return prose_date(day)


def runs_until_stopped() -> None:
    """A command that runs until stopped frees its garbage cycles as it goes (``cli.run`` turns
    the cyclic collector off for the commands that end when their work is done)."""
    import gc

    gc.enable()

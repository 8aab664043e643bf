"""The disclosure-calendar command line: the group, its global options, and the command
families of ``disclosure_calendar/commands/`` registered on it (one module per family)."""

from __future__ import annotations

import os
import sys
from importlib import import_module
from pathlib import Path

import click

from disclosure_calendar import __version__
from disclosure_calendar.commands import FAMILIES
from disclosure_calendar.commands.base import Context, Group, PathType, option
from disclosure_calendar.core.i18n import gettext as _


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


for _family in FAMILIES:
    for _command in import_module(f"disclosure_calendar.commands.{_family}").COMMANDS:
        main.add_command(_command)


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

"""A new plan each year: `plan import` drafts schedule.yaml from the plan as published."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from disclosure_calendar.core.i18n import gettext as _

from .base import Context, Group, PathType, option, pass_context


@click.group(cls=Group)
def plan() -> None:
    """This year's plan: draft the schedule from the published text.

    Reads the year's disclosure plan, its division of work or its task table as published
    (text, Word, Excel, PDF, a saved web page) and drafts a schedule.yaml for the
    coordinator to check.
    """


@plan.command("import")
@click.argument("source", metavar="SOURCE")
@option(
    "-o", "--output", type=PathType(path_type=Path, dir_okay=False),
    help="Write the draft to this file (default: print it).",
)  # fmt: skip
@option("--json", "as_json", is_flag=True, help="The tasks found as JSON instead of YAML.")
@option(
    "--units", "units_path", type=PathType(path_type=Path, dir_okay=False, exists=True),
    help="Map unit names onto this schedule's units and groups (default: the -f schedule).",
)  # fmt: skip
@pass_context
def plan_import(
    ctx: Context, source: str, output: Path | None, as_json: bool, units_path: Path | None
) -> None:
    """Draft a schedule from the plan SOURCE (a file, or - for standard input).

    Formats: text (UTF-8 or GBK), .docx, .xlsx, .pdf, .html, and .doc/.wps when
    LibreOffice is installed. Every choice the text does not make is marked for the
    coordinator to confirm; a review summary goes to standard error.
    """
    import os

    from disclosure_calendar.core.files import write_atomic
    from disclosure_calendar.planning import import_plan
    from disclosure_calendar.planning.output import as_json as json_text
    from disclosure_calendar.planning.output import as_yaml
    from disclosure_calendar.planning.readers.dispatch import MAX_BYTES
    from disclosure_calendar.planning.summary import summary
    from disclosure_calendar.reminders.clock import clock_from_env
    from disclosure_calendar.schedule import load_schedule

    if units_path is not None:
        schedule = load_schedule(units_path)
    elif ctx.schedule_path.is_file():
        schedule = ctx.file_schedule
    else:
        schedule = None
    data = sys.stdin.buffer.read(MAX_BYTES + 1) if source == "-" else None
    name = "<stdin>" if source == "-" else source
    today = clock_from_env(os.environ, "Asia/Shanghai").now().date()
    draft = import_plan(name, schedule, today=today, data=data)
    text = json_text(draft) if as_json else as_yaml(draft, source=name)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomic(output, text.encode("utf-8"))
    click.echo(summary(draft), err=True)
    if output is not None:
        click.echo(_("wrote {path}").format(path=output), err=True)


COMMANDS = [plan]

"""The coordinator's notice (通报): report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from disclosure_calendar.core.i18n import gettext as _

from .base import Command, Context, PathType, clock_now, ledger_of, option, pass_context
from .options import DATE, DB_OPTION


@click.command(cls=Command)
@option("--quarter", metavar="YYYYQN", help="The quarter reported on, e.g. 2026Q3.")
@option("--year", type=click.IntRange(2004, 2099), help="The year reported on.")
@option("--from", "start", type=DATE, help="First day of the period (with --to).")
@option("--to", "end", type=DATE, help="Last day of the period (with --from).")
@option("--unit", help="Only this unit (or the units of this group).")
@option(
    "--format", "fmt", type=click.Choice(["docx", "pdf", "xlsx", "json"]), default="docx",
    show_default=True, help="Word document, PDF, workbook for Excel, or JSON.",
)  # fmt: skip
@option(
    "-o", "--out", "out_path", type=PathType(path_type=Path, dir_okay=False),
    help="The file to write [default: report-PERIOD.FORMAT here; JSON: standard output].",
)  # fmt: skip
@DB_OPTION
@pass_context
def report(
    ctx: Context, quarter: str | None, year: int | None, start: dt.datetime | None,
    end: dt.datetime | None, unit: str | None, fmt: str, out_path: Path | None,
    db_path: str | None,
) -> None:  # fmt: skip
    """The coordinator's notice on how the units kept their duties in a period.

    Counts as status does, for the duties due in the period: the overall figures against
    the period before, the units by on-time rate, what is overdue, the requirements, and
    the imprint (copy-to, issuing office) from report.yaml beside the schedule (defaults
    without it). The Word document in the layout of GB/T 9704-2012; the PDF in the Noto
    CJK fonts.
    """
    from disclosure_calendar.core.files import write_atomic
    from disclosure_calendar.occurrences.horizon import today_in
    from disclosure_calendar.reports.compute import compute_figures, read_done
    from disclosure_calendar.reports.figures import parse_period
    from disclosure_calendar.reports.notice import file_name, render_notice
    from disclosure_calendar.reports.settings import load_settings

    schedule = ctx.schedule
    period = parse_period(
        quarter=quarter, year=year, start=start.date() if start else None,
        end=end.date() if end else None,
    )  # fmt: skip
    today = today_in(schedule.plan.timezone, clock_now(ctx))
    settings = load_settings(ctx.schedule_path)
    figures = compute_figures(
        schedule, ctx.calendar, read_done(ledger_of(ctx, db_path)), period, today, scope=unit
    )
    data = render_notice(
        figures, settings, fmt, plan_title=schedule.plan.title, issuer=schedule.plan.issuer,
        scope_name=schedule.name(unit) if unit else None,
    )  # fmt: skip
    if fmt == "json" and out_path is None:
        click.echo(data.decode(), nl=False)
        return
    path = out_path or Path(file_name(figures, fmt))
    write_atomic(path, data)
    click.echo(_("wrote {path}").format(path=path))


COMMANDS = (report,)

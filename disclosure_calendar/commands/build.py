"""The outputs: build (the feeds) and print (the printable calendars)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from disclosure_calendar.core.i18n import gettext as _

from .base import Command, Context, PathType, fail, option, out_folder, pass_context
from .options import EVENTS_DB_OPTION, range_options, resolve_range, warn_provisional


@click.command(cls=Command)
@option(
    "-o", "--out", "out_dir", type=PathType(path_type=Path), default="out",
    show_default=True, help="Folder for the feeds, index.html and the manifest.",
)  # fmt: skip
@range_options
@option(
    "--base-url", help="Where the folder is published (subscribe links); default plan.base_url."
)
@option("--dry-run", is_flag=True, help="Print what would change; write nothing.")
@option(
    "--whole", is_flag=True,
    help="Render every feed whole, even after a small change (event versions are kept).",
)  # fmt: skip
@EVENTS_DB_OPTION
@pass_context
def build(
    ctx: Context, out_dir: Path, year: int | None, start: Any, end: Any, base_url: str | None,
    dry_run: bool, whole: bool,
) -> None:  # fmt: skip
    """Write one .ics feed per unit, all.ics and index.html, and say what changed."""
    import datetime as dt
    import os

    from disclosure_calendar import feeds

    if base_url is not None and not base_url.startswith(("https://", "http://")):
        raise fail(
            _("--base-url {url!r} is not an http(s) URL (e.g. https://example.gov.cn/calendar/)")
            .format(url=base_url)
        )  # fmt: skip
    from disclosure_calendar.feeds import quick

    out_dir = out_folder(out_dir)
    taken = quick.take(ctx.schedule_path, ctx.db)  # before the schedule is read: quick.Taken
    result = None if dry_run or whole else quick.unchanged(
        out_dir, taken, base_url, year=year,
        start=start.date() if start else None, end=end.date() if end else None,
    )  # fmt: skip
    if result is None:
        first, last = resolve_range(ctx, year, start, end)
        key = taken.key(first, last, base_url)
        result = feeds.build_feeds(
            ctx.schedule_for_feeds(), ctx.calendar, first, last, out_dir,
            now=feeds.stamp_time(os.environ, dt.datetime.now(dt.UTC)), base_url=base_url,
            dry_run=dry_run, key=key, patch=not whole,
        )  # fmt: skip
    warn_provisional(result.provisional_years)
    click.echo(feeds.summary_text(result))


@click.command("print", cls=Command)
@option("--year", type=int, help="The calendar year to print.  [default: this year]")
@option("--unit", help="One unit's (or group's) edition instead of the city-wide one.")
@option("--each-unit", is_flag=True, help="Every unit's edition, plus the city-wide one.")
@option(
    "--format",
    "fmt",
    type=click.Choice(["pdf", "html"]),
    default="pdf",
    show_default=True,
    help="pdf: a calendar to print; html: a page to open in a browser and print from there.",
)
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
@EVENTS_DB_OPTION
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
        out_dir=out_folder(out_dir),
        built=today,
        fmt=fmt,
        paper=paper,
    )
    for path, changed in written:
        click.echo(path if changed else _("{path} (unchanged)").format(path=path))


COMMANDS = (
    build,
    print_,
)

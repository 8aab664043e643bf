"""Event dates: event add, extend, remove, list (5.7 repeals, 22.1 requests), each for a unit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from disclosure_calendar.core.i18n import gettext as _

from .base import Context, Group, clock_now, ledger_of, option, pass_context, shown_day
from .options import DATE, DB_OPTION, READ_DB_OPTION


@click.group(cls=Group)
def event() -> None:
    """Record the dates of event-triggered duties (5.7 repeals, 22.1 requests) in the ledger.

    build, agenda, print, remind, daemon and status see them beside the events: of
    schedule.yaml.
    """


def _unit_options(command: Any) -> Any:
    command = option(
        "--all-units", is_flag=True,
        help="An event of every unit the duty reaches (a city-wide repeal): the coordinator's.",
    )(command)  # fmt: skip
    return option("--unit", help="The unit the event is for (a duty of one unit needs none).")(
        command
    )


def _for_whom(ctx: Context, unit: str | None) -> str:
    """The unit as the office calls it (市财政局), which the clerk typed as an id (finance)."""
    return _("every unit") if unit is None else ctx.file_schedule.name(unit)


@event.command("add")
@click.argument("ref", metavar="DUTY")
@click.argument("day", metavar="DATE", type=DATE)
@_unit_options
@option("--note", default="", help="What happened (shown in the feeds).")
@DB_OPTION
@pass_context
def event_add(
    ctx: Context, ref: str, day: dt.datetime, unit: str | None, all_units: bool, note: str,
    db_path: str | None,
) -> None:  # fmt: skip
    """Record that DUTY's event happened on DATE (YYYY-MM-DD) for a unit; DUTY is an id or ref like 5.7."""
    from disclosure_calendar.ledger import events

    duty, whom, due_day = events.add(
        ctx.file_schedule, ctx.calendar, ledger_of(ctx, db_path), ref, day.date(), note,
        now=clock_now(ctx), unit=unit, all_units=all_units,
    )  # fmt: skip
    click.echo(
        _("added: {ref} {id} event {day} for {unit}, due {due}").format(
            ref=duty.ref,
            id=duty.id,
            day=shown_day(day.date()),
            unit=_for_whom(ctx, whom),
            due=shown_day(due_day),
        )  # fmt: skip
    )


@event.command("extend")
@click.argument("ref", metavar="DUTY")
@click.argument("day", metavar="DATE", type=DATE)
@_unit_options
@DB_OPTION
@pass_context
def event_extend(
    ctx: Context, ref: str, day: dt.datetime, unit: str | None, all_units: bool,
    db_path: str | None,
) -> None:  # fmt: skip
    """Record that the reply limit of DUTY's event of DATE was extended (as its rule allows)."""
    from disclosure_calendar.ledger import events

    duty, whom, first, extended = events.extend(
        ctx.file_schedule, ctx.calendar, ledger_of(ctx, db_path), ref, day.date(),
        now=clock_now(ctx), unit=unit, all_units=all_units,
    )  # fmt: skip
    click.echo(
        _("extended: {ref} {id} event {day} for {unit}: due {first}, extended to {due}").format(
            ref=duty.ref,
            id=duty.id,
            day=shown_day(day.date()),
            unit=_for_whom(ctx, whom),
            first=shown_day(first),
            due=shown_day(extended),
        )  # fmt: skip
    )


@event.command("remove")
@click.argument("ref", metavar="DUTY")
@click.argument("day", metavar="DATE", type=DATE)
@_unit_options
@DB_OPTION
@pass_context
def event_remove(
    ctx: Context, ref: str, day: dt.datetime, unit: str | None, all_units: bool,
    db_path: str | None,
) -> None:  # fmt: skip
    """Remove a recorded event date of DUTY."""
    from disclosure_calendar.ledger import events

    duty, whom = events.remove(
        ctx.file_schedule, ledger_of(ctx, db_path), ref, day.date(), unit=unit,
        all_units=all_units,
    )  # fmt: skip
    click.echo(
        _("removed: {ref} {id} event {day} for {unit}").format(
            ref=duty.ref, id=duty.id, day=shown_day(day.date()), unit=_for_whom(ctx, whom)
        )
    )


@event.command("list")
@option("--duty", "ref", help="Only this duty (id or ref like 5.7).")
@option("--unit", help="Only this unit's events (and those of every unit).")
@READ_DB_OPTION
@pass_context
def event_list(ctx: Context, ref: str | None, unit: str | None, db_path: str | None) -> None:
    """Every event date, from schedule.yaml and the ledger, with its unit and due date."""
    from disclosure_calendar.ledger import events

    click.echo(
        events.listing(ctx.file_schedule, ctx.calendar, ledger_of(ctx, db_path), ref, unit=unit)
    )


COMMANDS = (event,)

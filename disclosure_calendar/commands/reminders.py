"""Reminders and what they track: daemon, remind, done, undone, event."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import click

from disclosure_calendar.core.i18n import gettext as _

from .base import (
    Command,
    Context,
    Group,
    clock_now,
    fail,
    ledger_of,
    option,
    pass_context,
    runs_until_stopped,
    shown_day,
)
from .options import (
    CONTACTS_OPTION,
    DATE,
    DB_OPTION,
    READ_DB_OPTION,
    SECRET_FILE,
    ledger_must_exist,
    occurrence_args,
)


def service_for(
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
        ledger_of(ctx, db_path),
        contacts_path,
        env=os.environ,
        contacts_required=contacts_path is not None,
        secret=secret,
        **kw,
    )


@click.command(cls=Command)
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
@DB_OPTION
@CONTACTS_OPTION
@SECRET_FILE
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

    runs_until_stopped()
    from disclosure_calendar.reminders.daemon import run_service
    from disclosure_calendar.reminders.logs import setup_logging

    setup_logging(sys.stderr, as_json=json_logs, timezone=ctx.schedule.plan.timezone)
    service = service_for(ctx, db_path, contacts_path, secret_file, lease=claim_timeout)
    summary = run_service(service, os.environ, once=once)
    if summary:
        click.echo(summary)


@click.command(cls=Command)
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
@DB_OPTION
@CONTACTS_OPTION
@SECRET_FILE
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
        raise fail(
            _("--at {at}: the working-day calendar covers {low} to {high}").format(
                at=at, low=YEARS[0], high=YEARS[1]
            )
        )
    if dry_run:
        ledger_must_exist(db_path)  # a dry run only reads the ledger
    else:
        setup_logging(sys.stderr, timezone=ctx.schedule.plan.timezone)
    service = service_for(ctx, db_path, contacts_path, secret_file)
    click.echo(remind_once(service, instant, dry_run=dry_run, retry_failed=retry_failed))


@click.command(cls=Command)
@occurrence_args
@option("--url", help="Where the publication is.")
@option(
    "--on",
    "on",
    type=DATE,
    help="Publication date [default: today].",
)
@DB_OPTION
@pass_context
def done(
    ctx: Context, ref: str, period: str | None, unit: str | None, url: str | None, on: Any,
    db_path: str | None,
) -> None:  # fmt: skip
    """Record that a unit published an occurrence.

    DUTY is the id or plan ref (1.3), or `self-check`; PERIOD as people write it (2026-03,
    2026Q1, 2026H1, 2026, an event's date). A whole UID as the reminder shows it works too.
    """
    from disclosure_calendar.ledger.marks import occurrence_uid
    from disclosure_calendar.occurrences.marking import mark_done

    uid = occurrence_uid(ctx.schedule, ref, period, unit)
    day = on.date() if on else None
    click.echo(
        mark_done(
            ctx.schedule, ctx.calendar, ledger_of(ctx, db_path), uid, url, day, clock_now(ctx)
        )
    )


@click.command(cls=Command)
@occurrence_args
@DB_OPTION
@pass_context
def undone(
    ctx: Context, ref: str, period: str | None, unit: str | None, db_path: str | None
) -> None:
    """Withdraw a done record (DUTY [PERIOD] as for done); reminders resume."""
    from disclosure_calendar.ledger import marks

    uid = marks.occurrence_uid(ctx.schedule, ref, period, unit)
    click.echo(marks.mark_undone(ledger_of(ctx, db_path), uid, clock_now(ctx)))


@click.group(cls=Group)
def event() -> None:
    """Record the dates of event-triggered duties (5.7 repeals, 22.1 requests) in the ledger.

    build, agenda, print, remind, daemon and status see them beside the events: of
    schedule.yaml.
    """


@event.command("add")
@click.argument("ref", metavar="DUTY")
@click.argument("day", metavar="DATE", type=DATE)
@option("--note", default="", help="What happened (shown in the feeds).")
@DB_OPTION
@pass_context
def event_add(ctx: Context, ref: str, day: dt.datetime, note: str, db_path: str | None) -> None:
    """Record that DUTY's event happened on DATE (YYYY-MM-DD); DUTY is an id or ref like 5.7."""
    from disclosure_calendar.ledger import events
    from disclosure_calendar.occurrences import horizon

    now = clock_now(ctx)
    _first, last = horizon.resolve(horizon.today_in(ctx.schedule.plan.timezone, now))
    duty, due_day = events.add(
        ctx.file_schedule, ctx.calendar, ledger_of(ctx, db_path), ref, day.date(), note,
        now=now, last=last,
    )  # fmt: skip
    click.echo(
        _("added: {ref} {id} event {day}, due {due}").format(
            ref=duty.ref, id=duty.id, day=shown_day(day.date()), due=shown_day(due_day)
        )
    )


@event.command("remove")
@click.argument("ref", metavar="DUTY")
@click.argument("day", metavar="DATE", type=DATE)
@DB_OPTION
@pass_context
def event_remove(ctx: Context, ref: str, day: dt.datetime, db_path: str | None) -> None:
    """Remove a recorded event date of DUTY."""
    from disclosure_calendar.ledger import events

    duty = events.remove(ctx.file_schedule, ledger_of(ctx, db_path), ref, day.date())
    click.echo(
        _("removed: {ref} {id} event {day}").format(
            ref=duty.ref, id=duty.id, day=shown_day(day.date())
        )
    )


@event.command("list")
@option("--duty", "ref", help="Only this duty (id or ref like 5.7).")
@READ_DB_OPTION
@pass_context
def event_list(ctx: Context, ref: str | None, db_path: str | None) -> None:
    """Every event date, from schedule.yaml and the ledger, with its due date."""
    from disclosure_calendar.ledger import events

    click.echo(events.listing(ctx.file_schedule, ctx.calendar, ledger_of(ctx, db_path), ref))


COMMANDS = (
    daemon,
    remind,
    done,
    undone,
    event,
)

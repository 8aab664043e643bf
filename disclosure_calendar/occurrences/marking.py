"""The occurrence a done mark names, and marking it done: on time or late against its due date.

What a mark says is checked here for the command line and the portal alike (one function, the
same words): the URL is http(s) (:func:`check_url`), the publication date is neither in the
future nor before the period it reports on has ended (:func:`check_published`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from disclosure_calendar.core.i18n import gettext as _

from ..core.errors import DisclosureError
from ..core.i18n import prose_date
from ..core.text import one_line
from ..schedule.periods import describe
from .expansion import Occurrence, expand_duty
from .horizon import today_in

if TYPE_CHECKING:
    from ..schedule.model import Schedule
    from ..workdays.calendar import WorkdayCalendar


MAX_URL = 2000


def check_url(text: str) -> str:
    """An http(s) address with a host, stripped; anything else could be a typo or a script."""
    url = text.strip()
    parts = urlsplit(url)
    if (
        not url
        or len(url) > MAX_URL
        or parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url)
    ):
        raise DisclosureError(
            _(
                "{url!r} is not a web address: give the page where it is published, "
                "starting with http:// or https://"
            ).format(url=url[:100])
        )
    return url


def earliest_publication(occ: Occurrence) -> dt.date:
    """The first day a publication of ``occ`` can be on: after the period it reports on,
    for a duty due after its period; within it for one due within it."""
    period = occ.period
    if occ.due <= period.end or period.start == period.end:
        return period.start  # due within its period, or a one-day period (an event, a task)
    return period.end + dt.timedelta(days=1)


def check_published(occ: Occurrence, day: dt.date, today: dt.date) -> dt.date:
    """``day`` as the publication date of ``occ``, or a DisclosureError saying why not."""
    if day > today:
        raise DisclosureError(
            _("publication date {day} is in the future (today is {today}): record a publication once it is out")
            .format(day=prose_date(day), today=prose_date(today))
        )  # fmt: skip
    first = earliest_publication(occ)
    if day < first:
        raise DisclosureError(
            _(
                "publication date {day} is before {period} has ended: the report on it can be "
                "published from {first}"
            ).format(day=prose_date(day), period=describe(occ.period), first=prose_date(first))
        )
    return day


def find(
    schedule: Schedule, cal: WorkdayCalendar, uid: str, now: dt.datetime
) -> tuple[Occurrence, str]:
    """The occurrence and unit a per-unit uid (duty.period.unit@domain) names, or a clear error."""
    name, _at, domain = uid.rpartition("@")
    parts = name.split(".")
    if not domain or len(parts) != 3:
        raise DisclosureError(
            _("{uid!r} is not an occurrence id (expected DUTY.PERIOD.UNIT@{domain})").format(
                uid=uid, domain=schedule.plan.uid_domain
            )
        )
    if domain != schedule.plan.uid_domain:
        raise DisclosureError(
            _("{uid!r}: domain {domain!r} is not this schedule's {ours!r}").format(
                uid=uid, domain=domain, ours=schedule.plan.uid_domain
            )
        )
    duty_id, label, unit = parts
    try:
        duty = schedule.duty(duty_id)
    except KeyError:
        raise DisclosureError(
            _("{uid!r}: no duty {duty!r} in {path}").format(
                uid=uid, duty=duty_id, path=schedule.path
            )
        ) from None
    if unit not in schedule.unit_ids_of(duty):
        raise DisclosureError(
            _("{uid!r}: duty {duty!r} does not reach unit {unit!r}").format(
                uid=uid, duty=duty_id, unit=unit
            )
        )
    today = today_in(schedule.plan.timezone, now)
    horizon = dt.date(today.year + 3, 12, 31)
    for occ in expand_duty(duty, schedule, cal, schedule.plan.issued, horizon):
        # an event recorded for one unit is that unit's: another's uid does not name it
        if occ.period.label == label and occ.unit in (None, unit):
            return occ, unit
    raise DisclosureError(
        _("{uid!r}: duty {duty!r} has no occurrence for period {period!r}").format(
            uid=uid, duty=duty_id, period=label
        )
    )


def mark_done(
    schedule: Schedule,
    cal: WorkdayCalendar,
    db_path: str | Path,
    uid: str,
    url: str | None,
    day: dt.date | None,
    now: dt.datetime,
    *,
    replace: bool = False,
) -> str:
    """``done``: record the publication of the occurrence ``uid``; says whether it was on time.

    A marked occurrence keeps its mark unless ``replace``: the message names the mark.
    """
    from ..ledger import AlreadyDone, AuditEntry, Ledger

    occ, unit = find(schedule, cal, uid, now)
    today = today_in(schedule.plan.timezone, now)
    day = check_published(occ, day or today, today)
    url = (one_line(url) or None) if url is not None else None  # core/text.py: typed text
    if url is not None:
        url = check_url(url)
    entry = AuditEntry(now, "cli", "done", unit, uid, url, None, f"发布日期 {day}")
    with Ledger(db_path) as ledger:
        try:
            replaced = ledger.mark_done(uid, unit, day, url, now, audit=entry, replace=replace)
        except AlreadyDone as refused:
            raise refused.in_zone(schedule.plan.timezone) from None
    if day <= occ.due:
        said = _("done: {uid} on {day}, on time").format(uid=uid, day=prose_date(day))
    else:
        said = _("done: {uid} on {day}, late (due {due})").format(
            uid=uid, day=prose_date(day), due=prose_date(occ.due)
        )
    if replaced is not None:
        said += "\n" + _(
            "replaced the mark of {day} (kept in the history; undone puts it back)"
        ).format(day=prose_date(replaced.on))
    return said

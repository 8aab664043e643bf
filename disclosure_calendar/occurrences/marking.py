"""The occurrence a done mark names, and marking it done: on time or late against its due date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from disclosure_calendar.core.i18n import gettext as _

from ..core.errors import DisclosureError
from ..core.i18n import prose_date
from ..core.text import one_line
from .expansion import Occurrence, expand_duty
from .horizon import today_in

if TYPE_CHECKING:
    from ..schedule.model import Schedule
    from ..workdays.calendar import WorkdayCalendar


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
        if occ.period.label == label:
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
) -> str:
    """``done``: record the publication of the occurrence ``uid``; says whether it was on time."""
    from ..ledger.store import Ledger

    occ, unit = find(schedule, cal, uid, now)
    today = today_in(schedule.plan.timezone, now)
    if day is not None and day > today:
        raise DisclosureError(
            _("--on {day} is in the future (today is {today}): record a publication once it is out")
            .format(day=prose_date(day), today=prose_date(today))
        )  # fmt: skip
    day = day or today
    url = (one_line(url) or None) if url is not None else None  # core/text.py: typed text
    with Ledger(db_path) as ledger:
        before = ledger.done(unit).get(uid)
        ledger.mark_done(uid, unit, day, url, now)
    if day <= occ.due:
        said = _("done: {uid} on {day}, on time").format(uid=uid, day=prose_date(day))
    else:
        said = _("done: {uid} on {day}, late (due {due})").format(
            uid=uid, day=prose_date(day), due=prose_date(occ.due)
        )
    if before is None:
        return said
    # A second done replaces the first: say what it replaced, so a slip (done typed twice,
    # the second time without --on) is seen and can be put right with another done --on.
    return (
        said
        + "\n"
        + _("(this replaces the earlier record: published on {day}{url})").format(
            day=prose_date(before.on), url=f" {before.url}" if before.url else ""
        )
    )

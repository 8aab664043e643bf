"""The synthetic province in Debian's `remind` language, for a side-by-side benchmark.

Each (duty, unit) pair of the synthetic schedule becomes remind reminders with the same
cadence and the same Chinese working days: every non-working day of the horizon
(weekends that are not make-up days, holidays) is an ``OMIT``, so remind's ``AFTER`` rolls
and ``slide()`` arithmetic count the same working days ours do. Advance warnings are the
duty's reminders (``+N``). remind has no "N-th working day after the period" trigger, so
that rule becomes a fixed day of the following month, rolled forward (``AFTER``) past days
off: the same amount of work per occurrence, a due date within days of ours.

``remind -s60`` then lists five years of occurrences, as `build` expands them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_PERIOD_ENDS = {"monthly": range(1, 13), "quarterly": (3, 6, 9, 12), "half-yearly": (6, 12)}


def remind_script(schedule: Any, cal: Any, start: dt.date, end: dt.date) -> str:
    """The schedule as a remind script covering ``start``..``end``."""
    lines = ["# generated from the synthetic schedule; see bench/remind_workload.py"]
    day = dt.date(start.year - 1, 12, 1)
    while day <= end:
        if not cal.is_working_day(day):
            lines.append(f"OMIT {day.isoformat()}")
        day += dt.timedelta(days=1)
    for duty in schedule.duties:
        warn = f"+{max(duty.reminders)}" if duty.reminders else ""
        for unit in schedule.unit_ids_of(duty):
            body = f"MSG {duty.id} {unit}%"
            lines += [f"REM {t} {warn} {body}" for t in _triggers(duty)]
    return "\n".join(lines) + "\n"


def _triggers(duty: Any) -> list[str]:
    rule = duty.due
    kind = type(rule).__name__
    if duty.cadence in ("once", "event"):
        dates = (
            [e.date for e in duty.events] if duty.cadence == "event" else [rule.date]
        )  # due N working days after the date
        return [f"[slide('{d.isoformat()}', {rule.n})]" for d in dates]
    ends = (12,) if duty.cadence == "yearly" else tuple(_PERIOD_ENDS[duty.cadence])
    months = [MONTHS[m % 12] for m in ends]  # the month after each period's end
    if kind == "FixedDay":  # a day of the month after each period, rolled forward
        return [f"{rule.day} {month} AFTER" for month in months]
    if kind == "WorkdayOfPeriod":  # the last working day of the period: back from the 1st
        return [f"1 {month} -1" for month in months]
    # WorkdaysAfterPeriod: the N-th working day after the period, ~N*7/5 days, rolled forward
    day = min(28, max(1, round(rule.n * 7 / 5)))
    return [f"{day} {month} AFTER" for month in months]

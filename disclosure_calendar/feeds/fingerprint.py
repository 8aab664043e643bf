"""What each feed is made from, as one hash: equal hashes mean the feed's bytes would be equal.

A rebuild compares each feed's fingerprint with the one the manifest kept from the previous
build and skips rendering (not only writing) the feeds whose inputs did not change, so an
unchanged province rebuilds without expanding a single duty. A fingerprint covers everything
a feed's text depends on: the feed format and package version, the plan and defaults, the
horizon, the working days and provisional years around it, the unit, and every duty reaching
the unit with its plan and its assignees' names. Source positions are left out: moving a duty within the file changes no feed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING

from ..core.version import __version__
from ..schedule.model import Duty, Schedule, plain_repr
from ..workdays import MAX_YEAR, MIN_YEAR
from .manifest import WRITER_FORMAT
from .summary import ALL

if TYPE_CHECKING:
    from ..workdays import WorkdayCalendar


def _calendar_part(cal: WorkdayCalendar, start: dt.date, end: dt.date) -> bytes:
    # Periods and reminders reach before the horizon, a year at the most.
    first = dt.date(max(MIN_YEAR, start.year - 1), 1, 1)
    last = dt.date(min(MAX_YEAR, end.year + 1), 12, 31)
    days = ",".join(d.isoformat() for d in cal.working_days(first, last))
    provisional = cal.provisional_years(first.year, last.year)
    return f"{days}|{provisional}".encode()


def feed_fingerprints(
    schedule: Schedule, cal: WorkdayCalendar, start: dt.date, end: dt.date
) -> dict[str, str]:
    """Feed file name -> fingerprint, for every unit's feed and all.ics."""
    return fingerprint_parts(schedule, cal, start, end)[0]


def fingerprint_parts(
    schedule: Schedule, cal: WorkdayCalendar, start: dt.date, end: dt.date
) -> tuple[dict[str, str], str, dict[str, str]]:
    """The feeds' fingerprints, and what they are made of: the part every event depends on
    (``common``) and each duty's. An event of a duty whose hash and ``common`` are as in the
    previous build has the same bytes as then (build.py splices it from the old feed)."""
    common = hashlib.blake2b(digest_size=16)
    for part in (WRITER_FORMAT, __version__, start, end, schedule.defaults, *schedule.plans):
        common.update(plain_repr(part).encode() + b"\0")
    common.update(_calendar_part(cal, start, end))

    # An event names its duty's plan (every plan is in ``common``) and its assignees by name
    # (牵头单位), so a renamed unit or group changes the feeds of every unit it shares with.
    names = schedule.name
    duty_hashes: dict[str, bytes] = {
        d.id: _duty_hash(d, "、".join(names(u) for u in d.units)) for d in schedule.duties
    }
    per_unit: dict[str, list[bytes]] = {u.id: [] for u in schedule.units}
    for duty in schedule.duties:
        for unit_id in schedule.unit_ids_of(duty):
            per_unit[unit_id].append(duty_hashes[duty.id])

    result = {}
    for unit in schedule.units:
        h = common.copy()
        h.update(plain_repr(unit).encode())
        h.update(b"".join(per_unit[unit.id]))
        result[f"{unit.id}.ics"] = h.hexdigest()
    # all.ics names every assignee, groups included, and carries every duty.
    h = common.copy()
    for item in (*schedule.units, *schedule.groups):
        h.update(plain_repr(item).encode())
    h.update(b"".join(duty_hashes[d.id] for d in schedule.duties))
    result[f"{ALL}.ics"] = h.hexdigest()
    return result, common.hexdigest(), {d: v.hex() for d, v in duty_hashes.items()}


def _duty_hash(duty: Duty, assignees: str) -> bytes:
    return hashlib.blake2b(duty.content_digest + assignees.encode(), digest_size=16).digest()


def assignment_hash(schedule: Schedule) -> str:
    """The units and groups: who each duty reaches, and by what names."""
    h = hashlib.blake2b(digest_size=16)
    for item in (*schedule.units, *schedule.groups):
        h.update(plain_repr(item).encode() + b"\0")
    return h.hexdigest()

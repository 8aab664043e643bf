"""A year's arrangement as one notice: built in, or changed by a separate notice (延长/调整 ...).

``calendar: notices:`` holds one entry per year, and an entry replaces everything the built-in
data says about its year, so a separate notice must become the whole year as changed.
"""

from __future__ import annotations

import datetime as dt
import re

from . import holiday_data
from .notice_parts import NoticeText
from .notices import DayOff, Notice


def official_notice(year: int) -> Notice | None:
    """The built-in arrangement of ``year`` (every notice for it) as one :class:`Notice`.

    None for a year without built-in data or without a known publication date.
    """
    sources = holiday_data.NOTICE_SOURCES
    if str(year) not in sources:
        return None

    def mine(table: dict[int, tuple[tuple[dt.date, str, str], ...]]) -> list[tuple[dt.date, str]]:
        return [(d, n) for rows in table.values() for d, n, k in rows if sources[k].year == year]

    dates = [s.published for s in sources.values() if s.year == year and s.published]
    if not dates:
        return None  # a Notice needs a date, and holiday_data never invents one
    return Notice(
        year,
        sources[str(year)].title,
        max(dates),
        tuple(DayOff(d, re.sub(r"（.*?）$", "", n)) for d, n in mine(holiday_data.DAYS_OFF)),
        tuple(d for d, _ in mine(holiday_data.WORKDAYS)),
    )


def apply_supplement(base: Notice, supplement: NoticeText) -> Notice:
    """The year's arrangement after a separate notice (延长/调整 ...) changed ``base``.

    Its days off are added (a make-up day among them stops being one), its make-up days are
    added (a day off among them stops being one), and an extension ("延长春节假期至2月2日")
    adds the days from the end of that festival's break to its new last day.  The title
    names both notices; ``published`` becomes the supplement's date.  A ``ValueError`` if an
    extension names a festival ``base`` has no days off for.
    """
    off = {d.date: d.name for d in base.days_off}
    work = set(base.workdays)
    one = dt.timedelta(days=1)
    for ext in supplement.extensions:
        ends = [d for d, name in off.items() if ext.name in name]
        if not ends:
            raise ValueError(f"line {ext.line}: {base.year} has no {ext.name} break to extend")
        day = max(ends) + one
        while day <= ext.last:
            off[day] = ext.name
            work.discard(day)
            day += one
    for span in supplement.days_off:
        for day in span.dates():
            off[day] = span.name
            work.discard(day)
    for m in supplement.workdays:
        work.add(m.date)
        off.pop(m.date, None)
    title = base.title
    if supplement.title and supplement.title not in title:
        title = f"{title}；{supplement.title}"
    return Notice(
        base.year,
        title,
        supplement.published or base.published,
        tuple(DayOff(d, n) for d, n in sorted(off.items())),
        tuple(sorted(work)),
    )

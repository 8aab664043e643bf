"""Checks across a notice's lines: days outside its year, a day both off and worked, statutory days.

The checks a single line cannot make (a wrong count or weekday is found while reading the line).
"""

from __future__ import annotations

import datetime as dt

from disclosure_calendar.core.i18n import gettext as _

from .notice_parts import DaysOff, NoticeText, TextProblem


def consistency_problems(notice: NoticeText) -> list[TextProblem]:
    """Checks across lines: nothing found, days outside the year, a day both off and worked."""
    assert notice.year is not None
    year = notice.year
    out: list[TextProblem] = []

    def add(line: int, message: str) -> None:
        out.append(TextProblem(line, message))

    if not (notice.days_off or notice.workdays or notice.extensions):
        add(
            0,
            _(
                "no days off or make-up days found: this does not look like a State Council "
                "holiday notice (一、元旦：1月1日至3日放假调休，共3天。…)"
            ),
        )
        return out
    lo, hi = dt.date(year - 1, 12, 1), dt.date(year, 12, 31)
    outside = _("outside {year} and the December before it").format(year=year)
    off_line: dict[dt.date, int] = {}
    named: dict[str, DaysOff] = {}
    for span in notice.days_off:
        first = named.setdefault(span.name, span)
        if first.line != span.line and span.first > first.last + dt.timedelta(days=1):
            # "二、元旦：1月8日至10日…" after "一、元旦：1月1日至3日…": which one is meant?
            add(
                span.line,
                _(
                    "{name} is listed twice with different dates: {first} to {last} on line "
                    "{line}, {other_first} to {other_last} here"
                ).format(
                    name=span.name,
                    first=first.first,
                    last=first.last,
                    line=first.line,
                    other_first=span.first,
                    other_last=span.last,
                ),
            )
        if (span.last - span.first).days > 31:
            add(
                span.line,
                _("{name}: {first} to {last} is longer than a month").format(
                    name=span.name, first=span.first, last=span.last
                ),
            )
            continue
        strays = [d for d in span.dates() if not lo <= d <= hi]
        if strays:  # one message for the span, not one per day
            add(
                span.line,
                _("{name}: {day} is {outside}").format(
                    name=span.name, day=strays[0], outside=outside
                ),
            )
        for d in span.dates():
            if d in off_line and off_line[d] != span.line:
                add(
                    span.line,
                    _("{name}: {day} is also a day off on line {line}").format(
                        name=span.name, day=d, line=off_line[d]
                    ),
                )
            off_line.setdefault(d, span.line)
    seen: dict[dt.date, int] = {}
    for m in notice.workdays:
        if not lo <= m.date <= hi:
            add(
                m.line,
                _("{name}: make-up day {day} is {outside}").format(
                    name=m.name, day=m.date, outside=outside
                ),
            )
        if m.date in off_line:
            add(
                m.line,
                _("{name}: {day} is both a make-up working day and a day off (line {line})").format(
                    name=m.name, day=m.date, line=off_line[m.date]
                ),
            )
        if m.date in seen:
            add(
                m.line,
                _("{name}: make-up day {day} is listed twice (also line {line})").format(
                    name=m.name, day=m.date, line=seen[m.date]
                ),
            )
        seen.setdefault(m.date, m.line)
    if notice.published is not None and notice.published.year > year:
        add(
            0,
            _("published {published}, after the year {year} it arranges").format(
                published=notice.published, year=year
            ),
        )
    return out


_STATUTORY = {"元旦", "春节", "农历除夕", "清明节", "劳动节", "端午节", "中秋节", "国庆节"}


def statutory_problems(notice: NoticeText) -> list[TextProblem]:
    """Warnings for statutory holidays of the year that no line of the notice gives off.

    The statutory days come from the same rules the provisional calendar uses (the
    ``holidays`` package's China, lunar dates included).  A warning, not an error: the
    notice is the authority, and a rule change may reach the notice before the package.
    """
    if notice.year is None:
        return []
    import holidays  # the provisional calendar's rules; imported only when checking

    law = holidays.China(years=notice.year, observed=False, language="zh_CN")
    off = {d for span in notice.days_off for d in span.dates()}
    out: list[TextProblem] = []
    for day, label in sorted(law.items()):
        names = [n for n in str(label).split("; ") if n in _STATUTORY]
        if not names or day in off:
            continue
        festival = "春节" if names[0] == "农历除夕" else names[0]
        line = next((s.line for s in notice.days_off if festival in s.name), 0)
        out.append(
            TextProblem(
                line,
                _(
                    "{festival}: the statutory holiday {day} ({name}) is not among the days off"
                ).format(festival=festival, day=day, name=names[0]),
                error=False,
            )
        )
    return out

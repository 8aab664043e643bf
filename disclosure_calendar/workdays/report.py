"""Pure reporting functions over :class:`~disclosure_calendar.workdays.WorkdayCalendar`.

The CLI (``workdays year|check|add|between``) calls these; they return plain dicts
(JSON-ready: dates as ISO strings) or strings, and never print.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from disclosure_calendar.core.i18n import N_, current_language, prose_date
from disclosure_calendar.core.i18n import gettext as _

from .calendar import DayInfo, Source, WorkdayCalendar

_WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
_KIND_LABEL = {
    "holiday": N_("day off"),
    "makeup": N_("make-up working day"),
    "local": N_("local day off"),
    "weekend": N_("weekend"),
    "workday": N_("ordinary working day"),
}
# Holiday names are data (the State Council's words); in English they are named, with what
# the suffix says, and a name not in the table is kept as written.
_HOLIDAYS = {
    "元旦": N_("New Year's Day"),
    "农历除夕": N_("Spring Festival Eve"),
    "春节": N_("Spring Festival"),
    "清明节": N_("Qingming Festival"),
    "劳动节": N_("Labour Day"),
    "端午节": N_("Dragon Boat Festival"),
    "中秋节": N_("Mid-Autumn Festival"),
    "国庆节": N_("National Day"),
    "中秋节、国庆节": N_("Mid-Autumn Festival and National Day"),
    "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日": N_("70th Victory Day"),
    "调休上班": N_("make-up working day"),  # a notice entered in the schedule names it so
}
_SUFFIXES = (
    ("（调休）", N_("{name} (day off moved)")),
    ("（补假）", N_("{name} (substitute day off)")),
    ("调休上班", N_("{name}: make-up working day")),
    ("延长假期", N_("{name}: extended holiday")),
)


def holiday_name(name: str) -> str:
    """A holiday's name in the language spoken (Chinese: as the notice writes it)."""
    if current_language() != "en":
        return name
    for suffix, pattern in _SUFFIXES:
        if name.endswith(suffix) and name != suffix:
            return _(pattern).format(name=holiday_name(name.removesuffix(suffix)))
    return _(_HOLIDAYS[name]) if name in _HOLIDAYS else name


def _weekday(d: dt.date) -> str:
    return _(_WEEKDAYS[d.weekday()])


def source_dict(src: Source | None) -> dict[str, Any] | None:
    """A :class:`Source` as a JSON-ready dict (None stays None)."""
    if src is None:
        return None
    return {
        "kind": src.kind,
        "title": src.title,
        "published": src.published.isoformat() if src.published else None,
        "document": src.document,
        "note": src.note,
    }


def _day_dict(info: DayInfo) -> dict[str, Any]:
    return {
        "date": info.date.isoformat(),
        "weekday": _weekday(info.date),
        "name": info.name,
        "kind": info.kind,
        "source": source_dict(info.source),
    }


def year_report(cal: WorkdayCalendar, year: int) -> dict[str, Any]:
    """Summary of ``year``: days off, make-up days, working days per month, provenance.

    Keys: ``year``, ``provisional`` (no notice for the year), ``notices`` (title,
    published, document of each notice that set days of this year), ``notice_title``
    (the year's own notice title, or None), ``days_off`` and ``makeup_days`` (lists of
    {date, weekday, name, kind, source}), ``working_days_per_month`` ({"1": n, ...}),
    ``working_days`` (total).
    """
    per_month = cal.working_days_per_month(year)
    sources = cal.notice_sources(year)
    own = [s for s in sources if str(year) in s.title and "部分节假日安排" in s.title]
    return {
        "year": year,
        "provisional": cal.is_provisional_year(year),
        "notice_title": own[0].title if own else None,
        "notices": [source_dict(s) for s in sources],
        "days_off": [_day_dict(i) for i in cal.days_off(year)],
        "makeup_days": [_day_dict(i) for i in cal.makeup_days(year)],
        "working_days_per_month": {str(m): n for m, n in per_month.items()},
        "working_days": sum(per_month.values()),
    }


def _source_text(src: Source | None) -> str:
    if src is None:
        return ""
    if src.kind == "local":
        return _("the local days off")
    if src.kind == "provisional":
        return _(
            "no State Council holiday notice yet: presumed from the national holiday rules "
            "(《全国年节及纪念日放假办法》), without make-up working days"
        )
    if src.published:
        return _("《{title}》{document}, published {date}").format(
            title=src.title,
            document=_(" ({document})").format(document=src.document) if src.document else "",
            date=prose_date(src.published),
        )
    return _("《{title}》{document}, publication date not verified").format(
        title=src.title,
        document=_(" ({document})").format(document=src.document) if src.document else "",
    )


def explain(cal: WorkdayCalendar, day: dt.date) -> dict[str, Any]:
    """Whether ``day`` is a working day and why.

    Keys: ``date``, ``weekday``, ``working`` (bool), ``kind`` (holiday / makeup / local /
    weekend / workday), ``name`` (holiday or make-up name), ``source`` (dict or None),
    ``provisional`` (bool), ``reason`` (one sentence, in the language spoken), ``warning`` (None, or the
    provisional warning).
    """
    info = cal.day_info(day)
    wd = _weekday(day)
    name = holiday_name(info.name or "")
    source = _source_text(info.source)
    if info.kind == "holiday":
        reason = _("{day} ({weekday}) is a day off: {name}. Source: {source}.")
    elif info.kind == "makeup":
        reason = _("{day} ({weekday}) is a make-up working day: {name}. Source: {source}.")
    elif info.kind == "local":
        reason = _("{day} ({weekday}) is a local day off: {name}.")
    elif info.kind == "weekend":
        reason = _("{day} ({weekday}) is a weekend day, not a make-up working day.")
    else:
        reason = _("{day} ({weekday}) is an ordinary working day.")
    reason = reason.format(day=day, weekday=wd, name=name, source=source)
    warning = None
    if info.provisional:
        if cal.is_provisional_year(day.year):
            warning = _(
                "the {year} holiday notice is not entered yet: presumed from the national "
                "holidays, without make-up working days; the result may change."
            ).format(year=day.year)
        else:
            warning = _(
                "the {next} holiday notice is not entered yet: it may change the days of "
                "December {year}."
            ).format(next=day.year + 1, year=day.year)
    return {
        "date": day.isoformat(),
        "weekday": wd,
        "working": info.working,
        "kind": info.kind,
        "name": info.name,
        "source": source_dict(info.source),
        "provisional": info.provisional,
        "reason": reason,
        "warning": warning,
    }


def format_explain(result: dict[str, Any]) -> str:
    """Text for ``workdays check DATE`` from :func:`explain`'s dict."""
    head = _("working day") if result["working"] else _("not a working day")
    lines = [
        _("{date} {weekday}: {head} ({kind})").format(
            date=result["date"],
            weekday=result["weekday"],
            head=head,
            kind=_(_KIND_LABEL[result["kind"]]),
        ),
        result["reason"],
    ]
    if result["warning"]:
        lines.append(_("Note: {warning}").format(warning=result["warning"]))
    return "\n".join(lines)


def format_year_report(report: dict[str, Any]) -> str:
    """Text for ``workdays year YEAR`` from :func:`year_report`'s dict."""
    year = report["year"]
    title = (
        _("Working-day calendar {year} (presumed: no holiday notice yet)")
        if report["provisional"]
        else _("Working-day calendar {year}")
    )
    lines = [title.format(year=year)]
    for n in report["notices"]:
        lines.append(
            _("  Source: 《{title}》 ({published})").format(
                title=n["title"], published=n["published"] or _("publication date not verified")
            )
        )
    lines.append(_("Days off:"))
    for d in report["days_off"]:
        lines.append(f"  {d['date']} {d['weekday']}  {holiday_name(d['name'])}")
    lines.append(_("Make-up working days:") + ("" if report["makeup_days"] else _(" none")))
    for d in report["makeup_days"]:
        lines.append(f"  {d['date']} {d['weekday']}  {holiday_name(d['name'])}")
    months = "  ".join(
        _("month {month}: {count}").format(month=int(m), count=n)
        for m, n in report["working_days_per_month"].items()
    )
    lines.append(_("Working days per month: {months}").format(months=months))
    lines.append(_("Working days in the year: {count}").format(count=report["working_days"]))
    return "\n".join(lines)


def add_report(cal: WorkdayCalendar, day: dt.date, n: int) -> dict[str, Any]:
    """``workdays add DATE N``: the result of :meth:`WorkdayCalendar.add_working_days`."""
    result = cal.add_working_days(day, n)
    return {
        "start": day.isoformat(),
        "n": n,
        "result": result.isoformat(),
        "weekday": _weekday(result),
        "provisional": cal.is_provisional(day) or cal.is_provisional(result),
    }


_PRESUMED = N_(
    "Note: the dates include some with no holiday notice entered; the result is presumed."
)


def format_add(result: dict[str, Any]) -> str:
    pattern = (
        _("working day {n} after {start}: {result} ({weekday})")
        if result["n"] >= 0
        else _("working day {n} before {start}: {result} ({weekday})")
    )
    text = pattern.format(
        n=abs(result["n"]),
        start=result["start"],
        result=result["result"],
        weekday=result["weekday"],
    )
    if result["provisional"]:
        text += "\n" + _(_PRESUMED)
    return text


def between_report(cal: WorkdayCalendar, start: dt.date, end: dt.date) -> dict[str, Any]:
    """``workdays between A B``: working days in [A, B] (both counted) and workalendar's delta."""
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "working_days_inclusive": cal.count_working_days(start, end),
        "delta": cal.get_working_days_delta(start, end),
        "provisional": cal.is_provisional(start) or cal.is_provisional(end),
    }


def format_between(result: dict[str, Any]) -> str:
    text = _("{start} to {end} (both counted): {count} working days").format(
        start=result["start"], end=result["end"], count=result["working_days_inclusive"]
    )
    if result["provisional"]:
        text += "\n" + _(_PRESUMED)
    return text

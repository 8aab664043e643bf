"""Pure reporting functions over :class:`~disclosure_calendar.workdays.WorkdayCalendar`.

The CLI (``workdays year|check|add|between``) calls these; they return plain dicts
(JSON-ready: dates as ISO strings) or strings, and never print.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .calendar import DayInfo, Source, WorkdayCalendar

_WEEKDAYS = "一二三四五六日"
_KIND_LABEL = {
    "holiday": "放假",
    "makeup": "调休上班",
    "local": "本地停工",
    "weekend": "周末休息",
    "workday": "工作日",
}


def _weekday(d: dt.date) -> str:
    return "星期" + _WEEKDAYS[d.weekday()]


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
        return "本地停工安排"
    if src.kind == "provisional":
        return src.note
    day = src.published
    pub = f"，{day.year}年{day.month}月{day.day}日发布" if day else "，发布日期未核实"
    doc = f"（{src.document}）" if src.document else ""
    return f"《{src.title}》{doc}{pub}"


def explain(cal: WorkdayCalendar, day: dt.date) -> dict[str, Any]:
    """Whether ``day`` is a working day and why.

    Keys: ``date``, ``weekday``, ``working`` (bool), ``kind`` (holiday / makeup / local /
    weekend / workday), ``name`` (holiday or make-up name), ``source`` (dict or None),
    ``provisional`` (bool), ``reason`` (one Chinese sentence), ``warning`` (None, or the
    provisional warning).
    """
    info = cal.day_info(day)
    wd = _weekday(day)
    if info.kind == "holiday":
        reason = f"{day}（{wd}）放假：{info.name}。依据{_source_text(info.source)}。"
    elif info.kind == "makeup":
        reason = f"{day}（{wd}）调休上班：{info.name}。依据{_source_text(info.source)}。"
    elif info.kind == "local":
        reason = f"{day}（{wd}）本地停工：{info.name}。"
    elif info.kind == "weekend":
        reason = f"{day}（{wd}）周末休息，非调休上班日。"
    else:
        reason = f"{day}（{wd}）普通工作日。"
    warning = None
    if info.provisional:
        if cal.is_provisional_year(day.year):
            warning = f"{day.year}年放假安排通知尚未录入：按法定节假日推定，未计调休上班日，结果可能变化。"
        else:
            warning = (
                f"{day.year + 1}年放假安排通知尚未录入：该通知可能调整{day.year}年12月的安排。"
            )
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
    head = "工作日" if result["working"] else "非工作日"
    lines = [
        f"{result['date']} {result['weekday']}：{head}（{_KIND_LABEL[result['kind']]}）",
        result["reason"],
    ]
    if result["warning"]:
        lines.append("注意：" + result["warning"])
    return "\n".join(lines)


def format_year_report(report: dict[str, Any]) -> str:
    """Text for ``workdays year YEAR`` from :func:`year_report`'s dict."""
    year = report["year"]
    lines = [f"{year}年工作日历" + ("（推定，尚无放假安排通知）" if report["provisional"] else "")]
    for n in report["notices"]:
        pub = n["published"] or "发布日期未核实"
        lines.append(f"  依据：《{n['title']}》（{pub}）")
    lines.append("放假：")
    for d in report["days_off"]:
        lines.append(f"  {d['date']} {d['weekday']}  {d['name']}")
    lines.append("调休上班：" + ("" if report["makeup_days"] else "无"))
    for d in report["makeup_days"]:
        lines.append(f"  {d['date']} {d['weekday']}  {d['name']}")
    months = "  ".join(f"{m}月{n}" for m, n in report["working_days_per_month"].items())
    lines.append(f"每月工作日：{months}")
    lines.append(f"全年工作日：{report['working_days']}天")
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


def format_add(result: dict[str, Any]) -> str:
    sign = "后" if result["n"] >= 0 else "前"
    text = f"{result['start']} {sign}第 {abs(result['n'])} 个工作日：{result['result']}（{result['weekday']}）"
    if result["provisional"]:
        text += "\n注意：涉及尚未录入放假安排通知的日期，结果为推定。"
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
    text = f"{result['start']} 至 {result['end']}（含首尾）共 {result['working_days_inclusive']} 个工作日"
    if result["provisional"]:
        text += "\n注意：涉及尚未录入放假安排通知的日期，结果为推定。"
    return text

"""Write a year's holiday notice in its published form from the package's own data (for tests).

The text follows the State Council's fixed form ("一、元旦：1月1日（周四）至3日（周六）放假调休，
共3天。1月4日（周日）上班。"): one line per break of consecutive days off (weekends inside
included), named after the festivals in it, with the make-up days of that festival.
"""

from __future__ import annotations

import datetime as dt
import re

from disclosure_calendar.workdays import holiday_data

_CN = "一二三四五六七八九十"
_WEEKDAYS = "一二三四五六日"


def official_days(year: int) -> tuple[dict[dt.date, str], dict[dt.date, str]]:
    """Days off and make-up days the notices *for* ``year`` set (its December-before included)."""

    def pick(table: dict[int, tuple[tuple[dt.date, str, str], ...]]) -> dict[dt.date, str]:
        return {
            d: name
            for rows in table.values()
            for d, name, key in rows
            if holiday_data.NOTICE_SOURCES[key].year == year
        }

    return pick(holiday_data.DAYS_OFF), pick(holiday_data.WORKDAYS)


def _festivals(name: str) -> list[str]:
    base = re.sub(r"（.*?）$|延长假期$|调休上班$", "", name)
    return ["春节" if n == "农历除夕" else n for n in base.split("、")]


def _breaks(off: dict[dt.date, str], work: dict[dt.date, str]) -> list[list[dt.date]]:
    one = dt.timedelta(days=1)

    def resting(d: dt.date) -> bool:
        return d not in work and (d in off or d.weekday() >= 5)

    runs: list[list[dt.date]] = []
    for d in sorted(off):
        if runs and d <= runs[-1][-1]:
            continue
        lo = hi = d
        while resting(lo - one):
            lo -= one
        while resting(hi + one):
            hi += one
        runs.append([lo + one * i for i in range((hi - lo).days + 1)])
    return runs


def _day(d: dt.date, year: int, style: str, *, prev: dt.date | None = None) -> str:
    week = f"（{style}{_WEEKDAYS[d.weekday()]}）"
    if prev is not None and prev.year == d.year and prev.month == d.month:
        return f"{d.day}日{week}"
    head = f"{d.year}年" if d.year != year or (prev is not None and prev.year != d.year) else ""
    return f"{head}{d.month}月{d.day}日{week}"


def _number(i: int) -> str:
    return _CN[i - 1] if i <= 10 else "十" + _CN[i - 11]


def published_text(year: int, *, style: str = "周") -> str:
    """The notice for ``year`` as the State Council would publish it (simplified characters)."""
    off, work = official_days(year)
    runs = _breaks(off, work)
    names: list[list[str]] = []
    for run in runs:
        seen: list[str] = []
        for d in run:
            for n in _festivals(off.get(d, "")) if d in off else ():
                if n not in seen:
                    seen.append(n)
        names.append(seen)
    makeup: dict[int, list[dt.date]] = {}
    for d, label in sorted(work.items()):
        wanted = _festivals(label)
        candidates = [i for i, n in enumerate(names) if set(wanted) & set(n)] or range(len(runs))
        best = min(candidates, key=lambda i: min(abs((d - x).days) for x in runs[i]))
        makeup.setdefault(best, []).append(d)
    lines = []
    for i, run in enumerate(runs):
        first, last = run[0], run[-1]
        swapped = any("（调休）" in off.get(d, "") for d in run)
        verb = "放假调休" if swapped or i in makeup else "放假"
        if first == last:
            text = f"{_day(first, year, style)}{verb}1天。"
        else:
            text = (
                f"{_day(first, year, style)}至{_day(last, year, style, prev=first)}{verb}，"
                f"共{len(run)}天。"
            )
        days = makeup.get(i, [])
        if days:
            parts = [
                _day(d, year, style, prev=days[k - 1] if k else None) for k, d in enumerate(days)
            ]
            text += "、".join(parts) + "上班。"
        lines.append(f"{_number(i + 1)}、{'、'.join(names[i])}：{text}")
    source = holiday_data.NOTICE_SOURCES[str(year)]
    head = [source.title]
    if source.document:
        head.append(source.document)
    head += [
        "",
        "各省、自治区、直辖市人民政府，国务院各部委、各直属机构：",
        f"　　经国务院批准，现将{year}年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节"
        "放假调休日期的具体安排通知如下。",
    ]
    tail = [
        "　　节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作，遇有重大突发事件，"
        "要按规定及时报告并妥善处置，确保人民群众祥和平安度过节日假期。",
        "",
        "国务院办公厅",
    ]
    if source.published:
        p = source.published
        tail.append(f"{p.year}年{p.month}月{p.day}日")
    return "\n".join([*head, *("　　" + line for line in lines), *tail]) + "\n"

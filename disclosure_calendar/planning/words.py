"""Timing and deadline words as the plans write them, each with what it means.

The table is the data; ``find_words`` is the one small function over it. A timing word
sets how often a task recurs (按月, 每季度, 及时); a deadline word sets when a one-off task
is due (年底前, 6月底前, 本方案印发后30个工作日内) or the day within a period (每月10日前).
Longer words win where words overlap (每季度 over 季度, 半年度 over 年度).

Cadences are those of schedule.yaml, plus ``periodic``: a recurring task whose period the
text leaves open (定期, 例行); the draft chooses one and marks it for confirmation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

CN_DIGITS = "〇一二三四五六七八九"


def cn_number(text: str) -> int:
    """12 -> 12, 十二 -> 12, 二十 -> 20, 三十 -> 30, 一百 -> 100 (what plans number with)."""
    if text.isdigit():
        return int(text)
    text = text.replace("两", "二").replace("零", "〇")
    if "百" in text:
        hundreds, _sep, rest = text.partition("百")
        return (cn_number(hundreds) if hundreds else 1) * 100 + (cn_number(rest) if rest else 0)
    if "十" in text:
        tens, _sep, ones = text.partition("十")
        return (CN_DIGITS.index(tens) if tens else 1) * 10 + (CN_DIGITS.index(ones) if ones else 0)
    value = 0
    for ch in text:
        value = value * 10 + CN_DIGITS.index(ch)
    return value


@dataclass(frozen=True)
class Timing:
    """Words that say how often: the cadence they mean and the meaning in words."""

    words: tuple[str, ...]
    cadence: str
    meaning: str


TIMING: tuple[Timing, ...] = (
    Timing(("每日", "每天", "逐日", "日常", "每个工作日"), "daily", "每个工作日"),
    Timing(("每周", "按周", "逐周", "周报"), "weekly", "每周"),
    Timing(("每月", "按月", "逐月", "月度", "月报", "每个月"), "monthly", "每月"),
    Timing(("每季度", "每季", "按季度", "按季", "季度", "季报", "逐季"), "quarterly", "每季度"),
    Timing(("每半年", "半年度", "按半年", "半年报"), "half-yearly", "每半年"),
    Timing(
        ("每年", "每年度", "按年度", "按年", "逐年", "年度", "年报", "年终", "年初"),
        "yearly",
        "每年",
    ),
    Timing(("定期", "例行", "周期性"), "periodic", "定期，周期未定"),
    Timing(
        (
            "及时",
            "适时",
            "持续",
            "长期",
            "常态化",
            "常态",
            "动态",
            "随时",
            "实时",
            "第一时间",
            "经常性",
            "不定期",
            "常年",
        ),
        "ongoing",
        "随时、持续，无固定周期",
    ),
)

# 2017年度 is a year, not 年度 (yearly); 上半年/下半年 are deadlines, not 半年
_NOT_TIMING = re.compile(r"(?:\d{4}|[〇一二三四五六七八九]{4})年度?|[上下]半年")


@dataclass(frozen=True)
class Deadline:
    """A deadline pattern: ``rule`` turns a match, the plan's year and its issue date into
    the cadence it implies and a due rule in schedule.yaml's terms."""

    pattern: re.Pattern[str]
    meaning: str
    rule: Callable[[re.Match[str], int], tuple[str, dict[str, object]]]
    # the words name the trigger but not the time: the draft picks one and says why
    assumption: str | None = None


_N = r"(\d{1,3}|[一二两三四五六七八九十百]{1,4})"
_MONTH = r"(\d{1,2}|[一二三四五六七八九十]{1,3})"


def _month_end(month: int) -> int:
    return 31 if month in (1, 3, 5, 7, 8, 10, 12) else 30 if month != 2 else 28


def _date(year: int, month: int, day: int) -> dict[str, object]:
    return {"rule": "fixed_date", "date": f"{year:04d}-{month:02d}-{day:02d}", "roll": "preceding"}


def _year_of(match: re.Match[str], year: int) -> int:
    named = match.groupdict().get("year")
    return int(named) if named else year


DEADLINES: tuple[Deadline, ...] = (
    Deadline(
        re.compile(
            # the plan's own issue: 本方案印发后, 印发后; a policy's (政策出台后) is an event
            r"(?:(?:本方案|本通知|本意见|本要点|本计划|方案|通知|要点)(?:印发|公布|发布|下发|出台)|印发)(?:后|之日起)"
            + _N
            + r"个工作日内"
        ),
        "本方案印发后N个工作日内：从印发之日起数N个工作日",
        lambda m, y: (
            "once",
            {"rule": "workdays_after_date", "date": "ISSUED", "n": cn_number(m.group(1))},
        ),
    ),
    Deadline(
        re.compile(r"(?:之日起|后)?" + _N + r"个工作日内"),
        "N个工作日内：每次事情发生后数N个工作日",
        lambda m, y: ("event", {"rule": "workdays_after_event", "n": cn_number(m.group(1))}),
    ),
    Deadline(
        re.compile(r"次年" + _MONTH + r"月(?:" + _N + r"[日号]|底|末)前?"),
        "次年N月N日前：方案年度的下一年该日",
        lambda m, y: (
            "once",
            _date(
                y + 1,
                (mo := cn_number(m.group(1))),
                cn_number(m.group(2)) if m.group(2) else _month_end(mo),
            ),
        ),
    ),
    Deadline(
        re.compile(r"每年第?([一二三四1-4])季度(?:末|内|前|底)?"),
        "每年第N季度：每年该季度最后一天",
        lambda m, y: (
            "yearly",
            {
                "rule": "fixed_day",
                "month": (mo := cn_number(m.group(1)) * 3),
                "day": _month_end(mo),
                "roll": "preceding",
            },
        ),
    ),
    Deadline(
        re.compile(r"(?:(?P<year>\d{4})年)?" + _MONTH + r"月(上旬|中旬|下旬)(?:前|内|末)?"),
        "N月上旬/中旬/下旬：该月10日/20日/最后一天",
        lambda m, y: (
            "once",
            _date(
                _year_of(m, y),
                (mo := cn_number(m.group(2))),
                {"上旬": 10, "中旬": 20}.get(m.group(3), _month_end(mo)),
            ),
        ),
    ),
    Deadline(
        re.compile(r"(?:每月|次月)" + _N + r"[日号]前"),
        "每月N日前：次月N日",
        lambda m, y: (
            "monthly",
            {"rule": "fixed_day", "day": cn_number(m.group(1)), "roll": "preceding"},
        ),
    ),
    Deadline(
        re.compile(r"每月(?:底|末)前?"),
        "每月底前：当月最后一个工作日",
        lambda m, y: ("monthly", {"rule": "workday_of_period", "n": -1}),
    ),
    Deadline(
        re.compile(r"每季度?(?:末|结束前)"),
        "每季度末：当季最后一个工作日",
        lambda m, y: ("quarterly", {"rule": "workday_of_period", "n": -1}),
    ),
    Deadline(
        re.compile(r"每年" + _MONTH + r"月(?:底|末)前?"),
        "每年N月底前：次年N月最后一天",
        lambda m, y: (
            "yearly",
            {
                "rule": "fixed_day",
                "month": (mo := cn_number(m.group(1))),
                "day": _month_end(mo),
                "roll": "preceding",
            },
        ),
    ),
    Deadline(
        re.compile(r"每年" + _MONTH + r"月" + _N + r"[日号]前"),
        "每年N月N日前：次年该日",
        lambda m, y: (
            "yearly",
            {
                "rule": "fixed_day",
                "month": cn_number(m.group(1)),
                "day": cn_number(m.group(2)),
                "roll": "preceding",
            },
        ),
    ),
    Deadline(
        re.compile(r"(?:(?P<year>\d{4})年)?" + _MONTH + r"月" + _N + r"[日号]前"),
        "N月N日前：当年该日",
        lambda m, y: ("once", _date(_year_of(m, y), cn_number(m.group(2)), cn_number(m.group(3)))),
    ),
    Deadline(
        re.compile(r"(?:(?P<year>\d{4})年)?" + _MONTH + r"月(?:底|末|份)前?"),
        "N月底前：当年N月最后一天",
        lambda m, y: ("once", _date(_year_of(m, y), (mo := cn_number(m.group(2))), _month_end(mo))),
    ),
    Deadline(
        # 第三季度, 三季度末前; 每季度 and 季度 alone are cadences (TIMING)
        re.compile(
            r"(?:(?P<year>\d{4})年)?(?:第([一二三四1-4])季度(?:末|内|前|底)?|(?<![每上下])([一二三四1-4])季度(?:末|内|前|底)?)"
        ),
        "第N季度内：该季度最后一天",
        lambda m, y: (
            "once",
            _date(
                _year_of(m, y),
                (mo := cn_number(m.group(2) or m.group(3)) * 3),
                _month_end(mo),
            ),
        ),
    ),
    Deadline(
        re.compile(r"(?:严格)?(?:按照|在)?法定(?:时限|期限)(?:内)?"),
        "法定时限：依申请公开，条例第三十三条的20个工作日",
        lambda m, y: ("event", {"rule": "workdays_after_event", "n": 20}),
        "“{word}”：《政府信息公开条例》（2019年修订）第三十三条，收到申请之日起20个工作日内答复",
    ),
    Deadline(
        re.compile(r"(?:验收合格|检验工作全部完成|全部完成|工作结束|审批完成|办结)后"),
        "……后：每次事情发生后（时限未定）",
        lambda m, y: ("event", {"rule": "workdays_after_event", "n": 20}),
        "“{word}”未定时限：取事情发生之日起20个工作日内公开（同条例第二十六条）",
    ),
    Deadline(
        re.compile(r"(?:(?P<year>\d{4})年)?上半年"),
        "上半年：6月30日前",
        lambda m, y: ("once", _date(_year_of(m, y), 6, 30)),
    ),
    Deadline(
        re.compile(r"(?:(?P<year>\d{4})年)?(?:下半年|年底前?|年末前?|年内|今年内|今年底|年底)"),
        "年底前：当年12月31日前",
        lambda m, y: ("once", _date(_year_of(m, y), 12, 31)),
    ),
)


@dataclass(frozen=True)
class Found:
    """A timing or deadline word found in a task's text."""

    text: str
    start: int
    cadence: str
    due: dict[str, object] | None = None
    deadline: bool = False
    assumption: str | None = None


def _timing_index() -> tuple[re.Pattern[str], dict[str, Timing]]:
    table = {w: t for t in TIMING for w in t.words}
    return re.compile("|".join(sorted(map(re.escape, table), key=len, reverse=True))), table


_TIMING_RX, _TIMING = _timing_index()
# every deadline pattern holds one of these: texts without them skip the table
_MAY_HAVE_DEADLINE = re.compile(r"[前内底末后旬]|半年|月份|法定|季度")


def find_words(text: str, year: int) -> list[Found]:
    """The timing and deadline words of ``text`` in order; ``year`` is the plan's."""
    found: list[Found] = []
    taken: list[tuple[int, int]] = []
    for entry in DEADLINES if _MAY_HAVE_DEADLINE.search(text) else ():
        for match in entry.pattern.finditer(text):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            cadence, due = entry.rule(match, year)
            assumption = entry.assumption.format(word=match.group()) if entry.assumption else None
            found.append(
                Found(
                    match.group(), match.start(), cadence, due, deadline=True, assumption=assumption
                )
            )
            taken.append(match.span())
    for match in _NOT_TIMING.finditer(text):
        taken.append(match.span())
    for match in _TIMING_RX.finditer(text):
        if any(s < match.end() and match.start() < e for s, e in taken):
            continue
        found.append(Found(match.group(), match.start(), _TIMING[match.group()].cadence))
    found.sort(key=lambda f: f.start)
    return found

"""A task's words to the cadence and due rule the draft proposes, one duty per cadence.

The words say how often (words.py); where they fix no day, the draft picks the usual one
and says so (``assumed``, ``assumption``); where they say nothing, a one-off deliverable
(出台, 制定, 编制 … a document) is due at the plan year's end and anything else is standing
work (ongoing). Every choice the text does not make is listed in ``confirm`` for the
coordinator.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .model import Task
from .words import Found, find_words

# Periodic cadences with no day in the text: the due rule the draft picks, and why in words
DEFAULT_DUE: dict[str, tuple[dict[str, object], str]] = {
    "daily": ({"rule": "workday_of_period", "n": 1}, "“{word}”：逐个工作日进行"),
    "weekly": (
        {"rule": "workday_of_period", "n": -1},
        "“{word}”未定具体日期：取每周最后一个工作日",
    ),
    "monthly": (
        {"rule": "workdays_after_period", "n": 10},
        "“{word}”未定具体日期：取期末后第10个工作日",
    ),
    "quarterly": (
        {"rule": "workdays_after_period", "n": 15},
        "“{word}”未定具体日期：取期末后第15个工作日",
    ),
    "half-yearly": (
        {"rule": "workdays_after_period", "n": 20},
        "“{word}”未定具体日期：取期末后第20个工作日",
    ),
    "yearly": (
        {"rule": "workdays_after_period", "n": 20},
        "“{word}”未定具体日期：取次年第20个工作日",
    ),
}
PERIODIC_ORDER = ("daily", "weekly", "monthly", "quarterly", "half-yearly", "yearly")
# A deliverable made once: these verbs before a document's name
ONCE = re.compile(
    r"(出台|制定|制订|编制|印发|拟订|修订|研究制定)(?![的后])[^，。；]{0,40}?"
    r"(文件|政策|方案|办法|意见|规划|制度|细则|目录|清单|指引|措施)"
    r"|(建立|建成|搭建|升级|开设|开通)(?![的后])[^，。；]{0,30}?(平台|制度|机制|系统|专栏|栏目|网站)"
    r"|尽快|(?:^|[^0-9])20\d\d年(?!度)"
)


# ……时: while making something, not making it (在制定相关政策措施时)
NOT_ONCE = re.compile(r"在(出台|制定|制订|编制)[^，。；]{0,40}时")


@dataclass(frozen=True)
class Drafted:
    cadence: str
    due: dict[str, object] | None
    basis: str
    assumed: bool = False
    assumption: str | None = None
    # what the coordinator must confirm, in words (each becomes a # 待确认 comment)
    confirm: tuple[str, ...] = ()


def _year_end(year: int) -> dict[str, object]:
    return {"rule": "fixed_date", "date": f"{year:04d}-12-31", "roll": "preceding"}


def draft(task: Task, year: int, issued: dt.date | None) -> tuple[list[Drafted], list[Found]]:
    """The duties ``task`` becomes, and the words they were drafted from."""
    text = task.text + ("；" + task.deadline_text if task.deadline_text else "")
    words = find_words(text, year)
    out: list[Drafted] = []
    periodic: dict[str, Found] = {}
    fixed: dict[str, Found] = {}
    for word in words:
        if word.cadence in PERIODIC_ORDER:
            if word.deadline:
                fixed.setdefault(word.cadence, word)
            periodic.setdefault(word.cadence, word)
    for cadence in sorted(periodic, key=PERIODIC_ORDER.index):
        word = fixed.get(cadence) or periodic[cadence]
        if cadence in fixed:
            out.append(Drafted(cadence, dict(fixed[cadence].due or {}), word.text))
            continue
        due, why = DEFAULT_DUE[cadence]
        out.append(
            Drafted(
                cadence,
                dict(due),
                word.text,
                assumed=True,
                assumption=why.format(word=word.text),
                confirm=("due",),
            )
        )
    vague = next((w for w in words if w.cadence == "periodic"), None)
    if vague is not None and not periodic:
        due, _why = DEFAULT_DUE["quarterly"]
        out.append(
            Drafted(
                "quarterly",
                dict(due),
                vague.text,
                assumed=True,
                assumption=f"“{vague.text}”未明周期：取按季度，期末后第15个工作日",
                confirm=("cadence", "due"),
            )
        )
    seen: list[tuple[str, object]] = []
    for word in words:
        if not word.deadline or word.cadence in PERIODIC_ORDER:
            continue
        due = dict(word.due or {})
        # 3月底前 in the text and 2025年3月底前 in the column: one deadline
        key = (word.cadence, sorted(due.items()))
        if key in seen:
            continue
        seen.append(key)
        if due.get("date") == "ISSUED":
            if issued is None:
                due["date"] = f"{year:04d}-01-01"
                out.append(Drafted(word.cadence, due, word.text, confirm=("issued",)))
                continue
            due["date"] = issued.isoformat()
        if word.assumption:
            out.append(
                Drafted(
                    word.cadence, due, word.text, assumed=True, assumption=word.assumption,
                    confirm=("due", "events") if word.cadence == "event" else ("due",),
                )
            )  # fmt: skip
        elif word.cadence == "event":
            out.append(Drafted("event", due, word.text, confirm=("events",)))
        else:
            out.append(Drafted(word.cadence, due, word.text))
    standing = [w for w in words if w.cadence == "ongoing"]
    once = ONCE.search(text) if not NOT_ONCE.search(text) else None
    if standing and not (once and not out):
        out.append(Drafted("ongoing", None, "；".join(dict.fromkeys(w.text for w in standing))))
    if not out:
        # a document to make: 及时 is when it is published once made (研究编制……并及时公开)
        if once:
            out.append(
                Drafted(
                    "once",
                    _year_end(year),
                    once.group().lstrip("0123456789") or once.group(),
                    assumed=True,
                    assumption=f"方案为{year}年度工作，此项未定时限，取当年最后一个工作日完成",
                    confirm=("cadence", "due"),
                )
            )
        else:
            out.append(Drafted("ongoing", None, "原文无时间词", confirm=("cadence",)))
    return out, words

"""The front matter: the plan's title, its issuer and date, and the duties of its preamble.

The title is the name in ``现将《……》印发给你们``, else the first line that is named like a
plan (……方案, ……要点, ……任务分解表). The date is a line that is nothing but a date
(2017年6月9日, 二〇一七年六月九日, 2017-06-09), the issuer the line before it when that
is a unit. A preamble sentence is a duty when units are its subject and it says what they
must do: ``各镇区、各牵头部门要……``, ``市政府办公室将……``; general calls
(``要认真贯彻落实……精神``) are not.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from ..clean import squeeze
from ..document import Paragraph
from ..units import Assignment, split_names, subject_units
from ..words import cn_number
from .builder import Builder

TITLE = re.compile(
    r".{4,80}?(方案|要点|任务分解表|任务清单|分工表|实施意见|工作安排|工作计划|实施细则|责任分工)"
)
# Endings a title shares with headings (二、主要任务): a title with them names a year or 政务公开
WEAK_TITLE = re.compile(r".{4,80}?(重点任务|工作任务|主要任务|任务表|任务|清单|分工)")
QUOTED_TITLE = re.compile(r"(?:现将|将|印发)《([^》]{4,80})》")
_Y = r"(\d{4}|[〇零一二三四五六七八九]{4})"
_MD = r"(\d{1,2}|[一二三四五六七八九十]{1,3})"
DATE = re.compile(rf"^(?P<before>.*?)\s*{_Y}\s*年\s*{_MD}\s*月\s*{_MD}\s*日\s*(?:印发|发布)?$")
ISO_DATE = re.compile(r"^(?P<before>.*?)\s*(\d{4})[-./](\d{1,2})[-./](\d{1,2})$")


def _year(text: str) -> int:
    return (
        int(text)
        if text.isdigit()
        else int("".join(str("〇一二三四五六七八九".index(c.replace("零", "〇"))) for c in text))
    )


def find_date(paras: Sequence[Paragraph]) -> tuple[dt.date | None, str | None]:
    """The issue date and the issuer written before it (same line or the line above)."""
    previous = ""
    for para in paras:
        text = squeeze(para.text)
        match = DATE.match(text) or ISO_DATE.match(text)
        if match and len(text) <= 60:
            groups = match.groups()
            try:
                day = dt.date(_year(groups[1]), cn_number(groups[2]), cn_number(groups[3]))
            except ValueError:
                previous = text
                continue
            before = match.group("before").strip()
            issuer = before or previous
            names = split_names(issuer) if issuer else None
            return day, (issuer if names and len(names[0]) == 1 else None)
        previous = text
    return None, None


def find_title(paras: Sequence[Paragraph]) -> str | None:
    for para in paras:
        quoted = QUOTED_TITLE.search(squeeze(para.text))
        if quoted:
            return quoted.group(1)
    for para in paras:
        text = squeeze(para.text)
        if TITLE.fullmatch(text) and not re.search(r"[。；，]", text):
            return text
    for para in paras:
        text = squeeze(para.text)
        if (
            WEAK_TITLE.fullmatch(text)
            and not re.search(r"[。；，：:]", text)
            and re.search(r"\d{4}年|政务公开", text)
            and not re.match(r"[一二三四五六七八九十]+、|[（(]|\d+[.、．]", text)
        ):
            return text
    return None


def _sentences(text: str) -> list[str]:
    return [s + "。" for s in re.split(r"。", text) if s.strip()]


def read_preamble(paras: Sequence[Paragraph], builder: Builder) -> None:
    """Duties of the front matter's sentences (numbered 0.1, 0.2 …)."""
    for para in paras:
        text = squeeze(para.text)
        if len(text) < 10:
            continue
        for sentence in _sentences(text):
            duty = _duty(sentence)
            if duty is not None:
                builder.preamble_task(sentence, para.where, duty)


def _duty(sentence: str) -> Assignment | None:
    return subject_units(sentence)

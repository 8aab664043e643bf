"""Numbered lists: sections, sub-sections and items, with units after them or inside them.

Reads paragraphs (of a text file, a Word file, a PDF): ``一、`` headings, ``1.`` items,
units on the line after an item (a copy of a web table puts each cell on its own line:
``3.按月公开…… |`` then ``市财政局 |``; ``||`` or ``|`` is an empty cell, the same units as
above), labelled lines (``责任单位：……``, ``完成时限：……``), unit brackets (prose.py), and
unnumbered paragraphs that are tasks because units follow or close them.

A numbered paragraph is a heading when the next numbered one is deeper and it is short, or
when it is outermost and nothing assigns it; otherwise it is a task. A heading that does not
end a sentence and is followed by a short unnumbered line is one heading wrapped onto two.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..clean import squeeze
from ..document import Paragraph
from ..units import STAR, Assignment, parse_assignment, split_names, standing_rule, subject_units
from .builder import Builder
from .headings import Numbering, numbering
from .prose import Stretch, split_prose

# Column headings of a 任务分解表 copied as text: they say "a table", they are no task
HEADER_WORDS = re.compile(
    r"(序号|编号|工作任务|主要任务|重点任务|任务内容|具体要求|工作内容|工作要求|具体任务|任务分工|"
    r"牵头落实单位|牵头单位|责任单位|配合单位|协办单位|牵头部门|责任部门|完成时限|完成时间|时间安排|时限要求|备注)"
)
LABEL = re.compile(
    r"^(?P<label>牵头单位|牵头部门|牵头落实单位|责任单位|责任部门|配合单位|配合部门|协办单位|参与单位|"
    r"落实单位|承办单位|完成时限|完成时间|时间要求|时限要求|时间安排|进度安排)\s*[:：]\s*(?P<value>.*)$"
)
DEADLINE_LABELS = ("完成时限", "完成时间", "时间要求", "时限要求", "时间安排", "进度安排")
_SHORT_HEADING = 60


def is_header(text: str) -> bool:
    """A table's column heading: nothing but heading words."""
    return bool(text) and HEADER_WORDS.sub("", squeeze(text)).strip(" |：:") == ""


def unit_line(text: str) -> Assignment | None:
    """A line or cell that is only units (牵头 and 配合 forms included)."""
    text = text.strip()
    if not text or len(text) > 120 or "。" in text:
        return None
    if STAR.search(text):
        return parse_assignment(text)
    found = split_names(text)
    if found:
        return Assignment(tuple(found[0]), (), tuple(found[1]))
    return parse_assignment(text) if not re.search(r"[:：]", text) else None


def _is_heading(item: Numbering, nxt: Numbering | None, top_level: int, assigned: bool) -> bool:
    short = len(item.rest) <= _SHORT_HEADING and "。" not in item.rest.rstrip("。")
    if nxt is not None and nxt.level > item.level and short:
        return True
    return item.level == top_level and not assigned


def _title_and_units(text: str) -> tuple[str, Assignment | None]:
    """A heading's title and the units its bracket gives to all tasks under it."""
    stretches = split_prose(text)
    if stretches and stretches[0].assignment is not None:
        return stretches[0].text.rstrip("。"), stretches[0].assignment
    return text.rstrip("。"), None


def read_paragraphs(paras: Sequence[Paragraph], builder: Builder) -> None:
    items = [p for p in paras if p.cell or p.text.strip()]
    numbers = [numbering(squeeze(p.text)) if not _empty(p) else None for p in items]
    # the next numbered paragraph after each one (walked once from the end)
    following: list[Numbering | None] = [None] * len(items)
    upcoming: Numbering | None = None
    for j in range(len(items) - 1, -1, -1):
        following[j] = upcoming
        if numbers[j] is not None:
            upcoming = numbers[j]
    levels = [n.level for n in numbers if n is not None]
    top_level = min(levels) if levels else 0
    i = 0
    while i < len(items):
        para = items[i]
        text = squeeze(para.text)
        if _empty(para):
            builder.same_as_above()
            i += 1
            continue
        if para.cell and is_header(text):
            builder.table_mode = True
            i += 1
            continue
        units = standing_rule(text)
        if units:
            builder.set_standing(units)
            i += 1
            continue
        label = LABEL.match(text)
        if label and builder.open_task is not None:
            _label(builder, label.group("label"), label.group("value"))
            i += 1
            continue
        item = numbers[i]
        if item is None or (para.cell and builder.table_mode and unit_line(text)):
            found = unit_line(text)
            if (
                found is not None
                and builder.open_task is not None
                and not builder.open_task.lead_units
            ):
                builder.give_units(found)
                i += 1
                continue
        follows = _units_follow(items, i + 1)
        if item is not None:
            nxt = following[i]
            stretches = split_prose(squeeze(item.rest))
            assigned = follows or any(s.assignment for s in stretches)
            if _is_heading(item, nxt, top_level, assigned):
                title = squeeze(item.rest)
                if _wraps(title, items, numbers, i):
                    title += squeeze(items[i + 1].text).rstrip("|").strip()
                    i += 1
                title, heading_units = _title_and_units(title)
                builder.heading(item.level, item.number, title, heading_units)
            else:
                _tasks(builder, stretches, para.where, item.number)
            i += 1
            continue
        stretches = split_prose(text)
        if (
            any(s.assignment for s in stretches)
            or follows
            or para.cell
            or builder.headings
            and any(h.units for h in builder.headings)
        ):
            _tasks(builder, stretches, para.where, None)
        elif builder.open_task is not None and not re.search(r"[。；;！]$", builder.open_task.text):
            builder.add_text(text)
        elif builder.headings and (subject := subject_units(text.split("。")[0])) is not None:
            builder.task(text, para.where, subject)  # 各镇区要……: its subject does it
        else:
            builder.close()
            builder.place(para.where, text)
        i += 1
    builder.close()


def _empty(para: Paragraph) -> bool:
    return para.cell and not para.text.strip(" |")


def _units_follow(items: Sequence[Paragraph], j: int) -> bool:
    """Units come next: a unit line or cell, an empty cell, a 责任单位 line."""
    if j >= len(items):
        return False
    nxt = items[j]
    text = squeeze(nxt.text)
    if _empty(nxt):
        return True
    label = LABEL.match(text)
    if label and label.group("label") not in DEADLINE_LABELS:
        return True
    return numbering(text) is None and unit_line(text) is not None


def _wraps(
    title: str, items: Sequence[Paragraph], numbers: Sequence[Numbering | None], i: int
) -> bool:
    """A heading broken onto the next line: no closing mark, a short unnumbered line after."""
    if i + 1 >= len(items) or re.search(r"[。：:；;）)]$", title):
        return False
    nxt = items[i + 1]
    text = squeeze(nxt.text).rstrip("|").strip()
    return (
        numbers[i + 1] is None
        and not _empty(nxt)
        and 0 < len(text) <= 20
        and not re.search(r"[。，,；;：:]", text)
        and unit_line(text) is None
        and not is_header(text)
    )


def _label(builder: Builder, label: str, value: str) -> None:
    if label in DEADLINE_LABELS:
        builder.add_deadline(value.strip())
        return
    found = parse_assignment(f"{label}：{value}")
    if found is not None:
        builder.give_units(found)
    else:
        builder.place("", f"{label}：{value}")


def _tasks(builder: Builder, stretches: list[Stretch], where: str, number: int | None) -> None:
    if len(stretches) == 1 or number is None:
        for n, stretch in enumerate(stretches):
            builder.task(stretch.text, where, stretch.assignment, number=number if n == 0 else None)
        return
    # one numbered paragraph, several tasks: 2.1, 2.2 under item 2
    for n, stretch in enumerate(stretches, 1):
        builder.task(stretch.text, where, stretch.assignment, number=number, sub=n)

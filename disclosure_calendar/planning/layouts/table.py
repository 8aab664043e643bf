"""Tables: a 任务分解表 with a column of tasks and one of units (牵头单位, 责任单位 …).

The heading row says which column is which: the task (具体要求, 工作任务, 任务内容 …; when
there are two such columns, the first is the section it belongs to), the lead units
(牵头单位, 责任单位), the cooperating ones (配合单位, or 责任单位 beside a 牵头 column),
the deadline (完成时限), the number (序号). Then, row by row:

* a row with one text across the table, or a new value in the section column, is a heading;
* a task's empty unit cell is the cell above it (a merged cell read as xlsx and PDF give it;
  Word and HTML repeat the text in every row it covers, which comes to the same);
* a row shorter than the heading row lost its first cells to a merge: it is aligned right;
* the heading row repeated on a new page is skipped.

A table without a unit column (a letterhead, a signature block) is read as paragraphs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...core.i18n import gettext as _
from ..clean import squeeze
from ..document import Paragraph, Table
from ..units import Assignment, parse_assignment
from .builder import Builder
from .headings import numbering
from .numbered import read_paragraphs, unit_line
from .prose import split_prose

TASK_WORDS = (
    "具体要求",
    "工作任务",
    "任务内容",
    "主要任务",
    "重点任务",
    "工作内容",
    "工作要求",
    "具体任务",
    "具体措施",
    "工作措施",
    "任务",
    "内容",
    "措施",
    "事项",
    "项目",
)
LEAD_WORDS = (
    "牵头",
    "责任单位",
    "责任部门",
    "责任科室",
    "责任处室",
    "责任股室",
    "落实单位",
    "主责",
    "承办",
    "主办",
    "负责单位",
    "责任主体",
    "实施主体",
)
PERSON_WORDS = re.compile(r"领导|责任人|联系人|负责人|联络员|分管")
COOPERATING_WORDS = ("配合", "协办", "参与", "协助", "协同")
DEADLINE_WORDS = ("时限", "时间", "进度", "期限")
NUMBER_WORDS = ("序号", "编号")


@dataclass(frozen=True)
class Columns:
    header_rows: int
    task: int
    section: int | None
    lead: int
    cooperating: int | None
    deadline: int | None
    number: int | None
    width: int


def find_columns(rows: tuple[tuple[str, ...], ...]) -> Columns | None:
    for r, row in enumerate(rows[:4]):
        # 责任单位（排第一位的为牵头单位）: the remark in brackets is no part of the name;
        # 牵头领导, 责任人: people, not units
        cells = [
            "" if PERSON_WORDS.search(c) else re.sub(r"[（(][^（）()]*[）)]", "", c)
            for c in map(squeeze, row)
        ]
        lead = [i for i, c in enumerate(cells) if any(w in c for w in LEAD_WORDS) and len(c) <= 12]
        if not lead:
            continue
        coop = [
            i
            for i, c in enumerate(cells)
            if any(w in c for w in COOPERATING_WORDS) and len(c) <= 12
        ]
        lead_col = next((i for i in lead if "牵头" in cells[i]), lead[0])
        others = [i for i in lead if i != lead_col]
        coop_col = coop[0] if coop else (others[0] if others else None)
        deadline = next(
            (
                i
                for i, c in enumerate(cells)
                if any(w in c for w in DEADLINE_WORDS) and len(c) <= 10
            ),
            None,
        )
        number = next((i for i, c in enumerate(cells) if c in NUMBER_WORDS), None)
        used = {lead_col, coop_col, deadline, number}
        texts = [
            i for i, c in enumerate(cells) if i not in used and any(w in c for w in TASK_WORDS)
        ] or [i for i in range(len(cells)) if i not in used and i < lead_col]
        if not texts:
            continue
        # A merged heading cell over two rows repeats: the row below may be more headings
        header_rows = r + 1
        if (
            header_rows < len(rows)
            and all(
                not squeeze(c)
                or any(w in squeeze(c) for w in (*LEAD_WORDS, *COOPERATING_WORDS, *TASK_WORDS))
                for c in rows[header_rows]
            )
            and any(squeeze(c) for c in rows[header_rows])
            and rows[header_rows] != row
        ):
            pass
        return Columns(
            header_rows=header_rows,
            task=texts[-1],
            section=texts[0] if len(texts) > 1 else None,
            lead=lead_col,
            cooperating=coop_col,
            deadline=deadline,
            number=number,
            width=len(row),
        )
    return None


def read_table(table: Table, builder: Builder) -> bool:
    """Tasks of ``table``; False (nothing read) when it is not a task table."""
    cols = find_columns(table.rows)
    if cols is None:
        return False
    builder.table_mode = True
    header = [squeeze(c) for c in table.rows[cols.header_rows - 1]]
    section_title: str | None = None
    # the level of the headings written across the row (一、……): the section column's
    # unnumbered values are one level below them
    across: int | None = None
    for n, raw in enumerate(table.rows[cols.header_rows :], cols.header_rows + 1):
        # unit cells keep their line breaks: one name a line is a list (units.split_names)
        units_at = {cols.lead, cols.cooperating}
        if len(raw) < cols.width:  # merged cells lost on the left
            raw = ("",) * (cols.width - len(raw)) + tuple(raw)
        row = [c.strip() if n in units_at else squeeze(c) for n, c in enumerate(raw)]
        if not any(row) or [squeeze(c) for c in row] == header:
            continue
        where = _("{table}, row {row}").format(table=table.where, row=n)
        filled = [c for c in row if c]
        if len(set(filled)) == 1 and (len(filled) > 1 or not row[cols.task]):
            across = _heading(builder, filled[0])
            section_title = filled[0]
            continue
        if cols.section is not None and row[cols.section] and row[cols.section] != section_title:
            section_title = row[cols.section]
            _heading(builder, section_title, 0 if across is None else across + 1)
        text = row[cols.task]
        if not text:
            continue
        item = numbering(text)
        open_task = builder.open_task
        others = [c for n, c in enumerate(row) if n != cols.task and c]
        if (
            item is None
            and not others
            and open_task is not None
            and not re.search(r"[。；;！？）)]$", open_task.text)
        ):
            builder.add_text(text)  # a row cut by a page break: the rest of the cell above
            continue
        number = None
        label = row[cols.number] if cols.number is not None else ""
        if label.isdigit():
            number = int(label)
        elif label and numbering(label + "、x") is not None and not row[cols.lead]:
            _heading(builder, f"{label}、{text}")  # 序号 一, 二: a section row
            continue
        if item is not None and item.level == 0 and not row[cols.lead]:
            _heading(builder, text)  # 一、…… in the task column, nothing else: a heading
            continue
        if item is not None:
            number, text = item.number, item.rest
        units = _units(row[cols.lead])
        if cols.cooperating is not None and row[cols.cooperating]:
            coop = _units(row[cols.cooperating])
            if coop is not None:
                units = Assignment(
                    units.lead if units else coop.lead,
                    (units.cooperating if units else ())
                    + (coop.lead if units else ())
                    + coop.cooperating,
                    (units.remarks if units else ()) + coop.remarks,
                )
        if (
            open_task is not None
            and open_task.text == text
            and open_task.ref.rsplit(".", 1)[-1] == str(number or open_task.ref.rsplit(".", 1)[-1])
        ):
            if units is not None:  # a task cell merged over rows of units
                builder.give_units(units)
            continue
        if units is None and row[cols.lead]:
            builder.place(where, row[cols.lead])
        stretches = split_prose(text)
        inside = units is None and len(stretches) > 1 and all(s.assignment for s in stretches)
        if inside:
            for k, stretch in enumerate(stretches, 1):
                builder.task(stretch.text, where, stretch.assignment, number=number, sub=k)
            continue
        builder.task(text, where, units, number=number)
        if units is None:
            builder.same_as_above()
        if cols.deadline is not None and row[cols.deadline]:
            builder.add_deadline(row[cols.deadline])
    builder.close()
    return True


def _heading(builder: Builder, text: str, level: int = 0) -> int:
    """``text`` as a heading (its numbering's level, else ``level``); the level it took."""
    item = numbering(text)
    if item is not None:
        builder.heading(item.level, item.number, item.rest, None)
        return item.level
    builder.heading(level, None, text, None)
    return level


def _units(cell: str) -> Assignment | None:
    if not cell:
        return None
    return unit_line(cell) or parse_assignment(cell)


def read_cells(table: Table, builder: Builder) -> None:
    """A table that is no task table, read as the paragraphs of its cells."""
    paras = [
        Paragraph(cell, table.where)
        for row in table.rows
        for cell in dict.fromkeys(row)
        if cell.strip()
    ]
    read_paragraphs(paras, builder)

"""A document's blocks to the plan's tasks: the front matter, then the body, layout by layout."""

from __future__ import annotations

from dataclasses import replace

from .clean import squeeze
from .document import Document, Paragraph, Table
from .layouts.builder import Builder
from .layouts.front import DATE, find_date, find_title, read_preamble
from .layouts.headings import numbering
from .layouts.numbered import is_header, read_paragraphs
from .layouts.table import find_columns, read_cells, read_table
from .model import PlanText, Task
from .units import first_listed_leads


def _body_start(doc: Document) -> int:
    """The first block of the plan's body: a task table, a table copied as cells, or the
    first outermost heading (一、)."""
    for n, block in enumerate(doc.blocks):
        if isinstance(block, Table):
            if find_columns(block.rows) is not None:
                return n
            continue
        text = squeeze(block.text)
        if block.cell and (is_header(text) or numbering(text)):
            return n
        item = numbering(text)
        if item is not None and item.style == "chinese":
            return n
    return len(doc.blocks)


def _above_header(block: Document | Paragraph | Table) -> list[Paragraph]:
    """Lines a sheet holds above its heading row (附件, the title): front matter."""
    if not isinstance(block, Table):
        return []
    cols = find_columns(block.rows)
    if cols is None:
        return []
    lines = [
        dict.fromkeys(c for c in row if c.strip()) for row in block.rows[: cols.header_rows - 1]
    ]
    return [Paragraph(next(iter(line)), block.where) for line in lines if len(line) == 1]


def recognise(doc: Document) -> PlanText:
    blocks = doc.blocks
    start = _body_start(doc)
    front = [b for b in blocks[:start] if isinstance(b, Paragraph)]
    if start < len(blocks):
        front += _above_header(blocks[start])
    every = [b for b in blocks if isinstance(b, Paragraph)]
    issued, issuer = find_date(front)
    if issued is None:
        issued, issuer = find_date(every)
    title = find_title(front) or find_title(every)
    builder = Builder()
    read_preamble([p for p in front if squeeze(p.text) not in (title, issuer)], builder)
    pending: list[Paragraph] = []
    furniture = {title, issuer}
    for block in blocks[start:]:
        if isinstance(block, Paragraph):
            text = squeeze(block.text)
            if text in furniture or (DATE.match(text) and len(text) <= 20):
                continue  # the signature and date under the body
            pending.append(block)
            continue
        if pending:
            read_paragraphs(pending, builder)
            pending = []
        if not read_table(block, builder):
            read_cells(block, builder)
    if pending:
        read_paragraphs(pending, builder)
    builder.close()
    tasks, unplaced = tuple(builder.tasks), tuple(builder.unplaced)
    headers = [c for b in blocks if isinstance(b, Table) for row in b.rows[:4] for c in row]
    if any(first_listed_leads(t) for t in [p.text for p in every] + headers):
        tasks = tuple(_first_leads(t) for t in tasks)
        unplaced = tuple(u for u in unplaced if not first_listed_leads(u.text))
    return PlanText(
        source=doc.source,
        title=title,
        issuer=issuer,
        issued=issued,
        sections=tuple(builder.sections),
        tasks=tasks,
        unplaced=unplaced,
    )


def _first_leads(task: Task) -> Task:
    """注：排在第一位的为牵头单位: the first of several units leads, the others help."""
    if len(task.lead_units) < 2:
        return task
    return replace(
        task,
        lead_units=task.lead_units[:1],
        cooperating_units=tuple(dict.fromkeys(task.lead_units[1:] + task.cooperating_units)),
    )

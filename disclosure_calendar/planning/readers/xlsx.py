"""Excel (.xlsx) with openpyxl: each sheet a table, merged cells empty after their first.

A sheet's title row (one text across the top, as a merged cell) comes out as a paragraph
before the table, so the plan's title is found where a reader sees it.
"""

from __future__ import annotations

import io

from ...core.i18n import gettext as _
from ..clean import clean_text
from ..document import Block, Document, Paragraph, Table


def read_xlsx(data: bytes, source: str) -> Document:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    blocks: list[Block] = []
    for sheet in book.worksheets:
        rows: list[tuple[str, ...]] = []
        for values in sheet.iter_rows(values_only=True):
            row = tuple(clean_text(str(v)) if v is not None else "" for v in values)
            while row and not row[-1]:
                row = row[:-1]
            if any(row):
                rows.append(row)
        where = _("sheet {name}").format(name=sheet.title)
        # title lines above the table: rows of one cell before the first wide row
        while (
            rows
            and sum(1 for c in rows[0] if c) == 1
            and len(rows) > 1
            and sum(1 for c in rows[1] if c) > 1
        ):
            blocks.append(Paragraph(next(c for c in rows[0] if c), where))
            rows.pop(0)
        if rows:
            width = max(len(r) for r in rows)
            blocks.append(Table(tuple(r + ("",) * (width - len(r)) for r in rows), where))
    book.close()
    return Document(source, tuple(blocks))

"""Tables for spreadsheets: CSV that Excel opens as UTF-8, and .xlsx workbooks (openpyxl)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .files import write_atomic
from .table import width

# Excel on Chinese Windows reads a CSV without a byte order mark as GBK: the BOM says UTF-8.
BOM = "\ufeff"

Cell = str | int | float | dt.date | None


@dataclass(frozen=True)
class Sheet:
    """One view: a title (the sheet's tab), the header row and the rows."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Cell]]


def csv_text(headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> str:
    """CSV with a BOM and a header row; dates ISO, no trailing newline (the CLI adds one)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(
            ["" if c is None else c.isoformat() if isinstance(c, dt.date) else c for c in row]
        )
    return BOM + buffer.getvalue().rstrip("\r\n")


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """A workbook, one sheet per view: bold header row frozen, dates as dates, widths fitted."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        ws = book.create_sheet(title=sheet.title[:31])
        ws.append(list(sheet.headers))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in sheet.rows:
            ws.append(list(row))
        for row_cells in ws.iter_rows(min_row=2):
            for cell in row_cells:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
                elif isinstance(cell.value, str) and cell.value.startswith("="):
                    # openpyxl stores such text as a formula: a cell is data, never code
                    cell.data_type = "s"
        ws.freeze_panes = "A2"
        for index, header in enumerate(sheet.headers):
            texts = [header, *(_shown(r[index]) for r in sheet.rows)]
            letter = ws.cell(row=1, column=index + 1).column_letter
            # CJK characters take two columns; a little air, and a cap for long titles
            ws.column_dimensions[letter].width = min(max(width(t) for t in texts) + 2, 60)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _shown(value: Cell) -> str:
    if isinstance(value, dt.date):
        return "2026-01-01"
    return "" if value is None else str(value)


def write_xlsx(path: Path, sheets: Sequence[Sheet]) -> None:
    write_atomic(path, xlsx_bytes(sheets))

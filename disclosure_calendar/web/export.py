"""GET /coordinator/export.csv and .xlsx: the dashboard's selection, one row per unit and
occurrence.

The CSV is UTF-8 with a byte-order mark, so Excel on a Chinese Windows opens it without
mojibake; the xlsx has real dates and numbers, a frozen header row and a filter.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from starlette.requests import Request
from starlette.responses import Response

from ..core.sheets import Sheet, xlsx_bytes
from ..schedule.periods import describe
from .base import Refused, refusal, require
from .dashboard import selected_items

HEADER = ["单位代码", "单位", "编号", "事项", "周期", "到期日", "状态", "完成日期", "逾期天数", "公开网址"]  # fmt: skip


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A cell starting with = + - @ is a formula to a spreadsheet: never let data run as one.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _rows(request: Request) -> tuple[str, list[list[object]]]:
    """The file name (without suffix) and the rows, dates as dates and counts as numbers."""
    plan, chosen, items = selected_items(request)
    schedule = plan.schedule
    rows: list[list[object]] = [
        [
            i.unit, schedule.name(i.unit), i.occ.duty.ref, i.occ.duty.title,
            describe(i.occ.period), i.occ.due, i.state_words,
            i.done.on if i.done else None, i.days_late or None,
            i.done.url if i.done else None,
        ]
        for i in sorted(items, key=lambda i: (i.occ.due, i.unit, i.uid))
    ]  # fmt: skip
    return f"disclosure-{chosen.year}{'-' + chosen.unit if chosen.unit else ''}", rows


def _download(body: bytes | str, media_type: str, name: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def export_csv(request: Request) -> Response:
    try:
        require(request, coordinator=True)
    except Refused as refused:
        return refusal(request, refused)
    name, rows = _rows(request)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow(_cell(v.isoformat() if isinstance(v, dt.date) else v) for v in row)
    return _download("\ufeff" + out.getvalue(), "text/csv; charset=utf-8", name + ".csv")


def export_xlsx(request: Request) -> Response:
    try:
        require(request, coordinator=True)
    except Refused as refused:
        return refusal(request, refused)
    name, rows = _rows(request)
    data = xlsx_bytes([Sheet("完成情况", HEADER, rows)])  # type: ignore[arg-type]
    media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _download(data, media, name + ".xlsx")

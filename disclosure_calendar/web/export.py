"""GET /coordinator/export.csv: the dashboard's selection, one row per unit and occurrence.

UTF-8 with a byte-order mark, so Excel on a Chinese Windows opens it without mojibake.
"""

from __future__ import annotations

import csv
import io

from starlette.requests import Request
from starlette.responses import Response

from ..schedule.periods import describe
from .base import Refused, refusal, require
from .dashboard import selected_items

HEADER = ["单位代码", "单位", "编号", "事项", "周期", "到期日", "状态", "完成日期", "逾期天数", "公开网址"]  # fmt: skip


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A cell starting with = + - @ is a formula to a spreadsheet: never let data run as one.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_csv(request: Request) -> Response:
    try:
        require(request, coordinator=True)
    except Refused as refused:
        return refusal(request, refused)
    plan, chosen, items = selected_items(request)
    schedule = plan.schedule
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for i in sorted(items, key=lambda i: (i.occ.due, i.unit, i.uid)):
        writer.writerow(
            _cell(v)
            for v in (
                i.unit, schedule.name(i.unit), i.occ.duty.ref, i.occ.duty.title,
                describe(i.occ.period), i.occ.due.isoformat(), i.state_words,
                i.done.on.isoformat() if i.done else "", i.days_late or "",
                i.done.url if i.done else "",
            )
        )  # fmt: skip
    name = f"disclosure-{chosen.year}{'-' + chosen.unit if chosen.unit else ''}.csv"
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )

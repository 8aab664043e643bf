"""Figures written by hand for the document tests: six units, two overdue items, one provisional."""

from __future__ import annotations

import datetime as dt

from disclosure_calendar.reports.figures import (
    Figures,
    OverdueItem,
    Totals,
    UnitFigures,
    quarter_period,
)
from disclosure_calendar.reports.settings import ReportSettings

PLAN_TITLE = "中山市贯彻落实省政府办公厅2017年政务公开工作要点分工方案"
ISSUER = "中山市人民政府办公室"

UNITS = (
    UnitFigures("finance", "市财政局", 10, 1, 0, 1),
    UnitFigures("development_reform", "市发展和改革局", 12, 0, 0, 0),
    UnitFigures("education", "市教育局", 5, 2, 1, 3),
    UnitFigures("statistics", "市统计局", 0, 0, 2, 0),
    UnitFigures("archives", "市档案馆", 0, 0, 0, 0),
    UnitFigures("torch_zone", "火炬开发区管委会", 7, 3, 0, 2),
)
OVERDUE = (
    OverdueItem(
        "education", "市教育局", "1.3", "一般公共预算收支完成情况", "2026-08", "2026年8月",
        dt.date(2026, 9, 8), 21, False,
    ),
    OverdueItem(
        "torch_zone", "火炬开发区管委会", "10.1", "重大建设项目批准和实施信息", "2026Q3",
        "2026年第3季度",
        dt.date(2026, 9, 30), 6, True,
    ),
)  # fmt: skip


def figures(**changes: object) -> Figures:
    base = {
        "period": quarter_period(2026, 3),
        "as_of": dt.date(2026, 10, 12),
        "units": UNITS,
        "overdue": OVERDUE,
        "previous": Totals(30, 5, 0, 4),
        "provisional": 3,
    }
    base.update(changes)
    return Figures(**base)  # type: ignore[arg-type]


SETTINGS = ReportSettings(copy_to="市委办公室，市人大常委会办公室", printed_by=ISSUER)

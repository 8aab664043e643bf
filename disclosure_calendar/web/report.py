"""GET /coordinator/report.{docx,pdf,xlsx,json}: the notice for the dashboard's year
and quarter (and unit, if one is chosen), as `disclosure-calendar report` writes it."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

from ..core.errors import DisclosureError
from ..reports.compute import compute_figures
from ..reports.figures import quarter_period, year_period
from ..reports.notice import FORMATS, file_name, render_notice
from ..reports.settings import load_settings
from .base import Refused, ledger_view, refusal, render, require, site_of
from .export import _download

MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json; charset=utf-8",
}


def report(request: Request) -> Response:
    try:
        require(request, coordinator=True)
    except Refused as refused:
        return refusal(request, refused)
    fmt = request.path_params["format"]
    if fmt not in FORMATS:
        return refusal(request, Refused(404, "找不到页面", "没有这种格式的通报。"))
    site = site_of(request)
    plan = site.plan()
    schedule = plan.schedule
    today = site.today()
    query = request.query_params
    years = range(plan.first_year, plan.first_year + 3)
    year_text, quarter = query.get("year", ""), query.get("quarter", "")
    year = int(year_text) if year_text.isdigit() and int(year_text) in years else today.year
    period = (
        quarter_period(year, int(quarter)) if quarter in ("1", "2", "3", "4") else year_period(year)
    )
    unit = query.get("unit") or None
    if unit is not None and unit not in {u.id for u in schedule.units}:
        unit = None
    try:
        settings = load_settings(Path(schedule.path))
        figures = compute_figures(
            schedule, plan.calendar, ledger_view(request).done(), period, today, scope=unit
        )
        data = render_notice(
            figures,
            settings,
            fmt,
            plan_title=schedule.plan.title,
            issuer=schedule.plan.issuer,
            scope_name=schedule.name(unit) if unit else None,
        )
    except DisclosureError as exc:  # report.yaml mistyped, a font missing: say what
        return render(
            request, "message.html", {"heading": "无法生成通报", "message": str(exc)}, 500
        )
    return _download(data, MEDIA[fmt], file_name(figures, fmt))

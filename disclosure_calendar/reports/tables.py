"""The notice's figures as data for further work: JSON in the shape of ``status --format json``
(plus the period, the totals, the period before and the overdue list), and an .xlsx workbook."""

from __future__ import annotations

import json

from disclosure_calendar.core.i18n import gettext as _

from ..core.sheets import Sheet, xlsx_bytes
from .figures import Figures, ReportPeriod, Totals


def _rate(rate: float | None) -> float | None:
    return None if rate is None else round(rate, 4)


def _period(period: ReportPeriod) -> dict[str, str]:
    return {
        "code": period.code,
        "kind": period.kind,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "words": period.words,
    }


def _totals(totals: Totals) -> dict[str, object]:
    return {
        "due": totals.due,
        "on_time": totals.on_time,
        "late": totals.late,
        "open": totals.open,
        "overdue": totals.overdue,
        "on_time_rate": _rate(totals.rate),
    }


def figures_dict(figures: Figures) -> dict[str, object]:
    return {
        "period": _period(figures.period),
        "as_of": figures.as_of.isoformat(),
        "scope": figures.scope,
        # Ranked by on-time rate as in the notice; units with nothing due last.
        "units": [u.as_json() for u in (*figures.ranked, *figures.idle)],
        "totals": _totals(figures.totals),
        "previous": None
        if figures.previous is None
        else {"period": _period(figures.period.previous()), **_totals(figures.previous)},
        "overdue": [
            {
                "unit": i.unit,
                "name": i.name,
                "ref": i.ref,
                "title": i.title,
                "period": i.period,
                "due": i.due.isoformat(),
                "workdays_overdue": i.workdays_overdue,
                "provisional": i.provisional,
            }
            for i in figures.overdue
        ],
        "provisional": figures.provisional,
    }


def figures_json(figures: Figures) -> str:
    return json.dumps(figures_dict(figures), ensure_ascii=False, indent=2)


def figures_sheets(figures: Figures) -> list[Sheet]:
    """Three sheets: the totals against the period before, the units, the overdue list."""
    now, before = figures.totals, figures.previous
    rows: list[list[str | int | float | None]] = []
    for label, key in (
        (_("fallen due"), "due"),
        (_("on time"), "on_time"),
        (_("late"), "late"),
        (_("overdue"), "overdue"),
        (_("open"), "open"),
        (_("on-time rate"), "rate"),
    ):
        this = getattr(now, key)
        that = None if before is None else getattr(before, key)
        if key == "rate":
            this, that = _rate(this), _rate(that)
        rows.append([label, this, that])
    overall = Sheet(
        _("overall"),
        [_("figure"), figures.period.words, figures.period.previous().words],
        rows,
    )
    units = Sheet(
        _("units"),
        [
            _("rank"),
            _("unit"),
            _("name"),
            _("fallen due"),
            _("on time"),
            _("late"),
            _("overdue"),
            _("open"),
            _("on-time rate"),
        ],  # fmt: skip
        [
            [
                n if u.rate is not None else None,
                u.unit,
                u.name,
                u.due,
                u.on_time,
                u.late,
                u.overdue,
                u.open,
                _rate(u.rate),
            ]  # fmt: skip
            for n, u in enumerate((*figures.ranked, *figures.idle), 1)
        ],
    )
    overdue = Sheet(
        _("overdue"),
        [
            _("unit"),
            _("name"),
            _("ref"),
            _("title"),
            _("period"),
            _("due"),
            _("working days overdue"),
            _("provisional"),
        ],  # fmt: skip
        [
            [
                i.unit,
                i.name,
                i.ref,
                i.title,
                i.period,
                i.due,
                i.workdays_overdue,
                _("yes") if i.provisional else "",
            ]  # fmt: skip
            for i in figures.overdue
        ],
    )
    return [overall, units, overdue]


def figures_xlsx(figures: Figures) -> bytes:
    return xlsx_bytes(figures_sheets(figures))

"""Short references people type for duties and periods: ``5.7``, ``2026Q1``, ``2026-03``."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from disclosure_calendar.core.i18n import N_
from disclosure_calendar.core.i18n import gettext as _

from ..core.errors import DisclosureError
from .model import Duty, Schedule
from .selfcheck import ID_PREFIX


def find_duty(
    schedule: Schedule,
    ref: str,
    *,
    unit: str | None = None,
    accept: Callable[[Duty], bool] | None = None,
    what: str = N_("duty"),
    refused: str = N_("cannot be used here"),
) -> Duty:
    """The duty ``ref`` names: its id, its plan ref ("5.7") or ``self-check`` (with a unit).

    A ref shared by several duties (7.4 is monthly, quarterly and yearly) is narrowed by
    ``accept`` (e.g. event duties only) and ``unit``; still ambiguous, the error lists ids.
    """
    for duty in schedule.duties:
        if duty.id == ref:
            return duty
    if ref == ID_PREFIX:
        candidates = [d for d in schedule.duties if d.is_self_check]
    else:
        candidates = [d for d in schedule.duties if d.ref == ref and not d.is_self_check]
    if not candidates:
        raise DisclosureError(
            _(
                "unknown {what} {ref!r}: give a duty id or a plan ref like 5.7 "
                "(see `disclosure-calendar duties`)"
            ).format(what=_(what), ref=ref)
        )
    if accept is not None:
        fitting = [d for d in candidates if accept(d)]
        if not fitting:
            ids = ", ".join(d.id for d in candidates)
            raise DisclosureError(
                _("{ref}: {ids}: {refused}").format(ref=ref, ids=ids, refused=_(refused))
            )
        candidates = fitting
    if unit is not None and len(candidates) > 1:
        candidates = [d for d in candidates if unit in schedule.unit_ids_of(d)] or candidates
    if len(candidates) > 1:
        ids = ", ".join(d.id for d in candidates[:4])
        if len(candidates) > 4:
            ids += _(" ... ({count} in all)").format(count=len(candidates))
        if ref == ID_PREFIX:
            text = _("{ref} names {count} duties: {ids}; give the id or give --unit")
        else:
            text = _("{ref} names {count} duties: {ids}; give the id")
        raise DisclosureError(text.format(ref=ref, count=len(candidates), ids=ids))
    return candidates[0]


_QUARTER = re.compile(r"(\d{4})-?[Qq]([1-4])")
_HALF = re.compile(r"(\d{4})-?[Hh]([12])")
_WEEK = re.compile(r"(\d{4})-?[Ww](\d{1,2})")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_YEAR = re.compile(r"\d{4}")
_EXAMPLES = {
    "monthly": N_("a month like 2026-03"),
    "quarterly": N_("a quarter like 2026Q1"),
    "half-yearly": N_("a half-year like 2026H1"),
    "yearly": N_("a year like 2026"),
    "weekly": N_("an ISO week like 2026-W05"),
    "daily": N_("a date like 2026-03-02"),
    "event": N_("the event's date like 2026-03-02"),
}


def period_label(duty: Duty, text: str | None) -> str:
    """The period label of ``duty`` that ``text`` names, in the form UIDs use."""
    if duty.cadence == "once":
        if text not in (None, "once"):
            raise DisclosureError(
                _("{duty} is a one-off task: it has no period").format(duty=duty.id)
            )
        return "once"
    if duty.cadence == "ongoing":
        raise DisclosureError(
            _("{duty} is a standing duty: mark its unit's self-check instead").format(duty=duty.id)
        )
    wanted = _(_EXAMPLES[duty.cadence])
    if text is None:
        raise DisclosureError(
            _("{duty} is {cadence}: give {wanted}").format(
                duty=duty.id, cadence=duty.cadence, wanted=wanted
            )
        )
    label = _label(duty.cadence, text.strip())
    if label is None:
        raise DisclosureError(
            _("{text!r}: {duty} is {cadence}, give {wanted}").format(
                text=text, duty=duty.id, cadence=duty.cadence, wanted=wanted
            )
        )
    return label


def _label(cadence: str, text: str) -> str | None:
    if cadence == "quarterly" and (m := _QUARTER.fullmatch(text)):
        return f"{m[1]}-Q{m[2]}"
    if cadence == "half-yearly" and (m := _HALF.fullmatch(text)):
        return f"{m[1]}-H{m[2]}"
    if cadence == "weekly" and (m := _WEEK.fullmatch(text)) and 1 <= int(m[2]) <= 53:
        return f"{m[1]}-W{int(m[2]):02d}"
    if cadence == "monthly" and (m := _MONTH.fullmatch(text)) and 1 <= int(m[2]) <= 12:
        return f"{m[1]}-{int(m[2]):02d}"
    if cadence == "yearly" and _YEAR.fullmatch(text):
        return text
    if cadence in ("daily", "event"):
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            return None
        return day.isoformat() if cadence == "daily" else f"event-{day.isoformat()}"
    return None

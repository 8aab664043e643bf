"""Checks the loader makes beside reading schedule.yaml: ids the program reserves, a duty's
``units:`` list, and one-off dates the working-day calendar cannot give a working day for.

Each was a file that validate passed and a later stage got wrong: a unit ``coordinator``
folded into the coordinator's digest, ``all`` refused by the build (``all.ics``), a unit listed
50,000 times expanded 50,000 times, ``fixed_date: 2004-01-01, roll: preceding`` stopping the
build without file:line.
"""

from __future__ import annotations

from yaml.nodes import Node

from disclosure_calendar.core.i18n import gettext as _

from ..workdays.calendar import WorkdayCalendar
from ..workdays.notices import MAX_YEAR, MIN_YEAR, CalendarRangeError
from .periods import single
from .rules import FixedDate, WorkdaysAfterDate
from .yamlsource import Checker

# Unit ids the program gives a meaning: the coordinator's digest and channels, the feed of all.
RESERVED_UNIT_IDS = ("coordinator", "all")


def is_reserved(c: Checker, node: Node, uid: str) -> bool:
    """True, after saying so, when ``uid`` is an id a unit may not have."""
    if uid not in RESERVED_UNIT_IDS:
        return False
    c.problem(
        node,
        _(
            "unit id {id!r} is reserved (coordinator: the coordinator's reminders; all: "
            "all.ics, the feed of every unit); choose another id"
        ).format(id=uid),
    )
    return True


def read_duty_units(c: Checker, node: Node, where: str, known: set[str]) -> list[str]:
    """A duty's ``units:``: each known unit or group once; a repeat is one problem at its line
    however often it is repeated, an unknown name one problem each."""
    units: list[str] = []
    listed: dict[str, Node] = {}
    repeated: set[str] = set()
    for unit_node in c.sequence(node, f"{where}: units"):
        unit = c.string(unit_node, f"{where}: unit")
        if unit and unit in listed:
            if unit not in repeated:
                repeated.add(unit)
                c.problem(
                    unit_node,
                    _("{where}: {unit!r} is listed twice in units (first on line {line})").format(
                        where=where, unit=unit, line=c.where(listed[unit]).line
                    ),
                )
            continue
        if unit:
            listed[unit] = unit_node
        if unit and unit not in known:
            c.problem(
                unit_node,
                _("{where}: unknown unit or group {unit!r}").format(where=where, unit=unit),
            )
        elif unit:
            units.append(unit)
    if not units and not c.sequence(node, f"{where}: units"):
        c.problem(
            node, _("{where}: units must name at least one unit or group").format(where=where)
        )
    return units


def check_once_dates(
    c: Checker, dated: list[tuple[str, Node, FixedDate | WorkdaysAfterDate]], cal: WorkdayCalendar
) -> None:
    """A one-off duty's date needs a working day within the calendar's years."""
    for where, node, rule in dated:
        if gives_no_workday(rule, cal):
            c.problem(
                node,
                _(
                    "{where}: due: {rule} gives no working day within the calendar's years "
                    "{first}-{last}"
                ).format(where=where, rule=rule.describe(), first=MIN_YEAR, last=MAX_YEAR),
            )


def gives_no_workday(rule: FixedDate | WorkdaysAfterDate, cal: WorkdayCalendar) -> bool:
    """True if a one-off ``rule`` falls outside the working days the calendar can give."""
    try:
        rule.due(single("once", rule.date, "once"), cal)
    except CalendarRangeError:
        return True
    return False

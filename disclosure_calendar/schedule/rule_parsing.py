"""Reading a due-date rule from schedule.yaml: one parser per rule kind, and the RULES table
naming each kind, the cadences it fits and its parser (the rules themselves are in ``rules``).

A new rule kind is a class in ``rules`` and a parser and a RULES entry here.
"""

from __future__ import annotations

import calendar as _calendar
from collections.abc import Callable
from dataclasses import dataclass

from yaml.nodes import Node, SequenceNode

from disclosure_calendar.core.i18n import gettext as _

from .periods import PERIODIC
from .rules import (
    _MIN_WORKDAYS,
    ROLLS,
    ByDate,
    FixedDate,
    FixedDay,
    Rule,
    RuleVersion,
    WorkdayOfPeriod,
    WorkdaysAfterDate,
    WorkdaysAfterEvent,
    WorkdaysAfterPeriod,
)
from .yamlsource import Checker


def _parse_after_period(c: Checker, f: dict[str, Node], cadence: str) -> Rule | None:
    n = c.integer(f["n"], "due.n", 1, 250) if "n" in f else None
    return WorkdaysAfterPeriod(n) if n is not None else None


def _parse_roll(c: Checker, f: dict[str, Node], default: str) -> str | None:
    if "roll" not in f:
        return default
    roll = c.string(f["roll"], "due.roll") or default
    if roll not in ROLLS:
        c.problem(
            f["roll"],
            _("due.roll: unknown roll {roll!r} (expected {rolls})").format(
                roll=roll, rolls=", ".join(ROLLS)
            ),
        )
        return None
    return roll


def _parse_fixed_day(c: Checker, f: dict[str, Node], cadence: str) -> Rule | None:
    day = c.integer(f["day"], "due.day", 1, 31) if "day" in f else None
    roll = _parse_roll(c, f, "following")
    if roll is None:
        return None
    same_year = False
    if "year" in f:
        year = c.string(f["year"], "due.year")
        if year not in ("same", "next"):
            c.problem(f["year"], _("due.year: 'same' (the period's own year) or 'next'"))
            return None
        if "month" not in f:
            c.problem(f["year"], _("due.year: only with month"))
            return None
        same_year = year == "same"
    month = None
    if "month" in f:
        if cadence != "yearly":
            c.problem(
                f["month"], _("due.month: only yearly duties name a month (of the next year)")
            )
            return None
        month = c.integer(f["month"], "due.month", 1, 12)
        if month is None:
            return None
        if day is not None and day > _calendar.monthrange(2024, month)[1]:
            c.problem(
                f["day"],
                _("due.day: month {month} has no day {day}: this rule gives no date").format(
                    month=month, day=day
                ),
            )
            return None
    return FixedDay(day, roll, month, same_year) if day is not None else None


def _parse_fixed_date(c: Checker, f: dict[str, Node], cadence: str) -> Rule | None:
    day = c.date(f["date"], "due.date") if "date" in f else None
    roll = _parse_roll(c, f, "preceding")
    return FixedDate(day, roll) if day is not None and roll is not None else None


def _parse_of_period(c: Checker, f: dict[str, Node], cadence: str) -> Rule | None:
    if "n" not in f:
        return None
    limit = _MIN_WORKDAYS.get(cadence, 1)
    n = c.integer(f["n"], "due.n", -limit, limit)
    if n == 0:
        c.problem(f["n"], _("due.n: 0 is no working day; use 1 for the first, -1 for the last"))
        return None
    return WorkdayOfPeriod(n) if n is not None else None


def _parse_after_date(c: Checker, f: dict[str, Node], cadence: str) -> Rule | None:
    day = c.date(f["date"], "due.date") if "date" in f else None
    n = c.integer(f["n"], "due.n", 0, 2500) if "n" in f else None
    return WorkdaysAfterDate(day, n) if day is not None and n is not None else None


def _parse_after_event(c: Checker, f: dict[str, Node], cadence: str) -> Rule | None:
    n = c.integer(f["n"], "due.n", 0, 250) if "n" in f else None
    return WorkdaysAfterEvent(n) if n is not None else None


_VERSION_KEYS = ("from", "basis", "extension")


def _parse_by_date(c: Checker, f: dict[str, Node], cadence: str) -> Rule | None:
    versions: list[RuleVersion] = []
    ok = True
    nodes = c.sequence(f["versions"], "due.versions")
    if not nodes:
        if isinstance(f["versions"], SequenceNode):
            c.problem(f["versions"], _("due.versions: list at least one version"))
        return None
    for i, node in enumerate(nodes):
        what = f"due.versions[{i}]"
        fields = c.mapping(node, what)
        if fields is None:
            ok = False
            continue
        if "from" not in fields:
            c.problem(node, _("{what}: missing key 'from'").format(what=what))
            ok = False
            continue
        start = c.date(fields["from"], f"{what}.from")
        basis = c.string(fields["basis"], f"{what}.basis") if "basis" in fields else None
        extension = (
            c.integer(fields["extension"], f"{what}.extension", 1, 250)
            if "extension" in fields
            else None
        )
        inner = {k: v for k, v in fields.items() if k not in _VERSION_KEYS}
        rule = _parse_fields(c.prefixed(f"{what}: "), node, inner, cadence, nested=True)
        if (
            start is None
            or rule is None
            or ("basis" in fields and basis is None)
            or ("extension" in fields and extension is None)
        ):
            ok = False
            continue
        if versions and start <= versions[-1].start:
            c.problem(
                fields["from"],
                _("{what}.from: {day} is not after the previous version's {previous}").format(
                    what=what, day=start, previous=versions[-1].start
                ),
            )
            ok = False
            continue
        versions.append(RuleVersion(start, rule, basis, extension))
    return ByDate(tuple(versions)) if ok and versions else None


_Parser = Callable[[Checker, dict[str, Node], str], "Rule | None"]


@dataclass(frozen=True)
class RuleKind:
    parse: _Parser
    required: tuple[str, ...]
    optional: tuple[str, ...]
    cadences: tuple[str, ...]


RULES: dict[str, RuleKind] = {
    "workdays_after_period": RuleKind(_parse_after_period, ("n",), (), PERIODIC),
    "fixed_day": RuleKind(
        _parse_fixed_day,
        ("day",),
        ("roll", "month", "year"),
        ("monthly", "quarterly", "half-yearly", "yearly"),
    ),
    "workday_of_period": RuleKind(_parse_of_period, ("n",), (), PERIODIC),
    "workdays_after_date": RuleKind(_parse_after_date, ("date", "n"), (), ("once",)),
    "workdays_after_event": RuleKind(_parse_after_event, ("n",), (), ("event",)),
    "fixed_date": RuleKind(_parse_fixed_date, ("date",), ("roll",), ("once",)),
    "by_date": RuleKind(_parse_by_date, ("versions",), (), (*PERIODIC, "once", "event")),
}


def parse_rule(c: Checker, node: Node, cadence: str | None) -> Rule | None:
    """The rule in a ``due:`` mapping, or None after reporting what is wrong."""
    fields = c.mapping(node, "due")
    if fields is None:
        return None
    return _parse_fields(c, node, fields, cadence)


def _parse_fields(
    c: Checker, node: Node, fields: dict[str, Node], cadence: str | None, *, nested: bool = False
) -> Rule | None:
    """The rule the keys of a ``due:`` mapping (or of one ``by_date`` version) describe."""
    if "rule" not in fields:
        c.problem(
            node, _("due: missing key 'rule' (one of: {rules})").format(rules=", ".join(RULES))
        )
        return None
    name = c.string(fields["rule"], "due.rule")
    if name is None:
        return None
    kind = RULES.get(name)
    if nested and name == ByDate.name:
        c.problem(fields["rule"], _("due.rule: a by_date version cannot be by_date itself"))
        return None
    if kind is None:
        c.problem(
            fields["rule"],
            _("due.rule: unknown rule {name!r} (expected one of: {rules})").format(
                name=name, rules=", ".join(RULES)
            ),
        )
        return None
    known = {"rule", *kind.required, *kind.optional}
    ok = True
    for key in fields:
        if key not in known:
            c.problem(
                node,
                _("due: rule {name} has no field {key!r} (fields: {fields})").format(
                    name=name, key=key, fields=", ".join(sorted(known))
                ),
            )
            ok = False
    for key in kind.required:
        if key not in fields:
            c.problem(node, _("due: rule {name} needs field {key!r}").format(name=name, key=key))
            ok = False
    if cadence is not None and cadence not in kind.cadences:
        c.problem(
            fields["rule"],
            _("due.rule: {name} does not fit cadence {cadence!r} (fits: {fits})").format(
                name=name, cadence=cadence, fits=", ".join(kind.cadences)
            ),
        )
        ok = False
    if not ok:
        return None
    return kind.parse(c, fields, cadence or "")

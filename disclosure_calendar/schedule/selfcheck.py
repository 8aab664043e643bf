"""Standing duties reviewed in periodic self-checks (自查): one per unit and period.

A standing (``ongoing``) duty has no due date, but the plan says the office will check it
(市政府办公室将适时对落实情况进行专项督查). So each unit gets one self-check duty per review
cadence listing all its standing duties: a town clerk sees one quarterly 自查 on the
calendar, not one event per duty. ``defaults: review:`` sets the cadence and due rule; a
duty may opt out (``review: false``) or use another cadence (``review: {cadence: monthly}``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from yaml.nodes import Node, ScalarNode

from disclosure_calendar.core.i18n import gettext as _

from .model import Defaults, Duty, Review, Schedule
from .periods import CADENCE_NAMES, PERIODIC
from .rule_parsing import parse_rule
from .yamlsource import Checker

if TYPE_CHECKING:
    from .rules import Rule

# The self-check's place among the plan's items: beside 0.3, the inspection it prepares for.
REF = "0.3"
ID_PREFIX = "self-check"
TITLE = "常态化任务自查"
BASIS = "适时对落实情况进行专项督查"
DEFAULT_ASSUMPTION = "方案未定自查周期，此周期与截止日为推定"


def parse_review(
    c: Checker, node: Node, what: str, base: Review | None, *, required: bool
) -> Review | None:
    """A ``review:`` mapping; fields left out come from ``base`` (the defaults)."""
    need = ("cadence", "due", "assumption") if required else ("cadence",)
    f = c.mapping(node, what, required=need, optional=("due", "assumption"))
    if f is None or "cadence" not in f:
        return None
    cadence = c.string(f["cadence"], f"{what}.cadence")
    if cadence is None:
        return None
    if cadence not in PERIODIC:
        c.problem(
            f["cadence"],
            _("{what}.cadence: {cadence!r} is not periodic (expected {cadences})").format(
                what=what, cadence=cadence, cadences=", ".join(PERIODIC)
            ),
        )
        return None
    if "due" in f:
        due = parse_rule(c.prefixed(f"{what}: "), f["due"], cadence)
    elif base is not None:
        # The default rule must also fit this cadence: re-check it as if written here.
        due = base.due if base.cadence == cadence else _refit(c, node, what, base, cadence)
    else:
        c.problem(
            node,
            _("{what}: give a due rule (no defaults: review: to take it from)").format(what=what),
        )
        return None
    if due is None:
        return None
    if "assumption" in f:
        assumption = c.string(f["assumption"], f"{what}.assumption")
    else:
        assumption = base.assumption if base else DEFAULT_ASSUMPTION
    return Review(cadence, due, assumption) if assumption else None


def _refit(c: Checker, node: Node, what: str, base: Review, cadence: str) -> Rule | None:
    from .rule_parsing import RULES
    from .rules import _MIN_WORKDAYS

    kind = RULES[base.due.name]
    n = getattr(base.due, "n", 1)
    if cadence not in kind.cadences or abs(n) > _MIN_WORKDAYS.get(cadence, 1):
        c.problem(
            node,
            _(
                "{what}: the default due rule ({rule}) does not fit cadence {cadence!r}; "
                "give one (due: {{rule: ...}})"
            ).format(what=what, rule=base.due.name, cadence=cadence),
        )
        return None
    return base.due


def duty_review(
    c: Checker, node: Node | None, where: str, cadence: str | None, defaults: Defaults
) -> Review | None:
    """The review of one duty: the default for a standing duty, its own, or none."""
    if node is None:
        return defaults.review if cadence == "ongoing" else None
    if cadence != "ongoing":
        c.problem(
            node,
            _("{where}: review: only standing (ongoing) duties are reviewed").format(where=where),
        )
        return None
    if isinstance(node, ScalarNode):
        if c.boolean(node, f"{where}: review") is True:
            c.problem(
                node,
                _("{where}: review: write false to opt out, or {{cadence: ...}}").format(
                    where=where
                ),
            )
        return None
    return parse_review(c, node, f"{where}: review", defaults.review, required=False)


def add_self_checks(schedule: Schedule) -> Schedule:
    """The schedule with one self-check duty per unit and review, after the plan's duties."""
    default = schedule.defaults.review
    # One pass over the duties, not one per unit: a province has thousands of both.
    reviewed: dict[str, dict[Review, list[Duty]]] = {u.id: {} for u in schedule.units}
    # Event duties, listed in the default self-check with their rule: a unit learns of a duty
    # like 5.7 before its first event, which alone would put it on the calendar.
    on_event: dict[str, list[Duty]] = {u.id: [] for u in schedule.units}
    for duty in schedule.duties:
        if duty.review is not None:
            for unit_id in schedule.unit_ids_of(duty):
                reviewed[unit_id].setdefault(duty.review, []).append(duty)
        elif duty.cadence == "event" and default is not None:
            for unit_id in schedule.unit_ids_of(duty):
                on_event[unit_id].append(duty)
    checks: list[Duty] = []
    for unit in schedule.units:
        if on_event[unit.id] and default is not None:
            reviewed[unit.id].setdefault(default, [])
        for review, standing in reviewed[unit.id].items():
            if review == default:
                duty_id = f"{ID_PREFIX}-{unit.id}"
                events = on_event[unit.id]
            else:
                duty_id = f"{ID_PREFIX}-{review.cadence}-{unit.id}"
                events = []
            checks.append(_self_check(schedule, duty_id, unit.id, review, standing, events))
    ids = [d.id for d in checks]
    if len(set(ids)) != len(ids):
        # Two reviews of one cadence with different rules for one unit: they would share an id.
        from ..core.errors import DisclosureError

        twice = sorted({i for i in ids if ids.count(i) > 1})
        raise DisclosureError(
            _(
                "{path}: self-checks {ids}: standing duties of one unit are reviewed at one "
                "cadence with different due rules; use one rule per cadence"
            ).format(path=schedule.path, ids=", ".join(twice))
        )
    if not checks:
        return schedule
    return replace(schedule, duties=schedule.duties + tuple(checks))


def _self_check(
    schedule: Schedule,
    duty_id: str,
    unit: str,
    review: Review,
    standing: list[Duty],
    events: list[Duty],
) -> Duty:
    lines = []
    if standing:
        lines.append(
            f"{CADENCE_NAMES[review.cadence]}自查本单位以下常态化任务（无固定到期日）的落实情况："
        )
        lines += [f"{d.ref} {d.title}：{d.text}" for d in standing]
    if events:
        lines.append("本单位以下任务在事件发生后按时限办理，请自查本期有无应办未办事项：")
        lines += [f"{d.ref} {d.title}：{_event_rule(d)}" for d in events]
    text = "\n".join(lines)
    return Duty(
        id=duty_id,
        ref=REF,
        title=TITLE,
        text=text,
        units=(unit,),
        cadence=review.cadence,
        basis=BASIS,
        due=review.due,
        reminders=schedule.defaults.reminders,
        start=schedule.plan.issued,
        assumed=True,
        assumption=review.assumption,
        checks=tuple(d.id for d in (*standing, *events)),
        plan=schedule.plan.id,
    )


def _event_rule(duty: Duty) -> str:
    """An event duty's rule in words: for a law's versions, the one in force last."""
    from .rules import ByDate

    rule = duty.due
    if isinstance(rule, ByDate) and rule.versions:
        return rule.versions[-1].describe()
    return rule.describe() if rule is not None else duty.basis

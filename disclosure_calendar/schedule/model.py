"""The validated schedule: immutable, every node knows where in the file it came from."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, is_dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING

from disclosure_calendar.core.i18n import gettext as _

from ..core.errors import DisclosureError, Where

if TYPE_CHECKING:
    from ..workdays import DayOff, Notice
    from .rules import Rule

UNIT_KINDS = ("department", "town", "office")


@dataclass(frozen=True)
class Plan:
    """A document duties come from: a year's plan (分工方案) or a law. The schedule's first plan
    also holds the settings of the whole schedule (time zone, UID domain, base URL)."""

    title: str
    issuer: str
    issued: dt.date
    timezone: str
    source: str
    uid_domain: str
    base_url: str | None = None
    # Superseded: no period of its duties ends, and no event counts, after this day.
    end: dt.date | None = None
    id: str = "plan"
    # How its refs read: SECTION.ITEM of a plan ("items") or ARTICLE.N of a law ("articles").
    numbering: str = "items"

    def place(self, duty: Duty) -> str:
        """Where in the document a duty stands: 第5部分第7项 of a plan, 第四十九条 of a law."""
        if self.numbering == "articles":
            return f"第{chinese_number(duty.section)}条"
        return f"第{duty.section}部分第{duty.item}项"

    def in_force(self, first: dt.date, last: dt.date) -> bool:
        """True if the plan was in force on any day of [first, last]."""
        return self.issued <= last and (self.end is None or self.end >= first)


def plain_repr(value: object) -> str:
    """A dataclass's repr without its source position (``where``): what it says, wherever
    it stands in the file."""
    where = getattr(value, "where", None)
    if where is None or not is_dataclass(value) or isinstance(value, type):
        return repr(value)
    # Where ``where`` is the last field its repr ends the dataclass's: cut, not copied (a
    # copy of each of a province's 2,000 duties costs more than hashing them).
    text, tail = repr(value), f", where={where!r})"
    if text.endswith(tail):
        return text[: -len(tail)] + ", where=None)"
    return repr(replace(value, where=None))


_DIGITS = "〇一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1-99 in Chinese numerals as article numbers are written: 十, 二十六, 四十九."""
    tens, ones = divmod(n, 10)
    if not 0 < n < 100:
        return str(n)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones else "")


@dataclass(frozen=True)
class Review:
    """How standing duties are checked: one self-check per unit and period (see selfcheck)."""

    cadence: str
    due: Rule
    assumption: str


@dataclass(frozen=True)
class Defaults:
    reminders: tuple[int, ...] = (5, 1)
    remind_at: dt.time = dt.time(9, 0)
    review: Review | None = None


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    kind: str = "department"
    where: Where | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Group:
    id: str
    name: str
    members: tuple[str, ...]
    where: Where | None = field(default=None, compare=False)
    # Members (also in ``members``) the file marks as to be confirmed by the coordinator.
    unconfirmed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Event:
    """A date an event-triggered duty was triggered on: for one unit, or (``unit`` None)
    for every unit the duty reaches, as the events: of schedule.yaml always were."""

    date: dt.date
    note: str | None = None
    unit: str | None = None
    extended: bool = False  # the reply limit was extended (the rule's extension added)


@dataclass(frozen=True)
class Duty:
    id: str
    ref: str
    title: str
    text: str
    units: tuple[str, ...]
    cadence: str
    basis: str
    due: Rule | None
    reminders: tuple[int, ...]
    start: dt.date
    end: dt.date | None = None
    assumed: bool = False
    assumption: str | None = None
    events: tuple[Event, ...] = ()
    note: str | None = None
    # A standing duty: the self-check it is reviewed in (None: not reviewed).
    review: Review | None = None
    # A self-check: the standing duties it covers, by id.
    checks: tuple[str, ...] = ()
    # The id of the plan the duty belongs to (Schedule.plan_of).
    plan: str = "plan"
    where: Where | None = field(default=None, compare=False)

    @cached_property
    def content_digest(self) -> bytes:
        """A hash of everything the duty says, wherever it stands in the file (``where``
        aside). Kept with the duty, so the parsed-schedule cache (cache.py) carries it and a
        rebuild compares a province's 2,000 duties without writing each one out again."""
        return hashlib.blake2b(plain_repr(self).encode(), digest_size=16).digest()

    # Cached: sorting a province's occurrences asks for these hundreds of thousands of times.
    @cached_property
    def section(self) -> int:
        return int(self.ref.split(".")[0])

    @cached_property
    def item(self) -> int:
        return int(self.ref.split(".")[1])

    @property
    def dated(self) -> bool:
        return self.due is not None

    @property
    def routine(self) -> bool:
        """A daily task: reminded on the day, never escalated or counted as late.

        A day's monitoring cannot be done late; chasing each missed day would bury the
        coordinator's view of who is behind on real publications.
        """
        return self.cadence == "daily"

    @property
    def is_self_check(self) -> bool:
        return bool(self.checks)


@dataclass(frozen=True)
class Schedule:
    path: str
    digest: str
    plan: Plan
    defaults: Defaults
    units: tuple[Unit, ...]
    groups: tuple[Group, ...]
    duties: tuple[Duty, ...]
    notices: tuple[Notice, ...] = ()
    local_days_off: tuple[DayOff, ...] = ()
    # Plans after the first (``plans:`` in the file), in the file's order.
    later_plans: tuple[Plan, ...] = ()

    @property
    def plans(self) -> tuple[Plan, ...]:
        """Every plan of the schedule, the first (``plan:``) first."""
        return (self.plan, *self.later_plans)

    @cached_property
    def _plans(self) -> dict[str, Plan]:
        return {p.id: p for p in self.plans}

    def plan_of(self, duty: Duty) -> Plan:
        """The plan a duty belongs to (the first plan for a duty made in code)."""
        return self._plans.get(duty.plan, self.plan)

    def plans_in_force(self, first: dt.date, last: dt.date) -> tuple[Plan, ...]:
        """The plans in force on any day of [first, last], in the file's order."""
        return tuple(p for p in self.plans if p.in_force(first, last))

    @cached_property
    def _names(self) -> dict[str, str]:
        return {**{u.id: u.name for u in self.units}, **{g.id: g.name for g in self.groups}}

    @cached_property
    def _members(self) -> dict[str, frozenset[str]]:
        """Each group's units, nested groups expanded: iterative, so no chain is too long.

        The loader refuses cycles and deep nesting; a cycle here (a Schedule built by hand)
        only stops the walk, it does not loop.
        """
        groups = {g.id: g for g in self.groups}
        resolved: dict[str, frozenset[str]] = {}
        for root in groups:
            stack = [root]
            entered: set[str] = set()
            while stack:
                gid = stack[-1]
                if gid in resolved:
                    stack.pop()
                    continue
                pending = [m for m in groups[gid].members if m in groups and m not in resolved]
                if gid not in entered and pending:
                    entered.add(gid)
                    stack.extend(m for m in pending if m not in entered)
                    continue
                out: set[str] = set()
                for member in groups[gid].members:
                    if member not in groups:
                        out.add(member)
                    else:
                        out |= resolved.get(member, frozenset())
                resolved[gid] = frozenset(out)
                stack.pop()
        return resolved

    def name(self, unit_or_group: str) -> str:
        return self._names[unit_or_group]

    def check_assignee(self, ident: str) -> None:
        """Raise a DisclosureError unless ``ident`` is a unit or group of this schedule."""
        if ident not in self._names:
            raise DisclosureError(
                _("unknown unit or group {name!r} (see `disclosure-calendar units`)").format(
                    name=ident
                )
            )

    def is_group(self, ident: str) -> bool:
        return ident in self._members

    def members(self, ident: str) -> frozenset[str]:
        """The units an assignee stands for: a unit itself, or a group's units, recursively."""
        return self._members.get(ident, frozenset({ident}))

    @cached_property
    def _reach(self) -> dict[str, tuple[str, ...]]:
        reach: dict[str, tuple[str, ...]] = {}
        # In unit order, found by position: a province's duties reach a few of hundreds.
        place = {u.id: n for n, u in enumerate(self.units)}
        for duty in self.duties:
            reached: set[str] = set()
            for assignee in duty.units:
                reached |= self.members(assignee)
            known = [u for u in reached if u in place]
            reach[duty.id] = tuple(sorted(known, key=place.__getitem__))
        return reach

    def unit_ids_of(self, duty: Duty) -> tuple[str, ...]:
        """Every unit a duty reaches, groups expanded, in the schedule's unit order."""
        return self._reach[duty.id]

    def duties_of(self, unit_or_group: str) -> tuple[Duty, ...]:
        """Duties that reach a unit (directly or through a group), or name a group."""
        if self.is_group(unit_or_group):
            return tuple(d for d in self.duties if unit_or_group in d.units)
        return tuple(d for d in self.duties if unit_or_group in self.unit_ids_of(d))

    def duty(self, duty_id: str) -> Duty:
        for d in self.duties:
            if d.id == duty_id:
                return d
        raise KeyError(duty_id)

    def with_events(self, extra: Mapping[str, Iterable[Event]]) -> Schedule:
        """This schedule with more event dates (e.g. from the ledger) merged into its duties.

        A date already in the schedule keeps its note; ``extra`` may only name event duties.
        """
        if not extra:
            return self
        duties = []
        for duty in self.duties:
            more = tuple(extra.get(duty.id, ()))
            if more and duty.cadence != "event":
                raise DisclosureError(_("duty {id!r} is not event-triggered").format(id=duty.id))
            if more:
                known = {(e.date, e.unit) for e in duty.events}
                merged = duty.events + tuple(e for e in more if (e.date, e.unit) not in known)
                duty = replace(duty, events=tuple(sorted(merged, key=_event_order)))
            duties.append(duty)
        unknown = set(extra) - {d.id for d in self.duties}
        if unknown:
            raise DisclosureError(
                _("events for unknown duties: {ids}").format(ids=", ".join(sorted(unknown)))
            )
        return replace(self, duties=tuple(duties))


def _event_order(event: Event) -> tuple[dt.date, str]:
    return event.date, event.unit or ""

"""The ``duties:`` of schedule.yaml (and of each later plan): each duty read and checked
against the units, groups, defaults and plan it belongs to, every problem at its line."""

from __future__ import annotations

import re

from yaml.nodes import MappingNode, Node, ScalarNode

from disclosure_calendar.core.i18n import gettext as _

from .checks import read_duty_units
from .groups import unread
from .model import Defaults, Duty, Event, Plan
from .periods import CADENCES, PERIODIC
from .rule_parsing import parse_rule
from .rules import FixedDate, WorkdaysAfterDate
from .selfcheck import duty_review
from .yamlsource import Checker

DUTY_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
REF = re.compile(r"(0|[1-9][0-9]?)\.[1-9][0-9]?")


def read_reminders(c: Checker, node: Node, what: str) -> tuple[int, ...] | None:
    values = [c.integer(n, what, 0, 60) for n in c.sequence(node, what)]
    if any(v is None for v in values):
        return None
    if len(set(values)) != len(values):
        c.problem(node, _("{what}: a day is listed twice").format(what=what))
    return tuple(sorted((v for v in values if v is not None), reverse=True))


DUTY_KEYS = (
    "id",
    "ref",
    "title",
    "text",
    "units",
    "cadence",
    "basis",
    "due",
    "assumed",
    "assumption",
    "reminders",
    "events",
    "start",
    "end",
    "note",
    "review",
)


def read_duties(
    c: Checker,
    node: Node | None,
    known: set[str],
    defaults: Defaults,
    plan: Plan,
    seen: set[str],
    dated: list[tuple[str, Node, FixedDate | WorkdaysAfterDate]],
) -> tuple[Duty, ...]:
    """A plan's duties; ``seen`` holds the ids of every plan's duties read so far, ``dated``
    gets the one-off dates to check against the calendar (:func:`checks.check_once_dates`)."""
    duties: list[Duty] = []
    for item in c.sequence(node, "duties") if node is not None else ():
        before = len(c.problems)
        f = c.mapping(
            item,
            duty_name(item),
            required=("id", "ref", "title", "text", "units", "cadence", "basis"),
            optional=DUTY_KEYS,
        )
        if f is None:
            unread(c, item, before, duty_name(item))
            continue
        duty = _duty(c, item, f, known, defaults, plan)
        if duty is None:
            unread(c, item, before, duty_name(item))
            continue
        if isinstance(duty.due, (FixedDate, WorkdaysAfterDate)):
            dated.append((duty_name(item), f["due"], duty.due))
        if duty.id in seen:
            c.problem(f["id"], _("duplicate duty id {id!r}").format(id=duty.id))
            continue
        seen.add(duty.id)
        duties.append(duty)
    return tuple(duties)


def duty_name(item: Node) -> str:
    """'duty \'budget\'' when the id can be read, so messages say which duty."""
    if isinstance(item, MappingNode):
        for key, value in item.value:
            if key.value == "id" and isinstance(value, ScalarNode) and value.value:
                return _("duty {id!r}").format(id=value.value)
    return _("duty")


def _duty(
    c: Checker,
    item: Node,
    f: dict[str, Node],
    known: set[str],
    defaults: Defaults,
    plan: Plan,
) -> Duty | None:
    get = f.get
    duty_id = c.string(f["id"], _("duty id"), DUTY_ID) if "id" in f else None
    where = _("duty {id!r}").format(id=duty_id) if duty_id else _("duty")
    ref_node = get("ref")
    ref = None
    if ref_node is not None:
        if ref_node.tag.endswith(":float") or ref_node.tag.endswith(":int"):
            c.problem(
                ref_node,
                _(
                    '{where}: ref must be quoted ("{ref}"): unquoted, YAML reads it as a number'
                ).format(where=where, ref=ref_node.value),
            )
        else:
            ref = c.string(ref_node, f"{where}: ref", REF)
    title = c.string(f["title"], f"{where}: title") if "title" in f else None
    text = c.string(f["text"], f"{where}: text") if "text" in f else None
    basis = c.string(f["basis"], f"{where}: basis") if "basis" in f else None
    units = read_duty_units(c, f["units"], where, known) if "units" in f else []
    cadence = c.string(f["cadence"], f"{where}: cadence") if "cadence" in f else None
    if cadence and cadence not in CADENCES:
        c.problem(
            f["cadence"],
            _("{where}: unknown cadence {cadence!r} (expected {cadences})").format(
                where=where, cadence=cadence, cadences=", ".join(CADENCES)
            ),
        )
        cadence = None
    due = parse_rule(c.prefixed(f"{where}: "), f["due"], cadence) if "due" in f else None
    if cadence is not None:
        if (cadence in PERIODIC or cadence == "event") and "due" not in f:
            c.problem(
                item,
                _("{where}: a {cadence} duty needs a due rule (due: {{rule: ...}})").format(
                    where=where, cadence=cadence
                ),
            )
        if cadence == "ongoing" and "due" in f:
            c.problem(
                f["due"],
                _("{where}: an ongoing duty has no due date; remove due or change cadence").format(
                    where=where
                ),
            )
    events: list[Event] = []
    if "events" in f:
        if cadence != "event":
            c.problem(f["events"], _("{where}: only event duties have events").format(where=where))
        for ev in c.sequence(f["events"], f"{where}: events"):
            before = len(c.problems)
            read = _event(c, ev, where)
            if not read:
                unread(c, ev, before, _("{where}: event").format(where=where))
            events.extend(read)
    elif cadence == "event":
        c.problem(
            item,
            _("{where}: an event duty needs an events: list (may be empty: events: [])").format(
                where=where
            ),
        )
    assumed = bool(c.boolean(f["assumed"], f"{where}: assumed")) if "assumed" in f else False
    assumption = c.string(f["assumption"], f"{where}: assumption") if "assumption" in f else None
    if assumed and not assumption:
        c.problem(
            item,
            _("{where}: assumed: true needs an assumption: line giving the reason").format(
                where=where
            ),
        )
    reminders = (
        read_reminders(c, f["reminders"], f"{where}: reminders") if "reminders" in f else None
    )
    start = c.date(f["start"], f"{where}: start") if "start" in f else None
    end = c.date(f["end"], f"{where}: end") if "end" in f else None
    if start and end and end < start:
        c.problem(
            f["end"],
            _("{where}: end {end} is before start {start}").format(
                where=where, end=end, start=start
            ),
        )
    elif end and not start and end < plan.issued:
        c.problem(
            f["end"],
            _(
                "{where}: end {end} is before the plan was issued ({issued}): the duty would "
                "have no dates"
            ).format(where=where, end=end, issued=plan.issued),
        )
    note = c.string(f["note"], f"{where}: note") if "note" in f else None
    review = duty_review(c, get("review"), where, cadence, defaults)
    if None in (duty_id, ref, title, text, basis, cadence) or not units:
        return None
    if ("due" in f and due is None) or (assumed and not assumption):
        return None
    assert duty_id and ref and title and text and basis and cadence
    return Duty(
        id=duty_id,
        ref=ref,
        title=title,
        text=text,
        units=tuple(units),
        cadence=cadence,
        basis=basis,
        due=due,
        reminders=reminders if reminders is not None else defaults.reminders,
        start=start or plan.issued,
        end=end,
        assumed=assumed,
        assumption=assumption,
        events=tuple(sorted(events, key=lambda e: e.date)),
        note=note,
        review=review,
        plan=plan.id,
        where=c.where(item),
    )


def _event(c: Checker, node: Node, where: str) -> list[Event]:
    if node.tag.endswith(":timestamp"):
        day = c.date(node, f"{where}: event")
        return [Event(day)] if day else []
    f = c.mapping(node, f"{where}: event", required=("date",), optional=("note",))
    if not f or "date" not in f:
        return []
    day = c.date(f["date"], f"{where}: event date")
    note = c.string(f["note"], f"{where}: event note") if "note" in f else None
    return [Event(day, note)] if day else []

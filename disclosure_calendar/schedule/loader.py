"""Load schedule.yaml into a validated, immutable Schedule, reporting every problem at once."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from yaml.nodes import MappingNode, Node, ScalarNode

from disclosure_calendar.core.i18n import gettext as _

from ..core.gcpause import paused_gc
from ..workdays.calendar import WorkdayCalendar
from .calendar_section import read_calendar
from .checks import check_once_dates, is_reserved, read_duty_units
from .groups import UNIT_ID, read_groups, unread
from .model import (
    UNIT_KINDS,
    Defaults,
    Duty,
    Event,
    Plan,
    Schedule,
    Unit,
)
from .periods import CADENCES, PERIODIC
from .rule_parsing import parse_rule
from .rules import FixedDate, WorkdaysAfterDate
from .selfcheck import add_self_checks, duty_review, parse_review
from .yamlsource import Checker, compose

DUTY_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
REF = re.compile(r"(0|[1-9][0-9]?)\.[1-9][0-9]?")
TIME = re.compile(r"([01]?[0-9]|2[0-3]):[0-5][0-9]")
DOMAIN = re.compile(
    r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+"
)

TOP = ("version", "plan", "defaults", "calendar", "units", "groups", "duties", "plans")
PLAN_ID = re.compile(r"[a-z][a-z0-9_]*")
NUMBERINGS = ("items", "articles")


def load_schedule(path: str | Path) -> Schedule:
    """Read and validate ``path``; raise InputError listing every problem with file:line:col."""
    with paused_gc():
        return _load(Path(path))


def _load(path: Path) -> Schedule:
    root, digest = compose(path)
    c = Checker(str(path))
    top = c.mapping(root, "schedule", required=("version", "plan", "units", "duties"), optional=TOP)
    if top is None:
        c.raise_if_any()
        raise AssertionError("unreachable")
    if "version" in top and c.integer(top["version"], "version") not in (1, None):
        c.problem(top["version"], _("version: only version 1 is understood"))
    plan = _plan(c, top["plan"]) if "plan" in top else None
    defaults = _defaults(c, top["defaults"]) if "defaults" in top else Defaults()
    notices, days_off = read_calendar(c, top["calendar"]) if "calendar" in top else ((), ())
    units = _units(c, top.get("units"))
    groups = read_groups(c, top.get("groups"), {u.id for u in units})
    known = {u.id for u in units} | {g.id for g in groups}
    first = plan or Plan("", "", dt.date(2017, 1, 1), "Asia/Shanghai", "", "")
    seen: set[str] = set()
    dated: list[tuple[str, Node, FixedDate | WorkdaysAfterDate]] = []
    duties = _duties(c, top.get("duties"), known, defaults, first, seen, dated)
    later: list[Plan] = []
    for index, node in enumerate(c.sequence(top["plans"], "plans") if "plans" in top else ()):
        read = _later_plan(c, node, index, first, [first, *later])
        if read is None:
            continue
        later_plan, duties_node = read
        later.append(later_plan)
        duties += _duties(c, duties_node, known, defaults, later_plan, seen, dated)
    if dated and not c.problems:
        check_once_dates(c, dated, WorkdayCalendar(notices=notices, local_days_off=days_off))
    c.raise_if_any()
    assert plan is not None
    schedule = Schedule(
        str(path), digest, plan, defaults, units, groups, duties, notices, days_off, tuple(later)
    )
    return add_self_checks(schedule)


def _later_plan(
    c: Checker, node: Node, index: int, first: Plan, known: list[Plan]
) -> tuple[Plan, Node] | None:
    """One entry of ``plans:``: a plan of its own with its duties (settings from the first)."""
    what = f"plans[{index}]"
    f = c.mapping(
        node,
        what,
        required=("id", "title", "issuer", "issued", "source", "duties"),
        optional=("end", "numbering"),
    )
    if f is None:
        return None
    plan = _plan_fields(c, f, what, first)
    if plan is None or "duties" not in f:
        return None
    if any(p.id == plan.id for p in known):
        c.problem(f["id"], _("{what}: duplicate plan id {id!r}").format(what=what, id=plan.id))
        return None
    return plan, f["duties"]


def _plan_fields(c: Checker, f: dict[str, Node], what: str, first: Plan) -> Plan | None:
    """id, title, issuer, issued, source, end and numbering of a plan."""
    plan_id = c.string(f["id"], f"{what}.id", PLAN_ID) if "id" in f else first.id
    title = c.string(f["title"], f"{what}.title") if "title" in f else None
    issuer = c.string(f["issuer"], f"{what}.issuer") if "issuer" in f else None
    issued = c.date(f["issued"], f"{what}.issued") if "issued" in f else None
    source = c.string(f["source"], f"{what}.source") if "source" in f else None
    end = c.date(f["end"], f"{what}.end") if "end" in f else None
    if issued and end and end < issued:
        c.problem(
            f["end"],
            _("{what}.end: {end} is before the plan was issued ({issued})").format(
                what=what, end=end, issued=issued
            ),
        )
        return None
    numbering = "items"
    if "numbering" in f:
        numbering = c.string(f["numbering"], f"{what}.numbering") or numbering
        if numbering not in NUMBERINGS:
            c.problem(
                f["numbering"],
                _("{what}.numbering: {value!r} unknown (expected {values})").format(
                    what=what, value=numbering, values=", ".join(NUMBERINGS)
                ),
            )
            return None
    if None in (plan_id, title, issuer, issued, source):
        return None
    assert plan_id and title and issuer and issued and source
    return replace(
        first,
        id=plan_id, title=title, issuer=issuer, issued=issued, source=source, end=end,
        numbering=numbering,
    )  # fmt: skip


def _plan(c: Checker, node: Node) -> Plan | None:
    f = c.mapping(
        node,
        "plan",
        required=("title", "issuer", "issued", "timezone", "source", "uid_domain"),
        optional=("base_url", "end", "id", "numbering"),
    )
    if f is None:
        return None
    zone = c.string(f["timezone"], "plan.timezone") if "timezone" in f else None
    if zone is not None:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            c.problem(
                f["timezone"],
                _("plan.timezone: unknown time zone {zone!r} (e.g. Asia/Shanghai)").format(
                    zone=zone
                ),
            )
            zone = None
    domain = c.string(f["uid_domain"], "plan.uid_domain", DOMAIN) if "uid_domain" in f else None
    base_url = c.string(f["base_url"], "plan.base_url") if "base_url" in f else None
    if base_url and not base_url.startswith(("https://", "http://")):
        c.problem(f["base_url"], _("plan.base_url must start with https:// or http://"))
    settings = Plan("", "", dt.date(2017, 1, 1), zone or "", "", domain or "", base_url)
    plan = _plan_fields(c, f, "plan", settings)
    if plan is None or zone is None or domain is None:
        return None
    return plan


def _reminders(c: Checker, node: Node, what: str) -> tuple[int, ...] | None:
    values = [c.integer(n, what, 0, 60) for n in c.sequence(node, what)]
    if any(v is None for v in values):
        return None
    if len(set(values)) != len(values):
        c.problem(node, _("{what}: a day is listed twice").format(what=what))
    return tuple(sorted((v for v in values if v is not None), reverse=True))


def _defaults(c: Checker, node: Node) -> Defaults:
    f = c.mapping(node, "defaults", optional=("reminders", "remind_at", "review"))
    base = Defaults()
    if not f:
        return base
    reminders = _reminders(c, f["reminders"], "defaults.reminders") if "reminders" in f else None
    remind_at = base.remind_at
    if "remind_at" in f:
        text = c.string(f["remind_at"], "defaults.remind_at", TIME)
        if text:
            hour, minute = text.split(":")
            remind_at = dt.time(int(hour), int(minute))
    review = None
    if "review" in f:
        review = parse_review(c, f["review"], "defaults.review", None, required=True)
    return Defaults(reminders if reminders is not None else base.reminders, remind_at, review)


def _units(c: Checker, node: Node | None) -> tuple[Unit, ...]:
    units: list[Unit] = []
    seen: set[str] = set()
    for item in c.sequence(node, "units") if node is not None else ():
        before = len(c.problems)
        f = c.mapping(item, "unit", required=("id", "name"), optional=("kind", "contact"))
        if f is None:
            unread(c, item, before, _("unit"))
            continue
        uid = c.string(f["id"], _("unit id"), UNIT_ID) if "id" in f else None
        name = c.string(f["name"], _("unit name")) if "name" in f else None
        kind = "department"
        if "kind" in f:
            kind = c.string(f["kind"], _("unit kind")) or kind
            if kind not in UNIT_KINDS:
                c.problem(
                    f["kind"],
                    _("unit kind {kind!r} unknown (expected {kinds})").format(
                        kind=kind, kinds=", ".join(UNIT_KINDS)
                    ),
                )
        if uid is not None and is_reserved(c, f["id"], uid):
            continue
        if uid and uid in seen:
            c.problem(f["id"], _("duplicate unit id {id!r}").format(id=uid))
        elif uid and name:
            seen.add(uid)
            units.append(Unit(uid, name, kind, c.where(item)))
        else:
            unread(c, item, before, _("unit"))
    if node is not None and not units and not c.problems:
        c.problem(node, _("units: at least one unit is needed"))
    return tuple(units)


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


def _duties(
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
            _duty_name(item),
            required=("id", "ref", "title", "text", "units", "cadence", "basis"),
            optional=DUTY_KEYS,
        )
        if f is None:
            unread(c, item, before, _duty_name(item))
            continue
        duty = _duty(c, item, f, known, defaults, plan)
        if duty is None:
            unread(c, item, before, _duty_name(item))
            continue
        if isinstance(duty.due, (FixedDate, WorkdaysAfterDate)):
            dated.append((_duty_name(item), f["due"], duty.due))
        if duty.id in seen:
            c.problem(f["id"], _("duplicate duty id {id!r}").format(id=duty.id))
            continue
        seen.add(duty.id)
        duties.append(duty)
    return tuple(duties)


def _duty_name(item: Node) -> str:
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
    reminders = _reminders(c, f["reminders"], f"{where}: reminders") if "reminders" in f else None
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

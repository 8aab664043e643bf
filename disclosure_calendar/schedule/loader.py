"""Load schedule.yaml into a validated, immutable Schedule, reporting every problem at once."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from yaml.nodes import MappingNode, Node

from disclosure_calendar.core.i18n import gettext as _

from ..core.gcpause import paused_gc
from ..workdays.calendar import WorkdayCalendar
from .calendar_section import read_calendar
from .checks import check_once_dates, is_reserved
from .duties import read_duties, read_reminders
from .groups import UNIT_ID, read_groups, unread
from .model import UNIT_KINDS, Defaults, Plan, Schedule, Unit
from .rules import FixedDate, WorkdaysAfterDate
from .selfcheck import add_self_checks, parse_review
from .yamlsource import Checker, compose_text, read_text

TIME = re.compile(r"([01]?[0-9]|2[0-3]):[0-5][0-9]")
DOMAIN = re.compile(
    r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+"
)

TOP = ("version", "plan", "defaults", "calendar", "units", "groups", "duties", "plans")
PLAN_ID = re.compile(r"[a-z][a-z0-9_]*")
NUMBERINGS = ("items", "articles")


def load_schedule(path: str | Path, *, cache: bool = True) -> Schedule:
    """Read and validate ``path``; raise InputError listing every problem with file:line:col.

    With ``cache`` (and a usable cache folder, see :mod:`.cachefiles`), an unchanged file
    comes from the parsed-schedule cache and an edited one reuses the duties it did not
    touch (:mod:`.cache`); the result equals a fresh load's. A file with problems is always
    read afresh, so it reports exactly as without the cache.
    """
    path = Path(path)
    with paused_gc():
        text = read_text(path)
        data = text.encode("utf-8")
        digest = hashlib.sha256(data).hexdigest()
        if not cache:
            return add_self_checks(read_schedule(path, text, digest))
        from .cache import load_cached, remember

        found = load_cached(path, text, data, digest)
        if found is not None:
            return found
        keys: list[tuple[str, int]] = []
        base = read_schedule(path, text, digest, keys=keys)
        schedule = add_self_checks(base)
        remember(path, text, data, digest, base, schedule, keys)
        return schedule


def read_schedule(
    path: Path, text: str, digest: str, *, keys: list[tuple[str, int]] | None = None
) -> Schedule:
    """``text`` (the content of ``path``) read and checked, before the self-checks are added
    (:func:`.selfcheck.add_self_checks`): the reference every cached load must equal.
    ``keys`` gets the top-level keys and their lines (the cache checks its cut with them)."""
    root = compose_text(str(path), text)
    if keys is not None and isinstance(root, MappingNode):
        keys += [(k.value, k.start_mark.line + 1) for k, _v in root.value]
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
    duties = read_duties(c, top.get("duties"), known, defaults, first, seen, dated)
    later: list[Plan] = []
    for index, node in enumerate(c.sequence(top["plans"], "plans") if "plans" in top else ()):
        read = _later_plan(c, node, index, first, [first, *later])
        if read is None:
            continue
        later_plan, duties_node = read
        later.append(later_plan)
        duties += read_duties(c, duties_node, known, defaults, later_plan, seen, dated)
    if dated and not c.problems:
        check_once_dates(c, dated, WorkdayCalendar(notices=notices, local_days_off=days_off))
    c.raise_if_any()
    assert plan is not None
    return Schedule(
        str(path), digest[:12], plan, defaults, units, groups, duties, notices, days_off,
        tuple(later),
    )  # fmt: skip


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


def _defaults(c: Checker, node: Node) -> Defaults:
    f = c.mapping(node, "defaults", optional=("reminders", "remind_at", "review"))
    base = Defaults()
    if not f:
        return base
    reminders = (
        read_reminders(c, f["reminders"], "defaults.reminders") if "reminders" in f else None
    )
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

"""The ``calendar:`` section of schedule.yaml: holiday notices and local days off, read into
the working-day calendar's own types and checked by its rules, each problem at its line."""

from __future__ import annotations

import datetime as dt

from yaml.nodes import Node

from disclosure_calendar.core.i18n import gettext as _

from .. import workdays
from .yamlsource import Checker


def read_calendar(
    c: Checker, node: Node
) -> tuple[tuple[workdays.Notice, ...], tuple[workdays.DayOff, ...]]:
    f = c.mapping(node, "calendar", optional=("notices", "local_days_off"))
    if not f:
        return (), ()
    notices: list[workdays.Notice] = []
    notice_nodes: list[Node] = []
    for item in c.sequence(f["notices"], "calendar.notices") if "notices" in f else ():
        nf = c.mapping(
            item,
            "notice",
            required=("year", "title", "published"),
            optional=("days_off", "workdays"),
        )
        if not nf or not {"year", "title", "published"} <= nf.keys():
            continue
        year = c.integer(nf["year"], "notice year", 2004, 2099)
        title = c.string(nf["title"], "notice title")
        published = c.date(nf["published"], "notice published")
        off: list[workdays.DayOff] = []
        for span in c.sequence(nf["days_off"], "days_off") if "days_off" in nf else ():
            off.extend(_span(c, span))
        make_up = [
            c.date(d, "make-up workday")
            for d in (c.sequence(nf["workdays"], "workdays") if "workdays" in nf else ())
        ]
        if year and title and published and None not in make_up:
            notices.append(
                workdays.Notice(year, title, published, tuple(off), tuple(d for d in make_up if d))
            )
            notice_nodes.append(item)
    local: list[workdays.DayOff] = []
    local_nodes: list[Node] = []
    for item in c.sequence(f["local_days_off"], "local_days_off") if "local_days_off" in f else ():
        lf = c.mapping(item, "local day off", required=("date", "name"))
        if lf and {"date", "name"} <= lf.keys():
            day = c.date(lf["date"], _("local day off date"))
            name = c.string(lf["name"], _("local day off name"))
            if day and name:
                local.append(workdays.DayOff(day, name))
                local_nodes.append(item)
    for kind, index, message in workdays.check_notices(notices, local):
        target = notice_nodes[index] if kind == "notice" else local_nodes[index]
        c.problem(target, f"calendar: {message}")
    return tuple(notices), tuple(local)


def _span(c: Checker, node: Node) -> list[workdays.DayOff]:
    f = c.mapping(node, "day off", required=("name",), optional=("date", "from", "to"))
    if not f or "name" not in f:
        return []
    name = c.string(f["name"], "day off name") or ""
    if "date" in f:
        day = c.date(f["date"], "day off date")
        return [workdays.DayOff(day, name)] if day else []
    if not {"from", "to"} <= f.keys():
        c.problem(node, _("day off: give date: or from: and to:"))
        return []
    first, last = c.date(f["from"], "day off from"), c.date(f["to"], "day off to")
    if not first or not last:
        return []
    if last < first or (last - first).days > 31:
        c.problem(
            node,
            _("day off {name}: from {first} to {last} is not a span of at most a month").format(
                name=name, first=first, last=last
            ),
        )
        return []
    return [
        workdays.DayOff(first + dt.timedelta(days=i), name) for i in range((last - first).days + 1)
    ]

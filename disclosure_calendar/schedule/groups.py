"""The groups: section of schedule.yaml: read, then checked for unknown members, cycles and depth."""

from __future__ import annotations

import re

from yaml.nodes import Node

from disclosure_calendar.core.i18n import gettext as _

from .model import Group
from .yamlsource import MAX_PROBLEMS, Checker

UNIT_ID = re.compile(r"[a-z][a-z0-9_]*")


def read_groups(c: Checker, node: Node | None, unit_ids: set[str]) -> tuple[Group, ...]:
    parsed: list[tuple[Group, dict[str, Node]]] = []
    group_ids: set[str] = set()
    for item in c.sequence(node, "groups") if node is not None else ():
        before = len(c.problems)
        f = c.mapping(
            item, _("group"), required=("id", "name", "members"), optional=("unconfirmed",)
        )
        if f is None or not {"id", "name", "members"} <= f.keys():
            unread(c, item, before, _("group"))
            continue
        gid = c.string(f["id"], _("group id"), UNIT_ID)
        name = c.string(f["name"], _("group name"))
        members = tuple(
            c.string(m, _("group member")) or "" for m in c.sequence(f["members"], "members")
        )
        # Members listed as to be confirmed (compiled from memory, not from a document): they
        # are members like the others, and `validate` counts them.
        unconfirmed = tuple(
            c.string(m, _("group member")) or ""
            for m in (c.sequence(f["unconfirmed"], "unconfirmed") if "unconfirmed" in f else ())
        )
        if gid in unit_ids or gid in group_ids:
            c.problem(f["id"], _("duplicate id {id!r}: already a unit or group").format(id=gid))
        elif gid and name:
            group_ids.add(gid)
            group = Group(gid, name, members + unconfirmed, c.where(item), unconfirmed)
            parsed.append((group, f))
        else:
            unread(c, item, before, _("group"))
    for group, f in parsed:
        listed = [*f["members"].value, *(f["unconfirmed"].value if "unconfirmed" in f else ())]
        for member_node, member in zip(listed, group.members, strict=False):
            if member and member not in unit_ids and member not in group_ids:
                c.problem(
                    member_node,
                    _("group {group!r}: unknown member {member!r}").format(
                        group=group.id, member=member
                    ),
                )
    nodes = {g.id: f["members"] for g, f in parsed}
    for gid, problem in check_nesting({g.id: g.members for g, _f in parsed}):
        c.problem(nodes[gid], problem)
    return tuple(g for g, _f in parsed)


MAX_GROUP_DEPTH = 20


def check_nesting(members: dict[str, tuple[str, ...]]) -> list[tuple[str, str]]:
    """Groups that contain themselves or nest deeper than MAX_GROUP_DEPTH, with the message.

    One depth-first walk over all groups, iterative: linear in groups plus memberships, and
    no recursion limit to hit (a recursive walk per group was quadratic and a chain of 1,000
    groups ended in RecursionError).
    """
    depth: dict[str, int] = {}  # finished groups: levels of groups below and including them
    on_path: dict[str, int] = {}  # groups on the current path, with their index in it
    problems: list[tuple[str, str]] = []
    for root in members:
        if root in depth:
            continue
        path = [root]
        on_path[root] = 0
        todo = [iter(members[root])]
        while todo:
            gid = path[-1]
            child = next(todo[-1], None)
            if child is None:
                todo.pop()
                path.pop()
                del on_path[gid]
                below = [depth[m] for m in members[gid] if m in depth]
                depth[gid] = 1 + max(below, default=0)
                if depth[gid] == MAX_GROUP_DEPTH + 1:
                    problems.append(
                        (
                            gid,
                            _("group {group!r}: groups nest more than {depth} deep").format(
                                group=gid, depth=MAX_GROUP_DEPTH
                            ),
                        )
                    )
                continue
            if child not in members or child in depth:
                continue
            if child in on_path:
                ring = path[on_path[child] :]
                for k, g in enumerate(ring[:MAX_PROBLEMS]):  # each group of the ring, once
                    cycle = [*ring[k:], *ring[:k], g]
                    shown = cycle if len(cycle) <= 12 else [*cycle[:10], "...", g]
                    problems.append(
                        (
                            g,
                            _("group {group!r} contains itself: {cycle}").format(
                                group=g, cycle=" -> ".join(shown)
                            ),
                        )
                    )
                continue
            on_path[child] = len(path)
            path.append(child)
            todo.append(iter(members[child]))
    return problems


def unread(c: Checker, item: Node, before: int, what: str) -> None:
    """A backstop: an entry of the file must never vanish from the model without a problem."""
    if len(c.problems) == before:
        c.problem(item, _("{what} could not be read").format(what=what))

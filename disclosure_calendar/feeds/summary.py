"""What a build did: the feeds written, what changed in each, and the summary printed for it."""

from __future__ import annotations

from dataclasses import dataclass

from .manifest import MANIFEST, Change

ALL = "all"
# Per feed, how many added/removed lines the summary spells out before "... and N more".
_DETAIL = 8


@dataclass(frozen=True)
class Feed:
    """One written feed: ``id`` is a unit id or ``all``."""

    id: str
    name: str
    file: str
    duties: int  # the duties reaching the unit, as `units` counts them (all: every duty)
    events: int  # VEVENTs written: a routine duty's year is one
    occurrences: int = 0  # dated occurrences in the horizon


@dataclass(frozen=True)
class BuildResult:
    feeds: tuple[Feed, ...]
    changes: tuple[Change, ...]
    written: tuple[str, ...]
    deleted: tuple[str, ...]
    provisional_years: tuple[int, ...]
    dry_run: bool
    first: bool = False  # no manifest from a previous build


def _short(uid: str) -> str:
    """``budget-execution.2026-03.finance@domain`` -> ``budget-execution 2026-03``."""
    duty, period, _ = uid.split("@")[0].split(".", 2)
    return f"{duty} {period}"


def summary_text(result: BuildResult) -> str:
    """What changed per feed since the previous build, then what was written."""
    lines: list[str] = []
    if result.first:
        # Everything is new: per-event detail would be hundreds of lines saying so.
        lines.append(f"first build (no {MANIFEST} yet): every event is new")
    for change in result.changes:
        if change.empty:
            continue
        if result.first:
            lines.append(f"{change.feed} {change.name}: {len(change.added)} events")
            continue
        counts = [
            f"{len(change.added)} added",
            f"{len(change.removed)} removed",
            f"{len(change.moved)} moved",
        ]
        if change.changed:
            counts.append(f"{change.changed} changed")
        lines.append(f"{change.feed} {change.name}: {', '.join(counts)}")
        for uid, old, new in change.moved:
            lines.append(f"  ~ {_short(uid)}: {old} -> {new}")
        for sign, items in (("+", change.added), ("-", change.removed)):
            for uid, due in items[:_DETAIL]:
                lines.append(f"  {sign} {_short(uid)} due {due}")
            if len(items) > _DETAIL:
                lines.append(f"  {sign} ... and {len(items) - _DETAIL} more")
    if not lines:
        lines.append("no changes since the previous build")
    events = sum(f.events for f in result.feeds if f.id != ALL)
    verb = "would write" if result.dry_run else "wrote"
    tail = f"{len(result.feeds)} feeds, {events} unit events; "
    if result.dry_run:
        tail += "dry run: nothing written"
    else:
        tail += f"{verb} {len(result.written)} changed files"
        if result.deleted:
            tail += f", deleted {len(result.deleted)} ({', '.join(result.deleted)})"
    lines.append(tail)
    return "\n".join(lines)

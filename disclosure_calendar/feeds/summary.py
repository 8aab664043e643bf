"""What a build did: the feeds written, what changed in each, and the summary printed for it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from disclosure_calendar.core.i18n import gettext as _

from .manifest import MANIFEST, Change

ALL = "all"
ALL_NAME = "全部单位"


@dataclass(frozen=True)
class Feed:
    """One written feed: ``id`` is a unit id or ``all``."""

    id: str
    name: str
    file: str
    duties: int  # the duties reaching the unit, as `units` counts them (all: every duty)
    events: int  # VEVENTs written: a routine duty's year is one
    occurrences: int = 0  # dated occurrences in the horizon


# Where each duty's events are in a feed: the duties in feed order, and the byte offset
# where each one's events start, then where the last one's end (render.blocks).
Blocks = tuple[tuple[str, ...], tuple[int, ...]]


@dataclass(frozen=True)
class Output:
    """One rendered feed: its bytes in pieces (None when reused unrendered), its part of the
    manifest (``dump_entries``), its counts and changes."""

    file: str
    data: Sequence[bytes | memoryview] | None
    entries: bytes
    feed: Feed
    change: Change
    written: bool = False
    blocks: Blocks | None = None  # None: not rendered (the previous build's stand)


@dataclass(frozen=True)
class BuildResult:
    feeds: tuple[Feed, ...]
    changes: tuple[Change, ...]
    written: tuple[str, ...]
    deleted: tuple[str, ...]
    provisional_years: tuple[int, ...]
    dry_run: bool
    first: bool = False  # no manifest from a previous build
    # Occurrences encoded, of all, and why every one ("" or a key of full_reasons()): a
    # rebuild encodes only the changed duties' events when it can trust what it compares.
    encoded: tuple[int, int, str] | None = None
    # Why the feeds were not patched (feeds/patch.py), a key of full_reasons; "": they were.
    unpatched: str = ""


def full_reasons() -> dict[str, str]:
    return {
        "record": _("the previous build left no record of its duties"),
        "common": _("what every event depends on changed (a plan, the defaults, the working days or the range)"),
        "feeds": _("a feed to write again is not as the previous build wrote it"),
        "units": _("a unit was added or removed"),
        "asked": _("asked for (--whole)"),
        "many": _("most of the events changed"),
        "routine": _("a daily duty changed (its events are yearly series)"),
    }  # fmt: skip


def _short(uid: str) -> str:
    """``budget-execution.2026-03.finance@domain`` -> ``budget-execution 2026-03``."""
    duty, period, _rest = uid.split("@")[0].split(".", 2)
    return f"{duty} {period}"


def summary_text(result: BuildResult) -> str:
    """What changed per feed since the previous build, then what was written."""
    lines: list[str] = []
    if result.first:
        # Everything is new: per-event detail would be hundreds of lines saying so.
        lines.append(
            _("first build (no {manifest} yet): every event is new").format(manifest=MANIFEST)
        )
    for change in result.changes:
        if change.empty:
            continue
        if result.first:
            lines.append(
                _("{feed} {name}: {count} events").format(
                    feed=change.feed, name=change.name, count=change.added
                )
            )
            continue
        counts = [
            _("{count} added").format(count=change.added),
            _("{count} removed").format(count=change.removed),
            _("{count} moved").format(count=len(change.moved)),
        ]
        if change.changed:
            counts.append(_("{count} changed").format(count=change.changed))
        lines.append(
            _("{feed} {name}: {counts}").format(
                feed=change.feed, name=change.name, counts=_(", ").join(counts)
            )
        )
        for uid, old, new in change.moved:
            lines.append(f"  ~ {_short(uid)}: {old} -> {new}")
        for sign, count, examples in (
            ("+", change.added, change.added_examples),
            ("-", change.removed, change.removed_examples),
        ):
            for uid, due in examples:
                lines.append(
                    _("  {sign} {event} due {due}").format(sign=sign, event=_short(uid), due=due)
                )
            if count > len(examples):
                lines.append(
                    _("  {sign} ... and {count} more").format(
                        sign=sign, count=count - len(examples)
                    )
                )
    if not lines:
        lines.append(_("no changes since the previous build"))
    if result.unpatched and not result.first:
        lines.append(
            _("feeds rendered whole: {reason}").format(reason=full_reasons()[result.unpatched])
        )
    if result.encoded is not None and not result.first:
        encoded, total, why = result.encoded
        if why:
            lines.append(
                _("every event encoded again: {reason}").format(reason=full_reasons()[why])
            )
        else:
            lines.append(
                _("{encoded} of {total} events encoded again; the others taken as written").format(
                    encoded=encoded, total=total
                )
            )
    events = sum(f.events for f in result.feeds if f.id != ALL)
    totals = dict(feeds=len(result.feeds), events=events)
    if result.dry_run:
        tail = _("{feeds} feeds, {events} unit events; dry run: nothing written").format(**totals)
    else:
        tail = _("{feeds} feeds, {events} unit events; wrote {files} changed files").format(
            files=len(result.written), **totals
        )
        if result.deleted:
            tail += _(", deleted {count} ({names})").format(
                count=len(result.deleted), names=", ".join(result.deleted)
            )
    lines.append(tail)
    return "\n".join(lines)

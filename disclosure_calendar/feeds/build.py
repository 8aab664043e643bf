"""Build the feeds: one .ics per unit, all.ics and index.html, versioned by the manifest.

``summary_text`` (re-exported here) says what a build changed."""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import DisclosureError
from ..core.files import write_atomic
from ..core.gcpause import paused_gc
from ..occurrences.expansion import Occurrence, expand, uid_suffix
from ..schedule.model import Schedule
from .ical import END_EVENT, EventParts, EventWriter, summary_line, utc_stamp
from .manifest import (
    MANIFEST,
    Change,
    Manifest,
    Versions,
    digest,
    dump_manifest,
    load_manifest,
)
from .series import collapse_routine
from .summary import ALL, BuildResult, Feed

if TYPE_CHECKING:
    from ..workdays import ChinaCalendar

INDEX = "index.html"


@dataclass(frozen=True)
class Rendered:
    """A build computed but not yet written."""

    files: dict[str, bytes]
    manifest: Manifest
    feeds: tuple[Feed, ...]
    changes: tuple[Change, ...]
    stale: tuple[str, ...]  # feed files of the previous build that no longer exist


def _rest_digests(parts: Sequence[EventParts]) -> list[bytes]:
    """Per event, a hash of everything after its SUMMARY: the DESCRIPTION, then the tail.

    A duty's occurrences share one DESCRIPTION object (a long text): it is hashed once, and
    each occurrence goes on from a copy of that hash's state.
    """
    started: dict[bytes, hashlib.blake2b] = {}
    digests = []
    for p in parts:
        state = started.get(p.description)
        if state is None:
            state = started[p.description] = hashlib.blake2b(p.description, digest_size=16)
        rest = state.copy()
        rest.update(p.tail)
        digests.append(rest.digest())
    return digests


class Renderer:
    """Renders the output files one at a time, so a province's feeds never all sit in memory.

    Iterate :meth:`files`; afterwards ``manifest``, ``feeds``, ``changes`` and ``stale`` are
    complete. Pure: reads and writes no files.
    """

    def __init__(
        self,
        schedule: Schedule,
        occurrences: Sequence[Occurrence],
        previous: Manifest,
        *,
        now: dt.datetime,
        years: tuple[int, int],
        base_url: str | None = None,
    ):
        if any(u.id == ALL for u in schedule.units):
            raise DisclosureError(f"a unit may not be called {ALL!r}: its feed would be {ALL}.ics")
        self.schedule = schedule
        self.dated = occurrences
        self.occurrences = collapse_routine(occurrences)
        self.previous = previous
        self.base_url = base_url
        self.writer = EventWriter(schedule, years)
        self.modified_now = utc_stamp(now.replace(microsecond=0))
        self.manifest: Manifest = {}
        self.feeds: list[Feed] = []
        self.changes: list[Change] = []
        self.stale: tuple[str, ...] = ()

    def files(self) -> Iterator[tuple[str, bytes]]:
        from .index_page import render_index

        schedule, occurrences, writer = self.schedule, self.occurrences, self.writer
        domain = schedule.plan.uid_domain
        plan_title = schedule.plan.title
        dues = [o.due.isoformat() for o in occurrences]
        # Each occurrence is encoded once, in parts: a feed is the list of every event's
        # pieces (BEGIN+UID, version lines, then the occurrence's parts, END), joined once.
        # Content hashes hash the small parts and a hash of the large shared rest.
        parts = [writer.parts(o) for o in occurrences]
        rest_digests = _rest_digests(parts)
        # A UID is the occurrence's prefix and the assignee's suffix (as Occurrence.uid):
        # hundreds of thousands of them, so each is made by one concatenation.
        uid_prefixes = [o.uid_prefix for o in occurrences]
        assignees = [*(u.id for u in schedule.units), *(g.id for g in schedule.groups)]
        suffixes = {a: uid_suffix(a, domain) for a in assignees}

        # The all-units feed names each assignee as the plan does: a group once, not its members.
        file = f"{ALL}.ics"
        versions = Versions(self.previous.get(file, {}), self.modified_now, writer.stamp)
        pieces: list[bytes] = []
        for i, occ in enumerate(occurrences):
            dates, title, description, tail = parts[i]
            for assignee in occ.duty.units:
                summary = writer.assignee_summary_line(title, assignee)
                uid = uid_prefixes[i] + suffixes[assignee]
                content_hash = digest(dates + summary + rest_digests[i])
                pieces.append(writer.head(uid))
                pieces.append(versions.lines(uid, content_hash, dues[i]))
                pieces += (dates, summary, description, tail, END_EVENT)
        all_name = "全部单位"
        yield file, writer.calendar(f"{all_name}:{plan_title}", pieces, plan_title)
        del pieces
        self.manifest[file] = versions.current
        feeds = [
            Feed(ALL, all_name, file, len(schedule.duties), len(versions.current), len(self.dated))
        ]
        changes = [versions.change(file, all_name)]

        # In a unit's feed an event is its UID and version lines, then this body.
        bodies = []
        digests = []
        for p, rest_digest in zip(parts, rest_digests, strict=True):
            summary = summary_line(p.title)
            bodies.append((p.dates, summary, p.description, p.tail, END_EVENT))
            digests.append(digest(p.dates + summary + rest_digest))
        del parts, rest_digests
        # As `units` counts them (Schedule.duties_of), in one pass over the duties.
        duty_counts = dict.fromkeys((u.id for u in schedule.units), 0)
        for duty in schedule.duties:
            for reached in schedule.unit_ids_of(duty):
                duty_counts[reached] += 1
        dated = dict.fromkeys((u.id for u in schedule.units), 0)
        for occ in self.dated:
            for reached in schedule.unit_ids_of(occ.duty):
                dated[reached] += 1
        per_unit: dict[str, list[int]] = {u.id: [] for u in schedule.units}
        for i, occ in enumerate(occurrences):
            for reached in schedule.unit_ids_of(occ.duty):
                per_unit[reached].append(i)
        for unit in schedule.units:
            file = f"{unit.id}.ics"
            versions = Versions(self.previous.get(file, {}), self.modified_now, writer.stamp)
            suffix = suffixes[unit.id]
            pieces = []
            for i in per_unit[unit.id]:
                uid = uid_prefixes[i] + suffix
                pieces.append(writer.head(uid))
                pieces.append(versions.lines(uid, digests[i], dues[i]))
                pieces += bodies[i]
            about = f"{plan_title}:{unit.name}的公开任务"
            yield file, writer.calendar(unit.name, pieces, about)
            self.manifest[file] = versions.current
            duties = duty_counts[unit.id]
            events = len(per_unit[unit.id])
            feeds.append(Feed(unit.id, unit.name, file, duties, events, dated[unit.id]))
            changes.append(versions.change(file, unit.name))

        self.stale = tuple(sorted(f for f in self.previous if f not in self.manifest))
        for f in self.stale:
            gone = Versions(self.previous[f], self.modified_now, writer.stamp)
            changes.append(gone.change(f, "(已删除)"))
        self.feeds, self.changes = feeds, changes
        yield INDEX, render_index(schedule, feeds, self.base_url).encode()


def render(
    schedule: Schedule,
    occurrences: Sequence[Occurrence],
    previous: Manifest,
    *,
    now: dt.datetime,
    years: tuple[int, int],
    base_url: str | None = None,
) -> Rendered:
    """Every output file's bytes, the new manifest and the changes; pure, no files touched."""
    renderer = Renderer(schedule, occurrences, previous, now=now, years=years, base_url=base_url)
    files = dict(renderer.files())
    return Rendered(
        files, renderer.manifest, tuple(renderer.feeds), tuple(renderer.changes), renderer.stale
    )


def build(
    schedule: Schedule,
    cal: ChinaCalendar,
    start: dt.date,
    end: dt.date,
    out_dir: Path,
    *,
    now: dt.datetime,
    base_url: str | None = None,
    dry_run: bool = False,
) -> BuildResult:
    """Expand, render and (unless ``dry_run``) write the feeds; unchanged files stay untouched."""
    if dry_run:
        with paused_gc():
            return _build(schedule, cal, start, end, out_dir, now, base_url, dry_run)
    with build_lock(out_dir), paused_gc():
        return _build(schedule, cal, start, end, out_dir, now, base_url, dry_run)


@contextmanager
def build_lock(out_dir: Path) -> Iterator[None]:
    """One build at a time per folder: two would interleave files and manifest.

    An flock on the folder itself, so no lock file appears among the outputs (and none is
    rewritten by every build); the kernel drops it when the process ends, however it ends,
    so a killed build leaves no stale lock.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(out_dir, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DisclosureError(
                f"{out_dir}: another build is writing into this folder; "
                "try again when it has finished"
            ) from None
        yield
    finally:
        os.close(fd)


def _build(
    schedule: Schedule,
    cal: ChinaCalendar,
    start: dt.date,
    end: dt.date,
    out_dir: Path,
    now: dt.datetime,
    base_url: str | None,
    dry_run: bool,
) -> BuildResult:
    from ..occurrences.horizon import provisional_years

    occurrences = expand(schedule, cal, start, end)
    previous = load_manifest(out_dir)
    renderer = Renderer(
        schedule,
        occurrences,
        previous,
        now=now,
        years=(start.year, end.year),
        base_url=base_url if base_url is not None else schedule.plan.base_url,
    )
    written: list[str] = []
    deleted: list[str] = []
    for name, data in renderer.files():
        # Not synced: a feed lost in a crash is rewritten by the next build, which finds it
        # differing from what the (synced) manifest says, and fsyncing every feed of a
        # province would cost more than rendering them.
        if not dry_run and write_atomic(out_dir / name, data, sync=False):
            written.append(name)
    if not dry_run:
        for name in renderer.stale:
            path = out_dir / name
            if path.exists():
                path.unlink()
                deleted.append(name)
        # Written last: if anything above fails, the next build still compares with the old one.
        write_atomic(out_dir / MANIFEST, dump_manifest(renderer.manifest))
    return BuildResult(
        tuple(renderer.feeds),
        tuple(renderer.changes),
        tuple(written),
        tuple(deleted),
        tuple(provisional_years(occurrences, cal)),
        dry_run,
        first=not previous,
    )

"""A rebuild after a few duties changed: their events replaced in the files that hold them.

A coordinator fixes one duty's wording, a unit records one request: of a province's 52,000
events a handful change. The previous build recorded where each duty's events are in each
feed (blocks.py) and each duty's hash (fingerprint.py). Here only the changed duties are
expanded and encoded, and each feed that holds them is written as the old file's runs
around the new events, copied by the kernel; the manifest is spliced the same way. No
other duty is expanded, no other feed is read, and the output is the bytes a full build
would write (tests/feeds/test_patch.py compares them).

A change of units or groups (a group's members, a unit's name) reaches the feeds of the
units concerned: there the duties that came or went are patched too. Anything this cannot
vouch for (no record, a changed plan, calendar or range, a unit added or removed, a feed
not as written, a daily duty, most of the events changed) is left to the whole build,
which says why in its summary.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import mmap
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.files import Segment, write_spliced
from ..occurrences.expansion import Occurrence, expand_duty, plan_place
from ..occurrences.horizon import provisional_pairs
from ..schedule.model import Schedule
from .blocks import BLOCKS, BlockIndex, all_years, load_blocks, provisional_by_duty
from .fingerprint import assignment_hash
from .generations import Generation
from .index_page import render_index
from .manifest import (
    INDEX,
    INPUTS,
    MANIFEST,
    BuildRecord,
    Change,
    FeedInputs,
    ManifestIndex,
    dump_inputs,
    load_index,
    load_inputs,
    load_splice,
    read_inputs,
)
from .manifest_patch import Doubt, manifest_parts, mapped
from .manifest_patch import old_entries as find_old_entries
from .render import Renderer
from .summary import ALL, Blocks, BuildResult, Feed, Output

if TYPE_CHECKING:
    from ..workdays import WorkdayCalendar

# fingerprint.fingerprint_parts: per feed, common to all, per duty.
Hashes = tuple[dict[str, str], str, dict[str, str]]


@dataclass(frozen=True)
class _Before:
    inputs: dict[str, FeedInputs]
    common: str
    duties: dict[str, str]
    manifest: ManifestIndex
    blocks: BlockIndex


def patch(
    schedule: Schedule,
    cal: WorkdayCalendar,
    start: dt.date,
    end: dt.date,
    out_dir: Path,
    gen: Generation,
    hashes: Callable[[], Hashes],
    *,
    now: dt.datetime,
    base_url: str | None,
    key: str | None,
) -> BuildResult | str:
    """The build, done by replacing the changed duties' events; or why it cannot be (a key
    of summary.full_reasons), the full rebuild's turn then. ``hashes``: fingerprint_parts
    of the inputs (shared with that rebuild)."""
    before = _before(out_dir)
    if before is None:
        return "record"
    job = _Patch(schedule, cal, start, end, out_dir, gen, now, base_url, key, before, hashes())
    why = job.check()
    if why:
        return why
    with mapped(out_dir / MANIFEST, before.manifest) as manifest:
        return "feeds" if manifest is None else job.run(manifest)


@dataclass
class _Patch:
    schedule: Schedule
    cal: WorkdayCalendar
    start: dt.date
    end: dt.date
    out_dir: Path
    gen: Generation
    now: dt.datetime
    base_url: str | None
    key: str | None
    before: _Before
    hashes: Hashes
    # Worked out by check():
    order: tuple[str, ...] = ()
    changed: set[str] = dataclasses.field(default_factory=set)
    files: list[str] = dataclasses.field(default_factory=list)  # the feeds to patch

    def check(self) -> str:
        """Why the previous build's record cannot vouch for a patch ("": it can)."""
        schedule, before = self.schedule, self.before
        self.order = (f"{ALL}.ics", *(f"{u.id}.ics" for u in schedule.units))
        if set(self.order) != set(before.inputs):
            return "units"  # a unit added or removed: a feed to write or delete whole
        fingerprints, common, duties = self.hashes
        if common != before.common:
            return "common"
        if not all(i.holds(self.out_dir / f) for f, i in before.inputs.items()):
            return "feeds"
        self.files = [f for f in self.order if fingerprints[f] != before.inputs[f].fingerprint]
        for f in self.files:
            found = before.blocks.feeds.get(f)
            if found is None or found[0] != before.inputs[f].size:
                return "feeds"
        changed = {d for d, h in duties.items() if before.duties.get(d) != h}
        self.changed = changed | (before.duties.keys() - duties.keys())
        if assignment_hash(schedule) != before.blocks.assignment:
            self.changed |= self._reach_changed()
        if 2 * len(self.changed) > len(schedule.duties):
            return "many"  # (rendering them whole is as quick by then, and the usual path)
        routine = {d.id for d in schedule.duties if d.routine} | before.blocks.routine
        if self.changed & routine:
            return "routine"
        return ""

    def _reach_changed(self) -> set[str]:
        """After a change of units or groups (a group's members, a unit's name): in each unit
        feed to patch, the duties whose events it holds and that no longer reach it, and
        those that reach it now and whose events it did not hold (those that can have any)."""
        schedule = self.schedule
        reaching: dict[str, set[str]] = {}
        for duty in schedule.duties:
            if duty.due is None or (duty.cadence == "event" and not duty.events):
                continue  # no events, in any feed
            for unit in schedule.unit_ids_of(duty):
                reaching.setdefault(unit, set()).add(duty.id)
        found: set[str] = set()
        for f in self.files:
            if f != f"{ALL}.ics":
                held = set(self.before.blocks.feeds[f][1][0])
                found |= held ^ reaching.get(f.removesuffix(".ics"), set())
        return found

    def occurrences(self) -> list[Occurrence]:
        """The changed duties' occurrences as expand() orders them: by due date, stably."""
        schedule = self.schedule
        found: list[Occurrence] = []
        for duty in sorted((d for d in schedule.duties if d.id in self.changed), key=plan_place):
            dated = expand_duty(duty, schedule, self.cal, self.start, self.end)
            if duty.cadence == "event":
                dated.sort(key=lambda o: o.period.start)
            found += sorted(dated, key=lambda o: o.due)
        return found

    def run(self, manifest: mmap.mmap) -> BuildResult | str:
        schedule, before, out_dir, gen = self.schedule, self.before, self.out_dir, self.gen
        _fingerprints, common, duties = self.hashes
        old_entries = find_old_entries(manifest, before.manifest, self.files, self.changed)
        if old_entries is None:
            return "feeds"
        occurrences = self.occurrences()
        if 2 * len(occurrences) > before.inputs[f"{ALL}.ics"].events:
            return "many"  # (a title in every unit's self-check, say)
        if any(o.unit is not None and o.unit not in schedule.unit_ids_of(o.duty) for o in occurrences):  # fmt: skip
            return "units"
        previous = {f: entries for f, (entries, _where) in old_entries.items()}
        years_shown = (self.start.year, self.end.year)
        renderer = Renderer(
            schedule, occurrences, previous, now=self.now, years=years_shown, base_url=self.base_url
        )
        units = {f"{u.id}.ics": u for u in schedule.units}
        by_id = {d.id: d for d in schedule.duties}

        def place(duty: str) -> tuple[object, ...]:
            return plan_place(by_id[duty])

        outputs: dict[str, Output] = {}
        new_runs = dict(before.blocks.feeds)
        spliced: dict[str, list[Segment]] = {}
        for f in self.files:
            out = renderer.render_all() if f == f"{ALL}.ics" else renderer.render_unit(units[f])
            size, old_runs = before.blocks.feeds[f]
            try:
                new, segments = _spliced(out, old_runs, out_dir / f, self.changed, place)
            except Doubt:
                return "feeds"
            outputs[f] = out
            new_runs[f] = (sum(map(_length, segments)), new)
            if segments != [(0, size)]:
                spliced[f] = segments
        try:
            parts = manifest_parts(manifest, before.manifest, old_entries, outputs, new_runs)
        except Doubt:
            return "feeds"

        # Everything is known: now the files.
        if spliced or outputs:  # (else only what differs is written, by gen.write)
            gen.start()
        written = []
        for f, segments in spliced.items():
            write_spliced(gen.path(f), out_dir / f, segments, unseen=True)
            written.append(f)
        where = before.manifest
        if parts[0] != [(0, len(manifest))]:  # (else the manifest stays as it is)
            write_spliced(gen.path(MANIFEST), out_dir / MANIFEST, parts[0], unseen=True)
            where = ManifestIndex.of(gen.path(MANIFEST), parts[1])

        gone = {f: len(entries) for f, (entries, _runs) in old_entries.items()}
        feeds, inputs, changes = self._feeds(outputs, gone)
        provisional = {
            d: ys for d, ys in before.blocks.provisional.items() if d not in self.changed
        }
        provisional |= provisional_by_duty(provisional_pairs(occurrences, self.cal))
        provisional = dict(sorted(provisional.items()))
        years = all_years(provisional)
        plan_base = self.base_url if self.base_url is not None else schedule.plan.base_url
        index = render_index(schedule, feeds, plan_base, years_shown).encode()
        if gen.write(INDEX, index, sync=False):
            written.append(INDEX)
        record = None
        if self.key is not None:
            st = os.stat(gen.path(INDEX))
            record = BuildRecord(self.key, schedule.plan.timezone, st.st_size, st.st_mtime_ns, self.order)  # fmt: skip
        # Not synced: fsync would flush the journal with every byte written before it (15 ms
        # of a 0.2 s patch), and a record lost in a crash costs only a whole rebuild.
        gen.write(INPUTS, dump_inputs(inputs, years, record, where, (common, duties)), sync=False)
        assignment = assignment_hash(schedule)
        blocks = BlockIndex(new_runs, provisional, before.blocks.routine, assignment)
        gen.write(BLOCKS, blocks.dump(), sync=False)
        return BuildResult(
            tuple(feeds), tuple(changes), tuple(written), (), tuple(years), False,
            encoded=(renderer.encoding_size(), feeds[0].events, ""),
        )  # fmt: skip

    def _feeds(
        self, outputs: dict[str, Output], gone: dict[str, int]
    ) -> tuple[list[Feed], dict[str, FeedInputs], list[Change]]:
        """Every feed, in order, with its counts, inputs and changes: a patched feed's counts
        are the old ones less its changed duties' old events (``gone``) and plus their new
        ones (no daily duty among them: an event is a dated occurrence)."""
        fingerprints = self.hashes[0]
        feeds, inputs, changes = [], {}, []
        for f in self.order:
            old = self.before.inputs[f]
            rendered = outputs.get(f)
            if rendered is None:
                feed = Feed(f.removesuffix(".ics"), old.name, f, old.duties, old.events, old.occurrences)  # fmt: skip
                inputs[f] = old
                changes.append(Change(f, old.name, 0, 0, (), 0))
            else:
                events = old.events - gone[f] + rendered.feed.events
                dated = old.occurrences - gone[f] + rendered.feed.occurrences
                feed = dataclasses.replace(rendered.feed, events=events, occurrences=dated)
                st = os.stat(self.gen.path(f))
                inputs[f] = FeedInputs(
                    fingerprints[f], st.st_size, st.st_mtime_ns, feed.duties, events, dated,
                    feed.name,
                )  # fmt: skip
                changes.append(rendered.change)
            feeds.append(feed)
        return feeds, inputs, changes


def _before(out_dir: Path) -> _Before | None:
    data = read_inputs(out_dir)  # one file, three parts: parsed once
    inputs, _years = load_inputs(data)
    splice, manifest, blocks = load_splice(data), load_index(data), load_blocks(out_dir)
    if not inputs or splice is None or manifest is None or blocks is None:
        return None
    return _Before(inputs, splice[0], splice[1], manifest, blocks)


def _length(segment: Segment) -> int:
    return len(segment) if isinstance(segment, bytes) else segment[1] - segment[0]


def _spliced(
    out: Output, old: Blocks, old_file: Path, changed: set[str], place: Callable[[str], object]
) -> tuple[Blocks, list[Segment]]:
    """The feed's new runs, and the new file as runs of the old one and new bytes: the
    changed duties' events taken from ``out`` (rendered from those duties alone), every
    other duty's from the old file, in plan order."""
    assert out.data is not None and out.blocks is not None
    data = b"".join(out.data)
    new_names, new_offsets = out.blocks
    old_names, old_offsets = old
    pieces: list[tuple[str, Segment]] = [
        (name, (a, b))
        for name, a, b in zip(old_names, old_offsets, old_offsets[1:], strict=False)
        if name not in changed
    ]
    was = {n: (a, b) for n, a, b in zip(old_names, old_offsets, old_offsets[1:], strict=False) if n in changed}  # fmt: skip
    with old_file.open("rb") as handle:
        fd = handle.fileno()
        size = os.fstat(fd).st_size
        # The others keep their order (and places in the plan); each changed duty goes to its
        # place among them, found by halves: a province's all.ics holds 2,000 duties. Events
        # rendered as they were (a duty changed for other feeds only) stay a run of the old
        # file: a feed nothing changed in is then not written.
        for name, a, b in zip(new_names, new_offsets, new_offsets[1:], strict=False):
            block: Segment = data[a:b]
            old_run = was.get(name)
            same_size = old_run is not None and old_run[1] - old_run[0] == b - a
            if old_run is not None and same_size and os.pread(fd, b - a, old_run[0]) == block:
                block = old_run
            at = bisect.bisect(pieces, place(name), key=lambda piece: place(piece[0]))  # type: ignore[call-overload]
            pieces.insert(at, (name, block))
        # The calendar around the events: as it was, or (a unit renamed) as rendered now.
        head, tail = data[: new_offsets[0]], data[new_offsets[-1] :]
        same_head = os.pread(fd, old_offsets[0], 0) == head
        same_tail = os.pread(fd, size - old_offsets[-1], old_offsets[-1]) == tail
        segments: list[Segment] = [(0, old_offsets[0]) if same_head else head]
        names, offsets, at = [], [], len(head)
        for name, segment in pieces:
            names.append(name)
            offsets.append(at)
            at += _length(segment)
            segments.append(segment)
        offsets.append(at)
        segments.append((old_offsets[-1], size) if same_tail else tail)
        joined: list[Segment] = []
        for segment in segments:  # runs adjacent in the old file: one copy
            last = joined[-1] if joined else None
            if isinstance(segment, tuple) and isinstance(last, tuple) and last[1] == segment[0]:
                joined[-1] = (last[0], segment[1])
            elif _length(segment):
                joined.append(segment)
        _check_cuts(fd, old_file.name, old, size, joined)
    return (tuple(names), tuple(offsets)), joined


_BEGIN_UID = b"BEGIN:VEVENT\r\nUID:"
_END = b"END:VCALENDAR\r\n"


def _check_cuts(fd: int, name: str, old: Blocks, size: int, segments: list[Segment]) -> None:
    """Where the old file is cut, it must be as the record says: a duty's first event
    (its UID starting with the duty's id) or the calendar's end. A record that does not fit
    the file (a bug, an edit by hand) is a Doubt, never a feed cut mid-event."""
    names, offsets = old
    expected = {at: _BEGIN_UID + f"{name}.".encode() for at, name in zip(offsets, names, strict=False)}  # fmt: skip
    expected[offsets[-1]] = _END
    cuts = {at for s in segments if isinstance(s, tuple) for at in s} - {0, size}
    for at in cuts:
        want = expected.get(at)
        if want is None:
            raise Doubt(f"{name}: no duty starts at byte {at}")
        # A UID line longer than a content line is folded: then its start alone.
        want = want[: len(_BEGIN_UID) + 70]
        if os.pread(fd, len(want), at) != want:
            raise Doubt(f"{name}: not the record's duty at byte {at}")

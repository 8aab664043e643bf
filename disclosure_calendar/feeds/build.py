"""Build the feeds: one .ics per unit, all.ics and index.html, versioned by the manifest.

``summary_text`` (re-exported here) says what a build changed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import fcntl
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from disclosure_calendar.core.i18n import gettext as _

from ..core.errors import DisclosureError
from ..core.gcpause import paused_gc
from ..occurrences.expansion import expand
from ..schedule.model import Schedule, Unit
from .blocks import BLOCKS, BlockIndex, all_years, load_blocks, provisional_by_duty
from .fingerprint import assignment_hash, fingerprint_parts
from .generations import Generation
from .manifest import (
    INDEX,
    INPUTS,
    MANIFEST,
    BuildRecord,
    Change,
    FeedInputs,
    ManifestIndex,
    dump_entries,
    dump_inputs,
    dump_manifest,
    load_index,
    load_inputs,
    load_manifest,
    load_splice,
    read_inputs,
)
from .render import Renderer
from .summary import ALL, ALL_NAME, Blocks, BuildResult, Feed, Output
from .workers import render_jobs
from .written_events import event_blocks, event_slices

if TYPE_CHECKING:
    from ..workdays import WorkdayCalendar


def stamp_time(env: Mapping[str, str], now: dt.datetime) -> dt.datetime:
    """The time new and changed events are stamped with: ``SOURCE_DATE_EPOCH`` when set.

    The reproducible-builds convention: a CI that publishes from a clean checkout sets it
    (e.g. to the last commit's time), so two builds of the same inputs give the same bytes.
    """
    value = env.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return now
    try:
        return dt.datetime.fromtimestamp(int(value), dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise DisclosureError(
            _(
                "SOURCE_DATE_EPOCH={value!r} is not a time in seconds since 1970 (e.g. 1764633600)"
            ).format(value=value)
        ) from None


def build(
    schedule: Schedule,
    cal: WorkdayCalendar,
    start: dt.date,
    end: dt.date,
    out_dir: Path,
    *,
    now: dt.datetime,
    base_url: str | None = None,
    dry_run: bool = False,
    workers: int | None = None,
    key: str | None = None,
    patch: bool = True,
) -> BuildResult:
    """Expand, render and (unless ``dry_run``) write the feeds; unchanged files stay untouched.

    Feeds whose inputs did not change since the previous build (same fingerprint, file as
    written) are neither rendered nor written; the rest are rendered by ``workers`` processes
    (default: the machine's cores, at most 4), with the same bytes as one process would write.
    Two builds into one folder take turns (``build_lock``); a dry run writes nothing and
    takes no lock. ``key`` (feeds/quick.py) is kept for the next build to compare with.
    A rebuild after a few duties changed replaces their events in place (feeds/patch.py)
    unless ``patch`` is False or the previous build's record cannot vouch for it.
    """
    # Worked out once, by the patch or by the whole build it leaves the work to.
    hashes = cache(partial(fingerprint_parts, schedule, cal, start, end))
    args = (schedule, cal, start, end, out_dir, now, base_url, dry_run, workers or _cores(), key)
    if dry_run:
        with paused_gc():
            return _build(*args, hashes=hashes)
    with build_lock(out_dir), paused_gc():
        generation = Generation(out_dir)
        generation.open()
        from .patch import patch as patched_build

        patched = "asked" if not patch else patched_build(
            schedule, cal, start, end, out_dir, generation, hashes,
            now=now, base_url=base_url, key=key,
        )  # fmt: skip
        if isinstance(patched, str):  # why not: the whole build then
            whole = _build(*args, generation, hashes=hashes)
            result = dataclasses.replace(whole, unpatched=patched)
        else:
            result = patched
        # Swapped in only when complete: an error above leaves the current one published and
        # the unfinished one for the next build to remove.
        generation.commit()
        return result


def _cores() -> int:
    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1))


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
            raise BuildBusy(
                _(
                    "{folder}: another build is writing into this folder; "
                    "try again when it has finished"
                ).format(folder=out_dir)
            ) from None
        yield
    finally:
        os.close(fd)


class BuildBusy(DisclosureError):
    """Another build holds the folder; trying again shortly will do."""


def _build(
    schedule: Schedule,
    cal: WorkdayCalendar,
    start: dt.date,
    end: dt.date,
    out_dir: Path,
    now: dt.datetime,
    base_url: str | None,
    dry_run: bool,
    workers: int,
    key: str | None,
    generation: Generation | None = None,
    *,
    hashes: Callable[[], tuple[dict[str, str], str, dict[str, str]]],
) -> BuildResult:
    """Reads the published files of ``out_dir``; writes into ``generation`` (None: a dry run).
    ``hashes``: fingerprint_parts of the inputs, worked out when first asked."""
    from ..occurrences.horizon import provisional_pairs

    gen = generation

    base_url = base_url if base_url is not None else schedule.plan.base_url
    recorded = read_inputs(out_dir)  # one file, several parts: parsed once
    before, stored_years = load_inputs(recorded)

    # A first build has nothing to reuse and works these out while other cores encode.
    def fingerprints() -> dict[str, str]:
        return hashes()[0]

    order = [f"{ALL}.ics", *(f"{u.id}.ics" for u in schedule.units)]

    def record() -> BuildRecord | None:
        if key is None:
            return None
        assert gen is not None
        st = gen.path(INDEX).stat()
        return BuildRecord(key, schedule.plan.timezone, st.st_size, st.st_mtime_ns, tuple(order))

    reusable = {
        f
        for f, fp in fingerprints().items()
        if (i := before.get(f)) is not None and i.fingerprint == fp and i.holds(out_dir / f)
    } if before else set()  # fmt: skip
    names = {f"{u.id}.ics": u.name for u in schedule.units} | {f"{ALL}.ics": ALL_NAME}
    complete = bool(before) and (out_dir / MANIFEST).exists() and set(before) == set(fingerprints())
    if complete and reusable == set(fingerprints()):
        # Nothing a feed is made from changed: no expansion, no manifest to read or write.
        outputs = [_reused(f, names[f], before[f], b"{}") for f in order]
        renderer = Renderer(
            schedule, (), {}, now=now, years=(start.year, end.year), base_url=base_url
        )
        index = renderer.finish(outputs)
        written = [] if gen is None or not gen.write(INDEX, index) else [INDEX]
        if gen is not None and key is not None:
            inputs = {
                o.file: dataclasses.replace(before[o.file], name=o.feed.name) for o in outputs
            }
            kept = load_index(recorded)  # the manifest stays as it is
            gen.write(INPUTS, dump_inputs(inputs, stored_years, record(), kept))
        return BuildResult(
            tuple(renderer.feeds), tuple(renderer.changes), tuple(written), (),
            tuple(stored_years), dry_run,
        )  # fmt: skip

    occurrences = expand(schedule, cal, start, end)
    # Only the manifest parts of the feeds to render (and of removed ones) are parsed; the
    # others are copied as bytes. Without an index that fits the file: the whole of it.
    found = None if not (out_dir / MANIFEST).exists() else load_index(recorded)
    stale = set(found.parts) - set(names) if found else set()
    parts = found.read(out_dir, (set(names) - reusable) | stale) if found else None
    previous, kept_parts = parts if parts is not None else (load_manifest(out_dir), {})
    # A manifest lost since: re-render, keeping nothing unseen.
    reusable &= set(previous) | set(kept_parts)
    jobs: list[Unit | None] = [None, *schedule.units]  # None: all.ics
    todo = [j for j in jobs if _file(j) not in reusable]
    changed, spliced, full = _splice(
        out_dir, recorded, before, hashes if before else None, [_file(j) for j in todo], previous
    )
    renderer = Renderer(
        schedule,
        occurrences,
        previous,
        now=now,
        years=(start.year, end.year),
        base_url=base_url,
        workers=workers,
        meanwhile=fingerprints,
        spliced=spliced,
        changed=changed,
    )

    def handle(output: Output) -> Output:
        assert output.data is not None
        # Not synced: a feed lost in a crash is rewritten by the next build, which finds it
        # differing from what the (synced) manifest says, and fsyncing every feed of a
        # province would cost more than rendering them.
        written = gen is not None and gen.write(output.file, output.data, sync=False)
        return dataclasses.replace(output, data=None, written=written)

    if gen is not None:
        gen.start()  # before rendering: forked workers write into it
    done = render_jobs(renderer, todo, handle, workers)
    rendered = {_file(j): o for j, o in zip(todo, done, strict=True)}
    outputs = [
        rendered.get(f)
        or _reused(f, names[f], before[f], kept_parts.get(f) or dump_entries(previous[f]))
        for f in map(_file, jobs)
    ]
    index = renderer.finish(outputs)
    written = [o.file for o in outputs if o.written]
    deleted: list[str] = []
    provisional = provisional_by_duty(provisional_pairs(occurrences, cal))
    years = all_years(provisional)
    if gen is not None:
        if gen.write(INDEX, index, sync=False):
            written.append(INDEX)
        for name in renderer.stale:
            if gen.remove(name):
                deleted.append(name)
        offsets: dict[str, list[int]] = {}
        gen.write(MANIFEST, dump_manifest(renderer.manifest, offsets), join=False)
        fps = fingerprints()
        inputs = {o.file: _inputs(gen.path(o.file), fps[o.file], o.feed) for o in outputs}
        where = ManifestIndex.of(gen.path(MANIFEST), offsets)
        _, common, duties = hashes()
        gen.write(INPUTS, dump_inputs(inputs, years, record(), where, (common, duties)))
        runs = _runs(out_dir, outputs, inputs, before)
        routine = frozenset(d.id for d in schedule.duties if d.routine)
        index_of = BlockIndex(runs, provisional, routine, assignment_hash(schedule))
        gen.write(BLOCKS, index_of.dump(), sync=False)
    return BuildResult(
        tuple(renderer.feeds),
        tuple(renderer.changes),
        tuple(written),
        tuple(deleted),
        tuple(years),
        dry_run,
        first=not (previous or kept_parts),
        encoded=(renderer.encoding_size(), len(renderer.occurrences), full) if todo else None,
    )


def _splice(
    out_dir: Path,
    recorded: dict[str, Any],
    before: Mapping[str, FeedInputs],
    parts: Callable[[], tuple[dict[str, str], str, dict[str, str]]] | None,
    files: list[str],
    previous_entries: Mapping[str, Mapping[str, str]],
) -> tuple[set[str] | None, dict[str, Mapping[str, bytes | memoryview]] | None, str]:
    """The duties changed since the previous build, and the events of the feeds to render as
    that build wrote them: the renderer encodes only the changed duties' events and takes
    the others whole. None, None (encode everything) unless the previous build recorded its
    duties' hashes, everything common to all events is unchanged, and every feed to render is
    as that build wrote it. The third value says why not (summary.full_reasons), or "".
    A feed's events are found by its manifest part (``previous_entries``) where they can be."""
    previous = load_splice(recorded)
    if parts is None or previous is None:
        return None, None, "record"
    _feeds, common, duties = parts()
    old_common, old_duties = previous
    if common != old_common:
        return None, None, "common"
    spliced: dict[str, Mapping[str, bytes | memoryview]] = {}
    for f in files:
        inputs = before.get(f)
        if inputs is None or not inputs.holds(out_dir / f):
            return None, None, "feeds"
        try:
            data = (out_dir / f).read_bytes()
            found = event_slices(data, previous_entries.get(f, ()))
            spliced[f] = event_blocks(data) if found is None else found
        except (OSError, ValueError):
            return None, None, "feeds"
    return {d for d, h in duties.items() if old_duties.get(d) != h}, spliced, ""


def _runs(
    out_dir: Path,
    outputs: list[Output],
    inputs: Mapping[str, FeedInputs],
    before: Mapping[str, FeedInputs],
) -> dict[str, tuple[int, Blocks]]:
    """Where each feed's duties are: as rendered, or for a feed taken as it was, as the
    previous build recorded them (none if that record is not of this file)."""
    old = None
    runs: dict[str, tuple[int, Blocks]] = {}
    for o in outputs:
        if o.blocks is not None:
            runs[o.file] = (inputs[o.file].size, o.blocks)
            continue
        if old is None:
            old = load_blocks(out_dir) or BlockIndex({}, {}, frozenset(), "")
        kept = old.feeds.get(o.file)
        if kept is not None and o.file in before and kept[0] == before[o.file].size:
            runs[o.file] = kept
    return runs


def _file(job: Unit | None) -> str:
    return f"{ALL}.ics" if job is None else f"{job.id}.ics"


def _reused(file: str, name: str, inputs: FeedInputs, entries: bytes) -> Output:
    feed = Feed(
        file.removesuffix(".ics"), name, file, inputs.duties, inputs.events, inputs.occurrences
    )
    return Output(file, None, entries, feed, Change(file, name, 0, 0, (), 0))


def _inputs(path: Path, fingerprint: str, feed: Feed) -> FeedInputs:
    st = path.stat()
    return FeedInputs(
        fingerprint,
        st.st_size,
        st.st_mtime_ns,
        feed.duties,
        feed.events,
        feed.occurrences,
        feed.name,
    )

"""Rendering the feeds from the occurrences: each event encoded once, each feed assembled
from the encoded parts (feeds.build decides which feeds to render and writes them)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass
from functools import cached_property
from itertools import chain
from typing import TypeVar

from disclosure_calendar.core.i18n import gettext as _

from ..core.errors import DisclosureError
from ..occurrences.expansion import Occurrence, assignees, plan_place, uid_suffix
from ..schedule.model import Schedule, Unit
from . import encoding
from .ical import LONGEST_HEAD, EventWriter, utc_stamp
from .manifest import INDEX, Change, Manifest, Versions, dump_entries
from .series import collapse_routine
from .summary import ALL, ALL_NAME, Blocks, Feed, Output
from .workers import split_map

Item = TypeVar("Item")
# Per unit: the indexes of its occurrences, its duties and its dated occurrences.
_Counts = tuple[dict[str, list[int]], dict[str, int], dict[str, int]]


class Renderer:
    """Renders the feeds one at a time, so a province's feeds never all sit in memory.

    :meth:`render_all` and :meth:`render_unit` render one feed each; :meth:`files` renders
    every file in order and afterwards ``manifest``, ``feeds``, ``changes`` and ``stale`` are
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
        workers: int = 1,
        meanwhile: Callable[[], object] = lambda: None,
        spliced: Mapping[str, Mapping[str, bytes | memoryview]] | None = None,
        changed: Set[str] | None = None,
    ):
        if any(u.id == ALL for u in schedule.units):
            raise DisclosureError(
                _("a unit may not be called {name!r}: its feed would be {name}.ics").format(
                    name=ALL
                )
            )
        self.schedule = schedule
        self.dated = occurrences
        # A routine (daily) duty's year is one recurring event: written from one occurrence.
        # Looking for them costs a pass over every occurrence (0.02 s for a province).
        self._folded = any(d.routine for d in schedule.duties)
        occs = collapse_routine(occurrences) if self._folded else list(occurrences)
        # A feed holds each duty's events together (by due date within the duty), duties in
        # plan order: one duty's events are one run of bytes in every feed, which a rebuild
        # after a change to that duty replaces whole (feeds/patch.py).
        present = {o.duty.id: o.duty for o in occs}.values()  # (a Duty's hash is no quick one)
        rank = {d.id: i for i, d in enumerate(sorted(present, key=plan_place))}
        occs.sort(key=lambda occ: rank[occ.duty.id])
        self.occurrences = occs
        self.previous = previous
        self.base_url = base_url
        self.workers = workers
        self.meanwhile = meanwhile  # other work, done while child processes encode
        self.writer = EventWriter(schedule, years)
        self.years = years
        self._memo = encoding.Memo()  # each process fills its own copy
        self.modified_now = utc_stamp(now.replace(microsecond=0))
        self.manifest: dict[str, bytes] = {}  # each feed's part (dump_entries)
        self.feeds: list[Feed] = []
        self.changes: list[Change] = []
        self.stale: tuple[str, ...] = ()
        # A rebuild's events of unchanged duties, taken whole from the feeds as they are
        # (feed file -> UID -> the VEVENT's bytes) instead of encoded again: see _kept.
        self.spliced = spliced or {}
        self.changed = changed

    @cached_property
    def _kept(self) -> list[bool]:
        """Per occurrence: True if every feed being rendered that holds it has its event, as
        the previous build wrote it, in ``spliced`` (its duty and everything common to all
        events unchanged: ``changed`` names the other duties). Those are not encoded."""
        occurrences = self.occurrences
        if self.changed is None or not self.spliced:
            return [False] * len(occurrences)
        schedule, changed, spliced = self.schedule, self.changed, self.spliced
        domain = schedule.plan.uid_domain
        previous = self.previous
        all_old = spliced.get(f"{ALL}.ics")
        all_previous = previous.get(f"{ALL}.ics", {})
        Reached = list[tuple[str, Mapping[str, bytes | memoryview], Mapping[str, str]]]
        reach: dict[str, Reached] = {}
        for duty in schedule.duties:
            if duty.id in changed:
                continue
            feeds: Reached = []
            for unit in schedule.unit_ids_of(duty):
                old = spliced.get(f"{unit}.ics")
                if old is not None:
                    feeds.append((uid_suffix(unit, domain), old, previous.get(f"{unit}.ics", {})))
            reach[duty.id] = feeds
        # all.ics names an event by its duty's first assignee: that suffix, once per duty.
        first = {d.id: uid_suffix(d.units[0], domain) for d in schedule.duties if d.id in reach}
        kept: list[bool] = []
        append = kept.append
        for occ in occurrences:
            of = occ.duty.id
            reached = reach.get(of)
            if reached is None:
                append(False)
                continue
            prefix = occ.uid_prefix
            if all_old is not None:
                uid = prefix + first[of]
                if uid not in all_old or uid not in all_previous:
                    append(False)
                    continue
            ok = True
            for suffix, old, entries in reached:  # (not all() of a generator: 52k of them)
                uid = prefix + suffix
                if uid not in old or uid not in entries:
                    ok = False
                    break
            append(ok)
        return kept

    @cached_property
    def _to_encode(self) -> list[int]:
        return [i for i, kept in enumerate(self._kept) if not kept]

    def encoding_size(self) -> int:
        return len(self._to_encode)

    def encode(self, start: int, stop: int) -> encoding.Encoded:
        """The occurrences to encode from ``start`` to ``stop`` (a chunk)."""
        if len(self._to_encode) == len(self.occurrences):
            chosen: Sequence[Occurrence] = self.occurrences[start:stop]
        else:
            chosen = [self.occurrences[i] for i in self._to_encode[start:stop]]
        return encoding.encode(self.writer, chosen, self.modified_now, self._memo)

    def before_sharing(self) -> _Counts:
        """What the parent does while other processes start encoding (its other work, and
        the counts), and what it gives them: the counts."""
        self.meanwhile()
        return self._counts

    def adopt(self, chunks: list[encoding.Encoded], counts: _Counts) -> None:
        """Every chunk, encoded here or by another process, and the parent's counts."""
        self.__dict__["_counts"] = counts
        self.__dict__["_shared"] = self._assemble(chunks)

    @cached_property
    def _shared(self) -> _Shared:
        """What every feed is assembled from, computed once (and before a fork, shared)."""
        # On several cores, the processes share the chunks and the parent takes all in; it
        # counts (and does other work) first, while the others start.
        chunks = split_map(self.encode, self.encoding_size(), self.workers, self.before_sharing)
        return self._assemble(chunks)

    def _assemble(self, chunks: list[encoding.Encoded]) -> _Shared:
        schedule = self.schedule
        (
            dates, descriptions, tails, ends, summaries, entries, prefixes, heads,
            all_summaries, all_entries,
        ) = map(self._spread, map(_concatenated, zip(*chunks, strict=True)))  # fmt: skip
        # In a unit's feed an event is its UID and version lines, then this body.
        bodies = list(zip(dates, summaries, descriptions, tails, ends, strict=True))
        per_unit, duty_counts, dated = self._counts
        assignees = [*(u.id for u in schedule.units), *(g.id for g in schedule.groups)]
        suffixes = {a: uid_suffix(a, schedule.plan.uid_domain) for a in assignees}
        return _Shared(
            bodies=bodies,
            entries=entries,
            uid_prefixes=prefixes,
            heads=heads,
            suffixes=suffixes,
            uid_endings={a: f"{suffix}\r\n".encode() for a, suffix in suffixes.items()},
            all_summaries=all_summaries,
            all_entries=all_entries,
            per_unit=per_unit,
            duty_counts=duty_counts,
            dated=dated,
        )

    def _spread(self, column: list[Item]) -> list[Item]:
        """A column of the encoded occurrences, in place in a list of all occurrences (a kept
        one's place holds a placeholder, never read)."""
        indexes = self._to_encode
        if len(indexes) == len(self.occurrences):
            return column
        spread: list[Item] = [None] * len(self.occurrences)  # type: ignore[list-item]
        for i, value in zip(indexes, column, strict=True):
            spread[i] = value
        return spread

    @cached_property
    def _counts(self) -> _Counts:
        """Per unit: the indexes of its occurrences, its duties and its dated occurrences."""
        schedule = self.schedule
        # Gathered per duty, then per unit: a province has ten times more occurrences than
        # duties, and each occurrence reaches a few units.
        of_duty: dict[str, list[int]] = {d.id: [] for d in schedule.duties}
        # An event recorded for one unit is that unit's alone.
        of_unit: dict[str, list[int]] = {u.id: [] for u in schedule.units}
        for i, occ in enumerate(self.occurrences):
            if occ.unit is None:
                of_duty[occ.duty.id].append(i)
            else:
                of_unit[occ.unit].append(i)
        # Each series stands for many dated occurrences; without series, each for itself.
        if self._folded:
            dated_of_duty: Mapping[str, int] = Counter(
                occ.duty.id for occ in self.dated if occ.unit is None
            )
        else:
            dated_of_duty = {duty: len(indexes) for duty, indexes in of_duty.items()}
        runs: dict[str, list[list[int]]] = {u: [own] for u, own in of_unit.items()}
        duty_counts = dict.fromkeys(runs, 0)  # as `units` counts them (Schedule.duties_of)
        dated = {u: len(own) for u, own in of_unit.items()}
        for duty in schedule.duties:
            indexes, count = of_duty[duty.id], dated_of_duty[duty.id]
            for reached in schedule.unit_ids_of(duty):
                runs[reached].append(indexes)
                duty_counts[reached] += 1
                dated[reached] += count
        # In feed order: sorting merges the duties' ascending runs.
        per_unit = {u: sorted(chain.from_iterable(r)) for u, r in runs.items()}
        return per_unit, duty_counts, dated

    def render_all(self) -> Output:
        """all.ics: one event per duty and period, naming its units and groups as the plan
        does (a group once, not its members). Its UID is the first assignee's, so the event
        of a duty led by one unit keeps the UID it had when all.ics held one per assignee."""
        sh, writer = self._shared, self.writer
        file = f"{ALL}.ics"
        versions = Versions(self.previous.get(file, {}), self.modified_now, writer.stamp)
        pieces: list[bytes | memoryview] = []
        lines, suffixes, endings = versions.lines, sh.suffixes, sh.uid_endings
        kept, old = self._kept, self.spliced.get(file, {})
        # An event kept keeps its manifest entry (Versions.keep, written out here: 52k calls).
        current, entries_before = versions.current, versions.previous
        occurrences = zip(
            self.occurrences, kept, sh.uid_prefixes, sh.heads, sh.bodies, sh.all_summaries,
            sh.all_entries, strict=True,
        )  # fmt: skip
        marks: list[int] = []  # where each duty's events start, in pieces
        names: list[str] = []
        last = None
        for occ, is_kept, prefix, head_start, body, summary, entry in occurrences:
            if occ.duty is not last:
                last = occ.duty
                marks.append(len(pieces))
                names.append(last.id)
            if is_kept:  # as the previous build wrote it
                uid = occ.uid_prefix + suffixes[occ.duty.units[0]]
                pieces.append(old[uid])
                current[uid] = entries_before[uid]
                continue
            dates, _summary, description, tail, end = body
            first = assignees(occ)[0]  # an event of one unit: that unit
            uid = prefix + suffixes[first]
            head = head_start + endings[first]
            if len(head) > LONGEST_HEAD:
                head = writer.head(uid)
            pieces += (head, lines(uid, entry), dates, summary)
            pieces += (description, tail, end)
        plan_title = self.schedule.plan.title
        data = writer.calendar_pieces(f"{ALL_NAME}：{plan_title}", pieces, plan_title)
        events = len(versions.current)
        feed = Feed(ALL, ALL_NAME, file, len(self.schedule.duties), events, len(self.dated))
        return _output(file, data, versions, feed, ALL_NAME, blocks(data, pieces, marks, names))

    def render_unit(self, unit: Unit) -> Output:
        sh, writer = self._shared, self.writer
        file = f"{unit.id}.ics"
        versions = Versions(self.previous.get(file, {}), self.modified_now, writer.stamp)
        suffix, ending = sh.suffixes[unit.id], sh.uid_endings[unit.id]
        pieces: list[bytes | memoryview] = []
        lines, prefixes, heads, entries = versions.lines, sh.uid_prefixes, sh.heads, sh.entries
        bodies = sh.bodies
        indexes = sh.per_unit[unit.id]
        kept, old, keep, occurrences = self._kept, self.spliced.get(file, {}), versions.keep, self.occurrences  # fmt: skip
        marks: list[int] = []  # where each duty's events start, in pieces
        names: list[str] = []
        last = None
        for i in indexes:
            duty = occurrences[i].duty
            if duty is not last:
                last = duty
                marks.append(len(pieces))
                names.append(duty.id)
            if kept[i]:  # as the previous build wrote it
                uid = occurrences[i].uid_prefix + suffix
                pieces.append(old[uid])
                keep(uid)
                continue
            uid = prefixes[i] + suffix
            head = heads[i] + ending
            if len(head) > LONGEST_HEAD:
                head = writer.head(uid)
            pieces += (head, lines(uid, entries[i]))
            pieces += bodies[i]
        about = f"{self.schedule.plan.title}：{unit.name}的公开任务"
        data = writer.calendar_pieces(unit.name, pieces, about)
        duties = sh.duty_counts[unit.id]
        feed = Feed(unit.id, unit.name, file, duties, len(indexes), sh.dated[unit.id])
        return _output(file, data, versions, feed, unit.name, blocks(data, pieces, marks, names))

    def prepare(self) -> None:
        """Encode the events now: before a fork, so that every process starts from them."""
        self._shared  # noqa: B018

    def unit_cost(self, unit: Unit) -> int:
        return len(self._counts[0][unit.id])

    def all_cost(self) -> int:
        return len(self._shared.all_entries)  # one per event of all.ics

    def finish(self, outputs: Sequence[Output]) -> bytes:
        """Records the outputs (in feed order) and the stale feeds; returns index.html."""
        from .index_page import render_index

        self.manifest = {o.file: o.entries for o in outputs}
        self.feeds = [o.feed for o in outputs]
        self.changes = [o.change for o in outputs]
        self.stale = tuple(sorted(f for f in self.previous if f not in self.manifest))
        for f in self.stale:
            gone = Versions(self.previous[f], self.modified_now, self.writer.stamp)
            self.changes.append(gone.change(f, "（已删除）"))
        return render_index(self.schedule, self.feeds, self.base_url, self.years).encode()

    def files(self) -> Iterator[tuple[str, Sequence[bytes | memoryview]]]:
        outputs = []
        for output in (self.render_all(), *map(self.render_unit, self.schedule.units)):
            assert output.data is not None
            yield output.file, output.data
            outputs.append(dataclasses.replace(output, data=None))
        yield INDEX, [self.finish(outputs)]


def _concatenated(chunks: Sequence[list[Item]]) -> list[Item]:
    joined = chunks[0]  # extended in place: a chunk is used only through this column
    for chunk in chunks[1:]:
        joined += chunk
    return joined


def _output(
    file: str,
    data: list[bytes | memoryview],
    versions: Versions,
    feed: Feed,
    name: str,
    blocks: Blocks,
) -> Output:
    # The manifest part is encoded here, in the process that rendered the feed, so that only
    # bytes and counts go back to the parent.
    entries = dump_entries(versions.current)
    return Output(file, data, entries, feed, versions.change(file, name), blocks=blocks)


def blocks(
    data: list[bytes | memoryview],
    events: list[bytes | memoryview],
    marks: list[int],
    names: list[str],
) -> Blocks:
    """Where each duty's events are in a feed written from ``data`` (``calendar_pieces``
    around ``events``, the events' pieces; ``marks`` says at which of those each duty
    starts): the duties in feed order and the byte offsets of their starts, then where the
    events end."""
    at = len(data[0]) + len(data[1])  # the calendar's head and its VTIMEZONE
    offsets = []
    for a, b in zip(marks, [*marks[1:], len(events)] if marks else [], strict=True):
        offsets.append(at)
        at += sum(map(len, events[a:b]))
    offsets.append(at)
    return tuple(names), tuple(offsets)


@dataclass(frozen=True)
class _Shared:
    bodies: list[tuple[bytes, bytes, bytes, bytes, bytes]]  # the end: alarms, END:VEVENT
    entries: list[str]  # in a unit's feed, were the event new (manifest.new_entry)
    uid_prefixes: list[str]
    heads: list[bytes]  # BEGIN and the UID up to its prefix
    suffixes: dict[str, str]
    uid_endings: dict[str, bytes]  # the suffix and CRLF
    all_summaries: list[bytes]  # per event of all.ics
    all_entries: list[str]
    per_unit: dict[str, list[int]]
    duty_counts: dict[str, int]
    dated: dict[str, int]

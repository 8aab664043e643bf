"""Rendering feeds on several cores: forked processes, each with a share of the work.

Two steps use the cores. First each process encodes a stretch of the occurrences
(:func:`split_map`) and the parent takes in the children's, so that every process then
starts from all of them. Then the feeds are split between the processes by size
(:func:`render_jobs`): each renders and writes its own, and a child sends back only what
the manifest and the summary need (each feed's manifest part, counts and changes) through a
pipe. A feed's bytes do not depend on which process wrote it, so the output is the same as
a one-core build's, byte for byte.
"""

from __future__ import annotations

import fcntl
import marshal
import os
import pickle
from collections.abc import Callable, Sequence
from contextlib import suppress
from typing import Any, Protocol, TypeVar

from disclosure_calendar.core.i18n import gettext as _

from ..core.errors import DisclosureError
from ..schedule.model import Unit
from .summary import Output


class Renderer(Protocol):
    """What is asked of the renderer (feeds.build.Renderer) here."""

    def prepare(self) -> None: ...
    def render_all(self) -> Output: ...
    def render_unit(self, unit: Unit) -> Output: ...
    def all_cost(self) -> int: ...
    def unit_cost(self, unit: Unit) -> int: ...


# Below this many events in all, a fork costs more than it saves.
MIN_EVENTS_TO_SPLIT = 40_000
# Below this many items, encoding them in stretches costs more than it saves.
MIN_ITEMS_TO_SPLIT = 20_000

# How much the parent encodes, against each child's 1 (measured on the synthetic province):
# the parent also does other work meanwhile and reads the children's stretches, ~0.1 s
# against a child's ~0.02 s of marshalling its own.
_LEAD = 0.75

Job = TypeVar("Job")
Result = TypeVar("Result")


def split_map(
    fn: Callable[[int, int], Result],
    count: int,
    workers: int,
    meanwhile: Callable[[], object] = lambda: None,
) -> list[Result]:
    """``fn(start, stop)`` over consecutive stretches of ``range(count)``, the first in this
    process and the others in forked ones; the results in order. ``meanwhile`` runs here
    after the first stretch, while the children finish and send theirs.

    The parent's stretch is ``_LEAD`` times a child's: a child's result still has to be
    pickled, sent and read back, while the parent does ``meanwhile``.
    """
    if workers < 2 or count < MIN_ITEMS_TO_SPLIT or not hasattr(os, "fork"):
        first = fn(0, count)
        meanwhile()
        return [first]
    shares = [_LEAD, *[1.0] * (workers - 1)]
    bounds = [round(count * sum(shares[:k]) / sum(shares)) for k in range(workers + 1)]
    stretches = list(zip(bounds, bounds[1:], strict=False))
    children = []
    try:
        for stretch in stretches[1:]:
            children.append(_fork([stretch], lambda s: fn(*s)))
        first = fn(*stretches[0])
        meanwhile()
    finally:
        received = [_collect(child) for child in children]
    return [first, *(results[0] for results in received)]


def render_jobs(
    renderer: Renderer,
    jobs: Sequence[Unit | None],
    handle: Callable[[Output], Output],
    workers: int,
) -> list[Output]:
    """Render each job (a unit, or None for all.ics), pass it to ``handle``; results in order."""

    def run(job: Unit | None) -> Output:
        return handle(renderer.render_all() if job is None else renderer.render_unit(job))

    renderer.prepare()
    costs = [renderer.all_cost() if j is None else renderer.unit_cost(j) for j in jobs]
    if workers < 2 or len(jobs) < 2 or sum(costs) < MIN_EVENTS_TO_SPLIT or not hasattr(os, "fork"):
        return [run(job) for job in jobs]
    shares = _split(costs, workers)
    children = []
    try:
        for share in shares[1:]:
            children.append(_fork([jobs[i] for i in share], run))
        results = {i: run(jobs[i]) for i in shares[0]}
    finally:
        received = [_collect(child) for child in children]
    for share, outputs in zip(shares[1:], received, strict=True):
        results.update(zip(share, outputs, strict=True))
    return [results[i] for i in range(len(jobs))]


def _split(costs: Sequence[int], workers: int) -> list[list[int]]:
    """Job indexes per process, largest jobs first to the least loaded (LPT)."""
    loads = [0] * workers
    shares: list[list[int]] = [[] for _ in range(workers)]
    for i in sorted(range(len(costs)), key=lambda i: -costs[i]):
        k = loads.index(min(loads))
        shares[k].append(i)
        loads[k] += costs[i]
    return [sorted(s) for s in shares if s]


def _fork(jobs: list[Job], run: Callable[[Job], Any]) -> tuple[int, int]:
    read_end, write_end = os.pipe()
    _widen(write_end)
    pid = os.fork()
    if pid:
        os.close(write_end)
        return pid, read_end
    # The child: never returns into the caller's stack, whatever happens.
    try:
        os.close(read_end)
        try:
            kind, payload = _dumps([run(job) for job in jobs])
        except BaseException as exc:  # reported to the parent, which raises it
            kind, payload = _PICKLED, pickle.dumps(("error", _portable(exc)), protocol=5)
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(kind)
            pipe.write(payload)
    finally:
        os._exit(0)


# A pipe this wide moves a child's results (~25 MB of encoded columns) in about a third of
# the time the default 64 kB takes: fewer switches between writer and reader.
_PIPE_BYTES = 1 << 20


def _widen(pipe: int) -> None:
    # Above this user's limit (fs/pipe-max-size) the default will do.
    if hasattr(fcntl, "F_SETPIPE_SZ"):  # Linux
        with suppress(OSError):
            fcntl.fcntl(pipe, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)


# A result is marshalled when it is only lists, tuples, bytes and strings (the encoded
# columns: marshal writes and reads those about 3x and 2x faster than pickle, which matters
# for 250,000 of them), else pickled. Both ends are this interpreter, so marshal's
# version-bound format is no concern.
_MARSHALLED, _PICKLED = b"M", b"P"


def _dumps(results: list[Any]) -> tuple[bytes, bytes]:
    try:
        return _MARSHALLED, marshal.dumps(results)
    except ValueError:  # an object marshal does not know (an Output, a Change)
        return _PICKLED, pickle.dumps(("ok", results), protocol=5)


def _portable(exc: BaseException) -> BaseException:
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return DisclosureError(str(exc))


def _collect(child: tuple[int, int]) -> list[Any]:
    pid, read_end = child
    with os.fdopen(read_end, "rb") as pipe:
        payload = pipe.read()
    if not payload:
        _pid, status = os.waitpid(pid, 0)
        raise DisclosureError(
            _("a feed-rendering process ended without a result (status {status})").format(
                status=status
            )
        )
    # Read before the child is reaped: it ends (and the kernel frees its memory) meanwhile.
    try:
        if payload[:1] == _MARSHALLED:
            marshalled: list[Any] = marshal.loads(memoryview(payload)[1:])
            return marshalled
        kind, value = pickle.loads(memoryview(payload)[1:])
    finally:
        os.waitpid(pid, 0)
    if kind == "error":
        raise value
    results: list[Any] = value
    return results

"""Rendering feeds on several cores: forked processes sharing the work as they go.

Two steps use the cores. First the occurrences are encoded in chunks (:func:`split_map`)
and the parent takes in the children's, so that every process then starts from all of
them. Then the feeds are rendered and written (:func:`render_jobs`), and a child sends back
only what the manifest and the summary need (each feed's manifest part, counts, changes).

In both steps the work is a numbered list whose numbers wait in a pipe that every process
reads (:func:`_share`): a process takes the next number whenever it is free, so one slowed
by the machine's other load simply takes fewer, and all end within one piece of work of each
other. Results come back with their numbers and are put in order, so the output does not
depend on who did what: it is a one-core build's, byte for byte.
"""

from __future__ import annotations

import fcntl
import marshal
import os
import pickle
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from typing import Any, Protocol, TypeVar

from disclosure_calendar.core.i18n import gettext as _

from ..core.errors import DisclosureError
from ..schedule.model import Unit
from .summary import Output


class Renderer(Protocol):
    """What is asked of the renderer (feeds.render.Renderer) here."""

    def prepare(self) -> None: ...
    def render_all(self) -> Output: ...
    def render_unit(self, unit: Unit) -> Output: ...
    def all_cost(self) -> int: ...
    def unit_cost(self, unit: Unit) -> int: ...


# Below this many events in all, a fork costs more than it saves.
MIN_EVENTS_TO_SPLIT = 40_000
# Below this many items, encoding them on several cores costs more than it saves.
MIN_ITEMS_TO_SPLIT = 20_000

# Chunks of the occurrences per process: enough that the last ones even out the processes'
# ends, few enough that each is thousands of occurrences.
_CHUNKS_PER_WORKER = 16
# A work number in the pipe, and what a pipe holds where the system cannot say (PIPE_BUF).
_NUMBER_BYTES = 4
_SURE_PIPE_BYTES = 512

Job = TypeVar("Job")
Result = TypeVar("Result")


def split_map(
    fn: Callable[[int, int], Result],
    count: int,
    workers: int,
    meanwhile: Callable[[], object] = lambda: None,
) -> list[Result]:
    """``fn(start, stop)`` over consecutive chunks of ``range(count)``, shared between this
    process and forked ones; the results in order. ``meanwhile`` runs here first, while the
    children start on the chunks.
    """
    if workers < 2 or count < MIN_ITEMS_TO_SPLIT or not hasattr(os, "fork"):
        first = fn(0, count)
        meanwhile()
        return [first]
    chunks = workers * _CHUNKS_PER_WORKER
    bounds = [count * k // chunks for k in range(chunks + 1)]
    ranges = list(zip(bounds, bounds[1:], strict=False))
    return _share(ranges, lambda r: fn(*r), workers, meanwhile)


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
    # Largest first, so that the last jobs to be taken are small ones.
    order = sorted(range(len(jobs)), key=lambda i: -costs[i])
    done = _share([jobs[i] for i in order], run, workers)
    results = dict(zip(order, done, strict=True))
    return [results[i] for i in range(len(jobs))]


def _share(
    items: Sequence[Job],
    run: Callable[[Job], Result],
    workers: int,
    first: Callable[[], object] = lambda: None,
) -> list[Result]:
    """``run`` over ``items`` by this process and ``workers - 1`` forked ones, each taking
    the next item when it is free; the results in the items' order. ``first`` runs here
    before this process takes any."""
    numbers, groups = _numbers(len(items))
    children: list[tuple[int, int]] = []

    def taken() -> Iterator[tuple[int, Result]]:
        for n in _take(numbers):
            for k in groups[n]:
                yield k, run(items[k])

    try:
        for _ in range(workers - 1):
            children.append(_fork(lambda: list(taken())))
        first()
        results = dict(taken())
    finally:
        os.close(numbers)
        received = [_collect(child) for child in children]
    for pairs in received:
        results.update(pairs)
    return [results[k] for k in range(len(items))]


def _numbers(count: int) -> tuple[int, list[range]]:
    """A pipe holding the numbers of the items' groups, its writing end closed: each number
    is read once, by whichever process asks first (a pipe hands each read its bytes whole).
    A group is one item, or several consecutive ones if the pipe cannot hold that many
    numbers: written before anyone reads, they must all fit."""
    read_end, write_end = os.pipe()
    try:
        capacity = _SURE_PIPE_BYTES
        if hasattr(fcntl, "F_GETPIPE_SZ"):  # Linux: 64 kB unless the user's pipes are many
            capacity = fcntl.fcntl(write_end, fcntl.F_GETPIPE_SZ)
        size = max(1, -(-count * _NUMBER_BYTES // capacity))
        groups = [range(k, min(k + size, count)) for k in range(0, count, size)]
        data = b"".join(n.to_bytes(_NUMBER_BYTES, "little") for n in range(len(groups)))
        os.set_blocking(write_end, False)  # never wait for a reader that is not there yet
        if os.write(write_end, data) != len(data):
            raise DisclosureError(
                _("a pipe took less than {size} bytes of work numbers").format(size=len(data))
            )
    except BaseException:
        os.close(read_end)
        raise
    finally:
        os.close(write_end)
    return read_end, groups


def _take(numbers: int) -> Iterator[int]:
    while len(data := os.read(numbers, _NUMBER_BYTES)) == _NUMBER_BYTES:
        yield int.from_bytes(data, "little")


def _fork(work: Callable[[], Any]) -> tuple[int, int]:
    """A child doing ``work``, whose result (or error) it sends back through a pipe."""
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
            kind, payload = _dumps(work())
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

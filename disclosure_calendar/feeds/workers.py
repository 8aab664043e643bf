"""Rendering feeds on several cores: forked processes sharing the work as they go.

The work has two steps. First the occurrences are encoded in chunks; then the feeds are
rendered and written, each from any of the encoded occurrences. For a province both use
the cores, in one team of processes (:func:`render_jobs`): each encodes chunks, puts what
it encoded on its shelf (a file in memory) for the others to take, takes theirs, and goes
on to render feeds; a child sends back only what the manifest and the summary need (each
feed's manifest part, counts, changes). The processes stay the same for both steps: no
second fork, and no page of the parent's that the children would copy while rendering.

In both steps the work is a numbered list whose numbers wait in a pipe that every process
reads (:func:`_share`): a process takes the next number whenever it is free, so one slowed
by the machine's other load simply takes fewer, and all end within one piece of work of each
other. Results are put in the order of their numbers, so the output does not depend on who
did what: it is a one-core build's, byte for byte.
"""

from __future__ import annotations

import fcntl
import marshal
import mmap
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any, Protocol, TypeVar

from disclosure_calendar.core.i18n import gettext as _

from ..core.errors import DisclosureError
from ..schedule.model import Unit
from .summary import Output


class Renderer(Protocol):
    """What is asked of the renderer (feeds.render.Renderer) here."""

    def encoding_size(self) -> int: ...
    def encode(self, start: int, stop: int) -> Any: ...
    def before_sharing(self) -> Any: ...
    def adopt(self, chunks: list[Any], shared: Any) -> None: ...
    def prepare(self) -> None: ...
    def render_all(self) -> Output: ...
    def render_unit(self, unit: Unit) -> Output: ...
    def all_cost(self) -> int: ...
    def unit_cost(self, unit: Unit) -> int: ...


# Below this many items (occurrences to encode), a fork costs more than it saves.
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
    return _share(_chunks(count, workers), lambda r: fn(*r), workers, meanwhile)


def _chunks(count: int, workers: int) -> list[tuple[int, int]]:
    chunks = workers * _CHUNKS_PER_WORKER
    bounds = [count * k // chunks for k in range(chunks + 1)]
    return list(zip(bounds, bounds[1:], strict=False))


def render_jobs(
    renderer: Renderer,
    jobs: Sequence[Unit | None],
    handle: Callable[[Output], Output],
    workers: int,
) -> list[Output]:
    """Render each job (a unit, or None for all.ics), pass it to ``handle``; results in order."""

    def run(job: Unit | None) -> Output:
        return handle(renderer.render_all() if job is None else renderer.render_unit(job))

    count = renderer.encoding_size()
    if workers < 2 or len(jobs) < 2 or count < MIN_ITEMS_TO_SPLIT or not hasattr(os, "fork"):
        renderer.prepare()  # the encoding alone may still be shared (split_map)
        return [run(job) for job in jobs]
    return _Team(workers).run(renderer, _chunks(count, workers), jobs, run)


def _by_cost(renderer: Renderer, jobs: Sequence[Unit | None]) -> list[int]:
    """The jobs' indexes, largest first: the last jobs to be taken are then small ones."""
    costs = [renderer.all_cost() if j is None else renderer.unit_cost(j) for j in jobs]
    return sorted(range(len(jobs)), key=lambda i: -costs[i])


class _Team:
    """This process (member 0) and ``workers - 1`` forked ones, encoding and then rendering.

    Each member has a shelf, a file in memory where it puts what it encoded, and a signal,
    a pipe whose writing end only that member holds: it closes it once its shelf is full,
    or by ending, however it ends. An empty shelf behind a closed signal is a member that
    failed, and the others stop instead of waiting for it.
    """

    def __init__(self, workers: int):
        self.size = workers
        self.shelves: list[int] = []
        self.signals: list[tuple[int, int]] = []  # (reading end, writing end)
        self._open: set[int] = set()  # closed once each: a closed number may be reused

    def run(
        self,
        renderer: Renderer,
        chunks: Sequence[tuple[int, int]],
        jobs: Sequence[Unit | None],
        run: Callable[[Unit | None], Output],
    ) -> list[Output]:
        children: list[tuple[int, int]] = []
        try:
            encoding, encoding_groups = self._held(_numbers(len(chunks)))
            rendering, rendering_groups = self._held(_numbers(len(jobs)))
            for _k in range(self.size):
                self.shelves.append(self._hold(self._shelf()))
                read, write = os.pipe()
                self.signals.append((self._hold(read), self._hold(write)))

            def member(index: int) -> list[tuple[int, Output]]:
                self._keep_signal(index)
                shared = renderer.before_sharing() if index == 0 else None
                encode = renderer.encode
                mine = dict(_taken(encoding, encoding_groups, lambda k: encode(*chunks[k])))
                everything, shared = self._swap(index, mine, shared)
                renderer.adopt([everything.pop(k) for k in range(len(chunks))], shared)
                order = _by_cost(renderer, jobs)
                taken = _taken(rendering, rendering_groups, lambda k: run(jobs[order[k]]))
                return [(order[k], output) for k, output in taken]  # by the jobs' indexes

            for index in range(1, self.size):
                children.append(_fork(lambda index=index: member(index)))  # type: ignore[misc]
            try:
                done = dict(member(0))
            except _MemberFailed:
                pending, children = children, []
                _collect_all(pending)  # the child's own error, if it sent one
                raise
            pending, children = children, []
            for pairs in _collect_all(pending):
                done.update(pairs)
            return [done[i] for i in range(len(jobs))]
        finally:
            # Closed before waiting: a child waiting for this member's shelf then ends.
            for fd in list(self._open):
                self._close(fd)
            for pid, read_end in children:
                os.close(read_end)
                os.waitpid(pid, 0)

    def _hold(self, fd: int) -> int:
        self._open.add(fd)
        return fd

    def _held(self, numbers: tuple[int, list[range]]) -> tuple[int, list[range]]:
        self._hold(numbers[0])
        return numbers

    def _close(self, fd: int) -> None:
        if fd in self._open:
            self._open.discard(fd)
            os.close(fd)

    def _keep_signal(self, index: int) -> None:
        """Close the writing ends of the other members' signals: only theirs may end them."""
        for k, (_read, write) in enumerate(self.signals):
            if k != index:
                self._close(write)

    def _shelf(self) -> int:
        if hasattr(os, "memfd_create"):  # Linux: a file in memory, gone with its last holder
            return os.memfd_create("disclosure-calendar-shelf", os.MFD_CLOEXEC)
        import tempfile

        fd, path = tempfile.mkstemp(prefix="disclosure-calendar-shelf-")
        os.unlink(path)  # elsewhere, a file no folder names, gone with its last holder
        return fd

    def _swap(self, index: int, mine: dict[int, Any], shared: Any) -> tuple[dict[int, Any], Any]:
        """Put this member's results on its shelf; take every other member's (and what the
        parent shares with all) once each has put its own."""
        kind, payload = _dumps([mine, shared])
        _write_all(self.shelves[index], kind)
        _write_all(self.shelves[index], payload)
        del payload
        self._close(self.signals[index][1])
        everything = dict(mine)
        for k in range(self.size):
            if k == index:
                continue
            while os.read(self.signals[k][0], 1):  # nothing is written: its end is awaited
                pass
            with _mapped(self.shelves[k]) as data:
                if not data:
                    raise _MemberFailed(k)
                theirs, given = _loads(data)
            everything.update(theirs)
            if k == 0:
                shared = given
        for shelf in self.shelves:  # what is on them is taken: the memory can go
            self._close(shelf)
        return everything, shared


class _MemberFailed(DisclosureError):
    def __init__(self, member: int):
        super().__init__(
            _("a feed-rendering process ended without a result (process {member})").format(
                member=member
            )
        )


def _collect_all(children: list[tuple[int, int]]) -> list[list[Any]]:
    """Every child's results; the first error met is raised once all have been read."""
    received, error = [], None
    for child in children:
        try:
            received.append(_collect(child))
        except BaseException as exc:  # noqa: BLE001 - raised below, after the others
            error = error or exc
    if error is not None:
        raise error
    return received


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


@contextmanager
def _mapped(fd: int) -> Iterator[bytes | mmap.mmap]:
    """A shelf's content, mapped rather than read: its pages are in memory already, and
    reading them would copy 20 MB into as many fresh pages, each a page fault."""
    size = os.fstat(fd).st_size
    if not size:
        yield b""
        return
    # MAP_POPULATE maps every page in one call instead of one fault per page touched.
    flags = mmap.MAP_SHARED | getattr(mmap, "MAP_POPULATE", 0)
    with mmap.mmap(fd, size, flags=flags, prot=mmap.PROT_READ) as data:
        yield data


def _taken(
    numbers: int, groups: Sequence[range], run: Callable[[int], Result]
) -> Iterator[tuple[int, Result]]:
    """``run`` over the items whose group numbers this process takes from the pipe."""
    for n in _take(numbers):
        for k in groups[n]:
            yield k, run(k)


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
    try:
        for _ in range(workers - 1):
            children.append(_fork(lambda: list(_taken(numbers, groups, lambda k: run(items[k])))))
        first()
        results = dict(_taken(numbers, groups, lambda k: run(items[k])))
    finally:
        os.close(numbers)
        received = _collect_all(children)  # every child reaped, whatever one sent
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
            kind, payload = _PICKLED, _pickled_error(exc)
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
        import pickle  # here: a build too small to fork never needs it (3 ms of start-up)

        return _PICKLED, pickle.dumps(("ok", results), protocol=5)


def _loads(data: bytes | mmap.mmap) -> Any:
    """What ``_dumps`` wrote (kind and payload); a child's reported error is raised."""
    if data[:1] == _MARSHALLED:
        return marshal.loads(memoryview(data)[1:])
    import pickle

    kind, value = pickle.loads(memoryview(data)[1:])
    if kind == "error":
        raise value
    return value


def _pickled_error(exc: BaseException) -> bytes:
    """The error as ``_loads`` raises it: itself if it survives pickling, else its text."""
    import pickle

    try:
        payload = pickle.dumps(("error", exc), protocol=5)
        pickle.loads(payload)
        return payload
    except Exception:
        return pickle.dumps(("error", DisclosureError(str(exc))), protocol=5)


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
        results: list[Any] = _loads(payload)
    finally:
        os.waitpid(pid, 0)
    return results

"""Rendering feeds on several cores: the jobs split between forked processes by size.

Everything a feed is assembled from (each occurrence's encoded parts) is computed once,
before the fork, so each child starts with it in shared memory. Each process renders and
writes its own feeds, then a child sends back what the manifest needs (its feeds' entries,
counts and changes) through a pipe. A feed's bytes do not depend on which process wrote
it, so the output is the same as a one-core build's, byte for byte.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Sequence
from typing import Protocol

from disclosure_calendar.core.i18n import gettext as _

from ..core.errors import DisclosureError
from ..schedule.model import Unit
from .summary import Output


class Renderer(Protocol):
    """What is asked of the renderer (feeds.build.Renderer) here."""

    def render_all(self) -> Output: ...
    def render_unit(self, unit: Unit) -> Output: ...
    def all_cost(self) -> int: ...
    def unit_cost(self, unit: Unit) -> int: ...


# Below this many events in all, a fork costs more than it saves.
MIN_EVENTS_TO_SPLIT = 40_000


def render_jobs(
    renderer: Renderer,
    jobs: Sequence[Unit | None],
    handle: Callable[[Output], Output],
    workers: int,
) -> list[Output]:
    """Render each job (a unit, or None for all.ics), pass it to ``handle``; results in order."""

    def run(job: Unit | None) -> Output:
        return handle(renderer.render_all() if job is None else renderer.render_unit(job))

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


def _fork(jobs: list[Unit | None], run: Callable[[Unit | None], Output]) -> tuple[int, int]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid:
        os.close(write_end)
        return pid, read_end
    # The child: never returns into the caller's stack, whatever happens.
    try:
        os.close(read_end)
        try:
            payload = pickle.dumps(("ok", [run(job) for job in jobs]), protocol=5)
        except BaseException as exc:  # reported to the parent, which raises it
            payload = pickle.dumps(("error", _portable(exc)), protocol=5)
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
    finally:
        os._exit(0)


def _portable(exc: BaseException) -> BaseException:
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return DisclosureError(str(exc))


def _collect(child: tuple[int, int]) -> list[Output]:
    pid, read_end = child
    with os.fdopen(read_end, "rb") as pipe:
        payload = pipe.read()
    _pid, status = os.waitpid(pid, 0)
    if not payload:
        raise DisclosureError(
            _("a feed-rendering process ended without a result (status {status})").format(
                status=status
            )
        )
    kind, value = pickle.loads(payload)
    if kind == "error":
        raise value
    outputs: list[Output] = value
    return outputs

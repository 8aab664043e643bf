"""Benchmark loading a schedule: a synthetic province, with and without the schedule cache.

    .venv/bin/python bench/bench_load.py [--runs 15] [--fresh-runs 5] [--against DIR]

1. In this process, alternated round by round so the machine's other load hits each alike,
   medians of ``load_schedule`` on bench_build's ``synthetic_yaml()`` (300 units, 2,000
   duties, 1 MB): without the cache (``cache=False``, the reference), an unchanged file (a
   cache hit), one duty's title edited (the load reads that duty and reuses the rest), then
   a blank line added above a duty in the middle (the duty before it is read again, every
   later duty's line moves). Each round edits another title: a duty the cache has not seen.
   Targets: hit <= 25 ms, edit <= 40 ms.
2. ``cli.py -f province.yaml validate`` as fresh processes, medians: the cache off
   (``DISCLOSURE_CALENDAR_CACHE=off``: as before the cache), an unchanged file, one title
   edited (another each round). ``--against DIR`` also runs DIR's tree (e.g. /work/main) with the cache off,
   alternated with these.

The cache lives in a temporary folder, deleted at the end. Figures only, no pass/fail; the
load average and the machine's speed (bench_build's fixed loop) are printed before and after.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_build import machine_speed, synthetic_yaml  # noqa: E402

TITLE = "    title: 第1000项"


def _ms(times: list[float]) -> str:
    return f"{statistics.median(times) * 1000:7.1f} ms (min {min(times) * 1000:.1f})"


def _timed(load: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    load()
    return time.perf_counter() - t0


def in_process(path: Path, runs: int) -> None:
    from disclosure_calendar.schedule import load_schedule
    from disclosure_calendar.schedule.cache import STATS

    text = synthetic_yaml()
    assert TITLE in text

    def edited(n: int) -> tuple[str, str]:
        """The title edited (anew each round: a duty the cache has not seen), and then a
        blank line above a duty in the middle."""
        title = text.replace(TITLE, f"{TITLE}（第{n}次修订）", 1)
        lines = title.split("\n")
        middle = lines.index("  - id: duty-1000")
        return title, "\n".join([*lines[:middle], "", *lines[middle:]])

    path.write_text(text, encoding="utf-8")
    load_schedule(path)  # warm-up: imports, the first entry
    times: dict[str, list[float]] = {"no cache": [], "hit": [], "title edit": [], "blank line": []}
    for n in range(runs):
        title, blank = edited(n)
        path.write_text(text, encoding="utf-8")
        times["no cache"].append(_timed(lambda: load_schedule(path, cache=False)))
        load_schedule(path)
        times["hit"].append(_timed(lambda: load_schedule(path)))
        path.write_text(title, encoding="utf-8")
        times["title edit"].append(_timed(lambda: load_schedule(path)))
        path.write_text(blank, encoding="utf-8")
        times["blank line"].append(_timed(lambda: load_schedule(path)))
    for kind, values in times.items():
        print(f"  {kind:<11} {_ms(values)}")
    print(f"  loads: {STATS}")
    assert load_schedule(path) == load_schedule(path, cache=False)


def fresh_processes(path: Path, runs: int, against: Path | None) -> None:
    text = synthetic_yaml()

    def validate(tree: Path, cache: str) -> float:
        env = {**os.environ, "DISCLOSURE_CALENDAR_CACHE": cache, "PYTHONPATH": str(tree)}
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, str(tree / "cli.py"), "-f", str(path), "validate"],
            env=env, check=True, stdout=subprocess.DEVNULL, cwd=tree,
        )  # fmt: skip
        return time.perf_counter() - t0

    cache = os.environ["DISCLOSURE_CALENDAR_CACHE"]
    kinds: dict[str, Callable[[int], float]] = {
        "cache off": lambda n: validate(ROOT, "off"),
        "unchanged": lambda n: validate(ROOT, cache),
        "title edit": lambda n: (
            (path.write_text(text.replace(TITLE, f"{TITLE}（第{n}次）"), encoding="utf-8"), 0.0)[1]
            + validate(ROOT, cache)
        ),
    }
    if against is not None:
        kinds[f"{against.name} (off)"] = lambda n: validate(against, "off")
    times: dict[str, list[float]] = {kind: [] for kind in kinds}
    path.write_text(text, encoding="utf-8")
    for kind in kinds:  # warm-up: byte code, page cache, the first entry
        kinds[kind](-1)
    for n in range(runs):
        for kind, run in kinds.items():
            if kind == "unchanged":
                validate(ROOT, cache)  # the entry of the current text
            times[kind].append(run(n))
    for kind, values in times.items():
        print(f"  validate, {kind:<15} {_ms(values)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--fresh-runs", type=int, default=5)
    parser.add_argument("--against", type=Path, help="another checkout, run with the cache off")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-load-"))
    os.environ["DISCLOSURE_CALENDAR_CACHE"] = str(tmp / "cache")
    try:
        print(f"load average: {os.getloadavg()}")
        print(f"machine speed before: {machine_speed()}")
        print("province, in process (medians):")
        in_process(tmp / "province.yaml", args.runs)
        if args.fresh_runs:
            print("province, fresh processes (medians):")
            fresh_processes(tmp / "province.yaml", args.fresh_runs, args.against)
        print(f"load average: {os.getloadavg()}")
        print(f"machine speed after:  {machine_speed()}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

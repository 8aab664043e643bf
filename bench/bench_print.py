"""Benchmark: every unit's PDF plus the city-wide one, for one year of the bundled schedule.

    .venv/bin/python bench/bench_print.py [--schedule schedule.yaml] [--year 2026] [--runs 3]

Prints the median wall time of the whole job (load, expand, font check, render, write), the
city-wide edition alone as the baseline in the same process, their ratio, and the peak RSS.
Target (issue 5): all of them in at most 10 s on the 2-core reference machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from disclosure_calendar.printing.render import write_calendars  # noqa: E402
from disclosure_calendar.schedule import load_schedule  # noqa: E402
from disclosure_calendar.workdays import ChinaCalendar  # noqa: E402


def job(schedule_path: Path, year: int, units: list[str | None], out: Path) -> int:
    schedule = load_schedule(schedule_path)
    cal = ChinaCalendar(notices=schedule.notices, local_days_off=schedule.local_days_off)
    targets = [None, *(u.id for u in schedule.units)] if units == ["*"] else units
    written = write_calendars(
        schedule, cal, year, units=targets, out_dir=out, built=dt.date(year, 1, 1)
    )
    return len(written)


def timed(runs: int, *args: object) -> tuple[float, int]:
    times, count = [], 0
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            count = job(*args, Path(tmp))  # type: ignore[arg-type]
            times.append(time.perf_counter() - start)
    return statistics.median(times), count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = ROOT / "schedule.yaml"
    if not default.exists():
        default = ROOT / "tests" / "data" / "minimal.yaml"
    parser.add_argument("--schedule", type=Path, default=default)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    base, _ = timed(args.runs, args.schedule, args.year, [None])
    total, count = timed(args.runs, args.schedule, args.year, ["*"])
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"schedule {args.schedule.name}, year {args.year}, median of {args.runs} runs")
    print(f"city-wide PDF only:                 {base:6.2f} s")
    print(f"all {count} PDFs (every unit + city): {total:6.2f} s  ({total / base:.1f}x city-wide)")
    print(f"peak RSS:                           {peak_mb:6.0f} MB")
    print(f"target <= 10 s: {'met' if total <= 10 else 'MISSED'}")


if __name__ == "__main__":
    main()

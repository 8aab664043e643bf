"""Benchmark: ChinaCalendar vs workalendar's China on 2019-2023 dates.

Prints microseconds per ``add_working_days(d, 15)`` and per ``is_working_day(d)``
(median over repeats, same run, same dates) and the speed ratio; also counts the
dates on which the two answers differ (expected: only across the 2020 Spring
Festival extension, which workalendar's data lacks).

    .venv/bin/python bench/bench_workdays.py [--repeats 7] [--dates 2000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workalendar.asia import China  # noqa: E402

from disclosure_calendar.workdays import ChinaCalendar  # noqa: E402


def per_call_us(fn: Callable[[dt.date], object], days: list[dt.date], repeats: int) -> float:
    """Median over ``repeats`` of the mean time per call, in microseconds."""
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for d in days:
            fn(d)
        runs.append((time.perf_counter() - t0) / len(days) * 1e6)
    return statistics.median(runs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--dates", type=int, default=2000)
    args = ap.parse_args()

    rng = random.Random(20240601)
    first, last = dt.date(2019, 1, 1), dt.date(2023, 11, 30)
    days = [
        first + dt.timedelta(days=rng.randrange((last - first).days)) for _ in range(args.dates)
    ]

    warnings.simplefilter("ignore")  # workalendar's China warns on every call
    ours, theirs = ChinaCalendar(), China()
    # warm both caches (fair: workalendar caches holidays per year too)
    for d in days[:50]:
        ours.add_working_days(d, 15)
        theirs.add_working_days(d, 15)

    diff_add = sum(ours.add_working_days(d, 15) != theirs.add_working_days(d, 15) for d in days)
    diff_is = sum(ours.is_working_day(d) != theirs.is_working_day(d) for d in days)

    print(f"{len(days)} dates in 2019-2023, median of {args.repeats} repeats")
    print(f"{'operation':<26}{'ours µs':>10}{'workalendar µs':>17}{'ratio':>9}")
    for label, a, b in (
        (
            "add_working_days(d, 15)",
            lambda d: ours.add_working_days(d, 15),
            lambda d: theirs.add_working_days(d, 15),
        ),
        ("is_working_day(d)", ours.is_working_day, theirs.is_working_day),
    ):
        t_ours = per_call_us(a, days, args.repeats)
        t_theirs = per_call_us(b, days, args.repeats)
        print(f"{label:<26}{t_ours:>10.3f}{t_theirs:>17.3f}{t_theirs / t_ours:>8.0f}×")
    print(
        f"answers differing: add_working_days {diff_add}, is_working_day {diff_is} "
        "(workalendar lacks the 2020 Spring Festival extension: 2020-01-31, 2020-02-01)"
    )


if __name__ == "__main__":
    main()

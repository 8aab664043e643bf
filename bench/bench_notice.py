"""Benchmark: reading a holiday notice's text (workdays.notice_text.read_notice).

Prints the median time to read: one real-sized notice (the 2026 form, ~1 KB), the same with
the statutory-holiday check's first import of ``holidays`` excluded (it is imported once per
process), a text just under the size limit (~100,000 characters of repeated notices), and a
10 MB text (refused by its size before any line is read).

    .venv/bin/python bench/bench_notice.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "workdays"))

from notice_forms import published_text  # noqa: E402

from disclosure_calendar.workdays.notice_text import MAX_CHARS, read_notice  # noqa: E402


def median_ms(fn: Callable[[], object], repeats: int) -> float:
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    one = published_text(2026)
    t0 = time.perf_counter()
    read_notice(one)  # the first call imports holidays for the statutory check
    first = (time.perf_counter() - t0) * 1e3
    near_limit = (one + "\n") * (MAX_CHARS // (len(one) + 1))
    ten_mb = one * (10 * 2**20 // len(one.encode()))
    print(f"first notice in a process (imports holidays): {first:8.2f} ms")
    for label, text in (
        (f"one notice ({len(one):,} chars)", one),
        (f"near the limit ({len(near_limit):,} chars)", near_limit),
        (f"10 MB ({len(ten_mb):,} chars, refused)", ten_mb),
    ):
        print(f"{label:44} {median_ms(lambda t=text: read_notice(t), args.repeats):8.2f} ms")


if __name__ == "__main__":
    main()

"""Hostile schedules: the loader over many generated variants, and group chains by length.

1. Fuzz: --cases variants of the test schedules (byte flips, deleted lines, indentation, key
   renames, empty values, huge numbers, bad dates, group cycles and chains, deep nesting,
   tags, alias bombs; tests/schedule/fuzz_schedules.py), each loaded in-process and, when
   accepted, expanded over two years. Prints the findings (tracebacks, problems without
   file:line, duties dropped silently, cases over 5 s: all should be 0) and case timings.
2. Chains: `validate` of a chain of N nested groups (refused past 20 levels), median time.

    .venv/bin/python bench/bench_fuzz.py [--cases 10000] [--start 0]
"""

from __future__ import annotations

import argparse
import collections
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "schedule"))

import fuzz_schedules  # noqa: E402
from test_hostile_schedules import chain  # noqa: E402

from disclosure_calendar.core.errors import InputError  # noqa: E402
from disclosure_calendar.schedule.loader import load_schedule  # noqa: E402


def fuzz(cases: int, start: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.monotonic()
        outcomes = [fuzz_schedules.check(n, Path(tmp)) for n in range(start, start + cases)]
        total = time.monotonic() - started
    seconds = sorted(o.seconds for o in outcomes)
    findings = [o for o in outcomes if o.finding]
    accepted = sum(o.accepted for o in outcomes)
    print(f"fuzz: {cases} variants (cases {start}..{start + cases - 1}) in {total:.1f} s")
    print(f"  accepted {accepted}, rejected with file:line {cases - accepted - len(findings)}")
    print(f"  findings {len(findings)} (tracebacks, problems without file:line, silent drops)")
    print(f"  over {fuzz_schedules.LIMIT:.0f} s: {sum(s > fuzz_schedules.LIMIT for s in seconds)}")
    print(
        f"  per case: median {statistics.median(seconds) * 1000:.1f} ms, "
        f"p99 {seconds[int(len(seconds) * 0.99)] * 1000:.1f} ms, max {seconds[-1] * 1000:.0f} ms"
    )
    used = collections.Counter(m for o in outcomes for m in o.mutations.split("+"))
    print("  mutations: " + ", ".join(f"{k} {v}" for k, v in sorted(used.items())))
    for o in findings[:20]:
        print(f"  case {o.n} ({o.mutations}): {o.finding}")


def chains() -> None:
    print("chains of nested groups (validate, median of 3):")
    with tempfile.TemporaryDirectory() as tmp:
        for n in (1000, 2000, 4000, 8000, 16000):
            path = chain(Path(tmp), n)
            times = []
            for _ in range(3):
                started = time.perf_counter()
                try:
                    load_schedule(path)
                    verdict = "accepted"
                except InputError as exc:
                    verdict = exc.problems[0].message
                times.append(time.perf_counter() - started)
            size = path.stat().st_size // 1024
            print(f"  {n:6} groups, {size:5} KB: {statistics.median(times):6.3f} s  ({verdict})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10000)
    parser.add_argument("--start", type=int, default=0)
    args = parser.parse_args()
    fuzz(args.cases, args.start)
    chains()


if __name__ == "__main__":
    main()

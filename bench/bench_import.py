"""Benchmark `plan import`: a 1 MB plan, in this process and as a fresh command.

    .venv/bin/python bench/bench_import.py [--runs 5]

The 1 MB plan is the seed (tests/data/seed_plan.txt: traditional characters with pinyin
annotations, a web table copied as cells) written out 45 times with its sections renumbered
and every item's text varied, so that no line repeats: 5,000 tasks. Printed per stage
(read: decode, simplify, clean; recognise; draft; YAML) as medians of ``--runs``, and the
whole command (`plan import PLAN -o DRAFT.yaml`) as a fresh process, startup included.
Target: under 2 s for the command. Figures only, no pass/fail.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SEED = ROOT / "tests" / "data" / "seed_plan.txt"
CN = "一二三四五六七八九"


def chinese(n: int) -> str:
    tens, ones = divmod(n, 10)
    return ("" if tens == 0 else ("十" if tens == 1 else CN[tens - 1] + "十")) + (
        CN[ones - 1] if ones else ""
    )


def big_plan(target: int = 1 << 20) -> bytes:
    lines = SEED.read_text(encoding="utf-8").splitlines()
    start = lines.index("工作任務 |")
    head, body = lines[:start], lines[start + 3 :]
    out = list(head) + lines[start : start + 3]
    copy = 0
    while len("\n".join(out).encode()) < target:
        copy += 1
        section = 0
        for line in body:
            if (
                "、" in line[:4]
                and line.endswith(" |")
                and not line[0].isdigit()
                and line[0] in "一二三四五六七八九十"
            ):
                section += 1
                out.append(
                    f"{chinese((copy * 22 + section) % 99 + 1)}、第{copy}輪{line.split('、', 1)[1]}"
                )
            elif line[:1].isdigit():
                out.append(line.replace("。", f"（第{copy}輪）。", 1))
            else:
                out.append(line)
    return "\n".join(out).encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from disclosure_calendar.planning import read_plan, recognise
    from disclosure_calendar.planning.draft import make_draft
    from disclosure_calendar.planning.output import as_yaml
    from disclosure_calendar.schedule import load_schedule

    data = big_plan()
    schedule = load_schedule(ROOT / "schedule.yaml")
    print(f"plan: {len(data) / 1e6:.2f} MB")
    times: dict[str, list[float]] = {"read": [], "recognise": [], "draft": [], "yaml": []}
    tasks = 0
    for _run in range(args.runs):
        t0 = time.perf_counter()
        doc = read_plan("big.txt", data)
        t1 = time.perf_counter()
        plan = recognise(doc)
        t2 = time.perf_counter()
        draft = make_draft(plan, schedule, today=dt.date(2026, 1, 1))
        t3 = time.perf_counter()
        as_yaml(draft, source="big.txt")
        t4 = time.perf_counter()
        for key, value in zip(times, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            times[key].append(value)
        tasks = len(plan.tasks)
    print(f"tasks: {tasks}")
    for key, values in times.items():
        print(f"  {key:10s} {statistics.median(values):.3f} s")
    print(f"  {'total':10s} {sum(statistics.median(v) for v in times.values()):.3f} s (in process)")

    with tempfile.TemporaryDirectory() as folder:
        plan_path = Path(folder) / "big.txt"
        plan_path.write_bytes(data)
        command = [sys.executable, str(ROOT / "cli.py"), "-f", str(ROOT / "schedule.yaml"), "plan", "import",
                   str(plan_path), "-o", str(Path(folder) / "draft.yaml")]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        fresh = []
        for _run in range(args.runs):
            t0 = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, env=env)
            fresh.append(time.perf_counter() - t0)
        print(
            f"command, fresh process: median {statistics.median(fresh):.3f} s, best {min(fresh):.3f} s"
        )


if __name__ == "__main__":
    main()

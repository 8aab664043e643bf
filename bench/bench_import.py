"""Benchmark `plan import`: a 1 MB plan, in this process and as a fresh command.

    .venv/bin/python bench/bench_import.py [--runs 5]

The 1 MB plan is the seed (tests/data/seed_plan.txt: traditional characters with pinyin
annotations, a web table copied as cells) written out 45 times with its sections renumbered
and every item's text varied, so that no line repeats: 5,000 tasks. Printed per stage
(read: decode, simplify, clean; recognise; draft; YAML) as medians of ``--runs``, and the
whole command (`plan import PLAN -o DRAFT.yaml`) as a fresh process, startup included.
Target: under 2 s for the command. Each stage is timed as wall clock and as this process's
CPU time (the machine is shared: the load average is printed before and after, and on a
loaded machine the CPU time is the figure that compares). Figures only, no pass/fail.
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
    print(f"load average: {os.getloadavg()[0]:.2f}")
    stages = ("read", "recognise", "draft", "yaml")
    wall: dict[str, list[float]] = {k: [] for k in stages}
    cpu: dict[str, list[float]] = {k: [] for k in stages}
    tasks = 0
    for _run in range(args.runs):
        marks = [(time.perf_counter(), time.process_time())]
        doc = read_plan("big.txt", data)
        marks.append((time.perf_counter(), time.process_time()))
        plan = recognise(doc)
        marks.append((time.perf_counter(), time.process_time()))
        draft = make_draft(plan, schedule, today=dt.date(2026, 1, 1))
        marks.append((time.perf_counter(), time.process_time()))
        as_yaml(draft, source="big.txt")
        marks.append((time.perf_counter(), time.process_time()))
        for n, key in enumerate(stages):
            wall[key].append(marks[n + 1][0] - marks[n][0])
            cpu[key].append(marks[n + 1][1] - marks[n][1])
        tasks = len(plan.tasks)
    print(f"tasks: {tasks}")
    for key in stages:
        print(
            f"  {key:10s} {statistics.median(wall[key]):.3f} s wall, {statistics.median(cpu[key]):.3f} s CPU"
        )
    print(
        f"  {'total':10s} {sum(statistics.median(v) for v in wall.values()):.3f} s wall, "
        f"{sum(statistics.median(v) for v in cpu.values()):.3f} s CPU (in process)"
    )

    with tempfile.TemporaryDirectory() as folder:
        plan_path = Path(folder) / "big.txt"
        plan_path.write_bytes(data)
        command = [sys.executable, str(ROOT / "cli.py"), "-f", str(ROOT / "schedule.yaml"), "plan", "import",
                   str(plan_path), "-o", str(Path(folder) / "draft.yaml")]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        fresh: list[float] = []
        fresh_cpu: list[float] = []
        for _run in range(args.runs):
            t0 = time.perf_counter()
            before = os.times()
            subprocess.run(command, check=True, capture_output=True, env=env)
            after = os.times()
            fresh.append(time.perf_counter() - t0)
            used = after.children_user - before.children_user
            fresh_cpu.append(used + after.children_system - before.children_system)
        print(
            f"command, fresh process: median {statistics.median(fresh):.3f} s wall "
            f"(best {min(fresh):.3f}), {statistics.median(fresh_cpu):.3f} s CPU"
        )
    print(f"load average: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

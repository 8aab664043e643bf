"""The notice (通报) for a province: 300 units, a year of duties, a ledger of marks. Goal: under 3 s.

The plan: tests/bigplan.py's 300 units with its monthly duty, plus a second monthly, a
quarterly, a half-yearly and a yearly duty for every unit: 300 x 31 = 9,300 occurrences
due in 2026. The ledger (SQLite): four in five occurrences marked done, one in ten of those
late; the rest overdue on the report's day, 2027-01-20 (a province's overdue list of ~1,900
rows, the notice's longest table).

Timed, median of --runs: `report --year 2026` as a user runs it (a fresh interpreter: start,
schedule, ledger, figures, writing) for each format, wall clock and CPU (the machine is shared:
CPU seconds move less with the load); then, in one process, the phases: reading the marks,
the figures, the .docx, the PDF.

    .venv/bin/python bench/bench_report.py [--runs 5] [--units 300]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from bigplan import write_big_plan  # noqa: E402  (from tests/, shared with the ledger tests)

AS_OF = dt.date(2027, 1, 20)
CLOCK = "2027-01-20T09:00:00+08:00"
MORE_DUTIES = [
    "  - {id: d2, ref: '1.2', title: 财政预算执行情况, text: 按月公开。, units: [all],",
    "     cadence: monthly, basis: 按月, due: {rule: workdays_after_period, n: 10}}",
    "  - {id: q, ref: '2.1', title: 重点工作进展, text: 按季度公开。, units: [all],",
    "     cadence: quarterly, basis: 按季度, due: {rule: workdays_after_period, n: 15}}",
    "  - {id: h, ref: '3.1', title: 半年工作总结, text: 每半年公开。, units: [all],",
    "     cadence: half-yearly, basis: 每半年, due: {rule: workdays_after_period, n: 20}}",
    "  - {id: y, ref: '4.1', title: 政府信息公开工作年度报告, text: 每年公开。, units: [all],",
    "     cadence: yearly, basis: 每年, due: {rule: workdays_after_period, n: 20}}",
]


def make_province(folder: Path, units: int) -> tuple[Path, Path]:
    """The schedule and a ledger with its marks."""
    schedule_path, _contacts = write_big_plan(folder, units, smtp_port=0)
    text = schedule_path.read_text(encoding="utf-8")
    schedule_path.write_text(text + "\n".join(MORE_DUTIES) + "\n", encoding="utf-8")

    from disclosure_calendar.ledger import Ledger
    from disclosure_calendar.ledger.schema import done
    from disclosure_calendar.occurrences.expansion import expand
    from disclosure_calendar.schedule.loader import load_schedule
    from disclosure_calendar.workdays.calendar import WorkdayCalendar

    schedule = load_schedule(schedule_path)
    cal = WorkdayCalendar(notices=schedule.notices, local_days_off=schedule.local_days_off)
    occurrences = expand(schedule, cal, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    domain = schedule.plan.uid_domain
    rows = []
    at = dt.datetime(2027, 1, 20, 9, tzinfo=dt.UTC).isoformat()
    n = 0
    for occ in occurrences:
        for unit in schedule.unit_ids_of(occ.duty):
            n += 1
            if n % 5 == 0:
                continue  # one in five not done: overdue on the report's day
            late = n % 10 == 1
            on = occ.due + dt.timedelta(days=3 if late else -1)
            rows.append(
                {"occurrence": occ.uid(unit, domain), "unit": unit,
                 "on_date": min(on, AS_OF).isoformat(), "url": None, "recorded": at}
            )  # fmt: skip
    db = folder / "ledger.db"
    # The marks in one transaction (the bench's setup, not what it measures): mark_done
    # writes each with its own history row and commit.
    with Ledger(db) as ledger, ledger._tx() as conn:
        conn.execute(done.insert(), rows)
    print(
        f"{units} units, {len(occurrences)} duty periods, {n} occurrences by unit, {len(rows)} marked done"
    )
    return schedule_path, db


def run_command(schedule: Path, db: Path, fmt: str, out: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system) of one `report` run."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DISCLOSURE_CALENDAR_FAKE_CLOCK": CLOCK}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "-f", str(schedule), "report", "--year", "2026",
         "--format", fmt, "--db", str(db), "-o", str(out)],
        check=True, env=env, capture_output=True,
    )  # fmt: skip
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def phases(schedule_path: Path, db: Path, runs: int) -> dict[str, list[float]]:
    from disclosure_calendar.reports.compute import compute_figures, read_done
    from disclosure_calendar.reports.content import notice_blocks
    from disclosure_calendar.reports.docx_file import notice_docx
    from disclosure_calendar.reports.figures import year_period
    from disclosure_calendar.reports.pdf_file import notice_pdf
    from disclosure_calendar.reports.settings import ReportSettings
    from disclosure_calendar.schedule.loader import load_schedule
    from disclosure_calendar.workdays.calendar import WorkdayCalendar

    schedule = load_schedule(schedule_path)
    cal = WorkdayCalendar(notices=schedule.notices, local_days_off=schedule.local_days_off)
    times: dict[str, list[float]] = {"marks": [], "figures": [], "docx": [], "pdf": []}
    for _run in range(runs):
        t0 = time.perf_counter()
        marks = read_done(db)
        t1 = time.perf_counter()
        figures = compute_figures(schedule, cal, marks, year_period(2026), AS_OF)
        t2 = time.perf_counter()
        blocks = notice_blocks(
            figures, ReportSettings(), plan_title=schedule.plan.title, issuer="市政府办公室"
        )
        notice_docx(blocks)
        t3 = time.perf_counter()
        notice_pdf(blocks, title="通报", author="市政府办公室", date=AS_OF)
        t4 = time.perf_counter()
        for key, value in zip(times, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            times[key].append(value)
    print(f"overdue rows: {len(figures.overdue)}, units ranked: {len(figures.ranked)}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--units", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        folder = Path(tmp)
        schedule, db = make_province(folder, args.units)
        for fmt in ("docx", "pdf", "xlsx", "json"):
            out = folder / f"report.{fmt}"
            runs = [run_command(schedule, db, fmt, out) for _run in range(args.runs)]
            times = [wall for wall, _cpu in runs]
            print(
                f"report --format {fmt:4}  median {statistics.median(times):.2f} s  "
                f"(min {min(times):.2f}, max {max(times):.2f}; CPU median "
                f"{statistics.median(cpu for _wall, cpu in runs):.2f} s; "
                f"{out.stat().st_size:,} bytes)"
            )
        for phase, times in phases(schedule, db, args.runs).items():
            print(f"  {phase:8} median {statistics.median(times):.3f} s")


if __name__ == "__main__":
    main()

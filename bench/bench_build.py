"""Benchmark `build`: the bundled schedule, a synthetic province, and Debian's `remind`.

    .venv/bin/python bench/bench_build.py [--runs 5] [--remind-runs 1] [--naive]

1. Bundled schedule.yaml, fresh processes: `build` into an empty folder, `build` again with
   nothing changed, `validate`. Targets: <= 0.3 s, -, <= 0.2 s.
2. Synthetic province (300 units, 2,000 duties, 2022-2026, ``synthetic_yaml(seed)``):
   `build` as a fresh process (median), its CPU and page faults, its peak RSS, a rebuild
   with nothing changed and one after editing one duty; in this process, builds on one core
   and on two, alternated so the machine's other load hits both alike. Targets: <= 1.5 s, <= 300 MB, <= 0.5 s.
3. The same workload in remind's language (bench/remind_workload.py: every duty x unit, the
   same Chinese working days as OMITs, rolls, warnings), ``remind -s60`` over the same five
   years; prints the ratio. Target: ours >= 2x faster. Skipped when remind is not installed.
4. ``--rebuilds``: only the synthetic province's rebuilds after one change, each a fresh
   process, medians: one duty's title edited and edited back, one ledger event recorded
   (``event add``) and removed. ``--against DIR`` (another checkout, e.g. main's worktree)
   runs the same rebuilds with that tree's code, alternated run by run with this one's, so a
   before/after is measured under the same load. Targets: <= 0.3 s each.
5. ``--naive``: a baseline building one icalendar ``Event`` per unit-occurrence, checked to
   parse (with the ``ical`` package) to the same events as ours on a sample of feeds.

Every fresh build's folder but the first is deleted once timed, as a user rebuilding one
out/ frees the old feeds: on a virtual machine, memory the guest touches for the first time
costs a fault in the host, and seven province builds' page cache (1.7 GB) kept growing made
the later builds' system time 2-3x the first ones'. Before each, the disk is let settle
(``_settle``): a fresh build is measured as a user runs one, not seconds after another's files
were deleted.

Each kind of run is preceded by one untimed run of the same command (as hyperfine's
``--warmup``): on this VM the first process after a pause ran up to twice as slow as the next
ones (a bundled build: 0.57 s, then 0.35, 0.32, 0.27, 0.26, 0.23), the machine waking up
rather than the build.

Figures only, no pass/fail: speed is not asserted in tests. The load average is printed
before and after, and the machine's speed: the best of five runs of a fixed pure-Python
loop (``machine_speed``). On a shared VM that figure moved by half within minutes; quote the
figures with both, and compare code by alternating it in one run, not across runs. The loop
can read fast while a province build, bound by memory and page faults, runs 1.4x slower than
an hour later (1.56 against 1.13 s): the builds' own CPU and faults show that phase.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SYNTH_FROM, SYNTH_TO = "2022-01-01", "2026-12-31"  # five years with official notices
UNITS, DUTIES, GROUPS, GROUP_SIZE = 300, 2000, 30, 10
_WORDS = "公开财政预算决算收支执行情况政策解读重点领域信息名单统计数据监督检查结果报告目录"


def synthetic_yaml(seed: int = 2017) -> str:
    """A schedule of the real format, deterministic for a given seed."""
    rng = random.Random(seed)
    lines = [
        "version: 1",
        "plan:",
        "  title: 某省政务公开工作要点分工方案(基准测试)",
        "  issuer: 某省人民政府办公厅",
        "  issued: 2017-06-09",
        "  timezone: Asia/Shanghai",
        "  source: synthetic",
        "  uid_domain: bench.example",
        "  base_url: https://bench.example/feeds/",
        "defaults:",
        "  reminders: [5, 1]",
        '  remind_at: "09:00"',
        "units:",
    ]
    unit_ids = [f"u{i:03d}" for i in range(1, UNITS + 1)]
    lines += [f"  - {{id: {u}, name: 第{i}单位}}" for i, u in enumerate(unit_ids, 1)]
    lines.append("groups:")
    group_ids = [f"g{i:02d}" for i in range(1, GROUPS + 1)]
    for i, g in enumerate(group_ids, 1):
        members = ", ".join(rng.sample(unit_ids, GROUP_SIZE))
        lines.append(f"  - {{id: {g}, name: 第{i}组, members: [{members}]}}")
    lines.append("duties:")
    cadences = ["monthly", "quarterly", "half-yearly", "yearly", "once", "event"]
    weights = [30, 35, 10, 20, 3, 2]
    for n in range(1, DUTIES + 1):
        cadence = rng.choices(cadences, weights)[0]
        if rng.random() < 0.1:
            units = [rng.choice(group_ids)]
        else:
            units = rng.sample(unit_ids, rng.randint(1, 2))
        text = "".join(rng.choice(_WORDS) for _ in range(rng.randint(40, 120)))
        section, item = (n - 1) // 40 + 1, (n - 1) % 40 + 1
        lines += [
            f"  - id: duty-{n:04d}",
            f'    ref: "{section}.{item}"',
            f"    title: 第{n}项公开任务{text[:8]}",
            f"    text: {text},按规定公开;逗号,分号;测试转义。",
            f"    units: [{', '.join(units)}]",
            f"    cadence: {cadence}",
            "    basis: 按期",
        ]
        if cadence == "once":
            lines.append(
                f"    due: {{rule: workdays_after_date, date: 2024-0{rng.randint(1, 9)}-15, n: 30}}"
            )
        elif cadence == "event":
            lines.append("    due: {rule: workdays_after_event, n: 10}")
            lines.append("    events:")
            for _ in range(rng.randint(1, 4)):
                lines.append(
                    f"      - {{date: 202{rng.randint(2, 6)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}}}"
                )
        else:
            kind = rng.random()
            if kind < 0.5:
                lines.append(f"    due: {{rule: workdays_after_period, n: {rng.randint(5, 20)}}}")
            elif kind < 0.85 and cadence != "yearly":
                lines.append(
                    f"    due: {{rule: fixed_day, day: {rng.randint(5, 25)}, roll: following}}"
                )
            else:
                lines.append("    due: {rule: workday_of_period, n: -1}")
            if rng.random() < 0.3:
                lines += ["    assumed: true", "    assumption: 方案未规定具体日期,按惯例推定"]
    return "\n".join(lines) + "\n"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child_ours(schedule_path: Path, out: Path) -> dict[str, float]:
    """Our build, phase by phase, the same steps as feeds.build (collector paused as there)."""
    from disclosure_calendar.core.gcpause import paused_gc

    with paused_gc():
        return _ours(schedule_path, out)


def _ours(schedule_path: Path, out: Path) -> dict[str, float]:
    import datetime as dt

    t0 = time.perf_counter()
    from disclosure_calendar.core.files import write_atomic
    from disclosure_calendar.feeds import build as feeds
    from disclosure_calendar.feeds.manifest import MANIFEST, dump_manifest
    from disclosure_calendar.feeds.summary import ALL
    from disclosure_calendar.occurrences.expansion import expand
    from disclosure_calendar.schedule import load_schedule
    from disclosure_calendar.workdays import ChinaCalendar

    schedule = load_schedule(schedule_path)
    cal = ChinaCalendar(notices=schedule.notices, local_days_off=schedule.local_days_off)
    t1 = time.perf_counter()
    start, end = dt.date.fromisoformat(SYNTH_FROM), dt.date.fromisoformat(SYNTH_TO)
    occurrences = expand(schedule, cal, start, end)
    t2 = time.perf_counter()
    # Streamed as feeds.build does: one file in memory at a time.
    renderer = feeds.Renderer(
        schedule, occurrences, {}, now=dt.datetime.now(dt.UTC), years=(start.year, end.year)
    )
    render = write = 0.0
    total_bytes = 0
    mark = time.perf_counter()
    for name, data in renderer.files():
        t = time.perf_counter()
        render += t - mark
        write_atomic(out / name, data, sync=False)
        total_bytes += sum(map(len, data))
        mark = time.perf_counter()
        write += mark - t
    t = time.perf_counter()
    write_atomic(out / MANIFEST, dump_manifest(renderer.manifest))
    t4 = time.perf_counter()
    write += t4 - t
    unit_events = sum(f.events for f in renderer.feeds if f.id != ALL)
    return {
        "load": t1 - t0,
        "expand": t2 - t1,
        "render": render,
        "write": write,
        "total": t4 - t0,
        "occurrences": len(occurrences),
        "unit_events": unit_events,
        "bytes": total_bytes,
        "peak_mb": _peak_mb(),
    }


def child_naive(schedule_path: Path, out: Path) -> dict[str, float]:
    """The baseline: one icalendar Event (and Alarm) object per unit-occurrence, serialised."""
    import datetime as dt

    t0 = time.perf_counter()
    import icalendar

    from disclosure_calendar.feeds import ical
    from disclosure_calendar.occurrences.expansion import expand
    from disclosure_calendar.schedule import load_schedule
    from disclosure_calendar.schedule.periods import CADENCE_NAMES
    from disclosure_calendar.workdays import ChinaCalendar

    schedule = load_schedule(schedule_path)
    cal = ChinaCalendar(notices=schedule.notices, local_days_off=schedule.local_days_off)
    t1 = time.perf_counter()
    start, end = dt.date.fromisoformat(SYNTH_FROM), dt.date.fromisoformat(SYNTH_TO)
    occurrences = expand(schedule, cal, start, end)
    t2 = time.perf_counter()
    writer = ical.EventWriter(schedule, (start.year, end.year))
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    domain = schedule.plan.uid_domain

    def event(occ, assignee, name=None):  # type: ignore[no-untyped-def]
        ev = icalendar.Event()
        ev.add("uid", occ.uid(assignee, domain))
        ev.add("dtstamp", now)
        ev.add("last-modified", now)
        ev.add("sequence", 0)
        ev.add("dtstart", occ.due)
        ev.add("dtend", occ.due + dt.timedelta(days=1))
        title = ical.summary(occ, name)
        ev.add("summary", title)
        ev.add("description", writer.description(occ))
        ev.add(
            "categories", ["政务公开", CADENCE_NAMES[occ.duty.cadence], f"第{occ.duty.section}部分"]
        )
        ev.add("transp", "TRANSPARENT")
        for day in occ.reminders:
            alarm = icalendar.Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"{title}：{occ.due.isoformat()}到期")
            alarm.add("trigger", writer.alarm_trigger(day).astimezone(dt.UTC))
            ev.add_component(alarm)
        return ev

    def calendar(name):  # type: ignore[no-untyped-def]
        c = icalendar.Calendar()
        for key, value in (("version", "2.0"), ("prodid", ical.PRODID), ("calscale", "GREGORIAN"),
                           ("method", "PUBLISH"), ("x-wr-calname", name)):  # fmt: skip
            c.add(key, value)
        return c

    total_bytes = 0
    for unit in schedule.units:
        c = calendar(unit.name)
        for occ in occurrences:
            if unit.id in schedule.unit_ids_of(occ.duty):
                c.add_component(event(occ, unit.id))
        data = c.to_ical()
        total_bytes += sum(map(len, data))
        (out / f"{unit.id}.ics").write_bytes(data)
    c = calendar("全部单位")
    for occ in occurrences:
        for assignee in occ.duty.units:
            c.add_component(event(occ, assignee, schedule.name(assignee)))
    data = c.to_ical()
    total_bytes += len(data)
    (out / "all.ics").write_bytes(data)
    t3 = time.perf_counter()
    return {
        "load": t1 - t0,
        "expand": t2 - t1,
        "render+write": t3 - t2,
        "total": t3 - t0,
        "bytes": total_bytes,
        "peak_mb": _peak_mb(),
    }


def _child(mode: str, schedule_path: Path, out: Path) -> tuple[dict[str, float], float]:
    t0 = time.perf_counter()
    proc = subprocess.run(
        [PYTHON, __file__, "--child", mode, str(schedule_path), str(out)],
        cwd=ROOT, capture_output=True, text=True, check=True, env=CHILD_ENV,
    )  # fmt: skip
    wall = time.perf_counter() - t0
    return json.loads(proc.stdout.strip().splitlines()[-1]), wall


def _normalised(path: Path) -> list[tuple[object, ...]]:
    from ical.calendar_stream import IcsCalendarStream

    calendar = IcsCalendarStream.calendar_from_ics(path.read_text(encoding="utf-8"))
    return sorted(
        (
            e.uid,
            e.dtstart,
            e.dtend,
            e.summary,
            e.description,
            tuple(e.categories),
            tuple(sorted(str(a.trigger) for a in e.alarm)),
        )  # fmt: skip
        for e in calendar.events
    )


# The processes measured run as an installed tool does: with its bytecode cached. pip
# compiles a package when it installs it; an editable install caches on first import, unless
# PYTHONDONTWRITEBYTECODE (set on some CI machines) forbids it, and then every process
# would compile ~50 modules again (~80 ms), which no user pays.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def warm_bytecode() -> None:
    subprocess.run(
        [PYTHON, "-m", "compileall", "-q", "disclosure_calendar", "cli.py"],
        cwd=ROOT, check=True, env=CHILD_ENV,
    )  # fmt: skip


def _run(args: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(
        [PYTHON, "cli.py", *args], cwd=ROOT, check=True, capture_output=True, env=CHILD_ENV
    )
    return time.perf_counter() - t0


def _median(times: list[float]) -> str:
    return f"median {statistics.median(times):.3f} s (min {min(times):.3f}, n={len(times)})"


def bench_bundled(runs: int, tmp: Path) -> None:
    _run(["build", "-o", str(tmp / "bundled-warmup")])  # untimed (see the docstring)
    cold = [_run(["build", "-o", str(tmp / f"bundled-{i}")]) for i in range(runs)]
    again = [_run(["build", "-o", str(tmp / "bundled-0")]) for _ in range(runs)]
    _run(["validate"])
    validate = [_run(["validate"]) for _ in range(runs)]
    print("bundled schedule.yaml, fresh processes:")
    print(f"  build, empty out/ (target <= 0.3 s):    {_median(cold)}")
    print(f"  build again, no changes:                {_median(again)}")
    print(f"  validate (target <= 0.2 s):             {_median(validate)}")


def _settle() -> None:
    """Before a fresh build: the previous builds' pages written out, their inodes let go.

    ext4 without a journal (this VM's disk) skips inodes deleted in the last 5 seconds (300
    while their table block is unwritten) when it allocates new ones; a build right after
    another's folder was deleted spent a fifth of its time in that search.
    """
    os.sync()
    time.sleep(6)


def _synthetic_build(schedule_path: Path, out: Path, *extra: str) -> float:
    args = ["-f", str(schedule_path), "build", "-o", str(out), "--from", SYNTH_FROM]
    return _run([*args, "--to", SYNTH_TO, *extra])


def bench_synthetic(tmp: Path, runs: int, remind_runs: int) -> None:
    schedule_path = tmp / "synthetic.yaml"
    schedule_path.write_text(synthetic_yaml(), encoding="utf-8")
    _synthetic_build(schedule_path, tmp / "synth-warmup")  # untimed (see the docstring)
    shutil.rmtree(tmp / "synth-warmup")
    fresh, spent = [], []
    for i in range(runs):
        _settle()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        fresh.append(_synthetic_build(schedule_path, tmp / f"synth-{i}"))
        spent.append(_spent_since(before))
        if i:  # synth-0 stays, for the rebuilds
            shutil.rmtree(tmp / f"synth-{i}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    again = [_synthetic_build(schedule_path, tmp / "synth-0") for _ in range(runs)]
    edited = tmp / "edited.yaml"
    text = schedule_path.read_text(encoding="utf-8")
    edits = []
    for i in range(runs):  # one duty's text changes: its units' feeds and all.ics re-render
        edited.write_text(text.replace("第7项公开任务", f"第7项公开任务{i}", 1), encoding="utf-8")
        edits.append(_synthetic_build(edited, tmp / "synth-0"))
    one_core, two_cores = _in_process_ratio(schedule_path, tmp, runs)
    events = sum(f.read_bytes().count(b"BEGIN:VEVENT") for f in (tmp / "synth-0").glob("u*.ics"))
    size = sum(f.stat().st_size for f in (tmp / "synth-0").glob("*.ics")) / 1e6
    print(
        f"synthetic: {UNITS} units, {DUTIES} duties, {SYNTH_FROM}..{SYNTH_TO}: "
        f"{events} unit-occurrences, {size:.0f} MB of feeds"
    )
    print(f"  build, fresh process, empty out/ (target <= 1.5 s): {_median(fresh)}")
    user, system, faults = (statistics.median(column) for column in zip(*spent, strict=True))
    print(
        f"  their CPU, all processes (medians):                user {user:.3f} s, "
        f"system {system:.3f} s, {faults:,.0f} minor page faults"
    )
    print(f"  peak RSS of those processes (target <= 300 MB):    {peak:.0f} MB")
    print(f"  rebuild, no changes (target <= 0.5 s):             {_median(again)}")
    print(f"  rebuild after editing one duty:                    {_median(edits)}")
    print(
        f"  in one process, render+write on 1 core vs 2: {statistics.median(one_core):.2f} s vs "
        f"{statistics.median(two_cores):.2f} s, ratio "
        f"{statistics.median(one_core) / statistics.median(two_cores):.2f}x (medians, n={runs})"
    )
    if shutil.which("remind") is None:
        print("  remind: not installed (Debian package `remind`); comparison skipped")
        return
    theirs = _remind(schedule_path, tmp, remind_runs)
    ours = statistics.median(fresh)
    print(
        f"  remind -s60, same duty x unit reminders over the same working days: "
        f"{_median(theirs)}; ours/remind ratio {statistics.median(theirs) / ours:.1f}x faster "
        "(target >= 2x)"
    )


REBUILDS = ("title edit", "title back", "event add", "event remove")


def bench_rebuilds(tmp: Path, runs: int, trees: list[Path]) -> None:
    """One change, one rebuild (see the module docstring, 4.), per tree, alternated."""
    schedule_path = tmp / "synthetic.yaml"  # the ledger is beside it, as users keep it
    text = synthetic_yaml()
    duty = "duty-0029"  # an event-triggered duty of the synthetic schedule, and one of its units
    unit = text.split(f"id: {duty}\n", 1)[1].split("units: [", 1)[1].split(",")[0].split("]")[0]
    assert f"id: {duty}" in text and "cadence: event" in text
    outs = [tmp / f"rebuild-{i}" for i in range(len(trees))]
    times: dict[tuple[int, str], list[float]] = {}
    cpu: dict[tuple[int, str], list[float]] = {}  # user + system: less moved by others' load

    def run(tree: Path, *args: str) -> float:
        t0 = time.perf_counter()
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(
            [PYTHON, "cli.py", "--lang", "en", "-f", str(schedule_path), *args],
            cwd=tree, check=True, capture_output=True, env={**CHILD_ENV, "PYTHONPATH": str(tree)},
        )  # fmt: skip
        wall = time.perf_counter() - t0
        user, system, _faults = _spent_since(used)
        spent.append(user + system)
        return wall

    spent: list[float] = []

    def build(tree: Path, out: Path) -> float:
        return run(tree, "build", "-o", str(out), "--from", SYNTH_FROM, "--to", SYNTH_TO)

    def timed(i: int, kind: str, tree: Path, out: Path) -> None:
        times.setdefault((i, kind), []).append(build(tree, out))
        cpu.setdefault((i, kind), []).append(spent[-1])

    schedule_path.write_text(text, encoding="utf-8")
    for tree, out in zip(trees, outs, strict=True):
        build(tree, out)  # the first build, untimed
        build(tree, out)  # and a warm-up
    for r in range(runs):
        for i, (tree, out) in enumerate(zip(trees, outs, strict=True)):
            title = f"第7项公开任务{r}{i}"
            schedule_path.write_text(text.replace("第7项公开任务", title, 1), encoding="utf-8")
            timed(i, REBUILDS[0], tree, out)
            schedule_path.write_text(text, encoding="utf-8")
            timed(i, REBUILDS[1], tree, out)
            day = f"2025-0{1 + r % 9}-1{i}"
            run(trees[0], "event", "add", duty, day, "--unit", unit)
            timed(i, REBUILDS[2], tree, out)
            run(trees[0], "event", "remove", duty, day, "--unit", unit)
            timed(i, REBUILDS[3], tree, out)
    print("synthetic province, rebuild after one change (fresh processes, target <= 0.3 s):")
    for kind in REBUILDS:
        for i, tree in enumerate(trees):
            used = statistics.median(cpu[i, kind])
            print(f"  {kind:<13} {str(tree):<24} {_median(times[i, kind])}; CPU {used:.3f} s")


def _spent_since(before: resource.struct_rusage) -> tuple[float, float, int]:
    """User and system CPU and minor page faults of the children reaped since ``before``
    (a build's own forked processes included: it reaps them). The VM's slow phases show
    in these as well as in the wall time; the fixed loop, pure CPU, can miss them."""
    now = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (
        now.ru_utime - before.ru_utime,
        now.ru_stime - before.ru_stime,
        now.ru_minflt - before.ru_minflt,
    )


def _in_process_ratio(schedule_path: Path, tmp: Path, runs: int) -> tuple[list[float], ...]:
    """Whole builds in this process, alternating 1 and 2 workers so load hits both alike."""
    import datetime as dt

    from disclosure_calendar import ChinaCalendar, build_feeds, load_schedule

    schedule = load_schedule(schedule_path)
    cal = ChinaCalendar(notices=schedule.notices, local_days_off=schedule.local_days_off)
    start, end = dt.date.fromisoformat(SYNTH_FROM), dt.date.fromisoformat(SYNTH_TO)
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    times: dict[int, list[float]] = {1: [], 2: []}
    for i in range(runs):
        for workers in (1, 2):
            out = tmp / f"inproc-{workers}-{i}"
            t0 = time.perf_counter()
            build_feeds(schedule, cal, start, end, out, now=now, workers=workers)
            times[workers].append(time.perf_counter() - t0)
            shutil.rmtree(out)
    return times[1], times[2]


def _remind(schedule_path: Path, tmp: Path, runs: int) -> list[float]:
    import datetime as dt

    from remind_workload import remind_script

    from disclosure_calendar import ChinaCalendar, load_schedule

    schedule = load_schedule(schedule_path)
    cal = ChinaCalendar(notices=schedule.notices, local_days_off=schedule.local_days_off)
    start, end = dt.date.fromisoformat(SYNTH_FROM), dt.date.fromisoformat(SYNTH_TO)
    script = tmp / "synthetic.rem"
    script.write_text(remind_script(schedule, cal, start, end), encoding="utf-8")
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        out = subprocess.run(
            ["remind", "-s60", str(script), SYNTH_FROM], check=True, capture_output=True
        )
        times.append(time.perf_counter() - t0)
    listed = out.stdout.count(b"\n")
    print(f"  remind listed {listed} occurrences")
    return times


def bench_naive(tmp: Path, sample: int) -> None:
    schedule_path = tmp / "synthetic.yaml"
    schedule_path.write_text(synthetic_yaml(), encoding="utf-8")
    ours_out, naive_out = tmp / "ours", tmp / "naive"
    ours_out.mkdir()
    naive_out.mkdir()
    ours, ours_wall = _child("ours", schedule_path, ours_out)
    naive, naive_wall = _child("naive", schedule_path, naive_out)
    print(
        f"  ours  (child):  load {ours['load']:.2f}  expand {ours['expand']:.2f}  "
        f"render {ours['render']:.2f}  write {ours['write']:.2f}  = {ours['total']:.2f} s "
        f"(process {ours_wall:.2f} s), peak RSS {ours['peak_mb']:.0f} MB"
    )
    print(
        f"  naive (child):  load {naive['load']:.2f}  expand {naive['expand']:.2f}  "
        f"render+write {naive['render+write']:.2f}  = {naive['total']:.2f} s "
        f"(process {naive_wall:.2f} s), peak RSS {naive['peak_mb']:.0f} MB"
    )
    ours_rw = ours["render"] + ours["write"]
    print(
        f"  ratio naive/ours: render+write {naive['render+write'] / ours_rw:.1f}x, "
        f"whole build {naive['total'] / ours['total']:.1f}x"
    )
    names = sorted(p.name for p in naive_out.glob("u*.ics"))
    picked = names[:: max(1, len(names) // sample)][:sample]
    events = 0
    for name in picked:
        a, b = _normalised(ours_out / name), _normalised(naive_out / name)
        if a != b:
            raise SystemExit(f"  MISMATCH in {name}: ours and the baseline parse differently")
        events += len(a)
    print(f"  same events: {len(picked)} sampled feeds, {events} events parse identically (ical)")


def machine_speed() -> str:
    """The best of five runs of a fixed pure-Python loop: how fast the machine is right now."""

    def loop() -> float:
        t0 = time.perf_counter()
        total = 0
        for i in range(3_000_000):
            total += i
        return time.perf_counter() - t0

    return f"{min(loop() for _ in range(5)):.3f} s for a fixed loop (lower is faster)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--remind-runs", type=int, default=1, help="remind takes ~30 s a run")
    parser.add_argument("--naive", action="store_true", help="also the icalendar baseline (~3 min)")
    parser.add_argument("--sample", type=int, default=10, help="feeds compared by parsing")
    parser.add_argument(
        "--rebuilds", action="store_true", help="only the province's rebuilds after one change"
    )
    parser.add_argument(
        "--against", type=Path, action="append", default=[], metavar="DIR",
        help="with --rebuilds: also another checkout's code, alternated with this one",
    )  # fmt: skip
    parser.add_argument(
        "--child", nargs=3, metavar=("MODE", "SCHEDULE", "OUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        mode, schedule_path, out = args.child
        sys.path.insert(0, str(ROOT))
        run = child_ours if mode == "ours" else child_naive
        print(json.dumps(run(Path(schedule_path), Path(out))))
        return
    sys.path.insert(0, str(ROOT))
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"machine speed before: {machine_speed()}")
    warm_bytecode()
    print("(processes run with their bytecode cached, as after pip install)")
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        if args.rebuilds:
            trees = [ROOT, *(d.resolve() for d in args.against)]
            for tree in trees[1:]:
                subprocess.run(
                    [PYTHON, "-m", "compileall", "-q", "disclosure_calendar", "cli.py"],
                    cwd=tree, check=True, env=CHILD_ENV,
                )  # fmt: skip
            bench_rebuilds(Path(tmp), args.runs, trees)
            print(f"load average after:  {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
            print(f"machine speed after:  {machine_speed()}")
            return
        bench_bundled(args.runs, Path(tmp))
        bench_synthetic(Path(tmp), args.runs, args.remind_runs)
        if args.naive:
            bench_naive(Path(tmp), args.sample)
    print(f"load average after:  {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"machine speed after:  {machine_speed()}")


if __name__ == "__main__":
    main()

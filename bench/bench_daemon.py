"""Daemon footprint and throughput.

1. Idle: start `cli.py daemon` on schedule.yaml (log channel, real clock), wait until it sleeps,
   then sample its resident memory and CPU time for --seconds (default 60).
2. Throughput: a synthetic schedule whose due reminders all fall at one instant, decided,
   ledgered and sent to a local aiosmtpd server over one connection: 10,000 reminders as
   10,000 single-duty mails (worst case) and as 1,000 ten-duty digests; the same run on the
   log channel is the in-process baseline the SMTP run is compared with. The mail server's own
   CPU time is reported apart, so a slow run says whether the daemon or the server was busy.

    .venv/bin/python bench/bench_daemon.py [--seconds 60] [--reminders 10000] [--runs 3]
        [--per-digest 1 --per-digest 10] [--skip-idle]
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
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TICK = os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def idle(seconds: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        contacts = Path(tmp) / "contacts.yaml"
        contacts.write_text("version: 1\n", encoding="utf-8")
        log = Path(tmp) / "daemon.log"
        cmd = [sys.executable, str(ROOT / "cli.py"), "-f", str(ROOT / "schedule.yaml"), "daemon"]
        cmd += ["--db", str(Path(tmp) / "l.db"), "--contacts", str(contacts)]
        with log.open("wb") as err:
            proc = subprocess.Popen(cmd, stderr=err, stdout=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while "event=sleep" not in log.read_text(encoding="utf-8"):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"daemon did not settle:\n{log.read_text()}")
                time.sleep(0.05)
            cpu0, rss = _cpu_s(proc.pid), []
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                rss.append(_rss_mb(proc.pid))
                time.sleep(min(1.0, seconds / 10))
            cpu = _cpu_s(proc.pid) - cpu0
        finally:
            proc.terminate()
            proc.wait(30)
    print(
        f"idle {seconds:.0f} s: RSS median {statistics.median(rss):.1f} MB, max {max(rss):.1f} MB; "
        f"CPU {cpu:.2f} s ({100 * cpu / seconds:.2f} %)"
    )


def _schedule(path: Path, units: int, duties: int) -> None:
    lines = [
        "version: 1",
        "plan: {title: 基准方案, issuer: 市政府办公室, issued: 2026-01-01, timezone: Asia/Shanghai,",
        "       source: bench, uid_domain: bench.example}",
        "defaults: {reminders: [1], remind_at: '09:00'}",
        "units:",
        *(f"  - {{id: u{i:05d}, name: 单位{i}}}" for i in range(units)),
        "groups:",
        f"  - {{id: all, name: 全体, members: [{', '.join(f'u{i:05d}' for i in range(units))}]}}",
        "duties:",
    ]
    for j in range(duties):
        lines += [
            f"  - {{id: d{j:02d}, ref: '1.{j + 1}', title: 事项{j}, text: 按月公开事项{j}。, units: [all],",
            "     cadence: monthly, basis: 按月, due: {rule: workdays_after_period, n: 5}}",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _contacts(path: Path, units: int, port: int | None) -> None:
    lines = [
        "version: 1",
        f"smtp: {{host: 127.0.0.1, port: {port or 25}, security: none}}",
        "units:",
    ]
    if port is None:  # the baseline: same messages, written to the log instead
        lines += [f"  u{i:05d}: [{{type: log}}]" for i in range(units)]
    else:
        lines += [
            f"  u{i:05d}: [{{type: email, to: [u{i:05d}@example.gov.cn]}}]" for i in range(units)
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def throughput(reminders: int, per_digest: int, smtp: bool) -> tuple[float, int, float]:
    """(seconds for the pass, messages accepted, CPU seconds the mail server spent)."""
    import logging
    import socket

    from disclosure_calendar.reminders.service import Service

    logging.getLogger("disclosure_calendar").setLevel(logging.ERROR)
    units = reminders // per_digest
    with tempfile.TemporaryDirectory() as tmp:
        server = None
        port = None
        if smtp:
            # The mail server runs in its own process, as a real one would (sharing our GIL
            # would measure the server as much as the daemon).
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "aiosmtpd",
                    "-n",
                    "-l",
                    f"127.0.0.1:{port}",
                    "-c",
                    "aiosmtpd.handlers.Sink",
                ]
            )
            deadline = time.monotonic() + 20
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
        server_cpu = 0.0
        try:
            _schedule(Path(tmp) / "s.yaml", units, per_digest)
            _contacts(Path(tmp) / "c.yaml", units, port)
            svc = Service(Path(tmp) / "s.yaml", Path(tmp) / "l.db", Path(tmp) / "c.yaml", env={})
            svc.reload(force=True)
            # March's duties are due on the 5th working day of April: 8 April 2026.
            now = dt.datetime(2026, 4, 8, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
            start = time.perf_counter()
            report = svc.run_once(now)
            elapsed = time.perf_counter() - start
            if server:
                server_cpu = _cpu_s(server.pid)  # includes its start-up, a fraction of a second
        finally:
            if server:
                server.terminate()
                server.wait(10)
    assert report.failed == 0, f"{report.failed} failed"
    assert report.sent == units, (report.sent, units)  # each one accepted by the server
    return elapsed, report.sent, server_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="idle sampling time")
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3, help="runs per throughput case (median)")
    parser.add_argument(
        "--per-digest", type=int, action="append", help="reminders per message (default 1 and 10)"
    )
    parser.add_argument("--skip-idle", action="store_true")
    args = parser.parse_args()
    if not args.skip_idle:
        idle(args.seconds)
    for per_digest in args.per_digest or (1, 10):
        times, server = {}, 0.0
        for smtp in (False, True):
            runs = [throughput(args.reminders, per_digest, smtp) for _ in range(args.runs)]
            times[smtp] = statistics.median(t for t, _, _ in runs)
            sent = runs[0][1]
            server = statistics.median(c for _, _, c in runs) if smtp else server
        print(
            f"{args.reminders} reminders as {sent} messages ({per_digest}/digest): "
            f"SMTP median {times[True]:.2f} s ({times[True] / sent * 1000:.2f} ms/message; "
            f"the server's CPU {server:.2f} s), log-channel baseline {times[False]:.2f} s, "
            f"ratio {times[True] / times[False]:.2f}"
        )


if __name__ == "__main__":
    main()

"""The ledger's cost and its failover: SQLite against PostgreSQL, one daemon against two.

1. Throughput: a synthetic schedule whose 10,000 reminders (one unit each, its own mailbox) all
   fall at one instant; each daemon is its own process, loads the schedule, waits for a common
   start, then runs one pass: decide, ledger, claim and send each message to a local aiosmtpd
   server (its own process too). Cases: SQLite with one daemon; PostgreSQL with one daemon and
   with two sharing the ledger. Printed per case (median of --runs): messages per second (all
   daemons together, first start to last end), the daemons' CPU seconds, the database server's
   CPU seconds (PostgreSQL) and how the messages split between the daemons.
2. Takeover: daemon A claims a message and hangs on a mail server that never answers; daemon B
   (the real `daemon` command, --claim-timeout LEASE) sends the rest and waits; A is killed
   with SIGKILL; printed: seconds from the kill, and from the end of A's lease, until B sent
   A's message.

PostgreSQL is a throwaway cluster the script starts (Debian's server, as the tests do), or
--pg URL (a server where it may create databases).

    .venv/bin/python bench/bench_ledger.py [--reminders 10000] [--runs 3] [--lease 5] [--pg URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from bigplan import write_big_plan  # noqa: E402  (from tests/, shared with the ledger tests)

TICK = os.sysconf("SC_CLK_TCK")
AT = "2026-04-08T09:00"  # March's duty is due on the fifth working day of April


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def _children_cpu(parent: int) -> float:
    """CPU seconds of ``parent`` and its children, live or gone (a PostgreSQL server's backends)."""
    fields = Path(f"/proc/{parent}/stat").read_text().rsplit(")", 1)[1].split()
    total = sum(int(f) for f in fields[11:15]) / TICK  # utime stime cutime cstime
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent:
                total += (int(fields[11]) + int(fields[12])) / TICK
    return total


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_port(port: int) -> None:
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _sink() -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}"]
        + ["-c", "aiosmtpd.handlers.Sink"]
    )
    _wait_port(port)
    return server, port


# -- throughput ---------------------------------------------------------------------------------


def worker(db: str, schedule: str, contacts: str) -> None:
    """One daemon's pass, started on a word from the parent; prints what it did as JSON."""
    import logging

    from disclosure_calendar.reminders.clock import parse_instant
    from disclosure_calendar.reminders.service import Service

    logging.getLogger("disclosure_calendar").setLevel(logging.ERROR)
    svc = Service(Path(schedule), db, Path(contacts), env={})
    svc.reload(force=True)
    now = parse_instant(AT, "Asia/Shanghai")
    print("ready", flush=True)
    sys.stdin.readline()
    cpu0, start = time.process_time(), time.time()
    report = svc.run_once(now)
    end, cpu = time.time(), time.process_time() - cpu0
    svc.close()
    sent = report.sent + report.resent
    print(json.dumps({"start": start, "end": end, "cpu": cpu, "sent": sent}), flush=True)


def _pass(db: str, daemons: int, schedule: Path, contacts: Path, pg_pid: int | None) -> dict:
    procs = [
        subprocess.Popen(
            [sys.executable, __file__, "--worker", db, str(schedule), str(contacts)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(daemons)
    ]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    server0 = _children_cpu(pg_pid) if pg_pid else 0.0
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    results = [json.loads(p.communicate(timeout=600)[0]) for p in procs]
    server = _children_cpu(pg_pid) - server0 if pg_pid else 0.0
    wall = max(r["end"] for r in results) - min(r["start"] for r in results)
    sent = [r["sent"] for r in results]
    return {
        "rate": sum(sent) / wall,
        "cpu": sum(r["cpu"] for r in results),
        "server": server,
        "sent": sent,
        "wall": wall,
    }


def throughput(reminders: int, runs: int, pg_server: str | None, pg_pid: int | None) -> None:
    from pgcluster import new_database

    sink, port = _sink()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            schedule, contacts = write_big_plan(Path(tmp), reminders, port)
            cases = [("SQLite, 1 daemon", "sqlite", 1)]
            if pg_server:
                cases += [("PostgreSQL, 1 daemon", "pg", 1), ("PostgreSQL, 2 daemons", "pg", 2)]
            for name, kind, daemons in cases:
                results = []
                for n in range(runs):
                    db = new_database(pg_server) if kind == "pg" else f"{tmp}/l{daemons}-{n}.db"
                    results.append(_pass(db, daemons, schedule, contacts, pg_pid))
                    total = sum(results[-1]["sent"])
                    assert total == reminders, (name, results[-1])
                rate = statistics.median(r["rate"] for r in results)
                cpu = statistics.median(r["cpu"] for r in results)
                server = statistics.median(r["server"] for r in results)
                split = "/".join(str(s) for s in results[len(results) // 2]["sent"])
                print(
                    f"{name}: {reminders} reminders, median {rate:.0f} msgs/s "
                    f"({reminders / rate:.1f} s); daemons' CPU {cpu:.1f} s "
                    f"({cpu / reminders * 1000:.2f} ms/msg)"
                    + (f", PostgreSQL's CPU {server:.1f} s" if kind == "pg" else "")
                    + (f"; split {split}" if daemons > 1 else ""),
                    flush=True,
                )
    finally:
        sink.terminate()
        sink.wait(10)


# -- takeover ---------------------------------------------------------------------------------


def _hanging_server() -> int:
    """Accepts SMTP connections and never says a word: a sender stays in flight."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            conn, _ = listener.accept()
            held.append(conn)

    threading.Thread(target=accept, daemon=True).start()
    return int(listener.getsockname()[1])


def takeover(pg_server: str, lease: float) -> None:
    from pgcluster import new_database

    from disclosure_calendar.ledger import Ledger

    db = new_database(pg_server)
    sink, port = _sink()
    hang = _hanging_server()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            schedule, good = write_big_plan(Path(tmp), 20, port)
            _, bad = write_big_plan(Path(tmp), 20, hang, timeout=600)
            cli = [sys.executable, str(ROOT / "cli.py"), "-f", str(schedule)]
            env = {**os.environ, "DISCLOSURE_CALENDAR_FAKE_CLOCK": AT}
            a = subprocess.Popen(
                [*cli, "daemon", "--db", db, "--contacts", str(bad), "--claim-timeout", str(lease)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            ledger = Ledger(db)
            while not (held := ledger.holders()):
                time.sleep(0.02)
            [(owner, _, _)] = held
            log = Path(tmp) / "b.log"
            with log.open("wb") as err:
                b = subprocess.Popen(
                    [*cli, "daemon", "--db", db, "--contacts", str(good)]
                    + ["--claim-timeout", str(lease)],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=err,
                )
            while "event=sleep" not in log.read_text(encoding="utf-8"):
                time.sleep(0.02)
            [(_, _, left)] = ledger.holders()
            killed = time.time()
            os.kill(a.pid, signal.SIGKILL)
            a.wait()
            lease_end = killed + left
            try:
                b.wait(lease + 60)
            except subprocess.TimeoutExpired:
                b.kill()
                raise SystemExit(log.read_text(encoding="utf-8")) from None
            ledger.close()
            text = log.read_text(encoding="utf-8")
    finally:
        sink.terminate()
        sink.wait(10)
    # B sent everything else before it slept; its last send is A's message.
    sent_lines = [line for line in text.splitlines() if "event=sent " in line]
    assert "event=sleep" in text.split(sent_lines[-1])[0], text
    stamp = re.search(r"ts=(\S+)", sent_lines[-1])
    assert stamp is not None
    sent = dt.datetime.fromisoformat(stamp.group(1)).timestamp()
    print(
        f"takeover (lease {lease:g} s): daemon B sent the message dead daemon A ({owner}) held "
        f"{sent - killed:.2f} s after the SIGKILL, {sent - lease_end:.2f} s after A's lease ended"
    )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(*sys.argv[2:5])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3, help="runs per case (median)")
    parser.add_argument("--lease", type=float, default=5.0, help="claim timeout for takeover")
    parser.add_argument("--pg", help="a PostgreSQL server URL instead of a throwaway cluster")
    args = parser.parse_args()
    # A SIGTERM still stops the throwaway cluster (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    cluster = None
    pg, pg_pid = args.pg, None
    if pg is None:
        from pgcluster import Cluster, find_bindir

        bindir = find_bindir()
        if bindir is None:
            print("no PostgreSQL server found: SQLite only", file=sys.stderr)
        else:
            cluster = Cluster(bindir).start()
            pg = cluster.url
            pg_pid = int((cluster.data / "postmaster.pid").read_text().split()[0])
    try:
        throughput(args.reminders, args.runs, pg, pg_pid)
        if pg:
            takeover(pg, args.lease)
    finally:
        if cluster is not None:
            cluster.stop()


if __name__ == "__main__":
    main()

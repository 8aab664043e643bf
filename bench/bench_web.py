"""Web portal throughput and latency: 50 concurrent clients on loopback against `serve`.

The server runs as `cli.py serve --quiet` in its own process on the bundled schedule.yaml,
its feeds built for this year and the next. Three phases, each --seconds long:

1. feeds: each client keeps one keep-alive connection and asks for a random unit's feed;
   half the requests carry the feed's ETag (answered 304), half not (200, half of those
   gzipped);
2. pages: the same clients ask for random units' pages with the coordinator's session
   cookie (the page a unit sees, rendered from the ledger);
3. actions: each client, as the coordinator on a unit of its own, marks an occurrence done,
   undoes the mark and records an event date, in turn (the answers, 303, are timed; the
   feed rebuilds they start run meanwhile). Halfway through, and five times after the
   phase, one more event date (of a duty the phase leaves alone) is recorded and the time
   from its answer until the unit's feed is served with its occurrence is measured.

Closed loop by default: each client sends its next request the moment the answer is in,
with no pause, so the run measures the server saturated (latency ≈ clients / throughput,
Little's law), not what 50 people at their desks see. ``--rate R`` runs an open loop
instead: requests at random moments (Poisson), R a second from all clients together, each
timed from the moment it was due, so a late answer also counts against the requests queued
behind it (no coordinated omission).

Prints requests per second, p50/p95/p99 latency, errors (anything but the expected status,
or a broken connection), the CPU the server, its rebuild children and this client used in
the phase with the load average (the clients share the machine's cores with the server),
and the server's resident memory sampled once a second (first, last, highest), so a leak
shows as growth over the run. ``--profile FILE`` runs the server under cProfile (every
thread) and writes the summed stats to FILE when it stops.

    .venv/bin/python bench/bench_web.py [--seconds 30] [--clients 50] [--workers 1]
        [--rate R] [--phase feeds --phase pages --phase actions] [--profile FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import contextvars
import datetime as dt
import itertools
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

Pick = Callable[[], tuple[str, str, int]]  # path, extra header lines, expected status
SECRET = "bench-secret-0123456789abcdef0123"
KINDS: dict[str, list[float]] = {}  # action (done, undo, event) -> latencies
CLIENT: contextvars.ContextVar[int] = contextvars.ContextVar("client", default=0)
_CLIENT_IDS = itertools.count()


def _rss_mb(pid: int) -> float:
    total = 0.0
    pids = [pid] + _children(pid)
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            pass
    return total


def _sample(pid: int, stop: threading.Event, memory: list[float]) -> None:
    while not stop.wait(1.0):
        memory.append(_rss_mb(pid))


def _children(pid: int) -> list[int]:
    """The live child processes of ``pid``, started by any of its threads."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _cpu(pid: int) -> tuple[float, float]:
    """CPU seconds (user + system) of the process ``pid``, and of its child processes, live
    (the rebuild helper; the workers when --workers > 1) or ended (the builds they forked)."""
    tick = os.sysconf("SC_CLK_TCK")

    def times(p: int) -> tuple[float, float]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0, 0.0
        own = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        return own, (int(fields[13]) + int(fields[14])) / tick  # cutime, cstime: ended ones

    own, ended = times(pid)
    children, seen = ended, {pid}
    todo = _children(pid)
    while todo:
        child = todo.pop()
        if child in seen:
            continue
        seen.add(child)
        mine, theirs = times(child)
        children += mine + theirs
        todo += _children(child)
    return own, children


def _own_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _get(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str, headers: str
) -> tuple[int, dict[str, str]]:
    if path.startswith("POST "):  # "POST /path BODY" (the actions phase)
        _post, path, body = path.split(" ", 2)
        data = body.encode()
        writer.write(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(data)}\r\n\r\n".encode()
            + data
        )
    else:
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    fields = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            fields[k.strip().lower()] = v.strip()
    length = int(fields.get("content-length", "0"))
    if length:
        await reader.readexactly(length)
    return status, fields


async def _client(
    port: int,
    deadline: float,
    pick: Pick,
    latencies: list[float],
    errors: list[str],
    rate: float | None = None,
) -> None:
    """One user on one keep-alive connection. ``rate`` None: a closed loop (the next request
    as soon as the answer is in). Else an open loop: requests at random moments, ``rate`` a
    second on average (Poisson), each timed from the moment it was due, so an answer that
    comes late also delays, and counts against, the requests queued behind it."""
    CLIENT.set(next(_CLIENT_IDS))  # each client its own task, so its own value
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    due = time.perf_counter() + (random.expovariate(rate) if rate else 0.0)
    try:
        while (due if rate else time.perf_counter()) < deadline:
            if rate:
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
            path, headers, expected = pick()
            started = due if rate else time.perf_counter()
            try:
                status, _ = await _get(reader, writer, path, headers)
            except (OSError, asyncio.IncompleteReadError) as exc:
                errors.append(type(exc).__name__)
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                continue
            finally:
                if rate:
                    due += random.expovariate(rate)
            latencies.append(time.perf_counter() - started)
            if path.startswith("POST "):  # the actions phase: also by action
                KINDS.setdefault(path.split(" ")[1].rsplit("/", 1)[1], []).append(latencies[-1])
            if status != expected:
                errors.append(f"{path}: {status}")
    finally:
        writer.close()


def run_phase(
    port: int, clients: int, seconds: float, pick: Pick, rate: float | None = None
) -> tuple[list[float], list[str], float]:
    """``rate``: requests a second from all clients together (open loop), or None (closed)."""
    latencies: list[float] = []
    errors: list[str] = []
    each = rate / clients if rate else None

    async def main() -> float:
        started = time.perf_counter()
        deadline = started + seconds
        await asyncio.gather(
            *(_client(port, deadline, pick, latencies, errors, each) for _ in range(clients))
        )
        return time.perf_counter() - started

    try:
        import uvloop

        elapsed = uvloop.run(main())
    except ImportError:
        elapsed = asyncio.run(main())
    return latencies, errors, elapsed


def report(name: str, latencies: list[float], errors: list[str], elapsed: float, memory: list[float]) -> None:  # fmt: skip
    ms = sorted(x * 1000 for x in latencies)
    q = statistics.quantiles(ms, n=100) if len(ms) > 1 else [0.0] * 99
    print(
        f"{name}: {len(ms)} requests in {elapsed:.1f} s = {len(ms) / elapsed:,.0f} req/s; "
        f"latency p50 {q[49]:.1f} ms, p95 {q[94]:.1f} ms, p99 {q[98]:.1f} ms; "
        f"errors {len(errors)}" + (f" (first: {errors[0]})" if errors else "")
    )
    if memory:
        print(
            f"  server memory: {memory[0]:.1f} MB at start, {memory[len(memory) // 2]:.1f} MB "
            f"halfway, {memory[-1]:.1f} MB at end, {max(memory):.1f} MB at most "
            f"({len(memory)} samples)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--phase", action="append", choices=["feeds", "pages", "actions"])
    parser.add_argument(
        "--rate", type=float,
        help="open loop: requests a second from all clients together, at random moments "
        "(Poisson), timed from when each was due; default: closed loop (no pause)",
    )  # fmt: skip
    parser.add_argument(
        "--profile", type=Path, help="write the server's cProfile stats (all threads) here"
    )
    args = parser.parse_args()
    phases = args.phase or ["feeds", "pages", "actions"]

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_build import machine_speed

    from disclosure_calendar import feeds
    from disclosure_calendar.reminders.clock import SystemClock
    from disclosure_calendar.schedule import load_schedule
    from disclosure_calendar.web.access import issue_link
    from disclosure_calendar.workdays import ChinaCalendar

    schedule_path = ROOT / "schedule.yaml"
    schedule = load_schedule(schedule_path)
    units = [u.id for u in schedule.units]
    now = SystemClock().now()
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        out, db = Path(tmp) / "out", Path(tmp) / "ledger.db"
        cal = ChinaCalendar(notices=schedule.notices, local_days_off=schedule.local_days_off)
        year = now.year
        feeds.build_feeds(schedule, cal, dt.date(year, 1, 1), dt.date(year + 1, 12, 31), out, now=now)  # fmt: skip
        port = _free_port()
        base = f"http://127.0.0.1:{port}/"
        link = issue_link(schedule, SECRET.encode(), db, now, unit=None, days=1, base_url=base)
        env = {**os.environ, "DISCLOSURE_CALENDAR_SECRET": SECRET}
        # The server's log goes to a file: a pipe nobody reads would stop the server once full.
        log_file = open(Path(tmp) / "server.log", "w+b")  # noqa: SIM115 - closed below
        server = subprocess.Popen(
            [sys.executable, *_server_program(args.profile), "-f", str(schedule_path), "serve", "--quiet",
             "-o", str(out), "--db", str(db), "--port", str(port), "--workers", str(args.workers)],
            env=env, stdout=subprocess.DEVNULL, stderr=log_file, start_new_session=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(base, timeout=2).close()
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        err = Path(log_file.name).read_bytes()
                        raise SystemExit(f"server did not start: {err!r}") from None
                    time.sleep(0.2)
            cookie = _session_cookie(link)
            etags = {}
            for unit in units:
                with urllib.request.urlopen(f"{base}{unit}.ics", timeout=10) as r:
                    etags[unit] = r.headers["ETag"]
            print(f"machine speed before: {machine_speed()}")
            print(
                f"{len(units)} units; {args.clients} clients for {args.seconds:.0f} s per phase; "
                f"{args.workers} worker(s); {os.cpu_count()} CPU(s); "
                + (f"open loop, {args.rate:g} requests/s" if args.rate else "closed loop")
            )

            def pick_feed() -> tuple[str, str, int]:
                unit = random.choice(units)
                r = random.random()
                if r < 0.5:
                    return f"/{unit}.ics", f"If-None-Match: {etags[unit]}\r\n", 304
                if r < 0.75:
                    return f"/{unit}.ics", "Accept-Encoding: gzip\r\n", 200
                return f"/{unit}.ics", "", 200

            def pick_page() -> tuple[str, str, int]:
                return f"/unit/{random.choice(units)}", f"Cookie: {cookie}\r\n", 200

            for phase in phases:
                memory: list[float] = []
                stop = threading.Event()
                sampler = threading.Thread(
                    target=_sample, args=(server.pid, stop, memory), daemon=True
                )
                memory.append(_rss_mb(server.pid))
                sampler.start()
                if phase == "actions":
                    plan = _actions(base, cookie, schedule, units, args.clients)
                    pick = plan.pick
                else:
                    pick = pick_feed if phase == "feeds" else pick_page
                server_cpu, client_cpu = _cpu(server.pid), _own_cpu()
                lags: list[float] = []
                if phase == "actions":  # one event's way to the feed while the load runs
                    probe = threading.Timer(args.seconds / 2, _lag_into, (plan, base, lags))
                    probe.start()
                latencies, errors, elapsed = run_phase(
                    port, args.clients, args.seconds, pick, args.rate
                )
                server_after, client_after = _cpu(server.pid), _own_cpu()
                stop.set()
                sampler.join()
                memory.append(_rss_mb(server.pid))
                report(phase, latencies, errors, elapsed, memory)
                served = server_after[0] - server_cpu[0]
                print(
                    f"  CPU in the phase ({os.cpu_count()} cores, {elapsed:.1f} s): server "
                    f"{served:.2f} s ({served / max(len(latencies), 1) * 1000:.2f} ms per "
                    f"request), its child processes {server_after[1] - server_cpu[1]:.2f} s, "
                    f"this client {client_after - client_cpu:.2f} s; load average "
                    + " ".join(f"{x:.2f}" for x in os.getloadavg())
                )
                if phase == "actions":
                    for kind, times in sorted(KINDS.items()):
                        ms = sorted(x * 1000 for x in times)
                        q = statistics.quantiles(ms, n=100) if len(ms) > 1 else [0.0] * 99
                        print(f"  {kind}: {len(ms)}, p50 {q[49]:.1f} ms, p95 {q[94]:.1f} ms")
                    probe.join()
                    during = " ".join(f"{x:.2f}" for x in lags) or "-"
                    after = sorted(plan.feed_lag(base) for _ in range(5))
                    print(
                        f"event answered -> its feed served: during the phase {during} s; "
                        f"after it, 5 times: median {after[2]:.2f} s, max {after[-1]:.2f} s"
                    )
            print(f"machine speed after:  {machine_speed()}")
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
            log_file.close()
            said = Path(log_file.name).read_text(errors="replace").strip().splitlines()
            if said:
                print(f"server log: {len(said)} lines; last: " + " | ".join(said[-3:])[-600:])


def _lag_into(plan: _Actions, base: str, lags: list[float]) -> None:
    lags.append(plan.feed_lag(base))


def _server_program(profile: Path | None) -> list[str]:
    """cli.py, or cli.py under a profiler of every thread (see _profiled) writing to ``profile``."""
    if profile is None:
        return [str(ROOT / "cli.py")]
    return [str(Path(__file__).resolve()), "--serve-profiled", str(profile.resolve())]


def _profiled(path: str, argv: list[str]) -> None:
    """Run cli.py with ``argv``, each thread under its own cProfile; their sum written to
    ``path`` when the server stops (uvicorn ends its loop on SIGTERM, then raises the signal
    again under the handler it found: this one)."""
    import cProfile
    import pstats
    import runpy

    profiles: list[cProfile.Profile] = []

    def start(*_: object) -> None:  # the first event of each new thread: its own profiler
        profile = cProfile.Profile()
        profiles.append(profile)
        profile.enable()

    def dump() -> None:
        for profile in profiles:
            profile.disable()
        stats = pstats.Stats(profiles[0])
        for profile in profiles[1:]:
            stats.add(profile)
        stats.dump_stats(path)

    def stop(*_: object) -> None:
        dump()
        os._exit(0)

    threading.setprofile(start)
    signal.signal(signal.SIGTERM, stop)
    start()
    sys.argv = [str(ROOT / "cli.py"), *argv]
    runpy.run_path(str(ROOT / "cli.py"), run_name="__main__")


class _Actions:
    """The actions phase's requests: per client, done, undo and an event date in turn."""

    def __init__(self, cookie: str, csrf: str, open_uids: dict[str, str], events: list[tuple[str, str]], start: dt.date):  # fmt: skip
        self.cookie, self.csrf = cookie, csrf
        self.open_uids = open_uids  # unit -> an occurrence still open
        # (duty, unit) the coordinator may record; the first is kept for feed_lag
        self.probe, self.events = events[0], events[1:] or events
        self.day = self.probe_day = start  # each event date is new: a repeat would be 409
        self.turn = 0  # events recorded, over all clients
        self.steps: dict[int, int] = {}  # per client: its actions so far
        self.units = list(open_uids)

    def _next_day(self) -> str:
        """A day not used yet for any duty, going back from today (the feeds show this year)."""
        self.day -= dt.timedelta(days=1)
        return self.day.isoformat()

    def pick(self) -> tuple[str, str, int]:
        from urllib.parse import urlencode

        client = CLIENT.get()
        n = self.steps[client] = self.steps.get(client, -1) + 1
        kind = n % 3
        headers = f"Cookie: {self.cookie}\r\n"
        if kind == 2:
            k, self.turn = self.turn, self.turn + 1
            duty, unit = self.events[k % len(self.events)]
            if k % len(self.events) == 0:
                self._next_day()
            form = {"csrf": self.csrf, "duty": duty, "date": self.day.isoformat()}
            return f"POST /unit/{unit}/event {urlencode(form)}", headers, 303
        unit = self.units[client % len(self.units)]  # its own: its undo follows its done
        form = {"csrf": self.csrf, "uid": self.open_uids[unit]}
        if kind == 0:
            form["url"] = "https://example.gov.cn/bench"
            return f"POST /unit/{unit}/done {urlencode(form)}", headers, 303
        return f"POST /unit/{unit}/undo {urlencode(form)}", headers, 303

    def feed_lag(self, base: str) -> float:
        """Seconds from an event date's answer (303) to the unit's feed served with the
        occurrence that date starts (its UID names duty, date and unit). The duty is one the
        actions phase leaves alone, so this can run during the phase too."""
        from urllib.parse import urlencode

        duty, unit = self.probe
        feed = f"{base}{unit}.ics"
        self.probe_day -= dt.timedelta(days=1)
        day = self.probe_day.isoformat()
        uid = f"UID:{duty}.event-{day}.{unit}@".encode()
        form = urlencode({"csrf": self.csrf, "duty": duty, "date": day}).encode()
        request = urllib.request.Request(
            f"{base}unit/{unit}/event", data=form, headers={"Cookie": self.cookie}
        )
        opener = urllib.request.build_opener(_NoRedirect())
        try:
            opener.open(request, timeout=10)
        except urllib.error.HTTPError as exc:
            assert exc.code == 303, exc.code
        answered = time.perf_counter()
        while time.perf_counter() - answered < 30:
            with urllib.request.urlopen(feed, timeout=10) as r:
                if uid in r.read():
                    return time.perf_counter() - answered
            time.sleep(0.02)
        return float("inf")


def _actions(base: str, cookie: str, schedule, units: list[str], clients: int) -> _Actions:  # type: ignore[no-untyped-def]
    import re

    open_uids, csrf = {}, ""
    for unit in units[:clients]:
        request = urllib.request.Request(f"{base}unit/{unit}", headers={"Cookie": cookie})
        with urllib.request.urlopen(request, timeout=10) as r:
            html = r.read().decode()
        csrf = re.search(r'name="csrf" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
        found = re.search(r'/done" class="mark">.*?name="uid" value="([^"]+)"', html, re.S)
        if found:
            open_uids[unit] = found.group(1)
    # One unit per event duty: a date is recorded once per duty (another unit's would be 409).
    events = [(d.id, schedule.unit_ids_of(d)[0]) for d in schedule.duties if d.cadence == "event"]
    return _Actions(cookie, csrf, open_uids, events, dt.date.today())


def _session_cookie(link: str) -> str:
    """The cookie the access link sets (its 303 is not followed)."""
    opener = urllib.request.build_opener(_NoRedirect())
    try:
        opener.open(link, timeout=10)
    except urllib.error.HTTPError as exc:
        return str(exc.headers["Set-Cookie"]).split(";")[0]
    raise SystemExit("the access link did not answer 303")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve-profiled"]:
        _profiled(sys.argv[2], sys.argv[3:])
    else:
        main()

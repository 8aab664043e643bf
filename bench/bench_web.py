"""Web portal throughput and latency: 50 concurrent clients on loopback against `serve`.

The server runs as `cli.py serve --quiet` in its own process on the bundled schedule.yaml
(53 units), its feeds built for this year and the next. Two phases, each --seconds long:

1. feeds: each client keeps one keep-alive connection and asks for a random unit's feed;
   half the requests carry the feed's ETag (answered 304), half not (200, half of those
   gzipped);
2. pages: the same clients ask for random units' pages with the coordinator's session
   cookie (the page a unit sees, rendered from the ledger);
3. actions: each client, as the coordinator on a unit of its own, marks an occurrence done,
   undoes the mark and records an event date, in turn (the answers, 303, are timed; the
   feed rebuilds they start run meanwhile); then one more event date is recorded and the
   time until the changed feed is served is measured.

Prints requests per second, p50/p95/p99 latency, errors (anything but the expected status,
or a broken connection) and the server's resident memory sampled once a second (first,
last, highest), so a leak shows as growth over the run.

    .venv/bin/python bench/bench_web.py [--seconds 30] [--clients 50] [--workers 1]
        [--phase feeds --phase pages --phase actions]
"""

from __future__ import annotations

import argparse
import asyncio
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
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(c) for c in text.split()]


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
    port: int, deadline: float, pick: Pick, latencies: list[float], errors: list[str]
) -> None:
    CLIENT.set(next(_CLIENT_IDS))  # each client its own task, so its own value
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < deadline:
            path, headers, expected = pick()
            started = time.perf_counter()
            try:
                status, _ = await _get(reader, writer, path, headers)
            except (OSError, asyncio.IncompleteReadError) as exc:
                errors.append(type(exc).__name__)
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                continue
            latencies.append(time.perf_counter() - started)
            if path.startswith("POST "):  # the actions phase: also by action
                KINDS.setdefault(path.split(" ")[1].rsplit("/", 1)[1], []).append(latencies[-1])
            if status != expected:
                errors.append(f"{path}: {status}")
    finally:
        writer.close()


def run_phase(
    port: int, clients: int, seconds: float, pick
) -> tuple[list[float], list[str], float]:
    latencies: list[float] = []
    errors: list[str] = []

    async def main() -> float:
        started = time.perf_counter()
        deadline = started + seconds
        await asyncio.gather(
            *(_client(port, deadline, pick, latencies, errors) for _ in range(clients))
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
    args = parser.parse_args()
    phases = args.phase or ["feeds", "pages", "actions"]

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
        server = subprocess.Popen(
            [sys.executable, str(ROOT / "cli.py"), "-f", str(schedule_path), "serve", "--quiet",
             "-o", str(out), "--db", str(db), "--port", str(port), "--workers", str(args.workers)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(base, timeout=2).close()
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        err = server.stderr.read() if server.stderr else b""
                        raise SystemExit(f"server did not start: {err!r}") from None
                    time.sleep(0.2)
            cookie = _session_cookie(link)
            etags = {}
            for unit in units:
                with urllib.request.urlopen(f"{base}{unit}.ics", timeout=10) as r:
                    etags[unit] = r.headers["ETag"]
            print(
                f"{len(units)} units; {args.clients} clients for {args.seconds:.0f} s per phase; "
                f"{args.workers} worker(s); {os.cpu_count()} CPU(s)"
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
                latencies, errors, elapsed = run_phase(port, args.clients, args.seconds, pick)
                stop.set()
                sampler.join()
                memory.append(_rss_mb(server.pid))
                report(phase, latencies, errors, elapsed, memory)
                if phase == "actions":
                    for kind, times in sorted(KINDS.items()):
                        ms = sorted(x * 1000 for x in times)
                        q = statistics.quantiles(ms, n=100) if len(ms) > 1 else [0.0] * 99
                        print(f"  {kind}: {len(ms)}, p50 {q[49]:.1f} ms, p95 {q[94]:.1f} ms")
                    print(f"event to changed feed served: {plan.feed_lag(base):.2f} s")
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


class _Actions:
    """The actions phase's requests: per client, done, undo and an event date in turn."""

    def __init__(self, cookie: str, csrf: str, open_uids: dict[str, str], events: list[tuple[str, str]], start: dt.date):  # fmt: skip
        self.cookie, self.csrf = cookie, csrf
        self.open_uids = open_uids  # unit -> an occurrence still open
        self.events = events  # (duty, unit) the coordinator may record
        self.day = start  # each event date is new: a repeat would be 409
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
        """Seconds from an event date's answer to its feed served with the new date."""
        from urllib.parse import urlencode

        duty, unit = self.events[0]
        feed = f"{base}{unit}.ics"
        with urllib.request.urlopen(feed, timeout=10) as r:
            before = r.read()
        form = urlencode({"csrf": self.csrf, "duty": duty, "date": self._next_day()}).encode()
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
                if r.read() != before:
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
    main()

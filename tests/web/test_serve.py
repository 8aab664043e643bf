"""serve: the feeds as subscribers have them, through a real HTTP client against uvicorn."""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import http.client
import os
import socket
import time
import urllib.request
from email.utils import formatdate
from pathlib import Path

import pytest
from webportal import SECRET, Portal, build_site

from disclosure_calendar.web.server import Limits, running
from disclosure_calendar.web.site import WebConfig


@pytest.fixture(scope="module")
def site(portal: Portal) -> tuple[Path, int]:
    out = portal.out
    (portal.root / "secret.txt").write_text("outside", encoding="utf-8")
    os.symlink(portal.root / "secret.txt", out / "escape.ics")
    os.symlink(out / "finance.ics", out / "alias.ics")
    os.symlink(out / ".manifest.json", out / "hidden-link.json")
    (out / "print").mkdir(exist_ok=True)
    (out / "print" / "2026-all.pdf").write_bytes(b"%PDF-1.7\n" + b"0" * 1000)
    return out, portal.port


def request(
    port: int, path: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> tuple[int, http.client.HTTPMessage, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        # http.client sends the raw path, no normalising.
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def test_200_then_304_with_urllib(site: tuple[Path, int]) -> None:
    out, port = site
    url = f"http://127.0.0.1:{port}/finance.ics"
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
        body = response.read()
        etag = response.headers["ETag"]
        last_modified = response.headers["Last-Modified"]
    assert body == (out / "finance.ics").read_bytes()
    assert etag.startswith('"') and last_modified.endswith("GMT")
    status, headers, body = request(port, "/finance.ics", {"If-None-Match": etag})
    assert (status, body) == (304, b"")
    assert headers["ETag"] == etag


def test_304_on_if_modified_since(site: tuple[Path, int]) -> None:
    out, port = site
    mtime = (out / "finance.ics").stat().st_mtime
    status, _, _ = request(
        port, "/finance.ics", {"If-Modified-Since": formatdate(mtime + 1, usegmt=True)}
    )
    assert status == 304
    status, _, _ = request(
        port, "/finance.ics", {"If-Modified-Since": formatdate(mtime - 3600, usegmt=True)}
    )
    assert status == 200


def test_if_none_match_wins_over_if_modified_since(site: tuple[Path, int]) -> None:
    _, port = site
    future = formatdate(4_000_000_000, usegmt=True)
    status, _, _ = request(
        port, "/finance.ics", {"If-None-Match": '"other"', "If-Modified-Since": future}
    )
    assert status == 200


def test_gzip_when_asked(site: tuple[Path, int]) -> None:
    out, port = site
    status, headers, body = request(port, "/all.ics", {"Accept-Encoding": "gzip, deflate"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(body) == (out / "all.ics").read_bytes()
    assert int(headers["Content-Length"]) == len(body) < (out / "all.ics").stat().st_size
    status, _, _ = request(
        port, "/all.ics", {"Accept-Encoding": "gzip", "If-None-Match": headers["ETag"]}
    )
    assert status == 304


def test_no_gzip_when_refused(site: tuple[Path, int]) -> None:
    _, port = site
    _, headers, _ = request(port, "/all.ics", {"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in headers


def test_index_and_head(site: tuple[Path, int]) -> None:
    out, port = site
    status, headers, body = request(port, "/index.html")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert body == (out / "index.html").read_bytes()
    status, headers, body = request(port, "/finance.ics", method="HEAD")
    assert status == 200 and body == b""
    assert int(headers["Content-Length"]) == (out / "finance.ics").stat().st_size


def test_a_symlink_inside_the_folder_is_served(site: tuple[Path, int]) -> None:
    out, port = site
    status, _, body = request(port, "/alias.ics")
    assert (status, body) == (200, (out / "finance.ics").read_bytes())


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/finance.ics/../../secret.txt",
        "//etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/..\\secret.txt",
        "/escape.ics",
        "/.manifest.json",
        "/hidden-link.json",
        "/missing.ics",
        "/finance.ics%00.html",
        "/%ff.ics",
        "/.current/finance.ics",
        "/.generations/g000001/finance.ics",
        "/.generations/g000001/.manifest.json",
    ],
    ids=[
        "dotdot", "encoded-dotdot", "encoded-slash", "dotdot-after-file", "double-slash",
        "deep-encoded", "backslash", "symlink-escape", "dotfile", "symlink-to-dotfile", "missing",
        "nul", "bad-utf8", "current-generation", "generation-folder", "generation-dotfile",
    ],
)  # fmt: skip
def test_outside_or_hidden_is_404(site: tuple[Path, int], path: str) -> None:
    _, port = site
    status, _, body = request(port, path)
    assert status == 404
    assert b"outside" not in body and b"root:" not in body


def test_changed_file_gets_a_new_etag(site: tuple[Path, int]) -> None:
    out, port = site
    _, first, _ = request(port, "/index.html")
    page = out / "index.html"
    original = page.read_bytes()
    try:
        page.write_bytes(original + b"<!-- changed -->\n")
        status, second, _ = request(port, "/index.html", {"If-None-Match": first["ETag"]})
        assert status == 200 and second["ETag"] != first["ETag"]
    finally:
        page.write_bytes(original)


def test_pdf_as_application_pdf(site: tuple[Path, int]) -> None:
    out, port = site
    status, headers, body = request(port, "/print/2026-all.pdf", {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Type"] == "application/pdf"
    assert gzip.decompress(body) == (out / "print" / "2026-all.pdf").read_bytes()


@pytest.mark.parametrize(
    "headers",
    [
        {"Accept-Encoding": "gzip;q=abc"},
        {"Accept-Encoding": "gzip;q="},
        {"Accept-Encoding": ";;,,gzip;;q=1e999999"},
        {"If-Modified-Since": "Mon, 01 Jan 99999999999 00:00:00 GMT"},
        {"If-Modified-Since": "Mon, 01 Jan -1 00:00:00 GMT"},
        {"If-Modified-Since": "garbage"},
        {"If-None-Match": '""""'},
    ],
    ids=["q-abc", "q-empty", "q-huge", "ims-year-overflow", "ims-negative", "ims-garbage", "inm-quotes"],
)  # fmt: skip
def test_malformed_header_is_ignored(site: tuple[Path, int], headers: dict[str, str]) -> None:
    status, _, body = request(site[1], "/finance.ics", headers)
    assert status == 200
    assert body.startswith(b"BEGIN:VCALENDAR") or gzip.decompress(body).startswith(b"BEGIN:")


def test_idle_and_trickling_connections_are_closed(tmp_path: Path) -> None:
    schedule_path, out = build_site(tmp_path)
    config = WebConfig(out, schedule_path, tmp_path / "ledger.db", SECRET)
    with running(config, limits=Limits(header_seconds=0.3)) as port:
        socks = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(30)]
        try:
            started = time.monotonic()
            for n, sock in enumerate(socks):
                if n % 2:
                    sock.sendall(b"GET /index.html HTTP/1.1\r\nHost: x\r\n")  # never finished
            # Closed by the server: recv returns b"" (or a reset) instead of waiting our 5 s.
            for sock in socks:
                with contextlib.suppress(ConnectionResetError):
                    assert sock.recv(4096) == b""
            assert time.monotonic() - started < 4
            status, _, body = request(port, "/index.html")  # and the server still answers
            assert (status, body) == (200, (out / "index.html").read_bytes())
        finally:
            for sock in socks:
                sock.close()


def test_serve_command_runs_uvicorn_and_stops_on_sigterm(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    schedule_path, out = build_site(tmp_path)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    cli = Path(__file__).resolve().parents[2] / "cli.py"
    env = {**os.environ, "DISCLOSURE_CALENDAR_SECRET": SECRET.decode()}
    args = [sys.executable, str(cli), "-f", str(schedule_path), "serve", "-o", str(out)]
    args += ["--db", str(tmp_path / "ledger.db"), "--port", str(port), "--quiet"]
    args += ["--trusted-proxy", "127.0.0.1"]
    server = subprocess.Popen(args, env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, _, body = request(port, "/finance.ics")
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, server.stderr
                time.sleep(0.1)
        assert status == 200 and body == (out / "finance.ics").read_bytes()
        assert request(port, "/")[0] == 200
        # --trusted-proxy 127.0.0.1: its X-Forwarded-Proto is believed (cookies get Secure).
        from disclosure_calendar.core.tokens import Signer

        token = Signer(SECRET).issue("unit", "finance", dt.datetime.now(dt.UTC), 1)[1]
        status, headers, _ = request(port, f"/access/{token}", {"X-Forwarded-Proto": "https"})
        assert status == 303 and "secure" in headers["Set-Cookie"].lower()
    finally:
        server.send_signal(signal.SIGTERM)
        _, stderr = server.communicate(timeout=15)
    # uvicorn shuts down cleanly, then lets SIGTERM end the process (systemd counts it clean).
    assert server.returncode in (0, -signal.SIGTERM) and "Traceback" not in stderr
    assert f"on http://127.0.0.1:{port}/" in stderr


def test_serve_refuses_a_secret_inside_out(tmp_path: Path) -> None:
    from click.testing import CliRunner

    import cli

    schedule_path, out = build_site(tmp_path)
    (out / "secret.key").write_text("x" * 40)
    result = CliRunner().invoke(
        cli.main,
        [
            "-f",
            str(schedule_path),
            "serve",
            "-o",
            str(out),
            "--secret-file",
            str(out / "secret.key"),
        ],
    )
    assert result.exit_code == 1 and "must not be inside" in result.output
    assert "Traceback" not in result.output


def test_serve_refuses_a_trusted_proxy_that_is_no_address(tmp_path: Path) -> None:
    from click.testing import CliRunner

    import cli

    schedule_path, out = build_site(tmp_path)
    args = ["-f", str(schedule_path), "serve", "-o", str(out), "--trusted-proxy", "nginx.local"]
    result = CliRunner().invoke(cli.main, args)
    assert (
        result.exit_code == 2 and "'nginx.local' is not an IP address or network" in result.output
    )
